//! Lowering: the checked AST becomes LittleHorse requests. Runs only on files without errors,
//! so it trusts names and types; the layout (node names, edges, mutations) follows the
//! reference SDK (sdk-java) so that output equals the conformance canon.

mod order;
mod spans;
mod steps;
mod thread;
pub(crate) mod values;

use std::collections::{HashMap, HashSet};

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;
use pb::variable_assignment::{self as va, Source};

use crate::ast::*;
use crate::check::{Model, Ty};
use crate::diag::Diagnostic;
pub use spans::{NodeSpan, NodeSpans};
use thread::ThreadBuilder;
use values::{constant_value, literal, pinned};
pub use values::{encoded_constant, is_typed_literal, type_definition};

/// A thread's name and the span of each of its nodes, sorted by node name.
type ThreadSpans = (String, Vec<(String, crate::source::Span)>);

/// Every request a file compiles to, in declaration order, except that WfSpecs come in
/// deployment order (a workflow after its parent and the workflows it `run`s).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// One `PutWfSpecRequest` per workflow.
    pub wf_specs: Vec<pb::PutWfSpecRequest>,
    /// One `PutTaskDefRequest` per task declaration.
    pub task_defs: Vec<pb::PutTaskDefRequest>,
    /// One `PutExternalEventDefRequest` per event declaration.
    pub external_event_defs: Vec<pb::PutExternalEventDefRequest>,
    /// One `PutWorkflowEventDefRequest` per workflow-event declaration.
    pub workflow_event_defs: Vec<pb::PutWorkflowEventDefRequest>,
    /// One `PutStructDefRequest` per struct declaration.
    pub struct_defs: Vec<pb::PutStructDefRequest>,
    /// One `PutUserTaskDefRequest` per user-task declaration.
    pub user_task_defs: Vec<pb::PutUserTaskDefRequest>,
    /// Where each generated node comes from: `(workflow, thread, node) -> span` of the
    /// statement or step that produced it (automatic entrypoint and exit nodes point at the
    /// workflow's name). Lets tools map server messages naming nodes back to source lines.
    pub node_spans: NodeSpans,
}

/// Lowers a checked file.
#[must_use]
pub fn lower(file: &File, model: &Model) -> (Output, Vec<Diagnostic>) {
    let mut out = Output::default();
    for item in &file.items {
        match item {
            Item::Task(t) => out.task_defs.push(task_def(t, model)),
            Item::Event(e) | Item::WorkflowEvent(e) if e.external => {}
            Item::Event(e) => out
                .external_event_defs
                .push(steps::external_event_def(e, model)),
            Item::WorkflowEvent(e) => {
                out.workflow_event_defs
                    .push(pb::PutWorkflowEventDefRequest {
                        name: e.name.text.clone(),
                        content_type: Some(pb::ReturnType {
                            return_type: e
                                .payload
                                .as_ref()
                                .map(|t| pinned(t, type_definition(&model.resolve_type(t), false))),
                        }),
                    })
            }
            Item::Struct(s) => out.struct_defs.push(struct_def(s, model)),
            Item::UserTask(u) => out.user_task_defs.push(steps::user_task_def(u, model)),
            Item::Workflow(wf) => {
                let (spec, spans) = workflow(wf, model);
                for (thread, nodes) in spans {
                    out.node_spans.insert_thread(&wf.name.text, thread, nodes);
                }
                out.wf_specs.push(spec);
            }
            Item::Error(_) => {}
        }
    }
    out.wf_specs = order::deployment_order(out.wf_specs);
    (out, Vec::new())
}

fn task_def(t: &TaskDecl, model: &Model) -> pb::PutTaskDefRequest {
    pb::PutTaskDefRequest {
        name: t.name.text.clone(),
        input_vars: t
            .params
            .iter()
            .map(|p| pb::VariableDef {
                name: p.name.text.clone(),
                type_def: Some(pinned(
                    &p.ty,
                    type_definition(&model.resolve_type(&p.ty), p.masked),
                )),
                ..Default::default()
            })
            .collect(),
        return_type: Some(pb::ReturnType {
            return_type: t
                .returns
                .as_ref()
                .map(|r| pinned(r, type_definition(&model.resolve_type(r), false))),
        }),
        description: t.description.as_ref().and_then(StrLit::as_plain),
    }
}

