//! Completion: what may be written at the cursor, from the tokens before it (which need
//! not parse) and the checker's knowledge of the file: keywords where they fit, tasks with
//! their parameters as a snippet, the variables in scope, fields and methods after `.`,
//! events, forms, workflows and structs after the words that take them, types, durations.

use super::lexer::{Token, TokenKind, lex};
use super::tokens::PRIMITIVE_TYPES;
use super::{Analysis, walk_stmts};
use crate::ast::{ExprKind, Item, StmtKind};
use crate::check::{ERROR_TYPES, Symbol, SymbolKind, Ty};
use crate::source::Span;

/// What a completion inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A statement or declaration template.
    Snippet,
    /// A task call.
    Task,
    /// A variable, step output or thread input.
    Variable,
    /// A struct or form field.
    Field,
    /// A method (`size`, `extend`, ...).
    Method,
    /// An event or workflow event.
    Event,
    /// A struct.
    Struct,
    /// A type.
    Type,
    /// A workflow.
    Workflow,
    /// A user task form.
    UserTask,
    /// A value: a duration, an update policy, an error type.
    Value,
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A short detail: a signature or a type.
    pub detail: Option<String>,
    /// The text inserted in place of [`Completions::replace`].
    pub insert_text: String,
    /// Whether `insert_text` is a snippet (`${1:name}` placeholders, `$0` the final cursor).
    pub snippet: bool,
}

/// The completions at a position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    /// The text the chosen completion replaces: the word being typed (empty when none).
    pub replace: Span,
    /// The candidates, best first.
    pub items: Vec<CompletionItem>,
}

/// Statement templates: label, snippet.
const STATEMENTS: &[(&str, &str)] = &[
    ("var", "var ${1:name}: ${2:str}"),
    ("input", "input ${1:name}: ${2:str}"),
    ("let", "let ${1:name} = ${0}"),
    ("if", "if ${1:condition} {\n\t$0\n}"),
    ("else", "else {\n\t$0\n}"),
    ("while", "while ${1:condition} {\n\t$0\n}"),
    ("return", "return"),
    ("fail", "fail ${1:failure-name} \"${2:message}\""),
    ("sleep", "sleep ${1:30s}"),
    ("wait until", "wait until ${1:condition}"),
    ("wait", "wait ${1:handle}"),
    ("spawn", "spawn ${1:thread-name} {\n\t$0\n}"),
    ("on", "on ${1:event} {\n\t$0\n}"),
    ("emit", "emit ${1:workflow-event}"),
    ("extend", "extend ${1:list} with ${2:value}"),
    ("remove", "remove ${1:value} from ${2:list}"),
    ("await", "await ${1:event}"),
    ("ask", "ask ${1:form} to group \"${2:group}\""),
    ("run", "run ${1:workflow}()"),
    ("public var", "public var ${1:name}: ${2:str}"),
    ("updates", "updates ${1|minor,all,none|}"),
    ("retention", "retention ${1:30d}"),
    ("parent", "parent ${1:workflow}"),
    ("default task", "default task retries ${1:3}"),
    (
        "default thread retention",
        "default thread retention ${1:1d}",
    ),
    ("thread retention", "thread retention ${1:1d}"),
];

/// Declaration templates: label, snippet.
const DECLARATIONS: &[(&str, &str)] = &[
    ("task", "task ${1:name}(${2}) -> ${3:str}"),
    ("event", "event ${1:name}: ${2:str}"),
    ("workflow-event", "workflow-event ${1:name}: ${2:str}"),
    ("struct", "struct ${1:name} {\n\t${2:field}: ${3:str}\n}"),
    (
        "user-task",
        "user-task ${1:name} {\n\t${2:field}: ${3:str}\n}",
    ),
    ("workflow", "workflow ${1:name} {\n\t$0\n}"),
    ("extern event", "extern event ${1:name}"),
];

