//! The fast parser's expressions: a flat run of operands and operators read as the grammar's
//! `expr` reads it, then given its precedence exactly as `syntax/exprs.rs` does with pest's
//! Pratt parser (same binding powers, same associativity, same folding of `-literal`).

use super::cursor::{MAX_HEIGHT, P, is_ident_char, is_ident_start, is_keyword};
use crate::ast::*;
use crate::source::Span;
use crate::syntax::exprs::height;

/// One entry of a flat expression, as pest's pairs of `expr` are.
enum Flat {
    Operand(Expr),
    Not(Span),
    Neg(Span),
    Bin(BinOp, Span),
    Cast(TypeExpr),
    Method(Name, Vec<Expr>, Span),
    Field(Name, Span),
    Index(Expr, Span),
}

/// The binding power of each operator, as `PRATT` in `syntax/exprs.rs` numbers them.
fn power(f: &Flat) -> u32 {
    match f {
        Flat::Operand(_) => 0,
        Flat::Bin(op, _) => match op {
            BinOp::Or => 20,
            BinOp::And => 30,
            BinOp::Add | BinOp::Sub => 60,
            BinOp::Mul | BinOp::Div => 70,
            BinOp::Pow => 80,
            _ => 50,
        },
        Flat::Not(_) => 40,
        Flat::Cast(_) => 90,
        Flat::Neg(_) => 100,
        Flat::Method(..) | Flat::Field(..) | Flat::Index(..) => 110,
    }
}

fn is_comparison(e: &Expr) -> bool {
    matches!(
        &e.kind,
        ExprKind::Binary { op, .. } if !matches!(
            op,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow | BinOp::And | BinOp::Or
        )
    )
}

/// Pest's Pratt algorithm over `items` (`PrattParser::expr`); `None` where the tree builder
/// reports (chained comparisons).
fn pratt(items: &mut std::iter::Peekable<std::vec::IntoIter<Flat>>, rbp: u32) -> Option<Expr> {
    let mut lhs = match items.next()? {
        Flat::Operand(e) => e,
        Flat::Not(op_span) => {
            let rhs = pratt(items, 40 - 1)?;
            let span = op_span.to(rhs.span);
            Expr {
                kind: ExprKind::Not(Box::new(rhs)),
                span,
            }
        }
        Flat::Neg(op_span) => {
            let rhs = pratt(items, 100 - 1)?;
            let span = op_span.to(rhs.span);
            let kind = match rhs.kind {
                ExprKind::Int(i) => ExprKind::Int(i.wrapping_neg()),
                ExprKind::Double(d) => ExprKind::Double(-d),
                other => ExprKind::Neg(Box::new(Expr {
                    kind: other,
                    span: rhs.span,
                })),
            };
            Expr { kind, span }
        }
        _ => return None,
    };
    while items.peek().is_some_and(|f| rbp < power(f)) {
        let op = items.next()?;
        lhs = match op {
            Flat::Bin(bin, op_span) => {
                let prec = power(&Flat::Bin(bin, op_span));
                let rhs = pratt(items, if bin == BinOp::Pow { prec - 1 } else { prec })?;
                let cmp = prec == 50;
                if cmp && is_comparison(&lhs) {
                    return None;
                }
                let span = lhs.span.to(rhs.span);
                Expr {
                    kind: ExprKind::Binary {
                        op: bin,
                        op_span,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                }
            }
            Flat::Cast(ty) => {
                let span = lhs.span.to(ty.span());
                Expr {
                    kind: ExprKind::Cast(Box::new(lhs), ty),
                    span,
                }
            }
            Flat::Method(method, args, at) => {
                let span = lhs.span.to(at);
                Expr {
                    kind: ExprKind::Method {
                        recv: Box::new(lhs),
                        method,
                        args,
                    },
                    span,
                }
            }
            Flat::Field(name, at) => {
                let span = lhs.span.to(at);
                Expr {
                    kind: ExprKind::Field {
                        base: Box::new(lhs),
                        name,
                    },
                    span,
                }
            }
            Flat::Index(index, at) => {
                let span = lhs.span.to(at);
                Expr {
                    kind: ExprKind::Index {
                        base: Box::new(lhs),
                        index: Box::new(index),
                    },
                    span,
                }
            }
            _ => return None,
        };
    }
    Some(lhs)
}

/// Which operand forms a flat expression takes: `expr`, `unary_expr` (a sign, no
/// operators, no cast) or `postfix_expr` (no sign either).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Full,
    Unary,
    Postfix,
}

