//! Advancing ThreadRuns: node arrival, completion checks, edge selection with
//! mutations, thread completion and failures (LittleHorse semantics, §5).

use super::nodes::{self, task_done};
pub(crate) use super::threads::fail_node;
use super::threads::{self};
use super::{RunState, Timer, run::is_terminal};
use crate::storage::{Store, kind};
use crate::util::ms_to_ts;
use lhw_proto::littlehorse::{
    Failure, LhErrorType, LhStatus, Node, NodeRun, NodeRunId, TaskDef, edge::EdgeCondition, node,
    node_run::NodeType, thread_halt_reason,
};
use std::collections::HashMap;

/// Most node transitions one advance may make before the run is failed as a tight loop.
const MAX_STEPS: u32 = 512;

/// What advancing needs besides the run: metadata lookups and the clock.
pub(crate) struct Ctx<'a> {
    /// The store (TaskDef lookups).
    pub(crate) store: &'a Store,
    /// Cache of TaskDefs.
    pub(crate) task_defs: &'a mut HashMap<String, TaskDef>,
    /// The current time (epoch ms).
    pub(crate) now: i64,
}

impl Ctx<'_> {
    /// A TaskDef by name (cached).
    pub(crate) fn task_def(&mut self, name: &str) -> Option<TaskDef> {
        if let Some(d) = self.task_defs.get(name) {
            return Some(d.clone());
        }
        let def: TaskDef = self.store.get_meta(kind::TASK_DEF, name, 0, 0).ok()??;
        self.task_defs.insert(name.to_string(), def.clone());
        Some(def)
    }
}

/// The state of a NodeRun after a check.
pub(crate) enum Progress {
    /// Not finished.
    Waiting,
    /// Finished successfully.
    Completed,
    /// Failed with this failure.
    Failed(Failure),
}

/// A failure record for one of LittleHorse's error types (`LHErrorType`).
pub(crate) fn failure(
    kind: LhErrorType,
    message: impl Into<String>,
    content: Option<lhw_proto::littlehorse::VariableValue>,
) -> Failure {
    named_failure(kind.as_str_name(), message, content)
}

/// A failure record by name: a business exception (a task's, an EXIT node's
/// `failure_def`) or a failure passed on from elsewhere (a child's).
pub(crate) fn named_failure(
    name: &str,
    message: impl Into<String>,
    content: Option<lhw_proto::littlehorse::VariableValue>,
) -> Failure {
    Failure {
        failure_name: name.to_string(),
        message: message.into(),
        content,
        was_properly_handled: false,
        failure_handler_threadrun_id: None,
    }
}

pub(super) fn node_of<'s>(run: &'s RunState, t: i32, name: &str) -> Option<&'s Node> {
    let tspec = &run.thread(t)?.thread_spec_name;
    run.spec.thread_specs.get(tspec)?.nodes.get(name)
}

/// Advances every thread of the run until nothing more can happen now.
pub(crate) fn advance(run: &mut RunState, ctx: &mut Ctx<'_>) {
    let mut budget = MAX_STEPS;
    loop {
        let numbers: Vec<i32> = run.wf_run.thread_runs.iter().map(|t| t.number).collect();
        let mut progressed = threads::start_pending(run, ctx);
        for t in &numbers {
            progressed |= advance_thread(run, ctx, *t, &mut budget);
        }
        // Threads started by a waiting node still need their first advance.
        progressed |= run.wf_run.thread_runs.len() != numbers.len();
        if !progressed {
            break;
        }
    }
    sync_status(run, ctx.now);
    super::thread_retention::archive_threads(run, ctx.now);
}

/// WfRun status mirrors ThreadRun 0.
fn sync_status(run: &mut RunState, now: i64) {
    let Some(t0) = run.thread(0) else { return };
    let status = t0.status;
    if run.wf_run.status != status {
        run.wf_run.status = status;
        if is_terminal(status) {
            run.wf_run.end_time = Some(ms_to_ts(now));
        }
        run.dirty.wf_run = true;
    }
}

