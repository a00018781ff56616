//! Scheduled WfRuns (ScheduleWf, GetScheduledWfRun, SearchScheduledWfRun,
//! DeleteScheduledWfRun): each cron fire starts one WfRun; schedules are durable and keep
//! firing across a restart, and fire times missed while the kernel was stopped start
//! their runs at once. Firing is tested on the engine driven in process with a virtual
//! clock (no real minutes), on a database on disk that a second engine reopens.

mod common;

use common::{TEST_TIMEOUT, s};
use lhw_kernel::clock::VirtualClock;
use lhw_kernel::engine::Engine;
use lhw_kernel::storage::Store;
use lhw_proto::littlehorse as pb;
use std::collections::BTreeMap;
use std::path::Path;
use tonic::Code;

const WF: &str = r#"
task greet(who: str) -> str

workflow ticker {
  input who: str
  greet(who)
}
"#;

/// 2026-01-01T00:00:00Z (a Thursday).
const T0: i64 = 1_767_225_600_000;
const MIN: i64 = 60_000;

fn batch<T>(e: &mut Engine, f: impl FnOnce(&mut Engine) -> T) -> T {
    e.begin_batch().expect("begin");
    let out = f(e);
    e.end_batch();
    out
}

fn open(dir: &Path) -> Engine {
    Engine::open_in_process(Store::open(dir).expect("store opens")).expect("engine opens")
}

/// Moves the clock to `target`, firing every timer due on the way at its own instant.
fn advance_to(e: &mut Engine, clock: &VirtualClock, target: i64) {
    while let Some(due) = e.next_timer_due().filter(|d| *d <= target) {
        clock.set(due);
        batch(e, Engine::fire_due_timers);
    }
    clock.set(target);
}

fn deploy(e: &mut Engine) {
    let out = lhw_compiler::compile(WF).output.expect("compiles");
    batch(e, |e| {
        for r in out.task_defs {
            lhw_kernel::metadata::put_task_def(e.store(), r).expect("task def");
        }
        for r in out.wf_specs {
            lhw_kernel::wfspec::put_wf_spec(e.store(), r).expect("wf spec");
        }
    });
}

/// The start times (minutes after T0) of the runs of `ticker`, oldest first, with their
/// `who` input.
fn runs(e: &mut Engine) -> Vec<(i64, String)> {
    let ids = batch(e, |e| {
        lhw_kernel::search::search_wf_run(
            e,
            pb::SearchWfRunRequest {
                wf_spec_name: "ticker".into(),
                limit: Some(1000),
                ..Default::default()
            },
        )
    })
    .expect("search")
    .results;
    let mut out: Vec<(i64, String)> = ids
        .iter()
        .map(|id| {
            let key = lhw_kernel::util::wf_run_key(id);
            let run = e
                .store()
                .get_wf_run(&key)
                .expect("read")
                .expect("the run exists");
            let start = lhw_kernel::util::ts_to_ms(run.start_time.as_ref().expect("started"));
            let who = e
                .store()
                .get_variable(&key, 0, "who")
                .expect("read")
                .and_then(|v| v.value)
                .and_then(|v| v.value);
            let who = match who {
                Some(pb::variable_value::Value::Str(w)) => w,
                other => format!("{other:?}"),
            };
            ((start - T0) / MIN, who)
        })
        .collect();
    out.sort();
    out
}

fn schedule(cron: &str, id: &str) -> pb::ScheduleWfRequest {
    pb::ScheduleWfRequest {
        id: Some(id.into()),
        wf_spec_name: "ticker".into(),
        variables: BTreeMap::from([("who".to_string(), s("ann"))]),
        cron_expression: cron.into(),
        ..Default::default()
    }
}

