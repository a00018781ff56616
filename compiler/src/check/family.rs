//! A workflow that `run`s its own child workflow (one declaring `parent` it): LittleHorse
//! registers a child WfSpec only once its parent exists and a WfSpec with a RUN_CHILD_WF
//! node only once the WfSpec it runs exists, so neither of the pair can be deployed.

use std::collections::HashMap;

use super::problems::Problem;
use crate::ast::*;
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
pub(super) fn parent_runs_child(file: &File, runs: &[RunStep]) -> Vec<Problem> {
    let parents = parents(file);
    runs.iter()
        .filter_map(|r| {
            let (parent, setting) = parents.get(r.target.as_str())?;
            (*parent == r.caller).then(|| Problem::ParentRunsChild {
                caller: r.caller.clone(),
                target: r.target.clone(),
                span: r.span,
                setting: *setting,
            })
        })
        .collect()
}
