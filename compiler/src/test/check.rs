//! Checking a test file against the declarations of the workflow files it uses: every
//! name resolves, every value is a constant of the type its place expects. Produces the
//! [`TestPlan`].

use super::ast::{self, AnswerKind, Expect, StepKind as AstStep};
use super::plan::{
    Answer, Expectation, Mock, RunStatus, Step, StepKind, TestCase, TestPlan, UserTaskState,
};
use super::problems::{TestProblem, UnknownHint, UnknownName, ValuePlace};
use crate::ast::{Expr, ExprKind, Name};
use crate::check::names::closest;
use crate::check::types::{Ty, assignable};
use crate::check::{Model, constant_type, non_constant};
use crate::diag::Diagnostic;
use crate::lower::values::constant_value;
use crate::source::Span;
use lhw_proto::littlehorse::VariableValue;
use std::collections::{BTreeMap, BTreeSet};

/// Checks `file` against `model` (the merged declarations of the files it uses).
#[must_use]
pub fn check_test_file(file: &ast::TestFile, model: &Model) -> (TestPlan, Vec<Diagnostic>) {
    let mut cx = Cx {
        model,
        diags: Vec::new(),
    };
    let mut plan = TestPlan::default();
    if file.unparsed {
        return (plan, cx.diags);
    }
    if model.workflows.is_empty() {
        let span = file.uses.first().map_or(Span::new(0, 0), |u| u.span);
        cx.problem(TestProblem::NoWorkflow { span });
        return (plan, cx.diags);
    }
    let mut names: BTreeMap<&str, Span> = BTreeMap::new();
    for case in &file.cases {
        if let Some(first) = names.insert(&case.name, case.name_span) {
            cx.problem(TestProblem::DuplicateTestName {
                name: case.name.clone(),
                span: case.name_span,
                first,
            });
        }
        if let Some(c) = cx.case(case) {
            plan.cases.push(c);
        }
    }
    (plan, cx.diags)
}

struct Cx<'m> {
    model: &'m Model,
    diags: Vec<Diagnostic>,
}

/// A value's place: what it is and the type it must have.
struct Place<'a> {
    what: ValuePlace,
    ty: &'a Ty,
}

