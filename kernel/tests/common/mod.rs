//! Shared helpers for the kernel end-to-end tests: start a kernel on
//! 127.0.0.1:0 with a temp data dir, deploy .lhw sources compiled by our
//! compiler, run tiny Rust task workers over gRPC, wait for statuses.

#![allow(dead_code)]

use lhw_kernel::{Config, KernelHandle};
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    LhStatus, LhTaskError, LhTaskException, PollTaskRequest, ReportTaskRun, RunWfRequest,
    ScheduledTask, TaskDefId, TaskStatus, VariableId, VariableValue, WfRun, WfRunId,
    report_task_run, variable_value::Value,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

/// A gRPC client.
pub type Client = LittleHorseClient<Channel>;

/// Every test body runs under this limit.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts a kernel on a free port with `dir` as data dir.
pub async fn start(dir: &Path) -> KernelHandle {
    let config = Config::new(dir).listen("127.0.0.1:0".parse().expect("addr"));
    lhw_kernel::serve(config).await.expect("kernel starts")
}

/// Connects a client to a kernel.
pub async fn client(kernel: &KernelHandle) -> Client {
    LittleHorseClient::connect(format!("http://{}", kernel.addr()))
        .await
        .expect("connect")
}

/// Compiles `source` with our compiler and deploys every object it defines.
pub async fn deploy(client: &mut Client, source: &str) {
    let compiled = lhw_compiler::compile(source);
    let output = compiled
        .output
        .unwrap_or_else(|| panic!("compile errors: {:#?}", compiled.diagnostics));
    for r in output.task_defs {
        client.put_task_def(r).await.expect("put task def");
    }
    for r in output.external_event_defs {
        client
            .put_external_event_def(r)
            .await
            .expect("put external event def");
    }
    for r in output.workflow_event_defs {
        client
            .put_workflow_event_def(r)
            .await
            .expect("put workflow event def");
    }
    for r in output.user_task_defs {
        client
            .put_user_task_def(r)
            .await
            .expect("put user task def");
    }
    for r in output.wf_specs {
        client.put_wf_spec(r).await.expect("put wf spec");
    }
}

/// A STR value.
pub fn s(x: &str) -> VariableValue {
    VariableValue {
        value: Some(Value::Str(x.to_string())),
    }
}

/// An INT value.
pub fn int(i: i64) -> VariableValue {
    VariableValue {
        value: Some(Value::Int(i)),
    }
}

/// Runs a WfRun with the given id and variables.
pub async fn run(
    client: &mut Client,
    spec: &str,
    id: &str,
    vars: &[(&str, VariableValue)],
) -> WfRun {
    let variables: BTreeMap<String, VariableValue> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    client
        .run_wf(RunWfRequest {
            wf_spec_name: spec.into(),
            variables,
            id: Some(id.into()),
            ..Default::default()
        })
        .await
        .expect("run wf")
        .into_inner()
}

/// The WfRunId of a top-level WfRun.
pub fn wf_id(id: &str) -> WfRunId {
    WfRunId {
        id: id.into(),
        parent_wf_run_id: None,
    }
}

/// Polls GetWfRun until the WfRun has `status` (panics after 20 s).
pub async fn wait_status(client: &mut Client, id: &str, status: LhStatus) -> WfRun {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let run = client
            .get_wf_run(wf_id(id))
            .await
            .expect("get wf run")
            .into_inner();
        if run.status == status as i32 {
            return run;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "WfRun {id} stayed {:?}, wanted {status:?}: {run:#?}",
            LhStatus::try_from(run.status)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The value of a thread-0 variable.
pub async fn var(client: &mut Client, id: &str, name: &str) -> Option<Value> {
    client
        .get_variable(VariableId {
            wf_run_id: Some(wf_id(id)),
            thread_run_number: 0,
            name: name.into(),
        })
        .await
        .expect("get variable")
        .into_inner()
        .value
        .and_then(|v| v.value)
}

/// What a test worker does with a task.
pub enum Outcome {
    /// TASK_SUCCESS with this output.
    Ok(VariableValue),
    /// TASK_FAILED with this message.
    Fail(String),
    /// TASK_EXCEPTION with this name.
    Exception(String),
}

/// A task handler.
pub type Handler = Arc<dyn Fn(&ScheduledTask) -> Outcome + Send + Sync>;

/// Starts a worker for `task_def` the way the SDKs do: one outstanding
/// PollTaskRequest on a bidirectional stream, ReportTask after each task.
pub async fn worker(
    kernel: &KernelHandle,
    task_def: &str,
    handler: Handler,
) -> tokio::task::JoinHandle<()> {
    let mut poll_client = client(kernel).await;
    let mut report_client = poll_client.clone();
    let task_def = task_def.to_string();
    tokio::spawn(async move {
        let request = || PollTaskRequest {
            task_def_id: Some(TaskDefId {
                name: task_def.clone(),
            }),
            client_id: "test-worker".into(),
            task_worker_version: None,
        };
        let (tx, rx) = mpsc::channel(1);
        if tx.send(request()).await.is_err() {
            return;
        }
        let Ok(resp) = poll_client.poll_task(ReceiverStream::new(rx)).await else {
            return;
        };
        let mut stream = resp.into_inner();
        while let Ok(Some(msg)) = stream.message().await {
            let Some(task) = msg.result else { break };
            let (status, result) = match handler(&task) {
                Outcome::Ok(v) => (TaskStatus::TaskSuccess, report_task_run::Result::Output(v)),
                Outcome::Fail(m) => (
                    TaskStatus::TaskFailed,
                    report_task_run::Result::Error(LhTaskError {
                        r#type: 7,
                        message: m,
                    }),
                ),
                Outcome::Exception(name) => (
                    TaskStatus::TaskException,
                    report_task_run::Result::Exception(LhTaskException {
                        name,
                        message: "raised by the test".into(),
                        content: None,
                    }),
                ),
            };
            let report = ReportTaskRun {
                task_run_id: task.task_run_id.clone(),
                status: status as i32,
                attempt_number: task.attempt_number,
                result: Some(result),
                ..Default::default()
            };
            if report_client.report_task(report).await.is_err() {
                break;
            }
            if tx.send(request()).await.is_err() {
                break;
            }
        }
    })
}

/// A handler that always succeeds with `output`.
pub fn returns(output: VariableValue) -> Handler {
    Arc::new(move |_| Outcome::Ok(output.clone()))
}

/// A handler that counts its calls and succeeds with NULL.
pub fn counting(counter: Arc<std::sync::atomic::AtomicI64>) -> Handler {
    Arc::new(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Outcome::Ok(VariableValue::default())
    })
}

/// The first input of a task as a string ("" when it is not a STR).
pub fn first_str(task: &ScheduledTask) -> String {
    match task
        .variables
        .first()
        .and_then(|v| v.value.as_ref())
        .and_then(|v| v.value.clone())
    {
        Some(Value::Str(s)) => s,
        _ => String::new(),
    }
}
