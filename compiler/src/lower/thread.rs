//! The thread builder: appends nodes and wires edges exactly as the reference SDK
//! (sdk-java `WorkflowThreadImpl`) does, so node names and edge order equal the canon.

use std::collections::BTreeMap;

use lhw_proto::littlehorse as pb;

use crate::source::Span;
use pb::node::Node as NodeKind;

/// One ThreadSpec under construction.
///
/// Memory (docs/performance.md, "Memory on huge inputs"): a `pb::Node` is 680 bytes
/// whatever its kind (the oneof is as wide as its widest case), an `Edge` 344 and a
/// `VariableMutation` 224, so the builder keeps each node boxed (a list of doubling
/// capacity holds pointers, not nodes), finds a node by the index its name starts with
/// (no second copy of every name in a map), and keeps every edge and mutation list at its
/// length (a `Vec` grows to 4 slots on its first push).
pub(crate) struct ThreadBuilder {
    /// Node `i` is named `{i}-{human}-{KIND}`.
    nodes: Vec<(String, Box<pb::Node>)>,
    /// The node new nodes are wired from.
    pub(crate) last: String,
    /// Mutations that land on the next edge created.
    pub(crate) pending_mutations: Vec<pb::VariableMutation>,
    /// The condition that lands on the next edge created.
    pub(crate) pending_condition: Option<pb::VariableAssignment>,
    /// Variable definitions in declaration order.
    pub(crate) var_defs: Vec<pb::ThreadVarDef>,
    /// Interrupt handlers registered on this thread.
    pub(crate) interrupt_defs: Vec<pb::InterruptDef>,
    /// The last node has failure handlers: LittleHorse follows its edges *without* their
    /// mutations after a handled failure, so the next queued mutation must not land there.
    pub(crate) guard_handled_edge: bool,
    /// Where the statement or step being lowered is written; recorded for each new node.
    pub(crate) span_hint: Span,
    /// The source span of each node after the entrypoint: node `i`'s is at `i - 1`.
    node_spans: Vec<Span>,
}

/// The nodes as the ThreadSpec's map, each unboxed (its box freed) as it is inserted, so
/// that the nodes are not held twice at the peak (a workflow of 1,000,000 statements has
/// 766,000 nodes; docs/performance.md, "Memory on huge inputs"). `list` is sorted by name.
///
/// Inserted in three passes over the names in order (every third name, then the ones
/// after those, then the rest): std's B-tree then fills its leaves to about 80 %, where
/// inserting in order of creation, or sorted, leaves them a little over half full (a
/// leaf holds 11 nodes of 700 bytes whether it is full or not). Measured at 1,000, 15,300
/// and 200,000 nodes: 880 bytes per node instead of 1,180 (sorted: 1,310). The map is
/// the same whatever the order; only its memory differs.
fn into_map(list: Vec<(String, Box<pb::Node>)>) -> BTreeMap<String, pb::Node> {
    let mut slots: Vec<Option<(String, Box<pb::Node>)>> = list.into_iter().map(Some).collect();
    let mut nodes = BTreeMap::new();
    for first in 0..3 {
        for slot in slots.iter_mut().skip(first).step_by(3) {
            if let Some((name, node)) = slot.take() {
                nodes.insert(name, *node);
            }
        }
    }
    nodes
}

/// The indices `0..n` in the order of the node names `{index}-{human}-{KIND}` (`0, 1, 10,
/// 100, 101, ..., 11, ..., 2, ...`): names differ in their index, and `-` sorts before every
/// digit, so the names sort as the indices' decimal strings do, a prefix first. Made in
/// O(n) with no string compared (sorting the names was a sixth of lowering).
fn name_order(n: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    if n == 0 {
        return order;
    }
    order.push(0);
    let last = n - 1;
    let mut cur = 1;
    for _ in 0..last {
        order.push(cur);
        if cur * 10 <= last {
            cur *= 10;
        } else {
            while cur % 10 == 9 || cur + 1 > last {
                cur /= 10;
            }
            cur += 1;
        }
    }
    order
}

