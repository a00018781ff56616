//! The Output Topic outbox: records LittleHorse's Output Topic would carry
//! (`OutputTopicRecord`, protobuf), written by the engine in the SAME transaction as the
//! change they describe, in commit order. A publisher outside the kernel (lhw-connect, run by
//! `lhc dev`/`lhc server --output-topic-bootstrap`) reads them in `seq` order through its own
//! connection ([`OutboxReader`]), produces them to Kafka and deletes what Kafka acknowledged:
//! at least once, in order per WfRun. The table exists only while the kernel runs with the
//! Output Topic enabled; without it nothing is written.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreResult};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS output_topic_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, record_key TEXT NOT NULL,
  body BLOB NOT NULL);";

impl Store {
    /// Turns the Output Topic on: from now on the engine stages records in the outbox.
    pub fn enable_output_topic(&mut self) -> StoreResult<()> {
        self.conn.execute_batch(SCHEMA)?;
        self.output_topic = true;
        Ok(())
    }

    /// Whether the Output Topic is on.
    pub fn output_topic_enabled(&self) -> bool {
        self.output_topic
    }

    /// Appends one encoded `OutputTopicRecord` (keyed by its WfRun) to the outbox.
    pub fn push_output_record(&self, tenant: &str, key: &str, body: &[u8]) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO output_topic_outbox (tenant, record_key, body) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![tenant, key, body])?;
        Ok(())
    }

    /// The stored status of a WfRun (None when it is not stored yet).
    pub fn stored_wf_run_status(&self, key: &str) -> StoreResult<Option<i32>> {
        Ok(self
            .conn
            .prepare_cached("SELECT status FROM wf_run WHERE id = ?1")?
            .query_row(params![key], |r| r.get(0))
            .optional()?)
    }
}

/// One staged record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Commit order.
    pub seq: i64,
    /// The tenant (the topic is `<cluster>_<tenant>_execution-output`).
    pub tenant: String,
    /// The Kafka record key: the WfRun's id, so a WfRun's records share a partition.
    pub key: String,
    /// The encoded `OutputTopicRecord`.
    pub body: Vec<u8>,
}

/// A publisher's view of the outbox, on its own connection to `kernel.db`.
pub struct OutboxReader {
    conn: Connection,
}

impl OutboxReader {
    /// Opens the outbox of the kernel whose data directory is `dir`.
    pub fn open(dir: &Path) -> StoreResult<OutboxReader> {
        let conn = Connection::open(dir.join("kernel.db"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(OutboxReader { conn })
    }

    /// Up to `max` records, oldest first.
    pub fn batch(&self, max: usize) -> StoreResult<Vec<OutboxRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, tenant, record_key, body FROM output_topic_outbox ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![max as i64], |r| {
            Ok(OutboxRow {
                seq: r.get(0)?,
                tenant: r.get(1)?,
                key: r.get(2)?,
                body: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes every record up to and including `seq` (Kafka acknowledged them).
    pub fn delete_through(&self, seq: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM output_topic_outbox WHERE seq <= ?1")?
            .execute(params![seq])?;
        Ok(())
    }

    /// Records not yet published.
    pub fn pending(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM output_topic_outbox", [], |r| r.get(0))?)
    }
}
