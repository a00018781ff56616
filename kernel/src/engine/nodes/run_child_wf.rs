//! RUN_CHILD_WF: starts a child WfRun (its id has the parent's id as
//! `parent_wf_run_id`); the engine starts it after the advance
//! (`child.rs`). Its output is the child's WfRunId.

use super::{Arrival, sub_err};
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::Progress;
use crate::engine::child::ChildStart;
use crate::util::new_guid;
use crate::values::{self, null, val};
use crate::wfspec::{NodeCheck, child_major_version, va_vars};
use lhw_proto::littlehorse::{
    Failure, RunChildWfNode, RunChildWfNodeRun, RunWfRequest, VariableValue, WfRunId,
    node_run::NodeType, run_child_wf_node::WfSpec, variable_value::Value,
};
use std::collections::BTreeMap;

/// The named WfSpec must exist; a major version -1 is pinned to the latest now.
pub(super) fn validate(r: &mut RunChildWfNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    match &r.wf_spec {
        Some(WfSpec::WfSpecName(n)) if !n.is_empty() => {
            r.major_version =
                child_major_version(c.store, n, r.major_version)?.map_err(|d| c.invalid(d))?;
            Ok(())
        }
        Some(WfSpec::WfSpecVar(_)) => Ok(()),
        _ => Err(c.invalid("run_child_wf names no WfSpec")),
    }
}

pub(super) fn reads<'a>(r: &'a RunChildWfNode, out: &mut Vec<&'a str>) {
    if let Some(WfSpec::WfSpecVar(va)) = &r.wf_spec {
        va_vars(va, out);
    }
    r.inputs.values().for_each(|va| va_vars(va, out));
    if let Some(va) = &r.child_id {
        va_vars(va, out);
    }
}

/// Resolves the WfSpec, inputs and id; the engine starts the child after this advance.
pub(super) fn arrive(run: &mut RunState, t: i32, pos: i32, n: &RunChildWfNode) -> Arrival {
    Arrival::from_result(resolve(run, t, pos, n))
}

/// RUN_CHILD_WF arrival: resolves the WfSpec, inputs and id; the engine
/// starts the child after this advance.
fn resolve(
    run: &mut RunState,
    t: i32,
    pos: i32,
    n: &RunChildWfNode,
) -> Result<NodeType, Box<Failure>> {
    let spec_name = match &n.wf_spec {
        Some(WfSpec::WfSpecName(s)) => s.clone(),
        Some(WfSpec::WfSpecVar(va)) => values::to_display(&run.eval(t, va).map_err(sub_err)?),
        None => return Err(sub_err("run_child_wf names no WfSpec".to_string())),
    };
    let mut inputs = BTreeMap::new();
    for (k, va) in &n.inputs {
        inputs.insert(k.clone(), run.eval(t, va).map_err(sub_err)?);
    }
    let id = match &n.child_id {
        Some(va) => values::to_display(&run.eval(t, va).map_err(sub_err)?),
        None => new_guid(),
    };
    let child = WfRunId {
        id: id.clone(),
        parent_wf_run_id: Some(Box::new(run.id())),
    };
    run.effects.children.push(ChildStart {
        thread: t,
        position: pos,
        request: RunWfRequest {
            wf_spec_name: spec_name,
            major_version: (n.major_version >= 0).then_some(n.major_version),
            revision: None,
            variables: inputs.clone(),
            id: Some(id),
            parent_wf_run_id: Some(run.id()),
        },
    });
    Ok(NodeType::RunChildWf(RunChildWfNodeRun {
        child_wf_run_id: Some(child),
        inputs,
        wf_spec_id: None,
    }))
}

/// RUN_CHILD_WF completes once the engine has started the child.
pub(super) fn check(run: &RunState, t: i32, pos: i32) -> Progress {
    match run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.as_ref())
    {
        Some(NodeType::RunChildWf(r)) if r.wf_spec_id.is_some() => Progress::Completed,
        _ => Progress::Waiting,
    }
}

/// The child's WfRunId.
pub(super) fn output(r: &RunChildWfNodeRun) -> VariableValue {
    r.child_wf_run_id
        .clone()
        .map_or_else(null, |id| val(Value::WfRunId(id)))
}
