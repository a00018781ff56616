//! A real Apache Kafka broker for the tests (scripts/kafka.sh: Kafka 4.x resolved by Maven,
//! KRaft, 127.0.0.1 on a free port), one per test binary, stopped when the test process exits
//! (scripts/kafka.sh watches our pid), and small producer/consumer helpers on rdkafka.

#![allow(dead_code)] // each test file uses a subset

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lhw_connect::rdkafka::admin::{
    AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication,
};
use lhw_connect::rdkafka::client::DefaultClientContext;
use lhw_connect::rdkafka::config::ClientConfig;
use lhw_connect::rdkafka::consumer::{BaseConsumer, Consumer};
use lhw_connect::rdkafka::message::{Header, OwnedHeaders, OwnedMessage};
use lhw_connect::rdkafka::producer::{FutureProducer, FutureRecord};
use lhw_connect::rdkafka::{Message, Offset, TopicPartitionList};

/// A running broker.
pub struct Broker {
    /// `127.0.0.1:PORT`.
    pub bootstrap: String,
    _dir: tempfile::TempDir,
}

static BROKER: OnceLock<Broker> = OnceLock::new();

/// The broker of this test binary, started on first use.
pub fn broker() -> &'static Broker {
    BROKER.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/kafka.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg("start")
            .arg(dir.path().join("broker"))
            .env("LHW_KAFKA_OWNER_PID", std::process::id().to_string())
            .output()
            .expect("scripts/kafka.sh runs");
        assert!(
            out.status.success(),
            "scripts/kafka.sh start failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bootstrap = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(bootstrap.starts_with("127.0.0.1:"), "{bootstrap}");
        Broker {
            bootstrap,
            _dir: dir,
        }
    })
}

/// One record to produce.
#[derive(Debug, Clone, Default)]
pub struct Rec {
    pub key: Option<String>,
    pub value: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Rec {
    pub fn value(v: impl Into<String>) -> Rec {
        Rec {
            value: Some(v.into()),
            ..Rec::default()
        }
    }

    pub fn keyed(k: impl Into<String>, v: impl Into<String>) -> Rec {
        Rec {
            key: Some(k.into()),
            value: Some(v.into()),
            ..Rec::default()
        }
    }
}

/// Creates a topic with `partitions` partitions.
pub async fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client");
    let results = admin
        .create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))),
        )
        .await
        .expect("create_topics");
    for r in results {
        r.expect("topic created");
    }
}

/// A producer that waits for every acknowledgement.
pub fn producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .expect("producer")
}

/// Produces the records in order (partitioned by key, or round-robin without one) and waits
/// until Kafka acknowledged all of them.
pub async fn produce(bootstrap: &str, topic: &str, records: &[Rec]) {
    let producer = producer(bootstrap);
    let mut pending = Vec::with_capacity(records.len());
    for r in records {
        let mut headers = OwnedHeaders::new();
        for (k, v) in &r.headers {
            headers = headers.insert(Header {
                key: k,
                value: Some(v),
            });
        }
        let mut rec: FutureRecord<'_, str, str> = FutureRecord::to(topic).headers(headers);
        if let Some(k) = &r.key {
            rec = rec.key(k);
        }
        if let Some(v) = &r.value {
            rec = rec.payload(v);
        }
        pending.push(
            producer
                .send_result(rec)
                .map_err(|(e, _)| e)
                .expect("enqueued"),
        );
    }
    for p in pending {
        p.await.expect("delivered").expect("acknowledged");
    }
}

/// Reads `n` records of every partition of `topic` from the beginning (waits up to `limit`).
pub fn consume(bootstrap: &str, topic: &str, n: usize, limit: Duration) -> Vec<OwnedMessage> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set(
            "group.id",
            format!("test-reader-{topic}-{}", std::process::id()),
        )
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    let deadline = Instant::now() + limit;
    // The topic may not exist yet (the dead-letter topic is created by its first record).
    let partitions = loop {
        let md = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .expect("metadata");
        let n = md
            .topics()
            .first()
            .map(|t| t.partitions().len())
            .unwrap_or(0);
        if n > 0 {
            break n;
        }
        assert!(Instant::now() < deadline, "topic {topic} never appeared");
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p as i32, Offset::Beginning)
            .expect("partition");
    }
    consumer.assign(&tpl).expect("assign");
    let mut out = Vec::new();
    while out.len() < n && Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            out.push(m.expect("record").detach());
        }
    }
    out
}

/// The text of a header.
pub fn header(m: &OwnedMessage, name: &str) -> Option<String> {
    use lhw_connect::rdkafka::message::Headers;
    m.headers().and_then(|hs| {
        hs.iter()
            .filter(|h| h.key == name)
            .last()
            .and_then(|h| h.value.map(|v| String::from_utf8_lossy(v).into_owned()))
    })
}

/// The payload as text.
pub fn payload(m: &OwnedMessage) -> String {
    String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned()
}

/// The number of partitions of `topic` (0 when it does not exist).
pub fn partitions(bootstrap: &str, topic: &str) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("consumer");
    let md = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .expect("metadata");
    md.topics().first().map_or(0, |t| t.partitions().len())
}

/// One configuration value of `topic`, as the broker describes it.
pub fn topic_config(bootstrap: &str, topic: &str, key: &str) -> Option<String> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let described = rt
        .block_on(admin.describe_configs(
            &[ResourceSpecifier::Topic(topic)],
            &AdminOptions::new().request_timeout(Some(Duration::from_secs(30))),
        ))
        .expect("describe_configs");
    let resource = described.into_iter().next()?.ok()?;
    resource.get(key).and_then(|e| e.value.clone())
}
