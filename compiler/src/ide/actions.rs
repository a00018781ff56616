//! Quick fixes. Every quick fix is an edit carried on the diagnostic (`Diagnostic::fixes`),
//! built where the problem is found, from the same values as its help sentence; this module
//! only hands them to the editor. No help text is read back (ARCHITECTURE.md, invariant
//! "every quick fix is an edit carried on the diagnostic").

use super::{Analysis, TextEdit};
use crate::diag::Diagnostic;

/// A fix for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    /// What the fix does, as the editor lists it.
    pub title: String,
    /// The edits that make the fix.
    pub edits: Vec<TextEdit>,
    /// True for the fix the editor may apply without asking (the one the help names).
    pub preferred: bool,
}

impl Analysis {
    /// The fixes for `diag`, one of this analysis's diagnostics: exactly its fix data.
    #[must_use]
    pub fn code_actions(&self, diag: &Diagnostic) -> Vec<CodeAction> {
        diag.fixes
            .iter()
            .map(|fix| CodeAction {
                title: fix.title.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        span: e.span,
                        new_text: e.text.clone(),
                    })
                    .collect(),
                preferred: fix.preferred,
            })
            .collect()
    }
}
