//! How inspection commands print: aligned tables and `key: value` blocks, status names,
//! timestamps, and masked values replaced by `(masked)`.

use std::io::Write as _;

use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{LhStatus, TaskStatus, UserTaskRunStatus, VariableValue};
use lhw_runtime_client::values::format_value;
use serde::Serialize;

use super::exec::{Fail, Res};

pub(crate) fn print_json<T: Serialize>(value: &T) -> Res {
    let text = lhw_proto::try_to_json_pretty(value)
        .map_err(|e| Fail::Msg(format!("cannot print the answer as JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

pub(crate) fn print_text(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Columns padded to their widest cell (in characters), two spaces apart.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// `key: value` lines with the keys aligned.
pub(crate) fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(k, v)| format!("{k}:{} {v}\n", " ".repeat(width - k.len())))
        .collect()
}

pub(crate) fn status_name(status: i32) -> &'static str {
    LhStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

pub(crate) fn task_status_name(status: i32) -> &'static str {
    TaskStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

pub(crate) fn user_task_status_name(status: i32) -> &'static str {
    UserTaskRunStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

pub(crate) fn time<T: Serialize>(ts: Option<&T>) -> String {
    ts.and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "-".into())
}

/// The value shown in place of a masked one.
pub(crate) const MASKED: &str = "(masked)";

pub(crate) fn masked_value() -> VariableValue {
    VariableValue {
        value: Some(Value::Str(MASKED.into())),
    }
}

pub(crate) fn shown(v: Option<&VariableValue>, masked: bool) -> String {
    if masked {
        MASKED.into()
    } else {
        format_value(v)
    }
}

pub(crate) fn opt(s: Option<&String>) -> String {
    s.filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "-".into())
}

/// Whether a variable was generated for a node (sdk-java's `<position>-<name>-<NODE_TYPE>`,
/// e.g. the thread list `2-picker-START_MULTIPLE_THREADS`) rather than declared in the
/// workflow: tables leave these out, JSON keeps everything.
pub(crate) fn is_generated_variable(name: &str) -> bool {
    let Some((position, rest)) = name.split_once('-') else {
        return false;
    };
    let Some((_, kind)) = rest.rsplit_once('-') else {
        return false;
    };
    !position.is_empty()
        && position.chars().all(|c| c.is_ascii_digit())
        && kind.starts_with(|c: char| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_variables_are_told_from_declared_ones() {
        assert!(is_generated_variable("2-picker-START_MULTIPLE_THREADS"));
        assert!(!is_generated_variable("order-id"));
        assert!(!is_generated_variable("INPUT"));
        assert!(!is_generated_variable("2-fast-lane"));
    }

    #[test]
    fn tables_pad_columns_and_trim_lines() {
        let t = table(
            &["A", "LONG HEADER", "C"],
            &[vec!["xyz".into(), "1".into(), String::new()]],
        );
        assert_eq!(t, "A    LONG HEADER  C\nxyz  1\n");
    }
}
