//! Constant values and types as LittleHorse protobuf values.

use lhw_proto::littlehorse as pb;
use pb::variable_value::Value;

use std::collections::BTreeMap;

use crate::ast::{Expr, ExprKind, Name, Prim, TypeExpr};
use crate::check::{StructSig, Ty};

/// The structs of a file by name, for struct constants.
pub type Structs = BTreeMap<String, StructSig>;

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

/// `td`, the `TypeDefinition` of the written type `t`, with the StructDef versions `t` pins
/// (`customer version 2`: `struct_def_id { name: "customer", version: 2 }`, as sdk-java's
/// `declareStruct(name, structDefName, version)`), at any depth of arrays and maps.
#[must_use]
pub fn pinned(t: &TypeExpr, mut td: pb::TypeDefinition) -> pb::TypeDefinition {
    use pb::type_definition::DefinedType as D;
    match (t, &mut td.defined_type) {
        (
            TypeExpr::Pinned {
                version: (v, _), ..
            },
            Some(D::StructDefId(id)),
        ) => {
            id.version = i32::try_from(*v).unwrap_or(-1);
        }
        (TypeExpr::Array(e, _), Some(D::InlineArrayDef(a))) => {
            if let Some(inner) = a.array_type.take() {
                a.array_type = Some(Box::new(pinned(e, *inner)));
            }
        }
        (TypeExpr::Map(_, v, _), Some(D::InlineMapDef(m))) => {
            if let Some(inner) = m.value_type.take() {
                m.value_type = Some(Box::new(pinned(v, *inner)));
            }
        }
        _ => {}
    }
    td
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
/// implicitly (an int stored in a double or str variable) and decoded where the literal
/// encodes the value ([`encoded_constant`]: base64 for `bytes`, RFC 3339 or epoch
/// milliseconds for `timestamp`).
///
/// `new customer { ... }` is a `Struct` value, every field of the declaration written (a
/// field left out takes its default, or null), as sdk-java's `LHLibUtil.serializeToStruct`
/// writes an object of a StructDef class (every property; a null one as an empty value).
#[must_use]
pub fn constant_value(e: &Expr, target: &Ty, structs: &Structs) -> pb::VariableValue {
    if let Some(Ok(v)) = encoded_constant(e, target) {
        return v;
    }
    let value = match (&e.kind, target) {
        (
            ExprKind::New {
                name,
                version,
                fields,
            },
            _,
        ) => {
            let mut st = struct_constant(&name.text, fields, structs);
            if let (Some(id), Some((v, _))) = (&mut st.struct_def_id, version) {
                id.version = i32::try_from(*v).unwrap_or(-1);
            }
            Some(Value::Struct(st))
        }
        // Typed arrays and maps hold typed values (`Array`, `Map`), not JSON text.
        (ExprKind::JsonArr(items), Ty::Array(elem)) => Some(Value::Array(pb::Array {
            items: items
                .iter()
                .map(|i| constant_value(i, elem, structs))
                .collect(),
            element_type: Some(type_definition(elem, false)),
        })),
        (ExprKind::MapLit(entries), Ty::Map(k, v)) => Some(Value::Map(pb::Map {
            entries: entries
                .iter()
                .map(|(key, value)| pb::map::Entry {
                    key: Some(constant_value(key, k, structs)),
                    value: Some(constant_value(value, v, structs)),
                })
                .collect(),
            map_type: Some(pb::InlineMapDef {
                key_type: Some(Box::new(type_definition(k, false))),
                value_type: Some(Box::new(type_definition(v, false))),
            }),
        })),
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
        (ExprKind::JsonObj(_), _) => Some(Value::JsonObj(json_text(e))),
        (ExprKind::JsonArr(_), _) => Some(Value::JsonArr(json_text(e))),
        (ExprKind::Paren(inner), t) => return constant_value(inner, t, structs),
        _ => None,
    };
    pb::VariableValue { value }
}

/// The `Struct` value of the constant `new name { fields }` (`version` -1, the latest, as
/// sdk-java writes a StructDef class's id); nested `{ ... }` values are structs of the
/// field's type.
fn struct_constant(name: &str, fields: &[(Name, Expr)], structs: &Structs) -> pb::Struct {
    let mut out = pb::InlineStruct::default();
    if let Some(sig) = structs.get(name) {
        for (field, ty) in &sig.fields {
            let written = fields
                .iter()
                .find(|(n, _)| n.text == *field)
                .map(|(_, e)| e);
            let value = match (written, ty) {
                (
                    Some(Expr {
                        kind: ExprKind::InlineStruct(inner),
                        ..
                    }),
                    Ty::Struct(s),
                ) => pb::VariableValue {
                    value: Some(Value::Struct(struct_constant(s, inner, structs))),
                },
                (Some(e), ty) => constant_value(e, ty, structs),
                (None, ty) => match sig.defaults.iter().find(|(n, _)| n == field) {
                    Some((_, d)) => constant_value(d, ty, structs),
                    None => pb::VariableValue { value: None },
                },
            };
            out.fields.insert(
                field.clone(),
                pb::StructField {
                    value: Some(value),
                    masked: false,
                },
            );
        }
    }
    pb::Struct {
        struct_def_id: Some(pb::StructDefId {
            name: name.to_string(),
            version: -1,
        }),
        r#struct: Some(out),
    }
}

/// Whether assigning `e` to a whole variable of type `ty` writes a typed literal: a list of
/// constants into a typed array, or a str literal that encodes a `bytes`, `timestamp` or
/// `wf-run-id` value (decoded when compiled, see [`encoded_constant`]).
#[must_use]
pub fn is_typed_literal(e: &Expr, ty: &Ty) -> bool {
    match (&e.kind, ty) {
        (ExprKind::Paren(inner), t) => is_typed_literal(inner, t),
        (ExprKind::JsonArr(_), Ty::Array(_)) => true,
        (ExprKind::Str(s), Ty::Prim(Prim::Bytes | Prim::Timestamp | Prim::WfRunId)) => {
            s.as_plain().is_some()
        }
        _ => false,
    }
}

/// The compact JSON text of a constant expression, with the object keys in the order the
/// author wrote them, as sdk-java serializes a `LinkedHashMap` (`{"b":1,"a":2}`).
fn json_text(e: &Expr) -> String {
    match &e.kind {
        ExprKind::JsonObj(members) => {
            let fields: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), json_text(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        ExprKind::JsonArr(items) => {
            let items: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", items.join(","))
        }
        ExprKind::Paren(inner) => json_text(inner),
        _ => json_of(e).to_string(),
    }
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

/// A constant that stands for a value of another type: a str literal holding base64
/// (RFC 4648, standard alphabet) for `bytes`, a str literal holding an RFC 3339 date-time or
/// an int of milliseconds since the Unix epoch for `timestamp`. These are the conversions
/// sdk-java's `LHLibUtil.objToVarVal` performs on `byte[]` and `Instant` values, so the
/// default equals the serde canon.
///
/// `None` when `e` is not such a constant for `target`; otherwise the decoded value, or why
/// the literal does not decode (the checker reports it, so lowering never sees an `Err`).
#[must_use]
pub fn encoded_constant(e: &Expr, target: &Ty) -> Option<Result<pb::VariableValue, String>> {
    let value = |v: Value| pb::VariableValue { value: Some(v) };
    match (&e.kind, target) {
        (ExprKind::Paren(inner), t) => encoded_constant(inner, t),
        (ExprKind::Str(s), Ty::Prim(Prim::Bytes)) => {
            let text = s.as_plain()?;
            Some(base64_decode(&text).map(|b| value(Value::Bytes(b))))
        }
        (ExprKind::Str(s), Ty::Prim(Prim::Timestamp)) => {
            let text = s.as_plain()?;
            Some(
                parse_rfc3339(&text)
                    .and_then(|(secs, nanos)| timestamp(secs, nanos))
                    .map(value),
            )
        }
        (ExprKind::Str(s), Ty::Prim(Prim::WfRunId)) => {
            let text = s.as_plain()?;
            Some(wf_run_id(&text).map(|id| value(Value::WfRunId(id))))
        }
        (ExprKind::Int(ms), Ty::Prim(Prim::Timestamp)) => {
            let secs = ms.div_euclid(1000);
            // In 0..1000, so the product fits an i32.
            let nanos = i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or_default();
            Some(timestamp(secs, nanos).map(value))
        }
        _ => None,
    }
}

/// A WfRunId written as LittleHorse prints it: `id`, or `parent_child` for a child run
/// (each `_` separates a parent's id from its child's).
fn wf_run_id(text: &str) -> Result<pb::WfRunId, String> {
    let mut id: Option<pb::WfRunId> = None;
    for part in text.split('_') {
        if part.is_empty() {
            return Err("a WfRunId is `id` or `parent_child`, with no empty part".to_string());
        }
        if let Some(bad) = part
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!("`{bad}` cannot stand in a WfRunId"));
        }
        id = Some(pb::WfRunId {
            id: part.to_string(),
            parent_wf_run_id: id.map(Box::new),
        });
    }
    id.ok_or_else(|| "a WfRunId cannot be empty".to_string())
}

/// Seconds of `0001-01-01T00:00:00Z` and `9999-12-31T23:59:59Z`, the range of
/// `google.protobuf.Timestamp`.
const MIN_TIMESTAMP_SECONDS: i64 = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS: i64 = 253_402_300_799;

/// A `utc_timestamp` value, if the instant is within `google.protobuf.Timestamp`'s range.
fn timestamp(seconds: i64, nanos: i32) -> Result<Value, String> {
    if !(MIN_TIMESTAMP_SECONDS..=MAX_TIMESTAMP_SECONDS).contains(&seconds) {
        return Err("the timestamp is outside the years 1 to 9999".to_string());
    }
    let mut v = Value::UtcTimestamp(Default::default());
    if let Value::UtcTimestamp(ts) = &mut v {
        ts.seconds = seconds;
        ts.nanos = nanos;
    }
    Ok(v)
}

/// Decodes standard base64 (RFC 4648 section 4); the `=` padding may be left out.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    fn sextet(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    let body = text.trim_end_matches('=');
    let padding = bytes.len() - body.len();
    if padding > 2 || (padding > 0 && !bytes.len().is_multiple_of(4)) || body.len() % 4 == 1 {
        return Err("not base64: the length or the `=` padding is wrong".to_string());
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            let Some(v) = sextet(c) else {
                return Err(format!(
                    "not base64: `{}` is not a base64 character",
                    char::from(c)
                ));
            };
            acc = (acc << 6) | v;
        }
        // A chunk of n characters holds n - 1 whole bytes (n = 4: three).
        acc <<= 6 * (4 - chunk.len());
        let whole = chunk.len() - 1;
        for i in 0..whole {
            out.push(acc.to_be_bytes()[1 + i]);
        }
    }
    Ok(out)
}

