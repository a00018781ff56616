//! Parsing: pest pairs become the owned AST at once, inside this module. Malformed items and
//! statements are recovered by the grammar's `error_item` / `error_stmt` rules; each gets one
//! E0001 diagnostic (re-parsed with the strict rule for its "expected ..." message) and the
//! rest of the file is still parsed.
//!
//! Recovery rules, so that one mistake yields one diagnostic:
//! - A malformed line that directly follows a statement (or item) on the same line is
//!   reported together with it: `var x: int = = 1` parses `var x: int`, then fails at `=`;
//!   the whole line is re-parsed for the message.
//! - A malformed line that continues a malformed line which stopped short (its error is
//!   "found end of line") is part of the same error.
//! - What a malformed line still declares is kept: `var total int` still declares `total`
//!   (of unknown type), `let x = broken(` still binds `x`, `task t(x: int -> str` still
//!   declares `t` (with an unknown signature), and the body of `if count > { ... }` is still
//!   checked, so later uses are not reported again.
//! - A block whose `}` is missing is reported once, at its `{`.

mod chunks;
mod errors;
mod exprs;
mod fast;
pub(crate) mod layout;
mod messages;
mod mistakes;
pub(crate) mod problems;
mod shift;
mod test_file;
mod trivia;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use lhw_grammar::pest::Parser;
use lhw_grammar::pest::error::Error as PestError;
use lhw_grammar::pest::iterators::Pair;
use lhw_grammar::{LhwParser, RESERVED_WORDS, Rule};

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::source::Span;
pub use chunks::chunk_spans;
use problems::{LiteralKind, SyntaxProblem};

use errors::{Level, is_space, is_trivia, missing_separator, significant_len, syntax_error};
#[doc(hidden)]
pub use fast::{Coverage, coverage, pest_only};
pub use test_file::parse_test_file;

/// True for the words that can never be names unless quoted with backticks (`` `fail` ``).
#[must_use]
pub fn is_reserved(word: &str) -> bool {
    RESERVED_WORDS.contains(&word)
}

/// The words that can never be names unless quoted with backticks.
pub const RESERVED: &[&str] = RESERVED_WORDS;

/// The workflow settings that exist (`name value` lines in a workflow body).
pub const SETTINGS: &[&str] = &["updates", "retention", "parent"];

/// Every workflow setting line, as the help for an unknown one lists them.
const ALL_SETTINGS: &[&str] = &[
    "updates",
    "retention",
    "parent",
    "default task",
    "default thread retention",
    "thread retention",
];

/// Parses `text` into a file and the syntax diagnostics. Never fails: unparsable text becomes
/// `Item::Error` / `StmtKind::Error` nodes. The file is parsed chunk by chunk (see
/// [`chunk_spans`]), exactly as [`parse_incremental`] does.
#[must_use]
pub fn parse(text: &str) -> (File, Vec<Diagnostic>) {
    let parsed = parse_incremental(text, None);
    (parsed.file, parsed.diagnostics)
}

/// A parsed file, with where each chunk's items and diagnostics are (see [`chunk_spans`]),
/// so that the next version of the text can re-use the chunks an edit did not touch.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The file.
    pub file: File,
    /// Its syntax diagnostics, chunk by chunk.
    pub diagnostics: Vec<Diagnostic>,
    /// The chunks, in order.
    pub chunks: Vec<ChunkRange>,
}

/// One chunk of a [`Parsed`] file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRange {
    /// The chunk's text in the file.
    pub span: Span,
    /// Its items in `Parsed::file.items`.
    pub items: std::ops::Range<usize>,
    /// Its diagnostics in `Parsed::diagnostics`.
    pub diagnostics: std::ops::Range<usize>,
}

/// Parses `text` chunk by chunk. With `previous` (an earlier version of the text and its
/// parse), a chunk whose text is unchanged is re-used, moved to its new place, instead of
/// parsed again: after an edit, only the chunks it touched are parsed. The result is the
/// same as a parse from scratch.
#[must_use]
pub fn parse_incremental(text: &str, previous: Option<(&str, &Parsed)>) -> Parsed {
    // A chunk is re-used when its text is the same and it is still (or still not) the last
    // one: the message for a block left open at its end says whether the file ends there.
    let mut old: HashMap<(&str, bool), &ChunkRange> = HashMap::new();
    if let Some((old_text, parsed)) = previous {
        for c in &parsed.chunks {
            if let Some(piece) = old_text.get(c.span.start as usize..c.span.end as usize) {
                let last = c.span.end as usize == old_text.len();
                old.entry((piece, last)).or_insert(c);
            }
        }
    }
    let mut out = Parsed::default();
    for span in chunk_spans(text) {
        let piece = text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default();
        let last = span.end as usize == text.len();
        let reused = previous
            .zip(old.get(&(piece, last)))
            .and_then(|((_, parsed), prev)| {
                let items = parsed.file.items.get(prev.items.clone())?;
                let diags = parsed.diagnostics.get(prev.diagnostics.clone())?;
                let mut items = items.to_vec();
                let mut diags = diags.to_vec();
                let delta = i64::from(span.start) - i64::from(prev.span.start);
                shift::shift(&mut items, &mut diags, delta);
                Some((items, diags))
            });
        let (items, diags) = reused.unwrap_or_else(|| parse_chunk(text, span));
        let item_start = out.file.items.len();
        let diag_start = out.diagnostics.len();
        out.file.items.extend(items);
        out.diagnostics.extend(diags);
        out.chunks.push(ChunkRange {
            span,
            items: item_start..out.file.items.len(),
            diagnostics: diag_start..out.diagnostics.len(),
        });
    }
    out
}

/// Parses the chunk of `text` at `span`: its items and syntax diagnostics. A chunk with an
/// error is searched for known near-misses (`syntax/mistakes.rs`); when there are some, each
/// is reported once, with its fix, and the chunk is parsed again with the fixes applied, so
/// that what follows a mistake is read as meant and reported only for its own errors.
fn parse_chunk(text: &str, span: Span) -> (Vec<Item>, Vec<Diagnostic>) {
    let (items, diags) = parse_chunk_plain(text, span);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors == 0 {
        return (items, diags);
    }
    let piece = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    let found = mistakes::find(piece, 0);
    if found.is_empty() {
        return (items, diags);
    }
    let mut edits: Vec<crate::diag::Edit> = found
        .iter()
        .flat_map(|m| {
            m.diag
                .fixes
                .first()
                .map(|f| f.edits.clone())
                .unwrap_or_default()
        })
        .collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let repaired = crate::diag::Fix::new(String::new(), edits.clone()).apply(piece);
    // What follows the chunk matters to its messages only as far as its first token.
    let after = &text[span.end as usize..];
    let tail_len = after
        .char_indices()
        .find(|(_, c)| !is_space(*c))
        .map_or(after.len(), |(i, c)| i + c.len_utf8());
    let repaired_text = format!("{repaired}{}", &after[..tail_len]);
    let (mut items2, mut diags2) = parse_chunk_plain(&repaired_text, Span::new(0, repaired.len()));
    let errors2 = diags2.iter().filter(|d| d.is_error()).count();
    if errors2 + found.len() > errors {
        return (items, diags);
    }
    let base = span.start;
    // A position of the repaired text, in the original: inside a replacement it is the
    // replaced text's start (for a span's start) or end (for its end).
    let back = |pos: u32, is_end: bool| -> u32 {
        let p = i64::from(pos);
        let mut delta: i64 = 0;
        for e in &edits {
            let new_len = i64::try_from(e.text.len()).unwrap_or(0);
            let r_start = i64::from(e.span.start) + delta;
            if p <= r_start {
                break;
            }
            if p < r_start + new_len {
                return if is_end { e.span.end } else { e.span.start };
            }
            delta += new_len - i64::from(e.span.end - e.span.start);
        }
        u32::try_from(p - delta).unwrap_or(0)
    };
    shift::map_spans(&mut items2, &mut diags2, &mut |s: &mut Span| {
        let (start, end) = (back(s.start, false), back(s.end, true));
        s.start = base + start;
        s.end = base + end.max(start);
    });
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .map(|m| {
            let mut d = m.diag;
            shift::map_spans(
                &mut [],
                std::slice::from_mut(&mut d),
                &mut |s: &mut Span| {
                    s.start += base;
                    s.end += base;
                },
            );
            d
        })
        .collect();
    out.extend(diags2);
    (items2, out)
}

