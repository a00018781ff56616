//! Name resolution and type checking. Builds the `Model` (the file's declarations with
//! checked types) and reports every problem the LittleHorse server would reject at PutWfSpec
//! or a WfRun would hit at run time, on the user's own lines.

mod builders;
mod catch_site;
mod declare;
mod family;
mod flow;
mod index;
mod masking;
mod messages;
pub(crate) mod names;
mod problems;
mod rename_fix;
mod steps;
mod struct_constant;
pub(crate) mod types;

use std::collections::{BTreeMap, HashMap, HashSet};

pub use index::{Index, Reference, Symbol, SymbolKind};
pub use names::{RESERVED_FAILURES, closest, is_valid_lh_name, is_valid_struct_field};
pub use steps::ERROR_TYPES;
pub use types::{Ty, assignable, castable, prim_name};

use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::diag::{Edit, Fix};
use crate::source::Span;
use flow::scan;
use problems::{
    ConditionPlace, LetAsVar, OperandNeed, Problem, RepeatedSetting, UnaryOp, UnknownTaskHint,
    UnknownVariableHint, VersionOf,
};
use problems::{ConstantSite, ValueSite};

/// A checked task signature.
#[derive(Debug, Clone)]
pub struct TaskSig {
    /// Parameter names and types, in order.
    pub params: Vec<(String, Ty)>,
    /// Output type; `None` for a task that returns nothing.
    pub ret: Option<Ty>,
    /// Where the task is declared.
    pub span: Span,
    /// The declaration did not parse: its signature is unknown, so calls are not checked
    /// against it (the syntax error is already reported).
    pub partial: bool,
    /// Which parameters are `masked`, in order.
    pub masked: Vec<bool>,
    /// Where each parameter's type is written, in order (a fix writes `masked` after it).
    pub param_types: Vec<Span>,
}

/// A checked struct.
#[derive(Debug, Clone)]
pub struct StructSig {
    /// Field names and types, in order.
    pub fields: Vec<(String, Ty)>,
    /// The fields that have a default value or are `nullable` (the others are required
    /// when the struct is built).
    pub defaulted: Vec<String>,
    /// The fields declared `nullable`.
    pub nullable: Vec<String>,
    /// The default values of the fields that have one (constants), for struct constants.
    pub defaults: Vec<(String, Expr)>,
    /// Where it is declared.
    pub span: Span,
    /// The declaration did not parse: its fields are unknown, so field accesses are not
    /// checked against it (the syntax error is already reported).
    pub partial: bool,
}

/// The file's declarations, resolved.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Tasks by name.
    pub tasks: BTreeMap<String, TaskSig>,
    /// Structs by name.
    pub structs: BTreeMap<String, StructSig>,
    /// External events by name, with their payload type.
    pub events: BTreeMap<String, Option<Ty>>,
    /// Workflow events by name, with their payload type.
    pub workflow_events: BTreeMap<String, Option<Ty>>,
    /// User task forms by name: field names and types.
    pub user_tasks: BTreeMap<String, Vec<(String, Ty)>>,
    /// Workflows by name: the entrypoint's variables (name, type, required).
    pub workflows: BTreeMap<String, Vec<(String, Ty, bool)>>,
    /// The `sleep until` values that are `str`s (ISO-8601 dates, `SleepNode.iso_date`).
    pub iso_date_sleeps: std::collections::BTreeSet<Span>,
}

impl Model {
    /// The checked type for a written type (unknown struct names become `Ty::Error`).
    #[must_use]
    pub fn resolve_type(&self, t: &TypeExpr) -> Ty {
        match t {
            TypeExpr::Prim(p, _) => Ty::Prim(*p),
            TypeExpr::Named(n) if self.structs.contains_key(&n.text) => Ty::Struct(n.text.clone()),
            TypeExpr::Named(_) => Ty::Error,
            TypeExpr::Pinned { name, .. } => self.resolve_type(&TypeExpr::Named(name.clone())),
            TypeExpr::Array(e, _) => Ty::Array(Box::new(self.resolve_type(e))),
            TypeExpr::Map(k, v, _) => Ty::Map(
                Box::new(self.resolve_type(k)),
                Box::new(self.resolve_type(v)),
            ),
        }
    }
}

/// Checks a parsed file.
#[must_use]
pub fn check(file: &File) -> (Model, Vec<Diagnostic>) {
    let (model, diags, _) = run(file, false);
    if diags.iter().any(|d| d.code == Code::E0105) {
        // The fix of an invalid name renames every use, which only the index knows: check
        // again, recording (rare: only files with such a name pay for it).
        let (model, diags, _) = run(file, true);
        return (model, diags);
    }
    (model, diags)
}

/// Checks a parsed file and also returns the [`Index`] of its names and expression types,
/// for editors. Slower than [`check`], which records nothing.
#[must_use]
pub fn check_with_index(file: &File) -> (Model, Vec<Diagnostic>, Index) {
    let (model, diags, index) = run(file, true);
    (model, diags, index.unwrap_or_default())
}

fn run(file: &File, record: bool) -> (Model, Vec<Diagnostic>, Option<Index>) {
    let mut cx = Checker {
        model: Model::default(),
        diags: Vec::new(),
        rec: record.then(index::Recorder::default),
        runs: Vec::new(),
        outline: declare::Outline::of(file),
        renames: Vec::new(),
    };
    cx.declarations(file);
    for item in &file.items {
        if let Item::Workflow(wf) = item {
            let inputs = steps::entry_inputs(&cx.model, &wf.body);
            cx.model
                .workflows
                .entry(wf.name.text.clone())
                .or_insert(inputs);
        }
    }
    let mut workflows: HashMap<&str, Span> = HashMap::new();
    for item in &file.items {
        if let Item::Workflow(wf) = item {
            cx.lh_name(&wf.name, "workflow");
            // An unnamed workflow is one whose header did not parse (already reported).
            if !wf.name.text.is_empty()
                && let Some(prev) = workflows.insert(&wf.name.text, wf.name.span)
            {
                cx.duplicate(&wf.name, prev, "workflow");
            }
            WorkflowChecker::new(&mut cx).workflow(wf);
        }
    }
    let runs = std::mem::take(&mut cx.runs);
    for problem in family::parent_runs_child(file, &runs) {
        cx.problem(problem);
    }
    let index = cx.rec.take().map(|rec| rec.finish(file, &cx.model));
    if let Some(index) = &index {
        rename_fix::complete(&mut cx.diags, &cx.renames, index);
    }
    (cx.model, cx.diags, index)
}

/// Names people write for LittleHorse's primitive types in other languages.
const TYPE_ALIASES: &[(&str, &str)] = &[
    ("string", "str"),
    ("String", "str"),
    ("text", "str"),
    ("integer", "int"),
    ("long", "int"),
    ("i64", "int"),
    ("float", "double"),
    ("number", "double"),
    ("f64", "double"),
    ("boolean", "bool"),
    ("object", "json-obj"),
    ("dict", "json-obj"),
    ("array", "json-arr"),
    ("list", "json-arr"),
    ("datetime", "timestamp"),
    ("date", "timestamp"),
    ("time", "timestamp"),
];

/// The primitive type a name spells in another case or separator (`DOUBLE`, `wfRunId`,
/// `Json_Obj`), or a near-miss of an alias (`sting` for `string`).
fn type_by_spelling(name: &str) -> Option<&'static str> {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let key = plain(name);
    PRIMITIVES
        .iter()
        .copied()
        .find(|p| plain(p) == key)
        .or_else(|| {
            TYPE_ALIASES
                .iter()
                .find(|(a, _)| plain(a) == key)
                .map(|(_, p)| *p)
        })
        .or_else(|| {
            let close = names::closest(&key, TYPE_ALIASES.iter().map(|(a, _)| *a))?;
            TYPE_ALIASES
                .iter()
                .find(|(a, _)| *a == close)
                .map(|(_, p)| *p)
        })
}

/// The primitive type names, for "did you mean".
const PRIMITIVES: &[&str] = &[
    "str",
    "int",
    "double",
    "bool",
    "json",
    "json-obj",
    "json-arr",
    "bytes",
    "timestamp",
    "wf-run-id",
];

struct Checker {
    model: Model,
    diags: Vec<Diagnostic>,
    /// What editors need to know, when asked for (`check_with_index`).
    rec: Option<index::Recorder>,
    /// Every `run` step of the file.
    runs: Vec<family::RunStep>,
    /// The file's top-level items, for the fixes that declare a name.
    outline: declare::Outline,
    /// The E0105 diagnostics whose fix renames a declaration and its uses, completed from
    /// the index once every use is known.
    renames: Vec<rename_fix::PendingRename>,
}

impl Checker {
    /// Reports `problem`; returns the position of its diagnostic.
    fn problem(&mut self, problem: Problem) -> usize {
        self.diags.push(problem.diagnostic());
        self.diags.len() - 1
    }

