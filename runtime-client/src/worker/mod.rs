//! A Rust task-worker SDK for LittleHorse, following the protocol of the official SDKs.
//!
//! Declare tasks as async functions with typed inputs and output ([`convert`] lists the
//! types), then start the worker:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use lhw_runtime_client::worker::{TaskError, Worker};
//! use lhw_runtime_client::{Config, LoadOptions};
//!
//! let config = Config::load(&LoadOptions::default())?;
//! let worker = Worker::builder(config)
//!     .task("greet", &["name"], |name: String| async move {
//!         Ok::<_, TaskError>(format!("Hello, {name}!"))
//!     })
//!     .build()?;
//! let report = worker.run_until(lhw_runtime_client::worker::shutdown_signal()).await?;
//! println!("stopped; {} task(s) abandoned", report.abandoned);
//! # Ok(()) }
//! ```
//!
//! The protocol, as the official SDKs (sdk-java's `LHServerConnectionManager`, sdk-python's
//! `LHTaskWorker`) follow it:
//! 1. `GetTaskDef` for every task; with [`WorkerBuilder::register_task_defs`] a missing one
//!    is created with `PutTaskDef` from the function's types. The server's TaskDef must
//!    match the function's inputs (count and types).
//! 2. `RegisterTaskWorker` (task worker id = the client id) on the configured server; its
//!    answer lists the hosts to poll (`your_hosts`). It is repeated every heartbeat
//!    interval, and connections follow the list (new hosts connected, gone ones stopped).
//! 3. One `PollTask` stream per host and task with at most one outstanding request; a
//!    permit of the task's semaphore is taken before each request, so at most
//!    `concurrency` tasks run at once.
//! 4. `ReportTask` with the output (`TASK_SUCCESS`), a business exception
//!    ([`TaskError::Exception`] → `TASK_EXCEPTION` with name, message and content), a failure
//!    ([`TaskError::Failed`] or a panic → `TASK_FAILED`, `TASK_FAILURE`), an input that does
//!    not convert (`TASK_INPUT_VAR_SUB_ERROR`) or an output that does not
//!    (`TASK_OUTPUT_SERDE_ERROR`); the attempt number of the scheduled task, and the
//!    [`WorkerContext`] log as `log_output`. Transient report failures are retried with
//!    backoff.
//! 5. Shutdown stops polling, lets the tasks under way finish and report (at most the
//!    shutdown timeout), then returns.
//!
//! Worker settings come from the configuration like the SDKs' (`LHW_TASK_WORKER_ID`,
//! `LHW_NUM_WORKER_THREADS` as the concurrency, `LHW_TASK_WORKER_VERSION`), and the builder
//! overrides them.

pub mod conn;
pub mod convert;
mod poll;
mod register;
pub mod task;

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lhw_proto::littlehorse::{ScheduledTask, VariableValue};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::client::{ClientError, LhClient};
use crate::config::Config;

pub use conn::Host;
pub use convert::{ConvertError, FromValue, IntoValue, Json, JsonArr};
pub use register::WorkerHealth;
pub use task::{Signature, TaskArg, TaskError, TaskFn, WorkerContext};

use poll::{Counters, Inflight, Shared, TaskRuntime};
use register::Supervisor;
use task::{Raw, TaskSpec, Typed};

/// `LHW_TASK_WORKER_ID`: the worker's client id.
pub const TASK_WORKER_ID: &str = "LHW_TASK_WORKER_ID";
/// `LHW_NUM_WORKER_THREADS`: how many tasks run at once (per TaskDef).
pub const NUM_WORKER_THREADS: &str = "LHW_NUM_WORKER_THREADS";
/// `LHW_TASK_WORKER_VERSION`: sent with every PollTask request.
pub const TASK_WORKER_VERSION: &str = "LHW_TASK_WORKER_VERSION";

