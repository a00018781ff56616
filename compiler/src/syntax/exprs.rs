//! Expressions: pest pairs become `ast::Expr`.
//!
//! Nesting is limited: every later stage walks expressions recursively, so an expression
//! nested deeper than [`MAX_EXPR_DEPTH`] (e.g. thousands of parentheses, or a chain of
//! thousands of `+`) is reported once and replaced by `null` instead of overflowing the stack.
//! An expression is one flat pair of operands and operators (see `expr` in the grammar);
//! precedence is applied here by pest's Pratt parser, whose operator nodes are bounded by
//! the same limit as they are built. A flat expression of one operand is that operand.

use std::cell::RefCell;
use std::sync::LazyLock;

use lhw_grammar::Rule;
use lhw_grammar::pest::iterators::{Pair, Pairs};
use lhw_grammar::pest::pratt_parser::{Assoc, Op, PrattParser};

use super::problems::{LiteralKind, SyntaxProblem};
use super::{Cx, lit, missing, null_at};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::source::Span;

/// How deeply expressions may nest (the height of an expression tree).
pub(super) const MAX_EXPR_DEPTH: usize = 64;

/// How tall an expression tree may be in a request. Protobuf decoders (LittleHorse's Java
/// server, prost) refuse messages nested more than 100 levels deep; every operator level
/// of an expression nests two messages (`VariableAssignment` → `Expression`), under up to
/// 14 levels of request, thread, node and step around it. `compiler/tests/nesting.rs` holds
/// that a tree of this height decodes in the deepest place an expression can stand.
pub(super) const MAX_LH_HEIGHT: usize = 40;

/// E0320: an expression taller than [`MAX_LH_HEIGHT`].
fn too_deep_for_littlehorse(span: Span, height: usize) -> Diagnostic {
    SyntaxProblem::TooDeepForLittleHorse {
        span,
        height,
        max: MAX_LH_HEIGHT,
    }
    .diagnostic()
}

/// Descends through rules that only wrap one child: a flat expression of a single operand is
/// that operand.
fn unwrap_single(mut pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    loop {
        if !matches!(
            pair.as_rule(),
            Rule::expr
                | Rule::unary_expr
                | Rule::postfix_expr
                | Rule::arg
                | Rule::return_value
                | Rule::fail_content
                | Rule::setting_value
        ) {
            return pair;
        }
        let mut inner = pair.clone().into_inner();
        let only = match (inner.next(), inner.next()) {
            (Some(child), None) => child,
            _ => return pair,
        };
        pair = only;
    }
}

/// The precedence of the operators of a flat expression (lowest first); see `expr` in the
/// grammar. Comparisons are non-associative: a chain is reported by [`Cx::infix`].
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::cmp_le, Assoc::Left)
            | Op::infix(Rule::cmp_ge, Assoc::Left)
            | Op::infix(Rule::cmp_eq, Assoc::Left)
            | Op::infix(Rule::cmp_ne, Assoc::Left)
            | Op::infix(Rule::cmp_lt, Assoc::Left)
            | Op::infix(Rule::cmp_gt, Assoc::Left)
            | Op::infix(Rule::cmp_in, Assoc::Left)
            | Op::infix(Rule::cmp_not_in, Assoc::Left)
            | Op::infix(Rule::cmp_contains, Assoc::Left)
            | Op::infix(Rule::cmp_not_contains, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::infix(Rule::op_pow, Assoc::Right))
        .op(Op::postfix(Rule::cast))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::method_call) | Op::postfix(Rule::selector))
});

/// The comparison operator of `rule`, if it is one.
fn cmp_op(rule: Rule) -> Option<BinOp> {
    Some(match rule {
        Rule::cmp_le => BinOp::Le,
        Rule::cmp_ge => BinOp::Ge,
        Rule::cmp_eq => BinOp::Eq,
        Rule::cmp_ne => BinOp::Ne,
        Rule::cmp_lt => BinOp::Lt,
        Rule::cmp_gt => BinOp::Gt,
        Rule::cmp_in => BinOp::In,
        Rule::cmp_not_in => BinOp::NotIn,
        Rule::cmp_contains => BinOp::Contains,
        Rule::cmp_not_contains => BinOp::NotContains,
        _ => return None,
    })
}

