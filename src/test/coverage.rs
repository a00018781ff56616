//! Node and edge coverage per workflow: what the tests' runs visited, against every node
//! and edge of the compiled WfSpecs, with the unvisited nodes by source line.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::exec::Visits;
use super::load::{SourceLine, Suite};

/// The coverage of one workflow.
#[derive(Debug, Serialize)]
pub(crate) struct Coverage {
    /// The workflow.
    pub(crate) workflow: String,
    /// Nodes visited.
    pub(crate) nodes_visited: usize,
    /// Nodes in all threads.
    pub(crate) nodes_total: usize,
    /// Edges taken.
    pub(crate) edges_visited: usize,
    /// Edges in all threads.
    pub(crate) edges_total: usize,
    /// The nodes no test reached, in source order.
    pub(crate) unvisited: Vec<Unvisited>,
}

/// A node no test reached.
#[derive(Debug, Serialize)]
pub(crate) struct Unvisited {
    /// Its thread.
    pub(crate) thread: String,
    /// Its LittleHorse name.
    pub(crate) node: String,
    /// The `.lhw` file.
    pub(crate) file: String,
    /// The line that produced it.
    pub(crate) line: u32,
}

/// Coverage accumulated over every test of every suite.
#[derive(Default)]
pub(crate) struct Tally {
    /// Per workflow: the nodes (thread, node) with their line, and the edges.
    all: BTreeMap<String, WorkflowShape>,
    visits: Visits,
}

#[derive(Default)]
struct WorkflowShape {
    nodes: BTreeMap<(String, String), Option<SourceLine>>,
    edges: BTreeSet<(String, String, String)>,
}

impl Tally {
    /// Registers the workflows a suite tests.
    pub(crate) fn add_suite(&mut self, suite: &Suite) {
        let tested: BTreeSet<&str> = suite
            .plan
            .cases
            .iter()
            .map(|c| c.workflow.as_str())
            .collect();
        for name in tested {
            let Some(spec) = suite.specs.get(name) else {
                continue;
            };
            let shape = self.all.entry(name.to_string()).or_default();
            for (thread, ts) in &spec.thread_specs {
                for (node, n) in &ts.nodes {
                    let line = suite
                        .node_lines
                        .get(&(name.to_string(), thread.clone(), node.clone()))
                        .cloned();
                    shape.nodes.insert((thread.clone(), node.clone()), line);
                    for e in &n.outgoing_edges {
                        shape.edges.insert((
                            thread.clone(),
                            node.clone(),
                            e.sink_node_name.clone(),
                        ));
                    }
                }
            }
        }
    }

    /// Adds what one test visited.
    pub(crate) fn add_visits(&mut self, v: Visits) {
        self.visits.nodes.extend(v.nodes);
        self.visits.edges.extend(v.edges);
    }

    /// The coverage of each tested workflow, by name.
    pub(crate) fn report(&self) -> Vec<Coverage> {
        self.all
            .iter()
            .map(|(wf, shape)| {
                let visited = |t: &str, n: &str| {
                    self.visits
                        .nodes
                        .contains(&(wf.clone(), t.to_string(), n.to_string()))
                };
                let nodes_visited = shape.nodes.keys().filter(|(t, n)| visited(t, n)).count();
                let edges_visited = shape
                    .edges
                    .iter()
                    .filter(|(t, a, b)| {
                        self.visits
                            .edges
                            .contains(&(wf.clone(), t.clone(), a.clone(), b.clone()))
                    })
                    .count();
                let mut unvisited: Vec<Unvisited> = shape
                    .nodes
                    .iter()
                    .filter(|((t, n), _)| !visited(t, n))
                    .map(|((t, n), line)| Unvisited {
                        thread: t.clone(),
                        node: n.clone(),
                        file: line.as_ref().map(|l| l.file.clone()).unwrap_or_default(),
                        line: line.as_ref().map_or(0, |l| l.line),
                    })
                    .collect();
                unvisited
                    .sort_by(|a, b| (&a.file, a.line, &a.node).cmp(&(&b.file, b.line, &b.node)));
                Coverage {
                    workflow: wf.clone(),
                    nodes_visited,
                    nodes_total: shape.nodes.len(),
                    edges_visited,
                    edges_total: shape.edges.len(),
                    unvisited,
                }
            })
            .collect()
    }
}
