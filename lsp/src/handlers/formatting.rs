//! `textDocument/formatting`, through the compiler's formatter (see `crate::formatting`).

use lhw_compiler::source::Span;
use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// One edit replacing the whole document with its formatted text; none when it is already
/// formatted or cannot be formatted.
pub(crate) fn formatting(snap: &Snapshot) -> Option<Vec<lsp::TextEdit>> {
    let text = snap.analysis.text();
    let formatted = crate::formatting::format(text)?;
    if formatted == text {
        return Some(Vec::new());
    }
    let lines = snap.lines();
    Some(vec![lsp::TextEdit {
        range: lines.range(Span::new(0, text.len())),
        new_text: formatted,
    }])
}
