//! The owned syntax tree of one `.lhw` file. Nodes carry byte spans; no pest types leak out
//! of `syntax`.

use crate::source::Span;

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    /// The text of the name.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// Items in source order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `task name(params) -> type`
    Task(TaskDecl),
    /// `event name: type`
    Event(EventDecl),
    /// `workflow-event name: type`
    WorkflowEvent(EventDecl),
    /// `struct name { fields }`
    Struct(StructDecl),
    /// `workflow name { ... }`
    Workflow(Workflow),
    /// `user-task name { fields }`
    UserTask(UserTaskDecl),
    /// Text that did not parse; its diagnostic has been reported.
    Error(Span),
}

impl Item {
    /// The whole span of the item.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Item::Task(t) => t.span,
            Item::Event(e) | Item::WorkflowEvent(e) => e.span,
            Item::Struct(s) => s.span,
            Item::Workflow(w) => w.span,
            Item::UserTask(u) => u.span,
            Item::Error(s) => *s,
        }
    }
}

/// A task declaration: the TaskDef's name, inputs and output.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDecl {
    /// The TaskDef name.
    pub name: Name,
    /// Positional inputs.
    pub params: Vec<Param>,
    /// Output type; `None` for a task that returns nothing.
    pub returns: Option<TypeExpr>,
    /// The TaskDef's description.
    pub description: Option<StrLit>,
    /// The whole declaration.
    pub span: Span,
}

/// One task input.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Input variable name.
    pub name: Name,
    /// Its type.
    pub ty: TypeExpr,
    /// Whether the value is masked.
    pub masked: bool,
}

/// An external event or workflow event declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDecl {
    /// The def's name.
    pub name: Name,
    /// Payload type, if any.
    pub payload: Option<TypeExpr>,
    /// `correlated [ttl D] [once]` (external events only).
    pub correlated: Option<Correlated>,
    /// `retention D` (external events only): how long events are kept.
    pub retention: Option<Expr>,
    /// `extern`: registered elsewhere; no Put request is emitted for it.
    pub external: bool,
    /// The whole declaration.
    pub span: Span,
}

/// `correlated [ttl D] [once]`: the CorrelatedEventConfig of an external event.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlated {
    /// How long an uncorrelated event is kept.
    pub ttl: Option<Expr>,
    /// `once`: delete the event after its first correlation.
    pub once: bool,
    /// Where `correlated` is written.
    pub span: Span,
}

/// A user task form (UserTaskDef).
#[derive(Debug, Clone, PartialEq)]
pub struct UserTaskDecl {
    /// UserTaskDef name.
    pub name: Name,
    /// Optional description.
    pub description: Option<StrLit>,
    /// The form's fields.
    pub fields: Vec<UserTaskField>,
    /// The whole declaration.
    pub span: Span,
}

/// One user task field: `name: type "Display name" "description" required`.
#[derive(Debug, Clone, PartialEq)]
pub struct UserTaskField {
    /// Field name.
    pub name: Name,
    /// Field type (str, int, double or bool).
    pub ty: TypeExpr,
    /// Display name.
    pub display_name: Option<StrLit>,
    /// Description.
    pub description: Option<StrLit>,
    /// `required` written.
    pub required: bool,
}

/// A struct declaration (StructDef).
#[derive(Debug, Clone, PartialEq)]
pub struct StructDecl {
    /// StructDef name.
    pub name: Name,
    /// Description string.
    pub description: Option<StrLit>,
    /// `updates none|compatible`: the StructDef's allowed schema updates.
    pub updates: Option<Name>,
    /// Fields in order.
    pub fields: Vec<StructField>,
    /// The whole declaration.
    pub span: Span,
}

/// One struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct StructField {
    /// Field name.
    pub name: Name,
    /// Field type.
    pub ty: TypeExpr,
    /// `masked` written.
    pub masked: bool,
    /// `nullable` written: the field may be left out (`is_nullable`).
    pub nullable: bool,
    /// Description string.
    pub description: Option<StrLit>,
    /// Default value; absent (and not `nullable`) means required.
    pub default: Option<Expr>,
}

