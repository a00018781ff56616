//! Durable storage: one SQLite database (WAL, `synchronous=FULL`) in the data
//! directory holding prost-encoded protobuf messages keyed by their ids.
//!
//! The [`Store`] is owned by the single engine thread; it runs one explicit
//! transaction at a time ([`Store::begin`] / [`Store::commit`]) so that every
//! change acknowledged to a client has been committed first.

mod checkpointer;
mod columns;
mod count;
mod error;
mod identity;
mod latest_specs;
mod metadata_output;
mod metrics;
mod ops;
pub mod outbox;
pub mod private;
mod schedules;
mod schema;
mod search;
#[cfg(test)]
mod tests;
mod written;

pub(crate) use columns::value_key;
pub(crate) use error::{DiskFailure, StoreError, StoreResult};
pub(crate) use metrics::MetricKey;
pub use metrics::MetricQuery;
pub(crate) use ops::EventGcRow;
pub(crate) use schedules::StoredSchedule;
pub(crate) use search::{NodeRunQuery, TaskRunQuery, VariableQuery, WfRunQuery};

use lhw_proto::littlehorse::{
    CorrelatedEvent, ExternalEvent, NodeRun, TaskRun, UserTaskRun, UserTaskRunId, Variable, WfRun,
    WfSpec, WorkflowEvent, workflow_retention_policy::WfGcPolicy,
};
use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// Kinds of metadata objects (the `kind` column of the `metadata` table).
pub(crate) mod kind {
    /// TaskDef, keyed by name.
    pub(crate) const TASK_DEF: &str = "TaskDef";
    /// ExternalEventDef, keyed by name.
    pub(crate) const EXTERNAL_EVENT_DEF: &str = "ExternalEventDef";
    /// WorkflowEventDef, keyed by name.
    pub(crate) const WORKFLOW_EVENT_DEF: &str = "WorkflowEventDef";
    /// UserTaskDef, keyed by name and version.
    pub(crate) const USER_TASK_DEF: &str = "UserTaskDef";
    /// StructDef, keyed by name and version.
    pub(crate) const STRUCT_DEF: &str = "StructDef";
    /// WfSpec, keyed by name, major version and revision.
    pub(crate) const WF_SPEC: &str = "WfSpec";
    /// WorkflowMigrationPlan, keyed by name.
    pub(crate) const WORKFLOW_MIGRATION_PLAN: &str = "WorkflowMigrationPlan";
    /// BulkJob, keyed by id.
    pub(crate) const BULK_JOB: &str = "BulkJob";
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS metadata (
  kind TEXT NOT NULL, name TEXT NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL,
  body BLOB NOT NULL, PRIMARY KEY (kind, name, major, minor));
CREATE TABLE IF NOT EXISTS wf_run (
  id TEXT PRIMARY KEY, id_msg BLOB NOT NULL, spec_name TEXT NOT NULL, spec_major INTEGER NOT NULL,
  spec_revision INTEGER NOT NULL, status INTEGER NOT NULL, start_ms INTEGER NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS wf_run_by_spec ON wf_run (spec_name, status, start_ms);
CREATE TABLE IF NOT EXISTS node_run (
  wf_run TEXT NOT NULL, thread INTEGER NOT NULL, position INTEGER NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (wf_run, thread, position));
CREATE TABLE IF NOT EXISTS task_run (
  wf_run TEXT NOT NULL, guid TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (wf_run, guid));
CREATE TABLE IF NOT EXISTS variable (
  wf_run TEXT NOT NULL, thread INTEGER NOT NULL, name TEXT NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (wf_run, thread, name));
CREATE TABLE IF NOT EXISTS external_event (
  wf_run TEXT NOT NULL, def_name TEXT NOT NULL, guid TEXT NOT NULL, seq INTEGER NOT NULL,
  body BLOB NOT NULL, PRIMARY KEY (wf_run, def_name, guid));
CREATE TABLE IF NOT EXISTS workflow_event (
  wf_run TEXT NOT NULL, def_name TEXT NOT NULL, number INTEGER NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (wf_run, def_name, number));
CREATE TABLE IF NOT EXISTS correlated_event (
  def_name TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (def_name, key));
CREATE TABLE IF NOT EXISTS user_task_run (
  wf_run TEXT NOT NULL, guid TEXT NOT NULL, def_name TEXT NOT NULL, status INTEGER NOT NULL,
  user_id TEXT, user_group TEXT, scheduled_ms INTEGER NOT NULL, id_msg BLOB NOT NULL,
  body BLOB NOT NULL, PRIMARY KEY (wf_run, guid));
CREATE INDEX IF NOT EXISTS user_task_run_by_status ON user_task_run (status, scheduled_ms);
CREATE TABLE IF NOT EXISTS ut_action (
  wf_run TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (wf_run, seq));
";

/// The tables holding the objects of one WfRun (column `wf_run`).
const WF_RUN_TABLES: [&str; 11] = [
    "node_run",
    "task_run",
    "variable",
    "external_event",
    "workflow_event",
    "user_task_run",
    "ut_action",
    "wf_run_gc",
    "checkpoint",
    "external_event_gc",
    "inactive_thread_run",
];

/// How many prepared statements a connection keeps (rusqlite's default is 16): one step of a
/// run alone uses about 16 distinct statements, and an evicted one is parsed again.
const STATEMENT_CACHE: usize = 128;

/// Statuses of a finished WfRun (COMPLETED, ERROR, EXCEPTION).
const TERMINAL_STATUSES: &str = "(2, 5, 6)";

/// The kernel's SQLite database.
pub struct Store {
    /// The WAL checkpoints beside the engine (`checkpointer.rs`); first, so that it stops
    /// before the connection closes.
    checkpointer: Option<checkpointer::Checkpointer>,
    conn: Connection,
    /// The tenants that publish an Output Topic, with their configuration (`outbox.rs`).
    output_topics: std::collections::BTreeMap<String, lhw_proto::littlehorse::OutputTopicConfig>,
    /// The tenant this store holds (`default`, or the `<id>` of `tenants/<id>/`): the tenant of
    /// every Output Topic record it stages.
    tenant: String,
    /// Where the database is: the data directory, or `memory` (for messages).
    location: String,
    /// The statuses of the unfinished WfRuns and TaskRuns as written (`written.rs`).
    written: written::Written,
    /// The metric windows counted in memory, written at commit (`metrics.rs`).
    metric_windows_pending: metrics::PendingWindows,
    /// The newest WfSpecs asked for, decoded (`latest_specs.rs`).
    latest_specs: latest_specs::LatestSpecs,
    /// The buffer the bodies of WfRuns, NodeRuns, TaskRuns and Variables are encoded into.
    encode_buffer: std::cell::RefCell<Vec<u8>>,
}

fn decode<M: Message + Default>(bytes: &[u8]) -> StoreResult<M> {
    Ok(M::decode(bytes)?)
}

/// Encodes `msg` into `buf` (cleared first): the store reuses one buffer for the bodies it
/// writes instead of allocating one per row.
fn encode_into<M: Message>(msg: &M, buf: &mut Vec<u8>) {
    buf.clear();
    // Cannot fail: a Vec grows as needed (and keeps its capacity for the next body).
    let _ = msg.encode(buf);
}

impl Store {
    /// Opens (creating if needed) `kernel.db` in `dir`, in WAL mode with
    /// `synchronous=FULL`.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        private::create_owner_only_dir(dir).map_err(|e| {
            StoreError::new(format!("cannot create data dir {}: {e}", dir.display()))
        })?;
        private::secure_db_files(dir).map_err(|e| {
            StoreError::new(format!(
                "cannot create or secure the database {} (owner-only): {e}",
                dir.join(private::DB_FILE).display()
            ))
        })?;
        let path = dir.join(private::DB_FILE);
        let conn = Connection::open(&path)?;
        identity::check(&conn, &path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(SCHEMA)?;
        schema::migrate(&conn)?;
        schedules::create(&conn)?;
        conn.execute_batch(ops::OPS_SCHEMA)?;
        conn.execute_batch(metrics::METRICS_SCHEMA)?;
        Ok(Store {
            checkpointer: checkpointer::Checkpointer::start(&dir.join(private::DB_FILE)),
            conn,
            output_topics: Default::default(),
            tenant: outbox::DEFAULT_TENANT.to_string(),
            location: dir.display().to_string(),
            written: Default::default(),
            metric_windows_pending: Default::default(),
            latest_specs: Default::default(),
            encode_buffer: Default::default(),
        })
    }

