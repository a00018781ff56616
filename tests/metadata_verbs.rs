//! The last lhctl verbs of issue 13 against the embedded kernel: `lhc get` and `lhc list` for
//! TaskDefs, event defs, UserTaskDefs and StructDefs; `lhc delete correlated-event`;
//! `lhc user-task save`; `lhc count node-runs|task-runs`.

mod harness;

use harness::{Kernel, deployed, json, lhc, poll};

const FLOWS: &str = r#"
struct address "Where parcels go" {
  street: str
  zipCode: int = 0 "Postal code"
  note: str nullable
}
task charge(card: str masked, amount: double) -> str
task announce(text: str)
event payment-confirmed: double correlated
event approval: int
workflow-event invoiced: str
user-task sign-off "Sign off" {
  ok: bool "OK?" required
  reason: str "Why"
}

workflow needs-sign-off {
  let r = ask sign-off to group "finance"
}

workflow pays {
  input amount: double = 1.0
  let receipt = charge("4111", amount)
}
"#;

#[test]
fn get_shows_each_metadata_kind_and_suggests_misspelt_names() {
    let (k, _dir) = deployed(FLOWS);

    let out = lhc(&k, &["get", "taskdef", "charge"]);
    assert!(
        out.ok()
            .stdout
            .contains("TaskDef:     charge(card: str masked, amount: double) -> str"),
        "{}",
        out.stdout
    );
    let out = lhc(&k, &["get", "taskdef", "announce"]);
    assert!(
        out.ok().stdout.contains("announce(text: str)\n"),
        "{}",
        out.stdout
    );
    let j = json(lhc(&k, &["get", "taskdef", "charge", "--format", "json"]).ok());
    assert_eq!(j["id"]["name"], "charge");
    assert_eq!(j["inputVars"][0]["name"], "card");

    let out = lhc(&k, &["get", "taskdef", "chrage"]);
    out.failed();
    assert!(
        out.stderr.contains("no TaskDef `chrage`") && out.stderr.contains("did you mean `charge`?"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["delete", "taskdef", "chrage"]);
    out.failed();
    assert!(
        out.stderr.contains("no TaskDef `chrage`")
            && out.stderr.contains("nothing deleted")
            && out.stderr.contains("did you mean `charge`?"),
        "{}",
        out.stderr
    );

    let text = lhc(&k, &["get", "event-def", "payment-confirmed"])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("content:          double"), "{text}");
    assert!(text.contains("correlated:       yes"), "{text}");
    let text = lhc(&k, &["get", "event-def", "approval"])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("correlated:       no"), "{text}");
    let out = lhc(&k, &["get", "event-def", "aproval"]);
    out.failed();
    assert!(
        out.stderr.contains("did you mean `approval`?"),
        "{}",
        out.stderr
    );

    let text = lhc(&k, &["get", "workflow-event-def", "invoiced"])
        .ok()
        .stdout
        .clone();
    assert!(
        text.contains("WorkflowEventDef: invoiced") && text.contains("content:          str"),
        "{text}"
    );

    let text = lhc(&k, &["get", "user-task-def", "sign-off"])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("UserTaskDef: sign-off 0"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("ok ") && l.contains("bool") && l.contains("required")),
        "{text}"
    );
    let j = json(
        lhc(
            &k,
            &["get", "user-task-def", "sign-off", "0", "--format", "json"],
        )
        .ok(),
    );
    assert_eq!(j["name"], "sign-off");
    let out = lhc(&k, &["get", "user-task-def", "sign-off", "7"]);
    out.failed();
    assert!(
        out.stderr.contains("no UserTaskDef `sign-off`"),
        "{}",
        out.stderr
    );

    let text = lhc(&k, &["get", "struct-def", "address"])
        .ok()
        .stdout
        .clone();
    assert!(text.contains("StructDef:   address 0"), "{text}");
    assert!(text.contains("description: Where parcels go"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("zipCode") && l.contains("int") && l.contains("Postal code")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("note") && l.contains("yes")),
        "{text}"
    );
    let out = lhc(&k, &["get", "struct-def", "adress"]);
    out.failed();
    assert!(
        out.stderr.contains("did you mean `address`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn list_shows_each_metadata_kind() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(&k, &["list", "event-defs"]);
    assert_eq!(out.ok().stdout, "NAME\napproval\npayment-confirmed\n");
    let out = lhc(&k, &["list", "event-defs", "--prefix", "pay"]);
    assert_eq!(out.ok().stdout, "NAME\npayment-confirmed\n");
    let out = lhc(&k, &["list", "workflow-event-defs"]);
    assert_eq!(out.ok().stdout, "NAME\ninvoiced\n");
    let out = lhc(&k, &["list", "user-task-defs"]);
    assert_eq!(out.ok().stdout, "NAME      VERSION\nsign-off  0\n");
    let j = json(lhc(&k, &["list", "struct-defs", "--format", "json"]).ok());
    assert_eq!(j, serde_json::json!([{ "name": "address", "version": 0 }]));
}

#[test]
fn delete_correlated_event_removes_it_and_says_when_there_is_none() {
    let (k, _dir) = deployed(FLOWS);
    lhc(
        &k,
        &[
            "event",
            "post",
            "--correlated",
            "o-1",
            "payment-confirmed",
            "--content",
            "9.5",
        ],
    )
    .ok();
    lhc(
        &k,
        &["event", "get", "payment-confirmed", "--correlated", "o-1"],
    )
    .ok();

    let out = lhc(
        &k,
        &[
            "delete",
            "correlated-event",
            "o-1",
            "--event-def",
            "payment-confirmed",
        ],
    );
    assert_eq!(
        out.ok().stdout,
        "deleted CorrelatedEvent o-1 of payment-confirmed\n"
    );
    lhc(
        &k,
        &["event", "get", "payment-confirmed", "--correlated", "o-1"],
    )
    .failed();

    // Deleting it again: LittleHorse answers OK, lhc says nothing was there.
    let out = lhc(
        &k,
        &[
            "delete",
            "correlated-event",
            "o-1",
            "--event-def",
            "payment-confirmed",
        ],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("no CorrelatedEvent `o-1` of `payment-confirmed`")
            && out.stderr.contains("nothing deleted"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &[
            "delete",
            "correlated-event",
            "o-1",
            "--event-def",
            "payment-confirmd",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("did you mean `payment-confirmed`?"),
        "{}",
        out.stderr
    );
}

/// The GUID of the one UserTaskRun of `wf_run`, once it exists.
fn task_guid(k: &Kernel, wf_run: &str) -> String {
    let out = poll(k, &["user-task", "list", "--format", "json"], |o| {
        o.code == Some(0) && o.stdout.contains(wf_run)
    });
    json(&out)
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|t| t["id"]["wfRunId"]["id"] == wf_run)
                .map(|t| t["id"]["userTaskGuid"].as_str().expect("guid").to_string())
        })
        .expect("a user task")
}