/// A workflow: the entrypoint thread's body plus workflow settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    /// WfSpec name.
    pub name: Name,
    /// The body.
    pub body: Block,
    /// The whole item.
    pub span: Span,
}

/// A written type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// A primitive type.
    Prim(Prim, Span),
    /// A struct name.
    Named(Name),
    /// `name version N`: a struct type pinned to a StructDef version.
    Pinned {
        /// The struct name.
        name: Name,
        /// The version and where it is written.
        version: (i64, Span),
        /// The whole type.
        span: Span,
    },
    /// `T[]`
    Array(Box<TypeExpr>, Span),
    /// `map<K, V>`
    Map(Box<TypeExpr>, Box<TypeExpr>, Span),
}

impl TypeExpr {
    /// Where the type is written.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Prim(_, s) | TypeExpr::Array(_, s) | TypeExpr::Map(_, _, s) => *s,
            TypeExpr::Named(n) => n.span,
            TypeExpr::Pinned { span, .. } => *span,
        }
    }
}

/// The LittleHorse primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prim {
    /// `str`
    Str,
    /// `int` (int64)
    Int,
    /// `double`
    Double,
    /// `bool`
    Bool,
    /// `json-obj` (or `json`)
    JsonObj,
    /// `json-arr`
    JsonArr,
    /// `bytes`
    Bytes,
    /// `timestamp`
    Timestamp,
    /// `wf-run-id`
    WfRunId,
}

/// `{ statements }`
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Statements in order.
    pub stmts: Vec<Stmt>,
    /// Including the braces.
    pub span: Span,
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// `catch ... { }` failure handlers on the statement's step.
    pub catches: Vec<Catch>,
    /// The whole statement.
    pub span: Span,
}

/// The statement kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `var` / `input` declaration.
    Var(VarDecl),
    /// `let name = step`
    Let {
        /// The bound name.
        name: Name,
        /// The step whose output is bound.
        value: Expr,
    },
    /// `place = value`, `place += value`, ...
    Assign {
        /// The assigned variable (and path).
        place: Place,
        /// The operator.
        op: AssignOp,
        /// Where the operator is written.
        op_span: Span,
        /// Right-hand side.
        value: Expr,
    },
    /// `extend place with value`
    Extend {
        /// The extended variable.
        place: Place,
        /// What is appended.
        value: Expr,
    },
    /// `remove [index|key] value from place`
    Remove {
        /// The variable removed from.
        place: Place,
        /// Which removal.
        what: RemoveWhat,
        /// The value, index or key.
        value: Expr,
    },
    /// `if cond { } else ...`
    If(IfStmt),
    /// `while cond { }`
    While {
        /// Loop condition.
        cond: Expr,
        /// Loop body.
        body: Block,
    },
    /// `return [value]`
    Return(Option<Expr>),
    /// `fail name ["message"] [with content]`
    Fail {
        /// The exception name.
        name: Name,
        /// The message literal.
        message: Option<StrLit>,
        /// The failure content.
        content: Option<Expr>,
    },
    /// `wait until cond`
    WaitUntil(Expr),
    /// `sleep duration-or-seconds`
    Sleep(Expr),
    /// `sleep until timestamp`
    SleepUntil(Expr),
    /// `updates all|minor|none`
    Updates(Name),
    /// A `name value` workflow setting: `retention 30d`, `parent other-workflow`.
    Setting {
        /// The setting.
        name: Name,
        /// Its value.
        value: Expr,
    },
    /// `thread retention D`: how long this thread's run is kept after it ends.
    ThreadRetention(Expr),
    /// `default thread retention D`
    DefaultThreadRetention(Expr),
    /// `default task retries N timeout D backoff A..B xM`
    DefaultTask(TaskOpts),
    /// `on event [(payload)] { ... }`: an interrupt handler.
    On {
        /// The external event.
        event: Name,
        /// The name the payload is bound to.
        binding: Option<Name>,
        /// The payload's type, when written (`on e(p: str)`).
        binding_ty: Option<TypeExpr>,
        /// The handler body (its own thread).
        body: Block,
    },
    /// `emit event [value]`: throw a workflow event.
    Emit {
        /// The workflow event.
        event: Name,
        /// The payload.
        value: Option<Expr>,
    },
    /// `wait [first of|any of] a, b`: wait for threads or a child workflow.
    Wait {
        /// How to wait.
        strategy: WaitStrategy,
        /// Thread handles, a for-each handle, or one child workflow handle.
        targets: Vec<Expr>,
    },
    /// An expression evaluated for its effect (a task call).
    Expr(Expr),
    /// Text that did not parse; its diagnostic has been reported.
    Error,
}

