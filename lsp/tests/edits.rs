//! Random edit sequences through `didChange` never crash the server: the examples are
//! edited (slices inserted and deleted, half-written constructs, brackets, comments, emoji,
//! CRLF), and after every edit the published diagnostics are exactly those
//! `lhw_compiler::check` gives for the text the test expects (so incremental sync applied
//! the edit where the client meant), a request at a random place gets an answer, and no
//! panic is caught.

mod common;

use std::fs;
use std::path::Path;

use common::{Client, position};
use proptest::prelude::*;
use serde_json::{Value, json};

const URI: &str = "file:///edited.lhw";

const PIECES: &[&str] = &[
    "let x = ",
    "await ",
    "spawn t {",
    " catch any {",
    "ask f to group \"g\"",
    "\"unterminated",
    "new s { a: ",
    "map { ",
    "`",
    "/*",
    "*/",
    "//",
    "}",
    "{",
    "(",
    ")",
    ".",
    ":",
    "🎈",
    "é",
    "\r\n",
    "\n",
    "\ntask t(",
    "\nworkflow x {\n",
    " = ",
    "-",
    "if x > {",
    "emit ",
    "sleep ",
];

const METHODS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/prepareRename",
    "textDocument/documentSymbol",
    "textDocument/semanticTokens/full",
    "textDocument/foldingRange",
    "textDocument/codeAction",
];

#[derive(Debug, Clone)]
struct Step {
    at: f64,
    delete: usize,
    insert: String,
    method: usize,
    ask_at: f64,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0.0f64..1.0,
        0usize..16,
        prop_oneof![
            proptest::sample::select(PIECES).prop_map(str::to_string),
            "[a-z(){}.:= \n]{0,8}",
            Just(String::new()),
        ],
        0..METHODS.len(),
        0.0f64..1.0,
    )
        .prop_map(|(at, delete, insert, method, ask_at)| Step {
            at,
            delete,
            insert,
            method,
            ask_at,
        })
}

fn examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "lhw")
                        && !p.to_string_lossy().ends_with(".test.lhw")
                })
                .filter_map(|p| fs::read_to_string(p).ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    assert!(!out.is_empty(), "examples/*.lhw");
    out
}

/// A valid place for a position in `text` near `i`: a char boundary, never between the
/// `\r` and `\n` of a line ending (no LSP position points there).
fn place(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n') {
        i -= 1;
    }
    i
}

/// The diagnostics the server must publish for `text`: code and UTF-16 range.
fn expected(text: &str) -> Vec<(String, Value, Value)> {
    lhw_compiler::check(text)
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                position(text, d.primary.span.start as usize),
                position(text, d.primary.span.end as usize),
            )
        })
        .collect()
}

fn published(diags: &Value) -> Vec<(String, Value, Value)> {
    diags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or("-").to_string(),
                        d["range"]["start"].clone(),
                        d["range"]["end"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn session(sample: usize, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let all = examples();
    let mut text = all[sample % all.len()].clone();
    let mut client = Client::start(json!({})).await;
    let first = client.open(URI, &text).await;
    prop_assert_eq!(published(&first), expected(&text));
    for (i, s) in steps.iter().enumerate() {
        let version = i64::try_from(i).unwrap_or(0) + 2;
        let start = place(&text, (text.len() as f64 * s.at) as usize);
        let end = place(&text, start + s.delete).max(start);
        let params = json!({
            "textDocument": { "uri": URI, "version": version },
            "contentChanges": [{
                "range": { "start": position(&text, start), "end": position(&text, end) },
                "text": s.insert,
            }],
        });
        client.notify("textDocument/didChange", params).await;
        text.replace_range(start..end, &s.insert);
        let diags = client.diagnostics(URI, version).await;
        prop_assert_eq!(
            published(&diags),
            expected(&text),
            "after edit {}:\n{}",
            i,
            text
        );

        let at = position(&text, place(&text, (text.len() as f64 * s.ask_at) as usize));
        let method = METHODS[s.method];
        let params = match method {
            "textDocument/documentSymbol"
            | "textDocument/semanticTokens/full"
            | "textDocument/foldingRange" => json!({ "textDocument": { "uri": URI } }),
            "textDocument/codeAction" => json!({
                "textDocument": { "uri": URI },
                "range": { "start": at, "end": at },
                "context": { "diagnostics": [] },
            }),
            "textDocument/references" => json!({
                "textDocument": { "uri": URI },
                "position": at,
                "context": { "includeDeclaration": true },
            }),
            _ => json!({ "textDocument": { "uri": URI }, "position": at }),
        };
        let answer = client.request(method, params).await;
        prop_assert!(
            answer.get("error").is_none(),
            "{} failed: {}",
            method,
            answer
        );
    }
    prop_assert_eq!(lhw_lsp::panics_caught(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_edit_sequences_never_crash_the_server(
        sample in 0usize..8,
        steps in proptest::collection::vec(step(), 1..10),
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        rt.block_on(session(sample, steps))?;
    }
}
