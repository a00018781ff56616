//! Document synchronisation through the in-process server: incremental edits with UTF-16
//! ranges (emoji, CRLF), versioned diagnostics where stale results are dropped, the last
//! analysis that parsed answering while the text does not, close, and names shared across
//! open files.

mod common;

use common::{Client, position, range_text};
use serde_json::{Value, json};

const URI: &str = "file:///sync.lhw";

fn change(version: i64, text: &str, from: usize, to: usize, new: &str) -> Value {
    json!({
        "textDocument": { "uri": URI, "version": version },
        "contentChanges": [{
            "range": { "start": position(text, from), "end": position(text, to) },
            "text": new,
        }],
    })
}

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["code"].as_str().unwrap_or("-").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_edits_with_emoji_and_crlf_land_where_the_client_meant() {
    let mut client = Client::start(json!({})).await;
    let mut text = "task greet(name: str) -> str\r\n\r\nworkflow hello {\r\n  input name: str\r\n  var note: str\r\n  note = \"🎈🎈\"\r\n  greet(name)\r\n}\r\n".to_string();
    assert_eq!(codes(&client.open(URI, &text).await), Vec::<String>::new());

    // Replace `name` in `greet(name)` (after a line holding emoji) with `nmae`.
    let call = text.find("greet(name)").expect("call") + "greet(".len();
    client
        .notify(
            "textDocument/didChange",
            change(2, &text, call, call + 4, "nmae"),
        )
        .await;
    text.replace_range(call..call + 4, "nmae");
    let diags = client.diagnostics(URI, 2).await;
    assert_eq!(codes(&diags), ["E0101"]);
    assert_eq!(range_text(&text, &diags[0]["range"]), "nmae");

    // An edit on the emoji line itself: insert after the second emoji.
    let after_emoji = text.find("🎈\"").expect("emoji") + "🎈".len();
    client
        .notify(
            "textDocument/didChange",
            change(3, &text, after_emoji, after_emoji, "{nope}"),
        )
        .await;
    text.insert_str(after_emoji, "{nope}");
    let diags = client.diagnostics(URI, 3).await;
    let expected = lhw_compiler::check(&text);
    assert_eq!(codes(&diags).len(), expected.len(), "{diags}");
    let nope = diags
        .as_array()
        .and_then(|a| a.iter().find(|d| range_text(&text, &d["range"]) == "nope"));
    assert!(nope.is_some(), "E0101 on `nope`: {diags}");
    // Its column counts the emoji as two UTF-16 units each.
    let start = &nope.expect("checked")["range"]["start"];
    assert_eq!(start, &position(&text, text.find("nope").expect("nope")));
    assert_eq!(lhw_lsp::panics_caught(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_published_for_the_latest_version_only() {
    let mut client = Client::start(json!({})).await;
    let mut text = "workflow w {\n  var count: int = 0\n}\n".to_string();
    client.open(URI, &text).await;
    // Ten quick edits, each adding a statement; only increasing versions are published, and
    // the last one is.
    for version in 2..=11 {
        let end = text.rfind('}').expect("brace");
        let line = format!("  count += {version}\n");
        client
            .notify(
                "textDocument/didChange",
                change(version, &text, end, end, &line),
            )
            .await;
        text.insert_str(end, &line);
    }
    let last = client.diagnostics(URI, 11).await;
    assert_eq!(codes(&last), Vec::<String>::new());
    let mut versions: Vec<i64> = client
        .drain()
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .filter_map(|n| n["params"]["version"].as_i64())
        .collect();
    versions.push(11);
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_analysis_that_parsed_answers_while_the_text_does_not() {
    let mut client = Client::start(json!({})).await;
    let mut text =
        "task greet(name: str) -> str\n\nworkflow hello {\n  input name: str\n  greet(name)\n}\n"
            .to_string();
    client.open(URI, &text).await;
    // Remove the workflow's `{`: its body no longer parses as statements.
    let brace = text.find("hello {").expect("header") + "hello ".len();
    client
        .notify(
            "textDocument/didChange",
            change(2, &text, brace, brace + 1, ""),
        )
        .await;
    text.replace_range(brace..brace + 1, "");
    let diags = client.diagnostics(URI, 2).await;
    assert!(codes(&diags).contains(&"E0001".to_string()), "{diags}");

    // Hover and definition on `greet` in the call still answer, from the previous analysis,
    // with ranges in the current text.
    let call = text.rfind("greet(name)").expect("call") + 2;
    let at = json!({ "textDocument": { "uri": URI }, "position": position(&text, call) });
    let hover = client.request("textDocument/hover", at.clone()).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("task greet(name: str) -> str")),
        "{hover}"
    );
    assert_eq!(range_text(&text, &hover["range"]), "greet");
    let def = client.request("textDocument/definition", at).await;
    assert_eq!(range_text(&text, &def["range"]), "greet");
    assert_eq!(def["range"]["start"]["line"], 0);
    assert_eq!(lhw_lsp::panics_caught(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_clears_and_names_are_shared_across_open_files() {
    let mut client = Client::start(json!({})).await;
    let a = "task notify(message: str)\n\nworkflow a {\n  notify(\"a\")\n}\n";
    let b = "task notify(message: str)\n\nworkflow b {\n  notify(\"b\")\n  notify(\"c\")\n}\n";
    client.open("file:///a.lhw", a).await;
    client.open("file:///b.lhw", b).await;

    let at = json!({
        "textDocument": { "uri": "file:///a.lhw" },
        "position": position(a, a.rfind("notify").expect("call")),
        "context": { "includeDeclaration": true },
    });
    let refs = client.request("textDocument/references", at.clone()).await;
    let in_b = refs
        .as_array()
        .map(|r| r.iter().filter(|l| l["uri"] == "file:///b.lhw").count())
        .unwrap_or_default();
    assert_eq!(in_b, 3, "{refs}");

    let mut rename = at;
    rename["newName"] = json!("alert");
    let edit = client.request("textDocument/rename", rename).await;
    assert_eq!(
        edit["changes"]["file:///a.lhw"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        edit["changes"]["file:///b.lhw"].as_array().map(Vec::len),
        Some(3)
    );

    client
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": "file:///b.lhw" } }),
        )
        .await;
    let cleared = client
        .drain()
        .into_iter()
        .chain(std::iter::once(Value::Null))
        .find(|n| n["params"]["uri"] == "file:///b.lhw");
    let cleared = match cleared {
        Some(n) if !n.is_null() => n,
        _ => {
            // The notification may still be on its way.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            client
                .drain()
                .into_iter()
                .find(|n| n["params"]["uri"] == "file:///b.lhw")
                .unwrap_or(Value::Null)
        }
    };
    assert_eq!(cleared["params"]["diagnostics"], json!([]), "{cleared}");
    // A request on a closed document has no answer.
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": "file:///b.lhw" }, "position": { "line": 3, "character": 3 } }),
        )
        .await;
    assert!(hover.is_null());
}

/// Formatting answers with one edit replacing the document by the formatter's output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_replaces_the_document_with_the_formatter_output() {
    let mut client = Client::start(json!({})).await;
    assert_eq!(
        client.init["capabilities"]["documentFormattingProvider"],
        true
    );
    let text = "task greet(name:str)->str\nworkflow hello{\ninput name:str\ngreet(name)\n}\n";
    client.open(URI, text).await;
    let edits = client
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
        )
        .await;
    let formatted = lhw_compiler::format::format(text).expect("formats");
    let expected = if formatted == text {
        json!([])
    } else {
        json!([{ "range": { "start": position(text, 0), "end": position(text, text.len()) }, "newText": formatted }])
    };
    assert_eq!(edits, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_link_can_point_elsewhere() {
    let mut client = Client::start_with(
        json!({}),
        json!({ "errorDocsBaseUrl": "file:///checkout/docs/errors/" }),
    )
    .await;
    let diags = client.open(URI, "workflow w {\n  cuont += 1\n}\n").await;
    assert_eq!(
        diags[0]["codeDescription"]["href"],
        "file:///checkout/docs/errors/E0101.md"
    );
}
