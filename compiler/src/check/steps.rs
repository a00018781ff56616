//! Checking of the steps beyond task calls: threads, failure handlers, interrupts, external
//! and workflow events, user tasks, child workflows, struct and map builders, task options
//! and workflow settings.

use std::collections::{HashMap, HashSet};

use super::{Checker, Model, Ty, WorkflowChecker, assignable, names};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
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
        ExprKind::Call { args, .. } | ExprKind::DynCall { args, .. } => {
            args.iter().map(count_steps).sum()
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
        _ => 0,
    };
    own + inner
}

impl Checker {
    /// A `user-task` form: a UserTaskDef whose fields are str, int, double or bool.
    pub(super) fn user_task(&mut self, u: &UserTaskDecl) {
        self.lh_name(&u.name, "user task");
        if self.model.user_tasks.contains_key(&u.name.text) {
            self.diags.push(
                Diagnostic::error(
                    Code::E0103,
                    u.name.span,
                    format!("the user task `{}` is declared twice", u.name.text),
                )
                .with_label("declared again here")
                .with_help("rename one of the user tasks or remove the duplicate"),
            );
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
                self.diags.push(
                    Diagnostic::error(
                        Code::E0106,
                        f.ty.span(),
                        format!("user task fields cannot be `{ty}`"),
                    )
                    .with_label("not a form field type")
                    .with_help("user task fields are str, int, double or bool"),
                );
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
            self.err(
                Diagnostic::error(
                    Code::E0225,
                    span,
                    format!(
                        "`{}` is inherited, but the workflow has no parent",
                        v.name.text
                    ),
                )
                .with_label("reads the parent workflow's variable")
                .with_help("name the parent workflow with `parent <workflow>` in this workflow"),
            );
        }
    }

    /// `retention D`, `parent name`.
    pub(super) fn setting(&mut self, name: &Name, value: &Expr, span: Span) {
        if let Some(prev) = self.settings.insert(name.text.clone(), span) {
            self.err(
                Diagnostic::error(Code::E0305, span, format!("`{}` is set twice", name.text))
                    .with_label("set again here")
                    .with_secondary(prev, "first set here")
                    .with_help(format!("keep one `{}` line", name.text)),
            );
        }
        if self.thread != 0 || self.lets.len() > 1 {
            self.err(
                Diagnostic::error(
                    Code::E0304,
                    span,
                    format!("`{}` is a workflow setting", name.text),
                )
                .with_label("not at the top of the workflow")
                .with_help("write workflow settings directly in the workflow's body"),
            );
        }
        match name.text.as_str() {
            "retention" => self.seconds(value, "a retention"),
            _ => match &value.kind {
                ExprKind::Var(wf) => self.cx.lh_name(wf, "workflow"),
                _ => self.err(
                    Diagnostic::error(Code::E0304, value.span, "`parent` takes a workflow name")
                        .with_label("not a workflow name")
                        .with_help("write `parent <workflow-name>`"),
                ),
            },
        }
    }

    /// A duration (or int of seconds) that must be a positive whole number of seconds.
    pub(super) fn seconds(&mut self, e: &Expr, what: &str) {
        let bad = match &e.kind {
            ExprKind::Duration(ms) => *ms == 0 || ms % 1000 != 0,
            ExprKind::Int(i) => *i <= 0,
            _ => true,
        };
        if bad {
            self.err(
                Diagnostic::error(
                    Code::E0306,
                    e.span,
                    format!("{what} needs a positive number of whole seconds"),
                )
                .with_label("not a positive whole number of seconds")
                .with_help("write a duration constant such as `30s`, `10m`, `1h` or `2d`"),
            );
        }
    }

