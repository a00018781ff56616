//! WAIT_FOR_THREADS: waits for child ThreadRuns by strategy (all, first,
//! any), starting per-thread failure handlers for the failed ones.

use super::{Arrival, sub_err};
use crate::engine::EngineError;
use crate::engine::advance::{Ctx, Progress, failure};
use crate::engine::threads::{self, find_handler, start_thread, thread_failure};
use crate::engine::{RunState, run::is_terminal};
use crate::util::{is_error_name, ms_to_ts};
use crate::values;
use crate::wfspec::{NodeCheck, check_handler, va_vars};
use lhw_proto::littlehorse::{
    Failure, LhErrorType, LhStatus, ThreadType, VariableValue, WaitForThreadsNode,
    WaitForThreadsRun, WaitForThreadsStrategy,
    node_run::NodeType,
    variable_value::Value,
    wait_for_threads_node::ThreadsToWaitForOneOf,
    wait_for_threads_run::{WaitForThread, WaitingThreadStatus},
};
use std::collections::BTreeMap;

pub(super) fn validate(w: &WaitForThreadsNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    for h in &w.per_thread_failure_handlers {
        check_handler(h, c.threads).map_err(|d| c.invalid(d))?;
    }
    match &w.threads_to_wait_for {
        Some(_) => Ok(()),
        None => Err(c.invalid("wait_for_threads names no threads")),
    }
}

pub(super) fn reads<'a>(w: &'a WaitForThreadsNode, out: &mut Vec<&'a str>) {
    match &w.threads_to_wait_for {
        Some(ThreadsToWaitForOneOf::Threads(list)) => {
            for va in list
                .threads
                .iter()
                .filter_map(|t| t.thread_run_number.as_ref())
            {
                va_vars(va, out);
            }
        }
        Some(ThreadsToWaitForOneOf::ThreadList(va)) => va_vars(va, out),
        None => {}
    }
}

/// Resolves the thread numbers to wait for.
pub(super) fn arrive(run: &RunState, t: i32, n: &WaitForThreadsNode) -> Arrival {
    Arrival::from_result(resolve(run, t, n))
}

fn thread_number(v: &VariableValue) -> Result<i32, String> {
    match &v.value {
        Some(Value::Int(i)) => i32::try_from(*i).map_err(|_| format!("{i} is not a thread number")),
        _ => Err(format!(
            "a thread number must be an INT, got {}",
            values::type_name(v)
        )),
    }
}

/// WAIT_FOR_THREADS arrival: resolves the thread numbers to wait for.
fn resolve(run: &RunState, t: i32, n: &WaitForThreadsNode) -> Result<NodeType, Box<Failure>> {
    let mut numbers = Vec::new();
    match &n.threads_to_wait_for {
        Some(ThreadsToWaitForOneOf::Threads(list)) => {
            for th in &list.threads {
                let va = th
                    .thread_run_number
                    .as_ref()
                    .ok_or_else(|| sub_err("thread_run_number is not set".to_string()))?;
                numbers.push(thread_number(&run.eval(t, va).map_err(sub_err)?).map_err(sub_err)?);
            }
        }
        Some(ThreadsToWaitForOneOf::ThreadList(va)) => {
            let list = run.eval(t, va).map_err(sub_err)?;
            match values::to_json(&list).map_err(sub_err)? {
                serde_json::Value::Array(items) => {
                    for i in &items {
                        numbers.push(thread_number(&values::from_json(i)).map_err(sub_err)?);
                    }
                }
                serde_json::Value::Null => {}
                _ => return Err(sub_err("thread_list must be a JSON_ARR".to_string())),
            }
        }
        None => return Err(sub_err("wait_for_threads names no threads".to_string())),
    }
    let mut threads = Vec::new();
    for num in numbers {
        let th = run
            .thread(num)
            .ok_or_else(|| sub_err(format!("ThreadRun {num} does not exist")))?;
        threads.push(WaitForThread {
            thread_end_time: None,
            thread_status: th.status,
            thread_run_number: num,
            waiting_status: WaitingThreadStatus::ThreadInProgress as i32,
            failure_handler_thread_run_id: None,
        });
    }
    Ok(NodeType::WaitForThreads(WaitForThreadsRun { threads }))
}

