//! Answering dispatched tasks with mocks until the simulation settles.

use super::{Sim, SimError};
use crate::engine::Poller;
use lhw_proto::littlehorse as pb;
use pb::report_task_run::Result as Reported;

/// One task attempt the engine dispatched.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCall {
    /// The TaskDef name.
    pub task: String,
    /// The input variables, in the TaskDef's order.
    pub args: Vec<(String, pb::VariableValue)>,
    /// The attempt number (0 for the first).
    pub attempt: i32,
    /// The ThreadRun number of the node that called it.
    pub(crate) thread: i32,
    /// That ThreadRun's ThreadSpec name.
    pub thread_spec: String,
    /// The node name (e.g. `1-charge-card-TASK`); a reminder task names its user-task node.
    pub node: String,
    /// The virtual time of the call (epoch ms).
    pub at_ms: i64,
}

/// How a mocked task answers one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskAnswer {
    /// The task succeeds with this output (`None`: a task without output).
    Output(Option<pb::VariableValue>),
    /// The worker reports a technical failure (TASK_FAILED, the error TASK_FAILURE).
    Error(String),
    /// The worker reports a business exception (TASK_EXCEPTION).
    Exception {
        /// The exception name.
        name: String,
        /// Its message.
        message: String,
        /// Its content.
        content: Option<pb::VariableValue>,
    },
    /// The worker never answers: the attempt times out after the node's timeout.
    Timeout,
}

/// What answers the tasks of a simulation.
pub trait Mocks {
    /// The answer to `call`, or `None` when the test does not mock it.
    fn answer(&mut self, call: &TaskCall) -> Option<TaskAnswer>;
}

/// How many task attempts one settle may answer before the run counts as runaway.
const MAX_ATTEMPTS_PER_SETTLE: usize = 10_000;

impl Sim {
    /// Answers every task waiting for a worker, repeatedly, until none is left at the
    /// current virtual time.
    pub(super) fn settle(&mut self, mocks: &mut dyn Mocks) -> Result<(), SimError> {
        let mut answered = 0usize;
        loop {
            let names = self.engine.task_defs_with_work();
            if names.is_empty() {
                return Ok(());
            }
            let mut receivers = Vec::new();
            self.engine.begin_batch()?;
            for name in names {
                let (tx, rx) = tokio::sync::oneshot::channel();
                self.engine.poll(
                    name,
                    Poller {
                        client_id: "lhc-test".to_string(),
                        version: None,
                        reply: tx,
                    },
                );
                receivers.push(rx);
            }
            self.engine.end_batch();
            let tasks: Vec<pb::ScheduledTask> = receivers
                .into_iter()
                .filter_map(|mut rx| rx.try_recv().ok())
                .collect();
            if tasks.is_empty() {
                return Ok(());
            }
            for task in tasks {
                answered += 1;
                if answered > MAX_ATTEMPTS_PER_SETTLE {
                    return Err(SimError::Runaway { attempts: answered });
                }
                let call = self.task_call(&task);
                let answer = mocks
                    .answer(&call)
                    .ok_or_else(|| SimError::Unmocked(Box::new(call.clone())))?;
                self.calls.push(call);
                let (status, result) = match answer {
                    TaskAnswer::Timeout => continue,
                    TaskAnswer::Output(v) => (
                        pb::TaskStatus::TaskSuccess,
                        Reported::Output(v.unwrap_or_default()),
                    ),
                    TaskAnswer::Error(message) => (
                        pb::TaskStatus::TaskFailed,
                        Reported::Error(pb::LhTaskError {
                            r#type: pb::LhErrorType::TaskFailure as i32,
                            message,
                        }),
                    ),
                    TaskAnswer::Exception {
                        name,
                        message,
                        content,
                    } => (
                        pb::TaskStatus::TaskException,
                        Reported::Exception(pb::LhTaskException {
                            name,
                            message,
                            content,
                        }),
                    ),
                };
                let report = pb::ReportTaskRun {
                    task_run_id: task.task_run_id.clone(),
                    time: Some(crate::util::ms_to_ts(self.now_ms())),
                    status: status as i32,
                    attempt_number: task.attempt_number,
                    result: Some(result),
                    ..Default::default()
                };
                self.batch(|e| e.report(report))?;
            }
        }
    }

    /// Describes a dispatched task: its arguments and the node that called it.
    fn task_call(&self, task: &pb::ScheduledTask) -> TaskCall {
        let node_run_id = task.source.as_ref().and_then(|s| match &s.task_run_source {
            Some(pb::task_run_source::TaskRunSource::TaskNode(n)) => n.node_run_id.clone(),
            Some(pb::task_run_source::TaskRunSource::UserTaskTrigger(u)) => u.node_run_id.clone(),
            None => None,
        });
        let (thread, position) = node_run_id
            .as_ref()
            .map_or((0, 0), |n| (n.thread_run_number, n.position));
        let node_run = self
            .run
            .as_ref()
            .and_then(|k| self.engine.get_node_run(k, thread, position).ok());
        TaskCall {
            task: task
                .task_def_id
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            args: task
                .variables
                .iter()
                .map(|v| (v.var_name.clone(), v.value.clone().unwrap_or_default()))
                .collect(),
            attempt: task.attempt_number,
            thread,
            thread_spec: node_run
                .as_ref()
                .map(|n| n.thread_spec_name.clone())
                .unwrap_or_default(),
            node: node_run.map(|n| n.node_name).unwrap_or_default(),
            at_ms: self.now_ms(),
        }
    }

    /// Every task attempt answered so far, in order.
    pub fn calls(&self) -> &[TaskCall] {
        &self.calls
    }
}
