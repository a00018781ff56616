//! The one diagnostic model: errors are data, rendered in one place (`lhc` renders with
//! miette, the language server maps the same values to LSP diagnostics).

mod codes;
pub mod render;
mod window;

pub use codes::Code;
use serde::Serialize;

use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Compilation cannot produce output.
    Error,
    /// Output is produced, but something is likely wrong.
    Warning,
}

/// A labelled span of source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Label {
    /// The span the label points at.
    pub span: Span,
    /// A short message for the span; may be empty.
    pub message: String,
}

/// One problem found in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[must_use = "diagnostics must be reported or returned"]
pub struct Diagnostic {
    /// The stable code.
    #[serde(serialize_with = "ser_code")]
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// Lowercase, no trailing period.
    pub message: String,
    /// The span that is wrong, as specifically as possible.
    pub primary: Label,
    /// Related places ("first declared here").
    pub secondary: Vec<Label>,
    /// One actionable sentence, if there is one.
    pub help: Option<String>,
}

fn ser_code<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

impl Diagnostic {
    /// An error at `span`, with `label` under it.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: if code.as_str().starts_with('W') {
                Severity::Warning
            } else {
                Severity::Error
            },
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the primary label's message.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help sentence.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Orders diagnostics by position and drops exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (a.primary.span.start, a.primary.span.end, a.code).cmp(&(
            b.primary.span.start,
            b.primary.span.end,
            b.code,
        ))
    });
    diags.dedup();
}
