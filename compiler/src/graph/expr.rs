//! Proto values back to `.lhw` text for the labels of a diagram. The printing itself is the
//! decompiler's (`decompile::expr::Printer`); this adds what a diagram wants on top: node
//! outputs read as the call that made them (`ship-order(…)`), durations in `.lhw` units.

use std::collections::BTreeMap;

use lhw_proto::littlehorse as pb;
use pb::variable_assignment::Source;
use pb::variable_value::Value;

use crate::decompile::expr::Printer;

/// Prints the expressions of one thread.
pub(crate) struct Labeler {
    printer: Printer,
}

impl Labeler {
    /// A printer for the thread `ts`: the output of a task node reads as `task(…)`, of any
    /// other node as its name without number and kind; so does a spawn's thread-number variable.
    pub(crate) fn new(ts: &pb::ThreadSpec) -> Self {
        let outputs: BTreeMap<String, String> = ts
            .nodes
            .keys()
            .map(|node| {
                let (human, kind) = split_node_name(node);
                let text = match kind {
                    "TASK" => format!("{human}(…)"),
                    _ => human.to_string(),
                };
                (node.clone(), text)
            })
            .collect();
        // sdk-java keeps a spawned thread's number in a variable named after the spawning
        // node; it reads best as the thread's name.
        let variables: BTreeMap<String, String> = ts
            .nodes
            .keys()
            .filter_map(|node| match split_node_name(node) {
                (human, "START_THREAD" | "START_MULTIPLE_THREADS") => {
                    Some((node.clone(), human.to_string()))
                }
                _ => None,
            })
            .collect();
        Labeler {
            printer: Printer {
                outputs,
                variables,
                ..Printer::default()
            },
        }
    }

    /// `.lhw` text of a value computed at run time.
    pub(crate) fn assignment(&mut self, a: &pb::VariableAssignment) -> String {
        self.printer.assignment(a)
    }

    /// `.lhw` text of an edge's condition.
    pub(crate) fn condition(&mut self, c: &pb::edge::EdgeCondition) -> String {
        self.printer.condition(c)
    }

    /// `.lhw` text of the pre-expression form of a condition.
    pub(crate) fn legacy(&mut self, l: &pb::LegacyEdgeCondition) -> String {
        self.printer
            .condition(&pb::edge::EdgeCondition::LegacyCondition(l.clone()))
    }

    /// `.lhw` text of a mutation carried by an edge: `status = "shipped"`, `count += 1`.
    pub(crate) fn mutation(&mut self, m: &pb::VariableMutation) -> String {
        self.printer.mutation(m)
    }

    /// A duration in seconds the way `.lhw` writes it (`90s`, `5m`, `2d`); other values
    /// print as expressions.
    pub(crate) fn duration(&mut self, a: &pb::VariableAssignment) -> String {
        match &a.source {
            Some(Source::LiteralValue(pb::VariableValue {
                value: Some(Value::Int(secs)),
            })) if a.path.is_none() && a.target_type.is_none() => seconds(*secs),
            _ => self.assignment(a),
        }
    }
}

/// `12-ship-order-TASK` → (`ship-order`, `TASK`); names of another shape are returned whole.
pub(crate) fn split_node_name(node: &str) -> (&str, &str) {
    let Some((index, rest)) = node.split_once('-') else {
        return (node, "");
    };
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return (node, "");
    }
    match rest.rsplit_once('-') {
        Some((human, kind)) if kind.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') => {
            (human, kind)
        }
        _ => (rest, ""),
    }
}

/// Seconds in the largest exact `.lhw` unit.
pub(crate) fn seconds(secs: i64) -> String {
    const UNITS: [(i64, &str); 3] = [(86_400, "d"), (3_600, "h"), (60, "m")];
    for (size, unit) in UNITS {
        if secs != 0 && secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_split_into_human_and_kind() {
        assert_eq!(
            split_node_name("12-ship-order-TASK"),
            ("ship-order", "TASK")
        );
        assert_eq!(
            split_node_name("0-entrypoint-ENTRYPOINT"),
            ("entrypoint", "ENTRYPOINT")
        );
        assert_eq!(split_node_name("custom"), ("custom", ""));
    }

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(seconds(172_800), "2d");
        assert_eq!(seconds(90), "90s");
        assert_eq!(seconds(300), "5m");
        assert_eq!(seconds(0), "0s");
    }

    #[test]
    fn task_outputs_read_as_the_call() {
        let mut ts = pb::ThreadSpec::default();
        ts.nodes
            .insert("3-ship-order-TASK".into(), pb::Node::default());
        let mut p = Labeler::new(&ts);
        let a = pb::VariableAssignment {
            source: Some(Source::NodeOutput(
                pb::variable_assignment::NodeOutputReference {
                    node_name: "3-ship-order-TASK".into(),
                },
            )),
            ..Default::default()
        };
        assert_eq!(p.assignment(&a), "ship-order(…)");
    }
}