/// Parses the chunk of `text` at `span` as it is.
fn parse_chunk_plain(text: &str, span: Span) -> (Vec<Item>, Vec<Diagnostic>) {
    parse_chunk_with(text, span, true)
}

/// Parses the chunk of `text` at `span`; with `stream`, a workflow is read one statement at
/// a time ([`Cx::stream_workflow`]), otherwise the chunk is read with `file` at once (the
/// two agree; a test compares them on every `.lhw` of the repository).
fn parse_chunk_with(text: &str, span: Span, stream: bool) -> (Vec<Item>, Vec<Diagnostic>) {
    let piece = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    let mut cx = Cx {
        text,
        offset: span.start as usize,
        diags: Vec::new(),
        depth: 0,
        block_depth: 0,
        too_deep_reported: false,
        lh_too_deep: None,
    };
    if let Some(at) = trivia::too_deep(piece) {
        return (
            Vec::new(),
            vec![trivia::too_deep_diag(span.start as usize + at)],
        );
    }
    if let Some((at, count)) = trivia::too_many_unclosed(piece) {
        return (
            Vec::new(),
            vec![trivia::too_many_unclosed_diag(
                span.start as usize + at,
                count,
            )],
        );
    }
    let streamed = if stream {
        cx.stream_workflow(piece)
    } else {
        None
    };
    let items = match streamed {
        Some(items) => items,
        None => match LhwParser::parse(Rule::file, piece) {
            Ok(mut pairs) => match pairs.next() {
                Some(pair) => cx.file(pair).items,
                None => Vec::new(),
            },
            Err(err) => {
                cx.diags
                    .push(syntax_error(text, span.start as usize, piece, &err, Level::Item).diag);
                Vec::new()
            }
        },
    };
    trivia::report_unclosed_comment(&mut cx.diags, piece, span.start as usize);
    (items, cx.diags)
}

/// Parses `text` once into its syntax diagnostics (as [`parse`] reports them) and the
/// formatter's lossless layout.
pub(crate) fn parse_with_layout(
    text: &str,
) -> (
    Vec<Diagnostic>,
    Result<layout::Layout<'_>, layout::ScanError>,
) {
    let mut cx = Cx {
        text,
        offset: 0,
        diags: Vec::new(),
        depth: 0,
        block_depth: 0,
        too_deep_reported: false,
        lh_too_deep: None,
    };
    if let Some(at) = trivia::too_deep(text) {
        return (
            vec![trivia::too_deep_diag(at)],
            Err(layout::ScanError::Parse(at)),
        );
    }
    if let Some((at, count)) = trivia::too_many_unclosed(text) {
        return (
            vec![trivia::too_many_unclosed_diag(at, count)],
            Err(layout::ScanError::Parse(at)),
        );
    }
    let layout = match LhwParser::parse(Rule::file, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(pair) => {
                let layout = layout::from_file_pair(text, pair.clone());
                cx.file(pair);
                layout
            }
            None => Err(layout::ScanError::Parse(0)),
        },
        Err(err) => {
            cx.diags
                .push(syntax_error(text, 0, text, &err, Level::Item).diag);
            Err(layout::ScanError::Parse(0))
        }
    };
    trivia::report_unclosed_comment(&mut cx.diags, text, 0);
    (cx.diags, layout)
}

/// Serializes the re-parses that need pest's detailed error tracking (see `strict_parse`).
static ERROR_DETAIL: Mutex<()> = Mutex::new(());

/// Parses `text` with `rule`, with pest's detailed parse attempts on: they give the furthest
/// position reached and the literal tokens expected there, for the "expected ..." message.
/// The switch is process-wide and makes parsing slower, so it is on only around re-parses
/// of recovered text, one at a time; other parses never fail in a way that reads it.
fn strict_parse(rule: Rule, text: &str) -> Result<(), PestError<Rule>> {
    let _guard = ERROR_DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
    lhw_grammar::pest::set_error_detail(true);
    let result = LhwParser::parse(rule, text).map(|_| ());
    lhw_grammar::pest::set_error_detail(false);
    result
}

struct Cx<'t> {
    /// The whole file.
    text: &'t str,
    /// Added to pair positions: non-zero while building from a re-parse of a piece of text.
    offset: usize,
    diags: Vec<Diagnostic>,
    /// How many expressions enclose the one being built (see `exprs::MAX_EXPR_DEPTH`).
    depth: usize,
    /// How many blocks enclose the one being built.
    block_depth: usize,
    /// "Nested too deeply" is reported once per file.
    too_deep_reported: bool,
    /// The last expression reported too deep for LittleHorse (E0320): the expressions
    /// around it are not reported again.
    lh_too_deep: Option<Span>,
}

/// How many lines a malformed statement or item may span by taking in the malformed lines
/// that continue it (see `Cx::stops_short`).
const MAX_MERGED_LINES: usize = 12;

/// How deeply blocks (and types) may nest: later stages walk them recursively.
const MAX_BLOCK_DEPTH: usize = 32;

/// Where a pair really ends: pest includes the whitespace and comments skipped after a
/// trailing `?` or `*` in the pair's span, which would make labels spill onto the next line
/// (and make a statement seem to share its line with the next one after a comment).
/// The end is the end of the last inner pair's tight end plus the literal text after it
/// (a closing `)`), without trailing whitespace and comments; computed bottom-up along the
/// last-child chain.
///
/// Without a `/` in the pair's text there is no comment in it, so the trailing trivia is
/// whitespace only: the end is the end of the text without it, found without walking the
/// chain (the walk counts each node's children again, and this runs for every span).
fn tight_end(pair: &Pair<'_, Rule>) -> usize {
    let text = pair.as_str();
    if !text.as_bytes().contains(&b'/') {
        return pair.as_span().start() + text.trim_end_matches(is_space).len();
    }
    let mut chain = vec![pair.as_span()];
    let mut current = pair.clone();
    while let Some(last) = current.clone().into_inner().next_back() {
        chain.push(last.as_span());
        current = last;
    }
    let mut end: Option<usize> = None;
    for span in chain.iter().rev() {
        let own = span.start() + span.as_str().trim_end_matches(is_space).len();
        end = Some(match end {
            Some(inner_end) if (span.start()..=span.end()).contains(&inner_end) => {
                inner_end + significant_len(&span.as_str()[inner_end - span.start()..])
            }
            _ => own,
        });
    }
    end.unwrap_or_else(|| pair.as_span().end())
}

/// One recovered line: where it is and its text.
#[derive(Clone, Copy)]
struct Broken<'a> {
    span: Span,
    text: &'a str,
}

/// The statements of a block built so far, and what its last entry was.
#[derive(Default)]
struct BlockEntries {
    stmts: Vec<Stmt>,
    prev: Prev,
}