fn advance_thread(run: &mut RunState, ctx: &mut Ctx<'_>, t: i32, budget: &mut u32) -> bool {
    let mut progressed = false;
    loop {
        let Some(thread) = run.thread(t) else {
            return progressed;
        };
        let status = LhStatus::try_from(thread.status).unwrap_or(LhStatus::Error);
        let pos = thread.current_node_position;
        match status {
            LhStatus::Halted | LhStatus::Halting if thread.halt_reasons.is_empty() => {
                threads::unhalt(run, t, &|_| false);
                progressed = true;
                continue;
            }
            LhStatus::Completed | LhStatus::Error | LhStatus::Exception | LhStatus::Halted => {
                return progressed;
            }
            LhStatus::Halting => {
                let halted = can_halt(run, t, pos);
                // The current NodeRun halts with its thread (HALTING while its task runs).
                let node_status = if halted {
                    LhStatus::Halted
                } else {
                    LhStatus::Halting
                } as i32;
                threads::set_node_status_if_in_progress(run, t, pos, node_status);
                if halted && let Some(th) = run.thread_mut(t) {
                    th.status = LhStatus::Halted as i32;
                    return true;
                }
                return progressed;
            }
            LhStatus::Starting | LhStatus::Running => {}
        }
        if *budget == 0 {
            fail_node(
                run,
                t,
                pos,
                failure(
                    LhErrorType::InternalError,
                    "tight loop: too many steps without waiting",
                    None,
                ),
                ctx.now,
            );
            return true;
        }
        *budget -= 1;
        let Some(nr) = run.node_runs.get(&(t, pos)) else {
            return progressed;
        };
        let node_name = nr.node_name.clone();
        let Some(node) = node_of(run, t, &node_name).cloned() else {
            fail_node(
                run,
                t,
                pos,
                failure(
                    LhErrorType::InternalError,
                    format!("node {node_name} is missing"),
                    None,
                ),
                ctx.now,
            );
            return true;
        };
        if nr.status() == LhStatus::Error || nr.status() == LhStatus::Exception {
            if !nr.failures.last().is_some_and(|f| f.was_properly_handled) {
                return progressed;
            }
            // The failure handler completed: follow the edges, without mutations.
            let edge = match select_edge(run, t, &node_name, &node) {
                Ok(e) => e,
                Err(e) => {
                    threads::fail_thread(
                        run,
                        t,
                        &failure(LhErrorType::VarSubError, e.clone(), None),
                        e,
                        ctx.now,
                    );
                    return true;
                }
            };
            arrive(run, ctx, t, pos + 1, &edge.sink_node_name);
            progressed = true;
            continue;
        }
        match check_node(run, ctx, t, pos, &node) {
            Progress::Waiting => return progressed,
            Progress::Failed(f) => {
                fail_node(run, t, pos, f, ctx.now);
                return true;
            }
            Progress::Completed => {}
        }
        if let Some(node::Node::Exit(exit)) = &node.node {
            nodes::complete_exit(run, t, pos, exit, ctx.now);
            return true;
        }
        let edge = match select_edge(run, t, &node_name, &node) {
            Ok(e) => e,
            Err(e) => {
                fail_node(
                    run,
                    t,
                    pos,
                    failure(LhErrorType::VarSubError, e, None),
                    ctx.now,
                );
                return true;
            }
        };
        if let Err(e) = run.apply_mutations(t, &node_name, &edge.variable_mutations) {
            fail_node(
                run,
                t,
                pos,
                failure(LhErrorType::VarMutationError, e, None),
                ctx.now,
            );
            return true;
        }
        complete_node(run, t, pos, ctx.now);
        // A WorkflowMigrationPlan may move the thread onto the new version here.
        if !super::migration_plans::redirect(run, ctx, t, pos + 1, &edge.sink_node_name) {
            arrive(run, ctx, t, pos + 1, &edge.sink_node_name);
        }
        progressed = true;
    }
}

/// A thread may finish halting unless it waits on a task that is still running.
fn can_halt(run: &RunState, t: i32, pos: i32) -> bool {
    match run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.as_ref())
    {
        Some(NodeType::Task(task)) => {
            let guid = task
                .task_run_id
                .as_ref()
                .map(|i| i.task_guid.as_str())
                .unwrap_or_default();
            run.task_runs
                .get(guid)
                .is_none_or(|tr| task_done(tr.status))
                || run
                    .node_runs
                    .get(&(t, pos))
                    .is_some_and(|nr| is_terminal(nr.status))
        }
        _ => true,
    }
}

fn check_node(run: &mut RunState, ctx: &mut Ctx<'_>, t: i32, pos: i32, node: &Node) -> Progress {
    let Some(nr) = run.node_runs.get(&(t, pos)) else {
        return Progress::Waiting;
    };
    match LhStatus::try_from(nr.status) {
        Ok(LhStatus::Completed) => return Progress::Completed,
        Ok(LhStatus::Error | LhStatus::Exception) => return Progress::Waiting,
        _ => {}
    }
    nodes::check(run, ctx, t, pos, node)
}