    /// Records a use of a file-wide name (when recording).
    fn record_global(&mut self, kind: SymbolKind, name: &Name) {
        if let Some(rec) = &mut self.rec {
            rec.global(kind, &name.text, name.span);
        }
    }

    fn lh_name(&mut self, name: &Name, what: &'static str) {
        if !name.text.is_empty() && !is_valid_lh_name(&name.text) {
            let suggestion = names::suggest_lh_name(&name.text);
            let diag = self.problem(Problem::InvalidName {
                what,
                name: name.text.clone(),
                span: name.span,
                suggestion: suggestion.clone(),
            });
            if !suggestion.is_empty() {
                self.renames.push(rename_fix::PendingRename {
                    diag,
                    decl: name.span,
                    new_name: suggestion,
                });
            }
        }
    }

    fn duplicate(&mut self, name: &Name, prev: Span, what: &'static str) {
        self.problem(Problem::Duplicate {
            what,
            name: name.text.clone(),
            span: name.span,
            first: Some(prev),
        });
    }

    fn ty(&mut self, t: &TypeExpr) -> Ty {
        match t {
            // An unnamed type stands for one that did not parse (already reported).
            TypeExpr::Named(n) if n.text.is_empty() => Ty::Error,
            TypeExpr::Named(n) if self.model.structs.contains_key(&n.text) => {
                self.record_global(SymbolKind::Struct, n);
                Ty::Struct(n.text.clone())
            }
            TypeExpr::Named(n) => {
                let mut candidates: Vec<&str> =
                    self.model.structs.keys().map(String::as_str).collect();
                candidates.extend(PRIMITIVES);
                let alias = TYPE_ALIASES
                    .iter()
                    .find(|(a, _)| *a == n.text)
                    .map(|(_, p)| *p);
                let suggestion = alias
                    .or_else(|| names::closest(&n.text, candidates))
                    .or_else(|| type_by_spelling(&n.text))
                    .map(str::to_string);
                self.problem(Problem::UnknownType {
                    name: n.text.clone(),
                    span: n.span,
                    suggestion,
                });
                Ty::Error
            }
            TypeExpr::Map(k, v, _) => {
                let kt = self.ty(k);
                if !kt.is_prim() && kt != Ty::Error {
                    self.problem(Problem::MapKeyNotPrimitive {
                        span: k.span(),
                        key: kt.clone(),
                    });
                }
                let vt = self.ty(v);
                Ty::Map(Box::new(kt), Box::new(vt))
            }
            TypeExpr::Array(e, _) => Ty::Array(Box::new(self.ty(e))),
            TypeExpr::Pinned { name, version, .. } => {
                self.struct_version(*version);
                self.ty(&TypeExpr::Named(name.clone()))
            }
            other => self.model.resolve_type(other),
        }
    }

    /// `version N` after a struct name: a StructDef version, an int32.
    fn struct_version(&mut self, (v, span): (i64, Span)) {
        if i32::try_from(v).is_err() {
            self.problem(Problem::VersionOutOfRange {
                of: VersionOf::Struct,
                span,
            });
        }
    }

    fn declarations(&mut self, file: &File) {
        // Structs first: every other declaration may refer to them.
        for item in &file.items {
            if let Item::Struct(s) = item {
                self.lh_name(&s.name, "struct");
                if let Some(prev) = self.model.structs.get(&s.name.text) {
                    let prev = prev.span;
                    self.duplicate(&s.name, prev, "struct");
                    continue;
                }
                self.model.structs.insert(
                    s.name.text.clone(),
                    StructSig {
                        fields: Vec::new(),
                        defaulted: Vec::new(),
                        nullable: Vec::new(),
                        defaults: Vec::new(),
                        span: s.name.span,
                        partial: false,
                    },
                );
            }
        }
        for item in &file.items {
            match item {
                Item::Struct(s) => self.struct_fields(s),
                Item::Task(t) => self.task(t),
                Item::Event(e) => {
                    let payload = e.payload.as_ref().map(|t| self.ty(t));
                    self.event_options(e);
                    self.lh_name(&e.name, "event");
                    if self.model.events.contains_key(&e.name.text) {
                        let prev = find_event_span(file, &e.name.text, false);
                        self.duplicate(&e.name, prev, "event");
                    } else {
                        self.model.events.insert(e.name.text.clone(), payload);
                    }
                }
                Item::WorkflowEvent(e) => {
                    let payload = e.payload.as_ref().map(|t| self.ty(t));
                    self.lh_name(&e.name, "workflow event");
                    if self.model.workflow_events.contains_key(&e.name.text) {
                        let prev = find_event_span(file, &e.name.text, true);
                        self.duplicate(&e.name, prev, "workflow event");
                    } else {
                        self.model
                            .workflow_events
                            .insert(e.name.text.clone(), payload);
                    }
                }
                Item::UserTask(u) => self.user_task(u),
                Item::Workflow(_) | Item::Error(_) => {}
            }
        }
    }

    fn struct_fields(&mut self, s: &StructDecl) {
        if let Some(w) = &s.updates
            && !matches!(w.text.as_str(), "none" | "compatible")
        {
            self.problem(Problem::UnknownUpdatePolicy {
                word: w.text.clone(),
                span: w.span,
            });
        }
        let mut fields: Vec<(String, Ty)> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        // An unnamed field marks a declaration that did not parse.
        let partial = s.fields.iter().any(|f| f.name.text.is_empty());
        for f in s.fields.iter().filter(|f| !f.name.text.is_empty()) {
            if !is_valid_struct_field(&f.name.text) {
                let camel = names::camel_case(&f.name.text);
                let suggestion = if is_valid_struct_field(&camel) {
                    camel
                } else {
                    String::new()
                };
                let diag = self.problem(Problem::InvalidFieldName {
                    name: f.name.text.clone(),
                    span: f.name.span,
                    suggestion: suggestion.clone(),
                });
                if !suggestion.is_empty() {
                    self.renames.push(rename_fix::PendingRename {
                        diag,
                        decl: f.name.span,
                        new_name: suggestion,
                    });
                }
            }
            if let Some(prev) = seen.insert(&f.name.text, f.name.span) {
                self.duplicate(&f.name, prev, "field");
            }
            let ty = self.ty(&f.ty);
            if let Some(d) = &f.default {
                self.constant(d, &ty, ConstantSite::Default);
            }
            fields.push((f.name.text.clone(), ty));
        }
        if let Some(sig) = self.model.structs.get_mut(&s.name.text)
            && sig.span == s.name.span
        {
            sig.fields = fields;
            sig.defaulted = s
                .fields
                .iter()
                .filter(|f| f.default.is_some() || f.nullable)
                .map(|f| f.name.text.clone())
                .collect();
            sig.nullable = s
                .fields
                .iter()
                .filter(|f| f.nullable)
                .map(|f| f.name.text.clone())
                .collect();
            sig.defaults = s
                .fields
                .iter()
                .filter_map(|f| f.default.clone().map(|d| (f.name.text.clone(), d)))
                .collect();
            sig.partial = partial;
        }
    }

    fn task(&mut self, t: &TaskDecl) {
        self.lh_name(&t.name, "task");
        let mut params = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &t.params {
            self.lh_name(&p.name, "variable");
            if let Some(prev) = seen.insert(&p.name.text, p.name.span) {
                self.duplicate(&p.name, prev, "parameter");
            }
            params.push((p.name.text.clone(), self.ty(&p.ty)));
        }
        let ret = t.returns.as_ref().map(|r| self.ty(r));
        let partial = matches!(&t.returns, Some(TypeExpr::Named(n)) if n.text.is_empty());
        if let Some(prev) = self.model.tasks.get(&t.name.text) {
            let prev = prev.span;
            self.duplicate(&t.name, prev, "task");
            return;
        }
        self.model.tasks.insert(
            t.name.text.clone(),
            TaskSig {
                params,
                ret,
                span: t.name.span,
                partial,
                masked: t.params.iter().map(|p| p.masked).collect(),
                param_types: t.params.iter().map(|p| p.ty.span()).collect(),
            },
        );
    }