/// What the previous entry of a block (or the file) was, for the recovery rules.
#[derive(Default)]
enum Prev {
    /// Nothing yet, or something the next error is not related to.
    #[default]
    None,
    /// A parsed statement or item with this span.
    Parsed(Span),
    /// A reported error; `incomplete` when its text stopped short.
    Error { incomplete: bool },
}

impl Cx<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let start = pair.as_span().start();
        Span::new(
            self.offset + start,
            self.offset + tight_end(pair).max(start),
        )
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        let text = pair.as_str();
        // A backtick-quoted name is the word inside the backticks.
        let text = text
            .strip_prefix('`')
            .and_then(|t| t.strip_suffix('`'))
            .unwrap_or(text);
        Name {
            text: text.to_string(),
            span: self.span(pair),
        }
    }

    fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    /// True when `from..to` holds no line break and no `;` (the two sit on one line, in one
    /// statement).
    fn same_line(&self, from: u32, to: u32) -> bool {
        let between = self.text.get(from as usize..to as usize).unwrap_or("\n");
        !between.contains(['\n', ';'])
    }

    fn file(&mut self, pair: Pair<'_, Rule>) -> File {
        let mut items: Vec<Item> = Vec::new();
        let mut prev = Prev::None;
        for p in pair.into_inner() {
            let item = match p.as_rule() {
                Rule::task_decl => Item::Task(self.task(p)),
                Rule::event_decl => Item::Event(self.event(p)),
                Rule::wf_event_decl => Item::WorkflowEvent(self.event(p)),
                Rule::struct_decl => Item::Struct(self.struct_decl(p)),
                Rule::user_task_decl => Item::UserTask(self.user_task_decl(p)),
                Rule::workflow => Item::Workflow(self.workflow(p)),
                Rule::error_item => {
                    let broken = Broken {
                        span: self.span(&p),
                        text: p.as_str(),
                    };
                    if let Prev::Error { incomplete: true } = prev {
                        let last_end = items.last().map_or(0, |i| i.span().end);
                        if is_trivia(self.slice(Span {
                            start: last_end,
                            end: broken.span.start,
                        })) {
                            // The continuation of a malformed item that stopped short.
                            let mut merged = broken.span;
                            if let Some(Item::Error(s)) =
                                items.iter_mut().rev().find(|i| matches!(i, Item::Error(_)))
                            {
                                *s = s.to(broken.span);
                                merged = *s;
                            }
                            prev = Prev::Error {
                                incomplete: self.stops_short(Rule::item_check, merged),
                            };
                            continue;
                        }
                    }
                    let incomplete = self.report(Rule::item_check, broken, Level::Item);
                    items.push(Item::Error(broken.span));
                    if let Some(partial) = self.recover_item(broken) {
                        items.push(partial);
                    }
                    prev = Prev::Error { incomplete };
                    continue;
                }
                _ => continue,
            };
            prev = Prev::Parsed(item.span());
            items.push(item);
        }
        File { items }
    }

    /// The items of `piece` (the chunk at `self.offset`) when it starts with a workflow whose
    /// block is closed: the workflow read one top-level statement at a time (the grammar's
    /// `workflow_open`, `stmt_next`, `block_close`), then the rest of the chunk with `file`.
    /// These are the steps `file` takes, so the items and diagnostics are the ones `file`
    /// gives; but only one statement's parse tree is alive at a time (a workflow of 100,000
    /// statements was one tree of about 180 MiB; docs/performance.md). `None`, with nothing
    /// reported, when the chunk is not of that shape: the caller reads it with `file`.
    fn stream_workflow(&mut self, piece: &str) -> Option<Vec<Item>> {
        let base = self.offset;
        let saved = (
            self.diags.len(),
            self.too_deep_reported,
            self.lh_too_deep,
            self.block_depth,
        );
        let items = self.stream_workflow_steps(piece, base);
        self.offset = base;
        if items.is_none() {
            self.diags.truncate(saved.0);
            (self.too_deep_reported, self.lh_too_deep, self.block_depth) =
                (saved.1, saved.2, saved.3);
        }
        items
    }

    fn stream_workflow_steps(&mut self, piece: &str, base: usize) -> Option<Vec<Item>> {
        let open = LhwParser::parse(Rule::workflow_open, piece).ok()?.next()?;
        // The open pair ends right after the block's `{`.
        let brace = open.as_span().end().checked_sub(1)?;
        let mut keyword_start = None;
        let mut name = None;
        for p in open.into_inner() {
            match p.as_rule() {
                Rule::kw_workflow => keyword_start = Some(p.as_span().start()),
                Rule::ident => name = Some(self.name(&p)),
                _ => {}
            }
        }
        let (keyword_start, name) = (keyword_start?, name?);
        // Only a `block_unclosed` entry reads the block's span, and the statements of a
        // closed block hold none at this level.
        let open_brace = Span::new(base + brace, base + brace + 1);
        let mut entries = BlockEntries::default();
        let mut pos = brace + 1;
        self.block_depth += 1;
        let close_end = loop {
            let rest = piece.get(pos..)?;
            // The fast parser reads the statement when it can; pest reads the rest.
            if let Some(fast) = fast::statement(piece, base, pos) {
                self.push_parsed(&mut entries, fast.stmt);
                pos = fast.end;
                continue;
            }
            let next = LhwParser::parse(Rule::stmt_next, rest)
                .ok()
                .and_then(|mut pairs| pairs.next());
            if let Some(next) = next {
                let end = next.as_span().end();
                if end == 0 {
                    return None;
                }
                fast::record(Some(next.as_str()));
                self.offset = base + pos;
                for p in next.into_inner() {
                    self.block_entry(&mut entries, p, open_brace);
                }
                pos += end;
                continue;
            }
            let close = LhwParser::parse(Rule::block_close, rest).ok()?.next()?;
            break pos + close.as_span().end();
        };
        self.block_depth -= 1;
        let block_span = Span::new(base + brace, base + close_end);
        let mut items = vec![Item::Workflow(Workflow {
            name,
            body: Block {
                stmts: entries.stmts,
                span: block_span,
            },
            span: Span::new(base + keyword_start, base + close_end),
        })];
        let rest = piece.get(close_end..)?;
        let file = LhwParser::parse(Rule::file, rest).ok()?.next()?;
        self.offset = base + close_end;
        items.extend(self.file(file).items);
        Some(items)
    }

    /// Whether the text at `span`, re-parsed with `rule`, still stops short (so the next
    /// malformed line continues it too).
    fn stops_short(&self, rule: Rule, span: Span) -> bool {
        let text = self.slice(span);
        // Each line taken in re-parses the whole malformed text: past a few lines, stop (the
        // next malformed line is its own error), so that a run of lines that each stop short
        // (`!` on 600 lines, a fuzz timeout) is not parsed again for every line.
        if text.split(['\n', '\r']).nth(MAX_MERGED_LINES).is_some() {
            return false;
        }
        match strict_parse(rule, text) {
            Err(err) => {
                syntax_error(self.text, span.start as usize, text, &err, Level::Stmt).incomplete
            }
            Ok(()) => false,
        }
    }

    /// Reports recovered text, re-parsed with `rule` for a precise message; returns whether
    /// the text stopped short (its error is at its end).
    fn report(&mut self, rule: Rule, broken: Broken<'_>, level: Level) -> bool {
        if broken.text.trim() == "}" {
            self.diags
                .push(SyntaxProblem::UnmatchedClose { span: broken.span }.diagnostic());
            return false;
        }
        let start = broken.span.start as usize;
        match strict_parse(rule, broken.text) {
            Err(err) => {
                let e = syntax_error(self.text, start, broken.text, &err, level);
                self.diags.push(e.diag);
                e.incomplete
            }
            Ok(_) => {
                self.diags.push(
                    SyntaxProblem::NotUnderstood {
                        span: broken.span,
                        level,
                    }
                    .diagnostic(),
                );
                false
            }
        }
    }

    /// What a malformed item still declares: `task name(...` declares the task, with a
    /// signature marked unknown (its return type is an unnamed type).
    fn recover_item(&mut self, broken: Broken<'_>) -> Option<Item> {
        let words = leading_words(broken.text, broken.span.start as usize);
        let named = |i: usize| {
            words
                .get(i)
                .filter(|(w, _)| is_ident(w))
                .map(|(w, s)| Name {
                    text: w.clone(),
                    span: *s,
                })
        };
        match words.first().map(|(w, _)| w.as_str()) {
            Some("struct") => {
                let name = named(1)?;
                let marker = missing(name.span);
                return Some(Item::Struct(StructDecl {
                    description: None,
                    updates: None,
                    fields: vec![StructField {
                        name: marker.clone(),
                        ty: TypeExpr::Named(marker),
                        masked: false,
                        nullable: false,
                        description: None,
                        default: None,
                    }],
                    name,
                    span: broken.span,
                }));
            }
            Some("workflow") => {
                // The body of a workflow whose header is malformed is still checked.
                let body = self.recover_body(broken)?;
                let name = named(1)
                    .filter(|n| {
                        broken
                            .text
                            .get(n.span.end as usize - broken.span.start as usize..)
                            .is_some_and(|r| r.trim_start().starts_with('{'))
                    })
                    .unwrap_or_else(|| missing(broken.span));
                return Some(Item::Workflow(Workflow {
                    name,
                    body,
                    span: broken.span,
                }));
            }
            _ => {}
        }
        match words.as_slice() {
            [(kw, _), (name, name_span), ..] if kw == "task" && is_ident(name) => {
                Some(Item::Task(TaskDecl {
                    name: Name {
                        text: name.clone(),
                        span: *name_span,
                    },
                    params: Vec::new(),
                    returns: Some(TypeExpr::Named(missing(*name_span))),
                    description: None,
                    span: broken.span,
                }))
            }
            _ => None,
        }
    }

    fn task(&mut self, pair: Pair<'_, Rule>) -> TaskDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut params = Vec::new();
        let mut returns = None;
        let mut description = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => description = Some(self.string(p)),
                Rule::params => {
                    for param in p.into_inner() {
                        let mut inner = param.into_inner();
                        let (Some(n), Some(t)) = (inner.next(), inner.next()) else {
                            continue;
                        };
                        params.push(Param {
                            name: self.name(&n),
                            ty: self.ty(t),
                            masked: inner.next().is_some(),
                        });
                    }
                }
                Rule::ty => returns = Some(self.ty(p)),
                _ => {}
            }
        }
        TaskDecl {
            name: name.unwrap_or_else(|| missing(span)),
            params,
            returns,
            description,
            span,
        }
    }

    fn event(&mut self, pair: Pair<'_, Rule>) -> EventDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut payload = None;
        let mut correlated = None;
        let mut retention = None;
        let mut external = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_extern => external = true,
                Rule::ident => name = Some(self.name(&p)),
                Rule::ty => payload = Some(self.ty(p)),
                Rule::ev_correlated => {
                    let cspan = self.span(&p);
                    let mut ttl = None;
                    let mut once = false;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::postfix_expr => ttl = Some(self.expr(q)),
                            Rule::kw_once => once = true,
                            _ => {}
                        }
                    }
                    correlated = Some(Correlated {
                        ttl,
                        once,
                        span: cspan,
                    });
                }
                Rule::ev_retention => {
                    retention = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::postfix_expr)
                        .map(|q| self.expr(q));
                }
                _ => {}
            }
        }
        EventDecl {
            name: name.unwrap_or_else(|| missing(span)),
            payload,
            correlated,
            retention,
            external,
            span,
        }
    }

    fn struct_decl(&mut self, pair: Pair<'_, Rule>) -> StructDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut description = None;
        let mut updates = None;
        let mut fields = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => description = Some(self.string(p)),
                Rule::struct_updates => {
                    updates = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::any_word)
                        .map(|w| self.name(&w));
                }
                Rule::struct_field => {
                    let mut inner = p.into_inner();
                    let (Some(n), Some(t)) = (inner.next(), inner.next()) else {
                        continue;
                    };
                    let mut field = StructField {
                        name: self.name(&n),
                        ty: self.ty(t),
                        masked: false,
                        nullable: false,
                        description: None,
                        default: None,
                    };
                    for q in inner {
                        match q.as_rule() {
                            Rule::masked_flag => field.masked = true,
                            Rule::nullable_flag => field.nullable = true,
                            Rule::string => field.description = Some(self.string(q)),
                            _ => field.default = Some(self.expr(q)),
                        }
                    }
                    fields.push(field);
                }
                _ => {}
            }
        }
        StructDecl {
            name: name.unwrap_or_else(|| missing(span)),
            description,
            updates,
            fields,
            span,
        }
    }

    fn user_task_decl(&mut self, pair: Pair<'_, Rule>) -> UserTaskDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut description = None;
        let mut fields = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => description = Some(self.string(p)),
                Rule::ut_field => {
                    let mut inner = p.into_inner();
                    let (Some(n), Some(t)) = (inner.next(), inner.next()) else {
                        continue;
                    };
                    let mut field = UserTaskField {
                        name: self.name(&n),
                        ty: self.ty(t),
                        display_name: None,
                        description: None,
                        required: false,
                    };
                    for q in inner {
                        match q.as_rule() {
                            Rule::string if field.display_name.is_none() => {
                                field.display_name = Some(self.string(q));
                            }
                            Rule::string => field.description = Some(self.string(q)),
                            Rule::mod_required => field.required = true,
                            _ => {}
                        }
                    }
                    fields.push(field);
                }
                _ => {}
            }
        }
        UserTaskDecl {
            name: name.unwrap_or_else(|| missing(span)),
            description,
            fields,
            span,
        }
    }

    fn workflow(&mut self, pair: Pair<'_, Rule>) -> Workflow {
        let span = self.span(&pair);
        let mut name = None;
        let mut body = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::block => body = Some(self.block(p)),
                _ => {}
            }
        }
        Workflow {
            name: name.unwrap_or_else(|| missing(span)),
            body: body.unwrap_or(Block {
                stmts: Vec::new(),
                span,
            }),
            span,
        }
    }

    fn ty(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        if self.depth >= exprs::MAX_EXPR_DEPTH {
            self.too_deep(span);
            return TypeExpr::Prim(Prim::JsonObj, span);
        }
        self.depth += 1;
        let ty = self.ty_node(pair, span);
        self.depth -= 1;
        ty
    }

    fn ty_node(&mut self, pair: Pair<'_, Rule>, span: Span) -> TypeExpr {
        let mut inner = pair.into_inner();
        let Some(base) = inner.next() else {
            return TypeExpr::Prim(Prim::JsonObj, span);
        };
        let base_span = self.span(&base);
        let mut ty = match base.as_rule() {
            Rule::prim_ty => TypeExpr::Prim(
                match base.as_str() {
                    "str" => Prim::Str,
                    "int" => Prim::Int,
                    "double" => Prim::Double,
                    "bool" => Prim::Bool,
                    "json-arr" => Prim::JsonArr,
                    "bytes" => Prim::Bytes,
                    "timestamp" => Prim::Timestamp,
                    "wf-run-id" => Prim::WfRunId,
                    _ => Prim::JsonObj,
                },
                base_span,
            ),
            Rule::map_ty => {
                let mut kv = base.into_inner();
                match (kv.next(), kv.next()) {
                    (Some(k), Some(v)) => {
                        TypeExpr::Map(Box::new(self.ty(k)), Box::new(self.ty(v)), base_span)
                    }
                    _ => TypeExpr::Prim(Prim::JsonObj, base_span),
                }
            }
            _ => {
                let mut parts = base.into_inner();
                let name = match parts.next() {
                    Some(n) => Name {
                        text: n.as_str().to_string(),
                        span: self.span(&n),
                    },
                    None => missing(base_span),
                };
                match parts
                    .next()
                    .and_then(|v| v.into_inner().find(|q| q.as_rule() == Rule::int))
                {
                    Some(n) => TypeExpr::Pinned {
                        name,
                        version: (n.as_str().parse().unwrap_or(i64::MAX), self.span(&n)),
                        span: base_span,
                    },
                    None => TypeExpr::Named(name),
                }
            }
        };
        for (i, suffix) in inner.enumerate() {
            if self.depth + i >= exprs::MAX_EXPR_DEPTH {
                self.too_deep(span);
                break;
            }
            let end = self.span(&suffix);
            ty = TypeExpr::Array(Box::new(ty), span.to(end));
        }
        ty
    }

    fn block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        if self.block_depth >= MAX_BLOCK_DEPTH {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                let open = Span::new(span.start as usize, span.start as usize + 1);
                self.diags.push(
                    SyntaxProblem::BlocksTooDeep {
                        span: open,
                        max: MAX_BLOCK_DEPTH,
                    }
                    .diagnostic(),
                );
            }
            return Block {
                stmts: Vec::new(),
                span,
            };
        }
        self.block_depth += 1;
        let block = self.block_body(pair, span);
        self.block_depth -= 1;
        block
    }

    fn block_body(&mut self, pair: Pair<'_, Rule>, span: Span) -> Block {
        let mut entries = BlockEntries::default();
        for p in pair.into_inner() {
            self.block_entry(&mut entries, p, span);
        }
        Block {
            stmts: entries.stmts,
            span,
        }
    }

    /// Adds one entry of the block at `span` (a statement, a malformed line, or the mark of a
    /// missing `}`) to what the entries before it built. The entries may come from one parse
    /// of the block or from one parse per statement ([`Cx::stream_workflow`]).
    fn block_entry(&mut self, entries: &mut BlockEntries, p: Pair<'_, Rule>, span: Span) {
        let BlockEntries { stmts, prev } = entries;
        match p.as_rule() {
            Rule::block_unclosed => {
                self.unclosed(span, self.span(&p));
            }
            Rule::error_stmt => {
                let mut broken_span = self.span(&p);
                let mut kept = None;
                match *prev {
                    Prev::Parsed(stmt_span)
                        if self.same_line(stmt_span.start, broken_span.start) =>
                    {
                        // The statement before stopped early on this line: the whole
                        // line is one malformed statement. A variable declaration keeps
                        // its name and type (not its default, which may be cut short).
                        if let Some(mut stmt) = stmts.pop()
                            && let StmtKind::Var(v) = &mut stmt.kind
                        {
                            v.default = None;
                            kept = Some(stmt);
                        }
                        broken_span = stmt_span.to(broken_span);
                    }
                    Prev::Error { incomplete: true }
                        if is_trivia(self.slice(Span {
                            start: stmts.last().map_or(0, |s| s.span.end),
                            end: broken_span.start,
                        })) =>
                    {
                        // The continuation of a malformed statement that stopped short.
                        let mut merged = broken_span;
                        if let Some(last) =
                            stmts.iter_mut().rev().find(|s| s.kind == StmtKind::Error)
                        {
                            last.span = last.span.to(broken_span);
                            merged = last.span;
                        }
                        *prev = Prev::Error {
                            incomplete: self.stops_short(Rule::stmt_check, merged),
                        };
                        return;
                    }
                    _ => {}
                }
                let text = self.slice(broken_span).to_string();
                let broken = Broken {
                    span: broken_span,
                    text: &text,
                };
                let incomplete = self.report(Rule::stmt_check, broken, Level::Stmt);
                stmts.push(Stmt {
                    catches: Vec::new(),
                    kind: StmtKind::Error,
                    span: broken_span,
                });
                if let Some(partial) = kept.or_else(|| self.recover_stmt(broken)) {
                    stmts.push(partial);
                }
                *prev = Prev::Error { incomplete };
            }
            _ => {
                let stmt = self.stmt(p);
                self.push_parsed(entries, stmt);
            }
        }
    }

    /// Adds a parsed statement to the block's entries (built from pest's pairs or read by
    /// the fast parser, `syntax/fast.rs`).
    fn push_parsed(&mut self, entries: &mut BlockEntries, stmt: Stmt) {
        let BlockEntries { stmts, prev } = entries;
        if let Prev::Parsed(prev_span) = *prev
            && self.same_line(prev_span.end, stmt.span.start)
        {
            // Two statements on one line with nothing between them: report
            // the second (a declaration still declares its name).
            self.diags
                .push(missing_separator(self.text, stmt.span.start as usize));
            stmts.push(Stmt {
                catches: Vec::new(),
                kind: StmtKind::Error,
                span: stmt.span,
            });
            if matches!(stmt.kind, StmtKind::Var(_)) {
                stmts.push(stmt);
            }
            *prev = Prev::Error { incomplete: false };
            return;
        }
        *prev = Prev::Parsed(stmt.span);
        stmts.push(stmt);
    }

    /// Reports a block whose `}` is missing.
    fn unclosed(&mut self, block: Span, end: Span) {
        let open = Span::new(block.start as usize, block.start as usize + 1);
        let at_eof = end.start as usize >= self.text.trim_end_matches(is_space).len();
        self.diags
            .push(SyntaxProblem::UnclosedBrace { open, end, at_eof }.diagnostic());
    }

    /// What a malformed statement still declares or contains: `var name ...` still
    /// declares `name` (of an unnamed, unknown type), `let name = ...` still binds `name` (to
    /// an unnamed step), and the body of `if`/`while` with a malformed condition is still
    /// parsed (its condition becomes `null`).
    fn recover_stmt(&mut self, broken: Broken<'_>) -> Option<Stmt> {
        let words = leading_words(broken.text, broken.span.start as usize);
        let mut iter = words.iter().peekable();
        let mut access = None;
        if let Some((w, s)) = iter.peek() {
            access = match w.as_str() {
                "public" => Some((Access::Public, *s)),
                "private" => Some((Access::Private, *s)),
                "inherited" => Some((Access::Inherited, *s)),
                _ => None,
            };
            if access.is_some() {
                iter.next();
            }
        }
        let (kw, _) = iter.next()?;
        let name = iter.next().filter(|(n, _)| is_ident(n)).map(|(n, s)| Name {
            text: n.clone(),
            span: *s,
        });
        let kind = match (kw.as_str(), name) {
            ("var" | "input", Some(name)) => StmtKind::Var(VarDecl {
                is_input: kw == "input",
                access,
                ty: TypeExpr::Named(missing(name.span)),
                name,
                default: None,
                required: None,
                searchable: None,
                masked: None,
                indexes: Vec::new(),
            }),
            ("let", Some(name)) => StmtKind::Let {
                value: Expr {
                    kind: ExprKind::Call {
                        callee: missing(name.span),
                        args: Vec::new(),
                        opts: Box::default(),
                    },
                    span: broken.span,
                },
                name,
            },
            ("if" | "while", _) if access.is_none() => {
                let body = self.recover_body(broken)?;
                let cond = null_at(broken.span);
                if kw == "if" {
                    StmtKind::If(IfStmt {
                        cond,
                        then: body,
                        otherwise: None,
                    })
                } else {
                    StmtKind::While { cond, body }
                }
            }
            _ => return None,
        };
        Some(Stmt {
            kind,
            catches: Vec::new(),
            span: broken.span,
        })
    }

    /// The `{ ... }` that ends a malformed `if`/`while` line, parsed as a block.
    fn recover_body(&mut self, broken: Broken<'_>) -> Option<Block> {
        let text = broken.text.trim_end_matches(is_space);
        if !text.ends_with('}') {
            return None;
        }
        let open = matching_open_brace(text)?;
        let saved = self.offset;
        let pairs = LhwParser::parse(Rule::block, &text[open..]).ok()?;
        let pair = pairs.into_iter().next()?;
        if pair.as_str().len() != text.len() - open {
            return None;
        }
        self.offset = broken.span.start as usize + open;
        let block = self.block(pair);
        self.offset = saved;
        Some(block)
    }

    fn stmt(&mut self, pair: Pair<'_, Rule>) -> Stmt {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let catch_pairs: Vec<Pair<'_, Rule>> = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::catch_clause)
            .collect();
        let catches = catch_pairs.into_iter().map(|c| self.catch(c)).collect();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::var_decl => StmtKind::Var(self.var_decl(inner)),
            Rule::let_stmt => {
                let name = inner
                    .nth(1)
                    .map_or_else(|| missing(span), |p| self.name(&p));
                let value = self.expr_or_missing(inner.next(), span);
                StmtKind::Let { name, value }
            }
            Rule::assign_stmt => {
                let place = self.place(inner.next(), span);
                let (op, op_span) = match inner.next() {
                    Some(op) => (
                        match op.as_str() {
                            "+=" => AssignOp::Add,
                            "-=" => AssignOp::Sub,
                            "*=" => AssignOp::Mul,
                            "/=" => AssignOp::Div,
                            "**=" => AssignOp::Pow,
                            "&&=" => AssignOp::And,
                            "||=" => AssignOp::Or,
                            _ => AssignOp::Assign,
                        },
                        self.span(&op),
                    ),
                    None => (AssignOp::Assign, span),
                };
                let value = self.expr_or_missing(inner.next(), span);
                StmtKind::Assign {
                    place,
                    op,
                    op_span,
                    value,
                }
            }
            Rule::extend_stmt => {
                let place = self.place(inner.nth(1), span);
                let value = self.expr_or_missing(inner.nth(1), span);
                StmtKind::Extend { place, value }
            }
            Rule::remove_stmt => {
                let _kw = inner.next();
                let (what, value) = match inner.next() {
                    Some(w) => {
                        let what = match w.as_rule() {
                            Rule::remove_index => RemoveWhat::Index,
                            Rule::remove_key => RemoveWhat::Key,
                            _ => RemoveWhat::Value,
                        };
                        let value = w.into_inner().find(|p| p.as_rule() == Rule::expr);
                        (what, self.expr_or_missing(value, span))
                    }
                    None => (RemoveWhat::Value, self.expr_or_missing(None, span)),
                };
                let place = self.place(inner.nth(1), span);
                StmtKind::Remove { place, what, value }
            }
            Rule::if_stmt => StmtKind::If(self.if_stmt(inner, span)),
            Rule::while_stmt => {
                let cond = self.expr_or_missing(inner.nth(1), span);
                let body = match inner.next() {
                    Some(b) => self.block(b),
                    None => Block {
                        stmts: Vec::new(),
                        span,
                    },
                };
                StmtKind::While { cond, body }
            }
            Rule::return_stmt => {
                let value = inner
                    .find(|p| p.as_rule() == Rule::return_value)
                    .and_then(|p| p.into_inner().next())
                    .map(|e| self.expr(e));
                StmtKind::Return(value)
            }
            Rule::fail_stmt => {
                let name = inner
                    .nth(1)
                    .map_or_else(|| missing(span), |p| self.name(&p));
                let mut message = None;
                let mut content = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::string => message = Some(self.string(p)),
                        Rule::fail_content => content = Some(self.expr(p)),
                        _ => {}
                    }
                }
                StmtKind::Fail {
                    name,
                    message,
                    content,
                }
            }
            Rule::wait_until_stmt => StmtKind::WaitUntil(self.expr_or_missing(inner.nth(2), span)),
            Rule::sleep_stmt => {
                let _kw = inner.next();
                match inner.next() {
                    Some(p) if p.as_rule() == Rule::sleep_until => {
                        let e = p.into_inner().nth(1);
                        StmtKind::SleepUntil(self.expr_or_missing(e, span))
                    }
                    other => StmtKind::Sleep(self.expr_or_missing(other, span)),
                }
            }
            Rule::updates_stmt => StmtKind::Updates(
                inner
                    .nth(1)
                    .map_or_else(|| missing(span), |p| self.name(&p)),
            ),
            Rule::setting_stmt => self.setting(inner, span),
            Rule::default_stmt => match inner.nth(1) {
                Some(p) if p.as_rule() == Rule::default_thread => {
                    let e = p.into_inner().find(|q| q.as_rule() == Rule::expr);
                    StmtKind::DefaultThreadRetention(self.expr_or_missing(e, span))
                }
                Some(p) => StmtKind::DefaultTask(self.task_opts(p.into_inner())),
                None => StmtKind::Error,
            },
            Rule::thread_retention_stmt => {
                let e = inner.find(|q| q.as_rule() == Rule::expr);
                StmtKind::ThreadRetention(self.expr_or_missing(e, span))
            }
            Rule::on_stmt => {
                let mut names = Vec::new();
                let mut body = None;
                let mut binding_ty = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => names.push(self.name(&p)),
                        Rule::ty => binding_ty = Some(self.ty(p)),
                        Rule::block => body = Some(self.block(p)),
                        _ => {}
                    }
                }
                let mut names = names.into_iter();
                StmtKind::On {
                    event: names.next().unwrap_or_else(|| missing(span)),
                    binding: names.next(),
                    binding_ty,
                    body: body.unwrap_or(Block {
                        stmts: Vec::new(),
                        span,
                    }),
                }
            }
            Rule::emit_stmt => {
                let mut event = None;
                let mut value = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => event = Some(self.name(&p)),
                        Rule::emit_value => {
                            value = p.into_inner().next().map(|e| self.expr(e));
                        }
                        _ => {}
                    }
                }
                StmtKind::Emit {
                    event: event.unwrap_or_else(|| missing(span)),
                    value,
                }
            }
            Rule::wait_stmt => {
                let mut strategy = WaitStrategy::All;
                let mut targets = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::wait_strategy => {
                            strategy = match p.into_inner().next().map(|q| q.as_rule()) {
                                Some(Rule::kw_first) => WaitStrategy::First,
                                _ => WaitStrategy::Any,
                            };
                        }
                        Rule::expr => targets.push(self.expr(p)),
                        _ => {}
                    }
                }
                StmtKind::Wait { strategy, targets }
            }
            Rule::expr_stmt => StmtKind::Expr(self.expr_or_missing(inner.next(), span)),
            _ => StmtKind::Error,
        };
        Stmt {
            kind,
            catches,
            span,
        }
    }

    /// A `name value` line: an unknown workflow setting (E0108) when `name` is close to a
    /// setting or the value is a literal, otherwise two values with no operator between
    /// them.
    fn setting(
        &mut self,
        mut inner: lhw_grammar::pest::iterators::Pairs<'_, Rule>,
        span: Span,
    ) -> StmtKind {
        let Some(name) = inner.next().map(|p| self.name(&p)) else {
            return StmtKind::Error;
        };
        let value = inner.next();
        if matches!(name.text.as_str(), "retention" | "parent") {
            if let Some(v) = value.and_then(|v| v.into_inner().next()) {
                let value = self.expr(v);
                return StmtKind::Setting { name, value };
            }
            return StmtKind::Error;
        }
        let value_span = value.as_ref().map_or(span, |v| self.span(v));
        let value_text = self.slice(value_span).to_string();
        let value_is_word = value
            .and_then(|v| v.into_inner().next())
            .is_some_and(|v| v.as_rule() == Rule::ident);
        let close = crate::check::closest(&name.text, SETTINGS.iter().copied());
        if close.is_some() || !value_is_word {
            self.diags.push(
                SyntaxProblem::UnknownSetting {
                    span: name.span,
                    name: name.text.clone(),
                    suggestion: close,
                }
                .diagnostic(),
            );
        } else {
            self.diags.push(
                SyntaxProblem::TwoValues {
                    span: value_span,
                    name: name.text.clone(),
                    value: value_text,
                }
                .diagnostic(),
            );
        }
        StmtKind::Error
    }

    /// `catch spec [(binding)] { body }`
    fn catch(&mut self, pair: Pair<'_, Rule>) -> Catch {
        let full = self.span(&pair);
        let mut spec = CatchSpec::Any;
        let mut site = CatchSite::Step;
        let mut binding = None;
        let mut binding_ty = None;
        let mut body = None;
        let mut head_end = full.end;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::catch_site => {
                    site = match p.into_inner().next().map(|w| w.as_rule()) {
                        Some(Rule::kw_wait) => CatchSite::Wait,
                        _ => CatchSite::EachThread,
                    };
                }
                Rule::catch_spec => {
                    head_end = self.span(&p).end;
                    let Some(q) = p.into_inner().next() else {
                        continue;
                    };
                    spec = match q.as_rule() {
                        Rule::catch_error => {
                            match q.into_inner().find(|r| r.as_rule() == Rule::any_word) {
                                Some(w) => CatchSpec::Error(self.name(&w)),
                                None => CatchSpec::AnyError,
                            }
                        }
                        Rule::catch_exception => CatchSpec::AnyException,
                        Rule::catch_any => CatchSpec::Any,
                        _ => CatchSpec::Named(self.name(&q)),
                    };
                }
                Rule::ident => binding = Some(self.name(&p)),
                Rule::ty => binding_ty = Some(self.ty(p)),
                Rule::block => body = Some(self.block(p)),
                _ => {}
            }
        }
        Catch {
            spec,
            site,
            binding,
            binding_ty,
            body: body.unwrap_or(Block {
                stmts: Vec::new(),
                span: full,
            }),
            span: Span {
                start: full.start,
                end: head_end,
            },
        }
    }

    /// `retries N`, `timeout D`, `backoff A..B xM` options.
    pub(super) fn task_opts<'i>(
        &mut self,
        pairs: impl IntoIterator<Item = Pair<'i, Rule>>,
    ) -> TaskOpts {
        let mut opts = TaskOpts::default();
        for p in pairs {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::opt_retries => {
                    opts.retries = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::unary_expr)
                        .map(|q| self.expr(q));
                }
                Rule::opt_timeout => {
                    opts.timeout = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::unary_expr)
                        .map(|q| self.expr(q));
                }
                Rule::opt_backoff => {
                    let mut exprs = Vec::new();
                    let mut multiplier = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::postfix_expr => exprs.push(self.expr(q)),
                            Rule::backoff_mult => {
                                multiplier =
                                    q.as_str().get(1..).and_then(|m| m.parse::<f64>().ok());
                            }
                            _ => {}
                        }
                    }
                    let mut exprs = exprs.into_iter();
                    if let (Some(base), Some(max)) = (exprs.next(), exprs.next()) {
                        opts.backoff = Some(Backoff {
                            base,
                            max,
                            multiplier,
                            span,
                        });
                    }
                }
                _ => {}
            }
        }
        opts
    }

    fn var_decl(&mut self, inner: lhw_grammar::pest::iterators::Pairs<'_, Rule>) -> VarDecl {
        let mut decl = VarDecl {
            is_input: false,
            access: None,
            name: missing(Span::default()),
            ty: TypeExpr::Prim(Prim::Str, Span::default()),
            default: None,
            required: None,
            searchable: None,
            masked: None,
            indexes: Vec::new(),
        };
        for p in inner {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::access => {
                    let access = match p.as_str() {
                        "public" => Access::Public,
                        "inherited" => Access::Inherited,
                        _ => Access::Private,
                    };
                    decl.access = Some((access, span));
                }
                Rule::kw_var => decl.is_input = p.as_str() == "input",
                Rule::ident => decl.name = self.name(&p),
                Rule::ty => decl.ty = self.ty(p),
                Rule::expr => decl.default = Some(self.expr(p)),
                Rule::mod_required => decl.required = Some(span),
                Rule::mod_searchable => decl.searchable = Some(span),
                Rule::mod_masked => decl.masked = Some(span),
                Rule::mod_searchable_on => {
                    let mut path = None;
                    let mut ty = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::string => path = Some(self.string(q)),
                            Rule::ty => ty = Some(self.ty(q)),
                            _ => {}
                        }
                    }
                    if let (Some(path), Some(ty)) = (path, ty) {
                        decl.indexes.push(JsonIndexDecl {
                            path: path.as_plain().unwrap_or_default(),
                            path_span: path.span,
                            ty,
                        });
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn if_stmt(
        &mut self,
        mut inner: lhw_grammar::pest::iterators::Pairs<'_, Rule>,
        span: Span,
    ) -> IfStmt {
        let cond = self.expr_or_missing(inner.nth(1), span);
        let then = match inner.next() {
            Some(b) => self.block(b),
            None => Block {
                stmts: Vec::new(),
                span,
            },
        };
        let otherwise = match inner.nth(1) {
            Some(p) if p.as_rule() == Rule::if_stmt => {
                let s = self.span(&p);
                Some(Else::If(Box::new(self.if_stmt(p.into_inner(), s)), s))
            }
            Some(p) => Some(Else::Block(self.block(p))),
            None => None,
        };
        IfStmt {
            cond,
            then,
            otherwise,
        }
    }

    fn place(&mut self, pair: Option<Pair<'_, Rule>>, fallback: Span) -> Place {
        let Some(pair) = pair else {
            return Place {
                var: missing(fallback),
                selectors: Vec::new(),
                span: fallback,
            };
        };
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let var = inner
            .next()
            .map_or_else(|| missing(span), |p| self.name(&p));
        let selectors = inner.filter_map(|s| self.selector(s)).collect();
        Place {
            var,
            selectors,
            span,
        }
    }

    fn selector(&mut self, pair: Pair<'_, Rule>) -> Option<Selector> {
        let inner = pair.into_inner().next()?;
        match inner.as_rule() {
            Rule::field_sel => inner
                .into_inner()
                .next()
                .map(|n| Selector::Field(self.name(&n))),
            Rule::index_sel => inner
                .into_inner()
                .next()
                .map(|e| Selector::Index(self.expr(e))),
            _ => None,
        }
    }

    fn expr_or_missing(&mut self, pair: Option<Pair<'_, Rule>>, span: Span) -> Expr {
        match pair {
            Some(p) => self.expr(p),
            None => Expr {
                kind: ExprKind::Null,
                span,
            },
        }
    }

    fn args(&mut self, pair: Pair<'_, Rule>) -> Vec<Expr> {
        pair.into_inner().map(|a| self.expr(a)).collect()
    }

    /// Milliseconds in a duration literal such as `30s` or `500ms`.
    fn duration(&mut self, text: &str, span: Span) -> u64 {
        let digits_end = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(digits_end);
        let factor: u64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => 86_400_000,
        };
        match digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(factor))
        {
            Some(ms) if ms <= i64::MAX as u64 => ms,
            _ => {
                self.diags.push(
                    SyntaxProblem::LiteralOutOfRange {
                        span,
                        literal: LiteralKind::Duration,
                    }
                    .diagnostic(),
                );
                // A valid stand-in (one second), so that the checker does not report the
                // same literal again; output is never produced with this error.
                1_000
            }
        }
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        let push_text = |parts: &mut Vec<StrPart>, s: &str| match parts.last_mut() {
            Some(StrPart::Text(t)) => t.push_str(s),
            _ => parts.push(StrPart::Text(s.to_string())),
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string_text => push_text(&mut parts, p.as_str()),
                Rule::string_brace => push_text(&mut parts, &p.as_str()[..1]),
                Rule::string_escape => {
                    let esc = p.as_str();
                    let decoded = match esc {
                        "\\n" => Some('\n'),
                        "\\t" => Some('\t'),
                        "\\r" => Some('\r'),
                        "\\\"" => Some('"'),
                        "\\\\" => Some('\\'),
                        "\\{" => Some('{'),
                        "\\}" => Some('}'),
                        _ => esc
                            .strip_prefix("\\u{")
                            .and_then(|h| h.strip_suffix('}'))
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .and_then(char::from_u32),
                    };
                    match decoded {
                        Some(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4])),
                        None => self.diags.push(
                            SyntaxProblem::InvalidUnicodeEscape {
                                span: self.span(&p),
                            }
                            .diagnostic(),
                        ),
                    }
                }
                Rule::string_bad_escape => {
                    let esc = p.as_str();
                    self.diags.push(
                        SyntaxProblem::UnknownEscape {
                            span: self.span(&p),
                            escape: esc.to_string(),
                        }
                        .diagnostic(),
                    );
                }
                Rule::string_hole => {
                    if let Some(e) = p.into_inner().next() {
                        parts.push(StrPart::Hole(self.expr(e)));
                    }
                }
                _ => {}
            }
        }
        StrLit { parts, span }
    }
}

