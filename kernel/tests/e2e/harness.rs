//! The end-to-end harness: compiles an example with `lhw_compiler::compile`, starts an
//! in-process kernel on 127.0.0.1:0 with a temporary data directory, registers the
//! compiled requests over gRPC, runs Rust task workers (the SDK protocol: one outstanding
//! `PollTaskRequest` on a bidirectional stream, `ReportTask` after each task) and reads
//! the results back over gRPC.
//!
//! Every wait polls with a deadline; nothing sleeps a fixed time to wait for state.
//!
//! The target is the embedded kernel, or a LittleHorse server when `LHW_E2E_TARGET=host:port`
//! is set (the differential run against the real server: `scripts/test-real-server.sh`).
//! There each scenario registers its example in a tenant of its own (`PutTenant`, then the
//! `tenantid` header on every call), so scenarios never see each other's runs or tasks, and
//! the same scenarios' assertions hold for both targets. Scenarios that restart the kernel
//! are kernel-only ([`kernel_only`]).

use lhw_kernel::KernelHandle;
use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    ExternalEventDefId, LhStatus, LhTaskError, LhTaskException, ListNodeRunsRequest,
    ListTaskRunsRequest, NodeRun, PollTaskRequest, PutCorrelatedEventRequest,
    PutExternalEventRequest, PutTenantRequest, ReportTaskRun, RunWfRequest, ScheduledTask,
    SearchWfSpecRequest, TaskDefId, TaskRun, TaskStatus, ThreadRun, UserTaskDefId, VariableId,
    VariableValue, WfRun, WfRunId, node_run::NodeType, report_task_run, variable_value::Value,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::{Interceptor, interceptor::InterceptedService};
use tonic::transport::Channel;

/// A gRPC client of the kernel (or of the LittleHorse server under test).
pub type Client = LittleHorseClient<InterceptedService<Channel, Tenant>>;

/// Adds the `tenantid` header to every call on a real server (nothing on the kernel).
#[derive(Clone)]
pub struct Tenant(Option<MetadataValue<Ascii>>);

impl Interceptor for Tenant {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(t) = &self.0 {
            req.metadata_mut().insert("tenantid", t.clone());
        }
        Ok(req)
    }
}

/// The server the scenarios run on.
#[derive(Clone, Debug)]
enum Target {
    /// An in-process kernel per scenario (the default).
    Embedded,
    /// A running LittleHorse server, `host:port` (from `LHW_E2E_TARGET`).
    Remote(String),
}

fn target() -> Target {
    match std::env::var("LHW_E2E_TARGET") {
        Ok(addr) if !addr.trim().is_empty() => Target::Remote(addr.trim().to_string()),
        _ => Target::Embedded,
    }
}

/// True when the scenarios run against a real server, where a scenario that needs the
/// embedded kernel itself (a restart, its data directory) cannot run: it returns at once,
/// after saying so on stderr.
pub fn kernel_only(why: &str) -> bool {
    let remote = matches!(target(), Target::Remote(_));
    if remote {
        eprintln!("kernel-only scenario, not run against LHW_E2E_TARGET: {why}");
    }
    remote
}

/// True when the scenarios run against a real LittleHorse server.
pub fn on_real_server() -> bool {
    matches!(target(), Target::Remote(_))
}

/// Every scenario runs under this limit.
pub const SCENARIO_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a wait for state may take before the scenario fails.
const DEADLINE: Duration = Duration::from_secs(20);

/// Runs a scenario body under [`SCENARIO_TIMEOUT`].
pub async fn scenario(body: impl Future<Output = ()>) {
    tokio::time::timeout(SCENARIO_TIMEOUT, body)
        .await
        .expect("the scenario finishes in time");
}

/// What a test worker answers for one task attempt.
pub enum Reply {
    /// TASK_SUCCESS with this output.
    Output(VariableValue),
    /// TASK_FAILED (a technical error, retried when the node has retries).
    Error(String),
    /// TASK_EXCEPTION with this name and content.
    Exception(String, Option<VariableValue>),
    /// Takes the task and never reports it (the attempt times out).
    Silence,
}

/// A task function: gets the scheduled task, answers for it.
pub type Handler = Arc<dyn Fn(&ScheduledTask) -> Reply + Send + Sync>;

