//! `VariableValue` semantics: types, JSON conversion, casts, the mutation
//! operators, comparators and Java `MessageFormat`-style format strings.
//!
//! Errors are plain strings; the engine wraps them into LittleHorse failures
//! (`VAR_SUB_ERROR`, `VAR_MUTATION_ERROR`).

use lhw_proto::littlehorse::{
    Comparator, InlineArrayDef, InlineMapDef, TypeDefinition, VariableMutationType, VariableType,
    VariableValue, map, type_definition::DefinedType, variable_value::Value,
};
use serde_json::Value as Json;

/// A NULL value (no oneof member set).
pub(crate) fn null() -> VariableValue {
    VariableValue { value: None }
}

/// Wraps a oneof member into a value.
pub(crate) fn val(v: Value) -> VariableValue {
    VariableValue { value: Some(v) }
}

/// The primitive type of a value, `None` for NULL and for structs, arrays and maps.
pub(crate) fn type_of(v: &VariableValue) -> Option<VariableType> {
    Some(match v.value.as_ref()? {
        Value::JsonObj(_) => VariableType::JsonObj,
        Value::JsonArr(_) => VariableType::JsonArr,
        Value::Double(_) => VariableType::Double,
        Value::Bool(_) => VariableType::Bool,
        Value::Str(_) => VariableType::Str,
        Value::Int(_) => VariableType::Int,
        Value::Bytes(_) => VariableType::Bytes,
        Value::WfRunId(_) => VariableType::WfRunId,
        Value::UtcTimestamp(_) => VariableType::Timestamp,
        Value::Struct(_) | Value::Array(_) | Value::Map(_) => return None,
    })
}

/// The type of a value as LittleHorse describes it (`VariableValue#getTypeDefinition`):
/// a primitive type, a struct's StructDefId, an array of its element type (the
/// declared one, else the first item's) or a map of its key and value types (the
/// declared ones, else the first entry's); NULL has no type.
pub(crate) fn type_definition_of(v: &VariableValue) -> TypeDefinition {
    let defined = match &v.value {
        None => None,
        Some(Value::Struct(s)) => s.struct_def_id.clone().map(DefinedType::StructDefId),
        Some(Value::Array(a)) => {
            let element = a
                .element_type
                .clone()
                .or_else(|| a.items.first().map(type_definition_of))
                .unwrap_or_default();
            Some(DefinedType::InlineArrayDef(Box::new(InlineArrayDef {
                array_type: Some(Box::new(element)),
            })))
        }
        Some(Value::Map(m)) => Some(DefinedType::InlineMapDef(Box::new(
            m.map_type
                .clone()
                .or_else(|| m.entries.first().map(entry_map_type))
                .unwrap_or_default(),
        ))),
        Some(_) => type_of(v).map(|p| DefinedType::PrimitiveType(p as i32)),
    };
    TypeDefinition {
        defined_type: defined,
        masked: false,
    }
}

/// The map type a map entry implies: the types of its key and value.
pub(crate) fn entry_map_type(e: &map::Entry) -> InlineMapDef {
    let of = |v: Option<&VariableValue>| Box::new(v.map(type_definition_of).unwrap_or_default());
    InlineMapDef {
        key_type: Some(of(e.key.as_ref())),
        value_type: Some(of(e.value.as_ref())),
    }
}

/// A human-readable name of a value's type, for error messages.
pub(crate) fn type_name(v: &VariableValue) -> &'static str {
    match &v.value {
        None => "NULL",
        Some(Value::Struct(_)) => "STRUCT",
        Some(Value::Array(_)) => "ARRAY",
        Some(Value::Map(_)) => "MAP",
        Some(_) => type_of(v).map_or("UNKNOWN", |t| t.as_str_name()),
    }
}

/// The primitive type a `TypeDefinition` declares (`None` for struct, array
/// and map types). A definition without any type is JSON_OBJ, as in LittleHorse.
pub(crate) fn primitive_of(td: &TypeDefinition) -> Option<VariableType> {
    match &td.defined_type {
        None => Some(VariableType::JsonObj),
        Some(DefinedType::PrimitiveType(p)) => VariableType::try_from(*p).ok(),
        Some(_) => None,
    }
}

