//! Throughput benchmark (not a test): N WfRuns of a 3-task workflow on an
//! in-process kernel with durable commits (SQLite WAL, `synchronous=FULL`),
//! Rust task workers over loopback gRPC.
//!
//! `cargo bench -p lhw-kernel --bench throughput -- [RUNS] [POLLERS_PER_TASK]`
//! (defaults 2000 and 16). Phase 1 starts all RUNS WfRuns at once and reports
//! task completions per second; phases 2 and 3 run 300 WfRuns each with 1 and
//! 8 WfRuns in flight. Every phase reports the task-to-next-task latency: from
//! a worker sending ReportTask for step k of a WfRun to a worker receiving
//! step k+1 of that WfRun (report RPC, commit, advance, dispatch, delivery);
//! under the saturating load of phase 1 it is mostly queueing.
//!
//! `LHW_BENCH_TARGET=host:port` runs the same workflow and workers against a running
//! LittleHorse server instead (the real server: `scripts/littlehorse.sh start DIR`).

mod common;

use common::{Observer, TASKS, WF_SPEC, int};
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{LhStatus, RunWfRequest, SearchWfRunRequest};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};
use tonic::transport::Channel;

/// (WfRun id, step index): when a worker received the task, when it sent its report.
#[derive(Default)]
struct Times {
    received: HashMap<(String, usize), Instant>,
    reported: HashMap<(String, usize), Instant>,
    acked: usize,
    /// Receives the id of every WfRun whose last task was acknowledged.
    finished: Option<mpsc::UnboundedSender<String>>,
}

/// The pollers' record of task times.
#[derive(Default)]
struct Recorder(Mutex<Times>);

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Times> {
        self.0.lock().expect("times")
    }
}

impl Observer for Recorder {
    fn received(&self, wf_run: &str, step: usize) {
        let now = Instant::now();
        self.lock().received.insert((wf_run.to_string(), step), now);
    }

    fn reported(&self, wf_run: &str, step: usize) {
        let now = Instant::now();
        self.lock().reported.insert((wf_run.to_string(), step), now);
    }

    fn acknowledged(&self, wf_run: String, step: usize) {
        let mut t = self.lock();
        t.acked += 1;
        if step + 1 == TASKS.len()
            && let Some(f) = &t.finished
        {
            let _ = f.send(wf_run);
        }
    }
}

type Shared = Arc<Recorder>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let nums: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let runs = nums.first().copied().unwrap_or(2000);
    let pollers = nums.get(1).copied().unwrap_or(16);

    let dir = tempfile::tempdir().expect("tempdir");
    // LHW_BENCH_TARGET=host:port runs the same bench against a running LittleHorse server
    // (scripts/littlehorse.sh) instead of an in-process kernel.
    let target = std::env::var("LHW_BENCH_TARGET")
        .ok()
        .filter(|t| !t.is_empty());
    let (kernel, addr) = match &target {
        Some(t) => (None, t.clone()),
        None => {
            let config =
                lhw_kernel::Config::new(dir.path()).listen("127.0.0.1:0".parse().expect("addr"));
            let k = lhw_kernel::serve(config).await.expect("kernel starts");
            let addr = k.addr().to_string();
            (Some(k), addr)
        }
    };
    eprintln!(
        "target: {}",
        target.as_deref().unwrap_or("in-process kernel")
    );
    let channel = common::connect(&addr).await;
    let mut client = LittleHorseClient::new(channel.clone());
    common::deploy(&mut client).await;
    // WfRun ids of this run only, so the bench can run again on the same server.
    let tag = format!("{:06x}", fastrand::u32(..) & 0xff_ffff);
    let before = count_completed(&mut client).await;

    let times: Shared = Arc::default();
    let mut workers = Vec::new();
    for step in 0..TASKS.len() {
        for _ in 0..pollers {
            // One HTTP/2 connection per poller, as separate worker processes would have.
            let ch = common::connect(&addr).await;
            workers.push(tokio::spawn(common::poller(ch, step, times.clone())));
        }
    }

    let (finished_tx, mut finished) = mpsc::unbounded_channel();
    times.lock().finished = Some(finished_tx);

    // Phase 1, throughput: every WfRun started at once (256 RunWf in flight).
    eprintln!(
        "throughput: {runs} WfRuns x 3 tasks, {pollers} pollers per TaskDef, durable commits"
    );
    let tput = format!("tput{tag}");
    let (elapsed, latencies) = phase(&client, &times, &mut finished, &tput, runs, runs).await;
    let total_tasks = runs * TASKS.len();
    let secs = elapsed.as_secs_f64();
    println!("throughput phase:       {runs} WfRuns, {total_tasks} tasks in {secs:.2} s");
    println!(
        "  throughput:           {:.0} tasks/s",
        total_tasks as f64 / secs
    );
    print_latency("  task-to-next-task:", &latencies);

    // Phase 2, latency: a steady load of a few WfRuns in flight.
    for in_flight in [1, 8] {
        let n = 300;
        let prefix = format!("lat{in_flight}{tag}");
        let (elapsed, latencies) =
            phase(&client, &times, &mut finished, &prefix, n, in_flight).await;
        let tasks = n * TASKS.len();
        println!(
            "latency phase:          {n} WfRuns, {in_flight} in flight, {:.0} tasks/s",
            tasks as f64 / elapsed.as_secs_f64()
        );
        print_latency("  task-to-next-task:", &latencies);
    }

    // Every WfRun completed.
    let completed = count_completed(&mut client).await - before;
    println!("COMPLETED WfRuns:       {completed}");
    for w in workers {
        w.abort();
    }
    if let Some(k) = kernel {
        k.shutdown().await;
    }
    assert_eq!(completed, runs + 600, "every WfRun completes");
}

