//! Moving parsed items: every span of an item shifted by the same number of bytes, for a
//! chunk re-used at another place after an edit. The matches are exhaustive, so a new AST
//! node cannot be forgotten.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::source::Span;

/// Shifts every span in `items` and `diags` by `delta` bytes.
pub(super) fn shift(items: &mut [Item], diags: &mut [Diagnostic], delta: i64) {
    if delta == 0 {
        return;
    }
    map_spans(items, diags, &mut |s: &mut Span| {
        s.start = moved(s.start, delta);
        s.end = moved(s.end, delta);
    });
}

/// Applies `f` to every span in `items` and `diags` (labels and fix edits included).
pub(super) fn map_spans(items: &mut [Item], diags: &mut [Diagnostic], f: F<'_>) {
    for item in items {
        item_spans(item, f);
    }
    for d in diags {
        f(&mut d.primary.span);
        for l in &mut d.secondary {
            f(&mut l.span);
        }
        for fix in &mut d.fixes {
            for e in &mut fix.edits {
                f(&mut e.span);
            }
        }
    }
}

fn moved(offset: u32, delta: i64) -> u32 {
    u32::try_from(i64::from(offset) + delta).unwrap_or(0)
}

type F<'a> = &'a mut dyn FnMut(&mut Span);

fn item_spans(item: &mut Item, f: F<'_>) {
    match item {
        Item::Task(t) => {
            name(&mut t.name, f);
            for p in &mut t.params {
                name(&mut p.name, f);
                ty(&mut p.ty, f);
            }
            if let Some(r) = &mut t.returns {
                ty(r, f);
            }
            opt_str(&mut t.description, f);
            f(&mut t.span);
        }
        Item::Event(e) | Item::WorkflowEvent(e) => {
            name(&mut e.name, f);
            if let Some(p) = &mut e.payload {
                ty(p, f);
            }
            if let Some(c) = &mut e.correlated {
                opt_expr(&mut c.ttl, f);
                f(&mut c.span);
            }
            opt_expr(&mut e.retention, f);
            f(&mut e.span);
        }
        Item::Struct(s) => {
            name(&mut s.name, f);
            opt_str(&mut s.description, f);
            opt_name(&mut s.updates, f);
            for field in &mut s.fields {
                name(&mut field.name, f);
                ty(&mut field.ty, f);
                opt_str(&mut field.description, f);
                opt_expr(&mut field.default, f);
            }
            f(&mut s.span);
        }
        Item::Workflow(w) => {
            name(&mut w.name, f);
            block(&mut w.body, f);
            f(&mut w.span);
        }
        Item::UserTask(u) => {
            name(&mut u.name, f);
            opt_str(&mut u.description, f);
            for field in &mut u.fields {
                name(&mut field.name, f);
                ty(&mut field.ty, f);
                opt_str(&mut field.display_name, f);
                opt_str(&mut field.description, f);
            }
            f(&mut u.span);
        }
        Item::Error(s) => f(s),
    }
}

fn name(n: &mut Name, f: F<'_>) {
    f(&mut n.span);
}

fn opt_name(n: &mut Option<Name>, f: F<'_>) {
    if let Some(n) = n {
        name(n, f);
    }
}

fn ty(t: &mut TypeExpr, f: F<'_>) {
    match t {
        TypeExpr::Prim(_, s) => f(s),
        TypeExpr::Named(n) => name(n, f),
        TypeExpr::Pinned {
            name: n,
            version: (_, vs),
            span,
        } => {
            name(n, f);
            f(vs);
            f(span);
        }
        TypeExpr::Array(inner, s) => {
            ty(inner, f);
            f(s);
        }
        TypeExpr::Map(k, v, s) => {
            ty(k, f);
            ty(v, f);
            f(s);
        }
    }
}

fn opt_ty(t: &mut Option<TypeExpr>, f: F<'_>) {
    if let Some(t) = t {
        ty(t, f);
    }
}

fn str_lit(s: &mut StrLit, f: F<'_>) {
    for part in &mut s.parts {
        match part {
            StrPart::Text(_) => {}
            StrPart::Hole(e) => expr(e, f),
        }
    }
    f(&mut s.span);
}