/// The default concurrency (the Python SDK's default too).
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The default heartbeat (re-registration) interval.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(10);
/// The default bound on waiting for tasks under way at shutdown.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a worker could not be built or started.
#[derive(Debug)]
pub enum WorkerError {
    /// The tasks or settings are inconsistent (e.g. input names that do not match the
    /// function's parameters).
    Invalid(Vec<String>),
    /// A call to the server failed.
    Client(ClientError),
    /// A TaskDef is missing, or does not match the task function.
    TaskDef {
        /// The task.
        task: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Invalid(problems) => write!(f, "{}", problems.join("; ")),
            WorkerError::Client(e) => write!(f, "{e}"),
            WorkerError::TaskDef { task, message } => write!(f, "TaskDef {task}: {message}"),
        }
    }
}

impl std::error::Error for WorkerError {}

impl From<ClientError> for WorkerError {
    fn from(e: ClientError) -> Self {
        WorkerError::Client(e)
    }
}

/// Settings of a worker.
#[derive(Debug, Clone)]
struct Options {
    client_id: String,
    concurrency: usize,
    version: Option<String>,
    heartbeat: Duration,
    shutdown_timeout: Duration,
    register_task_defs: bool,
}

/// Builds a [`Worker`]: its tasks and settings.
pub struct WorkerBuilder {
    config: Config,
    options: Options,
    tasks: Vec<TaskSpec>,
    problems: Vec<String>,
}

fn generated_client_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("worker-{:x}{:08x}", std::process::id(), nanos & 0xffff_ffff)
}

impl WorkerBuilder {
    /// Adds a task: its TaskDef name, the names of its inputs (one per input parameter, in
    /// order; the [`WorkerContext`] is not an input) and its function.
    #[must_use]
    pub fn task<Args: 'static, F: TaskFn<Args>>(
        mut self,
        name: &str,
        input_names: &[&str],
        f: F,
    ) -> Self {
        let signature = F::signature();
        if signature.inputs.len() != input_names.len() {
            self.problems.push(format!(
                "task `{name}`: {} input name(s) given for a function of {} input(s)",
                input_names.len(),
                signature.inputs.len()
            ));
        }
        self.tasks.push(TaskSpec {
            name: name.to_string(),
            input_names: input_names.iter().map(ToString::to_string).collect(),
            signature: Some(signature),
            handler: Arc::new(Typed {
                f,
                _args: std::marker::PhantomData,
            }),
        });
        self
    }

    /// Adds a raw task: the function gets the whole `ScheduledTask` and returns any value.
    /// Nothing is checked against the TaskDef, and it cannot be registered by the worker.
    #[must_use]
    pub fn raw_task<F, Fut>(mut self, name: &str, f: F) -> Self
    where
        F: Fn(ScheduledTask, WorkerContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<VariableValue, TaskError>> + Send + 'static,
    {
        self.tasks.push(TaskSpec {
            name: name.to_string(),
            input_names: Vec::new(),
            signature: None,
            handler: Arc::new(Raw(f)),
        });
        self
    }

    /// The client id (task worker id) the worker registers and polls with.
    #[must_use]
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.options.client_id = id.into();
        self
    }

    /// How many tasks of each TaskDef may run at once (at least 1).
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.options.concurrency = n;
        self
    }

    /// The task worker version sent with every poll.
    #[must_use]
    pub fn task_worker_version(mut self, v: impl Into<String>) -> Self {
        self.options.version = Some(v.into());
        self
    }

    /// How often the worker re-registers (and follows host changes).
    #[must_use]
    pub fn heartbeat_interval(mut self, d: Duration) -> Self {
        self.options.heartbeat = d;
        self
    }

    /// How long shutdown waits for tasks under way before abandoning them.
    #[must_use]
    pub fn shutdown_timeout(mut self, d: Duration) -> Self {
        self.options.shutdown_timeout = d;
        self
    }

    /// Create missing TaskDefs from the task functions' types (PutTaskDef) at start.
    #[must_use]
    pub fn register_task_defs(mut self, yes: bool) -> Self {
        self.options.register_task_defs = yes;
        self
    }

    /// Checks the tasks and settings.
    pub fn build(self) -> Result<Worker, WorkerError> {
        let mut problems = self.problems;
        if self.tasks.is_empty() {
            problems.push("a worker needs at least one task".into());
        }
        let mut seen = BTreeSet::new();
        for t in &self.tasks {
            if !seen.insert(t.name.as_str()) {
                problems.push(format!("task `{}` is added twice", t.name));
            }
        }
        if self.options.concurrency == 0 {
            problems.push("the concurrency must be at least 1".into());
        }
        if self.options.heartbeat.is_zero() {
            problems.push("the heartbeat interval must not be zero".into());
        }
        if self.options.client_id.trim().is_empty() {
            problems.push("the client id must not be empty".into());
        }
        if !problems.is_empty() {
            return Err(WorkerError::Invalid(problems));
        }
        Ok(Worker {
            config: self.config,
            options: self.options,
            tasks: self.tasks,
        })
    }
}