fn struct_def(s: &StructDecl, model: &Model) -> pb::PutStructDefRequest {
    let fields = s
        .fields
        .iter()
        .map(|f| {
            let ty = model.resolve_type(&f.ty);
            (
                f.name.text.clone(),
                pb::StructFieldDef {
                    field_type: Some(pinned(&f.ty, type_definition(&ty, f.masked))),
                    default_value: f
                        .default
                        .as_ref()
                        .map(|d| constant_value(d, &ty, &model.structs)),
                    is_nullable: f.nullable,
                    description: f.description.as_ref().and_then(StrLit::as_plain),
                },
            )
        })
        .collect();
    pb::PutStructDefRequest {
        name: s.name.text.clone(),
        description: s.description.as_ref().and_then(StrLit::as_plain),
        struct_def: Some(pb::InlineStructDef { fields }),
        allowed_updates: match s.updates.as_ref().map(|w| w.text.as_str()) {
            Some("compatible") => pb::StructDefCompatibilityType::FullyCompatibleSchemaUpdates,
            _ => pb::StructDefCompatibilityType::NoSchemaUpdates,
        } as i32,
    }
}

fn workflow(wf: &Workflow, model: &Model) -> (pb::PutWfSpecRequest, Vec<ThreadSpans>) {
    let mut lw = Lowerer {
        model,
        thread: ThreadBuilder::new(),
        lets: HashMap::new(),
        var_types: HashMap::new(),
        allowed_updates: pb::AllowedUpdateType::AllUpdates,
        threads: Vec::new(),
        defaults: TaskOpts::default(),
        default_thread_retention: None,
        thread_retention: None,
        retention: None,
        parent: None,
        renames: HashMap::new(),
        masked_vars: HashSet::new(),
        handles: HashMap::new(),
        thread_node_spans: Vec::new(),
    };
    lw.settings(&wf.body);
    lw.thread.span_hint = wf.name.span;
    lw.block(&wf.body);
    lw.thread.span_hint = wf.name.span;
    let allowed_updates = lw.allowed_updates as i32;
    let (mut entry, entry_spans) =
        std::mem::replace(&mut lw.thread, ThreadBuilder::new()).finish_with_spans();
    let mut spans = vec![("entrypoint".to_string(), entry_spans)];
    spans.append(&mut lw.thread_node_spans);
    entry.retention_policy = lw.thread_policy(lw.thread_retention);
    let mut thread_specs: std::collections::BTreeMap<String, pb::ThreadSpec> =
        std::mem::take(&mut lw.threads).into_iter().collect();
    thread_specs.insert("entrypoint".to_string(), entry);
    let spec = pb::PutWfSpecRequest {
        name: wf.name.text.clone(),
        thread_specs,
        entrypoint_thread_name: "entrypoint".to_string(),
        retention_policy: lw.retention.map(|s| pb::WorkflowRetentionPolicy {
            wf_gc_policy: Some(
                pb::workflow_retention_policy::WfGcPolicy::SecondsAfterWfTermination(s),
            ),
        }),
        parent_wf_spec: lw
            .parent
            .clone()
            .map(|name| pb::wf_spec::ParentWfSpecReference {
                wf_spec_name: name,
                wf_spec_major_version: 0,
            }),
        allowed_updates,
    };
    (spec, spans)
}

/// Lowers one thread body.
struct Lowerer<'m> {
    model: &'m Model,
    thread: ThreadBuilder,
    /// `let` bindings: the assignment that reads the bound step's output.
    lets: HashMap<String, pb::VariableAssignment>,
    /// Declared variables and their types, for choosing how paths are written.
    var_types: HashMap<String, Ty>,
    allowed_updates: pb::AllowedUpdateType,
    /// Finished sub-threads (spawned, handlers, interrupts), in discovery order.
    threads: Vec<(String, pb::ThreadSpec)>,
    /// `default task ...` options, applied where a task call sets none.
    defaults: TaskOpts,
    /// `default thread retention` in seconds.
    default_thread_retention: Option<i64>,
    /// `thread retention` of the thread being lowered, in seconds.
    thread_retention: Option<i64>,
    /// `retention` of the workflow, in seconds.
    retention: Option<i64>,
    /// `parent` workflow.
    parent: Option<String>,
    /// Names bound to a thread's `INPUT` variable (`for item in`, `on e(payload)`, `catch x(c)`).
    renames: HashMap<String, String>,
    /// The variables declared `masked`, for masking correlation keys they feed.
    masked_vars: HashSet<String>,
    /// What each `let` handle holds, for `wait`.
    handles: HashMap<String, steps::Handle>,
    /// Node spans of the finished sub-threads.
    thread_node_spans: Vec<ThreadSpans>,
}

