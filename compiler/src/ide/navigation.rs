//! Go to definition and find references. Tasks, events, structs, user tasks and workflows
//! are LittleHorse-wide names, so an editor may also look them up in its other open files
//! ([`Analysis::global_at`], [`Analysis::global_occurrences`]).

use super::Analysis;
use crate::check::SymbolKind;
use crate::source::Span;

/// Where a name is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavTarget {
    /// The name in its definition.
    pub span: Span,
    /// What it defines.
    pub kind: SymbolKind,
    /// The name.
    pub name: String,
}

impl Analysis {
    /// The definition of the name at `offset`.
    #[must_use]
    pub fn definition(&self, offset: u32) -> Option<NavTarget> {
        let (_, symbol) = self.name_at(offset)?;
        Some(NavTarget {
            span: symbol.span,
            kind: symbol.kind,
            name: symbol.name.clone(),
        })
    }

    /// Every use of the name at `offset` in this file, and its definition when
    /// `include_declaration`, in source order.
    #[must_use]
    pub fn references(&self, offset: u32, include_declaration: bool) -> Vec<Span> {
        let Some((_, symbol)) = self.name_at(offset) else {
            return Vec::new();
        };
        let mut out: Vec<Span> = self
            .index
            .references_to(symbol.span)
            .map(|r| r.span)
            .collect();
        if include_declaration {
            out.push(symbol.span);
        }
        out.sort();
        out.dedup();
        out
    }

    /// The LittleHorse-wide name (task, event, struct, user task, workflow) at `offset`.
    #[must_use]
    pub fn global_at(&self, offset: u32) -> Option<(SymbolKind, String)> {
        let (_, symbol) = self.name_at(offset)?;
        symbol
            .kind
            .is_global()
            .then(|| (symbol.kind, symbol.name.clone()))
    }

    /// Every declaration and use of the LittleHorse-wide name `name` of `kind` in this file,
    /// in source order.
    #[must_use]
    pub fn global_occurrences(&self, kind: SymbolKind, name: &str) -> Vec<Span> {
        let mut out = Vec::new();
        for symbol in &self.index.symbols {
            if symbol.kind == kind && symbol.name == name {
                out.push(symbol.span);
                out.extend(self.index.references_to(symbol.span).map(|r| r.span));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}
