//! SVG rendering of a laid-out graph: one `<g>` per lane, node shapes by kind, the `.lhw`
//! label inside, the LittleHorse node name (and source line, details) in `<title>` tooltips.
//! Deterministic: the same graph gives the same bytes.

use std::fmt::Write as _;

use super::layout::{self, EdgeRoute, NodeBox, Point};
use super::model::{Graph, GraphNode, LinkKind, NodeKind, RunState};

/// Renders `graph` as a standalone SVG document.
#[must_use]
pub fn render(graph: &Graph) -> String {
    let lay = layout::layout(graph);
    let with_run = graph
        .lanes
        .iter()
        .any(|l| l.nodes.iter().any(|n| n.state.is_some()));
    let legend_h = if with_run { 40.0 } else { 0.0 };
    let (width, height) = (lay.width.max(260.0), lay.height + legend_h);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">"#,
        w = num(width),
        h = num(height)
    );
    let _ = writeln!(s, "<title>{}</title>", esc(&graph.workflow));
    s.push_str(STYLE);
    s.push_str(DEFS);
    let _ = writeln!(
        s,
        r#"<rect class="background" x="0" y="0" width="{}" height="{}"/>"#,
        num(width),
        num(height)
    );
    for (li, lane) in graph.lanes.iter().enumerate() {
        let lb = &lay.lanes[li];
        let _ = writeln!(
            s,
            r#"<g class="lane role-{}" id="lane-{}">"#,
            lane.role.caption().replace([' ', '(', ')'], "-"),
            li
        );
        let _ = writeln!(
            s,
            r#"<rect class="lane-box" x="{}" y="{}" width="{}" height="{}" rx="10"/>"#,
            num(lb.x),
            num(lb.y),
            num(lb.width),
            num(lb.height)
        );
        let caption = graph.caption(li);
        let _ = writeln!(
            s,
            r#"<text class="lane-title" x="{}" y="{}">{}</text>"#,
            num(lb.x + 14.0),
            num(lb.y + 20.0),
            esc(&lane.thread)
        );
        let _ = writeln!(
            s,
            r#"<text class="lane-caption" x="{}" y="{}">{}</text>"#,
            num(lb.x + 14.0),
            num(lb.y + 36.0),
            esc(&layout::clip(&caption))
        );
        for (ei, edge) in lane.edges.iter().enumerate() {
            let taken = match (lane.nodes[edge.from].state, lane.nodes[edge.to].state) {
                (Some(a), Some(b)) => Some(a != RunState::NotReached && b != RunState::NotReached),
                _ => None,
            };
            let mut tip = format!(
                "{} → {}",
                lane.nodes[edge.from].name, lane.nodes[edge.to].name
            );
            if let Some(l) = &edge.label {
                let _ = write!(tip, "\nif {l}");
            }
            for m in &edge.mutations {
                let _ = write!(tip, "\n{m}");
            }
            edge_svg(&mut s, &lb.edges[ei], edge.label.as_deref(), taken, &tip);
        }
        for (ni, node) in lane.nodes.iter().enumerate() {
            node_svg(&mut s, node, &lb.nodes[ni]);
        }
        s.push_str("</g>\n");
    }
    // Links carry no text: the caption of the lane they point at says what starts it, and
    // their tooltip repeats it.
    for link in &graph.links {
        let from = &lay.lanes[link.from_lane];
        let to = &lay.lanes[link.to_lane];
        let start = match link.from_node {
            Some(n) => {
                let b = from.nodes[n];
                Point {
                    x: b.center.x + b.size.w / 2.0,
                    y: b.center.y,
                }
            }
            None => Point {
                x: from.x + from.width - 8.0,
                y: from.y + 22.0,
            },
        };
        let end = Point {
            x: to.x + 4.0,
            y: to.y + 22.0,
        };
        let class = match link.kind {
            LinkKind::Catch => "catch",
            LinkKind::Interrupt => "interrupt",
            LinkKind::Spawn => "spawn",
        };
        let bend = ((end.x - start.x).abs() / 2.0).max(40.0);
        let d = format!(
            "M{},{} C{},{} {},{} {},{}",
            num(start.x),
            num(start.y),
            num(start.x + bend),
            num(start.y),
            num(end.x - bend),
            num(end.y),
            num(end.x),
            num(end.y)
        );
        let _ = writeln!(
            s,
            r#"<g class="link {class}"><title>{}</title><path d="{d}" marker-end="url(#arrow-{class})"/></g>"#,
            esc(&format!(
                "{} → thread {}",
                link.label, graph.lanes[link.to_lane].thread
            )),
        );
    }
    if with_run {
        legend(&mut s, lay.height + 8.0);
    }
    s.push_str("</svg>\n");
    s
}