fn opt_str(s: &mut Option<StrLit>, f: F<'_>) {
    if let Some(s) = s {
        str_lit(s, f);
    }
}

fn block(b: &mut Block, f: F<'_>) {
    for s in &mut b.stmts {
        stmt(s, f);
    }
    f(&mut b.span);
}

fn stmt(s: &mut Stmt, f: F<'_>) {
    match &mut s.kind {
        StmtKind::Var(v) => {
            if let Some((_, span)) = &mut v.access {
                f(span);
            }
            name(&mut v.name, f);
            ty(&mut v.ty, f);
            opt_expr(&mut v.default, f);
            for span in [&mut v.required, &mut v.searchable, &mut v.masked]
                .into_iter()
                .flatten()
            {
                f(span);
            }
            for idx in &mut v.indexes {
                f(&mut idx.path_span);
                ty(&mut idx.ty, f);
            }
        }
        StmtKind::Let { name: n, value } => {
            name(n, f);
            expr(value, f);
        }
        StmtKind::Assign {
            place: p,
            op: _,
            op_span,
            value,
        } => {
            place(p, f);
            f(op_span);
            expr(value, f);
        }
        StmtKind::Extend { place: p, value } => {
            place(p, f);
            expr(value, f);
        }
        StmtKind::Remove {
            place: p,
            what: _,
            value,
        } => {
            place(p, f);
            expr(value, f);
        }
        StmtKind::If(i) => if_stmt(i, f),
        StmtKind::While { cond, body } => {
            expr(cond, f);
            block(body, f);
        }
        StmtKind::Return(value) => opt_expr(value, f),
        StmtKind::Fail {
            name: n,
            message,
            content,
        } => {
            name(n, f);
            opt_str(message, f);
            opt_expr(content, f);
        }
        StmtKind::WaitUntil(e)
        | StmtKind::Sleep(e)
        | StmtKind::SleepUntil(e)
        | StmtKind::ThreadRetention(e)
        | StmtKind::DefaultThreadRetention(e)
        | StmtKind::Expr(e) => expr(e, f),
        StmtKind::Updates(n) => name(n, f),
        StmtKind::Setting { name: n, value } => {
            name(n, f);
            expr(value, f);
        }
        StmtKind::DefaultTask(opts) => task_opts(opts, f),
        StmtKind::On {
            event,
            binding,
            binding_ty,
            body,
        } => {
            name(event, f);
            opt_name(binding, f);
            opt_ty(binding_ty, f);
            block(body, f);
        }
        StmtKind::Emit { event, value } => {
            name(event, f);
            opt_expr(value, f);
        }
        StmtKind::Wait {
            strategy: _,
            targets,
        } => {
            for t in targets {
                expr(t, f);
            }
        }
        StmtKind::Error => {}
    }
    for c in &mut s.catches {
        match &mut c.spec {
            CatchSpec::Named(n) | CatchSpec::Error(n) => name(n, f),
            CatchSpec::AnyException | CatchSpec::AnyError | CatchSpec::Any => {}
        }
        opt_name(&mut c.binding, f);
        opt_ty(&mut c.binding_ty, f);
        block(&mut c.body, f);
        f(&mut c.span);
    }
    f(&mut s.span);
}

fn if_stmt(i: &mut IfStmt, f: F<'_>) {
    expr(&mut i.cond, f);
    block(&mut i.then, f);
    match &mut i.otherwise {
        Some(Else::If(inner, span)) => {
            if_stmt(inner, f);
            f(span);
        }
        Some(Else::Block(b)) => block(b, f),
        None => {}
    }
}

fn place(p: &mut Place, f: F<'_>) {
    name(&mut p.var, f);
    for sel in &mut p.selectors {
        match sel {
            Selector::Field(n) => name(n, f),
            Selector::Index(e) => expr(e, f),
        }
    }
    f(&mut p.span);
}

