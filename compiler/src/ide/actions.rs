//! Quick fixes. A diagnostic that carries fixes as data (`Diagnostic::fixes`, built with its
//! help from the same values) is offered exactly those, the first preferred. For the others,
//! the fix is read back from the help text ("declare it: `...`", "to subtract, write spaces:
//! `a - b`", "try `x`"); those move to fix data code by code (issue 14 §2).

use super::{Analysis, TextEdit, walk_stmts};
use crate::ast::{Item, StmtKind};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// A fix for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    /// What the fix does, as the editor lists it.
    pub title: String,
    /// The edits that make the fix.
    pub edits: Vec<TextEdit>,
    /// True for the fix the editor may apply without asking (the one the help names).
    pub preferred: bool,
}

/// The text between the first pair of backticks after `prefix` in `help`.
fn quoted_after<'h>(help: &'h str, prefix: &str) -> Option<&'h str> {
    let rest = &help[help.find(prefix)? + prefix.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

impl Analysis {
    /// The fixes for `diag`, one of this analysis's diagnostics.
    #[must_use]
    pub fn code_actions(&self, diag: &Diagnostic) -> Vec<CodeAction> {
        let help = diag.help.as_deref().unwrap_or_default();
        let span = diag.primary.span;
        let mut out: Vec<CodeAction> = diag
            .fixes
            .iter()
            .enumerate()
            .map(|(i, fix)| CodeAction {
                title: fix.title.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        span: e.span,
                        new_text: e.text.clone(),
                    })
                    .collect(),
                preferred: i == 0,
            })
            .collect();
        if !out.is_empty() {
            return out;
        }
        if let Some(suggestion) = quoted_after(help, "did you mean ") {
            out.push(CodeAction {
                title: format!("Change to `{suggestion}`"),
                edits: vec![TextEdit {
                    span,
                    new_text: suggestion.to_string(),
                }],
                preferred: true,
            });
        }
        if let Some(spaced) = quoted_after(help, "to subtract, write spaces: ") {
            out.push(CodeAction {
                title: format!("Write `{spaced}`"),
                edits: vec![TextEdit {
                    span,
                    new_text: spaced.to_string(),
                }],
                preferred: true,
            });
        }
        if let Some(decl) = quoted_after(help, "declare it: ")
            && matches!(diag.code, Code::E0102 | Code::E0109)
        {
            let decl = decl.replace(": <payload type>", "");
            out.extend(self.declare(&decl, span));
        }
        if diag.code == Code::E0105
            && let Some(name) = quoted_after(help, "try ")
            && let Ok(edits) = self.rename(span.start, name)
        {
            out.push(CodeAction {
                title: format!("Rename to `{name}`"),
                edits,
                preferred: true,
            });
        }
        if diag.code == Code::W0001
            && let Some(line) = self.declaration_line(span)
        {
            out.push(CodeAction {
                title: "Remove the unused variable".to_string(),
                edits: vec![TextEdit {
                    span: line,
                    new_text: String::new(),
                }],
                preferred: false,
            });
        }
        out
    }

    /// Inserts the declaration `decl` before the workflow holding `at`: after the last
    /// declaration of the same keyword above it, or else on its own above the workflow.
    fn declare(&self, decl: &str, at: Span) -> Option<CodeAction> {
        let keyword = decl.split_whitespace().next()?;
        let wf_start = self
            .parsed
            .file
            .items
            .iter()
            .find(|i| matches!(i, Item::Workflow(w) if w.span.start <= at.start && at.end <= w.span.end))
            .map(|i| i.span().start)?;
        let same_kind_before = self
            .parsed
            .file
            .items
            .iter()
            .filter(|i| i.span().end <= wf_start)
            .filter(|i| match i {
                Item::Task(_) => keyword == "task",
                Item::Event(_) => keyword == "event",
                Item::WorkflowEvent(_) => keyword == "workflow-event",
                Item::UserTask(_) => keyword == "user-task",
                _ => false,
            })
            .map(Item::span)
            .next_back();
        let edit = match same_kind_before {
            Some(prev) => TextEdit {
                span: Span {
                    start: prev.end,
                    end: prev.end,
                },
                new_text: format!("\n{decl}"),
            },
            None => TextEdit {
                span: Span {
                    start: wf_start,
                    end: wf_start,
                },
                new_text: format!("{decl}\n\n"),
            },
        };
        Some(CodeAction {
            title: format!("Declare `{decl}`"),
            edits: vec![edit],
            preferred: false,
        })
    }

    /// The whole line(s) of the variable declaration whose name is at `name`, with its line
    /// break, when the declaration stands alone on them.
    fn declaration_line(&self, name: Span) -> Option<Span> {
        let wf = self.workflow_at(name.start)?;
        let mut stmt_span = None;
        walk_stmts(&wf.body, &mut |stmt| {
            if let StmtKind::Var(v) = &stmt.kind
                && v.name.span == name
            {
                stmt_span = Some(stmt.span);
            }
        });
        let stmt = stmt_span?;
        let start = self.lines.line_start(self.lines.line_of(stmt.start))?;
        let end = self
            .lines
            .line_start(self.lines.line_of(stmt.end) + 1)
            .unwrap_or(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let whole = Span { start, end };
        let before = self.slice(Span {
            start,
            end: stmt.start,
        });
        let after = self.slice(Span {
            start: stmt.end,
            end,
        });
        (before.trim().is_empty() && after.trim().is_empty()).then_some(whole)
    }
}
