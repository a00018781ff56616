//! Near-misses: the mistakes people make most (other languages' habits, misspelt keywords,
//! durations written in words, clauses in the wrong order), recognised on the tokens of a
//! chunk that failed to parse. Each becomes one diagnostic with its fix as data; the chunk
//! is then parsed again with the fixes applied, so that the rest of it (and the checker)
//! sees what was meant and reports nothing more about the mistake: one root error per
//! mistake (issue 14 §1, `compiler/tests/mistakes/`).
//!
//! Only a chunk that already has an error is looked at, so a valid file is never changed.

use super::problems::{KeywordKind, NearMiss, SyntaxProblem};
use crate::diag::{Diagnostic, Edit};
use crate::source::Span;

mod habits;

/// One recognised mistake: the diagnostic, whose first fix is the repair.
pub(super) struct Mistake {
    pub(super) diag: Diagnostic,
}

impl Mistake {
    fn edits(&self) -> &[Edit] {
        self.diag.fixes.first().map_or(&[], |f| f.edits.as_slice())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    /// Digits, possibly followed by letters (`7days`) or a fraction (`1.5h`).
    Number,
    Str,
    /// A run of operator characters, or one other character.
    Punct,
}

#[derive(Debug, Clone)]
struct Tok<'t> {
    kind: Kind,
    text: &'t str,
    start: usize,
    end: usize,
    /// First token on its line.
    line_start: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The tokens of `s`, without comments; strings (double, single or typographic quotes) are
/// one token each.
fn tokens(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c == '\n' || c == '\r' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() || c == '\u{FEFF}' {
            i += c.len_utf8();
            continue;
        }
        if rest.starts_with("//") {
            i += rest.find(['\n', '\r']).unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with("/*") {
            i += super::errors::block_comment_len(rest).unwrap_or(rest.len());
            continue;
        }
        let start = i;
        let kind;
        if c == '"' || c == '\'' || c == '“' {
            let close = match c {
                '“' => '”',
                other => other,
            };
            let mut j = i + c.len_utf8();
            while j < s.len() {
                let d = s[j..].chars().next().unwrap_or(' ');
                if d == '\n' || d == '\r' {
                    break;
                }
                if d == '\\' {
                    j += 1 + s[j + 1..].chars().next().map_or(0, char::len_utf8);
                    continue;
                }
                j += d.len_utf8();
                if d == close {
                    break;
                }
            }
            i = j.min(s.len());
            kind = Kind::Str;
        } else if c == '`' {
            // A backticked name ends at its line's end at the latest.
            let j = rest[1..].find(['`', '\n', '\r']).map_or(rest.len(), |k| {
                k + 1 + usize::from(rest.as_bytes()[k + 1] == b'`')
            });
            i += j;
            kind = Kind::Word;
        } else if c.is_ascii_digit() {
            while i < s.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < s.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
                while i < s.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            while i < s.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            kind = Kind::Number;
        } else if is_word_char(c) {
            while i < s.len() {
                let d = b[i] as char;
                if is_word_char(d)
                    || (d == '-' && i + 1 < s.len() && is_word_char(b[i + 1] as char))
                {
                    i += 1;
                } else {
                    break;
                }
            }
            kind = Kind::Word;
        } else if "=!<>+-*/&|:.".contains(c) {
            while i < s.len() && "=!<>+-*/&|:.".contains(b[i] as char) {
                i += 1;
            }
            kind = Kind::Punct;
        } else {
            i += c.len_utf8();
            kind = Kind::Punct;
        }
        out.push(Tok {
            kind,
            text: &s[start..i],
            start,
            end: i,
            line_start,
        });
        line_start = false;
    }
    out
}

// The optimal-string-alignment distance (a swap of two neighbours counts once), shared with
// the checker's "did you mean".
use crate::check::names::edit_distance as distance;

/// The keyword of `words` that `word` is a misspelling of.
fn misspelt<'w>(word: &str, words: &[&'w str]) -> Option<&'w str> {
    if words.contains(&word) || word.len() > 24 {
        return None;
    }
    let limit = if word.len() <= 4 { 1 } else { 2 };
    words
        .iter()
        .map(|w| (distance(word, w), *w))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, w)| w)
}

const ITEM_WORDS: &[&str] = &[
    "extern",
    "task",
    "event",
    "workflow-event",
    "struct",
    "user-task",
    "workflow",
];
const STMT_WORDS: &[&str] = &[
    "var",
    "input",
    "let",
    "if",
    "while",
    "return",
    "fail",
    "wait",
    "sleep",
    "extend",
    "remove",
    "updates",
    "default",
    "thread",
    "emit",
    "retention",
    "parent",
    "public",
    "private",
    "inherited",
];
const TASK_OPTIONS: &[&str] = &["retries", "timeout", "backoff"];
const VAR_MODIFIERS: &[&str] = &["required", "searchable", "masked"];

/// A duration unit word and its suffix; `week(s)` is 7 days.
fn unit(word: &str) -> Option<(&'static str, u64)> {
    Some(match word.to_ascii_lowercase().as_str() {
        "millis" | "msec" | "msecs" | "millisecond" | "milliseconds" => ("ms", 1),
        "sec" | "secs" | "second" | "seconds" => ("s", 1),
        "min" | "mins" | "minute" | "minutes" => ("m", 1),
        "hr" | "hrs" | "hour" | "hours" => ("h", 1),
        "day" | "days" => ("d", 1),
        "w" | "wk" | "wks" | "week" | "weeks" => ("d", 7),
        _ => return None,
    })
}