/// How `wait` waits for threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitStrategy {
    /// `wait a, b` (WAIT_FOR_ALL)
    All,
    /// `wait first of a, b` (WAIT_FOR_FIRST)
    First,
    /// `wait any of a, b` (WAIT_FOR_ANY)
    Any,
}

/// Whether an `await`'s correlation key is masked (`ExternalEventNode.mask_correlation_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMask {
    /// Nothing written: masked when a `masked` variable feeds the key.
    Inferred,
    /// `correlated by KEY masked`
    Masked,
    /// `correlated by KEY unmasked`
    Unmasked,
}

/// A failure handler: `catch spec [(binding)] { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catch {
    /// What it catches.
    pub spec: CatchSpec,
    /// On a `wait` for threads: whose failure (`catch thread` / `catch wait`).
    pub site: CatchSite,
    /// The name the failure content is bound to.
    pub binding: Option<Name>,
    /// The content's type, when written (`catch e(c: str)`).
    pub binding_ty: Option<TypeExpr>,
    /// The handler body (its own thread).
    pub body: Block,
    /// `catch spec` (without the body).
    pub span: Span,
}

/// Whose failure a `catch` handles, as written after `catch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchSite {
    /// `catch spec`: the step's own failure (on a `wait` for threads, ambiguous: E0232).
    Step,
    /// `catch thread spec`: on a `wait` for threads, each waited thread's failure
    /// (`per_thread_failure_handlers`).
    EachThread,
    /// `catch wait spec`: on a `wait` for threads, the failure of the wait itself
    /// (the node's `failure_handlers`).
    Wait,
}

/// What a `catch` catches.
#[derive(Debug, Clone, PartialEq)]
pub enum CatchSpec {
    /// `catch name`: one business exception.
    Named(Name),
    /// `catch exception`: any business exception.
    AnyException,
    /// `catch error`: any LittleHorse error.
    AnyError,
    /// `catch error timeout`: one error type (kebab-case of LHErrorType).
    Error(Name),
    /// `catch any`: every failure.
    Any,
}

/// Task-node options: `retries N`, `timeout D`, `backoff A..B xM`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskOpts {
    /// Retries after the first attempt.
    pub retries: Option<Expr>,
    /// Per-attempt timeout.
    pub timeout: Option<Expr>,
    /// Exponential backoff between retries.
    pub backoff: Option<Backoff>,
}

/// `backoff base..max xM`
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    /// First delay.
    pub base: Expr,
    /// Largest delay.
    pub max: Expr,
    /// Growth factor (default 2).
    pub multiplier: Option<f64>,
    /// The whole option.
    pub span: Span,
}

/// A user-task action: when and what.
#[derive(Debug, Clone, PartialEq)]
pub struct UserTaskAction {
    /// What happens.
    pub kind: UserTaskActionKind,
    /// After how long.
    pub after: Expr,
    /// `on assignment` (ON_TASK_ASSIGNED) or `on arrival` (ON_ARRIVAL); `None` = the
    /// action's default.
    pub on_assignment: Option<bool>,
    /// The whole action.
    pub span: Span,
}

