//! `textDocument/definition`.

use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// The definition of the name at `pos`.
pub(crate) fn definition(
    snap: &Snapshot,
    uri: &lsp::Uri,
    pos: lsp::Position,
) -> Option<lsp::GotoDefinitionResponse> {
    let lines = snap.lines();
    let offset = lines.offset(pos)?;
    let span = snap
        .analysis
        .definition(offset)
        .map(|t| t.span)
        .or_else(|| {
            let (old, map) = snap.fallback()?;
            map.span_to_new(old.definition(map.to_old(offset)?)?.span)
        })?;
    Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location {
        uri: uri.clone(),
        range: lines.range(span),
    }))
}
