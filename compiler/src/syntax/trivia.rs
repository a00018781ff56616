//! What the grammar cannot report by itself, found by one linear scan of a chunk before or
//! after pest parses it:
//! - block comments left open: the grammar lets an unclosed `/*` run to the end of the text
//!   (a comment that could fail would be retried at every later token, which is
//!   exponential in nested `/*`), so it is reported here (E0005) instead of silently hiding
//!   the rest of the file;
//! - brackets nested deeper than [`MAX_NESTING`]: pest parses nesting by recursion, so such
//!   a chunk is refused before it is parsed (no program can nest that deep: blocks and
//!   expressions are limited far below it) instead of overflowing the stack.

use super::problems::SyntaxProblem;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// How deeply `(`, `[` and `{` may nest in a chunk before it is refused unparsed.
pub(crate) const MAX_NESTING: usize = 256;

/// The offset of the first bracket in `text` that opens more than [`MAX_NESTING`] levels,
/// outside strings and comments.
#[must_use]
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let mut found = None;
    scan(text, |at, b| {
        if found.is_none() {
            found = b.then_some(at);
        }
    });
    found
}

/// The offset of the outermost `/*` in `text` that is never closed (comments nest), outside
/// strings and line comments, scanned as the grammar reads them.
#[must_use]
pub(crate) fn unclosed_comment(text: &str) -> Option<usize> {
    scan(text, |_, _| {})
}

