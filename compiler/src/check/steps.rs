//! Checking of the steps beyond task calls: threads, failure handlers, interrupts, external
//! and workflow events, user tasks, child workflows, struct and map builders, task options
//! and workflow settings.

use std::collections::{HashMap, HashSet};

use super::problems::{Assignee, ValueSite};
use super::problems::{ChildKind, Problem, RepeatedSetting, UnknownEventHint, VersionOf};
use super::{Checker, Model, SymbolKind, Ty, WorkflowChecker, assignable, index, names};
use crate::ast::*;
use crate::source::Span;

/// The LittleHorse error types a `catch error TYPE` may name, in kebab-case.
pub const ERROR_TYPES: &[&str] = &[
    "child-failure",
    "var-sub-error",
    "var-mutation-error",
    "user-task-cancelled",
    "timeout",
    "task-failure",
    "var-error",
    "task-error",
    "internal-error",
];

/// True for an expression that runs one step (a node) and so may stand alone, be bound with
/// `let`, or carry `catch` handlers.
pub fn is_step(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Call { .. }
            | ExprKind::DynCall { .. }
            | ExprKind::Await { .. }
            | ExprKind::Spawn(_)
            | ExprKind::Ask(_)
            | ExprKind::RunWf { .. }
            | ExprKind::WaitChild(_)
    )
}

/// The variables a workflow's entrypoint declares at its top level: what `run` may pass.
pub fn entry_inputs(model: &Model, body: &Block) -> Vec<(String, Ty, bool)> {
    body.stmts
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Var(v) if v.access.is_none_or(|(a, _)| a != Access::Inherited) => Some((
                v.name.text.clone(),
                model.resolve_type(&v.ty),
                v.required.is_some(),
            )),
            _ => None,
        })
        .collect()
}

/// The number of steps (nodes) the statement runs directly; `catch` needs exactly one.
fn count_steps(e: &Expr) -> usize {
    let own = usize::from(is_step(e));
    let inner: usize = match &e.kind {
        ExprKind::Call { args, .. } => args.iter().map(count_steps).sum(),
        ExprKind::DynCall { task, args, .. } => {
            count_steps(task) + args.iter().map(count_steps).sum::<usize>()
        }
        ExprKind::Method { recv, args, .. } => {
            count_steps(recv) + args.iter().map(count_steps).sum::<usize>()
        }
        ExprKind::Field { base, .. } => count_steps(base),
        ExprKind::Index { base, index } => count_steps(base) + count_steps(index),
        ExprKind::Binary { lhs, rhs, .. } => count_steps(lhs) + count_steps(rhs),
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Cast(x, _) | ExprKind::Paren(x) => {
            count_steps(x)
        }
        ExprKind::Str(s) => s
            .parts
            .iter()
            .map(|p| match p {
                StrPart::Hole(h) => count_steps(h),
                StrPart::Text(_) => 0,
            })
            .sum(),
        ExprKind::New { fields, .. } | ExprKind::InlineStruct(fields) => {
            fields.iter().map(|(_, v)| count_steps(v)).sum()
        }
        ExprKind::MapLit(entries) => entries
            .iter()
            .map(|(k, v)| count_steps(k) + count_steps(v))
            .sum(),
        _ => 0,
    };
    own + inner
}

impl Checker {
    /// A duration (or int of seconds) that must be a positive whole number of seconds.
    pub(super) fn seconds(&mut self, e: &Expr, what: &str) {
        let bad = match &e.kind {
            ExprKind::Duration(ms) => *ms == 0 || ms % 1000 != 0,
            ExprKind::Int(i) => *i <= 0,
            _ => {
                self.problem(Problem::SecondsNotConstant {
                    what: what.to_string(),
                    span: e.span,
                });
                return;
            }
        };
        if bad {
            self.problem(Problem::SecondsNotPositive {
                what: what.to_string(),
                span: e.span,
            });
        }
    }

    /// The options of an `event` declaration.
    pub(super) fn event_options(&mut self, e: &EventDecl) {
        if let Some(ttl) = e.correlated.as_ref().and_then(|c| c.ttl.as_ref()) {
            self.seconds(ttl, "a correlation ttl");
        }
        if let Some(r) = &e.retention {
            self.seconds(r, "a retention");
        }
    }

