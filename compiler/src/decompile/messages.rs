//! The one place that turns a [`DecompileProblem`] into a [`Diagnostic`]: its message and
//! help, written from the problem's data.

use super::problems::{DecompileProblem, Difference};
use crate::diag::Diagnostic;
use crate::source::Span;

impl DecompileProblem {
    /// The diagnostic for this problem (spans point into the decompiled text, or are empty).
    pub(crate) fn diagnostic(self) -> Diagnostic {
        let code = self.code();
        match self {
            DecompileProblem::Unwritable { workflow, what } => {
                let message = match workflow {
                    None => what,
                    Some(wf) => format!("workflow `{wf}`: {what}"),
                };
                Diagnostic::error(code, Span::default(), message)
                    .with_help("the .lhw text is the closest the language can write; compiling it does not give back this part of the WfSpec")
            }
            DecompileProblem::DoesNotCompile { first_error } => {
                let (first, span) = match first_error {
                    Some(e) => (format!("{}: {}", e.code.as_str(), e.message), e.span),
                    None => (String::new(), Span::default()),
                };
                Diagnostic::error(
                    code,
                    span,
                    format!("the decompiled text does not compile ({first})"),
                )
                .with_help("give the TaskDefs, events, forms and structs the workflow uses (`--taskdefs DIR`, or a server), so that no declaration has to be guessed")
            }
            DecompileProblem::Differs {
                workflow,
                difference,
            } => {
                let d = match difference {
                    Difference::Missing => format!("no workflow `{workflow}` in the text"),
                    Difference::At { path, want, got } => format!(
                        "at `{path}` the WfSpec has {} but the text gives {}",
                        short(&want),
                        short(&got)
                    ),
                    Difference::Unknown => "the messages differ".to_string(),
                };
                Diagnostic::error(
                    code,
                    Span::default(),
                    format!("workflow `{workflow}` compiles back to a different WfSpec: {d}"),
                )
                .with_help("the difference is a shape of this WfSpec that no .lhw construct builds; the text shows the closest workflow")
            }
        }
    }
}

/// A JSON value in at most 120 characters.
fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}