/// WAIT_FOR_THREADS completion check per strategy.
pub(super) fn check(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    pos: i32,
    n: &WaitForThreadsNode,
) -> Progress {
    let Some(NodeType::WaitForThreads(w)) = run
        .node_runs
        .get(&(t, pos))
        .and_then(|nr| nr.node_type.clone())
    else {
        return Progress::Failed(failure(
            LhErrorType::InternalError,
            "bad WAIT_FOR_THREADS NodeRun",
            None,
        ));
    };
    let mut entries = w.threads;
    let mut failures: Vec<Option<Failure>> = vec![None; entries.len()];
    for (i, e) in entries.iter_mut().enumerate() {
        let num = e.thread_run_number;
        let Some(child) = run.thread(num) else {
            e.waiting_status = WaitingThreadStatus::ThreadUnsuccessful as i32;
            failures[i] = Some(failure(
                LhErrorType::ChildFailure,
                format!("ThreadRun {num} is missing"),
                None,
            ));
            continue;
        };
        let (status, end) = (child.status, child.end_time);
        e.thread_status = status;
        match WaitingThreadStatus::try_from(e.waiting_status) {
            Ok(WaitingThreadStatus::ThreadInProgress) => {
                if status == LhStatus::Completed as i32 {
                    e.waiting_status = WaitingThreadStatus::ThreadCompletedOrFailureHandled as i32;
                    e.thread_end_time = end;
                } else if is_terminal(status) {
                    e.thread_end_time = end;
                    if let Some(pt) = run.thread_mut(t)
                        && !pt.handled_failed_children.contains(&num)
                    {
                        pt.handled_failed_children.push(num);
                    }
                    let f = thread_failure(run, num);
                    let name = f
                        .as_ref()
                        .map(|f| f.failure_name.clone())
                        .unwrap_or_default();
                    match find_handler(&n.per_thread_failure_handlers, &name) {
                        Some(h) => {
                            let mut inputs = BTreeMap::new();
                            let declares = run
                                .spec
                                .thread_specs
                                .get(&h.handler_spec_name)
                                .is_some_and(|ts| {
                                    ts.variable_defs.iter().any(|v| {
                                        v.var_def.as_ref().is_some_and(|d| d.name == "INPUT")
                                    })
                                });
                            if let (true, Some(c)) =
                                (declares, f.as_ref().and_then(|f| f.content.clone()))
                            {
                                inputs.insert("INPUT".to_string(), c);
                            }
                            match start_thread(
                                run,
                                ctx,
                                Some(num),
                                &h.handler_spec_name,
                                &inputs,
                                ThreadType::FailureHandler,
                            ) {
                                Ok(h) => {
                                    e.waiting_status =
                                        WaitingThreadStatus::ThreadHandlingFailure as i32;
                                    e.failure_handler_thread_run_id = Some(h);
                                }
                                Err(err) => {
                                    e.waiting_status =
                                        WaitingThreadStatus::ThreadUnsuccessful as i32;
                                    failures[i] =
                                        Some(failure(LhErrorType::InternalError, err, None));
                                }
                            }
                        }
                        None => {
                            e.waiting_status = WaitingThreadStatus::ThreadUnsuccessful as i32;
                            failures[i] = f;
                        }
                    }
                }
            }
            Ok(WaitingThreadStatus::ThreadHandlingFailure) => {
                let h = e.failure_handler_thread_run_id.unwrap_or(-1);
                match run.thread(h).map(|ht| ht.status) {
                    Some(s) if s == LhStatus::Completed as i32 => {
                        e.waiting_status =
                            WaitingThreadStatus::ThreadCompletedOrFailureHandled as i32;
                    }
                    Some(s) if is_terminal(s) => {
                        e.waiting_status = WaitingThreadStatus::ThreadUnsuccessful as i32;
                        failures[i] = thread_failure(run, h);
                    }
                    Some(_) => {}
                    None => {
                        e.waiting_status = WaitingThreadStatus::ThreadUnsuccessful as i32;
                    }
                }
            }
            Ok(WaitingThreadStatus::ThreadUnsuccessful) => {
                failures[i] = thread_failure(run, num);
            }
            _ => {}
        }
    }
    let done = |e: &WaitForThread| {
        e.waiting_status() == WaitingThreadStatus::ThreadCompletedOrFailureHandled
    };
    let failed = |e: &WaitForThread| e.waiting_status() == WaitingThreadStatus::ThreadUnsuccessful;
    let strategy =
        WaitForThreadsStrategy::try_from(n.strategy).unwrap_or(WaitForThreadsStrategy::WaitForAll);
    // An exception propagates as it is; an error becomes CHILD_FAILURE, naming it.
    let child_failure = |f: Option<Failure>, num: i32| match f {
        Some(f) if !is_error_name(&f.failure_name) => f,
        Some(f) => failure(
            LhErrorType::ChildFailure,
            format!(
                "Child thread {num} failed with {}: {}",
                f.failure_name, f.message
            ),
            None,
        ),
        None => failure(
            LhErrorType::ChildFailure,
            format!("Child thread {num} failed"),
            None,
        ),
    };
    let outcome = match strategy {
        WaitForThreadsStrategy::WaitForAll => match entries.iter().position(failed) {
            Some(i) => Some(Progress::Failed(child_failure(
                failures[i].clone(),
                entries[i].thread_run_number,
            ))),
            None if entries.iter().all(done) => Some(Progress::Completed),
            None => None,
        },
        WaitForThreadsStrategy::WaitForFirst => {
            entries.iter().position(|e| done(e) || failed(e)).map(|i| {
                if done(&entries[i]) {
                    Progress::Completed
                } else {
                    Progress::Failed(child_failure(
                        failures[i].clone(),
                        entries[i].thread_run_number,
                    ))
                }
            })
        }
        WaitForThreadsStrategy::WaitForAny => {
            if entries.iter().any(done) {
                Some(Progress::Completed)
            } else if !entries.is_empty() && entries.iter().all(failed) {
                Some(Progress::Failed(failure(
                    LhErrorType::ChildFailure,
                    "All child threads failed",
                    None,
                )))
            } else {
                None
            }
        }
    };
    if outcome.is_some() && strategy != WaitForThreadsStrategy::WaitForAll {
        for e in &mut entries {
            if WaitingThreadStatus::try_from(e.waiting_status)
                == Ok(WaitingThreadStatus::ThreadInProgress)
            {
                threads::halt_by_parent_node(run, e.thread_run_number, t, pos);
                e.waiting_status = WaitingThreadStatus::ThreadStopped as i32;
            }
        }
    }
    if let Some(nr) = run.node_run_mut(t, pos) {
        nr.node_type = Some(NodeType::WaitForThreads(WaitForThreadsRun {
            threads: entries,
        }));
        if outcome.is_some() {
            nr.end_time = Some(ms_to_ts(ctx.now));
        }
    }
    outcome.unwrap_or(Progress::Waiting)
}
