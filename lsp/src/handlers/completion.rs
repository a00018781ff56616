//! `textDocument/completion`.

use lhw_compiler::ide::{CompletionKind, Completions};
use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

fn kind(k: CompletionKind) -> lsp::CompletionItemKind {
    match k {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
        CompletionKind::Task => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Method => lsp::CompletionItemKind::METHOD,
        CompletionKind::Event => lsp::CompletionItemKind::EVENT,
        CompletionKind::Struct => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Type => lsp::CompletionItemKind::TYPE_PARAMETER,
        CompletionKind::Workflow => lsp::CompletionItemKind::MODULE,
        CompletionKind::UserTask => lsp::CompletionItemKind::CLASS,
        CompletionKind::Value => lsp::CompletionItemKind::VALUE,
    }
}

/// The completions at `pos`.
pub(crate) fn completion(snap: &Snapshot, pos: lsp::Position) -> Option<lsp::CompletionResponse> {
    let lines = snap.lines();
    let offset = lines.offset(pos)?;
    let mut found = snap.analysis.completions(offset);
    if found.items.is_empty()
        && let Some((old, map)) = snap.fallback()
        && let Some(old_offset) = map.to_old(offset)
    {
        let old_found = old.completions(old_offset);
        if let Some(replace) = map.span_to_new(old_found.replace) {
            found = Completions {
                replace,
                items: old_found.items,
            };
        }
    }
    let range = lines.range(found.replace);
    let items = found
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| lsp::CompletionItem {
            label: item.label,
            kind: Some(kind(item.kind)),
            detail: item.detail,
            sort_text: Some(format!("{i:04}")),
            insert_text_format: Some(if item.snippet {
                lsp::InsertTextFormat::SNIPPET
            } else {
                lsp::InsertTextFormat::PLAIN_TEXT
            }),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range,
                new_text: item.insert_text,
            })),
            ..Default::default()
        })
        .collect();
    Some(lsp::CompletionResponse::Array(items))
}
