//! `textDocument/documentSymbol`: the outline, nested.

use lhw_compiler::ide::{DocumentSymbol, SymbolTag};
use tower_lsp_server::ls_types as lsp;

use crate::convert::Lines;
use crate::documents::Snapshot;

fn kind(tag: SymbolTag) -> lsp::SymbolKind {
    match tag {
        SymbolTag::Task => lsp::SymbolKind::FUNCTION,
        SymbolTag::Param | SymbolTag::Variable => lsp::SymbolKind::VARIABLE,
        SymbolTag::Event | SymbolTag::Handler => lsp::SymbolKind::EVENT,
        SymbolTag::Struct => lsp::SymbolKind::STRUCT,
        SymbolTag::Field => lsp::SymbolKind::FIELD,
        SymbolTag::UserTask => lsp::SymbolKind::INTERFACE,
        SymbolTag::Workflow => lsp::SymbolKind::MODULE,
        SymbolTag::Let => lsp::SymbolKind::CONSTANT,
        SymbolTag::Thread => lsp::SymbolKind::METHOD,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
fn convert(lines: Lines<'_>, s: DocumentSymbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: kind(s.tag),
        tags: None,
        deprecated: None,
        range: lines.range(s.span),
        selection_range: lines.range(s.selection),
        children: (!s.children.is_empty())
            .then(|| s.children.into_iter().map(|c| convert(lines, c)).collect()),
    }
}

/// The outline of the document.
pub(crate) fn document_symbols(snap: &Snapshot) -> lsp::DocumentSymbolResponse {
    let lines = snap.lines();
    lsp::DocumentSymbolResponse::Nested(
        snap.analysis
            .document_symbols()
            .into_iter()
            .map(|s| convert(lines, s))
            .collect(),
    )
}
