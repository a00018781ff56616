//! A running connector: `tasks.max` consumers in the group `connect-<name>`, each applying
//! up to `lhw.max.in.flight` records at once. An offset is stored (and auto-committed each
//! second, and committed on stop) only once the kernel acknowledged its record and every
//! record before it in the partition; a failed record is dead-lettered (`errors.tolerance=all`)
//! or stops the pipeline, naming topic/partition/offset, with its offset left uncommitted.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, ConsumerContext, StreamConsumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::statistics::Statistics;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::{ConnectorConfig, ConnectorKind, Tolerance, Topics};
use crate::offsets::{OffsetTracker, TopicPartition};
use crate::progress::Metrics;
use crate::sink::{Applied, RecordError, SinkRecord, apply, build_request};

/// What a connector file does not say: how to reach Kafka and the LittleHorse defaults.
#[derive(Debug, Clone, Default)]
pub struct KafkaOptions {
    /// `bootstrap.servers` when the connector file has none.
    pub bootstrap_servers: Option<String>,
    /// librdkafka properties for every client (`-X key=value`).
    pub properties: BTreeMap<String, String>,
    /// LittleHorse client settings under the connector's `lhc.*` keys (`littlehorse.config`,
    /// `LHC_*` variables); the connector's keys win.
    pub lh_defaults: lhw_runtime_client::Config,
}

/// Why a connector stopped other than by request.
#[derive(Debug, Clone)]
pub enum PipelineError {
    /// Kafka or the LittleHorse client could not be set up.
    Setup(String),
    /// Kafka failed while running (consuming, committing, producing to the dead-letter topic).
    Kafka(String),
    /// A record could not be applied and `errors.tolerance` is `none`.
    Record {
        /// The record's topic.
        topic: String,
        /// Its partition.
        partition: i32,
        /// Its offset.
        offset: i64,
        /// Why.
        error: RecordError,
    },
}

impl std::fmt::Display for PipelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PipelineError::Setup(m) | PipelineError::Kafka(m) => f.write_str(m),
            PipelineError::Record {
                topic,
                partition,
                offset,
                error,
            } => write!(
                f,
                "the record at topic {topic} partition {partition} offset {offset} could not be applied: {}: {} (set errors.tolerance=all and errors.deadletterqueue.topic.name to dead-letter such records; the offset stays uncommitted, so a restart tries it again)",
                error.class, error.message
            ),
        }
    }
}

/// Where in the pipeline a record failed (the `__connect.errors.stage` header).
#[derive(Debug, Clone, Copy)]
enum Stage {
    KeyConverter,
    ValueConverter,
    TaskPut,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::TaskPut => "TASK_PUT",
        }
    }
}

enum Outcome {
    Applied(Applied),
    Failed(RecordError, Stage),
    /// Stopped while the server was unreachable: left uncommitted.
    Abandoned,
}

struct Finished {
    message: OwnedMessage,
    outcome: Outcome,
}

/// Consumer statistics: the lag of the partitions this task owns.
struct TaskContext {
    metrics: Arc<Metrics>,
    task: usize,
}

impl ClientContext for TaskContext {
    fn stats(&self, statistics: Statistics) {
        let lag: i64 = statistics
            .topics
            .values()
            .flat_map(|t| t.partitions.values())
            .filter(|p| p.partition >= 0 && p.fetch_state == "active")
            .map(|p| p.consumer_lag.max(0))
            .sum();
        self.metrics.set_lag(self.task, lag);
    }
}

impl ConsumerContext for TaskContext {}