impl P<'_> {
    /// `expr` (trivia before it skipped, as `nots ~ operand` does).
    pub(super) fn expr(&mut self) -> Option<Expr> {
        self.flat_expr(Form::Full)
    }

    /// `unary_expr`.
    pub(super) fn unary(&mut self) -> Option<Expr> {
        self.flat_expr(Form::Unary)
    }

    /// `postfix_expr`.
    pub(super) fn postfix(&mut self) -> Option<Expr> {
        self.flat_expr(Form::Postfix)
    }

    fn flat_expr(&mut self, form: Form) -> Option<Expr> {
        self.enter()?;
        let e = self.flat_inner(form);
        self.leave();
        let e = e?;
        (height(&e) <= MAX_HEIGHT).then_some(e)
    }

    fn flat_inner(&mut self, form: Form) -> Option<Expr> {
        let mut items: Vec<Flat> = Vec::new();
        self.skip();
        if form == Form::Full {
            self.nots(&mut items)?;
        }
        self.operand(&mut items, form)?;
        if form == Form::Full {
            loop {
                let save = self.pos;
                self.skip();
                let Some((op, len)) = self.bin_op() else {
                    self.pos = save;
                    break;
                };
                let start = self.pos;
                self.pos += len;
                items.push(Flat::Bin(op, self.span(start, self.pos)));
                if matches!(op, BinOp::Or | BinOp::And) {
                    self.nots(&mut items)?;
                }
                self.operand(&mut items, form)?;
                if items.len() > 2 * MAX_HEIGHT {
                    return None;
                }
            }
        }
        if items.len() == 1 {
            return match items.pop() {
                Some(Flat::Operand(e)) => Some(e),
                _ => None,
            };
        }
        pratt(&mut items.into_iter().peekable(), 0)
    }

    /// `nots`: up to 32 `!` (more than a few: pest decides).
    fn nots(&mut self, items: &mut Vec<Flat>) -> Option<()> {
        let mut count = 0;
        loop {
            self.skip();
            if self.peek() == Some(b'!') && self.peek_at(self.pos + 1) != Some(b'=') {
                items.push(Flat::Not(self.span(self.pos, self.pos + 1)));
                self.pos += 1;
                count += 1;
                if count > 8 {
                    return None;
                }
            } else {
                return Some(());
            }
        }
    }

    /// The binary operator at the position (`op_or | op_and | bin_op`) and its length.
    fn bin_op(&self) -> Option<(BinOp, usize)> {
        let b = self.b;
        let at = |i: usize| b.get(self.pos + i).copied();
        let two = (at(0), at(1));
        let op = match two {
            (Some(b'|'), Some(b'|')) => (BinOp::Or, 2),
            (Some(b'&'), Some(b'&')) => (BinOp::And, 2),
            (Some(b'<'), Some(b'=')) => (BinOp::Le, 2),
            (Some(b'>'), Some(b'=')) => (BinOp::Ge, 2),
            (Some(b'='), Some(b'=')) => (BinOp::Eq, 2),
            (Some(b'!'), Some(b'=')) => (BinOp::Ne, 2),
            (Some(b'<'), _) => (BinOp::Lt, 1),
            (Some(b'>'), _) => (BinOp::Gt, 1),
            (Some(b'+'), next) if next != Some(b'=') => (BinOp::Add, 1),
            (Some(b'-'), next) if !matches!(next, Some(b'=' | b'>')) => (BinOp::Sub, 1),
            (Some(b'*'), Some(b'*')) if at(2) != Some(b'=') => (BinOp::Pow, 2),
            (Some(b'*'), next) if !matches!(next, Some(b'*' | b'=')) => (BinOp::Mul, 1),
            (Some(b'/'), next) if !matches!(next, Some(b'=' | b'/' | b'*')) => (BinOp::Div, 1),
            _ => {
                return match self.word() {
                    "in" => Some((BinOp::In, 2)),
                    "contains" => Some((BinOp::Contains, 8)),
                    "not" => {
                        let mut q = self.fork();
                        q.pos += 3;
                        q.skip();
                        let op = match q.word() {
                            "in" => BinOp::NotIn,
                            "contains" => BinOp::NotContains,
                            _ => return None,
                        };
                        q.pos += q.word().len();
                        Some((op, q.pos - self.pos))
                    }
                    _ => None,
                };
            }
        };
        Some(op)
    }

    /// `operand`: `op_neg? ~ primary ~ suffix* ~ cast*` (as `form` allows).
    fn operand(&mut self, items: &mut Vec<Flat>, form: Form) -> Option<()> {
        self.skip();
        if form != Form::Postfix && self.peek() == Some(b'-') {
            items.push(Flat::Neg(self.span(self.pos, self.pos + 1)));
            self.pos += 1;
            self.skip();
        }
        let e = self.primary()?;
        items.push(Flat::Operand(e));
        // suffix*: `.name(args)`, `.name`, `[index]`
        loop {
            let save = self.pos;
            self.skip();
            let start = self.pos;
            if self.eat(".") {
                self.skip();
                let Some(name) = self.any_word() else {
                    self.pos = save;
                    break;
                };
                let after = self.pos;
                self.skip();
                if self.peek() == Some(b'(') {
                    let args = self.args()?;
                    items.push(Flat::Method(name, args, self.span(start, self.pos)));
                } else {
                    self.pos = after;
                    items.push(Flat::Field(name, self.span(start, after)));
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                items.push(Flat::Index(index, self.span(start, self.pos)));
            } else {
                self.pos = save;
                break;
            }
            if items.len() > 2 * MAX_HEIGHT {
                return None;
            }
        }
        if form == Form::Full {
            loop {
                let save = self.pos;
                self.skip();
                if self.kw("as") {
                    self.skip();
                    let ty = self.ty()?;
                    items.push(Flat::Cast(ty));
                    if items.len() > 2 * MAX_HEIGHT {
                        return None;
                    }
                } else {
                    self.pos = save;
                    break;
                }
            }
        }
        Some(())
    }

    /// `args` in parentheses, at the `(`.
    pub(super) fn args(&mut self) -> Option<Vec<Expr>> {
        self.expect("(")?;
        let mut args = Vec::new();
        if self.punct(")") {
            return Some(super::fit(args));
        }
        loop {
            args.push(self.expr()?);
            if self.punct(",") {
                if self.punct(")") {
                    return Some(super::fit(args));
                }
                continue;
            }
            self.expect(")")?;
            return Some(super::fit(args));
        }
    }

    /// `primary`.
    fn primary(&mut self) -> Option<Expr> {
        self.enter()?;
        let e = self.primary_inner();
        self.leave();
        e
    }

    fn primary_inner(&mut self) -> Option<Expr> {
        let start = self.pos;
        let c = self.peek()?;
        if c.is_ascii_digit() {
            return self.number();
        }
        match c {
            b'"' => {
                let s = self.string()?;
                let span = s.span;
                return Some(Expr {
                    kind: ExprKind::Str(s),
                    span,
                });
            }
            b'{' => return self.json_obj(),
            b'[' => {
                self.pos += 1;
                let items = self.list_until("]", |p| p.expr())?;
                return Some(Expr {
                    kind: ExprKind::JsonArr(items),
                    span: self.span(start, self.pos),
                });
            }
            b'(' => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect(")")?;
                return Some(Expr {
                    kind: ExprKind::Paren(Box::new(inner)),
                    span: self.span(start, self.pos),
                });
            }
            b'`' => return self.call_or_var(),
            _ => {}
        }
        if !is_ident_start(c) {
            return None;
        }
        let word = self.word();
        match word {
            "wait" | "await" | "spawn" | "ask" | "run" | "new" | "map" | "task" => {
                self.step_expr(word)
            }
            "true" | "false" => {
                self.pos += word.len();
                Some(Expr {
                    kind: ExprKind::Bool(word == "true"),
                    span: self.span(start, self.pos),
                })
            }
            "null" => {
                self.pos += 4;
                Some(Expr {
                    kind: ExprKind::Null,
                    span: self.span(start, self.pos),
                })
            }
            w if is_keyword(w) => None,
            _ => self.call_or_var(),
        }
    }

    /// `call` or `ident`.
    fn call_or_var(&mut self) -> Option<Expr> {
        let start = self.pos;
        let name = self.ident()?;
        let after = self.pos;
        self.skip();
        if self.peek() != Some(b'(') {
            self.pos = after;
            let span = name.span;
            return Some(Expr {
                kind: ExprKind::Var(name),
                span,
            });
        }
        let args = self.args()?;
        let mut opts = TaskOpts::default();
        self.task_opts(&mut opts)?;
        Some(Expr {
            kind: ExprKind::Call {
                callee: name,
                args,
                opts: Box::new(opts),
            },
            span: self.span(start, self.pos),
        })
    }

    /// `task_opt*` (later ones win); how many there were.
    pub(super) fn task_opts(&mut self, opts: &mut TaskOpts) -> Option<usize> {
        let mut count = 0;
        loop {
            let save = self.pos;
            self.skip();
            let start = self.pos;
            match self.word() {
                "retries" => {
                    self.pos += 7;
                    opts.retries = Some(self.unary()?);
                }
                "timeout" => {
                    self.pos += 7;
                    opts.timeout = Some(self.unary()?);
                }
                "backoff" => {
                    self.pos += 7;
                    self.skip();
                    let base = self.postfix()?;
                    self.expect("..")?;
                    self.skip();
                    let max = self.postfix()?;
                    let after = self.pos;
                    self.skip();
                    let multiplier = match self.backoff_mult() {
                        Some(m) => Some(m),
                        None => {
                            self.pos = after;
                            None
                        }
                    };
                    opts.backoff = Some(Backoff {
                        base,
                        max,
                        multiplier,
                        span: self.span(start, self.pos),
                    });
                }
                _ => {
                    self.pos = save;
                    return Some(count);
                }
            }
            count += 1;
        }
    }

    /// `backoff_mult`: `x2`, `x1.5` (the value as the tree builder reads it).
    fn backoff_mult(&mut self) -> Option<f64> {
        let b = self.b;
        let start = self.pos;
        if b.get(start) != Some(&b'x') {
            return None;
        }
        let mut i = start + 1;
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        if !digits(&mut i) {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            let mut j = i + 1;
            if digits(&mut j) {
                i = j;
            }
        }
        if b.get(i).copied().is_some_and(is_ident_char) {
            return None;
        }
        let m = self.s[start + 1..i].parse::<f64>().ok()?;
        self.pos = i;
        Some(m)
    }

    /// A comma-separated list with an optional trailing comma, up to `close` (the opening
    /// bracket consumed).
    pub(super) fn list_until<T>(
        &mut self,
        close: &str,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::new();
        if self.punct(close) {
            return Some(super::fit(out));
        }
        loop {
            self.skip();
            out.push(item(self)?);
            if self.punct(",") {
                if self.punct(close) {
                    return Some(super::fit(out));
                }
                continue;
            }
            self.expect(close)?;
            return Some(super::fit(out));
        }
    }

    /// `json_obj`, at its `{`.
    fn json_obj(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        let members = self.list_until("}", |p| {
            let key = p.string()?;
            let key = key.as_plain()?;
            p.expect(":")?;
            let value = p.expr()?;
            Some((key, value))
        })?;
        Some(Expr {
            kind: ExprKind::JsonObj(members),
            span: self.span(start, self.pos),
        })
    }
}
