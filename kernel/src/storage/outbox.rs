//! The Output Topic outbox: records LittleHorse's output topics would carry, written by the
//! engine in the SAME transaction as the change they describe, in commit order:
//! `OutputTopicRecord`s for the execution topic and `MetadataOutputTopicRecord`s for the
//! metadata topic (protobuf). A publisher outside the kernel (lhw-connect, run by
//! `lhc dev`/`lhc server --output-topic-bootstrap`) reads them in `seq` order through its own
//! connections to every tenant's database ([`OutboxReader`]), produces them to Kafka and deletes what Kafka acknowledged:
//! at least once, in order per key. The table exists only while the kernel runs with the
//! Output Topic enabled; without it nothing is written.
//!
//! Which tenants publish is LittleHorse's rule: a tenant publishes when it has an
//! `OutputTopicConfig` (server `MetadataProcessorContext.maybeForwardMetadataGetableToOutputTopic`
//! and `GetableManager.processEntity`, v1.2.1); its `default_recording_level` decides whether
//! execution records are written (`NO_ENTITY_EVENTS`: none; metadata records are written either
//! way).

use std::path::Path;

use lhw_proto::littlehorse::OutputTopicConfig;
use lhw_proto::littlehorse::output_topic_config::OutputTopicRecordingLevel;
use rusqlite::{Connection, params};

use super::{Store, StoreError, StoreResult};

/// The tenant every request without a `tenantid` header belongs to.
pub(crate) const DEFAULT_TENANT: &str = "default";

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS output_topic_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, record_key TEXT NOT NULL,
  body BLOB NOT NULL, topic TEXT NOT NULL DEFAULT 'execution');";

/// Creates the outbox; adds the `topic` column to an outbox written before it existed.
fn ensure_schema(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(SCHEMA)?;
    let has_topic: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('output_topic_outbox') WHERE name = 'topic'")?
        .exists([])?;
    if !has_topic {
        conn.execute_batch(
            "ALTER TABLE output_topic_outbox ADD COLUMN topic TEXT NOT NULL DEFAULT 'execution'",
        )?;
    }
    Ok(())
}

/// Which of a tenant's two output topics a record goes to (LittleHorse's
/// `LHServerConfig.getExecutionOutputTopicName` / `getMetadataOutputTopicName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutputTopic {
    /// `<cluster>_<tenant>_execution`: `OutputTopicRecord`s keyed by WfRun id.
    Execution,
    /// `<cluster>_<tenant>_metadata` (compacted): `MetadataOutputTopicRecord`s keyed by
    /// `<GetableClassEnum>/<object id>`.
    Metadata,
}

impl OutputTopic {
    /// The topic name's suffix, also the value of the outbox's `topic` column.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            OutputTopic::Execution => "execution",
            OutputTopic::Metadata => "metadata",
        }
    }

    fn parse(s: &str) -> StoreResult<OutputTopic> {
        match s {
            "execution" => Ok(OutputTopic::Execution),
            "metadata" => Ok(OutputTopic::Metadata),
            other => Err(StoreError::new(format!(
                "unknown output topic `{other}` in the outbox"
            ))),
        }
    }
}

impl Store {
    /// The tenant this store holds (`default` unless [`Store::set_tenant`] said otherwise).
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// Says which tenant this store holds (a tenant's own database under `tenants/<id>/`):
    /// the records it stages go to that tenant's output topics.
    pub fn set_tenant(&mut self, tenant: &str) {
        self.tenant = tenant.to_string();
    }

    /// Turns the Output Topic on for the default tenant with every entity event recorded
    /// (`ALL_ENTITY_EVENTS`): from now on the engine stages records in the outbox.
    pub fn enable_output_topic(&mut self) -> StoreResult<()> {
        self.set_output_topic_config(
            DEFAULT_TENANT,
            Some(OutputTopicConfig {
                default_recording_level: OutputTopicRecordingLevel::AllEntityEvents as i32,
            }),
        )
    }

    /// Sets (or with `None` removes) a tenant's Output Topic configuration, as
    /// `PutTenantRequest.output_topic_config` does on LittleHorse.
    pub fn set_output_topic_config(
        &mut self,
        tenant: &str,
        config: Option<OutputTopicConfig>,
    ) -> StoreResult<()> {
        match config {
            Some(c) => {
                ensure_schema(&self.conn)?;
                self.output_topics.insert(tenant.to_string(), c);
            }
            None => {
                self.output_topics.remove(tenant);
            }
        }
        Ok(())
    }

    /// Whether any tenant publishes an Output Topic.
    pub fn output_topic_enabled(&self) -> bool {
        !self.output_topics.is_empty()
    }

    /// Whether `tenant` publishes its metadata output topic (it has an `OutputTopicConfig`).
    pub fn records_metadata(&self, tenant: &str) -> bool {
        self.output_topics.contains_key(tenant)
    }

    /// Whether `tenant` publishes execution records (`ALL_ENTITY_EVENTS`).
    pub fn records_execution(&self, tenant: &str) -> bool {
        self.output_topics.get(tenant).is_some_and(|c| {
            OutputTopicRecordingLevel::try_from(c.default_recording_level)
                == Ok(OutputTopicRecordingLevel::AllEntityEvents)
        })
    }

