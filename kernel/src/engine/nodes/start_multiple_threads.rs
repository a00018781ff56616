//! START_MULTIPLE_THREADS: one child ThreadRun per element of a JSON_ARR
//! (`INPUT` = the element); its output is the children's numbers.

use super::{eval_map, sub_err};
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Ctx, Progress};
use crate::engine::threads::start_thread;
use crate::values;
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    Failure, StartMultipleThreadsNode, StartMultipleThreadsRun, ThreadType, VariableValue,
    node_run::NodeType,
};

pub(super) fn validate(
    st: &StartMultipleThreadsNode,
    c: &NodeCheck<'_>,
) -> Result<(), EngineError> {
    if !c.threads.contains(&st.thread_spec_name) {
        return Err(c.invalid(format!(
            "Refers to nonexistent ThreadSpec {}",
            st.thread_spec_name
        )));
    }
    if st.iterable.is_none() {
        return Err(c.invalid("start_multiple_threads.iterable is not set"));
    }
    Ok(())
}

pub(super) fn reads<'a>(st: &'a StartMultipleThreadsNode, out: &mut Vec<&'a str>) {
    if let Some(va) = &st.iterable {
        va_vars(va, out);
    }
    st.variables.values().for_each(|va| va_vars(va, out));
}

/// START_MULTIPLE_THREADS arrival: one child per element (`INPUT` = element).
pub(super) fn start(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    n: &StartMultipleThreadsNode,
) -> Result<NodeType, Box<Failure>> {
    let iterable = n
        .iterable
        .as_ref()
        .ok_or_else(|| sub_err("start_multiple_threads.iterable is not set".to_string()))?;
    let list = run.eval(t, iterable).map_err(sub_err)?;
    let elements: Vec<VariableValue> = match values::to_json(&list).map_err(sub_err)? {
        serde_json::Value::Array(items) => items.iter().map(values::from_json).collect(),
        _ => {
            return Err(sub_err(format!(
                "the iterable must be a JSON_ARR, got {}",
                values::type_name(&list)
            )));
        }
    };
    let base = eval_map(run, t, &n.variables)?;
    let mut ids = Vec::new();
    for el in elements {
        let mut inputs = base.clone();
        inputs.insert("INPUT".to_string(), el);
        let child = start_thread(
            run,
            ctx,
            Some(t),
            &n.thread_spec_name,
            &inputs,
            ThreadType::Child,
        )
        .map_err(sub_err)?;
        ids.push(child);
    }
    Ok(NodeType::StartMultipleThreads(StartMultipleThreadsRun {
        thread_spec_name: n.thread_spec_name.clone(),
        child_thread_ids: ids,
    }))
}

/// Started at arrival: done at once.
pub(super) fn check() -> Progress {
    Progress::Completed
}

/// The children's ThreadRun numbers, as a JSON_ARR.
pub(super) fn output(sm: &StartMultipleThreadsRun) -> VariableValue {
    values::from_json(&serde_json::Value::Array(
        sm.child_thread_ids
            .iter()
            .map(|c| serde_json::Value::from(*c))
            .collect(),
    ))
}
