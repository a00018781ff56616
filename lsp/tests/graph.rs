//! `lhw/graph`: the diagram of the workflow under the cursor (or named), as SVG and Mermaid,
//! an error while the document does not compile, and invalid params refused.

mod common;

use common::{Client, position};
use serde_json::json;

const URI: &str = "file:///graph.lhw";

const TEXT: &str = "task greet(name: str) -> str\n\nworkflow first {\n  greet(\"a\")\n}\n\nworkflow second {\n  input n: int\n  if n > 2 {\n    greet(\"big\")\n  }\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_under_the_cursor_is_drawn() {
    let mut client = Client::start(json!({})).await;
    client.open(URI, TEXT).await;

    let inside_second = TEXT.find("n > 2").expect("condition");
    let answer = client
        .request(
            "lhw/graph",
            json!({ "textDocument": { "uri": URI }, "position": position(TEXT, inside_second) }),
        )
        .await;
    assert_eq!(answer["workflow"], "second", "{answer}");
    assert_eq!(answer["workflows"], json!(["first", "second"]));
    assert_eq!(answer["atCursor"], true);
    assert_eq!(answer["error"], json!(null));
    let svg = answer["svg"].as_str().expect("svg");
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.contains(">n &gt; 2</text>"), "{svg}");
    assert!(svg.contains("(line 10)"), "{svg}");
    let mermaid = answer["mermaid"].as_str().expect("mermaid");
    assert!(mermaid.starts_with("flowchart TB\n"), "{mermaid}");

    // Outside every workflow: the first, not at the cursor; by name: that one.
    let answer = client
        .request(
            "lhw/graph",
            json!({ "textDocument": { "uri": URI }, "position": position(TEXT, 0) }),
        )
        .await;
    assert_eq!(answer["workflow"], "first", "{answer}");
    assert_eq!(answer["atCursor"], false);
    let answer = client
        .request(
            "lhw/graph",
            json!({ "textDocument": { "uri": URI }, "workflow": "second" }),
        )
        .await;
    assert_eq!(answer["workflow"], "second", "{answer}");
    let answer = client
        .request(
            "lhw/graph",
            json!({ "textDocument": { "uri": URI }, "workflow": "third" }),
        )
        .await;
    assert_eq!(
        answer["error"], "no workflow `third` in this file",
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_with_errors_answers_why_and_bad_params_are_refused() {
    let mut client = Client::start(json!({})).await;
    let bad = "workflow w {\n  cuont += 1\n}\n";
    client.open("file:///bad.lhw", bad).await;
    let answer = client
        .request(
            "lhw/graph",
            json!({ "textDocument": { "uri": "file:///bad.lhw" } }),
        )
        .await;
    assert_eq!(answer["workflow"], "w", "{answer}");
    assert_eq!(answer["svg"], json!(null));
    let error = answer["error"].as_str().expect("error");
    assert!(error.starts_with("1 error in the file: E0101"), "{error}");
    assert!(error.ends_with("(line 2)"), "{error}");

    let answer = client
        .request(
            "lhw/graph",
            json!({ "textDocument": { "uri": "file:///not-open.lhw" } }),
        )
        .await;
    assert_eq!(answer, json!(null));

    let answer = client.request("lhw/graph", json!({ "position": 3 })).await;
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
}
