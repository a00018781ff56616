//! Problems as data: one typed value per kind of problem the checker finds (spans, names,
//! types, suggestions), before any sentence is written. `messages.rs` is the one place that
//! turns a problem into a diagnostic's message, labels, help and fixes.
//!
//! The shape is Gleam's (`compiler-core/src/type_/error.rs`: one enum, one renderer), not
//! Ruff's trait-per-rule: our codes are a closed registry (`diag/codes.rs`) and every
//! problem maps to exactly one code, so an exhaustive `match` both renders and checks that
//! no problem is left without a message (ARCHITECTURE.md, "Problems as data").
//!
//! Codes are migrated here one by one; [`NOT_YET_MIGRATED`] lists the codes still built as
//! sentences at their call sites, and its length can only fall (`tests` below).

use crate::ast::RemoveWhat;
use crate::diag::{Code, Fix};
use crate::source::Span;

use super::Ty;

/// One problem found by the checker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    /// E0101: a name that is no variable, `let` or binding in scope.
    UnknownVariable {
        name: String,
        span: Span,
        hint: UnknownVariableHint,
    },
    /// E0101: another language's literal (`None`, `True`) where a constant is expected.
    ForeignLiteral {
        name: String,
        span: Span,
        literal: &'static str,
    },
    /// E0102: a call of a task that is not declared.
    UnknownTask {
        name: String,
        span: Span,
        hint: UnknownTaskHint,
    },
    /// E0103: a name declared twice (`what` is "task", "field", ...); `first` is the first
    /// declaration, when it is worth pointing at.
    Duplicate {
        what: &'static str,
        name: String,
        span: Span,
        first: Option<Span>,
    },
    /// E0105: a name LittleHorse does not accept; `suggestion` is empty when no letter or
    /// digit is left to build one from.
    InvalidName {
        what: &'static str,
        name: String,
        span: Span,
        suggestion: String,
    },
    /// E0105: a struct field that is not camelCase.
    InvalidFieldName { name: String, span: Span },
    /// E0106: a type that is neither primitive nor a declared struct.
    UnknownType {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// E0106: a map key of a type that is not primitive.
    MapKeyNotPrimitive { span: Span, key: Ty },
    /// E0106: a user task form field of a type a form cannot hold.
    FormFieldType { span: Span, ty: Ty },
    /// E0109: an event or workflow event that is not declared.
    UnknownEvent {
        workflow_event: bool,
        name: String,
        span: Span,
        hint: UnknownEventHint,
    },
    /// E0234: `updates` followed by something other than `none` or `compatible`.
    UnknownUpdatePolicy { word: String, span: Span },
    /// E0206 or E0207: a binary operator whose operand types it does not support; `need`
    /// says what the operator needs (and so which code it is).
    OperandTypes {
        op: &'static str,
        span: Span,
        need: OperandNeed,
        lhs_span: Span,
        lhs: Ty,
        rhs_span: Span,
        rhs: Ty,
    },
    /// E0207: `!` or unary `-` on a value of the wrong type.
    UnaryOperand { op: UnaryOp, span: Span, ty: Ty },
    /// E0207: a collection method on a receiver type that does not support it.
    MethodReceiver {
        method: String,
        span: Span,
        recv_span: Span,
        ty: Ty,
    },
    /// E0204: `extend` (statement or method) with a value the target cannot take.
    ExtendTypes {
        span: Span,
        value: Ty,
        target_span: Span,
        target: Ty,
    },
    /// E0204: `remove`, `remove index` or `remove key` on a target or with a value of the
    /// wrong type.
    RemoveTypes {
        what: RemoveWhat,
        span: Span,
        target: Ty,
        value: Ty,
    },
    /// E0204: a compound assignment (`+=`, `&&=`, ...) the types do not support;
    /// `array_append` is the place's text when `+=` was used on an array.
    MutationTypes {
        op: &'static str,
        span: Span,
        target_span: Span,
        target: Ty,
        value: Ty,
        array_append: Option<String>,
    },
    /// E0228: a spawned thread given an input it does not declare.
    UnknownThreadInput {
        thread: String,
        name: String,
        span: Span,
    },
    /// E0228: a child workflow given an input it does not declare; `inputs` are the ones
    /// it does.
    UnknownWorkflowInput {
        workflow: String,
        name: String,
        span: Span,
        inputs: Vec<String>,
    },
    /// E0228: a required input of a spawned thread or a child workflow left out.
    MissingInput {
        child: ChildKind,
        child_name: String,
        input: String,
        span: Span,
    },
    /// E0306: a duration used as a value that is not whole seconds.
    SubsecondDuration { span: Span },
    /// E0306: `sleep` of a duration constant that is zero or not whole seconds.
    SleepSeconds { span: Span, zero: bool },
    /// E0306: a number of seconds stored in the definition (`what`: "a retention", ...)
    /// written as something other than a constant.
    SecondsNotConstant { what: String, span: Span },
    /// E0306: a constant number of seconds that is not positive and whole.
    SecondsNotPositive { what: String, span: Span },
    /// E0221: `wait` of something that is not a handle name.
    WaitNotName { span: Span },
    /// E0221: `first of` or `any of` on a child workflow handle.
    WaitStrategyOnChild { span: Span, handle: String },
    /// E0221: one `wait` of several child workflows (`handles`).
    WaitSeveralChildren { span: Span, handles: Vec<String> },
    /// E0221: a `wait` target of a type that cannot be waited for with the others.
    WaitTargetType { span: Span, ty: Ty },
    /// E0221: `wait` as a value of a handle that is not a child workflow.
    WaitOutputNotChild { name: String, span: Span, ty: Ty },
    /// E0201: a task called with the wrong number of arguments.
    TaskArity {
        task: String,
        span: Span,
        params: Vec<(String, Ty)>,
        given: usize,
        declared: Span,
    },
    /// E0201: a method called with the wrong number of arguments.
    MethodArity {
        method: String,
        span: Span,
        arity: usize,
        given: usize,
    },
    /// E0205: a condition that is not a `bool`; `subject` names what to compare.
    ConditionNotBool {
        span: Span,
        found: Ty,
        subject: String,
    },
    /// E0210: the output of a step that returns nothing is used.
    NoOutput { step: String, span: Span },
    /// E0211: an expression standing alone as a statement.
    UselessExpression { span: Span },
    /// E0216: `let` of something that is not a step.
    LetWithoutStep { name: String, span: Span },
    /// E0217 (`while`), E0219 (`else if`), E0229 (`wait until`): a step inside a condition;
    /// `what` is "a task call" or "`await`".
    StepInCondition {
        place: ConditionPlace,
        what: &'static str,
        span: Span,
    },
    /// E0112: a spawned thread named `entrypoint`.
    EntrypointThreadName { span: Span },
    /// E0112: two spawned threads with one name.
    DuplicateThread {
        name: String,
        span: Span,
        first: Span,
    },
    /// E0225: an `inherited` variable in a workflow without `parent`.
    InheritedWithoutParent { name: String, span: Span },
    /// E0231: a binding whose type nothing gives; `why` says why it is needed.
    UntypedBinding {
        name: String,
        span: Span,
        why: String,
    },
    /// E0213: a `searchable on` path that does not start with `$`.
    JsonPathWithoutDollar { path: String, span: Span },
    /// E0213: a json path applied to a value that is not JSON.
    JsonPathOnNonJson {
        span: Span,
        base: Ty,
        base_span: Span,
    },
    /// E0218: a `let` of another thread read in this one.
    OtherThreadOutput { name: String, span: Span },
    /// E0232: a plain `catch` on a `wait` for threads; `spec` is what it catches.
    AmbiguousThreadWaitCatch { span: Span, spec: String },
    /// E0233: `catch thread` (`each_thread`) or `catch wait` on a step that is not a
    /// `wait` for threads.
    CatchSiteOnStep {
        span: Span,
        each_thread: bool,
        spec: String,
    },
    /// E0303: a workflow throwing one of LittleHorse's own failure names.
    ReservedFailure { name: String, span: Span },
    /// W0001: a variable nothing reads or writes; `stmt` is its declaration.
    UnusedVariable {
        name: String,
        span: Span,
        stmt: Span,
    },
    /// E0002: a version number that does not fit what LittleHorse stores (`of` says whose
    /// version). The syntax phase's E0002 (number literals) is `syntax::problems`.
    VersionOutOfRange { of: VersionOf, span: Span },
}

