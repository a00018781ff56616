//! What the checker learns about names and expressions, kept for editors: every definition,
//! every use resolved to its definition, and the type of every checked expression.
//!
//! Recording is off for `lhc check` and `lhc compile` (`check::check`); only
//! `check::check_with_index` turns it on, so the command line does not pay for it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{Model, Ty};
use crate::ast::{File, Item, Stmt, StmtKind};
use crate::source::Span;

/// A fast hasher for the short keys of the index's maps (the multiply-rotate of rustc's
/// FxHash); the default SipHash costs more than the lookups it protects here.
#[derive(Default)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// What kind of thing a name defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SymbolKind {
    /// `task name(...)`
    Task,
    /// A task's parameter.
    Param,
    /// `event name`: an ExternalEventDef.
    Event,
    /// `workflow-event name`: a WorkflowEventDef.
    WorkflowEvent,
    /// `struct name { ... }`
    Struct,
    /// A struct's field.
    Field,
    /// `user-task name { ... }`: a user task form.
    UserTask,
    /// A user task form's field.
    FormField,
    /// `workflow name { ... }`
    Workflow,
    /// `var` / `input`: a workflow or thread variable.
    Variable,
    /// `let name = step`: a step's output.
    Let,
    /// `spawn name ...`: a thread (ThreadSpec) name.
    Thread,
    /// A name bound to a thread's input: `for item in`, `on e(p)`, `catch f(c)`.
    Binding,
}

impl SymbolKind {
    /// True for names LittleHorse knows across files (TaskDefs, events, StructDefs, user
    /// task forms, WfSpecs): the same name in two files is the same thing.
    #[must_use]
    pub fn is_global(self) -> bool {
        matches!(
            self,
            SymbolKind::Task
                | SymbolKind::Event
                | SymbolKind::WorkflowEvent
                | SymbolKind::Struct
                | SymbolKind::UserTask
                | SymbolKind::Workflow
        )
    }

    /// A word for the kind, as hovers and messages write it.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            SymbolKind::Task => "task",
            SymbolKind::Param => "parameter",
            SymbolKind::Event => "event",
            SymbolKind::WorkflowEvent => "workflow event",
            SymbolKind::Struct => "struct",
            SymbolKind::Field => "field",
            SymbolKind::UserTask => "user task",
            SymbolKind::FormField => "form field",
            SymbolKind::Workflow => "workflow",
            SymbolKind::Variable => "variable",
            SymbolKind::Let => "step output",
            SymbolKind::Thread => "thread",
            SymbolKind::Binding => "thread input",
        }
    }
}

/// One definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    /// What it defines.
    pub kind: SymbolKind,
    /// The name as written (without backticks).
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// Where the name can be used (a thread's body for variables, the enclosing block for
    /// `let`); `None` for file-wide names.
    pub scope: Option<Span>,
    /// Its type, when it has one (variables, bindings, parameters, fields).
    pub ty: Option<Ty>,
    /// The declaration it belongs to: the task of a parameter, the struct of a field, the
    /// workflow of a variable.
    pub parent: Option<String>,
}

/// A use of a name, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    /// Where the name is used.
    pub span: Span,
    /// The name span of its definition (a [`Symbol::span`]).
    pub target: Span,
}

/// The checker's record of one file: definitions, resolved uses and expression types.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Every definition, in source order.
    pub symbols: Vec<Symbol>,
    /// Every resolved use, sorted by position.
    pub references: Vec<Reference>,
    /// The type of every checked expression (and assigned place), sorted by position
    /// (outer expressions before the inner ones that start with them).
    pub types: Vec<(Span, Ty)>,
}

impl Index {
    /// The definition whose name is written at `span`.
    #[must_use]
    pub fn symbol_at_span(&self, span: Span) -> Option<&Symbol> {
        let i = self.symbols.partition_point(|s| s.span < span);
        self.symbols.get(i).filter(|s| s.span == span)
    }

    /// Every use of the symbol defined at `target`, in source order.
    pub fn references_to(&self, target: Span) -> impl Iterator<Item = &Reference> {
        self.references.iter().filter(move |r| r.target == target)
    }

    /// Another name that renaming `symbol` to `new_name` would collide with: a variable,
    /// binding or `let` of the same workflow, or a name of the same kind and parent.
    #[must_use]
    pub fn clash(&self, symbol: &Symbol, new_name: &str) -> Option<&Symbol> {
        let scoped = |k: SymbolKind| {
            matches!(
                k,
                SymbolKind::Variable | SymbolKind::Let | SymbolKind::Binding
            )
        };
        self.symbols.iter().find(|other| {
            other.name == new_name
                && if scoped(symbol.kind) {
                    scoped(other.kind) && other.parent == symbol.parent
                } else {
                    other.kind == symbol.kind && other.parent == symbol.parent
                }
        })
    }
}

/// A use whose definition is found by name once the whole file is known.
#[derive(Debug, Clone)]
enum Pending {
    /// A file-wide name of this kind.
    Global(SymbolKind, String, Span),
    /// A member (field, form field, workflow input) of a named declaration.
    Member(SymbolKind, String, String, Span),
}

/// What the checker records while it walks a file (see the module comment).
#[derive(Debug, Default)]
pub(super) struct Recorder {
    symbols: Vec<Symbol>,
    references: Vec<Reference>,
    pending: Vec<Pending>,
    types: Vec<(Span, Ty)>,
}

