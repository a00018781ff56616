//! Graphviz DOT text: a cluster per lane, DOT shapes by node kind, the LittleHorse node name
//! as each node's tooltip, conditions on the edges, dashed links to the threads a node or a
//! thread starts. lhc never runs Graphviz; this is for users who have it.

use std::fmt::Write as _;

use super::layout;
use super::model::{Graph, LinkKind, NodeKind, RunState};

/// Renders `graph` as a DOT digraph.
#[must_use]
pub fn render(graph: &Graph) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"{}\" {{", esc(&graph.workflow));
    s.push_str("  compound=true;\n  rankdir=TB;\n");
    s.push_str("  node [fontname=\"monospace\", fontsize=11, style=filled, fillcolor=white];\n");
    s.push_str("  edge [fontname=\"monospace\", fontsize=10];\n");
    for (li, lane) in graph.lanes.iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster_{li} {{");
        let _ = writeln!(
            s,
            "    label=\"{} ({})\";",
            esc(&lane.thread),
            lane.role.caption()
        );
        s.push_str("    style=rounded;\n");
        for (ni, node) in lane.nodes.iter().enumerate() {
            let (shape, style) = shape(node.kind);
            let label = match node.kind {
                NodeKind::Nop => String::new(),
                _ => esc(&layout::display_label(node)),
            };
            let mut tooltip = node.name.clone();
            if let Some(line) = node.line {
                let _ = write!(tooltip, " (line {line})");
            }
            let mut attrs = format!(
                "label=\"{label}\", shape={shape}, tooltip=\"{}\"",
                esc(&tooltip)
            );
            if !style.is_empty() {
                let _ = write!(attrs, ", style=\"filled,{style}\"");
            }
            if node.kind == NodeKind::Nop {
                attrs.push_str(", width=0.3, height=0.3");
            }
            if let Some(state) = node.state {
                let (fill, color) = state_colors(state);
                let _ = write!(attrs, ", fillcolor=\"{fill}\", color=\"{color}\"");
            }
            let _ = writeln!(s, "    t{li}n{ni} [{attrs}];");
        }
        for edge in &lane.edges {
            let mut attrs = Vec::new();
            if let Some(l) = &edge.label {
                attrs.push(format!("label=\"{}\"", esc(&layout::clip(l))));
            }
            if !edge.mutations.is_empty() {
                attrs.push(format!("tooltip=\"{}\"", esc(&edge.mutations.join("; "))));
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            };
            let _ = writeln!(s, "    t{li}n{} -> t{li}n{}{attrs};", edge.from, edge.to);
        }
        s.push_str("  }\n");
    }
    for link in &graph.links {
        let from = match link.from_node {
            Some(n) => format!("t{}n{n}", link.from_lane),
            None => format!("t{}n0", link.from_lane),
        };
        let color = match link.kind {
            LinkKind::Catch => "#dc2626",
            LinkKind::Interrupt => "#7c3aed",
            LinkKind::Spawn => "#2563eb",
        };
        let ltail = if link.from_node.is_none() {
            format!(", ltail=cluster_{}", link.from_lane)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  {from} -> t{}n0 [style=dashed, color=\"{color}\", label=\"{}\", lhead=cluster_{}{ltail}];",
            link.to_lane,
            esc(&link.label),
            link.to_lane
        );
    }
    s.push_str("}\n");
    s
}

fn shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Entrypoint => ("circle", ""),
        NodeKind::Exit => ("doublecircle", ""),
        NodeKind::Fail => ("octagon", ""),
        NodeKind::Task => ("box", "rounded"),
        NodeKind::ExternalEvent => ("cds", ""),
        NodeKind::ThrowEvent => ("rarrow", ""),
        NodeKind::UserTask => ("box", ""),
        NodeKind::Sleep => ("box", "rounded,dashed"),
        NodeKind::StartThread | NodeKind::StartMultipleThreads => ("parallelogram", ""),
        NodeKind::WaitForThreads => ("invtrapezium", ""),
        NodeKind::RunChildWf | NodeKind::WaitForChildWf => ("component", ""),
        NodeKind::WaitForCondition => ("hexagon", ""),
        NodeKind::Nop => ("diamond", ""),
    }
}

fn state_colors(state: RunState) -> (&'static str, &'static str) {
    match state {
        RunState::Completed => ("#dcfce7", "#15803d"),
        RunState::Failed => ("#fee2e2", "#b91c1c"),
        RunState::Running => ("#dbeafe", "#1d4ed8"),
        RunState::NotReached => ("#f8fafc", "#cbd5e1"),
    }
}

/// Escapes text inside a DOT double-quoted string.
fn esc(t: &str) -> String {
    t.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
