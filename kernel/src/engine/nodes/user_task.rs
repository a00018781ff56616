//! USER_TASK: creates a UserTaskRun (owners, notes, actions) and waits until
//! it is DONE (its results are the output) or CANCELLED (a failure).

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Ctx, Progress, failure, named_failure};
use crate::engine::user_tasks::{assign_to, eval_str, schedule_action, ut_node};
use crate::storage::kind;
use crate::util::ms_to_ts;
use crate::values::{self, null};
use crate::wfspec::{DEFAULT_TASK_TIMEOUT_SECONDS, NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    Failure, LhErrorType, NodeRunId, TaskDef, UserTaskDefId, UserTaskNode, UserTaskNodeRun,
    UserTaskRun, UserTaskRunId, UserTaskRunStatus, VariableValue, node_run::NodeType,
    task_node::TaskToExecute, ut_action_trigger, ut_action_trigger::UtHook,
};

/// The UserTaskDef must exist (its version is pinned), someone must own the
/// task, and each action must be complete and name existing TaskDefs.
pub(super) fn validate(u: &mut UserTaskNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    let def: Option<lhw_proto::littlehorse::UserTaskDef> = match u.user_task_def_version {
        Some(v) => c
            .store
            .get_meta(kind::USER_TASK_DEF, &u.user_task_def_name, v, 0)?,
        None => c
            .store
            .latest_meta(kind::USER_TASK_DEF, &u.user_task_def_name, None)?,
    };
    let def = def.ok_or_else(|| {
        c.invalid(format!(
            "Refers to nonexistent UserTaskDef {}",
            u.user_task_def_name
        ))
    })?;
    u.user_task_def_version = Some(def.version);
    if u.user_id.is_none() && u.user_group.is_none() {
        return Err(c.invalid("a user task needs a user_id or a user_group"));
    }
    for (i, a) in u.actions.iter_mut().enumerate() {
        if a.delay_seconds.is_none() {
            return Err(c.invalid(format!("actions[{i}].delay_seconds is not set")));
        }
        match &mut a.action {
            None => return Err(c.invalid(format!("actions[{i}].action is not set"))),
            Some(ut_action_trigger::Action::Task(t)) => {
                let Some(tn) = t.task.as_mut() else {
                    return Err(c.invalid(format!("actions[{i}].task.task is not set")));
                };
                if tn.timeout_seconds <= 0 {
                    tn.timeout_seconds = DEFAULT_TASK_TIMEOUT_SECONDS;
                }
                if let Some(TaskToExecute::TaskDefId(id)) = &tn.task_to_execute {
                    let def: Option<TaskDef> = c.store.get_meta(kind::TASK_DEF, &id.name, 0, 0)?;
                    if def.is_none() {
                        return Err(c.invalid(format!(
                            "actions[{i}]: Refers to nonexistent TaskDef {}",
                            id.name
                        )));
                    }
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub(super) fn reads<'a>(u: &'a UserTaskNode, out: &mut Vec<&'a str>) {
    for va in [
        &u.user_id,
        &u.user_group,
        &u.notes,
        &u.on_cancellation_exception_name,
    ]
    .into_iter()
    .flatten()
    {
        va_vars(va, out);
    }
    for a in &u.actions {
        if let Some(d) = &a.delay_seconds {
            va_vars(d, out);
        }
        match &a.action {
            Some(ut_action_trigger::Action::Task(t)) => {
                if let Some(tn) = &t.task {
                    for va in &tn.variables {
                        va_vars(va, out);
                    }
                }
            }
            Some(ut_action_trigger::Action::Reassign(r)) => {
                for va in [&r.user_id, &r.user_group].into_iter().flatten() {
                    va_vars(va, out);
                }
            }
            _ => {}
        }
    }
}

pub(super) fn arrive(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    pos: i32,
    n: &UserTaskNode,
    node_run_id: &NodeRunId,
) -> Arrival {
    Arrival::from_result(create(run, ctx, t, pos, n, node_run_id))
}

/// USER_TASK arrival: resolves the UserTaskDef, notes and owners, creates
/// the UserTaskRun, assigns it and schedules its actions.
fn create(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    pos: i32,
    n: &UserTaskNode,
    node_run_id: &NodeRunId,
) -> Result<NodeType, Box<Failure>> {
    let def = match n.user_task_def_version {
        Some(v) => crate::metadata::get_user_task_def(ctx.store, &n.user_task_def_name, v),
        None => crate::metadata::get_latest_user_task_def(ctx.store, &n.user_task_def_name),
    }
    .map_err(|_| {
        Box::new(failure(
            LhErrorType::TaskError,
            format!("UserTaskDef {} was not found", n.user_task_def_name),
            None,
        ))
    })?;
    let sub = |e: String| {
        Box::new(failure(
            LhErrorType::VarSubError,
            format!("Invalid variables when creating UserTaskRun: {e}"),
            None,
        ))
    };
    let notes = eval_str(run, t, n.notes.as_ref()).map_err(sub)?;
    let user_id = eval_str(run, t, n.user_id.as_ref()).map_err(sub)?;
    let user_group = eval_str(run, t, n.user_group.as_ref()).map_err(sub)?;
    let var_err = |m: &str| Box::new(failure(LhErrorType::VarError, m, None));
    if user_id.is_none() && user_group.is_none() {
        return Err(var_err("Invalid user task assignment"));
    }
    if user_id.as_ref().is_some_and(|u| u.trim().is_empty()) {
        return Err(var_err(
            "Invalid user task assignment. UserId can't be empty",
        ));
    }
    if user_group.as_ref().is_some_and(|g| g.trim().is_empty()) {
        return Err(var_err(
            "Invalid group task assignment. UserGroup can't be empty",
        ));
    }
    let guid = format!("{t}-{pos}");
    let id = UserTaskRunId {
        wf_run_id: Some(run.id()),
        user_task_guid: guid.clone(),
    };
    let utr = UserTaskRun {
        id: Some(id.clone()),
        user_task_def_id: Some(UserTaskDefId {
            name: def.name.clone(),
            version: def.version,
        }),
        status: UserTaskRunStatus::Unassigned as i32,
        notes,
        scheduled_time: Some(ms_to_ts(ctx.now)),
        node_run_id: Some(node_run_id.clone()),
        epoch: 0,
        ..UserTaskRun::default()
    };
    run.user_task_runs.insert(guid.clone(), utr);
    run.dirty.user_task_runs.insert(guid.clone());
    let scheduled = assign_to(run, n, &guid, user_id, user_group, true, ctx.now).and_then(|()| {
        for (i, a) in n.actions.iter().enumerate() {
            if a.hook() == UtHook::OnArrival {
                schedule_action(run, n, &guid, t, pos, i, ctx.now)?;
            }
        }
        Ok(())
    });
    if let Err(e) = scheduled {
        run.user_task_runs.remove(&guid);
        run.dirty.user_task_runs.remove(&guid);
        run.ut_actions.retain(|_, a| a.guid != guid);
        return Err(sub(e));
    }
    Ok(NodeType::UserTask(UserTaskNodeRun {
        user_task_run_id: Some(id),
    }))
}

/// USER_TASK completion: DONE completes the node, CANCELLED fails it.
pub(super) fn check(run: &RunState, t: i32, pos: i32) -> Progress {
    let guid = match run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.as_ref())
    {
        Some(NodeType::UserTask(u)) => u
            .user_task_run_id
            .as_ref()
            .map(|i| i.user_task_guid.clone()),
        _ => None,
    };
    let Some(utr) = guid.and_then(|g| run.user_task_runs.get(&g)) else {
        return Progress::Failed(failure(
            LhErrorType::InternalError,
            "the UserTaskRun is missing",
            None,
        ));
    };
    match UserTaskRunStatus::try_from(utr.status) {
        Ok(UserTaskRunStatus::Done) => Progress::Completed,
        Ok(UserTaskRunStatus::Cancelled) => {
            let name = ut_node(run, t, pos)
                .and_then(|n| n.on_cancellation_exception_name)
                .and_then(|va| eval_str(run, t, Some(&va)).ok().flatten())
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| LhErrorType::UserTaskCancelled.as_str_name().to_string());
            Progress::Failed(named_failure(&name, "User task cancelled", None))
        }
        _ => Progress::Waiting,
    }
}

/// The output: the results of the UserTaskRun once it is DONE (NULL before).
pub(super) fn output(run: &RunState, u: &UserTaskNodeRun) -> VariableValue {
    u.user_task_run_id
        .as_ref()
        .and_then(|i| run.user_task_runs.get(&i.user_task_guid))
        .filter(|utr| utr.status() == UserTaskRunStatus::Done)
        .map_or_else(null, done_output)
}

/// The output of a DONE UserTaskRun: a JSON_OBJ of its results.
fn done_output(utr: &UserTaskRun) -> lhw_proto::littlehorse::VariableValue {
    let mut obj = serde_json::Map::new();
    for (k, v) in &utr.results {
        obj.insert(
            k.clone(),
            values::to_json(v).unwrap_or(serde_json::Value::Null),
        );
    }
    values::from_json(&serde_json::Value::Object(obj))
}