    /// Checks that `e` is a constant assignable to `ty` (defaults are set before anything runs).
    fn constant(&mut self, e: &Expr, ty: &Ty, site: ConstantSite) {
        // A typed array or map of constants: each element is a constant of its type.
        match (&e.kind, ty) {
            (ExprKind::JsonArr(items), Ty::Array(elem)) => {
                for item in items {
                    self.constant(item, elem, site);
                }
                return;
            }
            (ExprKind::MapLit(entries), Ty::Map(k, v)) => {
                for (key, value) in entries {
                    self.constant(key, k, site);
                    self.constant(value, v, site);
                }
                return;
            }
            (ExprKind::Paren(inner), _) => return self.constant(inner, ty, site),
            (
                ExprKind::New {
                    name,
                    version,
                    fields,
                },
                _,
            ) => {
                if let Some(v) = version {
                    self.struct_version(*v);
                }
                return self.struct_constant(e, name, fields, ty, site);
            }
            _ => {}
        }
        if let Some(span) = non_constant(e) {
            // `None`, `True`: another language's literal, not a variable.
            if let ExprKind::Var(name) = &e.kind
                && let Some(lit) = names::literal_alias(&name.text)
            {
                self.problem(Problem::ForeignLiteral {
                    name: name.text.clone(),
                    span: name.span,
                    literal: lit,
                });
                return;
            }
            self.problem(Problem::NotConstant { site, span });
            return;
        }
        if let Some(span) = subsecond_duration(e) {
            self.problem(Problem::SubsecondDuration { span });
        }
        // A str of base64 for `bytes`; an RFC 3339 str or an int of epoch milliseconds for
        // `timestamp`.
        match crate::lower::encoded_constant(e, ty) {
            Some(Ok(_)) => return,
            Some(Err(why)) => {
                self.problem(Problem::EncodedConstant {
                    site,
                    span: e.span,
                    ty: ty.clone(),
                    why,
                });
                return;
            }
            None => {}
        }
        let vt = constant_type(e);
        let ok = assignable(&vt, ty) && vt != Ty::Null;
        if !ok && *ty != Ty::Error {
            self.problem(Problem::ConstantType {
                site,
                span: e.span,
                expected: ty.clone(),
                found: vt,
            });
        }
    }
}

fn find_event_span(file: &File, name: &str, workflow_event: bool) -> Span {
    file.items
        .iter()
        .find_map(|i| match i {
            Item::Event(e) if !workflow_event && e.name.text == name => Some(e.name.span),
            Item::WorkflowEvent(e) if workflow_event && e.name.text == name => Some(e.name.span),
            _ => None,
        })
        .unwrap_or_default()
}

/// The span of the first non-constant part of `e`, if any.
pub(crate) fn non_constant(e: &Expr) -> Option<Span> {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Double(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Duration(_) => None,
        ExprKind::Str(s) => s.as_plain().is_none().then_some(e.span),
        ExprKind::JsonObj(members) => members.iter().find_map(|(_, v)| non_constant(v)),
        ExprKind::JsonArr(items) => items.iter().find_map(non_constant),
        ExprKind::Paren(inner) => non_constant(inner),
        _ => Some(e.span),
    }
}

/// The span of the first duration in a constant that is not whole seconds (a constant
/// duration is stored as its number of seconds).
fn subsecond_duration(e: &Expr) -> Option<Span> {
    match &e.kind {
        ExprKind::Duration(ms) if ms % 1000 != 0 => Some(e.span),
        ExprKind::JsonObj(members) => members.iter().find_map(|(_, v)| subsecond_duration(v)),
        ExprKind::JsonArr(items) => items.iter().find_map(subsecond_duration),
        ExprKind::Paren(inner) => subsecond_duration(inner),
        _ => None,
    }
}

/// The type of a constant expression.
pub(crate) fn constant_type(e: &Expr) -> Ty {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Duration(_) => Ty::INT,
        ExprKind::Double(_) => Ty::DOUBLE,
        ExprKind::Bool(_) => Ty::BOOL,
        ExprKind::Str(_) => Ty::STR,
        ExprKind::JsonObj(_) => Ty::Prim(Prim::JsonObj),
        ExprKind::JsonArr(_) => Ty::Prim(Prim::JsonArr),
        ExprKind::Paren(inner) => constant_type(inner),
        _ => Ty::Null,
    }
}

/// A variable in scope.
struct VarEntry {
    ty: Ty,
    span: Span,
    /// The statement that declares it (a deletion of it is the fix of W0001).
    stmt: Span,
    used: bool,
    warn_unused: bool,
}

/// Checks one workflow body.
struct WorkflowChecker<'c> {
    cx: &'c mut Checker,
    vars: HashMap<String, VarEntry>,
    var_order: Vec<String>,
    /// `let` bindings, innermost block last.
    lets: Vec<HashMap<String, (Ty, Span)>>,
    updates: Option<Span>,
    /// Every variable the workflow declares (first declaration), to tell a use before the
    /// declaration from an unknown name.
    all_vars: HashMap<String, Span>,
    /// `let` bindings of blocks that have ended, for "not visible here" help.
    closed_lets: HashMap<String, Span>,
    /// The body holds malformed statements: unused-variable warnings would be guesses.
    has_syntax_errors: bool,
    /// Every `return`: where, and the type of its value (`None` without a value).
    returns: Vec<(Span, Option<Ty>)>,
    /// The thread being checked (0 = entrypoint) and the next thread number to hand out.
    thread: usize,
    next_thread: usize,
    /// The thread each `let` binding belongs to.
    let_threads: HashMap<String, usize>,
    /// Every variable declared in any thread, for uniqueness across the WfSpec.
    declared: HashMap<String, Span>,
    /// ThreadSpec names in use (spawned threads).
    thread_names: HashMap<String, Span>,
    /// `parent` setting.
    parent: Option<Span>,
    /// Events awaited by a step, and events used as interrupts.
    awaited: HashMap<String, Span>,
    interrupts: HashMap<String, Span>,
    /// Settings already given.
    settings: HashMap<String, Span>,
    /// How many `let` scopes are open at the top level of the thread being checked: a
    /// statement is at its thread's top level when `lets.len()` equals this.
    thread_base: usize,
    /// Expressions whose value is JSON content (read out of a JSON value, or a thread input
    /// bound to an untyped payload): typed only at run time, and never an array, map or
    /// struct.
    /// The workflow's variables declared `masked` (W0040).
    masked_vars: HashSet<String>,
    json_values: HashSet<Span>,
    /// `let` bindings of `ask` steps, with their user task form: `d.field` has the field's
    /// type.
    let_forms: HashMap<String, String>,
    /// The workflow's name, and the bodies of the threads and the blocks being checked,
    /// innermost last (the scopes of the names recorded for editors).
    workflow_name: String,
    thread_scopes: Vec<Span>,
    block_scopes: Vec<Span>,
}

impl<'c> WorkflowChecker<'c> {
    fn new(cx: &'c mut Checker) -> Self {
        WorkflowChecker {
            cx,
            vars: HashMap::new(),
            var_order: Vec::new(),
            lets: Vec::new(),
            updates: None,
            all_vars: HashMap::new(),
            closed_lets: HashMap::new(),
            has_syntax_errors: false,
            returns: Vec::new(),
            thread: 0,
            next_thread: 1,
            let_threads: HashMap::new(),
            declared: HashMap::new(),
            thread_names: HashMap::new(),
            parent: None,
            awaited: HashMap::new(),
            interrupts: HashMap::new(),
            settings: HashMap::new(),
            thread_base: 1,
            json_values: HashSet::new(),
            masked_vars: HashSet::new(),
            let_forms: HashMap::new(),
            workflow_name: String::new(),
            thread_scopes: Vec::new(),
            block_scopes: Vec::new(),
        }
    }

    /// The recorder for editors, when recording.
    fn rec(&mut self) -> Option<&mut index::Recorder> {
        self.cx.rec.as_mut()
    }

    /// Records a definition in this workflow, visible in `scope` (when recording).
    fn define(&mut self, kind: SymbolKind, name: &Name, ty: &Ty, scope: Option<Span>) {
        if self.cx.rec.is_none() {
            return;
        }
        let parent = self.workflow_name.clone();
        if let Some(rec) = self.rec() {
            rec.define(Symbol {
                kind,
                name: name.text.clone(),
                span: name.span,
                scope,
                ty: Some(ty.clone()),
                parent: Some(parent),
            });
        }
    }

    fn workflow(mut self, wf: &Workflow) {
        self.workflow_name.clone_from(&wf.name.text);
        self.thread_scopes.push(wf.body.span);
        scan(&wf.body, &mut self.all_vars, &mut self.has_syntax_errors);
        self.scan_settings(&wf.body);
        self.block(&wf.body);
        if !self.has_syntax_errors {
            self.returns_agree(&wf.body);
        }
        for name in std::mem::take(&mut self.var_order) {
            if let Some(v) = self.vars.get(&name)
                && v.warn_unused
                && !v.used
                && !self.has_syntax_errors
                && v.ty != Ty::Error
            {
                let (span, stmt) = (v.span, v.stmt);
                self.unused_variable(&name, span, stmt);
            }
        }
    }

    fn unused_variable(&mut self, name: &str, span: Span, stmt: Span) {
        self.cx.problem(Problem::UnusedVariable {
            name: name.to_string(),
            span,
            stmt,
        });
    }

