//! The Output Topic publisher: reads the kernel's outbox in commit order and produces each
//! record to its tenant's topic as LittleHorse names them (server v1.2.1,
//! `LHServerConfig.getExecutionOutputTopicName` / `getMetadataOutputTopicName`):
//! `<cluster id>_<tenant>_execution`, keyed by WfRun id (one key per WfRun keeps a WfRun's
//! records in one partition, in order), and `<cluster id>_<tenant>_metadata`, keyed by
//! `<type>/<id>`. It waits for Kafka's acknowledgement and only then deletes the records from
//! the outbox: at least once, ordered per key (the producer is idempotent, so retries never
//! reorder a partition). The first time it sees a tenant it creates that tenant's two topics as
//! LittleHorse does when a tenant gets an output-topic config (`LHServerConfig.getOutputTopicsFor`):
//! the metadata topic compacted with one partition, the execution topic with
//! [`PublisherSettings::execution_partitions`] partitions (an existing topic is left alone).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use lhw_proto::littlehorse::{MetadataOutputTopicRecord, OutputTopicRecord};
use prost::Message as _;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio::sync::watch;

/// Which of a tenant's two output topics a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutputTopicKind {
    /// `<cluster>_<tenant>_execution`: `OutputTopicRecord`s.
    Execution,
    /// `<cluster>_<tenant>_metadata`: `MetadataOutputTopicRecord`s.
    Metadata,
}

/// One record staged by the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedRecord {
    /// Commit order within the tenant.
    pub seq: i64,
    /// The tenant.
    pub tenant: String,
    /// The execution or the metadata topic.
    pub topic: OutputTopicKind,
    /// The Kafka key: the WfRun id, or the metadata object's `<type>/<id>`.
    pub key: String,
    /// The encoded `OutputTopicRecord` or `MetadataOutputTopicRecord`.
    pub body: Vec<u8>,
}

/// Where staged records come from (the kernel's outbox; `lhc` adapts `lhw_kernel`'s reader).
pub trait Outbox: Send + 'static {
    /// Up to `max` records, oldest first within each tenant (each tenant numbers its own).
    fn batch(&mut self, max: usize) -> Result<Vec<StagedRecord>, String>;
    /// Forgets every record of `tenant` up to and including `seq`.
    fn delete_through(&mut self, tenant: &str, seq: i64) -> Result<(), String>;
}

/// How records are written to Kafka.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// The `OutputTopicRecord` protobuf bytes, as LittleHorse writes them.
    Protobuf,
    /// The `OutputTopicRecord` in protobuf JSON (camelCase fields).
    Json,
}

/// The publisher's settings.
#[derive(Debug, Clone)]
pub struct PublisherSettings {
    /// `bootstrap.servers`.
    pub bootstrap_servers: String,
    /// The topic prefix (LittleHorse's `LHS_CLUSTER_ID`).
    pub cluster_id: String,
    /// Protobuf or JSON.
    pub format: RecordFormat,
    /// Partitions of a tenant's execution topic when the publisher creates it (LittleHorse's
    /// `LHS_OUTPUT_TOPIC_PARTITIONS`, by default `LHS_CLUSTER_PARTITIONS`, 12).
    pub execution_partitions: i32,
    /// librdkafka properties.
    pub properties: BTreeMap<String, String>,
}

impl PublisherSettings {
    /// `<cluster id>_<tenant>_execution` or `<cluster id>_<tenant>_metadata`.
    pub fn topic(&self, tenant: &str, kind: OutputTopicKind) -> String {
        let suffix = match kind {
            OutputTopicKind::Execution => "execution",
            OutputTopicKind::Metadata => "metadata",
        };
        format!("{}_{tenant}_{suffix}", self.cluster_id)
    }
}

/// Creates the tenant's two topics (metadata: compacted, one partition; execution:
/// `execution_partitions`), with the broker's default replication factor. Topics that exist
/// already are fine.
async fn create_topics(
    admin: &AdminClient<DefaultClientContext>,
    settings: &PublisherSettings,
    tenant: &str,
) -> Result<(), String> {
    let metadata = settings.topic(tenant, OutputTopicKind::Metadata);
    let execution = settings.topic(tenant, OutputTopicKind::Execution);
    let topics = [
        NewTopic::new(&metadata, 1, TopicReplication::Fixed(-1)).set("cleanup.policy", "compact"),
        NewTopic::new(
            &execution,
            settings.execution_partitions,
            TopicReplication::Fixed(-1),
        ),
    ];
    let results = admin
        .create_topics(
            &topics,
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))),
        )
        .await
        .map_err(|e| format!("creating the output topics of tenant {tenant}: {e}"))?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(format!("creating topic {topic}: {code}")),
        }
    }
    Ok(())
}

