//! Everything `lhc` prints about diagnostics: the rendered human form, the JSON form for CI
//! tools, counts and summary lines.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::Path;

use lhw_compiler::diag::render::{RenderOptions, Shown, render};
use lhw_compiler::diag::{Diagnostic, Label};
use lhw_compiler::source::LineIndex;
use serde::Serialize;

use crate::cli::ColorChoice;

/// How to style text written to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to use ANSI colours.
    pub color: bool,
}

impl Style {
    /// Decides colour for stderr: `auto` colours only on a terminal without NO_COLOR.
    #[must_use]
    pub fn for_stderr(choice: ColorChoice) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stderr().is_terminal()
            }
        };
        Style { color }
    }

    /// The options for the diagnostic renderer.
    #[must_use]
    pub fn render_options(self) -> RenderOptions {
        RenderOptions {
            color: self.color,
            ..RenderOptions::default()
        }
    }

    /// `error: message`, with `error` in bold red when colouring.
    #[must_use]
    pub fn error(self, message: &str) -> String {
        self.prefixed("error", "1;31", message)
    }

    /// `help: message`, with `help` in bold cyan when colouring.
    #[must_use]
    pub fn help(self, message: &str) -> String {
        self.prefixed("help", "1;36", message)
    }

    fn prefixed(self, word: &str, ansi: &str, message: &str) -> String {
        if self.color {
            format!("\x1b[{ansi}m{word}\x1b[0m\x1b[1m:\x1b[0m {message}")
        } else {
            format!("{word}: {message}")
        }
    }
}

/// Error and warning counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Number of errors (diagnostics plus unreadable files and other failures).
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
}

impl Counts {
    /// Counts the diagnostics of one file.
    #[must_use]
    pub fn of(diags: &[Diagnostic]) -> Self {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        Counts {
            errors,
            warnings: diags.len() - errors,
        }
    }

    /// Adds another count.
    pub fn add(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
    }

    /// `3 errors, 1 warning`; `no errors` when there is nothing; warnings only when some.
    #[must_use]
    pub fn describe(self) -> String {
        let mut out = if self.errors == 0 {
            "no errors".to_string()
        } else {
            plural(self.errors, "error")
        };
        if self.warnings > 0 {
            let _ = write!(out, ", {}", plural(self.warnings, "warning"));
        }
        out
    }
}

/// `1 file`, `2 files`.
#[must_use]
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The path as shown to people: exactly as given on the command line.
#[must_use]
pub fn display_path(path: &Path) -> String {
    path.display().to_string()
}

/// Renders every diagnostic of one file for a person, each followed by a blank line.
#[must_use]
pub fn render_human(diags: &[Diagnostic], path: &str, text: &str, style: Style) -> String {
    let mut out = String::new();
    for item in lhw_compiler::diag::render::shown(diags) {
        match item {
            Shown::Diagnostic(diag) => {
                out.push_str(&render(diag, path, text, style.render_options()));
            }
            Shown::Omitted(note) => out.push_str(&note.to_string()),
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The JSON document of `lhc check --format json`.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// One entry per file, in command-line order.
    pub files: Vec<JsonFile>,
    /// Total errors (an unreadable file counts as one).
    pub errors: usize,
    /// Total warnings.
    pub warnings: usize,
}

/// One file of the JSON report.
#[derive(Debug, Serialize)]
pub struct JsonFile {
    /// The path as given on the command line.
    pub path: String,
    /// Set when the file could not be read; `diagnostics` is then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<JsonDiagnostic>,
}

/// One diagnostic of the JSON report.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// The stable code, e.g. `E0101`.
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// The span that is wrong.
    pub primary: JsonLabel,
    /// Related spans.
    pub secondary: Vec<JsonLabel>,
    /// One actionable sentence, or null.
    pub help: Option<String>,
    /// The fixes the help proposes, as edits (empty when there is none); the same an
    /// editor offers as quick fixes.
    pub fixes: Vec<JsonFix>,
}

/// One fix of a diagnostic: edits that, applied together to the checked text, resolve it.
#[derive(Debug, Serialize)]
pub struct JsonFix {
    /// What the fix does ("Change to `count`").
    pub title: String,
    /// True for the fix the help names (at most one per diagnostic).
    pub preferred: bool,
    /// The edits, on disjoint spans of the original text.
    pub edits: Vec<JsonEdit>,
}

/// One replacement: the text from `start` to `end` becomes `replacement` (an empty span
/// inserts, an empty replacement deletes).
#[derive(Debug, Serialize)]
pub struct JsonEdit {
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset one past the end.
    pub end: u32,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based character column of the start.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based character column of the end (exclusive).
    pub end_column: u32,
    /// The new text.
    pub replacement: String,
}

/// A labelled span with human (1-based, character) positions.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset one past the end.
    pub end: u32,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based character column of the start.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based character column of the end (exclusive).
    pub end_column: u32,
    /// The label text; may be empty.
    pub message: String,
}

