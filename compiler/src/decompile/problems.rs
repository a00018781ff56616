//! What a decompiled text does not keep, as data (W0030-W0032): one value per kind of
//! loss, before any sentence is written. `messages.rs` turns each into a diagnostic.
//!
//! The shape of `check/problems.rs` (one enum per phase, as Gleam has one error type per
//! phase): every problem maps to exactly one code of the registry (`diag/codes.rs`).

use crate::diag::Code;
use crate::source::Span;

/// One thing a decompilation does not keep.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DecompileProblem {
    /// W0031: a shape of a WfSpec (of `workflow`, or of the declarations when `None`) that
    /// the language cannot write; `what` is the printer's account of it.
    Unwritable {
        workflow: Option<String>,
        what: String,
    },
    /// W0032: the decompiled text does not compile; `first_error` is its first error.
    DoesNotCompile { first_error: Option<CompileError> },
    /// W0030: the text compiles, but `workflow` comes back different.
    Differs {
        workflow: String,
        difference: Difference,
    },
}

/// The first error of a text that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompileError {
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) span: Span,
}

/// How a workflow compiled back differs from the WfSpec it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Difference {
    /// The text has no workflow of that name.
    Missing,
    /// The first place where the two messages differ, as a JSON path with both values.
    At {
        path: String,
        want: serde_json::Value,
        got: serde_json::Value,
    },
    /// The messages differ, but not as JSON (they could not be serialized).
    Unknown,
}

impl DecompileProblem {
    /// The problem's code in the registry.
    pub(crate) fn code(&self) -> Code {
        match self {
            DecompileProblem::Unwritable { .. } => Code::W0031,
            DecompileProblem::DoesNotCompile { .. } => Code::W0032,
            DecompileProblem::Differs { .. } => Code::W0030,
        }
    }
}

/// One value of each variant (a new variant must be added here: `code()` and the renderer
/// match exhaustively, this list is what the registry test in `check/problems.rs` reads).
#[cfg(test)]
pub(crate) fn one_of_each() -> Vec<DecompileProblem> {
    let name = || "x".to_string();
    let mut all = vec![
        DecompileProblem::Unwritable {
            workflow: None,
            what: name(),
        },
        DecompileProblem::Unwritable {
            workflow: Some(name()),
            what: name(),
        },
        DecompileProblem::DoesNotCompile { first_error: None },
        DecompileProblem::DoesNotCompile {
            first_error: Some(CompileError {
                code: Code::E0101,
                message: name(),
                span: Span::default(),
            }),
        },
    ];
    for difference in [
        Difference::Missing,
        Difference::At {
            path: "$.name".to_string(),
            want: serde_json::json!("a"),
            got: serde_json::json!("b".repeat(200)),
        },
        Difference::Unknown,
    ] {
        all.push(DecompileProblem::Differs {
            workflow: name(),
            difference,
        });
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_decompile_problem_renders_with_its_code_a_message_and_a_help() {
        for p in one_of_each() {
            let code = p.code();
            let d = p.diagnostic();
            assert_eq!(d.code, code);
            assert!(!d.is_error(), "{code} is a warning");
            assert!(!d.message.is_empty(), "{code}");
            assert!(d.help.is_some(), "{code}");
        }
    }

    /// The migrated codes are built only from problems: no call site in `decompile/`
    /// writes their sentences any more.
    #[test]
    fn migrated_codes_are_not_built_at_call_sites() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("decls.rs"),
            include_str!("expr.rs"),
            include_str!("json.rs"),
            include_str!("thread.rs"),
        ];
        let sources: Vec<String> = sources
            .iter()
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
            .collect();
        let migrated: BTreeSet<Code> = one_of_each().iter().map(DecompileProblem::code).collect();
        for code in migrated {
            let needle = format!("Diagnostic::error(Code::{code}");
            for src in &sources {
                assert!(
                    !src.contains(&needle),
                    "{code} is still built at a call site"
                );
            }
        }
    }
}
