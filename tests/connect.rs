//! `lhc connect` against a real Apache Kafka broker (scripts/kafka.sh) and the embedded
//! kernel: records run WfRuns exactly once (also across a SIGKILL), events reach waiting
//! runs, bad records are dead-lettered with their reason or stop the pipeline.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{SearchWfRunRequest, VariableId, WfRunId};
use lhw_runtime_client::LhClient;

mod harness;
mod kafka;

use harness::{Kernel, lhc, repo};
use kafka::{
    Rec, broker, consume, create_topic, header, partitions, payload, produce, topic_config,
};

fn fixture() -> String {
    repo()
        .join("tests/fixtures/connect/connect.lhw")
        .display()
        .to_string()
}

/// The broker and a fresh kernel with tests/fixtures/connect/connect.lhw deployed.
fn broker_and_kernel() -> (&'static kafka::Broker, Kernel) {
    let b = broker();
    let k = Kernel::start();
    lhc(&k, &["deploy", &fixture()]).ok();
    (b, k)
}

/// A unique topic name per test and process.
fn topic(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

fn client(k: &Kernel) -> LhClient {
    let cfg = lhw_runtime_client::Config::from_pairs([
        ("LHC_API_HOST", "127.0.0.1"),
        ("LHC_API_PORT", &*k.port().to_string()),
    ]);
    k.rt.block_on(LhClient::connect(&cfg)).expect("client")
}

/// Every WfRun id of a WfSpec (paged).
fn run_ids(k: &Kernel, spec: &str) -> Vec<String> {
    let mut raw = client(k).raw();
    let mut ids = Vec::new();
    let mut bookmark = None;
    loop {
        let page =
            k.rt.block_on(raw.search_wf_run(SearchWfRunRequest {
                wf_spec_name: spec.to_string(),
                limit: Some(1000),
                bookmark: bookmark.take(),
                ..Default::default()
            }))
            .expect("search")
            .into_inner();
        ids.extend(page.results.into_iter().map(|id| id.id));
        match page.bookmark {
            Some(b) => bookmark = Some(b),
            None => return ids,
        }
    }
}

fn variable(k: &Kernel, run: &str, name: &str) -> Option<Value> {
    let mut raw = client(k).raw();
    let v =
        k.rt.block_on(raw.get_variable(VariableId {
            wf_run_id: Some(WfRunId {
                id: run.to_string(),
                parent_wf_run_id: None,
            }),
            thread_run_number: 0,
            name: name.to_string(),
        }))
        .ok()?
        .into_inner();
    v.value.and_then(|v| v.value)
}

fn write_config(dir: &Path, file: &str, text: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text).expect("config written");
    path.display().to_string()
}

fn lh_keys(k: &Kernel) -> String {
    format!("lhc.api.host=127.0.0.1\nlhc.api.port={}\n", k.port())
}

/// `lhc connect` as a child process with JSON status lines on stdout (read by a thread).
struct Connect {
    child: Child,
    lines: mpsc::Receiver<serde_json::Value>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Connect {
    fn start(configs: &[&str]) -> Connect {
        let home = tempfile::tempdir().expect("home");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lhc"));
        cmd.arg("connect")
            .args(configs)
            .args(["--bootstrap-server", &broker().bootstrap])
            .args(["--format", "json", "--progress-interval", "0.2"])
            .env("HOME", home.path())
            .env("LHC_NO_AUTOSTART", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, _) in std::env::vars() {
            if k.starts_with("LHC_API") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd.spawn().expect("lhc connect starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                s.push_str(&line);
                s.push('\n');
            }
            s
        });
        Connect {
            child,
            lines,
            stderr: Some(stderr),
        }
    }

    /// Waits for a status line that satisfies `pred` (panics after `limit`).
    fn wait_status(
        &self,
        limit: Duration,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + limit;
        let mut last = serde_json::Value::Null;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if pred(&v) => return v,
                Ok(v) if v["state"] == "failed" => panic!("the connector failed: {v}"),
                Ok(v) => last = v,
                Err(_) => panic!("no matching status line within {limit:?}; the last: {last}"),
            }
        }
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the exit (bounded) and returns the code, the last status lines and stderr.
    fn finish(mut self) -> (Option<i32>, Vec<serde_json::Value>, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("lhc connect did not stop within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let lines: Vec<_> = self.lines.try_iter().collect();
        (status.code(), lines, stderr)
    }
}

