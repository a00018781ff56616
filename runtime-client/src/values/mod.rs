//! Converting between command-line text and `VariableValue`s.

use lhw_proto::littlehorse::type_definition::DefinedType;
use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{TypeDefinition, VariableDef, VariableType, VariableValue};

mod composite;

pub use composite::{StructDefs, parse_composite};

/// The type of a variable definition (`type_def`, or the deprecated `type`).
pub fn type_of(def: &VariableDef) -> Option<TypeDefinition> {
    if let Some(t) = &def.type_def {
        return Some(t.clone());
    }
    def.r#type.map(|t| TypeDefinition {
        defined_type: Some(DefinedType::PrimitiveType(t)),
        masked: def.masked_value.unwrap_or(false),
    })
}

/// A short name of a type, as written in `.lhw` (`str`, `int`, `json-obj`, ...).
pub fn type_name(t: &TypeDefinition) -> String {
    match &t.defined_type {
        Some(DefinedType::PrimitiveType(p)) => match VariableType::try_from(*p) {
            Ok(VariableType::JsonObj) => "json-obj".into(),
            Ok(VariableType::JsonArr) => "json-arr".into(),
            Ok(VariableType::Double) => "double".into(),
            Ok(VariableType::Bool) => "bool".into(),
            Ok(VariableType::Str) => "str".into(),
            Ok(VariableType::Int) => "int".into(),
            Ok(VariableType::Bytes) => "bytes".into(),
            Ok(VariableType::WfRunId) => "wf-run-id".into(),
            Ok(VariableType::Timestamp) => "timestamp".into(),
            Err(_) => format!("type #{p}"),
        },
        Some(DefinedType::StructDefId(id)) => format!("struct {}", id.name),
        Some(DefinedType::InlineArrayDef(a)) => format!(
            "{}[]",
            a.array_type
                .as_deref()
                .map_or_else(|| "unknown type".into(), type_name)
        ),
        Some(DefinedType::InlineMapDef(m)) => format!(
            "map<{}, {}>",
            m.key_type
                .as_deref()
                .map_or_else(|| "unknown type".into(), type_name),
            m.value_type
                .as_deref()
                .map_or_else(|| "unknown type".into(), type_name)
        ),
        Some(DefinedType::InlineStructDef(_)) => "inline struct".into(),
        None => "unknown type".into(),
    }
}

fn json(text: &str, what: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("\"{text}\" is not valid JSON {what}: {e}"))
}

/// Parses `text` as a value of type `t`: `42`, `2.5`, `true`, any text for `str`, JSON for
/// `json-obj`/`json-arr`, RFC 3339 or epoch milliseconds for `timestamp`, a WfRunId as
/// `parent_child`, JSON for typed arrays, maps and inline structs. A StructDef-typed value
/// needs the StructDef: see [`parse_value_with`].
pub fn parse_value(text: &str, t: &TypeDefinition) -> Result<VariableValue, String> {
    parse_value_with(text, t, &StructDefs::new())
}

/// [`parse_value`], with the fields of the StructDefs a value may use.
pub fn parse_value_with(
    text: &str,
    t: &TypeDefinition,
    structs: &StructDefs,
) -> Result<VariableValue, String> {
    let value = match &t.defined_type {
        Some(DefinedType::PrimitiveType(p)) => match VariableType::try_from(*p) {
            Ok(VariableType::Str) => Value::Str(text.to_string()),
            Ok(VariableType::Int) => Value::Int(
                text.trim()
                    .parse()
                    .map_err(|_| format!("\"{text}\" is not an int"))?,
            ),
            Ok(VariableType::Double) => Value::Double(
                text.trim()
                    .parse()
                    .map_err(|_| format!("\"{text}\" is not a double"))?,
            ),
            Ok(VariableType::Bool) => match text.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(format!("\"{text}\" is not a bool (true or false)")),
            },
            Ok(VariableType::JsonObj) => {
                let v = json(text, "object")?;
                if !v.is_object() {
                    return Err(format!("\"{text}\" is not a JSON object"));
                }
                Value::JsonObj(v.to_string())
            }
            Ok(VariableType::JsonArr) => {
                let v = json(text, "array")?;
                if !v.is_array() {
                    return Err(format!("\"{text}\" is not a JSON array"));
                }
                Value::JsonArr(v.to_string())
            }
            Ok(VariableType::Bytes) => Value::Bytes(text.as_bytes().to_vec()),
            Ok(VariableType::WfRunId) => Value::WfRunId(crate::ids::parse_wf_run_id(text.trim())),
            Ok(VariableType::Timestamp) => Value::UtcTimestamp(parse_timestamp(text)?),
            Err(_) => return Err(format!("unsupported variable type #{p}")),
        },
        _ => return parse_composite(text, t, structs),
    };
    Ok(VariableValue { value: Some(value) })
}

