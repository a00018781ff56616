//! ThreadRuns: creating child, interrupt and failure-handler threads,
//! halting and resuming, failure handling and propagation (LittleHorse §5).

use super::advance::{Ctx, arrive, failure, named_failure};
use super::{RunState, run::is_terminal};
use crate::util::{is_error_name, ms_to_ts};
use crate::values;
use lhw_proto::littlehorse::LhErrorType;
use lhw_proto::littlehorse::{
    ExternalEventId, Failure, FailureBeingHandled, FailureHandlerDef, HaltedByParentNodeHaltReason,
    HandlingFailureHaltReason, Interrupted, LhStatus, ParentHalted, PendingFailureHandler,
    PendingFailureHandlerHaltReason, PendingInterrupt, PendingInterruptHaltReason,
    ThreadHaltReason, ThreadRun, ThreadType, Variable, VariableId, VariableValue,
    WfRunVariableAccessLevel,
    failure_handler_def::{FailureToCatch, LhFailureType},
    node,
    thread_halt_reason::Reason,
};
use std::collections::BTreeMap;

/// Most ThreadRuns one WfRun may create.
const MAX_THREADS: i32 = 10_000;

/// Whether `def` catches a failure named `name` (groups: VAR_ERROR, TASK_ERROR).
pub(crate) fn handler_matches(def: &FailureHandlerDef, name: &str) -> bool {
    match &def.failure_to_catch {
        None => true,
        Some(FailureToCatch::SpecificFailure(s)) => {
            use LhErrorType::{
                TaskError, TaskFailure, Timeout, VarError, VarMutationError, VarSubError,
            };
            let (caught, raised) = (
                LhErrorType::from_str_name(s),
                LhErrorType::from_str_name(name),
            );
            s == name
                || (caught == Some(VarError)
                    && matches!(raised, Some(VarSubError | VarMutationError)))
                || (caught == Some(TaskError) && matches!(raised, Some(TaskFailure | Timeout)))
        }
        Some(FailureToCatch::AnyFailureOfType(t)) => {
            let error = is_error_name(name);
            match LhFailureType::try_from(*t) {
                Ok(LhFailureType::FailureTypeError) => error,
                Ok(LhFailureType::FailureTypeException) => !error,
                Err(_) => false,
            }
        }
    }
}

/// The first handler (list order) catching `name`.
pub(crate) fn find_handler<'a>(
    defs: &'a [FailureHandlerDef],
    name: &str,
) -> Option<&'a FailureHandlerDef> {
    defs.iter().find(|d| handler_matches(d, name))
}

/// The status a failure gives its NodeRun and ThreadRun.
pub(crate) fn failure_status(name: &str) -> i32 {
    if is_error_name(name) {
        LhStatus::Error as i32
    } else {
        LhStatus::Exception as i32
    }
}

