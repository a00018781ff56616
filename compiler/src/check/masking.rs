//! W0040: a `masked` variable passed to a task parameter that is not `masked`. LittleHorse
//! masks a TaskRun's input by the TaskDef's parameter (`VariableDefModel.assignValue` in the
//! server marks the `VarNameAndVal` masked only when the input variable def is), so the
//! secret would be shown in the clear in the TaskRun (`lhc`, the dashboard, the API).

use std::collections::HashSet;

use crate::ast::{Expr, ExprKind};
use crate::diag::{Code, Diagnostic};
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

/// The W0040 warning for `var` passed as `param` of `task`.
pub(super) fn warning(var: &str, at: Span, param: &str, task: &str, task_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::W0040,
        at,
        format!("`{var}` is masked, but `{param}` of `{task}` is not: the TaskRun shows its value"),
    )
    .with_label("a masked variable")
    .with_secondary(task_span, "declared here")
    .with_help(format!(
        "declare the parameter masked (`{param}: ... masked`) so the TaskRun hides it as the \
         variable is hidden"
    ))
}
