//! Tables of the operating features: task worker groups (RegisterTaskWorker
//! heartbeats), task checkpoints (PutCheckpoint), archived ThreadRuns
//! (InactiveThreadRun, under a ThreadRetentionPolicy), the deletion schedule of
//! ExternalEvents under their ExternalEventDef's retention policy, and the
//! scans behind SearchExternalEvent / SearchCorrelatedEvent /
//! SearchWorkflowEvent.
//!
//! The tables are created with `IF NOT EXISTS` at every open: they are new
//! tables only (no column of an older table changes), so a data directory
//! written by an older kernel gains them without a schema migration.

use super::{Store, StoreResult, decode, limit_param};
use lhw_proto::littlehorse::{
    Checkpoint, CorrelatedEvent, ExternalEvent, InactiveThreadRun, TaskWorkerGroup, WorkflowEvent,
};
use prost::Message;
use rusqlite::{OptionalExtension, params};

/// The operating tables.
pub(super) const OPS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS task_worker_group (task_def TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoint (
  wf_run TEXT NOT NULL, guid TEXT NOT NULL, number INTEGER NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (wf_run, guid, number));
CREATE TABLE IF NOT EXISTS external_event_gc (
  wf_run TEXT NOT NULL, def_name TEXT NOT NULL, guid TEXT NOT NULL, due_ms INTEGER NOT NULL,
  PRIMARY KEY (wf_run, def_name, guid));
CREATE TABLE IF NOT EXISTS inactive_thread_run (
  wf_run TEXT NOT NULL, number INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (wf_run, number));
CREATE INDEX IF NOT EXISTS external_event_gc_by_due ON external_event_gc (due_ms);
CREATE INDEX IF NOT EXISTS external_event_by_def ON external_event (def_name);
CREATE INDEX IF NOT EXISTS workflow_event_by_def ON workflow_event (def_name);
";

/// One ExternalEvent due for deletion under its def's retention policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventGcRow {
    /// The WfRun key.
    pub(crate) wf_run: String,
    /// The ExternalEventDef name.
    pub(crate) def_name: String,
    /// The event's guid.
    pub(crate) guid: String,
}

impl Store {
    /// The TaskWorkerGroup of a TaskDef, if a worker ever registered.
    pub(crate) fn get_task_worker_group(
        &self,
        task_def: &str,
    ) -> StoreResult<Option<TaskWorkerGroup>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM task_worker_group WHERE task_def = ?1")?
            .query_row(params![task_def], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// Inserts or replaces the TaskWorkerGroup of a TaskDef.
    pub(crate) fn put_task_worker_group(
        &self,
        task_def: &str,
        g: &TaskWorkerGroup,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO task_worker_group (task_def, body) VALUES (?1, ?2)",
            )?
            .execute(params![task_def, g.encode_to_vec()])?;
        Ok(())
    }

    /// Deletes the TaskWorkerGroup of a TaskDef (with the TaskDef).
    pub(crate) fn delete_task_worker_group(&self, task_def: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM task_worker_group WHERE task_def = ?1")?
            .execute(params![task_def])?;
        Ok(())
    }

    /// Stores checkpoint `number` of a TaskRun.
    pub(crate) fn put_checkpoint(&self, key: &str, guid: &str, cp: &Checkpoint) -> StoreResult<()> {
        let number = cp.id.as_ref().map_or(0, |i| i.checkpoint_number);
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO checkpoint (wf_run, guid, number, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![key, guid, number, cp.encode_to_vec()])?;
        Ok(())
    }

