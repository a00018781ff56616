//! The searchable columns stored beside a message's body: derived from the
//! message on every write, so searches filter in SQL without decoding.

use crate::util::{ts_to_ms, wf_run_key};
use lhw_proto::littlehorse::{
    NodeRun, TaskRun, Variable, VariableValue, node_run::NodeType, variable_value::Value,
};

/// TaskRun columns: TaskDef name, `TaskStatus`, scheduled time (epoch ms).
pub(crate) fn task_run(tr: &TaskRun) -> (&str, i32, i64) {
    (
        tr.task_def_id
            .as_ref()
            .map(|d| d.name.as_str())
            .unwrap_or_default(),
        tr.status,
        tr.scheduled_at.as_ref().map_or(0, ts_to_ms),
    )
}

/// NodeRun columns: the ExternalEventDef an EXTERNAL_EVENT NodeRun waits
/// for (`None` for other nodes), `LHStatus`, arrival time (epoch ms).
pub(crate) fn node_run(nr: &NodeRun) -> (Option<&str>, i32, i64) {
    let event = match &nr.node_type {
        Some(NodeType::ExternalEvent(e)) => {
            e.external_event_def_id.as_ref().map(|d| d.name.as_str())
        }
        _ => None,
    };
    (
        event,
        nr.status,
        nr.arrival_time.as_ref().map_or(0, ts_to_ms),
    )
}

/// Variable columns: WfSpec name, major version, revision and the value's
/// search key.
pub(crate) fn variable(v: &Variable) -> (&str, i32, i32, Option<String>) {
    let spec = v.wf_spec_id.as_ref();
    (
        spec.map(|s| s.name.as_str()).unwrap_or_default(),
        spec.map_or(0, |s| s.major_version),
        spec.map_or(0, |s| s.revision),
        v.value.as_ref().and_then(value_key),
    )
}

/// The text a value is found by: its type and its value, for the types a
/// search can match exactly (STR, INT, DOUBLE, BOOL, TIMESTAMP, WF_RUN_ID);
/// `None` for NULL and for values that are not searched by equality (JSON,
/// BYTES, structs).
pub(crate) fn value_key(v: &VariableValue) -> Option<String> {
    match v.value.as_ref()? {
        Value::Str(s) => Some(format!("s:{s}")),
        Value::Int(i) => Some(format!("i:{i}")),
        Value::Double(d) => Some(format!("d:{d:?}")),
        Value::Bool(b) => Some(format!("b:{b}")),
        Value::UtcTimestamp(ts) => Some(format!("t:{}", ts_to_ms(ts))),
        Value::WfRunId(id) => Some(format!("w:{}", wf_run_key(id))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: Value) -> VariableValue {
        VariableValue { value: Some(value) }
    }

    #[test]
    fn value_keys_tell_types_apart() {
        assert_eq!(
            value_key(&v(Value::Str("1".into()))).as_deref(),
            Some("s:1")
        );
        assert_eq!(value_key(&v(Value::Int(1))).as_deref(), Some("i:1"));
        assert_eq!(value_key(&v(Value::Double(1.0))).as_deref(), Some("d:1.0"));
        assert_eq!(value_key(&v(Value::Bool(true))).as_deref(), Some("b:true"));
        assert_eq!(value_key(&VariableValue::default()), None);
        assert_eq!(value_key(&v(Value::JsonObj("{}".into()))), None);
    }
}
