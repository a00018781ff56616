//! `textDocument/foldingRange`.

use lhw_compiler::ide::FoldKind;
use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// The folding ranges of the document.
pub(crate) fn folding_ranges(snap: &Snapshot) -> Vec<lsp::FoldingRange> {
    snap.analysis
        .folding_ranges()
        .into_iter()
        .map(|f| lsp::FoldingRange {
            start_line: f.start_line,
            end_line: f.end_line,
            kind: Some(match f.kind {
                FoldKind::Region => lsp::FoldingRangeKind::Region,
                FoldKind::Comment => lsp::FoldingRangeKind::Comment,
            }),
            ..Default::default()
        })
        .collect()
}
