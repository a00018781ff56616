//! The Output Topic publisher: reads the kernel's outbox in commit order, produces each record
//! to `<cluster id>_<tenant>_execution-output` keyed by its WfRun (LittleHorse's topic naming;
//! one key per WfRun keeps a WfRun's records in one partition, in order), waits for Kafka's
//! acknowledgement and only then deletes the records from the outbox: at least once, ordered
//! per WfRun (the producer is idempotent, so retries never reorder a partition).

use std::collections::BTreeMap;
use std::time::Duration;

use lhw_proto::littlehorse::OutputTopicRecord;
use prost::Message as _;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio::sync::watch;

/// One record staged by the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedRecord {
    /// Commit order.
    pub seq: i64,
    /// The tenant.
    pub tenant: String,
    /// The WfRun id (the Kafka key).
    pub key: String,
    /// The encoded `OutputTopicRecord`.
    pub body: Vec<u8>,
}

/// Where staged records come from (the kernel's outbox; `lhc` adapts `lhw_kernel`'s reader).
pub trait Outbox: Send + 'static {
    /// Up to `max` records, oldest first.
    fn batch(&mut self, max: usize) -> Result<Vec<StagedRecord>, String>;
    /// Forgets every record up to and including `seq`.
    fn delete_through(&mut self, seq: i64) -> Result<(), String>;
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
    /// librdkafka properties.
    pub properties: BTreeMap<String, String>,
}

impl PublisherSettings {
    /// `<cluster id>_<tenant>_execution-output`.
    pub fn execution_topic(&self, tenant: &str) -> String {
        format!("{}_{tenant}_execution-output", self.cluster_id)
    }
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
        match publish(&producer, &settings, &batch).await {
            Ok(()) => {
                backoff = Duration::from_millis(100);
                let last = batch.last().map_or(0, |r| r.seq);
                let (returned, deleted) = tokio::task::spawn_blocking(move || {
                    let d = outbox.delete_through(last);
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
        let topic = settings.execution_topic(&r.tenant);
        let body = match settings.format {
            RecordFormat::Protobuf => r.body.clone(),
            RecordFormat::Json => {
                let record = OutputTopicRecord::decode(r.body.as_slice())
                    .map_err(|e| format!("staged record {}: {e}", r.seq))?;
                serde_json::to_vec(&record).map_err(|e| format!("staged record {}: {e}", r.seq))?
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
