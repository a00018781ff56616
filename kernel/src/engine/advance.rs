//! Advancing ThreadRuns: node arrival, completion checks, edge selection with
//! mutations, thread completion and failures (LittleHorse semantics, §5).

use super::thread_nodes;
pub use super::threads::fail_node;
use super::threads::{self, thread_completed};
use super::{RunState, Timer, run::is_terminal};
use crate::storage::{Store, kind};
use crate::util::{ms_to_ts, ts_to_ms};
use crate::values::{self, val};
use lhw_proto::littlehorse::{
    EntrypointRun, ExitRun, ExternalEventNodeRun, Failure, LhStatus, Node, NodeRun, NodeRunId,
    SleepNodeRun, TaskAttempt, TaskDef, TaskDefId, TaskNode, TaskNodeReference, TaskNodeRun,
    TaskRun, TaskRunId, TaskRunSource, TaskStatus, VarNameAndVal, WaitForConditionRun,
    edge::EdgeCondition, exit_node, node, node_run::NodeType, sleep_node::SleepLength,
    task_attempt, task_node::TaskToExecute, task_run_source, thread_halt_reason,
    variable_value::Value, wait_for_condition_node::NodeCondition,
};
use std::collections::HashMap;

/// Most node transitions one advance may make before the run is failed as a tight loop.
const MAX_STEPS: u32 = 512;

/// What advancing needs besides the run: metadata lookups and the clock.
pub struct Ctx<'a> {
    /// The store (TaskDef lookups).
    pub store: &'a Store,
    /// Cache of TaskDefs.
    pub task_defs: &'a mut HashMap<String, TaskDef>,
    /// The current time (epoch ms).
    pub now: i64,
}

impl Ctx<'_> {
    /// A TaskDef by name (cached).
    pub fn task_def(&mut self, name: &str) -> Option<TaskDef> {
        if let Some(d) = self.task_defs.get(name) {
            return Some(d.clone());
        }
        let def: TaskDef = self.store.get_meta(kind::TASK_DEF, name, 0, 0).ok()??;
        self.task_defs.insert(name.to_string(), def.clone());
        Some(def)
    }
}

/// The state of a NodeRun after a check.
pub enum Progress {
    /// Not finished.
    Waiting,
    /// Finished successfully.
    Completed,
    /// Failed with this failure.
    Failed(Failure),
}

/// A failure record.
pub fn failure(
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

/// Whether a TaskStatus is terminal.
pub fn task_done(status: i32) -> bool {
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
                failure(&e.name, e.message.clone(), e.content.clone())
            }
            _ => failure("TASK_FAILURE", message, None),
        },
        Ok(TaskStatus::TaskTimeout) => {
            failure("TIMEOUT", format!("Task timed out. {message}"), None)
        }
        Ok(TaskStatus::TaskOutputSerdeError) => failure("VAR_MUTATION_ERROR", message, None),
        Ok(TaskStatus::TaskInputVarSubError) => failure("VAR_SUB_ERROR", message, None),
        _ => failure("TASK_FAILURE", message, None),
    }
}

pub(super) fn node_of<'s>(run: &'s RunState, t: i32, name: &str) -> Option<&'s Node> {
    let tspec = &run.thread(t)?.thread_spec_name;
    run.spec.thread_specs.get(tspec)?.nodes.get(name)
}

