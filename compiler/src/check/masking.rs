//! W0040: a `masked` variable passed to a task parameter that is not `masked`. LittleHorse
//! masks a TaskRun's input by the TaskDef's parameter (`VariableDefModel.assignValue` in the
//! server marks the `VarNameAndVal` masked only when the input variable def is), so the
//! secret would be shown in the clear in the TaskRun (`lhc`, the dashboard, the API). The
//! warning itself is `Problem::MaskedArgument`.

use std::collections::HashSet;

use crate::ast::{Expr, ExprKind};
use crate::source::Span;

/// A masked variable an argument reads directly (not through a nested task call, whose output
/// is that task's own value): its name and where it is read.
pub(super) fn masked_var_read(arg: &Expr, masked: &HashSet<String>) -> Option<(String, Span)> {
    if masked.is_empty() {
        return None;
    }
    let mut calls: Vec<Span> = Vec::new();
    let mut reads: Vec<(String, Span)> = Vec::new();
    crate::ide::walk::expr(arg, &mut |x| match &x.kind {
        ExprKind::Call { .. } | ExprKind::DynCall { .. } => calls.push(x.span),
        ExprKind::Var(n) if masked.contains(&n.text) => reads.push((n.text.clone(), x.span)),
        _ => {}
    });
    reads
        .into_iter()
        .find(|(_, at)| !calls.iter().any(|c| c.start <= at.start && at.end <= c.end))
}
