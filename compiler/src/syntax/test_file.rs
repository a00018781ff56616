//! Parsing test files (`*.test.lhw`, rule `test_file`) into [`crate::test::ast`]. Values
//! are ordinary expressions, built by the same code as in workflows.

use lhw_grammar::pest::Parser;
use lhw_grammar::pest::iterators::Pair;
use lhw_grammar::{LhwParser, Rule};

use super::Cx;
use super::errors::{Level, syntax_error};
use crate::ast::{Expr, Name};
use crate::diag::Diagnostic;
use crate::test::ast::{Answer, AnswerKind, Case, Expect, Step, StepKind, TestFile, Use};

/// Parses a test file. A syntax error is reported once (E0001, with what was expected
/// there), and the file is then empty and marked `unparsed`.
#[must_use]
pub fn parse_test_file(text: &str) -> (TestFile, Vec<Diagnostic>) {
    let mut cx = Cx {
        text,
        offset: 0,
        diags: Vec::new(),
        depth: 0,
        block_depth: 0,
        too_deep_reported: false,
        lh_too_deep: None,
    };
    // As in `parse_chunk`: nesting beyond any program's is refused before pest recurses
    // into it (which would overflow the stack).
    if let Some(at) = super::trivia::too_deep(text) {
        let file = TestFile {
            unparsed: true,
            ..TestFile::default()
        };
        return (file, vec![super::trivia::too_deep_diag(at)]);
    }
    if let Some((at, count)) = super::trivia::too_many_unclosed(text) {
        let file = TestFile {
            unparsed: true,
            ..TestFile::default()
        };
        return (file, vec![super::trivia::too_many_unclosed_diag(at, count)]);
    }
    let file = match LhwParser::parse(Rule::test_file, text) {
        Ok(mut pairs) => pairs.next().map(|p| cx.test_file(p)).unwrap_or_default(),
        Err(_) => {
            // Re-parse with error details for the "expected ..." message.
            if let Err(err) = super::strict_parse(Rule::test_file, text) {
                let diag = syntax_error(text, 0, text, &err, Level::Stmt).diag;
                cx.diags.push(diag.with_help(
                    "a test file holds `use \"FILE.lhw\"` lines and `test \"name\" for WORKFLOW { ... }` blocks, \
                     whose steps are `start`, `mock`, `advance`, `send`, `complete`, `assign`, `cancel` and `expect` \
                     (docs/testing.md)",
                ));
            }
            TestFile {
                unparsed: true,
                ..TestFile::default()
            }
        }
    };
    (file, cx.diags)
}

