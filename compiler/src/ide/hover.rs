//! Hover: what a name is (a task's signature and, at a call, its effective retries,
//! timeout and backoff; a variable's declaration; an event's payload; ...), or the type of
//! the expression under the cursor.

use std::fmt::Write as _;

use super::{Analysis, doc_comment, walk, walk_stmts};
use crate::ast::{ExprKind, Item, StmtKind, TaskOpts};
use crate::check::{Symbol, SymbolKind, Ty};
use crate::source::Span;

/// What to show for the text under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// The text the hover is about.
    pub span: Span,
    /// The content, in Markdown.
    pub markdown: String,
}

impl Analysis {
    /// The hover at `offset`: the name there, else the innermost expression with a known
    /// type.
    #[must_use]
    pub fn hover(&self, offset: u32) -> Option<Hover> {
        if let Some((span, symbol)) = self.name_at(offset) {
            let mut markdown = self.describe(symbol);
            if symbol.kind == SymbolKind::Task
                && span != symbol.span
                && let Some(opts) = self.call_options(span)
            {
                markdown.push_str("\n\n---\n");
                markdown.push_str(&opts);
            }
            return Some(Hover { span, markdown });
        }
        let types = &self.index.types;
        let after = types.partition_point(|(s, _)| s.start <= offset);
        let (span, ty) = types[..after]
            .iter()
            .filter(|(s, _)| offset < s.end)
            .min_by_key(|(s, _)| s.len())?;
        if *ty == Ty::Error {
            return None;
        }
        Some(Hover {
            span: *span,
            markdown: code_block(&ty.to_string()),
        })
    }

    /// The Markdown description of a symbol: its declaration, and its doc comment.
    fn describe(&self, symbol: &Symbol) -> String {
        let ty = symbol
            .ty
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let parent = symbol.parent.as_deref().unwrap_or_default();
        let (code, note) = match symbol.kind {
            SymbolKind::Task
            | SymbolKind::Event
            | SymbolKind::WorkflowEvent
            | SymbolKind::Struct
            | SymbolKind::UserTask => (self.declaration_text(symbol.span), None),
            SymbolKind::Workflow => (
                format!("workflow {}", symbol.name),
                self.workflow_inputs(&symbol.name),
            ),
            SymbolKind::Param => (
                format!("{}: {ty}", symbol.name),
                Some(format!("parameter of the task `{parent}`")),
            ),
            SymbolKind::Field => (
                format!("{}: {ty}", symbol.name),
                Some(format!("field of the struct `{parent}`")),
            ),
            SymbolKind::FormField => (
                format!("{}: {ty}", symbol.name),
                Some(format!("field of the user task `{parent}`")),
            ),
            SymbolKind::Variable => (
                self.variable_text(symbol.span)
                    .unwrap_or_else(|| format!("var {}: {ty}", symbol.name)),
                None,
            ),
            SymbolKind::Let => (
                format!("let {}: {ty}", symbol.name),
                Some("the output of a step".to_string()),
            ),
            SymbolKind::Thread => (
                format!("thread {}", symbol.name),
                Some("a thread spawned by the workflow".to_string()),
            ),
            SymbolKind::Binding => (
                format!("{}: {ty}", symbol.name),
                Some("the input of its thread".to_string()),
            ),
        };
        let mut out = code_block(&code);
        if let Some(note) = note {
            let _ = write!(out, "\n\n{note}");
        }
        // Doc comments stand above top-level declarations (the global names) and variables.
        let documented = symbol.kind.is_global() || symbol.kind == SymbolKind::Variable;
        let decl_start = if documented {
            self.line_start_of(symbol.span.start)
        } else {
            None
        };
        if let Some(doc) = decl_start.and_then(|s| doc_comment(&self.text, s)) {
            let _ = write!(out, "\n\n{doc}");
        }
        out
    }

    fn line_start_of(&self, offset: u32) -> Option<u32> {
        let line = self.lines.line_of(offset);
        self.lines.line_start(line)
    }

    /// The declaration of the item named at `name`, on one line for tasks and events, as
    /// written for structs and user tasks.
    fn declaration_text(&self, name: crate::source::Span) -> String {
        for item in &self.parsed.file.items {
            let (item_name, span, one_line) = match item {
                Item::Task(t) => (t.name.span, t.span, true),
                Item::Event(e) | Item::WorkflowEvent(e) => (e.name.span, e.span, true),
                Item::Struct(s) => (s.name.span, s.span, false),
                Item::UserTask(u) => (u.name.span, u.span, false),
                Item::Workflow(_) | Item::Error(_) => continue,
            };
            if item_name == name {
                let text = self.slice(span);
                return if one_line {
                    one_line_text(text)
                } else {
                    text.to_string()
                };
            }
        }
        self.slice(name).to_string()
    }

