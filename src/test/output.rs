//! What `lhc test` prints: cargo-test-like lines, failures with the `.lhw` line and an
//! expected/actual diff, coverage, the closing lines; or one JSON document.

use std::fmt::Write as _;
use std::time::Duration;

use lhw_compiler::source::LineIndex;
use serde::Serialize;

use super::coverage::Coverage;
use super::exec::CaseResult;
use super::load::Suite;

/// The results of one test file.
pub(crate) struct SuiteResults<'a> {
    pub(crate) suite: &'a Suite,
    pub(crate) cases: Vec<CaseResult>,
}

/// Where a failure is: file, line and column (from 1), and the line's text.
pub(crate) struct Place {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) text: String,
}

pub(crate) fn place(suite: &Suite, span: lhw_compiler::source::Span) -> Place {
    let index = LineIndex::new(&suite.text);
    let (line0, column0) = index.line_col_chars(&suite.text, span.start);
    let (line, column) = (line0 + 1, column0 + 1);
    let text = suite
        .text
        .lines()
        .nth(line0 as usize)
        .unwrap_or_default()
        .to_string();
    Place { line, column, text }
}

/// The line of one test: `test FILE: NAME ... ok`.
pub(crate) fn case_line(suite: &Suite, case: &CaseResult, color: bool) -> String {
    let verdict = match (&case.failure, color) {
        (None, true) => "\x1b[32mok\x1b[0m",
        (None, false) => "ok",
        (Some(_), true) => "\x1b[31mFAILED\x1b[0m",
        (Some(_), false) => "FAILED",
    };
    format!("test {}: {} ... {verdict}", suite.shown, case.name)
}

/// The failures section.
pub(crate) fn failures(results: &[SuiteResults<'_>]) -> String {
    let mut out = String::new();
    let failed: Vec<(&SuiteResults<'_>, &CaseResult)> = results
        .iter()
        .flat_map(|r| r.cases.iter().map(move |c| (r, c)))
        .filter(|(_, c)| c.failure.is_some())
        .collect();
    if failed.is_empty() {
        return out;
    }
    out.push_str("\nfailures:\n");
    for (r, c) in &failed {
        let Some(f) = &c.failure else { continue };
        let p = place(r.suite, f.span);
        let _ = writeln!(out, "\n---- {}: {} ----", r.suite.shown, c.name);
        let _ = writeln!(out, "{}", f.message);
        let _ = writeln!(out, "  --> {}:{}:{}", r.suite.shown, p.line, p.column);
        let width = p.line.to_string().len();
        let _ = writeln!(out, "{:width$} |", "");
        let _ = writeln!(out, "{} | {}", p.line, p.text);
        let _ = writeln!(out, "{:width$} |", "");
        if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
            let _ = writeln!(out, "   expected: {e}");
            let _ = writeln!(out, "     actual: {a}");
        }
        for note in &f.notes {
            let _ = writeln!(out, "   note: {note}");
        }
    }
    out.push_str("\nfailures:\n");
    for (r, c) in &failed {
        let _ = writeln!(out, "    {}: {}", r.suite.shown, c.name);
    }
    out
}

/// The coverage section.
pub(crate) fn coverage(cov: &[Coverage]) -> String {
    let mut out = String::new();
    if cov.is_empty() {
        return out;
    }
    out.push_str("\ncoverage:\n");
    let width = cov.iter().map(|c| c.workflow.len()).max().unwrap_or(0);
    for c in cov {
        let _ = writeln!(
            out,
            "  {:width$}  nodes {}/{} ({})  edges {}/{} ({})",
            c.workflow,
            c.nodes_visited,
            c.nodes_total,
            percent(c.nodes_visited, c.nodes_total),
            c.edges_visited,
            c.edges_total,
            percent(c.edges_visited, c.edges_total),
        );
        for u in &c.unvisited {
            let at = if u.line > 0 {
                format!("{}:{}", u.file, u.line)
            } else {
                "(generated)".to_string()
            };
            let _ = writeln!(
                out,
                "    not reached: {at}  {} (thread {})",
                u.node, u.thread
            );
        }
    }
    out
}

fn percent(a: usize, b: usize) -> String {
    if b == 0 {
        return "100%".into();
    }
    format!("{}%", a * 100 / b)
}

/// The closing lines.
pub(crate) fn summary(
    passed: usize,
    failed: usize,
    filtered: usize,
    broken: usize,
    elapsed: Duration,
) -> String {
    let verdict = if failed == 0 && broken == 0 {
        "ok"
    } else {
        "FAILED"
    };
    let broken_part = if broken > 0 {
        format!(
            "; {broken} test file{} with errors",
            if broken == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    format!(
        "\ntest result: {verdict}. {passed} passed; {failed} failed; {filtered} filtered out{broken_part}; finished in {:.2}s\n{passed} passed, {failed} failed\n",
        elapsed.as_secs_f64()
    )
}

/// `--format json`.
#[derive(Serialize)]
pub(crate) struct JsonReport {
    pub(crate) tests: Vec<JsonTest>,
    pub(crate) broken_files: Vec<String>,
    pub(crate) coverage: Vec<Coverage>,
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) filtered_out: usize,
}

/// One test in `--format json`.
#[derive(Serialize)]
pub(crate) struct JsonTest {
    pub(crate) file: String,
    pub(crate) name: String,
    pub(crate) passed: bool,
    pub(crate) duration_ms: f64,
    pub(crate) failure: Option<JsonFailure>,
}

/// A failure in `--format json`.
#[derive(Serialize)]
pub(crate) struct JsonFailure {
    pub(crate) message: String,
    pub(crate) expected: Option<String>,
    pub(crate) actual: Option<String>,
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) notes: Vec<String>,
}

pub(crate) fn json_tests(results: &[SuiteResults<'_>]) -> Vec<JsonTest> {
    results
        .iter()
        .flat_map(|r| {
            r.cases.iter().map(move |c| JsonTest {
                file: r.suite.shown.clone(),
                name: c.name.clone(),
                passed: c.failure.is_none(),
                duration_ms: c.elapsed.as_secs_f64() * 1000.0,
                failure: c.failure.as_ref().map(|f| {
                    let p = place(r.suite, f.span);
                    JsonFailure {
                        message: f.message.clone(),
                        expected: f.expected.clone(),
                        actual: f.actual.clone(),
                        line: p.line,
                        column: p.column,
                        notes: f.notes.clone(),
                    }
                }),
            })
        })
        .collect()
}
