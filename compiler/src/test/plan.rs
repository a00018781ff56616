//! The typed test plan: what the checker makes of a test file, as plain data. Values are
//! LittleHorse `VariableValue`s, converted to the type each place expects. The runner
//! (`lhc test`) executes it on the kernel's simulation.

use crate::source::Span;
use lhw_proto::littlehorse::VariableValue;
use std::collections::BTreeMap;

/// Every test of one test file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestPlan {
    /// The tests, in file order.
    pub cases: Vec<TestCase>,
}

/// One test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// Its name.
    pub name: String,
    /// The workflow (WfSpec) under test.
    pub workflow: String,
    /// Where the test is written (its name).
    pub span: Span,
    /// The task mocks, in the order written.
    pub mocks: Vec<Mock>,
    /// The steps (mocks excluded), in order. The run starts at the `start` step, or
    /// before the first step when there is none.
    pub steps: Vec<Step>,
}

/// A mocked task.
#[derive(Debug, Clone, PartialEq)]
pub struct Mock {
    /// The TaskDef.
    pub task: String,
    /// The arguments it answers, in order; `None` answers every call. A mock with
    /// arguments is tried before one without.
    pub args: Option<Vec<VariableValue>>,
    /// The answers, one per call (attempts included); the last one repeats.
    pub answers: Vec<Answer>,
    /// Where it is written.
    pub span: Span,
}

/// How a mocked task answers one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Success, with the task's output (`None` for a task without output).
    Returns(Option<VariableValue>),
    /// A technical failure with this message.
    Fails(String),
    /// A business exception.
    Throws {
        /// The exception name.
        name: String,
        /// Its message.
        message: String,
        /// Its content.
        content: Option<VariableValue>,
    },
    /// No answer: the attempt times out.
    TimesOut,
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// Where it is written.
    pub span: Span,
}

/// The steps.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// Start the run with these inputs.
    Start(BTreeMap<String, VariableValue>),
    /// Move virtual time forward (milliseconds).
    Advance(u64),
    /// Post an external event (or interrupt); a correlated event when `key` is set.
    Send {
        /// The ExternalEventDef.
        event: String,
        /// The correlation key.
        key: Option<String>,
        /// The content.
        content: Option<VariableValue>,
    },
    /// Complete the open user task `form`.
    Complete {
        /// The UserTaskDef.
        form: String,
        /// The form's fields.
        fields: BTreeMap<String, VariableValue>,
        /// Who completes it (empty: the assigned user).
        by: String,
    },
    /// Assign the open user task `form`.
    Assign {
        /// The UserTaskDef.
        form: String,
        /// The user.
        user: Option<String>,
        /// The group.
        group: Option<String>,
    },
    /// Cancel the open user task `form`.
    Cancel(String),
    /// Check something.
    Expect(Expectation),
}

/// The status of a run, as tests name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// `running` (or waiting)
    Running,
    /// `completed`
    Completed,
    /// `halted` (stopped)
    Halted,
    /// `error`
    Error,
    /// `exception`
    Exception,
}

impl RunStatus {
    /// The word tests write.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Halted => "halted",
            RunStatus::Error => "error",
            RunStatus::Exception => "exception",
        }
    }

    /// Every status, for "did you mean".
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Running,
        RunStatus::Completed,
        RunStatus::Halted,
        RunStatus::Error,
        RunStatus::Exception,
    ];
}

/// The state of a user task, as tests name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserTaskState {
    /// Waiting for someone (unassigned).
    Waiting,
    /// Assigned to a user or group.
    Assigned,
    /// Completed.
    Done,
    /// Cancelled.
    Cancelled,
}

impl UserTaskState {
    /// The word tests write.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            UserTaskState::Waiting => "waiting",
            UserTaskState::Assigned => "assigned",
            UserTaskState::Done => "done",
            UserTaskState::Cancelled => "cancelled",
        }
    }

    /// Every state.
    pub const ALL: [UserTaskState; 4] = [
        UserTaskState::Waiting,
        UserTaskState::Assigned,
        UserTaskState::Done,
        UserTaskState::Cancelled,
    ];
}

/// An expectation.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// The run's status, and the failure it ended with.
    Status {
        /// The status.
        status: RunStatus,
        /// The failure name (compared without case, `_` and `-` alike).
        failure: Option<String>,
    },
    /// An entrypoint variable's value.
    Var {
        /// The variable.
        name: String,
        /// The value.
        value: VariableValue,
    },
    /// How often a task was called (with these arguments).
    Called {
        /// The TaskDef.
        task: String,
        /// The arguments (any when `None`).
        args: Option<Vec<VariableValue>>,
        /// Exactly this many attempts; at least one when `None`.
        times: Option<u32>,
    },
    /// The steps the run took, in order: task, user task and awaited event names.
    Path(Vec<String>),
    /// A workflow event the run emitted (with this content).
    Emitted {
        /// The WorkflowEventDef.
        event: String,
        /// Its content.
        value: Option<VariableValue>,
    },
    /// The state of the latest user task of a form.
    UserTask {
        /// The UserTaskDef.
        form: String,
        /// The state.
        state: UserTaskState,
    },
}
