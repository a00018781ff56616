//! The IDE boundary: what an editor asks about one file, answered on byte offsets.
//!
//! An [`Analysis`] is built once per version of a text (parse + check, keeping the syntax
//! tree, the checker's model and its [`Index`] of names and types), and answers hovers,
//! definitions, references, renames, completions, outlines, semantic tokens, folding ranges
//! and quick fixes. Everything here takes and returns byte offsets and [`Span`]s; the
//! language server converts them to editor positions. Like the rest of the compiler, this
//! module does no IO and knows no LSP types.

mod actions;
mod completion;
mod folding;
mod hover;
pub mod lexer;
mod mapping;
mod navigation;
mod rename;
mod symbols;
mod tokens;
pub(crate) mod walk;

pub use actions::CodeAction;
pub use completion::{CompletionItem, CompletionKind, Completions};
pub use folding::{Fold, FoldKind};
pub use hover::Hover;
pub use mapping::OffsetMap;
pub use navigation::NavTarget;
pub use rename::RenameError;
pub use symbols::{DocumentSymbol, SymbolTag};
pub use tokens::{SemanticToken, TokenModifier, TokenType};

use crate::ast::{Block, Else, File, Item, Stmt, StmtKind, Workflow};
use crate::check::{self, Index, Model, Symbol};
use crate::diag::{self, Code, Diagnostic};
use crate::source::{LineIndex, Span};
use crate::syntax::{self, Parsed, is_reserved};

/// A replacement of the text at `span`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextEdit {
    /// The text replaced (empty for an insertion).
    pub span: Span,
    /// What replaces it.
    pub new_text: String,
}

/// Everything known about one version of a file.
#[derive(Debug, Clone)]
pub struct Analysis {
    text: String,
    lines: LineIndex,
    parsed: Parsed,
    model: Model,
    index: Index,
    diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Parses and checks `text`.
    #[must_use]
    pub fn new(text: &str) -> Analysis {
        Analysis::build(text, None)
    }

    /// Parses and checks `text`, a new version of this analysis's text: the parts of the
    /// file an edit did not touch are not parsed again. The result is the same as
    /// [`Analysis::new`].
    #[must_use]
    pub fn update(&self, text: &str) -> Analysis {
        Analysis::build(text, Some(self))
    }

    fn build(text: &str, previous: Option<&Analysis>) -> Analysis {
        let parsed =
            syntax::parse_incremental(text, previous.map(|p| (p.text.as_str(), &p.parsed)));
        let (model, check_diags, index) = check::check_with_index(&parsed.file);
        let mut diagnostics = parsed.diagnostics.clone();
        diagnostics.extend(check_diags);
        diag::sort_and_dedup(&mut diagnostics);
        diag::widen_deletions(&mut diagnostics, text);
        Analysis {
            text: text.to_string(),
            lines: LineIndex::new(text),
            parsed,
            model,
            index,
            diagnostics,
        }
    }

    /// The text analysed.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its line index.
    #[must_use]
    pub fn line_index(&self) -> &LineIndex {
        &self.lines
    }

