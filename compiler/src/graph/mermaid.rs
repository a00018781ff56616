//! Mermaid flowchart text (`flowchart TB`): a subgraph per lane, Mermaid's shapes by node
//! kind, conditions on the edges, dotted links to the threads a node or thread starts.

use std::fmt::Write as _;

use super::layout;
use super::model::{Graph, NodeKind};

/// Renders `graph` as a Mermaid flowchart.
#[must_use]
pub fn render(graph: &Graph) -> String {
    let mut s = String::from("flowchart TB\n");
    for (li, lane) in graph.lanes.iter().enumerate() {
        let _ = writeln!(
            s,
            "  subgraph t{li}[\"{} ({})\"]",
            text(&lane.thread),
            lane.role.caption()
        );
        s.push_str("    direction TB\n");
        for (ni, node) in lane.nodes.iter().enumerate() {
            let label = match node.kind {
                NodeKind::Nop => " ".to_string(),
                _ => text(&layout::display_label(node)),
            };
            let (open, close) = shape(node.kind);
            let _ = writeln!(s, "    t{li}n{ni}{open}\"{label}\"{close}");
        }
        for edge in &lane.edges {
            match &edge.label {
                Some(l) => {
                    let _ = writeln!(
                        s,
                        "    t{li}n{} -->|\"{}\"| t{li}n{}",
                        edge.from,
                        text(&layout::clip(l)),
                        edge.to
                    );
                }
                None => {
                    let _ = writeln!(s, "    t{li}n{} --> t{li}n{}", edge.from, edge.to);
                }
            }
        }
        s.push_str("  end\n");
    }
    for link in &graph.links {
        let from = match link.from_node {
            Some(n) => format!("t{}n{n}", link.from_lane),
            None => format!("t{}", link.from_lane),
        };
        let _ = writeln!(
            s,
            "  {from} -.->|\"{}\"| t{}",
            text(&link.label),
            link.to_lane
        );
    }
    // Node names as tooltips are not portable across Mermaid renderers; classes are.
    let mut classes: Vec<(&str, Vec<String>)> = Vec::new();
    for (li, lane) in graph.lanes.iter().enumerate() {
        for (ni, node) in lane.nodes.iter().enumerate() {
            if let Some(state) = node.state {
                let id = format!("t{li}n{ni}");
                match classes.iter_mut().find(|(c, _)| *c == state.class()) {
                    Some((_, ids)) => ids.push(id),
                    None => classes.push((state.class(), vec![id])),
                }
            }
        }
    }
    if !classes.is_empty() {
        s.push_str("  classDef completed fill:#dcfce7,stroke:#15803d,stroke-width:2px\n");
        s.push_str("  classDef failed fill:#fee2e2,stroke:#b91c1c,stroke-width:2px\n");
        s.push_str("  classDef running fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px\n");
        s.push_str(
            "  classDef not-reached fill:#f8fafc,stroke:#cbd5e1,color:#94a3b8,stroke-dasharray:4 3\n",
        );
        classes.sort_by(|a, b| a.0.cmp(b.0));
        for (class, ids) in classes {
            let _ = writeln!(s, "  class {} {class}", ids.join(","));
        }
    }
    s
}

fn shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Entrypoint => ("((", "))"),
        NodeKind::Exit => ("(((", ")))"),
        NodeKind::Fail => ("{{", "}}"),
        NodeKind::Task => ("(", ")"),
        NodeKind::ExternalEvent => (">", "]"),
        NodeKind::ThrowEvent => (">", "]"),
        NodeKind::UserTask => ("[", "]"),
        NodeKind::Sleep => ("([", "])"),
        NodeKind::StartThread | NodeKind::StartMultipleThreads => ("[/", "/]"),
        NodeKind::WaitForThreads => ("[\\", "/]"),
        NodeKind::RunChildWf | NodeKind::WaitForChildWf => ("[[", "]]"),
        NodeKind::WaitForCondition => ("[/", "\\]"),
        NodeKind::Nop => ("{", "}"),
    }
}

/// Text inside a quoted Mermaid label: quotes and markup characters as entities.
fn text(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
