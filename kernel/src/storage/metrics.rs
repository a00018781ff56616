//! The `metric_window` table: one MetricWindow per measured object (a WfSpec
//! version or a TaskDef) and per minute, updated in the transaction that
//! writes the WfRun or TaskRun whose status changed (see `crate::metrics`).
//!
//! The windows being counted are kept in memory ([`PendingWindows`]): a change updates the
//! window there, and the store writes each changed window once, just before the transaction
//! commits (or before anything reads the table), instead of reading, decoding, encoding and
//! writing the window at every WfRun and TaskRun write (docs/performance.md). Counted in the
//! same transaction as before: a batch that rolls back drops its counts with the memory.

use super::{Store, StoreResult, decode};
use lhw_proto::littlehorse::MetricWindow;
use rusqlite::{OptionalExtension, params};
use std::cell::RefCell;
use std::collections::HashMap;

/// The table (created at every open, like the other operating tables).
pub(super) const METRICS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS metric_window (
  kind INTEGER NOT NULL, name TEXT NOT NULL, major INTEGER NOT NULL, revision INTEGER NOT NULL,
  window_ms INTEGER NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (kind, name, major, revision, window_ms));
CREATE INDEX IF NOT EXISTS metric_window_by_time ON metric_window (kind, window_ms);
";

/// The key of one metric window.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricKey {
    /// `MetricWindowType` (WORKFLOW_METRIC, TASK_METRIC).
    pub(crate) kind: i32,
    /// The WfSpec or TaskDef name.
    pub(crate) name: String,
    /// The WfSpec major version (0 for a TaskDef).
    pub(crate) major: i32,
    /// The WfSpec revision (0 for a TaskDef).
    pub(crate) revision: i32,
    /// The window's start, epoch ms (a whole minute).
    pub(crate) window_ms: i64,
}

/// Which windows [`Store::metric_windows`] returns.
#[derive(Debug, Clone)]
pub struct MetricQuery {
    /// `MetricWindowType`.
    pub kind: i32,
    /// Only this name (all names when `None`).
    pub name: Option<String>,
    /// Only this version (major, revision) of that name.
    pub version: Option<(i32, i32)>,
    /// Windows starting at or after (epoch ms).
    pub earliest_ms: Option<i64>,
    /// Windows starting at or before (epoch ms).
    pub latest_ms: Option<i64>,
}

/// The windows counted in memory: each with whether it changed since it was last written.
#[derive(Default)]
pub(super) struct PendingWindows {
    windows: RefCell<HashMap<MetricKey, (MetricWindow, bool)>>,
}

impl PendingWindows {
    /// Forgets every window (the transaction rolled back: the table is the truth again).
    pub(super) fn clear(&self) {
        self.windows.borrow_mut().clear();
    }

    /// How many windows are held (tests of the bound).
    pub(super) fn len(&self) -> usize {
        self.windows.borrow().len()
    }
}

impl Store {
    /// Applies `f` to the window `k`, read from the table the first time, created by `make`
    /// when the table has none (after deleting the windows that started before
    /// `expired_before`, the retention rule). Written by [`Store::write_metric_windows`].
    pub(crate) fn update_metric_window(
        &self,
        k: &MetricKey,
        expired_before: i64,
        make: impl FnOnce() -> MetricWindow,
        f: impl FnOnce(&mut MetricWindow),
    ) -> StoreResult<()> {
        if let Some((w, changed)) = self.metric_windows_pending.windows.borrow_mut().get_mut(k) {
            f(w);
            *changed = true;
            return Ok(());
        }
        let mut w = match self.read_metric_window(k)? {
            Some(w) => w,
            None => {
                self.delete_metric_windows_before(expired_before)?;
                make()
            }
        };
        f(&mut w);
        self.metric_windows_pending
            .windows
            .borrow_mut()
            .insert(k.clone(), (w, true));
        Ok(())
    }

