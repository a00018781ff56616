//! The simulation's virtual clock: timers of every kind fire in due order, each at its own
//! virtual instant, and a long wait takes no real time.

use lhw_kernel::sim::{Deployment, EPOCH_MS, Mocks, Sim, SimError, TaskAnswer, TaskCall};
use lhw_proto::littlehorse as pb;
use std::collections::BTreeMap;

const CLOCK_WF: &str = r#"
task flaky() -> str
task note(what: str)
user-task approve "Approve" { ok: bool "OK" required }

workflow clock {
  var flaky-out: str = ""
  var decision: json-obj
  let s = spawn sleeper {
    sleep 3s
    note("sleep")
  }
  let r = spawn retrier {
    flaky-out = flaky() retries 1 backoff 2s..2s
    note("retry")
  }
  decision = ask approve to user "bob" remind note("reminder") after 1s cancel after 4s catch error user-task-cancelled {
    note("deadline")
  }
  wait s, r
}
"#;

fn deployment(text: &str) -> Deployment {
    let compiled = lhw_compiler::compile(text);
    let out = compiled.output.unwrap_or_else(|| {
        panic!("the workflow compiles: {:?}", compiled.diagnostics);
    });
    Deployment {
        struct_defs: out.struct_defs,
        task_defs: out.task_defs,
        external_event_defs: out.external_event_defs,
        workflow_event_defs: out.workflow_event_defs,
        user_task_defs: out.user_task_defs,
        wf_specs: out.wf_specs,
    }
}

/// `flaky` fails its first attempt; `note` succeeds.
struct ClockMocks;

impl Mocks for ClockMocks {
    fn answer(&mut self, call: &TaskCall) -> Option<TaskAnswer> {
        match call.task.as_str() {
            "flaky" if call.attempt == 0 => Some(TaskAnswer::Error("down".into())),
            "flaky" => Some(TaskAnswer::Output(Some(pb::VariableValue {
                value: Some(pb::variable_value::Value::Str("up".into())),
            }))),
            "note" => Some(TaskAnswer::Output(None)),
            _ => None,
        }
    }
}

fn notes(sim: &Sim) -> Vec<(String, i64)> {
    sim.calls()
        .iter()
        .filter(|c| c.task == "note")
        .map(|c| {
            let what = match c.args.first().and_then(|(_, v)| v.value.clone()) {
                Some(pb::variable_value::Value::Str(s)) => s,
                other => format!("{other:?}"),
            };
            (what, c.at_ms - EPOCH_MS)
        })
        .collect()
}

#[test]
fn timers_of_every_kind_fire_in_due_order_at_their_own_instant() {
    let mut sim = Sim::new().expect("a simulation starts");
    sim.deploy(&deployment(CLOCK_WF)).expect("deploys");
    let mut mocks = ClockMocks;
    sim.start("clock", BTreeMap::new(), &mut mocks)
        .expect("starts");
    assert!(notes(&sim).is_empty(), "nothing fires before time moves");
    sim.advance(10_000, &mut mocks).expect("advances");
    assert_eq!(
        notes(&sim),
        vec![
            ("reminder".to_string(), 1_000),
            ("retry".to_string(), 2_000),
            ("sleep".to_string(), 3_000),
            ("deadline".to_string(), 4_000),
        ]
    );
    let flaky: Vec<i64> = sim
        .calls()
        .iter()
        .filter(|c| c.task == "flaky")
        .map(|c| c.at_ms - EPOCH_MS)
        .collect();
    assert_eq!(flaky, vec![0, 2_000], "the retry waits out its backoff");
    let run = sim.wf_run().expect("the run");
    assert_eq!(run.status, pb::LhStatus::Completed as i32);
    assert_eq!(sim.now_ms() - EPOCH_MS, 10_000);
}

#[test]
fn advancing_stops_at_the_target_and_leaves_later_timers_pending() {
    let mut sim = Sim::new().expect("a simulation starts");
    sim.deploy(&deployment(CLOCK_WF)).expect("deploys");
    let mut mocks = ClockMocks;
    sim.start("clock", BTreeMap::new(), &mut mocks)
        .expect("starts");
    sim.advance(2_500, &mut mocks).expect("advances");
    let seen: Vec<String> = notes(&sim).into_iter().map(|(w, _)| w).collect();
    assert_eq!(seen, vec!["reminder", "retry"]);
    let run = sim.wf_run().expect("the run");
    assert_eq!(run.status, pb::LhStatus::Running as i32);
}

#[test]
fn thirty_days_of_daily_timers_take_no_real_time() {
    let text = r#"
task tick(day: int)
workflow month {
  var day: int = 0
  while day < 30 {
    sleep 1d
    day += 1
    tick(day)
  }
}
"#;
    let mut sim = Sim::new().expect("a simulation starts");
    sim.deploy(&deployment(text)).expect("deploys");
    struct Ticks;
    impl Mocks for Ticks {
        fn answer(&mut self, _: &TaskCall) -> Option<TaskAnswer> {
            Some(TaskAnswer::Output(None))
        }
    }
    sim.start("month", BTreeMap::new(), &mut Ticks)
        .expect("starts");
    sim.advance(30 * 86_400_000, &mut Ticks).expect("advances");
    assert_eq!(sim.calls().len(), 30);
    assert_eq!(
        sim.wf_run().expect("the run").status,
        pb::LhStatus::Completed as i32
    );
    // Each tick at its own virtual day, and the clock exactly 30 days on: the days passed in
    // virtual time. How long that takes for real is measured by scripts/bench-test.sh, never
    // asserted (no timed assertions in tests).
    let days: Vec<i64> = sim
        .calls()
        .iter()
        .map(|c| (c.at_ms - EPOCH_MS) / 86_400_000)
        .collect();
    assert_eq!(days, (1..=30).collect::<Vec<i64>>());
    assert_eq!(sim.now_ms() - EPOCH_MS, 30 * 86_400_000);
}

#[test]
fn an_unmocked_task_names_the_task_and_its_node() {
    let mut sim = Sim::new().expect("a simulation starts");
    sim.deploy(&deployment(CLOCK_WF)).expect("deploys");
    struct NoFlaky;
    impl Mocks for NoFlaky {
        fn answer(&mut self, call: &TaskCall) -> Option<TaskAnswer> {
            (call.task == "note").then_some(TaskAnswer::Output(None))
        }
    }
    let err = sim
        .start("clock", BTreeMap::new(), &mut NoFlaky)
        .expect_err("flaky is not mocked");
    let SimError::Unmocked(call) = &err else {
        panic!("unexpected error {err}");
    };
    assert_eq!(call.task, "flaky");
    assert_eq!(call.thread_spec, "retrier");
    assert!(call.node.ends_with("-flaky-TASK"), "{}", call.node);
    assert!(err.to_string().contains("task `flaky` was called"), "{err}");
}