/// Publishes until `stop` turns true (then publishes what is staged, best effort, and returns).
/// Kafka errors are retried with backoff; the outbox keeps the records meanwhile.
pub async fn run_publisher<O: Outbox>(
    mut outbox: O,
    settings: PublisherSettings,
    mut stop: watch::Receiver<bool>,
) -> Result<(), String> {
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", &settings.bootstrap_servers)
        .set("client.id", format!("{}-output-topic", settings.cluster_id))
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5");
    for (k, v) in &settings.properties {
        cfg.set(k, v);
    }
    let producer: FutureProducer = cfg
        .create()
        .map_err(|e| format!("output topic producer: {e}"))?;
    let mut admin_cfg = ClientConfig::new();
    admin_cfg.set("bootstrap.servers", &settings.bootstrap_servers);
    for (k, v) in &settings.properties {
        admin_cfg.set(k, v);
    }
    let admin: AdminClient<DefaultClientContext> = admin_cfg
        .create()
        .map_err(|e| format!("output topic admin client: {e}"))?;
    let mut tenants_ready = BTreeSet::new();
    let mut backoff = Duration::from_millis(100);
    loop {
        let stopping = *stop.borrow();
        let (returned, batch) = tokio::task::spawn_blocking(move || {
            let b = outbox.batch(1000);
            (outbox, b)
        })
        .await
        .map_err(|e| format!("outbox reader: {e}"))?;
        outbox = returned;
        let batch = batch?;
        if batch.is_empty() {
            if stopping {
                return Ok(());
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        let mut created = Ok(());
        for tenant in batch.iter().map(|r| &r.tenant) {
            if !tenants_ready.contains(tenant) {
                created = create_topics(&admin, &settings, tenant).await;
                if created.is_err() {
                    break;
                }
                tenants_ready.insert(tenant.clone());
            }
        }
        let published = match created {
            Ok(()) => publish(&producer, &settings, &batch).await,
            Err(e) => Err(e),
        };
        match published {
            Ok(()) => {
                backoff = Duration::from_millis(100);
                let mut last: BTreeMap<String, i64> = BTreeMap::new();
                for r in &batch {
                    let seq = last.entry(r.tenant.clone()).or_insert(r.seq);
                    *seq = (*seq).max(r.seq);
                }
                let (returned, deleted) = tokio::task::spawn_blocking(move || {
                    let d = last
                        .iter()
                        .try_for_each(|(tenant, seq)| outbox.delete_through(tenant, *seq));
                    (outbox, d)
                })
                .await
                .map_err(|e| format!("outbox reader: {e}"))?;
                outbox = returned;
                deleted?;
            }
            Err(e) => {
                if stopping {
                    return Err(format!("output topic: {e} (the records stay staged)"));
                }
                eprintln!("output topic: {e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

async fn publish(
    producer: &FutureProducer,
    settings: &PublisherSettings,
    batch: &[StagedRecord],
) -> Result<(), String> {
    let mut pending = Vec::with_capacity(batch.len());
    for r in batch {
        let topic = settings.topic(&r.tenant, r.topic);
        let body = match settings.format {
            RecordFormat::Protobuf => r.body.clone(),
            RecordFormat::Json => {
                to_json(r).map_err(|e| format!("staged record {}: {e}", r.seq))?
            }
        };
        let record: FutureRecord<'_, str, [u8]> = FutureRecord::to(&topic)
            .key(r.key.as_str())
            .payload(body.as_slice());
        let delivery = producer
            .send_result(record)
            .map_err(|(e, _)| format!("producing to {topic}: {e}"))?;
        pending.push(delivery);
    }
    for p in pending {
        match p.await {
            Ok(Ok(_)) => {}
            Ok(Err((e, _))) => return Err(format!("Kafka refused a record: {e}")),
            Err(_) => return Err("the producer stopped".into()),
        }
    }
    Ok(())
}

/// A staged record in protobuf JSON.
fn to_json(r: &StagedRecord) -> Result<Vec<u8>, String> {
    let bytes = r.body.as_slice();
    match r.topic {
        OutputTopicKind::Execution => {
            let record = OutputTopicRecord::decode(bytes).map_err(|e| e.to_string())?;
            serde_json::to_vec(&record).map_err(|e| e.to_string())
        }
        OutputTopicKind::Metadata => {
            let record = MetadataOutputTopicRecord::decode(bytes).map_err(|e| e.to_string())?;
            serde_json::to_vec(&record).map_err(|e| e.to_string())
        }
    }
}
