//! EXTERNAL_EVENT: waits for an ExternalEvent of a def (optionally matched by
//! a correlation key, optionally with a timeout); its output is the event's
//! content.

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Progress, failure, node_of};
use crate::engine::run::CorrelationWait;
use crate::storage::kind;
use crate::util::ts_to_ms;
use crate::values;
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    ExternalEventDef, ExternalEventNode, ExternalEventNodeRun, LhErrorType, NodeRun, VariableValue,
    node, node_run::NodeType, variable_value::Value,
};

pub(super) fn validate(e: &ExternalEventNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    let def_name = e
        .external_event_def_id
        .as_ref()
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let def: Option<ExternalEventDef> =
        c.store
            .get_meta(kind::EXTERNAL_EVENT_DEF, &def_name, 0, 0)?;
    if def.is_none() {
        return Err(c.invalid(format!("Refers to missing ExternalEventDef {def_name}")));
    }
    Ok(())
}

pub(super) fn reads<'a>(e: &'a ExternalEventNode, out: &mut Vec<&'a str>) {
    if let Some(k) = &e.correlation_key {
        va_vars(k, out);
    }
    if let Some(t) = &e.timeout_seconds {
        va_vars(t, out);
    }
}

/// Evaluates the correlation key (registered for PutCorrelatedEvent).
pub(super) fn arrive(run: &mut RunState, t: i32, pos: i32, e: &ExternalEventNode) -> Arrival {
    let mut arrival_failure = None;
    let def = e.external_event_def_id.clone();
    let key = match e
        .correlation_key
        .as_ref()
        .map(|k| run.eval(t, k))
        .transpose()
    {
        Ok(k) => k.map(|v| values::to_display(&v)),
        Err(err) => {
            arrival_failure = Some(failure(LhErrorType::VarSubError, err, None));
            None
        }
    };
    if let Some(k) = &key {
        let name = def.as_ref().map(|d| d.name.clone()).unwrap_or_default();
        run.effects.correlate.push(CorrelationWait {
            def: name,
            key: k.clone(),
            thread: t,
            position: pos,
        });
    }
    Arrival {
        node_type: Some(NodeType::ExternalEvent(ExternalEventNodeRun {
            external_event_def_id: def,
            mask_correlation_key: e.mask_correlation_key,
            correlation_key: key,
            ..ExternalEventNodeRun::default()
        })),
        failure: arrival_failure,
    }
}

/// Claims the first unclaimed event of the def meant for this thread and
/// position; a timed-out wait fails with TIMEOUT.
pub(super) fn check(run: &mut RunState, t: i32, pos: i32) -> Progress {
    let Some(nr) = run.node_runs.get(&(t, pos)) else {
        return Progress::Waiting;
    };
    let Some(NodeType::ExternalEvent(ee)) = &nr.node_type else {
        return Progress::Failed(failure(
            LhErrorType::InternalError,
            "bad external event NodeRun",
            None,
        ));
    };
    if ee.external_event_id.is_some() {
        return Progress::Completed;
    }
    if ee.timed_out {
        return Progress::Failed(failure(
            LhErrorType::Timeout,
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

/// The timeout's deadline while no event has arrived.
pub(super) fn wake_time(
    run: &RunState,
    t: i32,
    nr: &NodeRun,
    ee: &ExternalEventNodeRun,
) -> Result<Option<i64>, String> {
    if ee.external_event_id.is_some() || ee.timed_out {
        return Ok(None);
    }
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

/// The content of the claimed event (NULL before one arrived).
pub(super) fn output(run: &RunState, ee: &ExternalEventNodeRun) -> VariableValue {
    let id = ee.external_event_id.as_ref();
    run.events
        .iter()
        .find(|(_, ev)| ev.id.as_ref() == id && id.is_some())
        .and_then(|(_, ev)| ev.content.clone())
        .unwrap_or_default()
}
