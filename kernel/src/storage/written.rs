//! What the store last wrote of each unfinished WfRun and TaskRun: their statuses, so that
//! the metrics (`crate::metrics`, which count status changes) and the Output Topic stage
//! (`engine/output_topic.rs`, which records a WfRun whose status changed) compare with the
//! stored object without reading it back. Before this memory every TaskRun write read the
//! stored TaskRun and decoded it whole, and every WfRun write selected its stored status:
//! two reads per step of a run on the engine thread (docs/performance.md).
//!
//! The memory always equals the database as seen inside the current transaction: it is
//! filled by writes and by reads that missed it, forgotten when a transaction or savepoint
//! rolls back (the database went back, the memory cannot follow) and for a WfRun when it is
//! deleted. A finished object is forgotten too (it is rarely written again; a later write
//! reads the database as before), which bounds the memory by the unfinished runs and tasks.

use std::cell::RefCell;
use std::collections::HashMap;

use lhw_proto::littlehorse::{LhStatus, TaskRun, TaskStatus};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreResult, decode};

/// The statuses of a stored TaskRun: its own and each attempt's, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskRunStatuses {
    /// `TaskRun.status`.
    pub(crate) status: i32,
    /// `TaskAttempt.status` of every attempt.
    pub(crate) attempts: Vec<i32>,
}

/// The memory itself (one per store, used only by the engine thread that owns the store).
#[derive(Default)]
pub(super) struct Written {
    /// WfRun status by WfRun key: `None` = known never written.
    wf_runs: RefCell<HashMap<String, Option<i32>>>,
    /// TaskRun statuses by WfRun key, then TaskRun guid: `None` = known never written.
    task_runs: RefCell<HashMap<String, HashMap<String, Option<TaskRunStatuses>>>>,
}

impl Written {
    /// The remembered status of a WfRun: `Some(stored)` when known, `None` when unknown.
    pub(super) fn wf_run(&self, key: &str) -> Option<Option<i32>> {
        self.wf_runs.borrow().get(key).copied()
    }

    /// Remembers the stored status of a WfRun (forgets a finished one).
    pub(super) fn set_wf_run(&self, key: &str, status: Option<i32>, finished: bool) {
        let mut runs = self.wf_runs.borrow_mut();
        if finished {
            runs.remove(key);
        } else if let Some(slot) = runs.get_mut(key) {
            *slot = status;
        } else {
            runs.insert(key.to_string(), status);
        }
    }

    /// The remembered statuses of a TaskRun: `Some(stored)` when known, `None` when unknown.
    pub(super) fn task_run(&self, key: &str, guid: &str) -> Option<Option<TaskRunStatuses>> {
        self.task_runs
            .borrow()
            .get(key)
            .and_then(|tasks| tasks.get(guid))
            .cloned()
    }

    /// The remembered status of a stored TaskRun (`None` when unknown or not stored).
    pub(super) fn task_run_status(&self, key: &str, guid: &str) -> Option<i32> {
        self.task_runs
            .borrow()
            .get(key)
            .and_then(|tasks| tasks.get(guid))
            .and_then(|s| s.as_ref().map(|s| s.status))
    }

    /// Remembers the stored statuses of a TaskRun (forgets a finished one).
    pub(super) fn set_task_run(
        &self,
        key: &str,
        guid: &str,
        statuses: Option<TaskRunStatuses>,
        finished: bool,
    ) {
        let mut runs = self.task_runs.borrow_mut();
        if finished {
            if let Some(tasks) = runs.get_mut(key) {
                tasks.remove(guid);
                if tasks.is_empty() {
                    runs.remove(key);
                }
            }
            return;
        }
        runs.entry(key.to_string())
            .or_default()
            .insert(guid.to_string(), statuses);
    }

    /// Forgets everything of one WfRun (it was deleted).
    pub(super) fn forget_run(&self, key: &str) {
        self.wf_runs.borrow_mut().remove(key);
        self.task_runs.borrow_mut().remove(key);
    }

    /// Forgets everything (the transaction rolled back).
    pub(super) fn clear(&self) {
        self.wf_runs.borrow_mut().clear();
        self.task_runs.borrow_mut().clear();
    }

    /// How many objects are remembered (tests of the bound).
    pub(super) fn len(&self) -> usize {
        self.wf_runs.borrow().len()
            + self
                .task_runs
                .borrow()
                .values()
                .map(HashMap::len)
                .sum::<usize>()
    }
}

/// Whether a WfRun status is final (COMPLETED, ERROR, EXCEPTION).
pub(super) fn wf_run_finished(status: i32) -> bool {
    matches!(
        LhStatus::try_from(status),
        Ok(LhStatus::Completed | LhStatus::Error | LhStatus::Exception)
    )
}

/// Whether a TaskRun status is final (neither PENDING, SCHEDULED nor RUNNING).
pub(super) fn task_run_finished(status: i32) -> bool {
    !matches!(
        TaskStatus::try_from(status),
        Ok(TaskStatus::TaskPending | TaskStatus::TaskScheduled | TaskStatus::TaskRunning)
    )
}

/// The statuses of a TaskRun.
pub(super) fn task_run_statuses(tr: &TaskRun) -> TaskRunStatuses {
    TaskRunStatuses {
        status: tr.status,
        attempts: tr.attempts.iter().map(|a| a.status).collect(),
    }
}

impl Store {
    /// The stored status of a WfRun (`None` when it is not stored yet).
    pub fn stored_wf_run_status(&self, key: &str) -> StoreResult<Option<i32>> {
        if let Some(known) = self.written.wf_run(key) {
            return Ok(known);
        }
        let status: Option<i32> = self
            .conn
            .prepare_cached("SELECT status FROM wf_run WHERE id = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()?;
        let finished = status.is_some_and(wf_run_finished);
        self.written.set_wf_run(key, status, finished);
        Ok(status)
    }

    /// The statuses of a stored TaskRun (`None` when it is not stored yet).
    pub(crate) fn stored_task_run_statuses(
        &self,
        key: &str,
        guid: &str,
    ) -> StoreResult<Option<TaskRunStatuses>> {
        if let Some(known) = self.written.task_run(key, guid) {
            return Ok(known);
        }
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM task_run WHERE wf_run = ?1 AND guid = ?2")?
            .query_row(params![key, guid], |r| r.get(0))
            .optional()?;
        let stored = body
            .map(|b| decode::<TaskRun>(&b))
            .transpose()?
            .map(|tr| task_run_statuses(&tr));
        let finished = stored.as_ref().is_some_and(|s| task_run_finished(s.status));
        self.written
            .set_task_run(key, guid, stored.clone(), finished);
        Ok(stored)
    }

    /// How many objects and metric windows the store holds in memory (a bound the soak
    /// test checks: it must not grow with the number of finished runs).
    pub fn remembered(&self) -> usize {
        self.written.len() + self.metric_windows_pending.len() + self.latest_specs.len()
    }

    /// Forgets what the store remembers (after a rollback).
    pub(super) fn forget_written(&self) {
        self.written.clear();
        self.metric_windows_pending.clear();
        self.latest_specs.clear();
    }
}
