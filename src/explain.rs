//! `lhc explain`: the long explanation of a diagnostic code, or the list of all codes.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use lhw_compiler::diag::Code;

use crate::cli::ExplainArgs;
use crate::report::Style;

/// Runs `lhc explain`.
pub fn run(args: &ExplainArgs, style: Style) -> ExitCode {
    let json = args.format == crate::cli::ExplainFormat::Json;
    let text = if args.list {
        if json { list_json() } else { list() }
    } else {
        let Some(raw) = args.code.as_deref() else {
            // clap requires CODE or --list; this only guards a changed definition.
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                style.error("give a CODE or --list")
            );
            return ExitCode::from(2);
        };
        match raw.parse::<Code>() {
            Ok(code) if json => {
                let mut entry = entry(code);
                entry.insert("explanation".into(), code.explanation().into());
                format!("{}\n", serde_json::Value::Object(entry))
            }
            Ok(code) => {
                let mut text = code.explanation().to_string();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text
            }
            Err(()) => {
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("unknown error code `{}`", raw.trim()))
                );
                if let Some(close) = close_code(raw.trim()) {
                    let _ = writeln!(
                        stderr,
                        "  {}",
                        style.help(&format!("did you mean `{close}`?"))
                    );
                }
                let _ = writeln!(
                    stderr,
                    "  {}",
                    style.help(&format!(
                        "valid codes are {}; `lhc explain --list` shows them all",
                        valid_ranges()
                    ))
                );
                return ExitCode::FAILURE;
            }
        }
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// The code meant by `E101` (digits left out: `E0101`) or by a code one edit away (`E1010`).
fn close_code(raw: &str) -> Option<&'static str> {
    let upper = raw.to_ascii_uppercase();
    let (letter, digits) = upper.split_at(upper.chars().next().map_or(0, char::len_utf8));
    if !digits.is_empty() && digits.len() < 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        let padded = format!("{letter}{digits:0>4}");
        if let Some(code) = Code::ALL.iter().find(|c| c.as_str() == padded) {
            return Some(code.as_str());
        }
    }
    lhw_compiler::check::closest(&upper, Code::ALL.iter().map(|c| c.as_str()))
}

/// `{"code", "severity", "title"}` of one code.
fn entry(code: Code) -> serde_json::Map<String, serde_json::Value> {
    let severity = match code.severity() {
        lhw_compiler::diag::Severity::Error => "error",
        lhw_compiler::diag::Severity::Warning => "warning",
    };
    let mut m = serde_json::Map::new();
    m.insert("code".into(), code.as_str().into());
    m.insert("severity".into(), severity.into());
    m.insert("title".into(), code.title().into());
    m
}

/// Every code as a JSON array of entries.
fn list_json() -> String {
    let all: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| serde_json::Value::Object(entry(*c)))
        .collect();
    format!("{}\n", serde_json::Value::Array(all))
}

/// One line per code: `E0101  unknown variable`.
fn list() -> String {
    let mut out = String::new();
    for code in Code::ALL {
        let _ = writeln!(out, "{code}  {}", code.title());
    }
    out
}

/// The registry as runs of consecutive codes: `E0001-E0003, E0101-E0108, ..., W0001`.
fn valid_ranges() -> String {
    let mut runs: Vec<(Code, Code)> = Vec::new();
    for &code in Code::ALL {
        match runs.last_mut() {
            Some((_, last)) if follows(*last, code) => *last = code,
            _ => runs.push((code, code)),
        }
    }
    runs.iter()
        .map(|(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when `next` is the code right after `prev` (same letter, number one higher).
fn follows(prev: Code, next: Code) -> bool {
    let split = |c: Code| {
        let s = c.as_str();
        let (letter, digits) = s.split_at(1);
        (letter, digits.parse::<u32>().ok())
    };
    match (split(prev), split(next)) {
        ((lp, Some(np)), (ln, Some(nn))) => lp == ln && nn == np + 1,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_with_digits_left_out_or_one_off_is_suggested() {
        assert_eq!(close_code("E101"), Some("E0101"));
        assert_eq!(close_code("e101"), Some("E0101"));
        assert_eq!(close_code("W1"), Some("W0001"));
        assert_eq!(close_code("E01010"), Some("E0101"));
        assert_eq!(close_code("X9"), None);
    }

    #[test]
    fn ranges_cover_every_code() {
        let ranges = valid_ranges();
        assert!(ranges.starts_with("E0001-"), "{ranges}");
        assert!(ranges.contains("W0001"), "{ranges}");
        assert!(!ranges.contains("E0003-E0101"), "{ranges}");
    }

    #[test]
    fn list_has_one_line_per_code() {
        assert_eq!(list().lines().count(), Code::ALL.len());
        assert!(list().contains("E0101  unknown variable"));
    }
}