/// Checks `v` against a declared type, converting INT to DOUBLE where a DOUBLE
/// is expected. NULL always conforms. Struct, array and map types accept any
/// non-primitive value.
pub(crate) fn coerce_to(v: VariableValue, td: &TypeDefinition) -> Result<VariableValue, String> {
    let Some(actual) = &v.value else {
        return Ok(v);
    };
    match primitive_of(td) {
        Some(expected) => match (expected, actual) {
            (VariableType::Double, Value::Int(i)) => Ok(val(Value::Double(*i as f64))),
            _ if type_of(&v) == Some(expected) => Ok(v),
            _ => Err(format!(
                "expected a value of type {}, got {}",
                expected.as_str_name(),
                type_name(&v)
            )),
        },
        None if type_of(&v).is_none() => Ok(v),
        None => Err(format!(
            "expected a structured value, got {}",
            type_name(&v)
        )),
    }
}

/// RunWf's check of an input value against its variable's declared type, as
/// LittleHorse's server makes it (`TypeDefinitionModel#validateCompatibility`
/// with `TypeCastingUtils#canBeType`): the same type, an INT where a DOUBLE is
/// declared, or any primitive (INT, DOUBLE, BOOL, STR, WF_RUN_ID, TIMESTAMP)
/// where a STR is declared. The kernel stores the converted value (DOUBLE, STR)
/// where LittleHorse keeps the given one (docs/differences.md). JSON text is not
/// parsed here: LittleHorse accepts a JSON_OBJ or JSON_ARR that does not parse.
pub(crate) fn check_input(v: VariableValue, td: &TypeDefinition) -> Result<VariableValue, String> {
    let (Some(expected), Some(actual)) = (primitive_of(td), type_of(&v)) else {
        let actual = type_name(&v);
        return coerce_to(v, td).map_err(|_| incompatible(actual, td));
    };
    let primitive = matches!(
        actual,
        VariableType::Int
            | VariableType::Double
            | VariableType::Bool
            | VariableType::Str
            | VariableType::WfRunId
            | VariableType::Timestamp
    );
    match expected {
        _ if actual == expected => Ok(v),
        VariableType::Double if actual == VariableType::Int => cast(v, VariableType::Double),
        VariableType::Str if primitive => cast(v, VariableType::Str),
        _ => Err(incompatible(actual.as_str_name(), td)),
    }
}

/// LittleHorse's words for a value of the wrong type (`TypeDefinitionModel`).
fn incompatible(actual: &str, td: &TypeDefinition) -> String {
    let expected = primitive_of(td).map_or("a structured type", |t| t.as_str_name());
    format!("Value of type {actual} is not compatible with expected type {expected}")
}