fn legend(s: &mut String, y: f64) {
    let mut x = 20.0;
    for state in [
        RunState::Completed,
        RunState::Failed,
        RunState::Running,
        RunState::NotReached,
    ] {
        let name = state.class().replace('-', " ");
        let _ = writeln!(
            s,
            r#"<g class="legend state-{}"><rect class="shape" x="{}" y="{}" width="18" height="14" rx="3"/><text x="{}" y="{}">{}</text></g>"#,
            state.class(),
            num(x),
            num(y),
            num(x + 24.0),
            num(y + 11.0),
            name
        );
        x += 24.0 + name.len() as f64 * layout::CHAR_W + 24.0;
    }
}

fn edge_svg(
    s: &mut String,
    route: &EdgeRoute,
    label: Option<&str>,
    taken: Option<bool>,
    tip: &str,
) {
    if route.points.len() < 2 {
        return;
    }
    let class = match taken {
        Some(true) => "edge taken",
        Some(false) => "edge not-taken",
        None => "edge",
    };
    let marker = if taken == Some(true) {
        "arrow-taken"
    } else {
        "arrow"
    };
    let mut d = format!("M{},{}", num(route.points[0].x), num(route.points[0].y));
    for w in route.points.windows(2) {
        let (p, q) = (w[0], w[1]);
        let my = (p.y + q.y) / 2.0;
        let _ = write!(
            d,
            " C{},{} {},{} {},{}",
            num(p.x),
            num(my),
            num(q.x),
            num(my),
            num(q.x),
            num(q.y)
        );
    }
    let _ = write!(
        s,
        r#"<g class="{class}"><title>{}</title><path d="{d}" marker-end="url(#{marker})"/>"#,
        esc(tip)
    );
    if let (Some(text), Some(at)) = (label, route.label) {
        let size = layout::label_size(text);
        let _ = write!(
            s,
            r#"<rect class="edge-label" x="{}" y="{}" width="{}" height="{}" rx="4"/><text class="edge-text" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            num(at.x - size.w / 2.0),
            num(at.y - size.h / 2.0),
            num(size.w),
            num(size.h),
            num(at.x),
            num(at.y + 4.0),
            esc(&layout::clip(text))
        );
    }
    s.push_str("</g>\n");
}

fn node_svg(s: &mut String, node: &GraphNode, b: &NodeBox) {
    let state = node
        .state
        .map(|st| format!(" state-{}", st.class()))
        .unwrap_or_default();
    let mut tip = node.name.clone();
    if let Some(line) = node.line {
        let _ = write!(tip, " (line {line})");
    }
    if !node.label.is_empty() {
        let _ = write!(tip, "\n{}", node.label);
    }
    for d in &node.details {
        let _ = write!(tip, "\n{d}");
    }
    if let Some(st) = node.state {
        let _ = write!(tip, "\nrun: {}", st.class().replace('-', " "));
    }
    let _ = write!(
        s,
        r#"<g class="node kind-{}{state}" data-node="{}"><title>{}</title>"#,
        node.kind.class(),
        esc(&node.name),
        esc(&tip)
    );
    shape(s, node, b);
    let text = layout::display_label(node);
    if !text.is_empty() {
        let _ = write!(
            s,
            r#"<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            num(b.center.x),
            num(b.center.y + 4.0),
            esc(&text)
        );
    }
    s.push_str("</g>\n");
}