    /// A `user-task` form: a UserTaskDef whose fields are str, int, double or bool.
    pub(super) fn user_task(&mut self, u: &UserTaskDecl) {
        self.lh_name(&u.name, "user task");
        if self.model.user_tasks.contains_key(&u.name.text) {
            self.problem(Problem::Duplicate {
                what: "user task",
                name: u.name.text.clone(),
                span: u.name.span,
                first: None,
            });
            return;
        }
        let mut fields = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for f in &u.fields {
            if let Some(prev) = seen.insert(&f.name.text, f.name.span) {
                self.duplicate(&f.name, prev, "field");
            }
            let ty = self.ty(&f.ty);
            let ok = matches!(
                ty,
                Ty::Prim(Prim::Str | Prim::Int | Prim::Double | Prim::Bool) | Ty::Error
            );
            if !ok {
                self.problem(Problem::FormFieldType {
                    span: f.ty.span(),
                    ty: ty.clone(),
                });
            }
            fields.push((f.name.text.clone(), ty));
        }
        self.model.user_tasks.insert(u.name.text.clone(), fields);
    }
}

impl WorkflowChecker<'_> {
    /// Records the `parent` setting before the body is checked (inherited variables need it).
    pub(super) fn scan_settings(&mut self, body: &Block) {
        for stmt in &body.stmts {
            if let StmtKind::Setting { name, .. } = &stmt.kind
                && name.text == "parent"
            {
                self.parent = Some(stmt.span);
            }
        }
    }

    /// Reports an `inherited` variable in a workflow without `parent`.
    pub(super) fn inherited_needs_parent(&mut self, v: &VarDecl) {
        if let Some((Access::Inherited, span)) = v.access
            && self.parent.is_none()
        {
            self.cx.problem(Problem::InheritedWithoutParent {
                name: v.name.text.clone(),
                span,
            });
        }
    }

    /// `retention D`, `parent name`.
    pub(super) fn setting(&mut self, name: &Name, value: &Expr, span: Span) {
        if let Some(first) = self.settings.insert(name.text.clone(), span) {
            self.cx.problem(Problem::SettingTwice {
                setting: RepeatedSetting::Line(name.text.clone()),
                span,
                first,
            });
        }
        self.workflow_setting_here(span, &name.text);
        match name.text.as_str() {
            "retention" => self.seconds(value, "a retention"),
            _ => match &value.kind {
                ExprKind::Var(wf) => {
                    self.cx.record_global(SymbolKind::Workflow, wf);
                    self.cx.lh_name(wf, "workflow");
                }
                _ => {
                    self.cx
                        .problem(Problem::ParentNotWorkflowName { span: value.span });
                }
            },
        }
    }

    /// Reports a workflow setting (`setting`: its keyword) written anywhere but directly in
    /// the workflow's body: the setting applies to the whole WfSpec, whatever runs.
    pub(super) fn workflow_setting_here(&mut self, span: Span, setting: &str) {
        if self.thread != 0 || self.lets.len() > 1 {
            self.cx.problem(Problem::WorkflowSettingNotTop {
                setting: setting.to_string(),
                span,
            });
        }
    }

    /// Reports a thread setting (`setting`: its keyword) written inside a block of its
    /// thread.
    pub(super) fn thread_setting_here(&mut self, span: Span, setting: &str) {
        if self.lets.len() != self.thread_base {
            self.cx.problem(Problem::ThreadSettingInBlock {
                setting: setting.to_string(),
                span,
            });
        }
    }

    /// Reports a setting given twice; `key` identifies it (per thread where it applies per
    /// thread).
    pub(super) fn setting_once(&mut self, key: String, span: Span, setting: RepeatedSetting) {
        if let Some(first) = self.settings.insert(key, span) {
            self.cx.problem(Problem::SettingTwice {
                setting,
                span,
                first,
            });
        }
    }

    /// A duration (or int of seconds) that must be a positive whole number of seconds.
    pub(super) fn seconds(&mut self, e: &Expr, what: &str) {
        self.cx.seconds(e, what);
    }

    /// A number of seconds: a constant (checked as [`Self::seconds`]) or any `int`
    /// expression, read when the step runs (LittleHorse takes a `VariableAssignment`).
    pub(super) fn seconds_or_int(&mut self, t: &Expr, what: &str, noun: &str) {
        match t.kind {
            ExprKind::Duration(_) | ExprKind::Int(_) => self.seconds(t, what),
            _ => {
                let tt = self.expr(t);
                if !(tt == Ty::INT || tt.is_unknown()) {
                    self.cx.problem(Problem::SecondsType {
                        noun: noun.to_string(),
                        span: t.span,
                        ty: tt,
                    });
                }
            }
        }
    }

    /// `retries N`, `timeout D`, `backoff A..B xM`.
    pub(super) fn task_opts(&mut self, opts: &TaskOpts) {
        if let Some(r) = &opts.retries
            && !matches!(r.kind, ExprKind::Int(i) if i >= 0 && i <= i64::from(i32::MAX))
        {
            self.cx.problem(Problem::RetriesNotCount { span: r.span });
        }
        if let Some(t) = &opts.timeout {
            self.seconds(t, "a task timeout");
        }
        if let Some(b) = &opts.backoff {
            let ms = |e: &Expr| match e.kind {
                ExprKind::Duration(ms) if ms > 0 => Some(ms),
                _ => None,
            };
            match (ms(&b.base), ms(&b.max)) {
                (Some(base), Some(max)) if base <= max && base <= i32::MAX as u64 => {}
                _ => {
                    self.cx.problem(Problem::BackoffRange { span: b.span });
                }
            }
            if b.multiplier.is_some_and(|m| m < 1.0) {
                self.cx.problem(Problem::BackoffMultiplier { span: b.span });
            }
        }
    }

    /// Checks a body that runs as its own thread. `input` binds the thread's `INPUT`
    /// variable under a name of the user's choice.
    pub(super) fn thread_body(&mut self, body: &Block, input: Option<(&Name, Ty)>) {
        let saved_thread = self.thread;
        self.thread = self.next_thread;
        self.next_thread += 1;
        let saved_base = std::mem::replace(&mut self.thread_base, self.lets.len() + 1);
        let saved_returns = std::mem::take(&mut self.returns);
        let before: HashSet<String> = self.vars.keys().cloned().collect();
        self.thread_scopes.push(body.span);
        if let Some((name, ty)) = &input {
            self.define(SymbolKind::Binding, name, ty, Some(body.span));
        }
        if let Some((name, ty)) = input
            && !self.declare_name_conflict(name)
        {
            self.vars.insert(
                name.text.clone(),
                super::VarEntry {
                    ty,
                    span: name.span,
                    stmt: name.span,
                    used: true,
                    warn_unused: false,
                },
            );
        }
        self.block(body);
        if !self.has_syntax_errors {
            self.returns_agree(body);
        }
        self.returns = saved_returns;
        // The thread's own variables end with it; report those never used.
        let mut unused: Vec<(String, Span, Span)> = self
            .vars
            .iter()
            .filter(|(k, v)| {
                !before.contains(*k)
                    && v.warn_unused
                    && !v.used
                    && !self.has_syntax_errors
                    && v.ty != Ty::Error
            })
            .map(|(k, v)| (k.clone(), v.span, v.stmt))
            .collect();
        unused.sort_by_key(|(_, span, _)| *span);
        for (name, span, stmt) in unused {
            self.unused_variable(&name, span, stmt);
        }
        self.vars.retain(|k, _| before.contains(k));
        self.thread_scopes.pop();
        self.thread_base = saved_base;
        self.thread = saved_thread;
    }

    fn thread_name(&mut self, name: &Name) {
        self.define(SymbolKind::Thread, name, &Ty::Thread, None);
        self.cx.lh_name(name, "thread");
        if name.text == "entrypoint" {
            self.cx
                .problem(Problem::EntrypointThreadName { span: name.span });
        } else if let Some(prev) = self.thread_names.insert(name.text.clone(), name.span) {
            self.cx.problem(Problem::DuplicateThread {
                name: name.text.clone(),
                span: name.span,
                first: prev,
            });
        }
    }

    fn event_payload(&mut self, event: &Name, workflow_event: bool) -> Option<Option<Ty>> {
        let table = if workflow_event {
            &self.cx.model.workflow_events
        } else {
            &self.cx.model.events
        };
        if let Some(p) = table.get(&event.text) {
            let p = p.clone();
            let kind = if workflow_event {
                SymbolKind::WorkflowEvent
            } else {
                SymbolKind::Event
            };
            self.cx.record_global(kind, event);
            return Some(p);
        }
        let candidates: Vec<&str> = table.keys().map(String::as_str).collect();
        let hint = match names::closest(&event.text, candidates) {
            Some(c) => UnknownEventHint::DidYouMean(c.to_string()),
            None => {
                let (decl_kind, keyword) = if workflow_event {
                    (super::declare::DeclKind::WorkflowEvent, "workflow-event")
                } else {
                    (super::declare::DeclKind::Event, "event")
                };
                let decl = format!("{keyword} {}", event.text);
                UnknownEventHint::Declare {
                    fix: self.cx.outline.declare(decl_kind, &decl, event.span),
                }
            }
        };
        self.cx.problem(Problem::UnknownEvent {
            workflow_event,
            name: event.text.clone(),
            span: event.span,
            hint,
        });
        None
    }

    /// `on event [(payload)] { ... }`
    pub(super) fn interrupt(
        &mut self,
        event: &Name,
        binding: Option<&Name>,
        binding_ty: Option<&TypeExpr>,
        body: &Block,
    ) {
        let payload = self.event_payload(event, false);
        if let Some(prev) = self.awaited.get(&event.text).copied() {
            self.both_node_and_interrupt(event.span, prev);
        }
        if let Some(prev) = self.interrupts.insert(event.text.clone(), event.span) {
            self.cx.problem(Problem::DuplicateInterrupt {
                event: event.text.clone(),
                span: event.span,
                first: prev,
            });
        }
        if self.lets.len() != self.thread_base {
            self.cx
                .problem(Problem::InterruptInBlock { span: event.span });
        }
        let payload = payload.flatten();
        let ty = self.binding_type(
            binding,
            binding_ty,
            payload,
            "the event has no payload type",
        );
        self.thread_body(body, binding.map(|b| (b, ty)));
    }

    fn both_node_and_interrupt(&mut self, span: Span, prev: Span) {
        self.cx
            .problem(Problem::AwaitedAndInterrupt { span, other: prev });
    }

    /// `emit event [value]`
    pub(super) fn emit(&mut self, event: &Name, value: Option<&Expr>) {
        let payload = self.event_payload(event, true);
        let vt = value.map(|v| (v, self.expr(v)));
        if let Some(None) = payload
            && let Some((v, _)) = &vt
        {
            self.cx.problem(Problem::UnexpectedPayload {
                event: event.text.clone(),
                span: v.span,
                removal: Span {
                    start: event.span.end,
                    end: v.span.end,
                },
            });
        }
        if let Some(Some(pt)) = payload {
            match vt {
                Some((v, _)) if self.json_into_typed(v, &pt) => {
                    self.json_error(ValueSite::Other, v, &pt);
                }
                Some((v, Ty::Void)) => self.void_output(v),
                Some((v, t)) if !assignable(&t, &pt) => {
                    self.cx.problem(Problem::PayloadType {
                        event: event.text.clone(),
                        span: v.span,
                        expected: pt,
                        found: t,
                    });
                }
                None => {
                    self.cx.problem(Problem::MissingPayload {
                        event: event.text.clone(),
                        span: event.span,
                        expected: pt,
                    });
                }
                _ => {}
            }
        }
    }

    /// `wait a, b` / `wait first of a, b` / `wait child`
    pub(super) fn wait(&mut self, strategy: WaitStrategy, targets: &[Expr], span: Span) {
        let tys: Vec<Ty> = targets.iter().map(|t| self.expr(t)).collect();
        // The handles are the names bound by `let`; the lowering finds what each holds by
        // its name.
        if let Some(other) = targets
            .iter()
            .zip(&tys)
            .find(|(e, t)| !matches!(e.kind, ExprKind::Var(_)) && **t != Ty::Error)
        {
            let sleep_at = (targets.len() == 1
                && strategy == WaitStrategy::All
                && matches!(other.0.kind, ExprKind::Duration(_)))
            .then(|| Span::new(span.start as usize, span.start as usize + 4));
            self.cx.problem(Problem::WaitNotName {
                span: other.0.span,
                sleep_at,
            });
            return;
        }
        let all_threads = tys.iter().all(|t| matches!(t, Ty::Thread | Ty::Error));
        let one_list = tys.len() == 1 && matches!(tys[0], Ty::Threads);
        let one_child = tys.len() == 1 && matches!(tys[0], Ty::ChildWf);
        let name_of = |e: &Expr| match &e.kind {
            ExprKind::Var(n) => n.text.clone(),
            _ => "handle".to_string(),
        };
        if one_child && strategy != WaitStrategy::All {
            self.cx.problem(Problem::WaitStrategyOnChild {
                span,
                handle: name_of(&targets[0]),
            });
        }
        if all_threads || one_list || one_child {
            return;
        }
        let children: Vec<&Expr> = targets
            .iter()
            .zip(&tys)
            .filter(|(_, t)| matches!(t, Ty::ChildWf))
            .map(|(e, _)| e)
            .collect();
        if children.len() == tys.len() {
            self.cx.problem(Problem::WaitSeveralChildren {
                span,
                handles: children.iter().map(|e| name_of(e)).collect(),
            });
            return;
        }
        let (target, t) = targets
            .iter()
            .zip(&tys)
            .find(|(_, t)| !matches!(t, Ty::Thread | Ty::Error))
            .map_or((span, Ty::Error), |(e, t)| (e.span, t.clone()));
        self.cx.problem(Problem::WaitTargetType {
            span: target,
            ty: t,
        });
    }

    /// The type of a name bound to a thread's `INPUT`: the written annotation (which must fit
    /// the known type), else the known type; without either it is E0231.
    fn binding_type(
        &mut self,
        binding: Option<&Name>,
        annotation: Option<&TypeExpr>,
        known: Option<Ty>,
        why: &str,
    ) -> Ty {
        let Some(name) = binding else {
            return Ty::Any;
        };
        match (annotation, known) {
            (Some(t), known) => {
                let written = self.cx.ty(t);
                if let Some(k) = known
                    && !assignable(&k, &written)
                {
                    self.cx.problem(Problem::BindingType {
                        name: name.text.clone(),
                        span: t.span(),
                        known: k,
                        written: written.clone(),
                    });
                }
                written
            }
            (None, Some(k)) => k,
            (None, None) => {
                self.cx.problem(Problem::UntypedBinding {
                    name: name.text.clone(),
                    span: name.span,
                    why: why.to_string(),
                });
                Ty::Error
            }
        }
    }

    /// `wait c` as a value: the output of the child workflow `c` started with `run`.
    pub(super) fn wait_child(&mut self, name: &Name) -> Ty {
        let t = self.use_var(name);
        if !matches!(t, Ty::ChildWf | Ty::Error) {
            self.cx.problem(Problem::WaitOutputNotChild {
                name: name.text.clone(),
                span: name.span,
                ty: t,
            });
            return Ty::Error;
        }
        Ty::Any
    }

    /// `catch` handlers on a statement: each runs as its own thread.
    pub(super) fn catches(&mut self, stmt: &Stmt) {
        let steps = match &stmt.kind {
            StmtKind::Let { value, .. } | StmtKind::Expr(value) => count_steps(value),
            StmtKind::Assign { value, .. } => count_steps(value),
            StmtKind::Wait { .. } => 1,
            _ => 0,
        };
        if let Some(first) = stmt.catches.first()
            && steps != 1
        {
            self.cx.problem(Problem::CatchStepCount {
                span: first.span,
                steps,
            });
        }
        self.catch_sites(stmt);
        let mut seen: HashMap<String, Span> = HashMap::new();
        for c in &stmt.catches {
            let key = match &c.spec {
                CatchSpec::Named(n) => {
                    if names::RESERVED_FAILURES.contains(&n.text.as_str()) {
                        self.cx.problem(Problem::ErrorTypeAsException {
                            name: n.text.clone(),
                            span: n.span,
                            error: n.text.to_ascii_lowercase().replace('_', "-"),
                        });
                    } else if !names::is_valid_lh_name(&n.text) {
                        self.cx.lh_name(n, "exception");
                    }
                    n.text.clone()
                }
                CatchSpec::Error(n) => {
                    if !ERROR_TYPES.contains(&n.text.as_str()) {
                        let kebab = n.text.to_ascii_lowercase().replace('_', "-");
                        let close = ERROR_TYPES
                            .iter()
                            .copied()
                            .find(|t| *t == kebab)
                            .or_else(|| names::closest(&n.text, ERROR_TYPES.iter().copied()));
                        self.cx.problem(Problem::UnknownErrorType {
                            name: n.text.clone(),
                            span: n.span,
                            suggestion: close,
                        });
                    }
                    format!("error {}", n.text)
                }
                CatchSpec::AnyError => "error".to_string(),
                CatchSpec::AnyException => "exception".to_string(),
                CatchSpec::Any => "any".to_string(),
            };
            let key = match c.site {
                CatchSite::Wait => format!("wait {key}"),
                CatchSite::Step | CatchSite::EachThread => key,
            };
            if let Some(prev) = seen.insert(key, c.span) {
                self.cx.problem(Problem::DuplicateCatch {
                    span: c.span,
                    first: prev,
                });
            }
            let ty = self.binding_type(
                c.binding.as_ref(),
                c.binding_ty.as_ref(),
                None,
                "a failure's content has no type the compiler can know",
            );
            self.thread_body(&c.body, c.binding.as_ref().map(|b| (b, ty)));
        }
    }

    pub(super) fn dyn_call(&mut self, task: &Expr, args: &[Expr], opts: &TaskOpts) -> Ty {
        self.task_opts(opts);
        let t = self.expr(task);
        if !(t == Ty::STR || t.is_unknown()) {
            self.cx.problem(Problem::TaskNameType {
                span: task.span,
                ty: t,
            });
        }
        for a in args {
            let at = self.expr(a);
            if at == Ty::Void {
                self.void_output(a);
            }
        }
        Ty::Any
    }

    pub(super) fn await_event(
        &mut self,
        event: &Name,
        timeout: Option<&Expr>,
        correlation: Option<&Expr>,
    ) -> Ty {
        let payload = self.event_payload(event, false);
        if let Some(prev) = self.interrupts.get(&event.text).copied() {
            self.both_node_and_interrupt(event.span, prev);
        }
        self.awaited.entry(event.text.clone()).or_insert(event.span);
        if let Some(t) = timeout {
            self.seconds_or_int(t, "an event timeout", "a timeout");
        }
        if let Some(c) = correlation {
            let ct = self.expr(c);
            if !(ct == Ty::STR || ct.is_unknown()) {
                self.cx.problem(Problem::CorrelationKeyType {
                    span: c.span,
                    ty: ct,
                });
            }
        }
        match payload {
            Some(Some(t)) => t,
            Some(None) => Ty::Any,
            None => Ty::Error,
        }
    }

    pub(super) fn spawn(&mut self, sp: &Spawn) -> Ty {
        self.thread_name(&sp.name);
        let mut item_ty = None;
        if let Some((_, list)) = &sp.each {
            let lt = self.expr(list);
            item_ty = Some(match &lt {
                Ty::Array(e) => (**e).clone(),
                Ty::Prim(Prim::JsonArr) => Ty::Any,
                t if t.is_unknown() => Ty::Any,
                t => {
                    self.cx.problem(Problem::SpawnListType {
                        span: list.span,
                        ty: t.clone(),
                    });
                    Ty::Error
                }
            });
        }
        // Inputs are evaluated in the parent thread.
        let input_tys: Vec<Ty> = sp.inputs.iter().map(|(_, v)| self.expr(v)).collect();
        let declared: HashMap<String, (Ty, bool)> = sp
            .body
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Var(v) => Some((
                    v.name.text.clone(),
                    (self.cx.model.resolve_type(&v.ty), v.required.is_some()),
                )),
                _ => None,
            })
            .collect();
        for ((name, value), vt) in sp.inputs.iter().zip(&input_tys) {
            if let Some(target) = index::declared_var(&sp.body.stmts, &name.text)
                && let Some(rec) = self.rec()
            {
                rec.reference(name.span, target);
            }
            match declared.get(&name.text) {
                None => {
                    self.cx.problem(Problem::UnknownThreadInput {
                        thread: sp.name.text.clone(),
                        name: name.text.clone(),
                        span: name.span,
                    });
                }
                Some((t, _)) if self.json_into_typed(value, t) => {
                    self.json_error(ValueSite::Other, value, t);
                }
                Some((t, _)) if !assignable(vt, t) => {
                    self.cx.problem(Problem::InputType {
                        name: name.text.clone(),
                        span: value.span,
                        expected: t.clone(),
                        found: vt.clone(),
                    });
                }
                _ => {}
            }
        }
        let mut missing: Vec<&String> = declared
            .iter()
            .filter(|(name, (_, required))| {
                *required && !sp.inputs.iter().any(|(n, _)| n.text == **name)
            })
            .map(|(name, _)| name)
            .collect();
        missing.sort();
        for name in missing {
            self.cx.problem(Problem::MissingInput {
                child: ChildKind::Thread,
                child_name: sp.name.text.clone(),
                input: name.clone(),
                span: sp.name.span,
            });
        }
        let item = sp
            .each
            .as_ref()
            .map(|(item, _)| item)
            .filter(|i| !i.text.is_empty());
        let known = item_ty.filter(|t| !matches!(t, Ty::Any | Ty::Null));
        let ty = self.binding_type(
            item,
            sp.each_ty.as_ref(),
            known,
            "the list's elements have no static type",
        );
        let binding = item.map(|i| (i, ty));
        self.thread_body(&sp.body, binding);
        if sp.each.is_some() {
            Ty::Threads
        } else {
            Ty::Thread
        }
    }

    fn owner(&mut self, e: &Expr, who: Assignee) {
        let t = self.expr(e);
        if !(t == Ty::STR || t.is_unknown()) {
            self.cx.problem(Problem::AssigneeType {
                who,
                span: e.span,
                ty: t,
            });
        }
        if let ExprKind::Str(s) = &e.kind
            && s.as_plain().is_some_and(|p| p.trim().is_empty())
        {
            self.cx
                .problem(Problem::BlankAssignee { who, span: e.span });
        }
    }

    pub(super) fn ask(&mut self, ask: &Ask) -> Ty {
        self.cx.record_global(SymbolKind::UserTask, &ask.form);
        let form = self.cx.model.user_tasks.get(&ask.form.text).cloned();
        if form.is_none() {
            let candidates: Vec<&str> = self
                .cx
                .model
                .user_tasks
                .keys()
                .map(String::as_str)
                .collect();
            let suggestion = names::closest(&ask.form.text, candidates).map(str::to_string);
            self.cx.problem(Problem::UnknownUserTask {
                name: ask.form.text.clone(),
                span: ask.form.span,
                suggestion,
            });
        }
        if ask.user.is_none() && ask.group.is_none() {
            self.cx.problem(Problem::Unassigned {
                form: ask.form.text.clone(),
                span: ask.form.span,
            });
        }
        if let Some(u) = &ask.user {
            self.owner(u, Assignee::User);
        }
        if let Some(g) = &ask.group {
            self.owner(g, Assignee::Group);
        }
        if let Some(n) = &ask.notes {
            self.expr(n);
        }
        if let Some(e) = &ask.on_cancel {
            self.exception_name(e);
        }
        if let Some((v, span)) = ask.version
            && i32::try_from(v).is_err()
        {
            self.cx.problem(Problem::VersionOutOfRange {
                of: VersionOf::UserTaskForm,
                span,
            });
        }
        for a in &ask.actions {
            self.seconds_or_int(&a.after, "a user task deadline", "a user task deadline");
            match &a.kind {
                UserTaskActionKind::Reassign { user, group } => {
                    if ask.user.is_none() && ask.group.is_some() {
                        self.group_only_reassign(a);
                    }
                    if user.is_none() && group.is_none() {
                        self.cx.problem(Problem::ReassignToNobody { span: a.span });
                    }
                    if let Some(u) = user {
                        self.owner(u, Assignee::User);
                    }
                    if let Some(g) = group {
                        self.owner(g, Assignee::Group);
                    }
                }
                UserTaskActionKind::Release => {
                    if ask.user.is_none() || ask.group.is_none() {
                        self.cx
                            .problem(Problem::ReleaseWithoutBoth { span: a.span });
                    }
                }
                UserTaskActionKind::Remind { task, args } => {
                    let call = Expr {
                        kind: ExprKind::Call {
                            callee: task.clone(),
                            args: args.clone(),
                            opts: Box::default(),
                        },
                        span: a.span,
                    };
                    self.expr(&call);
                }
                UserTaskActionKind::Cancel => {}
            }
        }
        Ty::Prim(Prim::JsonObj)
    }

    /// W0002: LittleHorse reassigns a user task only while a user holds it
    /// (`UserTaskRunModel.deadlineReassign` returns unless the status is ASSIGNED, and
    /// `ON_TASK_ASSIGNED` triggers are scheduled only when a user is assigned), so a task
    /// that sits in its group unclaimed is never reassigned.
    fn group_only_reassign(&mut self, action: &UserTaskAction) {
        self.cx.problem(Problem::GroupOnlyReassign {
            span: action.span,
            on_arrival: action.on_assignment == Some(false),
        });
    }

    /// `run workflow(NAME)(...)`, `with id ID` and `version N`: the name and the id are
    /// `str`s (the server requires a STR `wf_spec_var`), the version a non-negative int32.
    pub(super) fn run_options(
        &mut self,
        dynamic: Option<&Expr>,
        child_id: Option<&Expr>,
        version: Option<(i64, Span)>,
    ) {
        for (e, what, example) in [
            (
                dynamic,
                "a workflow name",
                "run workflow(\"billing-{region}\")(amount: 3)",
            ),
            (child_id, "a child run id", "with id \"invoice-{order-id}\""),
        ] {
            let Some(e) = e else { continue };
            let t = self.expr(e);
            if !(t == Ty::STR || t.is_unknown()) {
                self.cx.problem(Problem::StrOption {
                    what: what.to_string(),
                    example: example.to_string(),
                    span: e.span,
                    ty: t,
                });
            }
        }
        if let Some((v, span)) = version
            && i32::try_from(v).is_err()
        {
            self.cx.problem(Problem::VersionOutOfRange {
                of: VersionOf::Workflow,
                span,
            });
        }
    }

    pub(super) fn run_wf(&mut self, workflow: &Name, inputs: &[(Name, Expr)]) -> Ty {
        self.cx.record_global(SymbolKind::Workflow, workflow);
        if let Some(rec) = self.cx.rec.as_mut() {
            for (name, _) in inputs {
                rec.member(SymbolKind::Variable, &workflow.text, &name.text, name.span);
            }
        }
        let child = self.cx.model.workflows.get(&workflow.text).cloned();
        let tys: Vec<Ty> = inputs.iter().map(|(_, v)| self.expr(v)).collect();
        let Some(vars) = child else {
            let candidates: Vec<&str> =
                self.cx.model.workflows.keys().map(String::as_str).collect();
            let suggestion = names::closest(&workflow.text, candidates).map(str::to_string);
            self.cx.problem(Problem::UnknownWorkflow {
                name: workflow.text.clone(),
                span: workflow.span,
                suggestion,
            });
            return Ty::ChildWf;
        };
        for ((name, value), vt) in inputs.iter().zip(&tys) {
            match vars.iter().find(|(n, _, _)| *n == name.text) {
                None => {
                    self.cx.problem(Problem::UnknownWorkflowInput {
                        workflow: workflow.text.clone(),
                        name: name.text.clone(),
                        span: name.span,
                        inputs: vars.iter().map(|v| v.0.clone()).collect(),
                    });
                }
                Some((_, t, _)) if self.json_into_typed(value, t) => {
                    self.json_error(ValueSite::Other, value, t);
                }
                Some((_, t, _)) if !assignable(vt, t) => {
                    self.cx.problem(Problem::InputType {
                        name: name.text.clone(),
                        span: value.span,
                        expected: t.clone(),
                        found: vt.clone(),
                    });
                }
                _ => {}
            }
        }
        for (name, _, required) in &vars {
            if *required && !inputs.iter().any(|(n, _)| n.text == *name) {
                self.cx.problem(Problem::MissingInput {
                    child: ChildKind::Workflow,
                    child_name: workflow.text.clone(),
                    input: name.to_string(),
                    span: workflow.span,
                });
            }
        }
        Ty::ChildWf
    }
}
