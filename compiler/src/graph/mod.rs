//! Workflow diagrams (`lhc graph`, the language server's `lhw/graph`): a compiled WfSpec
//! becomes a [`Graph`] (`model.rs`), laid out in layers (`layout.rs`, no external program)
//! and rendered as SVG (`svg.rs`), Mermaid (`mermaid.rs`) or DOT (`dot.rs`). Labels are
//! `.lhw` text printed back from the protobuf (`expr.rs`), so a WfSpec read from a server
//! draws the same as the file it came from. Pure: no IO.

pub mod dot;
mod expr;
pub mod layout;
pub mod mermaid;
pub mod model;
pub mod svg;

pub use model::{
    Graph, GraphEdge, GraphNode, Lane, LaneRole, Link, LinkKind, NodeKind, RunState, SourceLines,
    WfSpecView, build, source_lines,
};

/// The formats a graph renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A standalone SVG document.
    Svg,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// Renders `graph` in `format`.
#[must_use]
pub fn render(graph: &Graph, format: Format) -> String {
    match format {
        Format::Svg => svg::render(graph),
        Format::Mermaid => mermaid::render(graph),
        Format::Dot => dot::render(graph),
    }
}

impl Graph {
    /// The caption of lane `lane`: its role and what starts it (`failure handler · catch
    /// out-of-stock`).
    #[must_use]
    pub fn caption(&self, lane: usize) -> String {
        let mut caption = self
            .lanes
            .get(lane)
            .map_or("", |l| l.role.caption())
            .to_string();
        for link in self.links.iter().filter(|l| l.to_lane == lane) {
            if !caption.contains(&link.label) {
                caption.push_str(" · ");
                caption.push_str(&link.label);
            }
        }
        caption
    }

    /// Marks every node with what a run did there: `state(thread, node)`; nodes it gives
    /// nothing for are `NotReached`.
    pub fn apply_run(&mut self, state: impl Fn(&str, &str) -> Option<RunState>) {
        for lane in &mut self.lanes {
            for node in &mut lane.nodes {
                node.state = Some(state(&lane.thread, &node.name).unwrap_or(RunState::NotReached));
            }
        }
    }
}