#[test]
fn each_fire_starts_a_run_and_schedules_survive_a_restart_catching_up_missed_fires() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = VirtualClock::install(T0 + 30_000);
    let mut e = open(dir.path());
    deploy(&mut e);
    let created = batch(&mut e, |e| {
        e.schedule_wf(schedule("*/10 * * * *", "every-10"))
    })
    .expect("scheduled");
    assert_eq!(
        created
            .wf_spec_id
            .as_ref()
            .map(|i| (i.name.as_str(), i.major_version)),
        Some(("ticker", 0)),
        "the WfSpec id is resolved"
    );
    assert!(
        runs(&mut e).is_empty(),
        "nothing runs before the first fire time"
    );

    advance_to(&mut e, &clock, T0 + 25 * MIN);
    let who = |mins: &[i64]| -> Vec<(i64, String)> {
        mins.iter().map(|m| (*m, "ann".to_string())).collect()
    };
    assert_eq!(
        runs(&mut e),
        who(&[10, 20]),
        "one run per fire, at its fire time"
    );

    // The kernel stops at 00:25 and starts again at 01:05: 00:30, 00:40, 00:50 and 01:00
    // were missed.
    drop(e);
    clock.set(T0 + 65 * MIN);
    let mut e = open(dir.path());
    assert_eq!(
        e.next_timer_due(),
        Some(T0 + 30 * MIN),
        "re-armed from the database"
    );
    advance_to(&mut e, &clock, T0 + 65 * MIN);
    assert_eq!(
        runs(&mut e),
        who(&[10, 20, 65, 65, 65, 65]),
        "every missed fire starts its run at once after the restart"
    );
    advance_to(&mut e, &clock, T0 + 70 * MIN);
    assert_eq!(runs(&mut e).len(), 7, "then the schedule goes on: 01:10");

    // Deleting stops it; the runs it started stay.
    batch(&mut e, |e| e.delete_scheduled_wf_run("every-10")).expect("deleted");
    advance_to(&mut e, &clock, T0 + 180 * MIN);
    assert_eq!(
        runs(&mut e).len(),
        7,
        "no run after the schedule was deleted"
    );
    drop(e);
    let mut e = open(dir.path());
    advance_to(&mut e, &clock, T0 + 300 * MIN);
    assert_eq!(
        runs(&mut e).len(),
        7,
        "a deleted schedule stays deleted after a restart"
    );
}

#[test]
fn replacing_a_schedule_keeps_one_fire_chain_and_unset_versions_follow_new_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = VirtualClock::install(T0);
    let mut e = open(dir.path());
    deploy(&mut e);
    batch(&mut e, |e| e.schedule_wf(schedule("0 * * * *", "hourly"))).expect("scheduled");
    // The same id again, another cron: it replaces the first (one chain only).
    batch(&mut e, |e| e.schedule_wf(schedule("30 * * * *", "hourly"))).expect("replaced");
    advance_to(&mut e, &clock, T0 + 59 * MIN);
    // A new version of `ticker` (a new variable): the schedule names no version, so the
    // next fire runs the new one, as LittleHorse's ScheduleWfRunCommandModel does.
    let v2 = WF.replace("input who: str", "input who: str\n  var extra: int = 1");
    let out = lhw_compiler::compile(&v2).output.expect("compiles");
    let new_id = batch(&mut e, |e| {
        let spec = lhw_kernel::wfspec::put_wf_spec(e.store(), out.wf_specs[0].clone());
        spec.expect("a new version").id.expect("id")
    });
    advance_to(&mut e, &clock, T0 + 119 * MIN);
    let starts: Vec<i64> = runs(&mut e).into_iter().map(|(m, _)| m).collect();
    assert_eq!(starts, vec![30, 90]);
    let specs: Vec<pb::WfSpecId> = batch(&mut e, |e| {
        lhw_kernel::search::search_wf_run(
            e,
            pb::SearchWfRunRequest {
                wf_spec_name: "ticker".into(),
                ..Default::default()
            },
        )
    })
    .expect("search")
    .results
    .iter()
    .map(|id| {
        let run = e.store().get_wf_run(&lhw_kernel::util::wf_run_key(id));
        run.expect("read")
            .expect("exists")
            .wf_spec_id
            .expect("spec")
    })
    .collect();
    assert_eq!(specs.len(), 2);
    assert_ne!(specs[0], new_id, "the first run ran the old version");
    assert_eq!(specs[1], new_id, "the second run the new one");
    let got = batch(&mut e, |e| e.get_scheduled_wf_run("hourly")).expect("get");
    assert_eq!(got.cron_expression, "30 * * * *");
}