    /// Reads checkpoint `number` of a TaskRun.
    pub(crate) fn get_checkpoint(
        &self,
        key: &str,
        guid: &str,
        number: i32,
    ) -> StoreResult<Option<Checkpoint>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM checkpoint WHERE wf_run = ?1 AND guid = ?2 AND number = ?3",
            )?
            .query_row(params![key, guid, number], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// Stores an archived ThreadRun of a WfRun.
    pub(crate) fn put_inactive_thread_run(
        &self,
        key: &str,
        t: &InactiveThreadRun,
    ) -> StoreResult<()> {
        let number = t.thread_run.as_ref().map_or(0, |t| t.number);
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO inactive_thread_run (wf_run, number, body) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key, number, t.encode_to_vec()])?;
        Ok(())
    }

    /// Reads an archived ThreadRun.
    pub(crate) fn get_inactive_thread_run(
        &self,
        key: &str,
        number: i32,
    ) -> StoreResult<Option<InactiveThreadRun>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM inactive_thread_run WHERE wf_run = ?1 AND number = ?2",
            )?
            .query_row(params![key, number], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// The archived ThreadRuns of a WfRun, by number.
    pub(crate) fn list_inactive_thread_runs(
        &self,
        key: &str,
    ) -> StoreResult<Vec<InactiveThreadRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM inactive_thread_run WHERE wf_run = ?1 ORDER BY number",
        )?;
        let rows = stmt.query_map(params![key], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Every ExternalEvent of an ExternalEventDef (any WfRun), with its WfRun key.
    pub(crate) fn external_events_of_def(
        &self,
        def: &str,
    ) -> StoreResult<Vec<(String, ExternalEvent)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT wf_run, body FROM external_event WHERE def_name = ?1")?;
        let rows = stmt.query_map(params![def], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|row| {
            let (key, body) = row?;
            Ok((key, decode(&body)?))
        })
        .collect()
    }

    /// Every CorrelatedEvent of an ExternalEventDef.
    pub(crate) fn correlated_events_of_def(&self, def: &str) -> StoreResult<Vec<CorrelatedEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM correlated_event WHERE def_name = ?1")?;
        let rows = stmt.query_map(params![def], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Every WorkflowEvent of a WorkflowEventDef (any WfRun), with its WfRun key.
    pub(crate) fn workflow_events_of_def(
        &self,
        def: &str,
    ) -> StoreResult<Vec<(String, WorkflowEvent)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT wf_run, body FROM workflow_event WHERE def_name = ?1")?;
        let rows = stmt.query_map(params![def], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|row| {
            let (key, body) = row?;
            Ok((key, decode(&body)?))
        })
        .collect()
    }

    /// Schedules the deletion of an ExternalEvent at `due_ms`.
    pub(crate) fn put_event_gc(&self, row: &EventGcRow, due_ms: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO external_event_gc (wf_run, def_name, guid, due_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![row.wf_run, row.def_name, row.guid, due_ms])?;
        Ok(())
    }

    /// Up to `limit` ExternalEvents whose deletion is due at `now_ms`.
    pub(crate) fn due_event_gc(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<EventGcRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT wf_run, def_name, guid FROM external_event_gc WHERE due_ms <= ?1
             ORDER BY due_ms LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now_ms, limit_param(limit)], |r| {
            Ok(EventGcRow {
                wf_run: r.get(0)?,
                def_name: r.get(1)?,
                guid: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the next ExternalEvent deletion is due.
    pub(crate) fn next_event_gc_due(&self) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT MIN(due_ms) FROM external_event_gc", [], |r| {
                r.get(0)
            })?)
    }

    /// Drops the scheduled deletion of an ExternalEvent (a claimed one stays).
    pub(crate) fn delete_event_gc(&self, row: &EventGcRow) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "DELETE FROM external_event_gc WHERE wf_run = ?1 AND def_name = ?2 AND guid = ?3",
            )?
            .execute(params![row.wf_run, row.def_name, row.guid])?;
        Ok(())
    }

    /// Deletes an ExternalEvent (if still stored) and its scheduled deletion.
    pub(crate) fn delete_external_event(&self, row: &EventGcRow) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "DELETE FROM external_event WHERE wf_run = ?1 AND def_name = ?2 AND guid = ?3",
            )?
            .execute(params![row.wf_run, row.def_name, row.guid])?;
        self.conn
            .prepare_cached(
                "DELETE FROM external_event_gc WHERE wf_run = ?1 AND def_name = ?2 AND guid = ?3",
            )?
            .execute(params![row.wf_run, row.def_name, row.guid])?;
        Ok(())
    }
}