    /// Opens a private database in memory (simulations, `lhc test`): nothing is written
    /// to disk and it is gone when the store is dropped.
    pub(crate) fn open_in_memory() -> StoreResult<Store> {
        let conn = Connection::open_in_memory()?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(SCHEMA)?;
        schema::migrate(&conn)?;
        schedules::create(&conn)?;
        conn.execute_batch(ops::OPS_SCHEMA)?;
        conn.execute_batch(metrics::METRICS_SCHEMA)?;
        Ok(Store {
            checkpointer: None,
            conn,
            output_topics: Default::default(),
            tenant: outbox::DEFAULT_TENANT.to_string(),
            location: "memory".to_string(),
            written: Default::default(),
            metric_windows_pending: Default::default(),
            latest_specs: Default::default(),
            encode_buffer: Default::default(),
        })
    }

    /// Where the database is: its data directory, or `memory`.
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// Starts a transaction.
    pub fn begin(&self) -> StoreResult<()> {
        // A cached statement: `execute_batch` would parse the SQL at every batch.
        self.conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(())
    }

    /// Commits the current transaction (durably: `synchronous=FULL`), after writing the
    /// metric windows counted in memory.
    pub fn commit(&self) -> StoreResult<()> {
        self.write_metric_windows(crate::metrics::window_of(crate::util::now_ms()))?;
        self.conn.prepare_cached("COMMIT")?.execute([])?;
        if let Some(c) = &self.checkpointer {
            c.committed();
        }
        Ok(())
    }