/// Converts a value to JSON (JSON strings are parsed).
pub(crate) fn to_json(v: &VariableValue) -> Result<Json, String> {
    Ok(match &v.value {
        None => Json::Null,
        Some(Value::JsonObj(s)) | Some(Value::JsonArr(s)) => {
            serde_json::from_str(s).map_err(|e| format!("invalid JSON value: {e}"))?
        }
        Some(Value::Double(d)) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
        Some(Value::Bool(b)) => Json::Bool(*b),
        Some(Value::Str(s)) => Json::String(s.clone()),
        Some(Value::Int(i)) => Json::from(*i),
        Some(Value::Array(a)) => {
            Json::Array(a.items.iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Some(Value::Struct(s)) => {
            let mut map = serde_json::Map::new();
            if let Some(inner) = &s.r#struct {
                for (k, f) in &inner.fields {
                    map.insert(k.clone(), f.value.as_ref().map_or(Ok(Json::Null), to_json)?);
                }
            }
            Json::Object(map)
        }
        Some(Value::Map(m)) => {
            let mut map = serde_json::Map::new();
            for e in &m.entries {
                let key = e.key.as_ref().map(to_display).unwrap_or_default();
                map.insert(key, e.value.as_ref().map_or(Ok(Json::Null), to_json)?);
            }
            Json::Object(map)
        }
        Some(other) => {
            return Err(format!(
                "a {} value has no JSON form",
                type_name(&val(other.clone()))
            ));
        }
    })
}

/// Converts JSON to a value: objects and arrays become JSON_OBJ/JSON_ARR,
/// integral numbers INT, other numbers DOUBLE.
pub(crate) fn from_json(j: &Json) -> VariableValue {
    match j {
        Json::Null => null(),
        Json::Bool(b) => val(Value::Bool(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => val(Value::Int(i)),
            None => val(Value::Double(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => val(Value::Str(s.clone())),
        Json::Array(_) => val(Value::JsonArr(j.to_string())),
        Json::Object(_) => val(Value::JsonObj(j.to_string())),
    }
}

/// Deep JSON equality where numbers compare by value (`1 == 1.0`).
pub(crate) fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The string form of a value (Java `toString` style: `5`, `2.5`, `true`, JSON text).
pub(crate) fn to_display(v: &VariableValue) -> String {
    match &v.value {
        None => "null".to_string(),
        Some(Value::Str(s)) | Some(Value::JsonObj(s)) | Some(Value::JsonArr(s)) => s.clone(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Double(d)) => java_double(*d),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Bytes(b)) => b.iter().map(|x| format!("{x:02x}")).collect(),
        Some(Value::WfRunId(id)) => crate::util::wf_run_key(id),
        Some(Value::UtcTimestamp(ts)) => crate::util::ts_to_ms(ts).to_string(),
        Some(_) => to_json(v).map(|j| j.to_string()).unwrap_or_default(),
    }
}

/// Java's `Double.toString` for ordinary magnitudes: always a decimal point.
fn java_double(d: f64) -> String {
    if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e15 {
        format!("{d:.1}")
    } else {
        d.to_string()
    }
}

/// Casts a value to a primitive type (the `target_type` of a VariableAssignment).
pub(crate) fn cast(v: VariableValue, to: VariableType) -> Result<VariableValue, String> {
    let Some(inner) = &v.value else {
        return Ok(v);
    };
    if type_of(&v) == Some(to) {
        return Ok(v);
    }
    let fail = || format!("cannot cast {} to {}", type_name(&v), to.as_str_name());
    Ok(match (to, inner) {
        (VariableType::Str, _) => val(Value::Str(to_display(&v))),
        (VariableType::Double, Value::Int(i)) => val(Value::Double(*i as f64)),
        (VariableType::Int, Value::Double(d)) => val(Value::Int(d.trunc() as i64)),
        (VariableType::Int, Value::Str(s)) => val(Value::Int(
            s.trim()
                .parse()
                .map_err(|_| format!("cannot cast STR \"{s}\" to INT"))?,
        )),
        (VariableType::Double, Value::Str(s)) => {
            val(Value::Double(s.trim().parse().map_err(|_| {
                format!("cannot cast STR \"{s}\" to DOUBLE")
            })?))
        }
        (VariableType::Bool, Value::Str(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => val(Value::Bool(true)),
            "false" => val(Value::Bool(false)),
            _ => return Err(format!("cannot cast STR \"{s}\" to BOOL")),
        },
        (VariableType::Bytes, Value::Str(s)) => val(Value::Bytes(s.as_bytes().to_vec())),
        (VariableType::JsonObj, Value::Str(s)) | (VariableType::JsonArr, Value::Str(s)) => {
            let j: Json = serde_json::from_str(s).map_err(|_| fail())?;
            let out = from_json(&j);
            if type_of(&out) != Some(to) {
                return Err(fail());
            }
            out
        }
        _ => return Err(fail()),
    })
}

enum Num {
    I(i64),
    D(f64),
}

fn num(v: &VariableValue) -> Option<Num> {
    match v.value.as_ref()? {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Double(d) => Some(Num::D(*d)),
        _ => None,
    }
}

fn as_f64(n: &Num) -> f64 {
    match n {
        Num::I(i) => *i as f64,
        Num::D(d) => *d,
    }
}

fn arith(
    lhs: &VariableValue,
    rhs: &VariableValue,
    name: &str,
    fi: fn(i64, i64) -> Option<i64>,
    fd: fn(f64, f64) -> f64,
) -> Result<VariableValue, String> {
    match (num(lhs), num(rhs)) {
        (Some(Num::I(a)), Some(Num::I(b))) => fi(a, b)
            .map(|r| val(Value::Int(r)))
            .ok_or_else(|| format!("cannot {name} INT {a} and {b}")),
        (Some(a), Some(b)) => Ok(val(Value::Double(fd(as_f64(&a), as_f64(&b))))),
        _ => Err(format!(
            "cannot {name} {} and {}",
            type_name(lhs),
            type_name(rhs)
        )),
    }
}

fn json_arr(v: &VariableValue) -> Result<Vec<Json>, String> {
    match to_json(v)? {
        Json::Array(a) => Ok(a),
        _ => Err(format!("expected JSON_ARR, got {}", type_name(v))),
    }
}

/// Applies a mutation operator: `lhs OP rhs` (ASSIGN returns `rhs`).
pub(crate) fn operate(
    lhs: &VariableValue,
    op: VariableMutationType,
    rhs: &VariableValue,
) -> Result<VariableValue, String> {
    use VariableMutationType as M;
    match op {
        M::Assign => Ok(rhs.clone()),
        M::Add => match &lhs.value {
            Some(Value::Str(s)) => Ok(val(Value::Str(format!("{s}{}", to_display(rhs))))),
            Some(Value::JsonArr(_)) => {
                let mut a = json_arr(lhs)?;
                a.push(to_json(rhs)?);
                Ok(from_json(&Json::Array(a)))
            }
            _ => arith(lhs, rhs, "add", i64::checked_add, |a, b| a + b),
        },
        M::Subtract => arith(lhs, rhs, "subtract", i64::checked_sub, |a, b| a - b),
        M::Multiply => arith(lhs, rhs, "multiply", i64::checked_mul, |a, b| a * b),
        M::Divide => {
            if matches!(num(rhs), Some(Num::I(0)))
                || matches!(num(rhs), Some(Num::D(d)) if d == 0.0)
            {
                return Err("division by zero".to_string());
            }
            arith(lhs, rhs, "divide", i64::checked_div, |a, b| a / b)
        }
        M::Pow => arith(
            lhs,
            rhs,
            "raise",
            |a, b| u32::try_from(b).ok().and_then(|b| a.checked_pow(b)),
            f64::powf,
        ),
        M::Extend => match (&lhs.value, &rhs.value) {
            (Some(Value::Str(a)), _) => Ok(val(Value::Str(format!("{a}{}", to_display(rhs))))),
            (Some(Value::Bytes(a)), Some(Value::Bytes(b))) => {
                Ok(val(Value::Bytes([a.as_slice(), b.as_slice()].concat())))
            }
            (Some(Value::JsonArr(_)), _) => {
                let mut a = json_arr(lhs)?;
                match to_json(rhs)? {
                    Json::Array(b) => a.extend(b),
                    other => a.push(other),
                }
                Ok(from_json(&Json::Array(a)))
            }
            (None, Some(Value::JsonArr(_))) => Ok(rhs.clone()),
            _ => Err(format!(
                "cannot extend {} with {}",
                type_name(lhs),
                type_name(rhs)
            )),
        },
        M::RemoveIfPresent => {
            let mut a = json_arr(lhs)?;
            let needle = to_json(rhs)?;
            if let Some(i) = a.iter().position(|x| json_eq(x, &needle)) {
                a.remove(i);
            }
            Ok(from_json(&Json::Array(a)))
        }
        M::RemoveIndex => {
            let mut a = json_arr(lhs)?;
            let Some(Num::I(i)) = num(rhs) else {
                return Err(format!(
                    "REMOVE_INDEX needs an INT index, got {}",
                    type_name(rhs)
                ));
            };
            let idx = usize::try_from(i).ok().filter(|i| *i < a.len());
            let Some(idx) = idx else {
                return Err(format!(
                    "index {i} out of bounds for an array of {}",
                    a.len()
                ));
            };
            a.remove(idx);
            Ok(from_json(&Json::Array(a)))
        }
        M::RemoveKey => match to_json(lhs)? {
            Json::Object(mut o) => {
                o.remove(&to_display(rhs));
                Ok(from_json(&Json::Object(o)))
            }
            _ => Err(format!(
                "REMOVE_KEY needs a JSON_OBJ, got {}",
                type_name(lhs)
            )),
        },
        M::And | M::Or => match (&lhs.value, &rhs.value) {
            (Some(Value::Bool(a)), Some(Value::Bool(b))) => Ok(val(Value::Bool(if op == M::And {
                *a && *b
            } else {
                *a || *b
            }))),
            _ => Err(format!(
                "{} needs BOOL operands, got {} and {}",
                op.as_str_name(),
                type_name(lhs),
                type_name(rhs)
            )),
        },
    }
}

/// Coerces the result of a mutation to the declared type of the mutated
/// variable: DOUBLE results are truncated for INT variables, INT results
/// widened for DOUBLE variables; other mismatches are errors.
pub(crate) fn coerce_for_mutation(
    v: VariableValue,
    td: &TypeDefinition,
) -> Result<VariableValue, String> {
    match (primitive_of(td), &v.value) {
        (Some(VariableType::Int), Some(Value::Double(d))) => Ok(val(Value::Int(d.trunc() as i64))),
        _ => coerce_to(v, td),
    }
}

fn ordering(lhs: &VariableValue, rhs: &VariableValue) -> Result<std::cmp::Ordering, String> {
    use std::cmp::Ordering;
    match (&lhs.value, &rhs.value) {
        (None, None) => Ok(Ordering::Equal),
        (None, _) => Ok(Ordering::Less),
        (_, None) => Ok(Ordering::Greater),
        (Some(Value::Str(a)), Some(Value::Str(b))) => Ok(a.cmp(b)),
        (Some(Value::Bool(a)), Some(Value::Bool(b))) => Ok(a.cmp(b)),
        _ => match (num(lhs), num(rhs)) {
            (Some(Num::I(a)), Some(Num::I(b))) => Ok(a.cmp(&b)),
            (Some(a), Some(b)) => as_f64(&a)
                .partial_cmp(&as_f64(&b))
                .ok_or_else(|| "cannot compare NaN".to_string()),
            _ => Err(format!(
                "cannot compare {} with {}",
                type_name(lhs),
                type_name(rhs)
            )),
        },
    }
}

fn equal(lhs: &VariableValue, rhs: &VariableValue) -> Result<bool, String> {
    if let (Some(a), Some(b)) = (num(lhs), num(rhs)) {
        return Ok(as_f64(&a) == as_f64(&b));
    }
    match (&lhs.value, &rhs.value) {
        (None, None) => Ok(true),
        (None, _) | (_, None) => Ok(false),
        _ => Ok(json_eq(&to_json(lhs)?, &to_json(rhs)?)),
    }
}

fn contains(haystack: &VariableValue, needle: &VariableValue) -> Result<bool, String> {
    match &haystack.value {
        Some(Value::Str(s)) => Ok(s.contains(&to_display(needle))),
        Some(Value::JsonArr(_)) | Some(Value::Array(_)) => {
            let n = to_json(needle)?;
            Ok(json_arr(haystack)?.iter().any(|x| json_eq(x, &n)))
        }
        Some(Value::JsonObj(_)) | Some(Value::Map(_)) | Some(Value::Struct(_)) => {
            match to_json(haystack)? {
                Json::Object(o) => Ok(o.contains_key(&to_display(needle))),
                _ => Ok(false),
            }
        }
        _ => Err(format!(
            "cannot look for a value in {}",
            type_name(haystack)
        )),
    }
}

/// Evaluates `lhs CMP rhs`.
pub(crate) fn compare(
    lhs: &VariableValue,
    cmp: Comparator,
    rhs: &VariableValue,
) -> Result<bool, String> {
    use std::cmp::Ordering::*;
    Ok(match cmp {
        Comparator::Equals => equal(lhs, rhs)?,
        Comparator::NotEquals => !equal(lhs, rhs)?,
        Comparator::LessThan => ordering(lhs, rhs)? == Less,
        Comparator::LessThanEq => ordering(lhs, rhs)? != Greater,
        Comparator::GreaterThan => ordering(lhs, rhs)? == Greater,
        Comparator::GreaterThanEq => ordering(lhs, rhs)? != Less,
        Comparator::In => contains(rhs, lhs)?,
        Comparator::NotIn => !contains(rhs, lhs)?,
    })
}

/// The number of elements of a STR, JSON_ARR, JSON_OBJ, ARRAY or MAP (SizeOf).
pub(crate) fn size_of(v: &VariableValue) -> Result<i64, String> {
    let n = match &v.value {
        Some(Value::Str(s)) => s.chars().count(),
        Some(Value::Array(a)) => a.items.len(),
        Some(Value::Map(m)) => m.entries.len(),
        Some(Value::JsonArr(_)) | Some(Value::JsonObj(_)) => match to_json(v)? {
            Json::Array(a) => a.len(),
            Json::Object(o) => o.len(),
            _ => 0,
        },
        _ => return Err(format!("cannot take the size of {}", type_name(v))),
    };
    i64::try_from(n).map_err(|_| "size overflow".to_string())
}

/// Groups the digits of an integer string by thousands: `1234567` → `1,234,567`.
fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats an argument the way Java's `MessageFormat` does for `{n}`:
/// numbers with grouping (`1,234`, `3.142`), other values as text.
fn message_arg(v: &VariableValue) -> String {
    match &v.value {
        Some(Value::Int(i)) => {
            let g = group(&i.unsigned_abs().to_string());
            if *i < 0 { format!("-{g}") } else { g }
        }
        Some(Value::Double(d)) if d.is_finite() => {
            let s = format!("{:.3}", d.abs());
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            let frac = frac.trim_end_matches('0');
            let sign = if *d < 0.0 && (int != "0" || !frac.is_empty()) {
                "-"
            } else {
                ""
            };
            if frac.is_empty() {
                format!("{sign}{}", group(int))
            } else {
                format!("{sign}{}.{frac}", group(int))
            }
        }
        _ => to_display(v),
    }
}

/// Java `MessageFormat.format(template, args)`: `{n}` is replaced by argument
/// n, text between single quotes is literal and `''` is one quote.
pub(crate) fn message_format(template: &str, args: &[VariableValue]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            '\'' => quoted = !quoted,
            '{' if !quoted => {
                let mut spec = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(x) => spec.push(x),
                        None => {
                            return Err(format!("unmatched '{{' in format string \"{template}\""));
                        }
                    }
                }
                let index = spec.split(',').next().unwrap_or("").trim();
                let n: usize = index
                    .parse()
                    .map_err(|_| format!("invalid argument index {{{spec}}} in format string"))?;
                match args.get(n) {
                    Some(arg) => out.push_str(&message_arg(arg)),
                    None => out.push_str(&format!("{{{n}}}")),
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> VariableValue {
        val(Value::Int(i))
    }
    fn s(x: &str) -> VariableValue {
        val(Value::Str(x.to_string()))
    }

    #[test]
    fn arithmetic() {
        use VariableMutationType as M;
        assert_eq!(operate(&int(2), M::Add, &int(3)), Ok(int(5)));
        assert_eq!(operate(&int(7), M::Divide, &int(2)), Ok(int(3)));
        assert_eq!(operate(&int(2), M::Pow, &int(10)), Ok(int(1024)));
        assert_eq!(
            operate(&int(2), M::Add, &val(Value::Double(0.5))),
            Ok(val(Value::Double(2.5)))
        );
        assert!(operate(&int(1), M::Divide, &int(0)).is_err());
        assert_eq!(operate(&s("a"), M::Add, &int(1)), Ok(s("a1")));
    }

    #[test]
    fn json_ops() {
        use VariableMutationType as M;
        let arr = val(Value::JsonArr("[1,2]".into()));
        assert_eq!(
            operate(&arr, M::Extend, &int(3)),
            Ok(val(Value::JsonArr("[1,2,3]".into())))
        );
        assert_eq!(
            operate(&arr, M::RemoveIfPresent, &int(1)),
            Ok(val(Value::JsonArr("[2]".into())))
        );
        assert_eq!(
            operate(&arr, M::RemoveIndex, &int(1)),
            Ok(val(Value::JsonArr("[1]".into())))
        );
        let obj = val(Value::JsonObj(r#"{"a":1,"b":2}"#.into()));
        assert_eq!(
            operate(&obj, M::RemoveKey, &s("a")),
            Ok(val(Value::JsonObj(r#"{"b":2}"#.into())))
        );
        assert_eq!(compare(&int(2), Comparator::In, &arr), Ok(true));
        assert_eq!(compare(&s("b"), Comparator::In, &obj), Ok(true));
    }

    #[test]
    fn comparisons_and_casts() {
        assert_eq!(
            compare(&int(2), Comparator::LessThan, &val(Value::Double(2.5))),
            Ok(true)
        );
        assert_eq!(compare(&null(), Comparator::LessThan, &int(0)), Ok(true));
        assert_eq!(compare(&s("ell"), Comparator::In, &s("hello")), Ok(true));
        assert!(compare(&s("a"), Comparator::LessThan, &int(1)).is_err());
        assert_eq!(cast(s("42"), VariableType::Int), Ok(int(42)));
        assert_eq!(cast(val(Value::Double(2.9)), VariableType::Int), Ok(int(2)));
        assert_eq!(
            cast(val(Value::Double(2.0)), VariableType::Str),
            Ok(s("2.0"))
        );
        assert!(cast(s("x"), VariableType::Int).is_err());
    }

    #[test]
    fn message_format_like_java() {
        let out = message_format(
            "Hi {0}, you have {1} points ({2}) '{'x'}' it''s",
            &[s("Ann"), int(1234), val(Value::Double(2.5))],
        );
        assert_eq!(
            out,
            Ok("Hi Ann, you have 1,234 points (2.5) {x} it's".to_string())
        );
    }
}
