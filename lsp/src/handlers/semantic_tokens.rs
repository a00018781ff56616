//! `textDocument/semanticTokens/full`: the compiler's tokens, delta-encoded in UTF-16.

use lhw_compiler::ide::TokenType;
use tower_lsp_server::ls_types as lsp;

use crate::documents::Snapshot;

/// The semantic tokens of the document.
pub(crate) fn semantic_tokens(snap: &Snapshot) -> lsp::SemanticTokensResult {
    let lines = snap.lines();
    let text = snap.analysis.text();
    let mut data = Vec::new();
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for token in snap.analysis.semantic_tokens() {
        let start = lines.position(token.span.start);
        let length = text
            .get(token.span.start as usize..token.span.end as usize)
            .map_or(0, |s| s.encode_utf16().count());
        // Tokens come in order and never overlap, so the deltas are never negative.
        let delta_line = start.line.saturating_sub(prev_line);
        let delta_start = if delta_line == 0 {
            start.character.saturating_sub(prev_start)
        } else {
            start.character
        };
        let token_type = TokenType::ALL
            .iter()
            .position(|t| *t == token.token_type)
            .unwrap_or_default();
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: u32::try_from(length).unwrap_or(u32::MAX),
            token_type: u32::try_from(token_type).unwrap_or_default(),
            token_modifiers_bitset: token.modifiers,
        });
        (prev_line, prev_start) = (start.line, start.character);
    }
    lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
        result_id: None,
        data,
    })
}
