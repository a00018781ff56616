//! Crash test: the `lhw-kernel` binary is SIGKILLed at random moments while
//! a batch of WfRuns of a 3-task workflow runs, and restarted on the same
//! data directory each time. Every WfRun must complete with the right
//! output, no acknowledged step may be lost, and a task may run again only
//! when no report of it had been acknowledged before it was redelivered
//! (at-least-once delivery).

mod common;

use common::Client;
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    LhStatus, ListTaskRunsRequest, PollTaskRequest, ReportTaskRun, RunWfRequest, TaskDefId,
    TaskStatus, report_task_run, task_attempt, task_run_source, variable_value::Value,
};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

const WORKFLOW: &str = r#"
task step-a(n: int) -> int
task step-b(n: int) -> int
task step-c(n: int) -> int
workflow crashy {
  input n: int required
  var a: int
  var b: int
  var c: int
  a = step-a(n)
  b = step-b(a)
  c = step-c(b)
}
"#;

/// WfRuns in the batch.
const RUNS: i64 = 30;

/// What each task computes.
fn compute(task: &str, n: i64) -> i64 {
    match task {
        "step-a" => n + 1,
        "step-b" => n * 2,
        _ => n + 100,
    }
}

/// The expected final value of `c` for input `n`.
fn expected(n: i64) -> i64 {
    compute("step-c", compute("step-b", compute("step-a", n)))
}

/// One execution of a task by the test worker.
#[derive(Debug, Clone)]
struct Exec {
    wf_run: String,
    guid: String,
    node_position: i32,
    attempt: i32,
    output: i64,
    received: Instant,
    /// Taken before connecting the poll stream that delivered it: the kernel
    /// process that sent it was started before this.
    stream_opened: Instant,
    /// When the kernel acknowledged the report (None: never).
    acked: Option<Instant>,
}

type Log = Arc<Mutex<Vec<Exec>>>;

/// The kernel process; killed (SIGKILL) when dropped.
struct Kernel {
    child: Child,
}