/// Expression words and templates.
const EXPRESSIONS: &[(&str, &str)] = &[
    ("await", "await ${1:event}"),
    ("spawn", "spawn ${1:thread-name} {\n\t$0\n}"),
    ("ask", "ask ${1:form} to group \"${2:group}\""),
    ("run", "run ${1:workflow}()"),
    ("new", "new ${1:struct} { $0 }"),
    ("map", "map { $0 }"),
    ("true", "true"),
    ("false", "false"),
    ("null", "null"),
];

/// Durations offered where one is expected.
const DURATIONS: &[&str] = &["30s", "1m", "5m", "1h", "1d", "7d"];

/// The methods on values.
const METHODS: &[(&str, &str, &str)] = &[
    (
        "size",
        "size()",
        "int: the length of a str, json-arr or array",
    ),
    (
        "extend",
        "extend(${1:value})",
        "appends to a json-arr, array, str or bytes",
    ),
    (
        "remove-if-present",
        "remove-if-present(${1:value})",
        "removes a value from a json-arr or array",
    ),
    (
        "remove-index",
        "remove-index(${1:index})",
        "removes an index from a json-arr or array",
    ),
    (
        "remove-key",
        "remove-key(${1:key})",
        "removes a key from a json-obj or map",
    ),
];

fn keyword(label: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Keyword,
        detail: None,
        insert_text: label.to_string(),
        snippet: false,
    }
}

fn snippet(label: &str, body: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: if body.contains('$') {
            CompletionKind::Snippet
        } else {
            CompletionKind::Keyword
        },
        detail: None,
        insert_text: body.to_string(),
        snippet: body.contains('$'),
    }
}

fn plain(label: &str, kind: CompletionKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail,
        insert_text: label.to_string(),
        snippet: false,
    }
}

/// The tokens before the cursor, and the word being typed.
struct Before<'a> {
    /// Significant tokens (no comments) before the word being typed.
    tokens: Vec<Token>,
    /// The word (or number) being typed, if any.
    word: Option<Token>,
    text: &'a str,
}

impl Before<'_> {
    fn text(&self, t: &Token) -> &str {
        self.text
            .get(t.span.start as usize..t.span.end as usize)
            .unwrap_or_default()
    }

    /// The `n`-th significant token before the word (0 = the nearest).
    fn prev(&self, n: usize) -> Option<&Token> {
        self.tokens.iter().rev().nth(n)
    }

    fn prev_is(&self, n: usize, s: &str) -> bool {
        self.prev(n).is_some_and(|t| self.text(t) == s)
    }
}

