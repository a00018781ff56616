//! The node kinds, one file each, as the cases of the proto's `Node.node`
//! oneof: what PutWfSpec checks (`validate`, `reads`), what arriving at the
//! node does (`arrive`), when its NodeRun is done (`check`), when a waiting
//! NodeRun must be looked at again (`wake_time`) and what it outputs
//! (`output`). This file is only the dispatch; the engine's own steps
//! (advancing a thread, following edges, failing nodes) are in `advance.rs`
//! and `threads.rs`.

mod entrypoint;
mod exit;
mod external_event;
mod nop;
mod run_child_wf;
mod sleep;
mod start_multiple_threads;
mod start_thread;
mod task;
mod throw_event;
mod user_task;
mod wait_for_child_wf;
mod wait_for_condition;
mod wait_for_threads;

pub(super) use exit::complete as complete_exit;
pub(super) use task::{create_task_run_from, task_done};

use super::RunState;
use super::advance::{Ctx, Progress, failure};
use crate::engine::EngineError;
use crate::wfspec::NodeCheck;
use lhw_proto::littlehorse::{
    Failure, LhErrorType, Node, NodeRun, NodeRunId, VariableAssignment, VariableValue, node,
    node_run::NodeType,
};
use std::collections::BTreeMap;

/// What arriving at a node produced: its NodeRun's type and, when the
/// arrival failed, the failure that fails the NodeRun at once.
pub(super) struct Arrival {
    /// The NodeRun's type (`None` when the arrival failed before it was known).
    pub(super) node_type: Option<NodeType>,
    /// The failure of the arrival.
    pub(super) failure: Option<Failure>,
}

impl Arrival {
    /// An arrival that succeeded.
    fn of(node_type: NodeType) -> Arrival {
        Arrival {
            node_type: Some(node_type),
            failure: None,
        }
    }

    /// An arrival that gives no NodeRun type when it fails.
    fn from_result(result: Result<NodeType, Box<Failure>>) -> Arrival {
        match result {
            Ok(nt) => Arrival::of(nt),
            Err(f) => Arrival {
                node_type: None,
                failure: Some(*f),
            },
        }
    }
}

/// Arrival actions of `node`, before its NodeRun is stored (creates the
/// TaskRun, computes deadlines, resolves ids).
pub(super) fn arrive(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    pos: i32,
    node_run_id: &NodeRunId,
    node: &Node,
) -> Arrival {
    match &node.node {
        Some(node::Node::Entrypoint(_)) => entrypoint::arrive(),
        Some(node::Node::Nop(_)) => nop::arrive(),
        Some(node::Node::Exit(_)) => exit::arrive(),
        Some(node::Node::WaitForCondition(_)) => wait_for_condition::arrive(),
        Some(node::Node::Task(tn)) => task::arrive(run, ctx, t, node_run_id, tn),
        Some(node::Node::ExternalEvent(e)) => external_event::arrive(run, t, pos, e),
        Some(node::Node::RunChildWf(n)) => run_child_wf::arrive(run, t, pos, n),
        Some(node::Node::WaitForChildWf(n)) => wait_for_child_wf::arrive(run, t, n),
        Some(node::Node::ThrowEvent(te)) => throw_event::arrive(run, t, pos, te, ctx.now),
        Some(node::Node::Sleep(s)) => sleep::arrive(run, t, s, ctx.now),
        Some(node::Node::UserTask(ut)) => user_task::arrive(run, ctx, t, pos, ut, node_run_id),
        Some(node::Node::WaitForThreads(w)) => wait_for_threads::arrive(run, t, w),
        // Nodes that start threads do so once their own NodeRun exists (`start_threads`).
        Some(node::Node::StartThread(_)) | Some(node::Node::StartMultipleThreads(_)) | None => {
            Arrival {
                node_type: None,
                failure: None,
            }
        }
    }
}

/// The arrival actions that need the node's NodeRun stored first: starting
/// threads (`None` for the other kinds).
pub(super) fn start_threads(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    node: &Node,
) -> Option<Result<NodeType, Box<Failure>>> {
    match &node.node {
        Some(node::Node::StartThread(n)) => Some(start_thread::start(run, ctx, t, n)),
        Some(node::Node::StartMultipleThreads(n)) => {
            Some(start_multiple_threads::start(run, ctx, t, n))
        }
        _ => None,
    }
}