fn expression(
    lhs: pb::VariableAssignment,
    op: va::expression::Operation,
    rhs: pb::VariableAssignment,
) -> pb::VariableAssignment {
    pb::VariableAssignment {
        source: Some(Source::Expression(Box::new(va::Expression {
            lhs: Some(Box::new(lhs)),
            rhs: Some(Box::new(rhs)),
            operation: Some(op),
        }))),
        ..Default::default()
    }
}

fn mutation_op(op: pb::VariableMutationType) -> va::expression::Operation {
    va::expression::Operation::MutationType(op as i32)
}

fn comparator(c: pb::Comparator) -> va::expression::Operation {
    va::expression::Operation::Comparator(c as i32)
}

/// The comparator that holds exactly when `c` does not.
fn reverse(c: pb::Comparator) -> pb::Comparator {
    use pb::Comparator as C;
    match c {
        C::LessThan => C::GreaterThanEq,
        C::GreaterThan => C::LessThanEq,
        C::LessThanEq => C::GreaterThan,
        C::GreaterThanEq => C::LessThan,
        C::In => C::NotIn,
        C::NotIn => C::In,
        C::Equals => C::NotEquals,
        C::NotEquals => C::Equals,
    }
}

impl Lowerer<'_> {
    fn block(&mut self, block: &Block) {
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.thread.span_hint = stmt.span;
        let before = self.thread.node_count();
        self.stmt_kind(stmt);
        if !stmt.catches.is_empty()
            && !matches!(stmt.kind, StmtKind::Wait { .. })
            && self.thread.node_count() > before
        {
            let node = self.thread.last.clone();
            self.node_handlers(&node, &stmt.catches);
        }
        if !stmt.catches.is_empty() && self.thread.node_count() > before {
            self.thread.guard_handled_edge = true;
        }
    }

    fn stmt_kind(&mut self, stmt: &Stmt) {
        use pb::VariableMutationType as M;
        match &stmt.kind {
            StmtKind::Var(v) => self.var_decl(v),
            StmtKind::Let { name, value } => {
                let out = self.expr(value);
                if let Some(h) = steps::Handle::of(value) {
                    self.handles.insert(name.text.clone(), h);
                }
                self.lets.insert(name.text.clone(), out);
            }
            StmtKind::Assign {
                place, op, value, ..
            } => {
                let whole_var_ty = (*op == AssignOp::Assign && place.selectors.is_empty())
                    .then(|| self.var_types.get(&place.var.text).cloned())
                    .flatten();
                let rhs = match whole_var_ty {
                    Some(ty) if values::is_typed_literal(value, &ty) => {
                        literal(constant_value(value, &ty, &self.model.structs))
                    }
                    _ => self.expr(value),
                };
                let op = match op {
                    AssignOp::Assign => M::Assign,
                    AssignOp::Add => M::Add,
                    AssignOp::Sub => M::Subtract,
                    AssignOp::Mul => M::Multiply,
                    AssignOp::Div => M::Divide,
                    AssignOp::Pow => M::Pow,
                    AssignOp::And => M::And,
                    AssignOp::Or => M::Or,
                };
                let m = self.mutation(place, op, rhs);
                self.thread.queue_mutation(m);
            }
            StmtKind::Extend { place, value } => {
                let rhs = self.expr(value);
                let m = self.mutation(place, M::Extend, rhs);
                self.thread.queue_mutation(m);
            }
            StmtKind::Remove { place, what, value } => {
                let rhs = self.expr(value);
                let op = match what {
                    RemoveWhat::Value => M::RemoveIfPresent,
                    RemoveWhat::Index => M::RemoveIndex,
                    RemoveWhat::Key => M::RemoveKey,
                };
                let m = self.mutation(place, op, rhs);
                self.thread.queue_mutation(m);
            }
            StmtKind::If(i) => self.if_stmt(i),
            StmtKind::While { cond, body } => {
                let cond = self.expr(cond);
                self.thread.add_node("nop", NodeKind::Nop(pb::NopNode {}));
                let root = self.thread.last.clone();
                self.thread.pending_condition = Some(cond.clone());
                self.block(body);
                self.thread.add_node("nop", NodeKind::Nop(pb::NopNode {}));
                let tail = self.thread.last.clone();
                self.thread.push_edge(
                    &root,
                    edge_to(&tail, Some(negate(cond.clone())), Vec::new()),
                );
                self.thread
                    .push_edge(&tail, edge_to(&root, Some(cond), Vec::new()));
            }
            StmtKind::Return(value) => {
                let result = value
                    .as_ref()
                    .map(|v| pb::exit_node::Result::ReturnContent(self.expr(v)));
                self.thread
                    .add_node("complete", NodeKind::Exit(pb::ExitNode { result }));
            }
            StmtKind::Fail {
                name,
                message,
                content,
            } => {
                let content = content.as_ref().map(|c| self.expr(c));
                let failure = pb::FailureDef {
                    failure_name: name.text.clone(),
                    message: message
                        .as_ref()
                        .and_then(StrLit::as_plain)
                        .unwrap_or_default(),
                    content,
                };
                self.thread.add_node(
                    &name.text,
                    NodeKind::Exit(pb::ExitNode {
                        result: Some(pb::exit_node::Result::FailureDef(failure)),
                    }),
                );
            }
            StmtKind::WaitUntil(cond) => {
                let cond = self.expr(cond);
                self.thread.add_node(
                    "wait-for-condition",
                    NodeKind::WaitForCondition(pb::WaitForConditionNode {
                        node_condition: Some(
                            pb::wait_for_condition_node::NodeCondition::Condition(cond),
                        ),
                    }),
                );
            }
            StmtKind::Sleep(e) => {
                let seconds = self.expr(e);
                self.thread.add_node(
                    "sleep",
                    NodeKind::Sleep(pb::SleepNode {
                        sleep_length: Some(pb::sleep_node::SleepLength::RawSeconds(seconds)),
                    }),
                );
            }
            StmtKind::SleepUntil(e) => {
                let at = self.expr(e);
                // A `str` is an ISO-8601 instant the server parses when the node runs.
                let length = if self.model.iso_date_sleeps.contains(&e.span) {
                    pb::sleep_node::SleepLength::IsoDate(at)
                } else {
                    pb::sleep_node::SleepLength::Timestamp(at)
                };
                self.thread.add_node(
                    "sleep",
                    NodeKind::Sleep(pb::SleepNode {
                        sleep_length: Some(length),
                    }),
                );
            }
            StmtKind::Updates(word) => {
                self.allowed_updates = match word.text.as_str() {
                    "minor" => pb::AllowedUpdateType::MinorRevisionUpdates,
                    "none" => pb::AllowedUpdateType::NoUpdates,
                    _ => pb::AllowedUpdateType::AllUpdates,
                };
            }
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::Setting { .. }
            | StmtKind::DefaultTask(_)
            | StmtKind::DefaultThreadRetention(_) => {}
            StmtKind::ThreadRetention(e) => self.thread_retention = steps::seconds(e),
            StmtKind::On {
                event,
                binding,
                binding_ty,
                body,
            } => self.interrupt(event, binding.as_ref(), binding_ty.as_ref(), body),
            StmtKind::Emit { event, value } => self.emit(event, value.as_ref()),
            StmtKind::Wait { strategy, targets } => self.wait(*strategy, targets, &stmt.catches),
            StmtKind::Error => {}
        }
    }

    fn var_decl(&mut self, v: &VarDecl) {
        let ty = self.model.resolve_type(&v.ty);
        self.var_types.insert(v.name.text.clone(), ty.clone());
        if v.masked.is_some() {
            self.masked_vars.insert(v.name.text.clone());
        }
        let access = match v.access.map(|(a, _)| a) {
            Some(Access::Public) => pb::WfRunVariableAccessLevel::PublicVar,
            Some(Access::Inherited) => pb::WfRunVariableAccessLevel::InheritedVar,
            Some(Access::Private) | None => pb::WfRunVariableAccessLevel::PrivateVar,
        };
        let json_indexes = v
            .indexes
            .iter()
            .map(|i| pb::JsonIndex {
                field_path: i.path.clone(),
                field_type: match self.model.resolve_type(&i.ty) {
                    Ty::Prim(p) => values::variable_type(p) as i32,
                    _ => pb::VariableType::Str as i32,
                },
            })
            .collect();
        self.thread.var_defs.push(pb::ThreadVarDef {
            var_def: Some(pb::VariableDef {
                name: v.name.text.clone(),
                default_value: v
                    .default
                    .as_ref()
                    .map(|d| constant_value(d, &ty, &self.model.structs)),
                type_def: Some(pinned(&v.ty, type_definition(&ty, v.masked.is_some()))),
                ..Default::default()
            }),
            required: v.required.is_some(),
            searchable: v.searchable.is_some(),
            json_indexes,
            access_level: access as i32,
        });
    }

    /// `if` / `else if` / `else`, wired as sdk-java's `doIf` and `doElseIf` do.
    fn if_stmt(&mut self, i: &IfStmt) {
        let cond = self.expr(&i.cond);
        self.thread.add_node("nop", NodeKind::Nop(pb::NopNode {}));
        let first = self.thread.last.clone();
        self.thread.pending_condition = Some(cond);
        self.block(&i.then);
        self.thread.add_node("nop", NodeKind::Nop(pb::NopNode {}));
        let last_nop = self.thread.last.clone();
        self.thread
            .push_edge(&first, edge_to(&last_nop, None, Vec::new()));

        let mut otherwise = i.otherwise.as_ref();
        while let Some(branch) = otherwise {
            match branch {
                Else::If(inner, _) => {
                    let cond = self.expr(&inner.cond);
                    self.else_branch(&first, &last_nop, Some(cond), &inner.then);
                    otherwise = inner.otherwise.as_ref();
                }
                Else::Block(b) => {
                    self.else_branch(&first, &last_nop, None, b);
                    otherwise = None;
                }
            }
        }
    }

    fn else_branch(
        &mut self,
        first: &str,
        last_nop: &str,
        cond: Option<pb::VariableAssignment>,
        body: &Block,
    ) {
        let else_edge = self.thread.pop_edge(first);
        let parent_last = self.thread.last.clone();
        self.block(body);
        let body_last = self.thread.last.clone();
        if parent_last == body_last {
            let muts = std::mem::take(&mut self.thread.pending_mutations);
            self.thread
                .push_edge(first, edge_to(last_nop, cond.clone(), muts));
        } else if let Some(into_body) = self.thread.pop_edge(&parent_last) {
            self.thread.push_edge(
                first,
                edge_to(
                    &into_body.sink_node_name,
                    cond.clone(),
                    into_body.variable_mutations,
                ),
            );
            let muts = std::mem::take(&mut self.thread.pending_mutations);
            self.thread
                .push_edge(&body_last, edge_to(last_nop, None, muts));
        }
        if cond.is_some()
            && let Some(e) = else_edge
        {
            self.thread.push_edge(first, e);
        }
        self.thread.last = parent_last;
    }

    /// Lowers an expression to the assignment that computes it, appending the nodes of any
    /// task calls inside it first.
    fn expr(&mut self, e: &Expr) -> pb::VariableAssignment {
        if matches!(
            e.kind,
            ExprKind::Call { .. }
                | ExprKind::DynCall { .. }
                | ExprKind::Await { .. }
                | ExprKind::Spawn(_)
                | ExprKind::Ask(_)
                | ExprKind::RunWf { .. }
                | ExprKind::WaitChild(_)
        ) {
            self.thread.span_hint = e.span;
        }
        use pb::VariableMutationType as M;
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Double(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Duration(_)
            | ExprKind::JsonObj(_)
            | ExprKind::JsonArr(_) => literal(constant_value(e, &Ty::Any, &self.model.structs)),
            ExprKind::Str(s) => self.string(s),
            ExprKind::Var(name) => match self.lets.get(&name.text) {
                Some(out) => out.clone(),
                None => pb::VariableAssignment {
                    source: Some(Source::VariableName(
                        self.renames
                            .get(&name.text)
                            .cloned()
                            .unwrap_or_else(|| name.text.clone()),
                    )),
                    ..Default::default()
                },
            },
            ExprKind::Call { callee, args, opts } => {
                let model = self.model;
                let params = model.tasks.get(&callee.text).map(|s| &s.params);
                let variables = args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let param = params.as_ref().and_then(|p| p.get(i)).map(|(_, t)| t);
                        match param.and_then(|t| values::encoded_constant(a, t)) {
                            Some(Ok(v)) => literal(v),
                            _ => self.expr(a),
                        }
                    })
                    .collect();
                let task = self.task_node(
                    pb::task_node::TaskToExecute::TaskDefId(pb::TaskDefId {
                        name: callee.text.clone(),
                    }),
                    variables,
                    opts,
                );
                let node = self.thread.add_node(&callee.text, NodeKind::Task(task));
                node_output(node)
            }
            ExprKind::DynCall { task, args, opts } => self.dyn_call(task, args, opts),
            ExprKind::Await {
                event,
                timeout,
                correlation,
                mask,
            } => self.await_event(event, timeout.as_deref(), correlation.as_deref(), *mask),
            ExprKind::Spawn(sp) => self.spawn(sp),
            ExprKind::WaitChild(name) => self.wait_child(name),
            ExprKind::Ask(ask) => self.ask(ask),
            ExprKind::RunWf {
                workflow,
                inputs,
                dynamic,
                child_id,
                version,
            } => self.run_wf(
                workflow,
                inputs,
                dynamic.as_deref(),
                child_id.as_deref(),
                version.map(|(v, _)| v),
            ),
            ExprKind::New {
                name,
                version,
                fields,
            } => pb::VariableAssignment {
                source: Some(Source::StructBuilder(pb::StructBuilder {
                    // sdk-java's `buildStruct(name, version)`; `buildStruct(name)`: -1.
                    struct_def_id: Some(pb::StructDefId {
                        name: name.text.clone(),
                        version: version
                            .and_then(|(v, _)| i32::try_from(v).ok())
                            .unwrap_or(-1),
                    }),
                    value: Some(self.inline_struct(fields)),
                })),
                ..Default::default()
            },
            ExprKind::InlineStruct(fields) => {
                // Only reachable inside `new`, which lowers it as a sub-structure.
                let _ = self.inline_struct(fields);
                literal(pb::VariableValue { value: None })
            }
            ExprKind::MapLit(entries) => {
                let entries = entries
                    .iter()
                    .map(|(k, v)| pb::map_builder::Entry {
                        key: Some(self.expr(k)),
                        value: Some(self.expr(v)),
                    })
                    .collect();
                pb::VariableAssignment {
                    source: Some(Source::MapBuilder(pb::MapBuilder {
                        entries,
                        map_type: None,
                    })),
                    ..Default::default()
                }
            }
            ExprKind::Method { recv, method, args } => {
                let recv = self.expr(recv);
                let arg = args.first().map(|a| self.expr(a));
                let op = match method.text.as_str() {
                    "extend" => M::Extend,
                    "remove-if-present" => M::RemoveIfPresent,
                    "remove-index" => M::RemoveIndex,
                    "remove-key" => M::RemoveKey,
                    _ => {
                        return pb::VariableAssignment {
                            source: Some(Source::SizeOf(Box::new(va::SizeOf {
                                operand: Some(Box::new(recv)),
                            }))),
                            ..Default::default()
                        };
                    }
                };
                expression(recv, mutation_op(op), arg.unwrap_or_default())
            }
            ExprKind::Field { .. } | ExprKind::Index { .. } => self.path(e),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                use pb::Comparator as C;
                let (l, r) = (self.expr(lhs), self.expr(rhs));
                match op {
                    BinOp::Add => expression(l, mutation_op(M::Add), r),
                    BinOp::Sub => expression(l, mutation_op(M::Subtract), r),
                    BinOp::Mul => expression(l, mutation_op(M::Multiply), r),
                    BinOp::Div => expression(l, mutation_op(M::Divide), r),
                    BinOp::Pow => expression(l, mutation_op(M::Pow), r),
                    BinOp::And => expression(l, mutation_op(M::And), r),
                    BinOp::Or => expression(l, mutation_op(M::Or), r),
                    BinOp::Eq => expression(l, comparator(C::Equals), r),
                    BinOp::Ne => expression(l, comparator(C::NotEquals), r),
                    BinOp::Lt => expression(l, comparator(C::LessThan), r),
                    BinOp::Gt => expression(l, comparator(C::GreaterThan), r),
                    BinOp::Le => expression(l, comparator(C::LessThanEq), r),
                    BinOp::Ge => expression(l, comparator(C::GreaterThanEq), r),
                    BinOp::In => expression(l, comparator(C::In), r),
                    BinOp::NotIn => expression(l, comparator(C::NotIn), r),
                    // `a contains x` is `x in a`, as sdk-java's doesContain builds it.
                    BinOp::Contains => expression(r, comparator(C::In), l),
                    BinOp::NotContains => expression(r, comparator(C::NotIn), l),
                }
            }
            ExprKind::Not(inner) => {
                let v = self.expr(inner);
                negate(v)
            }
            ExprKind::Neg(inner) => {
                let v = self.expr(inner);
                expression(v, mutation_op(M::Multiply), literal(values::int_value(-1)))
            }
            ExprKind::Cast(inner, ty) => {
                let mut v = self.expr(inner);
                v.target_type = Some(pinned(
                    ty,
                    type_definition(&self.model.resolve_type(ty), false),
                ));
                v
            }
            ExprKind::Paren(inner) => self.expr(inner),
        }
    }

    /// `"text {hole}"`: a plain literal, or a format string in MessageFormat syntax.
    fn string(&mut self, s: &StrLit) -> pb::VariableAssignment {
        if let Some(text) = s.as_plain() {
            return literal(values::str_value(text));
        }
        let mut format = String::new();
        let mut args = Vec::new();
        for part in &s.parts {
            match part {
                StrPart::Text(t) => format.push_str(&values::message_format_escape(t)),
                StrPart::Hole(h) => {
                    format.push_str(&format!("{{{}}}", args.len()));
                    args.push(self.expr(h));
                }
            }
        }
        pb::VariableAssignment {
            source: Some(Source::FormatString(Box::new(va::FormatString {
                format: Some(Box::new(literal(values::str_value(format)))),
                args,
            }))),
            ..Default::default()
        }
    }

    /// `base.a[0]["$.x"]`: the base's assignment with an `lh_path` (field, index and
    /// computed-index selectors) or a `json_path` (when a `"$..."` selector is used).
    fn path(&mut self, e: &Expr) -> pb::VariableAssignment {
        let mut selectors: Vec<Selector> = Vec::new();
        let mut cur = e;
        loop {
            match &cur.kind {
                ExprKind::Field { base, name } => {
                    selectors.push(Selector::Field(name.clone()));
                    cur = base;
                }
                ExprKind::Index { base, index } => {
                    selectors.push(Selector::Index((**index).clone()));
                    cur = base;
                }
                _ => break,
            }
        }
        selectors.reverse();
        let mut base = self.expr(cur);
        base.path = self.selector_path(&selectors).map(|p| match p {
            SelPath::Json(j) => va::Path::JsonPath(j),
            SelPath::Lh(lh) => va::Path::LhPath(lh),
        });
        base
    }

    /// The path selectors spell: a json path when one of them is a `"$..."` string (the
    /// others then fold into it), otherwise an `LHPath` whose non-constant indexes are
    /// dynamic selectors.
    fn selector_path(&mut self, selectors: &[Selector]) -> Option<SelPath> {
        use pb::lh_path::selector::SelectorType as S;
        if selectors.is_empty() {
            return None;
        }
        let is_json_path = |sel: &Selector| matches!(sel, Selector::Index(e) if matches!(&e.kind, ExprKind::Str(s) if s.as_plain().is_some_and(|t| t.starts_with('$'))));
        if selectors.iter().any(is_json_path) {
            let mut path = String::from("$");
            for sel in selectors {
                match sel {
                    Selector::Field(n) => {
                        path.push('.');
                        path.push_str(&n.text);
                    }
                    Selector::Index(e) => match &e.kind {
                        ExprKind::Int(i) => path.push_str(&format!("[{i}]")),
                        ExprKind::Str(s) => {
                            let text = s.as_plain().unwrap_or_default();
                            match text.strip_prefix('$') {
                                Some(rest) => path.push_str(rest),
                                None => {
                                    path.push('.');
                                    path.push_str(&text);
                                }
                            }
                        }
                        _ => {}
                    },
                }
            }
            return Some(SelPath::Json(path));
        }
        let mut lh = Vec::new();
        for sel in selectors {
            let kind = match sel {
                Selector::Field(n) => S::Key(n.text.clone()),
                Selector::Index(e) => match &e.kind {
                    ExprKind::Int(i) => match i32::try_from(*i) {
                        Ok(i) => S::Index(i),
                        Err(_) => S::Dynamic(self.expr(e)),
                    },
                    ExprKind::Str(s) if s.as_plain().is_some() => {
                        S::Key(s.as_plain().unwrap_or_default())
                    }
                    _ => S::Dynamic(self.expr(e)),
                },
            };
            lh.push(pb::lh_path::Selector {
                selector_type: Some(kind),
            });
        }
        Some(SelPath::Lh(pb::LhPath { path: lh }))
    }

    /// A mutation of `place`: JSON variables take a json path on the left, structs, arrays
    /// and maps an `LHPath` (the server applies json paths to JSON values only).
    fn mutation(
        &mut self,
        place: &Place,
        op: pb::VariableMutationType,
        rhs: pb::VariableAssignment,
    ) -> pb::VariableMutation {
        let is_json = self
            .var_types
            .get(&place.var.text)
            .is_none_or(|t| t.is_json());
        let (lhs_json_path, lhs_lh_path) = match self.selector_path(&place.selectors) {
            None => (None, None),
            Some(SelPath::Json(j)) => (Some(j), None),
            Some(SelPath::Lh(lh)) if is_json => (Some(lh_to_json_path(&lh)), None),
            Some(SelPath::Lh(mut lh)) => {
                self.map_puts(place, &mut lh);
                (None, Some(lh))
            }
        };
        pb::VariableMutation {
            lhs_name: self
                .renames
                .get(&place.var.text)
                .cloned()
                .unwrap_or_else(|| place.var.text.clone()),
            lhs_json_path,
            lhs_lh_path,
            operation: op as i32,
            rhs_value: Some(pb::variable_mutation::RhsValue::RhsAssignment(rhs)),
        }
    }
}

