//! Rebuilding statements from a WfSpec's graph.
//!
//! The graph has the layout `lower` (and sdk-java) builds: nodes are numbered in creation
//! order (`{index}-{name}-{KIND}`), each step has one edge to the next, mutations written
//! after a step ride on its outgoing edge, an `if` is a NOP with one edge per branch and a
//! closing NOP, a `while` a NOP pair with an edge back. Sub-threads (spawned threads,
//! failure handlers, interrupt handlers) are printed where they are started.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;
use pb::variable_assignment::Source;

use super::expr::{self, Printer};
use super::problems::{Loss, NodePart};

/// A loss, in a thread (`None`: of the workflow itself).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ThreadLoss {
    pub(super) thread: Option<String>,
    pub(super) loss: Loss,
}

/// The `workflow` item of a WfSpec and what it could not keep.
pub(super) fn workflow(wf: &pb::PutWfSpecRequest) -> (String, Vec<ThreadLoss>) {
    let mut w = Wf {
        wf,
        losses: Vec::new(),
        taken: all_variable_names(wf),
        done: BTreeSet::new(),
        defaults: TaskDefaults::of(wf),
    };
    let mut lines = Vec::new();
    if let Some(line) = w.defaults.line() {
        lines.push(line);
    }
    if let Some(pb::WorkflowRetentionPolicy {
        wf_gc_policy: Some(pb::workflow_retention_policy::WfGcPolicy::SecondsAfterWfTermination(s)),
    }) = wf.retention_policy
    {
        lines.push(format!("retention {}", duration(s)));
    }
    match pb::AllowedUpdateType::try_from(wf.allowed_updates) {
        Ok(pb::AllowedUpdateType::MinorRevisionUpdates) => lines.push("updates minor".into()),
        Ok(pb::AllowedUpdateType::NoUpdates) => lines.push("updates none".into()),
        _ => {}
    }
    if let Some(p) = &wf.parent_wf_spec {
        if p.wf_spec_major_version != 0 {
            w.lose(Loss::ParentPinned {
                parent: p.wf_spec_name.clone(),
                major_version: p.wf_spec_major_version,
            });
        }
        lines.push(format!("parent {}", expr::name(&p.wf_spec_name)));
    }
    if wf.entrypoint_thread_name != "entrypoint" {
        w.lose(Loss::EntrypointNamed {
            thread: wf.entrypoint_thread_name.clone(),
        });
    }
    let entry = wf.entrypoint_thread_name.clone();
    let (_, body) = w.thread(&entry, None);
    lines.extend(body);
    for name in wf.thread_specs.keys() {
        if !w.done.contains(name) {
            w.lose(Loss::ThreadNeverStarted {
                thread: name.clone(),
            });
        }
    }
    let text = format!(
        "workflow {} {{\n{}\n}}\n",
        expr::name(&wf.name),
        lines.join("\n")
    );
    (text, w.losses)
}

/// Every variable name of every thread: `let` names must not take one.
fn all_variable_names(wf: &pb::PutWfSpecRequest) -> BTreeSet<String> {
    wf.thread_specs
        .values()
        .flat_map(|t| &t.variable_defs)
        .filter_map(|v| v.var_def.as_ref().map(|d| d.name.clone()))
        .collect()
}

/// The declared type of every variable of every thread (threads see their parents').
fn all_variable_types(wf: &pb::PutWfSpecRequest) -> BTreeMap<String, pb::TypeDefinition> {
    wf.thread_specs
        .values()
        .flat_map(|t| &t.variable_defs)
        .filter_map(|v| v.var_def.as_ref())
        .filter_map(|d| d.type_def.clone().map(|t| (d.name.clone(), t)))
        .collect()
}

