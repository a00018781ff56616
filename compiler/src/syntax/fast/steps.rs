//! The fast parser's step expressions (`kw_primary` in the grammar): `wait child`,
//! `await`, `spawn`, `ask`, `run`, `new`, `map { }` and `task(name)(args)`.

use super::cursor::P;
use crate::ast::*;

impl P<'_> {
    /// The step expression starting with `word` at the position; `None` when it does not
    /// parse (pest then reads the word as it reads it: a call or a variable, or an error).
    pub(super) fn step_expr(&mut self, word: &str) -> Option<Expr> {
        let start = self.pos;
        self.pos += word.len();
        let kind = match word {
            "wait" => {
                self.skip();
                ExprKind::WaitChild(self.ident()?)
            }
            "await" => self.await_expr()?,
            "spawn" => self.spawn_expr()?,
            "run" => self.run_expr()?,
            "ask" => self.ask_expr()?,
            "new" => {
                self.skip();
                let name = self.ident()?;
                let version = self.version()?;
                self.skip();
                let fields = self.struct_lit()?;
                ExprKind::New {
                    name,
                    version,
                    fields,
                }
            }
            "map" => {
                self.expect("{")?;
                let entries = self.list_until("}", |p| {
                    let k = p.expr()?;
                    p.expect(":")?;
                    let v = p.expr()?;
                    Some((k, v))
                })?;
                ExprKind::MapLit(entries)
            }
            "task" => {
                self.expect("(")?;
                let task = self.expr()?;
                self.expect(")")?;
                self.skip();
                let args = self.args()?;
                let mut opts = TaskOpts::default();
                self.task_opts(&mut opts)?;
                ExprKind::DynCall {
                    task: Box::new(task),
                    args,
                    opts: Box::new(opts),
                }
            }
            _ => return None,
        };
        Some(Expr {
            kind,
            span: self.span(start, self.pos),
        })
    }

    /// `(kw_version ~ int)?` after a name: the version and its span.
    fn version(&mut self) -> Option<Option<(i64, crate::source::Span)>> {
        let save = self.pos;
        self.skip();
        if !self.kw("version") {
            self.pos = save;
            return Some(None);
        }
        self.skip();
        let start = self.pos;
        let Some(Expr {
            kind: ExprKind::Int(_),
            ..
        }) = self.number()
        else {
            return None;
        };
        let digits = &self.s[start..self.pos];
        Some(Some((
            digits.parse().unwrap_or(i64::MAX),
            self.span(start, self.pos),
        )))
    }

    /// `struct_lit`, at its `{`.
    fn struct_lit(&mut self) -> Option<Vec<(Name, Expr)>> {
        if !self.eat("{") {
            return None;
        }
        self.list_until("}", |p| {
            let name = p.any_word()?;
            p.expect(":")?;
            p.skip();
            let value = if p.peek() == Some(b'{') {
                let mut q = p.fork();
                q.pos += 1;
                q.skip();
                if q.peek() == Some(b'"') {
                    p.expr()?
                } else {
                    let start = p.pos;
                    p.enter()?;
                    let fields = p.struct_lit();
                    p.leave();
                    Expr {
                        kind: ExprKind::InlineStruct(fields?),
                        span: p.span(start, p.pos),
                    }
                }
            } else {
                p.expr()?
            };
            Some((name, value))
        })
    }

    /// `named_args`, at its `(`.
    fn named_args(&mut self) -> Option<Vec<(Name, Expr)>> {
        if !self.eat("(") {
            return None;
        }
        self.list_until(")", |p| {
            let name = p.ident()?;
            p.expect(":")?;
            let value = p.expr()?;
            Some((name, value))
        })
    }

    fn await_expr(&mut self) -> Option<ExprKind> {
        self.skip();
        let event = self.ident()?;
        let mut timeout = None;
        let mut correlation = None;
        let mut mask = KeyMask::Inferred;
        loop {
            let save = self.pos;
            self.skip();
            if self.kw("timeout") {
                self.skip();
                timeout = Some(Box::new(self.postfix()?));
            } else if self.kw("correlated") {
                self.expect_kw("by")?;
                self.skip();
                correlation = Some(Box::new(self.postfix()?));
                let after = self.pos;
                self.skip();
                if self.kw("masked") {
                    mask = KeyMask::Masked;
                } else if self.kw("unmasked") {
                    mask = KeyMask::Unmasked;
                } else {
                    self.pos = after;
                }
            } else {
                self.pos = save;
                break;
            }
        }
        Some(ExprKind::Await {
            event,
            timeout,
            correlation,
            mask,
        })
    }

    fn spawn_expr(&mut self) -> Option<ExprKind> {
        self.skip();
        let name = self.ident()?;
        self.skip();
        let inputs = if self.peek() == Some(b'(') {
            let inputs = self.named_args()?;
            self.skip();
            inputs
        } else {
            Vec::new()
        };
        let mut each = None;
        let mut each_ty = None;
        if self.kw("for") {
            self.skip();
            // `(ident ~ (":" ~ ty)? ~ kw_in)?` before the list.
            let mut q = self.fork();
            let bound = q.ident().is_some() && {
                q.skip();
                q.peek() == Some(b':') || q.word() == "in"
            };
            let mut item = None;
            if bound {
                item = Some(self.ident()?);
                self.skip();
                if self.eat(":") {
                    self.skip();
                    each_ty = Some(self.ty()?);
                    self.skip();
                }
                if !self.kw("in") {
                    return None;
                }
                self.skip();
            }
            let list = self.postfix()?;
            let item = item.unwrap_or_else(|| Name {
                text: String::new(),
                span: list.span,
            });
            each = Some((item, list));
            self.skip();
        }
        let body = self.block()?;
        Some(ExprKind::Spawn(Box::new(Spawn {
            name,
            inputs,
            each,
            each_ty,
            body,
        })))
    }

    fn run_expr(&mut self) -> Option<ExprKind> {
        self.skip();
        let (workflow, dynamic) = if self.kw("workflow") {
            self.expect("(")?;
            let d = self.expr()?;
            self.expect(")")?;
            let at = d.span.start as usize;
            let name = Name {
                text: String::new(),
                span: crate::source::Span::new(at, at),
            };
            (name, Some(Box::new(d)))
        } else {
            (self.ident()?, None)
        };
        self.skip();
        let inputs = self.named_args()?;
        let mut child_id = None;
        let mut version = None;
        loop {
            let save = self.pos;
            self.skip();
            if self.kw("with") {
                self.expect_kw("id")?;
                self.skip();
                child_id = Some(Box::new(self.postfix()?));
            } else if self.word() == "version" {
                self.pos = save;
                version = self.version()?;
            } else {
                self.pos = save;
                break;
            }
        }
        Some(ExprKind::RunWf {
            workflow,
            inputs,
            dynamic,
            child_id,
            version,
        })
    }

    /// `ask form ut_opt*`.
    fn ask_expr(&mut self) -> Option<ExprKind> {
        self.skip();
        let form = self.ident()?;
        let mut ask = Ask {
            form,
            user: None,
            group: None,
            notes: None,
            on_cancel: None,
            actions: Vec::new(),
            version: None,
        };
        loop {
            let save = self.pos;
            self.skip();
            let start = self.pos;
            match self.word() {
                "to" => {
                    self.pos += 2;
                    (ask.user, ask.group) = self.owner()?;
                }
                "notes" => {
                    self.pos += 5;
                    self.skip();
                    ask.notes = Some(self.postfix()?);
                }
                "version" => {
                    self.pos = save;
                    ask.version = self.version()?;
                }
                "on" => {
                    self.pos += 2;
                    self.expect_kw("cancel")?;
                    self.expect_kw("fail")?;
                    self.skip();
                    ask.on_cancel = Some(self.ident()?);
                }
                "reassign" => {
                    self.pos += 8;
                    self.expect_kw("to")?;
                    let (user, group) = self.owner()?;
                    let kind = UserTaskActionKind::Reassign { user, group };
                    ask.actions.push(self.ut_action(kind, start)?);
                }
                "release" => {
                    self.pos += 7;
                    self.expect_kw("to")?;
                    self.expect_kw("group")?;
                    ask.actions
                        .push(self.ut_action(UserTaskActionKind::Release, start)?);
                }
                "remind" => {
                    self.pos += 6;
                    self.skip();
                    let task = self.ident()?;
                    self.skip();
                    let args = self.args()?;
                    let kind = UserTaskActionKind::Remind { task, args };
                    ask.actions.push(self.ut_action(kind, start)?);
                }
                "cancel" => {
                    self.pos += 6;
                    ask.actions
                        .push(self.ut_action(UserTaskActionKind::Cancel, start)?);
                }
                _ => {
                    self.pos = save;
                    break;
                }
            }
        }
        Some(ExprKind::Ask(Box::new(ask)))
    }

    /// `ut_owner`: `user X [group Y]` or `group Y`.
    fn owner(&mut self) -> Option<(Option<Expr>, Option<Expr>)> {
        self.skip();
        let mut user = None;
        if self.kw("user") {
            self.skip();
            user = Some(self.postfix()?);
            let save = self.pos;
            self.skip();
            if self.word() != "group" {
                self.pos = save;
                return Some((user, None));
            }
        }
        self.expect_kw("group")?;
        self.skip();
        let group = Some(self.postfix()?);
        Some((user, group))
    }

    /// The rest of a user task action after its words: `after D [on assignment|arrival]`.
    fn ut_action(&mut self, kind: UserTaskActionKind, start: usize) -> Option<UserTaskAction> {
        self.expect_kw("after")?;
        self.skip();
        let after = self.postfix()?;
        let save = self.pos;
        self.skip();
        let mut on_assignment = None;
        if self.word() == "on" {
            let mut q = self.fork();
            q.pos += 2;
            q.skip();
            match q.word() {
                "assignment" | "arrival" => {
                    on_assignment = Some(q.word() == "assignment");
                    q.pos += q.word().len();
                    self.pos = q.pos;
                }
                _ => self.pos = save,
            }
        } else {
            self.pos = save;
        }
        Some(UserTaskAction {
            kind,
            after,
            on_assignment,
            span: self.span(start, self.pos),
        })
    }
}