fn lit(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn null_at(span: Span) -> Expr {
    lit(ExprKind::Null, span)
}

fn missing(span: Span) -> Name {
    Name {
        text: String::new(),
        span,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// True for a word the grammar accepts as an identifier.
fn is_ident(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && !RESERVED_WORDS.contains(&word)
}

/// Up to three leading words of `text` (letters, digits, `_` and inner hyphens) with their
/// spans (`offset` is where `text` starts), stopping at the first other character.
fn leading_words(text: &str, offset: usize) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while out.len() < 3 {
        while chars.next_if(|&(_, c)| is_space(c)).is_some() {}
        let Some(&(start, first)) = chars.peek() else {
            break;
        };
        if !is_word_char(first) {
            break;
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            let hyphen = c == '-' && i > start && text[i + 1..].starts_with(is_word_char);
            if !(is_word_char(c) || hyphen) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        out.push((
            text[start..end].to_string(),
            Span::new(offset + start, offset + end),
        ));
        if chars.peek().is_some_and(|&(_, c)| !is_space(c)) {
            break;
        }
    }
    out
}

/// For text ending in `}`: where the `{` that this last `}` closes is, skipping strings and
/// line comments.
fn matching_open_brace(text: &str) -> Option<usize> {
    let mut stack: Vec<usize> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, d)) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek().is_some_and(|&(_, d)| d == '/') => {
                while chars.next_if(|&(_, d)| d != '\n').is_some() {}
            }
            '{' => stack.push(i),
            '}' => {
                let open = stack.pop();
                if i + 1 == text.len() {
                    return open.filter(|_| stack.is_empty());
                }
            }
            _ => {}
        }
    }
    None
}

