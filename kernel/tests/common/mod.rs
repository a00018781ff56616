//! Shared helpers for the kernel end-to-end tests: start a kernel on
//! 127.0.0.1:0 with a temp data dir, deploy .lhw sources compiled by our
//! compiler, run Rust task workers (our worker SDK), wait for statuses.

#![allow(dead_code)]

use lhw_kernel::{Config, KernelHandle};
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    LhStatus, ListNodeRunsRequest, NodeRun, RunWfRequest, ScheduledTask, VariableId, VariableValue,
    WfRun, WfRunId, variable_value::Value,
};
use lhw_runtime_client::worker::{TaskError, Worker};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
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

/// A kernel on a fresh temporary data directory (returned first: the kernel needs it for
/// as long as it runs) with a client connected and `source` deployed.
pub async fn start_deployed(source: &str) -> (tempfile::TempDir, KernelHandle, Client) {
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = start(dir.path()).await;
    let mut c = client(&kernel).await;
    deploy(&mut c, source).await;
    (dir, kernel, c)
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

/// The NodeRuns of WfRun `id`: of thread `thread` when given, else of every thread.
pub async fn node_runs(client: &mut Client, id: &str, thread: Option<i32>) -> Vec<NodeRun> {
    client
        .list_node_runs(ListNodeRunsRequest {
            wf_run_id: Some(wf_id(id)),
            thread_run_number: thread,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .results
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

/// Starts a worker for `task_def` with our worker SDK (a raw task: the
/// handler sees the whole ScheduledTask). Aborting the returned task drops
/// the worker, which stops polling.
pub async fn worker(
    kernel: &KernelHandle,
    task_def: &str,
    handler: Handler,
) -> tokio::task::JoinHandle<()> {
    let config = lhw_runtime_client::Config::from_pairs([
        ("LHC_API_HOST", kernel.addr().ip().to_string().as_str()),
        ("LHC_API_PORT", kernel.addr().port().to_string().as_str()),
    ]);
    let worker = Worker::builder(config)
        .client_id("test-worker")
        .concurrency(1)
        .raw_task(task_def, move |task, _ctx| {
            let outcome = handler(&task);
            async move {
                match outcome {
                    Outcome::Ok(v) => Ok(v),
                    Outcome::Fail(m) => Err(TaskError::failed(m)),
                    Outcome::Exception(name) => {
                        Err(TaskError::exception(name, "raised by the test"))
                    }
                }
            }
        })
        .build()
        .expect("a valid worker");
    let running = worker.start().await.expect("the worker starts");
    tokio::spawn(async move {
        let _running = running;
        std::future::pending::<()>().await;
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
