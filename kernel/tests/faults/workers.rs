//! Slow and vanishing workers, as LittleHorse treats them (server
//! `TaskClaimEventModel.process` → `TaskRunModel.onTaskAttemptStarted`: a claimed attempt is
//! TASK_RUNNING with a timer at `timeout_seconds`; the timer reports TASK_TIMEOUT, which
//! `onTaskAttemptResultReported` retries while `total_attempts` allow, else the TaskRun ends
//! TASK_TIMEOUT and the node fails with `TIMEOUT`; a report for an attempt that is no
//! longer running is ignored):
//! - a worker that takes a task and dies (its connection drops): the attempt times out and
//!   the retry goes to a live worker;
//! - a worker slower than the timeout: TIMEOUT failure, its late report acknowledged and
//!   ignored;
//! - a worker that goes away while waiting for a task: the task goes to a live worker at
//!   once, without waiting for a timeout.

use crate::process::{Client, KernelProcess, connect, free_addr, wait_serving};
use lhw_proto::littlehorse::{
    LhErrorType, LhStatus, ListTaskRunsRequest, PollTaskRequest, ReportTaskRun, RunWfRequest,
    ScheduledTask, TaskDefId, TaskRun, TaskStatus, report_task_run, task_attempt,
    variable_value::Value,
};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

const WORKFLOW: &str = r#"
task vanish-step(n: int) -> int
task slow-step(n: int) -> int
task idle-step(n: int) -> int
workflow vanishing {
  input n: int required
  var out: int
  out = vanish-step(n) timeout 1s retries 1
}
workflow slow {
  input n: int required
  var out: int
  out = slow-step(n) timeout 1s
}
workflow idle {
  input n: int required
  var out: int
  out = idle-step(n) timeout 30s
}
"#;

/// An open PollTask stream that has asked for one task.
struct Poll {
    /// Keeps the request stream (and so the call) open.
    _tx: mpsc::Sender<PollTaskRequest>,
    stream: tonic::Streaming<lhw_proto::littlehorse::PollTaskResponse>,
    /// Keeps the connection open.
    _client: Client,
}

async fn poll(addr: SocketAddr, task_def: &str) -> Poll {
    let mut client = connect(addr).await.expect("connect");
    let (tx, rx) = mpsc::channel(1);
    tx.send(PollTaskRequest {
        task_def_id: Some(TaskDefId {
            name: task_def.to_string(),
        }),
        client_id: format!("fault-{task_def}"),
        task_worker_version: None,
    })
    .await
    .expect("send poll");
    let stream = client
        .poll_task(ReceiverStream::new(rx))
        .await
        .expect("PollTask")
        .into_inner();
    Poll {
        _tx: tx,
        stream,
        _client: client,
    }
}

impl Poll {
    /// The next task (bounded wait).
    async fn task(&mut self) -> ScheduledTask {
        tokio::time::timeout(Duration::from_secs(20), self.stream.message())
            .await
            .expect("a task within 20 s")
            .expect("the stream is open")
            .expect("a response")
            .result
            .expect("a task")
    }
}

async fn report(addr: SocketAddr, task: &ScheduledTask, output: i64) -> Result<(), tonic::Status> {
    let mut c = connect(addr).await.expect("connect");
    c.report_task(ReportTaskRun {
        task_run_id: task.task_run_id.clone(),
        status: TaskStatus::TaskSuccess as i32,
        attempt_number: task.attempt_number,
        result: Some(report_task_run::Result::Output(crate::common::int(output))),
        ..Default::default()
    })
    .await
    .map(|_| ())
}

async fn run(client: &mut Client, spec: &str, id: &str) {
    client
        .run_wf(RunWfRequest {
            wf_spec_name: spec.into(),
            variables: [("n".to_string(), crate::common::int(5))]
                .into_iter()
                .collect(),
            id: Some(id.into()),
            ..Default::default()
        })
        .await
        .expect("run wf");
}

async fn task_run(client: &mut Client, id: &str) -> TaskRun {
    let mut trs = client
        .list_task_runs(ListTaskRunsRequest {
            wf_run_id: Some(crate::common::wf_id(id)),
            ..Default::default()
        })
        .await
        .expect("list task runs")
        .into_inner()
        .results;
    assert_eq!(trs.len(), 1, "one TaskRun: {trs:#?}");
    trs.remove(0)
}

