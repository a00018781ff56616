//! EXIT: the end of a ThreadRun. It waits for the thread's children, then
//! completes the thread (with its return content as output) or fails it with
//! its `failure_def`.

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::advance::{Progress, failure, named_failure};
use crate::engine::run::is_terminal;
use crate::engine::threads::{fail_node, thread_completed};
use crate::engine::{RunState, advance};
use crate::util::{is_error_name, is_valid_name, ms_to_ts};
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    ExitNode, ExitRun, LhErrorType, LhStatus, ThreadType, exit_node, node_run::NodeType,
};

pub(super) fn validate(e: &ExitNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    if let Some(exit_node::Result::FailureDef(f)) = &e.result
        && !is_error_name(&f.failure_name)
        && !is_valid_name(&f.failure_name)
    {
        return Err(c.invalid(format!(
            "failure_def.failure_name \"{}\" is not a valid name",
            f.failure_name
        )));
    }
    Ok(())
}

pub(super) fn reads<'a>(e: &'a ExitNode, out: &mut Vec<&'a str>) {
    match &e.result {
        Some(exit_node::Result::FailureDef(f)) => {
            if let Some(c) = &f.content {
                va_vars(c, out);
            }
        }
        Some(exit_node::Result::ReturnContent(va)) => va_vars(va, out),
        None => {}
    }
}

pub(super) fn arrive() -> Arrival {
    Arrival::of(NodeType::Exit(ExitRun {}))
}

/// Waits for the thread's children; then a `failure_def` fails the node.
pub(super) fn check(run: &RunState, t: i32, e: &ExitNode) -> Progress {
    if let Some(p) = exit_children(run, t) {
        return p;
    }
    match &e.result {
        Some(exit_node::Result::FailureDef(f)) => {
            let content = match f.content.as_ref().map(|c| run.eval(t, c)).transpose() {
                Ok(c) => c,
                Err(e) => return Progress::Failed(failure(LhErrorType::VarSubError, e, None)),
            };
            Progress::Failed(named_failure(&f.failure_name, f.message.clone(), content))
        }
        _ => Progress::Completed,
    }
}

/// A completed EXIT completes its thread, with the return content as output.
pub(in crate::engine) fn complete(run: &mut RunState, t: i32, pos: i32, e: &ExitNode, now: i64) {
    let output = match &e.result {
        Some(exit_node::Result::ReturnContent(va)) => match run.eval(t, va) {
            Ok(v) => Some(v),
            Err(e) => {
                fail_node(run, t, pos, failure(LhErrorType::VarSubError, e, None), now);
                return;
            }
        },
        _ => None,
    };
    advance::complete_node(run, t, pos, now);
    if let Some(th) = run.thread_mut(t) {
        th.status = LhStatus::Completed as i32;
        th.end_time = Some(ms_to_ts(now));
        th.output = output;
    }
    thread_completed(run, t);
}

/// EXIT waits until every child is finished or halted; an unhandled failed
/// child fails the thread with CHILD_FAILURE.
fn exit_children(run: &RunState, t: i32) -> Option<Progress> {
    let th = run.thread(t)?;
    let mut failed = Vec::new();
    for c in &th.child_thread_ids {
        let Some(ch) = run.thread(*c) else { continue };
        if !is_terminal(ch.status) && ch.status() != LhStatus::Halted {
            return Some(Progress::Waiting);
        }
        let handler =
            ch.r#type() == ThreadType::Interrupt || ch.r#type() == ThreadType::FailureHandler;
        if is_terminal(ch.status)
            && ch.status() != LhStatus::Completed
            && !handler
            && !th.handled_failed_children.contains(c)
        {
            failed.push(c.to_string());
        }
    }
    if failed.is_empty() {
        None
    } else {
        Some(Progress::Failed(failure(
            LhErrorType::ChildFailure,
            format!("Child thread (or threads) failed: {}", failed.join(", ")),
            None,
        )))
    }
}
