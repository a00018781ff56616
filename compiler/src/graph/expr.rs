//! Proto values back to `.lhw` text, for the labels of a diagram: a `VariableAssignment`
//! (task arguments, conditions, sleep lengths) and a `VariableMutation` (what an edge
//! assigns). Best effort and total: every input prints as something readable, never panics.

use lhw_proto::littlehorse as pb;
use pb::variable_assignment::{Path, Source, expression::Operation};
use pb::variable_value::Value;

/// `.lhw` text of a value computed at run time.
pub(crate) fn assignment(a: &pb::VariableAssignment) -> String {
    let text = match &a.source {
        Some(Source::VariableName(name)) => format!("{name}{}", path(a.path.as_ref())),
        Some(Source::LiteralValue(v)) => format!("{}{}", value(v), path(a.path.as_ref())),
        Some(Source::FormatString(f)) => format_string(f),
        Some(Source::NodeOutput(n)) => {
            format!("{}{}", node_output(&n.node_name), path(a.path.as_ref()))
        }
        Some(Source::Expression(e)) => expression(e),
        Some(Source::SizeOf(s)) => match s.operand.as_deref() {
            Some(op) => format!("{}.size()", child(op, POSTFIX)),
            None => "size()".to_string(),
        },
        Some(Source::StructBuilder(b)) => {
            let name = b.struct_def_id.as_ref().map_or("", |id| id.name.as_str());
            let fields = b.value.as_ref().map_or_else(Vec::new, inline_struct);
            format!("{name} {{ {} }}", fields.join(", "))
        }
        Some(Source::MapBuilder(m)) => {
            let entries: Vec<String> = m
                .entries
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.key.as_ref().map_or_else(String::new, assignment),
                        e.value.as_ref().map_or_else(String::new, assignment)
                    )
                })
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        None => "?".to_string(),
    };
    match &a.target_type {
        Some(ty) => {
            let inner = if precedence_of_source(a) < POSTFIX {
                format!("({text})")
            } else {
                text
            };
            format!("{inner} as {}", type_name(ty))
        }
        None => text,
    }
}

/// Binding strength, lowest first, as the grammar's Pratt parser applies it.
const OR: u8 = 1;
const AND: u8 = 2;
const COMPARE: u8 = 3;
const SUM: u8 = 4;
const PRODUCT: u8 = 5;
const POWER: u8 = 6;
const CAST: u8 = 7;
const POSTFIX: u8 = 8;

fn precedence(a: &pb::VariableAssignment) -> u8 {
    if a.target_type.is_some() {
        CAST
    } else {
        precedence_of_source(a)
    }
}

fn precedence_of_source(a: &pb::VariableAssignment) -> u8 {
    match &a.source {
        Some(Source::Expression(e)) => operator(e).1,
        _ => POSTFIX + 1,
    }
}

/// An operand that must bind at least as strongly as `min`, parenthesized otherwise.
fn child(a: &pb::VariableAssignment, min: u8) -> String {
    let text = assignment(a);
    if precedence(a) < min {
        format!("({text})")
    } else {
        text
    }
}

/// The operator of an expression and its precedence; methods (`extend`) bind as postfix.
fn operator(e: &pb::variable_assignment::Expression) -> (&'static str, u8) {
    use pb::VariableMutationType as M;
    match e.operation {
        Some(Operation::Comparator(c)) => (
            match pb::Comparator::try_from(c) {
                Ok(pb::Comparator::LessThan) => "<",
                Ok(pb::Comparator::GreaterThan) => ">",
                Ok(pb::Comparator::LessThanEq) => "<=",
                Ok(pb::Comparator::GreaterThanEq) => ">=",
                Ok(pb::Comparator::Equals) => "==",
                Ok(pb::Comparator::NotEquals) => "!=",
                Ok(pb::Comparator::In) => "in",
                Ok(pb::Comparator::NotIn) => "not in",
                Err(_) => "?",
            },
            COMPARE,
        ),
        Some(Operation::MutationType(m)) => match M::try_from(m) {
            Ok(M::Add) => ("+", SUM),
            Ok(M::Subtract) => ("-", SUM),
            Ok(M::Multiply) => ("*", PRODUCT),
            Ok(M::Divide) => ("/", PRODUCT),
            Ok(M::Pow) => ("**", POWER),
            Ok(M::And) => ("&&", AND),
            Ok(M::Or) => ("||", OR),
            Ok(M::Extend) => ("extend", POSTFIX),
            Ok(M::RemoveIfPresent) => ("remove-if-present", POSTFIX),
            Ok(M::RemoveIndex) => ("remove-index", POSTFIX),
            Ok(M::RemoveKey) => ("remove-key", POSTFIX),
            Ok(M::Assign) | Err(_) => ("?", COMPARE),
        },
        None => ("?", COMPARE),
    }
}

