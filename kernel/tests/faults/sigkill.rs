//! N WfRuns × K SIGKILLs of a real kernel process at random moments (seeded) while workers
//! complete tasks: no acknowledged step lost, no acknowledged WfRun lost, duplicates only
//! within at-least-once delivery; the figures are printed.

use crate::process::{KernelProcess, free_addr, wait_serving};
use crate::seed::Seed;
use crate::worker::{Exec, ExecLog, resilient_worker};
use lhw_proto::littlehorse::{
    LhStatus, ListTaskRunsRequest, RunWfRequest, TaskStatus, task_attempt, variable_value::Value,
};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::Code;

const WORKFLOW: &str = r#"
task kill-a(n: int) -> int
task kill-b(n: int) -> int
task kill-c(n: int) -> int
workflow killed {
  input n: int required
  var a: int
  var b: int
  var c: int
  a = kill-a(n)
  b = kill-b(a)
  c = kill-c(b)
}
"#;

/// WfRuns started.
const RUNS: i64 = 40;
/// SIGKILLs.
const KILLS: usize = 5;

/// A TaskDef and what its worker computes.
type Step = (&'static str, fn(i64) -> i64);

fn step_a(n: i64) -> i64 {
    n + 1
}
fn step_b(n: i64) -> i64 {
    n * 2
}
fn step_c(n: i64) -> i64 {
    n + 100
}

/// Starts the batch; each RunWf is retried until a kernel acknowledges it (ALREADY_EXISTS
/// after a restart means an earlier attempt was committed). Records when each was
/// acknowledged.
async fn start_batch(addr: SocketAddr, seed: u64, acked: Arc<Mutex<Vec<String>>>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..RUNS {
        let id = format!("killed-{i}");
        loop {
            if let Some(mut c) = crate::process::connect(addr).await {
                let r = c
                    .run_wf(RunWfRequest {
                        wf_spec_name: "killed".into(),
                        variables: [("n".to_string(), crate::common::int(i))]
                            .into_iter()
                            .collect(),
                        id: Some(id.clone()),
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
        acked.lock().expect("acked").push(id);
        tokio::time::sleep(Duration::from_millis(rng.u64(5..40))).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkills_at_random_moments_lose_no_step_and_no_run() {
    let seed = Seed::from_env("sigkill");
    let mut rng = fastrand::Rng::with_seed(seed.0);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let addr = free_addr();
    let log_of = |g: usize| dir.path().join(format!("kernel-{g}.log"));
    let body = async {
        let mut generation = 0;
        let mut spawned = vec![Instant::now()];
        let mut kernel = KernelProcess::spawn(&data, addr, &log_of(generation));
        let (mut client, _) = wait_serving(&mut kernel).await;
        crate::common::deploy(&mut client, WORKFLOW).await;

        let log: ExecLog = Arc::default();
        // Two pollers per TaskDef, so that a redelivered task can reach one while the other
        // is still retrying its report.
        let steps: [Step; 3] = [("kill-a", step_a), ("kill-b", step_b), ("kill-c", step_c)];
        let mut workers = Vec::new();
        for (task, f) in steps {
            for _ in 0..2 {
                let worker_seed = rng.u64(..);
                workers.push(tokio::spawn(resilient_worker(
                    addr,
                    task,
                    f,
                    15,
                    worker_seed,
                    log.clone(),
                )));
            }
        }
        let acked_runs: Arc<Mutex<Vec<String>>> = Arc::default();
        let batch = tokio::spawn(start_batch(addr, rng.u64(..), acked_runs.clone()));

        let mut recoveries = Vec::new();
        for _ in 0..KILLS {
            tokio::time::sleep(Duration::from_millis(rng.u64(150..600))).await;
            kernel.kill();
            generation += 1;
            tokio::time::sleep(Duration::from_millis(rng.u64(0..100))).await;
            spawned.push(Instant::now());
            kernel = KernelProcess::spawn(&data, addr, &log_of(generation));
            let (_, took) = wait_serving(&mut kernel).await;
            recoveries.push(took);
        }
        tokio::time::timeout(Duration::from_secs(40), batch)
            .await
            .expect("the batch was acknowledged within 40 s")
            .expect("batch task");

        let (mut client, _) = wait_serving(&mut kernel).await;
        let mut outputs = BTreeMap::new();
        let acked_runs = acked_runs.lock().expect("acked").clone();
        assert_eq!(acked_runs.len(), RUNS as usize);
        let mut lost_runs = Vec::new();
        for (i, id) in acked_runs.iter().enumerate() {
            let i = i as i64;
            if client.get_wf_run(crate::common::wf_id(id)).await.is_err() {
                lost_runs.push(id.clone());
                continue;
            }
            crate::common::wait_status(&mut client, id, LhStatus::Completed).await;
            assert_eq!(
                crate::common::var(&mut client, id, "c").await,
                Some(Value::Int(step_c(step_b(step_a(i))))),
                "output of {id} ({seed})"
            );
            let trs = client
                .list_task_runs(ListTaskRunsRequest {
                    wf_run_id: Some(crate::common::wf_id(id)),
                    ..Default::default()
                })
                .await
                .expect("list task runs")
                .into_inner()
                .results;
            assert_eq!(trs.len(), 3, "{id} has one TaskRun per step ({seed})");
            for tr in trs {
                assert_eq!(tr.status, TaskStatus::TaskSuccess as i32, "{tr:#?}");
                // A redelivery after a restart reuses the attempt: no retry is consumed.
                assert_eq!(tr.attempts.len(), 1, "{tr:#?} ({seed})");
                let out = match tr.attempts[0].result.as_ref() {
                    Some(task_attempt::Result::Output(v)) => v.value.clone(),
                    other => panic!("attempt without output: {other:?}"),
                };
                let guid = tr.id.map(|i| i.task_guid).unwrap_or_default();
                outputs.insert((id.clone(), guid), out);
            }
        }
        assert!(
            lost_runs.is_empty(),
            "acknowledged WfRuns lost: {lost_runs:?} ({seed})"
        );
        for w in workers {
            w.abort();
        }
        let log = log.lock().expect("log").clone();
        // Every acknowledged report is in the final state.
        let mut lost_steps = 0;
        for e in log.iter().filter(|e| e.acked.is_some()) {
            if outputs.get(&(e.wf_run.clone(), e.guid.clone())) != Some(&Some(Value::Int(e.output)))
            {
                lost_steps += 1;
                eprintln!(
                    "lost: the acknowledged report of {}/{} (node {}, attempt {})",
                    e.wf_run, e.guid, e.node_position, e.attempt
                );
            }
        }
        assert_eq!(lost_steps, 0, "acknowledged steps lost ({seed})");
        // Every TaskRun in the final state was executed by a worker.
        for (wf_run, guid) in outputs.keys() {
            assert!(
                log.iter().any(|e| &e.wf_run == wf_run && &e.guid == guid),
                "TaskRun {wf_run}/{guid} completed without being executed ({seed})"
            );
        }
        // At-least-once: a task runs again only if no earlier execution had been acknowledged
        // when the kernel process that redelivered it started.
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
                        "{wf_run}/{guid} was redelivered after its report had been acknowledged \
                         ({seed}): {execs:#?}"
                    );
                }
            }
        }
        recoveries.sort();
        let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "fault suite, SIGKILL ({seed}): {RUNS} WfRuns, {KILLS} kills, {} lost WfRuns, \
             {lost_steps} lost steps, {} task executions for {} TaskRuns ({duplicates} \
             duplicate executions, all within at-least-once), recovery (restart to serving) \
             min {:.0} ms, median {:.0} ms, max {:.0} ms",
            lost_runs.len(),
            log.len(),
            outputs.len(),
            ms(&recoveries[0]),
            ms(&recoveries[recoveries.len() / 2]),
            ms(&recoveries[recoveries.len() - 1]),
        );
        drop(kernel);
    };
    if tokio::time::timeout(Duration::from_secs(120), body)
        .await
        .is_err()
    {
        let logs: Vec<String> = (0..=KILLS)
            .filter_map(|g| std::fs::read_to_string(log_of(g)).ok())
            .collect();
        panic!("the SIGKILL case did not finish within 120 s ({seed}); kernel logs: {logs:#?}");
    }
}
