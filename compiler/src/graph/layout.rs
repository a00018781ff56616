//! A layered (Sugiyama-style) layout, written here rather than taken from a crate so that it
//! stays pure, deterministic (no hash iteration, no floating-point ties left to chance) and
//! tuned to workflow graphs: every lane (thread) is laid out top to bottom on its own, and
//! the lanes stand side by side.
//!
//! The steps, per lane: (1) a depth-first search from the entrypoint reverses the edges that
//! close loops; (2) ranks by longest path, an edge with a label spanning two ranks so that its
//! label gets a row of its own; (3) long edges become chains of dummy vertices; (4) crossings
//! are reduced by barycenter sweeps, keeping the best order seen; (5) x coordinates are the
//! least-squares fit of each vertex to the median of its neighbours under the spacing constraints (pool
//! adjacent violators), alternating downward and upward; (6) edges are routed through their
//! dummies. Everything is O(V·E) per sweep, fine for lanes of several hundred nodes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::model::{Graph, GraphNode, NodeKind};

/// A point in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal, growing right.
    pub x: f64,
    /// Vertical, growing down.
    pub y: f64,
}

/// Width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// The laid-out diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// One box per lane, in the graph's lane order.
    pub lanes: Vec<LaneBox>,
}

/// A lane: its frame and the positions of its nodes and edges (absolute coordinates).
#[derive(Debug, Clone, PartialEq)]
pub struct LaneBox {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Node centres and sizes, by node index.
    pub nodes: Vec<NodeBox>,
    /// Edge routes, by edge index.
    pub edges: Vec<EdgeRoute>,
}

/// Where a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeBox {
    /// Centre.
    pub center: Point,
    /// Size.
    pub size: Size,
}

/// How an edge is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRoute {
    /// From the source's border to the sink's border.
    pub points: Vec<Point>,
    /// The centre of the label, when the edge has one.
    pub label: Option<Point>,
}

/// Height of a lane's header (thread name and role).
pub const HEADER: f64 = 44.0;
/// Space around everything inside a lane.
const MARGIN: f64 = 20.0;
/// Space between lanes.
const LANE_GAP: f64 = 48.0;
/// Vertical space between ranks.
const RANK_GAP: f64 = 28.0;
/// Horizontal space between neighbours in a rank.
const NODE_GAP: f64 = 28.0;
/// Average advance of a character at 12px in the monospace font the SVG asks for.
pub const CHAR_W: f64 = 7.3;
/// The longest label drawn in full; longer ones are cut (the tooltip has everything).
pub const MAX_LABEL: usize = 46;

/// The text drawn in a node: its `.lhw` label, cut to `MAX_LABEL` characters.
#[must_use]
pub fn display_label(node: &GraphNode) -> String {
    clip(&node.label)
}

/// A text cut to `MAX_LABEL` characters with an ellipsis.
#[must_use]
pub fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(MAX_LABEL - 1).collect();
        cut.push('…');
        cut
    }
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_W
}

/// The size a node is drawn at.
#[must_use]
pub fn node_size(node: &GraphNode) -> Size {
    let text = text_width(&display_label(node));
    match node.kind {
        NodeKind::Entrypoint | NodeKind::Exit if node.label.len() <= 5 => Size { w: 44.0, h: 44.0 },
        NodeKind::Nop => Size { w: 22.0, h: 22.0 },
        NodeKind::ExternalEvent
        | NodeKind::WaitForCondition
        | NodeKind::StartThread
        | NodeKind::StartMultipleThreads
        | NodeKind::WaitForThreads => Size {
            w: text + 48.0,
            h: 36.0,
        },
        _ => Size {
            w: text + 28.0,
            h: 36.0,
        },
    }
}

/// The size of an edge label.
#[must_use]
pub fn label_size(label: &str) -> Size {
    Size {
        w: text_width(&clip(label)) * (11.0 / 12.0) + 10.0,
        h: 18.0,
    }
}