    fn block(&mut self, block: &Block) {
        self.lets.push(HashMap::new());
        self.block_scopes.push(block.span);
        let mut ended: Option<Span> = None;
        let mut after_error = false;
        for stmt in &block.stmts {
            if let Some(end) = ended {
                // A malformed statement, and what was recovered from it, are not reported
                // again.
                if !matches!(stmt.kind, StmtKind::Error) && !after_error {
                    let last = block.stmts.last().map_or(stmt.span, |s| s.span);
                    self.cx.problem(Problem::Unreachable {
                        span: stmt.span,
                        end,
                        rest: stmt.span.to(last),
                    });
                    ended = None;
                    // Keep checking it for other problems.
                }
            }
            self.stmt(stmt);
            if matches!(stmt.kind, StmtKind::Return(_) | StmtKind::Fail { .. }) {
                ended = Some(stmt.span);
            }
            after_error = matches!(stmt.kind, StmtKind::Error);
        }
        if let Some(scope) = self.lets.pop() {
            for (name, (_, span)) in scope {
                self.closed_lets.entry(name).or_insert(span);
            }
        }
        self.block_scopes.pop();
    }

    fn lookup_let(&self, name: &str) -> Option<&(Ty, Span)> {
        self.lets.iter().rev().find_map(|scope| scope.get(name))
    }

    fn declare_name_conflict(&mut self, name: &Name) -> bool {
        let prev = self
            .vars
            .get(&name.text)
            .map(|v| v.span)
            .or_else(|| self.lookup_let(&name.text).map(|l| l.1))
            .or_else(|| self.declared.get(&name.text).copied());
        if !name.text.is_empty() {
            self.declared.entry(name.text.clone()).or_insert(name.span);
        }
        if let Some(prev) = prev {
            self.cx.problem(Problem::DuplicateVariable {
                name: name.text.clone(),
                span: name.span,
                first: prev,
            });
            return true;
        }
        false
    }

    fn stmt(&mut self, stmt: &Stmt) {
        if !stmt.catches.is_empty() {
            self.catches(stmt);
        }
        match &stmt.kind {
            StmtKind::Var(v) => self.var_decl(v, stmt.span),
            StmtKind::Setting { name, value } => self.setting(name, value, stmt.span),
            StmtKind::ThreadRetention(e) => {
                self.thread_setting_here(stmt.span, "thread retention");
                self.setting_once(
                    format!("thread retention {}", self.thread),
                    stmt.span,
                    RepeatedSetting::ThreadRetention,
                );
                self.seconds(e, "a retention");
            }
            StmtKind::DefaultThreadRetention(e) => {
                self.workflow_setting_here(stmt.span, "default thread retention");
                self.setting_once(
                    "default thread retention".to_string(),
                    stmt.span,
                    RepeatedSetting::DefaultThreadRetention,
                );
                self.seconds(e, "a retention");
            }
            StmtKind::DefaultTask(opts) => {
                self.workflow_setting_here(stmt.span, "default task");
                for (given, what) in [
                    (opts.retries.is_some(), "retries"),
                    (opts.timeout.is_some(), "timeout"),
                    (opts.backoff.is_some(), "backoff"),
                ] {
                    if given {
                        self.setting_once(
                            format!("default task {what}"),
                            stmt.span,
                            RepeatedSetting::DefaultTaskOption(what),
                        );
                    }
                }
                self.task_opts(opts);
            }
            StmtKind::On {
                event,
                binding,
                binding_ty,
                body,
            } => self.interrupt(event, binding.as_ref(), binding_ty.as_ref(), body),
            StmtKind::Emit { event, value } => self.emit(event, value.as_ref()),
            StmtKind::Wait { strategy, targets } => self.wait(*strategy, targets, stmt.span),
            StmtKind::Let { name, value } => {
                let ty = if steps::is_step(value) {
                    let ty = self.expr(value);
                    if ty == Ty::Void {
                        self.void_output(value);
                        Ty::Error
                    } else {
                        ty
                    }
                } else {
                    let ty = self.expr(value);
                    let constant = non_constant(value).is_none();
                    let var = (ty.is_prim() && !ty.is_unknown()).then(|| LetAsVar {
                        keyword: Span::new(stmt.span.start as usize, stmt.span.start as usize + 3),
                        name_end: name.span.end,
                        ty: ty.clone(),
                        constant,
                    });
                    self.cx.problem(Problem::LetWithoutStep {
                        name: name.text.clone(),
                        span: value.span,
                        var,
                    });
                    Ty::Error
                };
                self.cx.lh_name(name, "binding");
                let block = self.block_scopes.last().copied();
                self.define(SymbolKind::Let, name, &ty, block);
                if !self.declare_name_conflict(name)
                    && let Some(scope) = self.lets.last_mut()
                {
                    scope.insert(name.text.clone(), (ty, name.span));
                    self.let_threads.insert(name.text.clone(), self.thread);
                    if let ExprKind::Ask(ask) = &value.kind
                        && self.cx.model.user_tasks.contains_key(&ask.form.text)
                    {
                        self.let_forms
                            .insert(name.text.clone(), ask.form.text.clone());
                    }
                }
            }
            StmtKind::Assign {
                place,
                op,
                op_span,
                value,
            } => {
                // `retention = 30d`: a setting written as an assignment.
                if *op == AssignOp::Assign
                    && place.selectors.is_empty()
                    && matches!(place.var.text.as_str(), "retention" | "updates" | "parent")
                    && !self.vars.contains_key(&place.var.text)
                    && self.lookup_let(&place.var.text).is_none()
                {
                    self.cx.problem(Problem::UnknownVariable {
                        name: place.var.text.clone(),
                        span: place.var.span,
                        hint: UnknownVariableHint::SettingWithEquals {
                            between: Span {
                                start: place.var.span.end,
                                end: value.span.start,
                            },
                        },
                    });
                    return;
                }
                let place_ty = self.place(place);
                if *op == AssignOp::Assign
                    && place.selectors.is_empty()
                    && crate::lower::is_typed_literal(value, &place_ty)
                    && non_constant(value).is_none()
                {
                    // A typed array of constants, or an encoded bytes/timestamp/wf-run-id
                    // literal: checked as a constant of the variable's type.
                    self.cx.constant(value, &place_ty, ConstantSite::Assignment);
                    return;
                }
                let value_ty = self.expr(value);
                if value_ty == Ty::Void {
                    self.void_output(value);
                    return;
                }
                self.mutation(place, &place_ty, *op, *op_span, value, &value_ty);
            }
            StmtKind::Extend { place, value } => {
                let t = self.place(place);
                let v = self.expr(value);
                if v == Ty::Void {
                    self.void_output(value);
                } else if !types::extendable(&t, &v) {
                    self.cx.problem(Problem::ExtendTypes {
                        span: value.span,
                        value: v,
                        target_span: place.span,
                        target: t,
                    });
                }
            }
            StmtKind::Remove { place, what, value } => {
                let t = self.place(place);
                let v = self.expr(value);
                let ok = match what {
                    RemoveWhat::Value => {
                        matches!(t, Ty::Prim(Prim::JsonArr) | Ty::Array(_)) || t.is_unknown()
                    }
                    RemoveWhat::Index => {
                        (matches!(t, Ty::Prim(Prim::JsonArr) | Ty::Array(_)) || t.is_unknown())
                            && (v == Ty::INT || v.is_unknown())
                    }
                    RemoveWhat::Key => {
                        (matches!(t, Ty::Prim(Prim::JsonObj) | Ty::Map(..)) || t.is_unknown())
                            && (v.is_prim() || v.is_unknown())
                    }
                };
                if !ok {
                    self.cx.problem(Problem::RemoveTypes {
                        what: *what,
                        span: place.span,
                        target: t,
                        value: v,
                    });
                }
            }
            StmtKind::If(i) => self.if_stmt(i),
            StmtKind::While { cond, body } => {
                if let Some((call, what)) = find_call(cond) {
                    self.cx.problem(Problem::StepInCondition {
                        place: ConditionPlace::Loop,
                        what,
                        span: call,
                    });
                }
                self.condition(cond);
                self.block(body);
            }
            StmtKind::Return(value) => {
                let ty = value.as_ref().map(|v| {
                    let t = self.expr(v);
                    if t == Ty::Void {
                        self.void_output(v);
                        return Ty::Error;
                    }
                    t
                });
                self.returns.push((stmt.span, ty));
            }
            StmtKind::Fail {
                name,
                message,
                content,
            } => {
                self.exception_name(name);
                if let Some(m) = message
                    && m.as_plain().is_none()
                {
                    self.cx
                        .problem(Problem::FailureMessagePlaceholders { span: m.span });
                }
                if let Some(c) = content {
                    let t = self.expr(c);
                    if t == Ty::Void {
                        self.void_output(c);
                    }
                }
            }
            StmtKind::WaitUntil(cond) => {
                if let Some((call, what)) = find_call(cond) {
                    self.cx.problem(Problem::StepInCondition {
                        place: ConditionPlace::WaitUntil,
                        what,
                        span: call,
                    });
                }
                self.condition(cond);
            }
            StmtKind::Sleep(e) => {
                if let ExprKind::Duration(ms) = e.kind {
                    if ms % 1000 != 0 || ms == 0 {
                        self.cx.problem(Problem::SleepSeconds {
                            span: e.span,
                            zero: ms == 0,
                        });
                    }
                    return;
                }
                let t = self.expr(e);
                if !(t == Ty::INT || t.is_unknown()) {
                    self.cx.problem(Problem::SleepType {
                        span: e.span,
                        ty: t,
                    });
                }
            }
            StmtKind::SleepUntil(e) => {
                let t = self.expr(e);
                if t == Ty::STR {
                    self.cx.model.iso_date_sleeps.insert(e.span);
                } else if !(matches!(t, Ty::Prim(Prim::Timestamp | Prim::Int)) || t.is_unknown()) {
                    self.cx.problem(Problem::SleepUntilType {
                        span: e.span,
                        ty: t,
                    });
                }
            }
            StmtKind::Updates(word) => {
                self.workflow_setting_here(stmt.span, "updates");
                if let Some(first) = self.updates {
                    self.cx.problem(Problem::SettingTwice {
                        setting: RepeatedSetting::Line("updates".to_string()),
                        span: stmt.span,
                        first,
                    });
                }
                self.updates = Some(stmt.span);
                if !matches!(word.text.as_str(), "all" | "minor" | "none") {
                    // The policy the word means: a misspelling, or a word for "no updates".
                    let meant = match word.text.to_ascii_lowercase().as_str() {
                        "never" | "no" | "off" | "false" | "disabled" => Some("none"),
                        "always" | "any" | "yes" | "true" | "major" => Some("all"),
                        "minors" | "patch" | "compatible" => Some("minor"),
                        w => names::closest(w, ["all", "minor", "none"]),
                    };
                    self.cx.problem(Problem::WorkflowUpdatePolicy {
                        word: word.text.clone(),
                        span: word.span,
                        meant,
                    });
                }
            }
            StmtKind::Expr(e) => {
                if steps::is_step(e) {
                    self.expr(e);
                } else if matches!(&e.kind, ExprKind::Var(n) if self.cx.model.tasks.contains_key(&n.text))
                {
                    // A task named without `()`: E0101 says so, with its fix.
                    self.expr(e);
                } else {
                    self.expr(e);
                    // `x == 1` for `x = 1`.
                    let assign_at = match &e.kind {
                        ExprKind::Binary {
                            op: BinOp::Eq,
                            op_span,
                            lhs,
                            ..
                        } if matches!(lhs.kind, ExprKind::Var(_)) => Some(*op_span),
                        _ => None,
                    };
                    self.cx.problem(Problem::UselessExpression {
                        span: e.span,
                        assign_at,
                    });
                }
            }
            StmtKind::Error => {}
        }
    }

