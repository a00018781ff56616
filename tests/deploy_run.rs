//! `lhc deploy`, `lhc run` and their failure output, against the embedded kernel started
//! in-process on a free port. Every `lhc` invocation is bounded.

use std::time::Duration;

use lhw_runtime_client::config::Config;
use lhw_runtime_client::worker::{TaskError, Worker};

mod harness;

use harness::{Kernel, dead_port, deploy_fixture as fixture, lhc, lhc_env, repo};

#[test]
fn deploy_is_idempotent_and_reports_versions() {
    let k = Kernel::start();
    let out = lhc(&k, &["deploy", "examples/hello.lhw"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "taskdef greet: created\nwfspec hello: created (version 0.0)\n"
    );
    assert!(
        out.stderr.contains("deployed 2 objects on 127.0.0.1:"),
        "{}",
        out.stderr
    );

    let again = lhc(&k, &["deploy", "examples/hello.lhw", "--with-task-defs"]);
    again.ok();
    assert_eq!(
        again.stdout,
        "taskdef greet: unchanged\nwfspec hello: unchanged (version 0.0)\n"
    );
    assert!(again.stderr.contains("0 changed"), "{}", again.stderr);

    let double = fixture("double.lhw");
    let v2 = fixture("double-v2.lhw");
    lhc(&k, &["deploy", &double]).ok();
    let out = lhc(&k, &["deploy", &v2]);
    out.ok();
    assert_eq!(out.stdout, "wfspec double: new revision (version 0.1)\n");
    let out = lhc(&k, &["deploy", &v2]);
    assert_eq!(out.ok().stdout, "wfspec double: unchanged (version 0.1)\n");
}

#[test]
fn dry_run_prints_verdicts_and_changes_nothing() {
    let k = Kernel::start();
    let out = lhc(&k, &["deploy", "--dry-run", "examples/hello.lhw"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "taskdef greet: created (dry run)\nwfspec hello: created (version 0.0) (dry run)\n"
    );
    assert!(
        out.stderr.contains("nothing will be changed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(": 2 objects checked, 2 would change; nothing was deployed"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("deployed 2"), "{}", out.stderr);
    // Nothing was registered.
    let run = lhc(&k, &["run", "hello", "--var", "name=Ada"]);
    run.failed();
    assert!(
        run.stderr.contains("no workflow `hello` on 127.0.0.1:"),
        "{}",
        run.stderr
    );

    let double = fixture("double.lhw");
    lhc(&k, &["deploy", &double]).ok();
    let out = lhc(&k, &["deploy", "--dry-run", &double]);
    assert_eq!(
        out.ok().stdout,
        "wfspec double: unchanged (version 0.0) (dry run)\n"
    );
    let out = lhc(&k, &["deploy", "--dry-run", &fixture("double-v2.lhw")]);
    assert_eq!(
        out.ok().stdout,
        "wfspec double: new revision (version 0.1) (dry run)\n"
    );
    let out = lhc(&k, &["deploy", &double]);
    assert_eq!(
        out.ok().stdout,
        "wfspec double: unchanged (version 0.0)\n",
        "the dry run did not create 0.1"
    );
}

#[test]
fn rejected_deploy_points_at_the_source_line() {
    let k = Kernel::start();
    let file = fixture("missing-event.lhw");
    let out = lhc(&k, &["deploy", &file]);
    out.failed();
    assert_eq!(out.stdout, "", "nothing was deployed");
    let err = &out.stderr;
    assert!(
        err.contains(
            "error: the server rejected wfspec `pay`: Refers to missing ExternalEventDef \
             payment-received"
        ),
        "{err}"
    );
    assert!(err.contains("missing-event.lhw:7:10"), "{err}");
    assert!(err.contains("7 |   paid = await payment-received"), "{err}");
    assert!(err.contains("  |          ^^^^^^^^^^^^^^^^^^^^^^"), "{err}");
    assert!(err.contains("server answer: INVALID_ARGUMENT"), "{err}");
    assert!(
        err.contains("1 of 1 object rejected by the server at 127.0.0.1:"),
        "{err}"
    );

    // A TaskDef registered with another signature: the declaration is reported, the server
    // rejects the call, mapped to its line.
    lhc(&k, &["deploy", "examples/hello.lhw"]).ok();
    let out = lhc(&k, &["deploy", &fixture("greet-twice.lhw")]);
    out.failed();
    assert!(
        out.stdout
            .contains("taskdef greet: differs from the server's"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("For TaskDef greet we need 1 input vars, but we have 2"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("greet-twice.lhw:8:11"),
        "{}",
        out.stderr
    );
    // --with-task-defs makes the conflicting TaskDef itself an error.
    let out = lhc(
        &k,
        &["deploy", "--with-task-defs", &fixture("greet-twice.lhw")],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("the server rejected taskdef `greet`: ALREADY_EXISTS"),
        "{}",
        out.stderr
    );
}

#[test]
fn run_wait_prints_status_and_variables_without_masked_values() {
    let k = Kernel::start();
    lhc(&k, &["deploy", &fixture("double.lhw")]).ok();
    let out = lhc(
        &k,
        &["run", "double", "--var", "n=21", "--id", "run-1", "--wait"],
    );
    out.ok();
    let text = &out.stdout;
    assert!(
        text.starts_with("started WfRun run-1 of double 0.0\n"),
        "{text}"
    );
    assert!(text.contains("WfRun run-1: COMPLETED"), "{text}");
    assert!(text.contains("  doubled = 42\n"), "{text}");
    assert!(text.contains("  n = 21\n"), "{text}");
    assert!(text.contains("  secret = (masked)\n"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");

    let bad = lhc(&k, &["run", "double", "--var", "n=abc"]);
    bad.failed();
    assert!(
        bad.stderr
            .contains("--var n: \"abc\" is not an int (`n` is of type int)"),
        "{}",
        bad.stderr
    );
    let missing = lhc(&k, &["run", "double"]);
    missing.failed();
    assert!(
        missing.stderr.contains("requires `n`: add --var n=..."),
        "{}",
        missing.stderr
    );
}

#[test]
fn run_wait_with_a_rust_task_worker() {
    let k = Kernel::start();
    lhc(&k, &["deploy", "examples/hello.lhw"]).ok();
    let cfg = Config::from_pairs([
        ("LHC_API_HOST", "127.0.0.1"),
        ("LHC_API_PORT", k.port().to_string().as_str()),
    ]);
    let worker = Worker::builder(cfg)
        .client_id("test-worker")
        .task("greet", &["name"], |name: String| async move {
            Ok::<_, TaskError>(format!("Hello, {name}!"))
        })
        .build()
        .expect("a valid worker");
    let worker = k.rt.block_on(worker.start()).expect("worker starts");
    let out = lhc(
        &k,
        &[
            "run",
            "hello",
            "--var",
            "name=Ada",
            "--wait",
            "--timeout",
            "30",
        ],
    );
    out.ok();
    assert!(out.stdout.contains("1-greet-TASK"), "{}", out.stdout);
    assert!(out.stdout.contains("COMPLETED"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("  greeting = \"Hello, Ada! (sent to Ada)\"\n"),
        "{}",
        out.stdout
    );
    let report = k
        .rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), worker.shutdown()).await })
        .expect("worker stops");
    assert_eq!(report.abandoned, 0);
}

#[test]
fn run_wait_gives_up_after_the_timeout() {
    let k = Kernel::start();
    // No worker: the task never runs.
    lhc(&k, &["deploy", "examples/hello.lhw"]).ok();
    let out = lhc(
        &k,
        &[
            "run",
            "hello",
            "--var",
            "name=Ada",
            "--wait",
            "--timeout",
            "1",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("has not finished after 1 s"),
        "{}",
        out.stderr
    );
}

#[test]
fn unreachable_server_fails_fast_with_a_clear_message() {
    let port = dead_port().to_string();
    let out = lhc_env(
        &[
            ("LHC_API_HOST", "127.0.0.1".into()),
            ("LHC_API_PORT", port.clone()),
        ],
        &["deploy", "examples/hello.lhw"],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: cannot reach the LittleHorse server at 127.0.0.1:{port}: Connection refused"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("comes from environment"),
        "{}",
        out.stderr
    );

    // No server configured at all: lhc tries the embedded kernel's address and says how to
    // start it (the port comes from LHC_API_PORT here so that a kernel running on this
    // machine cannot interfere).
    let out = lhc_env(&[("LHC_API_PORT", port.clone())], &["run", "hello"]);
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "no LittleHorse server at 127.0.0.1:{port} (Connection refused), and none is configured"
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`lhc dev`"), "{}", out.stderr);
}

#[test]
fn bad_configuration_is_reported_with_its_source() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("lh.config");
    std::fs::write(&file, "LHC_API_HOST=127.0.0.1\nLHC_API_PORT=twenty\n").expect("write");
    let shown = file.display().to_string();
    let out = lhc_env(&[], &["deploy", "--config", &shown, "examples/hello.lhw"]);
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: bad configuration: LHC_API_PORT=twenty (from {shown}) is not a port number"
        )),
        "{}",
        out.stderr
    );

    let out = lhc_env(&[("LHC_API_PROTOCOL", "FOO".into())], &["run", "hello"]);
    out.failed();
    assert!(
        out.stderr.contains(
            "error: bad configuration: LHC_API_PROTOCOL=FOO (from environment) must be \
             PLAINTEXT or TLS"
        ),
        "{}",
        out.stderr
    );

    let missing = dir.path().join("nope.config").display().to_string();
    let out = lhc_env(&[], &["run", "--config", &missing, "hello"]);
    out.failed();
    assert!(
        out.stderr
            .contains(&format!("config file {missing} does not exist")),
        "{}",
        out.stderr
    );
}

/// A workflow that `run`s another is deployed after it (the server needs the target
/// first), and a dry run compares it with the major version the server pinned.
#[test]
fn run_targets_deploy_first_and_dry_runs_see_the_pinned_version() {
    let k = Kernel::start();
    let billing = repo()
        .join("examples/e2e/order-billing.lhw")
        .display()
        .to_string();
    let out = lhc(&k, &["deploy", &billing, "--with-task-defs"]);
    let stdout = out.ok().stdout.clone();
    let invoice = stdout.find("wfspec invoice: created");
    let order = stdout.find("wfspec order-billing: created");
    assert!(
        matches!((invoice, order), (Some(i), Some(o)) if i < o),
        "{stdout}"
    );
    let out = lhc(&k, &["deploy", "--dry-run", &billing]);
    let stdout = out.ok().stdout.clone();
    assert!(
        stdout.contains("wfspec order-billing: unchanged (version 0.0) (dry run)"),
        "{stdout}"
    );
}

/// The server pins a user task's UserTaskDef version at PutWfSpec; a dry run compares with
/// the pinned version, so redeploying the same file changes nothing.
#[test]
fn dry_runs_see_the_pinned_user_task_def_version() {
    let k = Kernel::start();
    let file = repo()
        .join("examples/purchase-approval.lhw")
        .display()
        .to_string();
    lhc(&k, &["deploy", &file, "--with-task-defs"]).ok();
    let out = lhc(&k, &["deploy", "--dry-run", &file]);
    let stdout = out.ok().stdout.clone();
    assert!(
        stdout.contains("wfspec purchase-approval: unchanged (version 0.0) (dry run)"),
        "{stdout}"
    );
    assert!(out.stderr.contains("0 would change"), "{}", out.stderr);
}

#[test]
fn run_with_a_parent_starts_a_child_wf_run_with_a_nested_id() {
    let k = Kernel::start();
    let shipment = repo()
        .join("examples/e2e/order-shipment.lhw")
        .display()
        .to_string();
    lhc(&k, &["deploy", &shipment, "--with-task-defs"]).ok();
    let out = lhc(
        &k,
        &[
            "run",
            "order-fulfilment",
            "--id",
            "ord-1",
            "--var",
            "order-id=O-1",
        ],
    );
    assert!(out.ok().stdout.contains("ord-1"), "{}", out.stdout);

    // A workflow that declares `parent` needs one: the server's refusal is shown.
    let out = lhc(&k, &["run", "shipment", "--var", "parcel=1"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("requires a parent WfRun ID from WfSpec order-fulfilment"),
        "{}",
        out.stderr
    );

    let out = lhc(
        &k,
        &[
            "run", "shipment", "--parent", "ord-1", "--id", "s-1", "--var", "parcel=1",
        ],
    );
    assert!(
        out.ok()
            .stdout
            .contains("started WfRun ord-1_s-1 of shipment"),
        "{}",
        out.stdout
    );
    // The nested id reads back, and searches print it whole.
    let out = lhc(&k, &["get", "wfrun", "ord-1_s-1", "--format", "json"]);
    let run: serde_json::Value = serde_json::from_str(&out.ok().stdout).expect("JSON");
    assert_eq!(run["id"]["id"], "s-1");
    assert_eq!(run["id"]["parentWfRunId"]["id"], "ord-1");
    assert_eq!(run["wfSpecId"]["name"], "shipment");
    let out = lhc(&k, &["search", "wfruns", "shipment"]);
    assert!(out.ok().stdout.contains("ord-1_s-1"), "{}", out.stdout);
}

/// A public variable is frozen: a later version that changes its type is refused by the
/// server (WfSpecModel.checkCompatibilityAndSetVersion). `--dry-run` predicts the refusal,
/// and the real deploy's error names the types as `.lhw` writes them, at the variable's line.
#[test]
fn a_frozen_variable_with_a_new_type_is_refused_in_lhw_terms() {
    let k = Kernel::start();
    lhc(&k, &["deploy", &fixture("fulfilment.lhw")]).ok();
    let v2 = fixture("fulfilment-v2.lhw");
    for args in [vec!["deploy", "--dry-run", &v2], vec!["deploy", &v2]] {
        let out = lhc(&k, &args);
        out.failed();
        let err = &out.stderr;
        assert!(
            err.contains(
                "the server rejected wfspec `fulfilment`: the public variable `skus` is \
                 `json-arr` in the deployed versions and `str[]` here"
            ),
            "{args:?}: {err}"
        );
        assert!(err.contains("fulfilment-v2.lhw:4:14"), "{args:?}: {err}");
        assert!(
            err.contains("4 |   public var skus: str[]"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(
                "server answer: INVALID_ARGUMENT: PutWfSpecRequest is invalid: Variable skus \
                 must be of type JSON_ARR not Array<STR> as it was formerly declared a PUBLIC_VAR"
            ) || err.contains(
                "server answer: INVALID_ARGUMENT: Variable skus must be of type JSON_ARR not \
                 Array<STR> as it was formerly declared a PUBLIC_VAR"
            ),
            "{args:?}: {err}"
        );
        assert!(!err.contains("TypeDefinition {"), "{args:?}: {err}");
    }
}

/// `updates none` refuses any new version (PutWfSpecRequestModel.verifyUpdateType):
/// `--dry-run` predicts it with the server's own answer.
#[test]
fn dry_run_predicts_the_update_policy_refusal() {
    let k = Kernel::start();
    lhc(&k, &["deploy", &fixture("frozen-policy.lhw")]).ok();
    let v2 = fixture("frozen-policy-v2.lhw");
    for args in [vec!["deploy", "--dry-run", &v2], vec!["deploy", &v2]] {
        let out = lhc(&k, &args);
        out.failed();
        assert!(
            out.stderr.contains(
                "the server rejected wfspec `frozen-policy`: ALREADY_EXISTS: WfSpec already exists."
            ),
            "{args:?}: {}",
            out.stderr
        );
    }
    // Unchanged is not a new version: accepted under `updates none`.
    let out = lhc(&k, &["deploy", "--dry-run", &fixture("frozen-policy.lhw")]);
    assert_eq!(
        out.ok().stdout,
        "taskdef reserve: unchanged (dry run)\nwfspec frozen-policy: unchanged (version 0.0) (dry run)\n"
    );
}