/// Lays out a whole graph: each lane on its own, side by side, left to right.
#[must_use]
pub fn layout(graph: &Graph) -> Layout {
    let mut lanes = Vec::new();
    let mut x = MARGIN;
    let mut height: f64 = 0.0;
    for (li, lane) in graph.lanes.iter().enumerate() {
        let sizes: Vec<Size> = lane.nodes.iter().map(node_size).collect();
        let edges: Vec<InEdge> = lane
            .edges
            .iter()
            .map(|e| InEdge {
                from: e.from,
                to: e.to,
                label: e.label.as_deref().map(label_size),
            })
            .collect();
        let header_w = (text_width(&lane.thread) * 14.0 / 12.0)
            .max(text_width(&clip(&graph.caption(li))) * 11.0 / 12.0)
            + 2.0 * MARGIN;
        let mut laid = layered(&sizes, &edges);
        let width = laid.width.max(header_w);
        // Centre narrow drawings under a wide header.
        let shift = (width - laid.width) / 2.0;
        let (ox, oy) = (x + shift, MARGIN + HEADER);
        for n in &mut laid.nodes {
            n.center.x += ox;
            n.center.y += oy;
        }
        for e in &mut laid.edges {
            for p in &mut e.points {
                p.x += ox;
                p.y += oy;
            }
            if let Some(l) = &mut e.label {
                l.x += ox;
                l.y += oy;
            }
        }
        let lane_h = HEADER + laid.height;
        height = height.max(lane_h);
        lanes.push(LaneBox {
            x,
            y: MARGIN,
            width,
            height: lane_h,
            nodes: laid.nodes,
            edges: laid.edges,
        });
        x += width + LANE_GAP;
    }
    for lane in &mut lanes {
        lane.height = height;
    }
    Layout {
        width: (x - LANE_GAP + MARGIN).max(2.0 * MARGIN),
        height: height + 2.0 * MARGIN,
        lanes,
    }
}

/// An edge given to the layered layout.
#[derive(Debug, Clone, Copy)]
pub struct InEdge {
    /// Source vertex.
    pub from: usize,
    /// Sink vertex.
    pub to: usize,
    /// The size of its label, if any.
    pub label: Option<Size>,
}

/// The result of laying out one lane, relative to its top-left corner.
#[derive(Debug, Clone)]
pub struct Laid {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Node boxes by index.
    pub nodes: Vec<NodeBox>,
    /// Edge routes by index.
    pub edges: Vec<EdgeRoute>,
}

/// One vertex of the layered graph: a node or a dummy on a long edge.
#[derive(Debug, Clone, Copy)]
struct Vertex {
    rank: usize,
    size: Size,
    /// Dummies are pulled straight harder than nodes.
    dummy: bool,
}