/// `7days`, `30sec`, `1.5h` as the language writes it, when it is not already valid.
fn duration_word(number: &str, word: Option<&str>) -> Option<String> {
    let digits_end = number
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(number.len());
    let (value, suffix) = number.split_at(digits_end);
    let suffix = word.unwrap_or(suffix);
    if suffix.is_empty() {
        return None;
    }
    if let Some((u, times)) = unit(suffix) {
        let n: u64 = value.parse().ok()?;
        return Some(format!("{}{u}", n.checked_mul(times)?));
    }
    // `30S`: a unit in upper case.
    let lower = suffix.to_ascii_lowercase();
    if lower != suffix && matches!(lower.as_str(), "ms" | "s" | "m" | "h" | "d") && word.is_none() {
        let n: u64 = value.parse().ok()?;
        return Some(format!("{n}{lower}"));
    }
    // `1.5h`: a fraction in a smaller whole unit.
    if value.contains('.') && word.is_none() {
        let v: f64 = value.parse().ok()?;
        let steps: &[(&str, f64)] = match suffix {
            "d" => &[("h", 24.0), ("m", 1440.0)],
            "h" => &[("m", 60.0), ("s", 3600.0)],
            "m" => &[("s", 60.0)],
            "s" => &[("ms", 1000.0)],
            _ => return None,
        };
        for (u, f) in steps {
            let x = v * f;
            if (x - x.round()).abs() < 1e-9 && x >= 1.0 {
                return Some(format!("{}{u}", x.round() as u64));
            }
        }
    }
    None
}

struct Finder<'t> {
    piece: &'t str,
    offset: usize,
    toks: Vec<Tok<'t>>,
    /// For each token: the index of the first token of its line.
    first: Vec<usize>,
    /// For each token: the brace depth before it.
    depth: Vec<usize>,
    /// For each token: the innermost `{` open before it.
    open: Vec<Option<usize>>,
    out: Vec<Mistake>,
}

/// At most this many mistakes are reported per chunk: past a few, the text is not a
/// near-miss, and the cost stays linear.
const MAX_PER_CHUNK: usize = 16;

/// How far (in tokens) a pattern looks ahead for its end, so that scanning stays linear.
const SCAN: usize = 64;

