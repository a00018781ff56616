//! Lowering of the steps beyond plain task calls: sub-threads (spawn, failure handlers,
//! interrupts), waits, events, user tasks, child workflows, struct builders, task options
//! and workflow settings. Names and shapes follow sdk-java, as the conformance canon does.

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;
use pb::variable_assignment::Source;

use super::thread::ThreadBuilder;
use super::values::{int_value, literal, str_value, variable_type};
use super::{Lowerer, node_output, type_definition};
use crate::ast::*;
use crate::check::{Model, Ty};

/// What a `let` handle holds, for `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Handle {
    /// One spawned thread (its number variable).
    Thread,
    /// Threads spawned for each element of a list (a JSON array of numbers).
    Threads,
    /// A child workflow run (the RUN_CHILD_WF node's output).
    Child,
}

impl Handle {
    /// The handle a step expression produces, if any.
    pub(super) fn of(e: &Expr) -> Option<Handle> {
        match &e.kind {
            ExprKind::Spawn(sp) if sp.each.is_some() => Some(Handle::Threads),
            ExprKind::Spawn(_) => Some(Handle::Thread),
            ExprKind::RunWf { .. } => Some(Handle::Child),
            _ => None,
        }
    }
}

/// Whole seconds of a checked duration or int constant.
pub(super) fn seconds(e: &Expr) -> Option<i64> {
    match e.kind {
        ExprKind::Duration(ms) => i64::try_from(ms / 1000).ok(),
        ExprKind::Int(i) => Some(i),
        _ => None,
    }
}

fn seconds_literal(e: &Expr) -> pb::VariableAssignment {
    literal(int_value(seconds(e).unwrap_or(0)))
}

/// The `PutUserTaskDefRequest` of a `user-task` form.
pub(super) fn user_task_def(u: &UserTaskDecl, model: &Model) -> pb::PutUserTaskDefRequest {
    pb::PutUserTaskDefRequest {
        name: u.name.text.clone(),
        fields: u
            .fields
            .iter()
            .map(|f| pb::UserTaskField {
                name: f.name.text.clone(),
                r#type: match model.resolve_type(&f.ty) {
                    Ty::Prim(p) => variable_type(p) as i32,
                    _ => pb::VariableType::Str as i32,
                },
                description: f.description.as_ref().and_then(StrLit::as_plain),
                display_name: f
                    .display_name
                    .as_ref()
                    .and_then(StrLit::as_plain)
                    .unwrap_or_else(|| f.name.text.clone()),
                required: f.required,
            })
            .collect(),
        description: u.description.as_ref().and_then(StrLit::as_plain),
    }
}

/// The `PutExternalEventDefRequest` of an `event` declaration.
pub(super) fn external_event_def(e: &EventDecl, model: &Model) -> pb::PutExternalEventDefRequest {
    pb::PutExternalEventDefRequest {
        name: e.name.text.clone(),
        retention_policy: e.retention.as_ref().and_then(seconds).map(|s| {
            pb::ExternalEventRetentionPolicy {
                ext_evt_gc_policy: Some(
                    pb::external_event_retention_policy::ExtEvtGcPolicy::SecondsAfterPut(s),
                ),
            }
        }),
        content_type: e.payload.as_ref().map(|t| pb::ReturnType {
            return_type: Some(super::values::pinned(
                t,
                type_definition(&model.resolve_type(t), false),
            )),
        }),
        correlated_event_config: e.correlated.as_ref().map(|c| pb::CorrelatedEventConfig {
            ttl_seconds: c.ttl.as_ref().and_then(seconds),
            delete_after_first_correlation: c.once,
        }),
    }
}

fn handler(
    name: String,
    catch: Option<pb::failure_handler_def::FailureToCatch>,
) -> pb::FailureHandlerDef {
    pb::FailureHandlerDef {
        handler_spec_name: name,
        failure_to_catch: catch,
    }
}

fn error_name(kebab: &str) -> String {
    kebab.to_ascii_uppercase().replace('-', "_")
}