#[tokio::test]
async fn the_rpcs_answer_as_littlehorse_does() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = common::start_deployed(WF).await;
        let err = c
            .schedule_wf(pb::ScheduleWfRequest {
                cron_expression: "0 0 ? * *".into(),
                ..schedule("", "x")
            })
            .await
            .expect_err("a Quartz cron is refused");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().contains("cron_expression"),
            "{}",
            err.message()
        );
        let err = c
            .schedule_wf(pb::ScheduleWfRequest {
                wf_spec_name: "nope".into(),
                ..schedule("* * * * *", "x")
            })
            .await
            .expect_err("a missing WfSpec is refused");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(err.message(), "WfSpec nope null.null does not exist");
        let err = c
            .schedule_wf(schedule("0 0 30 2 *", "x"))
            .await
            .expect_err("a cron that never fires is refused");
        assert_eq!(
            err.message(),
            "Cron expression does not yield a next execution time"
        );

        let made = c
            .schedule_wf(pb::ScheduleWfRequest {
                id: None,
                ..schedule("0 9 * * MON-FRI", "")
            })
            .await
            .expect("scheduled")
            .into_inner();
        let id = made.id.clone().expect("an id is generated");
        assert_eq!(id.id.len(), 32, "a GUID: {}", id.id);
        c.schedule_wf(schedule("*/5 * * * *", "five"))
            .await
            .expect("scheduled");
        let got = c
            .get_scheduled_wf_run(id.clone())
            .await
            .expect("get")
            .into_inner();
        assert_eq!(got, made);
        assert_eq!(got.variables.get("who"), Some(&s("ann")));

        let search = |major: Option<i32>, revision: Option<i32>| pb::SearchScheduledWfRunRequest {
            wf_spec_name: "ticker".into(),
            major_version: major,
            revision,
        };
        let all = c
            .search_scheduled_wf_run(search(None, None))
            .await
            .expect("search")
            .into_inner()
            .results;
        assert_eq!(all.len(), 2);
        let v0 = c
            .search_scheduled_wf_run(search(Some(0), Some(0)))
            .await
            .expect("search")
            .into_inner()
            .results;
        assert_eq!(v0.len(), 2);
        let v1 = c
            .search_scheduled_wf_run(search(Some(1), None))
            .await
            .expect("search")
            .into_inner()
            .results;
        assert!(v1.is_empty());
        let err = c
            .search_scheduled_wf_run(search(None, Some(0)))
            .await
            .expect_err("a revision needs a major version");
        assert_eq!(err.code(), Code::InvalidArgument);

        c.delete_scheduled_wf_run(pb::DeleteScheduledWfRunRequest {
            id: Some(id.clone()),
        })
        .await
        .expect("deleted");
        let err = c.get_scheduled_wf_run(id.clone()).await.expect_err("gone");
        assert_eq!(err.code(), Code::NotFound);
        c.delete_scheduled_wf_run(pb::DeleteScheduledWfRunRequest { id: Some(id) })
            .await
            .expect("deleting a missing schedule is not an error (as LittleHorse)");
        let err = c
            .delete_scheduled_wf_run(pb::DeleteScheduledWfRunRequest { id: None })
            .await
            .expect_err("the id is required");
        assert!(err.message().contains("id"), "{}", err.message());

        // Schedules are durable: a restarted kernel still has them.
        let dir = _dir;
        kernel.shutdown().await;
        let kernel = common::start(dir.path()).await;
        let mut c = common::client(&kernel).await;
        let after = c
            .get_scheduled_wf_run(pb::ScheduledWfRunId { id: "five".into() })
            .await
            .expect("still there after a restart")
            .into_inner();
        assert_eq!(after.cron_expression, "*/5 * * * *");
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}