/// Parses an RFC 3339 date-time (`2026-05-28T20:26:40.123Z`, `...+02:00`) into seconds
/// since the Unix epoch and nanoseconds.
fn parse_rfc3339(text: &str) -> Result<(i64, i32), String> {
    const SHAPE: &str = "not an RFC 3339 date-time such as `2026-05-28T20:26:40.123Z`";
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = b.get(range).ok_or(SHAPE)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err(SHAPE.to_string());
        }
        Ok(part
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return Err(SHAPE.to_string());
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut nanos = 0i64;
    if at(i, b".") {
        let start = i + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start || end - start > 9 {
            return Err("the fraction of a second has 1 to 9 digits".to_string());
        }
        nanos = num(start..end)? * 10i64.pow(u32::try_from(9 - (end - start)).unwrap_or(0));
        i = end;
    }
    let offset = if at(i, b"Zz") && b.len() == i + 1 {
        0
    } else if at(i, b"+-") && at(i + 3, b":") && b.len() == i + 6 {
        let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
        if oh > 23 || om > 59 {
            return Err("the UTC offset is out of range".to_string());
        }
        let sign = if at(i, b"-") { -1 } else { 1 };
        sign * (oh * 3600 + om * 60)
    } else {
        return Err(format!("{SHAPE} (it needs a `Z` or `+HH:MM` offset)"));
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let valid_day = usize::try_from(month - 1)
        .ok()
        .and_then(|m| month_days.get(m))
        .is_some_and(|&days| (1..=days).contains(&day));
    if year == 0 || !valid_day || hour > 23 || minute > 59 || second > 59 {
        return Err(format!("`{text}` is not a valid date and time"));
    }
    // Days since 1970-01-01 of the civil date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Ok((seconds, i32::try_from(nanos).unwrap_or_default()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_padded_and_unpadded_text() {
        assert_eq!(base64_decode("AQID/w=="), Ok(vec![1, 2, 3, 255]));
        assert_eq!(base64_decode("AQID/w"), Ok(vec![1, 2, 3, 255]));
        assert_eq!(base64_decode("aGk="), Ok(b"hi".to_vec()));
        assert_eq!(base64_decode("aGVsbG8+"), Ok(b"hello>".to_vec()));
        assert_eq!(base64_decode(""), Ok(Vec::new()));
        assert!(base64_decode("A").is_err());
        assert!(base64_decode("AQID/w=").is_err());
        assert!(base64_decode("AQ=D").is_err());
        assert!(base64_decode("AQ-D").is_err());
        assert!(base64_decode("AA===").is_err());
    }

    #[test]
    fn rfc3339_parses_to_epoch_seconds_and_nanos() {
        assert_eq!(
            parse_rfc3339("2026-05-28T20:26:40.123Z"),
            Ok((1_780_000_000, 123_000_000))
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok((0, 0)));
        assert_eq!(parse_rfc3339("1970-01-01T02:00:00+02:00"), Ok((0, 0)));
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59.5z"),
            Ok((-1, 500_000_000))
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T12:00:00-01:30"),
            Ok((1_709_213_400, 0))
        );
        assert!(parse_rfc3339("2023-02-29T00:00:00Z").is_err());
        assert!(parse_rfc3339("2026-05-28 20:26:40Z").is_err());
        assert!(parse_rfc3339("2026-05-28T20:26:40").is_err());
        assert!(parse_rfc3339("2026-05-28T24:00:00Z").is_err());
        assert!(parse_rfc3339("2026-05-28T20:26:40.1234567890Z").is_err());
    }

    #[test]
    fn epoch_millis_and_text_make_the_same_timestamp() {
        let at = |ms: i64| {
            let e = Expr {
                kind: ExprKind::Int(ms),
                span: crate::source::Span::default(),
            };
            encoded_constant(&e, &Ty::Prim(Prim::Timestamp))
        };
        let Some(Ok(pb::VariableValue {
            value: Some(Value::UtcTimestamp(ts)),
        })) = at(1_780_000_000_123)
        else {
            panic!("epoch millis did not become a timestamp");
        };
        assert_eq!((ts.seconds, ts.nanos), (1_780_000_000, 123_000_000));
        let Some(Ok(pb::VariableValue {
            value: Some(Value::UtcTimestamp(before)),
        })) = at(-1)
        else {
            panic!("a negative epoch did not become a timestamp");
        };
        assert_eq!((before.seconds, before.nanos), (-1, 999_000_000));
        assert!(matches!(at(i64::MAX), Some(Err(_))));
    }
}
