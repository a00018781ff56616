//! `textDocument/hover`.

use lhw_compiler::ide;
use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// The hover at `pos`.
pub(crate) fn hover(snap: &Snapshot, pos: lsp::Position) -> Option<lsp::Hover> {
    let lines = snap.lines();
    let offset = lines.offset(pos)?;
    let found = snap.analysis.hover(offset).or_else(|| {
        let (old, map) = snap.fallback()?;
        let h = old.hover(map.to_old(offset)?)?;
        Some(ide::Hover {
            span: map.span_to_new(h.span)?,
            markdown: h.markdown,
        })
    })?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: found.markdown,
        }),
        range: Some(lines.range(found.span)),
    })
}