/// A worker ready to start: see the [module docs](self).
pub struct Worker {
    config: Config,
    options: Options,
    tasks: Vec<TaskSpec>,
}

impl Worker {
    /// A builder with settings from `config` (`LHW_TASK_WORKER_ID`,
    /// `LHW_NUM_WORKER_THREADS`, `LHW_TASK_WORKER_VERSION`) or defaults.
    pub fn builder(config: Config) -> WorkerBuilder {
        let mut problems = Vec::new();
        let concurrency = match config.get(NUM_WORKER_THREADS) {
            Some(v) => match v.parse::<usize>() {
                Ok(n) => n,
                Err(_) => {
                    problems.push(format!(
                        "{NUM_WORKER_THREADS}={v} (from {}) is not a number",
                        config.source(NUM_WORKER_THREADS)
                    ));
                    DEFAULT_CONCURRENCY
                }
            },
            None => DEFAULT_CONCURRENCY,
        };
        let options = Options {
            client_id: config
                .get(TASK_WORKER_ID)
                .map_or_else(generated_client_id, ToString::to_string),
            concurrency,
            version: config.get(TASK_WORKER_VERSION).map(ToString::to_string),
            heartbeat: DEFAULT_HEARTBEAT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            register_task_defs: false,
        };
        WorkerBuilder {
            config,
            options,
            tasks: Vec::new(),
            problems,
        }
    }