/// Lays out one lane top to bottom.
#[must_use]
pub fn layered(sizes: &[Size], edges: &[InEdge]) -> Laid {
    let n = sizes.len();
    if n == 0 {
        return Laid {
            width: 2.0 * MARGIN,
            height: MARGIN,
            nodes: Vec::new(),
            edges: edges
                .iter()
                .map(|_| EdgeRoute {
                    points: Vec::new(),
                    label: None,
                })
                .collect(),
        };
    }
    let valid = |e: &InEdge| e.from < n && e.to < n;
    let reversed = back_edges(n, edges);

    // (2) ranks: longest path over the acyclic orientation.
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n]; // (sink, minlen)
    let mut indeg = vec![0usize; n];
    for (i, e) in edges.iter().enumerate() {
        if !valid(e) || e.from == e.to {
            continue;
        }
        let (a, b) = if reversed[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        let minlen = if e.label.is_some() { 2 } else { 1 };
        out[a].push((b, minlen));
        indeg[b] += 1;
    }
    let mut rank = vec![0usize; n];
    let mut heap: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&v| indeg[v] == 0).map(Reverse).collect();
    while let Some(Reverse(v)) = heap.pop() {
        for &(w, minlen) in &out[v] {
            rank[w] = rank[w].max(rank[v] + minlen);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                heap.push(Reverse(w));
            }
        }
    }

    // (3) vertices and chains.
    let mut verts: Vec<Vertex> = sizes
        .iter()
        .enumerate()
        .map(|(v, &size)| Vertex {
            rank: rank[v],
            size,
            dummy: false,
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    let mut label_vertex: Vec<Option<usize>> = Vec::with_capacity(edges.len());
    let mut adj_down: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        if !valid(e) || e.from == e.to {
            chains.push(Vec::new());
            label_vertex.push(None);
            continue;
        }
        let (a, b) = if reversed[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        let mut chain = vec![a];
        let mut label_at = None;
        for r in rank[a] + 1..rank[b] {
            let is_label = r == rank[a] + 1 && e.label.is_some();
            let size = match (is_label, e.label) {
                (true, Some(s)) => s,
                _ => Size { w: 0.0, h: 0.0 },
            };
            verts.push(Vertex {
                rank: r,
                size,
                dummy: true,
            });
            adj_down.push(Vec::new());
            let id = verts.len() - 1;
            if is_label {
                label_at = Some(id);
            }
            chain.push(id);
        }
        chain.push(b);
        for w in chain.windows(2) {
            adj_down[w[0]].push(w[1]);
        }
        chains.push(chain);
        label_vertex.push(label_at);
    }
    let nv = verts.len();
    let mut adj_up: Vec<Vec<usize>> = vec![Vec::new(); nv];
    for (v, downs) in adj_down.iter().enumerate() {
        for &w in downs {
            adj_up[w].push(v);
        }
    }

    // (4) initial order: depth-first from the roots, then barycenter sweeps.
    let ranks = verts.iter().map(|v| v.rank).max().unwrap_or(0) + 1;
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    let mut seen = vec![false; nv];
    for root in 0..nv {
        if seen[root] || !adj_up[root].is_empty() {
            continue;
        }
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            layers[verts[v].rank].push(v);
            for &w in adj_down[v].iter().rev() {
                if !seen[w] {
                    stack.push(w);
                }
            }
        }
    }
    for v in 0..nv {
        if !seen[v] {
            layers[verts[v].rank].push(v);
        }
    }
    let mut pos = vec![0usize; nv];
    let index = |layers: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_cross = crossings(&layers, &adj_down, &pos);
    for sweep in 0..16 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in order {
            let neighbours = if down { &adj_up } else { &adj_down };
            let mut keyed: Vec<(f64, usize, usize)> = layers[r]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let ns = &neighbours[v];
                    let key = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().map(|&w| pos[w] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (key, i, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[r] = keyed.into_iter().map(|(_, _, v)| v).collect();
            for (i, &v) in layers[r].iter().enumerate() {
                pos[v] = i;
            }
        }
        let c = crossings(&layers, &adj_down, &pos);
        if c < best_cross {
            best_cross = c;
            best = layers.clone();
        }
        if best_cross == 0 {
            break;
        }
    }
    layers = best;
    index(&layers, &mut pos);

    // (5) x coordinates: the fit from left to right and the mirrored one, averaged (both
    // keep every spacing, so their mean does too), so that neither side is favoured and the
    // drawing does not drift sideways down a long workflow.
    let plain = place(&layers, &verts, &adj_up, &adj_down, nv);
    let mirrored_layers: Vec<Vec<usize>> = layers
        .iter()
        .map(|l| l.iter().rev().copied().collect())
        .collect();
    let mirrored = place(&mirrored_layers, &verts, &adj_up, &adj_down, nv);
    let mut x: Vec<f64> = (0..nv).map(|v| (plain[v] - mirrored[v]) / 2.0).collect();
    let min_left = (0..nv)
        .map(|v| x[v] - verts[v].size.w / 2.0)
        .fold(f64::INFINITY, f64::min);
    let max_right = (0..nv)
        .map(|v| x[v] + verts[v].size.w / 2.0)
        .fold(f64::NEG_INFINITY, f64::max);
    for xv in &mut x {
        *xv = *xv - min_left + MARGIN;
    }

    // y: each rank as tall as its tallest vertex.
    let mut rank_h = vec![0.0f64; ranks];
    for v in &verts {
        rank_h[v.rank] = rank_h[v.rank].max(v.size.h);
    }
    let mut rank_y = vec![0.0f64; ranks];
    let mut cur = 0.0;
    for r in 0..ranks {
        rank_y[r] = cur + rank_h[r] / 2.0;
        cur += rank_h[r] + RANK_GAP;
    }
    let height = cur - RANK_GAP + MARGIN;
    let center = |v: usize| Point {
        x: round(x[v]),
        y: round(rank_y[verts[v].rank]),
    };

    // (6) routes.
    let nodes: Vec<NodeBox> = (0..n)
        .map(|v| NodeBox {
            center: center(v),
            size: sizes[v],
        })
        .collect();
    let routes = edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if !valid(e) {
                return EdgeRoute {
                    points: Vec::new(),
                    label: None,
                };
            }
            if e.from == e.to {
                let c = center(e.from);
                let s = sizes[e.from];
                let (r, q) = (c.x + s.w / 2.0, s.h / 4.0);
                return EdgeRoute {
                    points: vec![
                        Point { x: r, y: c.y - q },
                        Point {
                            x: r + 24.0,
                            y: c.y - q,
                        },
                        Point {
                            x: r + 24.0,
                            y: c.y + q,
                        },
                        Point { x: r, y: c.y + q },
                    ],
                    label: e.label.map(|l| Point {
                        x: r + 28.0 + l.w / 2.0,
                        y: c.y,
                    }),
                };
            }
            let chain = &chains[i];
            let mut points: Vec<Point> = Vec::with_capacity(chain.len());
            let first = chain[0];
            let last = chain[chain.len() - 1];
            let c0 = center(first);
            points.push(Point {
                x: c0.x,
                y: c0.y + sizes[first].h / 2.0,
            });
            for &d in &chain[1..chain.len() - 1] {
                points.push(center(d));
            }
            let c1 = center(last);
            points.push(Point {
                x: c1.x,
                y: c1.y - sizes[last].h / 2.0,
            });
            if reversed[i] {
                points.reverse();
            }
            EdgeRoute {
                points,
                label: label_vertex[i].map(center),
            }
        })
        .collect();
    Laid {
        width: round(max_right - min_left + 2.0 * MARGIN),
        height: round(height),
        nodes,
        edges: routes,
    }
}

