//! The diagram of a WfSpec, independent of how it is drawn: one lane per ThreadSpec, its
//! nodes (kind, `.lhw` label, LittleHorse name) and edges (condition as `.lhw`), and the
//! links from a node or a thread to the threads it starts (failure handlers, interrupt
//! handlers, spawned threads).

use std::collections::{BTreeMap, HashMap, VecDeque};

use lhw_proto::littlehorse as pb;
use pb::node::Node as N;

use super::expr;

/// A whole workflow as a diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The WfSpec's name.
    pub workflow: String,
    /// The threads, the entrypoint first, then in the order the entrypoint reaches them.
    pub lanes: Vec<Lane>,
    /// Links to threads, from the node (or the whole thread) that starts them.
    pub links: Vec<Link>,
}

/// One ThreadSpec.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// The ThreadSpec's name.
    pub thread: String,
    /// Why the thread exists.
    pub role: LaneRole,
    /// The nodes, in the order the compiler numbered them.
    pub nodes: Vec<GraphNode>,
    /// The edges, by node index, in the order the server evaluates them.
    pub edges: Vec<GraphEdge>,
}

/// Why a thread exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneRole {
    /// The workflow's entrypoint thread.
    Entrypoint,
    /// Runs when a node fails (`catch`).
    FailureHandler,
    /// Runs when an external event interrupts a thread (`on`).
    Interrupt,
    /// Started by a node (`spawn`).
    Spawned,
    /// Not started by anything in the WfSpec.
    Unreferenced,
}

impl LaneRole {
    /// A short caption for the lane's header.
    #[must_use]
    pub fn caption(self) -> &'static str {
        match self {
            LaneRole::Entrypoint => "workflow",
            LaneRole::FailureHandler => "failure handler",
            LaneRole::Interrupt => "interrupt handler",
            LaneRole::Spawned => "thread",
            LaneRole::Unreferenced => "thread (unreferenced)",
        }
    }
}

/// One node of a thread.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// The LittleHorse node name (`1-fetch-order-TASK`).
    pub name: String,
    /// What the node does, which decides its shape.
    pub kind: NodeKind,
    /// The step in `.lhw` syntax (`fetch-order(order-id)`); empty for NOPs.
    pub label: String,
    /// More about the node, one line each (retries, timeouts, handlers).
    pub details: Vec<String>,
    /// The source line (1-based) of the step, when drawn from a file.
    pub line: Option<u32>,
    /// What a WfRun did at this node, when drawn with a run.
    pub state: Option<RunState>,
}

/// The kinds of nodes, each with its own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Where a thread starts.
    Entrypoint,
    /// Where a thread ends (optionally returning a value).
    Exit,
    /// An exit that fails the thread (`fail`).
    Fail,
    /// A task call.
    Task,
    /// Waits for an external event (`await`).
    ExternalEvent,
    /// A user task (`ask`).
    UserTask,
    /// A timer (`sleep`).
    Sleep,
    /// Starts one thread (`spawn`).
    StartThread,
    /// Starts a thread per element (`spawn ... for`).
    StartMultipleThreads,
    /// Waits for threads (`wait`).
    WaitForThreads,
    /// Starts a child workflow (`run`).
    RunChildWf,
    /// Waits for a child workflow.
    WaitForChildWf,
    /// Emits a workflow event (`emit`).
    ThrowEvent,
    /// Waits until a condition holds (`wait until`).
    WaitForCondition,
    /// A branch or join point of `if` / `while`.
    Nop,
}

impl NodeKind {
    /// A CSS-friendly name.
    #[must_use]
    pub fn class(self) -> &'static str {
        match self {
            NodeKind::Entrypoint => "entrypoint",
            NodeKind::Exit => "exit",
            NodeKind::Fail => "fail",
            NodeKind::Task => "task",
            NodeKind::ExternalEvent => "event",
            NodeKind::UserTask => "user-task",
            NodeKind::Sleep => "sleep",
            NodeKind::StartThread => "spawn",
            NodeKind::StartMultipleThreads => "spawn-each",
            NodeKind::WaitForThreads => "wait-threads",
            NodeKind::RunChildWf => "run-child",
            NodeKind::WaitForChildWf => "wait-child",
            NodeKind::ThrowEvent => "emit",
            NodeKind::WaitForCondition => "wait-until",
            NodeKind::Nop => "nop",
        }
    }
}

/// What a WfRun did at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RunState {
    /// The run never got there.
    NotReached,
    /// Every NodeRun of it completed.
    Completed,
    /// A NodeRun of it failed (ERROR or EXCEPTION).
    Failed,
    /// A NodeRun of it is running (or halted) now.
    Running,
}