/// Whose version a `version N` clause gives (E0002).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VersionOf {
    /// A struct's `StructDef` version (an int32).
    Struct,
    /// A user task form's `UserTaskDef` version (an int32).
    UserTaskForm,
    /// A child workflow's major version (an int32).
    Workflow,
}

/// The condition a step was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConditionPlace {
    /// `while cond`.
    Loop,
    /// `else if cond`.
    ElseIf,
    /// `wait until cond`.
    WaitUntil,
}

/// What a binary operator needs of its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperandNeed {
    /// `+`: numbers, a str and a primitive, or a json-arr (E0207).
    Addable,
    /// `-`, `*`, `/`, `**`: numbers (E0207).
    Numbers,
    /// `&&`, `||`: bools (E0207).
    Bools,
    /// `==`, `!=`: values that can be compared (E0206).
    Equatable,
    /// `<`, `>`, `<=`, `>=`: values that can be ordered (E0206).
    Orderable,
    /// `in`, `not in`: a collection on the right (E0206).
    CollectionRight,
    /// `contains`, `not contains`: a collection on the left (E0206).
    CollectionLeft,
}

/// What is started with inputs: a thread (`spawn`) or a child workflow (`run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildKind {
    /// `spawn thread(...)`.
    Thread,
    /// `run workflow(...)`.
    Workflow,
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    /// `!`: needs a bool.
    Not,
    /// `-`: needs a number.
    Neg,
}

