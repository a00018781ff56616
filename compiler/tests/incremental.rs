//! Incremental analysis gives the same answers as analysis from scratch: random edit
//! sequences (inserted and deleted slices, half-written constructs, stray braces and
//! comments) applied to the examples, each version parsed re-using the previous version's
//! chunks, must give the same syntax tree and diagnostics as a fresh parse; and an
//! `ide::Analysis` updated edit by edit reports exactly what `lhw_compiler::check` reports.

use std::fs;
use std::path::Path;

use lhw_compiler::ide::Analysis;
use lhw_compiler::syntax;
use proptest::prelude::*;

fn samples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out: Vec<String> = fs::read_dir(dir)
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "lhw") && !p.to_string_lossy().ends_with(".test.lhw")
        })
        .filter_map(|p| fs::read_to_string(p).ok())
        .collect();
    out.sort();
    out.push(
        "task a(x: int) -> int\n/* task hidden()\n*/\nworkflow w {\n  var n: int = 0\n  n = a(n)\n  if n > 1 {\n    n -= 1\n  }\n}\nextern\nevent e: str\nworkflow v {\n  let x = await e\n}\n"
            .to_string(),
    );
    out
}

/// Pieces an editor session inserts: whole and half constructs, brackets, comments,
/// declaration keywords at line starts, multi-byte text.
const PIECES: &[&str] = &[
    "\ntask t(",
    "\nworkflow x {\n",
    "}",
    "{",
    "\n}\n",
    "(",
    ")",
    "\"",
    "/*",
    "*/",
    "//",
    "\n",
    "\r\n",
    " = ",
    "let y = a(",
    "if n > {",
    "\nstruct s { f: int }\n",
    "🎈",
    "é",
    "-",
    ".",
    "extern ",
    "event",
    "\nuser-task u { ok: bool }\n",
];

#[derive(Debug, Clone)]
struct Edit {
    at: f64,
    delete: usize,
    insert: String,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    (
        0.0f64..1.0,
        0usize..12,
        prop_oneof![
            proptest::sample::select(PIECES).prop_map(str::to_string),
            "[a-z{}() \n]{0,6}",
            Just(String::new()),
        ],
    )
        .prop_map(|(at, delete, insert)| Edit { at, delete, insert })
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, e: &Edit) -> String {
    let start = floor(text, (text.len() as f64 * e.at) as usize);
    let end = floor(text, start + e.delete).max(start);
    format!("{}{}{}", &text[..start], e.insert, &text[end..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn incremental_parse_and_analysis_equal_fresh_ones(
        sample in 0usize..5,
        edits in proptest::collection::vec(edit_strategy(), 1..12),
    ) {
        let all = samples();
        let mut text = all[sample % all.len()].clone();
        let mut parsed = syntax::parse_incremental(&text, None);
        let mut analysis = Analysis::new(&text);
        for e in &edits {
            let next = apply(&text, e);
            let incremental = syntax::parse_incremental(&next, Some((&text, &parsed)));
            let fresh = syntax::parse_incremental(&next, None);
            prop_assert_eq!(&incremental.file, &fresh.file, "text:\n{}", next);
            prop_assert_eq!(&incremental.diagnostics, &fresh.diagnostics);
            prop_assert_eq!(&incremental.chunks, &fresh.chunks);
            analysis = analysis.update(&next);
            let expected = lhw_compiler::check(&next);
            prop_assert_eq!(analysis.diagnostics(), expected.as_slice());
            text = next;
            parsed = incremental;
        }
    }
}

#[test]
fn chunks_moved_by_an_edit_have_their_spans_shifted() {
    let text = "task a()\n\nworkflow w {\n  a()\n  b()\n}\n\nworkflow v {\n  a()\n}\n";
    let before = syntax::parse_incremental(text, None);
    // An edit in the first chunk moves the two workflows, which are re-used.
    let edited = text.replacen("task a()", "task a(x: int, 🎈y: str)", 1);
    let after = syntax::parse_incremental(&edited, Some((text, &before)));
    let fresh = syntax::parse_incremental(&edited, None);
    assert_eq!(after.chunks.len(), 3);
    assert_eq!(after.file, fresh.file);
    assert_eq!(after.diagnostics, fresh.diagnostics);
    assert!(
        !after.diagnostics.is_empty(),
        "the edit leaves errors to shift"
    );
}

#[test]
fn a_chunk_left_open_at_the_end_is_parsed_again_when_a_declaration_follows() {
    let text = "task a()\nworkflow w {\n  a()\n";
    let before = syntax::parse_incremental(text, None);
    let edited = format!("{text}task b()\n");
    let after = syntax::parse_incremental(&edited, Some((text, &before)));
    assert_eq!(
        after.diagnostics,
        syntax::parse_incremental(&edited, None).diagnostics
    );
    let labels: Vec<&str> = after
        .diagnostics
        .iter()
        .flat_map(|d| d.secondary.iter().map(|l| l.message.as_str()))
        .collect();
    assert_eq!(labels, ["a new declaration starts here"]);
}