impl Lowerer<'_> {
    /// Reads the workflow settings and defaults before anything is lowered, so that defaults
    /// apply to every task wherever it is written.
    pub(super) fn settings(&mut self, body: &Block) {
        for stmt in &body.stmts {
            match &stmt.kind {
                StmtKind::Setting { name, value } => match name.text.as_str() {
                    "retention" => self.retention = seconds(value),
                    _ => {
                        if let ExprKind::Var(n) = &value.kind {
                            self.parent = Some(n.text.clone());
                        }
                    }
                },
                StmtKind::DefaultTask(opts) => {
                    let defaults = &mut self.defaults;
                    if opts.retries.is_some() {
                        defaults.retries.clone_from(&opts.retries);
                    }
                    if opts.timeout.is_some() {
                        defaults.timeout.clone_from(&opts.timeout);
                    }
                    if opts.backoff.is_some() {
                        defaults.backoff.clone_from(&opts.backoff);
                    }
                }
                StmtKind::DefaultThreadRetention(e) => self.default_thread_retention = seconds(e),
                _ => {}
            }
        }
    }

    /// A thread's retention policy: its own, else the workflow default.
    pub(super) fn thread_policy(&self, own: Option<i64>) -> Option<pb::ThreadRetentionPolicy> {
        own.or(self.default_thread_retention)
            .map(|s| pb::ThreadRetentionPolicy {
                thread_gc_policy: Some(
                    pb::thread_retention_policy::ThreadGcPolicy::SecondsAfterThreadTermination(s),
                ),
            })
    }

    /// A task node with the call's options, or the workflow defaults where it sets none.
    pub(super) fn task_node(
        &mut self,
        task: pb::task_node::TaskToExecute,
        variables: Vec<pb::VariableAssignment>,
        opts: &TaskOpts,
    ) -> pb::TaskNode {
        let retries = opts.retries.as_ref().or(self.defaults.retries.as_ref());
        let timeout = opts.timeout.as_ref().or(self.defaults.timeout.as_ref());
        let backoff = opts.backoff.as_ref().or(self.defaults.backoff.as_ref());
        pb::TaskNode {
            timeout_seconds: timeout
                .and_then(seconds)
                .and_then(|s| i32::try_from(s).ok())
                .unwrap_or(0),
            retries: retries
                .and_then(seconds)
                .and_then(|r| i32::try_from(r).ok())
                .unwrap_or(0),
            exponential_backoff: backoff.map(|b| {
                let ms = |e: &Expr| match e.kind {
                    ExprKind::Duration(ms) => ms,
                    _ => 0,
                };
                pb::ExponentialBackoffRetryPolicy {
                    base_interval_ms: i32::try_from(ms(&b.base)).unwrap_or(i32::MAX),
                    max_delay_ms: i64::try_from(ms(&b.max)).unwrap_or(i64::MAX),
                    multiplier: b.multiplier.unwrap_or(2.0) as f32,
                }
            }),
            variables,
            task_to_execute: Some(task),
        }
    }

    /// `task(name)(args)`: the node is named after the variable, or the format template.
    pub(super) fn dyn_call(
        &mut self,
        task: &Expr,
        args: &[Expr],
        opts: &TaskOpts,
    ) -> pb::VariableAssignment {
        let name_va = self.expr(task);
        let human = match &task.kind {
            ExprKind::Var(n) => n.text.clone(),
            _ => match &name_va.source {
                Some(Source::FormatString(f)) => {
                    match f.format.as_deref().and_then(|v| v.source.as_ref()) {
                        Some(Source::LiteralValue(pb::VariableValue {
                            value: Some(pb::variable_value::Value::Str(s)),
                        })) => s.clone(),
                        _ => "task".to_string(),
                    }
                }
                Some(Source::LiteralValue(pb::VariableValue {
                    value: Some(pb::variable_value::Value::Str(s)),
                })) => s.clone(),
                _ => "task".to_string(),
            },
        };
        let variables = args.iter().map(|a| self.expr(a)).collect();
        let node = self.task_node(
            pb::task_node::TaskToExecute::DynamicTask(name_va),
            variables,
            opts,
        );
        let name = self.thread.add_node(&human, NodeKind::Task(node));
        node_output(name)
    }

    pub(super) fn await_event(
        &mut self,
        event: &Name,
        timeout: Option<&Expr>,
        correlation: Option<&Expr>,
        mask: KeyMask,
    ) -> pb::VariableAssignment {
        let masked = match mask {
            KeyMask::Masked => true,
            KeyMask::Unmasked => false,
            KeyMask::Inferred => correlation.is_some_and(|c| self.reads_masked(c)),
        };
        let timeout_seconds = timeout.map(|t| match seconds(t) {
            Some(_) => seconds_literal(t),
            None => self.expr(t),
        });
        let correlation_key = correlation.map(|c| self.expr(c));
        let node = self.thread.add_node(
            &event.text,
            NodeKind::ExternalEvent(pb::ExternalEventNode {
                external_event_def_id: Some(pb::ExternalEventDefId {
                    name: event.text.clone(),
                }),
                timeout_seconds,
                correlation_key,
                mask_correlation_key: masked,
            }),
        );
        node_output(node)
    }

    /// Whether `e` reads a variable declared `masked` (a correlation key built from a secret
    /// is a secret too, as the SDKs mask a key that is a masked variable).
    fn reads_masked(&self, e: &Expr) -> bool {
        let mut found = false;
        crate::ide::walk::expr(e, &mut |x| {
            if let ExprKind::Var(n) = &x.kind {
                found |= self.masked_vars.contains(&n.text);
            }
        });
        found
    }

    /// Lowers `body` as its own ThreadSpec named `name`; `input` binds its `INPUT` variable.
    pub(super) fn sub_thread(&mut self, name: &str, body: &Block, input: Option<(&Name, Ty)>) {
        let saved_thread = std::mem::replace(&mut self.thread, ThreadBuilder::new());
        self.thread.span_hint = body.span;
        let saved_lets = std::mem::take(&mut self.lets);
        let saved_retention = self.thread_retention.take();
        let binding_name = input.as_ref().map(|(b, _)| b.text.clone());
        let saved_rename = binding_name.as_ref().and_then(|b| self.renames.remove(b));
        if let Some((binding, ty)) = input {
            self.thread.var_defs.push(pb::ThreadVarDef {
                var_def: Some(pb::VariableDef {
                    name: "INPUT".to_string(),
                    type_def: Some(type_definition(&ty, false)),
                    ..Default::default()
                }),
                required: false,
                searchable: false,
                json_indexes: Vec::new(),
                access_level: pb::WfRunVariableAccessLevel::PrivateVar as i32,
            });
            self.renames
                .insert(binding.text.clone(), "INPUT".to_string());
            self.var_types.insert("INPUT".to_string(), ty);
        }
        self.block(body);
        self.thread.span_hint = body.span;
        let builder = std::mem::replace(&mut self.thread, saved_thread);
        let (mut spec, spans) = builder.finish_with_spans();
        self.thread_node_spans.push((name.to_string(), spans));
        spec.retention_policy = self.thread_policy(self.thread_retention);
        self.thread_retention = saved_retention;
        self.lets = saved_lets;
        if let Some(binding) = binding_name {
            self.renames.remove(&binding);
            if let Some(old) = saved_rename {
                self.renames.insert(binding, old);
            }
        }
        self.threads.push((name.to_string(), spec));
    }

    pub(super) fn spawn(&mut self, sp: &Spawn) -> pb::VariableAssignment {
        let variables = sp
            .inputs
            .iter()
            .map(|(n, v)| (n.text.clone(), self.expr(v)))
            .collect();
        let (node, var_ty) = match &sp.each {
            None => {
                let node = self.thread.add_node(
                    &sp.name.text,
                    NodeKind::StartThread(pb::StartThreadNode {
                        thread_spec_name: sp.name.text.clone(),
                        variables,
                    }),
                );
                self.sub_thread(&sp.name.text, &sp.body, None);
                (node, Ty::INT)
            }
            Some((item, list)) => {
                let iterable = self.expr(list);
                let node = self.thread.add_node(
                    &sp.name.text,
                    NodeKind::StartMultipleThreads(pb::StartMultipleThreadsNode {
                        thread_spec_name: sp.name.text.clone(),
                        variables,
                        iterable: Some(iterable),
                    }),
                );
                let item_ty = match (&sp.each_ty, self.var_type_of(list)) {
                    (Some(t), _) => self.model.resolve_type(t),
                    (None, Ty::Array(e)) => *e,
                    (None, _) => Ty::Any,
                };
                let input = (!item.text.is_empty()).then_some((item, item_ty));
                self.sub_thread(&sp.name.text, &sp.body, input);
                (node, Ty::Prim(Prim::JsonArr))
            }
        };
        // sdk-java keeps the thread number(s) in a variable named after the node.
        self.thread.var_defs.push(pb::ThreadVarDef {
            var_def: Some(pb::VariableDef {
                name: node.clone(),
                type_def: Some(type_definition(&var_ty, false)),
                ..Default::default()
            }),
            required: false,
            searchable: false,
            json_indexes: Vec::new(),
            access_level: pb::WfRunVariableAccessLevel::PrivateVar as i32,
        });
        self.var_types.insert(node.clone(), var_ty);
        self.thread.pending_mutations.push(pb::VariableMutation {
            lhs_name: node.clone(),
            lhs_json_path: None,
            lhs_lh_path: None,
            operation: pb::VariableMutationType::Assign as i32,
            rhs_value: Some(pb::variable_mutation::RhsValue::RhsAssignment(node_output(
                node.clone(),
            ))),
        });
        pb::VariableAssignment {
            source: Some(Source::VariableName(node)),
            ..Default::default()
        }
    }

    fn var_type_of(&self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Var(n) => self.var_types.get(&n.text).cloned().unwrap_or(Ty::Any),
            _ => Ty::Any,
        }
    }

    /// `run`: a RUN_CHILD_WF node, named `run-{workflow}`, or `run-child-wf` when the WfSpec
    /// is chosen at run time (`wf_spec_var`), as sdk-java's `runWf` names it; the major
    /// version is -1 (the server pins the latest) unless `version N` pins it.
    pub(super) fn run_wf(
        &mut self,
        workflow: &Name,
        inputs: &[(Name, Expr)],
        dynamic: Option<&Expr>,
        child_id: Option<&Expr>,
        version: Option<i64>,
    ) -> pb::VariableAssignment {
        let (human, wf_spec) = match dynamic {
            Some(d) => (
                "run-child-wf".to_string(),
                pb::run_child_wf_node::WfSpec::WfSpecVar(self.expr(d)),
            ),
            None => (
                format!("run-{}", workflow.text),
                pb::run_child_wf_node::WfSpec::WfSpecName(workflow.text.clone()),
            ),
        };
        let inputs = inputs
            .iter()
            .map(|(n, v)| (n.text.clone(), self.expr(v)))
            .collect();
        let child_id = child_id.map(|c| self.expr(c));
        let node = self.thread.add_node(
            &human,
            NodeKind::RunChildWf(pb::RunChildWfNode {
                major_version: version.and_then(|v| i32::try_from(v).ok()).unwrap_or(-1),
                inputs,
                child_id,
                wf_spec: Some(wf_spec),
            }),
        );
        node_output(node)
    }

    pub(super) fn inline_struct(&mut self, fields: &[(Name, Expr)]) -> pb::InlineStructBuilder {
        let mut out = std::collections::BTreeMap::new();
        for (name, value) in fields {
            let v = match &value.kind {
                ExprKind::InlineStruct(inner) => {
                    pb::inline_struct_field_value::StructValue::SubStructure(
                        self.inline_struct(inner),
                    )
                }
                _ => pb::inline_struct_field_value::StructValue::SimpleValue(self.expr(value)),
            };
            out.insert(
                name.text.clone(),
                pb::InlineStructFieldValue {
                    struct_value: Some(v),
                },
            );
        }
        pb::InlineStructBuilder { fields: out }
    }

    pub(super) fn ask(&mut self, ask: &Ask) -> pb::VariableAssignment {
        use pb::ut_action_trigger::{Action, UtHook, UtaCancel, UtaReassign, UtaTask};
        let user_id = ask.user.as_ref().map(|u| self.expr(u));
        let user_group = ask.group.as_ref().map(|g| self.expr(g));
        let notes = ask.notes.as_ref().map(|n| self.expr(n));
        let mut actions = Vec::new();
        for a in &ask.actions {
            let (action, default_on_assignment) = match &a.kind {
                UserTaskActionKind::Reassign { user, group } => {
                    // sdk-java always sets the user (a null literal when none is given).
                    let user = Some(match user {
                        Some(u) => self.expr(u),
                        None => literal(pb::VariableValue { value: None }),
                    });
                    let group = group.as_ref().map(|g| self.expr(g));
                    (
                        Action::Reassign(UtaReassign {
                            user_id: user,
                            user_group: group,
                        }),
                        true,
                    )
                }
                UserTaskActionKind::Release => (
                    Action::Reassign(UtaReassign {
                        user_id: None,
                        user_group: user_group.clone(),
                    }),
                    true,
                ),
                UserTaskActionKind::Remind { task, args } => {
                    let variables = args.iter().map(|x| self.expr(x)).collect();
                    let node = self.task_node(
                        pb::task_node::TaskToExecute::TaskDefId(pb::TaskDefId {
                            name: task.text.clone(),
                        }),
                        variables,
                        &TaskOpts::default(),
                    );
                    (
                        Action::Task(UtaTask {
                            task: Some(node),
                            mutations: Vec::new(),
                        }),
                        false,
                    )
                }
                UserTaskActionKind::Cancel => (Action::Cancel(UtaCancel {}), false),
            };
            let hook = if a.on_assignment.unwrap_or(default_on_assignment) {
                UtHook::OnTaskAssigned
            } else {
                UtHook::OnArrival
            };
            actions.push(pb::UtActionTrigger {
                delay_seconds: Some(match seconds(&a.after) {
                    Some(_) => seconds_literal(&a.after),
                    None => self.expr(&a.after),
                }),
                hook: hook as i32,
                action: Some(action),
            });
        }
        let node = self.thread.add_node(
            &ask.form.text,
            NodeKind::UserTask(pb::UserTaskNode {
                user_task_def_name: ask.form.text.clone(),
                user_group,
                user_id,
                actions,
                user_task_def_version: ask.version.and_then(|(v, _)| i32::try_from(v).ok()),
                notes,
                on_cancellation_exception_name: ask
                    .on_cancel
                    .as_ref()
                    .map(|e| literal(str_value(e.text.clone()))),
            }),
        );
        node_output(node)
    }

    /// `on event [(payload)] { ... }`: thread `interrupt-<event>` and an InterruptDef on the
    /// current thread.
    pub(super) fn interrupt(
        &mut self,
        event: &Name,
        binding: Option<&Name>,
        binding_ty: Option<&TypeExpr>,
        body: &Block,
    ) {
        let name = format!("interrupt-{}", event.text);
        let payload = match binding_ty {
            Some(t) => self.model.resolve_type(t),
            None => self
                .model
                .events
                .get(&event.text)
                .cloned()
                .flatten()
                .unwrap_or(Ty::Prim(Prim::JsonObj)),
        };
        self.sub_thread(&name, body, binding.map(|b| (b, payload)));
        self.thread.interrupt_defs.push(pb::InterruptDef {
            external_event_def_id: Some(pb::ExternalEventDefId {
                name: event.text.clone(),
            }),
            handler_spec_name: name,
        });
    }

    pub(super) fn emit(&mut self, event: &Name, value: Option<&Expr>) {
        let content = value.map(|v| self.expr(v));
        self.thread.add_node(
            &format!("throw-{}", event.text),
            NodeKind::ThrowEvent(pb::ThrowEventNode {
                event_def_id: Some(pb::WorkflowEventDefId {
                    name: event.text.clone(),
                }),
                content,
            }),
        );
    }

    pub(super) fn wait(&mut self, strategy: WaitStrategy, targets: &[Expr], catches: &[Catch]) {
        use pb::wait_for_threads_node::{ThreadToWaitFor, ThreadsToWaitFor, ThreadsToWaitForOneOf};
        let handle = |e: &Expr| match &e.kind {
            ExprKind::Var(n) => self.handles.get(&n.text).copied(),
            _ => None,
        };
        let kinds: Vec<Option<Handle>> = targets.iter().map(handle).collect();
        if let [Some(Handle::Child)] = kinds.as_slice()
            && let ExprKind::Var(name) = &targets[0].kind
        {
            let out = self.wait_child(name);
            if let Some(Source::NodeOutput(n)) = &out.source {
                let node = n.node_name.clone();
                self.node_handlers(&node, catches);
            }
            return;
        }
        let which = if let [Some(Handle::Threads)] = kinds.as_slice() {
            ThreadsToWaitForOneOf::ThreadList(self.expr(&targets[0]))
        } else {
            ThreadsToWaitForOneOf::Threads(ThreadsToWaitFor {
                threads: targets
                    .iter()
                    .map(|t| ThreadToWaitFor {
                        thread_run_number: Some(self.expr(t)),
                    })
                    .collect(),
            })
        };
        let strategy = match strategy {
            WaitStrategy::All => pb::WaitForThreadsStrategy::WaitForAll,
            WaitStrategy::First => pb::WaitForThreadsStrategy::WaitForFirst,
            WaitStrategy::Any => pb::WaitForThreadsStrategy::WaitForAny,
        };
        let node = self.thread.add_node(
            "threads",
            NodeKind::WaitForThreads(pb::WaitForThreadsNode {
                per_thread_failure_handlers: Vec::new(),
                strategy: strategy as i32,
                threads_to_wait_for: Some(which),
            }),
        );
        // `catch thread` handles failures of the children, as sdk-java's handle*OnChild
        // do; `catch wait` the node's own failure, as handle*(waitForThreads(...)) does.
        let (on_node, per_thread): (Vec<Catch>, Vec<Catch>) = catches
            .iter()
            .cloned()
            .partition(|c| c.site == CatchSite::Wait);
        self.handlers(&node, &per_thread, HandlerSite::Children);
        self.handlers(&node, &on_node, HandlerSite::Node);
    }

    /// `wait c` for a child workflow: a WAIT_FOR_CHILD_WF node; its output is the child's.
    pub(super) fn wait_child(&mut self, name: &Name) -> pb::VariableAssignment {
        let run = self.expr(&Expr {
            kind: ExprKind::Var(name.clone()),
            span: name.span,
        });
        let source = match &run.source {
            Some(Source::NodeOutput(n)) => n.node_name.clone(),
            _ => String::new(),
        };
        let node = self.thread.add_node(
            "wait",
            NodeKind::WaitForChildWf(pb::WaitForChildWfNode {
                child_wf_run_id: Some(run),
                child_wf_run_source_node: source,
            }),
        );
        node_output(node)
    }

    /// `catch` handlers on the node a statement ran.
    pub(super) fn node_handlers(&mut self, node: &str, catches: &[Catch]) {
        self.handlers(node, catches, HandlerSite::Node);
    }

    /// Lowers each `catch` body into a handler ThreadSpec, named as sdk-java names them, and
    /// registers it on the node (or, for a thread `wait`, per child).
    fn handlers(&mut self, node: &str, catches: &[Catch], site: HandlerSite) {
        use pb::failure_handler_def::{FailureToCatch as F, LhFailureType as T};
        let children = site == HandlerSite::Children;
        for c in catches {
            let (name, catch) = match &c.spec {
                CatchSpec::Named(n) => (
                    format!("exn-handler-{node}-{}", n.text),
                    Some(F::SpecificFailure(n.text.clone())),
                ),
                // On a node, sdk-java concatenates the missing exception name: `...-null`.
                CatchSpec::AnyException => (
                    if children {
                        format!("exn-handler-{node}-FAILURE_TYPE_EXCEPTION")
                    } else {
                        format!("exn-handler-{node}-null")
                    },
                    Some(F::AnyFailureOfType(T::FailureTypeException as i32)),
                ),
                CatchSpec::Error(n) => {
                    let e = error_name(&n.text);
                    let prefix = if children {
                        "error-handler"
                    } else {
                        "exn-handler"
                    };
                    (format!("{prefix}-{node}-{e}"), Some(F::SpecificFailure(e)))
                }
                CatchSpec::AnyError => (
                    if children {
                        format!("error-handler-{node}-FAILURE_TYPE_ERROR")
                    } else {
                        format!("exn-handler-{node}-FAILURE_TYPE_ERROR")
                    },
                    Some(F::AnyFailureOfType(T::FailureTypeError as i32)),
                ),
                CatchSpec::Any => (
                    if children {
                        format!("failure-handler-{node}-ANY_FAILURE")
                    } else {
                        format!("exn-handler-{node}-any-failure")
                    },
                    None,
                ),
            };
            let input = c.binding.as_ref().map(|b| {
                let ty = c
                    .binding_ty
                    .as_ref()
                    .map_or(Ty::Prim(Prim::JsonObj), |t| self.model.resolve_type(t));
                (b, ty)
            });
            self.sub_thread(&name, &c.body, input);
            if children {
                self.thread
                    .add_per_thread_handler(node, handler(name, catch));
            } else {
                self.thread.add_failure_handler(node, handler(name, catch));
            }
        }
    }
}

/// Where `catch` handlers attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandlerSite {
    /// The node's own `failure_handlers`.
    Node,
    /// A WAIT_FOR_THREADS node's `per_thread_failure_handlers`.
    Children,
}
