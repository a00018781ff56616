//! RUN_CHILD_WF and WAIT_FOR_CHILD_WF: child WfRuns (id with the parent's
//! id as `parent_wf_run_id`), started by the engine after the node arrives
//! and awaited through their stored status.

use super::advance::{Ctx, Progress, failure};
use super::{Engine, RunState};
use crate::util::{new_guid, wf_run_key};
use crate::values;
use lhw_proto::littlehorse::{
    Failure, LhStatus, RunChildWfNode, RunChildWfNodeRun, RunWfRequest, WaitForChildWfNode,
    WaitForChildWfNodeRun, WfRunId, node_run::NodeType, run_child_wf_node::WfSpec,
    variable_value::Value,
};
use std::collections::BTreeMap;

/// A child WfRun to start once the parent's advance is over.
#[derive(Debug)]
pub struct ChildStart {
    /// Parent thread and NodeRun position.
    pub thread: i32,
    /// Parent NodeRun position.
    pub position: i32,
    /// The request that starts the child.
    pub request: RunWfRequest,
}

fn sub_err(e: String) -> Box<Failure> {
    Box::new(failure("VAR_SUB_ERROR", e, None))
}

/// RUN_CHILD_WF arrival: resolves the WfSpec, inputs and id; the engine
/// starts the child after this advance.
pub fn arrive_run(
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
pub fn run_check(run: &RunState, t: i32, pos: i32) -> Progress {
    match run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.as_ref())
    {
        Some(NodeType::RunChildWf(r)) if r.wf_spec_id.is_some() => Progress::Completed,
        _ => Progress::Waiting,
    }
}

/// WAIT_FOR_CHILD_WF arrival: resolves the child's id.
pub fn arrive_wait(
    run: &RunState,
    t: i32,
    n: &WaitForChildWfNode,
) -> Result<NodeType, Box<Failure>> {
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
pub fn wait_check(run: &mut RunState, ctx: &Ctx<'_>, t: i32, pos: i32) -> Progress {
    let Some(NodeType::WaitForChildWf(w)) = run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.as_ref())
    else {
        return Progress::Failed(failure(
            "INTERNAL_ERROR",
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
        Err(e) => return Progress::Failed(failure("INTERNAL_ERROR", e.to_string(), None)),
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
                Some(f) => Progress::Failed(failure(
                    &f.failure_name,
                    format!("Child WfRun failed: {}", f.message),
                    f.content,
                )),
                None => Progress::Failed(failure("CHILD_FAILURE", "the child WfRun failed", None)),
            }
        }
        Ok(LhStatus::Error) => Progress::Failed(failure(
            "CHILD_FAILURE",
            format!("child WfRun {key} failed"),
            None,
        )),
        _ => Progress::Waiting,
    }
}

impl Engine {
    /// Starts the child WfRuns a run's advance asked for; a child that
    /// cannot start fails its RUN_CHILD_WF node.
    pub(super) fn start_children(&mut self, key: &str, children: Vec<ChildStart>) {
        for c in children {
            let result = self.start_wf_run(c.request, super::api::Origin::ChildNode);
            let now = crate::util::now_ms();
            let Some(run) = self.runs.get_mut(key) else {
                return;
            };
            match result {
                Ok(child) => {
                    if let Some(NodeType::RunChildWf(r)) = run
                        .node_run_mut(c.thread, c.position)
                        .and_then(|nr| nr.node_type.as_mut())
                    {
                        r.wf_spec_id = child.wf_spec_id;
                    }
                }
                Err(status) => super::threads::fail_node(
                    run,
                    c.thread,
                    c.position,
                    failure("VAR_SUB_ERROR", status.message().to_string(), None),
                    now,
                ),
            }
            self.advance_run(key);
        }
    }

    /// A finished child WfRun: write it so its parent sees it, then advance the parent.
    pub(super) fn notify_parent(&mut self, key: &str) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        if !run.is_finished() {
            return;
        }
        let Some(parent) = run
            .wf_run
            .id
            .as_ref()
            .and_then(|i| i.parent_wf_run_id.as_deref())
        else {
            return;
        };
        let parent_key = wf_run_key(parent);
        if let Err(e) = run.flush(&self.store) {
            eprintln!("lhw-kernel: cannot write child WfRun {key}: {e}");
            return;
        }
        if self.runs.contains_key(&parent_key) {
            self.advance_run(&parent_key);
        }
    }
}