impl Lowerer<'_> {
    /// Writes into a map select their key with a `dynamic` selector, as sdk-java's
    /// `WfRunVariable#put(key, value)` does in LittleHorse 1.3 (littlehorse-enterprises/
    /// littlehorse pull request #2443, "adds `lhs_lh_path` to `VariableMutation`s to support
    /// the `put` functionality": an ASSIGN whose `lhs_lh_path` selects the key with
    /// `LHPath.Selector.dynamic`, the key being any assignment). So `m["k"] = v` and
    /// `m[k] = v` both lower to `{ dynamic: <key> }`, at any depth (`orders[id].note = v`);
    /// reads keep `key` selectors (`WfRunVariable#get`).
    fn map_puts(&mut self, place: &Place, lh: &mut pb::LhPath) {
        use pb::lh_path::selector::SelectorType as S;
        let Some(mut ty) = self.var_types.get(&place.var.text).cloned() else {
            return;
        };
        for (sel, out) in place.selectors.iter().zip(lh.path.iter_mut()) {
            ty = match (ty, sel) {
                (Ty::Map(_, value), sel) => {
                    let key = match sel {
                        Selector::Index(e) => self.expr(e),
                        Selector::Field(n) => literal(values::str_value(n.text.clone())),
                    };
                    out.selector_type = Some(S::Dynamic(key));
                    *value
                }
                (Ty::Array(elem), Selector::Index(_)) => *elem,
                (Ty::Struct(name), Selector::Field(f)) => {
                    let field = self.model.structs.get(&name).and_then(|s| {
                        s.fields
                            .iter()
                            .find(|(n, _)| *n == f.text)
                            .map(|(_, t)| t.clone())
                    });
                    match field {
                        Some(t) => t,
                        None => return,
                    }
                }
                _ => return,
            };
        }
    }
}