impl RunState {
    /// A CSS-friendly name.
    #[must_use]
    pub fn class(self) -> &'static str {
        match self {
            RunState::NotReached => "not-reached",
            RunState::Completed => "completed",
            RunState::Failed => "failed",
            RunState::Running => "running",
        }
    }
}

/// An edge between two nodes of a lane.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphEdge {
    /// Index of the source node in the lane.
    pub from: usize,
    /// Index of the sink node in the lane.
    pub to: usize,
    /// The condition in `.lhw` syntax; `else` for the unconditional edge after conditional
    /// siblings.
    pub label: Option<String>,
    /// The assignments made on the way, in `.lhw` syntax.
    pub mutations: Vec<String>,
}

/// A link from a node (or a whole thread) to a thread it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The lane that owns the link.
    pub from_lane: usize,
    /// The node, or `None` when the whole thread owns it (interrupts).
    pub from_node: Option<usize>,
    /// The lane it starts.
    pub to_lane: usize,
    /// Why.
    pub kind: LinkKind,
    /// What triggers it, in `.lhw` syntax (`catch out-of-stock`, `on cancel`).
    pub label: String,
}

/// Why a link exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A failure handler (`catch`).
    Catch,
    /// An interrupt handler (`on`).
    Interrupt,
    /// A spawned thread (`spawn`).
    Spawn,
}

/// A WfSpec's threads, from a `PutWfSpecRequest` or a deployed `WfSpec`.
#[derive(Debug, Clone, Copy)]
pub struct WfSpecView<'a> {
    /// The WfSpec's name.
    pub name: &'a str,
    /// The entrypoint thread's name.
    pub entrypoint: &'a str,
    /// The threads by name.
    pub thread_specs: &'a BTreeMap<String, pb::ThreadSpec>,
}

impl<'a> WfSpecView<'a> {
    /// The view of a compiled request.
    #[must_use]
    pub fn of_request(r: &'a pb::PutWfSpecRequest) -> Self {
        WfSpecView {
            name: &r.name,
            entrypoint: &r.entrypoint_thread_name,
            thread_specs: &r.thread_specs,
        }
    }

    /// The view of a deployed WfSpec.
    #[must_use]
    pub fn of_wf_spec(w: &'a pb::WfSpec) -> Self {
        WfSpecView {
            name: w.id.as_ref().map_or("", |id| id.name.as_str()),
            entrypoint: &w.entrypoint_thread_name,
            thread_specs: &w.thread_specs,
        }
    }
}

/// Source lines of nodes: `(thread, node) -> line`, from `Output::node_spans`.
pub type SourceLines = HashMap<(String, String), u32>;

/// The source lines of one workflow's nodes, from a compiled file and its text.
#[must_use]
pub fn source_lines(output: &crate::Output, workflow: &str, text: &str) -> SourceLines {
    let mut lines = SourceLines::new();
    for n in output.node_spans.of_workflow(workflow) {
        let start = (n.span.start as usize).min(text.len());
        let line = text.as_bytes()[..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        lines.insert(
            (n.thread.to_string(), n.node.to_string()),
            (line + 1) as u32,
        );
    }
    lines
}

/// Builds the diagram of a WfSpec.
#[must_use]
pub fn build(spec: WfSpecView<'_>, lines: &SourceLines) -> Graph {
    let order = lane_order(spec);
    let lane_index: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect();
    let mut lanes = Vec::new();
    let mut links = Vec::new();
    for (lane_no, (thread, role)) in order.iter().enumerate() {
        let Some(ts) = spec.thread_specs.get(thread) else {
            continue;
        };
        let names = node_order(ts);
        let index: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut p = expr::Labeler::new(ts);
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let node = &ts.nodes[name];
            let (kind, label, details) = describe(node, ts, &mut p);
            nodes.push(GraphNode {
                name: name.clone(),
                kind,
                label,
                details,
                line: lines.get(&(thread.clone(), name.clone())).copied(),
                state: None,
            });
            let conditional = node
                .outgoing_edges
                .iter()
                .any(|e| e.edge_condition.is_some());
            for e in &node.outgoing_edges {
                let Some(&to) = index.get(e.sink_node_name.as_str()) else {
                    continue;
                };
                let label = match &e.edge_condition {
                    Some(c) => Some(p.condition(c)),
                    None if conditional => Some("else".to_string()),
                    None => None,
                };
                edges.push(GraphEdge {
                    from: i,
                    to,
                    label,
                    // sdk-java stores a spawned thread's number in a variable named after
                    // the node: plumbing, not a step of the workflow.
                    mutations: e
                        .variable_mutations
                        .iter()
                        .filter(|m| !ts.nodes.contains_key(&m.lhs_name))
                        .map(|m| p.mutation(m))
                        .collect(),
                });
            }
            for (handler, label) in node_handlers(node) {
                if let Some(&to_lane) = lane_index.get(handler) {
                    links.push(Link {
                        from_lane: lane_no,
                        from_node: Some(i),
                        to_lane,
                        kind: LinkKind::Catch,
                        label,
                    });
                }
            }
            if let Some(spawned) = spawned_thread(node)
                && let Some(&to_lane) = lane_index.get(spawned)
            {
                links.push(Link {
                    from_lane: lane_no,
                    from_node: Some(i),
                    to_lane,
                    kind: LinkKind::Spawn,
                    label: "spawn".to_string(),
                });
            }
        }
        for interrupt in &ts.interrupt_defs {
            if let Some(&to_lane) = lane_index.get(interrupt.handler_spec_name.as_str()) {
                let event = interrupt
                    .external_event_def_id
                    .as_ref()
                    .map_or("?", |id| id.name.as_str());
                links.push(Link {
                    from_lane: lane_no,
                    from_node: None,
                    to_lane,
                    kind: LinkKind::Interrupt,
                    label: format!("on {event}"),
                });
            }
        }
        lanes.push(Lane {
            thread: thread.clone(),
            role: *role,
            nodes,
            edges,
        });
    }
    Graph {
        workflow: spec.name.to_string(),
        lanes,
        links,
    }
}

