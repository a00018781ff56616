//! Whole-body checks of one workflow: what it declares anywhere (for "declared later" help),
//! and whether its exits agree on the output type, as the server requires at PutWfSpec.

use crate::diag::a_or_an;
use std::collections::HashMap;

use super::{Ty, WorkflowChecker};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// Records every variable declared in `block` (first declaration wins) and whether any
/// statement in it is malformed.
pub(super) fn scan(block: &Block, vars: &mut HashMap<String, Span>, has_errors: &mut bool) {
    for stmt in &block.stmts {
        match &stmt.kind {
            StmtKind::Var(v) if !v.name.text.is_empty() => {
                vars.entry(v.name.text.clone()).or_insert(v.name.span);
            }
            StmtKind::Error => *has_errors = true,
            StmtKind::If(i) => scan_if(i, vars, has_errors),
            StmtKind::While { body, .. } => scan(body, vars, has_errors),
            _ => {}
        }
    }
}

fn scan_if(i: &IfStmt, vars: &mut HashMap<String, Span>, has_errors: &mut bool) {
    scan(&i.then, vars, has_errors);
    match &i.otherwise {
        Some(Else::If(inner, _)) => scan_if(inner, vars, has_errors),
        Some(Else::Block(b)) => scan(b, vars, has_errors),
        None => {}
    }
}

/// True for a type the server compares when it checks that exits agree.
fn known(t: &Ty) -> bool {
    !t.is_unknown() && *t != Ty::Void
}

impl WorkflowChecker<'_> {
    /// LittleHorse rejects a WfSpec whose EXIT nodes disagree: one returns nothing and another
    /// a value, or two return different types. A workflow whose last statement is not a
    /// `return` (or `fail`) ends with an EXIT node that returns nothing.
    pub(super) fn returns_agree(&mut self, body: &Block) {
        let returns = std::mem::take(&mut self.returns);
        let Some((value_span, value_ty)) = returns
            .iter()
            .find_map(|(span, ty)| ty.as_ref().map(|t| (*span, t.clone())))
        else {
            return;
        };
        let what = if self.thread == 0 {
            "workflow"
        } else {
            "thread"
        };
        let mut first_known: Option<(Span, Ty)> = None;
        for (span, ty) in &returns {
            match ty {
                None => self.err(
                    Diagnostic::error(
                        Code::E0220,
                        *span,
                        format!(
                            "this `return` has no value, but the {what} returns a value elsewhere"
                        ),
                    )
                    .with_label("returns nothing")
                    .with_secondary(value_span, "returns a value")
                    .with_help(format!(
                        "return a value here too: every exit of a {what} returns the same type"
                    )),
                ),
                Some(t) if known(t) => match &first_known {
                    Some((first_span, first)) if first != t => {
                        let (first_span, first) = (*first_span, first.clone());
                        self.err(
                            Diagnostic::error(
                                Code::E0220,
                                *span,
                                format!(
                                    "this `return` gives {a_t}, but another gives {a_first}",
                                    a_t = a_or_an(&t),
                                    a_first = a_or_an(&first)
                                ),
                            )
                            .with_label(format!("returns {a_t}", a_t = a_or_an(&t)))
                            .with_secondary(
                                first_span,
                                format!("returns {a_first}", a_first = a_or_an(&first)),
                            )
                            .with_help(
                                "return values of one type, converting with `as` where needed",
                            ),
                        );
                    }
                    Some(_) => {}
                    None => first_known = Some((*span, t.clone())),
                },
                Some(_) => {}
            }
        }
        let last = body
            .stmts
            .iter()
            .rev()
            .find(|s| !matches!(s.kind, StmtKind::Var(_) | StmtKind::Updates(_)));
        let exits =
            last.is_some_and(|s| matches!(s.kind, StmtKind::Return(_) | StmtKind::Fail { .. }));
        if !exits && body.span.end > body.span.start {
            let close = Span {
                start: body.span.end - 1,
                end: body.span.end,
            };
            let value = if known(&value_ty) {
                a_or_an(&value_ty)
            } else {
                "a value".to_string()
            };
            self.err(
                Diagnostic::error(
                    Code::E0220,
                    close,
                    format!("the {what} can reach its end without a value, but returns {value} elsewhere"),
                )
                .with_label("ends here without `return`")
                .with_secondary(value_span, format!("returns {value}"))
                .with_help(format!(
                    "end the {what} with `return <value>` (or `fail`): LittleHorse adds an exit that returns nothing after the last statement, and every exit must return the same type"
                )),
            );
        }
    }
}