    /// The declaration of the variable named at `name`, as written.
    fn variable_text(&self, name: crate::source::Span) -> Option<String> {
        let wf = self.workflow_at(name.start)?;
        let mut found = None;
        walk_stmts(&wf.body, &mut |stmt| {
            if let StmtKind::Var(v) = &stmt.kind
                && v.name.span == name
            {
                found = Some(one_line_text(self.slice(stmt.span)));
            }
        });
        found
    }

    /// The inputs of a workflow (what `run` may pass).
    fn workflow_inputs(&self, name: &str) -> Option<String> {
        let inputs = self.model.workflows.get(name)?;
        if inputs.is_empty() {
            return Some("takes no inputs".to_string());
        }
        let list: Vec<String> = inputs
            .iter()
            .map(|(n, t, required)| {
                format!("`{n}: {t}`{}", if *required { " (required)" } else { "" })
            })
            .collect();
        Some(format!("inputs: {}", list.join(", ")))
    }

    /// The retries, timeout and backoff a task call at `callee` runs with: its own options,
    /// else the workflow's `default task` settings (as the compiler lowers them). `None`
    /// when neither sets any.
    fn call_options(&self, callee: Span) -> Option<String> {
        let mut opts: Option<TaskOpts> = None;
        walk::exprs(&self.parsed.file, &mut |e| {
            if let ExprKind::Call {
                callee: c, opts: o, ..
            } = &e.kind
                && c.span == callee
            {
                opts = Some((**o).clone());
            }
        });
        let own = opts?;
        let mut defaults = TaskOpts::default();
        if let Some(wf) = self.workflow_at(callee.start) {
            for stmt in &wf.body.stmts {
                if let StmtKind::DefaultTask(d) = &stmt.kind {
                    if d.retries.is_some() {
                        defaults.retries.clone_from(&d.retries);
                    }
                    if d.timeout.is_some() {
                        defaults.timeout.clone_from(&d.timeout);
                    }
                    if d.backoff.is_some() {
                        defaults.backoff.clone_from(&d.backoff);
                    }
                }
            }
        }
        let pick = |own: Option<Span>, default: Option<Span>| match (own, default) {
            (Some(s), _) => Some((s, "")),
            (None, Some(s)) => Some((s, " (workflow default)")),
            (None, None) => None,
        };
        let set = [&own, &defaults]
            .iter()
            .any(|o| o.retries.is_some() || o.timeout.is_some() || o.backoff.is_some());
        if !set {
            return None;
        }
        let mut parts = Vec::new();
        let retries = pick(
            own.retries.as_ref().map(|e| e.span),
            defaults.retries.as_ref().map(|e| e.span),
        );
        parts.push(match retries {
            Some((s, from)) => format!("retries: `{}`{from}", self.slice(s)),
            None => "retries: none".to_string(),
        });
        let timeout = pick(
            own.timeout.as_ref().map(|e| e.span),
            defaults.timeout.as_ref().map(|e| e.span),
        );
        parts.push(match timeout {
            Some((s, from)) => format!("timeout: `{}`{from}", self.slice(s)),
            None => "timeout: the server's default".to_string(),
        });
        let backoff = pick(
            own.backoff.as_ref().map(|b| b.span),
            defaults.backoff.as_ref().map(|b| b.span),
        );
        parts.push(match backoff {
            Some((s, from)) => {
                let text = self.slice(s);
                let text = text.strip_prefix("backoff").unwrap_or(text).trim();
                format!("backoff: `{text}`{from}")
            }
            None => "backoff: none".to_string(),
        });
        Some(parts.join("  \n"))
    }
}

/// A fenced `lhw` code block.
fn code_block(code: &str) -> String {
    format!("```lhw\n{code}\n```")
}

/// `text` on one line: runs of whitespace (and comments) become one space, and none is
/// left inside brackets or before a trailing comma's closing bracket.
fn one_line_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        for word in code.split_whitespace() {
            if !out.is_empty() && !out.ends_with('(') && !word.starts_with(')') {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out.replace(",)", ")")
}

#[cfg(test)]
mod tests {
    use super::one_line_text;

    #[test]
    fn declarations_are_shown_on_one_line() {
        assert_eq!(
            one_line_text("task ship(\n  order-id: str, // the order\n  to: str,\n) -> str"),
            "task ship(order-id: str, to: str) -> str"
        );
    }
}
