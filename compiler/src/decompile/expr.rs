//! Printing LittleHorse values, assignments, conditions and mutations as `.lhw` text.
//!
//! The printer is the inverse of `lower`'s expression lowering: for every assignment the
//! compiler produces, printing it and compiling the text gives the same assignment back.
//! Shapes the language cannot write (a legacy edge condition, a cast of a cast, a JSON text
//! the compiler would format differently, ...) are still printed as readable text, and each
//! is recorded as a [`Loss`] so the decompiler can report it instead of differing silently.

use std::collections::BTreeMap;

use super::json::Json;
use super::problems::{ConstantKind, DeprecatedRhs, Loss, ProtoEnum};
use lhw_proto::littlehorse as pb;
use pb::variable_assignment::{self as va, Source};
use pb::variable_value::Value;

/// How tightly an expression binds (docs/language.md section 8.1), loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Or,
    And,
    Cmp,
    Add,
    Mul,
    Pow,
    Cast,
    Neg,
    Postfix,
    Atom,
}

/// A printed expression with its binding strength.
struct Text {
    text: String,
    prec: Prec,
}

impl Text {
    fn new(text: impl Into<String>, prec: Prec) -> Self {
        Self {
            text: text.into(),
            prec,
        }
    }

    /// The text, in parentheses when it binds more loosely than `min`.
    fn at(self, min: Prec) -> String {
        if self.prec >= min {
            self.text
        } else {
            format!("({})", self.text)
        }
    }
}

/// Prints assignments in one thread; knows how to name node outputs.
#[derive(Debug, Default)]
pub(crate) struct Printer {
    /// The text standing for the output of a node (a `let` name, or the call itself).
    pub(crate) outputs: BTreeMap<String, String>,
    /// Variables written under another name (a thread's `INPUT` as its binding, a spawn's
    /// handle variable as its `let` name).
    pub(crate) variables: BTreeMap<String, String>,
    /// The node whose outgoing edge is being printed (for the deprecated `node_output` rhs).
    pub(crate) current_node: Option<String>,
    /// The declared types of the variables in scope, for reading map writes.
    pub(crate) var_types: BTreeMap<String, pb::TypeDefinition>,
    /// What the printed text does not keep, in the order met.
    pub(crate) losses: Vec<Loss>,
}

/// `a` as an expression (node outputs as back-quoted node names).
#[must_use]
pub(crate) fn assignment(a: &pb::VariableAssignment) -> String {
    Printer::default().assignment(a)
}

/// An edge condition as a boolean expression.
#[must_use]
pub(crate) fn condition(c: &pb::edge::EdgeCondition) -> String {
    Printer::default().condition(c)
}

/// A mutation as a statement (`x += 1`, `extend xs with v`, `remove key k from m`).
#[must_use]
pub(crate) fn mutation(m: &pb::VariableMutation) -> String {
    Printer::default().mutation(m)
}

/// The operator of a comparator (`==`, `<`, `in`, ...).
#[must_use]
pub(crate) fn comparator(c: pb::Comparator) -> &'static str {
    use pb::Comparator as C;
    match c {
        C::LessThan => "<",
        C::GreaterThan => ">",
        C::LessThanEq => "<=",
        C::GreaterThanEq => ">=",
        C::Equals => "==",
        C::NotEquals => "!=",
        C::In => "in",
        C::NotIn => "not in",
    }
}

/// The statement word of a mutation type: an assignment operator (`=`, `+=`, ...) or the
/// keyword of the statement that makes it (`extend`, `remove`, `remove index`, `remove key`).
#[must_use]
pub(crate) fn mutation_type(m: pb::VariableMutationType) -> &'static str {
    use pb::VariableMutationType as M;
    match m {
        M::Assign => "=",
        M::Add => "+=",
        M::Subtract => "-=",
        M::Multiply => "*=",
        M::Divide => "/=",
        M::Pow => "**=",
        M::And => "&&=",
        M::Or => "||=",
        M::Extend => "extend",
        M::RemoveIfPresent => "remove",
        M::RemoveIndex => "remove index",
        M::RemoveKey => "remove key",
    }
}

/// A constant value as a literal, where its type is known from the context (a default):
/// bytes as base64 text and timestamps as RFC 3339 text, as the compiler reads them there.
#[must_use]
pub(crate) fn value(v: &pb::VariableValue) -> String {
    Printer::default().value(v, true)
}

/// A type as written in `.lhw` (`str`, `customer`, `int[]`, `map<str, int>`); `masked` is
/// not part of it.
#[must_use]
pub(crate) fn type_def(t: &pb::TypeDefinition) -> String {
    Printer::default().type_def(t)
}

/// ` version N` after a struct name pinned to a StructDef version; nothing for the latest
/// (-1). Any other negative version is written too: the compiler refuses it, so the
/// decompilation's check reports it.
fn struct_version(version: i32) -> String {
    if version == -1 {
        String::new()
    } else {
        format!(" version {version}")
    }
}

