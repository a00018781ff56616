//! A task worker that survives kernel restarts, speaking the gRPC protocol itself (as the
//! SDKs do: a PollTask stream, one ReportTask per task, reports retried on a fresh
//! connection), and a log of every execution it made.

use crate::process::connect;
use lhw_proto::littlehorse::{
    PollTaskRequest, ReportTaskRun, ScheduledTask, TaskDefId, TaskStatus, report_task_run,
    task_run_source, variable_value::Value,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// One execution of a task by a worker.
#[derive(Debug, Clone)]
pub struct Exec {
    /// The WfRun id.
    pub wf_run: String,
    /// The TaskRun guid.
    pub guid: String,
    /// The TASK node's position.
    pub node_position: i32,
    /// The attempt number the kernel sent.
    pub attempt: i32,
    /// What the worker reported.
    pub output: i64,
    /// When the worker received it.
    pub received: Instant,
    /// Taken before connecting the poll stream that delivered it: the kernel process that
    /// sent it was started before this.
    pub stream_opened: Instant,
    /// When the kernel acknowledged the report (None: never).
    pub acked: Option<Instant>,
}

/// Every execution, in the order received.
pub type ExecLog = Arc<Mutex<Vec<Exec>>>;

/// The first input of a task, which must be an INT.
fn int_input(task: &ScheduledTask) -> i64 {
    match task
        .variables
        .first()
        .and_then(|v| v.value.as_ref())
        .and_then(|v| v.value.as_ref())
    {
        Some(Value::Int(n)) => *n,
        other => panic!("task input is not an INT: {other:?}"),
    }
}

/// Polls `task_def` at `addr` forever (reconnecting when the kernel goes away), computes
/// `compute(input)`, works for a random 1..`max_work_ms` ms (seeded by `seed`) and reports
/// success, retrying the report until a kernel acknowledges it.
pub async fn resilient_worker(
    addr: SocketAddr,
    task_def: &'static str,
    compute: fn(i64) -> i64,
    max_work_ms: u64,
    seed: u64,
    log: ExecLog,
) {
    let mut rng = fastrand::Rng::with_seed(seed);
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
            client_id: format!("fault-worker-{task_def}"),
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
            let output = compute(int_input(&task));
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
                    received: Instant::now(),
                    stream_opened,
                    acked: None,
                });
                log.len() - 1
            };
            // The work takes a while, so that kills land mid-task.
            tokio::time::sleep(Duration::from_millis(rng.u64(1..max_work_ms.max(2)))).await;
            let report = ReportTaskRun {
                task_run_id: task.task_run_id.clone(),
                status: TaskStatus::TaskSuccess as i32,
                attempt_number: task.attempt_number,
                result: Some(report_task_run::Result::Output(crate::common::int(output))),
                ..Default::default()
            };
            for _ in 0..400 {
                if let Some(mut rc) = connect(addr).await
                    && rc.report_task(report.clone()).await.is_ok()
                {
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