impl Recorder {
    /// A definition met while checking a workflow.
    pub(super) fn define(&mut self, symbol: Symbol) {
        if !symbol.name.is_empty() {
            self.symbols.push(symbol);
        }
    }

    /// A use whose definition is known.
    pub(super) fn reference(&mut self, span: Span, target: Span) {
        self.references.push(Reference { span, target });
    }

    /// A use of a file-wide name.
    pub(super) fn global(&mut self, kind: SymbolKind, name: &str, span: Span) {
        if !name.is_empty() {
            self.pending
                .push(Pending::Global(kind, name.to_string(), span));
        }
    }

    /// A use of a member of a named declaration (`kind` is the member's kind).
    pub(super) fn member(&mut self, kind: SymbolKind, parent: &str, name: &str, span: Span) {
        if !name.is_empty() {
            self.pending.push(Pending::Member(
                kind,
                parent.to_string(),
                name.to_string(),
                span,
            ));
        }
    }

    /// The type of the expression (or place) at `span`.
    pub(super) fn ty(&mut self, span: Span, ty: &Ty) {
        self.types.push((span, ty.clone()));
    }

    /// Reserves the type of the expression at `span` before its parts are checked, so
    /// that types are recorded in source order (outer first); [`Recorder::set_ty`] fills it.
    pub(super) fn open_ty(&mut self, span: Span) -> usize {
        self.types.push((span, Ty::Error));
        self.types.len() - 1
    }

    /// Fills a type reserved with [`Recorder::open_ty`].
    pub(super) fn set_ty(&mut self, slot: usize, ty: &Ty) {
        if let Some(entry) = self.types.get_mut(slot) {
            entry.1 = ty.clone();
        }
    }

    /// Resolves the uses by name and sorts everything by position.
    pub(super) fn finish(mut self, file: &File, model: &Model) -> Index {
        let mut symbols = declarations(file, model);
        symbols.append(&mut self.symbols);
        symbols.sort_by_key(|s| (s.span, s.kind));
        symbols.dedup_by(|a, b| a.span == b.span);
        // The first declaration of a name is the one uses resolve to, as in the checker.
        let mut globals: FastMap<(SymbolKind, &str), Span> = FastMap::default();
        let mut members: FastMap<(SymbolKind, &str, &str), Span> = FastMap::default();
        for s in &symbols {
            if s.kind.is_global() {
                globals.entry((s.kind, s.name.as_str())).or_insert(s.span);
            } else if let Some(parent) = &s.parent {
                members
                    .entry((s.kind, parent.as_str(), s.name.as_str()))
                    .or_insert(s.span);
            }
        }
        let mut references = self.references;
        for p in &self.pending {
            let found = match p {
                Pending::Global(kind, name, span) => {
                    globals.get(&(*kind, name.as_str())).map(|t| (*span, *t))
                }
                Pending::Member(kind, parent, name, span) => members
                    .get(&(*kind, parent.as_str(), name.as_str()))
                    .map(|t| (*span, *t)),
            };
            if let Some((span, target)) = found {
                references.push(Reference { span, target });
            }
        }
        // A definition is not a use of itself.
        references.retain(|r| r.span != r.target);
        references.sort();
        references.dedup();
        // Recorded in visiting order, which is nearly source order: the sorts are cheap.
        let mut types = self.types;
        types.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
        types.dedup_by(|a, b| a.0 == b.0);
        Index {
            symbols,
            references,
            types,
        }
    }
}

/// The file-wide declarations and their members, from the syntax tree.
fn declarations(file: &File, model: &Model) -> Vec<Symbol> {
    let mut out = Vec::new();
    let mut push = |kind, name: &crate::ast::Name, ty: Option<Ty>, parent: Option<&str>| {
        if !name.text.is_empty() {
            out.push(Symbol {
                kind,
                name: name.text.clone(),
                span: name.span,
                scope: None,
                ty,
                parent: parent.map(str::to_string),
            });
        }
    };
    for item in &file.items {
        match item {
            Item::Task(t) => {
                push(SymbolKind::Task, &t.name, None, None);
                for p in &t.params {
                    let ty = model.resolve_type(&p.ty);
                    push(SymbolKind::Param, &p.name, Some(ty), Some(&t.name.text));
                }
            }
            Item::Event(e) => push(SymbolKind::Event, &e.name, None, None),
            Item::WorkflowEvent(e) => push(SymbolKind::WorkflowEvent, &e.name, None, None),
            Item::Struct(s) => {
                push(SymbolKind::Struct, &s.name, None, None);
                for f in &s.fields {
                    let ty = model.resolve_type(&f.ty);
                    push(SymbolKind::Field, &f.name, Some(ty), Some(&s.name.text));
                }
            }
            Item::UserTask(u) => {
                push(SymbolKind::UserTask, &u.name, None, None);
                for f in &u.fields {
                    let ty = model.resolve_type(&f.ty);
                    push(SymbolKind::FormField, &f.name, Some(ty), Some(&u.name.text));
                }
            }
            Item::Workflow(w) => push(SymbolKind::Workflow, &w.name, None, None),
            Item::Error(_) => {}
        }
    }
    out
}

/// The name span of the variable `name` declared at the top of `body` (a spawned thread's
/// inputs).
pub(super) fn declared_var(stmts: &[Stmt], name: &str) -> Option<Span> {
    stmts.iter().find_map(|s| match &s.kind {
        StmtKind::Var(v) if v.name.text == name => Some(v.name.span),
        _ => None,
    })
}