/// Runs one connector until `stop` turns true (a clean stop: in-flight records finish and
/// their offsets are committed) or a record or Kafka fails.
pub async fn run_connector(
    cfg: ConnectorConfig,
    kafka: KafkaOptions,
    stop: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
) -> Result<(), PipelineError> {
    let bootstrap = cfg
        .bootstrap_servers
        .clone()
        .or(kafka.bootstrap_servers.clone())
        .ok_or_else(|| {
            PipelineError::Setup(format!(
                "connector {}: no Kafka cluster: pass --bootstrap-server HOST:PORT (or set bootstrap.servers in the connector file)",
                cfg.name
            ))
        })?;
    let lh_config = cfg
        .lh_client
        .iter()
        .fold(kafka.lh_defaults.clone(), |c, (k, v)| {
            c.with_value(k, v.as_str())
        });
    lh_config
        .validate()
        .map_err(|e| PipelineError::Setup(format!("connector {}: {}", cfg.name, e)))?;
    let client = lhw_runtime_client::LhClient::connect(&lh_config)
        .await
        .map_err(|e| PipelineError::Setup(format!("connector {}: {e}", cfg.name)))?
        .raw();
    let dlq = match (&cfg.tolerance, &cfg.dlq_topic) {
        (Tolerance::All, Some(topic)) => {
            let mut pc = ClientConfig::new();
            pc.set("bootstrap.servers", &bootstrap)
                .set("client.id", format!("connector-dlq-producer-{}", cfg.name))
                .set("enable.idempotence", "true")
                .set("acks", "all");
            for (k, v) in kafka.properties.iter().chain(&cfg.producer_overrides) {
                pc.set(k, v);
            }
            let producer: FutureProducer = pc
                .create()
                .map_err(|e| PipelineError::Setup(format!("dead-letter producer: {e}")))?;
            Some(DeadLetters {
                producer,
                topic: topic.clone(),
            })
        }
        _ => None,
    };
    let shared = Arc::new(Shared {
        cfg,
        client,
        dlq,
        metrics,
    });
    // A failing task stops its siblings.
    let (internal_tx, internal_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    for task in 0..shared.cfg.tasks {
        let consumer = consumer(&shared, &bootstrap, &kafka, task)?;
        let shared = shared.clone();
        let stops = [stop.clone(), internal_rx.clone()];
        tasks.spawn(async move { run_task(shared, consumer, stops).await });
    }
    let mut first_error = None;
    while let Some(res) = tasks.join_next().await {
        let res = res.unwrap_or_else(|e| Err(PipelineError::Kafka(format!("task panicked: {e}"))));
        if let Err(e) = res {
            let _ = internal_tx.send(true);
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

struct DeadLetters {
    producer: FutureProducer,
    topic: String,
}

struct Shared {
    cfg: ConnectorConfig,
    client: lhw_runtime_client::client::RawClient,
    dlq: Option<DeadLetters>,
    metrics: Arc<Metrics>,
}

fn consumer(
    shared: &Shared,
    bootstrap: &str,
    kafka: &KafkaOptions,
    task: usize,
) -> Result<StreamConsumer<TaskContext>, PipelineError> {
    let cfg = &shared.cfg;
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", bootstrap)
        .set("group.id", cfg.group_id())
        .set(
            "client.id",
            format!("connector-consumer-{}-{task}", cfg.name),
        )
        .set("enable.auto.commit", "true")
        .set("enable.auto.offset.store", "false")
        .set("auto.commit.interval.ms", "1000")
        .set("auto.offset.reset", "earliest")
        .set("statistics.interval.ms", "1000")
        .set("partition.assignment.strategy", "cooperative-sticky")
        .set("topic.metadata.refresh.interval.ms", "5000");
    for (k, v) in kafka.properties.iter().chain(&cfg.consumer_overrides) {
        cc.set(k, v);
    }
    let consumer: StreamConsumer<TaskContext> = cc
        .create_with_context(TaskContext {
            metrics: shared.metrics.clone(),
            task,
        })
        .map_err(|e| PipelineError::Setup(format!("connector {}: consumer: {e}", cfg.name)))?;
    let subscription: Vec<String> = match &cfg.topics {
        Topics::Names(names) => names.clone(),
        Topics::Regex(re) if re.starts_with('^') => vec![re.clone()],
        Topics::Regex(re) => vec![format!("^{re}")],
    };
    let refs: Vec<&str> = subscription.iter().map(String::as_str).collect();
    consumer
        .subscribe(&refs)
        .map_err(|e| PipelineError::Setup(format!("connector {}: subscribe: {e}", cfg.name)))?;
    Ok(consumer)
}

fn stop_requested(stops: &[watch::Receiver<bool>]) -> bool {
    stops.iter().any(|s| *s.borrow())
}

async fn wait_stop(stops: &mut [watch::Receiver<bool>; 2]) {
    let [a, b] = stops;
    tokio::select! {
        _ = a.wait_for(|v| *v) => {}
        _ = b.wait_for(|v| *v) => {}
    }
}

async fn run_task(
    shared: Arc<Shared>,
    consumer: StreamConsumer<TaskContext>,
    mut stops: [watch::Receiver<bool>; 2],
) -> Result<(), PipelineError> {
    let cfg = &shared.cfg;
    // Event sinks keep the order of records with the same key (two events for one WfRun are
    // never in flight together); WfRun records are independent.
    let ordered_keys = !matches!(cfg.kind, ConnectorKind::WfRun(_));
    let mut stream = consumer.stream();
    let mut inflight: JoinSet<Finished> = JoinSet::new();
    let mut tracker = OffsetTracker::default();
    let mut stored: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    let mut busy_keys: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut pending: Option<OwnedMessage> = None;
    let mut stopping = false;
    let mut failure: Option<PipelineError> = None;
    loop {
        if let Some(m) = pending.take() {
            let key_busy = ordered_keys && m.key().is_some_and(|k| busy_keys.contains_key(k));
            if !stopping && !key_busy && inflight.len() < cfg.max_in_flight {
                if ordered_keys && let Some(k) = m.key() {
                    *busy_keys.entry(k.to_vec()).or_default() += 1;
                }
                tracker.start(&tp_of(&m), m.offset());
                let shared = shared.clone();
                let stops = stops.clone();
                inflight.spawn(async move { process(&shared, m, &stops).await });
            } else {
                pending = Some(m);
            }
        }
        if stopping && inflight.is_empty() {
            break;
        }
        let can_poll = !stopping && pending.is_none() && inflight.len() < cfg.max_in_flight;
        tokio::select! {
            _ = wait_stop(&mut stops), if !stopping => {
                stopping = true;
                pending = None;
            }
            Some(joined) = inflight.join_next(), if !inflight.is_empty() => {
                let done = joined.map_err(|e| PipelineError::Kafka(format!("record task failed: {e}")))?;
                if ordered_keys && let Some(k) = done.message.key()
                    && let Some(n) = busy_keys.get_mut(k)
                {
                    *n -= 1;
                    if *n == 0 {
                        busy_keys.remove(k);
                    }
                }
                let tp = tp_of(&done.message);
                let offset = done.message.offset();
                let completed = match done.outcome {
                    Outcome::Applied(a) => {
                        shared.metrics.record_applied(a == Applied::AlreadyDone);
                        true
                    }
                    Outcome::Abandoned => false,
                    Outcome::Failed(error, stage) => {
                        if cfg.errors_log || cfg.tolerance == Tolerance::None {
                            eprintln!(
                                "connector {}: topic {} partition {} offset {offset}: {}: {}",
                                cfg.name, tp.topic, tp.partition, error.class, error.message
                            );
                        }
                        match cfg.tolerance {
                            Tolerance::All => {
                                if let Some(dlq) = &shared.dlq {
                                    dead_letter(cfg, dlq, &done.message, &error, stage).await?;
                                }
                                shared.metrics.record_dead_lettered();
                                true
                            }
                            Tolerance::None => {
                                // Records finish out of order: name the first failed one.
                                let earlier = matches!(&failure, Some(PipelineError::Record {
                                    topic, partition, offset: o, ..
                                }) if *topic == tp.topic && *partition == tp.partition && *o < offset);
                                if !earlier {
                                    failure = Some(PipelineError::Record {
                                        topic: tp.topic.clone(),
                                        partition: tp.partition,
                                        offset,
                                        error,
                                    });
                                }
                                stopping = true;
                                pending = None;
                                false
                            }
                        }
                    }
                };
                if completed && let Some(next) = tracker.finish(&tp, offset) {
                    // A partition revoked meanwhile refuses the store: its new owner
                    // re-applies from the last commit, idempotently.
                    if consumer.store_offset(&tp.topic, tp.partition, next).is_ok() {
                        stored.insert(tp, next);
                    }
                }
            }
            m = stream.next(), if can_poll => match m {
                Some(Ok(m)) => pending = Some(m.detach()),
                Some(Err(e)) => eprintln!("connector {}: kafka: {e}", cfg.name),
                None => break,
            },
        }
    }
    drop(stream);
    if !stored.is_empty() {
        let mut tpl = TopicPartitionList::new();
        for (tp, next) in &stored {
            tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*next))
                .map_err(|e| PipelineError::Kafka(format!("commit: {e}")))?;
        }
        if let Err(e) = consumer.commit(&tpl, CommitMode::Sync) {
            // After a rebalance the group may refuse offsets of partitions this task lost.
            eprintln!("connector {}: final commit: {e}", cfg.name);
        }
    }
    failure.map_or(Ok(()), Err)
}

fn tp_of(m: &OwnedMessage) -> TopicPartition {
    TopicPartition {
        topic: m.topic().to_string(),
        partition: m.partition(),
    }
}

async fn process(
    shared: &Shared,
    message: OwnedMessage,
    stops: &[watch::Receiver<bool>],
) -> Finished {
    let cfg = &shared.cfg;
    let key = match cfg.key_converter.decode(message.key()) {
        Ok(k) => k,
        Err(e) => {
            return Finished {
                message,
                outcome: Outcome::Failed(RecordError::data(e), Stage::KeyConverter),
            };
        }
    };
    let value = match cfg.value_converter.decode(message.payload()) {
        Ok(v) => v,
        Err(e) => {
            return Finished {
                message,
                outcome: Outcome::Failed(RecordError::data(e), Stage::ValueConverter),
            };
        }
    };
    let headers = message
        .headers()
        .map(|hs| {
            hs.iter()
                .map(|h| {
                    (
                        h.key.to_string(),
                        h.value.map(|v| String::from_utf8_lossy(v).into_owned()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let record = SinkRecord {
        topic: message.topic().to_string(),
        partition: message.partition(),
        offset: message.offset(),
        key,
        value,
        headers,
    };
    let request = match build_request(cfg, &record) {
        Ok(r) => r,
        Err(e) => {
            return Finished {
                message,
                outcome: Outcome::Failed(e, Stage::TaskPut),
            };
        }
    };
    let mut client = shared.client.clone();
    let mut backoff = Duration::from_millis(100);
    let outcome = loop {
        match apply(&mut client, request.clone()).await {
            Ok(a) => break Outcome::Applied(a),
            Err(e) if e.retriable => {
                if stop_requested(stops) {
                    break Outcome::Abandoned;
                }
                shared.metrics.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(e) => break Outcome::Failed(e, Stage::TaskPut),
        }
    };
    Finished { message, outcome }
}

/// Produces the record, as it was read, to the dead-letter topic with Kafka Connect's
/// `__connect.errors.*` headers, and waits for Kafka's acknowledgement.
async fn dead_letter(
    cfg: &ConnectorConfig,
    dlq: &DeadLetters,
    message: &OwnedMessage,
    error: &RecordError,
    stage: Stage,
) -> Result<(), PipelineError> {
    let mut headers = OwnedHeaders::new();
    if let Some(hs) = message.headers() {
        for h in hs.iter() {
            headers = headers.insert(Header {
                key: h.key,
                value: h.value,
            });
        }
    }
    if cfg.dlq_context_headers {
        let partition = message.partition().to_string();
        let offset = message.offset().to_string();
        let context: [(&str, &str); 8] = [
            ("__connect.errors.topic", message.topic()),
            ("__connect.errors.partition", &partition),
            ("__connect.errors.offset", &offset),
            ("__connect.errors.connector.name", &cfg.name),
            ("__connect.errors.stage", stage.as_str()),
            ("__connect.errors.class.name", cfg.class_name()),
            ("__connect.errors.exception.class.name", &error.class),
            ("__connect.errors.exception.message", &error.message),
        ];
        for (k, v) in context {
            headers = headers.insert(Header {
                key: k,
                value: Some(v),
            });
        }
    }
    let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&dlq.topic).headers(headers);
    if let Some(k) = message.key() {
        record = record.key(k);
    }
    if let Some(p) = message.payload() {
        record = record.payload(p);
    }
    dlq.producer
        .send(record, Duration::from_secs(30))
        .await
        .map(|_| ())
        .map_err(|(e, _)| {
            PipelineError::Kafka(format!(
                "connector {}: producing to the dead-letter topic {}: {e}",
                cfg.name, dlq.topic
            ))
        })
}
