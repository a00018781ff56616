//! `lhc migration-plan`, `lhc bulk-job`, `lhc quota`, `lhc principal deploy`, `lhc user-task
//! execute` and `lhc version`: the last lhctl verbs, against the embedded kernel.

mod harness;

use harness::{Kernel, deployed, json, lhc};
use prost::Message as _;

const V0: &str = r#"
event approved: str
task charge(id: str) -> str

workflow order {
  input id: str required
  await approved
  charge(id)
}
"#;

/// The new version: a variable and a step after the event.
const V1: &str = r#"
event approved: str
task charge(id: str) -> str
task notify(id: str)

workflow order {
  input id: str required
  var reason: str
  await approved
  notify(id)
  charge(id)
}
"#;

fn deploy(k: &Kernel, dir: &std::path::Path, text: &str) {
    let file = dir.join("flows.lhw");
    std::fs::write(&file, text).expect("write");
    lhc(k, &["deploy", &file.display().to_string()]).ok();
}

#[test]
fn migration_plan_put_get_list_apply_delete() {
    let (k, dir) = deployed(V0);
    lhc(&k, &["run", "order", "--id", "o-1", "--var", "id=o-1"]).ok();
    deploy(&k, dir.path(), V1);

    let out = lhc(
        &k,
        &[
            "migration-plan",
            "put",
            "ship-plan",
            "order",
            "--from",
            "0.0",
            "--same-names",
        ],
    );
    let text = &out.ok().stdout;
    assert!(
        text.starts_with("stored migration plan `ship-plan`"),
        "{text}"
    );
    assert!(
        text.contains("EXTERNAL_EVENT") && !text.contains("ENTRYPOINT"),
        "--same-names leaves out the nodes a plan cannot use: {text}"
    );
    assert!(
        text.contains("lhc migration-plan apply ship-plan WFRUN"),
        "{text}"
    );
    let plan = json(
        lhc(
            &k,
            &["migration-plan", "get", "ship-plan", "--format", "json"],
        )
        .ok(),
    );
    let nodes = plan["threadMigrations"]["entrypoint"]["nodeMigrations"]
        .as_object()
        .expect("node mappings")
        .clone();
    let wait = nodes
        .keys()
        .find(|n| n.contains("EXTERNAL_EVENT"))
        .expect("the event node")
        .clone();

    // A misspelt node: "did you mean", nothing sent.
    let typo = wait.replacen("approved", "aproved", 1);
    let out = lhc(
        &k,
        &[
            "migration-plan",
            "put",
            "bad",
            "order",
            "--from",
            "0.0",
            "--node",
            &format!("{typo}={wait}"),
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!("did you mean `{wait}`?")),
        "{}",
        out.stderr
    );
    // An ENTRYPOINT node named explicitly is refused before sending.
    let out = lhc(
        &k,
        &[
            "migration-plan",
            "put",
            "bad",
            "order",
            "--from",
            "0.0",
            "--node",
            &format!("0-entrypoint-ENTRYPOINT={wait}"),
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("is a ENTRYPOINT node"),
        "{}",
        out.stderr
    );

    let text = lhc(&k, &["migration-plan", "get", "ship-plan"])
        .ok()
        .stdout
        .clone();
    assert!(
        text.contains("from -> to:") && text.contains(&wait),
        "{text}"
    );
    let out = lhc(&k, &["migration-plan", "get", "shipplan"]);
    out.failed();
    assert!(
        out.stderr.contains("no migration plan `shipplan`")
            && out.stderr.contains("did you mean `ship-plan`?"),
        "{}",
        out.stderr
    );
    let text = lhc(&k, &["migration-plan", "list"]).ok().stdout.clone();
    assert!(
        text.starts_with("NAME") && text.contains("ship-plan"),
        "{text}"
    );
    let out = lhc(&k, &["migration-plan", "list", "--workflow", "other"]);
    assert_eq!(out.ok().stdout, "no migration plans\n");

    // Migration variables are parsed by their type in the new version.
    let out = lhc(
        &k,
        &[
            "migration-plan",
            "apply",
            "ship-plan",
            "o-1",
            "--var",
            "reasn=late",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("did you mean `reason`?"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &[
            "migration-plan",
            "apply",
            "ship-plan",
            "o-1",
            "--var",
            "reason=late",
        ],
    );
    let text = &out.ok().stdout;
    assert!(text.starts_with("WfRun o-1 moved to order 0.1"), "{text}");
    let run = json(lhc(&k, &["get", "wfrun", "o-1", "--format", "json"]).ok());
    assert_eq!(run["wfSpecId"]["revision"], 1, "{run}");
    assert_eq!(run["oldWfSpecVersions"][0]["revision"], 0, "{run}");
    let vars = lhc(&k, &["get", "variables", "o-1"]).ok().stdout.clone();
    assert!(vars.contains("reason") && vars.contains("late"), "{vars}");
    // Now on the new version: nothing left for the plan to move.
    let out = lhc(&k, &["migration-plan", "apply", "ship-plan", "o-1"]);
    out.failed();
    assert!(out.stderr.contains("nothing would move"), "{}", out.stderr);

    let out = lhc(&k, &["migration-plan", "delete", "ship-plan"]);
    assert_eq!(out.ok().stdout, "deleted migration plan `ship-plan`\n");
    let out = lhc(&k, &["migration-plan", "delete", "ship-plan"]);
    out.failed();
    assert!(
        out.stderr.contains("no migration plan `ship-plan`"),
        "{}",
        out.stderr
    );
}

const QUICK: &str = r#"
workflow quick {
  input x: str
  var y: str
  y = x
}
"#;

#[test]
fn bulk_job_deletes_ended_runs() {
    let (k, _dir) = deployed(QUICK);
    for id in ["q-1", "q-2"] {
        lhc(&k, &["run", "quick", "--id", id, "--var", "x=a", "--wait"]).ok();
    }
    let out = lhc(
        &k,
        &["bulk-job", "delete-wfruns", "quik", "--status", "completed"],
    );
    out.failed();
    assert!(
        out.stderr.contains("did you mean `quick`?"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &["bulk-job", "delete-wfruns", "quick", "--status", "running"],
    );
    assert_eq!(out.code, Some(2), "a usage error: {}", out.stderr);
    let out = lhc(
        &k,
        &[
            "bulk-job",
            "delete-wfruns",
            "quick",
            "--status",
            "completed",
            "--id",
            "nightly",
        ],
    );
    assert_eq!(
        out.ok().stdout,
        "bulk job nightly: deleted the COMPLETED WfRuns of quick started in the range\n"
    );
    for id in ["q-1", "q-2"] {
        lhc(&k, &["get", "wfrun", id]).failed();
    }
    let text = lhc(&k, &["bulk-job", "get", "nightly"]).ok().stdout.clone();
    assert!(
        text.contains("BULK_JOB_COMPLETED") && text.contains("1 of 1 partitions done"),
        "{text}"
    );
    let out = lhc(&k, &["bulk-job", "get", "nightli"]);
    out.failed();
    assert!(
        out.stderr.contains("did you mean `nightly`?"),
        "{}",
        out.stderr
    );
    let listed = json(
        lhc(
            &k,
            &[
                "bulk-job",
                "list",
                "--status",
                "completed",
                "--format",
                "json",
            ],
        )
        .ok(),
    );
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["bulkDeleteWfRun"]["wfSpecName"], "quick");
    let out = lhc(&k, &["bulk-job", "delete", "nightly"]);
    assert!(
        out.ok().stdout.starts_with("deleted bulk job nightly"),
        "{}",
        out.stdout
    );
    assert_eq!(lhc(&k, &["bulk-job", "list"]).ok().stdout, "no bulk jobs\n");
}

#[test]
fn quota_put_get_list_delete() {
    let k = Kernel::start();
    lhc(&k, &["tenant", "put", "acme"]).ok();
    let out = lhc(
        &k,
        &["quota", "put", "acme", "--write-requests-per-second", "10"],
    );
    assert_eq!(
        out.ok().stdout,
        "quota of tenant acme: 10 write requests per second\n"
    );
    let out = lhc(
        &k,
        &[
            "quota",
            "put",
            "acme",
            "--principal",
            "ghost",
            "--write-requests-per-second",
            "5",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("Could not find principal ghost"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &["quota", "put", "acme", "--write-requests-per-second", "0"],
    );
    out.failed();
    assert!(
        out.stderr.contains("must be greater than zero"),
        "{}",
        out.stderr
    );
    let text = lhc(&k, &["quota", "get", "acme"]).ok().stdout.clone();
    assert!(
        text.starts_with("TENANT") && text.contains("acme") && text.contains("10"),
        "{text}"
    );
    let listed = json(
        lhc(
            &k,
            &["quota", "list", "--tenant", "acme", "--format", "json"],
        )
        .ok(),
    );
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["writeRequestsPerSecond"], 10);
    let out = lhc(&k, &["quota", "delete", "acme"]);
    assert_eq!(out.ok().stdout, "deleted the quota of tenant acme\n");
    let out = lhc(&k, &["quota", "delete", "acme"]);
    out.failed();
    assert!(
        out.stderr.contains("no quota for tenant acme"),
        "{}",
        out.stderr
    );
}

#[test]
fn principal_deploy_from_json_and_protobuf_files() {
    let k = Kernel::start();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("ci.json");
    std::fs::write(
        &file,
        r#"{"id": "ci", "perTenantAcls": {"default": {"acls": [{"resources": ["ACL_WORKFLOW"], "allowedActions": ["READ", "RUN"]}]}}}"#,
    )
    .expect("write");
    let path = file.display().to_string();
    let out = lhc(&k, &["principal", "deploy", &path]);
    assert!(out.ok().stdout.contains("ci"), "{}", out.stdout);
    let p = json(lhc(&k, &["principal", "get", "ci", "--format", "json"]).ok());
    assert_eq!(
        p["perTenantAcls"]["default"]["acls"][0]["allowedActions"],
        serde_json::json!(["READ", "RUN"]),
        "{p}"
    );
    let out = lhc(&k, &["principal", "deploy", &path]);
    out.failed();
    assert!(
        out.stderr.contains("ALREADY_EXISTS") && out.stderr.contains("\"overwrite\": true"),
        "{}",
        out.stderr
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"id": "x", "acls": 3}"#).expect("write");
    let out = lhc(&k, &["principal", "deploy", &bad.display().to_string()]);
    out.failed();
    assert!(
        out.stderr
            .contains("not a PutPrincipalRequest in protobuf JSON"),
        "{}",
        out.stderr
    );
    // The protobuf binary encoding, as `lhctl deploy principal --proto`.
    let request = lhw_proto::littlehorse::PutPrincipalRequest {
        id: "bot".into(),
        ..Default::default()
    };
    let pb = dir.path().join("bot.pb");
    std::fs::write(&pb, request.encode_to_vec()).expect("write");
    lhc(
        &k,
        &["principal", "deploy", &pb.display().to_string(), "--proto"],
    )
    .ok();
    lhc(&k, &["principal", "get", "bot"]).ok();
}

const APPROVAL: &str = r#"
user-task review "Review the order" {
  approved: bool "Approved?" required,
  comment: str "Comment",
}

workflow approval {
  var ok: bool
  let r = ask review to group "ops"
  ok = r.approved
}
"#;

/// Runs lhc against `k` with `input` on standard input.
fn lhc_with_input(k: &Kernel, args: &[&str], input: &str) -> harness::Out {
    use std::io::Write as _;
    let home = tempfile::tempdir().expect("home");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lhc"))
        .args(args)
        .env("HOME", home.path())
        .env("LHC_NO_AUTOSTART", "1")
        .env("LHC_API_HOST", "127.0.0.1")
        .env("LHC_API_PORT", k.port().to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lhc starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write the answers");
    let out = child.wait_with_output().expect("lhc ends");
    harness::Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn user_task_execute_prompts_for_each_field() {
    let (k, _dir) = deployed(APPROVAL);
    lhc(&k, &["run", "approval", "--id", "a-1"]).ok();
    let tasks = json(
        harness::poll(
            &k,
            &["user-task", "list", "--group", "ops", "--format", "json"],
            |o| o.stdout.contains("userTaskGuid"),
        )
        .ok(),
    );
    let guid = tasks[0]["id"]["userTaskGuid"]
        .as_str()
        .expect("guid")
        .to_string();
    // The input ends early: nothing is sent.
    let out = lhc_with_input(&k, &["user-task", "execute", "a-1", &guid], "bob\n");
    out.failed();
    assert!(
        out.stderr
            .contains("the input ended before field `approved`"),
        "{}",
        out.stderr
    );
    // Assigned to a group only: the user must be named; a bad value is asked again; an
    // empty answer skips the optional field.
    let out = lhc_with_input(
        &k,
        &["user-task", "execute", "a-1", &guid],
        "\nbob\n\nmaybe\ntrue\n\n",
    );
    let text = &out.ok().stdout;
    assert!(text.contains("now DONE"), "{text}");
    assert!(
        out.stderr.contains("user id: ")
            && out.stderr.contains("assigned to a group only")
            && out
                .stderr
                .contains("approved (Approved?, bool, required): ")
            && out.stderr.contains("`approved` is required")
            && out.stderr.contains("try again")
            && out.stderr.contains("comment (Comment, str): "),
        "{}",
        out.stderr
    );
    let got = json(lhc(&k, &["user-task", "get", "a-1", &guid, "--format", "json"]).ok());
    assert_eq!(got["userId"], "bob", "{got}");
    assert_eq!(got["results"]["approved"]["bool"], true, "{got}");
    assert!(got["results"].get("comment").is_none(), "{got}");
    let out = lhc_with_input(&k, &["user-task", "execute", "a-1", &guid], "bob\n");
    out.failed();
    assert!(out.stderr.contains("is already DONE"), "{}", out.stderr);
}

#[test]
fn version_shows_lhc_and_the_server() {
    let k = Kernel::start();
    let out = lhc(&k, &["version"]);
    let text = &out.ok().stdout;
    assert!(
        text.starts_with(&format!(
            "lhc version: {}\nserver version: 0.1.0-lhw-kernel (127.0.0.1:",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    let v = json(lhc(&k, &["version", "--format", "json"]).ok());
    assert_eq!(v["server"], "0.1.0-lhw-kernel", "{v}");
}