fn is_comparison(e: &Expr) -> bool {
    matches!(
        &e.kind,
        ExprKind::Binary { op, .. } if matches!(
            op,
            BinOp::Le
                | BinOp::Ge
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Gt
                | BinOp::In
                | BinOp::NotIn
                | BinOp::Contains
                | BinOp::NotContains
        )
    )
}

/// A node built by the Pratt parser, with the height of its operator structure (operands
/// count 0), which bounds the tree while it is built.
struct Built {
    e: Expr,
    ops: usize,
}

/// What the Pratt callbacks of one flat expression share.
struct Flat<'c, 't> {
    cx: &'c mut Cx<'t>,
    /// The whole flat expression.
    span: Span,
    /// Set when the operator structure grew past the nesting limit.
    overflow: bool,
}

impl Flat<'_, '_> {
    /// Wraps `e` (over children of operator height `ops`) unless that is too deep.
    fn node(&mut self, e: Expr, ops: usize) -> Built {
        let ops = ops + 1;
        if self.overflow || self.cx.depth + ops > MAX_EXPR_DEPTH {
            if !self.overflow {
                self.overflow = true;
                self.cx.too_deep(self.span);
            }
            return Built {
                e: null_at(e.span),
                ops: 0,
            };
        }
        Built { e, ops }
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Built {
        Built {
            e: self.cx.expr(pair),
            ops: 0,
        }
    }

    fn prefix(&mut self, op: Pair<'_, Rule>, rhs: Built) -> Built {
        let op_span = self.cx.span(&op);
        let span = op_span.to(rhs.e.span);
        let kind = if op.as_rule() == Rule::op_not {
            ExprKind::Not(Box::new(rhs.e))
        } else {
            // `-value`; negative number literals are folded.
            match rhs.e.kind {
                ExprKind::Int(i) => ExprKind::Int(i.wrapping_neg()),
                ExprKind::Double(d) => ExprKind::Double(-d),
                other => ExprKind::Neg(Box::new(Expr {
                    kind: other,
                    span: rhs.e.span,
                })),
            }
        };
        self.node(Expr { kind, span }, rhs.ops)
    }

    fn postfix(&mut self, lhs: Built, op: Pair<'_, Rule>) -> Built {
        let e = lhs.e;
        let kind = match op.as_rule() {
            Rule::cast => {
                let Some(ty) = op.into_inner().find(|p| p.as_rule() == Rule::ty) else {
                    return Built { e, ops: lhs.ops };
                };
                let ty = self.cx.ty(ty);
                let span = e.span.to(ty.span());
                return self.node(
                    Expr {
                        kind: ExprKind::Cast(Box::new(e), ty),
                        span,
                    },
                    lhs.ops,
                );
            }
            Rule::method_call => {
                let ps = self.cx.span(&op);
                let mut mi = op.into_inner();
                let method = mi.next().map_or_else(|| missing(ps), |n| self.cx.name(&n));
                let args = mi.next().map(|a| self.cx.args(a)).unwrap_or_default();
                let span = e.span.to(ps);
                (
                    ExprKind::Method {
                        recv: Box::new(e),
                        method,
                        args,
                    },
                    span,
                )
            }
            _ => {
                let ps = self.cx.span(&op);
                let span = e.span.to(ps);
                match self.cx.selector(op) {
                    Some(Selector::Field(name)) => (
                        ExprKind::Field {
                            base: Box::new(e),
                            name,
                        },
                        span,
                    ),
                    Some(Selector::Index(index)) => (
                        ExprKind::Index {
                            base: Box::new(e),
                            index: Box::new(index),
                        },
                        span,
                    ),
                    None => return Built { e, ops: lhs.ops },
                }
            }
        };
        self.node(
            Expr {
                kind: kind.0,
                span: kind.1,
            },
            lhs.ops,
        )
    }

    fn infix(&mut self, lhs: Built, op: Pair<'_, Rule>, rhs: Built) -> Built {
        let op_span = self.cx.span(&op);
        let rule = op.as_rule();
        let bin = match rule {
            Rule::op_or => BinOp::Or,
            Rule::op_and => BinOp::And,
            Rule::op_add => BinOp::Add,
            Rule::op_sub => BinOp::Sub,
            Rule::op_mul => BinOp::Mul,
            Rule::op_div => BinOp::Div,
            Rule::op_pow => BinOp::Pow,
            other => cmp_op(other).unwrap_or(BinOp::Eq),
        };
        let span = lhs.e.span.to(rhs.e.span);
        if cmp_op(rule).is_some() && is_comparison(&lhs.e) {
            self.cx.chained_comparison(&lhs.e, &op, &rhs.e);
            return Built {
                e: null_at(span),
                ops: lhs.ops.max(rhs.ops) + 1,
            };
        }
        self.node(
            Expr {
                kind: ExprKind::Binary {
                    op: bin,
                    op_span,
                    lhs: Box::new(lhs.e),
                    rhs: Box::new(rhs.e),
                },
                span,
            },
            lhs.ops.max(rhs.ops),
        )
    }
}

/// The height of an expression tree (1 for a leaf). Children are visited in place (no list
/// of them is built): this runs for every expression.
pub(super) fn height(e: &Expr) -> usize {
    fn max_of<'a>(items: impl IntoIterator<Item = &'a Expr>) -> usize {
        items.into_iter().map(height).max().unwrap_or(0)
    }
    let children = match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Double(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Duration(_)
        | ExprKind::Var(_) => 0,
        ExprKind::Str(s) => max_of(s.parts.iter().filter_map(|p| match p {
            StrPart::Hole(h) => Some(h),
            StrPart::Text(_) => None,
        })),
        ExprKind::JsonObj(members) => max_of(members.iter().map(|(_, v)| v)),
        ExprKind::JsonArr(items) => max_of(items),
        ExprKind::Call { args, .. } | ExprKind::DynCall { args, .. } => max_of(args),
        ExprKind::Await { .. }
        | ExprKind::WaitChild(_)
        | ExprKind::Spawn(_)
        | ExprKind::Ask(_)
        | ExprKind::RunWf { .. } => 0,
        ExprKind::New { fields, .. } | ExprKind::InlineStruct(fields) => {
            max_of(fields.iter().map(|(_, v)| v))
        }
        ExprKind::MapLit(entries) => max_of(entries.iter().flat_map(|(k, v)| [k, v])),
        ExprKind::Method { recv, args, .. } => max_of(std::iter::once(&**recv).chain(args)),
        ExprKind::Field { base, .. } => height(base),
        ExprKind::Index { base, index } => height(base).max(height(index)),
        ExprKind::Binary { lhs, rhs, .. } => height(lhs).max(height(rhs)),
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Cast(x, _) | ExprKind::Paren(x) => {
            height(x)
        }
    };
    1 + children
}

