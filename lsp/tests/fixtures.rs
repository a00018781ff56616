//! Fixture tests through the whole server (in process): each `fixtures/<feature>/*.lhw`
//! marks one or more cursor positions with `$0`; the driver opens the file, sends the
//! feature's request at each cursor and snapshots the answers, rendered against the
//! source (ranges as the text they cover) so that a snapshot reads as what an editor shows.
//!
//! Header comments in a fixture: `// crlf` opens it with CRLF line endings; `// rename: X`
//! renames to `X`; `// expect: TEXT` requires TEXT in the rendered answer (a check that a
//! snapshot cannot silently lose).

mod common;

use std::fmt::Write as _;
use std::fs;

use common::{Client, offset, position, range_text};
use serde_json::{Value, json};

const URI: &str = "file:///fixture.lhw";

fn header<'t>(text: &'t str, key: &str) -> Vec<&'t str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("//"))
        .filter_map(|l| l.trim().strip_prefix(key))
        .map(str::trim)
        .collect()
}

fn at(pos: &Value) -> String {
    format!(
        "{}:{}",
        pos["line"].as_u64().unwrap_or(0) + 1,
        pos["character"].as_u64().unwrap_or(0) + 1
    )
}

fn range(text: &str, r: &Value) -> String {
    format!(
        "{} `{}`",
        at(&r["start"]),
        range_text(text, r).escape_debug()
    )
}

/// `text` without its `// expect:` lines, so that a rendered answer never matches an
/// expectation by quoting it.
fn without_expectations(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !l.trim_start().starts_with("// expect:"))
        .collect()
}

/// Applies LSP text edits (of one document) to `text`, dropping its `// expect:` lines.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    spans.sort_by_key(|(a, _, _)| std::cmp::Reverse(*a));
    let mut out = text.to_string();
    for (a, b, new) in spans {
        out.replace_range(a..b, new);
    }
    without_expectations(&out)
}

fn completion_kind(k: u64) -> &'static str {
    match k {
        3 => "function",
        5 => "field",
        6 => "variable",
        2 => "method",
        9 => "module",
        7 => "class",
        12 => "value",
        14 => "keyword",
        15 => "snippet",
        22 => "struct",
        23 => "event",
        25 => "type",
        _ => "other",
    }
}

fn symbol_kind(k: u64) -> &'static str {
    match k {
        2 => "module",
        6 => "method",
        8 => "field",
        11 => "interface",
        12 => "function",
        13 => "variable",
        14 => "constant",
        23 => "struct",
        24 => "event",
        _ => "other",
    }
}

fn render_symbols(text: &str, symbols: &[Value], depth: usize, out: &mut String) {
    for s in symbols {
        let _ = writeln!(
            out,
            "{}{} {}{} (lines {}-{}, name at {})",
            "  ".repeat(depth),
            symbol_kind(s["kind"].as_u64().unwrap_or(0)),
            s["name"].as_str().unwrap_or_default(),
            s["detail"]
                .as_str()
                .map(|d| format!(" [{d}]"))
                .unwrap_or_default(),
            s["range"]["start"]["line"].as_u64().unwrap_or(0) + 1,
            s["range"]["end"]["line"].as_u64().unwrap_or(0) + 1,
            range(text, &s["selectionRange"]),
        );
        if let Some(children) = s["children"].as_array() {
            render_symbols(text, children, depth + 1, out);
        }
    }
}

fn render_tokens(text: &str, data: &[Value], legend: &Value) -> String {
    let mut out = String::new();
    let (mut line, mut col) = (0u64, 0u64);
    let types = legend["tokenTypes"].as_array().cloned().unwrap_or_default();
    let mods = legend["tokenModifiers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for t in data.chunks(5) {
        let n = |i: usize| t.get(i).and_then(Value::as_u64).unwrap_or(0);
        if n(0) > 0 {
            line += n(0);
            col = n(1);
        } else {
            col += n(1);
        }
        let start = json!({ "line": line, "character": col });
        let end = json!({ "line": line, "character": col + n(2) });
        let word = range_text(text, &json!({ "start": start, "end": end }));
        let modifiers: Vec<&str> = mods
            .iter()
            .enumerate()
            .filter(|(i, _)| n(4) & (1 << i) != 0)
            .filter_map(|(_, m)| m.as_str())
            .collect();
        let _ = writeln!(
            out,
            "{} `{}` {}{}",
            at(&start),
            word.escape_debug(),
            types
                .get(n(3) as usize)
                .and_then(Value::as_str)
                .unwrap_or("?"),
            if modifiers.is_empty() {
                String::new()
            } else {
                format!(" [{}]", modifiers.join(", "))
            }
        );
    }
    out
}

