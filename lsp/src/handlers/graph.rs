//! `lhw/graph` (a custom request): the diagram of one workflow of a document, for editors
//! that show it beside the text (the VS Code extension's "Show workflow graph").
//!
//! Params: `{ "textDocument": { "uri" }, "position"?: Position, "workflow"?: string }`: the
//! workflow named, else the one whose declaration holds the position, else the first.
//! Result: `{ "workflow", "workflows": [names], "atCursor": bool, "svg", "mermaid",
//! "error" }`; while the document has errors, `svg` and `mermaid` are null and `error`
//! says why (the editor keeps showing the last diagram).

use lhw_compiler::ast::Item;
use lhw_compiler::diag::Diagnostic;
use lhw_compiler::graph::{self, Format, WfSpecView};
use serde_json::{Value, json};
use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// A parsed `lhw/graph` request.
pub(crate) struct Request {
    /// The document.
    pub(crate) uri: lsp::Uri,
    /// The cursor, if given.
    pub(crate) position: Option<lsp::Position>,
    /// The workflow, if named.
    pub(crate) workflow: Option<String>,
}

impl Request {
    /// Reads the params; `None` when there is no valid `textDocument.uri`.
    pub(crate) fn parse(params: &Value) -> Option<Request> {
        let uri = params
            .get("textDocument")?
            .get("uri")?
            .as_str()?
            .parse::<lsp::Uri>()
            .ok()?;
        let position = params
            .get("position")
            .and_then(|p| serde_json::from_value::<lsp::Position>(p.clone()).ok());
        let workflow = params
            .get("workflow")
            .and_then(Value::as_str)
            .map(str::to_string);
        Some(Request {
            uri,
            position,
            workflow,
        })
    }
}

/// The answer for `req` on `snap`.
pub(crate) fn graph(snap: &Snapshot, req: &Request) -> Value {
    let analysis = &snap.analysis;
    let workflows: Vec<(&str, lhw_compiler::source::Span)> = analysis
        .file()
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Workflow(wf) => Some((wf.name.text.as_str(), wf.span)),
            _ => None,
        })
        .collect();
    let names: Vec<&str> = workflows.iter().map(|(n, _)| *n).collect();
    let offset = req.position.and_then(|p| snap.lines().offset(p));
    let at_cursor = offset.and_then(|o| {
        workflows
            .iter()
            .find(|(_, span)| span.start <= o && o <= span.end)
            .map(|(n, _)| *n)
    });
    let chosen = match &req.workflow {
        Some(name) => names.iter().copied().find(|n| n == name),
        None => at_cursor.or_else(|| names.first().copied()),
    };
    let base = |error: Option<String>| {
        json!({
            "workflow": chosen,
            "workflows": names,
            "atCursor": chosen.is_some() && chosen == at_cursor,
            "svg": Value::Null,
            "mermaid": Value::Null,
            "error": error,
        })
    };
    let Some(chosen) = chosen else {
        let error = match &req.workflow {
            Some(name) => format!("no workflow `{name}` in this file"),
            None => "this file declares no workflow".to_string(),
        };
        return base(Some(error));
    };
    let text = analysis.text();
    let compiled = lhw_compiler::compile(text);
    let Some(output) = compiled.output else {
        let errors: Vec<&Diagnostic> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        let first = errors.first().map_or_else(String::new, |d| {
            let line = analysis.line_index().line_of(d.primary.span.start) + 1;
            format!(": {} {} (line {})", d.code.as_str(), d.message, line)
        });
        return base(Some(format!(
            "{} error{} in the file{first}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        )));
    };
    let Some(spec) = output.wf_specs.iter().find(|w| w.name == chosen) else {
        return base(Some(format!("`{chosen}` did not compile to a WfSpec")));
    };
    let lines = graph::source_lines(&output, chosen, text);
    let g = graph::build(WfSpecView::of_request(spec), &lines);
    let mut answer = base(None);
    answer["svg"] = Value::String(graph::render(&g, Format::Svg));
    answer["mermaid"] = Value::String(graph::render(&g, Format::Mermaid));
    answer
}