impl Cx<'_> {
    fn test_file(&mut self, pair: Pair<'_, Rule>) -> TestFile {
        let mut file = TestFile::default();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::test_use => {
                    if let Some(s) = p.into_inner().find(|q| q.as_rule() == Rule::string) {
                        let lit = self.string(s);
                        file.uses.push(Use {
                            path: lit.as_plain().unwrap_or_default(),
                            span: lit.span,
                        });
                    }
                }
                Rule::test_case => file.cases.push(self.test_case(p)),
                _ => {}
            }
        }
        file
    }

    fn test_case(&mut self, pair: Pair<'_, Rule>) -> Case {
        let span = self.span(&pair);
        let mut name = String::new();
        let mut name_span = span;
        let mut workflow = Name {
            text: String::new(),
            span,
        };
        let mut steps = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => {
                    let lit = self.string(p);
                    name = lit.as_plain().unwrap_or_default();
                    name_span = lit.span;
                }
                Rule::ident => workflow = self.name(&p),
                Rule::kw_test | Rule::kw_for => {}
                _ => steps.push(self.test_step(p)),
            }
        }
        Case {
            name,
            name_span,
            workflow,
            steps,
            span,
        }
    }

    fn test_step(&mut self, pair: Pair<'_, Rule>) -> Step {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let inner: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
        let kind = match rule {
            Rule::t_start => StepKind::Start(
                inner
                    .iter()
                    .filter(|p| p.as_rule() == Rule::t_named_args)
                    .flat_map(|p| p.clone().into_inner())
                    .filter_map(|arg| {
                        let mut it = arg.into_inner();
                        let name = self.name(&it.next()?);
                        let value = self.expr(it.next()?);
                        Some((name, value))
                    })
                    .collect(),
            ),
            Rule::t_mock => {
                let mut task = None;
                let mut args = None;
                let mut answers = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => task = Some(self.name(&p)),
                        Rule::t_arg_list => args = Some(self.test_args(p)),
                        Rule::kw_mock | Rule::kw_then => {}
                        _ => answers.push(self.answer(p)),
                    }
                }
                StepKind::Mock {
                    task: task.unwrap_or_else(|| missing_name(span)),
                    args,
                    answers,
                }
            }
            Rule::t_advance => {
                let d = inner.iter().find(|p| p.as_rule() == Rule::duration);
                let ms = d.map_or(0, |d| {
                    let s = self.span(d);
                    self.duration(d.as_str(), s)
                });
                StepKind::Advance(ms)
            }
            Rule::t_send => {
                let mut event = missing_name(span);
                let mut key = None;
                let mut content = None;
                let mut after = Rule::kw_send;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => event = self.name(&p),
                        Rule::kw_correlated | Rule::kw_with | Rule::kw_send => after = p.as_rule(),
                        _ if after == Rule::kw_correlated => key = Some(self.expr(p)),
                        _ => content = Some(self.expr(p)),
                    }
                }
                StepKind::Send {
                    event,
                    key,
                    content,
                }
            }
            Rule::t_complete => {
                let mut form = missing_name(span);
                let mut fields = None;
                let mut by = None;
                let mut after = Rule::kw_complete;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => form = self.name(&p),
                        Rule::kw_with | Rule::kw_by | Rule::kw_complete => after = p.as_rule(),
                        _ if after == Rule::kw_by => by = Some(self.expr(p)),
                        _ => fields = Some(self.expr(p)),
                    }
                }
                StepKind::Complete { form, fields, by }
            }
            Rule::t_assign => {
                let mut form = missing_name(span);
                let (mut user, mut group) = (None, None);
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => form = self.name(&p),
                        Rule::ut_owner => (user, group) = self.owner(p),
                        _ => {}
                    }
                }
                StepKind::Assign { form, user, group }
            }
            Rule::t_cancel => StepKind::Cancel(
                inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::ident)
                    .map_or_else(|| missing_name(span), |p| self.name(p)),
            ),
            _ => StepKind::Expect(
                inner
                    .into_iter()
                    .find(|p| p.as_rule() != Rule::kw_expect)
                    .map_or_else(|| Expect::Path(Vec::new()), |p| self.expectation(p, span)),
            ),
        };
        Step { kind, span }
    }

    fn test_args(&mut self, pair: Pair<'_, Rule>) -> Vec<Expr> {
        pair.into_inner().map(|a| self.expr(a)).collect()
    }

    fn answer(&mut self, pair: Pair<'_, Rule>) -> Answer {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let inner: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
        let kind = match rule {
            Rule::t_returns => AnswerKind::Returns(
                inner
                    .into_iter()
                    .find(|p| p.as_rule() != Rule::kw_returns)
                    .map(|p| self.expr(p)),
            ),
            Rule::t_fails => AnswerKind::Fails(
                inner
                    .into_iter()
                    .find(|p| p.as_rule() == Rule::string)
                    .map(|p| self.string(p)),
            ),
            Rule::t_throws => {
                let mut name = missing_name(span);
                let mut message = None;
                let mut content = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => name = self.name(&p),
                        Rule::string => message = Some(self.string(p)),
                        Rule::kw_throws | Rule::kw_with => {}
                        _ => content = Some(self.expr(p)),
                    }
                }
                AnswerKind::Throws {
                    name,
                    message,
                    content,
                }
            }
            _ => AnswerKind::TimesOut,
        };
        Answer { kind, span }
    }

    fn expectation(&mut self, pair: Pair<'_, Rule>, span: Span) -> Expect {
        let rule = pair.as_rule();
        let inner: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
        let names: Vec<Name> = inner
            .iter()
            .filter(|p| matches!(p.as_rule(), Rule::ident | Rule::any_word))
            .map(|p| self.name(p))
            .collect();
        let first = names.first().cloned().unwrap_or_else(|| missing_name(span));
        let value = inner
            .iter()
            .find(|p| p.as_rule() == Rule::expr)
            .map(|p| self.expr(p.clone()));
        match rule {
            Rule::t_exp_var => Expect::Var {
                name: first,
                value: value.unwrap_or(crate::ast::Expr {
                    kind: crate::ast::ExprKind::Null,
                    span,
                }),
            },
            Rule::t_exp_called => {
                let args = inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::t_arg_list)
                    .map(|p| self.test_args(p.clone()));
                let times = inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::t_times)
                    .map(|t| {
                        let mut it = t.clone().into_inner();
                        match it.next().map(|w| (w.as_rule(), w.as_str().to_string())) {
                            Some((Rule::int, n)) => n.parse::<u32>().unwrap_or(u32::MAX),
                            Some((Rule::kw_once, _)) => 1,
                            _ => 0,
                        }
                    });
                Expect::Called {
                    task: first,
                    args,
                    times,
                }
            }
            Rule::t_exp_path => Expect::Path(names),
            Rule::t_exp_emitted => Expect::Emitted {
                event: first,
                value,
            },
            Rule::t_exp_user_task => Expect::UserTask {
                form: first,
                state: names.get(1).cloned().unwrap_or_else(|| missing_name(span)),
            },
            _ => Expect::Status {
                status: first,
                failure: names.get(1).cloned(),
            },
        }
    }
}

use crate::source::Span;

fn missing_name(span: Span) -> Name {
    Name {
        text: String::new(),
        span,
    }
}
