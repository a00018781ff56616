//! The fast parser's cursor: a position in one chunk's text, trivia, words and keywords,
//! each as the grammar (`grammar/src/lhw.pest`) reads them.

use crate::ast::Name;
use crate::source::Span;

/// Whether `w` is a reserved word (`keyword` in the grammar; `RESERVED_WORDS` in
/// `lhw-grammar`, which a test compares).
pub(super) fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "workflow-event"
            | "workflow"
            | "while"
            | "task"
            | "true"
            | "event"
            | "else"
            | "struct"
            | "var"
            | "input"
            | "inherited"
            | "if"
            | "in"
            | "let"
            | "public"
            | "private"
            | "return"
            | "fail"
            | "false"
            | "null"
            | "not"
            | "as"
            | "contains"
    )
}

/// How deeply the fast parser nests expressions, types and blocks before it gives the text
/// to pest (which reports the grammar's limits); well below `exprs::MAX_EXPR_DEPTH`,
/// `MAX_LH_HEIGHT` and `MAX_BLOCK_DEPTH`, so that no limit is reached on what it accepts.
pub(super) const MAX_NESTING: usize = 16;

/// How tall an expression tree the fast parser builds (see [`MAX_NESTING`]).
pub(super) const MAX_HEIGHT: usize = 24;

/// A position in `s` (the chunk), with the chunk's offset in the file.
#[derive(Clone)]
pub(super) struct P<'t> {
    pub(super) s: &'t str,
    pub(super) b: &'t [u8],
    pub(super) pos: usize,
    base: usize,
    /// How many expressions, types and blocks enclose the position.
    pub(super) depth: usize,
}

pub(super) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