/// Creates and starts a ThreadRun of `spec_name` (child of `parent`), with
/// its variables (given inputs, else defaults, else NULL), and arrives at
/// its ENTRYPOINT. Returns its number.
pub(crate) fn start_thread(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    parent: Option<i32>,
    spec_name: &str,
    inputs: &BTreeMap<String, VariableValue>,
    ty: ThreadType,
) -> Result<i32, String> {
    let spec = run.spec.clone();
    let tspec = spec
        .thread_specs
        .get(spec_name)
        .ok_or_else(|| format!("ThreadSpec {spec_name} does not exist"))?;
    let number = run.wf_run.greatest_threadrun_number + 1;
    if number > MAX_THREADS {
        return Err(format!("too many ThreadRuns (limit {MAX_THREADS})"));
    }
    let entry = tspec
        .nodes
        .iter()
        .find(|(_, n)| matches!(n.node, Some(node::Node::Entrypoint(_))))
        .map(|(k, _)| k.clone())
        .ok_or_else(|| format!("ThreadSpec {spec_name} has no ENTRYPOINT node"))?;
    let mut vars = Vec::new();
    for tv in &tspec.variable_defs {
        let Some(def) = &tv.var_def else { continue };
        if tv.access_level() == WfRunVariableAccessLevel::InheritedVar {
            continue;
        }
        let value = match inputs.get(&def.name) {
            Some(v) if v.value.is_some() => match &def.type_def {
                // INPUT of a for-each child keeps the element as it is when it
                // does not convert (the element type of a JSON_ARR is unknown).
                Some(td) => match values::coerce_to(v.clone(), td) {
                    Ok(c) => c,
                    Err(_) if def.name == "INPUT" => v.clone(),
                    Err(e) => return Err(format!("input {} of thread {spec_name}: {e}", def.name)),
                },
                None => v.clone(),
            },
            _ => def.default_value.clone().unwrap_or_default(),
        };
        if tv.required && value.value.is_none() {
            return Err(format!(
                "required variable {} of thread {spec_name} is missing",
                def.name
            ));
        }
        vars.push(Variable {
            id: Some(VariableId {
                wf_run_id: Some(run.id()),
                thread_run_number: number,
                name: def.name.clone(),
            }),
            value: Some(value),
            created_at: Some(ms_to_ts(ctx.now)),
            wf_spec_id: run.wf_run.wf_spec_id.clone(),
            masked: def.type_def.as_ref().is_some_and(|td| td.masked),
        });
    }
    run.wf_run.greatest_threadrun_number = number;
    run.wf_run.thread_runs.push(ThreadRun {
        wf_spec_id: run.wf_run.wf_spec_id.clone(),
        number,
        status: LhStatus::Running as i32,
        thread_spec_name: spec_name.to_string(),
        start_time: Some(ms_to_ts(ctx.now)),
        parent_thread_id: parent,
        r#type: ty as i32,
        ..ThreadRun::default()
    });
    run.dirty.wf_run = true;
    if let Some(p) = parent.and_then(|p| run.thread_mut(p)) {
        p.child_thread_ids.push(number);
    }
    for v in vars {
        let name = v.id.as_ref().map(|i| i.name.clone()).unwrap_or_default();
        run.dirty.variables.insert((number, name.clone()));
        run.variables.insert((number, name), v);
    }
    arrive(run, ctx, number, 0, &entry);
    Ok(number)
}

fn is_handler(th: &ThreadRun) -> bool {
    th.r#type() == ThreadType::Interrupt || th.r#type() == ThreadType::FailureHandler
}

/// Adds a halt reason to thread `t` (HALTING until it can halt) and halts
/// its children (except interrupt and failure-handler threads).
pub(crate) fn halt(run: &mut RunState, t: i32, reason: Reason) {
    let Some(th) = run.thread_mut(t) else { return };
    if is_terminal(th.status) {
        return;
    }
    let reason = ThreadHaltReason {
        reason: Some(reason),
    };
    if !th.halt_reasons.contains(&reason) {
        th.halt_reasons.push(reason);
    }
    if th.status() != LhStatus::Halted {
        th.status = LhStatus::Halting as i32;
    }
    let children = th.child_thread_ids.clone();
    halt_children(run, &children, t);
}

fn halt_children(run: &mut RunState, children: &[i32], parent: i32) {
    for c in children {
        if run.thread(*c).is_some_and(|th| !is_handler(th)) {
            halt(
                run,
                *c,
                Reason::ParentHalted(ParentHalted {
                    parent_thread_id: parent,
                }),
            );
        }
    }
}

/// Removes the halt reasons of thread `t` matching `pred`; a thread left
/// without reasons runs again and releases its children.
pub(crate) fn unhalt(run: &mut RunState, t: i32, pred: &dyn Fn(&Reason) -> bool) {
    let Some(th) = run.thread_mut(t) else { return };
    th.halt_reasons
        .retain(|r| !r.reason.as_ref().is_some_and(pred));
    if is_terminal(th.status) || !th.halt_reasons.is_empty() {
        return;
    }
    let was_halted = th.status() == LhStatus::Halted || th.status() == LhStatus::Halting;
    th.status = LhStatus::Running as i32;
    let (children, pos) = (th.child_thread_ids.clone(), th.current_node_position);
    set_node_status_if_in_progress(run, t, pos, LhStatus::Running as i32);
    if was_halted {
        for c in children {
            unhalt(
                run,
                c,
                &|r| matches!(r, Reason::ParentHalted(p) if p.parent_thread_id == t),
            );
        }
    }
}

