//! Printing a layout with the canonical whitespace. The rules (docs/fmt.md):
//!
//! - Every item and every statement starts a line; a block's `}` ends on its own line, `{`
//!   and `else` stay on the line before them; an empty block is `{}`.
//! - Other line breaks are kept as written (a run of blank lines becomes one; none right
//!   after an opening or before a closing bracket). A bracket whose contents start on a new
//!   line gets its closing bracket on a line of its own.
//! - Indentation is two spaces per level: a block's statements and the lines inside a
//!   broken bracket are one level deeper than the line that opened them; a closing bracket
//!   goes back to that line's level; the continuation lines of a statement or item are one
//!   level deeper than its first line.
//! - Within a line, one space between tokens, except: none before `,` `;` `:`, around `.`
//!   and `..`, inside `( )` `[ ]` and JSON `{ }`, after a prefix `-` or `!`, inside
//!   `map<K, V>`, and before the `(` of a call or the `[` of an index or array type.
//! - Comments keep their place: one that followed code on its line stays there (after one
//!   space), one on its own line stays on its own line, indented like the code around it.
//!   Trailing whitespace goes, and the file ends with exactly one newline.

use crate::syntax::layout::{Element, Group, Kind};

use super::normalized_comment;

/// What goes between two elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// Nothing.
    None,
    /// One space.
    Space,
    /// A line break, optionally with one blank line.
    Newline { blank: bool },
}

/// An open bracket while printing.
#[derive(Debug, Clone, Copy)]
struct Open {
    group: Group,
    /// The indentation level of the line that opened it.
    outer: usize,
    /// Its contents start on a new line in the source.
    broken: bool,
}

