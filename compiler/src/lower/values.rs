//! Constant values and types as LittleHorse protobuf values.

use lhw_proto::littlehorse as pb;
use pb::variable_value::Value;

use crate::ast::{Expr, ExprKind, Prim};
use crate::check::Ty;

/// The `VariableType` of a primitive.
#[must_use]
pub fn variable_type(p: Prim) -> pb::VariableType {
    match p {
        Prim::Str => pb::VariableType::Str,
        Prim::Int => pb::VariableType::Int,
        Prim::Double => pb::VariableType::Double,
        Prim::Bool => pb::VariableType::Bool,
        Prim::JsonObj => pb::VariableType::JsonObj,
        Prim::JsonArr => pb::VariableType::JsonArr,
        Prim::Bytes => pb::VariableType::Bytes,
        Prim::Timestamp => pb::VariableType::Timestamp,
        Prim::WfRunId => pb::VariableType::WfRunId,
    }
}

/// The `TypeDefinition` of a checked type; `masked` applies to the outer type only.
#[must_use]
pub fn type_definition(ty: &Ty, masked: bool) -> pb::TypeDefinition {
    use pb::type_definition::DefinedType as D;
    let defined = match ty {
        Ty::Prim(p) => D::PrimitiveType(variable_type(*p) as i32),
        Ty::Struct(name) => D::StructDefId(pb::StructDefId {
            name: name.clone(),
            version: -1,
        }),
        Ty::Array(e) => D::InlineArrayDef(Box::new(pb::InlineArrayDef {
            array_type: Some(Box::new(type_definition(e, false))),
        })),
        Ty::Map(k, v) => D::InlineMapDef(Box::new(pb::InlineMapDef {
            key_type: Some(Box::new(type_definition(k, false))),
            value_type: Some(Box::new(type_definition(v, false))),
        })),
        Ty::Thread => D::PrimitiveType(pb::VariableType::Int as i32),
        Ty::Threads => D::PrimitiveType(pb::VariableType::JsonArr as i32),
        Ty::ChildWf => D::PrimitiveType(pb::VariableType::WfRunId as i32),
        Ty::Any | Ty::Null | Ty::Void | Ty::Error => {
            D::PrimitiveType(pb::VariableType::JsonObj as i32)
        }
    };
    pb::TypeDefinition {
        masked,
        defined_type: Some(defined),
    }
}

/// A literal assignment.
#[must_use]
pub fn literal(v: pb::VariableValue) -> pb::VariableAssignment {
    pb::VariableAssignment {
        source: Some(pb::variable_assignment::Source::LiteralValue(v)),
        ..Default::default()
    }
}

/// An `INT` value.
#[must_use]
pub fn int_value(i: i64) -> pb::VariableValue {
    pb::VariableValue {
        value: Some(Value::Int(i)),
    }
}

/// A `STR` value.
#[must_use]
pub fn str_value(s: String) -> pb::VariableValue {
    pb::VariableValue {
        value: Some(Value::Str(s)),
    }
}

/// A `BOOL` value.
#[must_use]
pub fn bool_value(b: bool) -> pb::VariableValue {
    pb::VariableValue {
        value: Some(Value::Bool(b)),
    }
}

/// The value of a constant expression, converted to `target` where LittleHorse converts
/// implicitly (an int stored in a double or str variable).
#[must_use]
pub fn constant_value(e: &Expr, target: &Ty) -> pb::VariableValue {
    let value = match (&e.kind, target) {
        (ExprKind::Int(i), Ty::Prim(Prim::Double)) => Some(Value::Double(*i as f64)),
        (ExprKind::Int(i), Ty::Prim(Prim::Str)) => Some(Value::Str(i.to_string())),
        (ExprKind::Double(d), Ty::Prim(Prim::Str)) => Some(Value::Str(d.to_string())),
        (ExprKind::Bool(b), Ty::Prim(Prim::Str)) => Some(Value::Str(b.to_string())),
        (ExprKind::Int(i), _) => Some(Value::Int(*i)),
        (ExprKind::Duration(ms), _) => {
            Some(Value::Int(i64::try_from(ms / 1000).unwrap_or(i64::MAX)))
        }
        (ExprKind::Double(d), _) => Some(Value::Double(*d)),
        (ExprKind::Bool(b), _) => Some(Value::Bool(*b)),
        (ExprKind::Null, _) => None,
        (ExprKind::Str(s), _) => Some(Value::Str(s.as_plain().unwrap_or_default())),
        (ExprKind::JsonObj(_), _) => Some(Value::JsonObj(json_of(e).to_string())),
        (ExprKind::JsonArr(_), _) => Some(Value::JsonArr(json_of(e).to_string())),
        (ExprKind::Paren(inner), t) => return constant_value(inner, t),
        _ => None,
    };
    pb::VariableValue { value }
}

/// The JSON value of a constant expression.
fn json_of(e: &Expr) -> serde_json::Value {
    use serde_json::Value as J;
    match &e.kind {
        ExprKind::Int(i) => J::from(*i),
        ExprKind::Duration(ms) => J::from(ms / 1000),
        ExprKind::Double(d) => J::from(*d),
        ExprKind::Bool(b) => J::from(*b),
        ExprKind::Str(s) => J::from(s.as_plain().unwrap_or_default()),
        ExprKind::JsonObj(members) => J::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), json_of(v)))
                .collect(),
        ),
        ExprKind::JsonArr(items) => J::Array(items.iter().map(json_of).collect()),
        ExprKind::Paren(inner) => json_of(inner),
        _ => J::Null,
    }
}

/// Escapes literal text for a `java.text.MessageFormat` pattern: quotes are doubled and
/// braces quoted, so only the `{N}` placeholders we write are interpreted.
#[must_use]
pub fn message_format_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '{' => out.push_str("'{'"),
            '}' => out.push_str("'}'"),
            c => out.push(c),
        }
    }
    out
}
