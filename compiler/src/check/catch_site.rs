//! Whose failure a `catch` handles: on a `wait` for threads, `catch thread` (each waited
//! thread's failure, sdk-java's `handle*OnChild`) and `catch wait` (the wait node's own
//! failure, sdk-java's `handle*(waitForThreads(...))`) must be told apart; elsewhere the
//! plain `catch` is the only form.

use super::problems::Problem;
use super::{Ty, WorkflowChecker};
use crate::ast::*;

/// What a statement with `catch` clauses waits for, as far as the sites care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guarded {
    /// A `wait` for threads: the site must be written.
    ThreadWait,
    /// Any other step (a `wait` for a child workflow included).
    Step,
    /// A `wait` whose handles did not check: no verdict.
    Unknown,
}

impl WorkflowChecker<'_> {
    /// E0232 for a plain `catch` on a `wait` for threads, E0233 for `catch thread` /
    /// `catch wait` anywhere else.
    pub(super) fn catch_sites(&mut self, stmt: &Stmt) {
        let guarded = self.guarded(stmt);
        for c in &stmt.catches {
            let spec = spec_text(&c.spec);
            match (guarded, c.site) {
                (Guarded::ThreadWait, CatchSite::Step) => {
                    self.cx
                        .problem(Problem::AmbiguousThreadWaitCatch { span: c.span, spec });
                }
                (Guarded::Step, CatchSite::EachThread | CatchSite::Wait) => {
                    self.cx.problem(Problem::CatchSiteOnStep {
                        span: c.span,
                        each_thread: c.site == CatchSite::EachThread,
                        spec,
                    });
                }
                _ => {}
            }
        }
    }

    fn guarded(&self, stmt: &Stmt) -> Guarded {
        let StmtKind::Wait { targets, .. } = &stmt.kind else {
            return Guarded::Step;
        };
        let mut verdict = Guarded::Unknown;
        for t in targets {
            let ExprKind::Var(n) = &t.kind else {
                continue;
            };
            match self.lookup_let(&n.text).map(|(ty, _)| ty) {
                Some(Ty::Thread | Ty::Threads) => return Guarded::ThreadWait,
                Some(Ty::ChildWf) => verdict = Guarded::Step,
                _ => {}
            }
        }
        verdict
    }
}

/// The failure as written after `catch` (and its site word).
fn spec_text(spec: &CatchSpec) -> String {
    match spec {
        CatchSpec::Named(n) => n.text.clone(),
        CatchSpec::AnyException => "exception".to_string(),
        CatchSpec::AnyError => "error".to_string(),
        CatchSpec::Error(n) => format!("error {}", n.text),
        CatchSpec::Any => "any".to_string(),
    }
}