/// Prints `elements` in the canonical layout; `len_hint` is the source length.
pub(super) fn print(elements: &[Element<'_>], len_hint: usize) -> String {
    let next_token = next_tokens(elements);
    let mut out = String::with_capacity(len_hint + len_hint / 8 + 1);
    let mut stack: Vec<Open> = Vec::new();
    let mut line_indent = 0usize;
    let mut line_has_token = false;
    let mut prev: Option<&Element<'_>> = None;
    for (i, e) in elements.iter().enumerate() {
        let sep = match prev {
            None => Sep::None,
            Some(p) => separator(p, e, stack.last(), line_has_token),
        };
        match sep {
            Sep::None => {}
            Sep::Space => out.push(' '),
            Sep::Newline { blank } => {
                trim_trailing_spaces(&mut out);
                out.push('\n');
                if blank {
                    out.push('\n');
                }
                line_indent = indent(e, next_token[i].map(|t| &elements[t]), stack.last());
                for _ in 0..line_indent {
                    out.push_str("  ");
                }
                line_has_token = false;
            }
        }
        if e.kind.is_comment() {
            out.push_str(&normalized_comment(e.text));
        } else {
            out.push_str(e.text);
            line_has_token = true;
        }
        match e.kind {
            Kind::Open(group) => stack.push(Open {
                group,
                outer: line_indent,
                broken: broken_after(elements, i),
            }),
            Kind::Close(_) => {
                stack.pop();
            }
            _ => {}
        }
        prev = Some(e);
    }
    trim_trailing_spaces(&mut out);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// For each element, the index of the first token after it.
fn next_tokens(elements: &[Element<'_>]) -> Vec<Option<usize>> {
    let mut next = vec![None; elements.len()];
    let mut following = None;
    for i in (0..elements.len()).rev() {
        next[i] = following;
        if !elements[i].kind.is_comment() {
            following = Some(i);
        }
    }
    next
}

/// True when the source breaks the line between the opener at `i` and the next token.
fn broken_after(elements: &[Element<'_>], i: usize) -> bool {
    for e in &elements[i + 1..] {
        if e.newlines_before > 0 || e.kind == Kind::LineComment {
            return true;
        }
        if !e.kind.is_comment() {
            return false;
        }
    }
    false
}

fn trim_trailing_spaces(out: &mut String) {
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
}

/// What goes between `p` and `e`; `open` is the innermost open bracket, `line_has_token`
/// whether the current output line holds a token yet.
fn separator(p: &Element<'_>, e: &Element<'_>, open: Option<&Open>, line_has_token: bool) -> Sep {
    let after_opener = matches!(p.kind, Kind::Open(_));
    let blank = e.newlines_before >= 2 && !after_opener;
    let is_closer = matches!(e.kind, Kind::Close(_));
    if p.kind == Kind::LineComment {
        return Sep::Newline {
            blank: blank && !is_closer,
        };
    }
    if e.kind.is_comment() {
        return if e.newlines_before > 0 {
            Sep::Newline { blank }
        } else if matches!(
            p.kind,
            Kind::Open(Group::Paren | Group::Bracket | Group::Json)
        ) {
            Sep::None
        } else {
            Sep::Space
        };
    }
    match e.kind {
        Kind::Close(Group::Block) => {
            return if p.kind == Kind::Open(Group::Block) {
                Sep::None
            } else {
                Sep::Newline { blank: false }
            };
        }
        Kind::Close(_) if open.is_some_and(|o| o.broken) => return Sep::Newline { blank: false },
        _ => {}
    }
    if e.starts_line {
        return if line_has_token || e.newlines_before > 0 {
            Sep::Newline { blank }
        } else {
            // After a block comment that starts the line: `/* note */ x = 1`.
            Sep::Space
        };
    }
    if e.joins {
        return Sep::Space;
    }
    if e.newlines_before > 0 {
        return Sep::Newline {
            blank: blank && !is_closer,
        };
    }
    if p.kind == Kind::BlockComment {
        return if matches!(
            e.kind,
            Kind::Comma | Kind::Semi | Kind::Close(Group::Paren | Group::Bracket | Group::Json)
        ) {
            Sep::None
        } else {
            Sep::Space
        };
    }
    if e.space_before {
        return Sep::Space;
    }
    if spaced(p.kind, e.kind) {
        Sep::Space
    } else {
        Sep::None
    }
}

/// Whether two tokens on one line are separated by a space: yes, unless one of these
/// pairs (each line one rule of docs/fmt.md).
fn spaced(p: Kind, e: Kind) -> bool {
    use Group::{Block, Brace, Bracket, Json, Paren};
    !matches!(
        (p, e),
        (_, Kind::Comma | Kind::Semi | Kind::Colon)
            | (Kind::Prefix, _)
            | (Kind::Dot | Kind::DotDot, _)
            | (_, Kind::Dot | Kind::DotDot)
            | (Kind::Open(Paren | Bracket | Json), _)
            | (_, Kind::Close(Paren | Bracket | Json))
            | (Kind::Open(Brace), Kind::Close(Brace))
            | (Kind::Open(Block), Kind::Close(Block))
            | (Kind::AngleOpen, _)
            | (_, Kind::AngleOpen | Kind::AngleClose)
            | (
                Kind::Name | Kind::CallWord | Kind::Close(Paren),
                Kind::Open(Paren)
            )
            | (
                Kind::Name
                    | Kind::TypeName
                    | Kind::Literal
                    | Kind::AngleClose
                    | Kind::Close(Paren | Bracket | Brace | Json),
                Kind::Open(Bracket),
            )
    )
}

/// The indentation level of a line that starts with `e`; `next` is the first token after
/// `e` (for a comment), `open` the innermost open bracket.
fn indent(e: &Element<'_>, next: Option<&Element<'_>>, open: Option<&Open>) -> usize {
    if matches!(e.kind, Kind::Close(_)) {
        return open.map_or(0, |o| o.outer);
    }
    match open {
        Some(o) if o.group != Group::Block => o.outer + 1,
        _ => {
            let base = open.map_or(0, |o| o.outer + 1);
            let statement_level = if e.kind.is_comment() {
                next.is_none_or(|t| {
                    t.starts_line || t.kind == Kind::Close(Group::Block) || t.text == "else"
                })
            } else {
                e.starts_line || e.joins
            };
            if statement_level { base } else { base + 1 }
        }
    }
}
