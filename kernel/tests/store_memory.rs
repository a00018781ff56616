//! The store's memory of what it wrote (`storage/written.rs`) and of the metric windows it
//! counts (`storage/metrics.rs`): the counts are those of a store that reads everything back
//! (every status change counted once, in the transaction that wrote it), a rollback forgets
//! them, and the memory does not grow with the number of finished runs.

use lhw_kernel::storage::{MetricQuery, Store};
use lhw_proto::littlehorse::{
    LhStatus, MetricWindowType, TaskAttempt, TaskDefId, TaskRun, TaskRunId, TaskStatus, WfRun,
    WfRunId, WfSpecId, metric_window,
};

fn ts(ms: i64) -> Option<pbjson_types::Timestamp> {
    Some(lhw_kernel::util::ms_to_ts(ms))
}

fn wf_run(id: &str, status: LhStatus) -> WfRun {
    WfRun {
        id: Some(WfRunId {
            id: id.into(),
            parent_wf_run_id: None,
        }),
        wf_spec_id: Some(WfSpecId {
            name: "memo".into(),
            major_version: 0,
            revision: 0,
        }),
        status: status as i32,
        start_time: ts(lhw_kernel::util::now_ms()),
        ..WfRun::default()
    }
}

fn task_run(run: &str, guid: &str, attempts: &[TaskStatus], status: TaskStatus) -> TaskRun {
    let now = lhw_kernel::util::now_ms();
    TaskRun {
        id: Some(TaskRunId {
            wf_run_id: Some(WfRunId {
                id: run.into(),
                parent_wf_run_id: None,
            }),
            task_guid: guid.into(),
        }),
        task_def_id: Some(TaskDefId {
            name: "memo-task".into(),
        }),
        status: status as i32,
        scheduled_at: ts(now),
        attempts: attempts
            .iter()
            .map(|s| TaskAttempt {
                status: *s as i32,
                schedule_time: ts(now),
                start_time: (*s != TaskStatus::TaskScheduled)
                    .then_some(now)
                    .and_then(ts),
                end_time: (*s == TaskStatus::TaskSuccess).then_some(now).and_then(ts),
                ..TaskAttempt::default()
            })
            .collect(),
        ..TaskRun::default()
    }
}

/// One run with one task, each status change in its own transaction (as the engine's batches).
fn run_once(store: &Store, id: &str) {
    use TaskStatus::*;
    let steps: [(&[TaskStatus], TaskStatus, LhStatus); 3] = [
        (&[TaskScheduled], TaskScheduled, LhStatus::Running),
        (&[TaskRunning], TaskRunning, LhStatus::Running),
        (&[TaskSuccess], TaskSuccess, LhStatus::Completed),
    ];
    for (attempts, status, run_status) in steps {
        store.begin().expect("begin");
        store
            .put_task_run(id, &task_run(id, "g1", attempts, status))
            .expect("task run");
        store
            .put_wf_run(id, &wf_run(id, run_status))
            .expect("wf run");
        store.commit().expect("commit");
    }
}

struct Counts {
    started: i32,
    completed: i32,
    to_running: i32,
    to_success: i32,
    task_completed: i32,
}

/// The counts of every window, read back from the database.
fn counts(store: &Store) -> Counts {
    let mut c = Counts {
        started: 0,
        completed: 0,
        to_running: 0,
        to_success: 0,
        task_completed: 0,
    };
    let query = |kind: MetricWindowType| MetricQuery {
        kind: kind as i32,
        name: None,
        version: None,
        earliest_ms: None,
        latest_ms: None,
    };
    store.begin().expect("begin");
    let wf = store
        .metric_windows(&query(MetricWindowType::WorkflowMetric))
        .expect("windows");
    let tasks = store
        .metric_windows(&query(MetricWindowType::TaskMetric))
        .expect("windows");
    store.commit().expect("commit");
    let n = |x: &Option<lhw_proto::littlehorse::CountAndTiming>| x.as_ref().map_or(0, |c| c.count);
    for (_, w) in wf {
        if let Some(metric_window::Metric::Workflow(m)) = w.metric {
            c.started += n(&m.started);
            c.completed += n(&m.running_to_completed);
        }
    }
    for (_, w) in tasks {
        if let Some(metric_window::Metric::Task(m)) = w.metric {
            c.to_running += n(&m.taskattempt_scheduled_to_running);
            c.to_success += n(&m.taskattempt_running_to_success);
            c.task_completed += n(&m.taskrun_created_to_completed);
        }
    }
    c
}

#[test]
fn every_status_change_is_counted_once_and_finished_runs_are_forgotten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    for i in 0..200 {
        run_once(&store, &format!("memo-{i}"));
    }
    let c = counts(&store);
    assert_eq!(c.started, 200);
    assert_eq!(c.completed, 200);
    assert_eq!(c.to_running, 200);
    assert_eq!(c.to_success, 200);
    assert_eq!(c.task_completed, 200);
    // Nothing of the 200 finished runs is remembered: at most the current windows (one
    // WfSpec, one TaskDef; two minutes when the run crossed a minute).
    assert!(
        store.remembered() <= 4,
        "the store remembers {} objects after 200 finished runs",
        store.remembered()
    );

    // The same counts after reopening: they were written to the database.
    drop(store);
    let store = Store::open(dir.path()).expect("store again");
    let again = counts(&store);
    assert_eq!(again.started, 200);
    assert_eq!(again.task_completed, 200);
}

#[test]
fn a_rollback_forgets_what_the_transaction_wrote_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    run_once(&store, "kept");

    store.begin().expect("begin");
    store
        .put_wf_run("gone", &wf_run("gone", LhStatus::Running))
        .expect("wf run");
    store
        .put_task_run(
            "gone",
            &task_run(
                "gone",
                "g1",
                &[TaskStatus::TaskRunning],
                TaskStatus::TaskRunning,
            ),
        )
        .expect("task run");
    assert_eq!(
        store.stored_wf_run_status("gone").expect("status"),
        Some(LhStatus::Running as i32)
    );
    store.rollback();
    assert_eq!(store.stored_wf_run_status("gone").expect("status"), None);
    let c = counts(&store);
    assert_eq!(c.started, 1, "the rolled-back start is not counted");
    assert_eq!(c.to_running, 1);

    // Written again after the rollback: counted once, as a new run.
    run_once(&store, "gone");
    let c = counts(&store);
    assert_eq!(c.started, 2);
    assert_eq!(c.to_running, 2);
    assert_eq!(c.task_completed, 2);
}

#[test]
fn a_deleted_run_is_forgotten_and_counted_afresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    store.begin().expect("begin");
    store
        .put_wf_run("again", &wf_run("again", LhStatus::Running))
        .expect("wf run");
    store.commit().expect("commit");
    store.begin().expect("begin");
    store.delete_wf_run("again").expect("delete");
    assert_eq!(store.stored_wf_run_status("again").expect("status"), None);
    store
        .put_wf_run("again", &wf_run("again", LhStatus::Running))
        .expect("wf run");
    store.commit().expect("commit");
    assert_eq!(counts(&store).started, 2);
}
