//! THROW_EVENT: throws a WorkflowEvent of a WorkflowEventDef (seen by
//! AwaitWorkflowEvent, `events.rs`) and goes on at once.

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Progress, failure};
use crate::storage::kind;
use crate::util::ms_to_ts;
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    Failure, LhErrorType, NodeRunId, ThrowEventNode, ThrowEventNodeRun, WorkflowEvent,
    WorkflowEventDef, WorkflowEventId, node_run::NodeType,
};

pub(super) fn validate(te: &ThrowEventNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    let def_name = te
        .event_def_id
        .as_ref()
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let def: Option<WorkflowEventDef> =
        c.store
            .get_meta(kind::WORKFLOW_EVENT_DEF, &def_name, 0, 0)?;
    if def.is_none() {
        return Err(c.invalid(format!("Refers to missing WorkflowEventDef {def_name}")));
    }
    Ok(())
}

pub(super) fn reads<'a>(te: &'a ThrowEventNode, out: &mut Vec<&'a str>) {
    if let Some(c) = &te.content {
        va_vars(c, out);
    }
}

pub(super) fn arrive(
    run: &mut RunState,
    t: i32,
    pos: i32,
    node: &ThrowEventNode,
    now: i64,
) -> Arrival {
    Arrival::from_result(throw(run, t, pos, node, now))
}

/// Thrown at arrival: done at once.
pub(super) fn check() -> Progress {
    Progress::Completed
}

/// THROW_EVENT arrival: creates WorkflowEvent number n (per def) of the run.
fn throw(
    run: &mut RunState,
    t: i32,
    pos: i32,
    node: &ThrowEventNode,
    now: i64,
) -> Result<NodeType, Box<Failure>> {
    let def = node.event_def_id.clone().unwrap_or_default();
    let content = match &node.content {
        Some(va) => Some(
            run.eval(t, va)
                .map_err(|e| Box::new(failure(LhErrorType::VarSubError, e, None)))?,
        ),
        None => None,
    };
    let number = run
        .workflow_events
        .iter()
        .filter(|e| {
            e.id.as_ref()
                .and_then(|i| i.workflow_event_def_id.as_ref())
                .is_some_and(|d| d.name == def.name)
        })
        .count();
    let id = WorkflowEventId {
        wf_run_id: Some(run.id()),
        workflow_event_def_id: Some(def),
        number: i32::try_from(number).unwrap_or(i32::MAX),
    };
    let ev = WorkflowEvent {
        id: Some(id.clone()),
        content,
        created_at: Some(ms_to_ts(now)),
        node_run_id: Some(NodeRunId {
            wf_run_id: Some(run.id()),
            thread_run_number: t,
            position: pos,
        }),
    };
    run.workflow_events.push(ev.clone());
    run.dirty
        .workflow_events
        .insert(run.workflow_events.len() - 1);
    run.effects.thrown.push(ev);
    Ok(NodeType::ThrowEvent(ThrowEventNodeRun {
        workflow_event_id: Some(id),
    }))
}
