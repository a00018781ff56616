//! The one place that turns a [`TestProblem`] into a [`Diagnostic`]: its message, labels,
//! help and fixes, written from the problem's data.

use std::fmt;

use super::problems::{TestProblem, UnknownHint, UnknownName, ValuePlace};
use crate::ast::Prim;
use crate::check::Ty;
use crate::diag::Diagnostic;

impl TestProblem {
    /// The diagnostic for this problem.
    pub fn diagnostic(self) -> Diagnostic {
        let code = self.code();
        match self {
            TestProblem::NoWorkflow { span } => {
                Diagnostic::error(code, span, "this test file has no workflow to test")
                    .with_label("no workflow declared in the files used here")
                    .with_help(
                        "name the workflow file with `use \"file.lhw\"`, or put the tests of `X.lhw` in `X.test.lhw` beside it",
                    )
            }
            TestProblem::UsedFileUnreadable { file, reason, span } => {
                Diagnostic::error(code, span, format!("cannot read {file}: {reason}"))
                    .with_label("used here")
                    .with_help("`use` paths are relative to the test file")
            }
            TestProblem::UsedFileHasErrors { file, span } => {
                Diagnostic::error(code, span, format!("{file} has errors"))
                    .with_label("its tests cannot run")
                    .with_help(format!("fix it first: `lhc check {file}`"))
            }
            TestProblem::DuplicateTestName { name, span, first } => {
                Diagnostic::error(code, span, format!("two tests are named \"{name}\""))
                    .with_label("second test with this name")
                    .with_secondary(first, "first test with this name")
                    .with_help("give every test of a file its own name")
            }
            TestProblem::MockedTwice { task, span, first } => Diagnostic::error(
                code,
                span,
                format!("`{task}` is mocked twice for the same calls"),
            )
            .with_label("this mock is never used")
            .with_secondary(first, "the first mock answers these calls")
            .with_help("list every answer in one mock: `returns A then returns B`"),
            TestProblem::StartedTwice { span, first } => {
                Diagnostic::error(code, span, "the run is started twice")
                    .with_label("second `start`")
                    .with_secondary(first, "started here")
                    .with_help(
                        "a test runs one workflow run; write another test for another run",
                    )
            }
            TestProblem::StartsWithoutInput { input, span } => Diagnostic::error(
                code,
                span,
                format!("the run starts without its required input `{input}`"),
            )
            .with_label("the run starts before this step")
            .with_help(format!("start the run first: `start({input}: ...)`")),
            TestProblem::StartMissingInput {
                workflow,
                input,
                span,
            } => Diagnostic::error(
                code,
                span,
                format!("`{workflow}` requires the input `{input}`"),
            )
            .with_label("started without it")
            .with_help(format!("pass it: `start({input}: ...)`")),
            TestProblem::Unknown {
                what,
                name,
                span,
                hint,
            } => {
                let kind = what.noun();
                let d = Diagnostic::error(code, span, format!("unknown {kind} `{name}`"))
                    .with_label(format!("no {kind} of this name"));
                match hint {
                    UnknownHint::DidYouMean(close) => d.did_you_mean(&close),
                    UnknownHint::NoneDeclared => d.with_help(format!(
                        "the files this test uses declare no {kind}; check its `use` lines"
                    )),
                    UnknownHint::Known(names) => {
                        d.with_help(format!("known: {}", names.join(", ")))
                    }
                }
            }
            TestProblem::ReturnsForVoidTask { task, span } => {
                Diagnostic::error(code, span, format!("`{task}` returns nothing"))
                    .with_label("a value for a task without output")
                    .with_help("write `returns` without a value")
            }
            TestProblem::CompleteNotObject { form, span } => {
                Diagnostic::error(code, span, "a user task is completed with its fields")
                    .with_label("not an object of fields")
                    .with_help(format!(
                        "write the fields as an object: `complete {form} with {{\"field\": value}}`"
                    ))
            }
            TestProblem::UnknownFormField {
                form,
                field,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("the form `{form}` has no field `{field}`"),
                )
                .with_label("unknown field");
                match suggestion {
                    Some(s) => d.did_you_mean(&s),
                    None => d,
                }
            }
            TestProblem::NotEncodedConstant {
                place,
                ty,
                why,
                span,
            } => {
                let example = match ty {
                    Ty::Prim(Prim::Bytes) => "base64 text, e.g. \"AQID\"",
                    Ty::Prim(Prim::Timestamp) => {
                        "a date-time such as \"2026-05-28T20:26:40Z\", or an int of milliseconds since 1970"
                    }
                    _ => "`id`, or `parent_child` for a child run",
                };
                Diagnostic::error(code, span, format!("{place} is not a {ty} constant"))
                    .with_label(why)
                    .with_help(format!("give a {ty}: {example}"))
            }
            TestProblem::WrongType {
                place,
                expected,
                found,
                span,
            } => Diagnostic::error(
                code,
                span,
                format!("{place} is a {expected}, not a {found}"),
            )
            .with_label(format!("a {found}"))
            .with_help(format!("give a {expected} value")),
            TestProblem::NotConstant { place, span } => {
                Diagnostic::error(code, span, format!("{place} must be a constant"))
                    .with_label("not a constant")
                    .with_help("tests give values as literals: numbers, strings, true/false, null, [..] and {..}")
            }
            TestProblem::TaskArity {
                task,
                params,
                given,
                span,
            } => Diagnostic::error(
                code,
                span,
                format!(
                    "`{task}` takes {} argument{}, but {given} {} given",
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    if given == 1 { "is" } else { "are" }
                ),
            )
            .with_label("wrong number of arguments")
            .with_help(format!(
                "`{task}` takes ({})",
                params
                    .iter()
                    .map(|(n, t)| format!("{n}: {t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            TestProblem::FailureOnStatus { status, span } => Diagnostic::error(
                code,
                span,
                format!("a {} run has no failure", status.word()),
            )
            .with_label("a failure name here")
            .with_help("only `expect error NAME` and `expect exception NAME` name a failure"),
        }
    }
}

impl UnknownName {
    /// What the name should have named, as a noun.
    fn noun(self) -> &'static str {
        match self {
            UnknownName::Workflow => "workflow",
            UnknownName::Task => "task",
            UnknownName::PathStep => "task, user task or event",
            UnknownName::Input => "input",
            UnknownName::Variable => "variable",
            UnknownName::Event => "event",
            UnknownName::WorkflowEvent => "workflow event",
            UnknownName::UserTask => "user task",
            UnknownName::UserTaskState => "user task state",
            UnknownName::Expectation => "expectation",
        }
    }
}

impl fmt::Display for ValuePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValuePlace::Input(name) => write!(f, "input `{name}`"),
            ValuePlace::Output { task } => write!(f, "the output of `{task}`"),
            ValuePlace::Argument { param, task } => write!(f, "argument `{param}` of `{task}`"),
            ValuePlace::Content { event } => write!(f, "the content of `{event}`"),
            ValuePlace::Field(key) => write!(f, "field `{key}`"),
            ValuePlace::Variable(name) => write!(f, "variable `{name}`"),
            ValuePlace::CorrelationKey => f.write_str("the correlation key"),
            ValuePlace::User => f.write_str("the user"),
            ValuePlace::Group => f.write_str("the group"),
            ValuePlace::ExceptionContent => f.write_str("the exception's content"),
        }
    }
}