fn expression(e: &pb::variable_assignment::Expression) -> String {
    let (op, prec) = operator(e);
    let side = |a: Option<&pb::VariableAssignment>, min: u8| {
        a.map_or_else(|| "?".to_string(), |a| child(a, min))
    };
    if prec == POSTFIX {
        return format!(
            "{}.{op}({})",
            side(e.lhs.as_deref(), POSTFIX),
            side(e.rhs.as_deref(), 0)
        );
    }
    // Comparisons do not chain; `**` groups to the right; the rest to the left.
    let (left_min, right_min) = match prec {
        COMPARE => (prec + 1, prec + 1),
        POWER => (prec + 1, prec),
        _ => (prec, prec + 1),
    };
    format!(
        "{} {op} {}",
        side(e.lhs.as_deref(), left_min),
        side(e.rhs.as_deref(), right_min)
    )
}

fn inline_struct(s: &pb::InlineStructBuilder) -> Vec<String> {
    use pb::inline_struct_field_value::StructValue;
    s.fields
        .iter()
        .map(|(name, v)| match &v.struct_value {
            Some(StructValue::SimpleValue(a)) => format!("{name}: {}", assignment(a)),
            Some(StructValue::SubStructure(sub)) => {
                format!("{name}: {{ {} }}", inline_struct(sub).join(", "))
            }
            None => format!("{name}: ?"),
        })
        .collect()
}

fn format_string(f: &pb::variable_assignment::FormatString) -> String {
    let template = match f.format.as_deref().map(|a| &a.source) {
        Some(Some(Source::LiteralValue(pb::VariableValue {
            value: Some(Value::Str(s)),
        }))) => s.clone(),
        Some(_) => return format!("format({})", f.args.len()),
        None => String::new(),
    };
    // `{0}` placeholders become `{arg}` interpolations; other text is escaped as in a literal.
    let mut out = String::from("\"");
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let index: usize = after[..close].parse().ok()?;
            Some((close, f.args.get(index)?))
        });
        match arg {
            Some((close, a)) => {
                out.push('{');
                out.push_str(&assignment(a));
                out.push('}');
                rest = &after[close + 1..];
            }
            None => {
                out.push_str("\\{");
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out.push('"');
    out
}

/// The output of another node: a task call's output reads as the call.
fn node_output(node: &str) -> String {
    let (human, kind) = split_node_name(node);
    match kind {
        "TASK" => format!("{human}(…)"),
        _ => human.to_string(),
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

fn path(p: Option<&Path>) -> String {
    match p {
        None => String::new(),
        Some(Path::JsonPath(jp)) => jp.strip_prefix('$').unwrap_or(jp).to_string(),
        Some(Path::LhPath(lh)) => lh_path(lh),
    }
}

pub(crate) fn lh_path(lh: &pb::LhPath) -> String {
    use pb::lh_path::selector::SelectorType;
    let mut out = String::new();
    for sel in &lh.path {
        match &sel.selector_type {
            Some(SelectorType::Key(k)) if is_word(k) => {
                out.push('.');
                out.push_str(k);
            }
            Some(SelectorType::Key(k)) => out.push_str(&format!("[\"{}\"]", escape(k))),
            Some(SelectorType::Index(i)) => out.push_str(&format!("[{i}]")),
            Some(SelectorType::Dynamic(a)) => out.push_str(&format!("[{}]", assignment(a))),
            None => out.push_str("[?]"),
        }
    }
    out
}

fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `.lhw` literal of a constant.
pub(crate) fn value(v: &pb::VariableValue) -> String {
    match &v.value {
        None => "null".to_string(),
        Some(Value::Str(s)) => format!("\"{}\"", escape(s)),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Double(d)) if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e15 => {
            format!("{d:.1}")
        }
        Some(Value::Double(d)) => d.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::JsonObj(j) | Value::JsonArr(j)) => j.clone(),
        Some(Value::Bytes(b)) => format!("<{} bytes>", b.len()),
        Some(Value::WfRunId(id)) => format!("\"{}\"", escape(&id.id)),
        Some(Value::UtcTimestamp(t)) => format!("timestamp({})", t.seconds),
        Some(Value::Struct(_)) => "{…}".to_string(),
        Some(Value::Array(_)) => "[…]".to_string(),
        Some(Value::Map(_)) => "{…}".to_string(),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' => out.push_str("\\{"),
            c => out.push(c),
        }
    }
    out
}

