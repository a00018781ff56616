//! Problems as data: one typed value per kind of problem the checker finds (spans, names,
//! types, suggestions), before any sentence is written. `messages.rs` is the one place that
//! turns a problem into a diagnostic's message, labels, help and fixes.
//!
//! The shape is Gleam's (`compiler-core/src/type_/error.rs`: one enum, one renderer), not
//! Ruff's trait-per-rule: our codes are a closed registry (`diag/codes.rs`) and every
//! problem maps to exactly one code, so an exhaustive `match` both renders and checks that
//! no problem is left without a message (ARCHITECTURE.md, "Problems as data").
//!
//! Every registered code is the code of some problem (of this enum or of another phase's:
//! `syntax::problems`, `test::problems`, `decompile::problems`), and no call site builds a
//! diagnostic's sentences itself (`tests` below).

use crate::ast::{Prim, RemoveWhat};
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
    InvalidFieldName {
        name: String,
        span: Span,
        /// The name in camelCase, or empty when it has no letter to start with.
        suggestion: String,
    },
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
    /// E0214: a JSON literal's member that is not a constant.
    JsonMemberNotConstant { span: Span },
    /// E0306: `sleep` of a duration constant that is zero or not whole seconds.
    SleepSeconds { span: Span, zero: bool },
    /// E0306: a number of seconds stored in the definition (`what`: "a retention", ...)
    /// written as something other than a constant.
    SecondsNotConstant { what: String, span: Span },
    /// E0306: a constant number of seconds that is not positive and whole.
    SecondsNotPositive { what: String, span: Span },
    /// E0221: `wait` of something that is not a handle name.
    WaitNotName {
        span: Span,
        /// The `wait` keyword of `wait 5m`, which is `sleep` misspelt by habit.
        sleep_at: Option<Span>,
    },
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
    UselessExpression {
        span: Span,
        /// The `==` of `x == 1`, an assignment written as a comparison.
        assign_at: Option<Span>,
    },
    /// E0216: `let` of something that is not a step.
    LetWithoutStep {
        name: String,
        span: Span,
        /// The variable the `let` can become, when its value's type is known.
        var: Option<LetAsVar>,
    },
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
    // Settings, flow and LittleHorse rules (E03xx, W0002, W0003, W0040).
    /// E0301: a statement after the `return` or `fail` (at `end`) that ends its thread;
    /// `rest` runs from it to the end of its block (none of which runs).
    Unreachable { span: Span, end: Span, rest: Span },
    /// E0302: a `fail` message with placeholders.
    FailureMessagePlaceholders { span: Span },
    /// E0304: `parent` followed by something that is not a workflow name.
    ParentNotWorkflowName { span: Span },
    /// E0304: a workflow setting (`setting`: its keyword, e.g. `default task`) written
    /// inside a block or a thread.
    WorkflowSettingNotTop { setting: String, span: Span },
    /// E0304: a thread setting (`setting`: its keyword) written inside a block of its thread.
    ThreadSettingInBlock { setting: String, span: Span },
    /// E0304: an interrupt handler (`on`) inside a block.
    InterruptInBlock { span: Span },
    /// E0304: `updates` followed by a word that is not `all`, `minor` or `none`; `meant` is
    /// the policy the word most likely means.
    WorkflowUpdatePolicy {
        word: String,
        span: Span,
        meant: Option<&'static str>,
    },
    /// E0305: a setting given twice; `first` is where it was first given.
    SettingTwice {
        setting: RepeatedSetting,
        span: Span,
        first: Span,
    },
    /// E0307: workflow `caller` runs `target`, which declares `caller` its `parent` (at
    /// `setting`).
    ParentRunsChild {
        caller: String,
        target: String,
        span: Span,
        setting: Span,
    },
    /// W0002: a user task assigned only to a group, reassigned by `action`;
    /// `on_arrival` when the reassignment is meant to fire as the task arrives.
    GroupOnlyReassign { span: Span, on_arrival: bool },
    /// W0003: a string literal cast to `bytes` or `wf-run-id` (`prim`).
    LiteralCast { span: Span, prim: Prim },
    /// W0040: the masked variable `var` passed as the unmasked parameter `param` of `task`
    /// (declared at `declared`; the parameter's type is written at `param_type`).
    MaskedArgument {
        var: String,
        span: Span,
        param: String,
        task: String,
        declared: Span,
        param_type: Span,
    },
    // E0202, E0203, E0209: values of the wrong type where a type is known.
    /// E0202 (a task argument) or E0203 (any other value): JSON content where an array, a
    /// map or a struct is expected (LittleHorse converts JSON content only to primitives).
    JsonIntoTyped {
        site: ValueSite,
        span: Span,
        target: Ty,
    },
    /// E0202: a str literal for a `bytes`, `timestamp` or `wf-run-id` parameter that does
    /// not decode; `why` says what is wrong with it.
    ArgumentLiteral {
        param: String,
        task: String,
        span: Span,
        ty: Ty,
        why: String,
    },
    /// E0202: a task argument of the wrong type; `declared` is the task's declaration,
    /// `needs_parens` whether the argument needs parentheses before `as`.
    ArgumentType {
        param: String,
        task: String,
        span: Span,
        expected: Ty,
        found: Ty,
        declared: Span,
        needs_parens: bool,
    },
    /// E0202: the name of a dynamic task call (`task(name)(...)`) that is not a `str`.
    TaskNameType { span: Span, ty: Ty },
    /// E0209 (a default) or E0203 (an assigned constant): a value that is not a constant.
    NotConstant { site: ConstantSite, span: Span },
    /// E0209 or E0203: a str constant that does not decode into `ty` (`bytes`,
    /// `timestamp`, `wf-run-id`); `why` says what is wrong with it.
    EncodedConstant {
        site: ConstantSite,
        span: Span,
        ty: Ty,
        why: String,
    },
    /// E0209 or E0203: a constant of the wrong type.
    ConstantType {
        site: ConstantSite,
        span: Span,
        expected: Ty,
        found: Ty,
    },
    /// E0209 or E0203: a struct constant (`new s { ... }`) of another type than expected.
    StructConstantType {
        site: ConstantSite,
        span: Span,
        expected: Ty,
        built: Ty,
    },
    /// E0203: a nested struct (`{ ... }`) given to a field that is not a struct.
    FieldNotStruct { field: String, span: Span, ty: Ty },
    /// E0203: a struct field given a value of the wrong type.
    FieldType {
        field: String,
        span: Span,
        expected: Ty,
        found: Ty,
    },
    /// E0203: `place = value` with a value of the wrong type; `place` is the place's text,
    /// `needs_parens` whether the value needs parentheses before `as`.
    AssignTypes {
        place: String,
        span: Span,
        place_span: Span,
        target: Ty,
        value: Ty,
        needs_parens: bool,
    },
    /// E0203: an assignment to a `let` binding (a step's output).
    AssignLet { name: String, span: Span },
    /// E0203: `sleep` of something that is neither a duration nor an int.
    SleepType { span: Span, ty: Ty },
    /// E0203: `sleep until` of something that is not a timestamp.
    SleepUntilType { span: Span, ty: Ty },
    /// E0203: a number of seconds (`noun`: "a user task deadline", ...) that is not an int.
    SecondsType { noun: String, span: Span, ty: Ty },
    /// E0203: `emit` of a value (`span`) for a workflow event without a payload; `removal`
    /// runs from the end of the event's name to the end of the value.
    UnexpectedPayload {
        event: String,
        span: Span,
        removal: Span,
    },
    /// E0203: `emit` of a payload of the wrong type.
    PayloadType {
        event: String,
        span: Span,
        expected: Ty,
        found: Ty,
    },
    /// E0203: `emit` without the payload the workflow event carries.
    MissingPayload {
        event: String,
        span: Span,
        expected: Ty,
    },
    /// E0203: a binding's written type (at `span`) that the value it receives (`known`)
    /// does not fit.
    BindingType {
        name: String,
        span: Span,
        known: Ty,
        written: Ty,
    },
    /// E0203: a correlation key that is not a `str`.
    CorrelationKeyType { span: Span, ty: Ty },
    /// E0203: `spawn ... for` over something that is not a list.
    SpawnListType { span: Span, ty: Ty },
    /// E0203: an input of a spawned thread or a child workflow given a value of the wrong
    /// type.
    InputType {
        name: String,
        span: Span,
        expected: Ty,
        found: Ty,
    },
    /// E0203: a workflow name or a child run id (`what`) that is not a `str`; `example`
    /// shows one.
    StrOption {
        what: String,
        example: String,
        span: Span,
        ty: Ty,
    },
    /// E0203: a map literal's key that is not primitive.
    MapKeyType { span: Span, ty: Ty },
    /// E0203: a map literal's key or value (`part`) of another type than the first one.
    MapEntryType {
        part: MapPart,
        span: Span,
        ty: Ty,
        first: Ty,
        first_span: Span,
    },
    // E0212: selectors (`.field`, `[index]`) that select nothing.
    /// E0212: a struct field that the struct does not declare; `fields` are the ones it
    /// does, `suggestion` a close one.
    UnknownField {
        struct_name: String,
        name: String,
        span: Span,
        suggestion: Option<String>,
        fields: Vec<String>,
    },
    /// E0212: a field of a user task's output (`base_span`) that the form does not declare.
    UnknownFormField {
        form: String,
        name: String,
        span: Span,
        base_span: Span,
        suggestion: Option<String>,
        fields: Vec<String>,
    },
    /// E0212: `.name` on a value of a type without fields (`base_span` is the value).
    NoFields {
        name: String,
        span: Span,
        base_span: Span,
        ty: Ty,
    },
    /// E0212: an array index that is not an int.
    ArrayIndexType { span: Span, ty: Ty },
    /// E0212: an index into JSON content that is not a constant.
    IndexNotConstant { span: Span },
    /// E0212: `[...]` on a value of a type without elements (`base_span` is the value).
    NotIndexable { span: Span, base_span: Span, ty: Ty },
    // E0227: whom a user task is assigned to.
    /// E0227: a user or group id (`who`) that is not a `str`.
    AssigneeType { who: Assignee, span: Span, ty: Ty },
    /// E0227: a user or group id (`who`) written as a blank str.
    BlankAssignee { who: Assignee, span: Span },
    /// E0227: `ask form` with neither a user nor a group.
    Unassigned { form: String, span: Span },
    /// E0227: `reassign` with neither a user nor a group.
    ReassignToNobody { span: Span },
    /// E0227: `release to group` of a task not assigned to both a user and a group.
    ReleaseWithoutBoth { span: Span },
    // E0104, E0107, E0110, E0111: names.
    /// E0104: a variable or binding declared again in the workflow (`first` is the first
    /// declaration).
    DuplicateVariable {
        name: String,
        span: Span,
        first: Span,
    },
    /// E0107: a method that is not one of LittleHorse's; `suggestion` is a close one.
    UnknownMethod {
        name: String,
        span: Span,
        suggestion: Option<&'static str>,
    },
    /// E0110: a child workflow that is not declared in the file.
    UnknownWorkflow {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// E0111: a user task form that is not declared.
    UnknownUserTask {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    // E0208, E0215, E0220, E0230: values and types.
    /// E0208: `as` between types the server does not convert.
    InvalidCast { span: Span, from: Ty, to: Ty },
    /// E0215: `searchable on` a variable (`name`) that is not JSON.
    SearchableNotJson { name: String, span: Span, ty: Ty },
    /// E0215: a json path indexed as a type that cannot be indexed.
    SearchableIndexType { span: Span, ty: Ty },
    /// E0220: a `return` without a value where another returns one (`value_span`).
    ReturnWithoutValue {
        body: Body,
        span: Span,
        value_span: Span,
    },
    /// E0220: a `return` of another type than the first one (`first_span`).
    ReturnTypes {
        body: Body,
        span: Span,
        ty: Ty,
        first: Ty,
        first_span: Span,
    },
    /// E0220: a body that can end without a value while it returns one (`value`, when its
    /// type is known) elsewhere.
    EndWithoutReturn {
        body: Body,
        span: Span,
        value_span: Span,
        value: Option<Ty>,
    },
    /// E0230: the fields of `struct_name` that a struct value leaves out and that have no
    /// default.
    MissingFields {
        struct_name: String,
        span: Span,
        missing: Vec<String>,
    },
    // E0222, E0223, E0224, E0226: steps, handlers, options.
    /// E0222: `catch` on a statement that runs `steps` steps, not one.
    CatchStepCount { span: Span, steps: usize },
    /// E0223: `catch NAME` where NAME is one of LittleHorse's error types; `error` is its
    /// kebab-case spelling.
    ErrorTypeAsException {
        name: String,
        span: Span,
        error: String,
    },
    /// E0223: `catch error NAME` where NAME is no LittleHorse error type.
    UnknownErrorType {
        name: String,
        span: Span,
        suggestion: Option<&'static str>,
    },
    /// E0223: a failure caught twice on one statement (`first` is the first handler).
    DuplicateCatch { span: Span, first: Span },
    /// E0224: a second interrupt handler for one event.
    DuplicateInterrupt {
        event: String,
        span: Span,
        first: Span,
    },
    /// E0224: an event both awaited and used as an interrupt (`other` is the other use).
    AwaitedAndInterrupt { span: Span, other: Span },
    /// E0226: `retries` of something that is not a non-negative int.
    RetriesNotCount { span: Span },
    /// E0226: a `backoff` whose delays are not positive or in order.
    BackoffRange { span: Span },
    /// E0226: a `backoff` multiplier below 1.
    BackoffMultiplier { span: Span },
    /// E0002: a version number that does not fit what LittleHorse stores (`of` says whose
    /// version). The syntax phase's E0002 (number literals) is `syntax::problems`.
    VersionOutOfRange { of: VersionOf, span: Span },
}

/// The body whose exits return values: the workflow or a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// The workflow's entrypoint.
    Workflow,
    /// A spawned thread or a handler.
    Thread,
}

