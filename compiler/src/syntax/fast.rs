//! A hand-written recursive-descent parser for the statements of a workflow body: the fast
//! path of parsing (docs/performance.md, "The front end").
//!
//! The pest grammar (`grammar/src/lhw.pest`) stays the definition of the language. This
//! parser reads one top-level statement of a streamed workflow (`Cx::stream_workflow`) the
//! way the grammar reads it (the same choices in the same order, trivia skipped in the same
//! places) and builds the same AST the pest path builds, spans included. It accepts only what
//! it is sure of: any syntax error, any construct it does not cover (`ask`, a statement with
//! more on its line), anything the tree builder would report (an out-of-range literal, an
//! unknown escape, chained comparisons, nesting near a limit) makes it answer `None`, and pest
//! parses that statement as before. So every diagnostic and every recovery stays pest's.
//!
//! `compiler/tests/fast_parser.rs` holds the equivalence (ARCHITECTURE.md, invariant 29): for
//! every input the fast parser accepts, pest accepts it too and the trees are equal, on
//! generated programs, on every `.lhw` of the repository and on mutations of them.
//!
//! One concern per file: `cursor` (trivia, words, keywords), `atoms` (numbers, strings,
//! types), `exprs` (flat expressions and their precedence), `steps` (`spawn`, `await`,
//! `run`, ...), `stmts` (statements, blocks, catches).

mod atoms;
mod cursor;
mod exprs;
mod steps;
mod stmts;

use crate::ast::Stmt;
use cursor::P;

/// `v` at its length: a list the fast parser grew one push at a time keeps no spare
/// capacity in the AST (pest's path collects at the exact length; bench/tests/memory.rs).
fn fit<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// One statement read by the fast parser.
pub(crate) struct FastStmt {
    /// The statement, its spans in the file.
    pub(crate) stmt: Stmt,
    /// Where reading goes on in the chunk: after the statement (and its `;`).
    pub(crate) end: usize,
}

/// Reads the statement at `pos` of `piece` (a chunk that starts at `base` in the file; trivia
/// before the statement is skipped), as the grammar's `stmt_next` reads it: `None` at the end
/// of the block, and whenever pest must read it (see the module's notes).
pub(crate) fn statement(piece: &str, base: usize, pos: usize) -> Option<FastStmt> {
    if off() {
        return None;
    }
    let mut p = P::new(piece, base, pos, 0);
    p.skip();
    if matches!(p.peek(), None | Some(b'}')) || p.at_item_kw() {
        return None;
    }
    let stmt = p.stmt()?;
    record(None);
    Some(FastStmt { stmt, end: p.pos })
}

thread_local! {
    /// Set while [`pest_only`] runs: every statement goes to pest.
    static OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set while [`coverage`] runs: what each top-level statement was read by.
    static RECORD: std::cell::RefCell<Option<Coverage>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with the fast parser off: every statement is read by pest, as before it existed.
/// For the equivalence tests and the benchmarks' comparison.
#[doc(hidden)]
pub fn pest_only<T>(f: impl FnOnce() -> T) -> T {
    let was = OFF.with(|off| off.replace(true));
    let out = f();
    OFF.with(|off| off.set(was));
    out
}

/// Which top-level statements of streamed workflows the fast parser read.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Statements the fast parser read.
    pub fast: usize,
    /// The first line of each statement pest read (malformed ones included).
    pub fallbacks: Vec<String>,
}

/// Parses `text` (as `syntax::parse`) and reports which statements the fast parser read.
#[doc(hidden)]
#[must_use]
pub fn coverage(text: &str) -> Coverage {
    RECORD.with(|r| *r.borrow_mut() = Some(Coverage::default()));
    let _ = super::parse(text);
    RECORD.with(|r| r.borrow_mut().take()).unwrap_or_default()
}

/// Records a statement read by the fast parser (`None`) or by pest (its text).
pub(crate) fn record(pest_text: Option<&str>) {
    RECORD.with(|r| {
        if let Some(c) = r.borrow_mut().as_mut() {
            match pest_text {
                None => c.fast += 1,
                Some(t) => c
                    .fallbacks
                    .push(t.trim().lines().next().unwrap_or_default().to_string()),
            }
        }
    });
}

fn off() -> bool {
    OFF.with(std::cell::Cell::get)
}
