//! End-to-end tests of the `lhc` binary: exit codes, what goes to stdout and stderr, and
//! the files `lhc compile` writes.

mod harness;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;

use harness::{lhc_in as lhc, project};
use lhw_compiler::diag::Code;
use lhw_proto::littlehorse::{PutTaskDefRequest, PutWfSpecRequest};
use prost::Message as _;

const GOOD: &str = "\
task greet(name: str) -> str

workflow greet-wf {
  input name: str required
  public var greeting: str
  greeting = greet(name)
}
";

/// Two errors (an unknown variable and an unknown task) and one warning.
const BAD: &str = "\
task greet(name: str) -> str

workflow bad {
  input count: int
  var unused: str
  cuont += 1
  gret(\"x\")
}
";

const WARN_ONLY: &str = "\
workflow lonely {
  var unused: str
}
";

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// Every file of `dir` (not recursive) with its bytes.
fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("dir entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

fn names(files: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    files.keys().map(String::as_str).collect()
}

// ---- check -------------------------------------------------------------------------------

#[test]
fn check_good_file_exits_zero() {
    let dir = project(&[("good.lhw", GOOD)]);
    let out = lhc(dir.path(), &["check", "good.lhw"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "checked 1 file: no errors\n");
    assert!(out.stdout.is_empty());
    assert!(!dir.path().join("out").exists(), "check writes nothing");
}

#[test]
fn check_bad_file_reports_every_diagnostic_and_exits_one() {
    let dir = project(&[("bad.lhw", BAD)]);
    let out = lhc(dir.path(), &["check", "bad.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for needle in [
        "E0101",
        "unknown variable `cuont`",
        "E0102",
        "W0001",
        "bad.lhw:6:3",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(
        err.ends_with("error: could not check 1 file: 2 errors, 1 warning\n"),
        "{err}"
    );
}

#[test]
fn check_reports_every_file_before_the_summary() {
    let dir = project(&[
        ("good.lhw", GOOD),
        ("bad.lhw", BAD),
        ("warn.lhw", WARN_ONLY),
    ]);
    let out = lhc(dir.path(), &["check", "bad.lhw", "good.lhw", "warn.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.lhw:6:3"), "{err}");
    assert!(err.contains("warn.lhw:2:7"), "{err}");
    assert!(
        err.ends_with("error: could not check 1 file: 2 errors, 2 warnings\n"),
        "{err}"
    );
}

#[test]
fn check_with_only_warnings_exits_zero() {
    let dir = project(&[("warn.lhw", WARN_ONLY), ("good.lhw", GOOD)]);
    let out = lhc(dir.path(), &["check", "warn.lhw", "good.lhw"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("W0001"), "{err}");
    assert!(
        err.ends_with("checked 2 files: no errors, 1 warning\n"),
        "{err}"
    );
}

#[test]
fn check_json_is_one_document_with_counts_and_positions() {
    let dir = project(&[("good.lhw", GOOD), ("bad.lhw", BAD)]);
    let out = lhc(
        dir.path(),
        &["check", "--format", "json", "good.lhw", "bad.lhw"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "json mode keeps stderr quiet: {}",
        stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(doc["errors"], 2);
    assert_eq!(doc["warnings"], 1);
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], "good.lhw");
    assert_eq!(files[0]["diagnostics"].as_array().map(Vec::len), Some(0));
    assert_eq!(files[1]["path"], "bad.lhw");
    let diags = files[1]["diagnostics"].as_array().expect("diagnostics");
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["W0001", "E0101", "E0102"]);
    let e0101 = &diags[1];
    assert_eq!(e0101["severity"], "error");
    assert_eq!(e0101["message"], "unknown variable `cuont`");
    assert_eq!(e0101["help"], "did you mean `count`?");
    let primary = &e0101["primary"];
    assert_eq!(
        (primary["line"].as_u64(), primary["column"].as_u64()),
        (Some(6), Some(3))
    );
    let start = primary["start"].as_u64().expect("start") as usize;
    let end = primary["end"].as_u64().expect("end") as usize;
    assert_eq!(&BAD[start..end], "cuont");
    assert_eq!(diags[0]["severity"], "warning");
    assert!(diags[0]["secondary"].is_array());
    // Each diagnostic carries its fixes as edits: applying the preferred one resolves it.
    let fix = &e0101["fixes"][0];
    assert_eq!(fix["title"], "Change to `count`");
    assert_eq!(fix["preferred"], true);
    let edit = &fix["edits"][0];
    assert_eq!(
        (edit["line"].as_u64(), edit["column"].as_u64()),
        (Some(6), Some(3))
    );
    assert_eq!(edit["start"].as_u64(), Some(start as u64));
    assert_eq!(edit["end"].as_u64(), Some(end as u64));
    assert_eq!(edit["replacement"], "count");
    let unused = &diags[0]["fixes"][0];
    assert_eq!(unused["title"], "Remove the unused variable");
    assert_eq!(unused["preferred"], false);
    assert_eq!(unused["edits"][0]["replacement"], "");
}

#[test]
fn check_json_clean_run_exits_zero() {
    let dir = project(&[("good.lhw", GOOD)]);
    let out = lhc(dir.path(), &["check", "--format=json", "good.lhw"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(doc["errors"], 0);
    assert_eq!(doc["warnings"], 0);
}

#[test]
fn rendered_check_output() {
    let dir = project(&[("bad.lhw", BAD)]);
    let out = lhc(dir.path(), &["check", "bad.lhw"]);
    insta::assert_snapshot!("check_bad_lhw", stderr(&out));
}

#[test]
fn unreadable_files_are_reported_not_panicked_on() {
    let dir = project(&[("good.lhw", GOOD)]);
    fs::create_dir(dir.path().join("a-directory.lhw")).expect("mkdir");
    fs::write(dir.path().join("latin1.lhw"), b"workflow w { \xff }").expect("write");
    let out = lhc(
        dir.path(),
        &[
            "check",
            "missing.lhw",
            "good.lhw",
            "a-directory.lhw",
            "latin1.lhw",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: cannot read missing.lhw: No such file or directory\n"),
        "{err}"
    );
    assert!(
        err.contains("error: cannot read a-directory.lhw: "),
        "{err}"
    );
    assert!(
        err.contains("error: cannot read latin1.lhw: not valid UTF-8"),
        "{err}"
    );
    assert!(
        err.ends_with("error: could not check 3 files: 3 errors\n"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let out = lhc(dir.path(), &["check", "--format", "json", "missing.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["files"][0]["error"], "No such file or directory");

    let out = lhc(dir.path(), &["compile", "missing.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error: cannot read missing.lhw"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn usage_errors_exit_two() {
    let dir = project(&[]);
    for args in [
        &["check"][..],
        &["compile"],
        &["explain"],
        &["check", "--format", "xml", "a.lhw"],
        &["frobnicate"],
    ] {
        let out = lhc(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

// ---- compile -----------------------------------------------------------------------------

#[test]
fn compile_writes_one_file_per_request_deterministically() {
    let dir = project(&[("good.lhw", GOOD)]);
    let out = lhc(dir.path(), &["compile", "good.lhw"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "wrote out/taskdef-greet.json\nwrote out/greet-wf.wfspec.json\n\
         compiled 1 file: no errors; wrote 2 files to out\n"
    );
    let first = read_dir(&dir.path().join("out"));
    assert_eq!(
        names(&first),
        ["greet-wf.wfspec.json", "taskdef-greet.json"]
    );

    let expected = lhw_compiler::compile(GOOD).output.expect("compiles");
    let wf: PutWfSpecRequest =
        lhw_proto::from_json(std::str::from_utf8(&first["greet-wf.wfspec.json"]).expect("utf-8"))
            .expect("wfspec JSON parses");
    assert_eq!(wf, expected.wf_specs[0]);
    let task: PutTaskDefRequest =
        lhw_proto::from_json(std::str::from_utf8(&first["taskdef-greet.json"]).expect("utf-8"))
            .expect("taskdef JSON parses");
    assert_eq!(task, expected.task_defs[0]);
    let text = String::from_utf8(first["greet-wf.wfspec.json"].clone()).expect("utf-8");
    assert!(text.ends_with("}\n"), "pretty JSON ends with a newline");
    assert!(
        text.contains("\"timeoutSeconds\": 0"),
        "defaults are emitted"
    );

    let out = lhc(dir.path(), &["compile", "good.lhw", "-o", "again"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        first,
        read_dir(&dir.path().join("again")),
        "same input, same bytes"
    );
    let out = lhc(dir.path(), &["compile", "good.lhw"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        first,
        read_dir(&dir.path().join("out")),
        "recompiling overwrites identically"
    );
}

#[test]
fn compile_binary_decodes_back_to_the_same_messages() {
    let dir = project(&[("good.lhw", GOOD)]);
    let out = lhc(
        dir.path(),
        &["compile", "--format", "binary", "-o", "bin", "good.lhw"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let files = read_dir(&dir.path().join("bin"));
    assert_eq!(names(&files), ["greet-wf.wfspec.pb", "taskdef-greet.pb"]);
    let expected = lhw_compiler::compile(GOOD).output.expect("compiles");
    let wf = PutWfSpecRequest::decode(files["greet-wf.wfspec.pb"].as_slice()).expect("decodes");
    assert_eq!(wf, expected.wf_specs[0]);
    let task = PutTaskDefRequest::decode(files["taskdef-greet.pb"].as_slice()).expect("decodes");
    assert_eq!(task, expected.task_defs[0]);

    let out = lhc(
        dir.path(),
        &["compile", "--format", "binary", "-o", "bin2", "good.lhw"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(files, read_dir(&dir.path().join("bin2")));
}

#[test]
fn compile_with_errors_writes_nothing_for_that_file() {
    let dir = project(&[("bad.lhw", BAD), ("good.lhw", GOOD)]);
    let out = lhc(dir.path(), &["compile", "bad.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0101") && err.contains("E0102"), "{err}");
    assert!(
        err.ends_with("error: could not compile 1 file: 2 errors, 1 warning\n"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists(), "nothing written");

    let out = lhc(
        dir.path(),
        &["compile", "bad.lhw", "good.lhw", "-o", "mixed"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.ends_with(
            "wrote 2 files to mixed\nerror: could not compile 1 file: 2 errors, 1 warning\n"
        ),
        "{err}"
    );
    let files = read_dir(&dir.path().join("mixed"));
    assert_eq!(
        names(&files),
        ["greet-wf.wfspec.json", "taskdef-greet.json"]
    );
}

#[test]
fn compile_with_warnings_still_writes() {
    let dir = project(&[("warn.lhw", WARN_ONLY)]);
    let out = lhc(dir.path(), &["compile", "warn.lhw"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("W0001"), "{err}");
    assert!(
        err.ends_with("compiled 1 file: no errors, 1 warning; wrote 1 file to out\n"),
        "{err}"
    );
    assert_eq!(
        names(&read_dir(&dir.path().join("out"))),
        ["lonely.wfspec.json"]
    );
}

#[test]
fn compile_refuses_two_files_defining_one_workflow() {
    let other = GOOD.replace(
        "greeting = greet(name)",
        "greet(name)\n  greeting = \"done\"",
    );
    let dir = project(&[("a.lhw", GOOD), ("b.lhw", &other)]);
    let out = lhc(dir.path(), &["compile", "a.lhw", "b.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: workflow `greet-wf` in b.lhw is already defined in a.lhw\n"),
        "{err}"
    );
    assert!(err.contains("nothing from b.lhw was written"), "{err}");
    let files = read_dir(&dir.path().join("out"));
    let expected = lhw_compiler::compile(GOOD).output.expect("compiles");
    let wf: PutWfSpecRequest =
        lhw_proto::from_json(std::str::from_utf8(&files["greet-wf.wfspec.json"]).expect("utf-8"))
            .expect("parses");
    assert_eq!(
        wf, expected.wf_specs[0],
        "a.lhw's workflow is kept, not overwritten"
    );
}

#[test]
fn compile_writes_a_shared_identical_task_once() {
    let second = "task greet(name: str) -> str\n\nworkflow second {\n  greet(\"world\")\n}\n";
    let dir = project(&[("a.lhw", GOOD), ("b.lhw", second)]);
    let out = lhc(dir.path(), &["compile", "a.lhw", "b.lhw"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("wrote out/taskdef-greet.json").count(),
        1,
        "{err}"
    );
    assert!(
        err.ends_with("compiled 2 files: no errors; wrote 3 files to out\n"),
        "{err}"
    );
    let files = read_dir(&dir.path().join("out"));
    assert_eq!(
        names(&files),
        [
            "greet-wf.wfspec.json",
            "second.wfspec.json",
            "taskdef-greet.json"
        ]
    );
}

#[test]
fn compile_refuses_different_tasks_with_one_name() {
    let second =
        "task greet(name: str, times: int) -> str\n\nworkflow second {\n  greet(\"world\", 2)\n}\n";
    let dir = project(&[("a.lhw", GOOD), ("b.lhw", second)]);
    let out = lhc(dir.path(), &["compile", "a.lhw", "b.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: task `greet` in b.lhw differs from the task `greet` in a.lhw\n"),
        "{err}"
    );
    assert!(err.contains("out/taskdef-greet.json"), "{err}");
    let files = read_dir(&dir.path().join("out"));
    assert_eq!(
        names(&files),
        ["greet-wf.wfspec.json", "taskdef-greet.json"],
        "b.lhw wrote nothing"
    );
    let task: PutTaskDefRequest =
        lhw_proto::from_json(std::str::from_utf8(&files["taskdef-greet.json"]).expect("utf-8"))
            .expect("parses");
    assert_eq!(task.input_vars.len(), 1, "a.lhw's task is kept");
}

#[test]
fn compile_the_same_path_twice_compiles_it_once() {
    let dir = project(&[("good.lhw", GOOD)]);
    let out = lhc(dir.path(), &["compile", "good.lhw", "./good.lhw"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).ends_with("compiled 1 file: no errors; wrote 2 files to out\n"));
}

// ---- explain, version, help --------------------------------------------------------------

#[test]
fn explain_prints_the_explanation_in_any_case() {
    let dir = project(&[]);
    for arg in ["E0101", "e0101"] {
        let out = lhc(dir.path(), &["explain", arg]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(text.starts_with("# E0101"), "{text}");
        assert_eq!(text.trim_end(), Code::E0101.explanation().trim_end());
    }
}

#[test]
fn explain_rejects_unknown_codes_with_the_valid_range() {
    let dir = project(&[]);
    let out = lhc(dir.path(), &["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with("error: unknown error code `E9999`\n"),
        "{err}"
    );
    assert!(err.contains("E0001-") && err.contains("W0001"), "{err}");
    assert!(err.contains("lhc explain --list"), "{err}");
}

#[test]
fn explain_list_shows_every_code_with_its_title() {
    let dir = project(&[]);
    let out = lhc(dir.path(), &["explain", "--list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), Code::ALL.len());
    for code in Code::ALL {
        assert!(
            text.contains(&format!("{code}  {}\n", code.title())),
            "{code} missing:\n{text}"
        );
    }
}

#[test]
fn version_and_help() {
    let dir = project(&[]);
    let out = lhc(dir.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), format!("lhc {}\n", env!("CARGO_PKG_VERSION")));

    let out = lhc(dir.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for needle in ["check", "compile", "explain", "--color"] {
        assert!(help.contains(needle), "{needle} missing:\n{help}");
    }
    let out = lhc(dir.path(), &["compile", "--help"]);
    let help = stdout(&out);
    for needle in ["--out-dir", "binary", "taskdef-<name>.json", ".wfspec.json"] {
        assert!(help.contains(needle), "{needle} missing:\n{help}");
    }
}

#[test]
fn compile_writes_metadata_for_every_declaration_kind() {
    let text = "\
task notify(who: str)
event payment-received: str
workflow-event order-shipped: str
struct customer { name: str, age: int = 0 }

workflow shop {
  input who: str
  notify(who)
}
";
    let dir = project(&[("shop.lhw", text)]);
    let out = lhc(dir.path(), &["compile", "shop.lhw", "-o", "meta"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let files = read_dir(&dir.path().join("meta"));
    assert_eq!(
        names(&files),
        [
            "externaleventdef-payment-received.json",
            "shop.wfspec.json",
            "structdef-customer.json",
            "taskdef-notify.json",
            "workfloweventdef-order-shipped.json",
        ]
    );
    let event: serde_json::Value =
        serde_json::from_slice(&files["externaleventdef-payment-received.json"]).expect("JSON");
    assert_eq!(event["name"], "payment-received");
}

#[test]
fn compile_into_an_unwritable_directory_is_an_error() {
    let dir = project(&[("good.lhw", GOOD), ("not-a-dir", "")]);
    let out = lhc(dir.path(), &["compile", "good.lhw", "-o", "not-a-dir"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: cannot create directory not-a-dir: "),
        "{err}"
    );
    assert!(
        err.ends_with("error: could not compile 1 file: 1 error\n"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
