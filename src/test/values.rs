//! Showing and comparing `VariableValue`s in test output, as `.lhw` literals.

use lhw_proto::littlehorse::VariableValue;
use lhw_proto::littlehorse::variable_value::Value;

/// A value as a `.lhw` literal: `"text"`, `42`, `true`, `null`, JSON as written.
pub(crate) fn show(v: &VariableValue) -> String {
    match &v.value {
        None => "null".to_string(),
        Some(Value::Str(s)) => serde_json::Value::String(s.clone()).to_string(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Double(d)) => {
            if d.fract() == 0.0 && d.abs() < 1e15 {
                format!("{d:.1}")
            } else {
                d.to_string()
            }
        }
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::JsonObj(j) | Value::JsonArr(j)) => serde_json::from_str::<serde_json::Value>(j)
            .map_or_else(|_| j.clone(), |v| v.to_string()),
        Some(other) => format!("{other:?}"),
    }
}

/// Whether two values are equal: JSON by content (key order aside), numbers by value.
pub(crate) fn same(a: &VariableValue, b: &VariableValue) -> bool {
    match (&a.value, &b.value) {
        (
            Some(Value::JsonObj(x) | Value::JsonArr(x)),
            Some(Value::JsonObj(y) | Value::JsonArr(y)),
        ) => {
            match (
                serde_json::from_str::<serde_json::Value>(x),
                serde_json::from_str::<serde_json::Value>(y),
            ) {
                (Ok(x), Ok(y)) => json_same(&x, &y),
                _ => x == y,
            }
        }
        (Some(Value::Int(x)), Some(Value::Double(y)))
        | (Some(Value::Double(y)), Some(Value::Int(x))) => (*x as f64 - y).abs() < f64::EPSILON,
        _ => a == b,
    }
}

fn json_same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_same(a, b))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_same(v, w)))
        }
        _ => a == b,
    }
}

/// `name(a, b)` with the values shown as literals.
pub(crate) fn show_call(task: &str, args: &[VariableValue]) -> String {
    let shown: Vec<String> = args.iter().map(show).collect();
    format!("{task}({})", shown.join(", "))
}

/// A virtual duration since the start of a test: `+0s`, `+2d 3h`, `+1.5s`.
pub(crate) fn show_elapsed(ms: i64) -> String {
    let mut out = Vec::new();
    let mut rest = ms.max(0);
    for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000)] {
        if rest >= size {
            out.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if rest > 0 || out.is_empty() {
        if rest % 1000 == 0 {
            out.push(format!("{}s", rest / 1000));
        } else {
            out.push(format!("{}ms", rest));
        }
    }
    format!("+{}", out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: Value) -> VariableValue {
        VariableValue { value: Some(value) }
    }

    #[test]
    fn json_compares_by_content_and_numbers_by_value() {
        assert!(same(
            &v(Value::JsonObj(r#"{"a":1,"b":[2.0]}"#.into())),
            &v(Value::JsonObj(r#"{"b":[2],"a":1.0}"#.into()))
        ));
        assert!(!same(
            &v(Value::JsonObj(r#"{"a":1}"#.into())),
            &v(Value::JsonObj(r#"{"a":2}"#.into()))
        ));
        assert!(same(&v(Value::Int(3)), &v(Value::Double(3.0))));
        assert!(!same(&v(Value::Str("3".into())), &v(Value::Int(3))));
    }

    #[test]
    fn values_read_as_lhw_literals() {
        assert_eq!(show(&v(Value::Str("a\"b".into()))), r#""a\"b""#);
        assert_eq!(show(&v(Value::Double(2.0))), "2.0");
        assert_eq!(show(&VariableValue::default()), "null");
        assert_eq!(show_elapsed(7 * 86_400_000 + 1000), "+7d 1s");
        assert_eq!(show_elapsed(0), "+0s");
    }
}