/// A name as written in `.lhw`: back-quoted when it is a reserved word or does not have the
/// shape of a name.
#[must_use]
pub(crate) fn name(n: &str) -> String {
    if is_plain_word(n) && !lhw_grammar::RESERVED_WORDS.contains(&n) {
        n.to_string()
    } else {
        format!("`{n}`")
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*` with inner single hyphens: a word the grammar reads as one name.
fn is_plain_word(n: &str) -> bool {
    let b = n.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let Some(&first) = b.first() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == b'_')
        && b.iter().all(|&c| word(c) || c == b'-')
        && b.windows(2).all(|w| w[0] != b'-' || word(w[1]))
        && b.last().is_some_and(|&c| word(c))
}

/// A string literal (`"..."`) holding `s`, escaped so that it has no holes.
#[must_use]
pub(crate) fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s);
    out.push('"');
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
}

/// A double as a `.lhw` double literal: digits on both sides of the `.`.
fn double_literal(d: f64) -> Option<String> {
    if !d.is_finite() {
        return None;
    }
    let text = format!("{d:?}");
    Some(match text.find('e') {
        Some(e) if !text[..e].contains('.') => format!("{}.0{}", &text[..e], &text[e..]),
        _ => text,
    })
}

impl Printer {
    fn lose(&mut self, loss: Loss) {
        self.losses.push(loss);
    }

    /// An edge condition as a boolean expression.
    pub(crate) fn condition(&mut self, c: &pb::edge::EdgeCondition) -> String {
        match c {
            pb::edge::EdgeCondition::Condition(a) => self.assignment(a),
            pb::edge::EdgeCondition::LegacyCondition(l) => {
                self.lose(Loss::LegacyEdgeCondition);
                let cmp = pb::Comparator::try_from(l.comparator).unwrap_or(pb::Comparator::Equals);
                let left = self.opt(l.left.as_ref()).at(Prec::Add);
                let right = self.opt(l.right.as_ref()).at(Prec::Add);
                format!("{left} {} {right}", comparator(cmp))
            }
        }
    }

    /// `a` as an operand that takes no operator (`timeout`, `correlated by`, `for ... in`):
    /// in parentheses unless it is a name, a literal or a selector chain.
    pub(crate) fn operand(&mut self, a: &pb::VariableAssignment) -> String {
        self.expr(a).at(Prec::Postfix)
    }

    /// `a` as an expression.
    pub(crate) fn assignment(&mut self, a: &pb::VariableAssignment) -> String {
        self.expr(a).text
    }

    fn opt(&mut self, a: Option<&pb::VariableAssignment>) -> Text {
        match a {
            Some(a) => self.expr(a),
            None => {
                self.lose(Loss::EmptyAssignment);
                Text::new("null", Prec::Atom)
            }
        }
    }

    fn expr(&mut self, a: &pb::VariableAssignment) -> Text {
        let mut t = self.source(a.source.as_ref());
        match &a.path {
            None => {}
            Some(va::Path::JsonPath(p)) => {
                t = Text::new(
                    format!("{}[{}]", t.at(Prec::Postfix), string_literal(p)),
                    Prec::Postfix,
                );
                if !p.starts_with('$') {
                    self.lose(Loss::JsonPathWithoutDollar { path: p.clone() });
                }
            }
            Some(va::Path::LhPath(lh)) => {
                let base = t.at(Prec::Postfix);
                let sels = self.selectors(lh);
                t = Text::new(format!("{base}{sels}"), Prec::Postfix);
            }
        }
        if let Some(ty) = &a.target_type {
            if ty.masked {
                self.lose(Loss::MaskedCastType);
            }
            let ty = self.type_def(ty);
            t = Text::new(format!("{} as {ty}", t.at(Prec::Neg)), Prec::Cast);
        }
        t
    }

    /// `.a[0][i]`: the selectors of an `LHPath`.
    fn selectors(&mut self, lh: &pb::LhPath) -> String {
        self.selectors_on(lh, &[])
    }

    /// The selectors of an `LHPath`; `on_map[i]` says that selector `i` selects a key of a
    /// map on the left of a mutation, where the compiler writes even a constant key as a
    /// `dynamic` selector (sdk-java's `put`), so a constant there loses nothing.
    fn selectors_on(&mut self, lh: &pb::LhPath, on_map: &[bool]) -> String {
        use pb::lh_path::selector::SelectorType as S;
        let mut out = String::new();
        for (i, sel) in lh.path.iter().enumerate() {
            match &sel.selector_type {
                Some(S::Key(k)) if is_plain_word(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Some(S::Key(k)) => {
                    if k.starts_with('$') {
                        self.lose(Loss::KeyStartsWithDollar { key: k.clone() });
                    }
                    out.push_str(&format!("[{}]", string_literal(k)));
                }
                Some(S::Index(i)) => out.push_str(&format!("[{i}]")),
                Some(S::Dynamic(d)) => {
                    if matches!(
                        &d.source,
                        Some(Source::LiteralValue(pb::VariableValue {
                            value: Some(Value::Int(_) | Value::Str(_))
                        }))
                    ) && d.path.is_none()
                        && d.target_type.is_none()
                        && !on_map.get(i).copied().unwrap_or(false)
                    {
                        self.lose(Loss::ConstantDynamicSelector);
                    }
                    let text = self.expr(d).text;
                    out.push_str(&format!("[{text}]"));
                }
                None => self.lose(Loss::EmptySelector),
            }
        }
        out
    }

    fn source(&mut self, s: Option<&Source>) -> Text {
        use pb::VariableMutationType as M;
        match s {
            None => {
                self.lose(Loss::AssignmentWithoutSource);
                Text::new("null", Prec::Atom)
            }
            Some(Source::VariableName(n)) => match self.variables.get(n) {
                Some(text) => Text::new(text.clone(), Prec::Atom),
                None => Text::new(name(n), Prec::Atom),
            },
            Some(Source::LiteralValue(v)) => {
                let text = self.value(v, false);
                let negative = text.starts_with('-');
                Text::new(text, if negative { Prec::Neg } else { Prec::Atom })
            }
            Some(Source::FormatString(f)) => self.format_string(f),
            Some(Source::NodeOutput(n)) => match self.outputs.get(&n.node_name) {
                Some(text) => Text::new(text.clone(), Prec::Atom),
                None => Text::new(format!("`{}`", n.node_name), Prec::Atom),
            },
            Some(Source::Expression(e)) => {
                let lhs = e.lhs.as_deref();
                let rhs = e.rhs.as_deref();
                match e.operation {
                    Some(va::expression::Operation::Comparator(c)) => {
                        let c = pb::Comparator::try_from(c).unwrap_or_else(|_| {
                            self.lose(Loss::UnknownEnumValue {
                                of: ProtoEnum::Comparator,
                                value: c,
                            });
                            pb::Comparator::Equals
                        });
                        let l = self.opt(lhs).at(Prec::Add);
                        let r = self.opt(rhs).at(Prec::Add);
                        Text::new(format!("{l} {} {r}", comparator(c)), Prec::Cmp)
                    }
                    Some(va::expression::Operation::MutationType(m)) => {
                        let m = M::try_from(m).unwrap_or_else(|_| {
                            self.lose(Loss::UnknownEnumValue {
                                of: ProtoEnum::Operation,
                                value: m,
                            });
                            M::Assign
                        });
                        self.operation(m, lhs, rhs)
                    }
                    None => {
                        self.lose(Loss::ExpressionWithoutOperation);
                        self.opt(lhs)
                    }
                }
            }
            Some(Source::StructBuilder(b)) => {
                let id = b.struct_def_id.clone().unwrap_or_default();
                let body = match &b.value {
                    Some(v) => self.inline_struct(v),
                    None => "{}".to_string(),
                };
                Text::new(
                    format!(
                        "new {}{} {body}",
                        name(&id.name),
                        struct_version(id.version)
                    ),
                    Prec::Atom,
                )
            }
            Some(Source::SizeOf(s)) => {
                let recv = self.opt(s.operand.as_deref()).at(Prec::Postfix);
                Text::new(format!("{recv}.size()"), Prec::Postfix)
            }
            Some(Source::MapBuilder(m)) => {
                if m.map_type.is_some() {
                    self.lose(Loss::MapBuilderType);
                }
                let entries: Vec<String> = m
                    .entries
                    .iter()
                    .map(|e| {
                        let k = self.opt(e.key.as_ref()).text;
                        let v = self.opt(e.value.as_ref()).text;
                        format!("{k}: {v}")
                    })
                    .collect();
                Text::new(format!("map {{ {} }}", entries.join(", ")), Prec::Atom)
            }
        }
    }

    /// `lhs <op> rhs` for an arithmetic, logic or collection operation.
    fn operation(
        &mut self,
        m: pb::VariableMutationType,
        lhs: Option<&pb::VariableAssignment>,
        rhs: Option<&pb::VariableAssignment>,
    ) -> Text {
        use pb::VariableMutationType as M;
        let infix = |p: &mut Self, op: &str, prec: Prec, right_assoc: bool| {
            let (lmin, rmin) = if right_assoc {
                (next(prec), prec)
            } else {
                (prec, next(prec))
            };
            let l = p.opt(lhs).at(lmin);
            let r = p.opt(rhs).at(rmin);
            Text::new(format!("{l} {op} {r}"), prec)
        };
        let method = |p: &mut Self, name: &str| {
            let recv = p.opt(lhs).at(Prec::Postfix);
            let arg = p.opt(rhs).text;
            Text::new(format!("{recv}.{name}({arg})"), Prec::Postfix)
        };
        match m {
            M::Add => infix(self, "+", Prec::Add, false),
            M::Subtract => infix(self, "-", Prec::Add, false),
            M::Multiply if is_minus_one(rhs) && !is_number_literal(lhs) => {
                let operand = self.opt(lhs).at(Prec::Postfix);
                Text::new(format!("-{operand}"), Prec::Neg)
            }
            M::Multiply => infix(self, "*", Prec::Mul, false),
            M::Divide => infix(self, "/", Prec::Mul, false),
            M::Pow => infix(self, "**", Prec::Pow, true),
            M::And => infix(self, "&&", Prec::And, false),
            M::Or => infix(self, "||", Prec::Or, false),
            M::Extend => method(self, "extend"),
            M::RemoveIfPresent => method(self, "remove-if-present"),
            M::RemoveIndex => method(self, "remove-index"),
            M::RemoveKey => method(self, "remove-key"),
            M::Assign => {
                self.lose(Loss::AssignExpression);
                self.opt(rhs)
            }
        }
    }

    fn inline_struct(&mut self, s: &pb::InlineStructBuilder) -> String {
        use pb::inline_struct_field_value::StructValue;
        let fields: Vec<String> = s
            .fields
            .iter()
            .map(|(k, v)| {
                let value = match &v.struct_value {
                    Some(StructValue::SimpleValue(a)) => self.assignment(a),
                    Some(StructValue::SubStructure(sub)) => self.inline_struct(sub),
                    None => {
                        self.lose(Loss::StructFieldWithoutValue { field: k.clone() });
                        "null".to_string()
                    }
                };
                format!("{k}: {value}")
            })
            .collect();
        if fields.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {} }}", fields.join(", "))
        }
    }

    /// A MessageFormat pattern with `{N}` placeholders as a `.lhw` format string.
    fn format_string(&mut self, f: &va::FormatString) -> Text {
        let pattern = match f.format.as_deref() {
            Some(pb::VariableAssignment {
                source:
                    Some(Source::LiteralValue(pb::VariableValue {
                        value: Some(Value::Str(s)),
                    })),
                path: None,
                target_type: None,
            }) => s.clone(),
            other => {
                self.lose(Loss::NonConstantPattern);
                let pattern = self.opt(other).text;
                let args: Vec<String> = f.args.iter().map(|a| self.assignment(a)).collect();
                return Text::new(
                    format!("{pattern} /* args: {} */", args.join(", ")),
                    Prec::Atom,
                );
            }
        };
        let mut out = String::from("\"");
        let mut used = 0usize;
        let mut chars = pattern.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    out.push('\'');
                }
                '\'' => quoted = !quoted,
                '{' if !quoted => {
                    let mut inner = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        inner.push(c);
                    }
                    match inner.trim().parse::<usize>() {
                        Ok(i) if i == used && i < f.args.len() => {
                            let arg = self.assignment(&f.args[i]);
                            out.push('{');
                            out.push_str(&arg);
                            out.push('}');
                            used += 1;
                        }
                        Ok(i) if i < f.args.len() => {
                            self.lose(Loss::PlaceholderOutOfOrder {
                                inner: inner.clone(),
                            });
                            let arg = self.assignment(&f.args[i]);
                            out.push('{');
                            out.push_str(&arg);
                            out.push('}');
                        }
                        _ => {
                            self.lose(Loss::PlaceholderNotIndex {
                                inner: inner.clone(),
                            });
                            out.push_str("\\{");
                            escape_into(&mut out, &inner);
                            out.push_str("\\}");
                        }
                    }
                }
                c => escape_into(&mut out, &c.to_string()),
            }
        }
        out.push('"');
        if used != f.args.len() {
            self.lose(Loss::UnusedFormatArguments);
        }
        if used == 0 {
            self.lose(Loss::FormatWithoutPlaceholders);
        }
        Text::new(out, Prec::Atom)
    }

    /// A literal. `typed` is true where the target type is known (a default), so bytes and
    /// timestamps may be written as text.
    pub(crate) fn value(&mut self, v: &pb::VariableValue, typed: bool) -> String {
        match &v.value {
            None => "null".to_string(),
            Some(Value::Str(s)) => string_literal(s),
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Double(d)) => double_literal(*d).unwrap_or_else(|| {
                self.lose(Loss::DoubleWithoutLiteral { value: *d });
                "0.0".to_string()
            }),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::JsonObj(j) | Value::JsonArr(j)) => self.json(j),
            Some(Value::Bytes(b)) => {
                if !typed {
                    self.lose(Loss::UntypedConstant {
                        kind: ConstantKind::Bytes,
                    });
                }
                string_literal(&base64_encode(b))
            }
            Some(Value::UtcTimestamp(ts)) => {
                if !typed {
                    self.lose(Loss::UntypedConstant {
                        kind: ConstantKind::Timestamp,
                    });
                }
                string_literal(&rfc3339(ts.seconds, ts.nanos))
            }
            Some(Value::WfRunId(id)) => {
                self.lose(Loss::UntypedConstant {
                    kind: ConstantKind::WfRunId,
                });
                string_literal(&id.id)
            }
            // Typed constants are written where their type is known (a default): the
            // compiler builds them from that type.
            Some(Value::Struct(st)) if typed => self.struct_value(st),
            Some(Value::Array(a)) if typed => {
                let items: Vec<String> = a.items.iter().map(|i| self.value(i, true)).collect();
                format!("[{}]", items.join(", "))
            }
            Some(Value::Map(m)) if typed => {
                let entries: Vec<String> = m
                    .entries
                    .iter()
                    .map(|e| {
                        let k = e.key.as_ref().map(|k| self.value(k, true));
                        let v = e.value.as_ref().map(|v| self.value(v, true));
                        format!(
                            "{}: {}",
                            k.unwrap_or_else(|| "null".to_string()),
                            v.unwrap_or_else(|| "null".to_string())
                        )
                    })
                    .collect();
                if entries.is_empty() {
                    "map {}".to_string()
                } else {
                    format!("map {{ {} }}", entries.join(", "))
                }
            }
            Some(Value::Struct(_)) => {
                self.lose(Loss::UntypedConstant {
                    kind: ConstantKind::Struct,
                });
                "null".to_string()
            }
            Some(Value::Array(_)) => {
                self.lose(Loss::UntypedConstant {
                    kind: ConstantKind::Array,
                });
                "null".to_string()
            }
            Some(Value::Map(_)) => {
                self.lose(Loss::UntypedConstant {
                    kind: ConstantKind::Map,
                });
                "null".to_string()
            }
        }
    }

    /// A `Struct` constant as `new NAME { field: value, ... }`: every field the value holds
    /// except null ones (a field left out of a struct constant takes its default, or null).
    fn struct_value(&mut self, st: &pb::Struct) -> String {
        let id = st.struct_def_id.clone().unwrap_or_default();
        let head = format!("new {}{}", name(&id.name), struct_version(id.version));
        let mut fields = Vec::new();
        for (field, f) in st.r#struct.iter().flat_map(|s| &s.fields) {
            if f.masked {
                self.lose(Loss::MaskedStructField {
                    field: field.clone(),
                });
            }
            match f.value.as_ref().and_then(|v| v.value.as_ref()) {
                None => {}
                Some(_) => {
                    let v = f.value.as_ref().map(|v| self.value(v, true));
                    fields.push(format!("{field}: {}", v.unwrap_or_default()));
                }
            }
        }
        if fields.is_empty() {
            format!("{head} {{}}")
        } else {
            format!("{head} {{ {} }}", fields.join(", "))
        }
    }

    /// A JSON text as a `.lhw` JSON literal.
    fn json(&mut self, text: &str) -> String {
        let Some(parsed) = Json::parse(text) else {
            self.lose(Loss::UnparsableJson {
                text: text.to_string(),
            });
            return string_literal(text);
        };
        if parsed.compact() != text {
            self.lose(Loss::ReformattedJson {
                text: text.to_string(),
            });
        }
        let mut out = String::new();
        self.json_value(&parsed, &mut out);
        out
    }

    fn json_value(&mut self, v: &Json, out: &mut String) {
        use Json as J;
        match v {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(&b.to_string()),
            J::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => out.push_str(&i.to_string()),
                (None, Some(d)) if n.is_f64() => match double_literal(d) {
                    Some(t) => out.push_str(&t),
                    None => {
                        self.lose(Loss::JsonNumberWithoutLiteral { number: n.clone() });
                        out.push_str("0.0");
                    }
                },
                _ => {
                    self.lose(Loss::JsonNumberTooBig { number: n.clone() });
                    out.push_str(&n.to_string());
                }
            },
            J::String(s) => out.push_str(&string_literal(s)),
            J::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.json_value(item, out);
                }
                out.push(']');
            }
            J::Object(members) => {
                out.push('{');
                for (i, (k, item)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&string_literal(k));
                    out.push_str(": ");
                    self.json_value(item, out);
                }
                out.push('}');
            }
        }
    }

    /// A type as written in `.lhw`.
    pub(crate) fn type_def(&mut self, t: &pb::TypeDefinition) -> String {
        use pb::type_definition::DefinedType as D;
        match &t.defined_type {
            None => prim_name(pb::VariableType::JsonObj).to_string(),
            Some(D::PrimitiveType(p)) => match pb::VariableType::try_from(*p) {
                Ok(p) => prim_name(p).to_string(),
                Err(_) => {
                    self.lose(Loss::UnknownEnumValue {
                        of: ProtoEnum::VariableType,
                        value: *p,
                    });
                    "json-obj".to_string()
                }
            },
            Some(D::StructDefId(id)) => {
                format!("{}{}", name(&id.name), struct_version(id.version))
            }
            Some(D::InlineArrayDef(a)) => {
                let inner = match a.array_type.as_deref() {
                    Some(t) => self.inner_type(t),
                    None => {
                        self.lose(Loss::ArrayWithoutElementType);
                        "json-obj".to_string()
                    }
                };
                format!("{inner}[]")
            }
            Some(D::InlineMapDef(m)) => {
                let k = match m.key_type.as_deref() {
                    Some(t) => self.inner_type(t),
                    None => "str".to_string(),
                };
                let v = match m.value_type.as_deref() {
                    Some(t) => self.inner_type(t),
                    None => "json-obj".to_string(),
                };
                format!("map<{k}, {v}>")
            }
            Some(D::InlineStructDef(_)) => {
                self.lose(Loss::InlineStructType);
                "json-obj".to_string()
            }
        }
    }

    fn inner_type(&mut self, t: &pb::TypeDefinition) -> String {
        if t.masked {
            self.lose(Loss::MaskedElementType);
        }
        self.type_def(t)
    }

    /// Which selectors of a mutation's `lhs_lh_path` may select a key of a map, following
    /// the variable's type through maps and arrays. A struct's field types are not known
    /// here, so past a struct field every selector may be one (the decompilation's check,
    /// which compiles the text again, reports any difference).
    fn map_selectors(&self, var: &str, lh: &pb::LhPath) -> Vec<bool> {
        use pb::type_definition::DefinedType as D;
        let mut out = Vec::new();
        let mut ty = self.var_types.get(var);
        let mut known = true;
        for _ in &lh.path {
            let (on_map, next) = match ty.and_then(|t| t.defined_type.as_ref()) {
                Some(D::InlineMapDef(m)) => (true, m.value_type.as_ref()),
                Some(D::InlineArrayDef(a)) => (false, a.array_type.as_ref()),
                Some(D::StructDefId(_) | D::InlineStructDef(_)) => {
                    known = false;
                    (false, None)
                }
                _ => (!known, None),
            };
            out.push(on_map);
            ty = next.map(|v| &**v);
        }
        out
    }

    /// A mutation as a statement.
    pub(crate) fn mutation(&mut self, m: &pb::VariableMutation) -> String {
        use pb::VariableMutationType as M;
        use pb::variable_mutation::RhsValue;
        let mut place = match self.variables.get(&m.lhs_name) {
            Some(text) => text.clone(),
            None => name(&m.lhs_name),
        };
        match (&m.lhs_json_path, &m.lhs_lh_path) {
            (Some(j), None) => place.push_str(&json_path_selectors(j)),
            (None, Some(lh)) => {
                let on_map = self.map_selectors(&m.lhs_name, lh);
                let sels = self.selectors_on(lh, &on_map);
                place.push_str(&sels);
            }
            (Some(j), Some(_)) => {
                self.lose(Loss::MutationWithTwoPaths);
                place.push_str(&json_path_selectors(j));
            }
            (None, None) => {}
        }
        let rhs = match &m.rhs_value {
            Some(RhsValue::RhsAssignment(a)) => self.assignment(a),
            Some(RhsValue::LiteralValue(v)) => {
                self.lose(Loss::DeprecatedRhs {
                    form: DeprecatedRhs::LiteralValue,
                });
                self.value(v, false)
            }
            Some(RhsValue::NodeOutput(n)) => {
                self.lose(Loss::DeprecatedRhs {
                    form: DeprecatedRhs::NodeOutput,
                });
                let node = self.current_node.clone().unwrap_or_default();
                let base = self
                    .outputs
                    .get(&node)
                    .cloned()
                    .unwrap_or_else(|| format!("`{node}`"));
                match &n.path {
                    Some(pb::variable_mutation::node_output_source::Path::Jsonpath(p)) => {
                        format!("{base}[{}]", string_literal(p))
                    }
                    Some(pb::variable_mutation::node_output_source::Path::LhPath(lh)) => {
                        let sels = self.selectors(lh);
                        format!("{base}{sels}")
                    }
                    None => base,
                }
            }
            None => {
                self.lose(Loss::MutationWithoutRhs);
                "null".to_string()
            }
        };
        let op = M::try_from(m.operation).unwrap_or_else(|_| {
            self.lose(Loss::UnknownEnumValue {
                of: ProtoEnum::MutationType,
                value: m.operation,
            });
            M::Assign
        });
        match op {
            M::Extend => format!("extend {place} with {rhs}"),
            M::RemoveIfPresent | M::RemoveIndex | M::RemoveKey => {
                format!("{} {rhs} from {place}", mutation_type(op))
            }
            _ => format!("{place} {} {rhs}", mutation_type(op)),
        }
    }
}

/// The selectors that spell a json path on the left of a mutation: `.a.b[0]` where the
/// path is that simple (the compiler turns those back into the same json path), otherwise
/// one `["$..."]` selector.
fn json_path_selectors(path: &str) -> String {
    let Some(rest) = path.strip_prefix('$') else {
        return format!("[{}]", string_literal(path));
    };
    let mut out = String::new();
    let mut s = rest;
    while !s.is_empty() {
        if let Some(after) = s.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = &after[..end];
            if !is_plain_word(key) {
                return format!("[{}]", string_literal(path));
            }
            out.push('.');
            out.push_str(key);
            s = &after[end..];
        } else if let Some(after) = s.strip_prefix('[') {
            let Some(end) = after.find(']') else {
                return format!("[{}]", string_literal(path));
            };
            let index = &after[..end];
            if index.parse::<i32>().is_err() {
                return format!("[{}]", string_literal(path));
            }
            out.push_str(&format!("[{index}]"));
            s = &after[end + 1..];
        } else {
            return format!("[{}]", string_literal(path));
        }
    }
    if out.is_empty() {
        format!("[{}]", string_literal(path))
    } else {
        out
    }
}

/// The `.lhw` name of a primitive type.
#[must_use]
pub(crate) fn prim_name(p: pb::VariableType) -> &'static str {
    use pb::VariableType as V;
    match p {
        V::JsonObj => "json-obj",
        V::JsonArr => "json-arr",
        V::Double => "double",
        V::Bool => "bool",
        V::Str => "str",
        V::Int => "int",
        V::Bytes => "bytes",
        V::WfRunId => "wf-run-id",
        V::Timestamp => "timestamp",
    }
}

/// The next tighter binding level.
fn next(p: Prec) -> Prec {
    match p {
        Prec::Or => Prec::And,
        Prec::And => Prec::Cmp,
        Prec::Cmp => Prec::Add,
        Prec::Add => Prec::Mul,
        Prec::Mul => Prec::Pow,
        Prec::Pow => Prec::Cast,
        Prec::Cast => Prec::Neg,
        Prec::Neg => Prec::Postfix,
        Prec::Postfix | Prec::Atom => Prec::Atom,
    }
}

fn literal_of(a: Option<&pb::VariableAssignment>) -> Option<&Value> {
    match a? {
        pb::VariableAssignment {
            source: Some(Source::LiteralValue(pb::VariableValue { value: Some(v) })),
            path: None,
            target_type: None,
        } => Some(v),
        _ => None,
    }
}

fn is_minus_one(a: Option<&pb::VariableAssignment>) -> bool {
    matches!(literal_of(a), Some(Value::Int(-1)))
}

fn is_number_literal(a: Option<&pb::VariableAssignment>) -> bool {
    matches!(literal_of(a), Some(Value::Int(_) | Value::Double(_)))
}

/// Standard base64 with padding (RFC 4648 section 4).
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An instant as RFC 3339 UTC text (`2026-05-28T20:26:40.123Z`).
fn rfc3339(seconds: i64, nanos: i32) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn str_lit(s: &str) -> pb::VariableAssignment {
        pb::VariableAssignment {
            source: Some(Source::LiteralValue(pb::VariableValue {
                value: Some(Value::Str(s.to_string())),
            })),
            ..Default::default()
        }
    }

    /// Compiles `stmts` inside a workflow with the given declarations and returns the
    /// entrypoint thread.
    fn compile_thread(decls: &str, stmts: &str) -> pb::ThreadSpec {
        let text = format!("task t(a: str) -> json-obj\n{decls}\nworkflow w {{\n{stmts}\n}}\n");
        let out = crate::compile(&text);
        let Some(output) = out.output else {
            panic!("does not compile: {:?}\n{text}", out.diagnostics);
        };
        output.wf_specs[0].thread_specs["entrypoint"].clone()
    }

    /// The mutations on the entrypoint's first edge.
    fn mutations(decls: &str, stmts: &str) -> Vec<pb::VariableMutation> {
        let thread = compile_thread(decls, stmts);
        thread.nodes["0-entrypoint-ENTRYPOINT"].outgoing_edges[0]
            .variable_mutations
            .clone()
    }

    const VARS: &str = "input a: int\ninput b: int\ninput d: double\ninput s: str\ninput ok: bool\n\
        input j: json-obj\ninput arr: json-arr\ninput tags: str[]\ninput m: map<str, int>\n\
        input who: customer\ninput raw: bytes\ninput at: timestamp";
    const DECLS: &str =
        "struct customer { name: str, age: int, home: address }\nstruct address { city: str }";

    /// Every mutation the statement compiles to prints back to text that compiles to the
    /// same mutations.
    fn round_trip(stmts: &[&str]) {
        for stmt in stmts {
            let first = mutations(DECLS, &format!("{VARS}\n{stmt}"));
            assert!(!first.is_empty(), "`{stmt}` made no mutation");
            let mut printer = Printer::default();
            let printed: Vec<String> = first.iter().map(|m| printer.mutation(m)).collect();
            assert!(
                printer.losses.is_empty(),
                "`{stmt}` lost {:?}",
                printer.losses
            );
            let again = mutations(DECLS, &format!("{VARS}\n{}", printed.join("\n")));
            assert_eq!(first, again, "`{stmt}` printed as `{}`", printed.join("; "));
        }
    }

    #[test]
    fn arithmetic_and_precedence_round_trip() {
        round_trip(&[
            "a = a + b * 2",
            "a = (a + b) * 2",
            "a = a - (b - 1)",
            "a = a - b - 1",
            "a = 2 ** 3 ** 2",
            "a = (2 ** 3) ** 2",
            "a = -a ** 2",
            "a = -(a + b)",
            "a = 5 * -1",
            "a = -7",
            "a = a * -1 + 2",
            "d = d / 2.5 + 1.0e20",
            "a += 1",
            "a -= b",
            "a *= 2",
            "a /= 2",
            "a **= 2",
            "ok &&= a > 1",
            "ok ||= false",
        ]);
    }

    #[test]
    fn comparisons_and_logic_round_trip() {
        round_trip(&[
            "ok = a + b * 2 > 10 && !(a == b) || a ** 2 ** 2 >= b",
            "ok = !ok",
            "ok = !(ok && a == 0)",
            "ok = (a < b) == ok",
            "ok = \"vip\" in tags",
            "ok = tags not contains \"x\"",
            "ok = s contains \"Smith\"",
            "ok = a < 1 || (b > 2 || ok)",
            "ok = ok && (a < 1 || b > 2)",
        ]);
    }

    #[test]
    fn literals_strings_and_json_round_trip() {
        round_trip(&[
            "s = \"She said \\\"hi\\\"\\n\\tand left \\u{1F44B}\"",
            "s = \"braces \\{ \\} and a 'quote'\"",
            "s = \"Hello {s}, you have {a + 1} messages and {{none}}, it's {ok}\"",
            "s = \"Order #{a as str}\"",
            "j = {\"id\": \"A-1\", \"lines\": [{\"sku\": \"X\", \"qty\": 2}], \"paid\": false, \"note\": null, \"x\": 2.5}",
            "arr = [1, 2.5, \"three\", 4s]",
            "s = null",
            "d = 3.0",
            "ok = true",
        ]);
    }

    #[test]
    fn paths_casts_methods_and_builders_round_trip() {
        round_trip(&[
            "s = who.name",
            "a = who.age + m.alice + m[\"bob\"] + m[s]",
            "s = tags[0]",
            "s = tags[a]",
            "s = j.lines[0].sku",
            "s = j[\"$.shipping.address.city\"]",
            "s = j.total as str",
            "a = (a + 1) as str as int",
            "arr = arr.extend([\"x\"])",
            "arr = arr.remove-if-present(\"x\")",
            "arr = arr.remove-index(0)",
            "j = j.remove-key(\"draft\")",
            "a = arr.size()",
            "a = \"hello\".size()",
            "who = new customer { name: s, age: 3, home: { city: \"Utrecht\" } }",
            "m = map { \"ann\": 1, \"bob\": b }",
            "who.name = \"Ann\"",
            "tags[a] = \"first\"",
            "j.status = \"shipped\"",
            "j.lines[0].qty = 3",
            "j[\"$.a['b c']\"] = 1",
            "extend arr with [\"x\", \"y\"]",
            "extend tags with \"new\"",
            "remove \"x\" from arr",
            "remove index 0 from arr",
            "remove key \"bob\" from m",
        ]);
    }

    #[test]
    fn node_outputs_print_as_their_names() {
        let thread = compile_thread("", "var x: json-obj\nx = t(\"a\").field");
        let edge = &thread.nodes["1-t-TASK"].outgoing_edges[0];
        let m = &edge.variable_mutations[0];
        assert_eq!(mutation(m), "x = `1-t-TASK`.field");
        let mut printer = Printer::default();
        printer
            .outputs
            .insert("1-t-TASK".to_string(), "result".to_string());
        assert_eq!(printer.mutation(m), "x = result.field");
    }

    #[test]
    fn conditions_print_in_both_forms() {
        let thread = compile_thread("", "input a: int\nif a > 3 { a = 1 }");
        let edge = &thread.nodes["1-nop-NOP"].outgoing_edges[0];
        let cond = edge.edge_condition.as_ref().expect("a condition");
        assert_eq!(condition(cond), "a > 3");
        let legacy = pb::edge::EdgeCondition::LegacyCondition(pb::LegacyEdgeCondition {
            comparator: pb::Comparator::NotIn as i32,
            left: Some(str_lit("x")),
            right: Some(pb::VariableAssignment {
                source: Some(Source::VariableName("tags".to_string())),
                ..Default::default()
            }),
        });
        let mut printer = Printer::default();
        assert_eq!(printer.condition(&legacy), "\"x\" not in tags");
        assert_eq!(printer.losses.len(), 1, "the legacy form is reported");
    }

    #[test]
    fn unexpressible_shapes_are_reported() {
        let mut p = Printer::default();
        let assign = pb::VariableAssignment {
            source: Some(Source::Expression(Box::new(va::Expression {
                lhs: Some(Box::new(pb::VariableAssignment {
                    source: Some(Source::VariableName("a".to_string())),
                    ..Default::default()
                })),
                rhs: Some(Box::new(str_lit("b"))),
                operation: Some(va::expression::Operation::MutationType(
                    pb::VariableMutationType::Assign as i32,
                )),
            }))),
            ..Default::default()
        };
        assert_eq!(p.assignment(&assign), "\"b\"");
        assert_eq!(p.losses.len(), 1);
        let mut p = Printer::default();
        assert_eq!(p.json("{ \"a\": 1 }"), "{\"a\": 1}");
        assert_eq!(p.losses.len(), 1, "reformatted JSON text is reported");
    }

    #[test]
    fn values_names_and_types_print_as_lhw() {
        assert_eq!(name("charge-card"), "charge-card");
        assert_eq!(name("fail"), "`fail`");
        assert_eq!(name("x"), "x");
        assert_eq!(name("1-greet-TASK"), "`1-greet-TASK`");
        assert_eq!(double_literal(2.0).as_deref(), Some("2.0"));
        assert_eq!(double_literal(1e20).as_deref(), Some("1.0e20"));
        assert_eq!(double_literal(f64::NAN), None);
        assert_eq!(base64_encode(&[1, 2, 3, 255]), "AQID/w==");
        assert_eq!(base64_encode(b"hi"), "aGk=");
        assert_eq!(base64_encode(b"hello>"), "aGVsbG8+");
        assert_eq!(
            rfc3339(1_780_000_000, 123_000_000),
            "2026-05-28T20:26:40.123Z"
        );
        assert_eq!(rfc3339(-1, 500_000_000), "1969-12-31T23:59:59.5Z");
        assert_eq!(comparator(pb::Comparator::NotIn), "not in");
        assert_eq!(
            mutation_type(pb::VariableMutationType::RemoveKey),
            "remove key"
        );
        let ty = pb::TypeDefinition {
            masked: false,
            defined_type: Some(pb::type_definition::DefinedType::InlineMapDef(Box::new(
                pb::InlineMapDef {
                    key_type: Some(Box::new(crate::lower::type_definition(
                        &crate::check::Ty::Prim(crate::ast::Prim::Str),
                        false,
                    ))),
                    value_type: Some(Box::new(crate::lower::type_definition(
                        &crate::check::Ty::Array(Box::new(crate::check::Ty::Prim(
                            crate::ast::Prim::Int,
                        ))),
                        false,
                    ))),
                },
            ))),
        };
        assert_eq!(type_def(&ty), "map<str, int[]>");
    }

    #[test]
    fn defaults_of_bytes_and_timestamps_round_trip() {
        let text = "workflow w {\n  var raw: bytes = \"AQID/w==\"\n  var at: timestamp = \"2026-05-28T20:26:40.123Z\"\n}\n";
        let out = crate::compile(text).output.expect("compiles");
        let vars = &out.wf_specs[0].thread_specs["entrypoint"].variable_defs;
        let printed: Vec<String> = vars
            .iter()
            .map(|v| {
                value(
                    v.var_def
                        .as_ref()
                        .and_then(|d| d.default_value.as_ref())
                        .expect("a default"),
                )
            })
            .collect();
        assert_eq!(printed, ["\"AQID/w==\"", "\"2026-05-28T20:26:40.123Z\""]);
    }
}
