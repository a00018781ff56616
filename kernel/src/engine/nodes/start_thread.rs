//! START_THREAD: starts a child ThreadRun (its variables evaluated in the
//! parent); its output is the child's number.

use super::{eval_map, sub_err};
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Ctx, Progress};
use crate::engine::threads::start_thread;
use crate::values::{null, val};
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    Failure, StartThreadNode, StartThreadRun, ThreadType, VariableValue, node_run::NodeType,
    variable_value::Value,
};

pub(super) fn validate(st: &StartThreadNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    if !c.threads.contains(&st.thread_spec_name) {
        return Err(c.invalid(format!(
            "Refers to nonexistent ThreadSpec {}",
            st.thread_spec_name
        )));
    }
    Ok(())
}

pub(super) fn reads<'a>(st: &'a StartThreadNode, out: &mut Vec<&'a str>) {
    st.variables.values().for_each(|va| va_vars(va, out));
}

/// START_THREAD arrival: starts the child thread.
pub(super) fn start(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    n: &StartThreadNode,
) -> Result<NodeType, Box<Failure>> {
    let inputs = eval_map(run, t, &n.variables)?;
    let child = start_thread(
        run,
        ctx,
        Some(t),
        &n.thread_spec_name,
        &inputs,
        ThreadType::Child,
    )
    .map_err(sub_err)?;
    Ok(NodeType::StartThread(StartThreadRun {
        child_thread_id: Some(child),
        thread_spec_name: n.thread_spec_name.clone(),
    }))
}

/// Started at arrival: done at once.
pub(super) fn check() -> Progress {
    Progress::Completed
}

/// The child's ThreadRun number.
pub(super) fn output(st: &StartThreadRun) -> VariableValue {
    st.child_thread_id
        .map_or_else(null, |c| val(Value::Int(i64::from(c))))
}
