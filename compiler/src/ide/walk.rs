//! Walking every expression of a file, for the features that look for one by position.

use crate::ast::*;

/// Calls `f` on every expression of `file` (outer expressions before inner ones).
pub(super) fn exprs(file: &File, f: &mut dyn FnMut(&Expr)) {
    for item in &file.items {
        match item {
            Item::Workflow(w) => block(&w.body, f),
            Item::Event(e) | Item::WorkflowEvent(e) => {
                if let Some(c) = &e.correlated {
                    opt(c.ttl.as_ref(), f);
                }
                opt(e.retention.as_ref(), f);
            }
            Item::Struct(s) => {
                for field in &s.fields {
                    opt(field.default.as_ref(), f);
                }
            }
            Item::Task(_) | Item::UserTask(_) | Item::Error(_) => {}
        }
    }
}

fn opt(e: Option<&Expr>, f: &mut dyn FnMut(&Expr)) {
    if let Some(e) = e {
        expr(e, f);
    }
}

fn block(b: &Block, f: &mut dyn FnMut(&Expr)) {
    for s in &b.stmts {
        stmt(s, f);
    }
}

fn place(p: &Place, f: &mut dyn FnMut(&Expr)) {
    for sel in &p.selectors {
        if let Selector::Index(e) = sel {
            expr(e, f);
        }
    }
}

fn task_opts(o: &TaskOpts, f: &mut dyn FnMut(&Expr)) {
    opt(o.retries.as_ref(), f);
    opt(o.timeout.as_ref(), f);
    if let Some(b) = &o.backoff {
        expr(&b.base, f);
        expr(&b.max, f);
    }
}

fn stmt(s: &Stmt, f: &mut dyn FnMut(&Expr)) {
    match &s.kind {
        StmtKind::Var(v) => opt(v.default.as_ref(), f),
        StmtKind::Let { value, .. } => expr(value, f),
        StmtKind::Assign {
            place: p, value, ..
        }
        | StmtKind::Extend { place: p, value }
        | StmtKind::Remove {
            place: p, value, ..
        } => {
            place(p, f);
            expr(value, f);
        }
        StmtKind::If(i) => if_stmt(i, f),
        StmtKind::While { cond, body } => {
            expr(cond, f);
            block(body, f);
        }
        StmtKind::Return(v) => opt(v.as_ref(), f),
        StmtKind::Fail {
            message, content, ..
        } => {
            if let Some(m) = message {
                str_lit(m, f);
            }
            opt(content.as_ref(), f);
        }
        StmtKind::WaitUntil(e)
        | StmtKind::Sleep(e)
        | StmtKind::SleepUntil(e)
        | StmtKind::ThreadRetention(e)
        | StmtKind::DefaultThreadRetention(e)
        | StmtKind::Expr(e)
        | StmtKind::Setting { value: e, .. } => expr(e, f),
        StmtKind::DefaultTask(o) => task_opts(o, f),
        StmtKind::On { body, .. } => block(body, f),
        StmtKind::Emit { value, .. } => opt(value.as_ref(), f),
        StmtKind::Wait { targets, .. } => {
            for t in targets {
                expr(t, f);
            }
        }
        StmtKind::Updates(_) | StmtKind::Error => {}
    }
    for c in &s.catches {
        block(&c.body, f);
    }
}

fn if_stmt(i: &IfStmt, f: &mut dyn FnMut(&Expr)) {
    expr(&i.cond, f);
    block(&i.then, f);
    match &i.otherwise {
        Some(Else::If(inner, _)) => if_stmt(inner, f),
        Some(Else::Block(b)) => block(b, f),
        None => {}
    }
}

fn str_lit(s: &StrLit, f: &mut dyn FnMut(&Expr)) {
    for part in &s.parts {
        if let StrPart::Hole(h) = part {
            expr(h, f);
        }
    }
}

/// Calls `f` on `e` and every expression inside it (outer before inner).
pub(crate) fn expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Double(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Duration(_)
        | ExprKind::Var(_)
        | ExprKind::WaitChild(_) => {}
        ExprKind::Str(s) => str_lit(s, f),
        ExprKind::JsonObj(members) => {
            for (_, v) in members {
                expr(v, f);
            }
        }
        ExprKind::JsonArr(items) => {
            for v in items {
                expr(v, f);
            }
        }
        ExprKind::Call { args, opts, .. } => {
            for a in args {
                expr(a, f);
            }
            task_opts(opts, f);
        }
        ExprKind::DynCall { task, args, opts } => {
            expr(task, f);
            for a in args {
                expr(a, f);
            }
            task_opts(opts, f);
        }
        ExprKind::Await {
            timeout,
            correlation,
            ..
        } => {
            opt(timeout.as_deref(), f);
            opt(correlation.as_deref(), f);
        }
        ExprKind::Spawn(sp) => {
            for (_, v) in &sp.inputs {
                expr(v, f);
            }
            if let Some((_, list)) = &sp.each {
                expr(list, f);
            }
            block(&sp.body, f);
        }
        ExprKind::Ask(ask) => {
            for e in [&ask.user, &ask.group, &ask.notes].into_iter().flatten() {
                expr(e, f);
            }
            for a in &ask.actions {
                match &a.kind {
                    UserTaskActionKind::Reassign { user, group } => {
                        opt(user.as_ref(), f);
                        opt(group.as_ref(), f);
                    }
                    UserTaskActionKind::Remind { args, .. } => {
                        for a in args {
                            expr(a, f);
                        }
                    }
                    UserTaskActionKind::Release | UserTaskActionKind::Cancel => {}
                }
                expr(&a.after, f);
            }
        }
        ExprKind::RunWf {
            inputs,
            dynamic,
            child_id,
            ..
        } => {
            opt(dynamic.as_deref(), f);
            for (_, v) in inputs {
                expr(v, f);
            }
            opt(child_id.as_deref(), f);
        }
        ExprKind::New { fields, .. } | ExprKind::InlineStruct(fields) => {
            for (_, v) in fields {
                expr(v, f);
            }
        }
        ExprKind::MapLit(entries) => {
            for (k, v) in entries {
                expr(k, f);
                expr(v, f);
            }
        }
        ExprKind::Method { recv, args, .. } => {
            expr(recv, f);
            for a in args {
                expr(a, f);
            }
        }
        ExprKind::Field { base, .. } => expr(base, f),
        ExprKind::Index { base, index } => {
            expr(base, f);
            expr(index, f);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, f);
            expr(rhs, f);
        }
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Paren(x) | ExprKind::Cast(x, _) => {
            expr(x, f);
        }
    }
}