/// x coordinates for the given orders: every rank centred on 0, then rounds of fitting each
/// vertex to the median of its neighbours (the mean would let a branch's widest side pull
/// every join, and the drawing drift sideways block after block) (above, below, then both) under the spacing
/// constraints. With the orders reversed the result is the mirror image, negated.
fn place(
    layers: &[Vec<usize>],
    verts: &[Vertex],
    adj_up: &[Vec<usize>],
    adj_down: &[Vec<usize>],
    nv: usize,
) -> Vec<f64> {
    let ranks = layers.len();
    let mut x = vec![0.0f64; nv];
    for layer in layers {
        let mut cur = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                cur += separation(&verts[layer[i - 1]], &verts[v]);
            }
            x[v] = cur;
        }
        for &v in layer {
            x[v] -= cur / 2.0;
        }
    }
    for round in 0..8 {
        let down = round % 2 == 0;
        let order: Vec<usize> = if down {
            (0..ranks).collect()
        } else {
            (0..ranks).rev().collect()
        };
        for r in order {
            let layer = &layers[r];
            let desired: Vec<f64> = layer
                .iter()
                .map(|&v| {
                    let ns: Vec<usize> = if round >= 6 {
                        adj_up[v].iter().chain(&adj_down[v]).copied().collect()
                    } else if down {
                        adj_up[v].clone()
                    } else {
                        adj_down[v].clone()
                    };
                    median(ns.iter().map(|&w| x[w]).collect()).unwrap_or(x[v])
                })
                .collect();
            let weights: Vec<f64> = layer
                .iter()
                .map(|&v| if verts[v].dummy { 2.0 } else { 1.0 })
                .collect();
            let seps: Vec<f64> = layer
                .windows(2)
                .map(|w| separation(&verts[w[0]], &verts[w[1]]))
                .collect();
            let placed = fit(&desired, &weights, &seps);
            for (i, &v) in layer.iter().enumerate() {
                x[v] = placed[i];
            }
        }
    }
    x
}

