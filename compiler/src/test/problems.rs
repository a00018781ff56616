//! Problems of test files (`*.test.lhw`) as data: one typed value per kind of problem the
//! test checker finds (E04xx, W0020), before any sentence is written. `messages.rs` is the
//! one place that turns a problem into a diagnostic.
//!
//! The shape of `check/problems.rs` (one enum per phase, as Gleam has one error type per
//! phase): every problem maps to exactly one code of the registry (`diag/codes.rs`).

use crate::check::Ty;
use crate::diag::Code;
use crate::source::Span;

use super::plan::RunStatus;

/// One problem found in a test file (or in the files it uses).
#[derive(Debug, Clone, PartialEq)]
pub enum TestProblem {
    /// E0413: none of the files the test file uses declares a workflow.
    NoWorkflow { span: Span },
    /// E0413: a used file (`file`, as shown) that cannot be read, for `reason`.
    UsedFileUnreadable {
        file: String,
        reason: String,
        span: Span,
    },
    /// E0413: a used file (`file`, as shown) with errors.
    UsedFileHasErrors { file: String, span: Span },
    /// E0412: two tests of a file with one name.
    DuplicateTestName {
        name: String,
        span: Span,
        first: Span,
    },
    /// W0020: a task mocked twice for the same calls; `first` is the mock that answers.
    MockedTwice {
        task: String,
        span: Span,
        first: Span,
    },
    /// E0411: a second `start`; `first` is the first.
    StartedTwice { span: Span, first: Span },
    /// E0410: a step before any `start`, in a workflow with the required `input`.
    StartsWithoutInput { input: String, span: Span },
    /// E0410: a `start` without the required `input` of `workflow`.
    StartMissingInput {
        workflow: String,
        input: String,
        span: Span,
    },
    /// E0401, E0402, E0403, E0407, E0408, E0409: a name the files used do not declare
    /// (`what` says what it should name, and so the code).
    Unknown {
        what: UnknownName,
        name: String,
        span: Span,
        hint: UnknownHint,
    },
    /// E0404: a mocked answer with a value for a task without output.
    ReturnsForVoidTask { task: String, span: Span },
    /// E0404: `complete FORM with` something other than an object of fields.
    CompleteNotObject { form: String, span: Span },
    /// E0408: a field the form does not have; `suggestion` is a close field name.
    UnknownFormField {
        form: String,
        field: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// E0404: a str that does not encode a constant of `ty` (bytes, timestamp, wf-run-id);
    /// `why` is what the decoder said.
    NotEncodedConstant {
        place: ValuePlace,
        ty: Ty,
        why: String,
        span: Span,
    },
    /// E0404: a constant of type `found` where `expected` is needed.
    WrongType {
        place: ValuePlace,
        expected: Ty,
        found: Ty,
        span: Span,
    },
    /// E0405: a value that is not a constant.
    NotConstant { place: ValuePlace, span: Span },
    /// E0406: a task given the wrong number of arguments (`given`).
    TaskArity {
        task: String,
        params: Vec<(String, Ty)>,
        given: usize,
        span: Span,
    },
    /// E0409: a failure name after a status that has none.
    FailureOnStatus { status: RunStatus, span: Span },
}

/// What an unknown name of a test file should have named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownName {
    /// The workflow of `test "..." for W` (E0401).
    Workflow,
    /// A mocked or expected task (E0402).
    Task,
    /// A step of `expect path` (E0402).
    PathStep,
    /// An input given to `start` (E0403).
    Input,
    /// A variable of `expect var` (E0403).
    Variable,
    /// An event sent (E0407).
    Event,
    /// A workflow event of `expect emitted` (E0407).
    WorkflowEvent,
    /// A user task form (E0408).
    UserTask,
    /// The state of `expect user-task` (E0409).
    UserTaskState,
    /// The word after `expect` (E0409).
    Expectation,
}

/// What to suggest for an unknown name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownHint {
    /// A close name.
    DidYouMean(String),
    /// The files used declare nothing of the kind.
    NoneDeclared,
    /// Nothing close: the names known.
    Known(Vec<String>),
}

/// The place of a constant in a test, which says the type it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuePlace {
    /// An input given to `start`.
    Input(String),
    /// A mocked task's output.
    Output { task: String },
    /// An argument of a mocked or expected call.
    Argument { param: String, task: String },
    /// The content of a sent event or of an emitted workflow event.
    Content { event: String },
    /// A field given to `complete`.
    Field(String),
    /// The value of `expect var`.
    Variable(String),
    /// The correlation key of a sent event.
    CorrelationKey,
    /// A user (`complete ... by`, `assign ... to user`).
    User,
    /// A group (`assign ... to group`).
    Group,
    /// The content of a mocked exception.
    ExceptionContent,
}