impl Cx<'_> {
    fn problem(&mut self, problem: TestProblem) {
        self.diags.push(problem.diagnostic());
    }

    fn case(&mut self, case: &ast::Case) -> Option<TestCase> {
        let wf = &case.workflow;
        let Some(vars) = self.model.workflows.get(&wf.text) else {
            self.unknown(
                UnknownName::Workflow,
                wf,
                self.model.workflows.keys().map(String::as_str),
            );
            return None;
        };
        let vars: BTreeMap<&str, (&Ty, bool)> = vars
            .iter()
            .map(|(n, t, req)| (n.as_str(), (t, *req)))
            .collect();
        let mut out = TestCase {
            name: case.name.clone(),
            workflow: wf.text.clone(),
            span: case.name_span,
            mocks: Vec::new(),
            steps: Vec::new(),
        };
        let mut started: Option<Span> = None;
        let mut mocked: BTreeMap<(String, String), Span> = BTreeMap::new();
        for step in &case.steps {
            let kind = match &step.kind {
                AstStep::Mock {
                    task,
                    args,
                    answers,
                } => {
                    if let Some(m) = self.mock(task, args.as_deref(), answers, step.span) {
                        let key = (m.task.clone(), format!("{:?}", m.args));
                        if let Some(first) = mocked.insert(key, step.span) {
                            self.problem(TestProblem::MockedTwice {
                                task: m.task.clone(),
                                span: step.span,
                                first,
                            });
                        }
                        out.mocks.push(m);
                    }
                    continue;
                }
                AstStep::Start(inputs) => {
                    if let Some(first) = started.replace(step.span) {
                        self.problem(TestProblem::StartedTwice {
                            span: step.span,
                            first,
                        });
                        continue;
                    }
                    StepKind::Start(self.start(inputs, &vars, &wf.text, step.span))
                }
                other => {
                    if started.is_none() {
                        started = Some(step.span);
                        if let Some(missing) = vars
                            .iter()
                            .find(|(_, (_, req))| *req)
                            .map(|(n, _)| n.to_string())
                        {
                            self.problem(TestProblem::StartsWithoutInput {
                                input: missing,
                                span: step.span,
                            });
                        }
                    }
                    match self.step(other, &vars) {
                        Some(k) => k,
                        None => continue,
                    }
                }
            };
            out.steps.push(Step {
                kind,
                span: step.span,
            });
        }
        Some(out)
    }

    fn start(
        &mut self,
        inputs: &[(Name, Expr)],
        vars: &BTreeMap<&str, (&Ty, bool)>,
        workflow: &str,
        span: Span,
    ) -> BTreeMap<String, VariableValue> {
        let mut values = BTreeMap::new();
        for (name, expr) in inputs {
            let Some((ty, _)) = vars.get(name.text.as_str()) else {
                self.unknown(UnknownName::Input, name, vars.keys().copied());
                continue;
            };
            let what = ValuePlace::Input(name.text.clone());
            if let Some(v) = self.value(expr, &Place { what, ty }) {
                values.insert(name.text.clone(), v);
            }
        }
        for (name, (_, required)) in vars {
            if *required
                && !values.contains_key(*name)
                && !inputs.iter().any(|(n, _)| n.text == *name)
            {
                self.problem(TestProblem::StartMissingInput {
                    workflow: workflow.to_string(),
                    input: name.to_string(),
                    span,
                });
            }
        }
        values
    }

    fn mock(
        &mut self,
        task: &Name,
        args: Option<&[Expr]>,
        answers: &[ast::Answer],
        span: Span,
    ) -> Option<Mock> {
        let sig = self.task_sig(task)?;
        let (params, ret) = (sig.params, sig.ret);
        let args = args.map(|a| self.args(task, a, &params));
        let mut out = Vec::new();
        for answer in answers {
            out.push(match &answer.kind {
                AnswerKind::Returns(None) => Answer::Returns(None),
                AnswerKind::Returns(Some(e)) => match &ret {
                    None => {
                        self.problem(TestProblem::ReturnsForVoidTask {
                            task: task.text.clone(),
                            span: e.span,
                        });
                        Answer::Returns(None)
                    }
                    Some(ty) => {
                        let what = ValuePlace::Output {
                            task: task.text.clone(),
                        };
                        Answer::Returns(self.value(e, &Place { what, ty }))
                    }
                },
                AnswerKind::Fails(msg) => Answer::Fails(
                    msg.as_ref()
                        .and_then(crate::ast::StrLit::as_plain)
                        .unwrap_or_else(|| format!("{} failed (mocked)", task.text)),
                ),
                AnswerKind::Throws {
                    name,
                    message,
                    content,
                } => Answer::Throws {
                    name: name.text.clone(),
                    message: message
                        .as_ref()
                        .and_then(crate::ast::StrLit::as_plain)
                        .unwrap_or_default(),
                    content: content.as_ref().and_then(|c| {
                        self.value(
                            c,
                            &Place {
                                what: ValuePlace::ExceptionContent,
                                ty: &Ty::Any,
                            },
                        )
                    }),
                },
                AnswerKind::TimesOut => Answer::TimesOut,
            });
        }
        Some(Mock {
            task: task.text.clone(),
            args: args.flatten(),
            answers: out,
            span,
        })
    }

    /// Task arguments: as many as the task takes, each of its parameter's type.
    fn args(
        &mut self,
        task: &Name,
        args: &[Expr],
        params: &[(String, Ty)],
    ) -> Option<Vec<VariableValue>> {
        if args.len() != params.len() {
            let span = args
                .first()
                .zip(args.last())
                .map_or(task.span, |(a, b)| a.span.to(b.span));
            self.problem(TestProblem::TaskArity {
                task: task.text.clone(),
                params: params.to_vec(),
                given: args.len(),
                span,
            });
            return None;
        }
        let mut out = Vec::new();
        for (e, (name, ty)) in args.iter().zip(params) {
            let what = ValuePlace::Argument {
                param: name.clone(),
                task: task.text.clone(),
            };
            out.push(self.value(e, &Place { what, ty })?);
        }
        Some(out)
    }

    fn step(&mut self, step: &AstStep, vars: &BTreeMap<&str, (&Ty, bool)>) -> Option<StepKind> {
        Some(match step {
            AstStep::Start(_) | AstStep::Mock { .. } => return None,
            AstStep::Advance(ms) => StepKind::Advance(*ms),
            AstStep::Send {
                event,
                key,
                content,
            } => {
                let Some(payload) = self.model.events.get(&event.text) else {
                    self.unknown(
                        UnknownName::Event,
                        event,
                        self.model.events.keys().map(String::as_str),
                    );
                    return None;
                };
                let payload = payload.clone().unwrap_or(Ty::Any);
                let key = match key {
                    Some(k) => Some(self.text_value(k, ValuePlace::CorrelationKey)?),
                    None => None,
                };
                let what = ValuePlace::Content {
                    event: event.text.clone(),
                };
                let content = match content {
                    Some(c) => Some(self.value(c, &Place { what, ty: &payload })?),
                    None => None,
                };
                StepKind::Send {
                    event: event.text.clone(),
                    key,
                    content,
                }
            }
            AstStep::Complete { form, fields, by } => {
                let Some(form_fields) = self.model.user_tasks.get(&form.text).cloned() else {
                    self.unknown_form(form);
                    return None;
                };
                let mut values = BTreeMap::new();
                if let Some(f) = fields {
                    let ExprKind::JsonObj(members) = &f.kind else {
                        self.problem(TestProblem::CompleteNotObject {
                            form: form.text.clone(),
                            span: f.span,
                        });
                        return None;
                    };
                    for (key, value) in members {
                        let Some((_, ty)) = form_fields.iter().find(|(n, _)| n == key) else {
                            self.problem(TestProblem::UnknownFormField {
                                form: form.text.clone(),
                                field: key.clone(),
                                span: value.span,
                                suggestion: closest(
                                    key,
                                    form_fields.iter().map(|(n, _)| n.as_str()),
                                )
                                .map(str::to_string),
                            });
                            continue;
                        };
                        let what = ValuePlace::Field(key.clone());
                        if let Some(v) = self.value(value, &Place { what, ty }) {
                            values.insert(key.clone(), v);
                        }
                    }
                }
                let by = match by {
                    Some(b) => self.text_value(b, ValuePlace::User)?,
                    None => String::new(),
                };
                StepKind::Complete {
                    form: form.text.clone(),
                    fields: values,
                    by,
                }
            }
            AstStep::Assign { form, user, group } => {
                if !self.model.user_tasks.contains_key(&form.text) {
                    self.unknown_form(form);
                    return None;
                }
                let user = match user {
                    Some(u) => Some(self.text_value(u, ValuePlace::User)?),
                    None => None,
                };
                let group = match group {
                    Some(g) => Some(self.text_value(g, ValuePlace::Group)?),
                    None => None,
                };
                StepKind::Assign {
                    form: form.text.clone(),
                    user,
                    group,
                }
            }
            AstStep::Cancel(form) => {
                if !self.model.user_tasks.contains_key(&form.text) {
                    self.unknown_form(form);
                    return None;
                }
                StepKind::Cancel(form.text.clone())
            }
            AstStep::Expect(e) => StepKind::Expect(self.expect(e, vars)?),
        })
    }

    fn expect(&mut self, e: &Expect, vars: &BTreeMap<&str, (&Ty, bool)>) -> Option<Expectation> {
        Some(match e {
            Expect::Var { name, value } => {
                let Some((ty, _)) = vars.get(name.text.as_str()) else {
                    self.unknown(UnknownName::Variable, name, vars.keys().copied());
                    return None;
                };
                let what = ValuePlace::Variable(name.text.clone());
                Expectation::Var {
                    name: name.text.clone(),
                    value: self.value(value, &Place { what, ty })?,
                }
            }
            Expect::Called { task, args, times } => {
                let params = self.task_sig(task)?.params;
                let args = match args {
                    Some(a) => Some(self.args(task, a, &params)?),
                    None => None,
                };
                Expectation::Called {
                    task: task.text.clone(),
                    args,
                    times: *times,
                }
            }
            Expect::Path(steps) => {
                let mut out = Vec::new();
                for s in steps {
                    let known = self.model.tasks.contains_key(&s.text)
                        || self.model.user_tasks.contains_key(&s.text)
                        || self.model.events.contains_key(&s.text);
                    if !known {
                        let candidates: BTreeSet<&str> = self
                            .model
                            .tasks
                            .keys()
                            .chain(self.model.user_tasks.keys())
                            .chain(self.model.events.keys())
                            .map(String::as_str)
                            .collect();
                        self.unknown(UnknownName::PathStep, s, candidates);
                        return None;
                    }
                    out.push(s.text.clone());
                }
                Expectation::Path(out)
            }
            Expect::Emitted { event, value } => {
                let Some(payload) = self.model.workflow_events.get(&event.text) else {
                    self.unknown(
                        UnknownName::WorkflowEvent,
                        event,
                        self.model.workflow_events.keys().map(String::as_str),
                    );
                    return None;
                };
                let payload = payload.clone().unwrap_or(Ty::Any);
                let what = ValuePlace::Content {
                    event: event.text.clone(),
                };
                let value = match value {
                    Some(v) => Some(self.value(v, &Place { what, ty: &payload })?),
                    None => None,
                };
                Expectation::Emitted {
                    event: event.text.clone(),
                    value,
                }
            }
            Expect::UserTask { form, state } => {
                if !self.model.user_tasks.contains_key(&form.text) {
                    self.unknown_form(form);
                    return None;
                }
                let Some(s) = UserTaskState::ALL
                    .into_iter()
                    .find(|s| s.word() == state.text)
                else {
                    self.unknown(
                        UnknownName::UserTaskState,
                        state,
                        UserTaskState::ALL.iter().map(|s| s.word()),
                    );
                    return None;
                };
                Expectation::UserTask {
                    form: form.text.clone(),
                    state: s,
                }
            }
            Expect::Status { status, failure } => {
                let Some(s) = RunStatus::ALL.into_iter().find(|s| s.word() == status.text) else {
                    self.unknown(
                        UnknownName::Expectation,
                        status,
                        RunStatus::ALL.iter().map(|s| s.word()).chain([
                            "var",
                            "called",
                            "path",
                            "emitted",
                            "user-task",
                        ]),
                    );
                    return None;
                };
                if let Some(f) = failure
                    && !matches!(s, RunStatus::Error | RunStatus::Exception)
                {
                    self.problem(TestProblem::FailureOnStatus {
                        status: s,
                        span: f.span,
                    });
                    return None;
                }
                Expectation::Status {
                    status: s,
                    failure: failure.as_ref().map(|f| f.text.clone()),
                }
            }
        })
    }

    /// A constant of the place's type, converted as LittleHorse converts it.
    fn value(&mut self, e: &Expr, place: &Place<'_>) -> Option<VariableValue> {
        let e = fold_negative(e);
        if let Some(span) = non_constant(&e) {
            self.problem(TestProblem::NotConstant {
                place: place.what.clone(),
                span,
            });
            return None;
        }
        // As in a `.lhw` default: `bytes` as base64 text, a `timestamp` as an RFC 3339
        // date-time or an int of epoch milliseconds, a `wf-run-id` as LittleHorse prints it.
        match crate::lower::encoded_constant(&e, place.ty) {
            Some(Ok(v)) => return Some(v),
            Some(Err(why)) => {
                self.problem(TestProblem::NotEncodedConstant {
                    place: place.what.clone(),
                    ty: place.ty.clone(),
                    why,
                    span: e.span,
                });
                return None;
            }
            None => {}
        }
        let ty = if matches!(e.kind, ExprKind::Null) {
            Ty::Null
        } else {
            constant_type(&e)
        };
        if ty != Ty::Null && !assignable(&ty, place.ty) && !struct_from_json(&ty, place.ty) {
            self.problem(TestProblem::WrongType {
                place: place.what.clone(),
                expected: place.ty.clone(),
                found: ty,
                span: e.span,
            });
            return None;
        }
        Some(constant_value(&e, place.ty, &self.model.structs))
    }

    /// A constant string (a user, group or correlation key).
    fn text_value(&mut self, e: &Expr, what: ValuePlace) -> Option<String> {
        let v = self.value(e, &Place { what, ty: &Ty::STR })?;
        match v.value {
            Some(lhw_proto::littlehorse::variable_value::Value::Str(s)) => Some(s),
            _ => Some(String::new()),
        }
    }

    /// The parameters and output type of a declared task (E0402 when it is not).
    fn task_sig(&mut self, task: &Name) -> Option<crate::check::TaskSig> {
        let Some(sig) = self.model.tasks.get(&task.text) else {
            self.unknown(
                UnknownName::Task,
                task,
                self.model.tasks.keys().map(String::as_str),
            );
            return None;
        };
        Some(sig.clone())
    }

    fn unknown_form(&mut self, form: &Name) {
        self.unknown(
            UnknownName::UserTask,
            form,
            self.model.user_tasks.keys().map(String::as_str),
        );
    }

    fn unknown<'a>(
        &mut self,
        what: UnknownName,
        name: &Name,
        candidates: impl IntoIterator<Item = &'a str>,
    ) {
        let candidates: Vec<&str> = candidates.into_iter().collect();
        let hint = match closest(&name.text, candidates.iter().copied()) {
            Some(s) => UnknownHint::DidYouMean(s.to_string()),
            None if candidates.is_empty() => UnknownHint::NoneDeclared,
            None => UnknownHint::Known(candidates.iter().map(|c| c.to_string()).collect()),
        };
        self.problem(TestProblem::Unknown {
            what,
            name: name.text.clone(),
            span: name.span,
            hint,
        });
    }
}

/// A JSON object literal given for a struct.
fn struct_from_json(src: &Ty, dst: &Ty) -> bool {
    matches!(
        (src, dst),
        (Ty::Prim(crate::ast::Prim::JsonObj), Ty::Struct(_))
    )
}

/// `-5` and `-2.5` as the constants they are.
fn fold_negative(e: &Expr) -> Expr {
    match &e.kind {
        ExprKind::Neg(inner) => match &inner.kind {
            ExprKind::Int(i) => Expr {
                kind: ExprKind::Int(-i),
                span: e.span,
            },
            ExprKind::Double(d) => Expr {
                kind: ExprKind::Double(-d),
                span: e.span,
            },
            _ => e.clone(),
        },
        ExprKind::JsonArr(items) => Expr {
            kind: ExprKind::JsonArr(items.iter().map(fold_negative).collect()),
            span: e.span,
        },
        ExprKind::JsonObj(members) => Expr {
            kind: ExprKind::JsonObj(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), fold_negative(v)))
                    .collect(),
            ),
            span: e.span,
        },
        _ => e.clone(),
    }
}
