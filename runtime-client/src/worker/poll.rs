//! Polling one host for one task, executing what it hands out and reporting the outcome.
//!
//! As the official SDKs do: one PollTask stream per host, at most one outstanding request on
//! it, and a permit of the task's semaphore taken before each request, so that the server
//! never hands out more tasks than the worker runs at once. Each task runs in its own tokio
//! task (a panic becomes TASK_FAILED); its ReportTask is retried with backoff on transient
//! errors.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lhw_proto::littlehorse::{
    PollTaskRequest, ReportTaskRun, ScheduledTask, TaskDefId, TaskStatus, VariableValue,
    report_task_run, variable_value::Value,
};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::AbortHandle;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

use super::conn::{self, Host};
use super::task::{Completion, TaskSpec, WorkerContext};
use crate::client::{CALL_TIMEOUT, LhClient};
use crate::config::Config;

/// How long to wait before asking again after an empty PollTask answer (the server had
/// nothing it could hand out, e.g. while restarting).
const EMPTY_POLL_DELAY: Duration = Duration::from_millis(500);
/// How many times a ReportTask is tried.
const REPORT_ATTEMPTS: u32 = 6;

/// What every connection of a worker shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) client_id: String,
    pub(crate) version: Option<String>,
    pub(crate) counters: Counters,
    pub(crate) inflight: Inflight,
}

/// Counters of a worker's activity.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) registrations: AtomicU64,
    pub(crate) polls_answered: AtomicU64,
    pub(crate) executed: AtomicU64,
    pub(crate) report_failures: AtomicU64,
    pub(crate) connections: AtomicU64,
}

/// One task of a running worker.
pub(crate) struct TaskRuntime {
    pub(crate) spec: TaskSpec,
    pub(crate) permits: Arc<Semaphore>,
}

/// The executions under way, so that shutdown can wait for them (and abort them when they
/// overrun).
#[derive(Default)]
pub(crate) struct Inflight {
    next_id: AtomicU64,
    running: Mutex<HashMap<u64, AbortHandle>>,
    changed: Notify,
}

impl Inflight {
    /// How many executions are under way.
    pub(crate) fn count(&self) -> usize {
        self.running.lock().map_or(0, |r| r.len())
    }

    /// Waits until no execution is under way.
    pub(crate) async fn idle(&self) {
        loop {
            let notified = self.changed.notified();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Aborts every execution still under way; returns how many there were.
    pub(crate) fn abort_all(&self) -> usize {
        let Ok(mut running) = self.running.lock() else {
            return 0;
        };
        let n = running.len();
        for (_, h) in running.drain() {
            h.abort();
        }
        self.changed.notify_waiters();
        n
    }

    fn finish(&self, id: u64) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(&id);
        }
        self.changed.notify_waiters();
    }
}

/// Resolves once `stop` is set (or its sender is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Why a connection ended.
#[derive(Debug)]
pub(crate) enum ConnEnd {
    /// It was told to stop.
    Stopped,
    /// The connection failed (the supervisor re-registers and reconnects).
    Failed(String),
}

/// Polls `host` for `task` until `stop` is set or the connection fails.
pub(crate) async fn poll_host(
    shared: Arc<Shared>,
    task: Arc<TaskRuntime>,
    host: Host,
    mut stop: watch::Receiver<bool>,
) -> ConnEnd {
    let client = tokio::select! {
        () = stopped(&mut stop) => return ConnEnd::Stopped,
        c = conn::connect(&shared.config, Some(&host)) => match c {
            Ok(c) => c,
            Err(e) => return ConnEnd::Failed(e.to_string()),
        },
    };
    shared.counters.connections.fetch_add(1, Ordering::Relaxed);
    let request = || PollTaskRequest {
        task_def_id: Some(TaskDefId {
            name: task.spec.name.clone(),
        }),
        client_id: shared.client_id.clone(),
        task_worker_version: shared.version.clone(),
    };
    let (tx, rx) = mpsc::channel(1);
    // The first request goes out with the call: a server may send its response headers only
    // with the first answer.
    let mut permit = tokio::select! {
        () = stopped(&mut stop) => return ConnEnd::Stopped,
        p = task.permits.clone().acquire_owned() => match p {
            Ok(p) => p,
            Err(_) => return ConnEnd::Stopped,
        },
    };
    if tx.send(request()).await.is_err() {
        return ConnEnd::Failed("the poll stream closed".into());
    }
    let mut raw = client.raw();
    let mut stream = tokio::select! {
        () = stopped(&mut stop) => return ConnEnd::Stopped,
        r = raw.poll_task(ReceiverStream::new(rx)) => match r {
            Ok(r) => r.into_inner(),
            Err(s) => return ConnEnd::Failed(format!("PollTask on {host}: {}", s.message())),
        },
    };
    tracing::debug!(task = %task.spec.name, %host, "polling");
    loop {
        let msg = tokio::select! {
            () = stopped(&mut stop) => return ConnEnd::Stopped,
            m = stream.message() => m,
        };
        let resp = match msg {
            Ok(Some(resp)) => resp,
            Ok(None) => return ConnEnd::Failed(format!("{host} closed the poll stream")),
            Err(s) => return ConnEnd::Failed(format!("PollTask on {host}: {}", s.message())),
        };
        shared
            .counters
            .polls_answered
            .fetch_add(1, Ordering::Relaxed);
        match resp.result {
            Some(scheduled) => {
                spawn_execution(&shared, &task, client.clone(), scheduled, permit);
            }
            None => {
                drop(permit);
                tracing::debug!(%host, "empty PollTask answer");
                tokio::select! {
                    () = stopped(&mut stop) => return ConnEnd::Stopped,
                    () = tokio::time::sleep(EMPTY_POLL_DELAY) => {}
                }
            }
        }
        permit = tokio::select! {
            () = stopped(&mut stop) => return ConnEnd::Stopped,
            p = task.permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return ConnEnd::Stopped,
            },
        };
        if tx.send(request()).await.is_err() {
            return ConnEnd::Failed(format!("the poll stream to {host} closed"));
        }
    }
}

