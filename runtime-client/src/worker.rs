//! A minimal Rust task worker following the protocol of the official SDKs: GetTaskDef,
//! RegisterTaskWorker, then a bidirectional PollTask stream with one outstanding request,
//! and ReportTask after each task. One task at a time; it stops when `shutdown` resolves.

use std::future::Future;

use lhw_proto::littlehorse::{
    LhErrorType, LhTaskError, LhTaskException, PollTaskRequest, RegisterTaskWorkerRequest,
    ReportTaskRun, ScheduledTask, TaskDefId, TaskStatus, VariableValue, report_task_run,
    variable_value::Value,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::client::{ClientError, LhClient};

/// What a task function returns.
#[derive(Debug, Clone)]
pub enum TaskOutcome {
    /// TASK_SUCCESS with this output.
    Output(VariableValue),
    /// TASK_EXCEPTION: a business failure, named as in the workflow's handlers.
    Exception {
        /// The failure name.
        name: String,
        /// A human message.
        message: String,
    },
    /// TASK_FAILED: a technical error (retried by the server when retries are set).
    Error(String),
}

/// The string value of input `i` of a task (`None` when absent or not a STR).
pub fn input_str(task: &ScheduledTask, i: usize) -> Option<&str> {
    match task.variables.get(i)?.value.as_ref()?.value.as_ref()? {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// A STR value.
pub fn str_value(s: impl Into<String>) -> VariableValue {
    VariableValue {
        value: Some(Value::Str(s.into())),
    }
}

/// Runs a worker for `task_def` until `shutdown` resolves or the stream ends.
pub async fn run_worker<H, Fut, S>(
    client: &LhClient,
    task_def: &str,
    worker_id: &str,
    handler: H,
    shutdown: S,
) -> Result<(), ClientError>
where
    H: Fn(ScheduledTask) -> Fut,
    Fut: Future<Output = TaskOutcome>,
    S: Future<Output = ()>,
{
    if client.get_task_def(task_def).await?.is_none() {
        return Err(ClientError::Config(format!(
            "TaskDef {task_def} is not registered on {}; deploy it first \
             (lhc deploy --with-task-defs FILE)",
            client.target()
        )));
    }
    let mut raw = client.raw();
    raw.register_task_worker(RegisterTaskWorkerRequest {
        task_worker_id: worker_id.into(),
        task_def_id: Some(TaskDefId {
            name: task_def.into(),
        }),
    })
    .await?;
    let request = || PollTaskRequest {
        task_def_id: Some(TaskDefId {
            name: task_def.into(),
        }),
        client_id: worker_id.into(),
        task_worker_version: None,
    };
    let (tx, rx) = mpsc::channel(1);
    tx.send(request())
        .await
        .map_err(|_| ClientError::Config("poll stream closed".into()))?;
    let mut stream = raw.poll_task(ReceiverStream::new(rx)).await?.into_inner();
    tokio::pin!(shutdown);
    loop {
        let msg = tokio::select! {
            () = &mut shutdown => return Ok(()),
            m = stream.message() => m?,
        };
        let Some(msg) = msg else { return Ok(()) };
        if let Some(task) = msg.result {
            let id = task.task_run_id.clone();
            let attempt = task.attempt_number;
            let (status, result) = match handler(task).await {
                TaskOutcome::Output(v) => {
                    (TaskStatus::TaskSuccess, report_task_run::Result::Output(v))
                }
                TaskOutcome::Exception { name, message } => (
                    TaskStatus::TaskException,
                    report_task_run::Result::Exception(LhTaskException {
                        name,
                        message,
                        content: None,
                    }),
                ),
                TaskOutcome::Error(message) => (
                    TaskStatus::TaskFailed,
                    report_task_run::Result::Error(LhTaskError {
                        r#type: LhErrorType::TaskError as i32,
                        message,
                    }),
                ),
            };
            let report = ReportTaskRun {
                task_run_id: id,
                status: status as i32,
                attempt_number: attempt,
                result: Some(result),
                ..Default::default()
            };
            raw.report_task(report).await?;
        }
        if tx.send(request()).await.is_err() {
            return Ok(());
        }
    }
}
