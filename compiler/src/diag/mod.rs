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

/// A suggested change that resolves a diagnostic: the data behind its help sentence, built
/// where the problem is found. Editors offer exactly these as quick fixes (`ide/actions.rs`),
/// `lhc check --format json` prints them and `compiler/tests/mistakes.rs` applies them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Fix {
    /// What the fix does, as an editor lists it ("Change to `retries`").
    pub title: String,
    /// The edits, on disjoint spans of the original text.
    pub edits: Vec<Edit>,
    /// The fix the help names, which an editor may apply without asking; at most one fix
    /// of a diagnostic is preferred.
    pub preferred: bool,
    /// Its deletions remove whole statements: where nothing else stands on their lines,
    /// the lines go too ([`widen_deletions`]).
    #[serde(skip)]
    pub whole_lines: bool,
}

impl Fix {
    /// A preferred fix that replaces `span` with `text`.
    pub fn replace(title: impl Into<String>, span: Span, text: impl Into<String>) -> Self {
        Fix::new(
            title,
            vec![Edit {
                span,
                text: text.into(),
            }],
        )
    }

    /// A preferred fix made of `edits`.
    pub fn new(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            title: title.into(),
            edits,
            preferred: true,
            whole_lines: false,
        }
    }

    /// A fix that deletes the statement at `span`, and its lines when nothing else stands
    /// on them.
    pub fn delete_statement(title: impl Into<String>, span: Span) -> Self {
        Fix {
            whole_lines: true,
            ..Fix::new(
                title,
                vec![Edit {
                    span,
                    text: String::new(),
                }],
            )
        }
    }

    /// The same fix, offered but not preferred (a possible remedy the help does not name,
    /// such as declaring an unknown task or deleting an unused variable).
    #[must_use]
    pub fn offered(mut self) -> Self {
        self.preferred = false;
        self
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
    /// A diagnostic with `code` at `span`; its severity is the code's (from the registry).
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
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

    /// Adds a fix. At most one fix is preferred: the first preferred one added.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.add_fix(fix);
        self
    }

    /// Adds a fix to a diagnostic already built (see [`Diagnostic::with_fix`]).
    pub fn add_fix(&mut self, mut fix: Fix) {
        if self.fixes.iter().any(|f| f.preferred) {
            fix.preferred = false;
        }
        self.fixes.push(fix);
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

/// Lets each fix that deletes statements ([`Fix::delete_statement`]) delete their lines
/// too, line break included, where nothing else stands on them, so that no blank line is
/// left behind. Fixes are built from the syntax tree, which does not know the lines; this
/// runs where the text is known (`lhw_compiler::check`, `compile`, `ide::Analysis`).
pub fn widen_deletions(diags: &mut [Diagnostic], text: &str) {
    for edit in diags
        .iter_mut()
        .flat_map(|d| d.fixes.iter_mut())
        .filter(|f| f.whole_lines)
        .flat_map(|f| f.edits.iter_mut())
        .filter(|e| e.text.is_empty() && e.span.start < e.span.end)
    {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        let (Some(before), Some(after)) = (text.get(..start), text.get(end..)) else {
            continue;
        };
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line_end = after.find(['\n', '\r']).map_or(text.len(), |i| end + i);
        let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
        if !blank(&before[line_start..]) || !blank(&text[end..line_end]) {
            continue;
        }
        let rest = &text[line_end..];
        let brk = if rest.starts_with("\r\n") {
            2
        } else {
            usize::from(!rest.is_empty())
        };
        if let (Ok(s), Ok(e)) = (u32::try_from(line_start), u32::try_from(line_end + brk)) {
            edit.span = Span { start: s, end: e };
        }
    }
}

/// "a `str`", "an `int`": the article a type's name takes, for messages built as
/// "a `{type}`" (the article follows the sound of the name's first letter).
pub(crate) fn a_or_an<T: std::fmt::Display + ?Sized>(what: &T) -> String {
    let name = what.to_string();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} `{name}`")
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