/// Threads in reading order: the entrypoint, then breadth first along the links (in node
/// order), then whatever nothing references, by name.
fn lane_order(spec: WfSpecView<'_>) -> Vec<(String, LaneRole)> {
    let mut order: Vec<(String, LaneRole)> = Vec::new();
    let mut queue = VecDeque::new();
    if spec.thread_specs.contains_key(spec.entrypoint) {
        queue.push_back((spec.entrypoint.to_string(), LaneRole::Entrypoint));
    }
    while let Some((thread, role)) = queue.pop_front() {
        if order.iter().any(|(t, _)| *t == thread) {
            continue;
        }
        let Some(ts) = spec.thread_specs.get(&thread) else {
            continue;
        };
        order.push((thread, role));
        for name in node_order(ts) {
            let node = &ts.nodes[&name];
            for (handler, _) in node_handlers(node) {
                queue.push_back((handler.to_string(), LaneRole::FailureHandler));
            }
            if let Some(spawned) = spawned_thread(node) {
                queue.push_back((spawned.to_string(), LaneRole::Spawned));
            }
        }
        for interrupt in &ts.interrupt_defs {
            queue.push_back((interrupt.handler_spec_name.clone(), LaneRole::Interrupt));
        }
    }
    for name in spec.thread_specs.keys() {
        if !order.iter().any(|(t, _)| t == name) {
            order.push((name.clone(), LaneRole::Unreferenced));
        }
    }
    order
}