/// The median (the mean of the middle two for an even count); `None` when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// Coordinates are rounded to tenths so that the output never depends on the last bits of a
/// floating-point sum.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn separation(a: &Vertex, b: &Vertex) -> f64 {
    let gap = if a.dummy && b.dummy && a.size.w == 0.0 && b.size.w == 0.0 {
        NODE_GAP / 2.0
    } else {
        NODE_GAP
    };
    (a.size.w + b.size.w) / 2.0 + gap
}

/// The edges that close a cycle, found by a depth-first search from vertex 0 (the
/// entrypoint), then from every vertex not yet reached, in index order.
fn back_edges(n: usize, edges: &[InEdge]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        if e.from < n && e.to < n && e.from != e.to {
            out[e.from].push(i);
        }
    }
    let mut reversed = vec![false; edges.len()];
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < out[v].len() {
                let ei = out[v][*next];
                *next += 1;
                let w = edges[ei].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[ei] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Crossings between adjacent layers (pairwise; the layers of a workflow are narrow).
fn crossings(layers: &[Vec<usize>], adj_down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for layer in layers {
        let segs: Vec<(usize, usize)> = layer
            .iter()
            .flat_map(|&v| adj_down[v].iter().map(move |&w| (pos[v], pos[w])))
            .collect();
        for i in 0..segs.len() {
            for j in i + 1..segs.len() {
                let (a, b) = (segs[i], segs[j]);
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// The positions closest (weighted least squares) to `desired` that keep the order and at
/// least `seps[i]` between neighbours i and i+1: isotonic regression by pool adjacent
/// violators on the positions minus their cumulative minimal offsets.
fn fit(desired: &[f64], weights: &[f64], seps: &[f64]) -> Vec<f64> {
    let k = desired.len();
    let mut offset = vec![0.0; k];
    for i in 1..k {
        offset[i] = offset[i - 1] + seps[i - 1];
    }
    // Blocks of (weight, weighted sum, length).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(k);
    for i in 0..k {
        blocks.push((weights[i], weights[i] * (desired[i] - offset[i]), 1));
        while blocks.len() >= 2 {
            let (w1, s1, l1) = blocks[blocks.len() - 1];
            let (w0, s0, l0) = blocks[blocks.len() - 2];
            if s0 / w0 > s1 / w1 {
                blocks.pop();
                blocks.pop();
                blocks.push((w0 + w1, s0 + s1, l0 + l1));
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(k);
    for (w, s, l) in blocks {
        let value = s / w;
        for _ in 0..l {
            let i = out.len();
            out.push(value + offset[i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(w: f64) -> Size {
        Size { w, h: 20.0 }
    }

    #[test]
    fn fit_keeps_order_and_spacing() {
        let placed = fit(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], &[10.0, 10.0]);
        assert_eq!(placed, vec![-10.0, 0.0, 10.0]);
        let free = fit(&[0.0, 50.0], &[1.0, 1.0], &[10.0]);
        assert_eq!(free, vec![0.0, 50.0]);
    }

    #[test]
    fn a_loop_is_laid_out_downward_with_its_back_edge_reversed() {
        let e = |from, to| InEdge {
            from,
            to,
            label: None,
        };
        let laid = layered(&[sq(20.0); 3], &[e(0, 1), e(1, 2), e(2, 1)]);
        assert!(laid.nodes[0].center.y < laid.nodes[1].center.y);
        assert!(laid.nodes[1].center.y < laid.nodes[2].center.y);
        let back = &laid.edges[2].points;
        assert!(back.first().unwrap().y < laid.nodes[2].center.y, "{back:?}");
        assert!(back.last().unwrap().y > laid.nodes[1].center.y, "{back:?}");
    }

    #[test]
    fn labelled_edges_get_a_row_for_their_label() {
        let laid = layered(
            &[sq(20.0); 2],
            &[InEdge {
                from: 0,
                to: 1,
                label: Some(sq(40.0)),
            }],
        );
        let label = laid.edges[0].label.expect("a label point");
        assert!(laid.nodes[0].center.y < label.y && label.y < laid.nodes[1].center.y);
    }
}