pub(super) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'t> P<'t> {
    pub(super) fn new(s: &'t str, base: usize, pos: usize, depth: usize) -> Self {
        P {
            s,
            b: s.as_bytes(),
            pos,
            base,
            depth,
        }
    }

    /// A copy of the cursor, to look ahead with.
    pub(super) fn fork(&self) -> Self {
        self.clone()
    }

    pub(super) fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }

    pub(super) fn at(&self, lit: &str) -> bool {
        self.b[self.pos..].starts_with(lit.as_bytes())
    }

    /// Consumes `lit` when the text at the position starts with it (no trivia skipped).
    pub(super) fn eat(&mut self, lit: &str) -> bool {
        if self.at(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// Skips trivia (`WHITESPACE` in the grammar): whitespace, a byte-order mark, line
    /// comments and nested block comments (an unclosed one runs to the end).
    pub(super) fn skip(&mut self) {
        let b = self.b;
        loop {
            match b.get(self.pos) {
                Some(b' ' | b'\n' | b'\t' | b'\r') => self.pos += 1,
                Some(0xEF) if b[self.pos..].starts_with("\u{FEFF}".as_bytes()) => self.pos += 3,
                Some(b'/') if b.get(self.pos + 1) == Some(&b'/') => {
                    self.pos += 2;
                    while !matches!(b.get(self.pos), None | Some(b'\n' | b'\r')) {
                        self.pos += 1;
                    }
                }
                Some(b'/') if b.get(self.pos + 1) == Some(&b'*') => self.skip_block_comment(),
                _ => return,
            }
        }
    }

    /// Skips the block comment at the position (its nested comments included; an unclosed
    /// one runs to the end of the text).
    pub(super) fn skip_block_comment(&mut self) {
        let b = self.b;
        self.pos += 2;
        let mut depth = 1usize;
        while depth > 0 && self.pos < b.len() {
            if b[self.pos..].starts_with(b"/*") {
                depth += 1;
                self.pos += 2;
            } else if b[self.pos..].starts_with(b"*/") {
                depth -= 1;
                self.pos += 2;
            } else {
                self.pos += 1;
            }
        }
    }

    /// Skips trivia, then consumes `lit` if it is there.
    pub(super) fn punct(&mut self, lit: &str) -> bool {
        self.skip();
        self.eat(lit)
    }

    /// Skips trivia and consumes `lit`, or fails.
    pub(super) fn expect(&mut self, lit: &str) -> Option<()> {
        self.punct(lit).then_some(())
    }

    /// The end of the word (`ident_start ~ (ident_char | "-" ~ &ident_char)*`) at `at`, or
    /// `at` when no word starts there.
    pub(super) fn word_end(&self, at: usize) -> usize {
        let b = self.b;
        if !b.get(at).copied().is_some_and(is_ident_start) {
            return at;
        }
        let mut i = at + 1;
        loop {
            match b.get(i) {
                Some(&c) if is_ident_char(c) => i += 1,
                Some(b'-') if b.get(i + 1).copied().is_some_and(is_ident_char) => i += 2,
                _ => return i,
            }
        }
    }

    /// The word at the position (empty when none): a keyword rule `"w" ~ word_end` matches
    /// exactly when this is `w`.
    pub(super) fn word(&self) -> &'t str {
        let end = self.word_end(self.pos);
        &self.s[self.pos..end]
    }

    /// Consumes the word `w` if it is the word at the position (no trivia skipped).
    pub(super) fn kw(&mut self, w: &str) -> bool {
        if self.word() == w {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    /// Skips trivia and consumes the word `w`, or fails.
    pub(super) fn expect_kw(&mut self, w: &str) -> Option<()> {
        self.skip();
        self.kw(w).then_some(())
    }

    /// `any_word`: a word, keywords included.
    pub(super) fn any_word(&mut self) -> Option<Name> {
        let start = self.pos;
        let end = self.word_end(start);
        if end == start {
            return None;
        }
        self.pos = end;
        Some(Name {
            text: self.s[start..end].to_string(),
            span: self.span(start, end),
        })
    }

    /// `ident`: a word that is not a keyword, or a keyword quoted with backticks (the name
    /// is the word inside them). With `raw_text`, the backticks stay in the name's text (as
    /// a type's name keeps them).
    pub(super) fn ident_with(&mut self, raw_text: bool) -> Option<Name> {
        let start = self.pos;
        if self.peek() == Some(b'`') {
            let end = self.word_end(start + 1);
            if end == start + 1 || self.peek_at(end) != Some(b'`') {
                return None;
            }
            self.pos = end + 1;
            let text = if raw_text {
                &self.s[start..=end]
            } else {
                &self.s[start + 1..end]
            };
            return Some(Name {
                text: text.to_string(),
                span: self.span(start, end + 1),
            });
        }
        let end = self.word_end(start);
        let word = &self.s[start..end];
        if end == start || is_keyword(word) {
            return None;
        }
        self.pos = end;
        Some(Name {
            text: word.to_string(),
            span: self.span(start, end),
        })
    }

    pub(super) fn ident(&mut self) -> Option<Name> {
        self.ident_with(false)
    }

    /// Whether an `ident` starts at the position.
    pub(super) fn at_ident(&self) -> bool {
        if self.peek() == Some(b'`') {
            return true;
        }
        let w = self.word();
        !w.is_empty() && !is_keyword(w)
    }

    /// Spaces and tabs (`same_line_ws`); whether there was at least one.
    pub(super) fn same_line_ws(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Enters one level of nesting; fails past [`MAX_NESTING`].
    pub(super) fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::is_keyword;

    #[test]
    fn the_reserved_words_are_the_grammars() {
        for w in lhw_grammar::RESERVED_WORDS {
            assert!(is_keyword(w), "{w}");
        }
        let listed = [
            "workflow-event",
            "workflow",
            "while",
            "task",
            "true",
            "event",
            "else",
            "struct",
            "var",
            "input",
            "inherited",
            "if",
            "in",
            "let",
            "public",
            "private",
            "return",
            "fail",
            "false",
            "null",
            "not",
            "as",
            "contains",
        ];
        assert_eq!(listed.len(), lhw_grammar::RESERVED_WORDS.len());
        for w in listed {
            assert!(lhw_grammar::RESERVED_WORDS.contains(&w), "{w}");
        }
        for w in ["sleep", "wait", "map", "input-x", "iff", "spawn"] {
            assert!(!is_keyword(w), "{w}");
        }
    }
}
