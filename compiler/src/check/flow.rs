//! Whole-body checks of one workflow: what it declares anywhere (for "declared later" help),
//! and whether its exits agree on the output type, as the server requires at PutWfSpec.

use std::collections::HashMap;

use super::problems::{Body, Problem};
use super::{Ty, WorkflowChecker};
use crate::ast::*;
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
        let body_kind = if self.thread == 0 {
            Body::Workflow
        } else {
            Body::Thread
        };
        let mut first_known: Option<(Span, Ty)> = None;
        for (span, ty) in &returns {
            match ty {
                None => {
                    self.cx.problem(Problem::ReturnWithoutValue {
                        body: body_kind,
                        span: *span,
                        value_span,
                    });
                }
                Some(t) if known(t) => match &first_known {
                    Some((first_span, first)) if first != t => {
                        let (first_span, first) = (*first_span, first.clone());
                        self.cx.problem(Problem::ReturnTypes {
                            body: body_kind,
                            span: *span,
                            ty: t.clone(),
                            first,
                            first_span,
                        });
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
            self.cx.problem(Problem::EndWithoutReturn {
                body: body_kind,
                span: close,
                value_span,
                value: known(&value_ty).then_some(value_ty),
            });
        }
    }
}