    /// Every diagnostic, sorted by position: the same as `lhw_compiler::check` gives.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// True when some text did not parse (E0001).
    #[must_use]
    pub fn has_syntax_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code == Code::E0001)
    }

    /// The syntax tree.
    #[must_use]
    pub fn file(&self) -> &File {
        &self.parsed.file
    }

    /// The checker's model of the declarations.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The checker's index of names and expression types.
    #[must_use]
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The source text of `span` (empty when out of range).
    fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    /// The name under `offset` (touching it counts) and the symbol it defines or refers to.
    /// A name the cursor is inside wins over one it only touches.
    fn name_at(&self, offset: u32) -> Option<(Span, &Symbol)> {
        let refs = &self.index.references;
        let after = refs.partition_point(|r| r.span.start <= offset);
        let mut touching = None;
        for r in refs[..after].iter().rev().take(8) {
            if r.span.start <= offset && offset < r.span.end {
                if let Some(sym) = self.index.symbol_at_span(r.target) {
                    return Some((r.span, sym));
                }
            } else if offset == r.span.end && touching.is_none() {
                touching = self.index.symbol_at_span(r.target).map(|s| (r.span, s));
            }
        }
        let symbols = &self.index.symbols;
        let after = symbols.partition_point(|s| s.span.start <= offset);
        for s in symbols[..after].iter().rev().take(8) {
            if s.span.start <= offset && offset < s.span.end {
                return Some((s.span, s));
            } else if offset == s.span.end && touching.is_none() {
                touching = Some((s.span, s));
            }
        }
        touching
    }

    /// The workflow whose text holds `offset`.
    fn workflow_at(&self, offset: u32) -> Option<&Workflow> {
        self.parsed.file.items.iter().find_map(|item| match item {
            Item::Workflow(w) if w.span.start <= offset && offset <= w.span.end => Some(w),
            _ => None,
        })
    }

    /// The item whose text holds `offset` (what a malformed item still declares rather than
    /// the malformed text itself, when both do).
    fn item_at(&self, offset: u32) -> Option<&Item> {
        let mut found = None;
        for item in &self.parsed.file.items {
            let span = item.span();
            if span.start <= offset && offset <= span.end {
                if !matches!(item, Item::Error(_)) {
                    return Some(item);
                }
                found = found.or(Some(item));
            }
        }
        found
    }
}

/// Calls `f` on every statement of `block`, nested blocks included (the bodies of `if`,
/// `while`, threads, handlers), in source order.
fn walk_stmts<'a>(block: &'a Block, f: &mut dyn FnMut(&'a Stmt)) {
    for stmt in &block.stmts {
        f(stmt);
        for b in stmt_blocks(stmt) {
            walk_stmts(b, f);
        }
    }
}

/// The blocks directly inside a statement, in source order.
fn stmt_blocks(stmt: &Stmt) -> Vec<&Block> {
    let mut out = Vec::new();
    match &stmt.kind {
        StmtKind::If(i) => {
            let mut cur = i;
            loop {
                out.push(&cur.then);
                match &cur.otherwise {
                    Some(Else::If(inner, _)) => cur = inner,
                    Some(Else::Block(b)) => {
                        out.push(b);
                        break;
                    }
                    None => break,
                }
            }
        }
        StmtKind::While { body, .. } | StmtKind::On { body, .. } => out.push(body),
        StmtKind::Let { value, .. } | StmtKind::Expr(value) | StmtKind::Assign { value, .. } => {
            if let crate::ast::ExprKind::Spawn(sp) = &value.kind {
                out.push(&sp.body);
            }
        }
        _ => {}
    }
    out.extend(stmt.catches.iter().map(|c| &c.body));
    out
}

/// True for a word the grammar reads as a name (`charge-card`, `_x`), keywords aside.
fn is_name_syntax(word: &str) -> bool {
    let bytes = word.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'_') || bytes.last() == Some(&b'-') {
        return false;
    }
    let mut prev_dash = false;
    for &b in bytes {
        match b {
            b'-' if prev_dash => return false,
            b'-' => prev_dash = true,
            _ if b.is_ascii_alphanumeric() || b == b'_' => prev_dash = false,
            _ => return false,
        }
    }
    true
}

/// The leading `//` comment lines directly above `offset`'s line, without their slashes.
fn doc_comment(text: &str, offset: u32) -> Option<String> {
    let line_start = text[..offset as usize].rfind('\n').map_or(0, |i| i + 1);
    let mut lines = Vec::new();
    for line in text[..line_start].lines().rev() {
        let trimmed = line.trim();
        match trimmed.strip_prefix("//") {
            Some(rest) => lines.push(rest.strip_prefix(' ').unwrap_or(rest).trim_end()),
            None => break,
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests;
