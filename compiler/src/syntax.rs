//! Parsing: pest pairs become the owned AST at once, inside this module. Malformed items and
//! statements are recovered by the grammar's `error_item` / `error_stmt` rules; each gets one
//! E0001 diagnostic (re-parsed with the strict rule for its "expected ..." message) and the
//! rest of the file is still parsed.

use lhw_grammar::pest::Parser;
use lhw_grammar::pest::error::{ErrorVariant, InputLocation};
use lhw_grammar::pest::iterators::Pair;
use lhw_grammar::{LhwParser, Rule};

use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// Parses `text` into a file and the syntax diagnostics. Never fails: unparsable text becomes
/// `Item::Error` / `StmtKind::Error` nodes.
#[must_use]
pub fn parse(text: &str) -> (File, Vec<Diagnostic>) {
    let mut cx = Cx {
        text,
        diags: Vec::new(),
    };
    let file = match LhwParser::parse(Rule::file, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(pair) => cx.file(pair),
            None => File::default(),
        },
        Err(err) => {
            cx.diags.push(pest_error(text, &err, 0));
            File::default()
        }
    };
    (file, cx.diags)
}

struct Cx<'t> {
    text: &'t str,
    diags: Vec<Diagnostic>,
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn name_of(pair: &Pair<'_, Rule>) -> Name {
    Name {
        text: pair.as_str().to_string(),
        span: span_of(pair),
    }
}

/// Turns a pest error into an E0001 diagnostic; `offset` shifts positions of a re-parse.
fn pest_error(text: &str, err: &lhw_grammar::pest::error::Error<Rule>, offset: usize) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    } + offset;
    let end = next_char_end(text, pos);
    let found = match text.get(pos..end) {
        None | Some("") => "end of file".to_string(),
        Some("\n") | Some("\r") => "end of line".to_string(),
        Some(s) => format!("`{s}`"),
    };
    let message = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut wanted: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            wanted.sort_unstable();
            wanted.dedup();
            format!("expected {}, found {found}", join_or(&wanted))
        }
        ErrorVariant::ParsingError { .. } => format!("unexpected {found}"),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::error(Code::E0001, Span::new(pos, end.max(pos)), message)
        .with_label("not expected here")
}

fn next_char_end(text: &str, pos: usize) -> usize {
    match text.get(pos..).and_then(|rest| rest.chars().next()) {
        Some(c) => pos + c.len_utf8(),
        None => pos,
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Human words for grammar rules in "expected ..." messages.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::ident | Rule::any_word | Rule::named_ty => "a name",
        Rule::ty | Rule::prim_ty | Rule::map_ty => "a type",
        Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::cmp_expr
        | Rule::add_expr | Rule::mul_expr | Rule::pow_expr | Rule::cast_expr
        | Rule::unary_expr | Rule::postfix_expr | Rule::return_value | Rule::arg => {
            "an expression"
        }
        Rule::string => "a string",
        Rule::int | Rule::double => "a number",
        Rule::duration => "a duration",
        Rule::block => "`{`",
        Rule::params | Rule::param => "a parameter",
        Rule::struct_field => "a field",
        Rule::assign_op => "`=`",
        Rule::cmp_op => "a comparison",
        Rule::EOI => "end of input",
        Rule::task_decl | Rule::kw_task => "`task`",
        Rule::event_decl | Rule::kw_event => "`event`",
        Rule::wf_event_decl | Rule::kw_wf_event => "`workflow-event`",
        Rule::struct_decl | Rule::kw_struct => "`struct`",
        Rule::workflow | Rule::kw_workflow => "`workflow`",
        Rule::kw_with => "`with`",
        Rule::kw_from => "`from`",
        Rule::kw_as => "`as`",
        Rule::kw_on => "`on`",
        Rule::kw_until => "`until`",
        Rule::var_decl | Rule::kw_var => "`var`",
        Rule::access => "`public`, `private` or `inherited`",
        Rule::stmt_check | Rule::item_check => "a statement",
        _ => "a statement",
    }
}