/// Scans `text`, calling `bracket(offset, too_deep)` at each bracket that opens a level;
/// returns where an unclosed block comment starts.
fn scan(text: &str, mut bracket: impl FnMut(usize, bool)) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut depth = 0u32;
    let mut outer = 0usize;
    let mut nesting = 0usize;
    while i < bytes.len() {
        let two = bytes.get(i..i + 2);
        if depth > 0 {
            match two {
                Some(b"/*") => {
                    depth += 1;
                    i += 2;
                }
                Some(b"*/") => {
                    depth -= 1;
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        match (bytes[i], two) {
            (_, Some(b"//")) => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            (_, Some(b"/*")) => {
                depth = 1;
                outer = i;
                i += 2;
            }
            (b'"', _) => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            (b'{' | b'(' | b'[', _) => {
                nesting += 1;
                if nesting > MAX_NESTING {
                    bracket(i, true);
                }
                i += 1;
            }
            (b'}' | b')' | b']', _) => {
                nesting = nesting.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    (depth > 0).then_some(outer)
}

/// How many `(` and `[` a chunk may leave open before it is refused unparsed (E0321).
pub(crate) const MAX_UNCLOSED: usize = 16;

/// The first `(` or `[` of `text` left open, when more than [`MAX_UNCLOSED`] are (outside
/// strings and comments; a closer closes only its own kind). The parser tries each open
/// bracket to the end of its declaration (a call's arguments may span lines), so the time
/// grows with open brackets × the declaration's length: 256 lines of `f(` took seconds;
/// bounding them keeps parsing linear (`compiler/tests/linear.rs`).
#[must_use]
pub(crate) fn too_many_unclosed(text: &str) -> Option<(usize, usize)> {
    let mut open: Vec<(u8, usize)> = Vec::new();
    scan_brackets(text, |at, b| match b {
        b'(' | b'[' => open.push((b, at)),
        b')' | b']' => {
            let opener = if b == b')' { b'(' } else { b'[' };
            if let Some(i) = open.iter().rposition(|(o, _)| *o == opener) {
                open.truncate(i);
            }
        }
        _ => {}
    });
    (open.len() > MAX_UNCLOSED).then(|| (open[0].1, open.len()))
}

/// Calls `f(offset, byte)` at each bracket of `text` outside strings and comments.
fn scan_brackets(text: &str, mut f: impl FnMut(usize, u8)) {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut depth = 0u32;
    while i < bytes.len() {
        let two = bytes.get(i..i + 2);
        if depth > 0 {
            match two {
                Some(b"/*") => {
                    depth += 1;
                    i += 2;
                }
                Some(b"*/") => {
                    depth -= 1;
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        match (bytes[i], two) {
            (_, Some(b"//")) => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            (_, Some(b"/*")) => {
                depth = 1;
                i += 2;
            }
            (b'"', _) => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            (b @ (b'(' | b'[' | b'{' | b')' | b']' | b'}'), _) => {
                f(i, b);
                i += 1;
            }
            _ => i += 1,
        }
    }
}

/// The error (E0321) for a chunk refused by [`too_many_unclosed`].
pub(crate) fn too_many_unclosed_diag(at: usize, count: usize) -> Diagnostic {
    SyntaxProblem::TooManyUnclosed {
        span: Span::new(at, at + 1),
        count,
        max: MAX_UNCLOSED,
    }
    .diagnostic()
}

/// Reports (E0005) a block comment in `piece` (at `offset` in the file) that is never
/// closed. The blocks it leaves open (their `}` is inside the comment) are its consequence:
/// their "unclosed `{`" errors, which point at the end of the text, are dropped.
pub(crate) fn report_unclosed_comment(diags: &mut Vec<Diagnostic>, piece: &str, offset: usize) {
    let Some(at) = unclosed_comment(piece).map(|c| c + offset) else {
        return;
    };
    diags.retain(|d| {
        !(d.code == Code::E0001 && d.secondary.iter().any(|l| l.span.start as usize >= at))
    });
    // The fix closes the comment at the end of its first line.
    let rel = at - offset;
    let line_end = offset + rel + piece[rel..].find(['\n', '\r']).unwrap_or(piece.len() - rel);
    diags.push(
        SyntaxProblem::UnclosedComment {
            span: Span::new(at, at + 2),
            close_at: Span::new(line_end, line_end),
        }
        .diagnostic(),
    );
}

/// The error for a chunk refused by [`too_deep`].
pub(crate) fn too_deep_diag(at: usize) -> Diagnostic {
    SyntaxProblem::BracketsTooDeep {
        span: Span::new(at, at + 1),
        max: MAX_NESTING,
    }
    .diagnostic()
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, MAX_UNCLOSED, too_deep, too_many_unclosed, unclosed_comment};

    #[test]
    fn open_brackets_are_counted_by_kind() {
        let many = "f(\n".repeat(MAX_UNCLOSED + 1);
        assert_eq!(too_many_unclosed(&many), Some((1, MAX_UNCLOSED + 1)));
        assert_eq!(too_many_unclosed(&"f(\n".repeat(MAX_UNCLOSED)), None);
        assert_eq!(too_many_unclosed(&"f(x)[1]\n".repeat(100)), None);
        let line = "f(".repeat(MAX_UNCLOSED + 1);
        assert_eq!(
            too_many_unclosed(&format!("x = \"{line}\" // {line}")),
            None
        );
        // A `]` does not close a `(`.
        assert!(too_many_unclosed(&"(]".repeat(MAX_UNCLOSED + 1)).is_some());
    }

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(too_deep(&deep), Some(MAX_NESTING));
        assert_eq!(too_deep(&"()".repeat(MAX_NESTING * 2)), None);
        assert_eq!(too_deep(&format!("\"{deep}\" // {deep}")), None);
    }

    #[test]
    fn finds_the_outermost_open_comment() {
        assert_eq!(unclosed_comment("a /* b */ c"), None);
        assert_eq!(unclosed_comment("a /* b /* c */ d"), Some(2));
        assert_eq!(unclosed_comment("a /* b */ /* c"), Some(10));
        assert_eq!(unclosed_comment("x = \"/*\" // /*\ny"), None);
        assert_eq!(unclosed_comment("x // a\r/* b"), Some(7));
        assert_eq!(unclosed_comment("/*/*/*"), Some(0));
    }
}