fn render_diagnostics(text: &str, diags: &Value) -> String {
    let mut out = String::new();
    for d in diags.as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            out,
            "{} {} at {} ({})\n  {}",
            d["code"].as_str().unwrap_or("-"),
            if d["severity"] == 1 {
                "error"
            } else {
                "warning"
            },
            range(text, &d["range"]),
            d["codeDescription"]["href"].as_str().unwrap_or("no link"),
            d["message"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', "\n  "),
        );
        for r in d["relatedInformation"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let _ = writeln!(
                out,
                "  related: {} {}",
                range(text, &r["location"]["range"]),
                r["message"].as_str().unwrap_or_default()
            );
        }
    }
    out
}

async fn answer(client: &mut Client, feature: &str, text: &str, cursor: &Value) -> String {
    let doc = json!({ "uri": URI });
    let at_cursor = json!({ "textDocument": doc, "position": cursor });
    match feature {
        "hover" => {
            let h = client.request("textDocument/hover", at_cursor).await;
            if h.is_null() {
                return "no hover".to_string();
            }
            format!(
                "hover on {}\n{}",
                range(text, &h["range"]),
                h["contents"]["value"].as_str().unwrap_or_default()
            )
        }
        "definition" => {
            let d = client.request("textDocument/definition", at_cursor).await;
            if d.is_null() {
                return "no definition".to_string();
            }
            format!("definition: {}", range(text, &d["range"]))
        }
        "references" => {
            let mut params = at_cursor;
            params["context"] = json!({ "includeDeclaration": true });
            let refs = client.request("textDocument/references", params).await;
            let mut out = String::from("references (with the declaration):\n");
            for r in refs.as_array().cloned().unwrap_or_default() {
                let _ = writeln!(out, "  {}", range(text, &r["range"]));
            }
            out
        }
        "rename" => {
            let new_name = header(text, "rename:")
                .first()
                .copied()
                .unwrap_or("renamed");
            let prepared = client
                .request("textDocument/prepareRename", at_cursor.clone())
                .await;
            let mut params = at_cursor;
            params["newName"] = json!(new_name);
            let edit = client.request("textDocument/rename", params).await;
            if let Some(err) = edit.get("error") {
                return format!(
                    "prepare: {}\nrename to `{new_name}` refused: {}",
                    range(text, &prepared),
                    err["message"].as_str().unwrap_or_default()
                );
            }
            let edits = edit["changes"][URI].as_array().cloned().unwrap_or_default();
            format!(
                "prepare: {}\nrename to `{new_name}` ({} edits):\n{}",
                range(text, &prepared),
                edits.len(),
                apply_edits(text, &edits)
            )
        }
        "completion" => {
            let items = client.request("textDocument/completion", at_cursor).await;
            let mut out = String::new();
            let items = items.as_array().cloned().unwrap_or_default();
            if let Some(first) = items.first() {
                let _ = writeln!(
                    out,
                    "replacing {}",
                    range(text, &first["textEdit"]["range"])
                );
            }
            for i in &items {
                let _ = writeln!(
                    out,
                    "{} ({}){} => {}",
                    i["label"].as_str().unwrap_or_default(),
                    completion_kind(i["kind"].as_u64().unwrap_or(0)),
                    i["detail"]
                        .as_str()
                        .map(|d| format!(" {d}"))
                        .unwrap_or_default(),
                    i["textEdit"]["newText"]
                        .as_str()
                        .unwrap_or_default()
                        .escape_debug()
                );
            }
            if items.is_empty() {
                out.push_str("no completions\n");
            }
            out
        }
        "code_action" => {
            let params = json!({
                "textDocument": doc,
                "range": { "start": cursor, "end": cursor },
                "context": { "diagnostics": [] },
            });
            let actions = client.request("textDocument/codeAction", params).await;
            let mut out = String::new();
            for a in actions.as_array().cloned().unwrap_or_default() {
                let edits = a["edit"]["changes"][URI]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "== {}{} (fixes {})\n{}",
                    a["title"].as_str().unwrap_or_default(),
                    if a["isPreferred"] == true {
                        " [preferred]"
                    } else {
                        ""
                    },
                    a["diagnostics"][0]["code"].as_str().unwrap_or("-"),
                    apply_edits(text, &edits)
                );
            }
            if out.is_empty() {
                out.push_str("no code actions\n");
            }
            out
        }
        other => panic!("unknown fixture feature {other}"),
    }
}

