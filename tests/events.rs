//! `lhc event post|get|list` against the embedded kernel: posting to a WfRun that does not
//! exist (an error unless `--preemptive`, then LittleHorse's pre-emptive event), correlated
//! events, reading events back and listing WorkflowEvents.

mod harness;

use harness::{deployed, json, lhc, poll};

const FLOWS: &str = r#"
event payment-confirmed: double correlated
event approval: int
workflow-event invoiced: str

workflow invoice {
  input order-id: str required
  var paid: double
  paid = await payment-confirmed correlated by order-id
  emit invoiced order-id
}

workflow approve {
  var level: int
  level = await approval
}
"#;

#[test]
fn posting_to_a_missing_wfrun_is_refused_unless_preemptive() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(
        &k,
        &["event", "post", "A-100", "approval", "--content", "3"],
    );
    out.failed();
    assert!(
        out.stderr.contains("no WfRun `A-100` on 127.0.0.1:")
            && out.stderr.contains("nothing was posted")
            && out.stderr.contains("--preemptive"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);

    // Pre-emptive: kept, and delivered when the run starts.
    let out = lhc(
        &k,
        &[
            "event",
            "post",
            "A-100",
            "approval",
            "--content",
            "3",
            "--guid",
            "g-1",
            "--preemptive",
        ],
    );
    assert!(
        out.ok().stdout.starts_with(
            "posted ExternalEvent approval g-1 to WfRun A-100 (pre-emptive: no such run yet"
        ),
        "{}",
        out.stdout
    );
    lhc(&k, &["run", "approve", "--id", "A-100"]).ok();
    poll(&k, &["get", "wfrun", "A-100"], |o| {
        o.stdout.contains("status:  COMPLETED")
    });
    let vars = lhc(&k, &["get", "variables", "A-100"]);
    assert!(vars.ok().stdout.contains("level  3"), "{}", vars.stdout);

    // Read back: get one, list all.
    let out = lhc(&k, &["event", "get", "A-100", "approval", "g-1"]);
    let text = &out.ok().stdout;
    assert!(text.starts_with("EVENT     GUID  POSTED"), "{text}");
    assert!(text.contains("approval  g-1"), "{text}");
    assert!(text.trim_end().ends_with("yes      3"), "{text}");
    let listed = json(lhc(&k, &["event", "list", "A-100", "--format", "json"]).ok());
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"]["guid"], "g-1");
    let out = lhc(&k, &["event", "get", "A-100", "approval", "nope"]);
    out.failed();
    assert!(out.stderr.contains("not found"), "{}", out.stderr);
}

#[test]
fn correlated_events_reach_the_waiting_run_and_workflow_events_are_listed() {
    let (k, _dir) = deployed(FLOWS);
    lhc(
        &k,
        &["run", "invoice", "--id", "i1", "--var", "order-id=o-1"],
    )
    .ok();
    poll(&k, &["get", "nodes", "i1"], |o| {
        o.stdout.contains("EXTERNAL_EVENT")
    });
    let out = lhc(
        &k,
        &[
            "event",
            "post",
            "--correlated",
            "o-1",
            "payment-confirmed",
            "--content",
            "49.9",
        ],
    );
    assert!(
        out.ok()
            .stdout
            .starts_with("posted CorrelatedEvent payment-confirmed with key o-1: 49.9;"),
        "{}",
        out.stdout
    );
    poll(&k, &["get", "wfrun", "i1"], |o| {
        o.stdout.contains("status:  COMPLETED")
    });
    let ev = json(
        lhc(
            &k,
            &[
                "event",
                "get",
                "--correlated",
                "o-1",
                "payment-confirmed",
                "--format",
                "json",
            ],
        )
        .ok(),
    );
    assert_eq!(ev["id"]["key"], "o-1", "{ev}");
    let thrown = lhc(&k, &["event", "list", "i1", "--workflow"]);
    let text = &thrown.ok().stdout;
    assert!(text.starts_with("EVENT     NUMBER  THROWN"), "{text}");
    assert!(
        text.contains("invoiced  0") && text.contains("o-1"),
        "{text}"
    );

    // Usage mistakes are explained.
    let out = lhc(
        &k,
        &["event", "post", "payment-confirmed", "--content", "1"],
    );
    out.failed();
    assert!(out.stderr.contains("which WfRun?"), "{}", out.stderr);
    let out = lhc(
        &k,
        &[
            "event",
            "post",
            "i1",
            "payment-confirmed",
            "--correlated",
            "o-1",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("a CorrelatedEvent names no WfRun"),
        "{}",
        out.stderr
    );
}