impl Analysis {
    /// The completions at `offset`.
    #[must_use]
    pub fn completions(&self, offset: u32) -> Completions {
        let empty = Completions {
            replace: Span {
                start: offset,
                end: offset,
            },
            items: Vec::new(),
        };
        if offset as usize > self.text.len() || !self.text.is_char_boundary(offset as usize) {
            return empty;
        }
        // Lex from the start of the chunk (a declaration) holding the cursor.
        let from = self
            .parsed
            .chunks
            .iter()
            .rev()
            .find(|c| c.span.start <= offset)
            .map_or(0, |c| c.span.start);
        let mut tokens: Vec<Token> = lex(&self.text[from as usize..offset as usize])
            .into_iter()
            .map(|mut t| {
                t.span = t.span.shifted(from);
                t
            })
            .collect();
        // Inside a comment or the text of a string, nothing is completed.
        if let Some(last) = tokens.last() {
            let text = self.slice(last.span);
            let open_string = last.kind == TokenKind::Str
                && (text.len() == 1 || !(text.ends_with('"') || text.ends_with('{')));
            let open_comment = last.kind == TokenKind::Comment
                && (text.starts_with("//") || !text.ends_with("*/"));
            if last.span.end == offset && (open_string || open_comment) {
                return empty;
            }
        }
        tokens.retain(|t| t.kind != TokenKind::Comment);
        let word = tokens
            .last()
            .filter(|t| {
                t.span.end == offset && matches!(t.kind, TokenKind::Word | TokenKind::Number)
            })
            .copied();
        if word.is_some() {
            tokens.pop();
        }
        let before = Before {
            tokens,
            word,
            text: &self.text,
        };
        let replace = word.map_or(empty.replace, |w| w.span);
        let mut items = self.candidates(&before, offset);
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| seen.insert((i.label.clone(), i.kind)));
        Completions { replace, items }
    }

    fn candidates(&self, b: &Before<'_>, offset: u32) -> Vec<CompletionItem> {
        if let Some(w) = &b.word
            && w.kind == TokenKind::Number
        {
            return self.number_units(b.text(w));
        }
        if b.prev_is(0, ".") {
            return self.members(b, offset);
        }
        let prev = b.prev(0).map(|t| b.text(t)).unwrap_or_default();
        let prev2 = b.prev(1).map(|t| b.text(t)).unwrap_or_default();
        match prev {
            "await" | "on" => return self.global_names(SymbolKind::Event, CompletionKind::Event),
            "emit" => {
                return self.global_names(SymbolKind::WorkflowEvent, CompletionKind::Event);
            }
            "ask" => return self.global_names(SymbolKind::UserTask, CompletionKind::UserTask),
            "run" | "parent" => {
                return self.global_names(SymbolKind::Workflow, CompletionKind::Workflow);
            }
            "new" => return self.global_names(SymbolKind::Struct, CompletionKind::Struct),
            "updates" => {
                return ["minor", "all", "none"]
                    .iter()
                    .map(|v| plain(v, CompletionKind::Value, None))
                    .collect();
            }
            "catch" | "thread" | "wait" if prev == "catch" || prev2 == "catch" => {
                // `catch thread` / `catch wait` (on a wait for threads) take the same words.
                let sites: &[&str] = if prev == "catch" {
                    &["thread", "wait"]
                } else {
                    &[]
                };
                let mut out: Vec<CompletionItem> = ["any", "error", "exception"]
                    .iter()
                    .chain(sites)
                    .map(|k| keyword(k))
                    .collect();
                out.extend(self.failure_names());
                return out;
            }
            "error" if matches!(prev2, "catch" | "thread" | "wait") => {
                return ERROR_TYPES
                    .iter()
                    .map(|v| plain(v, CompletionKind::Value, None))
                    .collect();
            }
            "wait" => {
                let mut out = vec![
                    keyword("until"),
                    snippet("first of", "first of "),
                    snippet("any of", "any of "),
                ];
                out.extend(self.handles(offset));
                return out;
            }
            "first" | "any" if prev2 == "wait" => return vec![keyword("of")],
            "of" if matches!(prev2, "first" | "any") => return self.handles(offset),
            "sleep" => {
                let mut out = vec![keyword("until")];
                out.extend(durations());
                return out;
            }
            "timeout" | "retention" | "after" | "ttl" => return durations(),
            "default" => {
                return vec![
                    snippet("task", "task retries ${1:3}"),
                    snippet("thread retention", "thread retention ${1:1d}"),
                ];
            }
            "task" if prev2 == "default" => {
                return ["retries", "timeout", "backoff"]
                    .iter()
                    .map(|k| keyword(k))
                    .collect();
            }
            "to" => return vec![keyword("user"), keyword("group")],
            "as" => return self.types(),
            ">" if prev2 == "-" => return self.types(),
            "<" if prev2 == "map" => return self.types(),
            _ => {}
        }
        match self.item_at(offset) {
            Some(Item::Workflow(w)) if w.body.span.start < offset => self.in_workflow(b, offset),
            // Outside workflows, a `:` is followed by a type (parameters, fields, payloads).
            _ if prev == ":" => self.types(),
            _ if self.at_line_start(b, offset) => {
                DECLARATIONS.iter().map(|(l, s)| snippet(l, s)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// True when nothing but the word being typed stands before the cursor on its line.
    fn at_line_start(&self, b: &Before<'_>, offset: u32) -> bool {
        let line_start = self
            .lines
            .line_start(self.lines.line_of(offset))
            .unwrap_or(0);
        b.tokens.last().is_none_or(|t| t.span.end <= line_start)
    }

    fn in_workflow(&self, b: &Before<'_>, offset: u32) -> Vec<CompletionItem> {
        let prev = b.prev(0).map(|t| b.text(t)).unwrap_or_default();
        if let Some(fields) = self.struct_literal_fields(b) {
            return fields;
        }
        if prev == ":" && self.type_position(b) {
            return self.types();
        }
        let statement_start =
            matches!(prev, "{" | "}" | ";") || (self.at_line_start(b, offset) && !continues(prev));
        let mut out = Vec::new();
        if prev == ")" && !statement_start {
            out.extend(
                ["retries", "timeout", "backoff", "catch"]
                    .iter()
                    .map(|k| keyword(k)),
            );
            return out;
        }
        if statement_start {
            out.extend(
                STATEMENTS
                    .iter()
                    .filter(|(l, _)| *l != "else" || prev == "}")
                    .map(|(l, s)| snippet(l, s)),
            );
        } else {
            out.extend(EXPRESSIONS.iter().map(|(l, s)| snippet(l, s)));
        }
        out.extend(self.variables(offset));
        out.extend(self.tasks());
        out
    }

    /// True when the `:` before the cursor introduces a type: in a variable declaration, or
    /// after a thread input's name (`for item:`, `on e(p:`, `catch f(c:`).
    fn type_position(&self, b: &Before<'_>) -> bool {
        let line_start_word = b
            .tokens
            .iter()
            .rev()
            .take_while(|t| {
                b.prev(0).is_some_and(|p| {
                    self.lines.line_of(t.span.start) == self.lines.line_of(p.span.start)
                })
            })
            .last()
            .map(|t| b.text(t))
            .unwrap_or_default();
        matches!(
            line_start_word,
            "var" | "input" | "public" | "private" | "inherited"
        ) || b.prev_is(2, "for")
            || b.prev_is(2, "(")
    }

    /// `name: ` for each field of the struct being built, when the cursor is where a field
    /// starts in `new name { ... }`.
    fn struct_literal_fields(&self, b: &Before<'_>) -> Option<Vec<CompletionItem>> {
        let prev = b.prev(0).map(|t| b.text(t))?;
        if !matches!(prev, "{" | ",") {
            return None;
        }
        let mut depth = 0usize;
        let mut open = None;
        for (i, t) in b.tokens.iter().enumerate().rev() {
            match b.text(t) {
                "}" | ")" | "]" => depth += 1,
                "{" | "(" | "[" if depth > 0 => depth -= 1,
                "{" => {
                    open = Some(i);
                    break;
                }
                "(" | "[" => return None,
                _ => {}
            }
        }
        let open = open?;
        let name = b.tokens.get(open.checked_sub(1)?)?;
        let new = b.tokens.get(open.checked_sub(2)?)?;
        if b.text(new) != "new" {
            return None;
        }
        let sig = self.model.structs.get(b.text(name))?;
        Some(
            sig.fields
                .iter()
                .map(|(f, t)| CompletionItem {
                    label: f.clone(),
                    kind: CompletionKind::Field,
                    detail: Some(t.to_string()),
                    insert_text: format!("{f}: "),
                    snippet: false,
                })
                .collect(),
        )
    }

    /// Fields and methods after `receiver.`.
    fn members(&self, b: &Before<'_>, offset: u32) -> Vec<CompletionItem> {
        // The chain `head.a.b` before the dot.
        let mut chain: Vec<&str> = Vec::new();
        let mut i = b.tokens.len() - 1; // the dot
        while i > 0 {
            let t = &b.tokens[i - 1];
            if t.kind != TokenKind::Word {
                break;
            }
            chain.push(b.text(t));
            if i >= 2 && b.text(&b.tokens[i - 2]) == "." {
                i -= 2;
            } else {
                break;
            }
        }
        chain.reverse();
        let Some((head, path)) = chain.split_first() else {
            return Vec::new();
        };
        let Some(symbol) = self
            .variables_in_scope(offset)
            .into_iter()
            .find(|s| s.name == *head)
        else {
            return Vec::new();
        };
        // The output of `ask form`: the form's fields.
        if path.is_empty()
            && symbol.kind == SymbolKind::Let
            && let Some(form) = self.asked_form(symbol.span)
            && let Some(fields) = self.model.user_tasks.get(&form)
        {
            return fields
                .iter()
                .map(|(f, t)| plain(f, CompletionKind::Field, Some(t.to_string())))
                .collect();
        }
        let mut ty = symbol.ty.clone().unwrap_or(Ty::Error);
        for field in path {
            ty = match &ty {
                Ty::Struct(s) => self
                    .model
                    .structs
                    .get(s)
                    .and_then(|sig| sig.fields.iter().find(|(f, _)| f == field))
                    .map_or(Ty::Error, |(_, t)| t.clone()),
                Ty::Map(_, v) => (**v).clone(),
                Ty::Prim(crate::ast::Prim::JsonObj | crate::ast::Prim::JsonArr) | Ty::Any => {
                    Ty::Any
                }
                _ => Ty::Error,
            };
        }
        let mut out = Vec::new();
        if let Ty::Struct(s) = &ty
            && let Some(sig) = self.model.structs.get(s)
        {
            out.extend(
                sig.fields
                    .iter()
                    .map(|(f, t)| plain(f, CompletionKind::Field, Some(t.to_string()))),
            );
        }
        let methods: &[&str] = match &ty {
            Ty::Prim(crate::ast::Prim::Str) => &["size", "extend"],
            Ty::Prim(crate::ast::Prim::Bytes) => &["extend"],
            Ty::Prim(crate::ast::Prim::JsonArr) | Ty::Array(_) => {
                &["size", "extend", "remove-if-present", "remove-index"]
            }
            Ty::Prim(crate::ast::Prim::JsonObj) | Ty::Map(..) => &["remove-key"],
            Ty::Any => &[
                "size",
                "extend",
                "remove-if-present",
                "remove-index",
                "remove-key",
            ],
            _ => &[],
        };
        out.extend(
            METHODS
                .iter()
                .filter(|(m, _, _)| methods.contains(m))
                .map(|(m, body, doc)| CompletionItem {
                    label: (*m).to_string(),
                    kind: CompletionKind::Method,
                    detail: Some((*doc).to_string()),
                    insert_text: (*body).to_string(),
                    snippet: body.contains('$'),
                }),
        );
        out
    }

    /// The user task form a `let` bound at `name` asks for.
    fn asked_form(&self, name: Span) -> Option<String> {
        let wf = self.workflow_at(name.start)?;
        let mut form = None;
        walk_stmts(&wf.body, &mut |stmt| {
            if let StmtKind::Let { name: n, value } = &stmt.kind
                && n.span == name
                && let ExprKind::Ask(ask) = &value.kind
            {
                form = Some(ask.form.text.clone());
            }
        });
        form
    }

    /// The variables, step outputs and thread inputs visible at `offset`, nearest last.
    fn variables_in_scope(&self, offset: u32) -> Vec<&Symbol> {
        let Some(wf) = self.workflow_at(offset) else {
            return Vec::new();
        };
        self.index
            .symbols
            .iter()
            .filter(|s| {
                matches!(
                    s.kind,
                    SymbolKind::Variable | SymbolKind::Let | SymbolKind::Binding
                ) && s.parent.as_deref() == Some(wf.name.text.as_str())
                    && s.span.end < offset
                    && s.scope
                        .is_some_and(|sc| sc.start <= offset && offset <= sc.end)
            })
            .collect()
    }

    fn variables(&self, offset: u32) -> Vec<CompletionItem> {
        let line = self.lines.line_of(offset);
        let mut out: Vec<CompletionItem> = self
            .variables_in_scope(offset)
            .into_iter()
            .rev()
            // A `let` on the cursor's line is the one being written.
            .filter(|s| !(s.kind == SymbolKind::Let && self.lines.line_of(s.span.start) == line))
            .map(|s| {
                plain(
                    &s.name,
                    CompletionKind::Variable,
                    type_detail(s.ty.as_ref()),
                )
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        out.retain(|i| seen.insert(i.label.clone()));
        out
    }

    /// Thread and child workflow handles visible at `offset`, for `wait`.
    fn handles(&self, offset: u32) -> Vec<CompletionItem> {
        self.variables_in_scope(offset)
            .into_iter()
            .filter(|s| matches!(s.ty, Some(Ty::Thread | Ty::Threads | Ty::ChildWf)))
            .map(|s| {
                plain(
                    &s.name,
                    CompletionKind::Variable,
                    type_detail(s.ty.as_ref()),
                )
            })
            .collect()
    }

    /// Every task, as a call with its parameters as placeholders.
    fn tasks(&self) -> Vec<CompletionItem> {
        self.model
            .tasks
            .iter()
            .map(|(name, sig)| {
                let params: Vec<String> = sig
                    .params
                    .iter()
                    .enumerate()
                    .map(|(i, (p, _))| format!("${{{}:{p}}}", i + 1))
                    .collect();
                let signature: Vec<String> = sig
                    .params
                    .iter()
                    .map(|(p, t)| format!("{p}: {t}"))
                    .collect();
                let ret = sig
                    .ret
                    .as_ref()
                    .map(|r| format!(" -> {r}"))
                    .unwrap_or_default();
                CompletionItem {
                    label: name.clone(),
                    kind: CompletionKind::Task,
                    detail: Some(format!("task {name}({}){ret}", signature.join(", "))),
                    insert_text: format!("{name}({})", params.join(", ")),
                    snippet: true,
                }
            })
            .collect()
    }

    /// The declared names of a file-wide kind.
    fn global_names(&self, kind: SymbolKind, as_kind: CompletionKind) -> Vec<CompletionItem> {
        let mut out = Vec::new();
        for s in self.index.symbols.iter().filter(|s| s.kind == kind) {
            let detail = match kind {
                SymbolKind::Event => self.model.events.get(&s.name).map(payload),
                SymbolKind::WorkflowEvent => self.model.workflow_events.get(&s.name).map(payload),
                _ => None,
            };
            out.push(plain(&s.name, as_kind, detail));
        }
        out
    }

    /// The failures thrown with `fail` in the file.
    fn failure_names(&self) -> Vec<CompletionItem> {
        let mut out = Vec::new();
        for item in &self.parsed.file.items {
            if let Item::Workflow(w) = item {
                walk_stmts(&w.body, &mut |stmt| {
                    if let StmtKind::Fail { name, .. } = &stmt.kind
                        && !name.text.is_empty()
                    {
                        out.push(plain(
                            &name.text,
                            CompletionKind::Value,
                            Some("failure".to_string()),
                        ));
                    }
                });
            }
        }
        out
    }

    fn types(&self) -> Vec<CompletionItem> {
        let mut out: Vec<CompletionItem> = PRIMITIVE_TYPES
            .iter()
            .map(|t| plain(t, CompletionKind::Type, None))
            .collect();
        out.extend(self.global_names(SymbolKind::Struct, CompletionKind::Struct));
        out.push(snippet("map", "map<${1:str}, ${2:int}>"));
        out
    }

    /// `30` → `30s`, `30m`, ...
    fn number_units(&self, number: &str) -> Vec<CompletionItem> {
        let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() != number.len() {
            return Vec::new();
        }
        ["s", "m", "h", "d", "ms"]
            .iter()
            .map(|u| {
                plain(
                    &format!("{digits}{u}"),
                    CompletionKind::Value,
                    Some("duration".to_string()),
                )
            })
            .collect()
    }
}

/// A type as a completion's detail; nothing for a type that could not be known.
fn type_detail(ty: Option<&Ty>) -> Option<String> {
    ty.filter(|t| **t != Ty::Error).map(ToString::to_string)
}

fn payload(p: &Option<Ty>) -> String {
    match p {
        Some(t) => format!("payload: {t}"),
        None => "no payload".to_string(),
    }
}

fn durations() -> Vec<CompletionItem> {
    DURATIONS
        .iter()
        .map(|d| plain(d, CompletionKind::Value, Some("duration".to_string())))
        .collect()
}

/// True when `prev` (the token ending the previous line) leaves the statement unfinished.
fn continues(prev: &str) -> bool {
    matches!(
        prev,
        "=" | "(" | "[" | "," | "+" | "-" | "*" | "/" | "&" | "|" | "<" | ">" | "!" | "." | ":"
    )
}
