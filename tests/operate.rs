//! The operating defects of issue 13, each against the embedded kernel: failure names shown,
//! NOP nodes typed, generated variables hidden, a DONE user task not completed twice, a group
//! task completed by a named user, `run --wait` naming the task no worker polls, "did you
//! mean" for workflow names and the dry-run summary.

mod harness;

use harness::{deployed, lhc, poll};

const FLOWS: &str = r#"
task send-invoice(order: str) -> str
user-task sign-off "Sign off" { ok: bool "OK?" required }

workflow invoice-online {
  input amount: int required
  input skus: str[]
  if amount > 10 {
    fail payment-failed "the card was declined"
  }
  let each = spawn picker for sku in skus {
    var seen: str
    seen = sku
  }
  wait each
}

workflow group-sign-off {
  let r = ask sign-off to group "finance"
}

workflow billing {
  send-invoice("o-1")
}
"#;

#[test]
fn failure_names_nop_nodes_and_generated_variables() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(
        &k,
        &[
            "run",
            "invoice-online",
            "--var",
            "amount=50",
            "--wait",
            "--timeout",
            "20",
        ],
    );
    out.failed();
    assert!(
        out.stdout
            .contains("EXCEPTION: payment-failed: the card was declined"),
        "{}",
        out.stdout
    );
    let id = out
        .stdout
        .split_whitespace()
        .nth(2)
        .expect("started WfRun ID")
        .to_string();
    let text = lhc(&k, &["get", "wfrun", &id]).ok().stdout.clone();
    assert!(text.contains("FAILURE"), "{text}");
    assert!(
        text.contains("payment-failed: the card was declined"),
        "{text}"
    );
    let nodes = lhc(&k, &["get", "nodes", &id]).ok().stdout.clone();
    assert!(nodes.contains(" NOP "), "{nodes}");
    assert!(
        nodes.contains("failed payment-failed: the card was declined"),
        "{nodes}"
    );

    // The spawned threads' list variable is the compiler's, not the user's.
    let out = lhc(
        &k,
        &[
            "run",
            "invoice-online",
            "--var",
            "amount=1",
            "--var",
            r#"skus=["a","b"]"#,
            "--wait",
            "--timeout",
            "20",
        ],
    );
    out.ok();
    assert!(
        !out.stdout.contains("START_MULTIPLE_THREADS"),
        "{}",
        out.stdout
    );
    let second = out
        .stdout
        .split_whitespace()
        .nth(2)
        .expect("id")
        .to_string();
    // Oldest first, as the help says.
    let first_listed = lhc(&k, &["search", "wfruns", "invoice-online", "--limit", "1"]);
    let text = &first_listed.ok().stdout;
    assert!(text.contains(&id) && !text.contains(&second), "{text}");
    let help = lhc(&k, &["search", "wfruns", "--help"]);
    assert!(help.ok().stdout.contains("oldest first"), "{}", help.stdout);
    let id = second;
    let vars = lhc(&k, &["get", "variables", &id]).ok().stdout.clone();
    assert!(!vars.contains("START_MULTIPLE_THREADS"), "{vars}");
    assert!(vars.contains("amount"), "{vars}");
    let json = lhc(&k, &["get", "variables", &id, "--format", "json"]);
    assert!(
        json.ok().stdout.contains("START_MULTIPLE_THREADS"),
        "JSON keeps every variable: {}",
        json.stdout
    );
}

#[test]
fn user_tasks_are_completed_once_and_by_someone() {
    let (k, _dir) = deployed(FLOWS);
    lhc(&k, &["run", "group-sign-off", "--id", "g1"]).ok();
    let out = poll(&k, &["user-task", "list", "--group", "finance"], |o| {
        o.stdout.contains("sign-off")
    });
    let guid = out
        .stdout
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("guid")
        .to_string();
    let out = lhc(
        &k,
        &["user-task", "complete", "g1", &guid, "--result", "ok=true"],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("is assigned to group finance and no user: say who completes it with --user"),
        "{}",
        out.stderr
    );
    let out = lhc(
        &k,
        &[
            "user-task",
            "complete",
            "g1",
            &guid,
            "--result",
            "ok=true",
            "--user",
            "ann",
        ],
    );
    assert!(out.ok().stdout.contains("now DONE"), "{}", out.stdout);
    let out = lhc(
        &k,
        &[
            "user-task",
            "complete",
            "g1",
            &guid,
            "--result",
            "ok=true",
            "--user",
            "ann",
        ],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("is already DONE (by ann): nothing was changed"),
        "{}",
        out.stderr
    );
}

#[test]
fn waiting_runs_say_what_they_wait_for_and_names_get_suggestions() {
    let (k, _dir) = deployed(FLOWS);
    let out = lhc(&k, &["run", "billing", "--wait", "--timeout", "1"]);
    out.failed();
    assert!(
        out.stderr
            .contains("no worker has polled `send-invoice` since the run started"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["run", "invoice-onl"]);
    out.failed();
    assert!(
        out.stderr.contains("did you mean `invoice-online`?"),
        "{}",
        out.stderr
    );
}
