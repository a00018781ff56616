//! Diagnostics snapshots: one `.lhw` fixture per case under `tests/fixtures/diagnostics/`.
//!
//! Each fixture starts with a header naming the codes it must produce, e.g.
//! `// expect: E0101, E0203` (or `// expect: none` for a valid edge case). The driver first
//! asserts the header (so a snapshot can never silently accept a wrong code) and the
//! diagnostic invariants (spans inside the text and on char boundaries, a message and a help
//! on every diagnostic), then snapshots the source echo and the rendered diagnostics.
//!
//! To add a case: write `tests/fixtures/diagnostics/<case>.lhw` with its header, run
//! `INSTA_UPDATE=always cargo test -p lhw-compiler --test diagnostics`, and read the new
//! `compiler/tests/snapshots/diag@<case>.lhw.snap` before keeping it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use lhw_compiler::diag::Code;
use lhw_compiler::diag::render::{RenderOptions, render_all};
use lhw_compiler::source::Span;

/// The codes a fixture's header expects; `None` when the header is missing or malformed.
fn expected_codes(text: &str) -> Option<BTreeSet<String>> {
    let first = text.lines().next()?;
    let list = first
        .trim()
        .strip_prefix("//")?
        .trim()
        .strip_prefix("expect:")?
        .trim();
    if list == "none" {
        return Some(BTreeSet::new());
    }
    let mut codes = BTreeSet::new();
    for part in list.split(',') {
        let part = part.trim();
        let code: Code = part.parse().ok()?;
        codes.insert(code.as_str().to_string());
    }
    (!codes.is_empty()).then_some(codes)
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diagnostics")
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/diagnostics exists")
        .chain(fs::read_dir(test_fixtures_dir()).expect("tests/fixtures/test-diagnostics exists"))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "lhw")
                && (p.starts_with(fixtures_dir()) || p.to_string_lossy().ends_with(".test.lhw"))
        })
        .collect();
    files.sort();
    files
}

/// The snapshot of a fixture: its source and its rendered diagnostics.
fn snapshot_text(diags: &[lhw_compiler::diag::Diagnostic], name: &str, text: &str) -> String {
    let rendered = render_all(
        diags,
        &format!("/fixtures/{name}"),
        text,
        RenderOptions {
            color: false,
            width: 100,
        },
    );
    format!("----- SOURCE\n{text}\n----- DIAGNOSTICS\n{rendered}")
}

/// Test-file fixtures (`*.test.lhw`) and the workflow files they use.
fn test_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/test-diagnostics")
}

/// The diagnostics of a test file, checked against the files it `use`s (read from beside
/// it, as `lhc test` does).
fn test_file_diagnostics(path: &Path, text: &str) -> Vec<lhw_compiler::diag::Diagnostic> {
    let (file, mut diags) = lhw_compiler::test::parse(text);
    let dir = path.parent().expect("a fixture is in a directory");
    let used: Vec<String> = file
        .uses
        .iter()
        .filter_map(|u| fs::read_to_string(dir.join(&u.path)).ok())
        .collect();
    let texts: Vec<&str> = used.iter().map(String::as_str).collect();
    let model = lhw_compiler::test::model_of(&texts);
    let (_, more) = lhw_compiler::test::check(&file, &model);
    diags.extend(more);
    lhw_compiler::diag::sort_and_dedup(&mut diags);
    diags
}

#[test]
fn test_file_diagnostics_snapshots() {
    let mut failures: Vec<String> = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!(
            "../../tests/fixtures/test-diagnostics",
            "*.test.lhw",
            |path| {
                let text = fs::read_to_string(path).expect("fixture is readable UTF-8");
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("fixture.test.lhw");
                let diags = test_file_diagnostics(path, &text);
                match expected_codes(&text) {
                    Some(expected) => {
                        for problem in diagnostic_problems(&text, &diags, &expected) {
                            failures.push(format!("{name}: {problem}"));
                        }
                    }
                    None => failures.push(format!("{name}: missing `expect:` header")),
                }
                let snapshot = snapshot_text(&diags, name, &text);
                insta::assert_snapshot!("test-diag", snapshot);
            }
        );
    });
    assert!(
        failures.is_empty(),
        "test fixture invariants failed:\n{}",
        failures.join("\n")
    );
}

/// Checks that `span` lies inside `text` on char boundaries.
fn check_span(span: Span, text: &str, what: &str, problems: &mut Vec<String>) {
    let (start, end) = (span.start as usize, span.end as usize);
    if start > end
        || end > text.len()
        || !text.is_char_boundary(start)
        || !text.is_char_boundary(end)
    {
        problems.push(format!(
            "{what} span {start}..{end} is not a char range of the text ({} bytes)",
            text.len()
        ));
    }
}

