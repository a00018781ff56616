//! Soak benchmark (not a test): the kernel's memory over a load, then a drain.
//!
//! `cargo bench -p lhw-kernel --bench soak -- [CLIENTS] [LOAD_S] [DRAIN_S] [BACKLOG]
//! [CYCLES]` (defaults 32, 60, 30, 8 and 1). Starts the `lhw-kernel` binary (`LHW_SOAK_KERNEL` names
//! another build) on a fresh data directory, deploys a 3-task workflow, runs task workers
//! (8 pollers per TaskDef) and CLIENTS clients that start WfRuns as fast as the kernel
//! accepts them, keeping at most BACKLOG unfinished WfRuns per client, for LOAD_S seconds;
//! then no new WfRun starts, the backlog finishes and the kernel idles, DRAIN_S seconds in
//! all; CYCLES times (memory that is bounded comes back to the same level every cycle; a
//! leak grows with each). It prints
//! the kernel process's resident memory (VmRSS, from /proc) every second with the WfRuns
//! started and completed, then a summary: at start, peak, end of the load, end of the
//! drain, and a fresh kernel on the same data directory. docs/operations.md has figures.

use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    PollTaskRequest, ReportTaskRun, RunWfRequest, TaskDefId, TaskStatus, VariableValue,
    report_task_run, variable_value::Value,
};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

const WORKFLOW: &str = r#"
task soak-a(n: int) -> int
task soak-b(n: int) -> int
task soak-c(n: int) -> int
workflow soak {
  input n: int required
  var out: int
  let a = soak-a(n)
  let b = soak-b(a)
  out = soak-c(b)
}
"#;

const TASKS: [&str; 3] = ["soak-a", "soak-b", "soak-c"];

/// Counters shared by clients, workers and the sampler.
#[derive(Default)]
struct Counters {
    started: AtomicU64,
    completed: AtomicU64,
}

fn int(i: i64) -> VariableValue {
    VariableValue {
        value: Some(Value::Int(i)),
    }
}

/// The resident memory of process `pid` in MiB (VmRSS).
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The kernel binary: `LHW_SOAK_KERNEL`, or this build's.
fn kernel_binary() -> String {
    std::env::var("LHW_SOAK_KERNEL").unwrap_or_else(|_| env!("CARGO_BIN_EXE_lhw-kernel").into())
}

/// Starts the kernel; `LHW_SOAK_WRAPPER` (e.g. `heaptrack -o /tmp/kernel`) runs it under a
/// profiler (the RSS is then the profiler's process, kernel included).
fn spawn_kernel(data: &Path, port: u16) -> Child {
    let wrapper = std::env::var("LHW_SOAK_WRAPPER").unwrap_or_default();
    let mut words = wrapper.split_whitespace();
    let mut command = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(kernel_binary());
            c
        }
        None => Command::new(kernel_binary()),
    };
    command
        .arg("--data-dir")
        .arg(data)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start lhw-kernel")
}