    /// `retries N`, `timeout D`, `backoff A..B xM`.
    pub(super) fn task_opts(&mut self, opts: &TaskOpts) {
        if let Some(r) = &opts.retries
            && !matches!(r.kind, ExprKind::Int(i) if i >= 0 && i <= i64::from(i32::MAX))
        {
            self.err(
                Diagnostic::error(Code::E0226, r.span, "`retries` takes a non-negative int")
                    .with_label("not a retry count")
                    .with_help(
                        "write the number of retries after the first attempt, e.g. `retries 3`",
                    ),
            );
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
                _ => self.err(
                    Diagnostic::error(
                        Code::E0226,
                        b.span,
                        "`backoff` needs positive durations, the first no larger than the second",
                    )
                    .with_label("invalid backoff")
                    .with_help("write e.g. `backoff 500ms..30s x2`: first delay, largest delay, growth factor"),
                ),
            }
            if b.multiplier.is_some_and(|m| m < 1.0) {
                self.err(
                    Diagnostic::error(
                        Code::E0226,
                        b.span,
                        "the backoff multiplier must be at least 1",
                    )
                    .with_label("delays would shrink")
                    .with_help("use a factor such as `x2`"),
                );
            }
        }
    }

    /// Checks a body that runs as its own thread. `input` binds the thread's `INPUT`
    /// variable under a name of the user's choice.
    pub(super) fn thread_body(&mut self, body: &Block, input: Option<(&Name, Ty)>) {
        let saved_thread = self.thread;
        self.thread = self.next_thread;
        self.next_thread += 1;
        let saved_returns = std::mem::take(&mut self.returns);
        let before: HashSet<String> = self.vars.keys().cloned().collect();
        if let Some((name, ty)) = input
            && !self.declare_name_conflict(name)
        {
            self.vars.insert(
                name.text.clone(),
                super::VarEntry {
                    ty,
                    span: name.span,
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
        self.vars.retain(|k, _| before.contains(k));
        self.thread = saved_thread;
    }

    fn thread_name(&mut self, name: &Name) {
        self.cx.lh_name(name, "thread");
        if name.text == "entrypoint" {
            self.err(
                Diagnostic::error(
                    Code::E0112,
                    name.span,
                    "`entrypoint` is the workflow's own thread",
                )
                .with_label("reserved thread name")
                .with_help("name the spawned thread after what it does"),
            );
        } else if let Some(prev) = self.thread_names.insert(name.text.clone(), name.span) {
            self.err(
                Diagnostic::error(
                    Code::E0112,
                    name.span,
                    format!("a thread named `{}` already exists", name.text),
                )
                .with_label("spawned again here")
                .with_secondary(prev, "first spawned here")
                .with_help("each spawned thread needs its own name"),
            );
        }
    }

    fn event_payload(&mut self, event: &Name, workflow_event: bool) -> Option<Option<Ty>> {
        let table = if workflow_event {
            &self.cx.model.workflow_events
        } else {
            &self.cx.model.events
        };
        if let Some(p) = table.get(&event.text) {
            return Some(p.clone());
        }
        let candidates: Vec<&str> = table.keys().map(String::as_str).collect();
        let (kind, keyword) = if workflow_event {
            ("workflow event", "workflow-event")
        } else {
            ("event", "event")
        };
        let mut d = Diagnostic::error(
            Code::E0109,
            event.span,
            format!("unknown {kind} `{}`", event.text),
        )
        .with_label(format!("no {kind} with this name is declared"));
        d = match names::closest(&event.text, candidates) {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help(format!(
                "declare it: `{keyword} {}: <payload type>`",
                event.text
            )),
        };
        self.err(d);
        None
    }

    /// `on event [(payload)] { ... }`
    pub(super) fn interrupt(&mut self, event: &Name, binding: Option<&Name>, body: &Block) {
        let payload = self.event_payload(event, false);
        if let Some(prev) = self.awaited.get(&event.text).copied() {
            self.both_node_and_interrupt(event.span, prev);
        }
        if let Some(prev) = self.interrupts.insert(event.text.clone(), event.span) {
            self.err(
                Diagnostic::error(
                    Code::E0224,
                    event.span,
                    format!("`{}` already interrupts this workflow", event.text),
                )
                .with_label("second handler")
                .with_secondary(prev, "first handler")
                .with_help("LittleHorse allows one interrupt handler per event; merge the two"),
            );
        }
        if self.thread != 0 || self.lets.len() > 1 {
            self.err(
                Diagnostic::error(
                    Code::E0304,
                    event.span,
                    "interrupt handlers belong to a thread's top level",
                )
                .with_label("inside a block")
                .with_help(
                    "move the `on` block to the top of the workflow (or of the spawned thread)",
                ),
            );
        }
        let ty = payload.flatten().unwrap_or(Ty::Any);
        self.thread_body(body, binding.map(|b| (b, ty)));
    }

    fn both_node_and_interrupt(&mut self, span: Span, prev: Span) {
        self.err(
            Diagnostic::error(
                Code::E0224,
                span,
                "an event cannot be both awaited and an interrupt",
            )
            .with_label("used here")
            .with_secondary(prev, "also used here")
            .with_help("declare a second event for one of the two uses"),
        );
    }

    /// `emit event [value]`
    pub(super) fn emit(&mut self, event: &Name, value: Option<&Expr>) {
        let payload = self.event_payload(event, true);
        let vt = value.map(|v| (v, self.expr(v)));
        if let Some(Some(pt)) = payload {
            match vt {
                Some((v, t)) if !assignable(&t, &pt) => self.err(
                    Diagnostic::error(
                        Code::E0203,
                        v.span,
                        format!("`{}` carries a `{pt}`, found `{t}`", event.text),
                    )
                    .with_label(format!("this is a `{t}`"))
                    .with_help(format!("emit a `{pt}` value")),
                ),
                None => self.err(
                    Diagnostic::error(
                        Code::E0203,
                        event.span,
                        format!("`{}` carries a `{pt}`", event.text),
                    )
                    .with_label("no payload given")
                    .with_help(format!("write `emit {} <value>`", event.text)),
                ),
                _ => {}
            }
        }
    }

    /// `wait a, b` / `wait first of a, b` / `wait child`
    pub(super) fn wait(&mut self, strategy: WaitStrategy, targets: &[Expr], span: Span) {
        let tys: Vec<Ty> = targets.iter().map(|t| self.expr(t)).collect();
        let all_threads = tys.iter().all(|t| matches!(t, Ty::Thread | Ty::Error));
        let one_list = tys.len() == 1 && matches!(tys[0], Ty::Threads);
        let one_child = tys.len() == 1 && matches!(tys[0], Ty::ChildWf);
        if one_child && strategy != WaitStrategy::All {
            self.err(
                Diagnostic::error(
                    Code::E0221,
                    span,
                    "`first of` and `any of` wait for threads",
                )
                .with_label("a child workflow has no strategy")
                .with_help("write `wait child`"),
            );
        }
        if !(all_threads || one_list || one_child) {
            let (target, t) = targets
                .iter()
                .zip(&tys)
                .find(|(_, t)| !matches!(t, Ty::Thread | Ty::Error))
                .map_or((span, Ty::Error), |(e, t)| (e.span, t.clone()));
            self.err(
                Diagnostic::error(
                    Code::E0221,
                    target,
                    format!("cannot wait for a `{t}`"),
                )
                .with_label("not a thread handle")
                .with_help("wait for handles from `let t = spawn ...` (several threads, or one `spawn ... for` list), or for one `let c = run ...`"),
            );
        }
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
            self.err(
                Diagnostic::error(
                    Code::E0222,
                    first.span,
                    format!("`catch` needs a statement that runs one step, this one runs {steps}"),
                )
                .with_label("nothing single to attach to")
                .with_help("split the statement so that the step you want to guard stands alone"),
            );
        }
        let mut seen: HashMap<String, Span> = HashMap::new();
        for c in &stmt.catches {
            let key = match &c.spec {
                CatchSpec::Named(n) => {
                    if names::RESERVED_FAILURES.contains(&n.text.as_str()) {
                        self.err(
                            Diagnostic::error(
                                Code::E0223,
                                n.span,
                                format!("`{}` is an error type, not an exception", n.text),
                            )
                            .with_label("write errors in kebab-case after `error`")
                            .with_help(format!(
                                "write `catch error {}`",
                                n.text.to_ascii_lowercase().replace('_', "-")
                            )),
                        );
                    } else if !names::is_valid_lh_name(&n.text) {
                        self.cx.lh_name(n, "exception");
                    }
                    n.text.clone()
                }
                CatchSpec::Error(n) => {
                    if !ERROR_TYPES.contains(&n.text.as_str()) {
                        let mut d = Diagnostic::error(
                            Code::E0223,
                            n.span,
                            format!("`{}` is not a LittleHorse error type", n.text),
                        )
                        .with_label("unknown error type");
                        d = match names::closest(&n.text, ERROR_TYPES.iter().copied()) {
                            Some(c) => d.with_help(format!("did you mean `{c}`?")),
                            None => d.with_help(format!(
                                "the error types are {}",
                                ERROR_TYPES.join(", ")
                            )),
                        };
                        self.err(d);
                    }
                    format!("error {}", n.text)
                }
                CatchSpec::AnyError => "error".to_string(),
                CatchSpec::AnyException => "exception".to_string(),
                CatchSpec::Any => "any".to_string(),
            };
            if let Some(prev) = seen.insert(key, c.span) {
                self.err(
                    Diagnostic::error(Code::E0223, c.span, "this failure is already caught")
                        .with_label("second handler")
                        .with_secondary(prev, "first handler")
                        .with_help("LittleHorse runs the first matching handler; remove this one"),
                );
            }
            self.thread_body(&c.body, c.binding.as_ref().map(|b| (b, Ty::Any)));
        }
    }

    pub(super) fn dyn_call(&mut self, task: &Expr, args: &[Expr], opts: &TaskOpts) -> Ty {
        self.task_opts(opts);
        let t = self.expr(task);
        if !(t == Ty::STR || t.is_unknown()) {
            self.err(
                Diagnostic::error(
                    Code::E0202,
                    task.span,
                    format!("a task name is a `str`, found `{t}`"),
                )
                .with_label(format!("this is a `{t}`"))
                .with_help(
                    "pass the TaskDef name as a str, e.g. `task(\"process-{kind}\")(order)`",
                ),
            );
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
            match t.kind {
                ExprKind::Duration(_) | ExprKind::Int(_) => self.seconds(t, "an event timeout"),
                _ => {
                    let tt = self.expr(t);
                    if !(tt == Ty::INT || tt.is_unknown()) {
                        self.err(
                            Diagnostic::error(
                                Code::E0203,
                                t.span,
                                format!("a timeout is an int of seconds, found `{tt}`"),
                            )
                            .with_label(format!("this is a `{tt}`"))
                            .with_help("write a duration such as `1h`"),
                        );
                    }
                }
            }
        }
        if let Some(c) = correlation {
            let ct = self.expr(c);
            if !(ct == Ty::STR || ct.is_unknown()) {
                self.err(
                    Diagnostic::error(
                        Code::E0203,
                        c.span,
                        format!("a correlation key is a `str`, found `{ct}`"),
                    )
                    .with_label(format!("this is a `{ct}`"))
                    .with_help("convert it: `... as str`"),
                );
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
                    self.err(
                        Diagnostic::error(
                            Code::E0203,
                            list.span,
                            format!("`spawn ... for` needs a list, found `{t}`"),
                        )
                        .with_label(format!("this is a `{t}`"))
                        .with_help("iterate over a json-arr or a typed array"),
                    );
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
            match declared.get(&name.text) {
                None => self.err(
                    Diagnostic::error(
                        Code::E0228,
                        name.span,
                        format!(
                            "thread `{}` declares no variable `{}`",
                            sp.name.text, name.text
                        ),
                    )
                    .with_label("not an input of the child thread")
                    .with_help(format!(
                        "declare it at the top of the thread's body: `input {}: <type>`",
                        name.text
                    )),
                ),
                Some((t, _)) if !assignable(vt, t) => self.err(
                    Diagnostic::error(
                        Code::E0203,
                        value.span,
                        format!("input `{}` is a `{t}`, found `{vt}`", name.text),
                    )
                    .with_label(format!("this is a `{vt}`"))
                    .with_help(format!("pass a `{t}`")),
                ),
                _ => {}
            }
        }
        for (name, (_, required)) in &declared {
            if *required && !sp.inputs.iter().any(|(n, _)| n.text == *name) {
                self.err(
                    Diagnostic::error(
                        Code::E0228,
                        sp.name.span,
                        format!("thread `{}` requires the input `{name}`", sp.name.text),
                    )
                    .with_label("required input missing")
                    .with_help(format!("pass it: `spawn {}({name}: ...)`", sp.name.text)),
                );
            }
        }
        let binding = sp
            .each
            .as_ref()
            .filter(|(item, _)| !item.text.is_empty())
            .map(|(item, _)| (item, item_ty.unwrap_or(Ty::Any)));
        self.thread_body(&sp.body, binding);
        if sp.each.is_some() {
            Ty::Threads
        } else {
            Ty::Thread
        }
    }

    fn owner(&mut self, e: &Expr, what: &str) {
        let t = self.expr(e);
        if !(t == Ty::STR || t.is_unknown()) {
            self.err(
                Diagnostic::error(
                    Code::E0227,
                    e.span,
                    format!("a {what} is a `str`, found `{t}`"),
                )
                .with_label(format!("this is a `{t}`"))
                .with_help("pass the id as a str"),
            );
        }
        if let ExprKind::Str(s) = &e.kind
            && s.as_plain().is_some_and(|p| p.trim().is_empty())
        {
            self.err(
                Diagnostic::error(Code::E0227, e.span, format!("the {what} is blank"))
                    .with_label("empty")
                    .with_help(format!("name the {what}")),
            );
        }
    }

    pub(super) fn ask(&mut self, ask: &Ask) -> Ty {
        let form = self.cx.model.user_tasks.get(&ask.form.text).cloned();
        if form.is_none() {
            let candidates: Vec<&str> = self
                .cx
                .model
                .user_tasks
                .keys()
                .map(String::as_str)
                .collect();
            let mut d = Diagnostic::error(
                Code::E0111,
                ask.form.span,
                format!("unknown user task `{}`", ask.form.text),
            )
            .with_label("no user task form with this name");
            d = match names::closest(&ask.form.text, candidates) {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None => d.with_help(format!(
                    "declare it: `user-task {} {{ field: type }}`",
                    ask.form.text
                )),
            };
            self.err(d);
        }
        if ask.user.is_none() && ask.group.is_none() {
            self.err(
                Diagnostic::error(
                    Code::E0227,
                    ask.form.span,
                    "a user task needs a user or a group",
                )
                .with_label("assigned to nobody")
                .with_help(format!(
                    "write `ask {} to user \"...\"` or `to group \"...\"`",
                    ask.form.text
                )),
            );
        }
        if let Some(u) = &ask.user {
            self.owner(u, "user");
        }
        if let Some(g) = &ask.group {
            self.owner(g, "group");
        }
        if let Some(n) = &ask.notes {
            self.expr(n);
        }
        if let Some(e) = &ask.on_cancel
            && (names::RESERVED_FAILURES.contains(&e.text.as_str())
                || !names::is_valid_lh_name(&e.text))
        {
            self.cx.lh_name(e, "exception");
        }
        for a in &ask.actions {
            self.seconds(&a.after, "a user task deadline");
            match &a.kind {
                UserTaskActionKind::Reassign { user, group } => {
                    if user.is_none() && group.is_none() {
                        self.err(
                            Diagnostic::error(Code::E0227, a.span, "reassign to whom?")
                                .with_label("no user or group")
                                .with_help(
                                    "write `reassign to user \"...\"` or `to group \"...\"`",
                                ),
                        );
                    }
                    if let Some(u) = user {
                        self.owner(u, "user");
                    }
                    if let Some(g) = group {
                        self.owner(g, "group");
                    }
                }
                UserTaskActionKind::Release => {
                    if ask.user.is_none() || ask.group.is_none() {
                        self.err(
                            Diagnostic::error(
                                Code::E0227,
                                a.span,
                                "`release to group` needs both a user and a group",
                            )
                            .with_label("nothing to release from or to")
                            .with_help("assign the task `to user \"...\" group \"...\"`"),
                        );
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

    pub(super) fn run_wf(&mut self, workflow: &Name, inputs: &[(Name, Expr)]) -> Ty {
        let child = self.cx.model.workflows.get(&workflow.text).cloned();
        let tys: Vec<Ty> = inputs.iter().map(|(_, v)| self.expr(v)).collect();
        let Some(vars) = child else {
            let candidates: Vec<&str> =
                self.cx.model.workflows.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error(
                Code::E0110,
                workflow.span,
                format!("unknown workflow `{}`", workflow.text),
            )
            .with_label("no workflow with this name in this file");
            d = match names::closest(&workflow.text, candidates) {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None => d.with_help("declare the child workflow in the same file"),
            };
            self.err(d);
            return Ty::ChildWf;
        };
        for ((name, value), vt) in inputs.iter().zip(&tys) {
            match vars.iter().find(|(n, _, _)| *n == name.text) {
                None => self.err(
                    Diagnostic::error(
                        Code::E0228,
                        name.span,
                        format!(
                            "workflow `{}` has no variable `{}`",
                            workflow.text, name.text
                        ),
                    )
                    .with_label("not an input of the child workflow")
                    .with_help(format!(
                        "the inputs are: {}",
                        vars.iter()
                            .map(|v| v.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
                Some((_, t, _)) if !assignable(vt, t) => self.err(
                    Diagnostic::error(
                        Code::E0203,
                        value.span,
                        format!("input `{}` is a `{t}`, found `{vt}`", name.text),
                    )
                    .with_label(format!("this is a `{vt}`"))
                    .with_help(format!("pass a `{t}`")),
                ),
                _ => {}
            }
        }
        for (name, _, required) in &vars {
            if *required && !inputs.iter().any(|(n, _)| n.text == *name) {
                self.err(
                    Diagnostic::error(
                        Code::E0228,
                        workflow.span,
                        format!("workflow `{}` requires the input `{name}`", workflow.text),
                    )
                    .with_label("required input missing")
                    .with_help(format!("pass it: `run {}({name}: ...)`", workflow.text)),
                );
            }
        }
        Ty::ChildWf
    }

    pub(super) fn new_struct(&mut self, name: &Name, fields: &[(Name, Expr)]) -> Ty {
        let sig = self.cx.model.structs.get(&name.text).cloned();
        let Some(sig) = sig else {
            self.cx.ty(&TypeExpr::Named(name.clone()));
            for (_, v) in fields {
                self.expr(v);
            }
            return Ty::Error;
        };
        for (fname, value) in fields {
            let vt = self.expr(value);
            match sig.fields.iter().find(|(f, _)| *f == fname.text) {
                None => self.err(
                    Diagnostic::error(
                        Code::E0212,
                        fname.span,
                        format!("struct `{}` has no field `{}`", name.text, fname.text),
                    )
                    .with_label("unknown field")
                    .with_help(format!(
                        "its fields are: {}",
                        sig.fields
                            .iter()
                            .map(|f| f.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
                Some((_, ft)) if !assignable(&vt, ft) => self.err(
                    Diagnostic::error(
                        Code::E0203,
                        value.span,
                        format!("field `{}` is a `{ft}`, found `{vt}`", fname.text),
                    )
                    .with_label(format!("this is a `{vt}`"))
                    .with_help(format!("give it a `{ft}`")),
                ),
                _ => {}
            }
        }
        Ty::Struct(name.text.clone())
    }

    pub(super) fn map_lit(&mut self, entries: &[(Expr, Expr)]) -> Ty {
        let mut key_ty = Ty::Any;
        let mut value_ty = Ty::Any;
        for (i, (k, v)) in entries.iter().enumerate() {
            let kt = self.expr(k);
            let vt = self.expr(v);
            if i == 0 {
                key_ty = kt;
                value_ty = vt;
            }
        }
        Ty::Map(Box::new(key_ty), Box::new(value_ty))
    }
}
