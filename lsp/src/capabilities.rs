//! What the server advertises in its `initialize` answer.

use lhw_compiler::ide::{TokenModifier, TokenType};
use tower_lsp_server::ls_types as lsp;

/// The LSP name of a token type.
pub(crate) fn token_type(t: TokenType) -> lsp::SemanticTokenType {
    match t {
        TokenType::Keyword => lsp::SemanticTokenType::KEYWORD,
        TokenType::Type => lsp::SemanticTokenType::TYPE,
        TokenType::Struct => lsp::SemanticTokenType::STRUCT,
        TokenType::Function => lsp::SemanticTokenType::FUNCTION,
        TokenType::Parameter => lsp::SemanticTokenType::PARAMETER,
        TokenType::Variable => lsp::SemanticTokenType::VARIABLE,
        TokenType::Property => lsp::SemanticTokenType::PROPERTY,
        TokenType::Event => lsp::SemanticTokenType::EVENT,
        TokenType::String => lsp::SemanticTokenType::STRING,
        TokenType::Number => lsp::SemanticTokenType::NUMBER,
        TokenType::Comment => lsp::SemanticTokenType::COMMENT,
        TokenType::Namespace => lsp::SemanticTokenType::NAMESPACE,
        TokenType::Class => lsp::SemanticTokenType::CLASS,
    }
}

/// The LSP name of a token modifier.
fn token_modifier(m: TokenModifier) -> lsp::SemanticTokenModifier {
    match m {
        TokenModifier::Declaration => lsp::SemanticTokenModifier::DECLARATION,
        TokenModifier::Readonly => lsp::SemanticTokenModifier::READONLY,
    }
}

/// The semantic token legend: types and modifiers in the order the compiler numbers them.
pub(crate) fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TokenType::ALL.iter().map(|t| token_type(*t)).collect(),
        token_modifiers: TokenModifier::ALL
            .iter()
            .map(|m| token_modifier(*m))
            .collect(),
    }
}

/// The server's capabilities: incremental sync with UTF-16 positions, diagnostics on open,
/// change and save, hover, definition, references, rename (with prepare), completion,
/// document symbols, full semantic tokens, folding ranges and quick fixes; formatting when
/// the compiler's formatter is built in.
#[must_use]
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), ":".to_string()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: legend(),
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: Some(false),
                    ..Default::default()
                },
            ),
        ),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}
