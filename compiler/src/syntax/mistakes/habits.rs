//! More near-misses (issue 14 §1): other languages' habits (`not`, `is null`, `=<`, `^`,
//! `try { }`, `catch (Exception e)`, `f"..."`, template literals, `(int) x`, `--` comments,
//! named task arguments, a `for` loop), words a construct does not take (`wait for t`,
//! `on event e`, `emit e with v`) or leaves out (`ask f user "a"`, `} else x {`), and
//! declarations written as elsewhere (`double amount`, `x: str = "a"`, `str?`).
//!
//! Each pattern looks at a few tokens around one token, so the scan stays linear; like the
//! rest of the finder it runs only on a chunk that already failed to parse.

use super::{Finder, Kind, is_type_word, misspelt};
use crate::syntax::problems::{KeywordKind, NearMiss};

/// Words that start a condition's operand after which `not` means `!`.
const BEFORE_CONDITION: &[&str] = &[
    "if", "while", "until", "&&", "||", "and", "or", "(", "=", "return",
];

impl Finder<'_> {
    /// The text of tokens `a..=b` as written.
    fn text_of(&self, a: usize, b: usize) -> &str {
        &self.piece[self.toks[a].start..self.toks[b].end]
    }

    /// The index of the `)` or `]` or `}` closing the bracket at `open`, within the scan.
    fn closing(&self, open: usize) -> Option<usize> {
        let (o, c) = match self.toks[open].text {
            "(" => ("(", ")"),
            "[" => ("[", "]"),
            "{" => ("{", "}"),
            _ => return None,
        };
        let mut depth = 0usize;
        for j in open..self.toks.len().min(open + super::SCAN) {
            let t = self.toks[j].text;
            if t == o {
                depth += 1;
            } else if t == c {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
        }
        None
    }

    /// True when the line of token `i` is a condition (`if`, `while`, `} else if`, `wait
    /// until`).
    fn condition_line(&self, i: usize) -> bool {
        matches!(self.line_word(i), "if" | "while" | "}") || self.line_has_before(i, "until")
    }

    /// True when the line of token `i` declares a variable.
    fn var_line(&self, i: usize) -> bool {
        matches!(
            self.line_word(i),
            "var" | "input" | "public" | "private" | "inherited"
        )
    }

    /// True when token `i` stands in a block of statements (not a struct, form, JSON or
    /// struct literal).
    fn in_statements(&self, i: usize) -> bool {
        let Some(open) = self.open.get(i).copied().flatten() else {
            return false;
        };
        if matches!(self.line_word(open), "struct" | "user-task") || open == 0 {
            return false;
        }
        let before = self.toks[open - 1].text;
        if matches!(before, "=" | "(" | "," | "[" | ":" | "map") {
            return false;
        }
        !(open >= 2 && self.toks[open - 2].text == "new")
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn habits(&mut self, i: usize) {
        let t = self.toks[i].clone();
        let tok = |k: usize| self.tok(k).cloned();
        let next = tok(i + 1);
        let next_text = next.as_ref().map_or("", |n| n.text);
        let next_same_line = next.as_ref().is_some_and(|n| !n.line_start);
        let prev = i.checked_sub(1).and_then(|p| self.tok(p)).cloned();
        let prev_text = prev.as_ref().map_or("", |p| p.text);
        let written = |found: &str, meant: &str| NearMiss::WrittenAs {
            found: found.to_string(),
            meant: meant.to_string(),
        };
        match (t.kind, t.text) {
            // `a =< b`, `a =! b` and `a => b` in a condition, `x =+ 1`, `a ^ 2`
            (Kind::Punct, p @ ("=<" | "=!" | "=>" | "=+" | "^"))
                if i > 0 && self.ends_operand(i - 1) =>
            {
                let in_map = self.open.get(i).copied().flatten().is_some_and(|o| {
                    o > 0 && matches!(self.toks[o - 1].text, "map" | "=" | "(" | "," | "[")
                });
                let meant = match p {
                    "=>" if in_map => ":",
                    "=<" => "<=",
                    "=!" if self.condition_line(i) => "!=",
                    "=>" if self.condition_line(i) => ">=",
                    "=+" if self.line_first(i) == i - 1 => "+=",
                    "^" if self.starts_operand(i + 1) => "**",
                    _ => return,
                };
                self.replace(i, meant, written(p, meant));
            }
            // `a and not b`
            (Kind::Word, w @ ("and" | "or"))
                if next_text == "not"
                    && i > 0
                    && self.ends_operand(i - 1)
                    && self.starts_operand(i + 2) =>
            {
                let op = if w == "and" { "&& !" } else { "|| !" };
                let e = self.toks[i + 2].start;
                let found = format!("{w} not");
                self.push(
                    (t.start, next.as_ref().map_or(t.end, |n| n.end)),
                    written(&found, op),
                    vec![(t.start, e, op.to_string())],
                );
            }
            // `if not ready {`
            (Kind::Word, "not")
                if BEFORE_CONDITION.contains(&prev_text)
                    && self.condition_line(i)
                    && self.starts_operand(i + 1)
                    && !matches!(next_text, "in" | "contains") =>
            {
                let e = next.as_ref().map_or(t.end, |n| n.start);
                self.push(
                    (t.start, t.end),
                    written("not", "!"),
                    vec![(t.start, e, "!".into())],
                );
            }
            // `x is null`, `x is not null`
            (Kind::Word, "is") if i > 0 && self.ends_operand(i - 1) && next_same_line => {
                let (end, found, meant) = if next_text == "not" {
                    (next.as_ref().map_or(t.end, |n| n.end), "is not", "!=")
                } else {
                    (t.end, "is", "==")
                };
                if !self.starts_operand(i + 1 + usize::from(found == "is not")) {
                    return;
                }
                self.push(
                    (t.start, end),
                    written(found, meant),
                    vec![(t.start, end, meant.to_string())],
                );
            }
            // `} else x > 1 {`
            (Kind::Word, "else")
                if prev_text == "}"
                    && next_same_line
                    && next_text != "if"
                    && next_text != "{"
                    && self.starts_operand(i + 1)
                    && self.rest_of_line_has(i, "{") =>
            {
                let n = next.clone().expect("next");
                self.push(
                    (n.start, n.end),
                    NearMiss::Missing {
                        text: "if".into(),
                        example: "} else if condition {".into(),
                    },
                    vec![(n.start, n.start, "if ".into())],
                );
            }
            // `export var x: str`
            (Kind::Word, "export") if t.line_start && matches!(next_text, "var" | "input") => {
                self.replace(i, "public", written("export", "public"));
            }
            // `let t = spwan worker {`, `let p = awiat paid`
            (Kind::Word, w)
                if prev_text == "="
                    && next
                        .as_ref()
                        .is_some_and(|n| n.kind == Kind::Word && !n.line_start)
                    && misspelt(w, &["spawn", "await", "ask"]).is_some() =>
            {
                if let Some(kw) = misspelt(w, &["spawn", "await", "ask"]) {
                    self.replace(
                        i,
                        kw,
                        NearMiss::MisspeltKeyword {
                            found: w.to_string(),
                            meant: kw,
                            kind: KeywordKind::Plain,
                        },
                    );
                }
            }
            // `await paid within 2d`
            (Kind::Word, "within")
                if self.line_has_before(i, "await")
                    && next.as_ref().is_some_and(|n| n.kind == Kind::Number) =>
            {
                self.replace(i, "timeout", written("within", "timeout"));
            }
            // `event paid: str corelated`, `await paid correlate by key`
            (Kind::Word, w)
                if w != "correlated"
                    && (self.line_word(i) == "event" || self.line_has_before(i, "await"))
                    && misspelt(w, &["correlated"]).is_some() =>
            {
                self.replace(
                    i,
                    "correlated",
                    NearMiss::MisspeltKeyword {
                        found: w.to_string(),
                        meant: "correlated",
                        kind: KeywordKind::Plain,
                    },
                );
            }
            // `cancel in 3d`, `remind t() in 4h`
            (Kind::Word, "in")
                if (prev_text == "cancel"
                    || (prev_text == ")" && self.line_word(i) == "remind"))
                    && next.as_ref().is_some_and(|n| !n.line_start) =>
            {
                let example = if prev_text == "cancel" {
                    format!("cancel after {next_text}")
                } else {
                    format!("remind task(args) after {next_text}")
                };
                self.replace(i, "after", NearMiss::DelayAfter { example });
            }
            // `ask form user "alice"`, `reassign group "managers" after 1d`
            (Kind::Word, w @ ("user" | "group"))
                if i >= 2
                    && ((self.toks[i - 2].text == "ask" && prev_text != "to")
                        || prev_text == "reassign"
                        || prev_text == "release")
                    && tok(i + 1).is_some_and(|n| !n.line_start) =>
            {
                let example = if matches!(prev_text, "reassign" | "release") {
                    format!("{prev_text} to {w} ...")
                } else {
                    format!("ask {prev_text} to {w} ...")
                };
                self.push(
                    (t.start, t.end),
                    NearMiss::Missing {
                        text: "to".into(),
                        example,
                    },
                    vec![(t.start, t.start, "to ".into())],
                );
            }
            // `wait for t`, `on event paid {`, `emit e with v`, `fail name, "message"`
            (Kind::Word, w @ ("wait" | "on" | "emit" | "fail")) if t.line_start => {
                self.needless_word(i, w);
            }
            // `for item in items {`
            (Kind::Word, "for")
                if t.line_start
                    && self.depth_at(i) > 0
                    && tok(i + 1).is_some_and(|n| n.kind == Kind::Word)
                    && tok(i + 2).is_some_and(|n| n.text == "in" || n.text == ":")
                    && self.rest_of_line_has(i, "{") =>
            {
                let item = tok(i + 1).expect("item");
                let meant = format!("spawn each-{} for", item.text);
                self.push(
                    (t.start, t.end),
                    NearMiss::NoForLoop {
                        meant: meant.clone(),
                    },
                    vec![(t.start, t.end, meant)],
                );
            }
            // `spawn t for each item in items`, `for item of items`
            (Kind::Word, "each")
                if prev_text == "for"
                    && self.line_has_before(i, "spawn")
                    && tok(i + 2).is_some_and(|n| n.text == "in") =>
            {
                let n = next.clone().expect("item");
                self.push(
                    (t.start, t.end),
                    NearMiss::NotNeeded {
                        found: "each".into(),
                        example: format!("for {} in ...", n.text),
                    },
                    vec![(self.toks[i - 1].end, t.end, String::new())],
                );
            }
            (Kind::Word, "of")
                if i >= 2 && self.toks[i - 2].text == "for" && self.line_has_before(i, "spawn") =>
            {
                self.replace(i, "in", written("of", "in"));
            }
            // `let t = spawn {`: a thread needs a name
            (Kind::Word, "spawn") if next_text == "{" => {
                let name =
                    if i >= 3 && self.toks[i - 1].text == "=" && self.toks[i - 3].text == "let" {
                        format!("{}-thread", self.toks[i - 2].text)
                    } else {
                        "worker".to_string()
                    };
                let n = next.clone().expect("{");
                self.push(
                    (n.start, n.end),
                    NearMiss::SpawnWithoutName { name: name.clone() },
                    vec![(n.start, n.start, format!("{name} "))],
                );
            }
            // `catch (Exception e) {`
            (Kind::Word, "catch") if next_text == "(" => {
                let Some(close) = self.closing(i + 1) else {
                    return;
                };
                if !self.is(close + 1, "{") {
                    return;
                }
                let (s, e) = (self.toks[i + 1].start, self.toks[close].end);
                let found = self.text_of(i + 1, close).to_string();
                self.push(
                    (s, e),
                    NearMiss::CatchType { found },
                    vec![(s, e, "any".into())],
                );
            }
            // `try { step } catch ... {`
            (Kind::Word, "try") if t.line_start && next_text == "{" => {
                let Some(close) = self.closing(i + 1) else {
                    return;
                };
                if close < i + 3 || !self.is(close + 1, "catch") {
                    return;
                }
                let (first, last) = (&self.toks[i + 2], &self.toks[close - 1]);
                let edits = vec![
                    (t.start, first.start, String::new()),
                    (last.end, self.toks[close].end, String::new()),
                ];
                self.push((t.start, t.end), NearMiss::TryBlock, edits);
            }
            // `receipt: "none"` for `receipt = "none"`
            (Kind::Word, w)
                if t.line_start
                    && next_text == ":"
                    && next_same_line
                    && !super::STMT_WORDS.contains(&w)
                    && tok(i + 2).is_some_and(|n| !n.line_start && !is_type_word(n.text))
                    && self.depth_at(i) > 0
                    && self.in_statements(i) =>
            {
                let c = next.clone().expect(":");
                self.push(
                    (c.start, c.end),
                    NearMiss::AssignWith {
                        found: ":".into(),
                        example: format!("{w} = value"),
                    },
                    vec![(c.start, c.end, " =".into())],
                );
            }
            // `var count: int: 0`, `var count: int == 0`
            (Kind::Punct, p @ (":" | "=="))
                if self.var_line(i)
                    && prev.as_ref().is_some_and(|p| {
                        (p.kind == Kind::Word && is_type_word(p.text))
                            || matches!(p.text, "]" | ">")
                    })
                    && (p == "=="
                        || self.toks[self.line_first(i)..i]
                            .iter()
                            .any(|x| x.text == ":"))
                    && next_same_line =>
            {
                let s = t.start;
                let text = if p == ":" { " =" } else { "=" };
                self.push(
                    (t.start, t.end),
                    NearMiss::AssignWith {
                        found: p.to_string(),
                        example: format!("= {next_text}"),
                    },
                    vec![(s, t.end, text.into())],
                );
            }
            // `default task retries = 3`, `await e timeout: 2d`
            (Kind::Punct, p @ ("=" | ":"))
                if prev
                    .as_ref()
                    .is_some_and(|p| super::TASK_OPTIONS.contains(&p.text))
                    && (self.line_word(i) == "default"
                        || (prev_text == "timeout" && self.line_has_before(i, "await")))
                    && next.as_ref().is_some_and(|n| !n.line_start) =>
            {
                let n = next.clone().expect("value");
                let s = self.toks[i - 1].end;
                let e = if p == ":" { t.end } else { n.start };
                self.push(
                    (t.start, t.end),
                    NearMiss::NotNeeded {
                        found: p.to_string(),
                        example: format!("{prev_text} {}", n.text),
                    },
                    vec![(s, e, if p == ":" { String::new() } else { " ".into() })],
                );
            }
            // `-- a comment`
            (Kind::Punct, "--") if t.line_start => {
                self.replace(i, "//", NearMiss::CommentMarker { found: "--".into() });
            }
            // `f"paid {amount}"`
            (Kind::Word, "f")
                if next
                    .as_ref()
                    .is_some_and(|n| n.kind == Kind::Str && n.start == t.end) =>
            {
                let n = next.clone().expect("string");
                self.push(
                    (t.start, t.end),
                    NearMiss::NotNeeded {
                        found: "f".into(),
                        example: n.text.to_string(),
                    },
                    vec![(t.start, t.end, String::new())],
                );
            }
            // `` `paid ${amount}` ``
            (Kind::Word, w)
                if w.starts_with('`')
                    && w.len() > 2
                    && w.ends_with('`')
                    && (w.contains("${") || w.contains(' ')) =>
            {
                let inner = &w[1..w.len() - 1];
                let meant = format!("\"{}\"", inner.replace("${", "{").replace('"', "\\\""));
                self.replace(i, &meant.clone(), NearMiss::TemplateString { meant });
            }
            // `input tags: [str]`
            (Kind::Punct, "[")
                if prev_text == ":"
                    && (self.var_line(i) || self.line_word(i) == "task")
                    && tok(i + 1).is_some_and(|n| n.kind == Kind::Word)
                    && tok(i + 2).is_some_and(|n| n.text == "]") =>
            {
                let (ty, close) = (tok(i + 1).expect("ty"), tok(i + 2).expect("]"));
                let meant = format!("{}[]", ty.text);
                self.push(
                    (t.start, close.end),
                    NearMiss::ArrayTypeSyntax {
                        meant: meant.clone(),
                    },
                    vec![(t.start, close.end, meant)],
                );
            }
            // `input note: str?`, `input note: str optional`
            (Kind::Punct, "?")
                if self.var_line(i) && prev.as_ref().is_some_and(|p| p.kind == Kind::Word) =>
            {
                self.push(
                    (t.start, t.end),
                    NearMiss::OptionalMarker { found: "?".into() },
                    vec![(t.start, t.end, String::new())],
                );
            }
            (Kind::Word, "optional") if self.var_line(i) && !t.line_start && i > 0 => {
                let s = self.toks[i - 1].end;
                self.push(
                    (t.start, t.end),
                    NearMiss::OptionalMarker {
                        found: "optional".into(),
                    },
                    vec![(s, t.end, String::new())],
                );
            }
            // `x = (int) amount`
            (Kind::Punct, "(")
                if matches!(prev_text, "=" | "(" | ",")
                    && tok(i + 1).is_some_and(|n| is_type_word(n.text))
                    && tok(i + 2).is_some_and(|n| n.text == ")")
                    && tok(i + 3).is_some_and(|n| {
                        !n.line_start && matches!(n.kind, Kind::Word | Kind::Number)
                    }) =>
            {
                let mut e = i + 3;
                while self.is(e + 1, ".") && self.tok(e + 2).is_some_and(|n| n.kind == Kind::Word) {
                    e += 2;
                }
                let ty = super::canonical_type(self.toks[i + 1].text);
                let meant = format!("{} as {ty}", self.text_of(i + 3, e));
                let (s, end) = (t.start, self.toks[e].end);
                self.push(
                    (t.start, self.toks[i + 2].end),
                    NearMiss::CStyleCast {
                        meant: meant.clone(),
                    },
                    vec![(s, end, meant)],
                );
            }
            // `charge(amount: amount)`
            (Kind::Punct, "(")
                if prev
                    .as_ref()
                    .is_some_and(|p| p.kind == Kind::Word && p.end == t.start)
                    && self.line_word(i) != "task"
                    && (i < 2
                        || !matches!(
                            self.toks[i - 2].text,
                            "spawn"
                                | "run"
                                | "catch"
                                | "error"
                                | "exception"
                                | "thread"
                                | "on"
                                | "any"
                                | "new"
                        ))
                    && tok(i + 1).is_some_and(|n| n.kind == Kind::Word)
                    && tok(i + 2).is_some_and(|n| n.text == ":")
                    && tok(i + 3).is_some_and(|n| !n.line_start && !is_type_word(n.text)) =>
            {
                let Some(close) = self.closing(i) else {
                    return;
                };
                let name = self.toks[i + 1].clone();
                let mut edits = Vec::new();
                let mut k = i;
                while k < close {
                    if matches!(self.toks[k].text, "(" | ",")
                        && self.tok(k + 1).is_some_and(|n| n.kind == Kind::Word)
                        && self.is(k + 2, ":")
                    {
                        edits.push((
                            self.toks[k + 1].start,
                            self.toks[k + 3].start,
                            String::new(),
                        ));
                        k += 3;
                    } else {
                        k += 1;
                    }
                }
                let end = self.toks[i + 2].end;
                self.push(
                    (name.start, end),
                    NearMiss::NamedTaskArgument {
                        name: name.text.to_string(),
                    },
                    edits,
                );
            }
            // `home = address { city: "x" }`
            (Kind::Word, w)
                if prev_text == "="
                    && next_text == "{"
                    && !matches!(w, "map" | "new" | "spawn")
                    && tok(i + 2).is_some_and(|n| n.kind == Kind::Word)
                    && tok(i + 3).is_some_and(|n| n.text == ":") =>
            {
                self.push(
                    (t.start, t.end),
                    NearMiss::Missing {
                        text: "new".into(),
                        example: format!("new {w} {{ ... }}"),
                    },
                    vec![(t.start, t.start, "new ".into())],
                );
            }
            // `"paid {amount"`: a hole never closed
            (Kind::Str, s)
                if s.len() >= 2
                    && s.starts_with('"')
                    && s.ends_with('"')
                    && unclosed_hole(s).is_some() =>
            {
                if let Some(open) = unclosed_hole(s) {
                    let at = t.start + open;
                    let close = t.end - 1;
                    self.push(
                        (at, at + 1),
                        NearMiss::Missing {
                            text: "}".into(),
                            example: format!("{}}}\"", &s[open..s.len() - 1]),
                        },
                        vec![(close, close, "}".into())],
                    );
                }
            }
            // `{"a": 1 "b": 2}`, `[1 2 3]`: a `,` missing (every one of the line, in one
            // mistake)
            (Kind::Str | Kind::Number, _)
                if i > 0
                    && self.json_member_end(i - 1)
                    && self.toks[i - 1].end < t.start
                    && (self.is(i + 1, ":") && self.json_context(i - 1)
                        || (t.kind == Kind::Number && self.in_list(i))) =>
            {
                let mut edits = Vec::new();
                let mut k = i;
                while k < self.toks.len().min(i + super::SCAN)
                    && !(k > i && self.toks[k].line_start)
                {
                    let x = &self.toks[k];
                    if matches!(x.kind, Kind::Str | Kind::Number)
                        && self.json_member_end(k - 1)
                        && self.toks[k - 1].end < x.start
                        && (self.is(k + 1, ":") || (x.kind == Kind::Number && self.in_list(k)))
                    {
                        let p = self.toks[k - 1].end;
                        edits.push((p, p, ",".to_string()));
                    }
                    k += 1;
                }
                self.push(
                    (t.start, t.end),
                    NearMiss::Missing {
                        text: ",".into(),
                        example: format!("{}, {}", self.toks[i - 1].text, t.text),
                    },
                    edits,
                );
            }
            // `if (amount > 10 {`: a `)` missing before the block
            (Kind::Punct, "{") if self.condition_line(i) && !next_same_line && i > 0 => {
                let line = &self.toks[self.line_first(i)..i];
                let opens = line.iter().filter(|x| x.text == "(").count();
                let closes = line.iter().filter(|x| x.text == ")").count();
                if opens == closes + 1 {
                    let p = self.toks[i - 1].end;
                    let cond = self.text_of(self.line_first(i) + 1, i - 1).to_string();
                    self.push(
                        (t.start, t.end),
                        NearMiss::Missing {
                            text: ")".into(),
                            example: format!("{cond}) {{"),
                        },
                        vec![(p, p, ")".into())],
                    );
                }
            }
            // `1h30m`: a duration in two units
            (Kind::Number, a)
                if next.as_ref().is_some_and(|n| {
                    n.kind == Kind::Number
                        && n.start == t.end
                        && compound_duration(a, n.text).is_some()
                }) =>
            {
                let n = next.clone().expect("number");
                if let Some(meant) = compound_duration(a, n.text) {
                    let found = format!("{a}{}", n.text);
                    self.push(
                        (t.start, n.end),
                        NearMiss::DurationUnit {
                            found,
                            meant: meant.clone(),
                        },
                        vec![(t.start, n.end, meant)],
                    );
                }
            }
            // `dict<str, int>`, `Map<str, int>`
            (Kind::Word, w @ ("dict" | "Dict" | "Map" | "HashMap" | "Record" | "object"))
                if next_text == "<" && matches!(prev_text, ":" | "->" | "<" | ",") =>
            {
                self.replace(i, "map", written(w, "map"));
            }
            // `task t(double amount)`, `task t(x: str = "a")`, `task t(x: str maskd)`
            (Kind::Word, w) if self.line_word(i) == "task" && self.depth_at(i) == 0 => {
                self.task_params(i, w);
            }
            // `struct s { city str }`
            (Kind::Word, w)
                if i >= 1
                    && matches!(self.toks[i - 1].text, "{" | ",")
                    && self.open.get(i).copied().flatten().is_some_and(|o| {
                        self.line_word(o) == "struct" && self.depth_at(o) == 0
                    })
                    && next.as_ref().is_some_and(|n| {
                        n.kind == Kind::Word && !n.line_start && is_type_word(n.text)
                    }) =>
            {
                let n = next.clone().expect("type");
                self.push(
                    (t.start, n.end),
                    NearMiss::TypeWithoutColon {
                        what: "field",
                        name: w.to_string(),
                        ty: n.text.to_string(),
                    },
                    vec![(t.end, n.start, ": ".into())],
                );
            }
            // `return(receipt)`: the parenthesis makes it a call
            (Kind::Word, "return")
                if next
                    .as_ref()
                    .is_some_and(|n| n.text == "(" && n.start == t.end) =>
            {
                let Some(close) = self.closing(i + 1) else {
                    return;
                };
                if close == i + 2 {
                    return;
                }
                let inner = self.text_of(i + 2, close - 1).to_string();
                let (s, e) = (t.end, self.toks[close].end);
                self.push(
                    (s, s + 1),
                    NearMiss::ValueInParens {
                        keyword: "return",
                        example: format!("return {inner}"),
                    },
                    vec![(s, e, format!(" {inner}"))],
                );
            }
            // `ask f to users "a"`
            (Kind::Word, w @ ("users" | "groups"))
                if prev_text == "to"
                    && (self.line_has_before(i, "ask") || self.line_has_before(i, "reassign")) =>
            {
                let meant = &w[..w.len() - 1];
                self.replace(i, meant, written(w, meant));
            }
            // `catch error: timeout`, `notes: "..."`, `to user: "alice"`
            (Kind::Punct, ":")
                if i > 0
                    && t.start == self.toks[i - 1].end
                    && next_same_line
                    && ((matches!(prev_text, "error" | "exception" | "thread" | "wait")
                        && self.line_has_before(i, "catch"))
                        || (matches!(prev_text, "notes" | "user" | "group")
                            && self.line_has_before(i, "ask"))) =>
            {
                let n = next.clone().expect("value");
                self.push(
                    (t.start, t.end),
                    NearMiss::NotNeeded {
                        found: ":".into(),
                        example: format!("{prev_text} {}", n.text),
                    },
                    vec![(t.start, t.end, String::new())],
                );
            }
            // `amount = .5`
            (Kind::Punct, ".")
                if next
                    .as_ref()
                    .is_some_and(|n| n.kind == Kind::Number && n.start == t.end)
                    && matches!(
                        prev_text,
                        "=" | "(" | "," | "+" | "-" | "*" | "/" | "[" | ":"
                    ) =>
            {
                let n = next.clone().expect("number");
                let meant = format!("0.{}", n.text);
                self.push(
                    (t.start, n.end),
                    written(&format!(".{}", n.text), &meant),
                    vec![(t.start, n.end, meant.clone())],
                );
            }
            // `1e3`: an exponent needs a fraction
            (Kind::Number, m)
                if (m.ends_with('e') || m.ends_with('E'))
                    && m[..m.len() - 1].chars().all(|c| c.is_ascii_digit())
                    && next
                        .as_ref()
                        .is_some_and(|n| n.kind == Kind::Number && n.start == t.end) =>
            {
                let n = next.clone().expect("exponent");
                let found = format!("{m}{}", n.text);
                let meant = format!("{}.0{}{}", &m[..m.len() - 1], &m[m.len() - 1..], n.text);
                self.push(
                    (t.start, n.end),
                    written(&found, &meant),
                    vec![(t.start, n.end, meant.clone())],
                );
            }
            // `new address(city: "x")`
            (Kind::Word, "new")
                if tok(i + 1).is_some_and(|n| n.kind == Kind::Word)
                    && tok(i + 2).is_some_and(|n| {
                        n.text == "(" && Some(n.start) == tok(i + 1).map(|x| x.end)
                    }) =>
            {
                let Some(close) = self.closing(i + 2) else {
                    return;
                };
                let name = self.toks[i + 1].text.to_string();
                let (o, c) = (self.toks[i + 2].clone(), self.toks[close].clone());
                self.push(
                    (o.start, o.end),
                    NearMiss::StructParens { name },
                    vec![
                        (o.start, o.end, " { ".into()),
                        (c.start, c.end, " }".into()),
                    ],
                );
            }
            // `++count`
            (Kind::Punct, p @ ("++" | "--"))
                if t.line_start
                    && next
                        .as_ref()
                        .is_some_and(|n| n.kind == Kind::Word && n.start == t.end)
                    && tok(i + 2).is_none_or(|n| n.line_start) =>
            {
                let n = next.clone().expect("target");
                let meant = if p == "++" { "+=" } else { "-=" };
                self.push(
                    (t.start, t.end),
                    NearMiss::Increment {
                        found: p.to_string(),
                        target: n.text.to_string(),
                        meant,
                    },
                    vec![(t.start, n.end, format!("{} {meant} 1", n.text))],
                );
            }
            // `searchable on "$.email"` without `as TYPE`
            (Kind::Str, s)
                if prev_text == "on"
                    && i >= 2
                    && self.toks[i - 2].text == "searchable"
                    && next.as_ref().is_none_or(|n| n.line_start || n.text != "as") =>
            {
                let example = format!("searchable on {s} as str");
                self.push(
                    (t.start, t.end),
                    NearMiss::Missing {
                        text: "as TYPE".into(),
                        example,
                    },
                    vec![(t.end, t.end, " as str".into())],
                );
            }
            // `var count int = 0`
            (Kind::Word, w)
                if self.var_line(i)
                    && i >= 1
                    && matches!(self.toks[i - 1].text, "var" | "input")
                    && next.as_ref().is_some_and(|n| {
                        n.kind == Kind::Word && !n.line_start && is_type_word(n.text)
                    }) =>
            {
                let n = next.clone().expect("type");
                self.push(
                    (n.start, n.end),
                    NearMiss::TypeWithoutColon {
                        what: "variable",
                        name: w.to_string(),
                        ty: n.text.to_string(),
                    },
                    vec![(t.end, n.start, ": ".into())],
                );
            }
            // `wait until x = 1`
            (Kind::Punct, "=")
                if self.line_word(i) == "wait"
                    && self.is(self.line_first(i) + 1, "until")
                    && !self.rest_of_line_has(i, "=") =>
            {
                self.replace(i, "==", NearMiss::AssignInCondition);
            }
            // `extend tags to "x"`, `remove "x" in tags`, `on cancel throw n`
            (Kind::Word, w @ ("to" | "in" | "throw" | "raise"))
                if (w == "to" && self.line_word(i) == "extend" && i == self.line_first(i) + 2)
                    || (w == "in"
                        && self.line_word(i) == "remove"
                        && i >= self.line_first(i) + 2
                        && !matches!(prev_text, "index" | "key"))
                    || (matches!(w, "throw" | "raise") && prev_text == "cancel") =>
            {
                let meant = match w {
                    "to" => "with",
                    "in" => "from",
                    _ => "fail",
                };
                self.replace(i, meant, written(w, meant));
            }
            // `thread retention: 1d`, `version: 2`, `correlated by = key`
            (Kind::Punct, p @ (":" | "="))
                if i > 0 && next_same_line && self.needless_sign(i, p, prev_text) =>
            {
                let n = next.clone().expect("value");
                let s = self.toks[i - 1].end;
                self.push(
                    (t.start, t.end),
                    NearMiss::NotNeeded {
                        found: p.to_string(),
                        example: format!("{prev_text} {}", n.text),
                    },
                    vec![(s, t.end, String::new())],
                );
            }
            // `fail n "m", value`
            (Kind::Punct, ",")
                if self.line_word(i) == "fail"
                    && prev.as_ref().is_some_and(|p| p.kind == Kind::Str)
                    && next_same_line =>
            {
                self.replace(i, " with", written(",", "with"));
            }
            // `spawn t(box = 1)`, `run w(x = 1)`
            (Kind::Punct, "=")
                if i >= 2
                    && matches!(self.toks[i - 2].text, "(" | ",")
                    && prev.as_ref().is_some_and(|p| p.kind == Kind::Word)
                    && (self.line_has_before(i, "spawn") || self.line_has_before(i, "run")) =>
            {
                self.replace(i, ":", written("=", ":"));
            }
            // `run w(...) id "x"`
            (Kind::Word, "id")
                if prev_text == ")"
                    && self.line_has_before(i, "run")
                    && next.as_ref().is_some_and(|n| !n.line_start) =>
            {
                self.push(
                    (t.start, t.end),
                    NearMiss::Missing {
                        text: "with".into(),
                        example: format!("with id {next_text}"),
                    },
                    vec![(t.start, t.start, "with ".into())],
                );
            }
            _ => {}
        }
    }

    /// `wait for t`, `on event e {`, `emit e with v`, `emit e(v)`, `fail n, "m"`,
    /// `fail("message")`.
    fn needless_word(&mut self, i: usize, w: &str) {
        let tok = |k: usize| self.tok(k).cloned();
        let (Some(a), Some(b)) = (tok(i + 1), tok(i + 2)) else {
            return;
        };
        if a.line_start || b.line_start {
            return;
        }
        let (drop, example) = match (w, a.text, b.text) {
            ("wait", "for", _) if b.kind == Kind::Word && b.text != "each" => {
                (i + 1, format!("wait {}", b.text))
            }
            ("on", "event", _)
                if b.kind == Kind::Word
                    && tok(i + 3).is_some_and(|n| matches!(n.text, "{" | "(")) =>
            {
                (i + 1, format!("on {} {{", b.text))
            }
            ("emit", _, "with") if a.kind == Kind::Word => {
                let Some(v) = tok(i + 3).filter(|v| !v.line_start) else {
                    return;
                };
                (i + 2, format!("emit {} {}", a.text, v.text))
            }
            ("emit", _, "(") if a.kind == Kind::Word && b.start == a.end => {
                let Some(close) = self.closing(i + 2) else {
                    return;
                };
                if close == i + 3 || self.tok(close + 1).is_some_and(|n| !n.line_start) {
                    return;
                }
                let inner = self.text_of(i + 3, close - 1).to_string();
                let example = format!("emit {} {inner}", a.text);
                let (s, e) = (b.start, self.toks[close].end);
                self.push(
                    (s, e),
                    NearMiss::ValueInParens {
                        keyword: "emit",
                        example,
                    },
                    vec![(s, e, format!(" {inner}"))],
                );
                return;
            }
            ("fail", _, "(") if a.kind == Kind::Word && b.start == a.end => {
                let Some(close) = self.closing(i + 2) else {
                    return;
                };
                if close != i + 4 || self.toks[i + 3].kind != Kind::Str {
                    return;
                }
                let msg = self.toks[i + 3].text.to_string();
                let example = format!("fail {} {msg}", a.text);
                let (s, e) = (b.start, self.toks[close].end);
                self.push(
                    (b.start, b.end),
                    NearMiss::ValueInParens {
                        keyword: "fail",
                        example,
                    },
                    vec![(s, e, format!(" {msg}"))],
                );
                return;
            }
            ("fail", _, ",") if a.kind == Kind::Word => {
                let Some(m) = tok(i + 3).filter(|m| m.kind == Kind::Str) else {
                    return;
                };
                (i + 2, format!("fail {} {}", a.text, m.text))
            }
            ("fail", "(", _) if b.kind == Kind::Str && a.start == self.toks[i].end => {
                if !self.is(i + 3, ")") {
                    return;
                }
                let name = super::kebab(b.text);
                let (s, e) = (a.start, self.toks[i + 3].end);
                self.push(
                    (a.start, a.end),
                    NearMiss::FailWithoutName {
                        name: name.clone(),
                        message: b.text.to_string(),
                    },
                    vec![(s, e, format!(" {name} {}", b.text))],
                );
                return;
            }
            _ => return,
        };
        // The word goes with the space before it.
        let d = self.toks[drop].clone();
        let s = self.toks[drop - 1].end;
        self.push(
            (d.start, d.end),
            NearMiss::NotNeeded {
                found: d.text.to_string(),
                example,
            },
            vec![(s, d.end, String::new())],
        );
    }

    /// Parameters of a task declaration written as elsewhere.
    fn task_params(&mut self, i: usize, w: &str) {
        let tok = |k: usize| self.tok(k).cloned();
        let prev_text = i.checked_sub(1).map_or("", |p| self.toks[p].text);
        // `(double amount,`
        if matches!(prev_text, "(" | ",")
            && is_type_word(w)
            && tok(i + 1)
                .is_some_and(|n| n.kind == Kind::Word && !n.line_start && !is_type_word(n.text))
            && tok(i + 2).is_some_and(|n| matches!(n.text, "," | ")"))
        {
            let n = tok(i + 1).expect("name");
            let ty = super::canonical_type(w);
            let fixed = format!("{}: {ty}", n.text);
            let t = self.toks[i].clone();
            self.push(
                (t.start, n.end),
                NearMiss::ParamTypeFirst {
                    name: n.text.to_string(),
                    ty: ty.to_string(),
                },
                vec![(t.start, n.end, fixed)],
            );
            return;
        }
        // `x: str maskd`
        if i >= 1
            && is_type_word(prev_text)
            && tok(i + 1).is_some_and(|n| matches!(n.text, "," | ")"))
            && let Some(kw) = misspelt(w, &["masked"])
        {
            self.replace(
                i,
                kw,
                NearMiss::MisspeltKeyword {
                    found: w.to_string(),
                    meant: kw,
                    kind: KeywordKind::VariableModifier,
                },
            );
            return;
        }
        // `x: str = "a"`
        if is_type_word(w)
            && tok(i + 1).is_some_and(|n| n.text == "=")
            && tok(i + 2).is_some_and(|n| !n.line_start)
            && tok(i + 3).is_some_and(|n| matches!(n.text, "," | ")"))
        {
            let (s, e) = (self.toks[i].end, self.toks[i + 2].end);
            let at = self.toks[i + 1].start;
            self.push((at, e), NearMiss::ParamDefault, vec![(s, e, String::new())]);
        }
    }

    /// `:` after `version` or `id` (of `ask` or `run`) or after `thread retention`, `=`
    /// after `correlated by`.
    fn needless_sign(&self, i: usize, sign: &str, prev: &str) -> bool {
        let step = self.line_has_before(i, "ask") || self.line_has_before(i, "run");
        match sign {
            ":" => {
                (matches!(prev, "version" | "id") && step)
                    || (prev == "retention" && matches!(self.line_word(i), "thread" | "default"))
            }
            _ => prev == "by",
        }
    }

    /// Token `i` ends a JSON member's value or a list item.
    fn json_member_end(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| {
            matches!(t.kind, Kind::Str | Kind::Number)
                || matches!(t.text, "true" | "false" | "null" | "}" | "]")
        })
    }

    /// Token `i` is inside a `[` opened earlier on its line and not closed before it.
    fn in_list(&self, i: usize) -> bool {
        let mut depth: i32 = 0;
        for t in &self.toks[self.line_first(i)..i] {
            match t.text {
                "[" => depth += 1,
                "]" => depth -= 1,
                _ => {}
            }
        }
        depth > 0 && self.line_has_before(i, "=")
    }
}