impl Drop for Connect {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn ten_thousand_records_run_exactly_ten_thousand_wf_runs_across_a_sigkill() {
    let (b, k) = broker_and_kernel();
    let names = topic("names");
    const N: usize = 10_000;
    k.rt.block_on(async {
        create_topic(&b.bootstrap, &names, 4).await;
        let records: Vec<Rec> = (0..N)
            .map(|i| Rec::value(format!(r#"{{"name":"user-{i}","count":{i}}}"#)))
            .collect();
        produce(&b.bootstrap, &names, &records).await;
    });
    let dir = tempfile::tempdir().expect("dir");
    let cfg = write_config(
        dir.path(),
        "names.properties",
        &format!(
            "name=greet-names\nconnector.class=io.littlehorse.connect.WfRunSinkConnector\n\
             topics={names}\ntasks.max=2\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter.schemas.enable=false\nwf.spec.name=greet-all\n{}",
            lh_keys(&k)
        ),
    );

    // First run: killed with SIGKILL mid-stream, with records applied but not committed.
    let mut first = Connect::start(&[&cfg]);
    first.wait_status(Duration::from_secs(120), |s| {
        s["applied"].as_u64().unwrap_or(0) >= 2_000
    });
    first.child.kill().expect("SIGKILL");
    let _ = first.child.wait();
    drop(first);
    let before = run_ids(&k, "greet-all").len();
    assert!(
        before < N,
        "the kill came too late to test anything ({before} runs)"
    );

    // Second run: redelivered records are recognized, the rest run once.
    let second = Connect::start(&[&cfg]);
    wait_until(Duration::from_secs(180), "10,000 WfRuns", || {
        run_ids(&k, "greet-all").len() >= N
    });
    second.wait_status(Duration::from_secs(30), |s| s["lag"] == 0);
    second.sigterm();
    let (code, lines, stderr) = second.finish();
    assert_eq!(code, Some(0), "{stderr}");
    let last = lines.last().expect("a final status line");
    assert_eq!(last["state"], "stopped", "{last}");

    let ids = run_ids(&k, "greet-all");
    assert_eq!(ids.len(), N, "exactly one WfRun per record");
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), N);
    // Ids derived as LittleHorse's connectors derive them: <name>-<topic>-<partition>-<offset>.
    assert!(
        ids.iter()
            .all(|id| id.starts_with(&format!("greet-names-{names}-"))),
        "{:?}",
        &ids[..3]
    );
    let sample = ids.first().expect("a run");
    let greeting = variable(&k, sample, "greeting");
    assert!(
        matches!(&greeting, Some(Value::Str(g)) if g.starts_with("hello user-")),
        "{greeting:?}"
    );

    // A third run finds every offset committed: nothing is applied again.
    let third = Connect::start(&[&cfg]);
    let status = third.wait_status(Duration::from_secs(30), |s| s["lag"] == 0);
    third.sigterm();
    let (code, lines, _) = third.finish();
    assert_eq!(code, Some(0));
    let last = lines.last().unwrap_or(&status);
    assert_eq!(last["applied"], 0, "{last}");
    assert_eq!(run_ids(&k, "greet-all").len(), N);
}

#[test]
fn external_and_correlated_events_reach_waiting_runs() {
    let (b, k) = broker_and_kernel();
    let approvals = topic("approvals");
    let payments = topic("payments");
    for (id, order) in [("order-a", "a"), ("order-b", "b")] {
        lhc(
            &k,
            &[
                "run",
                "approval",
                "--id",
                id,
                "--var",
                &format!("order={order}"),
            ],
        )
        .ok();
    }
    for order in ["o-1", "o-2"] {
        lhc(
            &k,
            &["run", "payment", "--var", &format!("order-id={order}")],
        )
        .ok();
    }
    k.rt.block_on(async {
        create_topic(&b.bootstrap, &approvals, 2).await;
        create_topic(&b.bootstrap, &payments, 2).await;
        produce(
            &b.bootstrap,
            &approvals,
            &[
                Rec::keyed("order-a", r#""yes""#),
                Rec::keyed("order-b", r#""no""#),
            ],
        )
        .await;
        produce(
            &b.bootstrap,
            &payments,
            &[Rec::keyed("o-1", "12.5"), Rec::keyed("o-2", "40")],
        )
        .await;
    });
    let dir = tempfile::tempdir().expect("dir");
    let ext = write_config(
        dir.path(),
        "approvals.json",
        &serde_json::json!({
            "name": "approvals",
            "config": {
                "connector.class": "io.littlehorse.connect.ExternalEventSinkConnector",
                "topics": approvals,
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": false,
                "external.event.name": "approved",
                "lhc.api.host": "127.0.0.1",
                "lhc.api.port": k.port(),
            }
        })
        .to_string(),
    );
    let corr = write_config(
        dir.path(),
        "payments.properties",
        &format!(
            "name=payments\nconnector.class=io.littlehorse.connect.CorrelatedEventSinkConnector\n\
             topics={payments}\nkey.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter.schemas.enable=false\nexternal.event.name=payment-received\n{}",
            lh_keys(&k)
        ),
    );
    let connect = Connect::start(&[&ext, &corr]);
    wait_until(Duration::from_secs(60), "the approvals", || {
        variable(&k, "order-a", "decision") == Some(Value::Str("yes".into()))
            && variable(&k, "order-b", "decision") == Some(Value::Str("no".into()))
    });
    wait_until(Duration::from_secs(60), "the payments", || {
        let mut paid: Vec<String> = run_ids(&k, "payment")
            .iter()
            .filter_map(|id| match variable(&k, id, "paid") {
                Some(Value::Double(d)) => Some(d.to_string()),
                _ => None,
            })
            .collect();
        paid.sort();
        paid == ["12.5", "40"]
    });
    connect.sigterm();
    let (code, lines, stderr) = connect.finish();
    assert_eq!(code, Some(0), "{stderr}");
    let finals: BTreeSet<(String, String)> = lines
        .iter()
        .filter(|l| l["state"] == "stopped")
        .map(|l| (l["connector"].to_string(), l["applied"].to_string()))
        .collect();
    assert_eq!(
        finals,
        BTreeSet::from([
            ("\"approvals\"".to_string(), "2".to_string()),
            ("\"payments\"".to_string(), "2".to_string())
        ])
    );
}

#[test]
fn bad_records_go_to_the_dead_letter_topic_with_their_reason_or_stop_the_pipeline() {
    let (b, k) = broker_and_kernel();
    let input = topic("mixed");
    let dlq = topic("mixed-dlq");
    let records = [
        Rec::value(r#"{"name":"good-1"}"#),
        // An int for a str is accepted (LittleHorse casts it); an array is not.
        Rec::value(r#"{"name":["a"]}"#),
        Rec::value(r#"{"name":"x","unknown":1}"#),
        Rec::value("{oops"),
        Rec::value(r#""just text""#),
        Rec::value(r#"{"name":"good-2"}"#),
    ];
    k.rt.block_on(async {
        create_topic(&b.bootstrap, &input, 1).await;
        produce(&b.bootstrap, &input, &records).await;
    });
    let dir = tempfile::tempdir().expect("dir");
    let base = format!(
        "connector.class=io.littlehorse.connect.WfRunSinkConnector\ntopics={input}\n\
         value.converter=org.apache.kafka.connect.json.JsonConverter\n\
         value.converter.schemas.enable=false\nwf.spec.name=greet-all\n{}",
        lh_keys(&k)
    );

    // errors.tolerance=none (the default): the first bad record stops the pipeline, naming it.
    let strict = write_config(
        dir.path(),
        "strict.properties",
        &format!("name=strict\n{base}"),
    );
    let (code, lines, stderr) = Connect::start(&[&strict]).finish();
    assert_eq!(code, Some(1), "{stderr}");
    let last = lines.last().expect("a final status");
    assert_eq!(last["state"], "failed");
    let error = last["error"].as_str().expect("error text");
    assert!(
        error.contains(&format!("topic {input} partition 0 offset 1")),
        "{error}"
    );
    assert!(error.contains("INVALID_ARGUMENT"), "{error}");
    // Records after it that were already in flight may have run (at least once: they run
    // again, idempotently, after the fix); the failed record's offset is never committed.
    let strict_runs = run_ids(&k, "greet-all").len();
    assert!((1..=2).contains(&strict_runs), "{strict_runs}");

    // errors.tolerance=all with a dead-letter topic: bad records land there with the reason.
    let tolerant = write_config(
        dir.path(),
        "tolerant.properties",
        &format!(
            "name=tolerant\n{base}errors.tolerance=all\nerrors.deadletterqueue.topic.name={dlq}\n"
        ),
    );
    let connect = Connect::start(&[&tolerant]);
    connect.wait_status(Duration::from_secs(60), |s| {
        s["applied"].as_u64().unwrap_or(0) + s["dead_lettered"].as_u64().unwrap_or(0) >= 6
    });
    connect.sigterm();
    let (code, _, stderr) = connect.finish();
    assert_eq!(code, Some(0), "{stderr}");
    // good-1 and good-2 ran under the second connector too (another name, other ids).
    assert_eq!(run_ids(&k, "greet-all").len(), strict_runs + 2);

    let dead = consume(&b.bootstrap, &dlq, 4, Duration::from_secs(30));
    assert_eq!(dead.len(), 4, "four dead letters");
    // Records are applied concurrently: dead letters arrive in the order they failed.
    let mut summary: Vec<(String, String, String, String)> = dead
        .iter()
        .map(|m| {
            (
                header(m, "__connect.errors.offset").unwrap_or_default(),
                header(m, "__connect.errors.stage").unwrap_or_default(),
                header(m, "__connect.errors.exception.class.name").unwrap_or_default(),
                payload(m),
            )
        })
        .collect();
    summary.sort();
    let expected = [
        ("1", "TASK_PUT", "INVALID_ARGUMENT", r#"{"name":["a"]}"#),
        (
            "2",
            "TASK_PUT",
            "INVALID_ARGUMENT",
            r#"{"name":"x","unknown":1}"#,
        ),
        ("3", "VALUE_CONVERTER", "DataException", "{oops"),
        ("4", "TASK_PUT", "DataException", r#""just text""#),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(summary, expected);
    for m in &dead {
        assert_eq!(
            header(m, "__connect.errors.topic").as_deref(),
            Some(input.as_str())
        );
        assert_eq!(
            header(m, "__connect.errors.connector.name").as_deref(),
            Some("tolerant")
        );
        assert!(
            !header(m, "__connect.errors.exception.message")
                .unwrap_or_default()
                .is_empty()
        );
    }
    let unknown = dead
        .iter()
        .find(|m| header(m, "__connect.errors.offset").as_deref() == Some("2"))
        .and_then(|m| header(m, "__connect.errors.exception.message"))
        .unwrap_or_default();
    assert!(unknown.contains("unknown"), "{unknown}");
}

/// A configuration that cannot be used stops `lhc connect` before any broker or server is
/// contacted: exit code 2, the file, then the problem (the key, with a suggestion when misspelt).
#[test]
fn config_errors_name_the_file_and_the_key_and_exit_2() {
    let dir = tempfile::tempdir().expect("dir");
    let typo = write_config(
        dir.path(),
        "typo.properties",
        "name=x\nconnector.class=io.littlehorse.connect.WfRunSinkConnector\ntopics=t\nwf.spec.nme=a\n",
    );
    let out = lhc_at(free_port(), &["connect", &typo]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "{typo}: unknown key `wf.spec.nme` (did you mean `wf.spec.name`?)"
        )),
        "{}",
        out.stderr
    );
    let json = write_config(dir.path(), "bad.json", "{\"name\": \"x\", \"config\": 3}");
    let out = lhc_at(free_port(), &["connect", &json]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("{json}: `config` must be a JSON object")),
        "{}",
        out.stderr
    );
    let missing = dir.path().join("absent.properties").display().to_string();
    let out = lhc_at(free_port(), &["connect", &missing]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("cannot read {missing}: ")),
        "{}",
        out.stderr
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Runs lhc against a kernel on `port` (no autostart).
fn lhc_at(port: u16, args: &[&str]) -> harness::Out {
    harness::lhc_env(
        &[
            ("LHC_API_HOST", "127.0.0.1".to_string()),
            ("LHC_API_PORT", port.to_string()),
        ],
        args,
    )
}

#[test]
fn output_topic_records_arrive_in_order_and_start_a_second_workflow() {
    let b = broker();
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let cluster = format!("it{}", std::process::id());
    let home = tempfile::tempdir().expect("home");
    let mut dev = Command::new(env!("CARGO_BIN_EXE_lhc"))
        .args(["dev", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--output-topic-bootstrap", &b.bootstrap])
        .args(["--cluster-id", &cluster, "--output-topic-format", "json"])
        .env("HOME", home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lhc dev starts");
    struct KillOnDrop<'a>(&'a mut Child);
    impl Drop for KillOnDrop<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let dev_guard = KillOnDrop(&mut dev);
    wait_until(Duration::from_secs(30), "lhc dev to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    lhc_at(port, &["deploy", &fixture()]).ok();
    for i in 1..=3 {
        lhc_at(
            port,
            &[
                "run",
                "greet-all",
                "--id",
                &format!("a-{i}"),
                "--var",
                &format!("name=n{i}"),
                "--var",
                "count=7",
            ],
        )
        .ok();
    }

    // Workflow A's records: per WfRun, the public variable before the COMPLETED WfRun;
    // never the private input `count`, never the masked `token`.
    let topic = format!("{cluster}_default_execution");
    let records = consume(&b.bootstrap, &topic, 6, Duration::from_secs(60));
    assert_eq!(records.len(), 6, "two records per WfRun");
    for i in 1..=3 {
        let key = format!("a-{i}");
        let mine: Vec<serde_json::Value> = records
            .iter()
            .filter(|m| m.key() == Some(key.as_bytes()))
            .map(|m| serde_json::from_str(&payload(m)).expect("JSON record"))
            .collect();
        assert_eq!(mine.len(), 2, "{key}: {mine:?}");
        assert_eq!(mine[0]["variable"]["id"]["name"], "greeting", "{mine:?}");
        assert_eq!(mine[0]["variable"]["value"]["str"], format!("hello n{i}"));
        assert_eq!(mine[1]["wfRun"]["status"], "COMPLETED", "{mine:?}");
        assert_eq!(mine[1]["wfRun"]["id"]["id"], key);
        assert!(mine.iter().all(|r| r["timestamp"].is_string()));
    }
    use lhw_connect::rdkafka::Message as _;
    let text: String = records.iter().map(payload).collect();
    assert_eq!(
        partitions(&b.bootstrap, &topic),
        12,
        "LHS_OUTPUT_TOPIC_PARTITIONS' default"
    );

    // The metadata topic: one record per metadata put, in order, keyed `<type>/<id>`, one
    // partition (compacted, as LittleHorse creates it).
    let metadata_topic = format!("{cluster}_default_metadata");
    let meta = consume(&b.bootstrap, &metadata_topic, 6, Duration::from_secs(60));
    let keys: Vec<String> = meta
        .iter()
        .map(|m| String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "EXTERNAL_EVENT_DEF/approved",
            "EXTERNAL_EVENT_DEF/payment-received",
            "WF_SPEC/approval/00000/00000",
            "WF_SPEC/greet-all/00000/00000",
            "WF_SPEC/on-greeted/00000/00000",
            "WF_SPEC/payment/00000/00000",
        ]
    );
    // In commit order: the events the WfSpecs use were put first.
    assert!(
        keys[..2]
            .iter()
            .all(|k| k.starts_with("EXTERNAL_EVENT_DEF/")),
        "{keys:?}"
    );
    let greet = keys
        .iter()
        .position(|k| k == "WF_SPEC/greet-all/00000/00000")
        .expect("greet-all");
    let spec: serde_json::Value =
        serde_json::from_str(&payload(&meta[greet])).expect("JSON record");
    assert_eq!(spec["wfSpec"]["id"]["name"], "greet-all", "{spec}");
    assert!(
        spec["wfSpec"]["threadSpecs"]["entrypoint"].is_object(),
        "{spec}"
    );
    assert_eq!(partitions(&b.bootstrap, &metadata_topic), 1);
    assert_eq!(
        topic_config(&b.bootstrap, &metadata_topic, "cleanup.policy").as_deref(),
        Some("compact")
    );
    assert!(!text.contains("secret-"), "a masked value was exported");
    assert!(
        !text.contains("\"count\""),
        "a private variable was exported"
    );

    // The Output Topic starts workflow B through a WfRunSinkConnector: one run per record.
    let sink = write_config(
        dir.path(),
        "on-greeted.properties",
        &format!(
            "name=on-greeted\nconnector.class=io.littlehorse.connect.WfRunSinkConnector\n\
             topics={topic}\nkey.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter.schemas.enable=false\nwf.spec.name=on-greeted\n\
             lhc.api.host=127.0.0.1\nlhc.api.port={port}\n"
        ),
    );
    let connect = Connect::start(&[&sink]);
    let status = connect.wait_status(Duration::from_secs(60), |s| {
        s["applied"].as_u64().unwrap_or(0) >= 6
    });
    connect.sigterm();
    let (code, _, stderr) = connect.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(status["dead_lettered"], 0);
    // B's own runs are on the Output Topic too (and run B again); A's six came first.
    let k_port = port;
    let client_cfg = lhw_runtime_client::Config::from_pairs([
        ("LHC_API_HOST", "127.0.0.1"),
        ("LHC_API_PORT", &*k_port.to_string()),
    ]);
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let mut raw = rt
        .block_on(LhClient::connect(&client_cfg))
        .expect("client")
        .raw();
    let b_runs = rt
        .block_on(raw.search_wf_run(SearchWfRunRequest {
            wf_spec_name: "on-greeted".into(),
            limit: Some(1000),
            ..Default::default()
        }))
        .expect("search")
        .into_inner()
        .results;
    assert!(b_runs.len() >= 6, "{}", b_runs.len());
    let started_by_a: usize = b_runs
        .iter()
        .filter(|id| {
            let v = rt
                .block_on(raw.get_variable(VariableId {
                    wf_run_id: Some((*id).clone()),
                    thread_run_number: 0,
                    name: "wfRun".into(),
                }))
                .ok()
                .and_then(|v| v.into_inner().value)
                .and_then(|v| v.value);
            matches!(v, Some(Value::JsonObj(j)) if j.contains("\"a-"))
        })
        .count();
    assert_eq!(started_by_a, 3, "one B run per completed A run");
    drop(dev_guard);
}

/// The kernel's outbox read by the publisher, as `lhc dev` wires them (src/output_topic.rs).
struct KernelOutbox(lhw_kernel::storage::outbox::OutboxReader);

impl lhw_connect::output_topic::Outbox for KernelOutbox {
    fn batch(
        &mut self,
        max: usize,
    ) -> Result<Vec<lhw_connect::output_topic::StagedRecord>, String> {
        use lhw_connect::output_topic::{OutputTopicKind, StagedRecord};
        use lhw_kernel::storage::outbox::OutputTopic;
        let rows = self.0.batch(max).map_err(|e| e.to_string())?;
        Ok(rows
            .into_iter()
            .map(|r| StagedRecord {
                seq: r.seq,
                tenant: r.tenant,
                topic: match r.topic {
                    OutputTopic::Execution => OutputTopicKind::Execution,
                    OutputTopic::Metadata => OutputTopicKind::Metadata,
                },
                key: r.key,
                body: r.body,
            })
            .collect())
    }

    fn delete_through(&mut self, tenant: &str, seq: i64) -> Result<(), String> {
        self.0
            .delete_through(tenant, seq)
            .map_err(|e| e.to_string())
    }
}

/// Records staged for two tenants (the default database and `tenants/acme/`) go to each
/// tenant's own two topics, named as LittleHorse names them; every outbox is empty once Kafka
/// acknowledged them.
#[test]
fn each_tenants_records_go_to_that_tenants_topics() {
    use lhw_connect::output_topic::{PublisherSettings, RecordFormat, run_publisher};
    use lhw_connect::rdkafka::Message as _;
    use lhw_kernel::storage::Store;
    use lhw_kernel::storage::outbox::{OutboxReader, OutputTopic};
    use lhw_proto::littlehorse::output_topic_record::Payload;
    use lhw_proto::littlehorse::{OutputTopicRecord, WfRun};
    use prost::Message as _;

    let b = broker();
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(dir.path()).expect("store");
    store.enable_output_topic().expect("output topic on");
    let mut acme = Store::open(&dir.path().join("tenants").join("acme")).expect("acme store");
    acme.set_tenant("acme");
    acme.set_output_topic_config("acme", store_config())
        .expect("acme publishes");
    let record = |id: &str| {
        OutputTopicRecord {
            timestamp: None,
            payload: Some(Payload::WfRun(WfRun {
                id: Some(WfRunId {
                    id: id.to_string(),
                    parent_wf_run_id: None,
                }),
                ..Default::default()
            })),
        }
        .encode_to_vec()
    };
    for (tenant, id) in [
        ("default", "d-1"),
        ("acme", "a-1"),
        ("acme", "a-2"),
        ("default", "d-2"),
    ] {
        let s = if tenant == "acme" { &acme } else { &store };
        s.push_output_record(tenant, OutputTopic::Execution, id, &record(id))
            .expect("staged");
    }
    acme.push_output_record("acme", OutputTopic::Metadata, "TASK_DEF/ship", b"")
        .expect("staged");

    let cluster = format!("tenants{}", std::process::id());
    let settings = PublisherSettings {
        bootstrap_servers: b.bootstrap.clone(),
        cluster_id: cluster.clone(),
        format: RecordFormat::Protobuf,
        execution_partitions: 3,
        properties: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let (stop, rx) = tokio::sync::watch::channel(true); // publish what is staged, then return
    let outbox = KernelOutbox(OutboxReader::open(dir.path()).expect("reader"));
    rt.block_on(run_publisher(outbox, settings, rx))
        .expect("published");
    drop(stop);
    assert_eq!(
        OutboxReader::open(dir.path())
            .expect("reader")
            .pending()
            .expect("pending"),
        0
    );

    let ids = |topic: &str, n: usize| -> Vec<String> {
        let mut ids: Vec<String> = consume(&b.bootstrap, topic, n, Duration::from_secs(60))
            .iter()
            .map(|m| {
                let r = OutputTopicRecord::decode(m.payload().unwrap_or_default()).expect("record");
                match r.payload {
                    Some(Payload::WfRun(run)) => run.id.expect("id").id,
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(&format!("{cluster}_default_execution"), 2),
        ["d-1", "d-2"]
    );
    assert_eq!(ids(&format!("{cluster}_acme_execution"), 2), ["a-1", "a-2"]);
    let acme_meta = consume(
        &b.bootstrap,
        &format!("{cluster}_acme_metadata"),
        1,
        Duration::from_secs(60),
    );
    assert_eq!(acme_meta.len(), 1);
    assert_eq!(acme_meta[0].key(), Some(&b"TASK_DEF/ship"[..]));
    assert_eq!(
        partitions(&b.bootstrap, &format!("{cluster}_acme_execution")),
        3
    );
    assert_eq!(
        partitions(&b.bootstrap, &format!("{cluster}_acme_metadata")),
        1
    );
    // The default tenant staged no metadata record: its metadata topic holds nothing.
    assert!(
        consume(
            &b.bootstrap,
            &format!("{cluster}_default_metadata"),
            1,
            Duration::from_secs(3)
        )
        .is_empty()
    );
}

fn store_config() -> Option<lhw_proto::littlehorse::OutputTopicConfig> {
    use lhw_proto::littlehorse::output_topic_config::OutputTopicRecordingLevel;
    Some(lhw_proto::littlehorse::OutputTopicConfig {
        default_recording_level: OutputTopicRecordingLevel::AllEntityEvents as i32,
    })
}

/// A tenant created through PutTenant with an output topic config (while `lhc dev` publishes)
/// publishes its own runs and metadata to `<cluster>_<tenant>_execution|_metadata`, and none of
/// them reach the default tenant's topics.
#[test]
fn a_tenant_put_with_an_output_topic_config_publishes_to_its_own_topics() {
    use lhw_connect::rdkafka::Message as _;
    use lhw_proto::littlehorse::PutTenantRequest;

    let b = broker();
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let cluster = format!("pt{}", std::process::id());
    let home = tempfile::tempdir().expect("home");
    let mut dev = Command::new(env!("CARGO_BIN_EXE_lhc"))
        .args(["dev", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--output-topic-bootstrap", &b.bootstrap])
        .args(["--cluster-id", &cluster, "--output-topic-format", "json"])
        .env("HOME", home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("lhc dev starts");
    struct KillOnDrop<'a>(&'a mut Child);
    impl Drop for KillOnDrop<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let dev_guard = KillOnDrop(&mut dev);
    wait_until(Duration::from_secs(30), "lhc dev to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let cfg = lhw_runtime_client::Config::from_pairs([
        ("LHC_API_HOST", "127.0.0.1"),
        ("LHC_API_PORT", &*port.to_string()),
    ]);
    let mut raw = rt.block_on(LhClient::connect(&cfg)).expect("client").raw();
    let tenant = rt
        .block_on(raw.put_tenant(PutTenantRequest {
            id: "acme".into(),
            output_topic_config: store_config(),
        }))
        .expect("PutTenant")
        .into_inner();
    assert_eq!(tenant.output_topic_config, store_config());
    let in_acme = |args: &[&str]| {
        harness::lhc_env(
            &[
                ("LHC_API_HOST", "127.0.0.1".to_string()),
                ("LHC_API_PORT", port.to_string()),
                ("LHC_TENANT_ID", "acme".to_string()),
            ],
            args,
        )
    };
    in_acme(&["deploy", &fixture()]).ok();
    for i in 1..=2 {
        in_acme(&[
            "run",
            "greet-all",
            "--id",
            &format!("acme-{i}"),
            "--var",
            &format!("name=n{i}"),
            "--var",
            "count=7",
        ])
        .ok();
    }

    // The tenant's runs on its own execution topic: the public variable, then COMPLETED.
    let acme_topic = format!("{cluster}_acme_execution");
    let records = consume(&b.bootstrap, &acme_topic, 4, Duration::from_secs(60));
    assert_eq!(records.len(), 4, "two records per WfRun");
    for i in 1..=2 {
        let key = format!("acme-{i}");
        let mine: Vec<serde_json::Value> = records
            .iter()
            .filter(|m| m.key() == Some(key.as_bytes()))
            .map(|m| serde_json::from_str(&payload(m)).expect("JSON record"))
            .collect();
        assert_eq!(mine.len(), 2, "{key}: {mine:?}");
        assert_eq!(mine[0]["variable"]["value"]["str"], format!("hello n{i}"));
        assert_eq!(mine[1]["wfRun"]["status"], "COMPLETED", "{mine:?}");
    }
    // Its metadata on its own metadata topic.
    let meta = consume(
        &b.bootstrap,
        &format!("{cluster}_acme_metadata"),
        6,
        Duration::from_secs(60),
    );
    assert!(
        meta.iter()
            .any(|m| m.key() == Some(&b"WF_SPEC/greet-all/00000/00000"[..])),
        "{:?}",
        meta.iter()
            .map(|m| m.key().map(<[u8]>::to_vec))
            .collect::<Vec<_>>()
    );

    // A run of the default tenant reaches the default topic, and nothing of acme's does.
    lhc_at(port, &["deploy", &fixture()]).ok();
    lhc_at(
        port,
        &[
            "run",
            "greet-all",
            "--id",
            "home-1",
            "--var",
            "name=h",
            "--var",
            "count=1",
        ],
    )
    .ok();
    let default_records = consume(
        &b.bootstrap,
        &format!("{cluster}_default_execution"),
        3,
        Duration::from_secs(10),
    );
    assert_eq!(default_records.len(), 2, "only home-1's two records");
    assert!(
        default_records
            .iter()
            .all(|m| m.key() == Some(&b"home-1"[..]))
    );
    let default_meta = consume(
        &b.bootstrap,
        &format!("{cluster}_default_metadata"),
        meta.len() + 1,
        Duration::from_secs(5),
    );
    assert_eq!(
        default_meta.len(),
        meta.len(),
        "each tenant's own deploy only"
    );
    drop(dev_guard);
}

/// The benchmark (not a timed test; run it alone, in release, and read what it prints):
/// `cargo test --release --test connect bench_ -- --ignored --nocapture`.
/// Throughput: records already in the topic → started WfRuns per second through `lhc connect`.
/// Latency: records produced at a steady rate while `lhc connect` idles; for each, the WfRun's
/// start time minus the record's produce time (p50/p99).
#[test]
#[ignore = "a benchmark: run it explicitly"]
fn bench_connect_throughput_and_latency() {
    use lhw_connect::rdkafka::producer::FutureRecord;
    let n: usize = std::env::var("LHW_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let (b, k) = broker_and_kernel();
    let bulk = topic("bench-bulk");
    let live = topic("bench-live");
    k.rt.block_on(async {
        create_topic(&b.bootstrap, &bulk, 4).await;
        create_topic(&b.bootstrap, &live, 4).await;
        let records: Vec<Rec> = (0..n)
            .map(|i| Rec::value(format!(r#"{{"name":"b{i}","count":{i}}}"#)))
            .collect();
        produce(&b.bootstrap, &bulk, &records).await;
    });
    let dir = tempfile::tempdir().expect("dir");
    let config = |name: &str, topic: &str| {
        write_config(
            dir.path(),
            &format!("{name}.properties"),
            &format!(
                "name={name}\nconnector.class=io.littlehorse.connect.WfRunSinkConnector\n\
                 topics={topic}\ntasks.max=2\n\
                 value.converter=org.apache.kafka.connect.json.JsonConverter\n\
                 value.converter.schemas.enable=false\nwf.spec.name=greet-all\n{}",
                lh_keys(&k)
            ),
        )
    };
    let bulk_cfg = config("bulk", &bulk);
    let connect = Connect::start(&[&bulk_cfg]);
    let first = connect.wait_status(Duration::from_secs(120), |s| {
        s["applied"].as_u64().unwrap_or(0) > 0
    });
    let t0 = Instant::now();
    let applied0 = first["applied"].as_u64().unwrap_or(0);
    connect.wait_status(Duration::from_secs(600), |s| {
        s["applied"].as_u64().unwrap_or(0) >= n as u64
    });
    let secs = t0.elapsed().as_secs_f64();
    connect.sigterm();
    connect.finish();
    let rate = (n as u64 - applied0) as f64 / secs;
    assert_eq!(run_ids(&k, "greet-all").len(), n);

    // Latency at a steady rate.
    let live_cfg = config("live", &live);
    let connect = Connect::start(&[&live_cfg]);
    connect.wait_status(Duration::from_secs(60), |s| s["lag"] == 0);
    let m: usize = 2_000;
    let per_sec = 1_000.0;
    let sent: Vec<(i32, i64, i64)> = k.rt.block_on(async {
        let producer = kafka::producer(&b.bootstrap);
        let start = Instant::now();
        let mut pending = Vec::new();
        for i in 0..m {
            let due = Duration::from_secs_f64(i as f64 / per_sec);
            if let Some(wait) = due.checked_sub(start.elapsed()) {
                tokio::time::sleep(wait).await;
            }
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_millis() as i64;
            let value = format!(r#"{{"name":"l{i}"}}"#);
            let rec: FutureRecord<'_, str, str> = FutureRecord::to(&live)
                .payload(value.as_str())
                .timestamp(now_ms);
            let d = producer
                .send_result(rec)
                .map_err(|(e, _)| e)
                .expect("enqueued");
            pending.push((now_ms, d));
        }
        let mut out = Vec::new();
        for (ts, d) in pending {
            let delivery = d.await.expect("delivered").expect("acknowledged");
            out.push((delivery.partition, delivery.offset, ts));
        }
        out
    });
    wait_until(Duration::from_secs(120), "the live records", || {
        run_ids(&k, "greet-all").len() >= n + m
    });
    connect.sigterm();
    connect.finish();
    let client = client(&k);
    let mut latencies: Vec<i64> = sent
        .iter()
        .map(|(p, o, ts)| {
            let id = format!("live-{live}-{p}-{o}");
            let run =
                k.rt.block_on(client.get_wf_run(&id))
                    .expect("the run exists");
            let start = run.start_time.expect("start time");
            start.seconds * 1000 + i64::from(start.nanos) / 1_000_000 - ts
        })
        .collect();
    latencies.sort_unstable();
    let pct = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "bench lhc connect: {n} records -> {n} WfRuns in {secs:.2} s = {rate:.0} WfRuns/s; \
         produce-to-start latency at {per_sec:.0} records/s: p50 {} ms, p99 {} ms, max {} ms",
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or_default()
    );
}
