//! Very long lines, re-windowed for rendering. miette prints every line of a label's context
//! whole and pads to the label's column, which fails past column 65,535 ("Formatting
//! argument out of range") and repeats a long line once per diagnostic (4,000 errors on one
//! 12 KB line printed 97 MB). When a line around a diagnostic is longer than [`LONG_LINE`]
//! characters, the diagnostic is rendered against an [`Excerpt`]: only the lines it shows,
//! each long one cut to a window around the labels on it (marked with `…`), with line
//! numbers and columns still those of the real text.

use crate::source::Span;

/// Lines up to this many characters are shown whole.
pub(crate) const LONG_LINE: usize = 400;
/// Characters kept before the first and after the last label position on a cut line.
const MARGIN: usize = 60;
/// The most characters kept of a cut line.
const WINDOW: usize = 240;
/// Marks text cut from a line.
const CUT: &str = "…";

/// The lines a diagnostic shows, with long lines cut.
#[derive(Debug)]
pub(crate) struct Excerpt {
    /// The excerpt's text: one line per shown line (lines between distant labels are empty).
    pub(crate) text: String,
    /// The 0-based line of the real text that the excerpt's first line is.
    pub(crate) first_line: usize,
    lines: Vec<ExcerptLine>,
}

#[derive(Debug)]
struct ExcerptLine {
    /// Where the real line starts, and where the kept window of it starts and ends.
    line_start: usize,
    keep_start: usize,
    keep_end: usize,
    /// Where the kept window starts in the excerpt (after any leading `…`).
    at: usize,
}

/// The byte ranges of the lines of `text` (without their line breaks) that hold `from..=to`.
fn line_bounds(text: &str, offset: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let offset = offset.min(text.len());
    let start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(text.len(), |i| offset + i);
    (start, end)
}

/// The end of the line break at `end` (`\r\n` is one).
fn after_break(text: &str, end: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(end) {
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
        Some(_) => end + 1,
        None => end,
    }
}

/// Whether any line shown around `spans` (one line of context each side) is long.
pub(crate) fn needs_excerpt(text: &str, spans: &[Span]) -> bool {
    spans.iter().any(|s| {
        let (start, _) = line_bounds(text, s.start as usize);
        let (_, end) = line_bounds(text, (s.end as usize).max(s.start as usize));
        let before = start.checked_sub(1).map(|p| line_bounds(text, p));
        let after = (end < text.len()).then(|| line_bounds(text, after_break(text, end)));
        // The span's own lines, then its context lines.
        let long = |(a, b): (usize, usize)| {
            b - a > LONG_LINE
                && text
                    .get(a..b)
                    .is_some_and(|l| l.chars().count() > LONG_LINE)
        };
        long((start, end)) || before.is_some_and(long) || after.is_some_and(long)
    })
}

impl Excerpt {
    /// The excerpt of `text` for a diagnostic with labels at `spans`.
    pub(crate) fn new(text: &str, spans: &[Span]) -> Excerpt {
        // Every real line shown: each span's lines with one line of context either side.
        let mut shown: Vec<(usize, usize, Vec<usize>)> = Vec::new(); // (start, end, points)
        let mut add = |bounds: (usize, usize), point: Option<usize>| {
            if let Some(entry) = shown.iter_mut().find(|e| e.0 == bounds.0) {
                entry.2.extend(point);
            } else {
                shown.push((bounds.0, bounds.1, point.into_iter().collect()));
            }
        };
        for s in spans {
            let (from, to) = (s.start as usize, (s.end as usize).max(s.start as usize));
            let first = line_bounds(text, from);
            let last = line_bounds(text, to);
            add(first, Some(from.min(text.len())));
            add(last, Some(to.min(text.len())));
            if let Some(p) = first.0.checked_sub(1) {
                add(line_bounds(text, p), None);
            }
            if last.1 < text.len() {
                add(line_bounds(text, after_break(text, last.1)), None);
            }
            // The lines a multi-line span crosses are shown too.
            let mut at = after_break(text, first.1);
            while at < last.0 {
                let b = line_bounds(text, at);
                add(b, None);
                at = after_break(text, b.1);
            }
        }
        shown.sort_by_key(|e| e.0);
        let first_start = shown.first().map_or(0, |e| e.0);
        let first_line = count_breaks(&text[..first_start]);
        let mut out = Excerpt {
            text: String::new(),
            first_line,
            lines: Vec::new(),
        };
        let mut line_no = first_line;
        for (start, end, points) in shown {
            let no = first_line + count_breaks(&text[first_start..start]);
            while line_no < no {
                out.text.push('\n');
                line_no += 1;
            }
            let line = &text[start..end];
            let (keep_start, keep_end) = if line.chars().count() > LONG_LINE {
                window(text, start, end, &points)
            } else {
                (start, end)
            };
            if keep_start > start {
                out.text.push_str(CUT);
            }
            let at = out.text.len();
            out.text.push_str(&text[keep_start..keep_end]);
            if keep_end < end {
                out.text.push_str(CUT);
            }
            out.text.push('\n');
            line_no += 1;
            out.lines.push(ExcerptLine {
                line_start: start,
                keep_start,
                keep_end,
                at,
            });
        }
        out
    }

    /// Where offset `at` of the real text is in the excerpt (clamped into the kept window).
    pub(crate) fn map(&self, at: usize) -> usize {
        let idx = self.lines.partition_point(|l| l.line_start <= at);
        let Some(line) = idx.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return 0;
        };
        line.at + (at.clamp(line.keep_start, line.keep_end) - line.keep_start)
    }

    /// The real 0-based line and character column of excerpt offset `at`.
    pub(crate) fn real_position(&self, text: &str, at: usize) -> Option<(usize, usize)> {
        let idx = self.lines.partition_point(|l| l.at <= at);
        let line = self.lines.get(idx.checked_sub(1)?)?;
        let real = line.keep_start
            + at.saturating_sub(line.at)
                .min(line.keep_end - line.keep_start);
        let real = floor_boundary(text, real);
        let column = text.get(line.line_start..real)?.chars().count();
        let line_no = self.first_line + count_breaks(self.text.get(..line.at)?);
        Some((line_no, column))
    }
}

/// The window `[keep_start, keep_end)` of the line `start..end` around `points`.
fn window(text: &str, start: usize, end: usize, points: &[usize]) -> (usize, usize) {
    let lo = points
        .iter()
        .copied()
        .min()
        .unwrap_or(start)
        .clamp(start, end);
    let hi = points.iter().copied().max().unwrap_or(start).clamp(lo, end);
    let keep_start = back_chars(text, lo, MARGIN).max(start);
    let wanted_end = forward_chars(text, hi, MARGIN).min(end);
    let cap = forward_chars(text, keep_start, WINDOW).min(end);
    (keep_start, wanted_end.min(cap))
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    let from = floor_boundary(text, from);
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    let from = floor_boundary(text, from);
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// How many line breaks (`\n`, `\r\n` or a lone `\r`) `text` holds.
fn count_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}