/// Kernel, client; the kernel is a real process.
async fn kernel(dir: &std::path::Path) -> (KernelProcess, Client) {
    let mut kernel = KernelProcess::spawn(&dir.join("data"), free_addr(), &dir.join("kernel.log"));
    let (mut client, _) = wait_serving(&mut kernel).await;
    crate::common::deploy(&mut client, WORKFLOW).await;
    (kernel, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_dies_holding_a_task_times_out_and_the_retry_reaches_a_live_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (kernel, mut client) = kernel(dir.path()).await;
    let body = async {
        let mut doomed = poll(kernel.addr, "vanish-step").await;
        run(&mut client, "vanishing", "vanish-1").await;
        let first = doomed.task().await;
        assert_eq!(first.attempt_number, 0);
        // The worker dies with the task: its stream and connection close, no report.
        drop(doomed);
        let mut live = poll(kernel.addr, "vanish-step").await;
        let retry = live.task().await;
        assert_eq!(
            retry.attempt_number, 1,
            "the retry, after the first attempt timed out"
        );
        assert_eq!(retry.task_run_id, first.task_run_id);
        report(kernel.addr, &retry, 10).await.expect("report");
        crate::common::wait_status(&mut client, "vanish-1", LhStatus::Completed).await;
        assert_eq!(
            crate::common::var(&mut client, "vanish-1", "out").await,
            Some(Value::Int(10))
        );
        let tr = task_run(&mut client, "vanish-1").await;
        assert_eq!(tr.attempts.len(), 2, "{tr:#?}");
        assert_eq!(tr.attempts[0].status, TaskStatus::TaskTimeout as i32);
        match &tr.attempts[0].result {
            Some(task_attempt::Result::Error(e)) => {
                assert_eq!(e.r#type, LhErrorType::Timeout as i32, "{e:?}")
            }
            other => panic!("the timed-out attempt says TIMEOUT: {other:?}"),
        }
        assert_eq!(tr.attempts[1].status, TaskStatus::TaskSuccess as i32);
        assert_eq!(tr.status, TaskStatus::TaskSuccess as i32);
    };
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("finished within 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_slower_than_the_timeout_fails_the_step_with_timeout_and_its_late_report_is_ignored()
 {
    let dir = tempfile::tempdir().expect("tempdir");
    let (kernel, mut client) = kernel(dir.path()).await;
    let body = async {
        let mut slow = poll(kernel.addr, "slow-step").await;
        run(&mut client, "slow", "slow-1").await;
        let task = slow.task().await;
        // The step fails with TIMEOUT while the worker is still working.
        let failed = crate::common::wait_status(&mut client, "slow-1", LhStatus::Error).await;
        let thread = &failed.thread_runs[0];
        assert!(
            thread
                .error_message
                .as_deref()
                .unwrap_or_default()
                .contains("TIMEOUT")
                || crate::common::node_runs(&mut client, "slow-1", Some(0))
                    .await
                    .iter()
                    .any(|n| n.failures.iter().any(|f| f.failure_name == "TIMEOUT")),
            "the failure is TIMEOUT: {failed:#?}"
        );
        // The late report is acknowledged and ignored.
        report(kernel.addr, &task, 10)
            .await
            .expect("a late report is acknowledged");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let tr = task_run(&mut client, "slow-1").await;
        assert_eq!(tr.attempts.len(), 1, "{tr:#?}");
        assert_eq!(tr.attempts[0].status, TaskStatus::TaskTimeout as i32);
        assert_eq!(tr.status, TaskStatus::TaskTimeout as i32);
        let run = client
            .get_wf_run(crate::common::wf_id("slow-1"))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(run.status, LhStatus::Error as i32, "still ERROR");
        assert_eq!(crate::common::var(&mut client, "slow-1", "out").await, None);
    };
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("finished within 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_gone_while_waiting_for_a_task_does_not_swallow_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (kernel, mut client) = kernel(dir.path()).await;
    let body = async {
        // Registered first, then gone before any task exists.
        let gone = poll(kernel.addr, "idle-step").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(gone);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut live = poll(kernel.addr, "idle-step").await;
        run(&mut client, "idle", "idle-1").await;
        // The task reaches the live worker on its first attempt (a task sent to the gone
        // worker would wait 30 s for its timeout, past this wait).
        let task = live.task().await;
        assert_eq!(task.attempt_number, 0);
        report(kernel.addr, &task, 10).await.expect("report");
        crate::common::wait_status(&mut client, "idle-1", LhStatus::Completed).await;
        let tr = task_run(&mut client, "idle-1").await;
        assert_eq!(tr.attempts.len(), 1, "{tr:#?}");
    };
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("finished within 60 s");
}
