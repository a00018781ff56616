//! `lhc schedule` and `lhc migrate` against the embedded kernel.

mod harness;

use harness::{Kernel, deployed, json, lhc};

const FLOWS: &str = r#"
task charge(id: str) -> str

workflow order {
  input id: str required
  input qty: int
  charge(id)
}
"#;

/// The new version: one more step before `charge`, and a new variable.
const FLOWS_V2: &str = r#"
task charge(id: str) -> str
task notify(id: str)

workflow order {
  input id: str required
  input qty: int
  var note: str = "moved"
  notify(id)
  charge(id)
}
"#;

#[test]
fn schedule_create_list_get_delete() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(
        &k,
        &[
            "schedule",
            "create",
            "order",
            "--cron",
            "0 9 * * MON-FRI",
            "--var",
            "id=o-1",
            "--var",
            "qty=3",
            "--id",
            "weekday-9",
        ],
    );
    let text = &out.ok().stdout;
    assert!(
        text.starts_with(
            "scheduled weekday-9: a run of order (the newest version at each run) at `0 9 * * MON-FRI`\n  next run: "
        ),
        "{text}"
    );
    assert!(text.trim_end().ends_with("T09:00:00Z"), "{text}");

    // The inputs are checked against the WfSpec before sending, as `lhc run` does.
    let out = lhc(
        &k,
        &[
            "schedule",
            "create",
            "order",
            "--cron",
            "* * * * *",
            "--var",
            "qty=many",
        ],
    );
    out.failed();
    assert!(out.stderr.contains("qty"), "{}", out.stderr);
    let out = lhc(&k, &["schedule", "create", "order", "--cron", "* * * * *"]);
    out.failed();
    assert!(out.stderr.contains("id"), "required input: {}", out.stderr);
    // The cron dialect is LittleHorse's (Unix, five fields).
    let out = lhc(
        &k,
        &[
            "schedule",
            "create",
            "order",
            "--cron",
            "0 0 9 ? * MON",
            "--var",
            "id=x",
        ],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("contains 6 parts but we expect one of [5]")
            && out.stderr.contains("help: five fields"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["schedule", "create", "ordr", "--cron", "* * * * *"]);
    out.failed();
    assert!(
        out.stderr.contains("did you mean `order`?"),
        "{}",
        out.stderr
    );

    let out = lhc(&k, &["schedule", "list", "order"]);
    let text = &out.ok().stdout;
    assert!(text.starts_with("ID"), "{text}");
    assert!(
        text.contains("weekday-9")
            && text.contains("0 9 * * MON-FRI")
            && text.contains("id=\"o-1\""),
        "{text}"
    );
    let listed = json(lhc(&k, &["schedule", "list", "order", "--format", "json"]).ok());
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"]["id"], "weekday-9");
    assert_eq!(listed[0]["variables"]["qty"]["int"], "3");

    let got = json(lhc(&k, &["schedule", "get", "weekday-9", "--format", "json"]).ok());
    assert_eq!(got["cronExpression"], "0 9 * * MON-FRI");
    assert_eq!(got["wfSpecId"]["name"], "order");
    let text = lhc(&k, &["schedule", "get", "weekday-9"])
        .ok()
        .stdout
        .clone();
    assert!(
        text.contains("cron:") && text.contains("next run:"),
        "{text}"
    );

    // A misspelt id gets "did you mean" among the existing schedules.
    for verb in ["get", "delete"] {
        let out = lhc(&k, &["schedule", verb, "weekday9"]);
        out.failed();
        assert!(
            out.stderr.contains("no schedule `weekday9`")
                && out.stderr.contains("did you mean `weekday-9`?"),
            "{}",
            out.stderr
        );
    }

    let out = lhc(&k, &["schedule", "delete", "weekday-9"]);
    assert!(
        out.ok()
            .stdout
            .starts_with("deleted schedule weekday-9 of order"),
        "{}",
        out.stdout
    );
    let out = lhc(&k, &["schedule", "delete", "weekday-9"]);
    out.failed();
    assert!(
        out.stderr.contains("no schedule `weekday-9`")
            && out.stderr.contains("there are no schedules"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["schedule", "list", "order"]);
    assert_eq!(out.ok().stdout, "no schedules of workflow `order`\n");
}

fn deploy(k: &Kernel, dir: &std::path::Path, text: &str) {
    let file = dir.join("flows.lhw");
    std::fs::write(&file, text).expect("write");
    lhc(k, &["deploy", &file.display().to_string()]).ok();
}

#[test]
fn migrate_dry_run_then_move_running_runs() {
    let (k, dir) = deployed(FLOWS);
    for id in ["m-1", "m-2"] {
        lhc(
            &k,
            &["run", "order", "--id", id, "--var", &format!("id={id}")],
        )
        .ok();
    }
    deploy(&k, dir.path(), FLOWS_V2);
    let versions = json(lhc(&k, &["get", "wfspec", "order", "--format", "json"]).ok());
    let to = format!(
        "{}.{}",
        versions["id"]["majorVersion"].as_i64().unwrap_or(0),
        versions["id"]["revision"].as_i64().unwrap_or(0)
    );
    assert_ne!(to, "0.0", "a new version: {versions}");

    // Same names: the `charge` node was renumbered, so the runs cannot move.
    let out = lhc(
        &k,
        &[
            "migrate",
            "order",
            "--from",
            "0.0",
            "--to",
            &to,
            "--same-names",
            "--dry-run",
        ],
    );
    let text = &out.ok().stdout;
    assert!(
        text.starts_with(&format!(
            "dry run: 0 of 2 running WfRun(s) of order 0.0 would move to {to}"
        )),
        "{text}"
    );
    assert!(
        text.contains("which has no node mapping (--node entrypoint:1-charge-TASK=NEW)"),
        "{text}"
    );

    // A misspelt node gets a suggestion.
    let out = lhc(
        &k,
        &[
            "migrate",
            "order",
            "--from",
            "0.0",
            "--to",
            &to,
            "--node",
            "1-charge-TASK=2-charg-TASK",
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains("did you mean `2-charge-TASK`?"),
        "{}",
        out.stderr
    );

    let args = [
        "migrate",
        "order",
        "--from",
        "0.0",
        "--to",
        &to,
        "--node",
        "1-charge-TASK=2-charge-TASK",
    ];
    let mut dry: Vec<&str> = args.to_vec();
    dry.extend(["--dry-run", "--format", "json"]);
    let report = json(lhc(&k, &dry).ok());
    assert_eq!(report["dryRun"], true);
    assert_eq!(report["runs"].as_array().map(Vec::len), Some(2), "{report}");
    assert_eq!(report["runs"][0]["moves"], true, "{report}");
    assert_eq!(report["moved"], 0);
    // Nothing moved yet.
    let run = json(lhc(&k, &["get", "wfrun", "m-1", "--format", "json"]).ok());
    assert_eq!(run["wfSpecId"]["majorVersion"], 0, "{run}");

    let out = lhc(&k, &args);
    let text = &out.ok().stdout;
    assert!(
        text.starts_with(&format!(
            "migrated order 0.0 -> {to}: 2 of 2 running WfRun(s) moved"
        )),
        "{text}"
    );
    let run = json(lhc(&k, &["get", "wfrun", "m-1", "--format", "json"]).ok());
    assert_eq!(
        format!(
            "{}.{}",
            run["wfSpecId"]["majorVersion"], run["wfSpecId"]["revision"]
        ),
        to,
        "{run}"
    );
    let out = lhc(&k, &["migrate", "order", "--from", "0.0", "--to", &to]);
    out.failed();
    assert!(
        out.stderr.contains("the migration maps nothing"),
        "{}",
        out.stderr
    );
}