/// The first outgoing edge whose condition holds (edges in declaration order).
/// None holding is the VAR_SUB_ERROR LittleHorse raises at run time
/// (`NodeRunModel#evaluateOutgoingEdgesAndMaybeMutateVariables`): the
/// server accepts a WfSpec whose TASK node has no outgoing edge.
pub(super) fn select_edge(
    run: &RunState,
    t: i32,
    node_name: &str,
    node: &Node,
) -> Result<lhw_proto::littlehorse::Edge, String> {
    for edge in &node.outgoing_edges {
        let taken = match &edge.edge_condition {
            None => true,
            Some(EdgeCondition::Condition(va)) => run.eval_bool(t, va)?,
            Some(EdgeCondition::LegacyCondition(c)) => run.eval_legacy(t, c)?,
        };
        if taken {
            return Ok(edge.clone());
        }
    }
    Err(format!(
        "Invalid WfSpec: No outgoing edges found on Node {node_name} with all conditions satisfied"
    ))
}

pub(super) fn complete_node(run: &mut RunState, t: i32, pos: i32, now: i64) {
    if let Some(nr) = run.node_run_mut(t, pos) {
        nr.status = LhStatus::Completed as i32;
        nr.end_time = Some(ms_to_ts(now));
    }
}

/// Creates the NodeRun for `node_name` at position `pos` and runs its arrival
/// actions (creates the TaskRun, computes sleep and timeout deadlines).
pub(crate) fn arrive(run: &mut RunState, ctx: &mut Ctx<'_>, t: i32, pos: i32, node_name: &str) {
    let Some(node) = node_of(run, t, node_name).cloned() else {
        fail_node(
            run,
            t,
            pos - 1,
            failure(
                LhErrorType::InternalError,
                format!("node {node_name} is missing"),
                None,
            ),
            ctx.now,
        );
        return;
    };
    let thread_spec_name = run
        .thread(t)
        .map(|th| th.thread_spec_name.clone())
        .unwrap_or_default();
    let node_run_id = NodeRunId {
        wf_run_id: Some(run.id()),
        thread_run_number: t,
        position: pos,
    };
    let mut nr = NodeRun {
        id: Some(node_run_id.clone()),
        wf_spec_id: run.wf_run.wf_spec_id.clone(),
        status: LhStatus::Running as i32,
        arrival_time: Some(ms_to_ts(ctx.now)),
        thread_spec_name,
        node_name: node_name.to_string(),
        ..NodeRun::default()
    };
    let arrival = nodes::arrive(run, ctx, t, pos, &node_run_id, &node);
    nr.node_type = arrival.node_type;
    let mut arrival_failure = arrival.failure;
    run.put_node_run(t, pos, nr);
    if let Some(th) = run.thread_mut(t) {
        th.current_node_position = pos;
    }
    // Nodes that start threads do so once their own NodeRun exists.
    match nodes::start_threads(run, ctx, t, &node) {
        Some(Ok(nt)) => {
            if let Some(nr) = run.node_run_mut(t, pos) {
                nr.node_type = Some(nt);
            }
        }
        Some(Err(f)) => arrival_failure = Some(*f),
        None => {}
    }
    if let Some(f) = arrival_failure {
        fail_node(run, t, pos, f, ctx.now);
        return;
    }
    match wake_time(run, t, pos) {
        Ok(Some(due)) => run.effects.timers.push((
            due,
            Timer::NodeWake {
                run: run.key.clone(),
                thread: t,
                position: pos,
            },
        )),
        Ok(None) => {}
        Err(e) => fail_node(
            run,
            t,
            pos,
            failure(LhErrorType::VarSubError, e, None),
            ctx.now,
        ),
    }
}

/// When a waiting node must be looked at again: a sleep's maturation or an
/// external event's timeout (`None` when it waits without a deadline).
pub(crate) fn wake_time(run: &RunState, t: i32, pos: i32) -> Result<Option<i64>, String> {
    let Some(nr) = run.node_runs.get(&(t, pos)) else {
        return Ok(None);
    };
    if is_terminal(nr.status) {
        return Ok(None);
    }
    nodes::wake_time(run, t, nr)
}

/// Adds a manual halt to thread `t` (StopWfRun); its children halt too.
pub(crate) fn stop_thread(run: &mut RunState, t: i32) {
    threads::halt(
        run,
        t,
        thread_halt_reason::Reason::ManualHalt(lhw_proto::littlehorse::ManualHalt {
            meaning_of_life: true,
        }),
    );
}

/// Removes manual halts from thread `t` (ResumeWfRun); it runs again when no halt reason is left.
pub(crate) fn resume_thread(run: &mut RunState, t: i32) {
    threads::unhalt(run, t, &|r| {
        matches!(r, thread_halt_reason::Reason::ManualHalt(_))
    });
}
