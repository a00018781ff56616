//! Rename: the definition and every use of a name, checked against the naming rules of
//! what it names and against the names already in use.

use super::{Analysis, TextEdit, is_name_syntax, is_reserved};
use crate::check::{Symbol, SymbolKind, is_valid_lh_name, is_valid_struct_field};
use crate::source::Span;

/// Why a rename cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError(pub String);

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Analysis {
    /// The name at `offset` that can be renamed.
    #[must_use]
    pub fn prepare_rename(&self, offset: u32) -> Option<Span> {
        self.name_at(offset).map(|(span, _)| span)
    }

    /// The edits that rename the name at `offset` (its definition and every use in this
    /// file) to `new_name`.
    ///
    /// # Errors
    /// When there is no name at `offset`, or `new_name` is not a valid name for what it
    /// names, or is already used by another name of the same kind (or, for variables, by
    /// another variable of the workflow).
    pub fn rename(&self, offset: u32, new_name: &str) -> Result<Vec<TextEdit>, RenameError> {
        let (_, symbol) = self
            .name_at(offset)
            .ok_or_else(|| RenameError("there is no name to rename here".to_string()))?;
        let new_name = new_name.trim();
        check_name(symbol.kind, new_name)?;
        if new_name != symbol.name
            && let Some(clash) = self.clash(symbol, new_name)
        {
            return Err(RenameError(format!(
                "`{new_name}` is already the name of a {} in this file",
                clash.kind.describe()
            )));
        }
        let mut spans: Vec<Span> = self
            .index
            .references_to(symbol.span)
            .map(|r| r.span)
            .collect();
        spans.push(symbol.span);
        Ok(self.edits(&spans, new_name))
    }

    /// The edits that rename the LittleHorse-wide name `old` of `kind` to `new_name` in this
    /// file (for a rename started in another file).
    #[must_use]
    pub fn rename_global(&self, kind: SymbolKind, old: &str, new_name: &str) -> Vec<TextEdit> {
        let spans = self.global_occurrences(kind, old);
        self.edits(&spans, new_name.trim())
    }

    fn edits(&self, spans: &[Span], new_name: &str) -> Vec<TextEdit> {
        let mut edits: Vec<TextEdit> = spans
            .iter()
            .map(|&span| {
                // A name quoted with backticks stays quoted; a keyword must be.
                let quoted = self.slice(span).starts_with('`') || is_reserved(new_name);
                TextEdit {
                    span,
                    new_text: if quoted {
                        format!("`{new_name}`")
                    } else {
                        new_name.to_string()
                    },
                }
            })
            .collect();
        edits.sort();
        edits.dedup();
        edits
    }

    /// Another name that `new_name` would collide with.
    fn clash(&self, symbol: &Symbol, new_name: &str) -> Option<&Symbol> {
        self.index.clash(symbol, new_name)
    }
}

/// Checks `name` against the rules for names of `kind`.
fn check_name(kind: SymbolKind, name: &str) -> Result<(), RenameError> {
    if !is_name_syntax(name) {
        return Err(RenameError(format!(
            "`{name}` is not a name: start with a letter and use letters, digits and inner hyphens"
        )));
    }
    let ok = match kind {
        SymbolKind::Field => is_valid_struct_field(name),
        SymbolKind::FormField => true,
        _ => is_valid_lh_name(name),
    };
    if ok {
        Ok(())
    } else if kind == SymbolKind::Field {
        Err(RenameError(format!(
            "`{name}` is not a valid struct field name: fields are camelCase, e.g. `zipCode`"
        )))
    } else {
        Err(RenameError(format!(
            "`{name}` is not a valid LittleHorse name: only letters, digits and inner hyphens"
        )))
    }
}