impl Body {
    /// "workflow" or "thread".
    pub(crate) fn word(self) -> &'static str {
        match self {
            Body::Workflow => "workflow",
            Body::Thread => "thread",
        }
    }
}

/// Whom a user task is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assignee {
    /// `to user "..."`.
    User,
    /// `to group "..."`.
    Group,
}

impl Assignee {
    /// "user" or "group".
    pub(crate) fn word(self) -> &'static str {
        match self {
            Assignee::User => "user",
            Assignee::Group => "group",
        }
    }
}

/// A setting given twice (E0305).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RepeatedSetting {
    /// A workflow setting line (`retention`, `parent`, `updates`): its keyword.
    Line(String),
    /// `thread retention`, once per thread.
    ThreadRetention,
    /// `default thread retention`.
    DefaultThreadRetention,
    /// One option of `default task`: `retries`, `timeout` or `backoff`.
    DefaultTaskOption(&'static str),
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
    /// The name of a task; `call_at` is where `()` goes when it takes no argument.
    IsTask { call_at: Option<Span> },
    /// Nothing close: declare it.
    Declare,
    /// `retention = 30d`: a workflow setting written with `=`; `between` runs from the
    /// name to the value.
    SettingWithEquals { between: Span },
    /// `wait e` of an event `e`; `await_at` is the `wait`.
    Event { await_at: Span },
}

