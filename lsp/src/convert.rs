//! Positions: LSP `Position`s count UTF-16 code units on lines that end at `\n`, `\r\n` or
//! a lone `\r` (as the LSP specification says); the compiler counts bytes. All conversions
//! between the two live here, on top of `source::LineIndex`.

use lhw_compiler::source::{LineIndex, Span};
use tower_lsp_server::ls_types as lsp;

/// A text and its line index: what positions are converted against.
#[derive(Clone, Copy)]
pub(crate) struct Lines<'a> {
    pub(crate) text: &'a str,
    pub(crate) index: &'a LineIndex,
}

impl Lines<'_> {
    /// The byte offset of `pos`; a character past the end of its line is the line's end.
    /// `None` for a line past the end of the text.
    pub(crate) fn offset(&self, pos: lsp::Position) -> Option<u32> {
        self.index
            .offset_from_utf16(self.text, pos.line, pos.character)
    }

    /// Like [`Lines::offset`], but a line past the end of the text is the end of the text
    /// (for edits, which may append there).
    pub(crate) fn offset_clamped(&self, pos: lsp::Position) -> u32 {
        self.offset(pos)
            .unwrap_or_else(|| u32::try_from(self.text.len()).unwrap_or(u32::MAX))
    }

    /// The position of byte `offset`.
    pub(crate) fn position(&self, offset: u32) -> lsp::Position {
        let (line, character) = self.index.line_col_utf16(self.text, offset);
        lsp::Position { line, character }
    }

    /// The range of `span`.
    pub(crate) fn range(&self, span: Span) -> lsp::Range {
        lsp::Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// The span of `range`, ordered; `None` when it starts past the end of the text.
    pub(crate) fn span(&self, range: lsp::Range) -> Option<Span> {
        let a = self.offset(range.start)?;
        let b = self.offset_clamped(range.end);
        Some(Span {
            start: a.min(b),
            end: a.max(b),
        })
    }
}

/// A text edit in LSP terms.
pub(crate) fn text_edit(lines: Lines<'_>, edit: &lhw_compiler::ide::TextEdit) -> lsp::TextEdit {
    lsp::TextEdit {
        range: lines.range(edit.span),
        new_text: edit.new_text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_round_trip_with_emoji_and_crlf() {
        let text = "a🎈b\r\nçx\r\n";
        let index = LineIndex::new(text);
        let lines = Lines {
            text,
            index: &index,
        };
        let b = text.find('b').map(|i| i as u32).unwrap_or_default();
        assert_eq!(
            lines.position(b),
            lsp::Position {
                line: 0,
                character: 3
            }
        );
        assert_eq!(
            lines.offset(lsp::Position {
                line: 0,
                character: 3
            }),
            Some(b)
        );
        // The end of line 0 is before its `\r\n`.
        assert_eq!(
            lines.offset(lsp::Position {
                line: 0,
                character: 99
            }),
            Some(b + 1)
        );
        let x = text.find('x').map(|i| i as u32).unwrap_or_default();
        assert_eq!(
            lines.position(x),
            lsp::Position {
                line: 1,
                character: 1
            }
        );
        assert_eq!(
            lines.offset(lsp::Position {
                line: 9,
                character: 0
            }),
            None
        );
        assert_eq!(
            lines.offset_clamped(lsp::Position {
                line: 9,
                character: 0
            }),
            text.len() as u32
        );
    }
}