/// Advances every thread of the run until nothing more can happen now.
pub fn advance(run: &mut RunState, ctx: &mut Ctx<'_>) {
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
                    "INTERNAL_ERROR",
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
                    "INTERNAL_ERROR",
                    format!("node {node_name} is missing"),
                    None,
                ),
                ctx.now,
            );
            return true;
        };
        if nr.status == LhStatus::Error as i32 || nr.status == LhStatus::Exception as i32 {
            if !nr.failures.last().is_some_and(|f| f.was_properly_handled) {
                return progressed;
            }
            // The failure handler completed: follow the edges, without mutations.
            let edge = match select_edge(run, t, &node) {
                Ok(e) => e,
                Err(e) => {
                    threads::fail_thread(
                        run,
                        t,
                        &failure("VAR_SUB_ERROR", e.clone(), None),
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
            let output = match &exit.result {
                Some(exit_node::Result::ReturnContent(va)) => match run.eval(t, va) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        fail_node(run, t, pos, failure("VAR_SUB_ERROR", e, None), ctx.now);
                        return true;
                    }
                },
                _ => None,
            };
            complete_node(run, t, pos, ctx.now);
            if let Some(th) = run.thread_mut(t) {
                th.status = LhStatus::Completed as i32;
                th.end_time = Some(ms_to_ts(ctx.now));
                th.output = output;
            }
            thread_completed(run, t);
            return true;
        }
        let edge = match select_edge(run, t, &node) {
            Ok(e) => e,
            Err(e) => {
                fail_node(run, t, pos, failure("VAR_SUB_ERROR", e, None), ctx.now);
                return true;
            }
        };
        if let Err(e) = run.apply_mutations(t, &node_name, &edge.variable_mutations) {
            fail_node(run, t, pos, failure("VAR_MUTATION_ERROR", e, None), ctx.now);
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
    match &node.node {
        Some(node::Node::Entrypoint(_)) | Some(node::Node::Nop(_)) => Progress::Completed,
        Some(node::Node::Exit(e)) => match &e.result {
            _ if thread_nodes::exit_children(run, t).is_some() => {
                thread_nodes::exit_children(run, t).unwrap_or(Progress::Waiting)
            }
            Some(exit_node::Result::FailureDef(f)) => {
                let content = match f.content.as_ref().map(|c| run.eval(t, c)).transpose() {
                    Ok(c) => c,
                    Err(e) => return Progress::Failed(failure("VAR_SUB_ERROR", e, None)),
                };
                Progress::Failed(failure(&f.failure_name, f.message.clone(), content))
            }
            _ => Progress::Completed,
        },
        Some(node::Node::Task(_)) => {
            let guid = match &nr.node_type {
                Some(NodeType::Task(task)) => {
                    task.task_run_id.as_ref().map(|i| i.task_guid.clone())
                }
                _ => None,
            };
            let Some(tr) = guid.and_then(|g| run.task_runs.get(&g)) else {
                return Progress::Failed(failure("INTERNAL_ERROR", "the TaskRun is missing", None));
            };
            if !task_done(tr.status) {
                Progress::Waiting
            } else if tr.status == TaskStatus::TaskSuccess as i32 {
                Progress::Completed
            } else {
                Progress::Failed(task_failure(tr))
            }
        }
        Some(node::Node::ExternalEvent(_)) => {
            let Some(NodeType::ExternalEvent(ee)) = &nr.node_type else {
                return Progress::Failed(failure(
                    "INTERNAL_ERROR",
                    "bad external event NodeRun",
                    None,
                ));
            };
            if ee.external_event_id.is_some() {
                return Progress::Completed;
            }
            if ee.timed_out {
                return Progress::Failed(failure(
                    "TIMEOUT",
                    "External Event did not arrive in time.",
                    None,
                ));
            }
            let def = ee
                .external_event_def_id
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let found = run.events.iter().position(|(_, ev)| {
                !ev.claimed
                    && ev
                        .id
                        .as_ref()
                        .and_then(|i| i.external_event_def_id.as_ref())
                        .is_some_and(|d| d.name == def)
                    && ev.thread_run_number.is_none_or(|n| n == t)
                    && ev.node_run_position.is_none_or(|p| p == pos)
            });
            let Some(i) = found else {
                return Progress::Waiting;
            };
            run.events[i].1.claimed = true;
            run.dirty.events.insert(i);
            let (id, time) = (run.events[i].1.id.clone(), run.events[i].1.created_at);
            if let Some(NodeType::ExternalEvent(ee)) = run
                .node_run_mut(t, pos)
                .and_then(|nr| nr.node_type.as_mut())
            {
                ee.external_event_id = id;
                ee.event_time = time;
            }
            Progress::Completed
        }
        Some(node::Node::Sleep(_)) => match &nr.node_type {
            Some(NodeType::Sleep(s)) if s.matured => Progress::Completed,
            Some(NodeType::Sleep(s))
                if s.maturation_time
                    .as_ref()
                    .is_some_and(|m| ts_to_ms(m) <= ctx.now) =>
            {
                if let Some(NodeType::Sleep(s)) = run
                    .node_run_mut(t, pos)
                    .and_then(|nr| nr.node_type.as_mut())
                {
                    s.matured = true;
                }
                Progress::Completed
            }
            _ => Progress::Waiting,
        },
        Some(node::Node::WaitForCondition(w)) => {
            let result = match &w.node_condition {
                Some(NodeCondition::Condition(va)) => run.eval_bool(t, va),
                Some(NodeCondition::LegacyCondition(c)) => run.eval_legacy(t, c),
                None => Err("the node has no condition".to_string()),
            };
            match result {
                Ok(true) => Progress::Completed,
                Ok(false) => Progress::Waiting,
                Err(e) => Progress::Failed(failure("VAR_SUB_ERROR", e, None)),
            }
        }
        Some(node::Node::StartThread(_))
        | Some(node::Node::StartMultipleThreads(_))
        | Some(node::Node::ThrowEvent(_)) => Progress::Completed,
        Some(node::Node::WaitForThreads(w)) => thread_nodes::wait_check(run, ctx, t, pos, w),
        Some(node::Node::UserTask(_)) => super::user_tasks::check(run, t, pos),
        Some(node::Node::RunChildWf(_)) => super::child::run_check(run, t, pos),
        Some(node::Node::WaitForChildWf(_)) => super::child::wait_check(run, ctx, t, pos),
        _ => Progress::Failed(failure(
            "INTERNAL_ERROR",
            format!(
                "{} nodes are not supported by the embedded kernel yet",
                crate::wfspec::node_case(node)
            ),
            None,
        )),
    }
}

/// The first outgoing edge whose condition holds (edges in declaration order).
pub(super) fn select_edge(
    run: &RunState,
    t: i32,
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
    Err("Invalid WfSpec: No outgoing edges found that matched the conditions".to_string())
}

fn complete_node(run: &mut RunState, t: i32, pos: i32, now: i64) {
    if let Some(nr) = run.node_run_mut(t, pos) {
        nr.status = LhStatus::Completed as i32;
        nr.end_time = Some(ms_to_ts(now));
    }
}

/// Creates the NodeRun for `node_name` at position `pos` and runs its arrival
/// actions (creates the TaskRun, computes sleep and timeout deadlines).
pub fn arrive(run: &mut RunState, ctx: &mut Ctx<'_>, t: i32, pos: i32, node_name: &str) {
    let Some(node) = node_of(run, t, node_name).cloned() else {
        fail_node(
            run,
            t,
            pos - 1,
            failure(
                "INTERNAL_ERROR",
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
    let mut arrival_failure = None;
    nr.node_type = match &node.node {
        // LittleHorse records a NOP node's run as an (empty) EntrypointRun: NodeRun has no
        // NOP case (seen on the real server, docs/differences.md).
        Some(node::Node::Entrypoint(_)) | Some(node::Node::Nop(_)) => {
            Some(NodeType::Entrypoint(EntrypointRun {}))
        }
        Some(node::Node::Exit(_)) => Some(NodeType::Exit(ExitRun {})),
        Some(node::Node::WaitForCondition(_)) => {
            Some(NodeType::WaitForCondition(WaitForConditionRun {}))
        }
        Some(node::Node::Task(tn)) => match create_task_run(run, ctx, t, &node_run_id, tn) {
            Ok(guid) => Some(NodeType::Task(TaskNodeRun {
                task_run_id: Some(TaskRunId {
                    wf_run_id: Some(run.id()),
                    task_guid: guid,
                }),
            })),
            Err(f) => {
                arrival_failure = Some(*f);
                Some(NodeType::Task(TaskNodeRun { task_run_id: None }))
            }
        },
        Some(node::Node::ExternalEvent(e)) => {
            let def = e.external_event_def_id.clone();
            let key = match e
                .correlation_key
                .as_ref()
                .map(|k| run.eval(t, k))
                .transpose()
            {
                Ok(k) => k.map(|v| values::to_display(&v)),
                Err(err) => {
                    arrival_failure = Some(failure("VAR_SUB_ERROR", err, None));
                    None
                }
            };
            if let Some(k) = &key {
                let name = def.as_ref().map(|d| d.name.clone()).unwrap_or_default();
                run.effects.correlate.push((name, k.clone(), t, pos));
            }
            Some(NodeType::ExternalEvent(ExternalEventNodeRun {
                external_event_def_id: def,
                mask_correlation_key: e.mask_correlation_key,
                correlation_key: key,
                ..ExternalEventNodeRun::default()
            }))
        }
        Some(node::Node::RunChildWf(n)) => match super::child::arrive_run(run, t, pos, n) {
            Ok(nt) => Some(nt),
            Err(f) => {
                arrival_failure = Some(*f);
                None
            }
        },
        Some(node::Node::WaitForChildWf(n)) => match super::child::arrive_wait(run, t, n) {
            Ok(nt) => Some(nt),
            Err(f) => {
                arrival_failure = Some(*f);
                None
            }
        },
        Some(node::Node::ThrowEvent(te)) => match super::events::throw(run, t, pos, te, ctx.now) {
            Ok(nt) => Some(nt),
            Err(f) => {
                arrival_failure = Some(*f);
                None
            }
        },
        Some(node::Node::Sleep(s)) => match sleep_until(run, t, s.sleep_length.as_ref(), ctx.now) {
            Ok(due) => Some(NodeType::Sleep(SleepNodeRun {
                maturation_time: Some(ms_to_ts(due)),
                matured: due <= ctx.now,
            })),
            Err(e) => {
                arrival_failure = Some(failure("VAR_SUB_ERROR", e, None));
                Some(NodeType::Sleep(SleepNodeRun::default()))
            }
        },
        Some(node::Node::UserTask(ut)) => {
            match super::user_tasks::arrive(run, ctx, t, pos, ut, &node_run_id) {
                Ok(nt) => Some(nt),
                Err(f) => {
                    arrival_failure = Some(*f);
                    None
                }
            }
        }
        Some(node::Node::WaitForThreads(w)) => match thread_nodes::wait_arrive(run, t, w) {
            Ok(nt) => Some(nt),
            Err(f) => {
                arrival_failure = Some(*f);
                None
            }
        },
        _ => None,
    };
    run.put_node_run(t, pos, nr);
    if let Some(th) = run.thread_mut(t) {
        th.current_node_position = pos;
    }
    // Nodes that start threads do so once their own NodeRun exists.
    let started = match &node.node {
        Some(node::Node::StartThread(n)) => Some(thread_nodes::start_one(run, ctx, t, n)),
        Some(node::Node::StartMultipleThreads(n)) => Some(thread_nodes::start_many(run, ctx, t, n)),
        _ => None,
    };
    match started {
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
        Err(e) => fail_node(run, t, pos, failure("VAR_SUB_ERROR", e, None), ctx.now),
    }
}

/// When a waiting node must be looked at again: a sleep's maturation or an
/// external event's timeout (`None` when it waits without a deadline).
pub fn wake_time(run: &RunState, t: i32, pos: i32) -> Result<Option<i64>, String> {
    let Some(nr) = run.node_runs.get(&(t, pos)) else {
        return Ok(None);
    };
    if is_terminal(nr.status) {
        return Ok(None);
    }
    match &nr.node_type {
        Some(NodeType::Sleep(s)) if !s.matured => Ok(s.maturation_time.as_ref().map(ts_to_ms)),
        Some(NodeType::ExternalEvent(ee)) if ee.external_event_id.is_none() && !ee.timed_out => {
            let Some(node::Node::ExternalEvent(e)) =
                node_of(run, t, &nr.node_name).and_then(|n| n.node.as_ref())
            else {
                return Ok(None);
            };
            let Some(timeout) = &e.timeout_seconds else {
                return Ok(None);
            };
            let secs = match run.eval(t, timeout)?.value {
                Some(Value::Int(s)) => s,
                None => return Ok(None),
                _ => return Err("the external event timeout must be an INT".to_string()),
            };
            let arrival = nr.arrival_time.as_ref().map_or(0, ts_to_ms);
            Ok(Some(arrival.saturating_add(secs.saturating_mul(1000))))
        }
        _ => Ok(None),
    }
}

fn sleep_until(run: &RunState, t: i32, len: Option<&SleepLength>, now: i64) -> Result<i64, String> {
    match len {
        Some(SleepLength::RawSeconds(va)) => match run.eval(t, va)?.value {
            Some(Value::Int(s)) => Ok(now.saturating_add(s.saturating_mul(1000))),
            other => Err(format!(
                "sleep seconds must be INT, got {}",
                values::type_name(&val_opt(other))
            )),
        },
        Some(SleepLength::Timestamp(va)) => match run.eval(t, va)?.value {
            Some(Value::Int(ms)) => Ok(ms),
            Some(Value::UtcTimestamp(ts)) => Ok(ts_to_ms(&ts)),
            other => Err(format!(
                "sleep timestamp must be INT or TIMESTAMP, got {}",
                values::type_name(&val_opt(other))
            )),
        },
        Some(SleepLength::IsoDate(va)) => match run.eval(t, va)?.value {
            Some(Value::Str(s)) => {
                parse_iso8601(&s).ok_or_else(|| format!("invalid ISO-8601 date \"{s}\""))
            }
            other => Err(format!(
                "sleep iso_date must be STR, got {}",
                values::type_name(&val_opt(other))
            )),
        },
        None => Err("the sleep node has no length".to_string()),
    }
}

fn val_opt(v: Option<Value>) -> lhw_proto::littlehorse::VariableValue {
    v.map(val).unwrap_or_default()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (or a bare date) to epoch ms.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<i64> { s.get(a..b)?.parse().ok() };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    if s.len() == 10 {
        return Some(days * 86_400_000);
    }
    let sep = s.get(10..11)?;
    if sep != "T" && sep != " " {
        return None;
    }
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut rest = s.get(19..)?;
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        let padded = format!("{digits:0<3}");
        millis = padded.get(0..3)?.parse::<i64>().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = if rest.starts_with('-') {
                -1
            } else if rest.starts_with('+') {
                1
            } else {
                return None;
            };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om)
        }
    };
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + sec * 1000 + millis)
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
pub fn create_task_run_from(
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
            Err(e) => return Err(Box::new(failure("VAR_SUB_ERROR", e, None))),
        },
        None => {
            return Err(Box::new(failure(
                "VAR_SUB_ERROR",
                "the task node names no TaskDef",
                None,
            )));
        }
    };
    let def = ctx.task_def(&name).ok_or_else(|| {
        Box::new(failure(
            "VAR_SUB_ERROR",
            format!("TaskDef {name} not found"),
            None,
        ))
    })?;
    if def.input_vars.len() != tn.variables.len() {
        return Err(Box::new(failure(
            "VAR_SUB_ERROR",
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
                    "VAR_SUB_ERROR",
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
        crate::wfspec::DEFAULT_TASK_TIMEOUT_SECONDS
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
    run.effects.tasks.push((guid.clone(), name));
    Ok(guid)
}

/// Adds a manual halt to thread `t` (StopWfRun); its children halt too.
pub fn stop_thread(run: &mut RunState, t: i32) {
    threads::halt(
        run,
        t,
        thread_halt_reason::Reason::ManualHalt(lhw_proto::littlehorse::ManualHalt {
            meaning_of_life: true,
        }),
    );
}

/// Removes manual halts from thread `t` (ResumeWfRun); it runs again when no halt reason is left.
pub fn resume_thread(run: &mut RunState, t: i32) {
    threads::unhalt(run, t, &|r| {
        matches!(r, thread_halt_reason::Reason::ManualHalt(_))
    });
}

#[cfg(test)]
mod tests {
    use super::parse_iso8601;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso8601("2024-02-29T12:30:15.250Z"),
            Some(1_709_209_815_250)
        );
        assert_eq!(
            parse_iso8601("2024-02-29T13:30:15.250+01:00"),
            Some(1_709_209_815_250)
        );
        assert_eq!(parse_iso8601("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse_iso8601("yesterday"), None);
    }
}