    /// The name of an exception the workflow throws: a LittleHorse name that is not one of
    /// LittleHorse's own error names.
    fn exception_name(&mut self, name: &Name) {
        if RESERVED_FAILURES.contains(&name.text.as_str()) {
            self.cx.problem(Problem::ReservedFailure {
                name: name.text.clone(),
                span: name.span,
            });
        } else {
            self.cx.lh_name(name, "exception");
        }
    }

    fn void_output(&mut self, e: &Expr) {
        let name = match &e.kind {
            ExprKind::Call { callee, .. } => callee.text.clone(),
            _ => String::from("step"),
        };
        self.cx.problem(Problem::NoOutput {
            step: name,
            span: e.span,
        });
    }

    fn var_decl(&mut self, v: &VarDecl, stmt: Span) {
        self.cx.lh_name(&v.name, "variable");
        self.inherited_needs_parent(v);
        let ty = self.cx.ty(&v.ty);
        if let Some(d) = &v.default {
            self.cx.constant(d, &ty, ConstantSite::Default);
        }
        for idx in &v.indexes {
            if !idx.path.starts_with('$') {
                self.cx.problem(Problem::JsonPathWithoutDollar {
                    path: idx.path.clone(),
                    span: idx.path_span,
                });
            }
            if !ty.is_json() {
                self.cx.problem(Problem::SearchableNotJson {
                    name: v.name.text.clone(),
                    span: idx.path_span,
                    ty: ty.clone(),
                });
            }
            match self.cx.ty(&idx.ty) {
                Ty::Prim(Prim::Str | Prim::Int | Prim::Double | Prim::Bool) | Ty::Error => {}
                other => {
                    self.cx.problem(Problem::SearchableIndexType {
                        span: idx.ty.span(),
                        ty: other,
                    });
                }
            }
        }
        if v.masked.is_some() {
            self.masked_vars.insert(v.name.text.clone());
        }
        let thread = self.thread_scopes.last().copied();
        self.define(SymbolKind::Variable, &v.name, &ty, thread);
        if self.declare_name_conflict(&v.name) {
            // Keep the name usable in its thread, so that its uses are not reported too.
            if !self.vars.contains_key(&v.name.text) && self.lookup_let(&v.name.text).is_none() {
                self.vars.insert(
                    v.name.text.clone(),
                    VarEntry {
                        ty,
                        span: v.name.span,
                        stmt,
                        used: true,
                        warn_unused: false,
                    },
                );
            }
            return;
        }
        let warn_unused = v.required.is_none()
            && v.access.is_none_or(|(a, _)| a == Access::Private)
            && v.searchable.is_none()
            && v.indexes.is_empty()
            && v.default.is_none()
            && !v.is_input;
        self.vars.insert(
            v.name.text.clone(),
            VarEntry {
                ty,
                span: v.name.span,
                stmt,
                used: false,
                warn_unused,
            },
        );
        self.var_order.push(v.name.text.clone());
    }

    fn if_stmt(&mut self, i: &IfStmt) {
        self.condition(&i.cond);
        self.block(&i.then);
        match &i.otherwise {
            Some(Else::If(inner, _)) => {
                if let Some((call, what)) = find_call(&inner.cond) {
                    self.cx.problem(Problem::StepInCondition {
                        place: ConditionPlace::ElseIf,
                        what,
                        span: call,
                    });
                }
                self.if_stmt(inner)
            }
            Some(Else::Block(b)) => self.block(b),
            None => {}
        }
    }

    fn condition(&mut self, cond: &Expr) {
        let t = self.expr(cond);
        if !(t == Ty::BOOL || t.is_unknown()) {
            self.cx.problem(Problem::ConditionNotBool {
                span: cond.span,
                subject: snippet_name(cond),
                found: t,
            });
        }
    }

    fn mutation(
        &mut self,
        place: &Place,
        t: &Ty,
        op: AssignOp,
        op_span: Span,
        value: &Expr,
        v: &Ty,
    ) {
        if op == AssignOp::Assign && self.json_into_typed(value, t) {
            self.json_error(ValueSite::Other, value, t);
            return;
        }
        let ok = match op {
            AssignOp::Assign => assignable(v, t),
            AssignOp::Add => {
                (t.is_numeric() && (v.is_numeric() || v.is_unknown()))
                    || (*t == Ty::STR && (v.is_prim() || v.is_unknown()))
                    || *t == Ty::Prim(Prim::JsonArr)
                    || t.is_unknown()
            }
            AssignOp::Sub | AssignOp::Mul | AssignOp::Div | AssignOp::Pow => {
                (t.is_numeric() || t.is_unknown()) && (v.is_numeric() || v.is_unknown())
            }
            AssignOp::And | AssignOp::Or => {
                (*t == Ty::BOOL || t.is_unknown()) && (*v == Ty::BOOL || v.is_unknown())
            }
        };
        if ok {
            return;
        }
        if op == AssignOp::Assign {
            self.cx.problem(Problem::AssignTypes {
                place: place_text(place),
                span: value.span,
                place_span: place.span,
                target: t.clone(),
                value: v.clone(),
                needs_parens: problems::cast_needs_parens(value),
            });
        } else {
            let op_text = match op {
                AssignOp::Add => "+=",
                AssignOp::Sub => "-=",
                AssignOp::Mul => "*=",
                AssignOp::Div => "/=",
                AssignOp::Pow => "**=",
                AssignOp::And => "&&=",
                AssignOp::Or => "||=",
                AssignOp::Assign => "=",
            };
            let array_append =
                (matches!(t, Ty::Array(_)) && op == AssignOp::Add).then(|| place_text(place));
            self.cx.problem(Problem::MutationTypes {
                op: op_text,
                span: op_span,
                target_span: place.span,
                target: t.clone(),
                value: v.clone(),
                array_append,
            });
        }
    }