/// The invariants of the diagnostics of a fixture: the header's codes exactly, spans inside
/// the text, a message and a help on each.
fn diagnostic_problems(
    text: &str,
    diags: &[lhw_compiler::diag::Diagnostic],
    expected: &BTreeSet<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let actual: BTreeSet<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
    if actual != *expected {
        problems.push(format!(
            "codes {actual:?} differ from the `expect:` header {expected:?}"
        ));
    }
    for d in diags {
        check_span(
            d.primary.span,
            text,
            &format!("{} primary", d.code),
            &mut problems,
        );
        for s in &d.secondary {
            check_span(
                s.span,
                text,
                &format!("{} secondary", d.code),
                &mut problems,
            );
        }
        if d.message.trim().is_empty() {
            problems.push(format!("{} has an empty message", d.code));
        }
        if d.help.as_deref().is_none_or(|h| h.trim().is_empty()) {
            problems.push(format!("{} `{}` has no help", d.code, d.message));
        }
    }
    problems
}

/// Every invariant a fixture must hold, as a list of problems (empty when all hold).
fn fixture_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(expected) = expected_codes(text) else {
        return vec![
            "the first line must be `// expect: CODE, ...` or `// expect: none`".to_string(),
        ];
    };
    let diags = lhw_compiler::check(text);
    problems.extend(diagnostic_problems(text, &diags, &expected));
    // `compile` reports the same diagnostics, and produces output exactly when there is
    // no error (a fixture with only warnings compiles).
    let compiled = lhw_compiler::compile(text);
    let has_error = diags.iter().any(|d| d.is_error());
    if compiled.output.is_some() == has_error {
        problems.push(format!(
            "compile output present: {}, errors: {has_error}",
            compiled.output.is_some()
        ));
    }
    if compiled.diagnostics != diags {
        problems.push("compile and check report different diagnostics".to_string());
    }
    problems
}

#[test]
fn diagnostics() {
    let mut failures: Vec<String> = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("../../tests/fixtures/diagnostics", "*.lhw", |path| {
            let text = fs::read_to_string(path).expect("fixture is readable UTF-8");
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("fixture.lhw");
            for problem in fixture_problems(&text) {
                failures.push(format!("{name}: {problem}"));
            }
            let diags = lhw_compiler::check(&text);
            let snapshot = snapshot_text(&diags, name, &text);
            insta::assert_snapshot!("diag", snapshot);
        });
    });
    assert!(
        failures.is_empty(),
        "fixture invariants failed:\n{}",
        failures.join("\n")
    );
}

/// Codes no program can trigger yet, each with the reason. A fixture that expects one of
/// them makes this list stale, and the coverage test fails until the entry is removed.
const NOT_YET_REACHABLE: &[(Code, &str)] = &[
    (
        Code::E0004,
        "raised only by the formatter (`lhw_compiler::format`) when its own output would not parse back to the same tree: a formatter bug, never a property of a program",
    ),
    (
        Code::W0030,
        "raised only by the decompiler (`lhw_compiler::decompile`) about a WfSpec, not a source file; compiler/tests/decompile.rs produces it",
    ),
    (
        Code::W0031,
        "raised only by the decompiler (`lhw_compiler::decompile`) about a WfSpec, not a source file; compiler/tests/decompile.rs produces it",
    ),
    (
        Code::W0032,
        "raised only by the decompiler (`lhw_compiler::decompile`) about a WfSpec, not a source file; compiler/tests/decompile.rs produces it",
    ),
];

#[test]
fn every_code_is_expected_by_a_fixture() {
    let mut covered = BTreeSet::new();
    for path in fixture_files() {
        let text = fs::read_to_string(&path).expect("fixture is readable UTF-8");
        let codes = expected_codes(&text)
            .unwrap_or_else(|| panic!("{}: missing or malformed `expect:` header", path.display()));
        covered.extend(codes);
    }
    let exempt: Vec<&str> = NOT_YET_REACHABLE.iter().map(|(c, _)| c.as_str()).collect();
    let stale: Vec<&&str> = exempt.iter().filter(|c| covered.contains(**c)).collect();
    assert!(
        stale.is_empty(),
        "a fixture covers {stale:?}: remove it from NOT_YET_REACHABLE"
    );
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c) && !exempt.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes no fixture expects: {missing:?}");
}

#[test]
fn headers_parse() {
    assert_eq!(expected_codes("// expect: none\n"), Some(BTreeSet::new()));
    assert_eq!(
        expected_codes("// expect: E0101, e0203\n"),
        Some(
            ["E0101".to_string(), "E0203".to_string()]
                .into_iter()
                .collect()
        )
    );
    assert_eq!(expected_codes("// expect: E9999\n"), None);
    assert_eq!(expected_codes("workflow w {}\n"), None);
}
