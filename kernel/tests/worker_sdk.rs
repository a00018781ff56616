//! The Rust worker SDK (`lhw_runtime_client::worker`) against the kernel:
//! typed round trips of every supported type, exceptions vs errors in the
//! TaskRun, bounded concurrency, graceful shutdown, re-registration after a
//! kernel restart.

mod common;

use common::{
    TEST_TIMEOUT, client, deploy, run, s, start, start_deployed, var, wait_status, wf_id,
};
use lhw_kernel::KernelHandle;
use lhw_proto::littlehorse::{
    LhErrorType, LhStatus, ListTaskRunsRequest, TaskRun, TaskStatus, VariableValue, task_attempt,
    variable_value::Value,
};
use lhw_runtime_client::Config;
use lhw_runtime_client::worker::{
    Json, JsonArr, TaskError, Worker, WorkerBuilder, WorkerContext, WorkerError,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ECHO: &str = r#"
task echo-str(v: str) -> str
task echo-int(v: int) -> int
task echo-small(v: int) -> int
task echo-double(v: double) -> double
task echo-bool(v: bool) -> bool
task echo-bytes(v: bytes) -> bytes
task echo-obj(v: json-obj) -> json-obj
task echo-arr(v: json-arr) -> json-arr
task echo-time(v: timestamp) -> timestamp
task echo-maybe(v: str) -> str
task sink(a: str, b: int)

workflow echo {
  input s: str required
  input i: int required
  input d: double required
  input b: bool required
  input raw: bytes required
  input obj: json-obj required
  input arr: json-arr required
  input t: timestamp required
  input absent: str
  var s2: str
  var i2: int
  var small: int
  var d2: double
  var b2: bool
  var raw2: bytes
  var obj2: json-obj
  var arr2: json-arr
  var t2: timestamp
  var maybe: str
  var maybe-set: str
  s2 = echo-str(s)
  i2 = echo-int(i)
  small = echo-small(i)
  d2 = echo-double(d)
  b2 = echo-bool(b)
  raw2 = echo-bytes(raw)
  obj2 = echo-obj(obj)
  arr2 = echo-arr(arr)
  t2 = echo-time(t)
  maybe = echo-maybe(absent)
  maybe-set = echo-maybe(s)
  sink(s, i)
}
"#;

const CHECKED: &str = r#"
task check(n: int) -> str
workflow checked {
  input n: int
  var out: str
  out = check(n) retries 2
}
"#;

const SLOW: &str = r#"
task slow(n: int) -> int
workflow slow-wf {
  input n: int required
  var out: int
  out = slow(n)
}
"#;

fn config(addr: SocketAddr) -> Config {
    Config::from_pairs([
        ("LHC_API_HOST", addr.ip().to_string().as_str()),
        ("LHC_API_PORT", addr.port().to_string().as_str()),
    ])
}

fn builder(kernel: &KernelHandle) -> WorkerBuilder {
    Worker::builder(config(kernel.addr())).client_id("sdk-test")
}

fn v(value: Value) -> VariableValue {
    VariableValue { value: Some(value) }
}

async fn task_runs(c: &mut common::Client, id: &str) -> Vec<TaskRun> {
    c.list_task_runs(ListTaskRunsRequest {
        wf_run_id: Some(wf_id(id)),
        ..Default::default()
    })
    .await
    .expect("list task runs")
    .into_inner()
    .results
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: i64,
    tags: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_supported_type_round_trips_through_a_wf_run() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().expect("tempdir");
        let kernel = start(dir.path()).await;
        let sunk = Arc::new(Mutex::new(Vec::new()));
        let sunk2 = sunk.clone();
        // The worker registers the TaskDefs from the functions' types; the
        // deploy below puts the compiler's TaskDefs for the same declarations,
        // which the kernel accepts only when they are identical.
        let worker = builder(&kernel)
            .register_task_defs(true)
            .task("echo-str", &["v"], |x: String| async move {
                Ok::<_, TaskError>(x)
            })
            .task(
                "echo-int",
                &["v"],
                |x: i64| async move { Ok::<_, TaskError>(x) },
            )
            .task("echo-small", &["v"], |x: i32| async move {
                Ok::<_, TaskError>(x + 1)
            })
            .task("echo-double", &["v"], |x: f64| async move {
                Ok::<_, TaskError>(x * 2.0)
            })
            .task("echo-bool", &["v"], |x: bool| async move {
                Ok::<_, TaskError>(!x)
            })
            .task("echo-bytes", &["v"], |mut x: Vec<u8>| async move {
                x.reverse();
                Ok::<_, TaskError>(x)
            })
            .task("echo-obj", &["v"], |Json(mut o): Json<Order>| async move {
                o.tags.push("seen".into());
                Ok::<_, TaskError>(Json(o))
            })
            .task(
                "echo-arr",
                &["v"],
                |JsonArr(a): JsonArr<Vec<i64>>| async move {
                    Ok::<_, TaskError>(JsonArr(a.iter().map(|n| n * 10).collect::<Vec<_>>()))
                },
            )
            .task("echo-time", &["v"], |t: SystemTime| async move {
                Ok::<_, TaskError>(t + Duration::from_secs(60))
            })
            .task("echo-maybe", &["v"], |x: Option<String>| async move {
                Ok::<_, TaskError>(x.map(|s| format!("got {s}")))
            })
            .task("sink", &["a", "b"], move |a: String, b: i64| {
                let sunk = sunk2.clone();
                async move {
                    sunk.lock().expect("sunk").push(format!("{a}/{b}"));
                    Ok::<_, TaskError>(())
                }
            })
            .build()
            .expect("a valid worker")
            .start()
            .await
            .expect("the worker starts and registers its TaskDefs");
        let mut c = client(&kernel).await;
        deploy(&mut c, ECHO).await;

        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 250_000_000);
        let ts = |t: SystemTime| {
            let d = t.duration_since(UNIX_EPOCH).expect("after epoch");
            Value::UtcTimestamp(pbjson_types::Timestamp {
                seconds: d.as_secs() as i64,
                nanos: d.subsec_nanos() as i32,
            })
        };
        run(
            &mut c,
            "echo",
            "echo-1",
            &[
                ("s", s("héllo")),
                ("i", v(Value::Int(41))),
                ("d", v(Value::Double(1.25))),
                ("b", v(Value::Bool(true))),
                ("raw", v(Value::Bytes(vec![1, 2, 3]))),
                ("obj", v(Value::JsonObj(r#"{"id":7,"tags":["a"]}"#.into()))),
                ("arr", v(Value::JsonArr("[1,2]".into()))),
                ("t", v(ts(t))),
            ],
        )
        .await;
        wait_status(&mut c, "echo-1", LhStatus::Completed).await;
        let get = |name: &'static str| {
            let mut c = c.clone();
            async move { var(&mut c, "echo-1", name).await }
        };
        assert_eq!(get("s2").await, Some(Value::Str("héllo".into())));
        assert_eq!(get("i2").await, Some(Value::Int(41)));
        assert_eq!(get("small").await, Some(Value::Int(42)));
        assert_eq!(get("d2").await, Some(Value::Double(2.5)));
        assert_eq!(get("b2").await, Some(Value::Bool(false)));
        assert_eq!(get("raw2").await, Some(Value::Bytes(vec![3, 2, 1])));
        match get("obj2").await {
            Some(Value::JsonObj(text)) => {
                let o: Order = serde_json::from_str(&text).expect("an Order");
                assert_eq!(
                    o,
                    Order {
                        id: 7,
                        tags: vec!["a".into(), "seen".into()]
                    }
                );
            }
            other => panic!("obj2 = {other:?}"),
        }
        match get("arr2").await {
            Some(Value::JsonArr(text)) => {
                let a: Vec<i64> = serde_json::from_str(&text).expect("ints");
                assert_eq!(a, [10, 20]);
            }
            other => panic!("arr2 = {other:?}"),
        }
        assert_eq!(get("t2").await, Some(ts(t + Duration::from_secs(60))));
        assert_eq!(get("maybe").await, None, "NULL in, None out");
        assert_eq!(get("maybe-set").await, Some(Value::Str("got héllo".into())));
        assert_eq!(*sunk.lock().expect("sunk"), ["héllo/41"]);
        let report = worker.shutdown().await;
        assert_eq!(report.abandoned, 0);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exceptions_errors_panics_and_bad_inputs_are_reported_distinctly() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(CHECKED).await;
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let seen = attempts.clone();
        let worker = builder(&kernel)
            .task("check", &["n"], move |n: i64, ctx: WorkerContext| {
                seen.lock()
                    .expect("attempts")
                    .push((n, ctx.attempt_number()));
                async move {
                    ctx.log(format!("checking {n}"));
                    match n {
                        0 => Err(TaskError::exception_with(
                            "not-positive",
                            "n must be positive",
                            n,
                        )),
                        1 => Err(TaskError::failed("boom")),
                        2 => panic!("the task panicked on purpose"),
                        _ => Ok(format!("fine: {n}")),
                    }
                }
            })
            .build()
            .expect("a valid worker")
            .start()
            .await
            .expect("the worker starts");

        // A business exception: not retried, the WfRun ends EXCEPTION.
        run(&mut c, "checked", "exn", &[("n", v(Value::Int(0)))]).await;
        wait_status(&mut c, "exn", LhStatus::Exception).await;
        let trs = task_runs(&mut c, "exn").await;
        assert_eq!(trs[0].attempts.len(), 1, "an exception is not retried");
        let a = &trs[0].attempts[0];
        assert_eq!(a.status, TaskStatus::TaskException as i32);
        match &a.result {
            Some(task_attempt::Result::Exception(e)) => {
                assert_eq!(e.name, "not-positive");
                assert_eq!(e.message, "n must be positive");
                assert_eq!(
                    e.content.as_ref().and_then(|c| c.value.clone()),
                    Some(Value::Int(0))
                );
            }
            other => panic!("not an exception: {other:?}"),
        }
        assert_eq!(
            a.log_output.as_ref().and_then(|l| l.value.clone()),
            Some(Value::Str("checking 0".into()))
        );

        // A failure: retried twice, each attempt with its number, then ERROR.
        run(&mut c, "checked", "err", &[("n", v(Value::Int(1)))]).await;
        wait_status(&mut c, "err", LhStatus::Error).await;
        let trs = task_runs(&mut c, "err").await;
        assert_eq!(trs[0].attempts.len(), 3, "{:#?}", trs[0]);
        for a in &trs[0].attempts {
            assert_eq!(a.status, TaskStatus::TaskFailed as i32);
            match &a.result {
                Some(task_attempt::Result::Error(e)) => {
                    assert_eq!(e.message, "boom");
                    assert_eq!(e.r#type, LhErrorType::TaskFailure as i32);
                }
                other => panic!("not an error: {other:?}"),
            }
        }
        let numbers: Vec<i32> = attempts
            .lock()
            .expect("attempts")
            .iter()
            .filter(|(n, _)| *n == 1)
            .map(|(_, a)| *a)
            .collect();
        assert_eq!(numbers, [0, 1, 2]);

        // A panic is a failure too, and the worker goes on.
        run(&mut c, "checked", "panic", &[("n", v(Value::Int(2)))]).await;
        wait_status(&mut c, "panic", LhStatus::Error).await;
        let trs = task_runs(&mut c, "panic").await;
        match &trs[0].attempts[0].result {
            Some(task_attempt::Result::Error(e)) => assert!(
                e.message
                    .contains("the task function panicked: the task panicked on purpose"),
                "{e:?}"
            ),
            other => panic!("not an error: {other:?}"),
        }

        // A NULL input for an i64 parameter: TASK_INPUT_VAR_SUB_ERROR (not retried).
        run(&mut c, "checked", "null", &[]).await;
        wait_status(&mut c, "null", LhStatus::Error).await;
        let trs = task_runs(&mut c, "null").await;
        let a = &trs[0].attempts[0];
        assert_eq!(a.status, TaskStatus::TaskInputVarSubError as i32);
        match &a.result {
            Some(task_attempt::Result::Error(e)) => {
                assert_eq!(e.r#type, LhErrorType::VarSubError as i32);
                assert!(
                    e.message
                        .starts_with("input `n` (#0): expected int, got NULL"),
                    "{e:?}"
                );
            }
            other => panic!("not an error: {other:?}"),
        }

        run(&mut c, "checked", "ok", &[("n", v(Value::Int(5)))]).await;
        wait_status(&mut c, "ok", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "ok", "out").await,
            Some(Value::Str("fine: 5".into()))
        );
        assert_eq!(worker.shutdown().await.abandoned, 0);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatched_or_missing_task_def_stops_the_start() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, _c) = start_deployed(CHECKED).await;
        let err = builder(&kernel)
            .task(
                "check",
                &["n"],
                |n: String| async move { Ok::<_, TaskError>(n) },
            )
            .build()
            .expect("valid")
            .start()
            .await
            .err()
            .expect("the types differ");
        assert_eq!(
            err.to_string(),
            "TaskDef check: input #0 `n` of task `check` is int on the server, but the task \
             function takes str"
        );
        let err = builder(&kernel)
            .task("nowhere", &[], || async { Ok::<_, TaskError>(()) })
            .build()
            .expect("valid")
            .start()
            .await
            .err()
            .expect("no such TaskDef");
        assert!(
            matches!(&err, WorkerError::TaskDef { task, message }
                if task == "nowhere" && message.starts_with("not registered on 127.0.0.1:")),
            "{err}"
        );
        let err = builder(&kernel)
            .task("check", &["n", "extra"], |n: i64| async move {
                Ok::<_, TaskError>(n)
            })
            .build()
            .err()
            .expect("names do not match the parameters");
        assert_eq!(
            err.to_string(),
            "task `check`: 2 input name(s) given for a function of 1 input(s)"
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

/// Counts executions running at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
    done: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_bounded_by_the_semaphore() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(SLOW).await;
        let gauge = Arc::new(Gauge::default());
        let g = gauge.clone();
        let worker = builder(&kernel)
            .concurrency(3)
            .task("slow", &["n"], move |n: i64| {
                let g = g.clone();
                async move {
                    let now = g.now.fetch_add(1, Ordering::SeqCst) + 1;
                    g.max.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    g.now.fetch_sub(1, Ordering::SeqCst);
                    g.done.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, TaskError>(n * 2)
                }
            })
            .build()
            .expect("valid")
            .start()
            .await
            .expect("starts");
        for i in 0..12 {
            run(
                &mut c,
                "slow-wf",
                &format!("slow-{i}"),
                &[("n", v(Value::Int(i)))],
            )
            .await;
        }
        for i in 0..12 {
            let id = format!("slow-{i}");
            wait_status(&mut c, &id, LhStatus::Completed).await;
            assert_eq!(var(&mut c, &id, "out").await, Some(Value::Int(i * 2)));
        }
        assert_eq!(gauge.done.load(Ordering::SeqCst), 12);
        assert_eq!(
            gauge.max.load(Ordering::SeqCst),
            3,
            "12 queued tasks fill exactly the 3 permits"
        );
        let stats = worker.stats();
        assert_eq!(stats.executed, 12);
        assert_eq!(stats.report_failures, 0);
        worker.shutdown().await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_tasks_under_way_and_polls_no_more() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(SLOW).await;
        let started = Arc::new(tokio::sync::Notify::new());
        let s2 = started.clone();
        let worker = builder(&kernel)
            .task("slow", &["n"], move |n: i64| {
                let started = s2.clone();
                async move {
                    started.notify_one();
                    tokio::time::sleep(Duration::from_millis(n as u64)).await;
                    Ok::<_, TaskError>(n)
                }
            })
            .build()
            .expect("valid")
            .start()
            .await
            .expect("starts");
        run(&mut c, "slow-wf", "inflight", &[("n", v(Value::Int(800)))]).await;
        started.notified().await;
        let begin = Instant::now();
        let report = worker.shutdown().await;
        assert_eq!(report.abandoned, 0);
        assert!(
            begin.elapsed() >= Duration::from_millis(500),
            "shutdown waited for the task: {:?}",
            begin.elapsed()
        );
        // The report went out before shutdown returned.
        let run_now = c
            .get_wf_run(wf_id("inflight"))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(run_now.status, LhStatus::Completed as i32);

        // Nothing polls any more: a new run stays RUNNING.
        run(&mut c, "slow-wf", "after", &[("n", v(Value::Int(1)))]).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = c
            .get_wf_run(wf_id("after"))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(after.status, LhStatus::Running as i32);

        // A task that overruns the shutdown timeout is abandoned, and shutdown returns.
        let s3 = started.clone();
        let worker = builder(&kernel)
            .shutdown_timeout(Duration::from_millis(200))
            .task("slow", &["n"], move |n: i64| {
                let started = s3.clone();
                async move {
                    started.notify_one();
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    Ok::<_, TaskError>(n)
                }
            })
            .build()
            .expect("valid")
            .start()
            .await
            .expect("starts");
        started.notified().await;
        // shutdown returns with the task abandoned, not after its 30 s sleep (the test's
        // own watchdog bounds it).
        let report = worker.shutdown().await;
        assert_eq!(report.abandoned, 1);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_re_registers_and_reconnects_after_a_kernel_restart() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().expect("tempdir");
        let kernel = start(dir.path()).await;
        let addr = kernel.addr();
        let mut c = client(&kernel).await;
        deploy(&mut c, SLOW).await;
        let worker = Worker::builder(config(addr))
            .client_id("restart-test")
            .heartbeat_interval(Duration::from_millis(300))
            .task(
                "slow",
                &["n"],
                |n: i64| async move { Ok::<_, TaskError>(n + 1) },
            )
            .build()
            .expect("valid")
            .start()
            .await
            .expect("starts");
        run(&mut c, "slow-wf", "before", &[("n", v(Value::Int(1)))]).await;
        wait_status(&mut c, "before", LhStatus::Completed).await;
        let before = worker.stats();
        assert_eq!(before.connections, 1);

        kernel.shutdown().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while worker.health().healthy {
            assert!(
                Instant::now() < deadline,
                "the heartbeat notices the kernel is gone"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(worker.health().last_error.is_some());
        let kernel = lhw_kernel::serve(lhw_kernel::Config::new(dir.path()).listen(addr))
            .await
            .expect("the kernel restarts on the same address");
        let mut c = client(&kernel).await;
        run(&mut c, "slow-wf", "after", &[("n", v(Value::Int(41)))]).await;
        wait_status(&mut c, "after", LhStatus::Completed).await;
        assert_eq!(var(&mut c, "after", "out").await, Some(Value::Int(42)));
        let after = worker.stats();
        assert!(after.registrations > before.registrations, "{after:?}");
        assert!(after.connections >= 2, "a new poll connection: {after:?}");
        assert!(worker.health().healthy);
        assert_eq!(worker.shutdown().await.abandoned, 0);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
