//! Expressions: pest pairs become `ast::Expr`.
//!
//! Nesting is limited: every later stage walks expressions recursively, so an expression
//! nested deeper than [`MAX_EXPR_DEPTH`] (e.g. thousands of parentheses, or a chain of
//! thousands of `+`) is reported once and replaced by `null` instead of overflowing the stack.
//! Wrapper rules with a single child (`expr` → `or_expr` → … → `postfix_expr`) are skipped
//! in a loop, so one level of source nesting costs one level of recursion here.

use lhw_grammar::Rule;
use lhw_grammar::pest::iterators::Pair;

use super::{Cx, lit, missing, null_at};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// How deeply expressions may nest (the height of an expression tree).
pub(super) const MAX_EXPR_DEPTH: usize = 64;

/// Descends through rules that only wrap one child.
fn unwrap_single(mut pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    loop {
        let passthrough = matches!(
            pair.as_rule(),
            Rule::expr | Rule::arg | Rule::return_value | Rule::fail_content | Rule::setting_value
        );
        let wrapper = matches!(
            pair.as_rule(),
            Rule::or_expr
                | Rule::and_expr
                | Rule::not_expr
                | Rule::cmp_expr
                | Rule::add_expr
                | Rule::mul_expr
                | Rule::pow_expr
                | Rule::cast_expr
                | Rule::unary_expr
                | Rule::postfix_expr
        );
        let mut inner = pair.clone().into_inner();
        let only = match (inner.next(), inner.next()) {
            (Some(child), None) if passthrough || wrapper => child,
            _ => return pair,
        };
        pair = only;
    }
}

