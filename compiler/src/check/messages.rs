//! The one place that turns a checker [`Problem`] into a [`Diagnostic`]: its message,
//! labels, help and fixes, written from the problem's data. Call sites only say what is
//! wrong (`self.problem(Problem::...)`); the sentences and the edits live here, side by side,
//! so the help and the fix it names cannot drift apart.

use super::Ty;
use super::problems::{
    ChildKind, ConditionPlace, OperandNeed, Problem, RepeatedSetting, UnaryOp, UnknownEventHint,
    UnknownTaskHint, UnknownVariableHint, VersionOf,
};
use super::{encoded_help, prim_name};
use crate::ast::{Prim, RemoveWhat};
use crate::diag::{Diagnostic, Edit, Fix, a_or_an};
use crate::source::Span;

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
                    UnknownVariableHint::IsTask { call_at: None } => {
                        d.with_help(format!("`{name}` is a task; call it with `{name}(...)`"))
                    }
                    UnknownVariableHint::IsTask { call_at: Some(at) } => d.with_replacement(
                        format!("`{name}` is a task; call it with `{name}()`"),
                        at,
                        "()",
                    ),
                    UnknownVariableHint::SettingWithEquals { between } => d.with_replacement(
                        format!("`{name}` is a workflow setting: write its value after it, without `=` (`{name} value`)"),
                        between,
                        " ",
                    ),
                    UnknownVariableHint::Event { await_at } => d.with_replacement(
                        format!("`{name}` is an event: to wait for it, write `await {name}`"),
                        await_at,
                        "await",
                    ),
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
                    UnknownTaskHint::Sleep { fix } => {
                        let d = d.with_help(
                            "to pause the run, write `sleep 30s` (a name directly followed by `(` calls a task)",
                        );
                        match fix {
                            Some(fix) => d.with_fix(fix),
                            None => d,
                        }
                    }
                    UnknownTaskHint::Conversion { meant, fix } => d
                        .with_help(format!(
                            "the language writes this after the value: `value{meant}`"
                        ))
                        .with_fix(fix),
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
            Problem::InvalidFieldName {
                name,
                span,
                suggestion,
            } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is not a valid struct field name"),
            )
            .with_label("StructDef fields must be camelCase")
            .with_help(if suggestion.is_empty() {
                "start with a lowercase letter and use only letters and digits, e.g. `zipCode`"
                    .to_string()
            } else {
                format!(
                    "start with a lowercase letter and use only letters and digits: `{suggestion}`"
                )
            }),
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
                    UnknownEventHint::Handle { wait_at } => d.with_replacement(
                        format!("`{name}` is a handle: to wait for it, write `wait {name}`"),
                        wait_at,
                        "wait",
                    ),
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
            Problem::UselessExpression { span, assign_at } => {
                let d = Diagnostic::error(code, span, "this expression does nothing")
                    .with_label("computed and thrown away");
                match assign_at {
                    None => d.with_help("only a task call can stand alone; to change a variable, assign it (`x = ...`, `x += ...`)"),
                    Some(op) => d.with_replacement(
                        "`==` compares; to assign the value, write `=`",
                        op,
                        "=",
                    ),
                }
            }
            Problem::LetWithoutStep { name, span, var } => {
                let d = Diagnostic::error(code, span, "`let` binds the output of a step")
                    .with_label("this is not a task call");
                match var {
                    None => d.with_help(format!(
                        "to keep a value, declare a variable: `var {name}: <type> = ...`"
                    )),
                    Some(v) => {
                        let at = Span {
                            start: v.name_end,
                            end: v.name_end,
                        };
                        // A constant is the variable's default; a computed value is
                        // assigned after the declaration, on the same line.
                        let (typed, help) = if v.constant {
                            let typed = format!(": {}", v.ty);
                            let help = format!(
                                "to keep a value, declare a variable: `var {name}{typed} = ...`"
                            );
                            (typed, help)
                        } else {
                            let typed = format!(": {}; {name}", v.ty);
                            let help = format!(
                                "to keep a computed value, declare a variable and assign it: `var {name}{typed} = ...`"
                            );
                            (typed, help)
                        };
                        d.with_help(help).with_fix(Fix::new(
                            format!("Declare `var {name}: {}`", v.ty),
                            vec![
                                Edit {
                                    span: v.keyword,
                                    text: "var".to_string(),
                                },
                                Edit {
                                    span: at,
                                    text: typed,
                                },
                            ],
                        ))
                    }
                }
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
                let help = match &array_append {
                    Some(place) => {
                        format!("to append to an array, write `extend {place} with value`")
                    }
                    None => "arithmetic needs numbers, `+=` also joins strings and appends to json-arr, `&&=`/`||=` need bools".to_string(),
                };
                let (a_t, a_v) = (a_or_an(&target), a_or_an(&value));
                // `tags += "x"` with an element (or an array) of the array's type: the
                // `extend` statement does it.
                let extend = match (&array_append, &target) {
                    (Some(place), Ty::Array(elem)) if **elem == value || value == target => {
                        Some(Fix::replace(
                            "Write it with `extend`",
                            Span {
                                start: target_span.start,
                                end: span.end,
                            },
                            format!("extend {place} with"),
                        ))
                    }
                    _ => None,
                };
                let d = Diagnostic::error(code, span, format!("`{op}` cannot apply {a_v} to {a_t}"))
                    .with_label("not supported for these types")
                    .with_secondary(target_span, format!("this is {a_t}"))
                    .with_help(help);
                match extend {
                    Some(fix) => d.with_fix(fix),
                    None => d,
                }
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
            Problem::JsonMemberNotConstant { span } => {
                Diagnostic::error(code, span, "JSON literals hold only constants")
                    .with_label("not a constant")
                    .with_help("build the value with assignments instead, e.g. `obj.field = value`")
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
            Problem::WaitNotName {
                span,
                sleep_at: Some(at),
            } => Diagnostic::error(code, span, "`wait` takes handle names")
                .with_label("a duration")
                .with_replacement("to pause the run for a while, write `sleep`", at, "sleep"),
            Problem::WaitNotName { span, sleep_at: None } => Diagnostic::error(code, span, "`wait` takes handle names")
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
            Problem::JsonIntoTyped { span, target, .. } => {
                let help = match &target {
                    Ty::Struct(s) => format!(
                        "LittleHorse converts JSON content only to primitive types; build the value with `new {s} {{ ... }}`, or take it from a step that returns {a_s}",
                        a_s = a_or_an(s)
                    ),
                    t => format!(
                        "LittleHorse converts JSON content only to primitive types; take the value from a step or variable that is {a_t}",
                        a_t = a_or_an(t)
                    ),
                };
                Diagnostic::error(
                    code,
                    span,
                    format!("JSON content cannot become {}", a_or_an(&target)),
                )
                .with_label("JSON content, typed only at run time")
                .with_help(help)
            }
            Problem::ArgumentLiteral {
                param,
                task,
                span,
                ty,
                why,
            } => {
                let a_pt = a_or_an(&ty);
                Diagnostic::error(
                    code,
                    span,
                    format!("`{param}` of `{task}` is {a_pt}; this is not {a_pt} literal"),
                )
                .with_label(why)
                .with_help(super::encoded_help(&ty))
            }
            Problem::ArgumentType {
                param,
                task,
                span,
                expected,
                found,
                declared,
                needs_parens,
            } => {
                let a_pt = a_or_an(&expected);
                let mut cast = None;
                let help = match expected {
                    Ty::Prim(p @ (crate::ast::Prim::Bytes | crate::ast::Prim::Timestamp | crate::ast::Prim::WfRunId))
                        if found == Ty::STR =>
                    {
                        format!(
                            "a str literal is decoded into a `{}` when compiled ({}); `... as {}` \
                             converts a text at run time instead",
                            super::prim_name(p),
                            super::encoded_help(&expected),
                            super::prim_name(p)
                        )
                    }
                    Ty::Prim(p) if super::castable(&found, p) => {
                        cast = Some(cast_fix(p, span, needs_parens));
                        format!("convert it explicitly: `... as {}`", super::prim_name(p))
                    }
                    _ => format!("pass {a_pt} value"),
                };
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("`{param}` of `{task}` is {a_pt}, found `{found}`"),
                )
                .with_label(format!("this is {}", a_or_an(&found)))
                .with_secondary(declared, "declared here")
                .with_help(help);
                match cast {
                    Some(fix) => d.with_fix(fix),
                    None => d,
                }
            }
            Problem::TaskNameType { span, ty } => Diagnostic::error(
                code,
                span,
                format!("a task name is a `str`, found `{ty}`"),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("pass the TaskDef name as a str, e.g. `task(\"process-{kind}\")(order)`"),
            Problem::NotConstant { span, .. } => {
                Diagnostic::error(code, span, "default values must be constants")
                    .with_label("not a constant")
                    .with_help("variables are created with their defaults when the run starts, before anything runs; assign the value in a statement instead")
            }
            Problem::EncodedConstant { span, ty, why, .. } => Diagnostic::error(
                code,
                span,
                format!("this is not {} constant", a_or_an(&ty)),
            )
            .with_label(why)
            .with_help(super::encoded_help(&ty)),
            Problem::ConstantType {
                span,
                expected,
                found,
                ..
            } => {
                let a_ty = a_or_an(&expected);
                let help = match expected {
                    Ty::Prim(crate::ast::Prim::Bytes) => "write the bytes as a base64 str, e.g. `\"AQID\"`".to_string(),
                    Ty::Prim(crate::ast::Prim::Timestamp) => "write a date-time str such as `\"2026-05-28T20:26:40Z\"`, or an int of milliseconds since 1970".to_string(),
                    _ => format!("write {a_ty} constant here"),
                };
                Diagnostic::error(code, span, format!("expected {a_ty} default, found `{found}`"))
                    .with_label(format!("this is {}", a_or_an(&found)))
                    .with_help(help)
            }
            Problem::StructConstantType {
                span,
                expected,
                built,
                ..
            } => {
                let a_ty = a_or_an(&expected);
                Diagnostic::error(code, span, format!("expected {a_ty} default, found `{built}`"))
                    .with_label(format!("this is {}", a_or_an(&built)))
                    .with_help(format!("write {a_ty} constant here"))
            }
            Problem::FieldNotStruct { field, span, ty } => {
                let a_ft = a_or_an(&ty);
                Diagnostic::error(
                    code,
                    span,
                    format!("field `{field}` is {a_ft}, not a struct"),
                )
                .with_label("a nested struct")
                .with_help(format!("give `{field}` {a_ft} value"))
            }
            Problem::FieldType {
                field,
                span,
                expected,
                found,
            } => {
                let a_ft = a_or_an(&expected);
                Diagnostic::error(
                    code,
                    span,
                    format!("field `{field}` is {a_ft}, found `{found}`"),
                )
                .with_label(format!("this is {}", a_or_an(&found)))
                .with_help(format!("give it {a_ft}"))
            }
            Problem::AssignTypes {
                place,
                span,
                place_span,
                target,
                value,
                needs_parens,
            } => {
                let (a_t, a_v) = (a_or_an(&target), a_or_an(&value));
                let mut cast = None;
                let help = match target {
                    Ty::Prim(p) if super::castable(&value, p) => {
                        cast = Some(cast_fix(p, span, needs_parens));
                        format!("convert it explicitly: `... as {}`", super::prim_name(p))
                    }
                    Ty::Array(_) | Ty::Map(..) if matches!(value, Ty::Array(_) | Ty::Map(..)) => {
                        format!(
                            "arrays and maps convert only to the same type: assign {a_t} value"
                        )
                    }
                    _ => format!("assign {a_t} value"),
                };
                let d = Diagnostic::error(code, span, format!("cannot assign {a_v} to `{place}`, {a_t}"))
                    .with_label(format!("this is {a_v}"))
                    .with_secondary(place_span, format!("this is {a_t}"))
                    .with_help(help);
                match cast {
                    Some(fix) => d.with_fix(fix),
                    None => d,
                }
            }
            Problem::AssignLet { name, span } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is a step output and cannot be assigned"),
            )
            .with_label("bound with `let`")
            .with_help("declare a variable with `var` to hold a value you change"),
            Problem::SleepType { span, ty } => Diagnostic::error(
                code,
                span,
                format!("sleep takes a duration or an int of seconds, found `{ty}`"),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("write a duration such as `30s`, or use `sleep until` for a timestamp"),
            Problem::SleepUntilType { span, ty } => Diagnostic::error(
                code,
                span,
                format!("sleep until takes a timestamp, found `{ty}`"),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("use a `timestamp` variable, an int of epoch milliseconds, or a `str` holding an ISO-8601 instant such as \"2026-05-28T20:26:40Z\""),
            Problem::SecondsType { noun, span, ty } => Diagnostic::error(
                code,
                span,
                format!("{noun} is an int of seconds, found `{ty}`"),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("write a duration such as `1h`, or an `int` variable of seconds"),
            Problem::UnexpectedPayload {
                event,
                span,
                removal,
            } => Diagnostic::error(code, span, format!("`{event}` carries no payload"))
                .with_label("a payload for an event without one")
                .with_help(format!(
                    "remove the value, or declare the payload type: `workflow-event {event}: <type>`"
                ))
                .with_fix(Fix::replace("Remove the value", removal, "")),
            Problem::PayloadType {
                event,
                span,
                expected,
                found,
            } => {
                let a_pt = a_or_an(&expected);
                Diagnostic::error(code, span, format!("`{event}` carries {a_pt}, found `{found}`"))
                    .with_label(format!("this is {}", a_or_an(&found)))
                    .with_help(format!("emit {a_pt} value"))
            }
            Problem::MissingPayload {
                event,
                span,
                expected,
            } => Diagnostic::error(
                code,
                span,
                format!("`{event}` carries {}", a_or_an(&expected)),
            )
            .with_label("no payload given")
            .with_help(format!("write `emit {event} <value>`")),
            Problem::BindingType {
                name,
                span,
                known,
                written,
            } => {
                let a_k = a_or_an(&known);
                Diagnostic::error(
                    code,
                    span,
                    format!("`{name}` receives {a_k}, not {}", a_or_an(&written)),
                )
                .with_label(format!("the value is {a_k}"))
                .with_help(format!("write `{name}: {known}`, or leave the type out"))
                .with_fix(Fix::replace(
                    format!("Change to `{known}`"),
                    span,
                    known.to_string(),
                ))
            }
            Problem::CorrelationKeyType { span, ty } => {
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("a correlation key is a `str`, found `{ty}`"),
                )
                .with_label(format!("this is {}", a_or_an(&ty)))
                .with_help("convert it: `... as str`");
                // `correlated by` takes a postfix expression: a cast there is written in
                // parentheses.
                if super::castable(&ty, crate::ast::Prim::Str) {
                    d.with_fix(Fix::new(
                        "Convert with `as str`",
                        vec![
                            crate::diag::Edit {
                                span: crate::source::Span {
                                    start: span.start,
                                    end: span.start,
                                },
                                text: "(".to_string(),
                            },
                            crate::diag::Edit {
                                span: crate::source::Span {
                                    start: span.end,
                                    end: span.end,
                                },
                                text: " as str)".to_string(),
                            },
                        ],
                    ))
                } else {
                    d
                }
            }
            Problem::SpawnListType { span, ty } => Diagnostic::error(
                code,
                span,
                format!("`spawn ... for` needs a list, found `{ty}`"),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("iterate over a json-arr or a typed array"),
            Problem::InputType {
                name,
                span,
                expected,
                found,
            } => {
                let a_t = a_or_an(&expected);
                Diagnostic::error(code, span, format!("input `{name}` is {a_t}, found `{found}`"))
                    .with_label(format!("this is {}", a_or_an(&found)))
                    .with_help(format!("pass {a_t}"))
            }
            Problem::StrOption {
                what,
                example,
                span,
                ty,
            } => Diagnostic::error(code, span, format!("{what} is a `str`, found `{ty}`"))
                .with_label(format!("this is {}", a_or_an(&ty)))
                .with_help(format!("pass a `str`, e.g. `{example}`")),
            Problem::MapKeyType { span, ty } => {
                Diagnostic::error(code, span, "map keys are primitive values")
                    .with_label(format!("this is {}", a_or_an(&ty)))
                    .with_help("use `str` or `int` keys")
            }
            Problem::MapEntryType {
                part,
                span,
                ty,
                first,
                first_span,
            } => {
                let (what, a_t, a_first) = (part.word(), a_or_an(&ty), a_or_an(&first));
                Diagnostic::error(
                    code,
                    span,
                    format!("this {what} is {a_t}, but the first is {a_first}"),
                )
                .with_label(format!("this is {a_t}"))
                .with_secondary(first_span, format!("this is {a_first}"))
                .with_help(format!(
                    "a map's {what}s all have one type; convert with `as` where needed"
                ))
            }
            Problem::UnknownField {
                struct_name,
                name,
                span,
                suggestion,
                fields,
            } => {
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("struct `{struct_name}` has no field `{name}`"),
                )
                .with_label("unknown field");
                match suggestion {
                    Some(c) => d.did_you_mean(&c),
                    None => d.with_help(format!("its fields are: {}", fields.join(", "))),
                }
            }
            Problem::UnknownFormField {
                form,
                name,
                span,
                base_span,
                suggestion,
                fields,
            } => {
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("user task `{form}` has no field `{name}`"),
                )
                .with_label("not a field of the form")
                .with_secondary(base_span, format!("the output of the user task `{form}`"));
                match suggestion {
                    Some(c) => d.did_you_mean(&c),
                    None => d.with_help(format!(
                        "the form's fields are: {}",
                        fields.join(", ")
                    )),
                }
            }
            Problem::NoFields {
                name,
                span,
                base_span,
                ty,
            } => {
                let help = if matches!(ty, Ty::Array(_)) {
                    "select an element of an array by its index, e.g. `[0]`"
                } else {
                    "fields exist on json-obj, structs and maps"
                };
                let a_t = a_or_an(&ty);
                let d = Diagnostic::error(code, span, format!("{a_t} has no field `{name}`"))
                    .with_label("no fields to select")
                    .with_secondary(base_span, format!("this is {a_t}"));
                // `xs.length`: the size is a method.
                let sized = matches!(ty, Ty::Array(_)) || ty == Ty::STR;
                if sized && matches!(name.as_str(), "length" | "len" | "size" | "count" | "Length" | "Count") {
                    d.with_replacement(
                        "the number of elements (or characters) is `size()`",
                        span,
                        "size()",
                    )
                } else {
                    d.with_help(help)
                }
            }
            Problem::ArrayIndexType { span, ty } => Diagnostic::error(
                code,
                span,
                format!("array indexes are ints, found `{ty}`"),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("index with an int constant, e.g. `[0]`"),
            Problem::IndexNotConstant { span } => {
                Diagnostic::error(code, span, "indexes must be constants")
                    .with_label("not an int or string constant")
                    .with_help("LittleHorse paths select with constant keys and indexes")
            }
            Problem::NotIndexable {
                span,
                base_span,
                ty,
            } => {
                let a_t = a_or_an(&ty);
                Diagnostic::error(code, span, format!("{a_t} cannot be indexed"))
                    .with_label("no elements to select")
                    .with_secondary(base_span, format!("this is {a_t}"))
                    .with_help("indexes apply to json-arr, json-obj, arrays and maps")
            }
            Problem::AssigneeType { who, span, ty } => Diagnostic::error(
                code,
                span,
                format!("a {} is a `str`, found `{ty}`", who.word()),
            )
            .with_label(format!("this is {}", a_or_an(&ty)))
            .with_help("pass the id as a str"),
            Problem::BlankAssignee { who, span } => {
                Diagnostic::error(code, span, format!("the {} is blank", who.word()))
                    .with_label("empty")
                    .with_help(format!("name the {}", who.word()))
            }
            Problem::Unassigned { form, span } => {
                Diagnostic::error(code, span, "a user task needs a user or a group")
                    .with_label("assigned to nobody")
                    .with_help(format!(
                        "write `ask {form} to user \"...\"` or `to group \"...\"`"
                    ))
            }
            Problem::ReassignToNobody { span } => {
                Diagnostic::error(code, span, "reassign to whom?")
                    .with_label("no user or group")
                    .with_help("write `reassign to user \"...\"` or `to group \"...\"`")
            }
            Problem::ReleaseWithoutBoth { span } => Diagnostic::error(
                code,
                span,
                "`release to group` needs both a user and a group",
            )
            .with_label("nothing to release from or to")
            .with_help("assign the task `to user \"...\" group \"...\"`"),
            Problem::DuplicateVariable { name, span, first } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is already declared in this workflow"),
            )
            .with_label("declared again here")
            .with_secondary(first, "first declared here")
            .with_help("LittleHorse requires variable names to be unique across the whole workflow; pick another name"),
            Problem::UnknownMethod {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(code, span, format!("unknown method `{name}`"))
                    .with_label("not a LittleHorse expression");
                match suggestion {
                    Some(c) => d.did_you_mean(c),
                    None => d.with_help(
                        "the methods are extend, remove-if-present, remove-index, remove-key and size",
                    ),
                }
            }
            Problem::UnknownWorkflow {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(code, span, format!("unknown workflow `{name}`"))
                    .with_label("no workflow with this name in this file");
                match suggestion {
                    Some(c) => d.did_you_mean(&c),
                    None => d.with_help("declare the child workflow in the same file"),
                }
            }
            Problem::UnknownUserTask {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(code, span, format!("unknown user task `{name}`"))
                    .with_label("no user task form with this name");
                match suggestion {
                    Some(c) => d.did_you_mean(&c),
                    None => d.with_help(format!(
                        "declare it: `user-task {name} {{ field: type }}`"
                    )),
                }
            }
            Problem::InvalidCast { span, from, to } => Diagnostic::error(
                code,
                span,
                format!("cannot cast {} to `{to}`", a_or_an(&from)),
            )
            .with_label("no such conversion")
            .with_help("casts convert str to int, double, bool, bytes or wf-run-id, between int and double, and any primitive to str"),
            Problem::SearchableNotJson { name, span, ty } => Diagnostic::error(
                code,
                span,
                format!(
                    "`searchable on` needs a json variable, `{name}` is {}",
                    a_or_an(&ty)
                ),
            )
            .with_label("indexes a json path")
            .with_help("declare the variable as `json-obj` or `json-arr`, or use plain `searchable`"),
            Problem::SearchableIndexType { span, ty } => Diagnostic::error(
                code,
                span,
                format!("cannot index a json path as `{ty}`"),
            )
            .with_label("not an indexable type")
            .with_help("index as `str`, `int`, `double` or `bool`"),
            Problem::ReturnWithoutValue {
                body,
                span,
                value_span,
            } => {
                let what = body.word();
                Diagnostic::error(
                    code,
                    span,
                    format!("this `return` has no value, but the {what} returns a value elsewhere"),
                )
                .with_label("returns nothing")
                .with_secondary(value_span, "returns a value")
                .with_help(format!(
                    "return a value here too: every exit of a {what} returns the same type"
                ))
            }
            Problem::ReturnTypes {
                span,
                ty,
                first,
                first_span,
                ..
            } => {
                let (a_t, a_first) = (a_or_an(&ty), a_or_an(&first));
                Diagnostic::error(
                    code,
                    span,
                    format!("this `return` gives {a_t}, but another gives {a_first}"),
                )
                .with_label(format!("returns {a_t}"))
                .with_secondary(first_span, format!("returns {a_first}"))
                .with_help("return values of one type, converting with `as` where needed")
            }
            Problem::EndWithoutReturn {
                body,
                span,
                value_span,
                value,
            } => {
                let what = body.word();
                let value = value.map_or_else(|| "a value".to_string(), |t| a_or_an(&t));
                Diagnostic::error(
                    code,
                    span,
                    format!("the {what} can reach its end without a value, but returns {value} elsewhere"),
                )
                .with_label("ends here without `return`")
                .with_secondary(value_span, format!("returns {value}"))
                .with_help(format!(
                    "end the {what} with `return <value>` (or `fail`): LittleHorse adds an exit that returns nothing after the last statement, and every exit must return the same type"
                ))
            }
            Problem::MissingFields {
                struct_name,
                span,
                missing,
            } => {
                let list = missing
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let first = missing.first().map_or("", String::as_str);
                Diagnostic::error(
                    code,
                    span,
                    format!(
                        "struct `{struct_name}` needs the field{} {list}",
                        if missing.len() == 1 { "" } else { "s" }
                    ),
                )
                .with_label("required field missing")
                .with_help(format!(
                    "give every field without a default a value, e.g. `{first}: ...`"
                ))
            }
            Problem::CatchStepCount { span, steps } => Diagnostic::error(
                code,
                span,
                format!("`catch` needs a statement that runs one step, this one runs {steps}"),
            )
            .with_label("nothing single to attach to")
            .with_help("split the statement so that the step you want to guard stands alone"),
            Problem::ErrorTypeAsException { name, span, error } => Diagnostic::error(
                code,
                span,
                format!("`{name}` is an error type, not an exception"),
            )
            .with_label("write errors in kebab-case after `error`")
            .with_help(format!("write `catch error {error}`"))
            .with_fix(Fix::replace(
                format!("Write `catch error {error}`"),
                span,
                format!("error {error}"),
            )),
            Problem::UnknownErrorType {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    code,
                    span,
                    format!("`{name}` is not a LittleHorse error type"),
                )
                .with_label("unknown error type");
                match suggestion {
                    Some(c) => d.did_you_mean(c),
                    None => d.with_help(format!(
                        "the error types are {}",
                        super::ERROR_TYPES.join(", ")
                    )),
                }
            }
            Problem::DuplicateCatch { span, first } => {
                Diagnostic::error(code, span, "this failure is already caught")
                    .with_label("second handler")
                    .with_secondary(first, "first handler")
                    .with_help("LittleHorse runs the first matching handler; remove this one")
            }
            Problem::DuplicateInterrupt { event, span, first } => Diagnostic::error(
                code,
                span,
                format!("`{event}` already interrupts this workflow"),
            )
            .with_label("second handler")
            .with_secondary(first, "first handler")
            .with_help("LittleHorse allows one interrupt handler per event; merge the two"),
            Problem::AwaitedAndInterrupt { span, other } => Diagnostic::error(
                code,
                span,
                "an event cannot be both awaited and an interrupt",
            )
            .with_label("used here")
            .with_secondary(other, "also used here")
            .with_help("declare a second event for one of the two uses"),
            Problem::RetriesNotCount { span } => {
                Diagnostic::error(code, span, "`retries` takes a non-negative int")
                    .with_label("not a retry count")
                    .with_help(
                        "write the number of retries after the first attempt, e.g. `retries 3`",
                    )
            }
            Problem::BackoffRange { span } => Diagnostic::error(
                code,
                span,
                "`backoff` needs positive durations, the first no larger than the second",
            )
            .with_label("invalid backoff")
            .with_help("write e.g. `backoff 500ms..30s x2`: first delay, largest delay, growth factor"),
            Problem::BackoffMultiplier { span } => {
                Diagnostic::error(code, span, "the backoff multiplier must be at least 1")
                    .with_label("delays would shrink")
                    .with_help("use a factor such as `x2`")
            }
            // Settings, flow and LittleHorse rules (E03xx, W0002, W0003, W0040).
            Problem::Unreachable { span, end, rest } => {
                Diagnostic::error(code, span, "unreachable statement")
                    .with_label("this never runs")
                    .with_secondary(end, "the thread ends here")
                    .with_help("move it before the `return` or `fail`, or remove it")
                    .with_fix(
                        Fix::delete_statement("Remove the unreachable statements", rest).offered(),
                    )
            }
            Problem::FailureMessagePlaceholders { span } => {
                Diagnostic::error(code, span, "failure messages cannot hold placeholders")
                    .with_label("LittleHorse stores this text as it is")
                    .with_help("pass the dynamic part as the failure content: `fail name \"message\" with value`")
            }
            Problem::ParentNotWorkflowName { span } => {
                Diagnostic::error(code, span, "`parent` takes a workflow name")
                    .with_label("not a workflow name")
                    .with_help("write `parent <workflow-name>`")
            }
            Problem::WorkflowSettingNotTop { setting, span } => {
                Diagnostic::error(code, span, format!("`{setting}` is a workflow setting"))
                    .with_label("not at the top of the workflow")
                    .with_help(
                        "write workflow settings directly in the workflow's body, outside any block",
                    )
            }
            Problem::ThreadSettingInBlock { setting, span } => Diagnostic::error(
                code,
                span,
                format!("`{setting}` belongs to a thread's top level"),
            )
            .with_label("inside a block")
            .with_help(
                "write it directly in the body of the workflow or of the thread's block (`spawn`, `on`, `catch`), outside `if` and `while`",
            ),
            Problem::InterruptInBlock { span } => Diagnostic::error(
                code,
                span,
                "interrupt handlers belong to a thread's top level",
            )
            .with_label("inside a block")
            .with_help(
                "move the `on` block to the top of the workflow (or of the spawned thread's body)",
            ),
            Problem::WorkflowUpdatePolicy { word, span, meant } => {
                let help = "`updates all` accepts any new version, `minor` only revisions without breaking changes, `none` no new versions";
                let d = Diagnostic::error(code, span, format!("`{word}` is not an update policy"))
                    .with_label("expected `all`, `minor` or `none`");
                match meant {
                    Some(m) => d.with_replacement(format!("write `updates {m}`: {help}"), span, m),
                    None => d.with_help(help),
                }
            }
            Problem::SettingTwice {
                setting,
                span,
                first,
            } => {
                let whole_line = !matches!(setting, RepeatedSetting::DefaultTaskOption(_));
                let (what, help) = match setting {
                    RepeatedSetting::Line(keyword) => {
                        (format!("`{keyword}`"), format!("keep one `{keyword}` line"))
                    }
                    RepeatedSetting::ThreadRetention => (
                        "the thread's retention".to_string(),
                        "keep one of the two lines".to_string(),
                    ),
                    RepeatedSetting::DefaultThreadRetention => (
                        "`default thread retention`".to_string(),
                        "keep one of the two lines".to_string(),
                    ),
                    RepeatedSetting::DefaultTaskOption(option) => (
                        format!("the default task `{option}`"),
                        "keep one of the two lines".to_string(),
                    ),
                };
                let d = Diagnostic::error(code, span, format!("{what} is set twice"))
                    .with_label("set again here")
                    .with_secondary(first, "first set here")
                    .with_help(help);
                // The repeated line holds only this setting, except `default task`, whose
                // line may set other options too.
                if whole_line {
                    d.with_fix(Fix::delete_statement("Remove the repeated line", span).offered())
                } else {
                    d
                }
            }
            Problem::ParentRunsChild {
                caller,
                target,
                span,
                setting,
            } => Diagnostic::error(
                code,
                span,
                format!("workflow `{caller}` runs `{target}`, whose parent it is"),
            )
            .with_label(format!("this `run` needs `{target}` deployed first"))
            .with_secondary(setting, format!("`{target}` needs `{caller}` deployed first"))
            .with_help(format!(
                "LittleHorse registers a child workflow only after its parent, and a \
                 workflow that runs another only after that one, so neither can be \
                 deployed; start `{target}` from a client with the run of `{caller}` as its parent \
                 (RunWf `parent_wf_run_id`), or remove `parent {caller}`"
            )),
            Problem::GroupOnlyReassign { span, on_arrival } => Diagnostic::error(
                code,
                span,
                "a task assigned only to a group is never reassigned while it waits unclaimed",
            )
            .with_label(if on_arrival {
                "on arrival it never fires: the task is not held by a user then"
            } else {
                "it counts from when a user claims the task, never while nobody has"
            })
            .with_help(
                "LittleHorse reassigns only a task a user holds; to escalate a task nobody \
                 claimed, cancel it and ask again: `ask FORM to group \"g\" on cancel fail \
                 unclaimed cancel after 1h catch unclaimed { ask FORM to group \"managers\" }`, \
                 or assign it `to user U group G`",
            ),
            Problem::LiteralCast { span, prim } => {
                let name = prim_name(prim);
                Diagnostic::error(
                    code,
                    span,
                    format!("`as {name}` converts the text of this literal when the step runs"),
                )
                .with_label(if prim == Prim::Bytes {
                    "these bytes are the text's UTF-8, not decoded base64"
                } else {
                    "the server parses the text when the step runs"
                })
                .with_help(format!(
                    "where a `{name}` is expected (a task argument, a default), write the literal alone: \
                     it is decoded when compiled ({})",
                    encoded_help(&Ty::Prim(prim))
                ))
            }
            Problem::MaskedArgument {
                var,
                span,
                param,
                task,
                declared,
                param_type,
            } => Diagnostic::error(
                code,
                span,
                format!("`{var}` is masked, but `{param}` of `{task}` is not: the TaskRun shows its value"),
            )
            .with_label("a masked variable")
            .with_secondary(declared, "declared here")
            .with_help(format!(
                "declare the parameter masked (`{param}: ... masked`) so the TaskRun hides it as the \
                 variable is hidden"
            ))
            .with_fix(Fix::replace(
                format!("Declare `{param}` masked"),
                Span {
                    start: param_type.end,
                    end: param_type.end,
                },
                " masked",
            )
            // Offered, not preferred: masking a parameter changes the TaskDef its workers
            // registered, so `--fix` does not do it unasked.
            .offered()),
        }
    }
}

/// The fix that converts the value at `span` with `as p` (in parentheses when `as` would
/// bind to a part of it): the edit the help "convert it explicitly: `... as p`" names.
fn cast_fix(p: crate::ast::Prim, span: crate::source::Span, needs_parens: bool) -> Fix {
    use crate::diag::Edit;
    use crate::source::Span;
    let cast = format!(" as {}", super::prim_name(p));
    let end = Span {
        start: span.end,
        end: span.end,
    };
    let edits = if needs_parens {
        vec![
            Edit {
                span: Span {
                    start: span.start,
                    end: span.start,
                },
                text: "(".to_string(),
            },
            Edit {
                span: end,
                text: format!("){cast}"),
            },
        ]
    } else {
        vec![Edit {
            span: end,
            text: cast.clone(),
        }]
    };
    Fix::new(format!("Convert with `{}`", cast.trim_start()), edits)
}
