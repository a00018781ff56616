//! The quick fix of E0105 (a name LittleHorse does not accept): rename the declaration and
//! every use of it to the suggested name. The uses are known only once the whole file has
//! been checked with an [`Index`], so `lh_name` records the rename as pending and
//! [`complete`] turns it into the fix's edits.

use super::index::Index;
use super::is_valid_lh_name;
use crate::diag::{Diagnostic, Edit, Fix};
use crate::source::Span;
use crate::syntax::is_reserved;

/// A rename proposed by an E0105 diagnostic.
#[derive(Debug, Clone)]
pub(super) struct PendingRename {
    /// The diagnostic's position in the checker's list.
    pub(super) diag: usize,
    /// The declaration's name.
    pub(super) decl: Span,
    /// The suggested name.
    pub(super) new_name: String,
}

/// Adds to each pending rename's diagnostic the fix that renames the declaration and its
/// uses, unless the new name is taken (then the help stands alone, as a rename would fail).
pub(super) fn complete(diags: &mut [Diagnostic], renames: &[PendingRename], index: &Index) {
    for r in renames {
        let Some(symbol) = index.symbol_at_span(r.decl) else {
            // A name that is no symbol (a failure name, written where it is thrown): the
            // fix renames it where it stands.
            if let Some(d) = diags.get_mut(r.diag) {
                d.add_fix(Fix::replace(
                    format!("Rename to `{}`", r.new_name),
                    r.decl,
                    r.new_name.clone(),
                ));
            }
            continue;
        };
        if !is_valid_lh_name(&r.new_name) || index.clash(symbol, &r.new_name).is_some() {
            continue;
        }
        let mut spans: Vec<Span> = index.references_to(symbol.span).map(|x| x.span).collect();
        spans.push(symbol.span);
        let mut edits: Vec<Edit> = spans
            .into_iter()
            .map(|span| {
                // A name quoted with backticks (its span is longer than the name) stays
                // quoted; a keyword must be.
                let quoted = span.end - span.start > len(&symbol.name) || is_reserved(&r.new_name);
                Edit {
                    span,
                    text: if quoted {
                        format!("`{}`", r.new_name)
                    } else {
                        r.new_name.clone()
                    },
                }
            })
            .collect();
        edits.sort();
        edits.dedup();
        if let Some(d) = diags.get_mut(r.diag) {
            d.add_fix(Fix::new(format!("Rename to `{}`", r.new_name), edits));
        }
    }
}

fn len(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}