    /// Rolls the current transaction back (ignoring "no transaction"); forgets what the
    /// store remembered of it.
    pub fn rollback(&self) {
        self.forget_written();
        // An error here means there was no transaction to roll back.
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// Inserts or replaces a metadata object.
    pub(crate) fn put_meta<M: Message>(
        &self,
        kind: &str,
        name: &str,
        major: i32,
        minor: i32,
        msg: &M,
    ) -> StoreResult<()> {
        let body = msg.encode_to_vec();
        self.metadata_changed(kind);
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO metadata (kind, name, major, minor, body) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![kind, name, major, minor, body])?;
        // LittleHorse publishes every metadata put to the tenant's metadata output topic.
        if self.records_metadata(&self.tenant) {
            metadata_output::stage(self, &self.tenant, kind, &body)?;
        }
        Ok(())
    }

    /// Reads one metadata object.
    pub(crate) fn get_meta<M: Message + Default>(
        &self,
        kind: &str,
        name: &str,
        major: i32,
        minor: i32,
    ) -> StoreResult<Option<M>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM metadata WHERE kind = ?1 AND name = ?2 AND major = ?3 AND minor = ?4")?
            .query_row(params![kind, name, major, minor], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// Reads the newest version of a metadata object (highest major, then
    /// minor), optionally within one major version.
    pub(crate) fn latest_meta<M: Message + Default>(
        &self,
        kind: &str,
        name: &str,
        major: Option<i32>,
    ) -> StoreResult<Option<M>> {
        let body: Option<Vec<u8>> = match major {
            Some(m) => self
                .conn
                .prepare_cached("SELECT body FROM metadata WHERE kind = ?1 AND name = ?2 AND major = ?3 ORDER BY minor DESC LIMIT 1")?
                .query_row(params![kind, name, m], |r| r.get(0))
                .optional()?,
            None => self
                .conn
                .prepare_cached("SELECT body FROM metadata WHERE kind = ?1 AND name = ?2 ORDER BY major DESC, minor DESC LIMIT 1")?
                .query_row(params![kind, name], |r| r.get(0))
                .optional()?,
        };
        body.map(|b| decode(&b)).transpose()
    }

    /// Deletes a metadata object; returns whether it existed.
    pub(crate) fn delete_meta(
        &self,
        kind: &str,
        name: &str,
        major: i32,
        minor: i32,
    ) -> StoreResult<bool> {
        self.metadata_changed(kind);
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM metadata WHERE kind = ?1 AND name = ?2 AND major = ?3 AND minor = ?4",
            )?
            .execute(params![kind, name, major, minor])?;
        Ok(n > 0)
    }