    fn use_var(&mut self, name: &Name) -> Ty {
        if let Some(v) = self.vars.get_mut(&name.text) {
            v.used = true;
            let (ty, target) = (v.ty.clone(), v.span);
            if let Some(rec) = self.rec() {
                rec.reference(name.span, target);
            }
            return ty;
        }
        if let Some((t, target)) = self.lookup_let(&name.text) {
            let (t, target) = (t.clone(), *target);
            if let Some(rec) = self.rec() {
                rec.reference(name.span, target);
            }
            if self
                .let_threads
                .get(&name.text)
                .is_some_and(|&th| th != self.thread)
            {
                self.cx.problem(Problem::OtherThreadOutput {
                    name: name.text.clone(),
                    span: name.span,
                });
                return Ty::Error;
            }
            return t;
        }
        let mut candidates: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        for scope in &self.lets {
            candidates.extend(scope.keys().map(String::as_str));
        }
        let parts: Vec<&str> = name.text.split('-').collect();
        let later = self
            .all_vars
            .get(&name.text)
            .copied()
            .filter(|s| s.start > name.span.start);
        let hint = if let Some(decl) = later {
            UnknownVariableHint::DeclaredLater(decl)
        } else if let Some(&bound) = self.closed_lets.get(&name.text) {
            UnknownVariableHint::LetOutOfScope(bound)
        } else if let [left, right] = parts.as_slice()
            && candidates.contains(left)
            && candidates.contains(right)
        {
            UnknownVariableHint::Subtraction {
                left: (*left).to_string(),
                right: (*right).to_string(),
            }
        } else if let Some(lit) = names::literal_alias(&name.text) {
            UnknownVariableHint::DidYouMean(lit.to_string())
        } else if let Some(d) = names::iso_duration(&name.text) {
            UnknownVariableHint::DidYouMean(d)
        } else if let Some(c) = names::closest(&name.text, candidates) {
            UnknownVariableHint::DidYouMean(c.to_string())
        } else if let Some(sig) = self.cx.model.tasks.get(&name.text) {
            UnknownVariableHint::IsTask {
                call_at: sig
                    .params
                    .is_empty()
                    .then(|| Span::new(name.span.end as usize, name.span.end as usize)),
            }
        } else {
            UnknownVariableHint::Declare
        };
        self.cx.problem(Problem::UnknownVariable {
            name: name.text.clone(),
            span: name.span,
            hint,
        });
        Ty::Error
    }

    fn place(&mut self, place: &Place) -> Ty {
        let mut t = self.use_var(&place.var);
        if self.lookup_let(&place.var.text).is_some() && !self.vars.contains_key(&place.var.text) {
            self.cx.problem(Problem::AssignLet {
                name: place.var.text.clone(),
                span: place.var.span,
            });
            return Ty::Error;
        }
        for sel in &place.selectors {
            t = self.select(t, sel, place.span);
        }
        if let Some(rec) = self.rec() {
            rec.ty(place.span, &t);
        }
        t
    }

    fn select(&mut self, base: Ty, sel: &Selector, base_span: Span) -> Ty {
        match sel {
            Selector::Field(name) => self.field(base, name, base_span),
            Selector::Index(idx) => self.index(base, idx, base_span),
        }
    }

    fn field(&mut self, base: Ty, name: &Name, base_span: Span) -> Ty {
        match &base {
            Ty::Struct(s) if self.cx.model.structs.get(s).is_some_and(|sig| sig.partial) => {
                Ty::Error
            }
            Ty::Struct(s) => {
                let found = self.cx.model.structs.get(s).and_then(|sig| {
                    sig.fields
                        .iter()
                        .find(|(f, _)| *f == name.text)
                        .map(|(_, t)| t.clone())
                });
                match found {
                    Some(t) => {
                        if let Some(rec) = self.rec() {
                            rec.member(SymbolKind::Field, s, &name.text, name.span);
                        }
                        t
                    }
                    None => {
                        let fields: Vec<String> = self
                            .cx
                            .model
                            .structs
                            .get(s)
                            .map(|sig| sig.fields.iter().map(|(f, _)| f.clone()).collect())
                            .unwrap_or_default();
                        let suggestion =
                            names::closest(&name.text, fields.iter().map(String::as_str))
                                .map(str::to_string);
                        self.cx.problem(Problem::UnknownField {
                            struct_name: s.clone(),
                            name: name.text.clone(),
                            span: name.span,
                            suggestion,
                            fields,
                        });
                        Ty::Error
                    }
                }
            }
            Ty::Map(_, v) => (**v).clone(),
            t if t.has_fields() && !matches!(t, Ty::Array(_)) => Ty::Any,
            t => {
                self.cx.problem(Problem::NoFields {
                    name: name.text.clone(),
                    span: name.span,
                    base_span,
                    ty: t.clone(),
                });
                Ty::Error
            }
        }
    }

    fn index(&mut self, base: Ty, idx: &Expr, base_span: Span) -> Ty {
        if let ExprKind::Str(s) = &idx.kind
            && let Some(text) = s.as_plain()
            && text.starts_with('$')
        {
            if !base.is_json() {
                self.cx.problem(Problem::JsonPathOnNonJson {
                    span: idx.span,
                    base,
                    base_span,
                });
                return Ty::Error;
            }
            return Ty::Any;
        }
        let it = self.expr(idx);
        match &base {
            Ty::Array(e) => {
                if !(it == Ty::INT || it.is_unknown()) {
                    self.cx.problem(Problem::ArrayIndexType {
                        span: idx.span,
                        ty: it,
                    });
                }
                (**e).clone()
            }
            Ty::Map(_, v) => (**v).clone(),
            t if t.has_fields() => {
                if !matches!(idx.kind, ExprKind::Int(_) | ExprKind::Str(_)) {
                    self.cx
                        .problem(Problem::IndexNotConstant { span: idx.span });
                }
                Ty::Any
            }
            t => {
                self.cx.problem(Problem::NotIndexable {
                    span: idx.span,
                    base_span,
                    ty: t.clone(),
                });
                Ty::Error
            }
        }
    }

    /// The type of `e`, recorded for editors when recording.
    fn expr(&mut self, e: &Expr) -> Ty {
        let slot = self.rec().map(|rec| rec.open_ty(e.span));
        let ty = self.expr_kind(e);
        if let (Some(slot), Some(rec)) = (slot, self.rec()) {
            rec.set_ty(slot, &ty);
        }
        ty
    }