/// A lowered selector path.
enum SelPath {
    Json(String),
    Lh(pb::LhPath),
}

/// The json path of an `LHPath` made of constant keys and indexes (`$.a[0]`).
fn lh_to_json_path(lh: &pb::LhPath) -> String {
    use pb::lh_path::selector::SelectorType as S;
    let mut path = String::from("$");
    for sel in &lh.path {
        match &sel.selector_type {
            Some(S::Key(k)) => {
                path.push('.');
                path.push_str(k);
            }
            Some(S::Index(i)) => path.push_str(&format!("[{i}]")),
            Some(S::Dynamic(_)) | None => {}
        }
    }
    path
}

fn node_output(node: String) -> pb::VariableAssignment {
    pb::VariableAssignment {
        source: Some(Source::NodeOutput(va::NodeOutputReference {
            node_name: node,
        })),
        ..Default::default()
    }
}

fn edge_to(
    sink: &str,
    cond: Option<pb::VariableAssignment>,
    muts: Vec<pb::VariableMutation>,
) -> pb::Edge {
    pb::Edge {
        sink_node_name: sink.to_string(),
        variable_mutations: muts,
        edge_condition: cond.map(pb::edge::EdgeCondition::Condition),
    }
}

/// The condition that holds exactly when `v` does not: a reversed comparator, De Morgan
/// over `&&`/`||`, or `v == false` for any other bool value.
fn negate(v: pb::VariableAssignment) -> pb::VariableAssignment {
    use pb::VariableMutationType as M;
    if v.path.is_none() && v.target_type.is_none() {
        if let Some(Source::Expression(ex)) = &v.source {
            match ex.operation {
                Some(va::expression::Operation::Comparator(c)) => {
                    if let Ok(c) = pb::Comparator::try_from(c) {
                        let mut ex = (**ex).clone();
                        ex.operation = Some(comparator(reverse(c)));
                        return pb::VariableAssignment {
                            source: Some(Source::Expression(Box::new(ex))),
                            ..Default::default()
                        };
                    }
                }
                Some(va::expression::Operation::MutationType(m))
                    if m == M::And as i32 || m == M::Or as i32 =>
                {
                    let flipped = if m == M::And as i32 { M::Or } else { M::And };
                    let lhs = ex.lhs.as_deref().cloned().unwrap_or_default();
                    let rhs = ex.rhs.as_deref().cloned().unwrap_or_default();
                    return expression(negate(lhs), mutation_op(flipped), negate(rhs));
                }
                _ => {}
            }
        }
        if let Some(Source::LiteralValue(pb::VariableValue {
            value: Some(pb::variable_value::Value::Bool(b)),
        })) = &v.source
        {
            return literal(values::bool_value(!b));
        }
    }
    expression(
        v,
        comparator(pb::Comparator::Equals),
        literal(values::bool_value(false)),
    )
}
