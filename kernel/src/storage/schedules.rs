//! Scheduled WfRuns (ScheduleWf): one row per `ScheduledWfRun`, with the request that
//! created it (its `major_version`/`revision` may be unset: each fire then runs the
//! newest version, as LittleHorse's `ScheduleWfRunCommandModel` does) and the time of
//! its next fire. The engine re-arms every schedule from this table at start, so
//! schedules survive restarts; a fire time missed while the kernel was down is due at
//! once (see `engine/schedules.rs`).
//!
//! The table is created with `IF NOT EXISTS` at open, like the base schema: it needs no
//! schema version of its own.

use super::{Store, StoreResult, decode};
use lhw_proto::littlehorse::{ScheduleWfRequest, ScheduledWfRun};
use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};

pub(super) const TABLE: &str = "
CREATE TABLE IF NOT EXISTS scheduled_wf_run (
  id TEXT PRIMARY KEY, spec_name TEXT NOT NULL, spec_major INTEGER NOT NULL,
  spec_revision INTEGER NOT NULL, next_fire_ms INTEGER NOT NULL,
  request BLOB NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS scheduled_wf_run_by_spec
  ON scheduled_wf_run (spec_name, spec_major, spec_revision, id);
";

/// Creates the table if missing.
pub(super) fn create(conn: &Connection) -> StoreResult<()> {
    Ok(conn.execute_batch(TABLE)?)
}

/// One stored schedule.
#[derive(Debug, Clone)]
pub(crate) struct StoredSchedule {
    /// The object clients see.
    pub(crate) scheduled: ScheduledWfRun,
    /// The request it was created with (what each fire runs).
    pub(crate) request: ScheduleWfRequest,
    /// When it next fires (epoch ms).
    pub(crate) next_fire_ms: i64,
}

impl Store {
    /// Inserts or replaces a schedule.
    pub(crate) fn put_schedule(&self, s: &StoredSchedule) -> StoreResult<()> {
        let id = s.scheduled.id.clone().unwrap_or_default().id;
        let spec = s.scheduled.wf_spec_id.clone().unwrap_or_default();
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO scheduled_wf_run
                   (id, spec_name, spec_major, spec_revision, next_fire_ms, request, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                spec.name,
                spec.major_version,
                spec.revision,
                s.next_fire_ms,
                s.request.encode_to_vec(),
                s.scheduled.encode_to_vec()
            ])?;
        Ok(())
    }

    /// Moves a schedule's next fire.
    pub(crate) fn set_schedule_next_fire(&self, id: &str, next_fire_ms: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE scheduled_wf_run SET next_fire_ms = ?2 WHERE id = ?1")?
            .execute(params![id, next_fire_ms])?;
        Ok(())
    }

    /// One schedule.
    pub(crate) fn get_schedule(&self, id: &str) -> StoreResult<Option<StoredSchedule>> {
        let row: Option<(Vec<u8>, Vec<u8>, i64)> = self
            .conn
            .prepare_cached(
                "SELECT body, request, next_fire_ms FROM scheduled_wf_run WHERE id = ?1",
            )?
            .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(body, request, next)| {
            Ok(StoredSchedule {
                scheduled: decode(&body)?,
                request: decode(&request)?,
                next_fire_ms: next,
            })
        })
        .transpose()
    }

    /// Deletes a schedule; returns whether it existed.
    pub(crate) fn delete_schedule(&self, id: &str) -> StoreResult<bool> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM scheduled_wf_run WHERE id = ?1")?
            .execute(params![id])?;
        Ok(n > 0)
    }

    /// The ids of the schedules of a WfSpec (optionally one major version, or one
    /// version), by id.
    pub(crate) fn search_schedules(
        &self,
        name: &str,
        major: Option<i32>,
        revision: Option<i32>,
    ) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM scheduled_wf_run WHERE spec_name = ?1
               AND (?2 IS NULL OR spec_major = ?2) AND (?3 IS NULL OR spec_revision = ?3)
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![name, major, revision], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every schedule's id and next fire (for re-arming at start).
    pub(crate) fn schedule_fires(&self) -> StoreResult<Vec<(String, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, next_fire_ms FROM scheduled_wf_run ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