/// What to suggest for an unknown task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UnknownTaskHint {
    /// A close task name.
    DidYouMean(String),
    /// `sleep(...)`: the `sleep` statement was meant; the fix writes it.
    Sleep { fix: Option<Fix> },
    /// `int(x)`, `len(x)`: a conversion or size written as a function; `meant` is what
    /// follows the value (` as int`, `.size()`), and the fix writes it.
    Conversion { meant: String, fix: Fix },
    /// `wait(...)`: the `wait` statement was meant.
    Wait,
    /// Declare it: the declaration text, and the fix that inserts it (none outside a
    /// workflow).
    Declare { decl: String, fix: Option<Fix> },
}

/// `let x = value` where `value` is not a step: the `var` it becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LetAsVar {
    /// The `let` keyword.
    pub(crate) keyword: Span,
    /// Where the name ends (the type goes there).
    pub(crate) name_end: u32,
    /// The value's type.
    pub(crate) ty: Ty,
    /// The value is a constant, so it can be the variable's default.
    pub(crate) constant: bool,
}

/// What to suggest for an unknown event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UnknownEventHint {
    /// A close event name.
    DidYouMean(String),
    /// Declare it, with the fix that inserts the declaration (none outside a workflow).
    Declare { fix: Option<Fix> },
    /// `await t` where `t` is a thread or child workflow handle; `wait_at` is `await`.
    Handle { wait_at: Span },
}