    fn expr_kind(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::INT,
            ExprKind::Double(_) => Ty::DOUBLE,
            ExprKind::Bool(_) => Ty::BOOL,
            ExprKind::Null => Ty::Null,
            ExprKind::Duration(ms) => {
                if ms % 1000 != 0 {
                    self.cx.problem(Problem::SubsecondDuration { span: e.span });
                }
                Ty::INT
            }
            ExprKind::Str(s) => {
                for part in &s.parts {
                    if let StrPart::Hole(h) = part {
                        let t = self.expr(h);
                        if t == Ty::Void {
                            self.void_output(h);
                        }
                    }
                }
                Ty::STR
            }
            ExprKind::JsonObj(members) => {
                for (_, v) in members {
                    self.json_member(v);
                }
                Ty::Prim(Prim::JsonObj)
            }
            ExprKind::JsonArr(items) => {
                for v in items {
                    self.json_member(v);
                }
                Ty::Prim(Prim::JsonArr)
            }
            ExprKind::Var(name) => {
                let t = self.use_var(name);
                // Only thread inputs bound to an untyped payload have this type.
                if t == Ty::Any && self.vars.contains_key(&name.text) {
                    self.json_values.insert(e.span);
                }
                t
            }
            ExprKind::Call { callee, args, opts } => {
                self.task_opts(opts);
                self.call(callee, args, e.span)
            }
            ExprKind::DynCall { task, args, opts } => self.dyn_call(task, args, opts),
            ExprKind::Await {
                event,
                timeout,
                correlation,
                ..
            } => {
                // `await t` of a thread or child workflow handle: `wait t` was meant.
                if !self.cx.model.events.contains_key(&event.text)
                    && let Some((Ty::Thread | Ty::Threads | Ty::ChildWf, _)) =
                        self.lookup_let(&event.text)
                {
                    self.cx.problem(Problem::UnknownEvent {
                        workflow_event: false,
                        name: event.text.clone(),
                        span: event.span,
                        hint: problems::UnknownEventHint::Handle {
                            wait_at: Span::new(e.span.start as usize, e.span.start as usize + 5),
                        },
                    });
                    return Ty::Error;
                }
                self.await_event(event, timeout.as_deref(), correlation.as_deref())
            }
            ExprKind::Spawn(sp) => self.spawn(sp),
            ExprKind::WaitChild(name)
                if !self.vars.contains_key(&name.text)
                    && self.lookup_let(&name.text).is_none()
                    && self.cx.model.events.contains_key(&name.text) =>
            {
                // `let p = wait paid` of an event: `await paid` was meant.
                self.cx.problem(Problem::UnknownVariable {
                    name: name.text.clone(),
                    span: name.span,
                    hint: UnknownVariableHint::Event {
                        await_at: Span::new(e.span.start as usize, e.span.start as usize + 4),
                    },
                });
                Ty::Error
            }
            ExprKind::WaitChild(name) => self.wait_child(name),
            ExprKind::Ask(ask) => self.ask(ask),
            ExprKind::RunWf {
                workflow,
                inputs,
                dynamic,
                child_id,
                version,
            } => {
                self.run_options(dynamic.as_deref(), child_id.as_deref(), *version);
                if dynamic.is_some() {
                    for (_, v) in inputs {
                        self.expr(v);
                    }
                    return Ty::ChildWf;
                }
                self.cx.runs.push(family::RunStep {
                    caller: self.workflow_name.clone(),
                    target: workflow.text.clone(),
                    span: e.span,
                });
                self.run_wf(workflow, inputs)
            }
            ExprKind::New {
                name,
                version,
                fields,
            } => {
                if let Some(v) = version {
                    self.cx.struct_version(*v);
                }
                self.new_struct(name, fields)
            }
            ExprKind::InlineStruct(fields) => {
                for (_, v) in fields {
                    self.expr(v);
                }
                Ty::Any
            }
            ExprKind::MapLit(entries) => self.map_lit(entries),
            ExprKind::Method { recv, method, args } => self.method(recv, method, args),
            ExprKind::Field { base, name } => {
                if let Some(t) = self.form_field(base, name) {
                    return t;
                }
                let t = self.expr(base);
                let json = self.is_json_value(&t, base);
                let r = self.field(t, name, base.span);
                if json && r == Ty::Any {
                    self.json_values.insert(e.span);
                }
                r
            }
            ExprKind::Index { base, index } => {
                let t = self.expr(base);
                let json = self.is_json_value(&t, base);
                let r = self.index(t, index, base.span);
                if json && r == Ty::Any {
                    self.json_values.insert(e.span);
                }
                r
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, *op_span, lhs, rhs),
            ExprKind::Not(inner) => {
                let t = self.expr(inner);
                if !(t == Ty::BOOL || t.is_unknown()) {
                    self.cx.problem(Problem::UnaryOperand {
                        op: UnaryOp::Not,
                        span: inner.span,
                        ty: t,
                    });
                }
                Ty::BOOL
            }
            ExprKind::Neg(inner) => {
                let t = self.expr(inner);
                if !(t.is_numeric() || t.is_unknown()) {
                    self.cx.problem(Problem::UnaryOperand {
                        op: UnaryOp::Neg,
                        span: inner.span,
                        ty: t,
                    });
                    return Ty::Error;
                }
                t
            }
            ExprKind::Cast(inner, ty) => {
                let t = self.expr(inner);
                let target = self.cx.ty(ty);
                if let (ExprKind::Str(s), Ty::Prim(p @ (Prim::Bytes | Prim::WfRunId))) =
                    (&inner.kind, &target)
                    && s.as_plain().is_some()
                {
                    self.cx.problem(Problem::LiteralCast {
                        span: e.span,
                        prim: *p,
                    });
                }
                match &target {
                    Ty::Prim(p) if castable(&t, *p) => target,
                    Ty::Error => Ty::Error,
                    _ => {
                        self.cx.problem(Problem::InvalidCast {
                            span: e.span,
                            from: t,
                            to: target,
                        });
                        Ty::Error
                    }
                }
            }
            ExprKind::Paren(inner) => {
                let t = self.expr(inner);
                if self.json_values.contains(&inner.span) {
                    self.json_values.insert(e.span);
                }
                t
            }
        }
    }

    fn json_member(&mut self, v: &Expr) {
        if let Some(span) = subsecond_duration(v) {
            self.cx.problem(Problem::SubsecondDuration { span });
        }
        if let Some(span) = non_constant(v) {
            // `False`, `None`: another language's literal, not a variable.
            if let ExprKind::Var(name) = &v.kind
                && let Some(lit) = names::literal_alias(&name.text)
            {
                self.cx.problem(Problem::ForeignLiteral {
                    name: name.text.clone(),
                    span: name.span,
                    literal: lit,
                });
                return;
            }
            self.cx.problem(Problem::JsonMemberNotConstant { span });
        }
    }

    fn call(&mut self, callee: &Name, args: &[Expr], span: Span) -> Ty {
        let arg_tys: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        if callee.text.is_empty() {
            // A step that did not parse (already reported).
            return Ty::Error;
        }
        self.cx.record_global(SymbolKind::Task, callee);
        let Some(sig) = self.cx.model.tasks.get(&callee.text).cloned() else {
            let tasks: Vec<&str> = self.cx.model.tasks.keys().map(String::as_str).collect();
            let hint = match names::closest(&callee.text, tasks) {
                Some(c) => UnknownTaskHint::DidYouMean(c.to_string()),
                None if callee.text == "sleep" => UnknownTaskHint::Sleep {
                    // `sleep(5m)`: the `(` right after the name becomes a space.
                    fix: (args.len() == 1 && span.end > callee.span.end).then(|| {
                        Fix::new(
                            "Write `sleep` as a statement".to_string(),
                            vec![
                                Edit {
                                    span: Span::new(
                                        callee.span.end as usize,
                                        callee.span.end as usize + 1,
                                    ),
                                    text: " ".to_string(),
                                },
                                Edit {
                                    span: Span::new(span.end as usize - 1, span.end as usize),
                                    text: String::new(),
                                },
                            ],
                        )
                    }),
                },
                None if args.len() == 1
                    && conversion(&callee.text).is_some()
                    && simple(&args[0]) =>
                {
                    let meant = conversion(&callee.text).unwrap_or_default();
                    let arg = args[0].span;
                    UnknownTaskHint::Conversion {
                        meant: meant.to_string(),
                        fix: Fix::new(
                            format!("Write `{}`", meant.trim()),
                            vec![
                                Edit {
                                    span: Span::new(callee.span.start as usize, arg.start as usize),
                                    text: String::new(),
                                },
                                Edit {
                                    span: Span::new(arg.end as usize, span.end as usize),
                                    text: meant.to_string(),
                                },
                            ],
                        ),
                    }
                }
                None if callee.text == "wait" => UnknownTaskHint::Wait,
                None => {
                    let params: Vec<String> = arg_tys
                        .iter()
                        .enumerate()
                        .map(|(i, t)| {
                            format!(
                                "arg{}: {}",
                                i + 1,
                                if t.is_unknown() || *t == Ty::Void {
                                    Ty::STR
                                } else {
                                    t.clone()
                                }
                            )
                        })
                        .collect();
                    let decl = format!("task {}({})", callee.text, params.join(", "));
                    let fix = self
                        .cx
                        .outline
                        .declare(declare::DeclKind::Task, &decl, callee.span);
                    UnknownTaskHint::Declare { decl, fix }
                }
            };
            self.cx.problem(Problem::UnknownTask {
                name: callee.text.clone(),
                span: callee.span,
                hint,
            });
            return Ty::Error;
        };
        if sig.partial {
            // The declaration did not parse: its signature is unknown.
            return Ty::Error;
        }
        if args.len() != sig.params.len() {
            self.cx.problem(Problem::TaskArity {
                task: callee.text.clone(),
                span,
                params: sig.params.clone(),
                given: args.len(),
                declared: sig.span,
            });
        }
        for (((arg, (pname, _)), masked), ty_span) in args
            .iter()
            .zip(&sig.params)
            .zip(&sig.masked)
            .zip(&sig.param_types)
        {
            if !masked && let Some((var, at)) = masking::masked_var_read(arg, &self.masked_vars) {
                self.cx.problem(Problem::MaskedArgument {
                    var,
                    span: at,
                    param: pname.clone(),
                    task: callee.text.clone(),
                    declared: sig.span,
                    param_type: *ty_span,
                });
            }
        }
        for ((arg, at), (pname, pt)) in args.iter().zip(&arg_tys).zip(&sig.params) {
            if *at == Ty::Void {
                self.void_output(arg);
            } else if self.json_into_typed(arg, pt) {
                self.json_error(ValueSite::TaskArgument, arg, pt);
            } else if let Some(Err(why)) = crate::lower::encoded_constant(arg, pt) {
                self.cx.problem(Problem::ArgumentLiteral {
                    param: pname.clone(),
                    task: callee.text.clone(),
                    span: arg.span,
                    ty: pt.clone(),
                    why,
                });
            } else if crate::lower::encoded_constant(arg, pt).is_some() {
                // A str literal holding the value (base64, RFC 3339, a WfRunId): decoded
                // when lowered.
            } else if !assignable(at, pt) {
                self.cx.problem(Problem::ArgumentType {
                    param: pname.clone(),
                    task: callee.text.clone(),
                    span: arg.span,
                    expected: pt.clone(),
                    found: at.clone(),
                    declared: sig.span,
                    needs_parens: problems::cast_needs_parens(arg),
                });
            }
        }
        sig.ret.unwrap_or(Ty::Void)
    }

    fn method(&mut self, recv: &Expr, method: &Name, args: &[Expr]) -> Ty {
        let t = self.expr(recv);
        let arg_tys: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let (arity, result, ok) = match method.text.as_str() {
            "extend" => (
                1,
                t.clone(),
                matches!(
                    t,
                    Ty::Prim(Prim::JsonArr | Prim::Str | Prim::Bytes) | Ty::Array(_)
                ) || t.is_unknown(),
            ),
            "remove-if-present" => (
                1,
                t.clone(),
                matches!(t, Ty::Prim(Prim::JsonArr) | Ty::Array(_)) || t.is_unknown(),
            ),
            "remove-index" => (
                1,
                t.clone(),
                (matches!(t, Ty::Prim(Prim::JsonArr) | Ty::Array(_)) || t.is_unknown())
                    && arg_tys
                        .first()
                        .is_none_or(|a| *a == Ty::INT || a.is_unknown()),
            ),
            "remove-key" => (
                1,
                t.clone(),
                matches!(t, Ty::Prim(Prim::JsonObj) | Ty::Map(..)) || t.is_unknown(),
            ),
            "size" => (
                0,
                Ty::INT,
                matches!(t, Ty::Prim(Prim::Str | Prim::JsonArr) | Ty::Array(_)) || t.is_unknown(),
            ),
            _ => {
                let known = [
                    "extend",
                    "remove-if-present",
                    "remove-index",
                    "remove-key",
                    "size",
                ];
                self.cx.problem(Problem::UnknownMethod {
                    name: method.text.clone(),
                    span: method.span,
                    suggestion: names::closest(&method.text, known).or(
                        match method.text.as_str() {
                            "len" | "length" | "count" => Some("size"),
                            _ => None,
                        },
                    ),
                });
                return Ty::Error;
            }
        };
        if args.len() != arity {
            self.cx.problem(Problem::MethodArity {
                method: method.text.clone(),
                span: method.span,
                arity,
                given: args.len(),
            });
        }
        if !ok {
            self.cx.problem(Problem::MethodReceiver {
                method: method.text.clone(),
                span: method.span,
                recv_span: recv.span,
                ty: t,
            });
            return Ty::Error;
        }
        if method.text == "extend"
            && let (Some(arg), Some(at)) = (args.first(), arg_tys.first())
        {
            if *at == Ty::Void {
                self.void_output(arg);
            } else if !types::extendable(&t, at) {
                self.cx.problem(Problem::ExtendTypes {
                    span: arg.span,
                    value: at.clone(),
                    target_span: recv.span,
                    target: t.clone(),
                });
                return Ty::Error;
            }
        }
        result
    }

    fn binary(&mut self, op: BinOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Ty {
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        for (side, t) in [(lhs, &l), (rhs, &r)] {
            if *t == Ty::Void {
                self.void_output(side);
                return Ty::Error;
            }
        }
        let mismatch = |this: &mut Self, need: OperandNeed, l: &Ty, r: &Ty| {
            this.cx.problem(Problem::OperandTypes {
                op: op.as_str(),
                span: op_span,
                need,
                lhs_span: lhs.span,
                lhs: l.clone(),
                rhs_span: rhs.span,
                rhs: r.clone(),
            });
        };
        match op {
            BinOp::Add => {
                if l.is_unknown() || r.is_unknown() {
                    return if l.is_unknown() {
                        r.clone().max_any()
                    } else {
                        l.clone()
                    };
                }
                if l.is_numeric() && r.is_numeric() {
                    return if l == Ty::DOUBLE || r == Ty::DOUBLE {
                        Ty::DOUBLE
                    } else {
                        Ty::INT
                    };
                }
                if l == Ty::STR && r.is_prim() {
                    return Ty::STR;
                }
                if l == Ty::Prim(Prim::JsonArr) {
                    return l;
                }
                mismatch(self, OperandNeed::Addable, &l, &r);
                Ty::Error
            }
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                if (l.is_numeric() || l.is_unknown()) && (r.is_numeric() || r.is_unknown()) {
                    return if l == Ty::DOUBLE || r == Ty::DOUBLE {
                        Ty::DOUBLE
                    } else if l == Ty::INT || r == Ty::INT {
                        Ty::INT
                    } else {
                        Ty::Any
                    };
                }
                mismatch(self, OperandNeed::Numbers, &l, &r);
                Ty::Error
            }
            BinOp::And | BinOp::Or => {
                if (l == Ty::BOOL || l.is_unknown()) && (r == Ty::BOOL || r.is_unknown()) {
                    return Ty::BOOL;
                }
                mismatch(self, OperandNeed::Bools, &l, &r);
                Ty::BOOL
            }
            BinOp::Eq | BinOp::Ne => {
                if !types::equatable(&l, &r) {
                    mismatch(self, OperandNeed::Equatable, &l, &r);
                }
                Ty::BOOL
            }
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                if !types::orderable(&l, &r) {
                    mismatch(self, OperandNeed::Orderable, &l, &r);
                }
                Ty::BOOL
            }
            BinOp::In | BinOp::NotIn => {
                if !types::is_collection(&r) {
                    mismatch(self, OperandNeed::CollectionRight, &l, &r);
                }
                Ty::BOOL
            }
            BinOp::Contains | BinOp::NotContains => {
                if !types::is_collection(&l) {
                    mismatch(self, OperandNeed::CollectionLeft, &l, &r);
                }
                Ty::BOOL
            }
        }
    }
}