/// Aborts a task when dropped (so that aborting an execution aborts the task function too).
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn spawn_execution(
    shared: &Arc<Shared>,
    task: &Arc<TaskRuntime>,
    client: LhClient,
    scheduled: ScheduledTask,
    permit: OwnedSemaphorePermit,
) {
    let id = shared.inflight.next_id.fetch_add(1, Ordering::Relaxed);
    let Ok(mut running) = shared.inflight.running.lock() else {
        return;
    };
    let shared2 = shared.clone();
    let task = task.clone();
    let handle = tokio::spawn(async move {
        let report = execute(&task, scheduled).await;
        shared2.counters.executed.fetch_add(1, Ordering::Relaxed);
        if !report_with_retries(&client, report).await {
            shared2
                .counters
                .report_failures
                .fetch_add(1, Ordering::Relaxed);
        }
        drop(permit);
        shared2.inflight.finish(id);
    });
    running.insert(id, handle.abort_handle());
}

/// Runs the task function (in its own task, so that a panic is caught) and builds the
/// report.
async fn execute(task: &TaskRuntime, scheduled: ScheduledTask) -> ReportTaskRun {
    let task_run_id = scheduled.task_run_id.clone();
    let attempt_number = scheduled.attempt_number;
    let context = WorkerContext::new(&scheduled);
    let handler = task.spec.handler.clone();
    let ctx = context.clone();
    let inner = tokio::spawn(async move { handler.call(scheduled, ctx).await });
    let _guard = AbortOnDrop(inner.abort_handle());
    let completion = match inner.await {
        Ok(c) => c,
        Err(e) if e.is_panic() => {
            let payload = e.into_panic();
            let detail = payload
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Completion::failed(format!("the task function panicked: {detail}"))
        }
        Err(_) => Completion::failed("the task function was cancelled".into()),
    };
    let (status, result) = match completion {
        Completion::Output(v) => (TaskStatus::TaskSuccess, report_task_run::Result::Output(v)),
        Completion::Exception(e) => (
            TaskStatus::TaskException,
            report_task_run::Result::Exception(e),
        ),
        Completion::Error(status, e) => (status, report_task_run::Result::Error(e)),
    };
    if status != TaskStatus::TaskSuccess {
        tracing::warn!(task = %task.spec.name, ?status, "task did not succeed");
    }
    ReportTaskRun {
        task_run_id,
        time: Some(now()),
        status: status as i32,
        log_output: context.log_output().map(|s| VariableValue {
            value: Some(Value::Str(s)),
        }),
        attempt_number,
        result: Some(result),
        total_checkpoints: 0,
    }
}

fn now() -> pbjson_types::Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    pbjson_types::Timestamp {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    }
}

/// Whether a failed call may succeed when tried again.
fn transient(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::Unknown
            | Code::Aborted
            | Code::ResourceExhausted
            | Code::Cancelled
            | Code::Internal
    )
}

/// The delay before retry `n` (1-based): 250 ms doubling, at most 5 s.
pub(crate) fn backoff(n: u32) -> Duration {
    let ms = 250_u64.saturating_mul(1 << n.saturating_sub(1).min(5));
    Duration::from_millis(ms.min(5_000))
}

/// Sends the report, retrying transient failures; whether the server took it.
async fn report_with_retries(client: &LhClient, report: ReportTaskRun) -> bool {
    for attempt in 1..=REPORT_ATTEMPTS {
        let mut raw = client.raw();
        let outcome = tokio::time::timeout(CALL_TIMEOUT, raw.report_task(report.clone())).await;
        let retry = match outcome {
            Ok(Ok(_)) => return true,
            Ok(Err(s)) if transient(s.code()) => {
                tracing::warn!(attempt, error = %s.message(), "ReportTask failed; retrying");
                true
            }
            Ok(Err(s)) => {
                tracing::error!(error = %s.message(), "the server refused the task report");
                false
            }
            Err(_) => {
                tracing::warn!(attempt, "ReportTask timed out; retrying");
                true
            }
        };
        if !retry || attempt == REPORT_ATTEMPTS {
            break;
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_seconds() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(4), Duration::from_secs(2));
        assert_eq!(backoff(6), Duration::from_secs(5));
        assert_eq!(backoff(60), Duration::from_secs(5));
    }
}