/// `.lhw` name of a type.
pub(crate) fn type_name(t: &pb::TypeDefinition) -> String {
    use pb::type_definition::DefinedType;
    match &t.defined_type {
        Some(DefinedType::PrimitiveType(p)) => match pb::VariableType::try_from(*p) {
            Ok(pb::VariableType::JsonObj) => "json-obj",
            Ok(pb::VariableType::JsonArr) => "json-arr",
            Ok(pb::VariableType::Double) => "double",
            Ok(pb::VariableType::Bool) => "bool",
            Ok(pb::VariableType::Str) => "str",
            Ok(pb::VariableType::Int) => "int",
            Ok(pb::VariableType::Bytes) => "bytes",
            Ok(pb::VariableType::WfRunId) => "wf-run-id",
            Ok(pb::VariableType::Timestamp) => "timestamp",
            _ => "?",
        }
        .to_string(),
        Some(DefinedType::StructDefId(id)) => id.name.clone(),
        Some(DefinedType::InlineArrayDef(a)) => format!(
            "{}[]",
            a.array_type
                .as_deref()
                .map_or_else(|| "?".to_string(), type_name)
        ),
        Some(DefinedType::InlineMapDef(_)) => "map".to_string(),
        Some(DefinedType::InlineStructDef(_)) => "struct".to_string(),
        None => "?".to_string(),
    }
}

/// A duration in seconds the way `.lhw` writes it (`90s`, `5m`, `2d`); other values print as
/// expressions.
pub(crate) fn duration(a: &pb::VariableAssignment) -> String {
    match &a.source {
        Some(Source::LiteralValue(pb::VariableValue {
            value: Some(Value::Int(secs)),
        })) if a.path.is_none() && a.target_type.is_none() => seconds(*secs),
        _ => assignment(a),
    }
}