#[test]
fn user_task_save_keeps_answers_without_completing() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "needs-sign-off", "--id", "s1"]).ok();
    let guid = task_guid(&k, "s1");

    // A group task with no user: who saves it?
    let out = lhc(
        &k,
        &["user-task", "save", "s1", &guid, "--result", "reason=later"],
    );
    out.failed();
    assert!(out.stderr.contains("--user USER"), "{}", out.stderr);

    let out = lhc(
        &k,
        &[
            "user-task",
            "save",
            "s1",
            &guid,
            "--result",
            "reason=later",
            "--user",
            "ann",
        ],
    );
    assert_eq!(
        out.ok().stdout,
        format!(
            "saved progress on UserTaskRun {guid} of WfRun s1 as ann (UNASSIGNED): reason = \"later\"\n"
        )
    );
    let j = json(lhc(&k, &["user-task", "get", "s1", &guid, "--format", "json"]).ok());
    assert_eq!(j["results"]["reason"]["str"], "later");
    assert_eq!(j["status"], "UNASSIGNED");

    // Field names and types are checked before anything is sent.
    let out = lhc(
        &k,
        &[
            "user-task",
            "save",
            "s1",
            &guid,
            "--result",
            "reasn=x",
            "--user",
            "ann",
        ],
    );
    out.failed();
    assert!(out.stderr.contains("reason"), "{}", out.stderr);
    let out = lhc(
        &k,
        &[
            "user-task",
            "save",
            "s1",
            &guid,
            "--result",
            "ok=maybe",
            "--user",
            "ann",
        ],
    );
    out.failed();
    assert!(out.stderr.contains("--result ok:"), "{}", out.stderr);

    // Claimed by bob: ann may save only with --ignore-claim.
    lhc(&k, &["user-task", "assign", "s1", &guid, "--user", "bob"]).ok();
    let out = lhc(
        &k,
        &[
            "user-task",
            "save",
            "s1",
            &guid,
            "--result",
            "ok=true",
            "--user",
            "ann",
        ],
    );
    out.failed();
    assert!(out.stderr.contains("FAILED_PRECONDITION"), "{}", out.stderr);
    lhc(
        &k,
        &[
            "user-task",
            "save",
            "s1",
            &guid,
            "--result",
            "ok=true",
            "--user",
            "ann",
            "--ignore-claim",
        ],
    )
    .ok();
    // Without --user, the assigned user saves.
    let out = lhc(
        &k,
        &["user-task", "save", "s1", &guid, "--result", "ok=false"],
    );
    assert!(
        out.ok().stdout.contains(" as bob (ASSIGNED)"),
        "{}",
        out.stdout
    );
}