impl TestProblem {
    /// The problem's code in the registry.
    #[must_use]
    pub fn code(&self) -> Code {
        match self {
            TestProblem::NoWorkflow { .. }
            | TestProblem::UsedFileUnreadable { .. }
            | TestProblem::UsedFileHasErrors { .. } => Code::E0413,
            TestProblem::DuplicateTestName { .. } => Code::E0412,
            TestProblem::MockedTwice { .. } => Code::W0020,
            TestProblem::StartedTwice { .. } => Code::E0411,
            TestProblem::StartsWithoutInput { .. } | TestProblem::StartMissingInput { .. } => {
                Code::E0410
            }
            TestProblem::Unknown { what, .. } => match what {
                UnknownName::Workflow => Code::E0401,
                UnknownName::Task | UnknownName::PathStep => Code::E0402,
                UnknownName::Input | UnknownName::Variable => Code::E0403,
                UnknownName::Event | UnknownName::WorkflowEvent => Code::E0407,
                UnknownName::UserTask => Code::E0408,
                UnknownName::UserTaskState | UnknownName::Expectation => Code::E0409,
            },
            TestProblem::ReturnsForVoidTask { .. }
            | TestProblem::CompleteNotObject { .. }
            | TestProblem::NotEncodedConstant { .. }
            | TestProblem::WrongType { .. } => Code::E0404,
            TestProblem::UnknownFormField { .. } => Code::E0408,
            TestProblem::NotConstant { .. } => Code::E0405,
            TestProblem::TaskArity { .. } => Code::E0406,
            TestProblem::FailureOnStatus { .. } => Code::E0409,
        }
    }
}

/// One value of each variant (a new variant must be added here: `code()` and the renderer
/// match exhaustively, this list is what the registry test in `check/problems.rs` reads).
#[cfg(test)]
pub(crate) fn one_of_each() -> Vec<TestProblem> {
    let span = Span::default();
    let name = || "x".to_string();
    let mut all = vec![
        TestProblem::NoWorkflow { span },
        TestProblem::UsedFileUnreadable {
            file: name(),
            reason: name(),
            span,
        },
        TestProblem::UsedFileHasErrors { file: name(), span },
        TestProblem::DuplicateTestName {
            name: name(),
            span,
            first: span,
        },
        TestProblem::MockedTwice {
            task: name(),
            span,
            first: span,
        },
        TestProblem::StartedTwice { span, first: span },
        TestProblem::StartsWithoutInput {
            input: name(),
            span,
        },
        TestProblem::StartMissingInput {
            workflow: name(),
            input: name(),
            span,
        },
        TestProblem::ReturnsForVoidTask { task: name(), span },
        TestProblem::CompleteNotObject { form: name(), span },
        TestProblem::UnknownFormField {
            form: name(),
            field: name(),
            span,
            suggestion: Some(name()),
        },
        TestProblem::TaskArity {
            task: name(),
            params: vec![(name(), Ty::INT)],
            given: 2,
            span,
        },
        TestProblem::FailureOnStatus {
            status: RunStatus::Completed,
            span,
        },
    ];
    for what in [
        UnknownName::Workflow,
        UnknownName::Task,
        UnknownName::PathStep,
        UnknownName::Input,
        UnknownName::Variable,
        UnknownName::Event,
        UnknownName::WorkflowEvent,
        UnknownName::UserTask,
        UnknownName::UserTaskState,
        UnknownName::Expectation,
    ] {
        for hint in [
            UnknownHint::DidYouMean(name()),
            UnknownHint::NoneDeclared,
            UnknownHint::Known(vec![name(), name()]),
        ] {
            all.push(TestProblem::Unknown {
                what,
                name: name(),
                span,
                hint,
            });
        }
    }
    for place in [
        ValuePlace::Input(name()),
        ValuePlace::Output { task: name() },
        ValuePlace::Argument {
            param: name(),
            task: name(),
        },
        ValuePlace::Content { event: name() },
        ValuePlace::Field(name()),
        ValuePlace::Variable(name()),
        ValuePlace::CorrelationKey,
        ValuePlace::User,
        ValuePlace::Group,
        ValuePlace::ExceptionContent,
    ] {
        all.push(TestProblem::NotConstant {
            place: place.clone(),
            span,
        });
        all.push(TestProblem::WrongType {
            place: place.clone(),
            expected: Ty::INT,
            found: Ty::STR,
            span,
        });
        for ty in [
            Ty::Prim(crate::ast::Prim::Bytes),
            Ty::Prim(crate::ast::Prim::Timestamp),
            Ty::Prim(crate::ast::Prim::WfRunId),
        ] {
            all.push(TestProblem::NotEncodedConstant {
                place: place.clone(),
                ty,
                why: name(),
                span,
            });
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_test_problem_renders_with_its_code_and_a_message() {
        for p in one_of_each() {
            let code = p.code();
            let d = p.diagnostic();
            assert_eq!(d.code, code);
            assert!(!d.message.is_empty(), "{code}");
            assert!(!d.primary.message.is_empty(), "{code}");
            assert!(d.help.is_some(), "{code}");
        }
    }

    /// The migrated codes are built only from problems: no call site in `test/` writes
    /// their sentences any more.
    #[test]
    fn migrated_codes_are_not_built_at_call_sites() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("check.rs"),
            include_str!("plan.rs"),
            include_str!("ast.rs"),
        ];
        let sources: Vec<String> = sources
            .iter()
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
            .collect();
        let migrated: BTreeSet<Code> = one_of_each().iter().map(TestProblem::code).collect();
        for code in migrated {
            for needle in [
                format!("Diagnostic::error(Code::{code}"),
                format!("(Code::{code},"),
            ] {
                for src in &sources {
                    assert!(
                        !src.contains(&needle),
                        "{code} is still built at a call site"
                    );
                }
            }
        }
    }
}
