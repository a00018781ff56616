//! Applying fixes to a file: what `lhc check --fix` and `lhc fmt --fix` do. Each round
//! checks the text and applies the preferred fix of every diagnostic whose edits do not
//! touch another fix's, then checks again (a fix may reveal the next problem, or a second
//! fix may have been set aside because it overlapped), until nothing is left to apply.
//! Only preferred fixes are applied: the one each help names ("did you mean `count`?",
//! `else if` for `elif`, a valid name for an invalid one); offered ones (declare an unknown
//! task, delete an unused variable) are left to the user.

use crate::diag::{Edit, Fix};
use crate::source::Span;

/// At most this many rounds: a fix never needs more, and a pair of fixes that undo each
/// other cannot loop.
const MAX_ROUNDS: usize = 8;

/// The text after applying fixes, and how many were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    /// The fixed text (the input when nothing applied).
    pub text: String,
    /// How many fixes were applied, over all rounds.
    pub applied: usize,
}

/// Applies the preferred fixes of `text`'s diagnostics, round after round.
#[must_use]
pub fn apply_preferred(text: &str) -> Fixed {
    let mut current = text.to_string();
    let mut applied = 0;
    let mut seen = vec![current.clone()];
    for _ in 0..MAX_ROUNDS {
        let diags = crate::check(&current);
        let mut taken: Vec<Span> = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        let mut count = 0;
        for fix in diags
            .iter()
            .filter_map(|d| d.fixes.iter().find(|f| f.preferred))
        {
            if fix
                .edits
                .iter()
                .all(|e| taken.iter().all(|t| !overlaps(*t, e.span)))
            {
                taken.extend(fix.edits.iter().map(|e| e.span));
                edits.extend(fix.edits.iter().cloned());
                count += 1;
            }
        }
        if count == 0 {
            break;
        }
        let next = Fix::new(String::new(), edits).apply(&current);
        if seen.contains(&next) {
            break;
        }
        seen.push(next.clone());
        current = next;
        applied += count;
    }
    Fixed {
        text: current,
        applied,
    }
}

/// Whether two edits would interfere: their spans overlap, or both insert at one place.
fn overlaps(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end) || a.start == b.start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_the_preferred_fixes_until_the_file_checks() {
        let text = "workflow w {\n  input count: int\n  cuont += 1\n  if count > 1 {\n    count = 0\n  } elif count > 0 {\n    count = 1\n  }\n}\n";
        let fixed = apply_preferred(text);
        assert_eq!(fixed.applied, 2, "{}", fixed.text);
        assert!(crate::check(&fixed.text).is_empty(), "{}", fixed.text);
        assert!(fixed.text.contains("  count += 1\n"), "{}", fixed.text);
        assert!(fixed.text.contains("} else if count > 0"), "{}", fixed.text);
    }

    #[test]
    fn leaves_offered_fixes_and_clean_files_alone() {
        let text = "workflow w {\n  var unused: int\n}\n";
        assert_eq!(apply_preferred(text).applied, 0);
        let clean = "workflow w {\n  input n: int\n  n += 1\n}\n";
        assert_eq!(apply_preferred(clean).text, clean);
    }
}
