//! TASK: runs a TaskDef through a TaskRun (inputs evaluated at arrival,
//! attempts handed to workers by `tasks.rs`); done when the TaskRun is.

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Ctx, Progress, failure, named_failure};
use crate::engine::run::QueuedTask;
use crate::storage::kind;
use crate::util::ms_to_ts;
use crate::values;
use crate::wfspec::{DEFAULT_TASK_TIMEOUT_SECONDS, NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    Failure, LhErrorType, NodeRunId, TaskAttempt, TaskDef, TaskDefId, TaskNode, TaskNodeReference,
    TaskNodeRun, TaskRun, TaskRunId, TaskRunSource, TaskStatus, VarNameAndVal, VariableValue,
    node_run::NodeType, task_attempt, task_node::TaskToExecute, task_run_source,
};

pub(super) fn validate(t: &mut TaskNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    if t.retries < 0 {
        return Err(c.invalid("task.retries must be >= 0"));
    }
    if let Some(b) = &t.exponential_backoff
        && (b.base_interval_ms <= 0
            || b.multiplier < 1.0
            || b.max_delay_ms < i64::from(b.base_interval_ms))
    {
        return Err(c.invalid(
            "task.exponential_backoff needs base_interval_ms > 0, multiplier >= 1 and max_delay_ms >= base_interval_ms",
        ));
    }
    if t.timeout_seconds < 0 {
        return Err(c.invalid("task.timeout_seconds must be >= 0"));
    }
    if t.timeout_seconds == 0 {
        t.timeout_seconds = DEFAULT_TASK_TIMEOUT_SECONDS;
    }
    match &t.task_to_execute {
        None => Err(c.invalid("task.task_to_execute is not set")),
        Some(TaskToExecute::DynamicTask(_)) => Ok(()),
        Some(TaskToExecute::TaskDefId(id)) => {
            let def: TaskDef = c
                .store
                .get_meta(kind::TASK_DEF, &id.name, 0, 0)?
                .ok_or_else(|| c.invalid(format!("Refers to nonexistent TaskDef {}", id.name)))?;
            if def.input_vars.len() != t.variables.len() {
                return Err(c.invalid(format!(
                    "For TaskDef {} we need {} input vars, but we have {}",
                    id.name,
                    def.input_vars.len(),
                    t.variables.len()
                )));
            }
            Ok(())
        }
    }
}

pub(super) fn reads<'a>(t: &'a TaskNode, out: &mut Vec<&'a str>) {
    if let Some(TaskToExecute::DynamicTask(va)) = &t.task_to_execute {
        va_vars(va, out);
    }
    for va in &t.variables {
        va_vars(va, out);
    }
}

/// Creates the TaskRun; a failure to create it fails the node, whose
/// TaskNodeRun then names no TaskRun.
pub(super) fn arrive(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    node_run_id: &NodeRunId,
    tn: &TaskNode,
) -> Arrival {
    match create_task_run(run, ctx, t, node_run_id, tn) {
        Ok(guid) => Arrival::of(NodeType::Task(TaskNodeRun {
            task_run_id: Some(TaskRunId {
                wf_run_id: Some(run.id()),
                task_guid: guid,
            }),
        })),
        Err(f) => Arrival {
            node_type: Some(NodeType::Task(TaskNodeRun { task_run_id: None })),
            failure: Some(*f),
        },
    }
}

/// Done when the TaskRun is: TASK_SUCCESS completes the node, any other end fails it.
pub(super) fn check(run: &RunState, t: i32, pos: i32) -> Progress {
    let Some(nr) = run.node_runs.get(&(t, pos)) else {
        return Progress::Waiting;
    };
    let guid = match &nr.node_type {
        Some(NodeType::Task(task)) => task.task_run_id.as_ref().map(|i| i.task_guid.clone()),
        _ => None,
    };
    let Some(tr) = guid.and_then(|g| run.task_runs.get(&g)) else {
        return Progress::Failed(failure(
            LhErrorType::InternalError,
            "the TaskRun is missing",
            None,
        ));
    };
    if !task_done(tr.status) {
        Progress::Waiting
    } else if tr.status() == TaskStatus::TaskSuccess {
        Progress::Completed
    } else {
        Progress::Failed(task_failure(tr))
    }
}