/// Appends `edge` to `edges`, keeping both lists no longer than they need to be for the
/// few edges a node has (past 8, the list grows as usual).
fn push_edge_compact(edges: &mut Vec<pb::Edge>, mut edge: pb::Edge) {
    edge.variable_mutations.shrink_to_fit();
    if edges.len() < 8 {
        edges.reserve_exact(1);
    }
    edges.push(edge);
}

/// `{index}-{human}-{suffix}`, built in one allocation of the right size (node names are
/// made for every step: `format!` was a tenth of lowering).
fn node_name(index: usize, human: &str, suffix: &str) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = index;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = &digits[at..];
    let mut name = String::with_capacity(digits.len() + human.len() + suffix.len() + 2);
    for &d in digits {
        name.push(char::from(d));
    }
    name.push('-');
    name.push_str(human);
    name.push('-');
    name.push_str(suffix);
    name
}

/// The suffix of a node name for a node kind (the proto oneof case, upper-cased).
fn suffix(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Entrypoint(_) => "ENTRYPOINT",
        NodeKind::Exit(_) => "EXIT",
        NodeKind::Task(_) => "TASK",
        NodeKind::ExternalEvent(_) => "EXTERNAL_EVENT",
        NodeKind::StartThread(_) => "START_THREAD",
        NodeKind::WaitForThreads(_) => "WAIT_FOR_THREADS",
        NodeKind::Nop(_) => "NOP",
        NodeKind::Sleep(_) => "SLEEP",
        NodeKind::UserTask(_) => "USER_TASK",
        NodeKind::StartMultipleThreads(_) => "START_MULTIPLE_THREADS",
        NodeKind::ThrowEvent(_) => "THROW_EVENT",
        NodeKind::WaitForCondition(_) => "WAIT_FOR_CONDITION",
        NodeKind::RunChildWf(_) => "RUN_CHILD_WF",
        NodeKind::WaitForChildWf(_) => "WAIT_FOR_CHILD_WF",
    }
}

impl ThreadBuilder {
    /// A thread holding only `0-entrypoint-ENTRYPOINT`.
    pub(crate) fn new() -> Self {
        let name = "0-entrypoint-ENTRYPOINT".to_string();
        let entry = pb::Node {
            node: Some(NodeKind::Entrypoint(pb::EntrypointNode {})),
            ..Default::default()
        };
        ThreadBuilder {
            nodes: vec![(name.clone(), Box::new(entry))],
            last: name,
            pending_mutations: Vec::new(),
            pending_condition: None,
            var_defs: Vec::new(),
            interrupt_defs: Vec::new(),
            guard_handled_edge: false,
            span_hint: Span::default(),
            node_spans: Vec::new(),
        }
    }

    /// Queues a mutation for the next edge. After a step with failure handlers, a NOP node
    /// is added first, so that the mutation runs whether or not the step's failure was
    /// handled (the step's own output assignment stays on the step's edge).
    pub(crate) fn queue_mutation(&mut self, m: pb::VariableMutation) {
        if self.guard_handled_edge {
            self.add_node("nop", NodeKind::Nop(pb::NopNode {}));
        }
        self.pending_mutations.push(m);
    }

    /// Where the node named `name` is in the list: the index its name starts with.
    fn position(&self, name: &str) -> Option<usize> {
        let i: usize = name.split('-').next()?.parse().ok()?;
        self.nodes
            .get(i)
            .is_some_and(|(n, _)| n == name)
            .then_some(i)
    }

    fn node_mut(&mut self, name: &str) -> Option<&mut pb::Node> {
        let i = self.position(name)?;
        self.nodes.get_mut(i).map(|(_, n)| &mut **n)
    }

    fn is_exit(&self, name: &str) -> bool {
        self.position(name)
            .and_then(|i| self.nodes.get(i))
            .is_some_and(|(_, n)| matches!(n.node, Some(NodeKind::Exit(_))))
    }

