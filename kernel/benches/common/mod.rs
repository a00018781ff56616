//! What the kernel's benchmarks share (`throughput.rs`, `soak.rs`): the 3-task workflow,
//! deploying it, connecting, and the task workers (one PollTask stream per poller, reports
//! sent without waiting, as the SDKs do).

use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    PollTaskRequest, ReportTaskRun, ScheduledTask, TaskDefId, TaskStatus, VariableValue,
    report_task_run, variable_value::Value,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

/// The benchmarks' workflow: three tasks in a row, each adding one to its input.
pub const WORKFLOW: &str = r#"
task bench-a(n: int) -> int
task bench-b(n: int) -> int
task bench-c(n: int) -> int
workflow bench {
  input n: int required
  var out: int
  let a = bench-a(n)
  let b = bench-b(a)
  out = bench-c(b)
}
"#;

/// The WfSpec of [`WORKFLOW`].
pub const WF_SPEC: &str = "bench";

/// Its TaskDefs, in the order a WfRun runs them.
pub const TASKS: [&str; 3] = ["bench-a", "bench-b", "bench-c"];

/// An int value.
pub fn int(i: i64) -> VariableValue {
    VariableValue {
        value: Some(Value::Int(i)),
    }
}

/// Connects to `addr` (`host:port`), waiting up to 30 s until it answers GetServerVersion.
pub async fn connect(addr: &str) -> Channel {
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
        assert!(
            Instant::now() < deadline,
            "the server did not answer in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Deploys [`WORKFLOW`] and waits until its TaskDefs and WfSpec read back (a LittleHorse
/// server applies metadata asynchronously).
pub async fn deploy(client: &mut LittleHorseClient<Channel>) {
    let output = lhw_compiler::compile(WORKFLOW)
        .output
        .expect("the bench workflow compiles");
    for r in output.task_defs {
        client.put_task_def(r).await.expect("put task def");
    }
    for task in TASKS {
        let id = TaskDefId { name: task.into() };
        while client.get_task_def(id.clone()).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for r in output.wf_specs {
        let id = client
            .put_wf_spec(r)
            .await
            .expect("put wf spec")
            .into_inner()
            .id
            .expect("the WfSpec's id");
        while client.get_wf_spec(id.clone()).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// What a benchmark records about the tasks its pollers run (`step`: the index in [`TASKS`]).
pub trait Observer: Send + Sync + 'static {
    /// A poller received step `step` of WfRun `wf_run`.
    fn received(&self, _wf_run: &str, _step: usize) {}
    /// Its report is about to be sent.
    fn reported(&self, _wf_run: &str, _step: usize) {}
    /// The kernel acknowledged the report.
    fn acknowledged(&self, wf_run: String, step: usize);
}

/// One poller of `TASKS[step]` on its own stream: runs each task (its output is its input
/// plus one) and reports it, asking for the next task before the report is acknowledged.
pub async fn poller<O: Observer>(channel: Channel, step: usize, observer: Arc<O>) {
    let mut client = LittleHorseClient::new(channel.clone());
    let reporter = LittleHorseClient::new(channel);
    let request = || PollTaskRequest {
        task_def_id: Some(TaskDefId {
            name: TASKS[step].to_string(),
        }),
        client_id: "bench".into(),
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
        let wf = wf_run_of(&task);
        observer.received(&wf, step);
        let n = match task
            .variables
            .first()
            .and_then(|v| v.value.as_ref())
            .and_then(|v| v.value.as_ref())
        {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        let report = ReportTaskRun {
            task_run_id: task.task_run_id.clone(),
            status: TaskStatus::TaskSuccess as i32,
            attempt_number: task.attempt_number,
            result: Some(report_task_run::Result::Output(int(n + 1))),
            ..Default::default()
        };
        observer.reported(&wf, step);
        if tx.send(request()).await.is_err() {
            break;
        }
        let mut r = reporter.clone();
        let observer = observer.clone();
        tokio::spawn(async move {
            if r.report_task(report).await.is_ok() {
                observer.acknowledged(wf, step);
            }
        });
    }
}

fn wf_run_of(task: &ScheduledTask) -> String {
    task.task_run_id
        .as_ref()
        .and_then(|i| i.wf_run_id.as_ref())
        .map(|w| w.id.clone())
        .unwrap_or_default()
}
