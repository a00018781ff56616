//! Where each generated node comes from: the span of the statement or step that made it,
//! by workflow, thread and node name.
//!
//! Kept as one sorted list of `(node, span)` per thread of each workflow, the node names
//! copied once (a map keyed by `(workflow, thread, node)` copied the workflow's and the
//! thread's names for every node and compared them at every insert: about a quarter of
//! lowering at 10,000 statements; docs/performance.md).

use std::collections::BTreeMap;

use crate::source::Span;

/// The span of every node the compiler generated (see [`crate::Output::node_spans`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeSpans {
    /// Workflow name -> thread name -> `(node name, span)`, sorted by node name.
    by_workflow: BTreeMap<String, BTreeMap<String, Vec<(String, Span)>>>,
}

/// One node's entry: where it is and the span that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan<'a> {
    /// The workflow (WfSpec) name.
    pub workflow: &'a str,
    /// The thread (ThreadSpec) name.
    pub thread: &'a str,
    /// The node name (`{index}-{name}-{KIND}`).
    pub node: &'a str,
    /// The statement or step that produced the node.
    pub span: Span,
}

impl NodeSpans {
    /// The span of `node` in `thread` of `workflow`, if the compiler made such a node.
    #[must_use]
    pub fn get(&self, workflow: &str, thread: &str, node: &str) -> Option<Span> {
        let nodes = self.by_workflow.get(workflow)?.get(thread)?;
        let i = nodes
            .binary_search_by(|(name, _)| name.as_str().cmp(node))
            .ok()?;
        nodes.get(i).map(|(_, span)| *span)
    }

    /// Every node, sorted by workflow, thread and node name.
    pub fn iter(&self) -> impl Iterator<Item = NodeSpan<'_>> {
        self.by_workflow
            .keys()
            .flat_map(|workflow| self.of_workflow(workflow))
    }

    /// The nodes of one workflow, sorted by thread and node name.
    pub fn of_workflow<'a>(&'a self, workflow: &str) -> impl Iterator<Item = NodeSpan<'a>> {
        self.by_workflow
            .get_key_value(workflow)
            .into_iter()
            .flat_map(|(workflow, threads)| {
                threads.iter().flat_map(move |(thread, nodes)| {
                    nodes.iter().map(move |(node, span)| NodeSpan {
                        workflow,
                        thread,
                        node,
                        span: *span,
                    })
                })
            })
    }

    /// How many nodes have a span.
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_workflow
            .values()
            .flat_map(BTreeMap::values)
            .map(Vec::len)
            .sum()
    }

    /// Whether no node has a span.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records the nodes of one thread (`nodes` sorted by name, each name once); a thread
    /// recorded again keeps the later span of each node.
    pub(crate) fn insert_thread(
        &mut self,
        workflow: &str,
        thread: String,
        nodes: Vec<(String, Span)>,
    ) {
        debug_assert!(nodes.windows(2).all(|w| w[0].0 < w[1].0));
        let threads = match self.by_workflow.get_mut(workflow) {
            Some(threads) => threads,
            None => self.by_workflow.entry(workflow.to_string()).or_default(),
        };
        match threads.get_mut(&thread) {
            None => {
                threads.insert(thread, nodes);
            }
            Some(old) => {
                for (node, span) in nodes {
                    match old.binary_search_by(|(name, _)| name.cmp(&node)) {
                        Ok(i) => old[i].1 = span,
                        Err(i) => old.insert(i, (node, span)),
                    }
                }
            }
        }
    }
}