#[test]
fn count_node_runs_and_waiting_task_runs() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(&k, &["count", "node-runs"]);
    assert_eq!(out.ok().stdout, "0 NodeRuns\n");
    let out = lhc(&k, &["count", "task-runs", "charge"]);
    assert_eq!(
        out.ok().stdout,
        "0 TaskRuns of charge scheduled, waiting for a worker\n"
    );

    // No worker polls `charge`: both runs' TaskRuns stay scheduled.
    lhc(&k, &["run", "pays", "--id", "p1"]).ok();
    lhc(&k, &["run", "pays", "--id", "p2"]).ok();
    poll(&k, &["count", "task-runs", "charge"], |o| {
        o.stdout.starts_with("2 TaskRuns")
    });
    let j = json(lhc(&k, &["count", "task-runs", "charge", "--format", "json"]).ok());
    assert_eq!(j["value"], "2");

    // Each `pays` run has its ENTRYPOINT and TASK NodeRuns; the sign-off run is not counted.
    lhc(&k, &["run", "needs-sign-off", "--id", "s1"]).ok();
    let pays = poll(&k, &["count", "node-runs", "--wfspec", "pays"], |o| {
        o.stdout.starts_with("4 NodeRuns")
    });
    assert_eq!(pays.stdout, "4 NodeRuns of WfSpec pays\n");
    let out = lhc(
        &k,
        &[
            "count",
            "node-runs",
            "--wfspec",
            "pays",
            "--wfspec-version",
            "0.0",
        ],
    );
    assert_eq!(out.ok().stdout, "4 NodeRuns of WfSpec pays 0.0\n");
    let out = lhc(
        &k,
        &[
            "count",
            "node-runs",
            "--wfspec",
            "pays",
            "--wfspec-version",
            "1",
        ],
    );
    assert_eq!(out.ok().stdout, "0 NodeRuns of WfSpec pays 1\n");
    let all = poll(&k, &["count", "node-runs"], |o| {
        o.stdout.starts_with("6 NodeRuns")
    });
    assert_eq!(all.stdout, "6 NodeRuns\n");

    let out = lhc(&k, &["count", "task-runs", "chrage"]);
    out.failed();
    assert!(
        out.stderr.contains("did you mean `charge`?"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["count", "node-runs", "--wfspec", "pay"]);
    out.failed();
    assert!(out.stderr.contains("no WfSpec `pay`"), "{}", out.stderr);
    let out = lhc(
        &k,
        &[
            "count",
            "node-runs",
            "--wfspec",
            "pays",
            "--wfspec-version",
            "x",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("expected MAJOR or MAJOR.REVISION"),
        "{}",
        out.stderr
    );
}