/// Sets the status of a NodeRun that has not ended (STARTING, RUNNING, HALTING or
/// HALTED): a thread's current NodeRun halts and resumes with the thread.
pub(crate) fn set_node_status_if_in_progress(run: &mut RunState, t: i32, pos: i32, status: i32) {
    let in_progress = run.node_runs.get(&(t, pos)).is_some_and(|nr| {
        nr.status != status
            && matches!(
                LhStatus::try_from(nr.status),
                Ok(LhStatus::Starting | LhStatus::Running | LhStatus::Halting | LhStatus::Halted)
            )
    });
    if in_progress && let Some(nr) = run.node_run_mut(t, pos) {
        nr.status = status;
    }
}

/// Whether thread `t` and its (non-handler) descendants are all halted or finished.
fn fully_halted(run: &RunState, t: i32) -> bool {
    let Some(th) = run.thread(t) else { return true };
    if !(is_terminal(th.status) || th.status() == LhStatus::Halted) {
        return false;
    }
    th.child_thread_ids.iter().all(|c| {
        run.thread(*c)
            .is_none_or(|ch| is_handler(ch) || fully_halted(run, *c))
    })
}

/// A NodeRun failed: records the failure, then either schedules the
/// node's first matching failure handler (the thread halts first) or fails
/// the thread.
pub(crate) fn fail_node(run: &mut RunState, t: i32, pos: i32, f: Failure, now: i64) {
    let status = failure_status(&f.failure_name);
    let message = if f.message.is_empty() {
        f.failure_name.clone()
    } else {
        f.message.clone()
    };
    let mut handler = None;
    if let Some(nr) = run.node_runs.get(&(t, pos)) {
        let defs = run
            .thread(t)
            .and_then(|th| run.spec.thread_specs.get(&th.thread_spec_name))
            .and_then(|ts| ts.nodes.get(&nr.node_name))
            .map(|n| n.failure_handlers.clone())
            .unwrap_or_default();
        handler = find_handler(&defs, &f.failure_name).map(|d| d.handler_spec_name.clone());
    }
    if let Some(nr) = run.node_run_mut(t, pos) {
        nr.status = status;
        nr.error_message = Some(message.clone());
        nr.end_time = Some(ms_to_ts(now));
        nr.failures.push(f.clone());
    }
    match handler {
        Some(h) => {
            run.wf_run.pending_failures.push(PendingFailureHandler {
                failed_thread_run: t,
                handler_spec_name: h,
            });
            halt(
                run,
                t,
                Reason::PendingFailure(PendingFailureHandlerHaltReason {
                    node_run_position: pos,
                }),
            );
        }
        None => fail_thread(run, t, &f, message, now),
    }
}

