//! The quick fix that declares an unknown task or event (E0102, E0109): the declaration
//! is inserted after the last declaration of the same kind above the workflow that uses the
//! name, or else on its own line above that workflow. Built where the problem is found, from
//! the file's outline, so that editors and `lhc check --format json` offer the same edit.

use crate::ast::{File, Item};
use crate::diag::{Edit, Fix};
use crate::source::Span;

/// The kind of a top-level item, as far as declaring a name cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DeclKind {
    Task,
    Event,
    WorkflowEvent,
    Workflow,
    Other,
}

impl DeclKind {
    fn of(item: &Item) -> Self {
        match item {
            Item::Task(_) => DeclKind::Task,
            Item::Event(_) => DeclKind::Event,
            Item::WorkflowEvent(_) => DeclKind::WorkflowEvent,
            Item::Workflow(_) => DeclKind::Workflow,
            Item::Struct(_) | Item::UserTask(_) | Item::Error(_) => DeclKind::Other,
        }
    }
}

/// The file's top-level items: their kind and span, in source order.
#[derive(Debug, Default)]
pub(super) struct Outline {
    items: Vec<(DeclKind, Span)>,
}

impl Outline {
    pub(super) fn of(file: &File) -> Self {
        Outline {
            items: file
                .items
                .iter()
                .map(|i| (DeclKind::of(i), i.span()))
                .collect(),
        }
    }

    /// The fix that inserts `decl` (a declaration of `kind`, e.g. `task t(arg1: str)`) for a
    /// use at `at`; `None` outside a workflow.
    pub(super) fn declare(&self, kind: DeclKind, decl: &str, at: Span) -> Option<Fix> {
        let wf_start = self
            .items
            .iter()
            .find(|(k, s)| *k == DeclKind::Workflow && s.start <= at.start && at.end <= s.end)
            .map(|(_, s)| s.start)?;
        let same_kind_before = self
            .items
            .iter()
            .filter(|(k, s)| *k == kind && s.end <= wf_start)
            .map(|(_, s)| *s)
            .next_back();
        let edit = match same_kind_before {
            Some(prev) => Edit {
                span: Span {
                    start: prev.end,
                    end: prev.end,
                },
                text: format!("\n{decl}"),
            },
            None => Edit {
                span: Span {
                    start: wf_start,
                    end: wf_start,
                },
                text: format!("{decl}\n\n"),
            },
        };
        Some(Fix::new(format!("Declare `{decl}`"), vec![edit]).offered())
    }
}