pub use pbjson_like::parse_timestamp;

mod pbjson_like {
    //! Timestamps as epoch milliseconds or through the protobuf JSON mapping (RFC 3339).

    pub type Timestamp = pbjson_types::Timestamp;

    pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
        let t = text.trim();
        if let Ok(ms) = t.parse::<i64>() {
            return Ok(Timestamp {
                seconds: ms.div_euclid(1000),
                nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
            });
        }
        serde_json::from_value(serde_json::Value::String(t.to_string())).map_err(|_| {
            format!(
                "\"{text}\" is not a timestamp (RFC 3339, e.g. 2024-05-01T12:00:00Z, or epoch ms)"
            )
        })
    }
}

/// Renders a value for humans: strings quoted, JSON as is, `null` for an empty value.
pub fn format_value(v: Option<&VariableValue>) -> String {
    let Some(value) = v.and_then(|v| v.value.as_ref()) else {
        return "null".into();
    };
    match value {
        Value::Str(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::Int(i) => i.to_string(),
        Value::Double(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::JsonObj(s) | Value::JsonArr(s) => s.clone(),
        Value::Bytes(b) => format!("<{} bytes>", b.len()),
        Value::WfRunId(id) => id.id.clone(),
        Value::UtcTimestamp(ts) => serde_json::to_value(ts)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{}s", ts.seconds)),
        other => lhw_proto::try_to_json_pretty(&VariableValue {
            value: Some(other.clone()),
        })
        .unwrap_or_else(|_| "<value>".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prim(t: VariableType) -> TypeDefinition {
        TypeDefinition {
            defined_type: Some(DefinedType::PrimitiveType(t as i32)),
            masked: false,
        }
    }

    #[test]
    fn parses_by_type() {
        let v = parse_value("42", &prim(VariableType::Int)).expect("int");
        assert_eq!(v.value, Some(Value::Int(42)));
        let v = parse_value("2.5", &prim(VariableType::Double)).expect("double");
        assert_eq!(v.value, Some(Value::Double(2.5)));
        let v = parse_value("true", &prim(VariableType::Bool)).expect("bool");
        assert_eq!(v.value, Some(Value::Bool(true)));
        let v = parse_value("Ada", &prim(VariableType::Str)).expect("str");
        assert_eq!(v.value, Some(Value::Str("Ada".into())));
        let v = parse_value("{\"a\": 1}", &prim(VariableType::JsonObj)).expect("obj");
        assert_eq!(v.value, Some(Value::JsonObj("{\"a\":1}".into())));
        let v = parse_value("1000", &prim(VariableType::Timestamp)).expect("ts");
        assert!(matches!(v.value, Some(Value::UtcTimestamp(t)) if t.seconds == 1));
    }

    #[test]
    fn rejects_values_of_the_wrong_type() {
        let err = parse_value("forty", &prim(VariableType::Int)).expect_err("int");
        assert_eq!(err, "\"forty\" is not an int");
        let err = parse_value("yes", &prim(VariableType::Bool)).expect_err("bool");
        assert!(err.contains("true or false"), "{err}");
        let err = parse_value("[1]", &prim(VariableType::JsonObj)).expect_err("obj");
        assert!(err.contains("not a JSON object"), "{err}");
    }

    #[test]
    fn formats_for_humans() {
        let s = VariableValue {
            value: Some(Value::Str("hi \"x\"".into())),
        };
        assert_eq!(format_value(Some(&s)), "\"hi \\\"x\\\"\"");
        assert_eq!(format_value(None), "null");
        assert_eq!(format_value(Some(&VariableValue::default())), "null");
    }
}
