//! A small Kafka producer and consumer for `scripts/main-job.sh` (and for trying `lhc connect`
//! by hand), on the same rdkafka client as `lhc connect`:
//!
//! ```sh
//! kafka-records produce BOOTSTRAP TOPIC          # one record per stdin line: VALUE or KEY<TAB>VALUE
//! kafka-records consume BOOTSTRAP TOPIC [--idle-secs S] [--timeout-secs T]
//! ```
//!
//! `consume` reads every partition from the beginning and prints one line per record
//! (`partition/offset key: value`), a protobuf-JSON Output Topic record summarised by its
//! payload; it returns once no record arrived for `--idle-secs` (default 2) after the first,
//! and fails when none arrived within `--timeout-secs` (default 60).

use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Message, Offset, TopicPartitionList};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("produce") if args.len() == 3 => produce(&args[1], &args[2]),
        Some("consume") if args.len() >= 3 => consume(&args[1], &args[2], &args[3..]),
        _ => Err(
            "usage: kafka-records produce BOOTSTRAP TOPIC < lines\n       \
                  kafka-records consume BOOTSTRAP TOPIC [--idle-secs S] [--timeout-secs T]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kafka-records: {e}");
            ExitCode::FAILURE
        }
    }
}

fn produce(bootstrap: &str, topic: &str) -> Result<(), String> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .create()
        .map_err(|e| format!("producer: {e}"))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("stdin: {e}"))?;
    rt.block_on(async {
        let mut pending = Vec::new();
        for line in lines.iter().filter(|l| !l.trim().is_empty()) {
            let (key, value) = match line.split_once('\t') {
                Some((k, v)) => (Some(k), v),
                None => (None, line.as_str()),
            };
            let mut record: FutureRecord<'_, str, str> = FutureRecord::to(topic).payload(value);
            if let Some(k) = key {
                record = record.key(k);
            }
            let delivery = producer
                .send_result(record)
                .map_err(|(e, _)| format!("producing to {topic}: {e}"))?;
            pending.push(delivery);
        }
        let n = pending.len();
        for p in pending {
            match p.await {
                Ok(Ok(_)) => {}
                Ok(Err((e, _))) => return Err(format!("Kafka refused a record: {e}")),
                Err(_) => return Err("the producer stopped".to_string()),
            }
        }
        println!("produced {n} records to {topic}");
        Ok(())
    })
}

fn flag(rest: &[String], name: &str, default: u64) -> Result<u64, String> {
    match rest.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => rest
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a whole number of seconds")),
    }
}

fn consume(bootstrap: &str, topic: &str, rest: &[String]) -> Result<(), String> {
    let idle = Duration::from_secs(flag(rest, "--idle-secs", 2)?);
    let timeout = Duration::from_secs(flag(rest, "--timeout-secs", 60)?);
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("kafka-records-{}", std::process::id()))
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| format!("consumer: {e}"))?;
    let deadline = Instant::now() + timeout;
    let partitions = loop {
        let md = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .map_err(|e| format!("metadata of {topic}: {e}"))?;
        let n = md.topics().first().map_or(0, |t| t.partitions().len());
        if n > 0 {
            break n;
        }
        if Instant::now() > deadline {
            return Err(format!("topic {topic} does not exist"));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p as i32, Offset::Beginning)
            .map_err(|e| e.to_string())?;
    }
    consumer.assign(&tpl).map_err(|e| e.to_string())?;
    let mut last: Option<Instant> = None;
    let mut count = 0usize;
    loop {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                count += 1;
                last = Some(Instant::now());
                let key = m.key().map(String::from_utf8_lossy).unwrap_or_default();
                let value = m.payload().map(String::from_utf8_lossy).unwrap_or_default();
                println!(
                    "  {}/{} {key}: {}",
                    m.partition(),
                    m.offset(),
                    summary(&value)
                );
            }
            Some(Err(e)) => return Err(format!("reading {topic}: {e}")),
            None => {}
        }
        match last {
            Some(t) if t.elapsed() >= idle => break,
            None if Instant::now() > deadline => {
                return Err(format!("no record on {topic} within {timeout:?}"));
            }
            _ => {}
        }
    }
    println!("{count} records on {topic}");
    Ok(())
}

/// A protobuf-JSON (Metadata)OutputTopicRecord in one short line; any other value as it is.
fn summary(value: &str) -> String {
    let Ok(serde_json::Value::Object(record)) = serde_json::from_str::<serde_json::Value>(value)
    else {
        return value.to_string();
    };
    let Some((kind, body)) = record.iter().find(|(k, _)| k.as_str() != "timestamp") else {
        return value.to_string();
    };
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    match kind.as_str() {
        "wfRun" => format!(
            "wfRun {} {}",
            s(&body["wfSpecId"]["name"]),
            s(&body["status"])
        ),
        "variable" => format!("variable {} = {}", s(&body["id"]["name"]), body["value"]),
        "taskRun" => format!(
            "taskRun {} {}",
            s(&body["taskDefId"]["name"]),
            s(&body["status"])
        ),
        "wfSpec" => format!(
            "wfSpec {} v{}.{}",
            s(&body["id"]["name"]),
            body["id"]["majorVersion"].as_i64().unwrap_or(0),
            body["id"]["revision"].as_i64().unwrap_or(0)
        ),
        "taskDef" => format!("taskDef {}", s(&body["id"]["name"])),
        other => format!("{other} {}", truncate(&body.to_string(), 100)),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
