//! Splitting a file into chunks that parse independently, so that an editor re-parses only
//! the chunks an edit touched.
//!
//! A chunk starts at a line that begins, in column 0, with a declaration keyword (`task`,
//! `event`, `workflow-event`, `struct`, `user-task`, `workflow`, `extern`), outside comments
//! and strings, when every bracket before it is closed, or when the line reads as a
//! declaration (`task name`, `workflow name`, ...) even though a bracket is still open: the
//! grammar ends an unclosed block at a declaration keyword too (`block_unclosed`). The file
//! is defined as its chunks, parsed one after the other, so a whole parse and an
//! incremental one agree by construction.

use crate::source::Span;

/// The declaration keywords that may start a chunk, longest first.
const DECLARATION_WORDS: &[&str] = &[
    "workflow-event",
    "user-task",
    "workflow",
    "struct",
    "extern",
    "event",
    "task",
];

/// The chunks of `text`, in order; together they cover it exactly. An empty text has one
/// empty chunk.
#[must_use]
pub fn chunk_spans(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut start = 0usize;
    let mut depth = 0u32;
    let mut comment_depth = 0u32;
    // Whether the last token outside comments was the word `extern`, which the next
    // line's `event` still belongs to.
    let mut after_extern = false;
    let mut i = 0usize;
    let mut line_start = true;
    while i < bytes.len() {
        if line_start && comment_depth == 0 && i > start && !after_extern {
            let rest = &text[i..];
            if starts_declaration(rest, depth == 0) {
                spans.push(Span::new(start, i));
                start = i;
                depth = 0;
            }
        }
        line_start = false;
        let b = bytes[i];
        if comment_depth > 0 {
            if bytes[i..].starts_with(b"/*") {
                comment_depth += 1;
                i += 2;
            } else if bytes[i..].starts_with(b"*/") {
                comment_depth -= 1;
                i += 2;
            } else {
                line_start = b == b'\n' || b == b'\r';
                i += 1;
            }
            continue;
        }
        match b {
            b'\n' | b'\r' => {
                line_start = true;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // A line comment: up to (not including) the line break.
                i = memchr_newline(bytes, i);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                comment_depth = 1;
                i += 2;
            }
            b'"' => {
                // A string ends at its closing quote or at the end of the line.
                after_extern = false;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && !is_line_break(bytes[i]) {
                    i += if bytes[i] == b'\\'
                        && !bytes.get(i + 1).is_some_and(|&c| is_line_break(c))
                    {
                        2
                    } else {
                        1
                    };
                }
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                }
            }
            b'{' | b'(' | b'[' => {
                after_extern = false;
                depth += 1;
                i += 1;
            }
            b'}' | b')' | b']' => {
                after_extern = false;
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b' ' | b'\t' => i += 1,
            _ if is_word_byte(b) => {
                let end = bytes[i..]
                    .iter()
                    .position(|c| !(is_word_byte(*c) || *c == b'-'))
                    .map_or(bytes.len(), |n| i + n);
                after_extern = &text[i..end] == "extern";
                i = end;
            }
            _ => {
                after_extern = false;
                i += 1;
            }
        }
    }
    spans.push(Span::new(start, text.len()));
    spans
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&c| is_line_break(c))
        .map_or(bytes.len(), |n| from + n)
}

/// `\n` and `\r` both end a line (`\r\n` is one line break: the `\n` starts an empty
/// stretch that begins no declaration).
fn is_line_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `line` (from column 0) starts a declaration: a declaration keyword, and, unless
/// every bracket is closed, a name after it.
fn starts_declaration(line: &str, closed: bool) -> bool {
    let Some(word) = DECLARATION_WORDS.iter().find(|w| line.starts_with(**w)) else {
        return false;
    };
    let after = &line[word.len()..];
    let next = after.as_bytes().first().copied();
    let word_ends = match next {
        None => true,
        Some(b'-') => !after.as_bytes().get(1).copied().is_some_and(is_word_byte),
        Some(c) => !is_word_byte(c),
    };
    if !word_ends {
        return false;
    }
    if closed {
        return true;
    }
    let spaced = after.trim_start_matches([' ', '\t']);
    if spaced.len() == after.len() {
        return false;
    }
    if *word == "extern" {
        return ["event", "workflow-event"]
            .iter()
            .any(|w| spaced.starts_with(w));
    }
    spaced
        .as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'`')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        chunk_spans(text)
            .iter()
            .map(|s| &text[s.start as usize..s.end as usize])
            .collect()
    }

    #[test]
    fn declarations_in_column_zero_start_chunks() {
        let text = "task a()\ntask b()\n\nworkflow w {\n  a()\n}\nevent e\n";
        assert_eq!(
            pieces(text),
            [
                "task a()\n",
                "task b()\n\n",
                "workflow w {\n  a()\n}\n",
                "event e\n"
            ]
        );
    }

    #[test]
    fn comments_strings_and_open_brackets_hide_keywords() {
        let text = "/* a\ntask x()\n*/\nworkflow w {\n  let s = \"{\"\ntask(\"t\")()\n}\n";
        assert_eq!(
            pieces(text),
            [
                "/* a\ntask x()\n*/\n",
                "workflow w {\n  let s = \"{\"\ntask(\"t\")()\n}\n"
            ]
        );
    }

    #[test]
    fn a_declaration_ends_an_unclosed_block() {
        let text = "workflow w {\n  if x {\ntask t()\n";
        assert_eq!(pieces(text), ["workflow w {\n  if x {\n", "task t()\n"]);
    }

    #[test]
    fn extern_keeps_its_event_and_names_may_hold_keywords() {
        let text = "extern\nevent e\ntask-count\nstruct s {}\n";
        assert_eq!(
            pieces(text),
            ["extern\nevent e\ntask-count\n", "struct s {}\n"]
        );
        assert_eq!(pieces(""), [""]);
    }
}