    /// Appends a node named `{index}-{human}-{KIND}` and wires the edge from the last node
    /// (carrying the pending mutations and condition) unless the last node is an exit.
    pub(crate) fn add_node(&mut self, human: &str, kind: NodeKind) -> String {
        self.guard_handled_edge = false;
        let name = node_name(self.nodes.len(), human, suffix(&kind));
        self.node_spans.push(self.span_hint);
        let edge = pb::Edge {
            sink_node_name: name.clone(),
            variable_mutations: std::mem::take(&mut self.pending_mutations),
            edge_condition: self
                .pending_condition
                .take()
                .map(pb::edge::EdgeCondition::Condition),
        };
        if let Some(i) = self.position(&self.last)
            && let Some((_, feeder)) = self.nodes.get_mut(i)
            && !matches!(feeder.node, Some(NodeKind::Exit(_)))
        {
            push_edge_compact(&mut feeder.outgoing_edges, edge);
        }
        self.nodes.push((
            name.clone(),
            Box::new(pb::Node {
                node: Some(kind),
                ..Default::default()
            }),
        ));
        self.last = name.clone();
        name
    }

    /// Appends an edge to `from`'s outgoing edges.
    pub(crate) fn push_edge(&mut self, from: &str, edge: pb::Edge) {
        if let Some(node) = self.node_mut(from) {
            push_edge_compact(&mut node.outgoing_edges, edge);
        }
    }

    /// How many nodes the thread has.
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Appends a failure handler to a node.
    pub(crate) fn add_failure_handler(&mut self, node: &str, handler: pb::FailureHandlerDef) {
        if let Some(n) = self.node_mut(node) {
            n.failure_handlers.push(handler);
        }
    }

    /// Appends a per-thread failure handler to a WAIT_FOR_THREADS node.
    pub(crate) fn add_per_thread_handler(&mut self, node: &str, handler: pb::FailureHandlerDef) {
        if let Some(pb::Node {
            node: Some(NodeKind::WaitForThreads(w)),
            ..
        }) = self.node_mut(node)
        {
            w.per_thread_failure_handlers.push(handler);
        }
    }

    /// Removes and returns the last outgoing edge of `from`.
    pub(crate) fn pop_edge(&mut self, from: &str) -> Option<pb::Edge> {
        self.node_mut(from).and_then(|n| n.outgoing_edges.pop())
    }

    /// Finishes the thread (appending `N-exit-EXIT` unless the last node is an exit) and
    /// returns the source span of each node it created, sorted by node name.
    pub(crate) fn finish_with_spans(mut self) -> (pb::ThreadSpec, Vec<(String, Span)>) {
        let last = self.last.clone();
        if !self.is_exit(&last) {
            self.add_node("exit", NodeKind::Exit(pb::ExitNode { result: None }));
        }
        // Node 0 (the entrypoint, made by `new`) has no span of its own; node `i`'s is at
        // `i - 1`. Taken in the order of their names, for the map and for the spans alike.
        let n = self.nodes.len();
        let mut slots: Vec<Option<(String, Box<pb::Node>)>> =
            self.nodes.into_iter().map(Some).collect();
        let mut spans = Vec::with_capacity(n);
        let mut sorted = Vec::with_capacity(n);
        for i in name_order(n) {
            if let Some((name, node)) = slots.get_mut(i).and_then(Option::take) {
                if let Some(span) = i.checked_sub(1).and_then(|j| self.node_spans.get(j)) {
                    spans.push((name.clone(), *span));
                }
                sorted.push((name, node));
            }
        }
        debug_assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
        let nodes = into_map(sorted);
        let spec = pb::ThreadSpec {
            nodes,
            variable_defs: self.var_defs,
            interrupt_defs: self.interrupt_defs,
            retention_policy: None,
        };
        (spec, spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name_order` is the order of the names sorted as strings, for every size up to past
    /// two powers of ten and at 10,001.
    #[test]
    fn name_order_is_the_names_sorted() {
        for n in (0..1_205).chain([10_001]) {
            let mut names: Vec<(String, usize)> =
                (0..n).map(|i| (node_name(i, "step", "TASK"), i)).collect();
            names.sort();
            let sorted: Vec<usize> = names.into_iter().map(|(_, i)| i).collect();
            assert_eq!(name_order(n), sorted, "{n} nodes");
        }
    }

    #[test]
    fn node_names_are_index_human_kind() {
        assert_eq!(
            node_name(0, "entrypoint", "ENTRYPOINT"),
            "0-entrypoint-ENTRYPOINT"
        );
        assert_eq!(node_name(1_234_567, "a-b", "TASK"), "1234567-a-b-TASK");
    }
}