/// Why an unknown variable is unknown, as far as the checker can tell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UnknownVariableHint {
    /// Declared further down the workflow, at this span.
    DeclaredLater(Span),
    /// A `let` of a block that has ended, bound at this span.
    LetOutOfScope(Span),
    /// `a-b` where `a` and `b` are variables: a subtraction written without spaces.
    Subtraction { left: String, right: String },
    /// A close variable name, or the language's spelling of another language's literal.
    DidYouMean(String),
    /// The name of a task.
    IsTask,
    /// Nothing close: declare it.
    Declare,
}

/// What to suggest for an unknown task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UnknownTaskHint {
    /// A close task name.
    DidYouMean(String),
    /// `sleep(...)`: the `sleep` statement was meant.
    Sleep,
    /// `wait(...)`: the `wait` statement was meant.
    Wait,
    /// Declare it: the declaration text, and the fix that inserts it (none outside a
    /// workflow).
    Declare { decl: String, fix: Option<Fix> },
}

/// What to suggest for an unknown event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UnknownEventHint {
    /// A close event name.
    DidYouMean(String),
    /// Declare it, with the fix that inserts the declaration (none outside a workflow).
    Declare { fix: Option<Fix> },
}

impl Problem {
    /// The problem's code in the registry.
    pub(crate) fn code(&self) -> Code {
        match self {
            Problem::UnknownVariable { .. } | Problem::ForeignLiteral { .. } => Code::E0101,
            Problem::UnknownTask { .. } => Code::E0102,
            Problem::Duplicate { .. } => Code::E0103,
            Problem::InvalidName { .. } | Problem::InvalidFieldName { .. } => Code::E0105,
            Problem::UnknownType { .. }
            | Problem::MapKeyNotPrimitive { .. }
            | Problem::FormFieldType { .. } => Code::E0106,
            Problem::UnknownEvent { .. } => Code::E0109,
            Problem::UnknownUpdatePolicy { .. } => Code::E0234,
            Problem::TaskArity { .. } | Problem::MethodArity { .. } => Code::E0201,
            Problem::OperandTypes { need, .. } => match need {
                OperandNeed::Addable | OperandNeed::Numbers | OperandNeed::Bools => Code::E0207,
                OperandNeed::Equatable
                | OperandNeed::Orderable
                | OperandNeed::CollectionRight
                | OperandNeed::CollectionLeft => Code::E0206,
            },
            Problem::UnaryOperand { .. } | Problem::MethodReceiver { .. } => Code::E0207,
            Problem::ExtendTypes { .. }
            | Problem::RemoveTypes { .. }
            | Problem::MutationTypes { .. } => Code::E0204,
            Problem::UnknownThreadInput { .. }
            | Problem::UnknownWorkflowInput { .. }
            | Problem::MissingInput { .. } => Code::E0228,
            Problem::SubsecondDuration { .. }
            | Problem::SleepSeconds { .. }
            | Problem::SecondsNotConstant { .. }
            | Problem::SecondsNotPositive { .. } => Code::E0306,
            Problem::WaitNotName { .. }
            | Problem::WaitStrategyOnChild { .. }
            | Problem::WaitSeveralChildren { .. }
            | Problem::WaitTargetType { .. }
            | Problem::WaitOutputNotChild { .. } => Code::E0221,
            Problem::ConditionNotBool { .. } => Code::E0205,
            Problem::NoOutput { .. } => Code::E0210,
            Problem::UselessExpression { .. } => Code::E0211,
            Problem::LetWithoutStep { .. } => Code::E0216,
            Problem::StepInCondition { place, .. } => match place {
                ConditionPlace::Loop => Code::E0217,
                ConditionPlace::ElseIf => Code::E0219,
                ConditionPlace::WaitUntil => Code::E0229,
            },
            Problem::ReservedFailure { .. } => Code::E0303,
            Problem::AmbiguousThreadWaitCatch { .. } => Code::E0232,
            Problem::CatchSiteOnStep { .. } => Code::E0233,
            Problem::JsonPathWithoutDollar { .. } | Problem::JsonPathOnNonJson { .. } => {
                Code::E0213
            }
            Problem::OtherThreadOutput { .. } => Code::E0218,
            Problem::EntrypointThreadName { .. } | Problem::DuplicateThread { .. } => Code::E0112,
            Problem::InheritedWithoutParent { .. } => Code::E0225,
            Problem::UntypedBinding { .. } => Code::E0231,
            Problem::UnusedVariable { .. } => Code::W0001,
            Problem::VersionOutOfRange { .. } => Code::E0002,
        }
    }
}

