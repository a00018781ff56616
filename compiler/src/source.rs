//! Source text positions: byte spans and the line index that turns them into lines and
//! columns (UTF-16 for editors, characters for humans).

use serde::Serialize;

/// A half-open byte range `[start, end)` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// True for an empty span.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The span shifted right by `offset` bytes.
    #[must_use]
    pub fn shifted(self, offset: u32) -> Span {
        Span {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

/// Line starts of one text, built once per version of the text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`, `\r\n` or a lone `\r` (as in the grammar, the
    /// language server and editors).
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        LineIndex {
            line_starts,
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }

    /// The 0-based line holding byte `offset`.
    #[must_use]
    pub fn line_of(&self, offset: u32) -> u32 {
        let idx = self.line_starts.partition_point(|&s| s <= offset);
        u32::try_from(idx.saturating_sub(1)).unwrap_or(0)
    }

    /// Byte offset where 0-based `line` starts, if it exists.
    #[must_use]
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize).copied()
    }

    /// Number of lines.
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line and UTF-16 column of byte `offset` (clamped to the text).
    #[must_use]
    pub fn line_col_utf16(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize);
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line as usize] as usize;
        let col = text[start..offset].encode_utf16().count();
        (line, u32::try_from(col).unwrap_or(u32::MAX))
    }

    /// 0-based line and character (Unicode scalar) column of byte `offset`.
    #[must_use]
    pub fn line_col_chars(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize);
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line as usize] as usize;
        let col = text[start..offset].chars().count();
        (line, u32::try_from(col).unwrap_or(u32::MAX))
    }

    /// Byte offset of 0-based `line` and UTF-16 `col`. A column past the end of the line is
    /// clamped to the line end; one inside a surrogate pair rounds down. `None` past the
    /// last line.
    #[must_use]
    pub fn offset_from_utf16(&self, text: &str, line: u32, col: u32) -> Option<u32> {
        let start = *self.line_starts.get(line as usize)? as usize;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(text.len(), |&e| e as usize);
        let line_text = &text[start..end];
        let line_text = line_text.strip_suffix('\n').unwrap_or(line_text);
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let mut units = 0u32;
        for (i, ch) in line_text.char_indices() {
            let w = u32::try_from(ch.len_utf16()).unwrap_or(2);
            if units + w > col {
                return u32::try_from(start + i).ok();
            }
            units += w;
        }
        u32::try_from(start + line_text.len()).ok()
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let text = "hello你好A🎈C\nworld";
        let idx = LineIndex::new(text);
        let c = text.find('C').unwrap() as u32;
        assert_eq!(c, 16);
        assert_eq!(idx.line_col_utf16(text, c), (0, 10));
        assert_eq!(idx.line_col_chars(text, c), (0, 9));
        let w = text.find('w').unwrap() as u32;
        assert_eq!(idx.line_col_utf16(text, w), (1, 0));
    }

    #[test]
    fn utf16_round_trips_on_every_char_boundary() {
        let text = "a🎈b\r\nç\n\nz🎈";
        let idx = LineIndex::new(text);
        for (o, ch) in text.char_indices() {
            if ch == '\n' || (ch == '\r' && text[o..].starts_with("\r\n")) {
                continue; // line terminators have no column of their own
            }
            let (l, c) = idx.line_col_utf16(text, o as u32);
            assert_eq!(
                idx.offset_from_utf16(text, l, c),
                Some(o as u32),
                "offset {o}"
            );
        }
        assert_eq!(idx.offset_from_utf16(text, 0, 99), Some(6));
        assert_eq!(idx.offset_from_utf16(text, 9, 0), None);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a\rb\r\nc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col_utf16(text, 2), (1, 0));
        assert_eq!(idx.line_col_utf16(text, 5), (2, 0));
        assert_eq!(idx.offset_from_utf16(text, 0, 9), Some(1));
        assert_eq!(idx.offset_from_utf16(text, 3, 0), Some(7));
    }
}