/// A number of seconds as a duration literal, in the largest whole unit.
pub(super) fn duration(seconds: i64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds != 0 && seconds % size == 0 {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

struct Wf<'a> {
    wf: &'a pb::PutWfSpecRequest,
    losses: Vec<ThreadLoss>,
    /// Names already used in the workflow (variables, `let` names, bindings).
    taken: BTreeSet<String>,
    /// Threads already printed.
    done: BTreeSet<String>,
    /// The `default task` options (what reminder tasks run with).
    defaults: TaskDefaults,
}

/// Task options a `default task` setting gives every task that sets none.
#[derive(Debug, Clone, Default, PartialEq)]
struct TaskDefaults {
    retries: i32,
    timeout_seconds: i32,
    backoff: Option<pb::ExponentialBackoffRetryPolicy>,
}

impl TaskDefaults {
    /// The options of the first reminder task: reminders run with the workflow defaults
    /// only, so that is where a WfSpec shows them.
    fn of(wf: &pb::PutWfSpecRequest) -> Self {
        use pb::ut_action_trigger::Action;
        wf.thread_specs
            .values()
            .flat_map(|t| t.nodes.values())
            .filter_map(|n| match &n.node {
                Some(NodeKind::UserTask(u)) => Some(u),
                _ => None,
            })
            .flat_map(|u| &u.actions)
            .find_map(|a| match &a.action {
                Some(Action::Task(t)) => t.task.as_ref().map(|t| TaskDefaults {
                    retries: t.retries,
                    timeout_seconds: t.timeout_seconds,
                    backoff: t.exponential_backoff,
                }),
                _ => None,
            })
            .unwrap_or_default()
    }

    fn line(&self) -> Option<String> {
        let opts = options(self.retries, self.timeout_seconds, self.backoff.as_ref());
        (!opts.is_empty()).then(|| format!("default task{opts}"))
    }
}

/// ` retries N timeout Ns backoff Ams..Bms xM`, each where set.
fn options(
    retries: i32,
    timeout_seconds: i32,
    backoff: Option<&pb::ExponentialBackoffRetryPolicy>,
) -> String {
    let mut text = String::new();
    if retries != 0 {
        text.push_str(&format!(" retries {retries}"));
    }
    if timeout_seconds != 0 {
        text.push_str(&format!(" timeout {timeout_seconds}s"));
    }
    if let Some(b) = backoff {
        text.push_str(&format!(
            " backoff {}ms..{}ms x{}",
            b.base_interval_ms, b.max_delay_ms, b.multiplier
        ));
    }
    text
}

impl Wf<'_> {
    /// A loss of the workflow itself.
    fn lose(&mut self, loss: Loss) {
        self.losses.push(ThreadLoss { thread: None, loss });
    }

    /// A fresh name built from `base`.
    fn fresh(&mut self, base: &str) -> String {
        let mut clean: String = base
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        while clean.contains("--") {
            clean = clean.replace("--", "-");
        }
        let clean = clean.trim_matches('-').to_ascii_lowercase();
        let clean = if clean.starts_with(|c: char| c.is_ascii_alphabetic()) {
            clean
        } else {
            format!("v-{clean}")
        };
        let mut candidate = clean.clone();
        let mut n = 2;
        while self.taken.contains(&candidate)
            || lhw_grammar::RESERVED_WORDS.contains(&candidate.as_str())
            || lhw_grammar::CONTEXTUAL_WORDS.contains(&candidate.as_str())
        {
            candidate = format!("{clean}-{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    /// The body of a thread: the binding of its `INPUT` variable (`(name: type)`, when it
    /// has one and `bind` asks for it) and its statements.
    fn thread(&mut self, name: &str, bind: Option<&str>) -> (Option<String>, Vec<String>) {
        self.done.insert(name.to_string());
        let Some(spec) = self.wf.thread_specs.get(name) else {
            self.lose(Loss::MissingThread {
                thread: name.to_string(),
            });
            return (None, Vec::new());
        };
        let mut t = Walk::new(self, spec, name);
        let mut binding = None;
        if let Some(base) = bind
            && let Some(input) = spec
                .variable_defs
                .iter()
                .filter_map(|v| v.var_def.as_ref())
                .find(|d| d.name == "INPUT")
        {
            let b = t.wf.fresh(base);
            let ty = t.var_type(input);
            t.printer.variables.insert("INPUT".to_string(), b.clone());
            binding = Some(format!("{b}: {ty}"));
        }
        let lines = t.body();
        t.finish();
        (binding, lines)
    }
}

/// Walks one thread.
struct Walk<'a, 'w> {
    wf: &'w mut Wf<'a>,
    spec: &'a pb::ThreadSpec,
    thread: String,
    printer: Printer,
    /// How often each node's output is read in this thread.
    uses: HashMap<String, usize>,
    /// How often each variable is read in this thread.
    reads: HashMap<String, usize>,
    /// Node index from the name (`3-greet-TASK` → 3).
    index: HashMap<String, usize>,
    /// Nodes by index.
    order: Vec<String>,
    steps: usize,
}

impl<'a, 'w> Walk<'a, 'w> {
    fn new(wf: &'w mut Wf<'a>, spec: &'a pb::ThreadSpec, thread: &str) -> Self {
        let mut uses = HashMap::new();
        let mut reads = HashMap::new();
        if let Ok(json) = serde_json::to_value(spec) {
            count_refs(&json, &mut uses, &mut reads);
        }
        let mut numbered: Vec<(usize, String)> = Vec::new();
        let mut bad = Vec::new();
        for name in spec.nodes.keys() {
            match name.split('-').next().and_then(|n| n.parse::<usize>().ok()) {
                Some(i) => numbered.push((i, name.clone())),
                None => bad.push(name.clone()),
            }
        }
        if !bad.is_empty() {
            wf.losses.push(ThreadLoss {
                thread: Some(thread.to_string()),
                loss: Loss::NodesNotNumbered { nodes: bad },
            });
        }
        numbered.sort();
        let index = numbered.iter().map(|(i, n)| (n.clone(), *i)).collect();
        let order = numbered.into_iter().map(|(_, n)| n).collect();
        let var_types = all_variable_types(wf.wf);
        Walk {
            wf,
            spec,
            thread: thread.to_string(),
            printer: Printer {
                var_types,
                ..Printer::default()
            },
            uses,
            reads,
            index,
            order,
            steps: 0,
        }
    }

    /// A loss in this thread.
    fn lose(&mut self, loss: Loss) {
        self.wf.losses.push(ThreadLoss {
            thread: Some(self.thread.clone()),
            loss,
        });
    }

    fn finish(mut self) {
        let lost = std::mem::take(&mut self.printer.losses);
        for l in lost {
            self.lose(l);
        }
    }

    fn node(&self, name: &str) -> Option<&'a pb::Node> {
        self.spec.nodes.get(name)
    }

    fn idx(&self, name: &str) -> usize {
        self.index.get(name).copied().unwrap_or(usize::MAX)
    }

    fn is_nop(&self, name: &str) -> bool {
        matches!(
            self.node(name).and_then(|n| n.node.as_ref()),
            Some(NodeKind::Nop(_))
        )
    }

    fn var_type(&mut self, d: &pb::VariableDef) -> String {
        match (&d.type_def, d.r#type) {
            (Some(t), _) => self.printer.type_def(t),
            (None, Some(t)) => {
                expr::prim_name(pb::VariableType::try_from(t).unwrap_or(pb::VariableType::JsonObj))
                    .to_string()
            }
            (None, None) => {
                self.printer.losses.push(Loss::VariableWithoutType {
                    variable: d.name.clone(),
                });
                "json-obj".to_string()
            }
        }
    }

    /// Variables, settings, interrupts, then the statements from the entrypoint node.
    fn body(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let handles: BTreeSet<&String> = self
            .spec
            .nodes
            .iter()
            .filter(|(_, n)| {
                matches!(
                    n.node,
                    Some(NodeKind::StartThread(_) | NodeKind::StartMultipleThreads(_))
                )
            })
            .map(|(k, _)| k)
            .collect();
        for v in &self.spec.variable_defs {
            let Some(d) = &v.var_def else {
                self.lose(Loss::VariableWithoutDefinition);
                continue;
            };
            if handles.contains(&d.name)
                || (d.name == "INPUT" && self.printer.variables.contains_key("INPUT"))
            {
                continue;
            }
            let line = self.var_decl(v, d);
            out.push(line);
        }
        if let Some(pb::ThreadRetentionPolicy {
            thread_gc_policy:
                Some(pb::thread_retention_policy::ThreadGcPolicy::SecondsAfterThreadTermination(s)),
        }) = self.spec.retention_policy
        {
            out.push(format!("thread retention {}", duration(s)));
        }
        for i in &self.spec.interrupt_defs {
            let event = i
                .external_event_def_id
                .as_ref()
                .map(|e| e.name.clone())
                .unwrap_or_default();
            let (binding, body) = self.wf.thread(&i.handler_spec_name, Some("payload"));
            let binding = binding.map(|b| format!("({b})")).unwrap_or_default();
            out.push(format!(
                "on {}{binding} {{\n{}\n}}",
                expr::name(&event),
                body.join("\n")
            ));
        }
        let Some(entry) = self.order.first().cloned() else {
            self.lose(Loss::NoNodes);
            return out;
        };
        if !matches!(
            self.node(&entry).and_then(|n| n.node.as_ref()),
            Some(NodeKind::Entrypoint(_))
        ) {
            self.lose(Loss::FirstNodeNotEntrypoint {
                node: entry.clone(),
            });
        }
        self.block(&entry, None, &mut out);
        out
    }

    fn var_decl(&mut self, v: &pb::ThreadVarDef, d: &pb::VariableDef) -> String {
        let mut line = String::new();
        match pb::WfRunVariableAccessLevel::try_from(v.access_level) {
            Ok(pb::WfRunVariableAccessLevel::PublicVar) => line.push_str("public "),
            Ok(pb::WfRunVariableAccessLevel::InheritedVar) => line.push_str("inherited "),
            _ => {}
        }
        let ty = self.var_type(d);
        line.push_str(&format!("var {}: {ty}", expr::name(&d.name)));
        if let Some(default) = &d.default_value {
            line.push_str(" = ");
            line.push_str(&self.printer.value(default, true));
        }
        if v.required {
            line.push_str(" required");
        }
        if v.searchable {
            line.push_str(" searchable");
        }
        if d.type_def.as_ref().is_some_and(|t| t.masked) || d.masked_value == Some(true) {
            line.push_str(" masked");
        }
        if d.type_def.is_none() {
            self.lose(Loss::DeprecatedVariableType {
                variable: d.name.clone(),
            });
        }
        for j in &v.json_indexes {
            let t = pb::VariableType::try_from(j.field_type).unwrap_or(pb::VariableType::Str);
            line.push_str(&format!(
                " searchable on {} as {}",
                expr::string_literal(&j.field_path),
                expr::prim_name(t)
            ));
        }
        line
    }

    /// The statements from `start` up to (not including) `stop`.
    fn block(&mut self, start: &str, stop: Option<&str>, out: &mut Vec<String>) {
        let mut cur = start.to_string();
        loop {
            if Some(cur.as_str()) == stop {
                return;
            }
            self.steps += 1;
            if self.steps > self.spec.nodes.len() * 4 + 8 {
                self.lose(Loss::Cycle);
                return;
            }
            let Some(node) = self.node(&cur) else {
                self.lose(Loss::MissingNode { node: cur });
                return;
            };
            let next = match &node.node {
                Some(NodeKind::Nop(_)) => {
                    if let Some(tail) = self.while_tail(&cur) {
                        self.while_loop(&cur, &tail, out)
                    } else if node.outgoing_edges.len() >= 2 {
                        self.if_stmt(&cur, out)
                    } else {
                        self.follow(&cur, node, 0, out)
                    }
                }
                Some(NodeKind::Entrypoint(_)) => self.follow(&cur, node, 0, out),
                Some(NodeKind::Exit(e)) => {
                    // An EXIT that ends a branch keeps the edge to the closing NOP that
                    // sdk-java wires; LittleHorse never follows it.
                    self.exit(&cur, e, out);
                    None
                }
                Some(_) => self.step(&cur, node, out),
                None => {
                    self.lose(Loss::NodeWithoutKind { node: cur.clone() });
                    self.follow(&cur, node, 0, out)
                }
            };
            match next {
                Some(n) => cur = n,
                None => return,
            }
        }
    }

    /// Prints the mutations of `node`'s one edge (from the `skip`th on) and returns its sink.
    fn follow(
        &mut self,
        name: &str,
        node: &pb::Node,
        skip: usize,
        out: &mut Vec<String>,
    ) -> Option<String> {
        let edge = node.outgoing_edges.first()?;
        if node.outgoing_edges.len() > 1 || edge.edge_condition.is_some() {
            self.lose(Loss::StrayEdges {
                node: name.to_string(),
            });
        }
        self.mutations(
            name,
            &edge.variable_mutations[skip.min(edge.variable_mutations.len())..],
            out,
        );
        Some(edge.sink_node_name.clone())
    }

    fn mutations(&mut self, from: &str, muts: &[pb::VariableMutation], out: &mut Vec<String>) {
        self.printer.current_node = Some(from.to_string());
        for m in muts {
            out.push(self.printer.mutation(m));
        }
        self.printer.current_node = None;
    }

    /// The NOP that closes a `while` opened at `root`: a later NOP with an edge back.
    fn while_tail(&self, root: &str) -> Option<String> {
        let r = self.idx(root);
        self.spec
            .nodes
            .iter()
            .find(|(name, n)| {
                self.idx(name) > r
                    && matches!(n.node, Some(NodeKind::Nop(_)))
                    && n.outgoing_edges.iter().any(|e| e.sink_node_name == root)
            })
            .map(|(name, _)| name.clone())
    }

    fn while_loop(&mut self, root: &str, tail: &str, out: &mut Vec<String>) -> Option<String> {
        let node = self.node(root)?;
        let tail_node = self.node(tail)?;
        if node.outgoing_edges.len() != 2 || tail_node.outgoing_edges.len() != 2 {
            self.lose(Loss::LoopEdges {
                root: root.to_string(),
                tail: tail.to_string(),
            });
        }
        let into = node.outgoing_edges.first()?;
        let cond = match &into.edge_condition {
            Some(c) => self.printer.condition(c),
            None => {
                self.lose(Loss::LoopWithoutCondition {
                    root: root.to_string(),
                });
                "true".to_string()
            }
        };
        let mut body = Vec::new();
        self.mutations(root, &into.variable_mutations, &mut body);
        if into.sink_node_name != tail {
            self.block(&into.sink_node_name.clone(), Some(tail), &mut body);
        }
        out.push(format!("while {cond} {{\n{}\n}}", body.join("\n")));
        let forward = tail_node
            .outgoing_edges
            .iter()
            .find(|e| e.sink_node_name != root)?;
        self.mutations(tail, &forward.variable_mutations, out);
        Some(forward.sink_node_name.clone())
    }

    /// The NOP that closes the `if` opened at `first` (see the module notes).
    fn if_closer(&self, first: &str) -> Option<String> {
        let node = self.node(first)?;
        let m = node
            .outgoing_edges
            .iter()
            .skip(1)
            .map(|e| self.idx(&e.sink_node_name))
            .min()?;
        let f = self.idx(first);
        let m_name = self.order.iter().find(|n| self.idx(n) == m)?.clone();
        if m == 0 || m - 1 == f {
            return Some(m_name);
        }
        let before = self.order.iter().find(|n| self.idx(n) == m - 1)?;
        let before_node = self.node(before)?;
        let closes_here = !self.is_nop(before)
            || before_node
                .outgoing_edges
                .iter()
                .any(|e| e.sink_node_name == m_name);
        Some(if closes_here { m_name } else { before.clone() })
    }

    fn if_stmt(&mut self, first: &str, out: &mut Vec<String>) -> Option<String> {
        let node = self.node(first)?;
        let Some(last) = self.if_closer(first) else {
            self.lose(Loss::IfWithoutCloser {
                node: first.to_string(),
            });
            return None;
        };
        let edges = &node.outgoing_edges;
        let mut text = String::new();
        for (i, e) in edges.iter().enumerate() {
            let mut body = Vec::new();
            self.mutations(first, &e.variable_mutations, &mut body);
            if e.sink_node_name != last {
                self.block(&e.sink_node_name.clone(), Some(&last), &mut body);
            }
            let body = body.join("\n");
            match &e.edge_condition {
                Some(c) => {
                    let cond = self.printer.condition(c);
                    if i == 0 {
                        text.push_str(&format!("if {cond} {{\n{body}\n}}"));
                    } else {
                        text.push_str(&format!(" else if {cond} {{\n{body}\n}}"));
                    }
                }
                None if i == 0 => {
                    self.lose(Loss::FirstBranchWithoutCondition {
                        node: first.to_string(),
                    });
                    text.push_str(&format!("if true {{\n{body}\n}}"));
                }
                None => {
                    if i + 1 != edges.len() {
                        self.lose(Loss::ElseBeforeLast {
                            node: first.to_string(),
                        });
                    }
                    if !(e.sink_node_name == last && e.variable_mutations.is_empty()) {
                        text.push_str(&format!(" else {{\n{body}\n}}"));
                    }
                }
            }
        }
        out.push(text);
        let closer = self.node(&last)?;
        self.follow(&last, closer, 0, out)
    }

    fn exit(&mut self, name: &str, e: &pb::ExitNode, out: &mut Vec<String>) {
        use pb::exit_node::Result as R;
        match &e.result {
            None if name.ends_with("-exit-EXIT") => {}
            None => out.push("return".to_string()),
            Some(R::ReturnContent(a)) => {
                let v = self.printer.assignment(a);
                out.push(format!("return {v}"));
            }
            Some(R::FailureDef(f)) => {
                let mut line = format!("fail {}", expr::name(&f.failure_name));
                if !f.message.is_empty() {
                    line.push(' ');
                    line.push_str(&expr::string_literal(&f.message));
                }
                if let Some(c) = &f.content {
                    line.push_str(" with ");
                    line.push_str(&self.printer.assignment(c));
                }
                out.push(line);
            }
        }
    }

    /// A node that is a step: its statement, then the mutations of its edge.
    fn step(&mut self, name: &str, node: &'a pb::Node, out: &mut Vec<String>) -> Option<String> {
        let (text, is_value) = self.step_text(name, node);
        let catches = self.catches(node);
        let edge = node.outgoing_edges.first();
        let muts: &[pb::VariableMutation] = edge.map_or(&[], |e| &e.variable_mutations);
        let spawn = matches!(
            node.node,
            Some(NodeKind::StartThread(_) | NodeKind::StartMultipleThreads(_))
        );
        let mut skip = 0;
        if spawn {
            // The handle variable's assignment, which `spawn` always adds.
            if muts
                .first()
                .is_some_and(|m| is_output_assignment(m, name) && m.lhs_name == name)
            {
                skip = 1;
            } else {
                self.lose(Loss::SpawnHandle {
                    node: name.to_string(),
                });
            }
            if self.reads.get(name).copied().unwrap_or(0) > 0 {
                let base = match &node.node {
                    Some(NodeKind::StartMultipleThreads(s)) => {
                        format!("{}-threads", s.thread_spec_name)
                    }
                    Some(NodeKind::StartThread(s)) => format!("{}-thread", s.thread_spec_name),
                    _ => "handle".to_string(),
                };
                let h = self.wf.fresh(&base);
                self.printer.variables.insert(name.to_string(), h.clone());
                out.push(format!("let {h} = {text}{catches}"));
            } else {
                out.push(format!("{text}{catches}"));
            }
        } else if !is_value || self.uses.get(name).copied().unwrap_or(0) == 0 {
            out.push(format!("{text}{catches}"));
        } else if self.uses.get(name).copied() == Some(1)
            && muts.first().is_some_and(|m| is_output_assignment(m, name))
        {
            self.printer.outputs.insert(name.to_string(), text);
            let stmt = self.printer.mutation(&muts[0]);
            out.push(format!("{stmt}{catches}"));
            skip = 1;
        } else {
            let human = human_name(name);
            let h = self.wf.fresh(&format!("{human}-result"));
            self.printer.outputs.insert(name.to_string(), h.clone());
            out.push(format!("let {h} = {text}{catches}"));
        }
        self.follow(name, node, skip, out)
    }

    /// The text of a step, and whether it has a value (an expression) or is a statement.
    fn step_text(&mut self, name: &str, node: &'a pb::Node) -> (String, bool) {
        match &node.node {
            Some(NodeKind::Task(t)) => (self.task(t, false), true),
            Some(NodeKind::ExternalEvent(e)) => {
                let event = e
                    .external_event_def_id
                    .as_ref()
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                let mut text = format!("await {}", expr::name(&event));
                if let Some(t) = &e.timeout_seconds {
                    text.push_str(&format!(" timeout {}", self.seconds(t)));
                }
                if let Some(k) = &e.correlation_key {
                    text.push_str(&format!(" correlated by {}", self.printer.operand(k)));
                    if e.mask_correlation_key {
                        text.push_str(" masked");
                    }
                } else if e.mask_correlation_key {
                    self.lose(Loss::MaskedWithoutCorrelationKey {
                        node: name.to_string(),
                    });
                }
                (text, true)
            }
            Some(NodeKind::ThrowEvent(t)) => {
                let event = t
                    .event_def_id
                    .as_ref()
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                let mut text = format!("emit {}", expr::name(&event));
                if let Some(c) = &t.content {
                    text.push(' ');
                    text.push_str(&self.printer.assignment(c));
                }
                (text, false)
            }
            Some(NodeKind::Sleep(s)) => {
                use pb::sleep_node::SleepLength as L;
                let text = match &s.sleep_length {
                    Some(L::RawSeconds(a)) => format!("sleep {}", self.seconds(a)),
                    Some(L::Timestamp(a)) => format!("sleep until {}", self.printer.assignment(a)),
                    Some(L::IsoDate(a)) => {
                        self.lose(Loss::SleepUntilIsoDate {
                            node: name.to_string(),
                        });
                        format!("sleep until {}", self.printer.assignment(a))
                    }
                    None => {
                        self.lose(Loss::MissingPart {
                            node: name.to_string(),
                            part: NodePart::SleepLength,
                        });
                        "sleep 0s".to_string()
                    }
                };
                (text, false)
            }
            Some(NodeKind::WaitForCondition(w)) => {
                use pb::wait_for_condition_node::NodeCondition as C;
                let cond = match &w.node_condition {
                    Some(C::Condition(a)) => self.printer.assignment(a),
                    Some(C::LegacyCondition(l)) => self
                        .printer
                        .condition(&pb::edge::EdgeCondition::LegacyCondition(l.clone())),
                    None => {
                        self.lose(Loss::MissingPart {
                            node: name.to_string(),
                            part: NodePart::Condition,
                        });
                        "true".to_string()
                    }
                };
                (format!("wait until {cond}"), false)
            }
            Some(NodeKind::StartThread(s)) => {
                let inputs = self.named_args(&s.variables);
                let (_, body) = self.wf.thread(&s.thread_spec_name, None);
                (
                    format!(
                        "spawn {}{inputs} {{\n{}\n}}",
                        expr::name(&s.thread_spec_name),
                        body.join("\n")
                    ),
                    true,
                )
            }
            Some(NodeKind::StartMultipleThreads(s)) => {
                let inputs = self.named_args(&s.variables);
                let list = match &s.iterable {
                    Some(a) => self.printer.operand(a),
                    None => {
                        self.lose(Loss::MissingPart {
                            node: name.to_string(),
                            part: NodePart::SpawnList,
                        });
                        "[]".to_string()
                    }
                };
                let (binding, body) = self.wf.thread(&s.thread_spec_name, Some("item"));
                let each = match binding {
                    Some(b) => format!("for {b} in {list}"),
                    None => format!("for {list}"),
                };
                (
                    format!(
                        "spawn {}{inputs} {each} {{\n{}\n}}",
                        expr::name(&s.thread_spec_name),
                        body.join("\n")
                    ),
                    true,
                )
            }
            Some(NodeKind::WaitForThreads(w)) => {
                use pb::wait_for_threads_node::ThreadsToWaitForOneOf as W;
                let strategy = match pb::WaitForThreadsStrategy::try_from(w.strategy) {
                    Ok(pb::WaitForThreadsStrategy::WaitForFirst) => "first of ",
                    Ok(pb::WaitForThreadsStrategy::WaitForAny) => "any of ",
                    _ => "",
                };
                let targets = match &w.threads_to_wait_for {
                    Some(W::Threads(t)) => t
                        .threads
                        .iter()
                        .map(|t| match &t.thread_run_number {
                            Some(a) => self.printer.assignment(a),
                            None => "null".to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    Some(W::ThreadList(a)) => self.printer.assignment(a),
                    None => {
                        self.lose(Loss::MissingPart {
                            node: name.to_string(),
                            part: NodePart::Threads,
                        });
                        String::new()
                    }
                };
                (format!("wait {strategy}{targets}"), false)
            }
            Some(NodeKind::UserTask(u)) => (self.ask(name, u), true),
            Some(NodeKind::RunChildWf(r)) => {
                use pb::run_child_wf_node::WfSpec as S;
                let wf = match &r.wf_spec {
                    Some(S::WfSpecName(n)) => n.clone(),
                    Some(S::WfSpecVar(a)) => {
                        let v = self.printer.assignment(a);
                        self.lose(Loss::ChildWorkflowFromExpression {
                            node: name.to_string(),
                            expression: v,
                        });
                        "unknown-workflow".to_string()
                    }
                    None => String::new(),
                };
                if r.major_version != -1 {
                    self.lose(Loss::ChildMajorVersion {
                        node: name.to_string(),
                        major_version: r.major_version,
                    });
                }
                if r.child_id.is_some() {
                    self.lose(Loss::ChildWfRunId {
                        node: name.to_string(),
                    });
                }
                let args: Vec<String> = r
                    .inputs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", expr::name(k), self.printer.assignment(v)))
                    .collect();
                (
                    format!("run {}({})", expr::name(&wf), args.join(", ")),
                    true,
                )
            }
            Some(NodeKind::WaitForChildWf(w)) => {
                let target = match &w.child_wf_run_id {
                    Some(a) => self.printer.assignment(a),
                    None => {
                        self.lose(Loss::MissingPart {
                            node: name.to_string(),
                            part: NodePart::ChildRun,
                        });
                        "null".to_string()
                    }
                };
                (format!("wait {target}"), true)
            }
            Some(NodeKind::Entrypoint(_) | NodeKind::Exit(_) | NodeKind::Nop(_)) | None => {
                (String::new(), false)
            }
        }
    }

    /// `(name: value, ...)` for a spawn's inputs; empty when there are none.
    fn named_args(&mut self, vars: &BTreeMap<String, pb::VariableAssignment>) -> String {
        if vars.is_empty() {
            return String::new();
        }
        let args: Vec<String> = vars
            .iter()
            .map(|(k, v)| format!("{}: {}", expr::name(k), self.printer.assignment(v)))
            .collect();
        format!("({})", args.join(", "))
    }

    /// A number of seconds: a duration literal for a constant, else the expression.
    fn seconds(&mut self, a: &pb::VariableAssignment) -> String {
        match a {
            pb::VariableAssignment {
                source:
                    Some(Source::LiteralValue(pb::VariableValue {
                        value: Some(pb::variable_value::Value::Int(s)),
                    })),
                path: None,
                target_type: None,
            } if *s >= 0 => format!("{s}s"),
            _ => self.printer.operand(a),
        }
    }

    fn task(&mut self, t: &pb::TaskNode, reminder: bool) -> String {
        use pb::task_node::TaskToExecute as T;
        let args: Vec<String> = t
            .variables
            .iter()
            .map(|a| self.printer.assignment(a))
            .collect();
        let mut text = match &t.task_to_execute {
            Some(T::TaskDefId(id)) => format!("{}({})", expr::name(&id.name), args.join(", ")),
            Some(T::DynamicTask(a)) => {
                let which = self.printer.assignment(a);
                format!("task({which})({})", args.join(", "))
            }
            None => {
                self.lose(Loss::TaskNodeWithoutTask);
                format!("unknown-task({})", args.join(", "))
            }
        };
        let d = self.wf.defaults.clone();
        if reminder {
            if (t.retries, t.timeout_seconds, t.exponential_backoff)
                != (d.retries, d.timeout_seconds, d.backoff)
            {
                self.lose(Loss::ReminderOptions);
            }
            return text;
        }
        // Explicit where they differ from the defaults (`retries 0` included).
        if t.retries != d.retries {
            text.push_str(&format!(" retries {}", t.retries));
        }
        if t.timeout_seconds != d.timeout_seconds {
            text.push_str(&format!(" timeout {}s", t.timeout_seconds));
        }
        match (&t.exponential_backoff, &d.backoff) {
            (Some(b), db) if Some(b) != db.as_ref() => {
                text.push_str(&options(0, 0, Some(b)));
            }
            (None, Some(_)) => self.lose(Loss::TaskWithoutBackoff),
            _ => {}
        }
        text
    }

    fn ask(&mut self, name: &str, u: &pb::UserTaskNode) -> String {
        use pb::ut_action_trigger::{Action, UtHook};
        let mut text = format!("ask {}", expr::name(&u.user_task_def_name));
        let owner = |p: &mut Printer,
                     user: Option<&pb::VariableAssignment>,
                     group: Option<&pb::VariableAssignment>| {
            let mut s = String::new();
            if let Some(u) = user {
                s.push_str(&format!(" user {}", p.operand(u)));
            }
            if let Some(g) = group {
                s.push_str(&format!(" group {}", p.operand(g)));
            }
            s
        };
        if u.user_id.is_some() || u.user_group.is_some() {
            let o = owner(&mut self.printer, u.user_id.as_ref(), u.user_group.as_ref());
            text.push_str(&format!(" to{o}"));
        }
        if let Some(n) = &u.notes {
            text.push_str(&format!(" notes {}", self.printer.operand(n)));
        }
        if let Some(e) = &u.on_cancellation_exception_name {
            match &e.source {
                Some(Source::LiteralValue(pb::VariableValue {
                    value: Some(pb::variable_value::Value::Str(s)),
                })) => text.push_str(&format!(" on cancel fail {}", expr::name(s))),
                _ => self.lose(Loss::ComputedCancelException {
                    node: name.to_string(),
                }),
            }
        }
        if u.user_task_def_version.is_some() {
            self.lose(Loss::UserTaskDefVersion {
                node: name.to_string(),
            });
        }
        for a in &u.actions {
            let after = match &a.delay_seconds {
                Some(d) => self.seconds(d),
                None => "0s".to_string(),
            };
            let assigned = a.hook == UtHook::OnTaskAssigned as i32;
            let (clause, default_assigned) = match &a.action {
                Some(Action::Reassign(r)) => match (&r.user_id, &r.user_group) {
                    (None, group) => {
                        if group != &u.user_group {
                            self.lose(Loss::ReleaseToOtherGroup {
                                node: name.to_string(),
                            });
                        }
                        (format!(" release to group after {after}"), true)
                    }
                    (Some(user), group) => {
                        let is_null = matches!(
                            &user.source,
                            Some(Source::LiteralValue(pb::VariableValue { value: None }))
                        );
                        let o = owner(
                            &mut self.printer,
                            (!is_null).then_some(user),
                            group.as_ref(),
                        );
                        if is_null && group.is_none() {
                            self.lose(Loss::ReassignToNobody {
                                node: name.to_string(),
                            });
                        }
                        (format!(" reassign to{o} after {after}"), true)
                    }
                },
                Some(Action::Task(t)) => {
                    let task = t.task.clone().unwrap_or_default();
                    let text = self.task(&task, true);
                    if !t.mutations.is_empty() {
                        self.lose(Loss::ReminderMutations {
                            node: name.to_string(),
                        });
                    }
                    (format!(" remind {text} after {after}"), false)
                }
                Some(Action::Cancel(_)) => (format!(" cancel after {after}"), false),
                None => {
                    self.lose(Loss::TriggerWithoutAction {
                        node: name.to_string(),
                    });
                    continue;
                }
            };
            text.push_str(&clause);
            if assigned != default_assigned {
                text.push_str(if assigned {
                    " on assignment"
                } else {
                    " on arrival"
                });
            }
        }
        text
    }

    /// ` catch ... { ... }` for each failure handler of the node: on a wait for threads,
    /// ` catch wait ...` for the node's own handlers and ` catch thread ...` for the
    /// per-thread ones.
    fn catches(&mut self, node: &pb::Node) -> String {
        let mut handlers: Vec<(&str, &pb::FailureHandlerDef)> = Vec::new();
        if let Some(NodeKind::WaitForThreads(w)) = &node.node {
            handlers.extend(node.failure_handlers.iter().map(|h| ("wait ", h)));
            handlers.extend(w.per_thread_failure_handlers.iter().map(|h| ("thread ", h)));
        } else {
            handlers.extend(node.failure_handlers.iter().map(|h| ("", h)));
        }
        let mut text = String::new();
        for (site, h) in handlers {
            use pb::failure_handler_def::{FailureToCatch as F, LhFailureType as T};
            let spec = match &h.failure_to_catch {
                None => "any".to_string(),
                Some(F::AnyFailureOfType(t)) if *t == T::FailureTypeError as i32 => {
                    "error".to_string()
                }
                Some(F::AnyFailureOfType(_)) => "exception".to_string(),
                Some(F::SpecificFailure(f)) if is_error_name(f) => {
                    format!("error {}", f.to_ascii_lowercase().replace('_', "-"))
                }
                Some(F::SpecificFailure(f)) => expr::name(f),
            };
            let (binding, body) = self.wf.thread(&h.handler_spec_name, Some("failure"));
            let binding = binding.map(|b| format!("({b})")).unwrap_or_default();
            text.push_str(&format!(
                " catch {site}{spec}{binding} {{\n{}\n}}",
                body.join("\n")
            ));
        }
        text
    }
}

/// `ASSIGN`-like mutation whose right side is exactly the output of `node`.
fn is_output_assignment(m: &pb::VariableMutation, node: &str) -> bool {
    matches!(
        &m.rhs_value,
        Some(pb::variable_mutation::RhsValue::RhsAssignment(pb::VariableAssignment {
            source: Some(Source::NodeOutput(n)),
            path: None,
            target_type: None,
        })) if n.node_name == node
    )
}

/// `TASK_FAILURE`, `TIMEOUT`: an LHErrorType name, caught with `catch error`.
fn is_error_name(f: &str) -> bool {
    !f.is_empty()
        && f.chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && f.chars().any(|c| c.is_ascii_uppercase())
}

/// `greet` of `3-greet-TASK`.
fn human_name(node: &str) -> &str {
    let rest = node.split_once('-').map_or(node, |(_, r)| r);
    rest.rsplit_once('-').map_or(rest, |(h, _)| h)
}

/// Counts node-output and variable references in a ThreadSpec's proto JSON.
fn count_refs(
    v: &serde_json::Value,
    uses: &mut HashMap<String, usize>,
    reads: &mut HashMap<String, usize>,
) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            for (k, item) in map {
                match (k.as_str(), item) {
                    ("nodeOutput", J::Object(o)) => {
                        if let Some(J::String(n)) = o.get("nodeName") {
                            *uses.entry(n.clone()).or_default() += 1;
                        }
                    }
                    ("variableName", J::String(n)) => {
                        *reads.entry(n.clone()).or_default() += 1;
                    }
                    _ => count_refs(item, uses, reads),
                }
            }
        }
        J::Array(items) => items.iter().for_each(|i| count_refs(i, uses, reads)),
        _ => {}
    }
}
