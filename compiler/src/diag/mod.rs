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

/// One replacement of source text: `span` becomes `text` (an empty span inserts, an empty
/// text deletes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edit {
    /// The text replaced.
    pub span: Span,
    /// What replaces it.
    pub text: String,
}

/// A suggested change that resolves a diagnostic: the data behind its help sentence, which
/// editors offer as a quick fix (`ide/actions.rs`) and `compiler/tests/mistakes.rs` applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Fix {
    /// What the fix does, as an editor lists it ("Change to `retries`").
    pub title: String,
    /// The edits, on disjoint spans of the original text.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix that replaces `span` with `text`.
    pub fn replace(title: impl Into<String>, span: Span, text: impl Into<String>) -> Self {
        Fix {
            title: title.into(),
            edits: vec![Edit {
                span,
                text: text.into(),
            }],
        }
    }

    /// `text` with the edits applied (edits on spans outside `text` are skipped).
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        let mut edits: Vec<&Edit> = self.edits.iter().collect();
        edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
        let mut out = text.to_string();
        for e in edits {
            let (start, end) = (e.span.start as usize, e.span.end as usize);
            if start <= end
                && out.is_char_boundary(start)
                && end <= out.len()
                && out.is_char_boundary(end)
            {
                out.replace_range(start..end, &e.text);
            }
        }
        out
    }
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
    /// The edits the help proposes, as data; the first is the one the help names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
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
            fixes: Vec::new(),
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

    /// Adds a fix (the first added is the preferred one).
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Sets the help sentence and a fix that replaces `span` with `text`, titled after it.
    pub fn with_replacement(self, help: impl Into<String>, span: Span, text: &str) -> Self {
        let title = if text.trim().is_empty() {
            "Remove it".to_string()
        } else if span.start == span.end {
            format!("Insert `{}`", text.trim())
        } else {
            format!("Change to `{}`", text.trim())
        };
        self.with_help(help)
            .with_fix(Fix::replace(title, span, text))
    }

    /// Sets the help to "did you mean `name`?" and the fix that writes `name` at the primary
    /// span.
    pub fn did_you_mean(self, name: &str) -> Self {
        let span = self.primary.span;
        self.with_replacement(format!("did you mean `{name}`?"), span, name)
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