    /// The keys `(name, major, minor)` of one kind of metadata after `after`
    /// in key order, optionally only one name or the names starting with a
    /// prefix; at most `limit` rows.
    pub(crate) fn search_meta(
        &self,
        kind: &str,
        filter: &MetaFilter,
        after: Option<&MetaKey>,
        limit: usize,
    ) -> StoreResult<Vec<MetaKey>> {
        let (name, prefix) = match filter {
            MetaFilter::All => (None, None),
            MetaFilter::Name(n) => (Some(n.as_str()), None),
            MetaFilter::Prefix(p) => (None, Some(p.as_str())),
        };
        let (an, am, ai) = after.map_or(("", i64::MIN, i64::MIN), |k| {
            (k.name.as_str(), i64::from(k.major), i64::from(k.minor))
        });
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, major, minor FROM metadata WHERE kind = ?1
               AND (?2 IS NULL OR name = ?2) AND (?3 IS NULL OR substr(name, 1, length(?3)) = ?3)
               AND (name, major, minor) > (?4, ?5, ?6)
             ORDER BY name, major, minor LIMIT ?7",
        )?;
        let rows = stmt.query_map(
            params![kind, name, prefix, an, am, ai, limit_param(limit)],
            |r| {
                Ok(MetaKey {
                    name: r.get(0)?,
                    major: r.get(1)?,
                    minor: r.get(2)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` metadata objects of one kind after `after`, in key order,
    /// with their keys.
    pub(crate) fn meta_after<M: Message + Default>(
        &self,
        kind: &str,
        after: Option<&MetaKey>,
        limit: usize,
    ) -> StoreResult<Vec<(MetaKey, M)>> {
        let (an, am, ai) = after.map_or(("", i64::MIN, i64::MIN), |k| {
            (k.name.as_str(), i64::from(k.major), i64::from(k.minor))
        });
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, major, minor, body FROM metadata WHERE kind = ?1
               AND (name, major, minor) > (?2, ?3, ?4)
             ORDER BY name, major, minor LIMIT ?5",
        )?;
        let rows = stmt.query_map(params![kind, an, am, ai, limit_param(limit)], |r| {
            Ok((
                MetaKey {
                    name: r.get(0)?,
                    major: r.get(1)?,
                    minor: r.get(2)?,
                },
                r.get::<_, Vec<u8>>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (key, body) = row?;
            Ok((key, decode(&body)?))
        })
        .collect()
    }

    /// Inserts or replaces a WfRun. When the store knows the row with the same status (the
    /// common case: a RUNNING WfRun written again at each step), only its body is updated:
    /// SQLite then leaves the `wf_run_by_spec` index entry alone (an UPDATE touches only the
    /// indexes whose columns it sets). The UPDATE checks every indexed column in its WHERE, so
    /// a stale memory can only make it match no row, and the full upsert runs.
    pub fn put_wf_run(&self, key: &str, run: &WfRun) -> StoreResult<()> {
        crate::metrics::on_wf_run(self, key, run)?;
        let spec = run.wf_spec_id.as_ref();
        let spec_name = spec.map_or("", |s| s.name.as_str());
        let spec_major = spec.map_or(0, |s| s.major_version);
        let spec_revision = spec.map_or(0, |s| s.revision);
        let start = run.start_time.as_ref().map_or(0, crate::util::ts_to_ms);
        let mut body = self.encode_buffer.borrow_mut();
        encode_into(run, &mut body);
        let updated = self.written.wf_run(key) == Some(Some(run.status))
            && self
                .conn
                .prepare_cached(
                    "UPDATE wf_run SET body = ?2 WHERE id = ?1 AND spec_name = ?3
                       AND spec_major = ?4 AND spec_revision = ?5 AND status = ?6 AND start_ms = ?7",
                )?
                .execute(params![
                    key,
                    body.as_slice(),
                    spec_name,
                    spec_major,
                    spec_revision,
                    run.status,
                    start
                ])?
                == 1;
        if !updated {
            let id_msg = run
                .id
                .as_ref()
                .map(Message::encode_to_vec)
                .unwrap_or_default();
            self.conn
                .prepare_cached(
                    "INSERT INTO wf_run (id, id_msg, spec_name, spec_major, spec_revision, status, start_ms, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (id) DO UPDATE SET id_msg = excluded.id_msg, spec_name = excluded.spec_name,
                       spec_major = excluded.spec_major, spec_revision = excluded.spec_revision,
                       status = excluded.status, start_ms = excluded.start_ms, body = excluded.body",
                )?
                .execute(params![
                    key,
                    id_msg,
                    spec_name,
                    spec_major,
                    spec_revision,
                    run.status,
                    start,
                    body.as_slice()
                ])?;
        }
        self.written
            .set_wf_run(key, Some(run.status), written::wf_run_finished(run.status));
        Ok(())
    }

    /// Reads a WfRun by key.
    pub fn get_wf_run(&self, key: &str) -> StoreResult<Option<WfRun>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM wf_run WHERE id = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// Deletes a WfRun and everything stored under its key: NodeRuns,
    /// TaskRuns, Variables, ExternalEvents, WorkflowEvents, UserTaskRuns and
    /// pending user-task actions. Child WfRuns are separate WfRuns and stay.
    pub fn delete_wf_run(&self, key: &str) -> StoreResult<()> {
        self.written.forget_run(key);
        self.atomically(|store| {
            for table in WF_RUN_TABLES {
                store
                    .conn
                    .prepare_cached(&format!("DELETE FROM {table} WHERE wf_run = ?1"))?
                    .execute(params![key])?;
            }
            store
                .conn
                .prepare_cached("DELETE FROM wf_run WHERE id = ?1")?
                .execute(params![key])?;
            Ok(())
        })
    }

    /// Runs `f` inside a savepoint of the current transaction: when it
    /// fails, none of its changes stay.
    pub(crate) fn atomically<T>(&self, f: impl FnOnce(&Store) -> StoreResult<T>) -> StoreResult<T> {
        // The counts made so far go into the table first: a rollback to the savepoint then
        // only has to forget the memory.
        self.write_metric_windows(i64::MIN)?;
        self.conn.execute_batch("SAVEPOINT lhw_step")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("RELEASE lhw_step")?;
                Ok(v)
            }
            Err(e) => {
                // Undo, then end the savepoint; a failure here leaves the
                // outer transaction to be rolled back by the commit path.
                self.forget_written();
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO lhw_step; RELEASE lhw_step");
                Err(e)
            }
        }
    }

    /// Schedules the deletion of a finished WfRun at `due_ms` (retention).
    pub(crate) fn put_gc(&self, key: &str, due_ms: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO wf_run_gc (wf_run, due_ms) VALUES (?1, ?2)")?
            .execute(params![key, due_ms])?;
        Ok(())
    }

    /// Cancels a scheduled deletion.
    pub(crate) fn delete_gc(&self, key: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM wf_run_gc WHERE wf_run = ?1")?
            .execute(params![key])?;
        Ok(())
    }

    /// Up to `limit` WfRuns whose deletion is due at `now_ms`, earliest first.
    pub(crate) fn due_gc(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT wf_run FROM wf_run_gc WHERE due_ms <= ?1 ORDER BY due_ms LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now_ms, limit_param(limit)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the next scheduled deletion is due.
    pub(crate) fn next_gc_due(&self) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT MIN(due_ms) FROM wf_run_gc", [], |r| r.get(0))?)
    }

    /// The keys of every WfRun that has not finished (for recovery at start).
    pub(crate) fn active_wf_run_keys(&self) -> StoreResult<Vec<String>> {
        let sql = format!(
            "SELECT id FROM wf_run WHERE status NOT IN {TERMINAL_STATUSES} ORDER BY start_ms"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Inserts or replaces a NodeRun.
    pub(crate) fn put_node_run(&self, key: &str, nr: &NodeRun) -> StoreResult<()> {
        let (thread, pos) = nr
            .id
            .as_ref()
            .map_or((0, 0), |i| (i.thread_run_number, i.position));
        let (event, status, arrival) = columns::node_run(nr);
        let mut body = self.encode_buffer.borrow_mut();
        encode_into(nr, &mut body);
        self.conn
            .prepare_cached(
                "INSERT INTO node_run (wf_run, thread, position, body, event_def, status, arrival_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (wf_run, thread, position) DO UPDATE SET body = excluded.body,
                   event_def = excluded.event_def, status = excluded.status,
                   arrival_ms = excluded.arrival_ms",
            )?
            .execute(params![key, thread, pos, body.as_slice(), event, status, arrival])?;
        Ok(())
    }

    /// Reads one NodeRun.
    pub(crate) fn get_node_run(
        &self,
        key: &str,
        thread: i32,
        pos: i32,
    ) -> StoreResult<Option<NodeRun>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM node_run WHERE wf_run = ?1 AND thread = ?2 AND position = ?3",
            )?
            .query_row(params![key, thread, pos], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// The NodeRuns of a WfRun (optionally one thread), by thread and position.
    pub(crate) fn list_node_runs(
        &self,
        key: &str,
        thread: Option<i32>,
    ) -> StoreResult<Vec<NodeRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM node_run WHERE wf_run = ?1 AND (?2 IS NULL OR thread = ?2) ORDER BY thread, position",
        )?;
        let rows = stmt.query_map(params![key, thread], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Inserts or replaces a TaskRun. As for a WfRun, only the body is updated when the store
    /// knows the row with the same status (its indexed columns never change otherwise).
    pub fn put_task_run(&self, key: &str, tr: &TaskRun) -> StoreResult<()> {
        crate::metrics::on_task_run(self, key, tr)?;
        let guid = tr
            .id
            .as_ref()
            .map(|i| i.task_guid.as_str())
            .unwrap_or_default();
        let (def, status, scheduled) = columns::task_run(tr);
        let mut body = self.encode_buffer.borrow_mut();
        encode_into(tr, &mut body);
        // A stored TaskRun keeps its TaskDef and scheduled time, the columns of its one index
        // entry (schema version 2): its body and status are updated without touching the
        // index. The WHERE repeats both, so a row that differs falls back to the upsert.
        let updated = self.written.task_run_status(key, guid).is_some()
            && self
                .conn
                .prepare_cached(
                    "UPDATE task_run SET body = ?3, status = ?5 WHERE wf_run = ?1 AND guid = ?2
                       AND def_name = ?4 AND scheduled_ms = ?6",
                )?
                .execute(params![key, guid, body.as_slice(), def, status, scheduled])?
                == 1;
        if !updated {
            self.conn
                .prepare_cached(
                    "INSERT INTO task_run (wf_run, guid, body, def_name, status, scheduled_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (wf_run, guid) DO UPDATE SET body = excluded.body,
                       def_name = excluded.def_name, status = excluded.status,
                       scheduled_ms = excluded.scheduled_ms",
                )?
                .execute(params![key, guid, body.as_slice(), def, status, scheduled])?;
        }
        self.written.set_task_run(
            key,
            guid,
            Some(written::task_run_statuses(tr)),
            written::task_run_finished(tr.status),
        );
        Ok(())
    }

    /// Reads one TaskRun.
    pub(crate) fn get_task_run(&self, key: &str, guid: &str) -> StoreResult<Option<TaskRun>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM task_run WHERE wf_run = ?1 AND guid = ?2")?
            .query_row(params![key, guid], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// The TaskRuns of a WfRun.
    pub(crate) fn list_task_runs(&self, key: &str) -> StoreResult<Vec<TaskRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM task_run WHERE wf_run = ?1 ORDER BY scheduled_ms, guid",
        )?;
        let rows = stmt.query_map(params![key], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Inserts or replaces a Variable.
    pub(crate) fn put_variable(&self, key: &str, v: &Variable) -> StoreResult<()> {
        let (thread, name) =
            v.id.as_ref()
                .map_or((0, ""), |i| (i.thread_run_number, i.name.as_str()));
        let (spec, major, revision, value_key) = columns::variable(v);
        let mut body = self.encode_buffer.borrow_mut();
        encode_into(v, &mut body);
        self.conn
            .prepare_cached(
                "INSERT INTO variable (wf_run, thread, name, body, spec_name, spec_major,
                   spec_revision, value_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (wf_run, thread, name) DO UPDATE SET body = excluded.body,
                   spec_name = excluded.spec_name, spec_major = excluded.spec_major,
                   spec_revision = excluded.spec_revision, value_key = excluded.value_key",
            )?
            .execute(params![
                key,
                thread,
                name,
                body.as_slice(),
                spec,
                major,
                revision,
                value_key
            ])?;
        Ok(())
    }

    /// Reads one Variable.
    pub fn get_variable(
        &self,
        key: &str,
        thread: i32,
        name: &str,
    ) -> StoreResult<Option<Variable>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM variable WHERE wf_run = ?1 AND thread = ?2 AND name = ?3",
            )?
            .query_row(params![key, thread, name], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// The Variables of a WfRun, by thread and name.
    pub(crate) fn list_variables(&self, key: &str) -> StoreResult<Vec<Variable>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM variable WHERE wf_run = ?1 ORDER BY thread, name")?;
        let rows = stmt.query_map(params![key], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Inserts or replaces an ExternalEvent (`seq` orders events by arrival).
    pub(crate) fn put_external_event(
        &self,
        key: &str,
        seq: i64,
        ev: &ExternalEvent,
    ) -> StoreResult<()> {
        let (def, guid) = ev.id.as_ref().map_or((String::new(), String::new()), |i| {
            (
                i.external_event_def_id
                    .as_ref()
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                i.guid.clone(),
            )
        });
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO external_event (wf_run, def_name, guid, seq, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![key, def, guid, seq, ev.encode_to_vec()])?;
        Ok(())
    }

    /// Reads one ExternalEvent.
    pub(crate) fn get_external_event(
        &self,
        key: &str,
        def: &str,
        guid: &str,
    ) -> StoreResult<Option<ExternalEvent>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT body FROM external_event WHERE wf_run = ?1 AND def_name = ?2 AND guid = ?3",
            )?
            .query_row(params![key, def, guid], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// The ExternalEvents posted to a WfRun id, in arrival order, with their `seq`.
    pub(crate) fn list_external_events(&self, key: &str) -> StoreResult<Vec<(i64, ExternalEvent)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, body FROM external_event WHERE wf_run = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![key], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|row| {
            let (seq, body) = row?;
            Ok((seq, decode(&body)?))
        })
        .collect()
    }

    /// Inserts or replaces a WorkflowEvent.
    pub(crate) fn put_workflow_event(&self, key: &str, ev: &WorkflowEvent) -> StoreResult<()> {
        let (def, number) = ev.id.as_ref().map_or((String::new(), 0), |i| {
            (
                i.workflow_event_def_id
                    .as_ref()
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                i.number,
            )
        });
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO workflow_event (wf_run, def_name, number, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![key, def, number, ev.encode_to_vec()])?;
        Ok(())
    }

    /// The WorkflowEvents of a WfRun, in the order they were thrown.
    pub(crate) fn list_workflow_events(&self, key: &str) -> StoreResult<Vec<WorkflowEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM workflow_event WHERE wf_run = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map(params![key], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Inserts or replaces a CorrelatedEvent.
    pub(crate) fn put_correlated_event(
        &self,
        def: &str,
        ckey: &str,
        ev: &CorrelatedEvent,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO correlated_event (def_name, key, body) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![def, ckey, ev.encode_to_vec()])?;
        Ok(())
    }

    /// Reads a CorrelatedEvent.
    pub(crate) fn get_correlated_event(
        &self,
        def: &str,
        ckey: &str,
    ) -> StoreResult<Option<CorrelatedEvent>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM correlated_event WHERE def_name = ?1 AND key = ?2")?
            .query_row(params![def, ckey], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// Deletes a CorrelatedEvent; returns whether it existed.
    pub(crate) fn delete_correlated_event(&self, def: &str, ckey: &str) -> StoreResult<bool> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM correlated_event WHERE def_name = ?1 AND key = ?2")?
            .execute(params![def, ckey])?;
        Ok(n > 0)
    }

    /// Inserts or replaces a UserTaskRun.
    pub(crate) fn put_user_task_run(&self, key: &str, utr: &UserTaskRun) -> StoreResult<()> {
        let id = utr.id.clone().unwrap_or_default();
        let def = utr
            .user_task_def_id
            .as_ref()
            .map(|d| d.name.as_str())
            .unwrap_or_default();
        let scheduled = utr.scheduled_time.as_ref().map_or(0, crate::util::ts_to_ms);
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO user_task_run
                   (wf_run, guid, def_name, status, user_id, user_group, scheduled_ms, id_msg, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                key,
                id.user_task_guid,
                def,
                utr.status,
                utr.user_id,
                utr.user_group,
                scheduled,
                id.encode_to_vec(),
                utr.encode_to_vec()
            ])?;
        Ok(())
    }

    /// Reads one UserTaskRun.
    pub(crate) fn get_user_task_run(
        &self,
        key: &str,
        guid: &str,
    ) -> StoreResult<Option<UserTaskRun>> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM user_task_run WHERE wf_run = ?1 AND guid = ?2")?
            .query_row(params![key, guid], |r| r.get(0))
            .optional()?;
        body.map(|b| decode(&b)).transpose()
    }

    /// The UserTaskRuns of a WfRun, in creation order.
    pub(crate) fn list_user_task_runs(&self, key: &str) -> StoreResult<Vec<UserTaskRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM user_task_run WHERE wf_run = ?1 ORDER BY scheduled_ms, guid",
        )?;
        let rows = stmt.query_map(params![key], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Searches UserTaskRuns, oldest first; returns their ids.
    pub(crate) fn search_user_task_runs(
        &self,
        q: &UserTaskRunQuery,
    ) -> StoreResult<Vec<UserTaskRunId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id_msg FROM user_task_run WHERE (?1 IS NULL OR status = ?1)
               AND (?2 IS NULL OR def_name = ?2) AND (?3 IS NULL OR user_id = ?3)
               AND (?4 IS NULL OR user_group = ?4) AND (?5 IS NULL OR scheduled_ms >= ?5)
               AND (?6 IS NULL OR scheduled_ms <= ?6)
             ORDER BY scheduled_ms, wf_run, guid LIMIT ?7 OFFSET ?8",
        )?;
        let rows = stmt.query_map(
            params![
                q.status,
                q.def_name,
                q.user_id,
                q.user_group,
                q.earliest_ms,
                q.latest_ms,
                q.limit,
                q.offset
            ],
            |r| r.get::<_, Vec<u8>>(0),
        )?;
        rows.map(|b| decode(&b?)).collect()
    }

    /// Inserts or replaces a pending user-task action (JSON body).
    pub(crate) fn put_ut_action(&self, key: &str, seq: i64, body: &str) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO ut_action (wf_run, seq, body) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key, seq, body])?;
        Ok(())
    }

    /// Deletes a pending user-task action.
    pub(crate) fn delete_ut_action(&self, key: &str, seq: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM ut_action WHERE wf_run = ?1 AND seq = ?2")?
            .execute(params![key, seq])?;
        Ok(())
    }

    /// The pending user-task actions of a WfRun: (seq, JSON body).
    pub(crate) fn list_ut_actions(&self, key: &str) -> StoreResult<Vec<(i64, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, body FROM ut_action WHERE wf_run = ?1 ORDER BY seq")?;
        let rows = stmt.query_map(params![key], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The highest ExternalEvent `seq` stored (0 when none).
    pub(crate) fn max_event_seq(&self) -> StoreResult<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM external_event",
            [],
            |r| r.get(0),
        )?)
    }
}

/// The key of a metadata object: its name and version numbers (`0, 0` for
/// unversioned kinds, `version, 0` for UserTaskDef and StructDef).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetaKey {
    /// The name.
    pub(crate) name: String,
    /// Major version (or version).
    pub(crate) major: i32,
    /// Revision (WfSpec) or 0.
    pub(crate) minor: i32,
}

/// Which names a metadata search returns.
#[derive(Debug, Clone)]
pub(crate) enum MetaFilter {
    /// Every name.
    All,
    /// Exactly this name (all its versions).
    Name(String),
    /// The names starting with this prefix.
    Prefix(String),
}

/// When a finished WfRun is to be deleted under its WfSpec's retention
/// policy (`seconds_after_wf_termination` after its end), if it has one.
pub(crate) fn retention_due(run: &WfRun, spec: &WfSpec) -> Option<i64> {
    let Some(WfGcPolicy::SecondsAfterWfTermination(secs)) = spec
        .retention_policy
        .as_ref()
        .and_then(|p| p.wf_gc_policy.as_ref())
    else {
        return None;
    };
    let end = run
        .end_time
        .as_ref()
        .map_or_else(crate::util::now_ms, crate::util::ts_to_ms);
    Some(end.saturating_add(secs.saturating_mul(1000)))
}

/// A row count as an SQLite parameter.
fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Criteria of [`Store::search_user_task_runs`].
#[derive(Debug, Default, Clone)]
pub(crate) struct UserTaskRunQuery {
    /// Only this `UserTaskRunStatus`.
    pub(crate) status: Option<i32>,
    /// Only this UserTaskDef.
    pub(crate) def_name: Option<String>,
    /// Only this user.
    pub(crate) user_id: Option<String>,
    /// Only this group.
    pub(crate) user_group: Option<String>,
    /// Scheduled at or after (epoch ms).
    pub(crate) earliest_ms: Option<i64>,
    /// Scheduled at or before (epoch ms).
    pub(crate) latest_ms: Option<i64>,
    /// Page size.
    pub(crate) limit: i64,
    /// Rows to skip.
    pub(crate) offset: i64,
}