fn shape(s: &mut String, node: &GraphNode, b: &NodeBox) {
    let (cx, cy, w, h) = (b.center.x, b.center.y, b.size.w, b.size.h);
    let (x0, x1, y0, y1) = (cx - w / 2.0, cx + w / 2.0, cy - h / 2.0, cy + h / 2.0);
    let rect = |s: &mut String, rx: f64, extra: &str| {
        let _ = write!(
            s,
            r#"<rect class="shape{extra}" x="{}" y="{}" width="{}" height="{}" rx="{}"/>"#,
            num(x0),
            num(y0),
            num(w),
            num(h),
            num(rx)
        );
    };
    let poly = |s: &mut String, pts: &[(f64, f64)], extra: &str| {
        let list: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
            .collect();
        let _ = write!(
            s,
            r#"<polygon class="shape{extra}" points="{}"/>"#,
            list.join(" ")
        );
    };
    match node.kind {
        NodeKind::Entrypoint | NodeKind::Exit if w == h => {
            let r = w / 2.0;
            let _ = write!(
                s,
                r#"<circle class="shape" cx="{}" cy="{}" r="{}"/>"#,
                num(cx),
                num(cy),
                num(r)
            );
            if node.kind == NodeKind::Exit {
                let _ = write!(
                    s,
                    r#"<circle class="inner" cx="{}" cy="{}" r="{}"/>"#,
                    num(cx),
                    num(cy),
                    num(r - 4.0)
                );
            }
        }
        NodeKind::Entrypoint | NodeKind::Exit | NodeKind::Sleep => rect(s, h / 2.0, ""),
        NodeKind::Fail => {
            let c = 10.0;
            poly(
                s,
                &[
                    (x0 + c, y0),
                    (x1 - c, y0),
                    (x1, y0 + c),
                    (x1, y1 - c),
                    (x1 - c, y1),
                    (x0 + c, y1),
                    (x0, y1 - c),
                    (x0, y0 + c),
                ],
                "",
            );
        }
        NodeKind::Task => rect(s, 6.0, ""),
        NodeKind::UserTask => {
            rect(s, 4.0, "");
            let _ = write!(
                s,
                r#"<rect class="inner" x="{}" y="{}" width="{}" height="{}" rx="2"/>"#,
                num(x0 + 3.0),
                num(y0 + 3.0),
                num(w - 6.0),
                num(h - 6.0)
            );
        }
        NodeKind::ExternalEvent => poly(
            s,
            &[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0 + 14.0, cy)],
            "",
        ),
        NodeKind::ThrowEvent => poly(
            s,
            &[
                (x0, y0),
                (x1 - 14.0, y0),
                (x1, cy),
                (x1 - 14.0, y1),
                (x0, y1),
            ],
            "",
        ),
        NodeKind::WaitForCondition => poly(
            s,
            &[
                (x0, cy),
                (x0 + 14.0, y0),
                (x1 - 14.0, y0),
                (x1, cy),
                (x1 - 14.0, y1),
                (x0 + 14.0, y1),
            ],
            "",
        ),
        NodeKind::StartThread | NodeKind::StartMultipleThreads => {
            let k = 12.0;
            if node.kind == NodeKind::StartMultipleThreads {
                poly(
                    s,
                    &[
                        (x0 + k + 5.0, y0 - 5.0),
                        (x1 + 5.0, y0 - 5.0),
                        (x1 - k + 5.0, y1 - 5.0),
                        (x0 + 5.0, y1 - 5.0),
                    ],
                    " back",
                );
            }
            poly(s, &[(x0 + k, y0), (x1, y0), (x1 - k, y1), (x0, y1)], "");
        }
        NodeKind::WaitForThreads => {
            let k = 12.0;
            poly(s, &[(x0, y0), (x1, y0), (x1 - k, y1), (x0 + k, y1)], "");
        }
        NodeKind::RunChildWf | NodeKind::WaitForChildWf => {
            let extra = if node.kind == NodeKind::WaitForChildWf {
                " dashed"
            } else {
                ""
            };
            rect(s, 2.0, extra);
            let _ = write!(
                s,
                r#"<path class="inner" d="M{a},{y0} V{y1} M{b},{y0} V{y1}"/>"#,
                a = num(x0 + 7.0),
                b = num(x1 - 7.0),
                y0 = num(y0),
                y1 = num(y1)
            );
        }
        NodeKind::Nop => poly(s, &[(cx, y0), (x1, cy), (cx, y1), (x0, cy)], ""),
    }
}

