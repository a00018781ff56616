//! `lhc migration-plan`, `lhc bulk-job`, `lhc quota` and `lhc principal deploy` against
//! the embedded kernel.

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