impl Kernel {
    fn spawn(dir: &Path, addr: SocketAddr, generation: usize) -> Kernel {
        let log = std::fs::File::create(dir.join(format!("kernel-{generation}.log")))
            .expect("kernel log file");
        let child = Command::new(env!("CARGO_BIN_EXE_lhw-kernel"))
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--listen")
            .arg(addr.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start lhw-kernel");
        Kernel { child }
    }

    /// SIGKILL (std's `kill` sends SIGKILL on Unix) and reap.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn connect(addr: SocketAddr) -> Option<Client> {
    LittleHorseClient::connect(format!("http://{addr}"))
        .await
        .ok()
}

/// Waits until the kernel answers (bounded).
async fn wait_ready(addr: SocketAddr) -> Client {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(mut c) = connect(addr).await
            && c.get_server_version(pbjson_types::Empty {}).await.is_ok()
        {
            return c;
        }
        assert!(Instant::now() < deadline, "the kernel did not come up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// A worker for one TaskDef that survives kernel restarts: it reconnects
/// when its stream breaks and retries ReportTask like the SDKs do.
async fn worker(addr: SocketAddr, task_def: &'static str, log: Log) {
    loop {
        let stream_opened = Instant::now();
        let Some(mut client) = connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let request = || PollTaskRequest {
            task_def_id: Some(TaskDefId {
                name: task_def.to_string(),
            }),
            client_id: format!("crash-worker-{task_def}"),
            task_worker_version: None,
        };
        let (tx, rx) = mpsc::channel(1);
        if tx.send(request()).await.is_err() {
            continue;
        }
        let Ok(resp) = client.poll_task(ReceiverStream::new(rx)).await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let mut stream = resp.into_inner();
        while let Ok(Some(msg)) = stream.message().await {
            let Some(task) = msg.result else { break };
            let received = Instant::now();
            let n = match task
                .variables
                .first()
                .and_then(|v| v.value.as_ref())
                .and_then(|v| v.value.as_ref())
            {
                Some(Value::Int(n)) => *n,
                other => panic!("step input is not an INT: {other:?}"),
            };
            let id = task.task_run_id.clone().unwrap_or_default();
            let node_position = match task
                .source
                .as_ref()
                .and_then(|s| s.task_run_source.as_ref())
            {
                Some(task_run_source::TaskRunSource::TaskNode(r)) => {
                    r.node_run_id.as_ref().map_or(-1, |i| i.position)
                }
                _ => -1,
            };
            let output = compute(task_def, n);
            let index = {
                let mut log = log.lock().expect("log");
                log.push(Exec {
                    wf_run: id
                        .wf_run_id
                        .as_ref()
                        .map(|w| w.id.clone())
                        .unwrap_or_default(),
                    guid: id.task_guid.clone(),
                    node_position,
                    attempt: task.attempt_number,
                    output,
                    received,
                    stream_opened,
                    acked: None,
                });
                log.len() - 1
            };
            // Work takes a little while, so that kills land mid-task.
            tokio::time::sleep(Duration::from_millis(fastrand::u64(2..15))).await;
            let report = ReportTaskRun {
                task_run_id: task.task_run_id.clone(),
                status: TaskStatus::TaskSuccess as i32,
                attempt_number: task.attempt_number,
                result: Some(report_task_run::Result::Output(common::int(output))),
                ..Default::default()
            };
            // Retry the report across restarts (bounded), on a fresh connection each time.
            for _ in 0..200 {
                let mut rc = match connect(addr).await {
                    Some(c) => c,
                    None => {
                        tokio::time::sleep(Duration::from_millis(25)).await;
                        continue;
                    }
                };
                if rc.report_task(report.clone()).await.is_ok() {
                    log.lock().expect("log")[index].acked = Some(Instant::now());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            if tx.send(request()).await.is_err() {
                break;
            }
        }
    }
}

/// Starts the batch; each RunWf is retried until the kernel acknowledges it
/// (ALREADY_EXISTS after a restart means an earlier attempt was committed).
async fn start_batch(addr: SocketAddr, started: Arc<AtomicUsize>) {
    for i in 0..RUNS {
        loop {
            if let Some(mut c) = connect(addr).await {
                let r = c
                    .run_wf(RunWfRequest {
                        wf_spec_name: "crashy".into(),
                        variables: [("n".to_string(), common::int(i))].into_iter().collect(),
                        id: Some(format!("crash-{i}")),
                        ..Default::default()
                    })
                    .await;
                match r {
                    Ok(_) => break,
                    Err(s) if s.code() == Code::AlreadyExists => break,
                    Err(_) => {}
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        started.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_batch_loses_no_acknowledged_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = free_addr();
    let body = async {
        let mut generation = 0;
        // When each kernel process was started.
        let mut spawned = vec![Instant::now()];
        let mut kernel = Kernel::spawn(dir.path(), addr, generation);
        let mut client = wait_ready(addr).await;
        common::deploy(&mut client, WORKFLOW).await;

        let log: Log = Arc::default();
        // Two pollers per TaskDef, so that a redelivered task can reach one
        // while the other is still retrying its report.
        let workers: Vec<_> = ["step-a", "step-b", "step-c"]
            .into_iter()
            .flat_map(|t| [t, t])
            .map(|t| tokio::spawn(worker(addr, t, log.clone())))
            .collect();
        let started = Arc::new(AtomicUsize::new(0));
        let batch = tokio::spawn(start_batch(addr, started.clone()));

        let kills = fastrand::usize(3..=5);
        let mut kill_times = Vec::new();
        for _ in 0..kills {
            tokio::time::sleep(Duration::from_millis(fastrand::u64(150..500))).await;
            kill_times.push(Instant::now());
            kernel.kill();
            generation += 1;
            tokio::time::sleep(Duration::from_millis(fastrand::u64(0..100))).await;
            spawned.push(Instant::now());
            kernel = Kernel::spawn(dir.path(), addr, generation);
            wait_ready(addr).await;
        }
        tokio::time::timeout(Duration::from_secs(30), batch)
            .await
            .expect("the batch was started within 30 s")
            .expect("batch task");

        let mut client = wait_ready(addr).await;
        let mut outputs = BTreeMap::new();
        for i in 0..RUNS {
            let id = format!("crash-{i}");
            let run = common::wait_status(&mut client, &id, LhStatus::Completed).await;
            assert_eq!(run.status, LhStatus::Completed as i32);
            assert_eq!(
                common::var(&mut client, &id, "c").await,
                Some(Value::Int(expected(i))),
                "output of {id}"
            );
            let trs = client
                .list_task_runs(ListTaskRunsRequest {
                    wf_run_id: Some(common::wf_id(&id)),
                    ..Default::default()
                })
                .await
                .expect("list task runs")
                .into_inner()
                .results;
            assert_eq!(trs.len(), 3, "{id} has one TaskRun per step: {trs:#?}");
            for tr in trs {
                // Redelivery after a restart reuses the attempt: no retry is consumed.
                assert_eq!(tr.status, TaskStatus::TaskSuccess as i32, "{tr:#?}");
                assert_eq!(tr.attempts.len(), 1, "{tr:#?}");
                let out = match tr.attempts[0].result.as_ref() {
                    Some(task_attempt::Result::Output(v)) => v.value.clone(),
                    other => panic!("attempt without output: {other:?}"),
                };
                let guid = tr.id.map(|i| i.task_guid).unwrap_or_default();
                outputs.insert((id.clone(), guid), out);
            }
        }

        for w in workers {
            w.abort();
        }
        let log = log.lock().expect("log").clone();
        // Every acknowledged report is in the final state.
        for e in log.iter().filter(|e| e.acked.is_some()) {
            let stored = outputs.get(&(e.wf_run.clone(), e.guid.clone()));
            assert_eq!(
                stored,
                Some(&Some(Value::Int(e.output))),
                "acknowledged report of {}/{} (node {}, attempt {}) is not in the final state",
                e.wf_run,
                e.guid,
                e.node_position,
                e.attempt
            );
        }
        // Every TaskRun in the final state was executed by the worker.
        for (wf_run, guid) in outputs.keys() {
            assert!(
                log.iter().any(|e| &e.wf_run == wf_run && &e.guid == guid),
                "TaskRun {wf_run}/{guid} completed without being executed"
            );
        }
        // A task runs again only if no earlier execution had been acknowledged
        // when the kernel process that redelivered it started (redelivery
        // happens at start; which process sent a task is known from when its
        // stream was opened).
        let started_before = |t: Instant| {
            spawned
                .iter()
                .rev()
                .find(|s| **s <= t)
                .copied()
                .unwrap_or(spawned[0])
        };
        let mut by_task: BTreeMap<(String, String), Vec<&Exec>> = BTreeMap::new();
        for e in &log {
            by_task
                .entry((e.wf_run.clone(), e.guid.clone()))
                .or_default()
                .push(e);
        }
        let mut duplicates = 0;
        for ((wf_run, guid), mut execs) in by_task {
            execs.sort_by_key(|e| e.received);
            for (i, later) in execs.iter().enumerate().skip(1) {
                duplicates += 1;
                for earlier in &execs[..i] {
                    assert!(
                        earlier
                            .acked
                            .is_none_or(|a| a > started_before(later.stream_opened)),
                        "{wf_run}/{guid} was redelivered after its report had been acknowledged: {execs:#?}; kills at {kill_times:?}, starts at {spawned:?}"
                    );
                }
            }
        }
        eprintln!(
            "crash test: {kills} kills, {} executions of {} TaskRuns, {duplicates} redeliveries",
            log.len(),
            outputs.len()
        );
        drop(kernel);
    };
    if tokio::time::timeout(Duration::from_secs(120), body)
        .await
        .is_err()
    {
        let logs: Vec<String> = (0..6)
            .filter_map(|g| {
                std::fs::read_to_string(dir.path().join(format!("kernel-{g}.log"))).ok()
            })
            .collect();
        panic!("the crash test did not finish within 120 s; kernel logs: {logs:#?}");
    }
}
