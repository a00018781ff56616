//! `textDocument/prepareRename` and `textDocument/rename`: a name and its uses in the
//! document, and, for LittleHorse-wide names, in the other open documents.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

use crate::convert::text_edit;
use crate::documents::Snapshot;

/// The range of the name at `pos`, if it can be renamed.
pub(crate) fn prepare(snap: &Snapshot, pos: lsp::Position) -> Option<lsp::PrepareRenameResponse> {
    let lines = snap.lines();
    let span = snap.analysis.prepare_rename(lines.offset(pos)?)?;
    Some(lsp::PrepareRenameResponse::Range(lines.range(span)))
}

/// The edits renaming the name at `pos` to `new_name`; `others` are the other open
/// documents.
pub(crate) fn rename(
    snap: &Snapshot,
    uri: &lsp::Uri,
    pos: lsp::Position,
    new_name: &str,
    others: &[(lsp::Uri, Snapshot)],
) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
    let lines = snap.lines();
    let Some(offset) = lines.offset(pos) else {
        return Ok(None);
    };
    let edits = snap
        .analysis
        .rename(offset, new_name)
        .map_err(|e| jsonrpc::Error::invalid_params(e.to_string()))?;
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    changes.insert(
        uri.clone(),
        edits.iter().map(|e| text_edit(lines, e)).collect(),
    );
    if let Some((kind, old_name)) = snap.analysis.global_at(offset) {
        for (other_uri, other) in others {
            let edits = other.analysis.rename_global(kind, &old_name, new_name);
            if !edits.is_empty() {
                let other_lines = other.lines();
                changes.insert(
                    other_uri.clone(),
                    edits.iter().map(|e| text_edit(other_lines, e)).collect(),
                );
            }
        }
    }
    Ok(Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }))
}
