//! `lhc metrics`, `lhc workers` and `lhc search events|correlated-events|workflow-events`
//! against the embedded kernel.

mod harness;

use harness::{deployed, json, lhc, poll};

const FLOWS: &str = r#"
task greet(name: str) -> str
event go: int
event quote: str correlated
workflow-event finished: int

workflow quick {
  var n: int = 1
  emit finished n
}

workflow waits {
  let g = await go
}
"#;

#[test]
fn metrics_count_runs_per_minute() {
    let (k, _dir) = deployed(FLOWS);
    for id in ["q1", "q2"] {
        lhc(&k, &["run", "quick", "--id", id, "--wait"]).ok();
    }
    let out = lhc(&k, &["metrics", "wf", "quick"]);
    let text = &out.ok().stdout;
    let total = text
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .unwrap_or_else(|| panic!("no total row:\n{text}"));
    let cells: Vec<&str> = total.split_whitespace().collect();
    // TOTAL, STARTED, COMPLETED, ERROR, EXCEPTION, HALTED, AVG RUN, MAX RUN.
    assert_eq!(&cells[1..6], ["2", "2", "0", "0", "0"], "{text}");
    assert!(
        text.contains("STARTED") && text.contains("quick 0.0"),
        "{text}"
    );

    // JSON: the windows themselves.
    let windows = json(lhc(&k, &["metrics", "wf", "quick", "--format", "json"]).ok());
    let started: i64 = windows
        .as_array()
        .expect("a list")
        .iter()
        .map(|w| w["workflow"]["started"]["count"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(started, 2);

    // No task ran: nothing to show. A misspelt WfSpec, a bad version: clear errors.
    let out = lhc(&k, &["metrics", "task", "greet"]);
    assert!(
        out.ok().stdout.contains("no metrics in this range"),
        "{}",
        out.stdout
    );
    let out = lhc(&k, &["metrics", "wf", "quik"]);
    assert!(
        out.failed().stderr.contains("no WfSpec `quik`"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["metrics", "wf", "quick", "--spec-version", "x"]);
    assert!(
        out.failed().stderr.contains("MAJOR.REVISION"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["metrics", "task", "nope"]);
    assert!(
        out.failed().stderr.contains("no TaskDef `nope`"),
        "{}",
        out.stderr
    );
}

#[test]
fn workers_of_a_task_def() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(&k, &["workers", "greet"]);
    assert!(
        out.ok()
            .stdout
            .contains("no worker of TaskDef `greet` has registered"),
        "{}",
        out.stdout
    );
    let out = lhc(&k, &["workers", "gret"]);
    assert!(
        out.failed().stderr.contains("no TaskDef `gret`")
            && out.stderr.contains("did you mean `greet`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn event_searches() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "waits", "--id", "w1"]).ok();
    lhc(&k, &["event", "post", "w1", "go", "--content", "1"]).ok();
    lhc(&k, &["wait", "w1"]).ok();
    lhc(
        &k,
        &[
            "event",
            "post",
            "ghost",
            "go",
            "--content",
            "2",
            "--preemptive",
        ],
    )
    .ok();

    let out = lhc(&k, &["search", "events", "go"]);
    let text = &out.ok().stdout;
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].starts_with("w1 ") && rows[0].ends_with("yes"),
        "{text}"
    );
    assert!(
        rows[1].starts_with("ghost ") && rows[1].ends_with("no"),
        "{text}"
    );
    let out = lhc(
        &k,
        &["search", "events", "go", "--unclaimed", "--format", "json"],
    );
    let ids = json(out.ok());
    let runs: Vec<&str> = ids
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| i["wfRunId"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(runs, ["ghost"]);
    let out = lhc(&k, &["search", "events", "go", "--claimed", "--unclaimed"]);
    assert_eq!(out.code, Some(2), "conflicting flags are a usage error");

    // Correlated events: one waiting for its run.
    lhc(
        &k,
        &[
            "event",
            "post",
            "--correlated",
            "k-1",
            "quote",
            "--content",
            "hi",
        ],
    )
    .ok();
    let out = lhc(
        &k,
        &["search", "correlated-events", "quote", "--undelivered"],
    );
    let text = &out.ok().stdout;
    assert!(
        text.contains("k-1") && text.contains("(none yet)"),
        "{text}"
    );
    let out = lhc(&k, &["search", "correlated-events", "quote", "--delivered"]);
    assert!(
        out.ok()
            .stdout
            .contains("no CorrelatedEvent of `quote` matches"),
        "{}",
        out.stdout
    );

    // Workflow events thrown by `quick`.
    lhc(&k, &["run", "quick", "--id", "q9", "--wait"]).ok();
    let out = poll(&k, &["search", "workflow-events", "finished"], |o| {
        o.stdout.contains("q9")
    });
    assert!(out.stdout.starts_with("WFRUN"), "{}", out.stdout);
}