impl Cx<'_> {
    fn file(&mut self, pair: Pair<'_, Rule>) -> File {
        let mut items = Vec::new();
        let mut last_was_error = false;
        for p in pair.into_inner() {
            let item = match p.as_rule() {
                Rule::task_decl => Item::Task(self.task(p)),
                Rule::event_decl => Item::Event(self.event(p)),
                Rule::wf_event_decl => Item::WorkflowEvent(self.event(p)),
                Rule::struct_decl => Item::Struct(self.struct_decl(p)),
                Rule::workflow => Item::Workflow(self.workflow(p)),
                Rule::error_item => {
                    let span = span_of(&p);
                    // One diagnostic for a run of unparsable lines.
                    if !last_was_error {
                        self.recover(Rule::item_check, p.as_str(), span, "a declaration");
                    }
                    last_was_error = true;
                    items.push(Item::Error(span));
                    continue;
                }
                _ => continue,
            };
            last_was_error = false;
            items.push(item);
        }
        File { items }
    }

    /// Reports recovered text, re-parsed with `rule` for a precise message.
    fn recover(&mut self, rule: Rule, text: &str, span: Span, what: &str) {
        let diag = match LhwParser::parse(rule, text) {
            Err(err) => pest_error(self.text, &err, span.start as usize),
            Ok(_) => Diagnostic::error(Code::E0001, span, format!("expected {what}")),
        };
        let diag = if text.trim() == "}" {
            Diagnostic::error(Code::E0001, span, "unmatched `}`")
                .with_label("no block is open here")
        } else {
            diag
        };
        self.diags.push(diag);
    }

    fn task(&mut self, pair: Pair<'_, Rule>) -> TaskDecl {
        let span = span_of(&pair);
        let mut name = None;
        let mut params = Vec::new();
        let mut returns = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(name_of(&p)),
                Rule::params => {
                    for param in p.into_inner() {
                        let mut inner = param.into_inner();
                        let (Some(n), Some(t)) = (inner.next(), inner.next()) else {
                            continue;
                        };
                        params.push(Param {
                            name: name_of(&n),
                            ty: self.ty(t),
                            masked: inner.next().is_some(),
                        });
                    }
                }
                Rule::ty => returns = Some(self.ty(p)),
                _ => {}
            }
        }
        TaskDecl {
            name: name.unwrap_or_else(|| missing(span)),
            params,
            returns,
            span,
        }
    }

    fn event(&mut self, pair: Pair<'_, Rule>) -> EventDecl {
        let span = span_of(&pair);
        let mut name = None;
        let mut payload = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(name_of(&p)),
                Rule::ty => payload = Some(self.ty(p)),
                _ => {}
            }
        }
        EventDecl {
            name: name.unwrap_or_else(|| missing(span)),
            payload,
            span,
        }
    }

    fn struct_decl(&mut self, pair: Pair<'_, Rule>) -> StructDecl {
        let span = span_of(&pair);
        let mut name = None;
        let mut fields = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(name_of(&p)),
                Rule::struct_field => {
                    let mut inner = p.into_inner();
                    let (Some(n), Some(t)) = (inner.next(), inner.next()) else {
                        continue;
                    };
                    fields.push(StructField {
                        name: name_of(&n),
                        ty: self.ty(t),
                        default: inner.next().map(|e| self.expr(e)),
                    });
                }
                _ => {}
            }
        }
        StructDecl {
            name: name.unwrap_or_else(|| missing(span)),
            fields,
            span,
        }
    }

    fn workflow(&mut self, pair: Pair<'_, Rule>) -> Workflow {
        let span = span_of(&pair);
        let mut name = None;
        let mut body = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(name_of(&p)),
                Rule::block => body = Some(self.block(p)),
                _ => {}
            }
        }
        Workflow {
            name: name.unwrap_or_else(|| missing(span)),
            body: body.unwrap_or(Block {
                stmts: Vec::new(),
                span,
            }),
            span,
        }
    }

    fn ty(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let Some(base) = inner.next() else {
            return TypeExpr::Prim(Prim::JsonObj, span);
        };
        let base_span = span_of(&base);
        let mut ty = match base.as_rule() {
            Rule::prim_ty => TypeExpr::Prim(
                match base.as_str() {
                    "str" => Prim::Str,
                    "int" => Prim::Int,
                    "double" => Prim::Double,
                    "bool" => Prim::Bool,
                    "json-arr" => Prim::JsonArr,
                    "bytes" => Prim::Bytes,
                    "timestamp" => Prim::Timestamp,
                    "wf-run-id" => Prim::WfRunId,
                    _ => Prim::JsonObj,
                },
                base_span,
            ),
            Rule::map_ty => {
                let mut kv = base.into_inner();
                match (kv.next(), kv.next()) {
                    (Some(k), Some(v)) => {
                        TypeExpr::Map(Box::new(self.ty(k)), Box::new(self.ty(v)), base_span)
                    }
                    _ => TypeExpr::Prim(Prim::JsonObj, base_span),
                }
            }
            _ => TypeExpr::Named(Name {
                text: base.as_str().to_string(),
                span: base_span,
            }),
        };
        for suffix in inner {
            let end = span_of(&suffix);
            ty = TypeExpr::Array(Box::new(ty), span.to(end));
        }
        ty
    }

    fn block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = span_of(&pair);
        let mut stmts = Vec::new();
        let mut last_was_error = false;
        for p in pair.into_inner() {
            let is_error = p.as_rule() == Rule::error_stmt;
            if is_error && !last_was_error {
                self.recover(Rule::stmt_check, p.as_str(), span_of(&p), "a statement");
            }
            last_was_error = is_error;
            stmts.push(self.stmt(p));
        }
        Block { stmts, span }
    }

    fn stmt(&mut self, pair: Pair<'_, Rule>) -> Stmt {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::var_decl => StmtKind::Var(self.var_decl(inner)),
            Rule::let_stmt => {
                let name = inner.nth(1).map_or_else(|| missing(span), |p| name_of(&p));
                let value = self.expr_or_missing(inner.next(), span);
                StmtKind::Let { name, value }
            }
            Rule::assign_stmt => {
                let place = self.place(inner.next(), span);
                let (op, op_span) = match inner.next() {
                    Some(op) => (
                        match op.as_str() {
                            "+=" => AssignOp::Add,
                            "-=" => AssignOp::Sub,
                            "*=" => AssignOp::Mul,
                            "/=" => AssignOp::Div,
                            "**=" => AssignOp::Pow,
                            "&&=" => AssignOp::And,
                            "||=" => AssignOp::Or,
                            _ => AssignOp::Assign,
                        },
                        span_of(&op),
                    ),
                    None => (AssignOp::Assign, span),
                };
                let value = self.expr_or_missing(inner.next(), span);
                StmtKind::Assign {
                    place,
                    op,
                    op_span,
                    value,
                }
            }
            Rule::extend_stmt => {
                let place = self.place(inner.nth(1), span);
                let value = self.expr_or_missing(inner.nth(1), span);
                StmtKind::Extend { place, value }
            }
            Rule::remove_stmt => {
                let _kw = inner.next();
                let (what, value) = match inner.next() {
                    Some(w) => {
                        let what = match w.as_rule() {
                            Rule::remove_index => RemoveWhat::Index,
                            Rule::remove_key => RemoveWhat::Key,
                            _ => RemoveWhat::Value,
                        };
                        let value = w.into_inner().find(|p| p.as_rule() == Rule::expr);
                        (what, self.expr_or_missing(value, span))
                    }
                    None => (RemoveWhat::Value, self.expr_or_missing(None, span)),
                };
                let place = self.place(inner.nth(1), span);
                StmtKind::Remove { place, what, value }
            }
            Rule::if_stmt => StmtKind::If(self.if_stmt(inner, span)),
            Rule::while_stmt => {
                let cond = self.expr_or_missing(inner.nth(1), span);
                let body = match inner.next() {
                    Some(b) => self.block(b),
                    None => Block {
                        stmts: Vec::new(),
                        span,
                    },
                };
                StmtKind::While { cond, body }
            }
            Rule::return_stmt => {
                let value = inner
                    .find(|p| p.as_rule() == Rule::return_value)
                    .and_then(|p| p.into_inner().next())
                    .map(|e| self.expr(e));
                StmtKind::Return(value)
            }
            Rule::fail_stmt => {
                let name = inner.nth(1).map_or_else(|| missing(span), |p| name_of(&p));
                let mut message = None;
                let mut content = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::string => message = Some(self.string(p)),
                        Rule::expr => content = Some(self.expr(p)),
                        _ => {}
                    }
                }
                StmtKind::Fail {
                    name,
                    message,
                    content,
                }
            }
            Rule::wait_until_stmt => StmtKind::WaitUntil(self.expr_or_missing(inner.nth(2), span)),
            Rule::sleep_stmt => {
                let _kw = inner.next();
                match inner.next() {
                    Some(p) if p.as_rule() == Rule::sleep_until => {
                        let e = p.into_inner().nth(1);
                        StmtKind::SleepUntil(self.expr_or_missing(e, span))
                    }
                    other => StmtKind::Sleep(self.expr_or_missing(other, span)),
                }
            }
            Rule::updates_stmt => {
                StmtKind::Updates(inner.nth(1).map_or_else(|| missing(span), |p| name_of(&p)))
            }
            Rule::expr_stmt => StmtKind::Expr(self.expr_or_missing(inner.next(), span)),
            _ => StmtKind::Error,
        };
        Stmt { kind, span }
    }

    fn var_decl(&mut self, inner: lhw_grammar::pest::iterators::Pairs<'_, Rule>) -> VarDecl {
        let mut decl = VarDecl {
            is_input: false,
            access: None,
            name: missing(Span::default()),
            ty: TypeExpr::Prim(Prim::Str, Span::default()),
            default: None,
            required: None,
            searchable: None,
            masked: None,
            indexes: Vec::new(),
        };
        for p in inner {
            let span = span_of(&p);
            match p.as_rule() {
                Rule::access => {
                    let access = match p.as_str() {
                        "public" => Access::Public,
                        "inherited" => Access::Inherited,
                        _ => Access::Private,
                    };
                    decl.access = Some((access, span));
                }
                Rule::kw_var => decl.is_input = p.as_str() == "input",
                Rule::ident => decl.name = name_of(&p),
                Rule::ty => decl.ty = self.ty(p),
                Rule::expr => decl.default = Some(self.expr(p)),
                Rule::mod_required => decl.required = Some(span),
                Rule::mod_searchable => decl.searchable = Some(span),
                Rule::mod_masked => decl.masked = Some(span),
                Rule::mod_searchable_on => {
                    let mut path = None;
                    let mut ty = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::string => path = Some(self.string(q)),
                            Rule::ty => ty = Some(self.ty(q)),
                            _ => {}
                        }
                    }
                    if let (Some(path), Some(ty)) = (path, ty) {
                        decl.indexes.push(JsonIndexDecl {
                            path: path.as_plain().unwrap_or_default(),
                            path_span: path.span,
                            ty,
                        });
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn if_stmt(&mut self, mut inner: lhw_grammar::pest::iterators::Pairs<'_, Rule>, span: Span) -> IfStmt {
        let cond = self.expr_or_missing(inner.nth(1), span);
        let then = match inner.next() {
            Some(b) => self.block(b),
            None => Block {
                stmts: Vec::new(),
                span,
            },
        };
        let otherwise = match inner.nth(1) {
            Some(p) if p.as_rule() == Rule::if_stmt => {
                let s = span_of(&p);
                Some(Else::If(Box::new(self.if_stmt(p.into_inner(), s)), s))
            }
            Some(p) => Some(Else::Block(self.block(p))),
            None => None,
        };
        IfStmt {
            cond,
            then,
            otherwise,
        }
    }

    fn place(&mut self, pair: Option<Pair<'_, Rule>>, fallback: Span) -> Place {
        let Some(pair) = pair else {
            return Place {
                var: missing(fallback),
                selectors: Vec::new(),
                span: fallback,
            };
        };
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let var = inner.next().map_or_else(|| missing(span), |p| name_of(&p));
        let selectors = inner.filter_map(|s| self.selector(s)).collect();
        Place {
            var,
            selectors,
            span,
        }
    }

    fn selector(&mut self, pair: Pair<'_, Rule>) -> Option<Selector> {
        let inner = pair.into_inner().next()?;
        match inner.as_rule() {
            Rule::field_sel => inner
                .into_inner()
                .next()
                .map(|n| Selector::Field(name_of(&n))),
            Rule::index_sel => inner.into_inner().next().map(|e| Selector::Index(self.expr(e))),
            _ => None,
        }
    }

    fn expr_or_missing(&mut self, pair: Option<Pair<'_, Rule>>, span: Span) -> Expr {
        match pair {
            Some(p) => self.expr(p),
            None => Expr {
                kind: ExprKind::Null,
                span,
            },
        }
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        match rule {
            Rule::expr | Rule::arg | Rule::return_value => match pair.into_inner().next() {
                Some(p) => self.expr(p),
                None => null_at(span),
            },
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                let mut inner = pair.into_inner();
                let mut lhs = match inner.next() {
                    Some(p) => self.expr(p),
                    None => return null_at(span),
                };
                while let (Some(op), Some(rhs)) = (inner.next(), inner.next()) {
                    let op_span = span_of(&op);
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
            Rule::not_expr => {
                let mut nots = Vec::new();
                let mut operand = None;
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::op_not {
                        nots.push(span_of(&p));
                    } else {
                        operand = Some(self.expr(p));
                    }
                }
                let mut e = operand.unwrap_or_else(|| null_at(span));
                for not_span in nots.into_iter().rev() {
                    let s = not_span.to(e.span);
                    e = Expr {
                        kind: ExprKind::Not(Box::new(e)),
                        span: s,
                    };
                }
                e
            }
            Rule::cmp_expr => {
                let mut inner = pair.into_inner();
                let lhs = match inner.next() {
                    Some(p) => self.expr(p),
                    None => return null_at(span),
                };
                match (inner.next(), inner.next()) {
                    (Some(op), Some(rhs)) => {
                        let op_span = span_of(&op);
                        let op = match op.into_inner().next().map(|p| p.as_rule()) {
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
                    _ => lhs,
                }
            }
            Rule::pow_expr => {
                let mut inner = pair.into_inner();
                let lhs = match inner.next() {
                    Some(p) => self.expr(p),
                    None => return null_at(span),
                };
                match (inner.next(), inner.next()) {
                    (Some(op), Some(rhs)) => {
                        let op_span = span_of(&op);
                        let rhs = self.expr(rhs);
                        Expr {
                            kind: ExprKind::Binary {
                                op: BinOp::Pow,
                                op_span,
                                lhs: Box::new(lhs),
                                rhs: Box::new(rhs),
                            },
                            span,
                        }
                    }
                    _ => lhs,
                }
            }
            Rule::cast_expr => {
                let mut inner = pair.into_inner();
                let mut e = match inner.next() {
                    Some(p) => self.expr(p),
                    None => return null_at(span),
                };
                for p in inner {
                    if p.as_rule() == Rule::ty {
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
            Rule::unary_expr => {
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
                // Fold negative number literals; anything else stays a negation.
                let kind = match e.kind {
                    ExprKind::Int(i) => ExprKind::Int(-i),
                    ExprKind::Double(d) => ExprKind::Double(-d),
                    other => ExprKind::Neg(Box::new(Expr {
                        kind: other,
                        span: e.span,
                    })),
                };
                Expr { kind, span }
            }
            Rule::postfix_expr => {
                let mut inner = pair.into_inner();
                let mut e = match inner.next() {
                    Some(p) => self.expr(p),
                    None => return null_at(span),
                };
                for p in inner {
                    let ps = span_of(&p);
                    let s = e.span.to(ps);
                    match p.as_rule() {
                        Rule::method_call => {
                            let mut mi = p.into_inner();
                            let method = mi.next().map_or_else(|| missing(ps), |n| name_of(&n));
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
                let callee = inner.next().map_or_else(|| missing(span), |n| name_of(&n));
                let args = inner.next().map(|a| self.args(a)).unwrap_or_default();
                Expr {
                    kind: ExprKind::Call { callee, args },
                    span,
                }
            }
            Rule::var_ref => {
                let name = pair.into_inner().next().map_or_else(|| missing(span), |n| name_of(&n));
                Expr {
                    kind: ExprKind::Var(name),
                    span,
                }
            }
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
                            .with_label("not a finite double"),
                    );
                    lit(ExprKind::Double(0.0), span)
                }
            },
            Rule::duration => lit(ExprKind::Duration(self.duration(pair.as_str(), span)), span),
            Rule::boolean => lit(ExprKind::Bool(pair.as_str() == "true"), span),
            Rule::null => lit(ExprKind::Null, span),
            Rule::string => {
                let s = self.string(pair);
                Expr {
                    kind: ExprKind::Str(s),
                    span,
                }
            }
            Rule::json_obj => {
                let mut members = Vec::new();
                for m in pair.into_inner() {
                    let mut mi = m.into_inner();
                    if let (Some(k), Some(v)) = (mi.next(), mi.next()) {
                        let key = self.string(k);
                        let key_text = key.as_plain().unwrap_or_default();
                        if key.as_plain().is_none() {
                            self.diags.push(
                                Diagnostic::error(Code::E0214, key.span, "JSON keys must be plain strings")
                                    .with_label("holds a `{...}` placeholder"),
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

    fn args(&mut self, pair: Pair<'_, Rule>) -> Vec<Expr> {
        pair.into_inner().map(|a| self.expr(a)).collect()
    }

    /// Milliseconds in a duration literal such as `30s` or `500ms`.
    fn duration(&mut self, text: &str, span: Span) -> u64 {
        let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, unit) = text.split_at(digits_end);
        let factor: u64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => 86_400_000,
        };
        match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(factor)) {
            Some(ms) if ms <= i64::MAX as u64 => ms,
            _ => {
                self.diags.push(
                    Diagnostic::error(Code::E0002, span, "duration is too long")
                        .with_label("does not fit in a 64-bit count of milliseconds"),
                );
                0
            }
        }
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = span_of(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        let push_text = |parts: &mut Vec<StrPart>, s: &str| match parts.last_mut() {
            Some(StrPart::Text(t)) => t.push_str(s),
            _ => parts.push(StrPart::Text(s.to_string())),
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string_text => push_text(&mut parts, p.as_str()),
                Rule::string_brace => push_text(&mut parts, &p.as_str()[..1]),
                Rule::string_escape => {
                    let esc = p.as_str();
                    let decoded = match esc {
                        "\\n" => Some('\n'),
                        "\\t" => Some('\t'),
                        "\\r" => Some('\r'),
                        "\\\"" => Some('"'),
                        "\\\\" => Some('\\'),
                        "\\{" => Some('{'),
                        "\\}" => Some('}'),
                        _ => esc
                            .strip_prefix("\\u{")
                            .and_then(|h| h.strip_suffix('}'))
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .and_then(char::from_u32),
                    };
                    match decoded {
                        Some(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4])),
                        None => self.diags.push(
                            Diagnostic::error(Code::E0003, span_of(&p), "invalid unicode escape")
                                .with_label("not a unicode scalar value")
                                .with_help("write `\\u{...}` with 1 to 6 hex digits naming a valid character"),
                        ),
                    }
                }
                Rule::string_hole => {
                    if let Some(e) = p.into_inner().next() {
                        parts.push(StrPart::Hole(self.expr(e)));
                    }
                }
                _ => {}
            }
        }
        StrLit { parts, span }
    }
}

fn lit(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn null_at(span: Span) -> Expr {
    lit(ExprKind::Null, span)
}

fn missing(span: Span) -> Name {
    Name {
        text: String::new(),
        span,
    }
}