/// The snapshot of one fixture, and where its answers start in it (after the source).
async fn run_fixture(feature: &str, raw: &str) -> (String, usize) {
    let raw = if header(raw, "crlf").is_empty() {
        raw.to_string()
    } else {
        raw.replace('\n', "\r\n")
    };
    let mut cursors = Vec::new();
    let mut text = String::new();
    let mut rest = raw.as_str();
    while let Some(i) = rest.find("$0") {
        text.push_str(&rest[..i]);
        cursors.push(text.len());
        rest = &rest[i + 2..];
    }
    text.push_str(rest);

    let mut client = Client::start(json!({
        "textDocument": { "publishDiagnostics": { "relatedInformation": true } }
    }))
    .await;
    let init_legend = client.init.clone();
    let diagnostics = client.open(URI, &text).await;
    let mut out = format!("----- SOURCE\n{}\n", raw.replace('\r', "␍"));
    let answers = out.len();
    let doc = json!({ "textDocument": { "uri": URI } });
    match feature {
        "diagnostics" => {
            out.push_str("----- DIAGNOSTICS\n");
            out.push_str(&render_diagnostics(&text, &diagnostics));
        }
        "symbols" => {
            let symbols = client.request("textDocument/documentSymbol", doc).await;
            out.push_str("----- SYMBOLS\n");
            render_symbols(
                &text,
                symbols.as_array().map(Vec::as_slice).unwrap_or(&[]),
                0,
                &mut out,
            );
        }
        "semantic_tokens" => {
            let tokens = client
                .request("textDocument/semanticTokens/full", doc)
                .await;
            let legend = &init_legend["capabilities"]["semanticTokensProvider"]["legend"];
            out.push_str("----- SEMANTIC TOKENS\n");
            out.push_str(&render_tokens(
                &text,
                tokens["data"].as_array().map(Vec::as_slice).unwrap_or(&[]),
                legend,
            ));
        }
        "folding" => {
            let folds = client.request("textDocument/foldingRange", doc).await;
            out.push_str("----- FOLDING RANGES\n");
            let lines: Vec<&str> = text.lines().collect();
            for f in folds.as_array().cloned().unwrap_or_default() {
                let start = f["startLine"].as_u64().unwrap_or(0) as usize;
                let end = f["endLine"].as_u64().unwrap_or(0) as usize;
                let _ = writeln!(
                    out,
                    "lines {}-{} ({}): `{}` .. `{}`",
                    start + 1,
                    end + 1,
                    f["kind"].as_str().unwrap_or("-"),
                    lines.get(start).map_or("", |l| l.trim()),
                    lines.get(end).map_or("", |l| l.trim()),
                );
            }
        }
        _ => {
            assert!(!cursors.is_empty(), "a {feature} fixture needs a $0 cursor");
            for cursor in &cursors {
                let pos = position(&text, *cursor);
                let _ = writeln!(out, "----- {} at {}", feature.to_uppercase(), at(&pos));
                out.push_str(&answer(&mut client, feature, &text, &pos).await);
                out.push('\n');
            }
        }
    }
    assert_eq!(lhw_lsp::panics_caught(), 0, "the server caught a panic");
    (out, answers)
}

#[test]
fn fixtures() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut missing = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("fixtures", "*/*.lhw", |path| {
            let raw = fs::read_to_string(path).expect("fixture is readable UTF-8");
            let feature = path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let (out, answers) = rt.block_on(run_fixture(&feature, &raw));
            for expected in header(&raw, "expect:") {
                if !out[answers..].contains(expected) {
                    missing.push(format!("{}: expected `{expected}`", path.display()));
                }
            }
            insta::assert_snapshot!(feature.as_str(), out);
        });
    });
    assert!(
        missing.is_empty(),
        "fixture expectations failed:\n{}",
        missing.join("\n")
    );
}