impl Ty {
    fn max_any(self) -> Ty {
        if self.is_unknown() { Ty::Any } else { self }
    }
}

/// The span of the first step (a task call, `await`, ...) inside `e`, if any, and how to name
/// it in a message.
fn find_call(e: &Expr) -> Option<(Span, &'static str)> {
    match &e.kind {
        ExprKind::Call { .. } | ExprKind::DynCall { .. } => Some((e.span, "a task call")),
        ExprKind::Await { .. } => Some((e.span, "`await`")),
        ExprKind::Spawn(_) => Some((e.span, "`spawn`")),
        ExprKind::Ask(_) => Some((e.span, "`ask`")),
        ExprKind::RunWf { .. } => Some((e.span, "`run`")),
        ExprKind::WaitChild(_) => Some((e.span, "`wait`")),
        ExprKind::Method { recv, args, .. } => {
            find_call(recv).or_else(|| args.iter().find_map(find_call))
        }
        ExprKind::Field { base, .. } => find_call(base),
        ExprKind::Index { base, index } => find_call(base).or_else(|| find_call(index)),
        ExprKind::Binary { lhs, rhs, .. } => find_call(lhs).or_else(|| find_call(rhs)),
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Cast(x, _) | ExprKind::Paren(x) => {
            find_call(x)
        }
        ExprKind::Str(s) => s.parts.iter().find_map(|p| match p {
            StrPart::Hole(h) => find_call(h),
            StrPart::Text(_) => None,
        }),
        ExprKind::New { fields, .. } | ExprKind::InlineStruct(fields) => {
            fields.iter().find_map(|(_, v)| find_call(v))
        }
        ExprKind::MapLit(entries) => entries
            .iter()
            .find_map(|(k, v)| find_call(k).or_else(|| find_call(v))),
        _ => None,
    }
}

fn place_text(p: &Place) -> String {
    if p.selectors.is_empty() {
        p.var.text.clone()
    } else {
        format!("{}...", p.var.text)
    }
}

fn snippet_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Var(n) => n.text.clone(),
        _ => "value".to_string(),
    }
}

/// How a literal of a type that a str literal encodes is written.
fn encoded_help(ty: &Ty) -> &'static str {
    match ty {
        Ty::Prim(Prim::Bytes) => "write the bytes in base64, e.g. `\"AQID\"`",
        Ty::Prim(Prim::WfRunId) => {
            "write a WfRunId such as `\"order-1\"`, or `\"parent_child\"` for a child run"
        }
        _ => {
            "write a date-time such as `\"2026-05-28T20:26:40Z\"`, or an int of milliseconds since 1970"
        }
    }
}

/// What another language's conversion or length function is written as, after the value:
/// `int(x)` is `x as int`, `len(x)` is `x.size()`.
fn conversion(name: &str) -> Option<&'static str> {
    Some(match name {
        "int" | "integer" | "long" => " as int",
        "str" | "string" | "String" => " as str",
        "double" | "float" => " as double",
        "bool" | "boolean" => " as bool",
        "len" | "length" | "size" | "count" => ".size()",
        _ => return None,
    })
}

/// An operand that keeps its meaning with `as TYPE` or `.size()` after it.
fn simple(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Var(_)
            | ExprKind::Field { .. }
            | ExprKind::Index { .. }
            | ExprKind::Int(_)
            | ExprKind::Double(_)
            | ExprKind::Str(_)
            | ExprKind::Paren(_)
    )
}