pub(crate) fn seconds(secs: i64) -> String {
    const UNITS: [(i64, &str); 3] = [(86_400, "d"), (3_600, "h"), (60, "m")];
    for (size, unit) in UNITS {
        if secs != 0 && secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// `.lhw` text of a mutation carried by an edge: `status = "shipped"`, `count += 1`.
pub(crate) fn mutation(m: &pb::VariableMutation) -> String {
    use pb::VariableMutationType as M;
    use pb::variable_mutation::RhsValue;
    let target = match (&m.lhs_lh_path, &m.lhs_json_path) {
        (Some(lh), _) => format!("{}{}", m.lhs_name, lh_path(lh)),
        (None, Some(jp)) => format!("{}{}", m.lhs_name, jp.strip_prefix('$').unwrap_or(jp)),
        (None, None) => m.lhs_name.clone(),
    };
    let rhs = match &m.rhs_value {
        Some(RhsValue::RhsAssignment(a)) => assignment(a),
        Some(RhsValue::LiteralValue(v)) => value(v),
        Some(RhsValue::NodeOutput(_)) => "output".to_string(),
        None => "?".to_string(),
    };
    match M::try_from(m.operation) {
        Ok(M::Assign) => format!("{target} = {rhs}"),
        Ok(M::Add) => format!("{target} += {rhs}"),
        Ok(M::Subtract) => format!("{target} -= {rhs}"),
        Ok(M::Multiply) => format!("{target} *= {rhs}"),
        Ok(M::Divide) => format!("{target} /= {rhs}"),
        Ok(M::Pow) => format!("{target} **= {rhs}"),
        Ok(M::And) => format!("{target} &&= {rhs}"),
        Ok(M::Or) => format!("{target} ||= {rhs}"),
        Ok(M::Extend) => format!("extend {target} with {rhs}"),
        Ok(M::RemoveIfPresent) => format!("remove {rhs} from {target}"),
        Ok(M::RemoveIndex) => format!("remove index {rhs} from {target}"),
        Ok(M::RemoveKey) => format!("remove key {rhs} from {target}"),
        Err(_) => format!("{target} ?= {rhs}"),
    }
}

/// `.lhw` text of an edge's condition.
pub(crate) fn condition(c: &pb::edge::EdgeCondition) -> String {
    match c {
        pb::edge::EdgeCondition::Condition(a) => assignment(a),
        pb::edge::EdgeCondition::LegacyCondition(l) => legacy(l),
    }
}

pub(crate) fn legacy(l: &pb::LegacyEdgeCondition) -> String {
    let e = pb::variable_assignment::Expression {
        lhs: l.left.clone().map(Box::new),
        rhs: l.right.clone().map(Box::new),
        operation: Some(Operation::Comparator(l.comparator)),
    };
    expression(&e)
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

    fn var(name: &str) -> pb::VariableAssignment {
        pb::VariableAssignment {
            source: Some(Source::VariableName(name.to_string())),
            ..Default::default()
        }
    }

    fn op(
        l: pb::VariableAssignment,
        o: Operation,
        r: pb::VariableAssignment,
    ) -> pb::VariableAssignment {
        pb::VariableAssignment {
            source: Some(Source::Expression(Box::new(
                pb::variable_assignment::Expression {
                    lhs: Some(Box::new(l)),
                    rhs: Some(Box::new(r)),
                    operation: Some(o),
                },
            ))),
            ..Default::default()
        }
    }

    #[test]
    fn parentheses_only_where_precedence_needs_them() {
        let ge = Operation::Comparator(pb::Comparator::GreaterThanEq as i32);
        let or = Operation::MutationType(pb::VariableMutationType::Or as i32);
        let add = Operation::MutationType(pb::VariableMutationType::Add as i32);
        let mul = Operation::MutationType(pb::VariableMutationType::Multiply as i32);
        let quorum = op(op(var("a"), ge, var("q")), or, op(var("b"), ge, var("q")));
        assert_eq!(assignment(&quorum), "a >= q || b >= q");
        let product = op(op(var("a"), add, var("b")), mul, var("c"));
        assert_eq!(assignment(&product), "(a + b) * c");
        let sum = op(var("a"), add, op(var("b"), mul, var("c")));
        assert_eq!(assignment(&sum), "a + b * c");
        let mut cast = var("n");
        cast.target_type = Some(pb::TypeDefinition {
            masked: false,
            defined_type: Some(pb::type_definition::DefinedType::PrimitiveType(
                pb::VariableType::Str as i32,
            )),
        });
        assert_eq!(assignment(&cast), "n as str");
    }

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(seconds(172_800), "2d");
        assert_eq!(seconds(90), "90s");
        assert_eq!(seconds(300), "5m");
        assert_eq!(seconds(0), "0s");
    }
}
