//! The fast parser's statements and blocks (`stmt_strict`, `block`, `catch_clause`).

use super::cursor::{P, is_ident_start, is_keyword};
use crate::ast::*;

/// `setting_stmt_word`: the words that never start a `name value` setting line.
const NOT_SETTINGS: &[&str] = &[
    "sleep", "wait", "extend", "remove", "updates", "spawn", "await", "ask", "run", "new", "map",
    "emit", "on", "default", "thread",
];

/// `item_kw`: the words that start a top-level declaration.
const ITEM_WORDS: &[&str] = &[
    "workflow-event",
    "workflow",
    "user-task",
    "task",
    "event",
    "struct",
    "extern",
];

impl P<'_> {
    /// Whether a top-level declaration keyword is at the position (a block ends there).
    pub(super) fn at_item_kw(&self) -> bool {
        ITEM_WORDS.contains(&self.word())
    }

    /// `block`, at its `{`: only a closed one.
    pub(super) fn block(&mut self) -> Option<Block> {
        self.enter()?;
        let b = self.block_inner();
        self.leave();
        b
    }

    fn block_inner(&mut self) -> Option<Block> {
        let start = self.pos;
        if !self.eat("{") {
            return None;
        }
        let mut stmts = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                None => return None,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            if self.at_item_kw() {
                return None;
            }
            stmts.push(self.stmt()?);
        }
        Some(Block {
            stmts: super::fit(stmts),
            span: self.span(start, self.pos),
        })
    }

    /// `stmt_strict ~ ";"?` at the statement's first character. Only a statement that ends
    /// its line (or is followed by `;` or `}`) is taken: anything else on its line is pest's
    /// to read and report. Trivia between statements is skipped as pest skips it.
    pub(super) fn stmt(&mut self) -> Option<Stmt> {
        let stmt = self.stmt_strict()?;
        let end = self.pos;
        self.skip();
        // What follows must be on another line (a `\n` in the trivia between, as the check
        // for two statements on one line, `Cx::push_parsed`, reads it), after a `;`, or the
        // block's end.
        let apart = self.s[end..self.pos].contains('\n');
        if !apart && !matches!(self.peek(), None | Some(b';' | b'}')) {
            return None;
        }
        if !self.eat(";") {
            self.pos = end;
        }
        Some(stmt)
    }

    fn stmt_strict(&mut self) -> Option<Stmt> {
        let start = self.pos;
        let word = self.word();
        let kind = match word {
            "public" | "private" | "inherited" | "var" | "input" => StmtKind::Var(self.var_decl()?),
            "let" => {
                self.pos += 3;
                self.skip();
                let name = self.ident()?;
                self.expect("=")?;
                let value = self.expr()?;
                StmtKind::Let { name, value }
            }
            "if" => StmtKind::If(self.if_stmt()?),
            "while" => {
                self.pos += 5;
                let cond = self.expr()?;
                self.skip();
                let body = self.block()?;
                StmtKind::While { cond, body }
            }
            "return" => {
                self.pos += 6;
                let save = self.pos;
                let value = if self.same_line_ws()
                    && !matches!(self.peek(), None | Some(b'}' | b';' | b'\n' | b'\r'))
                    && !self.at("//")
                {
                    Some(self.expr()?)
                } else {
                    self.pos = save;
                    None
                };
                StmtKind::Return(value)
            }
            "fail" => self.fail_stmt()?,
            "wait" | "sleep" => {
                self.pos += word.len();
                if self.peek() == Some(b'(') {
                    return None;
                }
                self.skip();
                let until = self.kw("until");
                match (word, until) {
                    ("wait", true) => StmtKind::WaitUntil(self.expr()?),
                    ("wait", false) => self.wait_stmt()?,
                    (_, true) => StmtKind::SleepUntil(self.expr()?),
                    (_, false) => StmtKind::Sleep(self.expr()?),
                }
            }
            "extend" => {
                self.pos += 6;
                self.skip();
                let place = self.place()?;
                self.expect_kw("with")?;
                let value = self.expr()?;
                StmtKind::Extend { place, value }
            }
            "remove" => {
                self.pos += 6;
                self.skip();
                let what = if self.kw("index") {
                    RemoveWhat::Index
                } else if self.kw("key") {
                    RemoveWhat::Key
                } else {
                    RemoveWhat::Value
                };
                let value = self.expr()?;
                self.expect_kw("from")?;
                self.skip();
                let place = self.place()?;
                StmtKind::Remove { place, what, value }
            }
            "updates" => {
                self.pos += 7;
                if !self.same_line_ws() {
                    return None;
                }
                StmtKind::Updates(self.any_word()?)
            }
            "default" => {
                self.pos += 7;
                self.skip();
                if self.kw("thread") {
                    self.expect_kw("retention")?;
                    StmtKind::DefaultThreadRetention(self.expr()?)
                } else if self.kw("task") {
                    let mut opts = TaskOpts::default();
                    if self.task_opts(&mut opts)? == 0 {
                        return None;
                    }
                    StmtKind::DefaultTask(opts)
                } else {
                    return None;
                }
            }
            "thread" => {
                self.pos += 6;
                self.expect_kw("retention")?;
                StmtKind::ThreadRetention(self.expr()?)
            }
            "on" => self.on_stmt()?,
            "emit" => {
                self.pos += 4;
                if !self.same_line_ws() {
                    return None;
                }
                let event = self.ident()?;
                let save = self.pos;
                let value = if self.same_line_ws()
                    && !matches!(self.peek(), None | Some(b'}' | b';' | b'\n' | b'\r'))
                    && !self.at("//")
                {
                    Some(self.expr()?)
                } else {
                    self.pos = save;
                    None
                };
                StmtKind::Emit { event, value }
            }
            _ => {
                if self.at_ident() && !NOT_SETTINGS.contains(&word) && self.at_setting() {
                    return self.setting(start);
                }
                if self.at_ident() && self.assign_head() {
                    let place = self.place()?;
                    self.skip();
                    let (op, len) = assign_op(&self.b[self.pos..])?;
                    let op_span = self.span(self.pos, self.pos + len);
                    self.pos += len;
                    let value = self.expr()?;
                    StmtKind::Assign {
                        place,
                        op,
                        op_span,
                        value,
                    }
                } else {
                    StmtKind::Expr(self.expr()?)
                }
            }
        };
        let catches = if matches!(
            kind,
            StmtKind::Let { .. }
                | StmtKind::Assign { .. }
                | StmtKind::Expr(_)
                | StmtKind::Wait { .. }
        ) {
            self.catches()?
        } else {
            Vec::new()
        };
        Some(Stmt {
            kind,
            catches,
            span: self.span(start, self.pos),
        })
    }

    /// Whether the statement at the position is a `name value` setting line (for pest to
    /// read: it is reported, or it is a setting).
    fn at_setting(&self) -> bool {
        let mut q = self.fork();
        if q.ident().is_none() || !q.same_line_ws() {
            return false;
        }
        match q.peek() {
            Some(c) if c.is_ascii_digit() || c == b'"' || c == b'`' => true,
            Some(c) if is_ident_start(c) => !is_keyword(q.word()),
            _ => false,
        }
    }

    /// A `name value` setting line: `retention D` and `parent W` (any other name is
    /// reported, by pest's path).
    fn setting(&mut self, start: usize) -> Option<Stmt> {
        let name = self.ident()?;
        if !matches!(name.text.as_str(), "retention" | "parent") || !self.same_line_ws() {
            return None;
        }
        let value = match self.peek()? {
            c if c.is_ascii_digit() => self.number()?,
            b'"' => {
                let s = self.string()?;
                let span = s.span;
                Expr {
                    kind: ExprKind::Str(s),
                    span,
                }
            }
            _ => {
                let n = self.ident()?;
                let span = n.span;
                Expr {
                    kind: ExprKind::Var(n),
                    span,
                }
            }
        };
        Some(Stmt {
            kind: StmtKind::Setting { name, value },
            catches: Vec::new(),
            span: self.span(start, self.pos),
        })
    }

    /// `assign_head`: `name ("." word | [skipped index])* assign_op`, scanned.
    fn assign_head(&self) -> bool {
        let mut q = self.fork();
        if q.ident().is_none() {
            return false;
        }
        loop {
            let save = q.pos;
            q.skip();
            if q.eat(".") {
                q.skip();
                if q.any_word().is_none() {
                    return false;
                }
            } else if q.peek() == Some(b'[') {
                if !q.index_skip() {
                    return false;
                }
            } else {
                q.pos = save;
                break;
            }
        }
        q.skip();
        assign_op(&q.b[q.pos..]).is_some()
    }

    /// `index_skip`: a bracketed index skipped as balanced text (strings and comments whole).
    fn index_skip(&mut self) -> bool {
        let b = self.b;
        let mut closers: Vec<u8> = Vec::new();
        let mut i = self.pos;
        loop {
            let Some(&c) = b.get(i) else {
                return false;
            };
            match c {
                b'[' => closers.push(b']'),
                b'(' => closers.push(b')'),
                b'{' => closers.push(b'}'),
                b']' | b')' | b'}' => {
                    if closers.pop() != Some(c) {
                        return false;
                    }
                    if closers.is_empty() {
                        self.pos = i + 1;
                        return true;
                    }
                }
                b'"' => {
                    i += 1;
                    loop {
                        match b.get(i) {
                            Some(b'"') => break,
                            None | Some(b'\n' | b'\r') => return false,
                            Some(b'\\') if !matches!(b.get(i + 1), None | Some(b'\n' | b'\r')) => {
                                i += 2;
                            }
                            Some(_) => i += 1,
                        }
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    while !matches!(b.get(i + 1), None | Some(b'\n' | b'\r')) {
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    let mut q = self.fork();
                    q.pos = i;
                    q.skip_block_comment();
                    i = q.pos - 1;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// `place`: a name and its selectors.
    fn place(&mut self) -> Option<Place> {
        let start = self.pos;
        let var = self.ident()?;
        let mut selectors = Vec::new();
        loop {
            let save = self.pos;
            self.skip();
            if self.eat(".") {
                self.skip();
                selectors.push(Selector::Field(self.any_word()?));
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                selectors.push(Selector::Index(index));
            } else {
                self.pos = save;
                break;
            }
        }
        Some(Place {
            var,
            selectors: super::fit(selectors),
            span: self.span(start, self.pos),
        })
    }

    fn var_decl(&mut self) -> Option<VarDecl> {
        let start = self.pos;
        let access = match self.word() {
            "public" => Some(Access::Public),
            "private" => Some(Access::Private),
            "inherited" => Some(Access::Inherited),
            _ => None,
        };
        let access = match access {
            Some(a) => {
                self.pos += self.word().len();
                let span = self.span(start, self.pos);
                self.skip();
                Some((a, span))
            }
            None => None,
        };
        let is_input = match self.word() {
            "var" => false,
            "input" => true,
            _ => return None,
        };
        self.pos += self.word().len();
        self.skip();
        let name = self.ident()?;
        self.expect(":")?;
        self.skip();
        let ty = self.ty()?;
        let mut decl = VarDecl {
            is_input,
            access,
            name,
            ty,
            default: None,
            required: None,
            searchable: None,
            masked: None,
            indexes: Vec::new(),
        };
        let save = self.pos;
        self.skip();
        if self.eat("=") {
            decl.default = Some(self.expr()?);
        } else {
            self.pos = save;
        }
        loop {
            let save = self.pos;
            self.skip();
            let at = self.pos;
            match self.word() {
                "required" => {
                    self.pos += 8;
                    decl.required = Some(self.span(at, self.pos));
                }
                "masked" => {
                    self.pos += 6;
                    decl.masked = Some(self.span(at, self.pos));
                }
                "searchable" => {
                    self.pos += 10;
                    let after = self.pos;
                    self.skip();
                    if self.kw("on") {
                        self.skip();
                        let path = self.string()?;
                        self.expect_kw("as")?;
                        self.skip();
                        let ty = self.ty()?;
                        decl.indexes.push(JsonIndexDecl {
                            path: path.as_plain().unwrap_or_default(),
                            path_span: path.span,
                            ty,
                        });
                    } else {
                        self.pos = after;
                        decl.searchable = Some(self.span(at, after));
                    }
                }
                _ => {
                    self.pos = save;
                    break;
                }
            }
        }
        Some(decl)
    }

    fn if_stmt(&mut self) -> Option<IfStmt> {
        self.enter()?;
        let s = self.if_inner();
        self.leave();
        s
    }

    fn if_inner(&mut self) -> Option<IfStmt> {
        self.pos += 2;
        let cond = self.expr()?;
        self.skip();
        let then = self.block()?;
        let save = self.pos;
        self.skip();
        let otherwise = if self.kw("else") {
            self.skip();
            if self.word() == "if" {
                let start = self.pos;
                let inner = self.if_stmt()?;
                Some(Else::If(Box::new(inner), self.span(start, self.pos)))
            } else {
                Some(Else::Block(self.block()?))
            }
        } else {
            self.pos = save;
            None
        };
        Some(IfStmt {
            cond,
            then,
            otherwise,
        })
    }

    fn fail_stmt(&mut self) -> Option<StmtKind> {
        self.pos += 4;
        if !self.same_line_ws() {
            return None;
        }
        let name = self.ident()?;
        let save = self.pos;
        let message = if self.same_line_ws() && self.peek() == Some(b'"') {
            Some(self.string()?)
        } else {
            self.pos = save;
            None
        };
        let save = self.pos;
        let content = if self.same_line_ws() && self.kw("with") {
            Some(self.expr()?)
        } else {
            self.pos = save;
            None
        };
        Some(StmtKind::Fail {
            name,
            message,
            content,
        })
    }

    fn wait_stmt(&mut self) -> Option<StmtKind> {
        let mut strategy = WaitStrategy::All;
        let first = match self.word() {
            "first" => Some(WaitStrategy::First),
            "any" => Some(WaitStrategy::Any),
            _ => None,
        };
        if let Some(s) = first {
            let mut q = self.fork();
            q.pos += q.word().len();
            q.skip();
            if q.kw("of") {
                strategy = s;
                self.pos = q.pos;
            }
        }
        let mut targets = vec![self.expr()?];
        loop {
            let save = self.pos;
            if self.punct(",") {
                targets.push(self.expr()?);
            } else {
                self.pos = save;
                break;
            }
        }
        Some(StmtKind::Wait { strategy, targets })
    }

    /// The optional `(name)` or `(name: type)` before an interrupt handler's or a catch's
    /// block, and the trivia after it; `None` when it is malformed.
    fn binding(&mut self) -> Option<Binding> {
        if !self.eat("(") {
            return Some(Binding {
                name: None,
                ty: None,
            });
        }
        self.skip();
        let name = self.ident()?;
        let mut ty = None;
        if self.punct(":") {
            self.skip();
            ty = Some(self.ty()?);
        }
        self.expect(")")?;
        self.skip();
        Some(Binding {
            name: Some(name),
            ty,
        })
    }

    fn on_stmt(&mut self) -> Option<StmtKind> {
        self.pos += 2;
        self.skip();
        let event = self.ident()?;
        self.skip();
        let Binding {
            name: binding,
            ty: binding_ty,
        } = self.binding()?;
        let body = self.block()?;
        Some(StmtKind::On {
            event,
            binding,
            binding_ty,
            body,
        })
    }

    /// `catch_clause*`.
    fn catches(&mut self) -> Option<Vec<Catch>> {
        let mut out = Vec::new();
        loop {
            let save = self.pos;
            self.skip();
            if self.word() != "catch" {
                self.pos = save;
                return Some(super::fit(out));
            }
            out.push(self.catch()?);
        }
    }

    fn catch(&mut self) -> Option<Catch> {
        let start = self.pos;
        self.pos += 5;
        self.skip();
        let mut site = CatchSite::Step;
        let site_word = match self.word() {
            "thread" => Some(CatchSite::EachThread),
            "wait" => Some(CatchSite::Wait),
            _ => None,
        };
        if let Some(s) = site_word {
            let mut q = self.fork();
            q.pos += q.word().len();
            q.skip();
            if q.at_ident() {
                site = s;
                self.pos = q.pos;
            }
        }
        let spec = match self.word() {
            "error" => {
                self.pos += 5;
                let save = self.pos;
                self.skip();
                match self.any_word() {
                    Some(w) => CatchSpec::Error(w),
                    None => {
                        self.pos = save;
                        CatchSpec::AnyError
                    }
                }
            }
            "exception" => {
                self.pos += 9;
                CatchSpec::AnyException
            }
            "any" => {
                self.pos += 3;
                CatchSpec::Any
            }
            _ => CatchSpec::Named(self.ident()?),
        };
        let head_end = self.pos;
        self.skip();
        let Binding {
            name: binding,
            ty: binding_ty,
        } = self.binding()?;
        let body = self.block()?;
        Some(Catch {
            spec,
            site,
            binding,
            binding_ty,
            body,
            span: self.span(start, head_end),
        })
    }
}

/// A handler's binding: the name, and its written type.
struct Binding {
    name: Option<Name>,
    ty: Option<TypeExpr>,
}

/// `assign_op` at the start of `b`, and its length.
fn assign_op(b: &[u8]) -> Option<(AssignOp, usize)> {
    Some(match b {
        [b'*', b'*', b'=', ..] => (AssignOp::Pow, 3),
        [b'+', b'=', ..] => (AssignOp::Add, 2),
        [b'-', b'=', ..] => (AssignOp::Sub, 2),
        [b'*', b'=', ..] => (AssignOp::Mul, 2),
        [b'/', b'=', ..] => (AssignOp::Div, 2),
        [b'&', b'&', b'=', ..] => (AssignOp::And, 3),
        [b'|', b'|', b'=', ..] => (AssignOp::Or, 3),
        [b'=', b'=', ..] => return None,
        [b'=', ..] => (AssignOp::Assign, 1),
        _ => return None,
    })
}
