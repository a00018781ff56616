//! Child WfRuns of RUN_CHILD_WF nodes (`nodes/run_child_wf.rs`): started by
//! the engine after the parent's advance; a finished child wakes its parent.

use super::Engine;
use super::advance::failure;
use crate::util::wf_run_key;
use lhw_proto::littlehorse::{LhErrorType, RunWfRequest, node_run::NodeType};

/// A child WfRun to start once the parent's advance is over.
#[derive(Debug)]
pub(crate) struct ChildStart {
    /// Parent thread and NodeRun position.
    pub(crate) thread: i32,
    /// Parent NodeRun position.
    pub(crate) position: i32,
    /// The request that starts the child.
    pub(crate) request: RunWfRequest,
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
                    failure(LhErrorType::VarSubError, status.message(), None),
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