/// A coordinate: integers without a fraction, otherwise one decimal.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Escapes text for XML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"<style>
.background { fill: #ffffff; }
.lane-box { fill: #f8fafc; stroke: #cbd5e1; stroke-width: 1; }
.role-failure-handler .lane-box { fill: #fff7f7; stroke: #fca5a5; }
.role-interrupt-handler .lane-box { fill: #faf5ff; stroke: #c4b5fd; }
.role-thread .lane-box { fill: #f5f9ff; stroke: #93c5fd; }
.lane-title { font-size: 14px; font-weight: bold; fill: #0f172a; }
.lane-caption { font-size: 11px; fill: #64748b; }
.shape { fill: #ffffff; stroke: #475569; stroke-width: 1.5; }
.inner { fill: none; stroke: #475569; stroke-width: 1; }
.back { fill: #f1f5f9; }
.dashed { stroke-dasharray: 5 3; }
.label { fill: #0f172a; }
.kind-entrypoint .shape { fill: #dcfce7; stroke: #16a34a; }
.kind-exit .shape { fill: #e2e8f0; stroke: #334155; stroke-width: 2; }
.kind-fail .shape { fill: #fee2e2; stroke: #dc2626; stroke-width: 2; }
.kind-task .shape { fill: #e0f2fe; stroke: #0369a1; }
.kind-event .shape { fill: #fef3c7; stroke: #b45309; }
.kind-emit .shape { fill: #fef9c3; stroke: #a16207; }
.kind-user-task .shape { fill: #ede9fe; stroke: #6d28d9; }
.kind-sleep .shape { fill: #fae8ff; stroke: #a21caf; }
.kind-spawn .shape, .kind-spawn-each .shape, .kind-wait-threads .shape { fill: #e0e7ff; stroke: #4338ca; }
.kind-run-child .shape, .kind-wait-child .shape { fill: #ccfbf1; stroke: #0f766e; }
.kind-wait-until .shape { fill: #fce7f3; stroke: #be185d; }
.kind-nop .shape { fill: #f1f5f9; stroke: #64748b; stroke-width: 1; }
.edge path { fill: none; stroke: #64748b; stroke-width: 1.4; }
.edge.taken path { stroke: #15803d; stroke-width: 2.4; }
.edge.not-taken path { stroke: #cbd5e1; stroke-dasharray: 4 3; }
.edge-label { fill: #ffffff; stroke: #e2e8f0; }
.edge-text { font-size: 11px; fill: #334155; }
.link path { fill: none; stroke-width: 1.4; stroke-dasharray: 6 4; opacity: 0.8; }
.link text { font-size: 11px; }
.link.catch path { stroke: #dc2626; } .link.catch text { fill: #b91c1c; }
.link.interrupt path { stroke: #7c3aed; } .link.interrupt text { fill: #6d28d9; }
.link.spawn path { stroke: #2563eb; } .link.spawn text { fill: #1d4ed8; }
.state-completed .shape { fill: #dcfce7; stroke: #15803d; stroke-width: 2.5; }
.state-failed .shape { fill: #fee2e2; stroke: #b91c1c; stroke-width: 2.5; }
.state-running .shape { fill: #dbeafe; stroke: #1d4ed8; stroke-width: 2.5; }
.state-not-reached .shape { fill: #f8fafc; stroke: #cbd5e1; stroke-dasharray: 4 3; }
.state-not-reached .label { fill: #94a3b8; }
.legend text { font-size: 11px; fill: #334155; }
</style>
"#;

const DEFS: &str = r##"<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker>
<marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#15803d"/></marker>
<marker id="arrow-catch" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#dc2626"/></marker>
<marker id="arrow-interrupt" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#7c3aed"/></marker>
<marker id="arrow-spawn" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#2563eb"/></marker>
</defs>
"##;
