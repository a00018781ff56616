//! The one place diagnostics become text for people: miette's graphical report, with the
//! user's lines, underlined spans, labels and help. `lhc` prints it; snapshot tests render
//! without colour at a fixed width and path so they do not depend on the machine.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Severity};

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// Renders one diagnostic against the source text it points into.
#[must_use]
pub fn render(diag: &Diagnostic, path: &str, text: &str, opts: RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1);
    let report = Report {
        diag,
        source: CharColumns {
            name: path.to_string(),
            text,
        },
        len: text.len(),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // miette only fails on a broken formatter; fall back to the one-line form.
        out = format!(
            "{}[{}]: {}\n",
            severity_word(diag.severity),
            diag.code,
            diag.message
        );
    }
    out
}

/// Renders every diagnostic followed by a summary line (`error: 2 errors, 1 warning`).
#[must_use]
pub fn render_all(diags: &[Diagnostic], path: &str, text: &str, opts: RenderOptions) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&render(d, path, text, opts));
    }
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

struct Report<'d> {
    diag: &'d Diagnostic,
    source: CharColumns<'d>,
    len: usize,
}

/// The source as miette sees it, reporting columns in characters (as `lhc check --format
/// json` and editors' "column" do), not in bytes.
struct CharColumns<'t> {
    name: String,
    text: &'t str,
}

impl SourceCode for CharColumns<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let start = inner.span().offset().min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = self
            .text
            .get(line_start..start)
            .map_or(inner.column(), |s| s.chars().count());
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )
        .with_language("lhw");
        Ok(Box::new(contents))
    }
}

impl Report<'_> {
    fn span(&self, span: crate::source::Span) -> SourceSpan {
        let start = (span.start as usize).min(self.len);
        let end = (span.end as usize).clamp(start, self.len);
        SourceSpan::new(start.into(), end - start)
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report").field("diag", self.diag).finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = &self.diag.primary;
        let label = |m: &str| (!m.is_empty()).then(|| m.to_string());
        let mut spans = vec![LabeledSpan::new_primary_with_span(
            label(&primary.message),
            self.span(primary.span),
        )];
        for s in &self.diag.secondary {
            spans.push(LabeledSpan::new_with_span(
                label(&s.message),
                self.span(s.span),
            ));
        }
        Some(Box::new(spans.into_iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::Span;

    #[test]
    fn location_column_counts_characters() {
        let text = "a\n  var s = \"🎈\"; bad\n";
        let start = text.find("bad").unwrap_or_default();
        let d = Diagnostic::error(Code::E0001, Span::new(start, start + 3), "unexpected");
        let out = render(&d, "f.lhw", text, RenderOptions::default());
        // `bad` starts at the 16th character of line 2 (the balloon is 4 bytes, 1 character).
        assert!(out.contains("f.lhw:2:16"), "{out}");
    }
}