/// The codes whose diagnostics are still built as sentences where they are found (in
/// `check/`, `syntax/`, `test/`, `lower/`, `decompile/`). Migrating a code removes it here;
/// the list only shrinks (the registry test reads it).
#[cfg(test)]
pub(crate) const NOT_YET_MIGRATED: &[Code] = &[
    Code::E0104,
    Code::E0107,
    Code::E0108,
    Code::E0110,
    Code::E0111,
    Code::E0202,
    Code::E0203,
    Code::E0208,
    Code::E0209,
    Code::E0212,
    Code::E0214,
    Code::E0215,
    Code::E0220,
    Code::E0222,
    Code::E0223,
    Code::E0224,
    Code::E0226,
    Code::E0227,
    Code::E0230,
    Code::E0301,
    Code::E0302,
    Code::E0304,
    Code::E0305,
    Code::E0307,
    Code::E0401,
    Code::E0402,
    Code::E0403,
    Code::E0404,
    Code::E0405,
    Code::E0406,
    Code::E0407,
    Code::E0408,
    Code::E0409,
    Code::E0410,
    Code::E0411,
    Code::E0412,
    Code::E0413,
    Code::W0002,
    Code::W0003,
    Code::W0020,
    Code::W0030,
    Code::W0031,
    Code::W0032,
    Code::W0040,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// One value of each variant (a new variant must be added here: `code()` and the
    /// renderer match exhaustively, this list is what the registry test reads).
    fn one_of_each() -> Vec<Problem> {
        let span = Span::default();
        let name = || "x".to_string();
        let mut all = vec![
            Problem::UnknownVariable {
                name: name(),
                span,
                hint: UnknownVariableHint::Declare,
            },
            Problem::ForeignLiteral {
                name: name(),
                span,
                literal: "null",
            },
            Problem::UnknownTask {
                name: name(),
                span,
                hint: UnknownTaskHint::Sleep,
            },
            Problem::Duplicate {
                what: "task",
                name: name(),
                span,
                first: Some(span),
            },
            Problem::InvalidName {
                what: "task",
                name: name(),
                span,
                suggestion: String::new(),
            },
            Problem::InvalidFieldName { name: name(), span },
            Problem::UnknownType {
                name: name(),
                span,
                suggestion: None,
            },
            Problem::MapKeyNotPrimitive { span, key: Ty::INT },
            Problem::FormFieldType { span, ty: Ty::INT },
            Problem::UnknownEvent {
                workflow_event: false,
                name: name(),
                span,
                hint: UnknownEventHint::Declare { fix: None },
            },
            Problem::UnknownUpdatePolicy { word: name(), span },
            Problem::TaskArity {
                task: name(),
                span,
                params: vec![(name(), Ty::INT)],
                given: 0,
                declared: span,
            },
            Problem::MethodArity {
                method: name(),
                span,
                arity: 1,
                given: 0,
            },
            Problem::ConditionNotBool {
                span,
                found: Ty::INT,
                subject: name(),
            },
            Problem::NoOutput { step: name(), span },
            Problem::UselessExpression { span },
            Problem::LetWithoutStep { name: name(), span },
            Problem::StepInCondition {
                place: ConditionPlace::Loop,
                what: "a task call",
                span,
            },
            Problem::StepInCondition {
                place: ConditionPlace::ElseIf,
                what: "a task call",
                span,
            },
            Problem::StepInCondition {
                place: ConditionPlace::WaitUntil,
                what: "a task call",
                span,
            },
            Problem::ReservedFailure { name: name(), span },
            Problem::AmbiguousThreadWaitCatch { span, spec: name() },
            Problem::CatchSiteOnStep {
                span,
                each_thread: true,
                spec: name(),
            },
            Problem::JsonPathWithoutDollar { path: name(), span },
            Problem::JsonPathOnNonJson {
                span,
                base: Ty::INT,
                base_span: span,
            },
            Problem::OtherThreadOutput { name: name(), span },
            Problem::EntrypointThreadName { span },
            Problem::DuplicateThread {
                name: name(),
                span,
                first: span,
            },
            Problem::InheritedWithoutParent { name: name(), span },
            Problem::UntypedBinding {
                name: name(),
                span,
                why: name(),
            },
            Problem::UnusedVariable {
                name: name(),
                span,
                stmt: span,
            },
            Problem::UnaryOperand {
                op: UnaryOp::Not,
                span,
                ty: Ty::INT,
            },
            Problem::UnaryOperand {
                op: UnaryOp::Neg,
                span,
                ty: Ty::STR,
            },
            Problem::MethodReceiver {
                method: "size".to_string(),
                span,
                recv_span: span,
                ty: Ty::INT,
            },
            Problem::ExtendTypes {
                span,
                value: Ty::INT,
                target_span: span,
                target: Ty::BOOL,
            },
            Problem::MutationTypes {
                op: "+=",
                span,
                target_span: span,
                target: Ty::BOOL,
                value: Ty::INT,
                array_append: Some(name()),
            },
            Problem::UnknownThreadInput {
                thread: name(),
                name: name(),
                span,
            },
            Problem::UnknownWorkflowInput {
                workflow: name(),
                name: name(),
                span,
                inputs: vec![name()],
            },
            Problem::SubsecondDuration { span },
            Problem::SleepSeconds { span, zero: true },
            Problem::SleepSeconds { span, zero: false },
            Problem::SecondsNotConstant { what: name(), span },
            Problem::SecondsNotPositive { what: name(), span },
            Problem::WaitNotName { span },
            Problem::WaitStrategyOnChild {
                span,
                handle: name(),
            },
            Problem::WaitSeveralChildren {
                span,
                handles: vec![name(), name()],
            },
            Problem::WaitTargetType {
                span,
                ty: Ty::Threads,
            },
            Problem::WaitTargetType {
                span,
                ty: Ty::ChildWf,
            },
            Problem::WaitTargetType { span, ty: Ty::INT },
            Problem::WaitOutputNotChild {
                name: name(),
                span,
                ty: Ty::Thread,
            },
        ];
        for of in [
            VersionOf::Struct,
            VersionOf::UserTaskForm,
            VersionOf::Workflow,
        ] {
            all.push(Problem::VersionOutOfRange { of, span });
        }
        for child in [ChildKind::Thread, ChildKind::Workflow] {
            all.push(Problem::MissingInput {
                child,
                child_name: name(),
                input: name(),
                span,
            });
        }
        for what in [RemoveWhat::Value, RemoveWhat::Index, RemoveWhat::Key] {
            all.push(Problem::RemoveTypes {
                what,
                span,
                target: Ty::BOOL,
                value: Ty::INT,
            });
        }
        for need in [
            OperandNeed::Addable,
            OperandNeed::Numbers,
            OperandNeed::Bools,
            OperandNeed::Equatable,
            OperandNeed::Orderable,
            OperandNeed::CollectionRight,
            OperandNeed::CollectionLeft,
        ] {
            all.push(Problem::OperandTypes {
                op: "+",
                span,
                need,
                lhs_span: span,
                lhs: Ty::INT,
                rhs_span: span,
                rhs: Ty::BOOL,
            });
        }
        all
    }

    #[test]
    fn every_registered_code_is_a_problem_or_listed_as_not_yet_migrated() {
        let mut migrated: BTreeSet<Code> = one_of_each().iter().map(Problem::code).collect();
        // Other phases' problems (`syntax::problems::SyntaxProblem`, ...) count too.
        migrated.extend(crate::syntax::problems::migrated_codes());
        let pending: BTreeSet<Code> = NOT_YET_MIGRATED.iter().copied().collect();
        assert_eq!(pending.len(), NOT_YET_MIGRATED.len(), "a code listed twice");
        for code in Code::ALL {
            assert!(
                migrated.contains(code) != pending.contains(code),
                "{code} must be either a problem or listed as not yet migrated, not both"
            );
        }
        // The list only shrinks: lower this ceiling when a code is migrated.
        assert!(NOT_YET_MIGRATED.len() <= 44, "{}", NOT_YET_MIGRATED.len());
    }

    #[test]
    fn every_problem_renders_with_its_code_a_message_and_a_help() {
        for p in one_of_each() {
            let code = p.code();
            let d = p.diagnostic();
            assert_eq!(d.code, code);
            assert!(!d.message.is_empty(), "{code}");
            assert!(d.help.is_some(), "{code}");
        }
    }

    /// The migrated codes are built only from problems: no call site in `check/` writes
    /// their sentences any more.
    #[test]
    fn migrated_codes_are_not_built_at_call_sites() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("steps.rs"),
            include_str!("builders.rs"),
            include_str!("flow.rs"),
            include_str!("catch_site.rs"),
            include_str!("family.rs"),
            include_str!("masking.rs"),
            include_str!("struct_constant.rs"),
            include_str!("types.rs"),
            include_str!("names.rs"),
        ];
        let migrated: BTreeSet<Code> = one_of_each().iter().map(Problem::code).collect();
        let sources: Vec<String> = sources
            .iter()
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
            .collect();
        for code in migrated {
            let needle = format!("Diagnostic::error(Code::{code}");
            for src in &sources {
                assert!(
                    !src.contains(&needle),
                    "{code} is still built at a call site"
                );
            }
        }
        // The needle does find the codes that are not migrated.
        assert!(sources[0].contains("Diagnostic::error(Code::E0203"));
    }
}