/// Whether the NodeRun at `pos` of node `node` is done (the caller has
/// looked at its status: it is in progress).
pub(super) fn check(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    pos: i32,
    node: &Node,
) -> Progress {
    match &node.node {
        Some(node::Node::Entrypoint(_)) => entrypoint::check(),
        Some(node::Node::Nop(_)) => nop::check(),
        Some(node::Node::Exit(e)) => exit::check(run, t, e),
        Some(node::Node::Task(_)) => task::check(run, t, pos),
        Some(node::Node::ExternalEvent(_)) => external_event::check(run, t, pos),
        Some(node::Node::Sleep(_)) => sleep::check(run, ctx, t, pos),
        Some(node::Node::WaitForCondition(w)) => wait_for_condition::check(run, t, w),
        Some(node::Node::StartThread(_)) => start_thread::check(),
        Some(node::Node::StartMultipleThreads(_)) => start_multiple_threads::check(),
        Some(node::Node::ThrowEvent(_)) => throw_event::check(),
        Some(node::Node::WaitForThreads(w)) => wait_for_threads::check(run, ctx, t, pos, w),
        Some(node::Node::UserTask(_)) => user_task::check(run, t, pos),
        Some(node::Node::RunChildWf(_)) => run_child_wf::check(run, t, pos),
        Some(node::Node::WaitForChildWf(_)) => wait_for_child_wf::check(run, ctx, t, pos),
        None => Progress::Failed(failure(
            LhErrorType::InternalError,
            format!(
                "{} nodes are not supported by the embedded kernel yet",
                crate::wfspec::node_case(node)
            ),
            None,
        )),
    }
}

/// When a waiting NodeRun must be looked at again: a sleep's maturation or
/// an external event's timeout (`None` when it waits without a deadline).
pub(super) fn wake_time(run: &RunState, t: i32, nr: &NodeRun) -> Result<Option<i64>, String> {
    match &nr.node_type {
        Some(NodeType::Sleep(s)) => Ok(sleep::wake_time(s)),
        Some(NodeType::ExternalEvent(ee)) => external_event::wake_time(run, t, nr, ee),
        _ => Ok(None),
    }
}

/// The output of a NodeRun, as a later node's `node_output` sees it (NULL
/// for kinds without output).
pub(super) fn output(run: &RunState, nr: &NodeRun) -> VariableValue {
    match &nr.node_type {
        Some(NodeType::Task(task)) => task::output(run, task),
        Some(NodeType::RunChildWf(r)) => run_child_wf::output(r),
        Some(NodeType::WaitForChildWf(w)) => wait_for_child_wf::output(run, w),
        Some(NodeType::StartThread(st)) => start_thread::output(st),
        Some(NodeType::StartMultipleThreads(sm)) => start_multiple_threads::output(sm),
        Some(NodeType::UserTask(u)) => user_task::output(run, u),
        Some(NodeType::ExternalEvent(ee)) => external_event::output(run, ee),
        _ => crate::values::null(),
    }
}

/// PutWfSpec's checks of one node's own fields (normalizing some: a task
/// timeout 0 becomes the default, a RUN_CHILD_WF or USER_TASK version is pinned).
pub(crate) fn validate(node: &mut Node, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    match &mut node.node {
        None => Err(c.invalid("the node type (oneof node) is not set")),
        Some(node::Node::Entrypoint(_)) => entrypoint::validate(),
        Some(node::Node::Nop(_)) => nop::validate(),
        Some(node::Node::Exit(e)) => exit::validate(e, c),
        Some(node::Node::Task(t)) => task::validate(t, c),
        Some(node::Node::ExternalEvent(e)) => external_event::validate(e, c),
        Some(node::Node::Sleep(s)) => sleep::validate(s, c),
        Some(node::Node::WaitForCondition(w)) => wait_for_condition::validate(w, c),
        Some(node::Node::StartThread(st)) => start_thread::validate(st, c),
        Some(node::Node::StartMultipleThreads(st)) => start_multiple_threads::validate(st, c),
        Some(node::Node::WaitForThreads(w)) => wait_for_threads::validate(w, c),
        Some(node::Node::RunChildWf(r)) => run_child_wf::validate(r, c),
        Some(node::Node::WaitForChildWf(w)) => wait_for_child_wf::validate(w, c),
        Some(node::Node::ThrowEvent(te)) => throw_event::validate(te, c),
        Some(node::Node::UserTask(u)) => user_task::validate(u, c),
    }
}

