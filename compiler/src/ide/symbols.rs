//! The outline of a file: declarations with their members, and workflows with their
//! variables, step outputs and threads (spawned threads and handlers), nested as written.

use super::Analysis;
use crate::ast::*;
use crate::source::Span;

/// What an outline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolTag {
    /// A task declaration.
    Task,
    /// A task parameter.
    Param,
    /// An external event or workflow event.
    Event,
    /// A struct.
    Struct,
    /// A struct or form field.
    Field,
    /// A user task form.
    UserTask,
    /// A workflow.
    Workflow,
    /// A variable (`var`, `input`).
    Variable,
    /// A step output (`let`).
    Let,
    /// A spawned thread.
    Thread,
    /// An interrupt (`on`) or failure (`catch`) handler.
    Handler,
}

/// One outline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// The name shown.
    pub name: String,
    /// A short detail (a type, a signature).
    pub detail: Option<String>,
    /// What it is.
    pub tag: SymbolTag,
    /// The whole construct.
    pub span: Span,
    /// The part to select: its name.
    pub selection: Span,
    /// Nested entries.
    pub children: Vec<DocumentSymbol>,
}

impl Analysis {
    /// The outline of the file.
    #[must_use]
    pub fn document_symbols(&self) -> Vec<DocumentSymbol> {
        let mut out = Vec::new();
        for item in &self.parsed.file.items {
            let entry = match item {
                Item::Task(t) => self.entry(
                    &t.name,
                    SymbolTag::Task,
                    t.span,
                    Some(self.signature_detail(t)),
                    t.params
                        .iter()
                        .map(|p| {
                            self.entry(
                                &p.name,
                                SymbolTag::Param,
                                p.name.span.to(p.ty.span()),
                                Some(self.slice(p.ty.span()).to_string()),
                                Vec::new(),
                            )
                        })
                        .collect(),
                ),
                Item::Event(e) | Item::WorkflowEvent(e) => self.entry(
                    &e.name,
                    SymbolTag::Event,
                    e.span,
                    e.payload.as_ref().map(|p| self.slice(p.span()).to_string()),
                    Vec::new(),
                ),
                Item::Struct(s) => self.entry(
                    &s.name,
                    SymbolTag::Struct,
                    s.span,
                    None,
                    s.fields
                        .iter()
                        .filter(|f| !f.name.text.is_empty())
                        .map(|f| self.field_entry(&f.name, &f.ty))
                        .collect(),
                ),
                Item::UserTask(u) => self.entry(
                    &u.name,
                    SymbolTag::UserTask,
                    u.span,
                    None,
                    u.fields
                        .iter()
                        .map(|f| self.field_entry(&f.name, &f.ty))
                        .collect(),
                ),
                Item::Workflow(w) => {
                    let mut children = Vec::new();
                    self.block_entries(&w.body, &mut children);
                    self.entry(&w.name, SymbolTag::Workflow, w.span, None, children)
                }
                Item::Error(_) => None,
            };
            out.extend(entry);
        }
        out
    }

    fn entry(
        &self,
        name: &Name,
        tag: SymbolTag,
        span: Span,
        detail: Option<String>,
        children: Vec<Option<DocumentSymbol>>,
    ) -> Option<DocumentSymbol> {
        if name.text.is_empty() {
            return None;
        }
        Some(DocumentSymbol {
            name: name.text.clone(),
            detail,
            tag,
            span: span.to(name.span),
            selection: name.span,
            children: children.into_iter().flatten().collect(),
        })
    }

    fn field_entry(&self, name: &Name, ty: &TypeExpr) -> Option<DocumentSymbol> {
        self.entry(
            name,
            SymbolTag::Field,
            name.span.to(ty.span()),
            Some(self.slice(ty.span()).to_string()),
            Vec::new(),
        )
    }

    fn signature_detail(&self, t: &TaskDecl) -> String {
        let params: Vec<&str> = t.params.iter().map(|p| self.slice(p.ty.span())).collect();
        let ret = t
            .returns
            .as_ref()
            .map(|r| format!(" -> {}", self.slice(r.span())))
            .unwrap_or_default();
        format!("({}){ret}", params.join(", "))
    }

    /// The entries of a block: its declarations and threads, and those of nested blocks
    /// (which belong to the same thread) flattened into it.
    fn block_entries(&self, block: &Block, out: &mut Vec<Option<DocumentSymbol>>) {
        for stmt in &block.stmts {
            match &stmt.kind {
                StmtKind::Var(v) => out.push(self.entry(
                    &v.name,
                    SymbolTag::Variable,
                    stmt.span,
                    Some(self.slice(v.ty.span()).to_string()),
                    Vec::new(),
                )),
                StmtKind::Let { name, value } => {
                    let detail = self
                        .index
                        .symbol_at_span(name.span)
                        .and_then(|s| s.ty.as_ref())
                        .map(ToString::to_string);
                    out.push(self.entry(name, SymbolTag::Let, stmt.span, detail, Vec::new()));
                    self.spawn_entry(value, out);
                }
                StmtKind::Expr(value) | StmtKind::Assign { value, .. } => {
                    self.spawn_entry(value, out);
                }
                StmtKind::On { event, body, .. } => {
                    let mut children = Vec::new();
                    self.block_entries(body, &mut children);
                    let name = Name {
                        text: format!("on {}", event.text),
                        span: event.span,
                    };
                    out.push(self.entry(&name, SymbolTag::Handler, stmt.span, None, children));
                }
                StmtKind::If(i) => {
                    let mut cur = i;
                    loop {
                        self.block_entries(&cur.then, out);
                        match &cur.otherwise {
                            Some(Else::If(inner, _)) => cur = inner,
                            Some(Else::Block(b)) => {
                                self.block_entries(b, out);
                                break;
                            }
                            None => break,
                        }
                    }
                }
                StmtKind::While { body, .. } => self.block_entries(body, out),
                _ => {}
            }
            for c in &stmt.catches {
                let mut children = Vec::new();
                self.block_entries(&c.body, &mut children);
                let what = self.slice(c.span).trim().to_string();
                let name = Name {
                    text: what,
                    span: c.span,
                };
                out.push(self.entry(
                    &name,
                    SymbolTag::Handler,
                    c.span.to(c.body.span),
                    None,
                    children,
                ));
            }
        }
    }

    fn spawn_entry(&self, value: &Expr, out: &mut Vec<Option<DocumentSymbol>>) {
        if let ExprKind::Spawn(sp) = &value.kind {
            let mut children = Vec::new();
            self.block_entries(&sp.body, &mut children);
            let detail = sp
                .each
                .as_ref()
                .map(|(item, _)| format!("for each {}", item.text));
            out.push(self.entry(&sp.name, SymbolTag::Thread, value.span, detail, children));
        }
    }
}
