//! The one place that turns a checker [`Problem`] into a [`Diagnostic`]: its message,
//! labels, help and fixes, written from the problem's data. Call sites only say what is
//! wrong (`self.problem(Problem::...)`); the sentences and the edits live here, side by side,
//! so the help and the fix it names cannot drift apart.

use super::Ty;
use super::problems::{
    ChildKind, ConditionPlace, OperandNeed, Problem, UnaryOp, UnknownEventHint, UnknownTaskHint,
    UnknownVariableHint, VersionOf,
};
use crate::ast::RemoveWhat;
use crate::diag::{Diagnostic, Fix, a_or_an};

impl Problem {
    /// The diagnostic for this problem.
    pub(crate) fn diagnostic(self) -> Diagnostic {
        let code = self.code();
        match self {
            Problem::UnknownVariable { name, span, hint } => {
                let d = Diagnostic::error(code, span, format!("unknown variable `{name}`"))
                    .with_label("not declared before this point");
                match hint {
                    UnknownVariableHint::DeclaredLater(decl) => d
                        .with_secondary(decl, "declared here, after its use")
                        .with_help(format!(
                            "`{name}` is declared later in the workflow; move its declaration above its first use"
                        )),
                    UnknownVariableHint::LetOutOfScope(bound) => d
                        .with_secondary(bound, "bound here, in a block that has ended")
                        .with_help(format!(
                            "a `let` binding is visible only in its own block; to use the value later, declare `var {name}: <type>` before the block and assign it inside"
                        )),
                    UnknownVariableHint::Subtraction { left, right } => {
                        let spaced = format!("{left} - {right}");
                        d.with_help(format!(
                            "names may contain `-`; to subtract, write spaces: `{spaced}`"
                        ))
                        .with_fix(Fix::replace(format!("Write `{spaced}`"), span, spaced))
                    }
                    UnknownVariableHint::DidYouMean(close) => d.did_you_mean(&close),
                    UnknownVariableHint::IsTask => {
                        d.with_help(format!("`{name}` is a task; call it with `{name}(...)`"))
                    }
                    UnknownVariableHint::Declare => {
                        d.with_help(format!("declare it first: `var {name}: <type>`"))
                    }
                }
            }
            Problem::ForeignLiteral {
                name,
                span,
                literal,
            } => Diagnostic::error(code, span, format!("unknown variable `{name}`"))
                .with_label("not a literal of the language")
                .did_you_mean(literal),
            Problem::UnknownTask { name, span, hint } => {
                let d = Diagnostic::error(code, span, format!("unknown task `{name}`"))
                    .with_label("no task with this name is declared");
                match hint {
                    UnknownTaskHint::DidYouMean(close) => d.did_you_mean(&close),
                    UnknownTaskHint::Sleep => d.with_help(
                        "to pause the run, write `sleep 30s` (a name directly followed by `(` calls a task)",
                    ),
                    UnknownTaskHint::Wait => d.with_help(
                        "to wait, write `wait until condition` or `wait handle, ...` (a name directly followed by `(` calls a task)",
                    ),
                    UnknownTaskHint::Declare { decl, fix } => {
                        let d = d.with_help(format!("declare it: `{decl}`"));
                        match fix {
                            Some(fix) => d.with_fix(fix),
                            None => d,
                        }
                    }
                }
            }
            Problem::Duplicate {
                what,
                name,
                span,
                first,
            } => {
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("the {what} `{name}` is declared twice"),
                )
                .with_label("declared again here");
                let d = match first {
                    Some(first) => d.with_secondary(first, "first declared here"),
                    None => d,
                };
                d.with_help(format!("rename one of the {what}s or remove the duplicate"))
            }
            Problem::InvalidName {
                what,
                name,
                span,
                suggestion,
            } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is not a valid LittleHorse {what} name"),
            )
            .with_label("only letters, digits and inner hyphens are allowed")
            // The fix (a rename of every use) is added once the index knows the uses
            // (`rename_fix.rs`).
            .with_help(if suggestion.is_empty() {
                "a name needs at least one letter or digit, e.g. `item`".to_string()
            } else {
                format!("try `{suggestion}`")
            }),
            Problem::InvalidFieldName { name, span } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is not a valid struct field name"),
            )
            .with_label("StructDef fields must be camelCase")
            .with_help(
                "start with a lowercase letter and use only letters and digits, e.g. `zipCode`",
            ),
            Problem::UnknownType {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(code, span, format!("unknown type `{name}`"))
                    .with_label("not a primitive type or a declared struct");
                match suggestion {
                    Some(s) => d.did_you_mean(&s),
                    None => d.with_help(format!("declare it with `struct {name} {{ ... }}`")),
                }
            }
            Problem::MapKeyNotPrimitive { span, key } => {
                Diagnostic::error(code, span, "map keys must be primitive")
                    .with_label(format!("`{key}` is not a primitive type"))
                    .with_help("use `str` or `int` keys")
            }
            Problem::FormFieldType { span, ty } => {
                Diagnostic::error(code, span, format!("user task fields cannot be `{ty}`"))
                    .with_label("not a form field type")
                    .with_help("user task fields are str, int, double or bool")
            }
            Problem::UnknownEvent {
                workflow_event,
                name,
                span,
                hint,
            } => {
                let (kind, keyword) = if workflow_event {
                    ("workflow event", "workflow-event")
                } else {
                    ("event", "event")
                };
                let d = Diagnostic::error(code, span, format!("unknown {kind} `{name}`"))
                    .with_label(format!("no {kind} with this name is declared"));
                match hint {
                    UnknownEventHint::DidYouMean(close) => d.did_you_mean(&close),
                    UnknownEventHint::Declare { fix } => {
                        let d = d.with_help(format!(
                            "declare it: `{keyword} {name}: <payload type>`"
                        ));
                        match fix {
                            Some(fix) => d.with_fix(fix),
                            None => d,
                        }
                    }
                }
            }
            Problem::UnknownUpdatePolicy { word, span } => Diagnostic::error(
                code,
                span,
                format!("`{word}` is not a struct update policy"),
            )
            .with_label("not `none` or `compatible`")
            .with_help(
                "write `updates none` (no schema change, the default) or `updates compatible` (fully compatible changes)",
            ),
            Problem::TaskArity {
                task,
                span,
                params,
                given,
                declared,
            } => {
                let expected: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                Diagnostic::error(
                    code,
                    span,
                    format!(
                        "`{task}` takes {} argument{}, but {given} {} given",
                        params.len(),
                        if params.len() == 1 { "" } else { "s" },
                        if given == 1 { "was" } else { "were" }
                    ),
                )
                .with_label("wrong number of arguments")
                .with_secondary(declared, "declared here")
                .with_help(format!("call it as `{task}({})`", expected.join(", ")))
            }
            Problem::MethodArity {
                method,
                span,
                arity,
                given,
            } => Diagnostic::error(
                code,
                span,
                format!(
                    "`{method}` takes {arity} argument{}, but {given} {} given",
                    if arity == 1 { "" } else { "s" },
                    if given == 1 { "was" } else { "were" }
                ),
            )
            .with_label("wrong number of arguments")
            .with_help(format!(
                "write `.{method}({})`",
                if arity == 1 { "value" } else { "" }
            )),
            Problem::ConditionNotBool {
                span,
                found,
                subject,
            } => {
                let help = match found {
                    Ty::Void => "this task returns nothing".to_string(),
                    _ => format!("compare it, e.g. `{subject} == ...`"),
                };
                Diagnostic::error(
                    code,
                    span,
                    format!("expected a `bool` condition, found `{found}`"),
                )
                .with_label(format!("this is {}", a_or_an(&found)))
                .with_help(help)
            }
            Problem::NoOutput { step, span } => {
                Diagnostic::error(code, span, format!("`{step}` returns nothing"))
                    .with_label("has no output to use")
                    .with_help(format!(
                        "declare the task's output type: `task {step}(...) -> <type>`"
                    ))
            }
            Problem::UselessExpression { span } => {
                Diagnostic::error(code, span, "this expression does nothing")
                    .with_label("computed and thrown away")
                    .with_help("only a task call can stand alone; to change a variable, assign it (`x = ...`, `x += ...`)")
            }
            Problem::LetWithoutStep { name, span } => {
                Diagnostic::error(code, span, "`let` binds the output of a step")
                    .with_label("this is not a task call")
                    .with_help(format!(
                        "to keep a value, declare a variable: `var {name}: <type> = ...`"
                    ))
            }
            Problem::StepInCondition { place, what, span } => match place {
                ConditionPlace::Loop => Diagnostic::error(code, span, format!("{what} in a loop condition runs only once"))
                    .with_label("runs once, before the loop")
                    .with_help("run the task before the loop and at the end of its body, assigning its output to a variable the condition reads"),
                ConditionPlace::ElseIf => Diagnostic::error(code, span, format!("{what} in an `else if` condition"))
                    .with_label("this step cannot run inside the condition")
                    .with_help("call the task before the `if` and test its output: `let out = task(...)`, then `else if out ...`"),
                ConditionPlace::WaitUntil => Diagnostic::error(code, span, format!("{what} in a `wait until` condition runs only once"))
                    .with_label("runs once, before the wait")
                    .with_help("LittleHorse re-checks the condition, not the task: poll in a loop instead (`while !done { sleep 1m; done = task(...) }`), or wait for a variable that a step or an event sets"),
            },
            Problem::ReservedFailure { name, span } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is reserved for LittleHorse's own errors"),
            )
            .with_label("a workflow cannot throw this")
            .with_help("name your own exception in kebab-case, e.g. `payment-declined`"),
            Problem::EntrypointThreadName { span } => {
                Diagnostic::error(code, span, "`entrypoint` is the workflow's own thread")
                    .with_label("reserved thread name")
                    .with_help("name the spawned thread after what it does")
            }
            Problem::DuplicateThread { name, span, first } => Diagnostic::error(
                code,
                span,
                format!("a thread named `{name}` already exists"),
            )
            .with_label("spawned again here")
            .with_secondary(first, "first spawned here")
            .with_help("each spawned thread needs its own name"),
            Problem::InheritedWithoutParent { name, span } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is inherited, but the workflow has no parent"),
            )
            .with_label("reads the parent workflow's variable")
            .with_help("name the parent workflow with `parent <workflow>` in this workflow"),
            Problem::UntypedBinding { name, span, why } => {
                Diagnostic::error(code, span, format!("`{name}` needs a type"))
                    .with_label(why)
                    .with_help(format!(
                        "write its type: `{name}: str` (or int, double, bool, json-obj, ...)"
                    ))
            }
            Problem::JsonPathWithoutDollar { path, span } => {
                Diagnostic::error(code, span, "json paths start with `$`")
                    .with_label("not a json path")
                    .with_help(format!("write `\"$.{}\"`", path.trim_start_matches('.')))
            }
            Problem::JsonPathOnNonJson {
                span,
                base,
                base_span,
            } => Diagnostic::error(
                code,
                span,
                format!("json paths apply to json values, not to {}", a_or_an(&base)),
            )
            .with_label("json path")
            .with_secondary(base_span, format!("this is {}", a_or_an(&base)))
            .with_help("use `.field` selectors on structs and maps"),
            Problem::OtherThreadOutput { name, span } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is the output of a step in another thread"),
            )
            .with_label("not readable in this thread")
            .with_help(format!(
                "store it in a variable first (`var {name}-value: <type>` and assign it), then read the variable here"
            )),
            Problem::AmbiguousThreadWaitCatch { span, spec } => Diagnostic::error(
                code,
                span,
                "a `catch` on a `wait` for threads is ambiguous",
            )
            .with_label("whose failure: each thread's, or the wait's?")
            .with_help(format!(
                "write `catch thread {spec}` to handle each waited thread's failure \
                 (the wait goes on once the handler completes), or `catch wait {spec}` \
                 to handle the failure of the wait itself"
            )),
            Problem::CatchSiteOnStep {
                span,
                each_thread,
                spec,
            } => {
                let word = if each_thread { "thread" } else { "wait" };
                Diagnostic::error(
                    code,
                    span,
                    format!("`catch {word}` is only for a `wait` for threads"),
                )
                .with_label("this step is not a wait for threads")
                .with_help(format!("write `catch {spec}` to handle this step's failure"))
            }
            Problem::VersionOutOfRange { of, span } => {
                let (message, label, help) = match of {
                    VersionOf::Struct => (
                        "a struct version is an int32",
                        "too large",
                        "write the version of the StructDef, e.g. `version 2`",
                    ),
                    VersionOf::UserTaskForm => (
                        "a user task form version is an int32",
                        "out of range",
                        "write the version of the UserTaskDef, e.g. `version 2`",
                    ),
                    VersionOf::Workflow => (
                        "a workflow version is a major version number",
                        "out of range",
                        "write the major version of the child WfSpec, e.g. `version 2`",
                    ),
                };
                Diagnostic::error(code, span, message)
                    .with_label(label)
                    .with_help(help)
            }
            Problem::UnusedVariable { name, span, stmt } => {
                Diagnostic::error(code, span, format!("variable `{name}` is never used"))
                    .with_label("declared here")
                    .with_help(
                        "remove it, or declare it with `input` if it is set when the run starts",
                    )
                    .with_fix(
                        Fix::delete_statement("Remove the unused variable", stmt).offered(),
                    )
            }
            Problem::OperandTypes {
                op,
                span,
                need,
                lhs_span,
                lhs,
                rhs_span,
                rhs,
            } => {
                let (a_l, a_r) = (a_or_an(&lhs), a_or_an(&rhs));
                let (message, help) = match need {
                    OperandNeed::Addable => (
                        format!("cannot add {a_r} to {a_l}"),
                        "`+` adds numbers, joins strings and appends to json-arr; cast with `as` if needed",
                    ),
                    OperandNeed::Numbers => (
                        format!("`{op}` needs numbers, found `{lhs}` and `{rhs}`"),
                        "convert the operands with `as int` or `as double`",
                    ),
                    OperandNeed::Bools => (
                        format!("`{op}` needs bools, found `{lhs}` and `{rhs}`"),
                        "combine comparisons, e.g. `a > 0 && b < 10`",
                    ),
                    OperandNeed::Equatable => (
                        format!("cannot compare {a_l} with {a_r}"),
                        "compare values of the same type, or convert one with `as`",
                    ),
                    OperandNeed::Orderable => (
                        format!("cannot order {a_l} and {a_r}"),
                        "ordering compares two numbers, or two values of the same type",
                    ),
                    OperandNeed::CollectionRight => (
                        format!("`{op}` needs a collection on the right, found `{rhs}`"),
                        "the right side must be a str, json-arr, json-obj, array or map",
                    ),
                    OperandNeed::CollectionLeft => (
                        format!("`{op}` needs a collection on the left, found `{lhs}`"),
                        "the left side must be a str, json-arr, json-obj, array or map",
                    ),
                };
                Diagnostic::error(code, span, message)
                    .with_label("not supported for these types")
                    .with_secondary(lhs_span, format!("this is {a_l}"))
                    .with_secondary(rhs_span, format!("this is {a_r}"))
                    .with_help(help)
            }
            Problem::ExtendTypes {
                span,
                value,
                target_span,
                target,
            } => {
                let (a_t, a_v) = (a_or_an(&target), a_or_an(&value));
                Diagnostic::error(code, span, format!("cannot extend {a_t} with {a_v}"))
                    .with_label(format!("this is {a_v}"))
                    .with_secondary(target_span, format!("this is {a_t}"))
                    .with_help(super::types::extend_help(&target))
            }
            Problem::RemoveTypes {
                what,
                span,
                target,
                value,
            } => {
                let help = match what {
                    RemoveWhat::Value => "`remove` takes values out of json-arr and arrays",
                    RemoveWhat::Index => {
                        "`remove index` takes an int index out of json-arr and arrays"
                    }
                    RemoveWhat::Key => "`remove key` takes a key out of json-obj and maps",
                };
                let (a_t, a_v) = (a_or_an(&target), a_or_an(&value));
                Diagnostic::error(code, span, format!("cannot remove {a_v} from {a_t}"))
                    .with_label(format!("this is {a_t}"))
                    .with_help(help)
            }
            Problem::MutationTypes {
                op,
                span,
                target_span,
                target,
                value,
                array_append,
            } => {
                let help = match array_append {
                    Some(place) => {
                        format!("to append to an array, write `extend {place} with value`")
                    }
                    None => "arithmetic needs numbers, `+=` also joins strings and appends to json-arr, `&&=`/`||=` need bools".to_string(),
                };
                let (a_t, a_v) = (a_or_an(&target), a_or_an(&value));
                Diagnostic::error(code, span, format!("`{op}` cannot apply {a_v} to {a_t}"))
                    .with_label("not supported for these types")
                    .with_secondary(target_span, format!("this is {a_t}"))
                    .with_help(help)
            }
            Problem::UnknownThreadInput { thread, name, span } => Diagnostic::error(
                code,
                span,
                format!("thread `{thread}` declares no variable `{name}`"),
            )
            .with_label("not an input of the child thread")
            .with_help(format!(
                "declare it at the top of the thread's body: `input {name}: <type>`"
            )),
            Problem::UnknownWorkflowInput {
                workflow,
                name,
                span,
                inputs,
            } => Diagnostic::error(
                code,
                span,
                format!("workflow `{workflow}` has no variable `{name}`"),
            )
            .with_label("not an input of the child workflow")
            .with_help(format!("the inputs are: {}", inputs.join(", "))),
            Problem::MissingInput {
                child,
                child_name,
                input,
                span,
            } => {
                let (what, verb) = match child {
                    ChildKind::Thread => ("thread", "spawn"),
                    ChildKind::Workflow => ("workflow", "run"),
                };
                Diagnostic::error(
                    code,
                    span,
                    format!("{what} `{child_name}` requires the input `{input}`"),
                )
                .with_label("required input missing")
                .with_help(format!("pass it: `{verb} {child_name}({input}: ...)`"))
            }
            Problem::SubsecondDuration { span } => {
                Diagnostic::error(code, span, "durations used as values are whole seconds")
                    .with_label("not whole seconds")
                    .with_help("write the duration in seconds, e.g. `1s`")
            }
            Problem::SleepSeconds { span, zero } => Diagnostic::error(
                code,
                span,
                "sleep needs a positive number of whole seconds",
            )
            .with_label(if zero { "zero" } else { "not whole seconds" })
            .with_help("LittleHorse sleeps in seconds: write e.g. `1s`"),
            Problem::SecondsNotConstant { what, span } => Diagnostic::error(
                code,
                span,
                format!("{what} is a constant number of seconds"),
            )
            .with_label("not a constant")
            .with_help("LittleHorse stores this number in the definition itself: write a duration constant such as `30s`, `10m`, `1h` or `2d`"),
            Problem::SecondsNotPositive { what, span } => Diagnostic::error(
                code,
                span,
                format!("{what} needs a positive number of whole seconds"),
            )
            .with_label("not a positive whole number of seconds")
            .with_help("write a duration constant such as `30s`, `10m`, `1h` or `2d`"),
            Problem::WaitNotName { span } => Diagnostic::error(code, span, "`wait` takes handle names")
                .with_label("not a name")
                .with_help("bind the step with `let t = spawn ...` or `let c = run ...`, then write `wait t`"),
            Problem::WaitStrategyOnChild { span, handle } => Diagnostic::error(
                code,
                span,
                "`first of` and `any of` wait for threads",
            )
            .with_label("a child workflow has no strategy")
            .with_help(format!("write `wait {handle}`")),
            Problem::WaitSeveralChildren { span, handles } => {
                let each: Vec<String> = handles.iter().map(|h| format!("`wait {h}`")).collect();
                Diagnostic::error(code, span, "one `wait` waits for one child workflow")
                    .with_label("several child workflows")
                    .with_help(format!(
                        "wait for each on its own line: {}",
                        each.join(", ")
                    ))
            }
            Problem::WaitTargetType { span, ty } => {
                let help = match ty {
                    Ty::Threads => "a `spawn ... for` handle is waited for alone: `wait each`",
                    Ty::ChildWf => "a child workflow is waited for alone: `wait c`",
                    _ => {
                        "wait for handles from `let t = spawn ...` (several threads, or one `spawn ... for` list), or for one `let c = run ...`"
                    }
                };
                Diagnostic::error(code, span, format!("cannot wait for {a_t}", a_t = a_or_an(&ty)))
                    .with_label(if matches!(ty, Ty::Threads | Ty::ChildWf) {
                        "not with other handles"
                    } else {
                        "not a thread handle"
                    })
                    .with_help(help)
            }
            Problem::WaitOutputNotChild { name, span, ty } => Diagnostic::error(
                code,
                span,
                format!(
                    "only a child workflow has an output to wait for, `{name}` is {a_t}",
                    a_t = a_or_an(&ty)
                ),
            )
            .with_label("not a child workflow")
            .with_help("wait for threads as a statement (`wait t`); as a value, `wait` takes a handle from `let c = run ...`"),
            Problem::UnaryOperand { op, span, ty } => {
                let (message, help) = match op {
                    UnaryOp::Not => (
                        format!("`!` needs a `bool`, found `{ty}`"),
                        "negate a comparison or a bool variable",
                    ),
                    UnaryOp::Neg => (
                        format!("`-` needs a number, found `{ty}`"),
                        "only ints and doubles can be negated",
                    ),
                };
                Diagnostic::error(code, span, message)
                    .with_label(format!("this is {a_t}", a_t = a_or_an(&ty)))
                    .with_help(help)
            }
            Problem::MethodReceiver {
                method,
                span,
                recv_span,
                ty,
            } => {
                let help = match method.as_str() {
                    "extend" => "`extend` appends to a json-arr, an array, a str or bytes",
                    "remove-if-present" => {
                        "`remove-if-present` removes values from a json-arr or an array"
                    }
                    "remove-index" => {
                        "`remove-index` takes an int index out of a json-arr or an array"
                    }
                    "remove-key" => "`remove-key` removes a key from a json-obj or a map",
                    _ => "LittleHorse measures the size of a str, a json-arr or an array",
                };
                let a_t = a_or_an(&ty);
                Diagnostic::error(code, span, format!("`{method}` is not supported on {a_t}"))
                    .with_label("not supported here")
                    .with_secondary(recv_span, format!("this is {a_t}"))
                    .with_help(help)
            }
        }
    }
}
