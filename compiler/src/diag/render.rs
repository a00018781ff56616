//! The one place diagnostics become text for people: miette's graphical report, with the
//! user's lines, underlined spans, labels and help. `lhc` prints it; snapshot tests render
//! without colour at a fixed width and path so they do not depend on the machine.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::window::{Excerpt, needs_excerpt};
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
    let spans: Vec<crate::source::Span> = std::iter::once(diag.primary.span)
        .chain(diag.secondary.iter().map(|s| s.span))
        .collect();
    // Long lines (and lone `\r` line breaks, which miette does not split at) are rendered
    // from an excerpt of the lines shown; see `window.rs`.
    let excerpt =
        (needs_excerpt(text, &spans) || has_lone_cr(text)).then(|| Excerpt::new(text, &spans));
    let shown = excerpt.as_ref().map_or(text, |e| e.text.as_str());
    let report = Report {
        diag,
        source: CharColumns {
            name: path.to_string(),
            text: shown,
            real: text,
            excerpt: excerpt.as_ref(),
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

/// Renders the diagnostics people are shown (see [`shown`]), one after the other.
#[must_use]
pub fn render_all(diags: &[Diagnostic], path: &str, text: &str, opts: RenderOptions) -> String {
    let mut out = String::new();
    for item in shown(diags) {
        match item {
            Shown::Diagnostic(d) => out.push_str(&render(d, path, text, opts)),
            Shown::Omitted(note) => {
                out.push_str(&note.to_string());
                out.push('\n');
            }
        }
    }
    out
}

/// How many diagnostics with the same code and message are rendered; the rest are counted.
pub const SAME_LIMIT: usize = 10;
/// How many diagnostics of one file are rendered in all; the rest are counted.
pub const TOTAL_LIMIT: usize = 100;

/// One entry of what people are shown of a file's diagnostics.
#[derive(Debug, Clone, Copy)]
pub enum Shown<'d> {
    /// A diagnostic, rendered whole.
    Diagnostic(&'d Diagnostic),
    /// Diagnostics left out, counted on one line.
    Omitted(Omitted<'d>),
}

/// Diagnostics counted instead of rendered.
#[derive(Debug, Clone, Copy)]
pub enum Omitted<'d> {
    /// `count` more diagnostics like `like` (same code and message), after its first ones.
    LikeThis { like: &'d Diagnostic, count: usize },
    /// `count` more diagnostics after the first [`TOTAL_LIMIT`].
    Beyond { count: usize },
}

impl fmt::Display for Omitted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Omitted::LikeThis { like, count } => write!(
                f,
                "{}[{}]: {count} more like this: {}",
                severity_word(like.severity),
                like.code,
                like.message
            ),
            Omitted::Beyond { count } => write!(
                f,
                "note: {count} more not shown (`--format json` lists every diagnostic)"
            ),
        }
    }
}

/// What people are shown of `diags`, as rustc does: the first [`SAME_LIMIT`] diagnostics
/// with one code and message, then one line counting the rest of them (after the last one
/// shown), and no more than [`TOTAL_LIMIT`] diagnostics in all, then one line counting the
/// rest. Rendering stays linear however many diagnostics a file has.
#[must_use]
pub fn shown(diags: &[Diagnostic]) -> Vec<Shown<'_>> {
    let mut seen: std::collections::HashMap<(super::Code, &str), usize> =
        std::collections::HashMap::new();
    for d in diags {
        *seen.entry((d.code, d.message.as_str())).or_default() += 1;
    }
    let mut rendered: std::collections::HashMap<(super::Code, &str), usize> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    // Diagnostics rendered or counted on a "more like this" line.
    let mut accounted = 0usize;
    let mut rendered_count = 0usize;
    for d in diags {
        if rendered_count == TOTAL_LIMIT {
            break;
        }
        let key = (d.code, d.message.as_str());
        let n = rendered.entry(key).or_default();
        *n += 1;
        if *n > SAME_LIMIT {
            continue;
        }
        out.push(Shown::Diagnostic(d));
        accounted += 1;
        rendered_count += 1;
        let all = seen[&key];
        if *n == SAME_LIMIT && all > SAME_LIMIT {
            out.push(Shown::Omitted(Omitted::LikeThis {
                like: d,
                count: all - SAME_LIMIT,
            }));
            accounted += all - SAME_LIMIT;
        }
    }
    let beyond = diags.len() - accounted;
    if beyond > 0 {
        out.push(Shown::Omitted(Omitted::Beyond { count: beyond }));
    }
    out
}

/// Whether `text` has a `\r` that is not part of a `\r\n`.
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
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
    /// The text miette reads: the real text, or the excerpt's.
    text: &'t str,
    /// The real text.
    real: &'t str,
    excerpt: Option<&'t Excerpt>,
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
        let (line, column) = if let Some(excerpt) = self.excerpt {
            excerpt
                .real_position(self.real, start)
                .unwrap_or((inner.line(), inner.column()))
        } else {
            let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
            let column = self
                .text
                .get(line_start..start)
                .map_or(inner.column(), |s| s.chars().count());
            (inner.line(), column)
        };
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
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
        match self.source.excerpt {
            Some(excerpt) => {
                let (start, end) = (excerpt.map(start), excerpt.map(end));
                SourceSpan::new(start.into(), end.saturating_sub(start))
            }
            None => SourceSpan::new(start.into(), end - start),
        }
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
