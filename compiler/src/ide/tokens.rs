//! Semantic tokens: every word classified by what it resolved to (a task, a variable, an
//! event, ...) or as a keyword or type, plus strings, numbers and comments. Tokens never
//! span lines.

use std::collections::HashMap;

use super::Analysis;
use super::lexer::{TokenKind, lex};
use crate::check::SymbolKind;
use crate::source::Span;

/// Whether `word` is a keyword where a statement or declaration uses it: one of the
/// grammar's reserved words or its contextual ones.
fn is_keyword(word: &str) -> bool {
    lhw_grammar::RESERVED_WORDS.contains(&word) || lhw_grammar::CONTEXTUAL_WORDS.contains(&word)
}

/// The primitive type names.
pub(super) const PRIMITIVE_TYPES: &[&str] = &[
    "str",
    "int",
    "double",
    "bool",
    "json-obj",
    "json-arr",
    "json",
    "bytes",
    "timestamp",
    "wf-run-id",
];

/// What a token is, for highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// A keyword.
    Keyword,
    /// A primitive type.
    Type,
    /// A struct.
    Struct,
    /// A task.
    Function,
    /// A task parameter.
    Parameter,
    /// A variable, step output or thread input.
    Variable,
    /// A struct or form field.
    Property,
    /// An event or workflow event.
    Event,
    /// A string.
    String,
    /// A number or duration.
    Number,
    /// A comment.
    Comment,
    /// A workflow.
    Namespace,
    /// A thread, or a user task form.
    Class,
}

impl TokenType {
    /// Every token type, in the order editors are told about them (the legend).
    pub const ALL: &'static [TokenType] = &[
        TokenType::Keyword,
        TokenType::Type,
        TokenType::Struct,
        TokenType::Function,
        TokenType::Parameter,
        TokenType::Variable,
        TokenType::Property,
        TokenType::Event,
        TokenType::String,
        TokenType::Number,
        TokenType::Comment,
        TokenType::Namespace,
        TokenType::Class,
    ];
}

/// Extra facts about a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenModifier {
    /// The token defines the name.
    Declaration,
    /// The name cannot be assigned (a step output, a thread input).
    Readonly,
}

impl TokenModifier {
    /// Every modifier, in legend order (bit `i` of [`SemanticToken::modifiers`] is
    /// `ALL[i]`).
    pub const ALL: &'static [TokenModifier] =
        &[TokenModifier::Declaration, TokenModifier::Readonly];

    /// The modifier's bit.
    #[must_use]
    pub fn bit(self) -> u32 {
        match self {
            TokenModifier::Declaration => 1,
            TokenModifier::Readonly => 2,
        }
    }
}

/// One highlighted token, on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    /// Where it is (never across a line break).
    pub span: Span,
    /// What it is.
    pub token_type: TokenType,
    /// [`TokenModifier`] bits.
    pub modifiers: u32,
}

fn symbol_token(kind: SymbolKind) -> (TokenType, u32) {
    let readonly = TokenModifier::Readonly.bit();
    match kind {
        SymbolKind::Task => (TokenType::Function, 0),
        SymbolKind::Param => (TokenType::Parameter, 0),
        SymbolKind::Event | SymbolKind::WorkflowEvent => (TokenType::Event, 0),
        SymbolKind::Struct => (TokenType::Struct, 0),
        SymbolKind::Field | SymbolKind::FormField => (TokenType::Property, 0),
        SymbolKind::UserTask | SymbolKind::Thread => (TokenType::Class, 0),
        SymbolKind::Workflow => (TokenType::Namespace, 0),
        SymbolKind::Variable => (TokenType::Variable, 0),
        SymbolKind::Let | SymbolKind::Binding => (TokenType::Variable, readonly),
    }
}

impl Analysis {
    /// The semantic tokens of the file, in order.
    #[must_use]
    pub fn semantic_tokens(&self) -> Vec<SemanticToken> {
        let mut names: HashMap<u32, (TokenType, u32)> = HashMap::new();
        for s in &self.index.symbols {
            let (t, m) = symbol_token(s.kind);
            names.insert(s.span.start, (t, m | TokenModifier::Declaration.bit()));
        }
        for r in &self.index.references {
            if let Some(s) = self.index.symbol_at_span(r.target) {
                names.insert(r.span.start, symbol_token(s.kind));
            }
        }
        let mut out = Vec::new();
        for token in lex(&self.text) {
            let (token_type, modifiers) = match token.kind {
                TokenKind::Word => {
                    let word = self.slice(token.span);
                    match names.get(&token.span.start) {
                        Some(&found) => found,
                        None if PRIMITIVE_TYPES.contains(&word) => (TokenType::Type, 0),
                        None if is_keyword(word) => (TokenType::Keyword, 0),
                        None => continue,
                    }
                }
                TokenKind::Number => (TokenType::Number, 0),
                TokenKind::Str => (TokenType::String, 0),
                TokenKind::Comment => (TokenType::Comment, 0),
                TokenKind::Punct => continue,
            };
            // Split a token that spans lines (a block comment) into one per line.
            let mut start = token.span.start;
            let text = self.slice(token.span);
            // A line ends at `\n`, `\r\n` or a lone `\r` (`source::LineIndex`).
            let bytes = text.as_bytes();
            let breaks = bytes
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')));
            for (i, _) in breaks {
                let end = token.span.start + u32::try_from(i).unwrap_or(0);
                let piece_end = if bytes.get(i) == Some(&b'\n')
                    && self.text.as_bytes().get(end.saturating_sub(1) as usize) == Some(&b'\r')
                {
                    end - 1
                } else {
                    end
                };
                if piece_end > start {
                    out.push(SemanticToken {
                        span: Span {
                            start,
                            end: piece_end,
                        },
                        token_type,
                        modifiers,
                    });
                }
                start = end + 1;
            }
            if token.span.end > start {
                out.push(SemanticToken {
                    span: Span {
                        start,
                        end: token.span.end,
                    },
                    token_type,
                    modifiers,
                });
            }
        }
        out
    }
}
