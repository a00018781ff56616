//! A forgiving lexer for editor features: words, numbers, strings (with the code in their
//! `{holes}` lexed as code), comments and punctuation, with byte spans. It never fails and
//! needs no valid syntax, so it works on text being typed.

use crate::source::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A name or keyword (`charge-card`, `if`, `` `fail` ``).
    Word,
    /// A number or a duration (`42`, `2.5`, `30s`).
    Number,
    /// A piece of a string literal, with its quotes (a string with holes is several pieces).
    Str,
    /// A line or block comment.
    Comment,
    /// Any other character (`{`, `.`, `=`, ...).
    Punct,
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// Lexes `text`; the tokens are in order and do not overlap. Whitespace is skipped.
#[must_use]
pub fn lex(text: &str) -> Vec<Token> {
    let mut lx = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: Vec::new(),
    };
    lx.code(false);
    lx.out
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    out: Vec<Token>,
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn push(&mut self, kind: TokenKind, start: usize) {
        self.out.push(Token {
            kind,
            span: Span::new(start, self.pos),
        });
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// Code, up to the end of the text, or (inside a string hole) up to the `}` that closes
    /// the hole, which is left unconsumed.
    fn code(&mut self, in_hole: bool) {
        let mut depth = 0usize;
        while let Some(b) = self.peek(0) {
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.peek(1) == Some(b'/') => {
                    while self.peek(0).is_some_and(|c| c != b'\n' && c != b'\r') {
                        self.pos += 1;
                    }
                    self.push(TokenKind::Comment, start);
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    self.block_comment();
                    self.push(TokenKind::Comment, start);
                }
                b'"' => self.string(),
                b'`' => {
                    self.pos += 1;
                    while self.peek(0).is_some_and(|c| is_word_char(c) || c == b'-') {
                        self.pos += 1;
                    }
                    if self.peek(0) == Some(b'`') {
                        self.pos += 1;
                    }
                    self.push(TokenKind::Word, start);
                }
                b'0'..=b'9' => {
                    self.number();
                    self.push(TokenKind::Number, start);
                }
                _ if is_word_start(b) => {
                    self.pos += 1;
                    loop {
                        match self.peek(0) {
                            Some(c) if is_word_char(c) => self.pos += 1,
                            Some(b'-') if self.peek(1).is_some_and(is_word_char) => self.pos += 2,
                            _ => break,
                        }
                    }
                    self.push(TokenKind::Word, start);
                }
                b'}' if in_hole && depth == 0 => return,
                _ => {
                    if b == b'{' {
                        depth += 1;
                    } else if b == b'}' {
                        depth = depth.saturating_sub(1);
                    }
                    // One character, whole (never half of a multi-byte one).
                    let len = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += len;
                    self.push(TokenKind::Punct, start);
                }
            }
        }
    }

    fn block_comment(&mut self) {
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos..].starts_with(b"/*") {
                depth += 1;
                self.pos += 2;
            } else if self.bytes[self.pos..].starts_with(b"*/") {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
    }

    fn number(&mut self) {
        let digits = |lx: &mut Self| {
            while lx.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                lx.pos += 1;
            }
        };
        digits(self);
        if self.peek(0) == Some(b'.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            digits(self);
            if matches!(self.peek(0), Some(b'e' | b'E')) {
                let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
                if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1 + sign;
                    digits(self);
                }
            }
            return;
        }
        // A duration unit, or the letters of a malformed number.
        while self.peek(0).is_some_and(is_word_char) {
            self.pos += 1;
        }
    }

    /// A string literal from its opening quote: its text pieces are `Str` tokens and the
    /// code in its holes is lexed as code.
    fn string(&mut self) {
        let mut start = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                None | Some(b'\n' | b'\r') => break,
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    if self.peek(0).is_some_and(|c| c != b'\n' && c != b'\r') {
                        let len = self.text[self.pos..]
                            .chars()
                            .next()
                            .map_or(1, char::len_utf8);
                        self.pos += len;
                    }
                }
                Some(b'{') if self.peek(1) == Some(b'{') => self.pos += 2,
                Some(b'}') if self.peek(1) == Some(b'}') => self.pos += 2,
                Some(b'{') => {
                    self.pos += 1;
                    self.push(TokenKind::Str, start);
                    self.code(true);
                    start = self.pos;
                    if self.peek(0) == Some(b'}') {
                        self.pos += 1;
                    }
                }
                Some(_) => {
                    let len = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += len;
                }
            }
        }
        if self.pos > start {
            self.push(TokenKind::Str, start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.span.start as usize..t.span.end as usize]))
            .collect()
    }

    #[test]
    fn strings_with_holes_lex_their_code() {
        use TokenKind::*;
        assert_eq!(
            kinds(r#"x = "a {f("b") + 1}s" // c"#),
            [
                (Word, "x"),
                (Punct, "="),
                (Str, "\"a {"),
                (Word, "f"),
                (Punct, "("),
                (Str, "\"b\""),
                (Punct, ")"),
                (Punct, "+"),
                (Number, "1"),
                (Str, "}s\""),
                (Comment, "// c"),
            ]
        );
    }

    #[test]
    fn names_durations_and_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds("sleep 30s /* a /* b */ */ `fail`() a-b - 2.5e3🎈"),
            [
                (Word, "sleep"),
                (Number, "30s"),
                (Comment, "/* a /* b */ */"),
                (Word, "`fail`"),
                (Punct, "("),
                (Punct, ")"),
                (Word, "a-b"),
                (Punct, "-"),
                (Number, "2.5e3"),
                (Punct, "🎈"),
            ]
        );
    }
}
