//! The syntax tree of a test file (`*.test.lhw`): `use` lines and `test` blocks, as
//! written (values are still expressions; the checker types them).

use crate::ast::{Expr, Name, StrLit};
use crate::source::Span;

/// A parsed test file.
#[derive(Debug, Clone, Default)]
pub struct TestFile {
    /// `use "file.lhw"` lines.
    pub uses: Vec<Use>,
    /// `test` blocks, in order.
    pub cases: Vec<Case>,
    /// The file did not parse (its E0001 is reported); it holds nothing to check.
    pub unparsed: bool,
}

/// `use "order-approval.lhw"`.
#[derive(Debug, Clone)]
pub struct Use {
    /// The path, relative to the test file.
    pub path: String,
    /// The string literal.
    pub span: Span,
}

/// `test "name" for workflow { steps }`.
#[derive(Debug, Clone)]
pub struct Case {
    /// The test's name.
    pub name: String,
    /// The name's string literal.
    pub name_span: Span,
    /// The workflow under test.
    pub workflow: Name,
    /// The steps, in order (mocks included).
    pub steps: Vec<Step>,
    /// The whole block.
    pub span: Span,
}

/// One step of a test.
#[derive(Debug, Clone)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// The whole step.
    pub span: Span,
}

/// The steps.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// `start(input: value, ...)`
    Start(Vec<(Name, Expr)>),
    /// `mock task[(args)] answer then answer ...`
    Mock {
        /// The task.
        task: Name,
        /// The arguments it answers (all calls when `None`).
        args: Option<Vec<Expr>>,
        /// The answers, call after call (the last one repeats).
        answers: Vec<Answer>,
    },
    /// `advance 3d` (milliseconds).
    Advance(u64),
    /// `send event [correlated KEY] [with VALUE]`
    Send {
        /// The external event.
        event: Name,
        /// The correlation key.
        key: Option<Expr>,
        /// The content.
        content: Option<Expr>,
    },
    /// `complete form [with {fields}] [by USER]`
    Complete {
        /// The user task form.
        form: Name,
        /// Its fields (a JSON object).
        fields: Option<Expr>,
        /// Who completes it.
        by: Option<Expr>,
    },
    /// `assign form to user U group G`
    Assign {
        /// The user task form.
        form: Name,
        /// The user.
        user: Option<Expr>,
        /// The group.
        group: Option<Expr>,
    },
    /// `cancel form`
    Cancel(Name),
    /// `expect ...`
    Expect(Expect),
}

/// How a mocked task answers one call.
#[derive(Debug, Clone)]
pub struct Answer {
    /// What it answers.
    pub kind: AnswerKind,
    /// Where it is written.
    pub span: Span,
}

/// The answers.
#[derive(Debug, Clone)]
pub enum AnswerKind {
    /// `returns [VALUE]`
    Returns(Option<Expr>),
    /// `fails ["message"]`: a technical failure.
    Fails(Option<StrLit>),
    /// `throws NAME ["message"] [with CONTENT]`: a business exception.
    Throws {
        /// The exception name.
        name: Name,
        /// Its message.
        message: Option<StrLit>,
        /// Its content.
        content: Option<Expr>,
    },
    /// `times out`
    TimesOut,
}

/// An expectation.
#[derive(Debug, Clone)]
pub enum Expect {
    /// `expect var NAME == VALUE`
    Var {
        /// The variable.
        name: Name,
        /// Its expected value.
        value: Expr,
    },
    /// `expect called task[(args)] [N times | once | never]`
    Called {
        /// The task.
        task: Name,
        /// The arguments (any when `None`).
        args: Option<Vec<Expr>>,
        /// How often (at least once when `None`).
        times: Option<u32>,
    },
    /// `expect path a -> b -> c`
    Path(Vec<Name>),
    /// `expect emitted EVENT [== VALUE]`
    Emitted {
        /// The workflow event.
        event: Name,
        /// Its expected content.
        value: Option<Expr>,
    },
    /// `expect user-task FORM STATE`
    UserTask {
        /// The user task form.
        form: Name,
        /// The state word (`waiting`, `assigned`, `done`, `cancelled`).
        state: Name,
    },
    /// `expect STATUS [FAILURE]`: `completed`, `running`, `halted`, `error`, `exception`.
    Status {
        /// The status word.
        status: Name,
        /// The failure name.
        failure: Option<Name>,
    },
}