/// Where a value of a known type is given: a task's argument (E0202) or anywhere else
/// (E0203).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueSite {
    /// An argument of a task call.
    TaskArgument,
    /// An assignment, a field, an input, a payload.
    Other,
}

impl ValueSite {
    /// The code of a value of the wrong type given here.
    pub(crate) fn code(self) -> Code {
        match self {
            ValueSite::TaskArgument => Code::E0202,
            ValueSite::Other => Code::E0203,
        }
    }
}

/// Whether `value as t` would cast only a part of `e` (an operator's operand), so that a
/// fix converting `e` must write `(e) as t`.
pub(crate) fn cast_needs_parens(e: &crate::ast::Expr) -> bool {
    use crate::ast::ExprKind;
    match &e.kind {
        ExprKind::Int(i) => *i < 0,
        ExprKind::Double(d) => d.is_sign_negative(),
        ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Str(_)
        | ExprKind::Var(_)
        | ExprKind::Call { .. }
        | ExprKind::Field { .. }
        | ExprKind::Index { .. }
        | ExprKind::Method { .. }
        | ExprKind::Cast(..)
        | ExprKind::Paren(_) => false,
        _ => true,
    }
}

/// Where a constant is required: a default (E0209) or an assignment of a typed constant
/// (E0203).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConstantSite {
    /// A variable's or a struct field's default.
    Default,
    /// A typed array, map or encoded literal assigned in a statement.
    Assignment,
}