/// Fails thread `t` (no handler), halts its children and propagates to an
/// interrupted or failure-handled parent.
pub(crate) fn fail_thread(run: &mut RunState, t: i32, f: &Failure, message: String, now: i64) {
    let Some(th) = run.thread_mut(t) else { return };
    if is_terminal(th.status) {
        return;
    }
    th.status = failure_status(&f.failure_name);
    th.error_message = Some(message.clone());
    th.end_time = Some(ms_to_ts(now));
    let (ty, parent, children) = (th.r#type, th.parent_thread_id, th.child_thread_ids.clone());
    let pos = th.current_node_position;
    // The current NodeRun carries the failure the thread ended with.
    if let Some(nr) = run.node_run_mut(t, pos)
        && nr.failures.last() != Some(f)
    {
        if !is_terminal(nr.status) {
            nr.status = failure_status(&f.failure_name);
            nr.end_time = Some(ms_to_ts(now));
            nr.error_message = Some(message.clone());
        }
        nr.failures.push(f.clone());
    }
    halt_children(run, &children, t);
    let Some(p) = parent else { return };
    if run.thread(p).is_none_or(|pt| is_terminal(pt.status)) {
        return;
    }
    if ty == ThreadType::Interrupt as i32 {
        let msg = format!("Interrupt thread with id {t} failed!");
        fail_thread(
            run,
            p,
            &named_failure(&f.failure_name, msg.clone(), f.content.clone()),
            msg,
            now,
        );
    } else if ty == ThreadType::FailureHandler as i32 {
        fail_thread(run, p, f, message, now);
    }
}

/// Thread `t` completed: a failure handler lets its failed parent resume
/// (following the failed node's edges), an interrupt handler its
/// interrupted parent.
pub(crate) fn thread_completed(run: &mut RunState, t: i32) {
    let Some(th) = run.thread(t) else { return };
    let (ty, parent) = (th.r#type, th.parent_thread_id);
    let Some(p) = parent else { return };
    if run.thread(p).is_none_or(|pt| is_terminal(pt.status)) {
        return;
    }
    if ty == ThreadType::FailureHandler as i32 {
        let handling = run.thread(p).is_some_and(|pt| {
            pt.halt_reasons.iter().any(|r| {
                matches!(&r.reason, Some(Reason::HandlingFailure(h)) if h.handler_thread_id == t)
            })
        });
        if !handling {
            return;
        }
        let pos = run.thread(p).map_or(0, |pt| pt.current_node_position);
        if let Some(f) = run
            .node_run_mut(p, pos)
            .and_then(|nr| nr.failures.last_mut())
        {
            f.was_properly_handled = true;
        }
        unhalt(
            run,
            p,
            &|r| matches!(r, Reason::HandlingFailure(h) if h.handler_thread_id == t),
        );
    } else if ty == ThreadType::Interrupt as i32 {
        unhalt(
            run,
            p,
            &|r| matches!(r, Reason::Interrupted(i) if i.interrupt_thread_id == t),
        );
    }
}

/// Starts the failure-handler and interrupt threads whose target thread has
/// finished halting. Returns whether anything started.
pub(crate) fn start_pending(run: &mut RunState, ctx: &mut Ctx<'_>) -> bool {
    let mut progressed = false;
    let pending = std::mem::take(&mut run.wf_run.pending_failures);
    let mut keep = Vec::new();
    for pf in pending {
        let t = pf.failed_thread_run;
        if run.thread(t).is_none_or(|th| is_terminal(th.status)) {
            progressed = true;
            continue;
        }
        if !fully_halted(run, t) {
            keep.push(pf);
            continue;
        }
        progressed = true;
        let pos = run.thread(t).map_or(0, |th| th.current_node_position);
        let (content, number) = run
            .node_runs
            .get(&(t, pos))
            .map(|nr| {
                (
                    nr.failures.last().and_then(|f| f.content.clone()),
                    i32::try_from(nr.failures.len()).unwrap_or(1) - 1,
                )
            })
            .unwrap_or_default();
        let inputs = input_map(run, &pf.handler_spec_name, content);
        match start_thread(
            run,
            ctx,
            Some(t),
            &pf.handler_spec_name,
            &inputs,
            ThreadType::FailureHandler,
        ) {
            Ok(h) => {
                if let Some(ht) = run.thread_mut(h) {
                    ht.failure_being_handled = Some(FailureBeingHandled {
                        thread_run_number: t,
                        node_run_position: pos,
                        failure_number: number,
                    });
                }
                if let Some(f) = run.node_run_mut(t, pos).and_then(|nr| {
                    nr.failure_handler_ids.push(h);
                    nr.failures.last_mut()
                }) {
                    f.failure_handler_threadrun_id = Some(h);
                }
                halt(
                    run,
                    t,
                    Reason::HandlingFailure(HandlingFailureHaltReason {
                        handler_thread_id: h,
                    }),
                );
                unhalt(run, t, &|r| matches!(r, Reason::PendingFailure(_)));
            }
            Err(e) => {
                let f = failure(LhErrorType::InternalError, e.clone(), None);
                fail_thread(run, t, &f, e, ctx.now);
            }
        }
    }
    run.wf_run.pending_failures.extend(keep);
    let pending = std::mem::take(&mut run.wf_run.pending_interrupts);
    let mut keep = Vec::new();
    for pi in pending {
        let t = pi.interrupted_thread_id;
        if run.thread(t).is_none_or(|th| is_terminal(th.status)) {
            progressed = true;
            continue;
        }
        if !fully_halted(run, t) {
            keep.push(pi);
            continue;
        }
        progressed = true;
        let content = run
            .events
            .iter()
            .find(|(_, e)| e.id.is_some() && e.id == pi.external_event_id)
            .and_then(|(_, e)| e.content.clone());
        let inputs = input_map(run, &pi.handler_spec_name, content);
        match start_thread(
            run,
            ctx,
            Some(t),
            &pi.handler_spec_name,
            &inputs,
            ThreadType::Interrupt,
        ) {
            Ok(h) => {
                if let Some(ht) = run.thread_mut(h) {
                    ht.interrupt_trigger_id = pi.external_event_id.clone();
                }
                halt(
                    run,
                    t,
                    Reason::Interrupted(Interrupted {
                        interrupt_thread_id: h,
                    }),
                );
                let id = pi.external_event_id.clone();
                unhalt(
                    run,
                    t,
                    &|r| matches!(r, Reason::PendingInterrupt(p) if p.external_event_id == id),
                );
            }
            Err(e) => {
                let f = failure(LhErrorType::InternalError, e.clone(), None);
                fail_thread(run, t, &f, e, ctx.now);
            }
        }
    }
    run.wf_run.pending_interrupts.extend(keep);
    if progressed {
        run.dirty.wf_run = true;
    }
    progressed
}

/// `{INPUT: content}` when the handler thread declares `INPUT`.
fn input_map(
    run: &RunState,
    spec_name: &str,
    content: Option<VariableValue>,
) -> BTreeMap<String, VariableValue> {
    let mut m = BTreeMap::new();
    let declares = run.spec.thread_specs.get(spec_name).is_some_and(|ts| {
        ts.variable_defs
            .iter()
            .any(|v| v.var_def.as_ref().is_some_and(|d| d.name == "INPUT"))
    });
    if let (true, Some(c)) = (declares, content) {
        m.insert("INPUT".to_string(), c);
    }
    m
}

/// Interrupts every running thread whose ThreadSpec handles events of
/// `def` (the event at `index` of the run); returns whether any did.
pub(crate) fn interrupt(run: &mut RunState, index: usize, def: &str) -> bool {
    let Some((_, ev)) = run.events.get(index) else {
        return false;
    };
    if ev.claimed {
        return false;
    }
    let (id, only): (Option<ExternalEventId>, Option<i32>) = (ev.id.clone(), ev.thread_run_number);
    let targets: Vec<(i32, String)> = run
        .wf_run
        .thread_runs
        .iter()
        .filter(|th| !is_terminal(th.status) && only.is_none_or(|n| n == th.number))
        .filter_map(|th| {
            let ts = run.spec.thread_specs.get(&th.thread_spec_name)?;
            let idef = ts.interrupt_defs.iter().find(|i| {
                i.external_event_def_id
                    .as_ref()
                    .is_some_and(|d| d.name == def)
            })?;
            Some((th.number, idef.handler_spec_name.clone()))
        })
        .collect();
    if targets.is_empty() {
        return false;
    }
    run.events[index].1.claimed = true;
    run.dirty.events.insert(index);
    for (t, handler) in targets {
        run.wf_run.pending_interrupts.push(PendingInterrupt {
            external_event_id: id.clone(),
            handler_spec_name: handler,
            interrupted_thread_id: t,
        });
        halt(
            run,
            t,
            Reason::PendingInterrupt(PendingInterruptHaltReason {
                external_event_id: id.clone(),
            }),
        );
    }
    true
}

/// Halts a thread another thread stopped waiting for (WAIT_FOR_FIRST / ANY).
pub(crate) fn halt_by_parent_node(run: &mut RunState, t: i32, parent: i32, pos: i32) {
    halt(
        run,
        t,
        Reason::HaltedByParent(HaltedByParentNodeHaltReason {
            parent_thread_run_number: parent,
            waiting_node_run_position: pos,
        }),
    );
}

/// The failure a terminated thread ended with (its last failed NodeRun's last failure).
pub(crate) fn thread_failure(run: &RunState, t: i32) -> Option<Failure> {
    let th = run.thread(t)?;
    if let Some(f) = run
        .node_runs
        .get(&(t, th.current_node_position))
        .and_then(|nr| nr.failures.last())
    {
        return Some(f.clone());
    }
    // Failed by propagation (handler or interrupt failure, child failure).
    let message = th.error_message.clone().unwrap_or_default();
    Some(if th.status() == LhStatus::Exception {
        named_failure("EXCEPTION", message, None)
    } else {
        failure(LhErrorType::ChildFailure, message, None)
    })
}