/// The variable names a node's own fields read (its edges aside).
pub(crate) fn reads<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match &node.node {
        None | Some(node::Node::Entrypoint(_)) | Some(node::Node::Nop(_)) => {}
        Some(node::Node::Exit(e)) => exit::reads(e, out),
        Some(node::Node::Task(t)) => task::reads(t, out),
        Some(node::Node::ExternalEvent(e)) => external_event::reads(e, out),
        Some(node::Node::Sleep(s)) => sleep::reads(s, out),
        Some(node::Node::WaitForCondition(w)) => wait_for_condition::reads(w, out),
        Some(node::Node::StartThread(st)) => start_thread::reads(st, out),
        Some(node::Node::StartMultipleThreads(st)) => start_multiple_threads::reads(st, out),
        Some(node::Node::WaitForThreads(w)) => wait_for_threads::reads(w, out),
        Some(node::Node::RunChildWf(r)) => run_child_wf::reads(r, out),
        Some(node::Node::WaitForChildWf(w)) => wait_for_child_wf::reads(w, out),
        Some(node::Node::ThrowEvent(te)) => throw_event::reads(te, out),
        Some(node::Node::UserTask(u)) => user_task::reads(u, out),
    }
}

/// A failure to evaluate what a node needs: VAR_SUB_ERROR.
fn sub_err(e: String) -> Box<Failure> {
    Box::new(failure(LhErrorType::VarSubError, e, None))
}

/// Evaluates named VariableAssignments in thread `t` (a thread's or a child's inputs).
fn eval_map(
    run: &RunState,
    t: i32,
    vars: &BTreeMap<String, VariableAssignment>,
) -> Result<BTreeMap<String, VariableValue>, Box<Failure>> {
    let mut m = BTreeMap::new();
    for (k, va) in vars {
        m.insert(k.clone(), run.eval(t, va).map_err(sub_err)?);
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use lhw_proto::littlehorse::{LhErrorType, Node, node::Node as Kind};
    use std::path::Path;

    /// ARCHITECTURE.md invariant 24: every case of the `Node.node` oneof has its
    /// file in `engine/nodes/`, and the engine names LittleHorse's failures only
    /// through `LhErrorType`, never as string literals.
    #[test]
    fn one_file_per_node_kind_and_failure_names_through_the_enum() {
        let kinds = [
            Kind::Entrypoint(Default::default()),
            Kind::Exit(Default::default()),
            Kind::Task(Default::default()),
            Kind::ExternalEvent(Default::default()),
            Kind::StartThread(Default::default()),
            Kind::WaitForThreads(Default::default()),
            Kind::Nop(Default::default()),
            Kind::Sleep(Default::default()),
            Kind::UserTask(Default::default()),
            Kind::StartMultipleThreads(Default::default()),
            Kind::ThrowEvent(Default::default()),
            Kind::WaitForCondition(Default::default()),
            Kind::RunChildWf(Default::default()),
            Kind::WaitForChildWf(Default::default()),
        ];
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
        for kind in kinds {
            let node = Node {
                node: Some(kind),
                ..Node::default()
            };
            let file = format!("{}.rs", crate::wfspec::node_case(&node).to_lowercase());
            assert!(
                dir.join("nodes").join(&file).is_file(),
                "engine/nodes/{file} is missing"
            );
        }
        let mut sources = Vec::new();
        for d in [dir.clone(), dir.join("nodes")] {
            for entry in std::fs::read_dir(&d).expect("engine sources") {
                let path = entry.expect("a directory entry").path();
                if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    sources.push((path, text));
                }
            }
        }
        for t in (0..).map_while(|i| LhErrorType::try_from(i).ok()) {
            let literal = format!("\"{}\"", t.as_str_name());
            for (path, text) in &sources {
                assert!(
                    !text.contains(&literal),
                    "{} names {literal} as a string: use LhErrorType::{t:?}",
                    path.display()
                );
            }
        }
    }
}
