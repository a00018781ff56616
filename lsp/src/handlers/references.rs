//! `textDocument/references`: uses in the document, and, for LittleHorse-wide names
//! (tasks, events, structs, user tasks, workflows), in the other open documents.

use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// The references to the name at `pos`; `others` are the other open documents.
pub(crate) fn references(
    snap: &Snapshot,
    uri: &lsp::Uri,
    pos: lsp::Position,
    include_declaration: bool,
    others: &[(lsp::Uri, Snapshot)],
) -> Option<Vec<lsp::Location>> {
    let lines = snap.lines();
    let offset = lines.offset(pos)?;
    let mut spans = snap.analysis.references(offset, include_declaration);
    let mut global = snap.analysis.global_at(offset);
    if spans.is_empty()
        && let Some((old, map)) = snap.fallback()
        && let Some(old_offset) = map.to_old(offset)
    {
        spans = old
            .references(old_offset, include_declaration)
            .into_iter()
            .filter_map(|s| map.span_to_new(s))
            .collect();
        global = old.global_at(old_offset);
    }
    let mut out: Vec<lsp::Location> = spans
        .into_iter()
        .map(|span| lsp::Location {
            uri: uri.clone(),
            range: lines.range(span),
        })
        .collect();
    if let Some((kind, name)) = global {
        for (other_uri, other) in others {
            let other_lines = other.lines();
            out.extend(
                other
                    .analysis
                    .global_occurrences(kind, &name)
                    .into_iter()
                    .map(|span| lsp::Location {
                        uri: other_uri.clone(),
                        range: other_lines.range(span),
                    }),
            );
        }
    }
    Some(out)
}