impl<'t> Finder<'t> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.offset + start, self.offset + end)
    }

    fn tok(&self, i: usize) -> Option<&Tok<'t>> {
        self.toks.get(i)
    }

    fn is(&self, i: usize, text: &str) -> bool {
        self.tok(i).is_some_and(|t| t.text == text)
    }

    /// The index of the first token of the line holding token `i`.
    fn line_first(&self, i: usize) -> usize {
        self.first.get(i).copied().unwrap_or(0)
    }

    /// Records a mistake at `at` whose fix replaces each `start..end` (piece offsets) with
    /// its text.
    fn push(&mut self, at: (usize, usize), mistake: NearMiss, edits: Vec<(usize, usize, String)>) {
        let span = self.span(at.0, at.1);
        let edits: Vec<Edit> = edits
            .into_iter()
            .map(|(s, e, text)| Edit {
                span: self.span(s, e),
                text,
            })
            .collect();
        // Overlapping repairs: keep the first.
        let overlaps = self.out.iter().any(|m| {
            m.edits().iter().any(|a| {
                edits.iter().any(|b| {
                    a.span.start < b.span.end.max(b.span.start + 1)
                        && b.span.start < a.span.end.max(a.span.start + 1)
                })
            })
        });
        if overlaps {
            return;
        }
        self.out.push(Mistake {
            diag: SyntaxProblem::KnownMistake {
                span,
                mistake,
                edits,
            }
            .diagnostic(),
        });
    }

    /// Records a mistake whose fix replaces token `i` with `text`.
    fn replace(&mut self, i: usize, text: &str, mistake: NearMiss) {
        let t = &self.toks[i];
        let (s, e) = (t.start, t.end);
        self.push((s, e), mistake, vec![(s, e, text.to_string())]);
    }

    fn run(&mut self) {
        for i in 0..self.toks.len() {
            if self.out.len() >= MAX_PER_CHUNK {
                return;
            }
            self.at(i);
        }
        self.extra_close();
    }

    /// More `}` than `{`: the `}` that closes a declaration while statements follow it (they
    /// were meant to be inside) is the extra one.
    fn extra_close(&mut self) {
        let opens = self.toks.iter().filter(|t| t.text == "{").count();
        let closes = self.toks.iter().filter(|t| t.text == "}").count();
        if closes <= opens {
            return;
        }
        let mut depth: usize = 0;
        for i in 0..self.toks.len() {
            match self.toks[i].text {
                "{" => depth += 1,
                "}" => {
                    depth = depth.saturating_sub(1);
                    let next = self.tok(i + 1);
                    if depth == 0
                        && next.is_some_and(|n| {
                            n.line_start
                                && !ITEM_WORDS.contains(&n.text)
                                && n.text != "extern"
                                && n.text != "}"
                        })
                    {
                        let t = self.toks[i].clone();
                        self.push(
                            (t.start, t.end),
                            NearMiss::ExtraClose,
                            vec![(t.start, t.end, String::new())],
                        );
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// True when token `i` ends an operand (`x`, `1`, `"s"`, `)`, `]`).
    fn ends_operand(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| {
            matches!(t.kind, Kind::Word | Kind::Number | Kind::Str)
                || t.text == ")"
                || t.text == "]"
        })
    }

    fn starts_operand(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| {
            !t.line_start
                && (matches!(t.kind, Kind::Word | Kind::Number | Kind::Str)
                    || t.text == "("
                    || t.text == "!")
        })
    }

    /// The first word of token `i`'s line.
    fn line_word(&self, i: usize) -> &'t str {
        self.toks[self.line_first(i)].text
    }

    #[allow(clippy::too_many_lines)]
    fn at(&mut self, i: usize) {
        let t = self.toks[i].clone();
        let prev = i.checked_sub(1).and_then(|p| self.tok(p)).cloned();
        let next = self.tok(i + 1).cloned();
        let prev_text = prev.as_ref().map_or("", |p| p.text);
        let next_text = next.as_ref().map_or("", |n| n.text);
        let next_same_line = next.as_ref().is_some_and(|n| !n.line_start);
        match (t.kind, t.text) {
            // `} elif cond {`
            (Kind::Word, w @ ("elif" | "elsif" | "elseif" | "else-if")) if prev_text == "}" => {
                self.replace(
                    i,
                    "else if",
                    NearMiss::WrittenAs {
                        found: w.to_string(),
                        meant: "else if".to_string(),
                    },
                );
            }
            // `function name(...)`
            (Kind::Word, w @ ("function" | "def" | "fn" | "func" | "fun" | "proc"))
                if t.line_start
                    && next.as_ref().is_some_and(|n| n.kind == Kind::Word)
                    && self.is(i + 2, "(") =>
            {
                self.replace(
                    i,
                    "task",
                    NearMiss::FunctionKeyword {
                        found: w.to_string(),
                    },
                );
            }
            // `if cond then {`, `while cond do {`
            (Kind::Word, w @ ("then" | "do"))
                if next_text == "{" && matches!(self.line_word(i), "if" | "while" | "}") =>
            {
                let s = prev.as_ref().map_or(t.start, |p| p.end);
                self.push(
                    (t.start, t.end),
                    NearMiss::NotNeededBeforeBlock {
                        found: w.to_string(),
                    },
                    vec![(s, t.end, String::new())],
                );
            }
            (Kind::Word, w @ ("and" | "or"))
                if !t.line_start
                    && next_text != "not"
                    && self.ends_operand(i - 1)
                    && self.starts_operand(i + 1) =>
            {
                let op = if w == "and" { "&&" } else { "||" };
                self.replace(
                    i,
                    op,
                    NearMiss::WrittenAs {
                        found: w.to_string(),
                        meant: op.to_string(),
                    },
                );
            }
            (Kind::Punct, p @ ("&" | "|"))
                if i > 0 && self.ends_operand(i - 1) && self.starts_operand(i + 1) =>
            {
                let op = if p == "&" { "&&" } else { "||" };
                self.replace(
                    i,
                    op,
                    NearMiss::WrittenAs {
                        found: p.to_string(),
                        meant: op.to_string(),
                    },
                );
            }
            (Kind::Punct, p @ ("===" | "!==" | "<>")) => {
                let op = if p == "===" { "==" } else { "!=" };
                self.replace(
                    i,
                    op,
                    NearMiss::WrittenAs {
                        found: p.to_string(),
                        meant: op.to_string(),
                    },
                );
            }
            // `if x = 1 {`
            (Kind::Punct, "=")
                if matches!(self.line_word(i), "if" | "while" | "}")
                    && self.rest_of_line_has(i, "{")
                    && !self.rest_of_line_has(i, "=") =>
            {
                self.replace(i, "==", NearMiss::AssignInCondition);
            }
            (Kind::Punct, p @ ("++" | "--"))
                if i > 0
                    && prev.as_ref().is_some_and(|p| p.kind == Kind::Word)
                    && !next_same_line =>
            {
                let op = if p == "++" { "+=" } else { "-=" };
                self.push(
                    (t.start, t.end),
                    NearMiss::Increment {
                        found: p.to_string(),
                        target: prev_text.to_string(),
                        meant: op,
                    },
                    vec![(
                        prev.as_ref().map_or(t.start, |p| p.end),
                        t.end,
                        format!(" {op} 1"),
                    )],
                );
            }
            (Kind::Punct, ":=") => {
                self.replace(
                    i,
                    "=",
                    NearMiss::WrittenAs {
                        found: ":=".to_string(),
                        meant: "=".to_string(),
                    },
                );
            }
            (Kind::Word, "const")
                if t.line_start
                    && next.as_ref().is_some_and(|n| n.kind == Kind::Word)
                    && self.is(i + 2, ":") =>
            {
                self.replace(i, "var", NearMiss::ConstKeyword);
            }
            (Kind::Word, "mut") if prev_text == "let" => {
                let e = next.as_ref().map_or(t.end, |n| n.start);
                self.push(
                    (t.start, e),
                    NearMiss::LetMut,
                    vec![(t.start, e, String::new())],
                );
            }
            (Kind::Word, w @ ("throw" | "raise"))
                if t.line_start
                    && next
                        .as_ref()
                        .is_some_and(|n| n.kind == Kind::Word && !n.line_start) =>
            {
                self.replace(
                    i,
                    "fail",
                    NearMiss::ThrowForFail {
                        found: w.to_string(),
                    },
                );
            }
            (Kind::Punct, "#") if t.line_start => {
                self.replace(i, "//", NearMiss::HashComment);
            }
            (Kind::Str, s) if s.starts_with('\'') || s.starts_with('“') => {
                let inner = s
                    .trim_start_matches(['\'', '“'])
                    .trim_end_matches(['\'', '”']);
                let fixed = format!("\"{inner}\"");
                self.replace(
                    i,
                    &fixed,
                    NearMiss::SingleQuotes {
                        meant: fixed.clone(),
                    },
                );
            }
            (Kind::Punct, p @ ("=>" | "==>" | ":"))
                if prev_text == ")"
                    && self.line_word(i) == "task"
                    && next.as_ref().is_some_and(|n| n.kind == Kind::Word) =>
            {
                let s = t.start;
                let text = if p == ":" { " ->" } else { "->" };
                self.push(
                    (s, t.end),
                    NearMiss::ReturnArrow {
                        found: Some(p.to_string()),
                    },
                    vec![(s, t.end, text.to_string())],
                );
            }
            (Kind::Word, "returns") if prev_text == ")" && self.line_word(i) == "task" => {
                self.replace(i, "->", NearMiss::ReturnArrow { found: None });
            }
            // YAML-style `retention: 30d`, `retries: 3`
            (Kind::Punct, ":")
                if prev.as_ref().is_some_and(|p| {
                    (p.line_start && matches!(p.text, "retention" | "updates" | "parent"))
                        || (TASK_OPTIONS.contains(&p.text)
                            && !p.line_start
                            && i >= 2
                            && (self.toks[i - 2].text == ")"
                                || self.toks[i - 2].kind == Kind::Number))
                }) && next.as_ref().is_some_and(|n| {
                    !n.line_start && matches!(n.kind, Kind::Number | Kind::Word)
                }) =>
            {
                let s = t.start;
                let e = next.as_ref().map_or(t.end, |n| n.start);
                self.push(
                    (t.start, t.end),
                    NearMiss::SettingColon {
                        setting: prev_text.to_string(),
                        value: next_text.to_string(),
                    },
                    vec![(s, e, " ".to_string())],
                );
            }
            // `if cond: {`, `else: {`
            (Kind::Punct, ":")
                if next_text == "{" && matches!(self.line_word(i), "if" | "while" | "}" | "on") =>
            {
                let s = prev.as_ref().map_or(t.start, |p| p.end);
                self.push(
                    (t.start, t.end),
                    NearMiss::BlockColon,
                    vec![(s, t.end, String::new())],
                );
            }
            // `7 days`
            (Kind::Number, n)
                if next_same_line
                    && next.as_ref().is_some_and(|x| x.kind == Kind::Word)
                    && unit(next_text).is_some()
                    && !n.contains(|c: char| c.is_ascii_alphabetic()) =>
            {
                if let Some(d) = duration_word(n, Some(next_text)) {
                    let e = next.as_ref().map_or(t.end, |x| x.end);
                    let found = self.piece[t.start..e].to_string();
                    self.push(
                        (t.start, e),
                        NearMiss::DurationWithSpace {
                            found,
                            meant: d.clone(),
                        },
                        vec![(t.start, e, d)],
                    );
                }
            }
            // `7days`, `1.5h`
            (Kind::Number, n) if n.contains(|c: char| c.is_ascii_alphabetic()) => {
                if let Some(d) = duration_word(n, None) {
                    self.push(
                        (t.start, t.end),
                        NearMiss::DurationUnit {
                            found: n.to_string(),
                            meant: d.clone(),
                        },
                        vec![(t.start, t.end, d)],
                    );
                }
            }
            _ => {}
        }
        self.backoff(i);
        self.keywords(i);
        self.clauses(i);
        self.habits(i);
    }

    fn rest_of_line_has(&self, i: usize, text: &str) -> bool {
        self.toks[i + 1..]
            .iter()
            .take(SCAN)
            .take_while(|t| !t.line_start)
            .any(|t| t.text == text)
    }

    /// `backoff 1s-30s`, `1s...30s`, `1s to 30s`, `*2`, `x 2`.
    fn backoff(&mut self, i: usize) {
        if !self.is(i, "backoff") {
            return;
        }
        let (Some(a), Some(sep), Some(b)) = (
            self.tok(i + 1).cloned(),
            self.tok(i + 2).cloned(),
            self.tok(i + 3).cloned(),
        ) else {
            return;
        };
        if a.kind != Kind::Number || b.kind != Kind::Number {
            return;
        }
        let range = format!("{}..{}", a.text, b.text);
        match sep.text {
            "-" if a.end == sep.start && sep.end == b.start => {
                self.push(
                    (a.start, b.end),
                    NearMiss::BackoffRange {
                        meant: range.clone(),
                    },
                    vec![(a.start, b.end, range)],
                );
                return;
            }
            "..." | "to" | "-" => {
                self.push(
                    (sep.start, sep.end),
                    NearMiss::BackoffRange {
                        meant: range.clone(),
                    },
                    vec![(a.start, b.end, range)],
                );
                return;
            }
            ".." => {}
            _ => return,
        }
        let Some(m) = self.tok(i + 4).cloned() else {
            return;
        };
        let Some(n) = self.tok(i + 5).cloned() else {
            return;
        };
        if m.line_start
            || n.kind != Kind::Number
            || n.text.contains(|c: char| c.is_ascii_alphabetic())
        {
            return;
        }
        if m.text == "*" && m.end == n.start || m.text == "x" {
            let text = format!("x{}", n.text);
            self.push(
                (m.start, n.end),
                NearMiss::BackoffFactor {
                    meant: text.clone(),
                },
                vec![(m.start, n.end, text)],
            );
        }
    }

    /// Misspelt keywords where the line's shape shows which was meant.
    fn keywords(&mut self, i: usize) {
        let t = self.toks[i].clone();
        if t.kind != Kind::Word || t.text.starts_with('`') {
            return;
        }
        let next = self.tok(i + 1).cloned();
        let next_same_line = next.as_ref().is_some_and(|n| !n.line_start);
        let prev_text = i
            .checked_sub(1)
            .and_then(|p| self.tok(p))
            .map_or("", |p| p.text);
        let fix = |this: &mut Self, kw: &'static str, kind: KeywordKind| {
            this.replace(
                i,
                kw,
                NearMiss::MisspeltKeyword {
                    found: t.text.to_string(),
                    meant: kw,
                    kind,
                },
            );
        };
        if t.line_start && next_same_line && next.as_ref().is_some_and(|n| n.kind == Kind::Word) {
            // `workfow w {`, `tsak t(`: at the top of a file or after a closed item.
            if let Some(kw) = misspelt(t.text, ITEM_WORDS)
                && self.depth_at(i) == 0
            {
                fix(self, kw, KeywordKind::Declaration);
                return;
            }
        }
        if t.line_start && next_same_line && self.depth_at(i) > 0 {
            let n = next.as_ref().expect("next on the same line");
            // `retrun x`, `whlie x < 3 {`, `vra x: int`, `sleeep 5m`, `defualt task ...`
            let expr_continues = n.kind == Kind::Punct && !matches!(n.text, "!" | "-");
            if !expr_continues
                && let Some(kw) = misspelt(t.text, STMT_WORDS)
                && !matches!(kw, "retention" | "updates" | "parent")
            {
                fix(self, kw, KeywordKind::Statement);
                return;
            }
        }
        // `} esle {`
        if prev_text == "}" && !t.line_start && misspelt(t.text, &["else"]).is_some() {
            fix(self, "else", KeywordKind::Plain);
            return;
        }
        // `wait untill cond`, `sleep untill due`
        if matches!(prev_text, "wait" | "sleep") && misspelt(t.text, &["until"]).is_some() {
            fix(self, "until", KeywordKind::Plain);
            return;
        }
        // `charge(x) retry 3`, `timout 30s`, `default task retry 3`
        let after_call = prev_text == ")"
            || (i >= 2
                && self.toks[i - 2].kind == Kind::Word
                && TASK_OPTIONS.contains(&self.toks[i - 2].text))
            || (i >= 2 && self.toks[i - 2].text == "..")
            || prev_text == "task" && self.line_word(i) == "default";
        if !t.line_start && after_call && next_same_line {
            let kw = match t.text {
                "retry" | "retrys" | "retries" => (t.text != "retries").then_some("retries"),
                w => misspelt(w, TASK_OPTIONS),
            };
            if let Some(kw) = kw {
                self.replace(
                    i,
                    kw,
                    NearMiss::MisspeltTaskOption {
                        found: t.text.to_string(),
                        meant: kw,
                    },
                );
                return;
            }
        }
        // `input x: str requird`
        if !t.line_start
            && matches!(
                self.line_word(i),
                "var" | "input" | "public" | "private" | "inherited"
            )
            && !next_same_line
            && let Some(kw) = misspelt(t.text, VAR_MODIFIERS)
        {
            fix(self, kw, KeywordKind::VariableModifier);
            return;
        }
        // `default retries 3`
        if prev_text == "default" && TASK_OPTIONS.contains(&t.text) {
            let s = t.start;
            self.push(
                (t.start, t.end),
                NearMiss::DefaultWithoutTask {
                    option: t.text.to_string(),
                },
                vec![(s, s, "task ".to_string())],
            );
        }
    }

    /// Brace depth before token `i` (strings and comments are skipped by the tokens).
    fn depth_at(&self, i: usize) -> usize {
        self.depth.get(i).copied().unwrap_or(0)
    }

    /// Clauses in the wrong place or missing a word.
    #[allow(clippy::too_many_lines)]
    fn clauses(&mut self, i: usize) {
        let t = self.toks[i].clone();
        let text = t.text;
        let next = |k: usize| self.tok(i + k).cloned();
        match text {
            // `wait all of a, b`
            "wait"
                if t.line_start
                    && next(1).is_some_and(|n| n.text == "all")
                    && next(2).is_some_and(|n| n.text == "of") =>
            {
                let (a, of) = (next(1).expect("all"), next(2).expect("of"));
                let e = next(3).map_or(of.end, |n| n.start);
                self.push(
                    (a.start, of.end),
                    NearMiss::WaitAllOf,
                    vec![(a.start, e, String::new())],
                );
            }
            // `wait any a, b`
            "wait"
                if next(1).is_some_and(|n| matches!(n.text, "any" | "first"))
                    && next(2).is_some_and(|n| {
                        n.kind == Kind::Word && n.text != "of" && !n.line_start
                    })
                    && next(3).is_some_and(|n| n.text == ",") =>
            {
                let w = next(1).expect("word");
                let fixed = format!("{} of", w.text);
                self.push(
                    (w.start, w.end),
                    NearMiss::WaitWithoutOf {
                        word: w.text.to_string(),
                    },
                    vec![(w.start, w.end, fixed)],
                );
            }
            // `spawn name for x in xs (inputs) {`
            "spawn" => {
                let Some(name) = next(1) else { return };
                if name.kind != Kind::Word || next(2).is_none_or(|n| n.text != "for") {
                    return;
                }
                let mut k = i + 3;
                while k < self.toks.len().min(i + SCAN)
                    && !self.toks[k].line_start
                    && self.toks[k].text != "("
                    && self.toks[k].text != "{"
                {
                    k += 1;
                }
                if !self.is(k, "(") {
                    return;
                }
                let open = self.toks[k].clone();
                let mut depth = 0;
                let mut close = None;
                for j in k..self.toks.len().min(k + SCAN) {
                    match self.toks[j].text {
                        "(" => depth += 1,
                        ")" => {
                            depth -= 1;
                            if depth == 0 {
                                close = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(c) = close else { return };
                if !self.is(c + 1, "{") {
                    return;
                }
                let group = &self.piece[open.start..self.toks[c].end];
                let before = self.toks[k - 1].end;
                self.push(
                    (open.start, self.toks[c].end),
                    NearMiss::SpawnInputsAfterLoop {
                        name: name.text.to_string(),
                        group: group.to_string(),
                    },
                    vec![
                        (name.end, name.end, group.to_string()),
                        (before, self.toks[c].end, String::new()),
                    ],
                );
            }
            // `var public x`
            "var" | "input"
                if t.line_start
                    && next(1)
                        .is_some_and(|n| matches!(n.text, "public" | "private" | "inherited")) =>
            {
                let n = next(1).expect("access");
                let fixed = format!("{} {text}", n.text);
                self.push(
                    (t.start, n.end),
                    NearMiss::AccessAfterKeyword {
                        access: n.text.to_string(),
                        keyword: text.to_string(),
                    },
                    vec![(t.start, n.end, fixed)],
                );
            }
            // `var int x = 0`
            "var" | "input"
                if t.line_start
                    && next(1).is_some_and(|n| is_type_word(n.text))
                    && next(2).is_some_and(|n| n.kind == Kind::Word && !n.line_start)
                    && next(3).is_none_or(|n| n.text != ":") =>
            {
                let (ty, name) = (next(1).expect("type"), next(2).expect("name"));
                let fixed = format!("{}: {}", name.text, ty.text);
                self.push(
                    (ty.start, name.end),
                    NearMiss::TypeBeforeName {
                        keyword: text.to_string(),
                        name: name.text.to_string(),
                        ty: ty.text.to_string(),
                    },
                    vec![(ty.start, name.end, fixed)],
                );
            }
            // `input x: int required = 1`
            "required" | "searchable" | "masked"
                if next(1).is_some_and(|n| n.text == "=" && !n.line_start)
                    && matches!(
                        self.line_word(i),
                        "var" | "input" | "public" | "private" | "inherited"
                    ) =>
            {
                let mut e = i + 2;
                while e + 1 < self.toks.len().min(i + SCAN) && !self.toks[e + 1].line_start {
                    e += 1;
                }
                let value = &self.piece[self.toks[i + 2].start..self.toks[e].end];
                let fixed = format!("= {value} {text}");
                self.push(
                    (t.start, self.toks[e].end),
                    NearMiss::DefaultAfterModifier {
                        modifier: text.to_string(),
                        value: value.to_string(),
                    },
                    vec![(t.start, self.toks[e].end, fixed)],
                );
            }
            // `let r: str = f()`
            "let" if t.line_start && next(2).is_some_and(|n| n.text == ":") => {
                let colon = next(2).expect(":");
                if next(3).is_none() {
                    return;
                }
                let mut e = i + 3;
                while self
                    .tok(e + 1)
                    .is_some_and(|n| n.text != "=" && !n.line_start)
                {
                    e += 1;
                }
                if !self.is(e + 1, "=") {
                    return;
                }
                let end = self.toks[e].end;
                self.push(
                    (colon.start, end),
                    NearMiss::LetWithType,
                    vec![(colon.start, end, String::new())],
                );
            }
            // `extend xs, v`
            "extend"
                if t.line_start
                    && next(1).is_some_and(|n| n.kind == Kind::Word)
                    && next(2).is_some_and(|n| n.text == ",") =>
            {
                let c = next(2).expect(",");
                self.push(
                    (c.start, c.end),
                    NearMiss::ExtendComma,
                    vec![(c.start, c.end, " with".to_string())],
                );
            }
            // `remove xs[i]`
            "remove"
                if t.line_start
                    && next(1).is_some_and(|n| n.kind == Kind::Word)
                    && next(2).is_some_and(|n| n.text == "[" && !n.line_start) =>
            {
                let list = next(1).expect("list");
                let mut k = i + 3;
                while k < self.toks.len().min(i + SCAN)
                    && self.toks[k].text != "]"
                    && !self.toks[k].line_start
                {
                    k += 1;
                }
                if !self.is(k, "]") {
                    return;
                }
                let index = &self.piece[self.toks[i + 3].start..self.toks[k - 1].end];
                let fixed = format!("index {index} from {}", list.text);
                self.push(
                    (list.start, self.toks[k].end),
                    NearMiss::RemoveIndexing {
                        list: list.text.to_string(),
                        index: index.to_string(),
                    },
                    vec![(list.start, self.toks[k].end, fixed)],
                );
            }
            // `when event {`
            "when"
                if t.line_start
                    && next(1).is_some_and(|n| n.kind == Kind::Word)
                    && next(2).is_some_and(|n| n.text == "{" || n.text == "(") =>
            {
                self.replace(i, "on", NearMiss::WhenForOn);
            }
            // `fail "message"`
            "fail" if next(1).is_some_and(|n| n.kind == Kind::Str && !n.line_start) => {
                let msg = next(1).expect("string");
                let name = kebab(msg.text);
                let insert = format!("{name} ");
                self.push(
                    (msg.start, msg.end),
                    NearMiss::FailWithoutName {
                        name,
                        message: msg.text.to_string(),
                    },
                    vec![(msg.start, msg.start, insert)],
                );
            }
            // `wait a, b,`
            "," if next(1).is_none_or(|n| n.line_start || n.text == "}")
                && self.line_word(i) == "wait" =>
            {
                self.push(
                    (t.start, t.end),
                    NearMiss::WaitTrailingComma,
                    vec![(t.start, t.end, String::new())],
                );
            }
            // `spawn name(value)`: a positional input
            "(" if i >= 2
                && matches!(self.toks[i - 2].text, "spawn" | "run")
                && next(1).is_some_and(|n| n.kind == Kind::Word)
                && next(2).is_some_and(|n| n.text == ")" || n.text == ",") =>
            {
                let a = next(1).expect("arg");
                let fixed = format!("{0}: {0}", a.text);
                let arg = a.text.to_string();
                self.push(
                    (a.start, a.end),
                    if self.toks[i - 2].text == "run" {
                        NearMiss::PositionalChildInput { arg }
                    } else {
                        NearMiss::PositionalThreadInput { arg }
                    },
                    vec![(a.start, a.end, fixed)],
                );
            }
            // `ask form to "alice"`
            "to" if next(1).is_some_and(|n| n.kind == Kind::Str && !n.line_start)
                && self.line_has_before(i, "ask") =>
            {
                let v = next(1).expect("owner");
                self.push(
                    (v.start, v.end),
                    NearMiss::AskToWithoutKind {
                        owner: v.text.to_string(),
                    },
                    vec![(v.start, v.start, "user ".to_string())],
                );
            }
            // `await e correlated key`
            "correlated"
                if next(1)
                    .is_some_and(|n| n.kind == Kind::Word && n.text != "by" && !n.line_start)
                    && self.line_has_before(i, "await") =>
            {
                let k = next(1).expect("key");
                self.push(
                    (k.start, k.end),
                    NearMiss::CorrelatedWithoutBy {
                        key: k.text.to_string(),
                    },
                    vec![(k.start, k.start, "by ".to_string())],
                );
            }
            // `remind task() every 4h`
            "every" if i > 0 && self.toks[i - 1].text == ")" && self.line_word(i) == "remind" => {
                self.replace(i, "after", NearMiss::RemindEvery);
            }
            // `sleep for 5m`
            "sleep"
                if next(1).is_some_and(|n| n.text == "for" && !n.line_start)
                    && next(2).is_some_and(|n| !n.line_start) =>
            {
                let (f, v) = (next(1).expect("for"), next(2).expect("value"));
                self.push(
                    (f.start, f.end),
                    NearMiss::SleepFor {
                        value: v.text.to_string(),
                    },
                    vec![(f.start, v.start, String::new())],
                );
            }
            // `task contains()`: a reserved word as a name
            "task" | "event" | "struct" | "workflow" | "workflow-event" | "user-task"
                if t.line_start && next(1).is_some_and(|n| crate::syntax::is_reserved(n.text)) =>
            {
                let n = next(1).expect("name");
                let quoted = format!("`{}`", n.text);
                self.push(
                    (n.start, n.end),
                    NearMiss::ReservedName {
                        word: n.text.to_string(),
                    },
                    vec![(n.start, n.end, quoted)],
                );
            }
            // `var tries = 0`
            "var" | "input"
                if t.line_start
                    && next(1).is_some_and(|n| n.kind == Kind::Word)
                    && next(2).is_some_and(|n| n.text == "=") =>
            {
                let (name, value) = (next(1).expect("name"), next(3));
                let ty = match value {
                    Some(v) if v.kind == Kind::Str => "str",
                    Some(v) if v.kind == Kind::Number && v.text.contains('.') => "double",
                    Some(v)
                        if v.kind == Kind::Number && v.text.chars().all(|c| c.is_ascii_digit()) =>
                    {
                        "int"
                    }
                    Some(v) if matches!(v.text, "true" | "false") => "bool",
                    Some(v) if v.text == "{" => "json-obj",
                    Some(v) if v.text == "[" => "json-arr",
                    _ => return,
                };
                self.push(
                    (name.start, name.end),
                    NearMiss::VarWithoutType {
                        keyword: text.to_string(),
                        name: name.text.to_string(),
                        ty,
                    },
                    vec![(name.end, name.end, format!(": {ty}"))],
                );
            }
            // `event paid(str)`, `event paid str`
            "event" | "workflow-event"
                if t.line_start && next(1).is_some_and(|n| n.kind == Kind::Word) =>
            {
                let n = next(1).expect("name");
                if next(2).is_some_and(|p| p.text == "(" && !p.line_start)
                    && next(4).is_some_and(|p| p.text == ")")
                    && next(3).is_some_and(|p| p.kind == Kind::Word)
                {
                    let (open, ty, close) = (
                        next(2).expect("("),
                        next(3).expect("ty"),
                        next(4).expect(")"),
                    );
                    let fixed = format!(": {}", ty.text);
                    self.push(
                        (open.start, close.end),
                        NearMiss::EventPayloadWithoutColon {
                            keyword: text.to_string(),
                            name: n.text.to_string(),
                            ty: ty.text.to_string(),
                        },
                        vec![(n.end, close.end, fixed)],
                    );
                } else if next(2)
                    .is_some_and(|p| p.kind == Kind::Word && !p.line_start && is_type_word(p.text))
                {
                    let ty = next(2).expect("ty");
                    self.push(
                        (ty.start, ty.end),
                        NearMiss::EventPayloadWithoutColon {
                            keyword: text.to_string(),
                            name: n.text.to_string(),
                            ty: ty.text.to_string(),
                        },
                        vec![(n.end, ty.start, ": ".to_string())],
                    );
                }
            }
            // `task t(x str)`
            "(" | ","
                if self.line_word(i) == "task"
                    && next(1).is_some_and(|n| n.kind == Kind::Word)
                    && next(2).is_some_and(|n| n.kind == Kind::Word && is_type_word(n.text)) =>
            {
                let (name, ty) = (next(1).expect("name"), next(2).expect("ty"));
                self.push(
                    (name.start, ty.end),
                    NearMiss::ParamWithoutColon {
                        name: name.text.to_string(),
                        ty: ty.text.to_string(),
                    },
                    vec![(name.end, ty.start, ": ".to_string())],
                );
            }
            // `task t(...);`
            ";" if !t.line_start
                && self.depth_at(i) == 0
                && matches!(self.line_word(i), "task" | "event" | "workflow-event") =>
            {
                self.push(
                    (t.start, t.end),
                    NearMiss::DeclarationSemicolon,
                    vec![(t.start, t.end, String::new())],
                );
            }
            // `task notify.user(...)`
            "." if self.line_word(i) == "task"
                && i == self.line_first(i) + 2
                && next(1).is_some_and(|n| n.kind == Kind::Word) =>
            {
                let joined = format!("{}-{}", self.toks[i - 1].text, next(1).expect("word").text);
                self.replace(i, "-", NearMiss::DotInTaskName { joined });
            }
            // `workflow w() {`
            "(" if self.line_word(i) == "workflow"
                && i == self.line_first(i) + 2
                && next(1).is_some_and(|n| n.text == ")")
                && next(2).is_some_and(|n| n.text == "{") =>
            {
                let close = next(1).expect(")");
                self.push(
                    (t.start, close.end),
                    NearMiss::WorkflowParens,
                    vec![(t.start, close.end, String::new())],
                );
            }
            // `struct s { id = str }`, `{ id: str; qty: int }`
            "=" | ";" if self.struct_field_context(i) => {
                let (fixed, mistake) = if text == "=" {
                    (":", NearMiss::StructFieldEquals)
                } else {
                    (",", NearMiss::StructFieldSemicolon)
                };
                self.replace(i, fixed, mistake);
            }
            // `{name: "x"}`: an unquoted JSON key
            "{" | ","
                if next(1).is_some_and(|n| n.kind == Kind::Word && !n.line_start)
                    && next(2).is_some_and(|n| n.text == ":")
                    && self.json_context(i) =>
            {
                let k = next(1).expect("key");
                let quoted = format!("\"{}\"", k.text);
                self.push(
                    (k.start, k.end),
                    NearMiss::UnquotedJsonKey {
                        quoted: quoted.clone(),
                    },
                    vec![(k.start, k.end, quoted)],
                );
            }
            // `task t(x: str) { }`: a task has no body
            "{" if self.line_word(i) == "task" && self.depth_at(i) == 0 && i > 0 => {
                let Some(close) = self.toks[i..self.toks.len().min(i + SCAN)]
                    .iter()
                    .position(|c| c.text == "}")
                    .map(|k| k + i)
                else {
                    return;
                };
                let s = self.toks[i - 1].end;
                let e = self.toks[close].end;
                self.push(
                    (t.start, t.start + 1),
                    NearMiss::TaskBody,
                    vec![(s, e, String::new())],
                );
            }
            // `list<str>`, `map[str, int]`
            "list" | "List" | "array" | "Array" | "Vec"
                if next(1).is_some_and(|n| n.text == "<")
                    && next(3).is_some_and(|n| n.text == ">") =>
            {
                let (ty, close) = (next(2).expect("type"), next(3).expect(">"));
                let fixed = format!("{}[]", ty.text);
                self.push(
                    (t.start, close.end),
                    NearMiss::ArrayTypeSyntax {
                        meant: fixed.clone(),
                    },
                    vec![(t.start, close.end, fixed)],
                );
            }
            "map"
                if next(1).is_some_and(|n| n.text == "[")
                    && next(5).is_some_and(|n| n.text == "]")
                    && next(3).is_some_and(|n| n.text == ",") =>
            {
                let (k, v, close) = (
                    next(2).expect("k"),
                    next(4).expect("v"),
                    next(5).expect("]"),
                );
                let fixed = format!("map<{}, {}>", k.text, v.text);
                self.push(
                    (t.start, close.end),
                    NearMiss::MapTypeSyntax {
                        meant: fixed.clone(),
                    },
                    vec![(t.start, close.end, fixed)],
                );
            }
            _ => {}
        }
    }
}

impl Finder<'_> {
    /// True when one of the few tokens before `i` (on its line or the lines of the statement
    /// it continues) is `word`.
    fn line_has_before(&self, i: usize, word: &str) -> bool {
        self.toks[i.saturating_sub(32)..i]
            .iter()
            .any(|t| t.text == word)
    }

    /// Token `i` sits in a struct declaration's body, between a field name and its type.
    fn struct_field_context(&self, i: usize) -> bool {
        let Some(open) = self.open.get(i).copied().flatten() else {
            return false;
        };
        if open < 2 || self.line_word(open) != "struct" || self.depth_at(open) != 0 {
            return false;
        }
        let t = &self.toks[i];
        match t.text {
            "=" => {
                i > 0
                    && self.toks[i - 1].kind == Kind::Word
                    && self
                        .tok(i + 1)
                        .is_some_and(|n| n.kind == Kind::Word && is_type_word(n.text))
            }
            _ => {
                self.tok(i + 1).is_some_and(|n| n.kind == Kind::Word)
                    && self.tok(i + 2).is_some_and(|n| n.text == ":")
            }
        }
    }

    /// Token `i` (a `{` or `,`) is in a JSON object literal: after `=` or `(` or `,` in an
    /// expression, not a block or a struct literal.
    fn json_context(&self, i: usize) -> bool {
        let open = if self.toks[i].text == "{" {
            Some(i)
        } else {
            self.open.get(i).copied().flatten()
        };
        open.is_some_and(|o| o > 0 && matches!(self.toks[o - 1].text, "=" | "(" | "," | "["))
    }
}

fn is_type_word(w: &str) -> bool {
    matches!(
        w,
        "int"
            | "str"
            | "double"
            | "bool"
            | "json-obj"
            | "json-arr"
            | "bytes"
            | "timestamp"
            | "wf-run-id"
            | "string"
            | "integer"
            | "float"
            | "boolean"
    )
}

/// The language's name of a type word written as in another language (`string` is `str`).
fn canonical_type(w: &str) -> &str {
    match w {
        "string" => "str",
        "integer" => "int",
        "float" => "double",
        "boolean" => "bool",
        other => other,
    }
}

/// A kebab-case failure name made of a message's first words.
fn kebab(message: &str) -> String {
    let words: Vec<String> = message
        .trim_matches('"')
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() || !words[0].starts_with(|c: char| c.is_ascii_alphabetic()) {
        "failed".to_string()
    } else {
        words.join("-")
    }
}

/// The mistakes recognised in `piece`, which starts at byte `offset` of the file.
pub(super) fn find(piece: &str, offset: usize) -> Vec<Mistake> {
    let toks = tokens(piece);
    let mut first = Vec::with_capacity(toks.len());
    let mut depth = Vec::with_capacity(toks.len());
    let mut open = Vec::with_capacity(toks.len());
    let mut stack: Vec<usize> = Vec::new();
    let mut line = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.line_start {
            line = i;
        }
        first.push(line);
        depth.push(stack.len());
        open.push(stack.last().copied());
        match t.text {
            "{" => stack.push(i),
            "}" => {
                stack.pop();
            }
            _ => {}
        }
    }
    let mut f = Finder {
        piece,
        offset,
        toks,
        first,
        depth,
        open,
        out: Vec::new(),
    };
    f.run();
    f.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_words_become_durations() {
        assert_eq!(duration_word("7", Some("days")).as_deref(), Some("7d"));
        assert_eq!(duration_word("30sec", None).as_deref(), Some("30s"));
        assert_eq!(duration_word("2", Some("weeks")).as_deref(), Some("14d"));
        assert_eq!(duration_word("1.5h", None).as_deref(), Some("90m"));
        assert_eq!(duration_word("30s", None), None);
    }

    #[test]
    fn swaps_count_once() {
        assert_eq!(distance("vra", "var"), 1);
        assert_eq!(distance("retrun", "return"), 1);
        assert_eq!(misspelt("esle", &["else"]), Some("else"));
        assert_eq!(misspelt("else", &["else"]), None);
    }

    #[test]
    fn failure_names_come_from_messages() {
        assert_eq!(kebab("\"amount is negative\""), "amount-is-negative");
        assert_eq!(kebab("\"\""), "failed");
    }

    #[test]
    fn cut_text_never_panics() {
        let text = "task t(x str) => str;\nstruct s { a = int; b: str }\nworkflow w() {\n  wait all of a, b,\n  x = 7 days \u{201c}q\u{201d}\n  let t = spawn s for i in xs (a: b) {\n  remove xs[0\n  fail \"m\n  `x\n  c() retry 3 backoff 1s-\n  ask f to \"a\n  let r: str =\n  var int\n  1.5h 18446744073709551615weeks\n} elif {\n}\n}";
        for (i, _) in text.char_indices() {
            let _ = find(&text[..i], 0);
            let _ = find(&text[i..], i);
        }
        assert!(!find(text, 0).is_empty());
    }
}
