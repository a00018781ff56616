//! A workflow that `run`s its own child workflow (one declaring `parent` it): LittleHorse
//! registers a child WfSpec only once its parent exists and a WfSpec with a RUN_CHILD_WF
//! node only once the WfSpec it runs exists, so neither of the pair can be deployed.

use std::collections::HashMap;

use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// A `run` step: the workflow it is written in, the workflow it starts and the span of
/// the `run` expression.
#[derive(Debug, Clone)]
pub(super) struct RunStep {
    pub caller: String,
    pub target: String,
    pub span: Span,
}

/// Every workflow's `parent` setting: the parent's name and the setting's span.
fn parents(file: &File) -> HashMap<&str, (&str, Span)> {
    let mut out = HashMap::new();
    for item in &file.items {
        let Item::Workflow(wf) = item else { continue };
        for stmt in &wf.body.stmts {
            if let StmtKind::Setting { name, value } = &stmt.kind
                && name.text == "parent"
                && let ExprKind::Var(p) = &value.kind
            {
                out.insert(wf.name.text.as_str(), (p.text.as_str(), stmt.span));
            }
        }
    }
    out
}

/// E0307 for each `run` of a workflow whose `parent` is the workflow running it.
pub(super) fn parent_runs_child(file: &File, runs: &[RunStep]) -> Vec<Diagnostic> {
    let parents = parents(file);
    runs.iter()
        .filter_map(|r| {
            let (parent, setting) = parents.get(r.target.as_str())?;
            (*parent == r.caller).then(|| {
                Diagnostic::error(
                    Code::E0307,
                    r.span,
                    format!(
                        "workflow `{}` runs `{}`, whose parent it is",
                        r.caller, r.target
                    ),
                )
                .with_label(format!("this `run` needs `{}` deployed first", r.target))
                .with_secondary(
                    *setting,
                    format!("`{}` needs `{}` deployed first", r.target, r.caller),
                )
                .with_help(format!(
                    "LittleHorse registers a child workflow only after its parent, and a \
                     workflow that runs another only after that one, so neither can be \
                     deployed; start `{}` from a client with the run of `{}` as its parent \
                     (RunWf `parent_wf_run_id`), or remove `parent {}`",
                    r.target, r.caller, r.caller
                ))
            })
        })
        .collect()
}