/// Node names in the order the compiler made them (`2-...` before `10-...`).
fn node_order(ts: &pb::ThreadSpec) -> Vec<String> {
    let mut names: Vec<&String> = ts.nodes.keys().collect();
    names.sort_by_key(|n| {
        let number = n
            .split_once('-')
            .and_then(|(i, _)| i.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
        (number, n.as_str())
    });
    names.into_iter().cloned().collect()
}

/// The failure handlers of a node (its own, and a wait's per-thread ones), with what each
/// catches.
fn node_handlers(node: &pb::Node) -> Vec<(&str, String)> {
    let mut defs: Vec<&pb::FailureHandlerDef> = node.failure_handlers.iter().collect();
    if let Some(N::WaitForThreads(w)) = &node.node {
        defs.extend(&w.per_thread_failure_handlers);
    }
    defs.into_iter()
        .map(|h| {
            (
                h.handler_spec_name.as_str(),
                format!("catch {}", catches(h)),
            )
        })
        .collect()
}

fn catches(h: &pb::FailureHandlerDef) -> String {
    use pb::failure_handler_def::{FailureToCatch, LhFailureType};
    match &h.failure_to_catch {
        Some(FailureToCatch::SpecificFailure(name)) => name.clone(),
        Some(FailureToCatch::AnyFailureOfType(t)) => match LhFailureType::try_from(*t) {
            Ok(LhFailureType::FailureTypeError) => "error".to_string(),
            Ok(LhFailureType::FailureTypeException) => "exception".to_string(),
            Err(_) => "?".to_string(),
        },
        None => "any".to_string(),
    }
}

fn spawned_thread(node: &pb::Node) -> Option<&str> {
    match &node.node {
        Some(N::StartThread(s)) => Some(&s.thread_spec_name),
        Some(N::StartMultipleThreads(s)) => Some(&s.thread_spec_name),
        _ => None,
    }
}

/// Kind, `.lhw` label and details of a node.
fn describe(
    node: &pb::Node,
    ts: &pb::ThreadSpec,
    p: &mut expr::Labeler,
) -> (NodeKind, String, Vec<String>) {
    let mut details = Vec::new();
    let (kind, label) = match &node.node {
        None => (NodeKind::Nop, String::new()),
        Some(N::Entrypoint(_)) => (NodeKind::Entrypoint, "start".to_string()),
        Some(N::Exit(exit)) => match &exit.result {
            Some(pb::exit_node::Result::FailureDef(f)) => {
                let mut label = format!("fail {}", f.failure_name);
                if !f.message.is_empty() {
                    label.push_str(&format!(" \"{}\"", f.message));
                }
                if let Some(content) = &f.content {
                    details.push(format!("content: {}", p.assignment(content)));
                }
                (NodeKind::Fail, label)
            }
            Some(pb::exit_node::Result::ReturnContent(c)) => {
                (NodeKind::Exit, format!("return {}", p.assignment(c)))
            }
            None => (NodeKind::Exit, "end".to_string()),
        },
        Some(N::Task(t)) => (NodeKind::Task, task_call(t, &mut details, p)),
        Some(N::ExternalEvent(e)) => {
            let name = e.external_event_def_id.as_ref().map_or("?", |id| &id.name);
            let mut label = format!("await {name}");
            if let Some(t) = &e.timeout_seconds {
                label.push_str(&format!(" timeout {}", p.duration(t)));
            }
            if let Some(k) = &e.correlation_key {
                label.push_str(&format!(" correlated by {}", p.assignment(k)));
            }
            (NodeKind::ExternalEvent, label)
        }
        Some(N::UserTask(u)) => {
            let mut label = format!("ask {}", u.user_task_def_name);
            if let Some(user) = &u.user_id {
                label.push_str(&format!(" to user {}", p.assignment(user)));
                // `ask FORM to user U group G`: the user within that group.
                if let Some(group) = &u.user_group {
                    label.push_str(&format!(" group {}", p.assignment(group)));
                }
            } else if let Some(group) = &u.user_group {
                label.push_str(&format!(" to group {}", p.assignment(group)));
            }
            if let Some(notes) = &u.notes {
                details.push(format!("notes {}", p.assignment(notes)));
            }
            for action in &u.actions {
                details.push(user_task_action(action, p));
            }
            (NodeKind::UserTask, label)
        }
        Some(N::Sleep(s)) => {
            use pb::sleep_node::SleepLength;
            let label = match &s.sleep_length {
                Some(SleepLength::RawSeconds(a)) => format!("sleep {}", p.duration(a)),
                Some(SleepLength::Timestamp(a) | SleepLength::IsoDate(a)) => {
                    format!("sleep until {}", p.assignment(a))
                }
                None => "sleep".to_string(),
            };
            (NodeKind::Sleep, label)
        }
        Some(N::StartThread(s)) => {
            let args = named_args(&s.variables, p);
            (
                NodeKind::StartThread,
                if args.is_empty() {
                    format!("spawn {}", s.thread_spec_name)
                } else {
                    format!("spawn {}({args})", s.thread_spec_name)
                },
            )
        }
        Some(N::StartMultipleThreads(s)) => {
            let iterable = s
                .iterable
                .as_ref()
                .map_or_else(|| "?".to_string(), |a| p.assignment(a));
            (
                NodeKind::StartMultipleThreads,
                format!("spawn {} for each in {iterable}", s.thread_spec_name),
            )
        }
        Some(N::WaitForThreads(w)) => (NodeKind::WaitForThreads, wait_threads(w, p)),
        Some(N::RunChildWf(r)) => {
            use pb::run_child_wf_node::WfSpec;
            let name = match &r.wf_spec {
                Some(WfSpec::WfSpecName(n)) => n.clone(),
                Some(WfSpec::WfSpecVar(v)) => p.assignment(v),
                None => "?".to_string(),
            };
            if r.major_version >= 0 {
                details.push(format!("major version {}", r.major_version));
            }
            (
                NodeKind::RunChildWf,
                format!("run {name}({})", named_args(&r.inputs, p)),
            )
        }
        Some(N::WaitForChildWf(w)) => {
            let source = ts
                .nodes
                .get(&w.child_wf_run_source_node)
                .and_then(|n| match &n.node {
                    Some(N::RunChildWf(r)) => match &r.wf_spec {
                        Some(pb::run_child_wf_node::WfSpec::WfSpecName(n)) => Some(n.clone()),
                        _ => None,
                    },
                    _ => None,
                })
                .unwrap_or_else(|| w.child_wf_run_source_node.clone());
            (NodeKind::WaitForChildWf, format!("wait for {source}"))
        }
        Some(N::ThrowEvent(t)) => {
            let name = t.event_def_id.as_ref().map_or("?", |id| &id.name);
            let label = match &t.content {
                Some(c) => format!("emit {name} {}", p.assignment(c)),
                None => format!("emit {name}"),
            };
            (NodeKind::ThrowEvent, label)
        }
        Some(N::WaitForCondition(w)) => {
            use pb::wait_for_condition_node::NodeCondition;
            let cond = match &w.node_condition {
                Some(NodeCondition::Condition(a)) => p.assignment(a),
                Some(NodeCondition::LegacyCondition(l)) => p.legacy(l),
                None => "?".to_string(),
            };
            (NodeKind::WaitForCondition, format!("wait until {cond}"))
        }
        Some(N::Nop(_)) => (NodeKind::Nop, String::new()),
    };
    for (_, caught) in node_handlers(node) {
        details.push(caught);
    }
    (kind, label, details)
}

fn task_call(t: &pb::TaskNode, details: &mut Vec<String>, p: &mut expr::Labeler) -> String {
    use pb::task_node::TaskToExecute;
    let args: Vec<String> = t.variables.iter().map(|a| p.assignment(a)).collect();
    let name = match &t.task_to_execute {
        Some(TaskToExecute::TaskDefId(id)) => id.name.clone(),
        Some(TaskToExecute::DynamicTask(a)) => format!("task({})", p.assignment(a)),
        None => "?".to_string(),
    };
    if t.retries > 0 {
        details.push(format!("retries {}", t.retries));
    }
    if t.timeout_seconds > 0 {
        details.push(format!(
            "timeout {}",
            expr::seconds(i64::from(t.timeout_seconds))
        ));
    }
    if let Some(b) = &t.exponential_backoff {
        details.push(format!(
            "backoff {}ms x{}",
            b.base_interval_ms, b.multiplier
        ));
    }
    format!("{name}({})", args.join(", "))
}

fn named_args(vars: &BTreeMap<String, pb::VariableAssignment>, p: &mut expr::Labeler) -> String {
    vars.iter()
        .map(|(k, v)| format!("{k}: {}", p.assignment(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn wait_threads(w: &pb::WaitForThreadsNode, p: &mut expr::Labeler) -> String {
    use pb::wait_for_threads_node::ThreadsToWaitForOneOf;
    let threads = match &w.threads_to_wait_for {
        Some(ThreadsToWaitForOneOf::Threads(t)) => t
            .threads
            .iter()
            .map(|t| {
                t.thread_run_number
                    .as_ref()
                    .map_or_else(|| "?".to_string(), |a| p.assignment(a))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(ThreadsToWaitForOneOf::ThreadList(a)) => p.assignment(a),
        None => "?".to_string(),
    };
    match pb::WaitForThreadsStrategy::try_from(w.strategy) {
        Ok(pb::WaitForThreadsStrategy::WaitForFirst) => format!("wait first of {threads}"),
        Ok(pb::WaitForThreadsStrategy::WaitForAny) => format!("wait any of {threads}"),
        _ => format!("wait {threads}"),
    }
}

fn user_task_action(a: &pb::UtActionTrigger, p: &mut expr::Labeler) -> String {
    use pb::ut_action_trigger::Action;
    let after = a
        .delay_seconds
        .as_ref()
        .map(|d| format!(" after {}", p.duration(d)))
        .unwrap_or_default();
    match &a.action {
        Some(Action::Task(t)) => {
            let mut ignored = Vec::new();
            let call = t
                .task
                .as_ref()
                .map_or_else(|| "?".to_string(), |t| task_call(t, &mut ignored, p));
            format!("remind {call}{after}")
        }
        Some(Action::Cancel(_)) => format!("cancel{after}"),
        Some(Action::Reassign(_)) => format!("reassign{after}"),
        None => format!("action{after}"),
    }
}