/// The repository's `.lhw` files, for the tests below (shared with `compiler/tests/`).
#[cfg(test)]
#[path = "../tests/support/lhw_files.rs"]
mod test_files;

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_files::lhw_files;

    /// Reading a workflow one statement at a time gives the items and diagnostics that
    /// reading its chunk at once gives: on every `.lhw` file of the repository (the
    /// diagnostics fixtures and the mistakes corpus hold broken ones), on each cut short at
    /// several places (unclosed blocks, strings and comments), and with lines removed.
    #[test]
    fn streamed_workflows_parse_as_whole_chunks() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        lhw_files(&root, &mut files);
        files.sort();
        assert!(files.len() > 100, "found only {} .lhw files", files.len());
        let mut streamed_chunks = 0;
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let mut variants = vec![text.clone()];
            for k in 1..8 {
                let mut cut = text.len() * k / 8;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                variants.push(text[..cut].to_string());
            }
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            for skip in (0..lines.len()).step_by(5) {
                let mut without = String::new();
                for (i, line) in lines.iter().enumerate() {
                    if i != skip {
                        without.push_str(line);
                    }
                }
                variants.push(without);
            }
            for variant in &variants {
                for span in chunk_spans(variant) {
                    let whole = parse_chunk_with(variant, span, false);
                    let streamed = parse_chunk_with(variant, span, true);
                    assert_eq!(
                        streamed,
                        whole,
                        "{}: the chunk at {span:?} of this text parses differently when \
                         streamed:\n{variant}",
                        path.display()
                    );
                    let piece = &variant[span.start as usize..span.end as usize];
                    let mut cx = Cx {
                        text: variant,
                        offset: span.start as usize,
                        diags: Vec::new(),
                        depth: 0,
                        block_depth: 0,
                        too_deep_reported: false,
                        lh_too_deep: None,
                    };
                    if cx.stream_workflow(piece).is_some() {
                        streamed_chunks += 1;
                    }
                }
            }
        }
        assert!(
            streamed_chunks > 1000,
            "only {streamed_chunks} workflow chunks"
        );
    }

    #[test]
    fn leading_words_stop_at_punctuation() {
        let words: Vec<String> = leading_words("  public var total-count int = 0", 10)
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(words, ["public", "var", "total-count"]);
        let words = leading_words("var x: int", 0);
        assert_eq!(words.len(), 2);
        assert_eq!(words[1].1, Span::new(4, 5));
    }

    #[test]
    fn the_last_brace_group_is_found() {
        assert_eq!(matching_open_brace("if x > { a() }"), Some(7));
        assert_eq!(matching_open_brace("if x == \"}\" { a({}) }"), Some(12));
        assert_eq!(matching_open_brace("if x } y }"), None);
    }

    #[test]
    fn spans_end_before_trailing_whitespace_and_comments() {
        let text = "workflow w {\n  var x: int // note\n  x = 1\n}\n";
        let (file, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let Some(Item::Workflow(wf)) = file.items.first() else {
            panic!("a workflow");
        };
        let first = &wf.body.stmts[0];
        assert_eq!(
            &text[first.span.start as usize..first.span.end as usize],
            "var x: int"
        );
    }

    #[test]
    fn a_block_comment_starting_the_next_line_is_not_part_of_the_statement() {
        let text = "task t()\nworkflow w {\n  t()\n  /* note */ t()\n}\n";
        let (file, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let Some(Item::Workflow(wf)) = file.items.get(1) else {
            panic!("a workflow");
        };
        let first = &wf.body.stmts[0];
        assert_eq!(
            &text[first.span.start as usize..first.span.end as usize],
            "t()"
        );
    }
}