/// The user-task actions.
#[derive(Debug, Clone, PartialEq)]
pub enum UserTaskActionKind {
    /// `reassign to user X group Y after D`
    Reassign {
        /// New user.
        user: Option<Expr>,
        /// New group.
        group: Option<Expr>,
    },
    /// `release to group after D`
    Release,
    /// `remind task(args) after D`
    Remind {
        /// The reminder task.
        task: Name,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// `cancel after D`
    Cancel,
}

/// `ask form to user X group Y ...`: a user task step.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// The UserTaskDef.
    pub form: Name,
    /// Assigned user.
    pub user: Option<Expr>,
    /// Assigned group.
    pub group: Option<Expr>,
    /// `notes X`
    pub notes: Option<Expr>,
    /// `on cancel fail name`
    pub on_cancel: Option<Name>,
    /// Deadlines, reminders and reassignments, in order.
    pub actions: Vec<UserTaskAction>,
    /// `version N`: the UserTaskDef version (`user_task_def_version`).
    pub version: Option<(i64, Span)>,
}

/// `spawn name(inputs) [for item in list] { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct Spawn {
    /// The thread (ThreadSpec) name.
    pub name: Name,
    /// Inputs: the child's variables and their values.
    pub inputs: Vec<(Name, Expr)>,
    /// `for item in list`: one thread per element.
    pub each: Option<(Name, Expr)>,
    /// The element's type, when written (`for item: str in list`).
    pub each_ty: Option<TypeExpr>,
    /// The thread body.
    pub body: Block,
}

/// What `remove` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveWhat {
    /// `remove value from list` (REMOVE_IF_PRESENT)
    Value,
    /// `remove index i from list` (REMOVE_INDEX)
    Index,
    /// `remove key k from obj` (REMOVE_KEY)
    Key,
}

/// Access level keywords on a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `public`
    Public,
    /// `private` (the default)
    Private,
    /// `inherited`
    Inherited,
}

/// A variable declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct VarDecl {
    /// Declared with `input` (a value set when the run starts) rather than `var`.
    pub is_input: bool,
    /// Explicit access level.
    pub access: Option<(Access, Span)>,
    /// The variable name.
    pub name: Name,
    /// Declared type.
    pub ty: TypeExpr,
    /// Default value.
    pub default: Option<Expr>,
    /// `required` written.
    pub required: Option<Span>,
    /// `searchable` written.
    pub searchable: Option<Span>,
    /// `masked` written.
    pub masked: Option<Span>,
    /// `searchable on "$.path" as type` indexes.
    pub indexes: Vec<JsonIndexDecl>,
}

/// `searchable on "$.path" as type`
#[derive(Debug, Clone, PartialEq)]
pub struct JsonIndexDecl {
    /// The JSON path.
    pub path: String,
    /// Where the path is written.
    pub path_span: Span,
    /// The indexed type.
    pub ty: TypeExpr,
}

/// `if` with optional `else` / `else if`.
#[derive(Debug, Clone, PartialEq)]
pub struct IfStmt {
    /// The condition.
    pub cond: Expr,
    /// The then-branch.
    pub then: Block,
    /// The else-branch.
    pub otherwise: Option<Else>,
}

/// An else-branch.
#[derive(Debug, Clone, PartialEq)]
pub enum Else {
    /// `else if ...`
    If(Box<IfStmt>, Span),
    /// `else { ... }`
    Block(Block),
}

/// An assignment operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Assign,
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// `/=`
    Div,
    /// `**=`
    Pow,
    /// `&&=`
    And,
    /// `||=`
    Or,
}

/// An assignable place: a variable and a path into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The variable.
    pub var: Name,
    /// Selectors after it.
    pub selectors: Vec<Selector>,
    /// The whole place.
    pub span: Span,
}

/// `.field` or `[index]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// `.name`
    Field(Name),
    /// `[expr]`
    Index(Expr),
}

/// A string literal, possibly with `{expr}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct StrLit {
    /// Text and holes in order.
    pub parts: Vec<StrPart>,
    /// Including the quotes.
    pub span: Span,
}

impl StrLit {
    /// The text if the literal has no holes.
    #[must_use]
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Hole(_) => return None,
            }
        }
        Some(out)
    }
}