impl ConstantSite {
    /// The code of a wrong constant here.
    pub(crate) fn code(self) -> Code {
        match self {
            ConstantSite::Default => Code::E0209,
            ConstantSite::Assignment => Code::E0203,
        }
    }
}

/// A part of a map literal's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapPart {
    /// The keys.
    Key,
    /// The values.
    Value,
}

impl MapPart {
    /// "key" or "value".
    pub(crate) fn word(self) -> &'static str {
        match self {
            MapPart::Key => "key",
            MapPart::Value => "value",
        }
    }
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
            Problem::JsonMemberNotConstant { .. } => Code::E0214,
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
            Problem::Unreachable { .. } => Code::E0301,
            Problem::FailureMessagePlaceholders { .. } => Code::E0302,
            Problem::ParentNotWorkflowName { .. }
            | Problem::WorkflowSettingNotTop { .. }
            | Problem::ThreadSettingInBlock { .. }
            | Problem::InterruptInBlock { .. }
            | Problem::WorkflowUpdatePolicy { .. } => Code::E0304,
            Problem::SettingTwice { .. } => Code::E0305,
            Problem::ParentRunsChild { .. } => Code::E0307,
            Problem::GroupOnlyReassign { .. } => Code::W0002,
            Problem::LiteralCast { .. } => Code::W0003,
            Problem::MaskedArgument { .. } => Code::W0040,
            Problem::JsonIntoTyped { site, .. } => site.code(),
            Problem::ArgumentLiteral { .. }
            | Problem::ArgumentType { .. }
            | Problem::TaskNameType { .. } => Code::E0202,
            Problem::NotConstant { site, .. }
            | Problem::EncodedConstant { site, .. }
            | Problem::ConstantType { site, .. }
            | Problem::StructConstantType { site, .. } => site.code(),
            Problem::FieldNotStruct { .. }
            | Problem::FieldType { .. }
            | Problem::AssignTypes { .. }
            | Problem::AssignLet { .. }
            | Problem::SleepType { .. }
            | Problem::SleepUntilType { .. }
            | Problem::SecondsType { .. }
            | Problem::UnexpectedPayload { .. }
            | Problem::PayloadType { .. }
            | Problem::MissingPayload { .. }
            | Problem::BindingType { .. }
            | Problem::CorrelationKeyType { .. }
            | Problem::SpawnListType { .. }
            | Problem::InputType { .. }
            | Problem::StrOption { .. }
            | Problem::MapKeyType { .. }
            | Problem::MapEntryType { .. } => Code::E0203,
            Problem::UnknownField { .. }
            | Problem::UnknownFormField { .. }
            | Problem::NoFields { .. }
            | Problem::ArrayIndexType { .. }
            | Problem::IndexNotConstant { .. }
            | Problem::NotIndexable { .. } => Code::E0212,
            Problem::AssigneeType { .. }
            | Problem::BlankAssignee { .. }
            | Problem::Unassigned { .. }
            | Problem::ReassignToNobody { .. }
            | Problem::ReleaseWithoutBoth { .. } => Code::E0227,
            Problem::DuplicateVariable { .. } => Code::E0104,
            Problem::UnknownMethod { .. } => Code::E0107,
            Problem::UnknownWorkflow { .. } => Code::E0110,
            Problem::UnknownUserTask { .. } => Code::E0111,
            Problem::InvalidCast { .. } => Code::E0208,
            Problem::SearchableNotJson { .. } | Problem::SearchableIndexType { .. } => Code::E0215,
            Problem::ReturnWithoutValue { .. }
            | Problem::ReturnTypes { .. }
            | Problem::EndWithoutReturn { .. } => Code::E0220,
            Problem::MissingFields { .. } => Code::E0230,
            Problem::CatchStepCount { .. } => Code::E0222,
            Problem::ErrorTypeAsException { .. }
            | Problem::UnknownErrorType { .. }
            | Problem::DuplicateCatch { .. } => Code::E0223,
            Problem::DuplicateInterrupt { .. } | Problem::AwaitedAndInterrupt { .. } => Code::E0224,
            Problem::RetriesNotCount { .. }
            | Problem::BackoffRange { .. }
            | Problem::BackoffMultiplier { .. } => Code::E0226,
            Problem::VersionOutOfRange { .. } => Code::E0002,
        }
    }
}

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
            Problem::UnknownVariable {
                name: name(),
                span,
                hint: UnknownVariableHint::SettingWithEquals { between: span },
            },
            Problem::UnknownVariable {
                name: name(),
                span,
                hint: UnknownVariableHint::Event { await_at: span },
            },
            Problem::ForeignLiteral {
                name: name(),
                span,
                literal: "null",
            },
            Problem::UnknownTask {
                name: name(),
                span,
                hint: UnknownTaskHint::Sleep { fix: None },
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
            Problem::InvalidFieldName {
                name: name(),
                span,
                suggestion: String::new(),
            },
            Problem::InvalidFieldName {
                name: name(),
                span,
                suggestion: name(),
            },
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
            Problem::UnknownEvent {
                workflow_event: false,
                name: name(),
                span,
                hint: UnknownEventHint::Handle { wait_at: span },
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
            Problem::UselessExpression {
                span,
                assign_at: None,
            },
            Problem::UselessExpression {
                span,
                assign_at: Some(span),
            },
            Problem::LetWithoutStep {
                name: name(),
                span,
                var: None,
            },
            Problem::LetWithoutStep {
                name: name(),
                span,
                var: Some(LetAsVar {
                    keyword: span,
                    name_end: 0,
                    ty: Ty::INT,
                    constant: true,
                }),
            },
            Problem::LetWithoutStep {
                name: name(),
                span,
                var: Some(LetAsVar {
                    keyword: span,
                    name_end: 0,
                    ty: Ty::INT,
                    constant: false,
                }),
            },
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
            Problem::JsonMemberNotConstant { span },
            Problem::SleepSeconds { span, zero: true },
            Problem::SleepSeconds { span, zero: false },
            Problem::SecondsNotConstant { what: name(), span },
            Problem::SecondsNotPositive { what: name(), span },
            Problem::WaitNotName {
                span,
                sleep_at: None,
            },
            Problem::WaitNotName {
                span,
                sleep_at: Some(span),
            },
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
        // Settings, flow and LittleHorse rules (E03xx, W0002, W0003, W0040).
        all.extend([
            Problem::Unreachable {
                span,
                end: span,
                rest: span,
            },
            Problem::FailureMessagePlaceholders { span },
            Problem::ParentNotWorkflowName { span },
            Problem::WorkflowSettingNotTop {
                setting: name(),
                span,
            },
            Problem::ThreadSettingInBlock {
                setting: name(),
                span,
            },
            Problem::InterruptInBlock { span },
            Problem::WorkflowUpdatePolicy {
                word: name(),
                span,
                meant: Some("none"),
            },
            Problem::WorkflowUpdatePolicy {
                word: name(),
                span,
                meant: None,
            },
            Problem::ParentRunsChild {
                caller: name(),
                target: name(),
                span,
                setting: span,
            },
            Problem::GroupOnlyReassign {
                span,
                on_arrival: true,
            },
            Problem::GroupOnlyReassign {
                span,
                on_arrival: false,
            },
            Problem::LiteralCast {
                span,
                prim: Prim::Bytes,
            },
            Problem::LiteralCast {
                span,
                prim: Prim::WfRunId,
            },
            Problem::MaskedArgument {
                var: name(),
                span,
                param: name(),
                task: name(),
                declared: span,
                param_type: span,
            },
        ]);
        for setting in [
            RepeatedSetting::Line(name()),
            RepeatedSetting::ThreadRetention,
            RepeatedSetting::DefaultThreadRetention,
            RepeatedSetting::DefaultTaskOption("retries"),
        ] {
            all.push(Problem::SettingTwice {
                setting,
                span,
                first: span,
            });
        }
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
        all.extend(examples_e01_e02());
        all
    }

    #[test]
    fn every_registered_code_is_a_problem() {
        let mut migrated: BTreeSet<Code> = one_of_each().iter().map(Problem::code).collect();
        // Test files (E04xx, W0020): `test/problems.rs`.
        migrated.extend(
            crate::test::problems::one_of_each()
                .iter()
                .map(crate::test::problems::TestProblem::code),
        );
        // Decompiling (W0030-W0032): `decompile/problems.rs`.
        migrated.extend(
            crate::decompile::problems::one_of_each()
                .iter()
                .map(crate::decompile::problems::DecompileProblem::code),
        );
        // Other phases' problems (`syntax::problems::SyntaxProblem`, ...) count too.
        migrated.extend(crate::syntax::problems::migrated_codes());
        for code in Code::ALL {
            assert!(
                migrated.contains(code),
                "{code} is registered but no problem of any phase maps to it"
            );
        }
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
        // The needle matches a call site as it is written (whitespace removed).
        let site: String = "Diagnostic::error(\n    Code::E0101,"
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(site.contains("Diagnostic::error(Code::E0101"));
        // Every code is migrated: no call site in check/ builds a diagnostic itself.
        for src in &sources {
            assert!(!src.contains("Diagnostic::error(") && !src.contains("Diagnostic::warning("));
        }
    }

    /// One value of each variant added for E01xx and E02xx codes (kept apart from
    /// `one_of_each` so that parallel migrations append to separate blocks).
    fn examples_e01_e02() -> Vec<Problem> {
        let span = Span::default();
        let name = || "x".to_string();
        let mut all = Vec::new();
        for site in [ValueSite::TaskArgument, ValueSite::Other] {
            all.push(Problem::JsonIntoTyped {
                site,
                span,
                target: Ty::Struct(name()),
            });
        }
        for site in [ConstantSite::Default, ConstantSite::Assignment] {
            all.push(Problem::NotConstant { site, span });
            all.push(Problem::EncodedConstant {
                site,
                span,
                ty: Ty::Prim(crate::ast::Prim::Bytes),
                why: name(),
            });
            all.push(Problem::ConstantType {
                site,
                span,
                expected: Ty::INT,
                found: Ty::STR,
            });
            all.push(Problem::StructConstantType {
                site,
                span,
                expected: Ty::INT,
                built: Ty::Struct(name()),
            });
        }
        for part in [MapPart::Key, MapPart::Value] {
            all.push(Problem::MapEntryType {
                part,
                span,
                ty: Ty::INT,
                first: Ty::STR,
                first_span: span,
            });
        }
        for suggestion in [Some(name()), None] {
            all.push(Problem::UnknownField {
                struct_name: name(),
                name: name(),
                span,
                suggestion: suggestion.clone(),
                fields: vec![name()],
            });
            all.push(Problem::UnknownFormField {
                form: name(),
                name: name(),
                span,
                base_span: span,
                suggestion,
                fields: vec![name()],
            });
        }
        for ty in [Ty::INT, Ty::Array(Box::new(Ty::INT))] {
            all.push(Problem::NoFields {
                name: name(),
                span,
                base_span: span,
                ty,
            });
        }
        for who in [Assignee::User, Assignee::Group] {
            all.push(Problem::AssigneeType {
                who,
                span,
                ty: Ty::INT,
            });
            all.push(Problem::BlankAssignee { who, span });
        }
        for body in [Body::Workflow, Body::Thread] {
            all.push(Problem::ReturnWithoutValue {
                body,
                span,
                value_span: span,
            });
            all.push(Problem::ReturnTypes {
                body,
                span,
                ty: Ty::INT,
                first: Ty::STR,
                first_span: span,
            });
            for value in [Some(Ty::INT), None] {
                all.push(Problem::EndWithoutReturn {
                    body,
                    span,
                    value_span: span,
                    value,
                });
            }
        }
        for suggestion in [Some("size"), None] {
            all.push(Problem::UnknownMethod {
                name: name(),
                span,
                suggestion,
            });
            all.push(Problem::UnknownErrorType {
                name: name(),
                span,
                suggestion,
            });
            all.push(Problem::UnknownWorkflow {
                name: name(),
                span,
                suggestion: suggestion.map(str::to_string),
            });
            all.push(Problem::UnknownUserTask {
                name: name(),
                span,
                suggestion: suggestion.map(str::to_string),
            });
        }
        for missing in [vec![name()], vec![name(), name()]] {
            all.push(Problem::MissingFields {
                struct_name: name(),
                span,
                missing,
            });
        }
        all.extend([
            Problem::DuplicateVariable {
                name: name(),
                span,
                first: span,
            },
            Problem::InvalidCast {
                span,
                from: Ty::BOOL,
                to: Ty::INT,
            },
            Problem::SearchableNotJson {
                name: name(),
                span,
                ty: Ty::INT,
            },
            Problem::SearchableIndexType {
                span,
                ty: Ty::Prim(crate::ast::Prim::JsonObj),
            },
            Problem::CatchStepCount { span, steps: 2 },
            Problem::ErrorTypeAsException {
                name: name(),
                span,
                error: name(),
            },
            Problem::DuplicateCatch { span, first: span },
            Problem::DuplicateInterrupt {
                event: name(),
                span,
                first: span,
            },
            Problem::AwaitedAndInterrupt { span, other: span },
            Problem::RetriesNotCount { span },
            Problem::BackoffRange { span },
            Problem::BackoffMultiplier { span },
            Problem::Unassigned { form: name(), span },
            Problem::ReassignToNobody { span },
            Problem::ReleaseWithoutBoth { span },
            Problem::ArrayIndexType { span, ty: Ty::STR },
            Problem::IndexNotConstant { span },
            Problem::NotIndexable {
                span,
                base_span: span,
                ty: Ty::INT,
            },
            Problem::ArgumentLiteral {
                param: name(),
                task: name(),
                span,
                ty: Ty::Prim(crate::ast::Prim::Bytes),
                why: name(),
            },
            Problem::ArgumentType {
                param: name(),
                task: name(),
                span,
                expected: Ty::INT,
                found: Ty::STR,
                declared: span,
                needs_parens: true,
            },
            Problem::TaskNameType { span, ty: Ty::INT },
            Problem::FieldNotStruct {
                field: name(),
                span,
                ty: Ty::INT,
            },
            Problem::FieldType {
                field: name(),
                span,
                expected: Ty::INT,
                found: Ty::STR,
            },
            Problem::AssignTypes {
                place: name(),
                span,
                place_span: span,
                target: Ty::INT,
                value: Ty::STR,
                needs_parens: false,
            },
            Problem::AssignLet { name: name(), span },
            Problem::SleepType { span, ty: Ty::STR },
            Problem::SleepUntilType { span, ty: Ty::BOOL },
            Problem::SecondsType {
                noun: name(),
                span,
                ty: Ty::STR,
            },
            Problem::UnexpectedPayload {
                event: name(),
                span,
                removal: span,
            },
            Problem::PayloadType {
                event: name(),
                span,
                expected: Ty::INT,
                found: Ty::STR,
            },
            Problem::MissingPayload {
                event: name(),
                span,
                expected: Ty::INT,
            },
            Problem::BindingType {
                name: name(),
                span,
                known: Ty::INT,
                written: Ty::STR,
            },
            Problem::CorrelationKeyType { span, ty: Ty::INT },
            Problem::SpawnListType { span, ty: Ty::INT },
            Problem::InputType {
                name: name(),
                span,
                expected: Ty::INT,
                found: Ty::STR,
            },
            Problem::StrOption {
                what: name(),
                example: name(),
                span,
                ty: Ty::INT,
            },
            Problem::MapKeyType {
                span,
                ty: Ty::Prim(crate::ast::Prim::JsonObj),
            },
        ]);
        all
    }
}