async fn connect(addr: &str) -> Channel {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(ch) = Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect()
            .await
        {
            let mut c = LittleHorseClient::new(ch.clone());
            if c.get_server_version(pbjson_types::Empty {}).await.is_ok() {
                return ch;
            }
        }
        assert!(Instant::now() < deadline, "the kernel did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn poller(channel: Channel, step: usize, counters: Arc<Counters>) {
    let mut client = LittleHorseClient::new(channel.clone());
    let request = || PollTaskRequest {
        task_def_id: Some(TaskDefId {
            name: TASKS[step].to_string(),
        }),
        client_id: "soak".into(),
        task_worker_version: None,
    };
    let (tx, rx) = mpsc::channel(1);
    if tx.send(request()).await.is_err() {
        return;
    }
    let Ok(resp) = client.poll_task(ReceiverStream::new(rx)).await else {
        return;
    };
    let mut stream = resp.into_inner();
    while let Ok(Some(msg)) = stream.message().await {
        let Some(task) = msg.result else { break };
        let report = ReportTaskRun {
            task_run_id: task.task_run_id.clone(),
            status: TaskStatus::TaskSuccess as i32,
            attempt_number: task.attempt_number,
            result: Some(report_task_run::Result::Output(int(1))),
            ..Default::default()
        };
        if tx.send(request()).await.is_err() {
            break;
        }
        let mut r = LittleHorseClient::new(channel.clone());
        let counters = counters.clone();
        tokio::spawn(async move {
            if r.report_task(report).await.is_ok() && step + 1 == TASKS.len() {
                counters.completed.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

/// One client: starts WfRuns while `loading`, at most `backlog` of its own unfinished.
async fn client(
    channel: Channel,
    name: String,
    loading: Arc<AtomicBool>,
    counters: Arc<Counters>,
    backlog: u64,
) {
    let mut c = LittleHorseClient::new(channel);
    let mut i = 0u64;
    while loading.load(Ordering::Relaxed) {
        // Unfinished WfRuns across all clients stay under the backlog.
        let started = counters.started.load(Ordering::Relaxed);
        let completed = counters.completed.load(Ordering::Relaxed);
        if started.saturating_sub(completed) >= backlog {
            tokio::time::sleep(Duration::from_millis(2)).await;
            continue;
        }
        let id = format!("{name}-{i}");
        i += 1;
        if c.run_wf(RunWfRequest {
            wf_spec_name: "soak".into(),
            variables: [("n".to_string(), int(1))].into_iter().collect(),
            id: Some(id),
            ..Default::default()
        })
        .await
        .is_ok()
        {
            counters.started.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let nums: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = nums.first().copied().unwrap_or(32) as usize;
    let load_s = nums.get(1).copied().unwrap_or(60);
    let drain_s = nums.get(2).copied().unwrap_or(30);
    let per_client = nums.get(3).copied().unwrap_or(8);
    let cycles = nums.get(4).copied().unwrap_or(1);

    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut kernel = spawn_kernel(&data, port);
    let pid = kernel.id();
    let channel = connect(&addr).await;
    let mut admin = LittleHorseClient::new(channel.clone());
    let output = lhw_compiler::compile(WORKFLOW)
        .output
        .expect("the soak workflow compiles");
    for r in output.task_defs {
        admin.put_task_def(r).await.expect("put task def");
    }
    for r in output.wf_specs {
        admin.put_wf_spec(r).await.expect("put wf spec");
    }
    let at_start = rss_mib(pid);

    let counters = Arc::new(Counters::default());
    let mut workers = Vec::new();
    for step in 0..TASKS.len() {
        for _ in 0..8 {
            let ch = connect(&addr).await;
            workers.push(tokio::spawn(poller(ch, step, counters.clone())));
        }
    }
    let backlog = per_client * clients as u64;
    println!(
        "soak: {cycles} x ({clients} clients for {load_s} s, at most {backlog} WfRuns \
         unfinished, then drain until {drain_s} s); kernel pid {pid}"
    );
    println!(
        "{:>6} {:>6} {:>10} {:>10} {:>9}",
        "t (s)", "phase", "started", "completed", "RSS MiB"
    );
    let begin = Instant::now();
    let mut peak = at_start;
    let mut second = 0;
    let mut cycle_ends = Vec::new();
    for cycle in 0..cycles {
        let loading = Arc::new(AtomicBool::new(true));
        let mut load = Vec::new();
        for index in 0..clients {
            let ch = connect(&addr).await;
            load.push(tokio::spawn(client(
                ch,
                format!("soak-{cycle}-{index}"),
                loading.clone(),
                counters.clone(),
                backlog,
            )));
        }
        let mut end_of_load = at_start;
        let first = second;
        loop {
            tokio::time::sleep_until((begin + Duration::from_secs(second + 1)).into()).await;
            second += 1;
            let phase = if second - first <= load_s {
                "load"
            } else {
                "drain"
            };
            if second - first == load_s {
                loading.store(false, Ordering::Relaxed);
            }
            let rss = rss_mib(pid);
            peak = peak.max(rss);
            if second - first == load_s {
                end_of_load = rss;
            }
            println!(
                "{second:>6} {phase:>6} {:>10} {:>10} {rss:>9.1}",
                counters.started.load(Ordering::Relaxed),
                counters.completed.load(Ordering::Relaxed)
            );
            if second - first >= load_s + drain_s {
                break;
            }
        }
        for t in load {
            t.abort();
        }
        cycle_ends.push((end_of_load, rss_mib(pid)));
    }
    let after_drain = rss_mib(pid);
    let started = counters.started.load(Ordering::Relaxed);
    let completed = counters.completed.load(Ordering::Relaxed);
    for t in workers {
        t.abort();
    }
    drop(admin);
    drop(channel);
    let _ = kernel.kill();
    let _ = kernel.wait();

    // A fresh kernel on the same data.
    let mut fresh = spawn_kernel(&data, port);
    let _ch = connect(&addr).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fresh_rss = rss_mib(fresh.id());
    let _ = fresh.kill();
    let _ = fresh.wait();

    for (i, (end_of_load, after)) in cycle_ends.iter().enumerate() {
        println!(
            "cycle {}: RSS MiB at the end of the load {end_of_load:.1}, after the drain {after:.1}",
            i + 1
        );
    }
    println!(
        "summary: {started} WfRuns started, {completed} completed; RSS MiB: start {at_start:.1}, \
         peak {peak:.1}, after the last drain {after_drain:.1}, fresh kernel on the same data \
         {fresh_rss:.1}"
    );
}