/// A piece of a string literal.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text (escapes already decoded).
    Text(String),
    /// `{expr}`
    Hole(Expr),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// The whole expression.
    pub span: Span,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `**`
    Pow,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `contains`
    Contains,
    /// `not contains`
    NotContains,
}

impl BinOp {
    /// The operator as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "**",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Contains => "contains",
            BinOp::NotContains => "not contains",
        }
    }

    /// True for the comparison operators (which yield `bool`).
    #[must_use]
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Gt
                | BinOp::Le
                | BinOp::Ge
                | BinOp::In
                | BinOp::NotIn
                | BinOp::Contains
                | BinOp::NotContains
        )
    }
}

/// Expression kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `42`
    Int(i64),
    /// `4.2`
    Double(f64),
    /// `true` / `false`
    Bool(bool),
    /// `null`
    Null,
    /// `30s`, `500ms` (milliseconds)
    Duration(u64),
    /// `"text {hole}"`
    Str(StrLit),
    /// `{"k": v}`
    JsonObj(Vec<(String, Expr)>),
    /// `[a, b]`
    JsonArr(Vec<Expr>),
    /// A variable or `let` binding.
    Var(Name),
    /// `task(args) [retries N] [timeout D] [backoff A..B xM]`
    Call {
        /// The task name.
        callee: Name,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Task-node options.
        opts: Box<TaskOpts>,
    },
    /// `task(name-expr)(args)`: a task chosen at run time.
    DynCall {
        /// The TaskDef name (a str).
        task: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Task-node options.
        opts: Box<TaskOpts>,
    },
    /// `await event [timeout D] [correlated by key [masked]]`
    Await {
        /// The external event.
        event: Name,
        /// Timeout.
        timeout: Option<Box<Expr>>,
        /// Correlation key.
        correlation: Option<Box<Expr>>,
        /// Whether the correlation key is masked.
        mask: KeyMask,
    },
    /// `spawn ...`
    Spawn(Box<Spawn>),
    /// `ask form ...`
    Ask(Box<Ask>),
    /// `run workflow(inputs) [with id ID] [version N]`: start a child workflow.
    RunWf {
        /// The child WfSpec name (empty when `dynamic` chooses it).
        workflow: Name,
        /// Inputs by variable name.
        inputs: Vec<(Name, Expr)>,
        /// `run workflow(NAME)(...)`: the WfSpec name, a `str` read at run time.
        dynamic: Option<Box<Expr>>,
        /// `with id ID`: the child WfRun's id (a `str`, a format string for a predictable id).
        child_id: Option<Box<Expr>>,
        /// `version N`: the major version of the child WfSpec to run.
        version: Option<(i64, Span)>,
    },
    /// `wait child` used as a value: waits for a child workflow run and yields its output.
    WaitChild(Name),
    /// `new struct { field: value, nested: { ... } }`
    New {
        /// The StructDef.
        name: Name,
        /// `version N`: the StructDef version (the latest when absent).
        version: Option<(i64, Span)>,
        /// Field values.
        fields: Vec<(Name, Expr)>,
    },
    /// `{ field: value }` inside `new`: an inline sub-structure.
    InlineStruct(Vec<(Name, Expr)>),
    /// `map { key: value }`
    MapLit(Vec<(Expr, Expr)>),
    /// `value.method(args)`: `extend`, `remove-if-present`, `remove-index`, `remove-key`, `size`.
    Method {
        /// The receiver.
        recv: Box<Expr>,
        /// The method name.
        method: Name,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `value.field`
    Field {
        /// The base value.
        base: Box<Expr>,
        /// The field.
        name: Name,
    },
    /// `value[index]`
    Index {
        /// The base value.
        base: Box<Expr>,
        /// Index, key or json path.
        index: Box<Expr>,
    },
    /// `a op b`
    Binary {
        /// The operator.
        op: BinOp,
        /// Where the operator is written.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `!value`
    Not(Box<Expr>),
    /// `-value`
    Neg(Box<Expr>),
    /// `value as type`
    Cast(Box<Expr>, TypeExpr),
    /// `(value)`
    Paren(Box<Expr>),
}