/// The output of the last successful attempt (NULL when there is none).
pub(super) fn output(run: &RunState, task: &TaskNodeRun) -> VariableValue {
    let guid = task
        .task_run_id
        .as_ref()
        .map(|i| i.task_guid.as_str())
        .unwrap_or_default();
    run.task_runs
        .get(guid)
        .and_then(|tr| {
            tr.attempts
                .iter()
                .rev()
                .find(|a| a.status() == TaskStatus::TaskSuccess)
        })
        .and_then(|a| match &a.result {
            Some(task_attempt::Result::Output(v)) => Some(v.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// Whether a TaskStatus is terminal.
pub(in crate::engine) fn task_done(status: i32) -> bool {
    !matches!(
        TaskStatus::try_from(status),
        Ok(TaskStatus::TaskScheduled | TaskStatus::TaskRunning | TaskStatus::TaskPending)
    )
}

/// The failure a finished, unsuccessful TaskRun raises on its node.
fn task_failure(tr: &TaskRun) -> Failure {
    let last = tr.attempts.last();
    let message = match last.and_then(|a| a.result.as_ref()) {
        Some(task_attempt::Result::Error(e)) => e.message.clone(),
        Some(task_attempt::Result::Exception(e)) => e.message.clone(),
        _ => String::new(),
    };
    match TaskStatus::try_from(tr.status) {
        Ok(TaskStatus::TaskException) => match last.and_then(|a| a.result.as_ref()) {
            Some(task_attempt::Result::Exception(e)) => {
                named_failure(&e.name, e.message.clone(), e.content.clone())
            }
            _ => failure(LhErrorType::TaskFailure, message, None),
        },
        Ok(TaskStatus::TaskTimeout) => failure(
            LhErrorType::Timeout,
            format!("Task timed out. {message}"),
            None,
        ),
        Ok(TaskStatus::TaskOutputSerdeError) => {
            failure(LhErrorType::VarMutationError, message, None)
        }
        Ok(TaskStatus::TaskInputVarSubError) => failure(LhErrorType::VarSubError, message, None),
        _ => failure(LhErrorType::TaskFailure, message, None),
    }
}

fn create_task_run(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    node_run_id: &NodeRunId,
    tn: &TaskNode,
) -> Result<String, Box<Failure>> {
    let source = TaskRunSource {
        wf_spec_id: run.wf_run.wf_spec_id.clone(),
        task_run_source: Some(task_run_source::TaskRunSource::TaskNode(
            TaskNodeReference {
                node_run_id: Some(node_run_id.clone()),
            },
        )),
    };
    create_task_run_from(run, ctx, t, tn, source, crate::util::new_guid())
}

/// Creates and queues a TaskRun for `tn` (inputs evaluated in thread `t`)
/// with the given source and guid.
pub(in crate::engine) fn create_task_run_from(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    tn: &TaskNode,
    source: TaskRunSource,
    guid: String,
) -> Result<String, Box<Failure>> {
    let name = match &tn.task_to_execute {
        Some(TaskToExecute::TaskDefId(id)) => id.name.clone(),
        Some(TaskToExecute::DynamicTask(va)) => match run.eval(t, va) {
            Ok(v) => values::to_display(&v),
            Err(e) => return Err(Box::new(failure(LhErrorType::VarSubError, e, None))),
        },
        None => {
            return Err(Box::new(failure(
                LhErrorType::VarSubError,
                "the task node names no TaskDef",
                None,
            )));
        }
    };
    let def = ctx.task_def(&name).ok_or_else(|| {
        Box::new(failure(
            LhErrorType::VarSubError,
            format!("TaskDef {name} not found"),
            None,
        ))
    })?;
    if def.input_vars.len() != tn.variables.len() {
        return Err(Box::new(failure(
            LhErrorType::VarSubError,
            format!(
                "TaskDef {name} needs {} inputs, got {}",
                def.input_vars.len(),
                tn.variables.len()
            ),
            None,
        )));
    }
    let mut inputs = Vec::new();
    for (vd, va) in def.input_vars.iter().zip(&tn.variables) {
        let value = run
            .eval(t, va)
            .and_then(|v| match &vd.type_def {
                Some(td) => values::coerce_to(v, td),
                None => Ok(v),
            })
            .map_err(|e| {
                Box::new(failure(
                    LhErrorType::VarSubError,
                    format!("input {} of task {name}: {e}", vd.name),
                    None,
                ))
            })?;
        inputs.push(VarNameAndVal {
            var_name: vd.name.clone(),
            value: Some(value),
            masked: vd.type_def.as_ref().is_some_and(|td| td.masked),
        });
    }
    let now = Some(ms_to_ts(ctx.now));
    let timeout = if tn.timeout_seconds > 0 {
        tn.timeout_seconds
    } else {
        DEFAULT_TASK_TIMEOUT_SECONDS
    };
    let tr = TaskRun {
        id: Some(TaskRunId {
            wf_run_id: Some(run.id()),
            task_guid: guid.clone(),
        }),
        task_def_id: Some(TaskDefId { name: name.clone() }),
        attempts: vec![TaskAttempt {
            status: TaskStatus::TaskScheduled as i32,
            schedule_time: now,
            ..TaskAttempt::default()
        }],
        input_variables: inputs,
        source: Some(source),
        scheduled_at: now,
        status: TaskStatus::TaskScheduled as i32,
        timeout_seconds: timeout,
        total_attempts: 1 + tn.retries.max(0),
        exponential_backoff: tn.exponential_backoff,
        total_checkpoints: 0,
    };
    run.task_runs.insert(guid.clone(), tr);
    run.dirty.task_runs.insert(guid.clone());
    run.effects.tasks.push(QueuedTask {
        guid: guid.clone(),
        task_def: name,
    });
    Ok(guid)
}
