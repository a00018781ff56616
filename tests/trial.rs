//! A new user's trial of `lhc`: the usual mistakes (a misspelt verb, a file name where a
//! workflow name goes, Ctrl-C while waiting, ...) and the message each one gets. Texts are
//! insta snapshots, with the kernel's port and run ids replaced by placeholders.

mod harness;

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};

use harness::{Kernel, Out, lhc, lhc_in, project};

const HELLO: &str = "\
task greet(name: str) -> str

workflow hello {
  input name: str required
  public var greeting: str

  let reply = greet(name)
  greeting = \"{reply} (sent to {name})\"
}
";

/// The environment that points lhc at `k` and at nothing else.
fn kernel_env(cmd: &mut Command, k: &Kernel, home: &Path) {
    for (key, _) in std::env::vars() {
        if key.starts_with("LHC_") || key.starts_with("LHW_") || key == "XDG_DATA_HOME" {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home)
        .env("NO_COLOR", "1")
        .env("LHC_API_HOST", "127.0.0.1")
        .env("LHC_API_PORT", k.port().to_string());
}

/// Runs lhc against `k` with `dir` as the current directory.
fn lhc_at(k: &Kernel, dir: &Path, args: &[&str]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lhc"));
    cmd.args(args).current_dir(dir);
    kernel_env(&mut cmd, k, dir);
    let out = cmd.output().expect("lhc runs");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `text` with the kernel's address written `ADDR`.
fn redact(text: &str, k: &Kernel) -> String {
    text.replace(&format!("127.0.0.1:{}", k.port()), "ADDR")
}

// ---- a misspelt verb -----------------------------------------------------------------------

#[test]
fn a_misspelt_verb_gets_the_verb_it_is_close_to() {
    let dir = project(&[]);
    let out = lhc_in(dir.path(), &["rn", "hello"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

#[test]
fn lhctl_style_inputs_get_the_var_flag() {
    let dir = project(&[]);
    let out = lhc_in(dir.path(), &["run", "hello", "name=World"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_value_without_its_name_is_a_usage_error_before_any_server_is_called() {
    let dir = project(&[]);
    for args in [
        &["run", "hello", "--var", "World"][..],
        &[
            "schedule",
            "create",
            "hello",
            "--cron",
            "0 * * * *",
            "--var",
            "World",
        ][..],
        &["search", "wfruns", "hello", "--var", "World"][..],
    ] {
        let out = lhc_in(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("expected NAME=VALUE"), "{args:?}: {stderr}");
        assert!(!stderr.contains("started the embedded kernel"), "{stderr}");
    }
    let out = lhc_in(dir.path(), &["run", "hello", "--var", "World"]);
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
}

// ---- a file where a workflow name goes -----------------------------------------------------

#[test]
fn running_a_file_names_the_workflows_it_declares() {
    let k = Kernel::start();
    let dir = project(&[("my-flow.lhw", HELLO), ("empty.lhw", "")]);

    // Not deployed yet: the help says to deploy the file first.
    let out = lhc_at(&k, dir.path(), &["run", "my-flow.lhw", "--var", "name=x"]);
    out.failed();
    insta::assert_snapshot!("run_file_not_deployed", redact(&out.stderr, &k));

    lhc_at(&k, dir.path(), &["deploy", "my-flow.lhw"]).ok();
    // The file's stem, as a user who named the file after the workflow would type it.
    let out = lhc_at(&k, dir.path(), &["run", "my-flow", "--var", "name=x"]);
    out.failed();
    insta::assert_snapshot!("run_file_stem_deployed", redact(&out.stderr, &k));

    let out = lhc_at(&k, dir.path(), &["run", "empty.lhw"]);
    out.failed();
    insta::assert_snapshot!("run_file_without_workflow", redact(&out.stderr, &k));

    // Nothing like it: the deployed workflows are listed.
    let out = lhc_at(&k, dir.path(), &["run", "zzz"]);
    out.failed();
    insta::assert_snapshot!("run_unknown_lists_deployed", redact(&out.stderr, &k));
}

// ---- Ctrl-C while following a run ----------------------------------------------------------

/// Starts `args` (which print `... WfRun ID ...` first), waits for the first line on stdout,
/// sends SIGINT and returns the exit code, that line and stderr.
fn interrupt(k: &Kernel, dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lhc"));
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    kernel_env(&mut cmd, k, dir);
    let mut child = cmd.spawn().expect("lhc starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    // The signal handler is installed before the first poll; give the line that follows the
    // status a chance too, so that the signal arrives while lhc polls.
    let mut second = String::new();
    stdout.read_line(&mut second).expect("second line");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("lhc ends");
    (
        out.status.code(),
        first,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn ctrl_c_while_waiting_says_the_run_goes_on_and_how_to_follow_it() {
    let k = Kernel::start();
    let dir = project(&[("my-flow.lhw", HELLO)]);
    lhc_at(&k, dir.path(), &["deploy", "my-flow.lhw"]).ok();

    // No worker polls `greet`: the run waits until the user gives up.
    let (code, first, stderr) = interrupt(
        &k,
        dir.path(),
        &["run", "hello", "--var", "name=x", "--wait"],
    );
    assert_eq!(code, Some(130), "{stderr}");
    let id = first
        .split_whitespace()
        .nth(2)
        .expect("started WfRun ID of ...")
        .to_string();
    insta::assert_snapshot!("run_wait_interrupted", stderr.replace(&id, "ID"));

    let (code, _, stderr) = interrupt(&k, dir.path(), &["wait", &id]);
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: stopped following WfRun {id} (interrupted); it keeps running on the server\n  \
         help: `lhc wait {id}` follows it again, `lhc stop {id}` halts it\n"
        )
    );

    // The run is still there and still running.
    let out = lhc(&k, &["get", "wfrun", &id]);
    out.ok();
    assert!(out.stdout.contains("status:  RUNNING"), "{}", out.stdout);
}

// ---- a misspelt workflow or run id with the other verbs -------------------------------------

#[test]
fn every_verb_taking_a_workflow_says_did_you_mean() {
    let k = Kernel::start();
    let dir = project(&[("my-flow.lhw", HELLO)]);
    lhc_at(&k, dir.path(), &["deploy", "my-flow.lhw"]).ok();
    for args in [
        &["get", "wfspec", "helo"][..],
        &["search", "wfruns", "helo"],
        &["search", "wfruns", "helo", "--var", "name=x"],
        &["decompile", "--wfspec", "helo"],
        &["graph", "--wfspec", "helo"],
        &["delete", "wfspec", "helo", "0.0"],
    ] {
        let out = lhc_at(&k, dir.path(), args);
        out.failed();
        assert_eq!(
            redact(&out.stderr, &k),
            "error: no WfSpec `helo` on ADDR (see `lhc list wfspecs`)\n  \
             help: did you mean `hello`?\n",
            "lhc {args:?}"
        );
    }
    let out = lhc_at(&k, dir.path(), &["get", "wfspec", "zzz"]);
    out.failed();
    insta::assert_snapshot!("get_wfspec_unknown", redact(&out.stderr, &k));
    // A version that does not exist names the versions there are, and deletes nothing.
    let out = lhc_at(&k, dir.path(), &["delete", "wfspec", "hello", "3.0"]);
    out.failed();
    assert_eq!(
        redact(&out.stderr, &k),
        "error: no version 3.0 of WfSpec `hello` on ADDR (its versions: 0.0)\n"
    );
    lhc_at(&k, dir.path(), &["get", "wfspec", "hello", "0.0"]).ok();
}

#[test]
fn listing_the_events_of_a_run_that_does_not_exist_is_an_error() {
    let k = Kernel::start();
    let dir = project(&[("my-flow.lhw", HELLO)]);
    for args in [
        &["event", "list", "no-such-run"][..],
        &["event", "list", "no-such-run", "--workflow"],
    ] {
        let out = lhc_at(&k, dir.path(), args);
        out.failed();
        assert!(
            out.stderr.contains("WfRun `no-such-run` not found on"),
            "{}",
            out.stderr
        );
    }
}

// ---- directories, empty and unreadable files -----------------------------------------------

#[test]
fn check_and_compile_take_a_directory_of_lhw_files() {
    let dir = project(&[
        ("flows/my-flow.lhw", HELLO),
        (
            "flows/my-flow.test.lhw",
            "test \"says hello\" for hello {\n  mock greet returns \"hi\"\n  start(name: \"x\")\n  expect completed\n}\n",
        ),
        ("flows/notes.txt", "not a workflow"),
        ("nothing/readme.md", "# empty"),
    ]);
    let out = lhc_in(dir.path(), &["check", "flows"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // The test file is checked with the workflow it tests.
    assert_eq!(err, "checked 2 files: no errors\n");
    assert_eq!(out.status.code(), Some(0));

    let out = lhc_in(dir.path(), &["compile", "flows", "-o", "out"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("out/hello.wfspec.json").is_file());

    for verb in ["check", "compile"] {
        let out = lhc_in(dir.path(), &[verb, "nothing"]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: cannot read nothing: a directory with no .lhw files in it\n"),
            "{verb}: {err}"
        );
    }
    let out = lhc_in(dir.path(), &["fmt", "nothing"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("fmt_dir_without_lhw", String::from_utf8_lossy(&out.stderr));
    let out = lhc_in(dir.path(), &["graph", "flows"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot read flows: a directory; give one .lhw file\n"
    );
}

// ---- events --------------------------------------------------------------------------------

const EVENTS: &str = "\
event approved: bool

workflow noop {
  var x: int
  x = 1
}
";

#[test]
fn posting_a_misspelt_event_or_to_an_ended_run_says_so() {
    let k = Kernel::start();
    let dir = project(&[("flows.lhw", EVENTS)]);
    lhc_at(&k, dir.path(), &["deploy", "flows.lhw"]).ok();
    lhc_at(&k, dir.path(), &["run", "noop", "--id", "n-1", "--wait"]).ok();

    let out = lhc_at(
        &k,
        dir.path(),
        &["event", "post", "n-1", "aproved", "--content", "true"],
    );
    out.failed();
    insta::assert_snapshot!("event_post_misspelt", redact(&out.stderr, &k));

    // The event is kept (as the server keeps it), with a note that nothing will claim it.
    let out = lhc_at(
        &k,
        dir.path(),
        &["event", "post", "n-1", "approved", "--content", "true"],
    );
    out.ok();
    assert!(
        out.stdout.starts_with("posted ExternalEvent approved "),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "note: WfRun n-1 has already ended (COMPLETED): no step will claim this event\n"
    );
}

// ---- misspelt names in flags ---------------------------------------------------------------

const REVIEW: &str = "\
user-task review \"Review the order\" {
  ok: bool required
  note: str
}

workflow approval {
  input amount: int required
  let r = ask review to user \"ann\"
}
";

#[test]
fn misspelt_variables_fields_and_defs_get_did_you_mean() {
    let k = Kernel::start();
    let dir = project(&[("flows.lhw", REVIEW)]);
    lhc_at(&k, dir.path(), &["deploy", "flows.lhw"]).ok();

    let out = lhc_at(&k, dir.path(), &["run", "approval", "--var", "amuont=3"]);
    out.failed();
    insta::assert_snapshot!("run_var_misspelt", redact(&out.stderr, &k));

    lhc_at(
        &k,
        dir.path(),
        &["run", "approval", "--var", "amount=3", "--id", "a-1"],
    )
    .ok();
    let listed = harness::poll(&k, &["user-task", "list", "--def", "review"], |o| {
        o.stdout.contains("a-1")
    });
    let guid = listed
        .stdout
        .lines()
        .find(|l| l.starts_with("a-1"))
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("a GUID")
        .to_string();
    let out = lhc_at(
        &k,
        dir.path(),
        &[
            "user-task",
            "complete",
            "a-1",
            &guid,
            "--result",
            "okk=true",
        ],
    );
    out.failed();
    assert_eq!(
        out.stderr,
        "error: --result okk=true: user task `review` has no field `okk` (its fields: ok, note)\n  \
         help: did you mean `ok`?\n"
    );

    let out = lhc_at(&k, dir.path(), &["user-task", "get", "a-1", "0-9"]);
    out.failed();
    assert_eq!(
        out.stderr,
        format!(
            "error: WfRun a-1 has no UserTaskRun `0-9` (its user tasks: {guid} (review, \
             ASSIGNED))\n  help: did you mean `{guid}`?\n"
        )
    );

    let out = lhc_at(&k, dir.path(), &["user-task", "list", "--def", "reveiw"]);
    out.failed();
    insta::assert_snapshot!("user_task_list_misspelt_def", redact(&out.stderr, &k));
}

// ---- lhc test and lhc explain --------------------------------------------------------------

#[test]
fn testing_a_workflow_file_runs_the_tests_beside_it() {
    let dir = project(&[
        ("my-flow.lhw", HELLO),
        (
            "my-flow.test.lhw",
            "test \"says hello\" for hello {\n  mock greet returns \"hi\"\n  start(name: \"x\")\n  expect completed\n}\n",
        ),
        (
            "lonely.lhw",
            "workflow lonely {\n  var x: int\n  x = 1\n}\n",
        ),
    ]);
    let out = lhc_in(dir.path(), &["test", "my-flow.lhw"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("test my-flow.test.lhw: says hello ... ok"),
        "{stdout}"
    );

    let out = lhc_in(dir.path(), &["test", "lonely.lhw"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(
        "test_workflow_without_tests",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explaining_a_code_with_digits_left_out_suggests_the_code() {
    let dir = project(&[]);
    let out = lhc_in(dir.path(), &["explain", "E101"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: unknown error code `E101`\n  help: did you mean `E0101`?\n"),
        "{err}"
    );
}

// ---- the wrong kind of file ----------------------------------------------------------------

#[test]
fn decompiling_lhw_source_and_compiling_into_a_file_say_what_to_do() {
    let dir = project(&[("my-flow.lhw", HELLO), ("afile", "")]);
    let out = lhc_in(dir.path(), &["decompile", "my-flow.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("decompile_lhw_source", String::from_utf8_lossy(&out.stderr));

    let out = lhc_in(dir.path(), &["compile", "my-flow.lhw", "-o", "afile"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "error: cannot create directory afile: it is a file (-o names the directory to write into)\n"
        ),
        "{err}"
    );
}

#[test]
fn an_empty_file_compiles_and_deploys_with_a_note_that_it_declares_nothing() {
    let k = Kernel::start();
    let dir = project(&[("empty.lhw", "")]);
    let out = lhc_at(&k, dir.path(), &["compile", "empty.lhw", "-o", "out"]);
    out.ok();
    assert_eq!(
        out.stderr,
        "note: empty.lhw declares nothing to compile (no workflow, task, event, user task or \
         struct)\ncompiled 1 file: no errors; wrote 0 files to out\n"
    );
    let out = lhc_at(&k, dir.path(), &["deploy", "empty.lhw"]);
    out.ok();
    assert!(
        out.stderr.starts_with(
            "note: empty.lhw declares nothing to deploy (no workflow, task, event, user task or \
             struct)\n"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_thread_number_the_run_does_not_have_is_an_error_and_metrics_say_did_you_mean() {
    let k = Kernel::start();
    let dir = project(&[("my-flow.lhw", HELLO)]);
    lhc_at(&k, dir.path(), &["deploy", "my-flow.lhw"]).ok();
    lhc_at(
        &k,
        dir.path(),
        &["run", "hello", "--var", "name=x", "--id", "h-1"],
    )
    .ok();
    let out = lhc_at(&k, dir.path(), &["get", "nodes", "h-1", "--thread", "5"]);
    out.failed();
    assert_eq!(
        out.stderr,
        "error: WfRun h-1 has no thread 5 (its threads: 0 (entrypoint))\n"
    );
    lhc_at(&k, dir.path(), &["get", "nodes", "h-1", "--thread", "0"]).ok();

    let out = lhc_at(&k, dir.path(), &["metrics", "wf", "helo"]);
    out.failed();
    assert!(
        out.stderr.ends_with("help: did you mean `hello`?\n"),
        "{}",
        out.stderr
    );
}

// ---- deploy --format json ------------------------------------------------------------------

#[test]
fn deploy_reports_as_json_for_ci() {
    let k = Kernel::start();
    let dir = project(&[
        ("my-flow.lhw", HELLO),
        (
            "missing.lhw",
            "extern event payment-received: str\n\nworkflow pay {\n  var paid: str\n  paid = await payment-received\n}\n",
        ),
    ]);
    let out = lhc_at(
        &k,
        dir.path(),
        &["deploy", "my-flow.lhw", "--format", "json"],
    );
    out.ok();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        doc,
        serde_json::json!({
            "server": format!("127.0.0.1:{}", k.port()),
            "dry_run": false,
            "objects": [
                {"kind": "taskdef", "name": "greet", "verdict": "created", "changed": true},
                {"kind": "wfspec", "name": "hello", "verdict": "created", "version": "0.0", "changed": true}
            ],
            "rejected": []
        })
    );
    let out = lhc_at(
        &k,
        dir.path(),
        &["deploy", "--dry-run", "my-flow.lhw", "--format", "json"],
    );
    out.ok();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["objects"][1]["verdict"], "unchanged");

    // A rejection is data too (and still explained on stderr, exit 1).
    let out = lhc_at(
        &k,
        dir.path(),
        &["deploy", "missing.lhw", "--format", "json"],
    );
    out.failed();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["objects"], serde_json::json!([]));
    assert_eq!(doc["rejected"][0]["kind"], "wfspec");
    assert_eq!(doc["rejected"][0]["name"], "pay");
    assert_eq!(doc["rejected"][0]["code"], "INVALID_ARGUMENT");
    assert!(
        doc["rejected"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("payment-received")),
        "{doc}"
    );
    assert!(out.stderr.contains("missing.lhw:5:10"), "{}", out.stderr);
}

#[test]
fn run_prints_the_wf_run_as_json_on_request() {
    let k = Kernel::start();
    let dir = project(&[("flows.lhw", EVENTS)]);
    lhc_at(&k, dir.path(), &["deploy", "flows.lhw"]).ok();
    let out = lhc_at(
        &k,
        dir.path(),
        &["run", "noop", "--id", "j-1", "--wait", "--format", "json"],
    );
    out.ok();
    let run: serde_json::Value = serde_json::from_str(&out.stdout).expect("only JSON on stdout");
    assert_eq!(run["id"]["id"], "j-1");
    assert_eq!(run["status"], "COMPLETED");
    assert_eq!(out.stderr, "started WfRun j-1 of noop 0.0\n");

    let out = lhc_at(&k, dir.path(), &["run", "noop", "--id", "j-1"]);
    out.failed();
    insta::assert_snapshot!("run_id_taken", redact(&out.stderr, &k));

    let out = lhc_at(
        &k,
        dir.path(),
        &["run", "noop", "--id", "j-2", "--format", "json"],
    );
    out.ok();
    let run: serde_json::Value = serde_json::from_str(&out.stdout).expect("only JSON on stdout");
    assert_eq!(run["wfSpecId"]["name"], "noop");
}

#[test]
fn explain_gives_json_for_tools() {
    let dir = project(&[]);
    let listed = lhc_in(dir.path(), &["explain", "--list"]);
    let out = lhc_in(dir.path(), &["explain", "--list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let all = all.as_array().expect("an array");
    assert_eq!(
        all.len(),
        String::from_utf8_lossy(&listed.stdout).lines().count()
    );
    assert_eq!(all[0]["code"], "E0001");
    assert_eq!(all[0]["severity"], "error");

    let out = lhc_in(dir.path(), &["explain", "w0001", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let one: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(one["code"], "W0001");
    assert_eq!(one["severity"], "warning");
    let text = lhc_in(dir.path(), &["explain", "W0001"]);
    assert_eq!(
        one["explanation"].as_str().map(str::trim_end),
        Some(String::from_utf8_lossy(&text.stdout).trim_end())
    );
}

#[test]
fn a_version_the_server_does_not_have_lists_the_versions_it_has() {
    let k = Kernel::start();
    let dir = project(&[("my-flow.lhw", HELLO)]);
    lhc_at(&k, dir.path(), &["deploy", "my-flow.lhw"]).ok();
    for args in [
        &["get", "wfspec", "hello", "3.0"][..],
        &["graph", "--wfspec", "hello@3.0"],
    ] {
        let out = lhc_at(&k, dir.path(), args);
        out.failed();
        assert_eq!(
            redact(&out.stderr, &k),
            "error: no version 3.0 of WfSpec `hello` on ADDR (its versions: 0.0)\n",
            "lhc {args:?}"
        );
    }
    let out = lhc_at(&k, dir.path(), &["get", "wfspec", "helo", "0.0"]);
    out.failed();
    assert!(
        out.stderr.ends_with("help: did you mean `hello`?\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn stopping_an_ended_run_or_resuming_a_running_one_says_there_is_nothing_to_do() {
    let k = Kernel::start();
    let dir = project(&[("flows.lhw", EVENTS), ("my-flow.lhw", HELLO)]);
    lhc_at(&k, dir.path(), &["deploy", "flows.lhw", "my-flow.lhw"]).ok();
    lhc_at(&k, dir.path(), &["run", "noop", "--id", "e-1", "--wait"]).ok();
    let out = lhc_at(&k, dir.path(), &["stop", "e-1"]);
    out.failed();
    assert_eq!(
        out.stderr,
        "error: WfRun e-1 has already ended (COMPLETED): nothing to stop\n"
    );
    let out = lhc_at(&k, dir.path(), &["resume", "e-1"]);
    out.failed();
    assert_eq!(
        out.stderr,
        "error: WfRun e-1 has already ended (COMPLETED): nothing to resume\n"
    );

    // Waiting for a worker: running, so nothing to resume until it is stopped.
    lhc_at(
        &k,
        dir.path(),
        &["run", "hello", "--var", "name=x", "--id", "r-1"],
    )
    .ok();
    let out = lhc_at(&k, dir.path(), &["resume", "r-1"]);
    out.failed();
    assert_eq!(
        out.stderr,
        "error: WfRun r-1 is not stopped (RUNNING): nothing to resume\n"
    );
    let out = lhc_at(&k, dir.path(), &["stop", "r-1", "--thread", "3"]);
    out.failed();
    assert_eq!(
        out.stderr,
        "error: WfRun r-1 has no thread 3 (its threads: 0 (entrypoint))\n"
    );
    lhc_at(&k, dir.path(), &["stop", "r-1"]).ok();
    lhc_at(&k, dir.path(), &["resume", "r-1"]).ok();
}
