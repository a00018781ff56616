//! Folding ranges: declarations and blocks that span lines, block comments, and runs of
//! line comments.

use super::lexer::{TokenKind, lex};
use super::{Analysis, stmt_blocks, walk_stmts};
use crate::ast::Item;
use crate::source::Span;

/// What a fold hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FoldKind {
    /// Code: a declaration or a block.
    Region,
    /// Comments.
    Comment,
}

/// A range of lines that can be folded (0-based, both included; the first line stays
/// visible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fold {
    /// The line the fold starts on.
    pub start_line: u32,
    /// The last line hidden.
    pub end_line: u32,
    /// What it hides.
    pub kind: FoldKind,
}

impl Analysis {
    /// The folding ranges of the file, sorted.
    #[must_use]
    pub fn folding_ranges(&self) -> Vec<Fold> {
        let mut out = Vec::new();
        for item in &self.parsed.file.items {
            self.fold_code(item.span(), &mut out);
            if let Item::Workflow(w) = item {
                walk_stmts(&w.body, &mut |stmt| {
                    for b in stmt_blocks(stmt) {
                        self.fold_code(b.span, &mut out);
                    }
                });
            }
        }
        let mut run: Option<(u32, u32)> = None;
        for token in lex(&self.text) {
            if token.kind != TokenKind::Comment {
                continue;
            }
            let start = self.lines.line_of(token.span.start);
            let end = self
                .lines
                .line_of(token.span.end.saturating_sub(1).max(token.span.start));
            let is_line_comment = self.slice(token.span).starts_with("//");
            if !is_line_comment {
                if end > start {
                    out.push(Fold {
                        start_line: start,
                        end_line: end,
                        kind: FoldKind::Comment,
                    });
                }
                continue;
            }
            // Consecutive lines holding only a line comment make one fold.
            let alone = self.lines.line_start(start).is_some_and(|s| {
                self.slice(Span {
                    start: s,
                    end: token.span.start,
                })
                .trim()
                .is_empty()
            });
            run = match run {
                Some((first, last)) if alone && start == last + 1 => Some((first, start)),
                Some((first, last)) => {
                    if last > first {
                        out.push(Fold {
                            start_line: first,
                            end_line: last,
                            kind: FoldKind::Comment,
                        });
                    }
                    alone.then_some((start, start))
                }
                None => alone.then_some((start, start)),
            };
        }
        if let Some((first, last)) = run
            && last > first
        {
            out.push(Fold {
                start_line: first,
                end_line: last,
                kind: FoldKind::Comment,
            });
        }
        // One fold per first line: the largest.
        out.sort_by_key(|f| (f.start_line, f.kind, std::cmp::Reverse(f.end_line)));
        out.dedup_by(|a, b| a.start_line == b.start_line && a.kind == b.kind);
        out
    }

    /// A fold for code at `span`: down to the line before a closing `}` on its own line.
    fn fold_code(&self, span: Span, out: &mut Vec<Fold>) {
        if span.is_empty() {
            return;
        }
        let start_line = self.lines.line_of(span.start);
        let mut end_line = self.lines.line_of(span.end - 1);
        if self.slice(span).ends_with('}') && end_line > start_line {
            end_line -= 1;
        }
        if end_line > start_line {
            out.push(Fold {
                start_line,
                end_line,
                kind: FoldKind::Region,
            });
        }
    }
}
