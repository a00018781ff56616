//! WAIT_FOR_CHILD_WF: waits for a child WfRun (read from the store); its
//! output is the child's entrypoint output.

use super::{Arrival, sub_err};
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Ctx, Progress, failure, named_failure};
use crate::util::wf_run_key;
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    Failure, LhErrorType, LhStatus, VariableValue, WaitForChildWfNode, WaitForChildWfNodeRun,
    node_run::NodeType, variable_value::Value,
};

pub(super) fn validate(w: &WaitForChildWfNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    match &w.child_wf_run_id {
        Some(_) => Ok(()),
        None => Err(c.invalid("wait_for_child_wf.child_wf_run_id is not set")),
    }
}

pub(super) fn reads<'a>(w: &'a WaitForChildWfNode, out: &mut Vec<&'a str>) {
    if let Some(va) = &w.child_wf_run_id {
        va_vars(va, out);
    }
}

/// Resolves the child's id.
pub(super) fn arrive(run: &RunState, t: i32, n: &WaitForChildWfNode) -> Arrival {
    Arrival::from_result(resolve(run, t, n))
}

/// WAIT_FOR_CHILD_WF arrival: resolves the child's id.
fn resolve(run: &RunState, t: i32, n: &WaitForChildWfNode) -> Result<NodeType, Box<Failure>> {
    let va = n
        .child_wf_run_id
        .as_ref()
        .ok_or_else(|| sub_err("child_wf_run_id is not set".to_string()))?;
    match run.eval(t, va).map_err(sub_err)?.value {
        Some(Value::WfRunId(id)) => Ok(NodeType::WaitForChildWf(WaitForChildWfNodeRun {
            child_wf_run_id: Some(id),
        })),
        _ => Err(sub_err("child_wf_run_id must be a WF_RUN_ID".to_string())),
    }
}

/// WAIT_FOR_CHILD_WF completes when the child completes (its output is the
/// child's entrypoint output); a child ERROR is CHILD_FAILURE, a child
/// EXCEPTION propagates with its name.
pub(super) fn check(run: &mut RunState, ctx: &Ctx<'_>, t: i32, pos: i32) -> Progress {
    let Some(NodeType::WaitForChildWf(w)) = run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.as_ref())
    else {
        return Progress::Failed(failure(
            LhErrorType::InternalError,
            "bad WAIT_FOR_CHILD_WF NodeRun",
            None,
        ));
    };
    let key = w
        .child_wf_run_id
        .as_ref()
        .map(wf_run_key)
        .unwrap_or_default();
    let child = match ctx.store.get_wf_run(&key) {
        Ok(Some(c)) => c,
        Ok(None) => return Progress::Waiting,
        Err(e) => {
            return Progress::Failed(failure(LhErrorType::InternalError, e.to_string(), None));
        }
    };
    match LhStatus::try_from(child.status) {
        Ok(LhStatus::Completed) => {
            let output = child
                .thread_runs
                .iter()
                .find(|th| th.number == 0)
                .and_then(|th| th.output.clone())
                .unwrap_or_default();
            run.child_outputs.insert(key, output);
            Progress::Completed
        }
        Ok(LhStatus::Exception) => {
            let f = ctx
                .store
                .list_node_runs(&key, Some(0))
                .ok()
                .and_then(|nrs| nrs.iter().rev().find_map(|nr| nr.failures.last().cloned()));
            match f {
                Some(f) => Progress::Failed(named_failure(
                    &f.failure_name,
                    format!("Child WfRun failed: {}", f.message),
                    f.content,
                )),
                None => Progress::Failed(failure(
                    LhErrorType::ChildFailure,
                    "the child WfRun failed",
                    None,
                )),
            }
        }
        Ok(LhStatus::Error) => Progress::Failed(failure(
            LhErrorType::ChildFailure,
            format!("child WfRun {key} failed"),
            None,
        )),
        _ => Progress::Waiting,
    }
}

/// The child's entrypoint output, once it completed (NULL before).
pub(super) fn output(run: &RunState, w: &WaitForChildWfNodeRun) -> VariableValue {
    w.child_wf_run_id
        .as_ref()
        .and_then(|id| run.child_outputs.get(&wf_run_key(id)))
        .cloned()
        .unwrap_or_default()
}