impl Cx<'_> {
    fn task_opt_list(&mut self, pairs: Vec<Pair<'_, Rule>>) -> TaskOpts {
        let mut opts = TaskOpts::default();
        for p in pairs {
            let one = self.task_opts(std::iter::once(p));
            opts.retries = one.retries.or(opts.retries);
            opts.timeout = one.timeout.or(opts.timeout);
            opts.backoff = one.backoff.or(opts.backoff);
        }
        opts
    }

    fn named_args(&mut self, pair: Pair<'_, Rule>) -> Vec<(Name, Expr)> {
        let mut out = Vec::new();
        for a in pair.into_inner() {
            let mut kv = a.into_inner();
            if let (Some(k), Some(v)) = (kv.next(), kv.next()) {
                out.push((self.name(&k), self.expr(v)));
            }
        }
        out
    }

    fn struct_lit(&mut self, pair: Pair<'_, Rule>) -> Vec<(Name, Expr)> {
        let mut out = Vec::new();
        for m in pair.into_inner() {
            let mut kv = m.into_inner();
            let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
                continue;
            };
            let name = self.name(&k);
            let value = if v.as_rule() == Rule::struct_lit {
                let span = self.span(&v);
                Expr {
                    kind: ExprKind::InlineStruct(self.struct_lit(v)),
                    span,
                }
            } else {
                self.expr(v)
            };
            out.push((name, value));
        }
        out
    }

    pub(super) fn owner(&mut self, pair: Pair<'_, Rule>) -> (Option<Expr>, Option<Expr>) {
        let mut user = None;
        let mut group = None;
        for p in pair.into_inner() {
            let value = p
                .clone()
                .into_inner()
                .find(|q| q.as_rule() == Rule::postfix_expr)
                .map(|q| self.expr(q));
            match p.as_rule() {
                Rule::ut_user => user = value,
                Rule::ut_group => group = value,
                _ => {}
            }
        }
        (user, group)
    }

    fn ask(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut ask = Ask {
            form: missing(span),
            user: None,
            group: None,
            notes: None,
            on_cancel: None,
            actions: Vec::new(),
            version: None,
        };
        for p in pair.into_inner() {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::ident => ask.form = self.name(&p),
                Rule::ut_to => {
                    if let Some(o) = p.into_inner().find(|q| q.as_rule() == Rule::ut_owner) {
                        let (u, g) = self.owner(o);
                        ask.user = u;
                        ask.group = g;
                    }
                }
                Rule::ut_version => {
                    if let Some(n) = p.into_inner().find(|q| q.as_rule() == Rule::int) {
                        let at = self.span(&n);
                        ask.version = Some((n.as_str().parse().unwrap_or(i64::MAX), at));
                    }
                }
                Rule::ut_notes => {
                    ask.notes = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::postfix_expr)
                        .map(|q| self.expr(q));
                }
                Rule::ut_on_cancel => {
                    ask.on_cancel = p
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::ident)
                        .map(|q| self.name(&q));
                }
                Rule::ut_reassign | Rule::ut_release | Rule::ut_remind | Rule::ut_cancel => {
                    let rule = p.as_rule();
                    let mut owner = (None, None);
                    let mut task = None;
                    let mut args = Vec::new();
                    let mut after = None;
                    let mut on_assignment = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ut_owner => owner = self.owner(q),
                            Rule::ident => task = Some(self.name(&q)),
                            Rule::args => args = self.args(q),
                            Rule::postfix_expr => after = Some(self.expr(q)),
                            Rule::ut_hook => {
                                on_assignment = Some(
                                    q.into_inner().any(|r| r.as_rule() == Rule::kw_assignment),
                                );
                            }
                            _ => {}
                        }
                    }
                    let kind = match rule {
                        Rule::ut_reassign => UserTaskActionKind::Reassign {
                            user: owner.0,
                            group: owner.1,
                        },
                        Rule::ut_release => UserTaskActionKind::Release,
                        Rule::ut_remind => UserTaskActionKind::Remind {
                            task: task.unwrap_or_else(|| missing(pspan)),
                            args,
                        },
                        _ => UserTaskActionKind::Cancel,
                    };
                    ask.actions.push(UserTaskAction {
                        kind,
                        after: after.unwrap_or_else(|| null_at(pspan)),
                        on_assignment,
                        span: pspan,
                    });
                }
                _ => {}
            }
        }
        Expr {
            kind: ExprKind::Ask(Box::new(ask)),
            span,
        }
    }

    /// Builds the expression of `pair`.
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let pair = unwrap_single(pair);
        let span = self.span(&pair);
        if self.depth >= MAX_EXPR_DEPTH {
            self.too_deep(span);
            return null_at(span);
        }
        self.depth += 1;
        let e = self.expr_node(pair, span);
        self.depth -= 1;
        // Operator chains are built in loops, so the tree can be taller than the recursion.
        // Every expression is measured, not only the outermost: the ones inside steps
        // (`spawn`, `ask`, `run`) are not part of their enclosing expression's tree. Nesting
        // is bounded by `MAX_EXPR_DEPTH`, so this stays linear.
        let h = height(&e);
        if self.depth == 0 && h > MAX_EXPR_DEPTH {
            self.too_deep(span);
            return null_at(span);
        }
        if h > MAX_LH_HEIGHT
            && !self
                .lh_too_deep
                .is_some_and(|inner| span.start <= inner.start && inner.end <= span.end)
        {
            self.lh_too_deep = Some(span);
            self.diags.push(too_deep_for_littlehorse(span, h));
        }
        e
    }

    pub(super) fn too_deep(&mut self, span: Span) {
        if self.too_deep_reported {
            return;
        }
        self.too_deep_reported = true;
        self.diags.push(
            SyntaxProblem::ExpressionTooDeep {
                span,
                max: MAX_EXPR_DEPTH,
            }
            .diagnostic(),
        );
    }

    fn expr_node(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        match pair.as_rule() {
            Rule::arg | Rule::return_value | Rule::fail_content | Rule::setting_value => {
                let inner = pair.into_inner().next();
                self.expr_or_missing(inner, span)
            }
            Rule::expr | Rule::unary_expr | Rule::postfix_expr => self.flat(pair, span),
            Rule::paren => {
                let inner = pair.into_inner().next();
                let e = self.expr_or_missing(inner, span);
                Expr {
                    kind: ExprKind::Paren(Box::new(e)),
                    span,
                }
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let callee = inner
                    .next()
                    .map_or_else(|| missing(span), |n| self.name(&n));
                let mut args = Vec::new();
                let mut opt_pairs = Vec::new();
                for p in inner {
                    if p.as_rule() == Rule::args {
                        args = self.args(p);
                    } else {
                        opt_pairs.push(p);
                    }
                }
                let opts = Box::new(self.task_opt_list(opt_pairs));
                Expr {
                    kind: ExprKind::Call { callee, args, opts },
                    span,
                }
            }
            Rule::dyn_call => {
                let mut task = None;
                let mut args = Vec::new();
                let mut opt_pairs = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::kw_task => {}
                        Rule::expr => task = Some(self.expr(p)),
                        Rule::args => args = self.args(p),
                        _ => opt_pairs.push(p),
                    }
                }
                let opts = Box::new(self.task_opt_list(opt_pairs));
                Expr {
                    kind: ExprKind::DynCall {
                        task: Box::new(task.unwrap_or_else(|| null_at(span))),
                        args,
                        opts,
                    },
                    span,
                }
            }
            Rule::await_expr => {
                let mut event = None;
                let mut timeout = None;
                let mut correlation = None;
                let mut mask = KeyMask::Inferred;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => event = Some(self.name(&p)),
                        Rule::aw_timeout => {
                            timeout = p
                                .into_inner()
                                .find(|q| q.as_rule() == Rule::postfix_expr)
                                .map(|q| Box::new(self.expr(q)));
                        }
                        Rule::aw_correlated => {
                            for q in p.into_inner() {
                                match q.as_rule() {
                                    Rule::postfix_expr => {
                                        correlation = Some(Box::new(self.expr(q)))
                                    }
                                    Rule::mod_masked => mask = KeyMask::Masked,
                                    Rule::mod_unmasked => mask = KeyMask::Unmasked,
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::Await {
                        event: event.unwrap_or_else(|| missing(span)),
                        timeout,
                        correlation,
                        mask,
                    },
                    span,
                }
            }
            Rule::spawn_expr => {
                let mut name = None;
                let mut inputs = Vec::new();
                let mut each = None;
                let mut each_ty = None;
                let mut body = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => name = Some(self.name(&p)),
                        Rule::named_args => inputs = self.named_args(p),
                        Rule::spawn_each => {
                            let mut item = None;
                            let mut list = None;
                            for q in p.into_inner() {
                                match q.as_rule() {
                                    Rule::ident => item = Some(self.name(&q)),
                                    Rule::ty => each_ty = Some(self.ty(q)),
                                    Rule::postfix_expr => list = Some(self.expr(q)),
                                    _ => {}
                                }
                            }
                            if let Some(list) = list {
                                let item = item.unwrap_or_else(|| missing(list.span));
                                each = Some((item, list));
                            }
                        }
                        Rule::block => body = Some(self.block(p)),
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::Spawn(Box::new(Spawn {
                        name: name.unwrap_or_else(|| missing(span)),
                        inputs,
                        each,
                        each_ty,
                        body: body.unwrap_or(Block {
                            stmts: Vec::new(),
                            span,
                        }),
                    })),
                    span,
                }
            }
            Rule::run_expr => {
                let mut workflow = None;
                let mut inputs = Vec::new();
                let mut dynamic = None;
                let mut child_id = None;
                let mut version = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => workflow = Some(self.name(&p)),
                        Rule::run_dyn => {
                            let at = self.span(&p);
                            dynamic = Some(Box::new(self.expr_or_missing(
                                p.into_inner().find(|q| q.as_rule() == Rule::expr),
                                at,
                            )));
                        }
                        Rule::named_args => inputs = self.named_args(p),
                        Rule::run_id => {
                            let at = self.span(&p);
                            child_id = Some(Box::new(self.expr_or_missing(
                                p.into_inner().find(|q| q.as_rule() == Rule::postfix_expr),
                                at,
                            )));
                        }
                        Rule::run_version => {
                            if let Some(n) = p.into_inner().find(|q| q.as_rule() == Rule::int) {
                                let at = self.span(&n);
                                version = Some((n.as_str().parse().unwrap_or(i64::MAX), at));
                            }
                        }
                        _ => {}
                    }
                }
                let workflow = match (&dynamic, workflow) {
                    (_, Some(w)) => w,
                    (Some(d), None) => Name {
                        text: String::new(),
                        span: Span {
                            start: d.span.start,
                            end: d.span.start,
                        },
                    },
                    (None, None) => missing(span),
                };
                Expr {
                    kind: ExprKind::RunWf {
                        workflow,
                        inputs,
                        dynamic,
                        child_id,
                        version,
                    },
                    span,
                }
            }
            Rule::new_expr => {
                let mut name = None;
                let mut version = None;
                let mut fields = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => name = Some(self.name(&p)),
                        Rule::struct_version => {
                            if let Some(n) = p.into_inner().find(|q| q.as_rule() == Rule::int) {
                                let at = self.span(&n);
                                version = Some((n.as_str().parse().unwrap_or(i64::MAX), at));
                            }
                        }
                        Rule::struct_lit => fields = self.struct_lit(p),
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::New {
                        name: name.unwrap_or_else(|| missing(span)),
                        version,
                        fields,
                    },
                    span,
                }
            }
            Rule::map_lit => {
                let mut entries = Vec::new();
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::map_entry {
                        let mut kv = p.into_inner();
                        if let (Some(k), Some(v)) = (kv.next(), kv.next()) {
                            entries.push((self.expr(k), self.expr(v)));
                        }
                    }
                }
                Expr {
                    kind: ExprKind::MapLit(entries),
                    span,
                }
            }
            Rule::ask_expr => self.ask(pair, span),
            Rule::wait_expr => {
                let name = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::ident)
                    .map_or_else(|| missing(span), |n| self.name(&n));
                Expr {
                    kind: ExprKind::WaitChild(name),
                    span,
                }
            }
            Rule::ident => {
                let name = self.name(&pair);
                Expr {
                    kind: ExprKind::Var(name),
                    span,
                }
            }
            Rule::int | Rule::double | Rule::duration | Rule::boolean | Rule::null => {
                self.literal(pair, span)
            }
            Rule::string => {
                let s = self.string(pair);
                Expr {
                    kind: ExprKind::Str(s),
                    span,
                }
            }
            Rule::json_obj => self.json_obj(pair, span),
            Rule::json_arr => {
                let items = pair.into_inner().map(|p| self.expr(p)).collect();
                Expr {
                    kind: ExprKind::JsonArr(items),
                    span,
                }
            }
            _ => null_at(span),
        }
    }

    /// A flat expression (`expr`, `unary_expr`, `postfix_expr`): operands and operators,
    /// given their precedence by the Pratt parser.
    fn flat(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let pairs = pair.into_inner();
        if !self.flat_fits(pairs.clone(), span) {
            return null_at(span);
        }
        let flat = RefCell::new(Flat {
            cx: self,
            span,
            overflow: false,
        });
        let built = PRATT
            .map_primary(|p| flat.borrow_mut().primary(p))
            .map_prefix(|op, rhs| flat.borrow_mut().prefix(op, rhs))
            .map_postfix(|lhs, op| flat.borrow_mut().postfix(lhs, op))
            .map_infix(|lhs, op, rhs| flat.borrow_mut().infix(lhs, op, rhs))
            .parse(pairs);
        if flat.into_inner().overflow {
            return null_at(span);
        }
        built.e
    }

    /// The Pratt parser recurses once per prefix operator in a row and once per `**` in a
    /// chain: such runs longer than the nesting limit are reported before it starts.
    fn flat_fits(&mut self, pairs: Pairs<'_, Rule>, span: Span) -> bool {
        let (mut prefixes, mut pows) = (0usize, 0usize);
        for p in pairs {
            match p.as_rule() {
                Rule::op_not | Rule::op_neg => prefixes += 1,
                Rule::op_pow => {
                    prefixes = 0;
                    pows += 1;
                }
                // Operators below `**` end both runs; operands and postfix operators neither.
                Rule::op_or
                | Rule::op_and
                | Rule::op_add
                | Rule::op_sub
                | Rule::op_mul
                | Rule::op_div => (prefixes, pows) = (0, 0),
                rule if cmp_op(rule).is_some() => (prefixes, pows) = (0, 0),
                _ => {}
            }
            if self.depth + prefixes.max(pows) > MAX_EXPR_DEPTH {
                self.too_deep(span);
                return false;
            }
        }
        true
    }

    /// `a < b < c`: comparisons do not chain; `lhs` is the first comparison (`a < b`).
    fn chained_comparison(&mut self, lhs: &Expr, op: &Pair<'_, Rule>, rhs: &Expr) {
        let ExprKind::Binary { rhs: middle, .. } = &lhs.kind else {
            return;
        };
        let op_span = self.span(op);
        let op = op.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
        let diag = SyntaxProblem::ChainedComparison {
            span: op_span,
            op,
            first: self.snippet(lhs.span).to_string(),
            middle: self.snippet(middle.span).to_string(),
            last: self.snippet(rhs.span).to_string(),
        }
        .diagnostic();
        self.diags.push(diag);
    }

    /// The source text of `span`.
    fn snippet(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    fn literal(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        match pair.as_rule() {
            Rule::int => match pair.as_str().parse::<i64>() {
                Ok(i) => lit(ExprKind::Int(i), span),
                Err(_) => {
                    self.diags.push(
                        SyntaxProblem::LiteralOutOfRange {
                            span,
                            literal: LiteralKind::Int,
                        }
                        .diagnostic(),
                    );
                    lit(ExprKind::Int(0), span)
                }
            },
            Rule::double => match pair.as_str().parse::<f64>() {
                Ok(d) if d.is_finite() => lit(ExprKind::Double(d), span),
                _ => {
                    self.diags.push(
                        SyntaxProblem::LiteralOutOfRange {
                            span,
                            literal: LiteralKind::Double,
                        }
                        .diagnostic(),
                    );
                    lit(ExprKind::Double(0.0), span)
                }
            },
            Rule::duration => lit(ExprKind::Duration(self.duration(pair.as_str(), span)), span),
            Rule::boolean => lit(ExprKind::Bool(pair.as_str() == "true"), span),
            _ => lit(ExprKind::Null, span),
        }
    }

    fn json_obj(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut members = Vec::new();
        for m in pair.into_inner() {
            let mut mi = m.into_inner();
            if let (Some(k), Some(v)) = (mi.next(), mi.next()) {
                let key = self.string(k);
                let key_text = key.as_plain().unwrap_or_default();
                if key.as_plain().is_none() {
                    self.diags
                        .push(SyntaxProblem::JsonKeyNotPlain { span: key.span }.diagnostic());
                }
                members.push((key_text, self.expr(v)));
            }
        }
        Expr {
            kind: ExprKind::JsonObj(members),
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::{BinOp, ExprKind, Item, StmtKind};
    use crate::diag::Code;

    /// The value of `x = <src>` in a workflow, and the syntax diagnostics' messages.
    fn assigned(src: &str) -> (ExprKind, Vec<String>) {
        let text = format!("workflow w {{\n  x = {src}\n}}\n");
        let (file, diags) = crate::syntax::parse(&text);
        let Some(Item::Workflow(wf)) = file.items.into_iter().next() else {
            panic!("no workflow in {text:?}");
        };
        let Some(StmtKind::Assign { value, .. }) = wf.body.stmts.into_iter().next().map(|s| s.kind)
        else {
            panic!("no assignment in {text:?}");
        };
        assert!(diags.iter().all(|d| d.code == Code::E0001));
        (value.kind, diags.into_iter().map(|d| d.message).collect())
    }

    fn binary(kind: &ExprKind) -> (BinOp, &ExprKind, &ExprKind) {
        match kind {
            ExprKind::Binary { op, lhs, rhs, .. } => (*op, &lhs.kind, &rhs.kind),
            other => panic!("not a binary expression: {other:?}"),
        }
    }

    #[test]
    fn precedence_and_associativity() {
        let (e, diags) = assigned("!a || b && c == 1 + 2 * 3 ** 4 ** 5");
        assert!(diags.is_empty());
        let (op, lhs, rhs) = binary(&e);
        assert_eq!(op, BinOp::Or);
        assert!(matches!(lhs, ExprKind::Not(_)));
        let (op, _, rhs) = binary(rhs);
        assert_eq!(op, BinOp::And);
        let (op, _, rhs) = binary(rhs);
        assert_eq!(op, BinOp::Eq);
        let (op, _, rhs) = binary(rhs);
        assert_eq!(op, BinOp::Add);
        let (op, _, rhs) = binary(rhs);
        assert_eq!(op, BinOp::Mul);
        let (op, _, rhs) = binary(rhs);
        assert_eq!(op, BinOp::Pow);
        assert_eq!(binary(rhs).0, BinOp::Pow);

        // `!` is below comparisons; `-` is above `as` and below selectors; literals fold.
        let (e, _) = assigned("!a == b");
        assert!(
            matches!(e, ExprKind::Not(ref x) if matches!(x.kind, ExprKind::Binary { op: BinOp::Eq, .. }))
        );
        let (e, _) = assigned("-a.b as int");
        let ExprKind::Cast(inner, _) = e else {
            panic!("not a cast: {e:?}");
        };
        assert!(
            matches!(inner.kind, ExprKind::Neg(ref x) if matches!(x.kind, ExprKind::Field { .. }))
        );
        let (e, _) = assigned("-2 ** 2");
        assert!(matches!(binary(&e).1, ExprKind::Int(-2)));
        let (e, _) = assigned("a - b - c");
        assert!(matches!(
            binary(&e).1,
            ExprKind::Binary { op: BinOp::Sub, .. }
        ));
    }

    #[test]
    fn comparisons_do_not_chain() {
        let (e, diags) = assigned("a < b < c");
        assert_eq!(diags, ["comparisons cannot be chained"]);
        assert_eq!(e, ExprKind::Null);
        let (_, diags) = assigned("a == b not in c");
        assert_eq!(diags, ["comparisons cannot be chained"]);
        let (e, diags) = assigned("(a < b) == c && d < e");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(binary(&e).0, BinOp::And);
    }
}
