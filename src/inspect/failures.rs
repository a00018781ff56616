//! The failure that ended a thread: LittleHorse keeps only its message on the ThreadRun; the
//! failure's name (`payment-failed`, `ERROR`-kinds such as `TASK_FAILURE`) is on the NodeRun
//! where it happened.

use std::collections::BTreeMap;

use lhw_proto::littlehorse::{Failure, LhStatus, NodeRun, NodeRunId, WfRun};
use lhw_runtime_client::LhClient;

/// The last failure of each failed (ERROR or EXCEPTION) thread of `run`, by thread number.
/// A NodeRun that cannot be read is skipped: the thread's message is still shown.
pub(crate) async fn thread_failures(client: &LhClient, run: &WfRun) -> BTreeMap<i32, Failure> {
    let mut out = BTreeMap::new();
    for t in &run.thread_runs {
        let failed = matches!(
            LhStatus::try_from(t.status),
            Ok(LhStatus::Error | LhStatus::Exception)
        );
        if !failed {
            continue;
        }
        let node = client
            .raw()
            .get_node_run(NodeRunId {
                wf_run_id: run.id.clone(),
                thread_run_number: t.number,
                position: t.current_node_position,
            })
            .await;
        if let Some(f) = node
            .ok()
            .and_then(|n| last_failure(&n.into_inner()).cloned())
        {
            out.insert(t.number, f);
        }
    }
    out
}

/// The most recent failure of a NodeRun.
pub(crate) fn last_failure(node: &NodeRun) -> Option<&Failure> {
    node.failures.last()
}

/// `name: message` (or the name alone when the message is empty or repeats it).
pub(crate) fn failure_text(f: &Failure) -> String {
    if f.message.is_empty() || f.message == f.failure_name {
        f.failure_name.clone()
    } else {
        format!("{}: {}", f.failure_name, f.message)
    }
}