    /// Connects, checks (or registers) the TaskDefs, registers the worker and starts polling.
    /// Errors here are final (unreachable server, missing or mismatched TaskDef); once
    /// started, the worker rides out server restarts by itself.
    pub async fn start(self) -> Result<WorkerHandle, WorkerError> {
        let bootstrap = conn::connect(&self.config, None).await?;
        for spec in &self.tasks {
            prepare_task_def(&bootstrap, spec, self.options.register_task_defs).await?;
        }
        let shared = Arc::new(Shared {
            config: self.config,
            client_id: self.options.client_id.clone(),
            version: self.options.version.clone(),
            counters: Counters::default(),
            inflight: Inflight::default(),
        });
        let mut firsts = Vec::new();
        for spec in &self.tasks {
            firsts.push(register::register(&bootstrap, &shared, &spec.name).await?);
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let health = Arc::new(Mutex::new(WorkerHealth::default()));
        let mut supervisors = Vec::new();
        for (spec, first) in self.tasks.into_iter().zip(firsts) {
            tracing::info!(task = %spec.name, client_id = %shared.client_id, "worker started");
            let supervisor = Supervisor {
                shared: shared.clone(),
                task: Arc::new(TaskRuntime {
                    spec,
                    permits: Arc::new(Semaphore::new(self.options.concurrency)),
                }),
                bootstrap: bootstrap.clone(),
                heartbeat: self.options.heartbeat,
                health: health.clone(),
            };
            supervisors.push(tokio::spawn(supervisor.run(first, stop_rx.clone())));
        }
        Ok(WorkerHandle {
            stop: stop_tx,
            supervisors,
            shared,
            health,
            shutdown_timeout: self.options.shutdown_timeout,
            target: bootstrap.target().to_string(),
        })
    }

    /// Starts, runs until `shutdown` resolves, then shuts down gracefully.
    pub async fn run_until<S: Future<Output = ()>>(
        self,
        shutdown: S,
    ) -> Result<ShutdownReport, WorkerError> {
        let handle = self.start().await?;
        shutdown.await;
        Ok(handle.shutdown().await)
    }
}

/// GetTaskDef, PutTaskDef when missing and asked to, and the signature check.
async fn prepare_task_def(
    bootstrap: &LhClient,
    spec: &TaskSpec,
    register: bool,
) -> Result<(), WorkerError> {
    let def = match bootstrap.get_task_def(&spec.name).await? {
        Some(def) => def,
        None if register => {
            let req = spec
                .put_task_def()
                .map_err(|message| WorkerError::TaskDef {
                    task: spec.name.clone(),
                    message,
                })?;
            bootstrap.put_task_def(req).await?
        }
        None => {
            return Err(WorkerError::TaskDef {
                task: spec.name.clone(),
                message: format!(
                    "not registered on {}; deploy it first (lhc deploy --with-task-defs FILE) \
                     or let the worker register it (register_task_defs)",
                    bootstrap.target()
                ),
            });
        }
    };
    spec.check_against(&def)
        .map_err(|message| WorkerError::TaskDef {
            task: spec.name.clone(),
            message,
        })
}

/// Counters of a running worker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// Successful RegisterTaskWorker calls (the first ones and heartbeats).
    pub registrations: u64,
    /// Poll connections opened.
    pub connections: u64,
    /// Tasks executed (whatever their outcome).
    pub executed: u64,
    /// Reports the server never took.
    pub report_failures: u64,
    /// Tasks under way now.
    pub in_flight: usize,
}

/// How a shutdown went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Tasks still under way when the shutdown timeout ran out (aborted, unreported; the
    /// server hands them out again after their timeout).
    pub abandoned: usize,
}

/// A running worker.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    supervisors: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
    health: Arc<Mutex<WorkerHealth>>,
    shutdown_timeout: Duration,
    target: String,
}

impl WorkerHandle {
    /// The client id the worker registered with.
    pub fn client_id(&self) -> &str {
        &self.shared.client_id
    }

    /// `host:port` of the bootstrap server.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Counters so far.
    pub fn stats(&self) -> WorkerStats {
        let c = &self.shared.counters;
        WorkerStats {
            registrations: c.registrations.load(Ordering::Relaxed),
            connections: c.connections.load(Ordering::Relaxed),
            executed: c.executed.load(Ordering::Relaxed),
            report_failures: c.report_failures.load(Ordering::Relaxed),
            in_flight: self.shared.inflight.count(),
        }
    }

    /// The health as of the last registration.
    pub fn health(&self) -> WorkerHealth {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Stops polling, waits (at most the shutdown timeout) for the tasks under way to finish
    /// and report, and aborts the rest.
    pub async fn shutdown(self) -> ShutdownReport {
        let _ = self.stop.send(true);
        for s in self.supervisors {
            let _ = s.await;
        }
        let inflight = &self.shared.inflight;
        let abandoned = match tokio::time::timeout(self.shutdown_timeout, inflight.idle()).await {
            Ok(()) => 0,
            Err(_) => inflight.abort_all(),
        };
        if abandoned > 0 {
            tracing::warn!(abandoned, "tasks still running at shutdown were abandoned");
        }
        ShutdownReport { abandoned }
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM: the usual trigger of a graceful shutdown.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