/// `1h` and `30m` written together, as one duration in the larger unit that holds both.
fn compound_duration(a: &str, b: &str) -> Option<String> {
    let seconds = |d: &str| -> Option<(u64, u64)> {
        let i = d.find(|c: char| !c.is_ascii_digit())?;
        let n: u64 = d[..i].parse().ok()?;
        let unit = match &d[i..] {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => return None,
        };
        Some((n.checked_mul(unit)?, unit))
    };
    let ((x, ux), (y, uy)) = (seconds(a)?, seconds(b)?);
    if uy >= ux {
        return None;
    }
    let total = x.checked_add(y)?;
    let (n, u) = [(86400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        .into_iter()
        .find(|(f, _)| total.is_multiple_of(*f))?;
    Some(format!("{}{u}", total / n))
}

/// The byte offset (in the string token `s`) of a `{` hole that is never closed.
fn unclosed_hole(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    let mut open = None;
    while i + 1 < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' if b.get(i + 1) == Some(&b'{') && open.is_none() => i += 1,
            b'}' if b.get(i + 1) == Some(&b'}') && open.is_none() => i += 1,
            b'{' if open.is_none() => open = Some(i),
            b'}' => open = None,
            _ => {}
        }
        i += 1;
    }
    open
}

#[cfg(test)]
mod tests {
    use super::{compound_duration, unclosed_hole};

    #[test]
    fn durations_in_two_units_add_up() {
        assert_eq!(compound_duration("1h", "30m").as_deref(), Some("90m"));
        assert_eq!(compound_duration("1d", "12h").as_deref(), Some("36h"));
        assert_eq!(compound_duration("30m", "1h"), None);
    }

    /// Every pattern of this file, on text cut anywhere: the finder never panics.
    #[test]
    fn cut_habits_never_panic() {
        let text = "task t(double a, x: str = \"a\", c: str maskd) -> str\nstruct s { city str }\nworkflow w {\n  var n int = 0\n  var m: int: 0\n  input o: str? optional\n  input q: [str]\n  input r: dict<str, int>\n  if not a is not null and not b =< c {\n  } else x =! 1 {\n  }\n  n =+ 1\n  n = a ^ 2\n  ++n\n  let t = spawn {\n  }\n  wait for t\n  on event e: {\n  }\n  emit e(v)\n  emit e with v\n  fail n, \"m\"\n  fail(\"m\")\n  fail n(\"m\")\n  return(v)\n  for i in xs {\n  }\n  spawn s for each i of xs {\n  }\n  try {\n    t()\n  } catch (Exception e) {\n  }\n  r: 1\n  default task retries = 3\n  let p = awiat e within 2d timeout: 1d correlate by k\n  let d = ask f user \"a\" to users \"b\" notes: \"n\" reassign group \"g\" cancel in 3d\n  -- c\n  t(f\"x\", `y ${z}`, (int) a.b, a: 1)\n  h = address(city: 1)\n  h = new address(city: 1)\n  h = address { city: \"x {y\" }\n  o = {\"a\": 1 \"b\": 2, \"c\" => .5}\n  l = [1 2 1e3]\n  sleep 1h30m\n  t() timeout 30S catch error: timeout {\n  }\n  if (a > 1 {\n  }\n  wait until a = 1\n  var p: json-obj searchable on \"$.x\"\n}";
        for (i, _) in text.char_indices() {
            let _ = super::super::find(&text[..i], 0);
            let _ = super::super::find(&text[i..], i);
        }
        assert!(super::super::find(text, 0).len() >= 8);
    }

    #[test]
    fn holes_left_open_are_found() {
        assert_eq!(unclosed_hole("\"paid {amount\""), Some(6));
        assert_eq!(unclosed_hole("\"paid {amount}\""), None);
        assert_eq!(unclosed_hole("\"{{literal\""), None);
        assert_eq!(unclosed_hole("\"\\{x\""), None);
    }
}
