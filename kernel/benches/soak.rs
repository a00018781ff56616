//! Soak benchmark (not a test): the kernel's memory over a load, then a drain.
//!
//! `cargo bench -p lhw-kernel --bench soak -- [CLIENTS] [LOAD_S] [DRAIN_S] [BACKLOG]
//! [CYCLES]` (defaults 32, 60, 30, 8 and 1). Starts the `lhw-kernel` binary (`LHW_SOAK_KERNEL` names
//! another build) on a fresh data directory, deploys a 3-task workflow, runs task workers
//! (8 pollers per TaskDef) and CLIENTS clients that start WfRuns as fast as the kernel
//! accepts them, keeping at most BACKLOG unfinished WfRuns per client, for LOAD_S seconds;
//! then no new WfRun starts, the backlog finishes and the kernel idles, DRAIN_S seconds in
//! all; CYCLES times (memory that is bounded comes back to the same level every cycle; a
//! leak grows with each). It prints the kernel process's resident memory (VmRSS, with its
//! anonymous and file-backed parts, from /proc) every second with the WfRuns started and
//! completed, then a summary: each cycle's WfRuns and RSS at the end of the load and of the
//! drain, the band and slope of the after-drain RSS over cycles 2..N, the start, the peak, and
//! a fresh kernel on the same data directory. docs/operations.md has figures.

mod common;

use common::{Observer, TASKS, WF_SPEC, int};
use lhw_proto::littlehorse::RunWfRequest;
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// Counters shared by clients, workers and the sampler.
#[derive(Default)]
struct Counters {
    started: AtomicU64,
    completed: AtomicU64,
}

/// The resident memory of a process, MiB (from `/proc/PID/status`): all of it (VmRSS),
/// anonymous (RssAnon: the heap) and file-backed (RssFile: the binary, libraries and SQLite's
/// memory-mapped WAL index).
#[derive(Clone, Copy, Default)]
struct Rss {
    total: f64,
    anon: f64,
    file: f64,
}

fn rss(pid: u32) -> Rss {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    Rss {
        total: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:") + field("RssShmem:"),
    }
}

/// The end of one cycle.
struct CycleEnd {
    end_of_load: Rss,
    after_drain: Rss,
    completed: u64,
}

/// The least-squares slope of `ys` against 0, 1, 2, … (MiB per cycle).
fn slope(ys: &[f64]) -> f64 {
    let n = ys.len() as f64;
    if ys.len() < 2 {
        return 0.0;
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    num / den
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

impl Observer for Counters {
    fn acknowledged(&self, _wf_run: String, step: usize) {
        if step + 1 == TASKS.len() {
            self.completed.fetch_add(1, Ordering::Relaxed);
        }
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
            wf_spec_name: WF_SPEC.into(),
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
    let channel = common::connect(&addr).await;
    let mut admin = LittleHorseClient::new(channel.clone());
    common::deploy(&mut admin).await;
    let at_start = rss(pid);

    let counters = Arc::new(Counters::default());
    let mut workers = Vec::new();
    for step in 0..TASKS.len() {
        for _ in 0..8 {
            let ch = common::connect(&addr).await;
            workers.push(tokio::spawn(common::poller(ch, step, counters.clone())));
        }
    }
    let backlog = per_client * clients as u64;
    println!(
        "soak: {cycles} x ({clients} clients for {load_s} s, at most {backlog} WfRuns \
         unfinished, then drain until {drain_s} s); kernel pid {pid}"
    );
    println!(
        "{:>6} {:>6} {:>10} {:>10} {:>9} {:>9} {:>9}",
        "t (s)", "phase", "started", "completed", "RSS MiB", "anon", "file"
    );
    let begin = Instant::now();
    let mut peak = at_start.total;
    let mut second = 0;
    let mut cycle_ends = Vec::new();
    for cycle in 0..cycles {
        let loading = Arc::new(AtomicBool::new(true));
        let mut load = Vec::new();
        for index in 0..clients {
            let ch = common::connect(&addr).await;
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
            let now = rss(pid);
            peak = peak.max(now.total);
            if second - first == load_s {
                end_of_load = now;
            }
            println!(
                "{second:>6} {phase:>6} {:>10} {:>10} {:>9.1} {:>9.1} {:>9.1}",
                counters.started.load(Ordering::Relaxed),
                counters.completed.load(Ordering::Relaxed),
                now.total,
                now.anon,
                now.file
            );
            if second - first >= load_s + drain_s {
                break;
            }
        }
        for t in load {
            t.abort();
        }
        cycle_ends.push(CycleEnd {
            end_of_load,
            after_drain: rss(pid),
            completed: counters.completed.load(Ordering::Relaxed),
        });
    }
    let after_drain = rss(pid).total;
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
    let _ch = common::connect(&addr).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fresh_rss = rss(fresh.id()).total;
    let _ = fresh.kill();
    let _ = fresh.wait();

    let mut previous = 0;
    for (i, c) in cycle_ends.iter().enumerate() {
        println!(
            "cycle {}: {} WfRuns completed; RSS MiB at the end of the load {:.1} (anon {:.1}), \
             after the drain {:.1} (anon {:.1}, file {:.1})",
            i + 1,
            c.completed - previous,
            c.end_of_load.total,
            c.end_of_load.anon,
            c.after_drain.total,
            c.after_drain.anon,
            c.after_drain.file
        );
        previous = c.completed;
    }
    // Cycle 1 fills the allocator's pools and SQLite's caches; a leak shows from cycle 2 on.
    if cycle_ends.len() >= 3 {
        let ends: Vec<f64> = cycle_ends[1..]
            .iter()
            .map(|c| c.after_drain.total)
            .collect();
        let low = ends.iter().copied().fold(f64::INFINITY, f64::min);
        let high = ends.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        println!(
            "after the drain, cycles 2..{}: RSS MiB from {low:.1} to {high:.1} (band {:.1}), \
             slope {:+.2} MiB per cycle",
            cycle_ends.len(),
            high - low,
            slope(&ends)
        );
    }
    println!(
        "summary: {started} WfRuns started, {completed} completed; RSS MiB: start {:.1}, \
         peak {peak:.1}, after the last drain {after_drain:.1}, fresh kernel on the same data \
         {fresh_rss:.1}",
        at_start.total
    );
}
