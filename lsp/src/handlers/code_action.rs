//! `textDocument/codeAction`: quick fixes for the diagnostics in the requested range.

use std::collections::HashMap;

use tower_lsp_server::ls_types as lsp;

use crate::convert::text_edit;
use crate::diagnostics::{Options, to_lsp};
use crate::documents::Snapshot;

/// The quick fixes for the diagnostics that touch `range`.
pub(crate) fn code_actions(
    snap: &Snapshot,
    uri: &lsp::Uri,
    range: lsp::Range,
    opts: &Options,
) -> Option<lsp::CodeActionResponse> {
    let lines = snap.lines();
    let span = lines.span(range)?;
    let mut out = Vec::new();
    for diag in snap.analysis.diagnostics() {
        let d = diag.primary.span;
        if d.start > span.end || d.end < span.start {
            continue;
        }
        for action in snap.analysis.code_actions(diag) {
            let edits = action.edits.iter().map(|e| text_edit(lines, e)).collect();
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: action.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(diag, lines, uri, opts)]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: action.preferred.then_some(true),
                ..Default::default()
            }));
        }
    }
    Some(out)
}
