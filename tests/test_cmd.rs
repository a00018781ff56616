//! End-to-end tests of `lhc test`: discovery, output, failures with the `.lhw` line, exit
//! codes, coverage, `--filter`, and the JSON and JUnit formats. Also runs the tests of
//! every example.

mod harness;

use harness::{lhc_in as lhc, project};

const WF: &str = "\
task charge(card: str, amount: double) -> str
task notify(text: str)

workflow pay {
  input card: str required
  input amount: double = 10.0
  public var receipt: str = \"\"
  receipt = charge(card, amount) retries 2 backoff 1s..1m x2
  if amount > 100.0 {
    notify(\"big payment {receipt}\")
  }
}
";

const PASSING: &str = "\
test \"pays\" for pay {
  mock charge returns \"r-1\"
  start(card: \"c-1\")
  expect completed
  expect var receipt == \"r-1\"
}

test \"retries with backoff\" for pay {
  mock charge fails then returns \"r-2\"
  start(card: \"c-1\")
  expect running
  advance 1s
  expect completed
  expect called charge(\"c-1\", 10.0) 2 times
}
";

const FAILING: &str = "\
test \"pays\" for pay {
  mock charge returns \"r-1\"
  start(card: \"c-1\")
  expect var receipt == \"r-9\"
}

test \"forgets a mock\" for pay {
  mock charge returns \"r-1\"
  start(card: \"c-1\", amount: 500.0)
}
";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn passing_tests_print_one_line_each_coverage_and_the_summary() {
    let dir = project(&[("pay.lhw", WF), ("pay.test.lhw", PASSING)]);
    let out = lhc(dir.path(), &["test"]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("test pay.test.lhw: pays ... ok"), "{text}");
    assert!(
        text.contains("test pay.test.lhw: retries with backoff ... ok"),
        "{text}"
    );
    assert!(
        text.contains("test result: ok. 2 passed; 0 failed"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "2 passed, 0 failed"), "{text}");
    // The `notify` branch is never taken: its node is listed by line.
    assert!(text.contains("coverage:"), "{text}");
    assert!(text.contains("not reached: pay.lhw:10  "), "{text}");
}

#[test]
fn a_failure_shows_the_line_and_expected_against_actual_and_exits_1() {
    let dir = project(&[("pay.lhw", WF), ("pay.test.lhw", FAILING)]);
    let out = lhc(dir.path(), &["test", "."]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("test pay.test.lhw: pays ... FAILED"),
        "{text}"
    );
    assert!(text.contains("---- pay.test.lhw: pays ----"), "{text}");
    assert!(text.contains("--> pay.test.lhw:4:3"), "{text}");
    assert!(
        text.contains("4 |   expect var receipt == \"r-9\""),
        "{text}"
    );
    assert!(text.contains("expected: \"r-9\""), "{text}");
    assert!(text.contains("actual: \"r-1\""), "{text}");
    // An unmocked task names the task and the line that calls it.
    assert!(
        text.contains("task `notify` is called but not mocked"),
        "{text}"
    );
    assert!(text.contains("(pay.lhw:10)"), "{text}");
    assert!(text.lines().any(|l| l == "0 passed, 2 failed"), "{text}");
}

#[test]
fn filter_runs_only_matching_tests() {
    let dir = project(&[("pay.lhw", WF), ("pay.test.lhw", PASSING)]);
    let out = lhc(dir.path(), &["test", "--filter", "backoff"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("running 1 test\n"), "{text}");
    assert!(
        text.contains("1 passed; 0 failed; 1 filtered out"),
        "{text}"
    );
}

#[test]
fn junit_is_well_formed_xml_with_the_failures() {
    let dir = project(&[("pay.lhw", WF), ("pay.test.lhw", FAILING)]);
    let out = lhc(dir.path(), &["test", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{xml}"
    );
    let mut depth: Vec<String> = Vec::new();
    let mut testcases = 0;
    let mut failures = 0;
    // A small well-formedness check: every tag closes in order, attributes are quoted,
    // no raw `<` or `&` in text.
    let body = &xml[xml.find("?>").map_or(0, |i| i + 2)..];
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(
            !text.contains('>') && entities_only(text),
            "raw text: {text}"
        );
        let close = rest[open..].find('>').expect("tag closes") + open;
        let tag = &rest[open + 1..close];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(depth.pop().as_deref(), Some(name), "{xml}");
        } else {
            let name = tag
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches('/');
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            if name == "testcase" {
                testcases += 1;
            }
            if name == "failure" {
                failures += 1;
            }
            if !tag.ends_with('/') {
                depth.push(name.to_string());
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(depth.is_empty(), "unclosed: {depth:?}");
    assert_eq!((testcases, failures), (2, 2), "{xml}");
    assert!(
        xml.contains("<testsuites name=\"lhc test\" tests=\"2\" failures=\"2\""),
        "{xml}"
    );
}

/// Whether every `&` in `text` starts one of the five XML entities.
fn entities_only(text: &str) -> bool {
    text.match_indices('&').all(|(i, _)| {
        ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
            .iter()
            .any(|e| text[i..].starts_with(e))
    })
}

#[test]
fn json_reports_tests_failures_and_coverage() {
    let dir = project(&[("pay.lhw", WF), ("pay.test.lhw", FAILING)]);
    let out = lhc(dir.path(), &["test", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["passed"], 0);
    assert_eq!(v["failed"], 2);
    assert_eq!(v["tests"][0]["failure"]["line"], 4);
    assert_eq!(v["tests"][0]["failure"]["expected"], "\"r-9\"");
    assert_eq!(v["coverage"][0]["workflow"], "pay");
}

#[test]
fn a_bad_test_file_gets_coded_diagnostics_and_exits_1() {
    let bad = "test \"x\" for pay {\n  mock chrage returns \"r\"\n  start(card: 5)\n}\n";
    let dir = project(&[("pay.lhw", WF), ("pay.test.lhw", bad)]);
    let out = lhc(dir.path(), &["test"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("E0402"), "{err}");
    assert!(err.contains("did you mean `charge`?"), "{err}");
    assert!(stdout(&out).contains("1 test file with errors"));
    // `lhc check` reports the same for a test file.
    let out = lhc(dir.path(), &["check", "pay.test.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0402"));
}

#[test]
fn used_files_that_cannot_be_read_or_have_errors_are_e0413_at_their_use_line() {
    let tests = "use \"missing.lhw\"\nuse \"broken.lhw\"\n\ntest \"x\" for pay {\n  start(card: \"c\")\n}\n";
    let broken = "workflow pay {\n  input card: str required\n  x = 1\n}\n";
    let dir = project(&[("broken.lhw", broken), ("suite.test.lhw", tests)]);
    let out = lhc(dir.path(), &["check", "suite.test.lhw"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("E0413").count(), 2, "{err}");
    assert!(err.contains("cannot read missing.lhw: "), "{err}");
    assert!(
        err.contains("`use` paths are relative to the test file"),
        "{err}"
    );
    assert!(err.contains("broken.lhw has errors"), "{err}");
    assert!(
        err.contains("fix it first: `lhc check broken.lhw`"),
        "{err}"
    );
}

#[test]
fn no_test_files_is_an_error() {
    let dir = project(&[("pay.lhw", WF)]);
    let out = lhc(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no test files found"));
}

#[test]
fn the_examples_pass_their_tests() {
    let out = lhc(&harness::repo(), &["test", "examples"]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Days of virtual time (a 7-day deadline, retries with backoff) pass without waiting; the
    // time it takes is measured by scripts/bench-test.sh, never asserted here.
    assert!(text.contains("test examples/purchase-approval.test.lhw: expires when nobody answers for 7 days ... ok"), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}

/// Every example's tests reach every node and every edge of its workflows, failure paths
/// included (issue 11: "tests that cover its paths").
#[test]
fn the_examples_tests_cover_every_node_and_edge() {
    let out = lhc(&harness::repo(), &["test", "examples", "--format", "json"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let coverage = v["coverage"].as_array().expect("coverage");
    let workflows: Vec<&str> = coverage
        .iter()
        .map(|c| c["workflow"].as_str().expect("workflow"))
        .collect();
    // Every workflow of examples/ and examples/e2e/ but `shipment`, which runs only under a
    // parent WfRun (kernel/tests/e2e/order_shipment.rs runs it).
    for example in [
        "hello",
        "inventory",
        "order-approval",
        "purchase-approval",
        "retry-loop",
        "approval-quorum",
        "scheduled-delivery",
        "expense-approval",
        "urgent-expense",
        "loyalty-statement",
        "route-notification",
        "order-billing",
        "invoice",
        "order-payment",
        "order-fulfilment",
        "pack-order",
        "pack-strict",
        "charge-with-retries",
        "hold-with-timeout",
        "reserve-line",
        "reserve-strict",
        "fastest-quote",
        "any-quote",
    ] {
        assert!(
            workflows.contains(&example),
            "{example} untested: {workflows:?}"
        );
    }
    for c in coverage {
        assert_eq!(c["nodes_visited"], c["nodes_total"], "{c}");
        assert_eq!(c["edges_visited"], c["edges_total"], "{c}");
        assert_eq!(c["unvisited"], serde_json::json!([]), "{c}");
    }
}

/// Timestamps, bytes and WfRunIds are written in tests as in a `.lhw` default: an RFC 3339
/// date-time or epoch milliseconds, base64 text, `parent_child`.
#[test]
fn encoded_values_are_written_as_in_lhw_defaults() {
    const DUE: &str = "\
task go(at: timestamp, data: bytes)

workflow due {
  input at: timestamp required
  input data: bytes required
  sleep until at
  go(at, data)
}
";
    const TESTS: &str = "\
test \"at a date-time\" for due {
  mock go(\"2026-01-01T00:01:00Z\", \"AQID\") returns
  start(at: \"2026-01-01T00:01:00Z\", data: \"AQID\")
  advance 59s
  expect running
  advance 1s
  expect completed
}

test \"at epoch milliseconds\" for due {
  mock go(1767225660000, \"AQID\") returns
  start(at: 1767225660000, data: \"AQID\")
  advance 1m
  expect called go(\"2026-01-01T00:01:00Z\", \"AQID\") once
}
";
    let dir = project(&[("due.lhw", DUE), ("due.test.lhw", TESTS)]);
    let out = lhc(dir.path(), &["test"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("2 passed, 0 failed"),
        "{}",
        stdout(&out)
    );

    let bad = "test \"tomorrow\" for due {\n  start(at: \"tomorrow\", data: \"AQID\")\n}\n";
    let dir = project(&[("due.lhw", DUE), ("due.test.lhw", bad)]);
    let out = lhc(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E0404"), "{err}");
    assert!(err.contains("not an RFC 3339 date-time"), "{err}");
}
