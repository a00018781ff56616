//! `lhc get|list|search|stop|resume|event|user-task` against the embedded kernel started
//! in-process on a free port: every command's happy path, its failure output, and JSON that
//! parses. Every `lhc` invocation and every wait is bounded.

mod harness;

use harness::{Out, deployed, json, lhc, poll};

/// The workflows the tests run (written to a temporary directory).
const FLOWS: &str = r#"
task greet(name: str) -> str
task charge(card: str masked) -> str
event approval: int
user-task review "Review the order" {
  approved: bool "Approved?" required,
  comment: str "Comment",
}

workflow inspect-me {
  input name: str required
  var secret: str = "s3cr3t" masked
  var amount: int
  var ok: bool
  var note: str

  amount = await approval
  let r = ask review to user "ann" group "ops"
  ok = r.approved
  note = r.comment
  greet(name)
}

workflow charge-it {
  input card: str required masked
  charge(card)
}

workflow quick {
  input n: int required
  var doubled: int
  doubled = n * 2
}
"#;

fn not_found(out: &Out, what: &str) {
    out.failed();
    assert!(
        out.stderr
            .contains(&format!("error: {what} not found on 127.0.0.1:")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(NOT_FOUND: "), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

/// A GUID the WfRun has no UserTaskRun under: the message lists the run's user tasks.
fn unknown_user_task(out: &Out) {
    out.failed();
    assert!(
        out.stderr
            .starts_with("error: WfRun r1 has no UserTaskRun `no-such-guid` (its user tasks: "),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn get_shows_runs_nodes_variables_and_task_runs_without_masked_values() {
    let (k, _dir) = deployed(FLOWS);
    lhc(
        &k,
        &[
            "run",
            "charge-it",
            "--id",
            "c1",
            "--var",
            "card=4111-secret",
        ],
    )
    .ok();

    let out = lhc(&k, &["get", "wfrun", "c1"]);
    let text = &out.ok().stdout;
    assert!(
        text.starts_with("WfRun:   c1\nWfSpec:  charge-it 0.0\n"),
        "{text}"
    );
    assert!(text.contains("THREAD  NAME        STATUS"), "{text}");
    assert!(text.contains("0       entrypoint  RUNNING"), "{text}");
    let run = json(lhc(&k, &["get", "wfrun", "c1", "--format", "json"]).ok());
    assert_eq!(run["id"]["id"], "c1");
    assert_eq!(run["status"], "RUNNING");

    // The task node, with its TaskRun GUID (no worker runs: it stays scheduled).
    let out = lhc(&k, &["get", "nodes", "c1"]);
    let text = &out.ok().stdout;
    assert!(text.contains("0-entrypoint-ENTRYPOINT"), "{text}");
    assert!(text.contains("1-charge-TASK"), "{text}");
    let nodes = json(lhc(&k, &["get", "nodes", "c1", "--format", "json"]).ok());
    let nodes = nodes.as_array().expect("array");
    assert_eq!(nodes.len(), 2, "{nodes:?}");
    let guid = nodes[1]["task"]["taskRunId"]["taskGuid"]
        .as_str()
        .expect("task guid")
        .to_string();
    assert!(text.contains(&format!("task {guid}")), "{text}");

    let out = lhc(&k, &["get", "taskrun", "c1", &guid]);
    let text = &out.ok().stdout;
    assert!(text.contains(&format!("TaskRun:   {guid}\n")), "{text}");
    assert!(text.contains("TaskDef:   charge\n"), "{text}");
    assert!(text.contains("inputs:    card = (masked)\n"), "{text}");
    assert!(!text.contains("4111"), "{text}");
    let out = lhc(&k, &["get", "taskrun", "c1", &guid, "--format", "json"]);
    let task = json(out.ok());
    assert_eq!(task["taskDefId"]["name"], "charge");
    assert_eq!(task["inputVariables"][0]["value"]["str"], "(masked)");
    assert!(!out.stdout.contains("4111"), "{}", out.stdout);

    let out = lhc(&k, &["get", "variables", "c1"]);
    let text = &out.ok().stdout;
    assert_eq!(text, "THREAD  NAME  VALUE\n0       card  (masked)\n");
    let out = lhc(&k, &["get", "variables", "c1", "--format", "json"]);
    let vars = json(out.ok());
    assert_eq!(vars[0]["id"]["name"], "card");
    assert_eq!(vars[0]["masked"], true);
    assert_eq!(vars[0]["value"]["str"], "(masked)");
    assert!(!out.stdout.contains("4111"), "{}", out.stdout);

    not_found(&lhc(&k, &["get", "wfrun", "nope"]), "WfRun `nope`");
    not_found(&lhc(&k, &["get", "nodes", "nope"]), "WfRun `nope`");
    not_found(&lhc(&k, &["get", "variables", "nope"]), "WfRun `nope`");
    not_found(
        &lhc(&k, &["get", "taskrun", "c1", "no-such-guid"]),
        "TaskRun `no-such-guid` of WfRun `c1`",
    );
}

#[test]
fn list_wfspecs_and_taskdefs() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(&k, &["list", "wfspecs"]);
    out.ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "a header and three WfSpecs:\n{}",
        out.stdout
    );
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("VERSION"),
        "{}",
        out.stdout
    );
    for (line, name) in lines[1..].iter().zip(["charge-it", "inspect-me", "quick"]) {
        assert!(
            line.starts_with(name) && line.ends_with("0.0"),
            "{}",
            out.stdout
        );
    }
    let ids = json(
        lhc(
            &k,
            &["list", "wfspecs", "--prefix", "in", "--format", "json"],
        )
        .ok(),
    );
    assert_eq!(ids.as_array().map(Vec::len), Some(1), "{ids}");
    assert_eq!(ids[0]["name"], "inspect-me", "{ids}");
    assert_eq!(ids[0]["majorVersion"], 0, "{ids}");

    let out = lhc(&k, &["list", "taskdefs"]);
    out.ok();
    let names: Vec<&str> = out.stdout.lines().skip(1).map(str::trim).collect();
    assert_eq!(names, ["charge", "greet"], "{}", out.stdout);
    let ids = json(
        lhc(
            &k,
            &["list", "taskdefs", "--prefix", "gr", "--format", "json"],
        )
        .ok(),
    );
    assert_eq!(ids, serde_json::json!([{"name": "greet"}]));
    let none = lhc(&k, &["list", "taskdefs", "--prefix", "zzz"]);
    none.ok();
    assert_eq!(
        none.stdout.lines().count(),
        1,
        "only the header:\n{}",
        none.stdout
    );
}

#[test]
fn search_wfruns_filters_by_status() {
    let (k, _dir) = deployed(FLOWS);
    lhc(
        &k,
        &["run", "quick", "--id", "q1", "--var", "n=1", "--wait"],
    )
    .ok();
    lhc(
        &k,
        &["run", "quick", "--id", "q2", "--var", "n=2", "--wait"],
    )
    .ok();
    lhc(&k, &["run", "charge-it", "--id", "c1", "--var", "card=x"]).ok();

    let out = lhc(&k, &["search", "wfruns", "quick"]);
    let text = &out.ok().stdout;
    assert!(text.starts_with("WFRUN  STATUS     STARTED\n"), "{text}");
    assert!(text.contains("q1     COMPLETED  "), "{text}");
    assert!(text.contains("q2     COMPLETED  "), "{text}");
    let out = lhc(
        &k,
        &[
            "search",
            "wfruns",
            "quick",
            "--status",
            "COMPLETED",
            "--format",
            "json",
        ],
    );
    let ids = json(out.ok());
    let mut ids: Vec<&str> = ids
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["q1", "q2"]);
    let out = lhc(&k, &["search", "wfruns", "quick", "--status", "running"]);
    assert_eq!(out.ok().stdout, "WFRUN  STATUS  STARTED\n");
    let out = lhc(
        &k,
        &["search", "wfruns", "charge-it", "--status", "running"],
    );
    assert!(out.ok().stdout.contains("c1     RUNNING"), "{}", out.stdout);
    let out = lhc(&k, &["search", "wfruns", "--limit", "1", "quick"]);
    assert_eq!(out.ok().stdout.lines().count(), 2, "{}", out.stdout);

    // An unknown WfSpec is an error with "did you mean" (not an empty list); a bad status
    // is a usage error.
    let out = lhc(
        &k,
        &["search", "wfruns", "no-such-spec", "--format", "json"],
    );
    assert!(
        out.failed().stderr.contains("no WfSpec `no-such-spec`"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["search", "wfruns", "quik"]);
    assert!(
        out.failed().stderr.contains("help: did you mean `quick`?"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["search", "wfruns", "quick", "--status", "sleeping"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("invalid value 'sleeping'"),
        "{}",
        out.stderr
    );
}

#[test]
fn stop_and_resume_a_wfrun() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "charge-it", "--id", "c1", "--var", "card=x"]).ok();
    let out = lhc(&k, &["stop", "c1"]);
    assert!(
        out.ok().stdout.starts_with("stopped WfRun c1: now HALT"),
        "{}",
        out.stdout
    );
    // HALTING while the scheduled task is outstanding (no worker runs), or HALTED.
    let out = lhc(&k, &["get", "wfrun", "c1", "--format", "json"]);
    let status = json(out.ok())["status"].clone();
    assert!(status == "HALTING" || status == "HALTED", "{status}");
    let out = lhc(&k, &["resume", "c1", "--format", "json"]);
    let answer = json(out.ok());
    assert_eq!(answer["action"], "resumed");
    assert_eq!(answer["wfRunId"], "c1");
    poll(&k, &["get", "wfrun", "c1"], |o| {
        o.stdout.contains("status:  RUNNING\n")
    });

    not_found(&lhc(&k, &["stop", "nope"]), "WfRun `nope`");
    not_found(&lhc(&k, &["resume", "nope"]), "WfRun `nope`");
}

#[test]
fn post_events_and_work_user_tasks() {
    let (k, _dir) = deployed(FLOWS);
    lhc(
        &k,
        &["run", "inspect-me", "--id", "r1", "--var", "name=Ada"],
    )
    .ok();

    // The content is parsed against the event's type.
    let out = lhc(&k, &["event", "post", "r1", "approval", "--content", "abc"]);
    out.failed();
    assert!(
        out.stderr
            .contains("error: --content: \"abc\" is not an int (event `approval` carries int)"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &["event", "post", "r1", "no-such-event", "--content", "1"],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("error: no ExternalEventDef `no-such-event` on 127.0.0.1:"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &[
            "event",
            "post",
            "r1",
            "approval",
            "--content",
            "7",
            "--guid",
            "e-1",
            "--format",
            "json",
        ],
    );
    let event = json(out.ok());
    assert_eq!(event["id"]["guid"], "e-1");
    assert_eq!(event["content"]["int"], "7");

    // The user task appears once the event is consumed.
    let out = poll(&k, &["user-task", "list", "--user", "ann"], |o| {
        o.stdout.contains("review")
    });
    let text = &out.stdout;
    assert!(text.starts_with("WFRUN  GUID"), "{text}");
    assert!(text.contains("review     ASSIGNED  ann   ops"), "{text}");
    let tasks = json(
        lhc(
            &k,
            &["user-task", "list", "--group", "ops", "--format", "json"],
        )
        .ok(),
    );
    let tasks = tasks.as_array().expect("array");
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let guid = tasks[0]["id"]["userTaskGuid"]
        .as_str()
        .expect("guid")
        .to_string();
    let out = lhc(&k, &["user-task", "list", "--user", "nobody"]);
    assert_eq!(out.ok().stdout.lines().count(), 1, "{}", out.stdout);

    let out = lhc(
        &k,
        &[
            "user-task",
            "assign",
            "r1",
            &guid,
            "--user",
            "bob",
            "--override-claim",
        ],
    );
    assert_eq!(
        out.ok().stdout,
        format!("assigned UserTaskRun {guid} to user bob, group -: now ASSIGNED\n")
    );
    unknown_user_task(&lhc(
        &k,
        &["user-task", "assign", "r1", "no-such-guid", "--user", "bob"],
    ));

    // Results are checked against the form.
    let out = lhc(
        &k,
        &[
            "user-task",
            "complete",
            "r1",
            &guid,
            "--result",
            "comment=fine",
        ],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("user task `review` requires `approved`: add --result approved=..."),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &[
            "user-task",
            "complete",
            "r1",
            &guid,
            "--result",
            "approved=maybe",
        ],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("--result approved: \"maybe\" is not a bool"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &[
            "user-task",
            "complete",
            "r1",
            &guid,
            "--result",
            "colour=red",
        ],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("user task `review` has no field `colour` (its fields: approved, comment)"),
        "{}",
        out.stderr
    );
    unknown_user_task(&lhc(
        &k,
        &[
            "user-task",
            "complete",
            "r1",
            "no-such-guid",
            "--result",
            "approved=true",
        ],
    ));
    let out = lhc(
        &k,
        &[
            "user-task",
            "complete",
            "r1",
            &guid,
            "--result",
            "approved=true",
            "--result",
            "comment=fine",
            "--format",
            "json",
        ],
    );
    let done = json(out.ok());
    assert_eq!(done["status"], "DONE");
    assert_eq!(done["results"]["approved"]["bool"], true);

    // The run went on: the variables hold the event and the form results.
    let out = poll(&k, &["get", "variables", "r1"], |o| {
        o.stdout.contains("ok ")
    });
    let text = &out.stdout;
    assert!(text.contains("0       amount  7\n"), "{text}");
    assert!(text.contains("0       ok      true\n"), "{text}");
    assert!(text.contains("0       note    \"fine\"\n"), "{text}");
    assert!(text.contains("0       secret  (masked)\n"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
}
