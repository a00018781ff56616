//! The store's body-only updates (`Store::put_wf_run`, `Store::put_task_run`): when it knows
//! a row with the same status it updates only the body, leaving the index entries alone. Every
//! searchable column must still follow the object: a WfRun migrated to another WfSpec version
//! (same status) is found under the new version, a TaskRun rescheduled (same status) under
//! its new time, and after a rolled-back savepoint the rows are those of the database.

use crate::storage::{Store, StoreError, TaskRunQuery, WfRunQuery};
use lhw_proto::littlehorse::{
    LhStatus, TaskAttempt, TaskDefId, TaskRun, TaskRunId, TaskStatus, WfRun, WfRunId, WfSpecId,
};

fn ts(ms: i64) -> Option<pbjson_types::Timestamp> {
    Some(crate::util::ms_to_ts(ms))
}

fn wf_run(id: &str, revision: i32, status: LhStatus, start_ms: i64) -> WfRun {
    WfRun {
        id: Some(WfRunId {
            id: id.into(),
            parent_wf_run_id: None,
        }),
        wf_spec_id: Some(WfSpecId {
            name: "writes".into(),
            major_version: 0,
            revision,
        }),
        status: status as i32,
        start_time: ts(start_ms),
        ..WfRun::default()
    }
}

fn task_run(run: &str, status: TaskStatus, scheduled_ms: i64, worker: &str) -> TaskRun {
    TaskRun {
        id: Some(TaskRunId {
            wf_run_id: Some(WfRunId {
                id: run.into(),
                parent_wf_run_id: None,
            }),
            task_guid: "g1".into(),
        }),
        task_def_id: Some(TaskDefId {
            name: "writes-task".into(),
        }),
        status: status as i32,
        scheduled_at: ts(scheduled_ms),
        attempts: vec![TaskAttempt {
            status: status as i32,
            task_worker_id: worker.into(),
            ..TaskAttempt::default()
        }],
        ..TaskRun::default()
    }
}

fn in_tx<T>(store: &Store, f: impl FnOnce(&Store) -> T) -> T {
    store.begin().expect("begin");
    let out = f(store);
    store.commit().expect("commit");
    out
}

/// The WfRun keys found by spec revision and status.
fn runs_of(store: &Store, revision: i32, status: LhStatus) -> Vec<String> {
    in_tx(store, |s| {
        s.search_wf_runs(&WfRunQuery {
            spec_name: Some("writes".into()),
            revision: Some(revision),
            status: Some(status as i32),
            limit: 100,
            ..WfRunQuery::default()
        })
        .expect("search")
        .into_iter()
        .map(|(_, key, _)| key)
        .collect()
    })
}

#[test]
fn a_wf_run_written_again_keeps_every_search_column_true() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let mut run = wf_run("w1", 0, LhStatus::Running, 1_000);
    in_tx(&store, |s| s.put_wf_run("w1", &run)).expect("insert");
    // The same status again, a new body: the body-only update.
    run.thread_runs.push(Default::default());
    in_tx(&store, |s| s.put_wf_run("w1", &run)).expect("body");
    let stored = in_tx(&store, |s| s.get_wf_run("w1")).expect("get");
    assert_eq!(stored.map(|r| r.thread_runs.len()), Some(1));
    assert_eq!(runs_of(&store, 0, LhStatus::Running), ["w1"]);

    // Migrated to revision 1 while RUNNING: same status, another indexed column.
    let migrated = wf_run("w1", 1, LhStatus::Running, 1_000);
    in_tx(&store, |s| s.put_wf_run("w1", &migrated)).expect("migrated");
    assert!(runs_of(&store, 0, LhStatus::Running).is_empty());
    assert_eq!(runs_of(&store, 1, LhStatus::Running), ["w1"]);

    // A status change moves it in the index as before.
    let done = wf_run("w1", 1, LhStatus::Completed, 1_000);
    in_tx(&store, |s| s.put_wf_run("w1", &done)).expect("done");
    assert!(runs_of(&store, 1, LhStatus::Running).is_empty());
    assert_eq!(runs_of(&store, 1, LhStatus::Completed), ["w1"]);
}

#[test]
fn a_task_run_written_again_keeps_every_search_column_true() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let find = |status: TaskStatus, earliest: i64| {
        in_tx(&store, |s| {
            s.search_task_runs(&TaskRunQuery {
                task_def: "writes-task".into(),
                status: Some(status as i32),
                earliest_ms: Some(earliest),
                limit: 10,
                ..TaskRunQuery::default()
            })
            .expect("search")
            .len()
        })
    };
    use TaskStatus::*;
    // A TaskRun is found with its WfRun.
    in_tx(&store, |s| {
        s.put_wf_run("t1", &wf_run("t1", 0, LhStatus::Running, 1_000))
    })
    .expect("wf run");
    in_tx(&store, |s| {
        s.put_task_run("t1", &task_run("t1", TaskRunning, 1_000, "a"))
    })
    .expect("1");
    // Same status, new body only.
    in_tx(&store, |s| {
        s.put_task_run("t1", &task_run("t1", TaskRunning, 1_000, "b"))
    })
    .expect("2");
    let stored = in_tx(&store, |s| s.get_task_run("t1", "g1")).expect("get");
    assert_eq!(
        stored.map(|t| t.attempts[0].task_worker_id.clone()),
        Some("b".to_string())
    );
    // Same status, another scheduled time (an indexed column).
    in_tx(&store, |s| {
        s.put_task_run("t1", &task_run("t1", TaskRunning, 5_000, "b"))
    })
    .expect("3");
    assert_eq!(find(TaskRunning, 4_000), 1, "found under its new time");
    in_tx(&store, |s| {
        s.put_task_run("t1", &task_run("t1", TaskSuccess, 5_000, "b"))
    })
    .expect("4");
    assert_eq!(find(TaskRunning, 0), 0);
    assert_eq!(find(TaskSuccess, 4_000), 1);
}

#[test]
fn after_a_rolled_back_savepoint_the_rows_are_the_databases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    in_tx(&store, |s| {
        s.put_wf_run("w2", &wf_run("w2", 0, LhStatus::Running, 1_000))
    })
    .expect("insert");
    store.begin().expect("begin");
    let failed: Result<(), StoreError> = store.atomically(|s| {
        s.put_wf_run("w2", &wf_run("w2", 0, LhStatus::Halted, 1_000))?;
        Err(StoreError::new("undone"))
    });
    assert!(failed.is_err());
    // RUNNING again: the row is RUNNING in the database, whatever the savepoint wrote.
    store
        .put_wf_run("w2", &wf_run("w2", 0, LhStatus::Running, 2_000))
        .expect("again");
    store.commit().expect("commit");
    assert_eq!(runs_of(&store, 0, LhStatus::Running), ["w2"]);
    assert!(runs_of(&store, 0, LhStatus::Halted).is_empty());
    let stored = in_tx(&store, |s| s.get_wf_run("w2")).expect("get");
    assert_eq!(
        stored
            .and_then(|r| r.start_time)
            .map(|t| crate::util::ts_to_ms(&t)),
        Some(2_000)
    );
}
