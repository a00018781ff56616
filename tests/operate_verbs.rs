//! The operating verbs of issue 13 against the embedded kernel: `lhc wait` and
//! `get wfrun --watch`, `lhc delete`, `lhc rescue`, `lhc user-task get|cancel|comment`.

use std::time::{Duration, Instant};

mod harness;

use harness::{Kernel, deployed, json, lhc};

const FLOWS: &str = r#"
user-task sign-off "Sign off" { ok: bool "OK?" required }
event go: int

workflow needs-sign-off {
  let r = ask sign-off to group "finance"
}

workflow quick {
  var n: int = 1
}

workflow orders {
  input order-id: str required searchable
  var n: int = 1
}
"#;

/// The GUID of the one UserTaskRun of `wf_run`, once it exists.
fn task_guid(k: &Kernel, wf_run: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = lhc(k, &["user-task", "list", "--format", "json"]);
        let tasks = json(out.ok());
        let found = tasks.as_array().and_then(|a| {
            a.iter()
                .find(|t| t["id"]["wfRunId"]["id"] == wf_run)
                .map(|t| t["id"]["userTaskGuid"].as_str().expect("guid").to_string())
        });
        if let Some(g) = found {
            return g;
        }
        assert!(Instant::now() < deadline, "no user task for {wf_run}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn wait_follows_a_run_that_waits_for_a_person() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "needs-sign-off", "--id", "w1"]).ok();
    let guid = task_guid(&k, "w1");

    // Giving up says what the run waits for.
    let out = lhc(&k, &["wait", "w1", "--timeout", "1"]);
    out.failed();
    assert!(
        out.stderr.contains("WfRun w1 has not ended after 1 s")
            && out.stderr.contains("waits for a person: user task"),
        "{}",
        out.stderr
    );

    // Notes and history.
    let out = lhc(
        &k,
        &[
            "user-task",
            "comment",
            "w1",
            &guid,
            "looks fine",
            "--user",
            "ann",
        ],
    );
    assert_eq!(
        out.ok().stdout,
        format!("commented on UserTaskRun {guid} of WfRun w1 as ann\n")
    );
    let text = lhc(&k, &["user-task", "get", "w1", &guid])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("group:       finance"), "{text}");
    assert!(text.contains("ann commented: looks fine"), "{text}");

    std::thread::scope(|s| {
        let waiter = s.spawn(|| lhc(&k, &["wait", "w1", "--timeout", "30"]));
        std::thread::sleep(Duration::from_millis(500));
        lhc(
            &k,
            &[
                "user-task",
                "complete",
                "w1",
                &guid,
                "--result",
                "ok=true",
                "--user",
                "ann",
            ],
        )
        .ok();
        let out = waiter.join().expect("wait");
        assert!(
            out.ok().stdout.contains("WfRun w1: COMPLETED"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("  status: RUNNING"), "{}", out.stdout);
    });
    let out = lhc(&k, &["get", "wfrun", "w1", "--watch"]);
    assert!(
        out.ok().stdout.contains("status:  COMPLETED"),
        "{}",
        out.stdout
    );
}

#[test]
fn user_tasks_can_be_cancelled() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "needs-sign-off", "--id", "c1"]).ok();
    let guid = task_guid(&k, "c1");
    let out = lhc(&k, &["user-task", "cancel", "c1", &guid]);
    assert_eq!(
        out.ok().stdout,
        format!("cancelled UserTaskRun {guid} of WfRun c1: now CANCELLED\n")
    );
    let out = lhc(&k, &["wait", "c1", "--timeout", "20"]);
    out.failed();
    assert!(out.stdout.contains("WfRun c1: ERROR"), "{}", out.stdout);

    // A thread in ERROR can be rescued by skipping the cancelled step.
    let out = lhc(&k, &["rescue", "c1", "--skip-current-node"]);
    assert!(
        out.ok()
            .stdout
            .starts_with("rescued thread 0 of WfRun c1 (skipping the failed step)"),
        "{}",
        out.stdout
    );
    let out = lhc(&k, &["wait", "c1", "--timeout", "20"]);
    assert!(
        out.ok().stdout.contains("WfRun c1: COMPLETED"),
        "{}",
        out.stdout
    );
    let out = lhc(&k, &["rescue", "c1"]);
    out.failed();
    assert!(out.stderr.contains("WfRun `c1`"), "{}", out.stderr);
}

