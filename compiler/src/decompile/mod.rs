//! Decompiling: LittleHorse WfSpecs back to `.lhw` text.
//!
//! `expr` prints values, assignments, conditions and mutations; `thread` rebuilds the
//! statements of a ThreadSpec from its graph (the layout `lower` and sdk-java build: node
//! indexes in creation order, NOP pairs around `if` and `while`, mutations on the next edge);
//! `decls` writes the declarations a workflow needs. Pure, like the rest of the compiler.
//!
//! The promise: compiling the text gives back the input WfSpecs. [`decompile`] checks it by
//! compiling its own output; whatever differs is reported as a coded diagnostic (W0030:
//! the compiled text differs, W0031: a shape the language cannot write, W0032: the text does
//! not compile), never silently.

mod decls;
#[allow(dead_code)] // part of the printer's API is for the graph view
pub(crate) mod expr;
mod json;
mod messages;
pub(crate) mod problems;
mod thread;

use lhw_proto::littlehorse as pb;

pub use decls::{Refs, references};

use crate::diag::Diagnostic;
use problems::{CompileError, DecompileProblem, Difference};

/// What a decompilation may use besides the WfSpecs: the metadata they refer to (from the
/// server, or from files). Anything missing is inferred from how the WfSpecs use it.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    /// TaskDefs, for `task` declarations.
    pub task_defs: Vec<pb::PutTaskDefRequest>,
    /// ExternalEventDefs, for `event` declarations.
    pub external_event_defs: Vec<pb::PutExternalEventDefRequest>,
    /// WorkflowEventDefs, for `workflow-event` declarations.
    pub workflow_event_defs: Vec<pb::PutWorkflowEventDefRequest>,
    /// UserTaskDefs, for `user-task` forms.
    pub user_task_defs: Vec<pb::PutUserTaskDefRequest>,
    /// StructDefs, for `struct` declarations.
    pub struct_defs: Vec<pb::PutStructDefRequest>,
}

/// The result of decompiling.
#[derive(Debug, Clone)]
#[must_use]
pub struct Decompiled {
    /// The `.lhw` text, formatted as `lhc fmt` formats it.
    pub text: String,
    /// What the text does not keep (warnings; spans point into `text`, or are empty).
    pub diagnostics: Vec<Diagnostic>,
}

impl Decompiled {
    /// Whether compiling `text` gives back exactly the input WfSpecs.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Turns a `WfSpec` (as the server returns it) into the `PutWfSpecRequest` that makes it.
#[must_use]
pub fn put_request_of(wf: &pb::WfSpec) -> pb::PutWfSpecRequest {
    pb::PutWfSpecRequest {
        name: wf.id.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
        thread_specs: wf.thread_specs.clone(),
        entrypoint_thread_name: wf.entrypoint_thread_name.clone(),
        retention_policy: wf.retention_policy,
        parent_wf_spec: wf.parent_wf_spec.clone(),
        // The server does not keep the update policy in the WfSpec.
        allowed_updates: pb::AllowedUpdateType::AllUpdates as i32,
    }
}

/// Decompiles WfSpecs (one file: a workflow with the children it runs or its parent) into
/// `.lhw` text, checked by compiling it again.
pub fn decompile(wf_specs: &[pb::PutWfSpecRequest], decls: &Declarations) -> Decompiled {
    let mut losses: Vec<(Option<String>, thread::ThreadLoss)> = Vec::new();
    let mut body = String::new();
    let workflows: Vec<String> = wf_specs
        .iter()
        .map(|wf| {
            let (text, lost) = thread::workflow(wf);
            losses.extend(lost.into_iter().map(|l| (Some(wf.name.clone()), l)));
            text
        })
        .collect();
    let (decl_text, decl_losses) = decls::declarations(wf_specs, decls);
    losses.extend(
        decl_losses
            .into_iter()
            .map(|loss| (None, thread::ThreadLoss { thread: None, loss })),
    );
    body.push_str(&decl_text);
    for w in workflows {
        body.push('\n');
        body.push_str(&w);
    }
    let text = crate::format::format(&body).unwrap_or(body);
    let diagnostics: Vec<Diagnostic> = losses
        .into_iter()
        .map(|(wf, l)| DecompileProblem::Unwritable {
            workflow: wf.filter(|w| !w.is_empty()),
            thread: l.thread,
            loss: l.loss,
        })
        .chain(verify(&text, wf_specs))
        .map(DecompileProblem::diagnostic)
        .collect();
    Decompiled { text, diagnostics }
}

/// Compiles `text` and compares each WfSpec with the input it came from.
fn verify(text: &str, wf_specs: &[pb::PutWfSpecRequest]) -> Vec<DecompileProblem> {
    let compiled = crate::compile(text);
    let Some(output) = compiled.output else {
        let first_error =
            compiled
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| CompileError {
                    code: d.code,
                    message: d.message.clone(),
                    span: d.primary.span,
                });
        return vec![DecompileProblem::DoesNotCompile { first_error }];
    };
    let mut out = Vec::new();
    for wf in wf_specs {
        let got = output.wf_specs.iter().find(|w| w.name == wf.name);
        let difference = match got {
            None => Some(Difference::Missing),
            Some(got) if got == wf => None,
            Some(got) => Some(first_difference(wf, got)),
        };
        if let Some(difference) = difference {
            out.push(DecompileProblem::Differs {
                workflow: wf.name.clone(),
                difference,
            });
        }
    }
    out
}

/// The first place where two WfSpecs differ, as a JSON path with both values.
fn first_difference(want: &pb::PutWfSpecRequest, got: &pb::PutWfSpecRequest) -> Difference {
    let (Ok(a), Ok(b)) = (serde_json::to_value(want), serde_json::to_value(got)) else {
        return Difference::Unknown;
    };
    json_difference(&a, &b, "$").unwrap_or(Difference::Unknown)
}

fn json_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<Difference> {
    use serde_json::Value as J;
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let null = J::Null;
                json_difference(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    &format!("{at}.{k}"),
                )
            })
        }
        (J::Array(x), J::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| json_difference(p, q, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(Difference::At {
            path: at.to_string(),
            want: a.clone(),
            got: b.clone(),
        }),
    }
}