/// The number of COMPLETED WfRuns of `bench` on the server.
async fn count_completed(client: &mut LittleHorseClient<Channel>) -> usize {
    let mut completed = 0;
    let mut bookmark = None;
    loop {
        let page = client
            .search_wf_run(SearchWfRunRequest {
                wf_spec_name: WF_SPEC.into(),
                status: Some(LhStatus::Completed as i32),
                limit: Some(1000),
                bookmark: bookmark.clone(),
                ..Default::default()
            })
            .await
            .expect("search")
            .into_inner();
        completed += page.results.len();
        bookmark = page.bookmark;
        if bookmark.is_none() {
            return completed;
        }
    }
}

fn print_latency(label: &str, latencies: &[Duration]) {
    println!(
        "{label:<24}p50 {:.2} ms, p99 {:.2} ms ({} samples)",
        percentile(latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.len()
    );
}

/// Runs `runs` WfRuns with at most `in_flight` unfinished at a time (RunWf
/// calls capped at 256 concurrent); returns the wall time and the sorted
/// task-to-next-task latencies of these WfRuns.
async fn phase(
    client: &LittleHorseClient<Channel>,
    times: &Shared,
    finished: &mut mpsc::UnboundedReceiver<String>,
    prefix: &str,
    runs: usize,
    in_flight: usize,
) -> (Duration, Vec<Duration>) {
    let start = Instant::now();
    let limit = Arc::new(Semaphore::new(256));
    let mut started = 0;
    let mut done = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    while done < runs {
        while started < runs && started - done < in_flight {
            let permit = limit.clone().acquire_owned().await.expect("semaphore");
            let mut c = client.clone();
            let id = format!("{prefix}-{started}");
            tokio::spawn(async move {
                let r = c
                    .run_wf(RunWfRequest {
                        wf_spec_name: WF_SPEC.into(),
                        variables: [("n".to_string(), int(1))].into_iter().collect(),
                        id: Some(id),
                        ..Default::default()
                    })
                    .await;
                drop(permit);
                if let Err(e) = r {
                    eprintln!("RunWf failed: {e}");
                }
            });
            started += 1;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, finished.recv()).await {
            Ok(Some(_)) => done += 1,
            _ => panic!("the bench did not finish in 10 minutes"),
        }
    }
    let elapsed = start.elapsed();
    let t = times.lock();
    let mut latencies: Vec<Duration> = Vec::new();
    for ((wf, step), reported) in &t.reported {
        if wf.starts_with(&format!("{prefix}-"))
            && *step + 1 < TASKS.len()
            && let Some(next) = t.received.get(&(wf.clone(), step + 1))
        {
            latencies.push(next.saturating_duration_since(*reported));
        }
    }
    latencies.sort();
    (elapsed, latencies)
}