fn task_opts(opts: &mut TaskOpts, f: F<'_>) {
    opt_expr(&mut opts.retries, f);
    opt_expr(&mut opts.timeout, f);
    if let Some(b) = &mut opts.backoff {
        expr(&mut b.base, f);
        expr(&mut b.max, f);
        f(&mut b.span);
    }
}

fn opt_expr(e: &mut Option<Expr>, f: F<'_>) {
    if let Some(e) = e {
        expr(e, f);
    }
}

fn exprs(es: &mut [Expr], f: F<'_>) {
    for e in es {
        expr(e, f);
    }
}

fn named_values(fields: &mut [(Name, Expr)], f: F<'_>) {
    for (n, e) in fields {
        name(n, f);
        expr(e, f);
    }
}

fn expr(e: &mut Expr, f: F<'_>) {
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Double(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Duration(_) => {}
        ExprKind::Str(s) => str_lit(s, f),
        ExprKind::JsonObj(members) => {
            for (_, v) in members {
                expr(v, f);
            }
        }
        ExprKind::JsonArr(items) => exprs(items, f),
        ExprKind::Var(n) | ExprKind::WaitChild(n) => name(n, f),
        ExprKind::Call { callee, args, opts } => {
            name(callee, f);
            exprs(args, f);
            task_opts(opts, f);
        }
        ExprKind::DynCall { task, args, opts } => {
            expr(task, f);
            exprs(args, f);
            task_opts(opts, f);
        }
        ExprKind::Await {
            event,
            timeout,
            correlation,
            mask: _,
        } => {
            name(event, f);
            for e in [timeout, correlation].into_iter().flatten() {
                expr(e, f);
            }
        }
        ExprKind::Spawn(sp) => {
            name(&mut sp.name, f);
            named_values(&mut sp.inputs, f);
            if let Some((n, list)) = &mut sp.each {
                name(n, f);
                expr(list, f);
            }
            opt_ty(&mut sp.each_ty, f);
            block(&mut sp.body, f);
        }
        ExprKind::Ask(ask) => {
            name(&mut ask.form, f);
            for e in [&mut ask.user, &mut ask.group, &mut ask.notes]
                .into_iter()
                .flatten()
            {
                expr(e, f);
            }
            opt_name(&mut ask.on_cancel, f);
            if let Some((_, s)) = &mut ask.version {
                f(s);
            }
            for a in &mut ask.actions {
                match &mut a.kind {
                    UserTaskActionKind::Reassign { user, group } => {
                        opt_expr(user, f);
                        opt_expr(group, f);
                    }
                    UserTaskActionKind::Remind { task, args } => {
                        name(task, f);
                        exprs(args, f);
                    }
                    UserTaskActionKind::Release | UserTaskActionKind::Cancel => {}
                }
                expr(&mut a.after, f);
                f(&mut a.span);
            }
        }
        ExprKind::RunWf {
            workflow,
            inputs,
            dynamic,
            child_id,
            version,
        } => {
            name(workflow, f);
            named_values(inputs, f);
            for e in [dynamic, child_id].into_iter().flatten() {
                expr(e, f);
            }
            if let Some((_, s)) = version {
                f(s);
            }
        }
        ExprKind::New {
            name: n,
            version,
            fields,
        } => {
            name(n, f);
            if let Some((_, s)) = version {
                f(s);
            }
            named_values(fields, f);
        }
        ExprKind::InlineStruct(fields) => named_values(fields, f),
        ExprKind::MapLit(entries) => {
            for (k, v) in entries {
                expr(k, f);
                expr(v, f);
            }
        }
        ExprKind::Method { recv, method, args } => {
            expr(recv, f);
            name(method, f);
            exprs(args, f);
        }
        ExprKind::Field { base, name: n } => {
            expr(base, f);
            name(n, f);
        }
        ExprKind::Index { base, index } => {
            expr(base, f);
            expr(index, f);
        }
        ExprKind::Binary {
            op: _,
            op_span,
            lhs,
            rhs,
        } => {
            expr(lhs, f);
            f(op_span);
            expr(rhs, f);
        }
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Paren(x) => expr(x, f),
        ExprKind::Cast(x, t) => {
            expr(x, f);
            ty(t, f);
        }
    }
    f(&mut e.span);
}