    /// Appends one encoded record for `tenant`'s `topic`, with its Kafka key, to the outbox.
    pub fn push_output_record(
        &self,
        tenant: &str,
        topic: OutputTopic,
        key: &str,
        body: &[u8],
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO output_topic_outbox (tenant, topic, record_key, body)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![tenant, topic.suffix(), key, body])?;
        Ok(())
    }
}

/// One staged record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Commit order.
    pub seq: i64,
    /// The tenant (the topic is `<cluster>_<tenant>_<topic suffix>`).
    pub tenant: String,
    /// The execution or the metadata topic.
    pub topic: OutputTopic,
    /// The Kafka record key: the WfRun's id (so a WfRun's records share a partition), or the
    /// metadata object's `<type>/<id>`.
    pub key: String,
    /// The encoded `OutputTopicRecord` or `MetadataOutputTopicRecord`.
    pub body: Vec<u8>,
}

/// One database's outbox: the default tenant's `kernel.db` or `tenants/<id>/kernel.db`.
struct TenantOutbox {
    tenant: String,
    conn: Connection,
}

/// A publisher's view of every tenant's outbox, on its own connections: the default tenant's
/// `kernel.db` and each `tenants/<id>/kernel.db` (tenants created while it runs are found on
/// the next [`OutboxReader::batch`]). Sequence numbers are per database, so deletions name the
/// tenant.
pub struct OutboxReader {
    dir: std::path::PathBuf,
    outboxes: Vec<TenantOutbox>,
    /// Which database the next batch starts with (round robin, so no tenant starves).
    next: usize,
}

fn open_outbox(db: &Path, tenant: &str) -> StoreResult<TenantOutbox> {
    let conn = Connection::open(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    ensure_schema(&conn)?;
    Ok(TenantOutbox {
        tenant: tenant.to_string(),
        conn,
    })
}

impl OutboxReader {
    /// Opens the outboxes of the kernel whose data directory is `dir`.
    pub fn open(dir: &Path) -> StoreResult<OutboxReader> {
        let mut reader = OutboxReader {
            dir: dir.to_path_buf(),
            outboxes: vec![open_outbox(&dir.join("kernel.db"), DEFAULT_TENANT)?],
            next: 0,
        };
        reader.discover()?;
        Ok(reader)
    }

    /// Opens the outbox of every tenant database not opened yet. A database is opened only
    /// once the kernel created it (never created here, so it keeps the kernel's permissions).
    fn discover(&mut self) -> StoreResult<()> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("tenants")) else {
            return Ok(());
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let Some(tenant) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let db = entry.path().join("kernel.db");
            if tenant != DEFAULT_TENANT
                && db.is_file()
                && !self.outboxes.iter().any(|o| o.tenant == tenant)
            {
                found.push((tenant, db));
            }
        }
        found.sort();
        for (tenant, db) in found {
            self.outboxes.push(open_outbox(&db, &tenant)?);
        }
        Ok(())
    }

    /// Up to `max` records, oldest first within each tenant; the tenant of a record is the
    /// database it was staged in.
    pub fn batch(&mut self, max: usize) -> StoreResult<Vec<OutboxRow>> {
        self.discover()?;
        let n = self.outboxes.len();
        let mut out = Vec::new();
        for i in 0..n {
            if out.len() >= max {
                break;
            }
            let o = &self.outboxes[(self.next + i) % n];
            read_rows(o, max - out.len(), &mut out)?;
        }
        self.next = (self.next + 1) % n;
        Ok(out)
    }

    /// Deletes every record of `tenant` up to and including `seq` (Kafka acknowledged them).
    pub fn delete_through(&self, tenant: &str, seq: i64) -> StoreResult<()> {
        let Some(o) = self.outboxes.iter().find(|o| o.tenant == tenant) else {
            return Err(StoreError::new(format!("no outbox of tenant `{tenant}`")));
        };
        o.conn
            .prepare_cached("DELETE FROM output_topic_outbox WHERE seq <= ?1")?
            .execute(params![seq])?;
        Ok(())
    }

    /// Records not yet published, over every tenant.
    pub fn pending(&self) -> StoreResult<i64> {
        let mut total = 0;
        for o in &self.outboxes {
            total += o
                .conn
                .query_row("SELECT COUNT(*) FROM output_topic_outbox", [], |r| {
                    r.get::<_, i64>(0)
                })?;
        }
        Ok(total)
    }
}

fn read_rows(o: &TenantOutbox, max: usize, out: &mut Vec<OutboxRow>) -> StoreResult<()> {
    let mut stmt = o.conn.prepare_cached(
        "SELECT seq, topic, record_key, body FROM output_topic_outbox ORDER BY seq LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![max as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    for row in rows {
        let (seq, topic, key, body) = row?;
        out.push(OutboxRow {
            seq,
            tenant: o.tenant.clone(),
            topic: OutputTopic::parse(&topic)?,
            key,
            body,
        });
    }
    Ok(())
}