/// The height of an expression tree (1 for a leaf).
fn height(e: &Expr) -> usize {
    let children: Vec<&Expr> = match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Double(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Duration(_)
        | ExprKind::Var(_) => Vec::new(),
        ExprKind::Str(s) => s
            .parts
            .iter()
            .filter_map(|p| match p {
                StrPart::Hole(h) => Some(h),
                StrPart::Text(_) => None,
            })
            .collect(),
        ExprKind::JsonObj(members) => members.iter().map(|(_, v)| v).collect(),
        ExprKind::JsonArr(items) => items.iter().collect(),
        ExprKind::Call { args, .. } | ExprKind::DynCall { args, .. } => args.iter().collect(),
        ExprKind::Await { .. }
        | ExprKind::WaitChild(_)
        | ExprKind::Spawn(_)
        | ExprKind::Ask(_)
        | ExprKind::RunWf { .. } => Vec::new(),
        ExprKind::New { fields, .. } | ExprKind::InlineStruct(fields) => {
            fields.iter().map(|(_, v)| v).collect()
        }
        ExprKind::MapLit(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        ExprKind::Method { recv, args, .. } => std::iter::once(&**recv).chain(args).collect(),
        ExprKind::Field { base, .. } => vec![&**base],
        ExprKind::Index { base, index } => vec![&**base, &**index],
        ExprKind::Binary { lhs, rhs, .. } => vec![&**lhs, &**rhs],
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Cast(x, _) | ExprKind::Paren(x) => {
            vec![&**x]
        }
    };
    1 + children.into_iter().map(height).max().unwrap_or(0)
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

    fn owner(&mut self, pair: Pair<'_, Rule>) -> (Option<Expr>, Option<Expr>) {
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
        if self.depth == 0 && height(&e) > MAX_EXPR_DEPTH {
            self.too_deep(span);
            return null_at(span);
        }
        e
    }

    pub(super) fn too_deep(&mut self, span: Span) {
        if self.too_deep_reported {
            return;
        }
        self.too_deep_reported = true;
        self.diags.push(
            Diagnostic::error(Code::E0001, span, "expression is nested too deeply")
                .with_label(format!("more than {MAX_EXPR_DEPTH} levels of nesting"))
                .with_help("split it into smaller expressions assigned to variables in separate statements"),
        );
    }

    /// True while a loop-built chain of `len` links still fits in the nesting limit.
    fn chain_fits(&mut self, len: usize, span: Span) -> bool {
        if self.depth + len > MAX_EXPR_DEPTH {
            self.too_deep(span);
            return false;
        }
        true
    }

    fn expr_node(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        match pair.as_rule() {
            Rule::expr
            | Rule::arg
            | Rule::return_value
            | Rule::fail_content
            | Rule::setting_value => {
                let inner = pair.into_inner().next();
                self.expr_or_missing(inner, span)
            }
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                self.chain(pair, span)
            }
            Rule::not_expr => self.not_expr(pair, span),
            Rule::cmp_expr | Rule::pow_expr => self.binary_pair(pair, span),
            Rule::cast_expr => self.cast(pair, span),
            Rule::unary_expr => self.unary(pair, span),
            Rule::postfix_expr => self.postfix(pair, span),
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
                let mut masked = false;
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
                                    Rule::mod_masked => masked = true,
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
                        masked,
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
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => workflow = Some(self.name(&p)),
                        Rule::named_args => inputs = self.named_args(p),
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::RunWf {
                        workflow: workflow.unwrap_or_else(|| missing(span)),
                        inputs,
                    },
                    span,
                }
            }
            Rule::new_expr => {
                let mut name = None;
                let mut fields = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => name = Some(self.name(&p)),
                        Rule::struct_lit => fields = self.struct_lit(p),
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::New {
                        name: name.unwrap_or_else(|| missing(span)),
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
            Rule::var_ref | Rule::ident => {
                let name = match pair.as_rule() {
                    Rule::ident => self.name(&pair),
                    _ => pair
                        .into_inner()
                        .next()
                        .map_or_else(|| missing(span), |n| self.name(&n)),
                };
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

    /// `a op b op c ...` for `||`, `&&`, `+ -` and `* /`: left-associative.
    fn chain(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut inner = pair.into_inner();
        let mut lhs = match inner.next() {
            Some(p) => self.expr(p),
            None => return null_at(span),
        };
        let mut links = 0;
        while let (Some(op), Some(rhs)) = (inner.next(), inner.next()) {
            links += 1;
            if !self.chain_fits(links, span) {
                return null_at(span);
            }
            let op_span = self.span(&op);
            let op = match op.as_rule() {
                Rule::op_or => BinOp::Or,
                Rule::op_and => BinOp::And,
                Rule::op_add => BinOp::Add,
                Rule::op_sub => BinOp::Sub,
                Rule::op_mul => BinOp::Mul,
                _ => BinOp::Div,
            };
            let rhs = self.expr(rhs);
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        lhs
    }

    /// `!...! operand`
    fn not_expr(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut nots = Vec::new();
        let mut operand = None;
        for p in pair.into_inner() {
            if p.as_rule() == Rule::op_not {
                nots.push(self.span(&p));
            } else {
                operand = Some(p);
            }
        }
        if !self.chain_fits(nots.len(), span) {
            return null_at(span);
        }
        let mut e = match operand {
            Some(p) => self.expr(p),
            None => null_at(span),
        };
        for not_span in nots.into_iter().rev() {
            let s = not_span.to(e.span);
            e = Expr {
                kind: ExprKind::Not(Box::new(e)),
                span: s,
            };
        }
        e
    }

    /// `a cmp b` and `a ** b`: one operator at most.
    fn binary_pair(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let is_pow = pair.as_rule() == Rule::pow_expr;
        let mut inner = pair.into_inner();
        let lhs = match inner.next() {
            Some(p) => self.expr(p),
            None => return null_at(span),
        };
        let (Some(op), Some(rhs)) = (inner.next(), inner.next()) else {
            return lhs;
        };
        let op_span = self.span(&op);
        let op = if is_pow {
            BinOp::Pow
        } else {
            match op.into_inner().next().map(|p| p.as_rule()) {
                Some(Rule::cmp_le) => BinOp::Le,
                Some(Rule::cmp_ge) => BinOp::Ge,
                Some(Rule::cmp_eq) => BinOp::Eq,
                Some(Rule::cmp_ne) => BinOp::Ne,
                Some(Rule::cmp_lt) => BinOp::Lt,
                Some(Rule::cmp_gt) => BinOp::Gt,
                Some(Rule::cmp_in) => BinOp::In,
                Some(Rule::cmp_not_in) => BinOp::NotIn,
                Some(Rule::cmp_contains) => BinOp::Contains,
                _ => BinOp::NotContains,
            }
        };
        let rhs = self.expr(rhs);
        Expr {
            kind: ExprKind::Binary {
                op,
                op_span,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        }
    }

    /// `value as type as type ...`
    fn cast(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut inner = pair.into_inner();
        let mut e = match inner.next() {
            Some(p) => self.expr(p),
            None => return null_at(span),
        };
        let mut links = 0;
        for p in inner {
            if p.as_rule() == Rule::ty {
                links += 1;
                if !self.chain_fits(links, span) {
                    return null_at(span);
                }
                let ty = self.ty(p);
                let s = e.span.to(ty.span());
                e = Expr {
                    kind: ExprKind::Cast(Box::new(e), ty),
                    span: s,
                };
            }
        }
        e
    }

    /// `-value`; negative number literals are folded.
    fn unary(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut inner = pair.into_inner().peekable();
        let neg = inner.peek().is_some_and(|p| p.as_rule() == Rule::op_neg);
        if neg {
            inner.next();
        }
        let e = match inner.next() {
            Some(p) => self.expr(p),
            None => return null_at(span),
        };
        if !neg {
            return e;
        }
        let kind = match e.kind {
            ExprKind::Int(i) => ExprKind::Int(i.wrapping_neg()),
            ExprKind::Double(d) => ExprKind::Double(-d),
            other => ExprKind::Neg(Box::new(Expr {
                kind: other,
                span: e.span,
            })),
        };
        Expr { kind, span }
    }

    /// `value.method(args)`, `value.field`, `value[index]`, chained.
    fn postfix(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        let mut inner = pair.into_inner();
        let mut e = match inner.next() {
            Some(p) => self.expr(p),
            None => return null_at(span),
        };
        let mut links = 0;
        for p in inner {
            links += 1;
            if !self.chain_fits(links, span) {
                return null_at(span);
            }
            let ps = self.span(&p);
            let s = e.span.to(ps);
            match p.as_rule() {
                Rule::method_call => {
                    let mut mi = p.into_inner();
                    let method = mi.next().map_or_else(|| missing(ps), |n| self.name(&n));
                    let args = mi.next().map(|a| self.args(a)).unwrap_or_default();
                    e = Expr {
                        kind: ExprKind::Method {
                            recv: Box::new(e),
                            method,
                            args,
                        },
                        span: s,
                    };
                }
                Rule::selector => match self.selector(p) {
                    Some(Selector::Field(name)) => {
                        e = Expr {
                            kind: ExprKind::Field {
                                base: Box::new(e),
                                name,
                            },
                            span: s,
                        }
                    }
                    Some(Selector::Index(index)) => {
                        e = Expr {
                            kind: ExprKind::Index {
                                base: Box::new(e),
                                index: Box::new(index),
                            },
                            span: s,
                        }
                    }
                    None => {}
                },
                _ => {}
            }
        }
        e
    }

    fn literal(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expr {
        match pair.as_rule() {
            Rule::int => match pair.as_str().parse::<i64>() {
                Ok(i) => lit(ExprKind::Int(i), span),
                Err(_) => {
                    self.diags.push(
                        Diagnostic::error(Code::E0002, span, "integer literal is too large")
                            .with_label("does not fit in a 64-bit int")
                            .with_help(format!("ints range from {} to {}", i64::MIN, i64::MAX)),
                    );
                    lit(ExprKind::Int(0), span)
                }
            },
            Rule::double => match pair.as_str().parse::<f64>() {
                Ok(d) if d.is_finite() => lit(ExprKind::Double(d), span),
                _ => {
                    self.diags.push(
                        Diagnostic::error(Code::E0002, span, "double literal is out of range")
                            .with_label("not a finite double")
                            .with_help("doubles range up to about 1.8e308"),
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
                    self.diags.push(
                        Diagnostic::error(Code::E0214, key.span, "JSON keys must be plain strings")
                            .with_label("holds a `{...}` placeholder")
                            .with_help("write the key as plain text; JSON literals are constants"),
                    );
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