#[test]
fn delete_every_kind() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "quick", "--id", "q1", "--wait"]).ok();
    let out = lhc(&k, &["delete", "wfrun", "q1"]);
    assert_eq!(out.ok().stdout, "deleted WfRun q1\n");
    let out = lhc(&k, &["get", "wfrun", "q1"]);
    out.failed();
    let out = lhc(&k, &["delete", "wfrun", "q1"]);
    out.failed();
    assert!(
        out.stderr.contains("WfRun `q1` not found"),
        "{}",
        out.stderr
    );

    let out = lhc(&k, &["delete", "wfspec", "quick"]);
    assert_eq!(out.code, Some(2), "a version or --all-versions is required");
    let out = lhc(&k, &["delete", "wfspec", "quick", "x"]);
    out.failed();
    assert!(
        out.stderr.contains("expected MAJOR.REVISION"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["delete", "wfspec", "quik", "--all-versions"]);
    out.failed();
    assert!(
        out.stderr.contains("no WfSpec `quik`") && out.stderr.contains("did you mean `quick`?"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["delete", "wfspec", "quick", "0.0"]);
    assert_eq!(out.ok().stdout, "deleted WfSpec quick 0.0\n");
    let out = lhc(
        &k,
        &[
            "delete",
            "wfspec",
            "needs-sign-off",
            "--all-versions",
            "--format",
            "json",
        ],
    );
    let done = json(out.ok());
    assert_eq!(done[0]["kind"], "WfSpec", "{done}");
    let out = lhc(&k, &["delete", "user-task-def", "sign-off", "0"]);
    assert_eq!(out.ok().stdout, "deleted UserTaskDef sign-off 0\n");
    let out = lhc(&k, &["delete", "event-def", "go"]);
    assert_eq!(out.ok().stdout, "deleted ExternalEventDef go\n");
    let listed = lhc(&k, &["list", "wfspecs"]);
    assert!(!listed.ok().stdout.contains("quick"), "{}", listed.stdout);
}

#[test]
fn search_by_variable_and_read_a_wfspec() {
    let (k, _dir) = deployed(FLOWS);
    lhc(
        &k,
        &[
            "run",
            "orders",
            "--id",
            "o1",
            "--var",
            "order-id=o-1",
            "--wait",
        ],
    )
    .ok();
    lhc(
        &k,
        &[
            "run",
            "orders",
            "--id",
            "o2",
            "--var",
            "order-id=o-2",
            "--wait",
        ],
    )
    .ok();
    let out = lhc(&k, &["search", "wfruns", "orders", "--var", "order-id=o-2"]);
    let text = &out.ok().stdout;
    assert!(text.contains("o2  ") && !text.contains("o1  "), "{text}");
    let out = lhc(&k, &["search", "wfruns", "orders", "--var", "colour=red"]);
    out.failed();
    assert!(
        out.stderr
            .contains("workflow `orders` has no variable `colour` (its variables: order-id, n)"),
        "{}",
        out.stderr
    );

    let text = lhc(&k, &["get", "wfspec", "orders"]).ok().stdout.clone();
    assert!(text.starts_with("WfSpec:     orders 0.0\n"), "{text}");
    assert!(text.contains("status:     ACTIVE"), "{text}");
    assert!(
        text.contains("entrypoint  order-id  str   required, searchable"),
        "{text}"
    );
    let text = lhc(&k, &["get", "wfspec", "needs-sign-off", "0.0"])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("user task sign-off"), "{text}");
    let out = lhc(&k, &["get", "wfspec", "ordres"]);
    out.failed();
    assert!(out.stderr.contains("no WfSpec `ordres`"), "{}", out.stderr);
}