impl JsonDiagnostic {
    /// Converts a diagnostic, computing lines and columns in `text`.
    #[must_use]
    pub fn new(diag: &Diagnostic, text: &str, index: &LineIndex) -> Self {
        let label = |l: &Label| {
            let (line, column) = index.line_col_chars(text, l.span.start);
            let (end_line, end_column) = index.line_col_chars(text, l.span.end);
            JsonLabel {
                start: l.span.start,
                end: l.span.end,
                line: line + 1,
                column: column + 1,
                end_line: end_line + 1,
                end_column: end_column + 1,
                message: l.message.clone(),
            }
        };
        let fixes = diag
            .fixes
            .iter()
            .map(|fix| JsonFix {
                title: fix.title.clone(),
                preferred: fix.preferred,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| {
                        let (line, column) = index.line_col_chars(text, e.span.start);
                        let (end_line, end_column) = index.line_col_chars(text, e.span.end);
                        JsonEdit {
                            start: e.span.start,
                            end: e.span.end,
                            line: line + 1,
                            column: column + 1,
                            end_line: end_line + 1,
                            end_column: end_column + 1,
                            replacement: e.text.clone(),
                        }
                    })
                    .collect(),
            })
            .collect();
        JsonDiagnostic {
            code: diag.code.as_str(),
            severity: if diag.is_error() { "error" } else { "warning" },
            message: diag.message.clone(),
            primary: label(&diag.primary),
            secondary: diag.secondary.iter().map(label).collect(),
            help: diag.help.clone(),
            fixes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_counts_like_cargo() {
        let c = |errors, warnings| Counts { errors, warnings }.describe();
        assert_eq!(c(0, 0), "no errors");
        assert_eq!(c(0, 1), "no errors, 1 warning");
        assert_eq!(c(1, 0), "1 error");
        assert_eq!(c(3, 2), "3 errors, 2 warnings");
    }

    #[test]
    fn json_positions_are_one_based_characters() {
        let text = "workflow w {\n  input count: int\n  cuont += 1\n}\n";
        let diags = lhw_compiler::check(text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let json = JsonDiagnostic::new(&diags[0], text, &LineIndex::new(text));
        assert_eq!((json.primary.line, json.primary.column), (3, 3));
        assert_eq!(json.code, "E0101");
        assert_eq!(json.severity, "error");
        let fix = &json.fixes[0];
        assert_eq!(fix.title, "Change to `count`");
        assert!(fix.preferred);
        let edit = &fix.edits[0];
        assert_eq!((edit.line, edit.column, edit.end_column), (3, 3, 8));
        assert_eq!(&text[edit.start as usize..edit.end as usize], "cuont");
        assert_eq!(edit.replacement, "count");
    }

    #[test]
    fn style_without_colour_is_plain() {
        let s = Style { color: false };
        assert_eq!(s.error("boom"), "error: boom");
        let s = Style { color: true };
        assert!(s.error("boom").contains("\x1b[1;31merror"));
    }
}