/// One task a worker received.
#[derive(Debug, Clone)]
pub struct Call {
    /// The TaskDef's name.
    pub task: String,
    /// The inputs, in TaskDef order.
    pub inputs: Vec<VariableValue>,
    /// The attempt number (0 for the first).
    pub attempt: i32,
    /// When the worker received it.
    pub at: tokio::time::Instant,
}

/// A kernel running one compiled example, with its workers.
pub struct Kernel {
    dir: tempfile::TempDir,
    handle: Option<KernelHandle>,
    /// The server's address (`host:port`).
    addr: String,
    /// The tenant of this scenario on a real server.
    tenant: Tenant,
    /// The workers' TaskDefs and handlers, to start them again after a restart.
    handlers: Vec<(String, Handler)>,
    /// A client connected to the kernel.
    pub client: Client,
    workers: Vec<tokio::task::JoinHandle<()>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

/// The path of an example under `examples/e2e/`.
pub fn example_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/e2e")
        .join(file)
}

impl Kernel {
    /// Compiles `examples/e2e/<file>`, starts a kernel and registers everything the
    /// example defines (metadata first, then the WfSpecs in file order, so a child
    /// workflow's parent exists before it).
    pub async fn with_example(file: &str) -> Kernel {
        let path = example_path(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let compiled = lhw_compiler::compile(&text);
        let output = compiled.output.unwrap_or_else(|| {
            panic!(
                "{file} does not compile: {:#?}",
                compiled
                    .diagnostics
                    .iter()
                    .map(|d| &d.message)
                    .collect::<Vec<_>>()
            )
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let (handle, addr, tenant, mut client) = match target() {
            Target::Embedded => {
                let (handle, client) = serve(&dir).await;
                let addr = handle.addr().to_string();
                (Some(handle), addr, Tenant(None), client)
            }
            Target::Remote(addr) => {
                let (tenant, client) = tenant_on(&addr, file).await;
                (None, addr, tenant, client)
            }
        };
        // A real server applies metadata asynchronously: each definition is waited for
        // until it can be read back, before anything that refers to it is registered.
        let remote = handle.is_none();
        for r in output.task_defs {
            let def = client.put_task_def(r).await.expect("PutTaskDef");
            let id = def.into_inner().id.unwrap_or_default();
            settle(remote, &client, "TaskDef", move |mut c| {
                let id = id.clone();
                async move { c.get_task_def(id).await.is_ok() }
            })
            .await;
        }
        for r in output.struct_defs {
            let def = client.put_struct_def(r).await.expect("PutStructDef");
            let id = def.into_inner().id.unwrap_or_default();
            settle(remote, &client, "StructDef", move |mut c| {
                let id = id.clone();
                async move { c.get_struct_def(id).await.is_ok() }
            })
            .await;
        }
        for r in output.external_event_defs {
            let def = client
                .put_external_event_def(r)
                .await
                .expect("PutExternalEventDef");
            let id = def.into_inner().id.unwrap_or_default();
            settle(remote, &client, "ExternalEventDef", move |mut c| {
                let id = id.clone();
                async move { c.get_external_event_def(id).await.is_ok() }
            })
            .await;
        }
        for r in output.workflow_event_defs {
            let def = client
                .put_workflow_event_def(r)
                .await
                .expect("PutWorkflowEventDef");
            let id = def.into_inner().id.unwrap_or_default();
            settle(remote, &client, "WorkflowEventDef", move |mut c| {
                let id = id.clone();
                async move { c.get_workflow_event_def(id).await.is_ok() }
            })
            .await;
        }
        for r in output.user_task_defs {
            let def = client
                .put_user_task_def(r)
                .await
                .expect("PutUserTaskDef")
                .into_inner();
            let id = UserTaskDefId {
                name: def.name,
                version: def.version,
            };
            settle(remote, &client, "UserTaskDef", move |mut c| {
                let id = id.clone();
                async move { c.get_user_task_def(id).await.is_ok() }
            })
            .await;
        }
        for r in output.wf_specs {
            let name = r.name.clone();
            let spec = client
                .put_wf_spec(r)
                .await
                .unwrap_or_else(|e| panic!("PutWfSpec {name}: {e}"));
            let id = spec.into_inner().id.unwrap_or_default();
            settle(remote, &client, "WfSpec", move |mut c| {
                let id = id.clone();
                async move { c.get_wf_spec(id).await.is_ok() }
            })
            .await;
        }
        Kernel {
            dir,
            handlers: Vec::new(),
            handle,
            addr,
            tenant,
            client,
            workers: Vec::new(),
            calls: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Starts a worker for the TaskDef `task`; every task it gets is recorded (see
    /// [`Kernel::calls`]) and answered by `handler`.
    pub async fn worker(&mut self, task: &str, handler: Handler) {
        self.handlers.push((task.to_string(), handler.clone()));
        self.spawn_worker(task, handler).await;
    }

    /// Stops the workers and the kernel, then starts a kernel on the same data directory
    /// (it recovers every unfinished WfRun) and the workers again.
    pub async fn restart(&mut self) {
        assert!(
            self.handle.is_some(),
            "restart() needs the embedded kernel: guard the scenario with kernel_only()"
        );
        for w in self.workers.drain(..) {
            w.abort();
        }
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
        let (handle, client) = serve(&self.dir).await;
        self.addr = handle.addr().to_string();
        self.handle = Some(handle);
        self.client = client;
        for (task, handler) in self.handlers.clone() {
            self.spawn_worker(&task, handler).await;
        }
    }

    async fn spawn_worker(&mut self, task: &str, handler: Handler) {
        let mut poll_client = connect(&self.addr, self.tenant.clone()).await;
        let mut report_client = poll_client.clone();
        let calls = self.calls.clone();
        let task_def = task.to_string();
        self.workers.push(tokio::spawn(async move {
            let request = || PollTaskRequest {
                task_def_id: Some(TaskDefId {
                    name: task_def.clone(),
                }),
                client_id: format!("e2e-{task_def}"),
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
                calls.lock().unwrap().push(Call {
                    task: task_def.clone(),
                    inputs: task
                        .variables
                        .iter()
                        .map(|v| v.value.clone().unwrap_or_default())
                        .collect(),
                    attempt: task.attempt_number,
                    at: tokio::time::Instant::now(),
                });
                let result = match handler(&task) {
                    Reply::Output(v) => {
                        Some((TaskStatus::TaskSuccess, report_task_run::Result::Output(v)))
                    }
                    Reply::Error(message) => Some((
                        TaskStatus::TaskFailed,
                        report_task_run::Result::Error(LhTaskError {
                            r#type: lhw_proto::littlehorse::LhErrorType::TaskFailure as i32,
                            message,
                        }),
                    )),
                    Reply::Exception(name, content) => Some((
                        TaskStatus::TaskException,
                        report_task_run::Result::Exception(LhTaskException {
                            name,
                            message: "raised by the e2e worker".into(),
                            content,
                        }),
                    )),
                    Reply::Silence => None,
                };
                if let Some((status, result)) = result {
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
                }
                if tx.send(request()).await.is_err() {
                    break;
                }
            }
        }));
    }

    /// The tasks the workers received for the TaskDef `task`, in order.
    pub fn calls(&self, task: &str) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.task == task)
            .cloned()
            .collect()
    }

    /// Starts a WfRun of `spec` with the id `id` and the given variables.
    pub async fn run(&mut self, spec: &str, id: &str, vars: &[(&str, VariableValue)]) -> WfRun {
        self.client
            .run_wf(RunWfRequest {
                wf_spec_name: spec.into(),
                id: Some(id.into()),
                variables: vars
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<BTreeMap<_, _>>(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("RunWf {spec}: {e}"))
            .into_inner()
    }

    /// The WfRun `id` (a top-level run).
    pub async fn wf_run(&mut self, id: &WfRunId) -> WfRun {
        self.client
            .get_wf_run(id.clone())
            .await
            .expect("GetWfRun")
            .into_inner()
    }

    /// Waits until the top-level WfRun `id` has `status`, and returns it. Fails at once
    /// when the run ends with another status.
    pub async fn wait_for(&mut self, id: &str, status: LhStatus) -> WfRun {
        self.wait_for_run(&wf_id(id), status).await
    }

    /// [`Kernel::wait_for`] for any WfRunId (a child workflow's, for example).
    pub async fn wait_for_run(&mut self, id: &WfRunId, status: LhStatus) -> WfRun {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let run = self.wf_run(id).await;
            if run.status == status as i32 {
                if on_real_server() {
                    // LittleHorse's reads can observe a command half applied (the WfRun
                    // already written, its variables not yet): once the status is seen,
                    // let the command finish before the scenario reads anything else.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    return self.wf_run(id).await;
                }
                return run;
            }
            let ended = matches!(
                LhStatus::try_from(run.status),
                Ok(LhStatus::Completed | LhStatus::Error | LhStatus::Exception)
            );
            if ended || tokio::time::Instant::now() >= deadline {
                let trail = self.trail(id, None).await;
                panic!(
                    "WfRun {} is {:?}, expected {status:?}; node runs: {trail:#?}; threads: {:#?}",
                    id.id,
                    LhStatus::try_from(run.status),
                    run.thread_runs
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The value of the variable `name` of thread 0 of the top-level WfRun `id`.
    pub async fn var(&mut self, id: &str, name: &str) -> VariableValue {
        self.var_of(&wf_id(id), 0, name).await
    }

    /// The value of the variable `name` of a thread of any WfRun.
    pub async fn var_of(&mut self, id: &WfRunId, thread: i32, name: &str) -> VariableValue {
        self.client
            .get_variable(VariableId {
                wf_run_id: Some(id.clone()),
                thread_run_number: thread,
                name: name.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("GetVariable {name}: {e}"))
            .into_inner()
            .value
            .unwrap_or_default()
    }

    /// The NodeRuns of a WfRun (of one thread, or all), in thread and position order.
    pub async fn node_runs(&mut self, id: &WfRunId, thread: Option<i32>) -> Vec<NodeRun> {
        let mut runs = self
            .client
            .list_node_runs(ListNodeRunsRequest {
                wf_run_id: Some(id.clone()),
                // LittleHorse 1.2.1 answers an empty list when thread_run_number is set
                // (docs/differences.md): on the real server the thread is picked here.
                thread_run_number: if on_real_server() { None } else { thread },
                ..Default::default()
            })
            .await
            .expect("ListNodeRuns")
            .into_inner()
            .results;
        if let Some(n) = thread {
            runs.retain(|nr| nr.id.as_ref().is_some_and(|i| i.thread_run_number == n));
        }
        runs.sort_by_key(|nr| {
            nr.id
                .as_ref()
                .map(|i| (i.thread_run_number, i.position))
                .unwrap_or_default()
        });
        runs
    }

    /// The path a thread took: `"<node name> <STATUS>"` per NodeRun, in order. Checks on
    /// the way that each NodeRun's kind matches its node's name (`1-pay-TASK` is a TASK).
    pub async fn trail(&mut self, id: &WfRunId, thread: Option<i32>) -> Vec<String> {
        self.node_runs(id, thread)
            .await
            .iter()
            .map(|nr| {
                let kind = kind_of(nr);
                assert!(
                    nr.node_name.ends_with(&format!("-{kind}")),
                    "NodeRun {} holds a {kind}",
                    nr.node_name
                );
                let status = LhStatus::try_from(nr.status)
                    .map(|s| s.as_str_name())
                    .unwrap_or("?");
                match thread {
                    Some(_) => format!("{} {status}", nr.node_name),
                    None => format!(
                        "{}:{} {status}",
                        nr.id.as_ref().map_or(-1, |i| i.thread_run_number),
                        nr.node_name
                    ),
                }
            })
            .collect()
    }

    /// The path thread 0 of the top-level WfRun `id` took (see [`Kernel::trail`]).
    pub async fn main_trail(&mut self, id: &str) -> Vec<String> {
        self.trail(&wf_id(id), Some(0)).await
    }

    /// The NodeRun of thread 0 of the top-level WfRun `id` named `node`.
    pub async fn node_run(&mut self, id: &str, node: &str) -> NodeRun {
        self.node_runs(&wf_id(id), Some(0))
            .await
            .into_iter()
            .find(|nr| nr.node_name == node)
            .unwrap_or_else(|| panic!("{node} has not run in {id}"))
    }

    /// The TaskRuns of a WfRun.
    pub async fn task_runs(&mut self, id: &str) -> Vec<TaskRun> {
        self.client
            .list_task_runs(ListTaskRunsRequest {
                wf_run_id: Some(wf_id(id)),
                ..Default::default()
            })
            .await
            .expect("ListTaskRuns")
            .into_inner()
            .results
    }

    /// Polls `probe` (every 20 ms, up to 20 s) until it gives a value.
    pub async fn eventually<T, F, Fut>(&self, what: &str, mut probe: F) -> T
    where
        F: FnMut(Client) -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(v) = probe(self.client.clone()).await {
                return v;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "gave up waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until thread 0 of the top-level WfRun `id` has a RUNNING NodeRun named `node`.
    pub async fn wait_at(&mut self, id: &str, node: &str) {
        self.wait_at_run(&wf_id(id), node).await;
    }

    /// [`Kernel::wait_at`] for any WfRunId (a child workflow's, for example).
    pub async fn wait_at_run(&mut self, id: &WfRunId, node: &str) {
        let wanted = format!("{node} RUNNING");
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let trail = self.trail(id, Some(0)).await;
            if trail.last() == Some(&wanted) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "WfRun {id:?} never waited at {node}: {trail:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Posts the external event `event` to the top-level WfRun `id`.
    pub async fn post_event(&mut self, id: &str, event: &str, content: VariableValue) {
        self.post_event_to(&wf_id(id), event, content).await;
    }

    /// Posts the external event `event` to any WfRun (a child's nested id, for example).
    pub async fn post_event_to(&mut self, id: &WfRunId, event: &str, content: VariableValue) {
        self.client
            .put_external_event(PutExternalEventRequest {
                wf_run_id: Some(id.clone()),
                external_event_def_id: Some(ExternalEventDefId { name: event.into() }),
                content: Some(content),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("PutExternalEvent {event}: {e}"));
    }

    /// Posts the external event `event` with a correlation key instead of a run id.
    pub async fn post_correlated(&mut self, key: &str, event: &str, content: VariableValue) {
        self.client
            .put_correlated_event(PutCorrelatedEventRequest {
                key: key.into(),
                external_event_def_id: Some(ExternalEventDefId { name: event.into() }),
                content: Some(content),
            })
            .await
            .unwrap_or_else(|e| panic!("PutCorrelatedEvent {event}: {e}"));
    }

    /// Stops the workers and the kernel.
    pub async fn shutdown(mut self) {
        for w in self.workers.drain(..) {
            w.abort();
        }
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
    }
}

/// On a real server, polls `readable` until the definition just registered can be read
/// back (the embedded kernel answers a Put only once it is stored: nothing to wait for).
async fn settle<F, Fut>(remote: bool, client: &Client, what: &str, mut readable: F)
where
    F: FnMut(Client) -> Fut,
    Fut: Future<Output = bool>,
{
    if !remote {
        return;
    }
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !readable(client.clone()).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the {what} just registered never became readable"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts a kernel on 127.0.0.1:0 with its data in `dir`, and a client connected to it.
async fn serve(dir: &tempfile::TempDir) -> (KernelHandle, Client) {
    let config = lhw_kernel::Config::new(dir.path()).listen("127.0.0.1:0".parse().unwrap());
    let handle = lhw_kernel::serve(config).await.expect("the kernel starts");
    let client = connect(&handle.addr().to_string(), Tenant(None)).await;
    (handle, client)
}

/// A client of the server at `addr` that sends `tenant`'s header.
async fn connect(addr: &str, tenant: Tenant) -> Client {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("a valid address")
        .connect()
        .await
        .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    LittleHorseClient::with_interceptor(channel, tenant)
}

/// Creates a fresh tenant for one scenario (`e2e-<example>-<random>`) on the server at
/// `addr`, and a client that works in it.
async fn tenant_on(addr: &str, file: &str) -> (Tenant, Client) {
    let stem = file.trim_end_matches(".lhw");
    let id = format!("e2e-{stem}-{:08x}", fastrand::u32(..));
    let mut admin = connect(addr, Tenant(None)).await;
    // Right after start-up LittleHorse can still answer UNAVAILABLE ("Server Initializing")
    // although its topology reports RUNNING; UNAVAILABLE is retriable, so retry it.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match admin
            .put_tenant(PutTenantRequest {
                id: id.clone(),
                output_topic_config: None,
            })
            .await
        {
            Ok(_) => break,
            Err(e)
                if e.code() == tonic::Code::Unavailable
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("PutTenant {id}: {e}"),
        }
    }
    eprintln!("{file}: scenario in tenant {id} on {addr}");
    let tenant = Tenant(Some(id.parse().expect("an ASCII tenant id")));
    let mut client = connect(addr, tenant.clone()).await;
    // The server answers PermissionDenied ("Tenant not allowed") until the new tenant has
    // reached its metadata cache.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match client.search_wf_spec(SearchWfSpecRequest::default()).await {
            Ok(_) => break,
            Err(e) if e.code() == tonic::Code::PermissionDenied => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "tenant {id} never became usable: {e}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("SearchWfSpec in tenant {id}: {e}"),
        }
    }
    (tenant, client)
}

/// The NodeRun's kind, as in node names (`TASK`, `EXTERNAL_EVENT`, ...).
pub fn kind_of(nr: &NodeRun) -> &'static str {
    match &nr.node_type {
        // A NOP node's run is an empty EntrypointRun, as on LittleHorse.
        Some(NodeType::Entrypoint(_)) if nr.node_name.ends_with("-NOP") => "NOP",
        Some(NodeType::Entrypoint(_)) => "ENTRYPOINT",
        Some(NodeType::Exit(_)) => "EXIT",
        Some(NodeType::Task(_)) => "TASK",
        Some(NodeType::ExternalEvent(_)) => "EXTERNAL_EVENT",
        Some(NodeType::StartThread(_)) => "START_THREAD",
        Some(NodeType::WaitForThreads(_)) => "WAIT_FOR_THREADS",
        Some(NodeType::Sleep(_)) => "SLEEP",
        Some(NodeType::UserTask(_)) => "USER_TASK",
        Some(NodeType::StartMultipleThreads(_)) => "START_MULTIPLE_THREADS",
        Some(NodeType::RunChildWf(_)) => "RUN_CHILD_WF",
        Some(NodeType::WaitForChildWf(_)) => "WAIT_FOR_CHILD_WF",
        Some(NodeType::ThrowEvent(_)) => "THROW_EVENT",
        Some(NodeType::WaitForCondition(_)) => "WAIT_FOR_CONDITION",
        None => "NOP",
    }
}

/// The WfRunId of a top-level WfRun.
pub fn wf_id(id: &str) -> WfRunId {
    WfRunId {
        id: id.into(),
        parent_wf_run_id: None,
    }
}

/// The ThreadRun numbered `n` of a WfRun.
pub fn thread(run: &WfRun, n: i32) -> &ThreadRun {
    run.thread_runs
        .iter()
        .find(|t| t.number == n)
        .unwrap_or_else(|| panic!("WfRun has no thread {n}: {:#?}", run.thread_runs))
}

/// The failure names of a NodeRun, in order.
pub fn failure_names(nr: &NodeRun) -> Vec<String> {
    nr.failures.iter().map(|f| f.failure_name.clone()).collect()
}

/// A STR value.
pub fn s(x: &str) -> VariableValue {
    val(Value::Str(x.into()))
}

/// An INT value.
pub fn int(i: i64) -> VariableValue {
    val(Value::Int(i))
}

/// A DOUBLE value.
pub fn double(d: f64) -> VariableValue {
    val(Value::Double(d))
}

/// A BOOL value.
pub fn boolean(b: bool) -> VariableValue {
    val(Value::Bool(b))
}

/// A JSON_ARR value.
pub fn json_arr(json: &str) -> VariableValue {
    val(Value::JsonArr(json.into()))
}

/// A JSON_OBJ value.
pub fn json_obj(json: &str) -> VariableValue {
    val(Value::JsonObj(json.into()))
}

/// Wraps a value.
pub fn val(v: Value) -> VariableValue {
    VariableValue { value: Some(v) }
}

/// A JSON value parsed from a JSON_OBJ or JSON_ARR variable (panics on anything else).
pub fn json(v: &VariableValue) -> serde_json::Value {
    match &v.value {
        Some(Value::JsonObj(s)) | Some(Value::JsonArr(s)) => {
            serde_json::from_str(s).expect("valid JSON")
        }
        other => panic!("not a JSON value: {other:?}"),
    }
}

/// The STR input `i` of a task ("" when it is not a STR).
pub fn input_str(task: &ScheduledTask, i: usize) -> String {
    match task
        .variables
        .get(i)
        .and_then(|v| v.value.as_ref())
        .and_then(|v| v.value.as_ref())
    {
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A handler from a plain function.
pub fn handler(f: impl Fn(&ScheduledTask) -> Reply + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}