    /// Writes every window changed in memory into the current transaction; keeps in memory
    /// only the windows that start at or after `keep_from` (the current minute's: older ones
    /// are no longer counted into).
    pub(crate) fn write_metric_windows(&self, keep_from: i64) -> StoreResult<()> {
        let mut windows = self.metric_windows_pending.windows.borrow_mut();
        for (k, (w, changed)) in windows.iter_mut() {
            if *changed {
                self.put_metric_window(k, w)?;
                *changed = false;
            }
        }
        windows.retain(|k, _| k.window_ms >= keep_from);
        Ok(())
    }

    /// Reads one metric window (with every count made so far).
    pub(crate) fn get_metric_window(&self, k: &MetricKey) -> StoreResult<Option<MetricWindow>> {
        self.write_metric_windows(i64::MIN)?;
        self.read_metric_window(k)
    }

    /// Reads one metric window from the table.
    fn read_metric_window(&self, k: &MetricKey) -> StoreResult<Option<MetricWindow>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM metric_window WHERE kind = ?1 AND name = ?2 AND major = ?3
                 AND revision = ?4 AND window_ms = ?5",
            )?
            .query_row(
                params![k.kind, k.name, k.major, k.revision, k.window_ms],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// Inserts or replaces one metric window. A window is written at almost every commit:
    /// an UPDATE of its body leaves the key index and `metric_window_by_time` alone, where
    /// `INSERT OR REPLACE` deleted the row and inserted it again with all its index entries.
    fn put_metric_window(&self, k: &MetricKey, w: &MetricWindow) -> StoreResult<()> {
        let mut body = self.encode_buffer.borrow_mut();
        super::encode_into(w, &mut body);
        let updated = self
            .conn
            .prepare_cached(
                "UPDATE metric_window SET body = ?6 WHERE kind = ?1 AND name = ?2 AND major = ?3
                 AND revision = ?4 AND window_ms = ?5",
            )?
            .execute(params![
                k.kind,
                k.name,
                k.major,
                k.revision,
                k.window_ms,
                body.as_slice()
            ])?;
        if updated == 0 {
            self.conn
                .prepare_cached(
                    "INSERT INTO metric_window (kind, name, major, revision, window_ms, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    k.kind,
                    k.name,
                    k.major,
                    k.revision,
                    k.window_ms,
                    body.as_slice()
                ])?;
        }
        Ok(())
    }

    /// The windows matching a query, ordered by name, version, then start time.
    pub fn metric_windows(&self, q: &MetricQuery) -> StoreResult<Vec<(MetricKey, MetricWindow)>> {
        self.write_metric_windows(i64::MIN)?;
        let (major, revision) = q.version.unwrap_or((-1, -1));
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, major, revision, window_ms, body FROM metric_window
             WHERE kind = ?1 AND (?2 IS NULL OR name = ?2) AND (?3 < 0 OR major = ?3)
               AND (?4 < 0 OR revision = ?4) AND (?5 IS NULL OR window_ms >= ?5)
               AND (?6 IS NULL OR window_ms <= ?6)
             ORDER BY name, major, revision, window_ms",
        )?;
        let rows = stmt.query_map(
            params![q.kind, q.name, major, revision, q.earliest_ms, q.latest_ms],
            |r| {
                Ok((
                    MetricKey {
                        kind: q.kind,
                        name: r.get(0)?,
                        major: r.get(1)?,
                        revision: r.get(2)?,
                        window_ms: r.get(3)?,
                    },
                    r.get::<_, Vec<u8>>(4)?,
                ))
            },
        )?;
        rows.map(|row| {
            let (k, body) = row?;
            Ok((k, decode(&body)?))
        })
        .collect()
    }

    /// Deletes the windows that started before `ms` (retention).
    pub(crate) fn delete_metric_windows_before(&self, ms: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM metric_window WHERE window_ms < ?1")?
            .execute(params![ms])?;
        Ok(())
    }
}
