//! The one place that turns a [`SyntaxProblem`] into a [`Diagnostic`]: its message,
//! labels, help and fixes, written from the problem's data (the syntax phase's counterpart
//! of `check/messages.rs`).

use super::errors::Level;
use super::problems::{
    Closer, Expected, ExpectedHelp, FormatFailure, Found, KeywordKind, LiteralKind, NearMiss,
    StatementWord, SyntaxProblem,
};
use crate::diag::{Diagnostic, Edit, Fix};
use crate::source::Span;

impl SyntaxProblem {
    /// The diagnostic for this problem.
    #[allow(clippy::too_many_lines)]
    pub(crate) fn diagnostic(self) -> Diagnostic {
        let code = self.code();
        match self {
            SyntaxProblem::Expected {
                span,
                expected,
                found,
                help,
            } => {
                let found = found.describe();
                let (message, label) = if expected.is_empty() {
                    (
                        format!("unexpected {found}"),
                        "not expected here".to_string(),
                    )
                } else {
                    let expected = join_or(&expected);
                    (
                        format!("expected {expected}, found {found}"),
                        format!("expected {expected}"),
                    )
                };
                let d = Diagnostic::error(code, span, message).with_label(label);
                let at = Span::new(span.start as usize, span.start as usize);
                match help {
                    ExpectedHelp::Close(Closer::Paren) => {
                        d.with_replacement("close the `(` with `)`", at, ")")
                    }
                    ExpectedHelp::Close(Closer::Bracket) => {
                        d.with_replacement("close the `[` with `]`", at, "]")
                    }
                    ExpectedHelp::Close(Closer::Quote) => d.with_replacement(
                        "close the string with `\"` at the end of its line",
                        at,
                        "\"",
                    ),
                    ExpectedHelp::DotInName => d.with_help(
                        "LittleHorse names cannot contain `.`; use `-` instead, e.g. `charge-card`",
                    ),
                    ExpectedHelp::Construct { word, level } => {
                        d.with_help(construct_help(&word, level))
                    }
                }
            }
            SyntaxProblem::MissingSeparator { span, found } => Diagnostic::error(
                code,
                span,
                format!(
                    "expected an operator, `;` or a line break, found {}",
                    found.describe()
                ),
            )
            .with_label("a new statement cannot start here")
            .with_help("put each statement on its own line (or separate them with `;`), or join the values with an operator"),
            SyntaxProblem::UnmatchedClose { span } => {
                Diagnostic::error(code, span, "unmatched `}`")
                    .with_label("no block is open here")
                    .with_help("remove it, or add the `{` it should close")
            }
            SyntaxProblem::NotUnderstood { span, level } => {
                let what = match level {
                    Level::Item => "a declaration",
                    Level::Stmt => "a statement",
                };
                Diagnostic::error(code, span, format!("expected {what}"))
                    .with_label("not understood")
                    .with_help("check the brackets and separators around this text")
            }
            SyntaxProblem::BlocksTooDeep { span, max } => {
                Diagnostic::error(code, span, "blocks are nested too deeply")
                    .with_label(format!("more than {max} levels of blocks"))
                    .with_help("flatten the blocks, e.g. combine conditions with `&&`")
            }
            SyntaxProblem::UnclosedBrace { open, end, at_eof } => {
                let (label, help) = if at_eof {
                    (
                        "the file ends here",
                        "add the missing `}` where the block should end",
                    )
                } else {
                    (
                        "a new declaration starts here",
                        "add the missing `}` before the next declaration",
                    )
                };
                // The fix closes the block where it is cut off, on a line of its own.
                let close_at = Span::new(end.start as usize, end.start as usize);
                Diagnostic::error(code, open, "unclosed `{`")
                    .with_label("this `{` is never closed")
                    .with_secondary(end, label)
                    .with_replacement(help, close_at, "}\n")
            }
            SyntaxProblem::TwoValues { span, name, value } => Diagnostic::error(
                code,
                span,
                format!("expected `=`, `(` or an operator after `{name}`, found `{value}`"),
            )
            .with_label("two values with nothing between them")
            .with_help(format!(
                "put an operator between them, or write a task call as `{name}({value})`"
            )),
            SyntaxProblem::ExpressionTooDeep { span, max } => {
                Diagnostic::error(code, span, "expression is nested too deeply")
                    .with_label(format!("more than {max} levels of nesting"))
                    .with_help("split it into smaller expressions assigned to variables in separate statements")
            }
            SyntaxProblem::ChainedComparison {
                span,
                op,
                first,
                middle,
                last,
            } => Diagnostic::error(code, span, "comparisons cannot be chained")
                .with_label(format!("`{op}` would compare the result of `{first}`"))
                .with_help(format!(
                    "compare one pair at a time and join them with `&&`: `{first} && {middle} {op} {last}`"
                )),
            SyntaxProblem::BracketsTooDeep { span, max } => {
                Diagnostic::error(code, span, "brackets are nested too deeply")
                    .with_label(format!("more than {max} levels of `(`, `[` and `{{`"))
                    .with_help(
                        "close the brackets that are left open, or split the nesting into separate statements",
                    )
            }
            SyntaxProblem::KnownMistake {
                span,
                mistake,
                edits,
            } => {
                let (title, label) = repair_words(&edits);
                let fix = if mistake.repair_changes_meaning() {
                    Fix::new(title, edits).offered()
                } else {
                    Fix::new(title, edits)
                };
                let (message, help) = mistake.sentences();
                Diagnostic::error(code, span, message)
                    .with_label(label)
                    .with_help(help)
                    .with_fix(fix)
            }
            SyntaxProblem::LiteralOutOfRange { span, literal } => match literal {
                LiteralKind::Int => Diagnostic::error(code, span, "integer literal is too large")
                    .with_label("does not fit in a 64-bit int")
                    .with_help(format!("ints range from {} to {}", i64::MIN, i64::MAX)),
                LiteralKind::Double => {
                    Diagnostic::error(code, span, "double literal is out of range")
                        .with_label("not a finite double")
                        .with_help("doubles range up to about 1.8e308")
                }
                LiteralKind::Duration => Diagnostic::error(code, span, "duration is too long")
                    .with_label("does not fit in a 64-bit count of milliseconds")
                    .with_help(
                        "durations range up to about 292 million years; use a smaller number or unit",
                    ),
            },
            SyntaxProblem::InvalidUnicodeEscape { span } => {
                Diagnostic::error(code, span, "invalid unicode escape")
                    .with_label("not a unicode scalar value")
                    .with_help("write `\\u{...}` with 1 to 6 hex digits naming a valid character")
            }
            SyntaxProblem::UnknownEscape { span, escape } => {
                Diagnostic::error(code, span, format!("unknown escape `{escape}`"))
                    .with_label("not an escape")
                    .with_replacement("the escapes are `\\n`, `\\t`, `\\r`, `\\\"`, `\\\\`, `\\{`, `\\}` and `\\u{...}`; write `\\\\` for a backslash", Span { start: span.start, end: span.start + 1 }, "\\\\")
            }
            SyntaxProblem::FormatterBug { span, failure } => {
                let what = match failure {
                    FormatFailure::ScanDoesNotParse => "the file does not parse",
                    FormatFailure::ScanMalformed => "the file holds malformed text",
                    FormatFailure::OutputDoesNotParse => "the formatted text would not parse",
                    FormatFailure::OutputDiffers => {
                        "formatting would change the tokens, comments or structure here"
                    }
                };
                Diagnostic::error(code, span, format!("cannot format this file: {what}"))
                    .with_label("the formatter stopped here")
                    .with_help(format!(
                        "this is a bug in the lhw formatter (lhw-compiler {}); the file is left unchanged, please report it with the file",
                        env!("CARGO_PKG_VERSION")
                    ))
            }
            SyntaxProblem::UnclosedComment { span, close_at } => {
                Diagnostic::error(code, span, "block comment is never closed")
                    .with_label("this `/*` has no matching `*/`")
                    .with_replacement(
                        "close it with `*/`; block comments nest, so each `/*` inside it needs its own `*/`",
                        close_at,
                        " */",
                    )
            }
            SyntaxProblem::TooDeepForLittleHorse { span, height, max } => Diagnostic::error(
                code,
                span,
                "expression is nested too deeply for LittleHorse",
            )
            .with_label(format!(
                "{height} levels of operators; LittleHorse takes at most {max}"
            ))
            .with_help(
                "compute part of it first into a variable of its own (`var part: int = a + b`), then use the variable",
            ),
            SyntaxProblem::TooManyUnclosed { span, count, max } => Diagnostic::error(
                code,
                span,
                format!("{count} brackets are never closed"),
            )
            .with_label("this one is the first left open")
            .with_help(format!(
                "close the `(` and `[` that are left open: a declaration may leave at most {max} open before it is not parsed at all"
            )),
            SyntaxProblem::UnknownSetting {
                span,
                name,
                suggestion,
            } => {
                let d = Diagnostic::error(code, span, format!("unknown workflow setting `{name}`"))
                    .with_label("not a workflow setting");
                match suggestion {
                    Some(meant) => d.did_you_mean(meant),
                    None => d.with_help(format!(
                        "the workflow settings are {}",
                        super::ALL_SETTINGS
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            SyntaxProblem::JsonKeyNotPlain { span } => {
                Diagnostic::error(code, span, "JSON keys must be plain strings")
                    .with_label("holds a `{...}` placeholder")
                    .with_help("write the key as plain text; JSON literals are constants")
            }
        }
    }
}

impl Found {
    fn describe(&self) -> String {
        match self {
            Found::EndOfFile => "end of file".to_string(),
            Found::EndOfLine => "end of line".to_string(),
            Found::Token(text) => format!("`{text}`"),
        }
    }
}

impl Expected {
    /// The words for what was expected (also the order in which several are listed).
    pub(crate) fn describe(&self) -> String {
        match self {
            Expected::Expression => "an expression".to_string(),
            Expected::Name => "a name".to_string(),
            Expected::Number => "a number".to_string(),
            Expected::Declaration => "a declaration".to_string(),
            Expected::Operator => "an operator".to_string(),
            Expected::Type => "a type".to_string(),
            Expected::String => "a string".to_string(),
            Expected::EndOfInput => "end of input".to_string(),
            Expected::Token(t) => format!("`{t}`"),
            Expected::AfterKeyword(word) => after_keyword(*word).to_string(),
        }
    }
}

fn join_or(items: &[Expected]) -> String {
    let items: Vec<String> = items.iter().map(Expected::describe).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What must follow the word a statement starts with.
fn after_keyword(word: StatementWord) -> &'static str {
    match word {
        StatementWord::Fail => "a failure name on the same line",
        StatementWord::Updates => "`all`, `minor` or `none` on the same line",
        StatementWord::Emit => "a workflow event name on the same line",
        StatementWord::On => "an event name",
        StatementWord::Default => "`task` or `thread retention`",
        StatementWord::Thread => "`retention`",
        StatementWord::Extend => "the variable to extend",
        StatementWord::Remove => "the value, `index` or `key` to remove",
        StatementWord::Wait => "`until`, `first of`, `any of` or a handle",
        StatementWord::Sleep => "a duration or `until`",
    }
}

/// How the construct that starts with `word` is written.
fn construct_help(word: &str, level: Level) -> &'static str {
    match word {
        "task" => "a task is declared as `task name(param: type, ...) -> type`",
        "event" => "an event is declared as `event name: type`",
        "workflow-event" => "a workflow event is declared as `workflow-event name: type`",
        "struct" => "a struct is declared as `struct name { field: type, ... }`",
        "workflow" => "a workflow is declared as `workflow name { ... }`",
        "var" | "input" | "public" | "private" | "inherited" => {
            "a variable is declared as `var name: type`, optionally followed by `= value` and modifiers such as `required`"
        }
        "let" => "a step output is bound as `let name = task(args)`",
        "if" => "an `if` is written `if condition { ... } else { ... }`",
        "else" => "`else` follows the `}` of an `if` block: `} else { ... }`",
        "while" => "a loop is written `while condition { ... }`",
        "fail" => {
            "a failure is written `fail exception-name \"message\"`, optionally followed by `with value`"
        }
        "return" => "write `return` alone, or `return value` on one line",
        "user-task" => {
            "a user task form is declared as `user-task name { field: type \"Label\" required }`"
        }
        "sleep" => "write `sleep 30s`, `sleep seconds` or `sleep until timestamp`",
        "wait" => {
            "write `wait until condition`, `wait handle, ...` for threads, or `wait handle` for a child workflow"
        }
        "on" => "an interrupt handler is written `on event { ... }` or `on event(payload) { ... }`",
        "emit" => "write `emit workflow-event value` on one line",
        "default" => {
            "write `default task retries 3 timeout 30s backoff 1s..1m x2` or `default thread retention 1d`"
        }
        "thread" => "write `thread retention 1d`",
        "retention" => "write `retention 30d`",
        "parent" => "write `parent workflow-name`",
        "catch" => {
            "`catch` follows the step it guards in the same statement: `task(args) catch name { ... }`"
        }
        "spawn" => "a thread is started as `let t = spawn name(input: value) { ... }`",
        "ask" => "a user task is assigned as `let d = ask form to user \"id\" group \"id\"`",
        "run" => "a child workflow is started as `let c = run workflow(input: value)`",
        "await" => "an event is awaited as `let payload = await event timeout 1h`",
        "extend" => "write `extend list with value`",
        "remove" => {
            "write `remove value from list`, `remove index i from list` or `remove key k from obj`"
        }
        "updates" => "write `updates all`, `updates minor` or `updates none`",
        _ if level == Level::Item => {
            "a file holds `task`, `event`, `workflow-event`, `struct`, `user-task` and `workflow` declarations"
        }
        _ => {
            "a statement is an assignment (`name = value`), a task call (`task(args)`), or starts with a keyword such as `var`, `let`, `if`, `while` or `return`"
        }
    }
}

/// The fix's title and the primary label, from the shape of a repair's edits.
fn repair_words(edits: &[Edit]) -> (String, String) {
    match edits {
        [one] if one.text.trim().is_empty() => {
            ("Remove it".to_string(), "not needed here".to_string())
        }
        [one] if one.span.start == one.span.end => (
            format!("Insert `{}`", one.text.trim()),
            format!("`{}` is missing here", one.text.trim()),
        ),
        [one] => (
            format!("Change to `{}`", one.text.trim()),
            format!("write `{}`", one.text.trim()),
        ),
        many if many
            .iter()
            .all(|e| e.span.start < e.span.end && !e.text.trim().is_empty()) =>
        {
            (
                "Rewrite it".to_string(),
                format!("write `{}`", many[0].text.trim()),
            )
        }
        many if many.iter().all(|e| e.text.trim().is_empty()) => {
            ("Remove them".to_string(), "not needed here".to_string())
        }
        [first, rest @ ..]
            if first.span.start == first.span.end
                && rest
                    .iter()
                    .all(|e| e.span.start == e.span.end && e.text == first.text) =>
        {
            (
                format!("Insert `{}`", first.text.trim()),
                format!("`{}` is missing here", first.text.trim()),
            )
        }
        _ => ("Move it".to_string(), "in the wrong place".to_string()),
    }
}

impl NearMiss {
    /// The message and the help of a near-miss.
    #[allow(clippy::too_many_lines)]
    fn sentences(self) -> (String, String) {
        let (message, help): (String, String) = match self {
            NearMiss::WrittenAs { found, meant } => (
                format!("`{found}` is written `{meant}`"),
                format!("write `{meant}`"),
            ),
            NearMiss::MisspeltKeyword { found, meant, kind } => {
                let what = match kind {
                    KeywordKind::Declaration => "declaration keyword",
                    KeywordKind::Statement => "statement keyword",
                    KeywordKind::Plain => "keyword",
                    KeywordKind::VariableModifier => "variable modifier",
                };
                (
                    format!("unknown {what} `{found}`"),
                    format!("did you mean `{meant}`?"),
                )
            }
            NearMiss::MisspeltTaskOption { found, meant } => (
                format!("unknown task option `{found}`"),
                format!(
                    "did you mean `{meant}`? The task options are `retries N`, `timeout D` and `backoff A..B xM`"
                ),
            ),
            NearMiss::FunctionKeyword { found } => (
                format!("`{found}` is not a keyword of the language"),
                "a task is declared with `task`: `task name(param: type) -> type`".to_string(),
            ),
            NearMiss::ConstKeyword => (
                "`const` is not a keyword of the language".to_string(),
                "declare a variable with `var`".to_string(),
            ),
            NearMiss::ThrowForFail { found } => (
                format!("`{found}` is written `fail`"),
                "write `fail name \"message\"`".to_string(),
            ),
            NearMiss::NotNeededBeforeBlock { found } => (
                format!("`{found}` is not needed before `{{`"),
                format!("remove `{found}`: the block follows the condition directly"),
            ),
            NearMiss::AssignInCondition => (
                "`=` assigns; a comparison is written `==`".to_string(),
                "write `==`".to_string(),
            ),
            NearMiss::Increment {
                found,
                target,
                meant,
            } => (
                format!("`{found}` is not an operator of the language"),
                format!("write `{target} {meant} 1`"),
            ),
            NearMiss::LetMut => (
                "a `let` binding is never `mut`".to_string(),
                "remove `mut`: a `let` names a step's output once; use `var` for a value that changes".to_string(),
            ),
            NearMiss::HashComment => (
                "`#` does not start a comment".to_string(),
                "start a comment with `//`".to_string(),
            ),
            NearMiss::SingleQuotes { meant } => (
                "strings are written in double quotes".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::ReturnArrow { found } => (
                match found {
                    Some(found) => format!("a task's return type follows `->`, not `{found}`"),
                    None => "a task's return type follows `->`".to_string(),
                },
                "write `->` before the return type".to_string(),
            ),
            NearMiss::SettingColon { setting, value } => (
                format!("`{setting}` takes its value without `:`"),
                format!("remove the `:`: write `{setting} {value}`"),
            ),
            NearMiss::BlockColon => (
                "a block starts with `{`, not `:`".to_string(),
                "remove the `:`".to_string(),
            ),
            NearMiss::DurationWithSpace { found, meant } => (
                format!(
                    "a duration is written without a space and with a one-letter unit, found `{found}`"
                ),
                format!("write `{meant}`"),
            ),
            NearMiss::DurationUnit { found, meant } => (
                format!("`{found}` is not a duration the language reads"),
                format!("write `{meant}`"),
            ),
            NearMiss::BackoffRange { meant } => (
                "a backoff range is written `A..B`".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::BackoffFactor { meant } => (
                "the backoff factor is written `xM`".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::DefaultWithoutTask { option } => (
                "`default` sets task options with `default task`".to_string(),
                format!("write `default task {option}`"),
            ),
            NearMiss::ExtraClose => (
                "this `}` closes the block too early".to_string(),
                "remove this `}`: the lines after it belong inside the block".to_string(),
            ),
            NearMiss::WaitAllOf => (
                "there is no `wait all of`: `wait a, b` waits for all of them".to_string(),
                "remove `all of`: write `wait a, b` (or `wait first of a, b` / `wait any of a, b`)"
                    .to_string(),
            ),
            NearMiss::WaitWithoutOf { word } => (
                format!("`wait {word}` needs `of`"),
                format!("write `wait {word} of ...`"),
            ),
            NearMiss::SpawnInputsAfterLoop { name, group } => (
                "a thread's inputs follow its name, before `for`".to_string(),
                format!("write `spawn {name}{group} for ...`"),
            ),
            NearMiss::AccessAfterKeyword { access, keyword } => (
                format!("`{access}` comes before `{keyword}`"),
                format!("write `{access} {keyword}`"),
            ),
            NearMiss::TypeBeforeName { keyword, name, ty } => (
                "a variable's type follows its name".to_string(),
                format!("write `{keyword} {name}: {ty}`"),
            ),
            NearMiss::DefaultAfterModifier { modifier, value } => (
                format!("the default value comes before `{modifier}`"),
                format!("write `= {value} {modifier}`"),
            ),
            NearMiss::LetWithType => (
                "a `let` binding takes the type of its step; it has no type of its own".to_string(),
                "remove the type: write `let name = step(...)` (declare a `var` to give a type)"
                    .to_string(),
            ),
            NearMiss::ExtendComma => (
                "`extend` takes its value after `with`".to_string(),
                "write `extend list with value`".to_string(),
            ),
            NearMiss::RemoveIndexing { list, index } => (
                "an element is removed as `remove index I from list`".to_string(),
                format!("write `remove index {index} from {list}`"),
            ),
            NearMiss::WhenForOn => (
                "an interrupt handler starts with `on`".to_string(),
                "write `on event { ... }`".to_string(),
            ),
            NearMiss::FailWithoutName { name, message } => (
                "`fail` needs a failure name before its message".to_string(),
                format!("name the failure: `fail {name} {message}`"),
            ),
            NearMiss::WaitTrailingComma => (
                "a `wait` ends with its last handle".to_string(),
                "remove the trailing `,`".to_string(),
            ),
            NearMiss::PositionalThreadInput { arg } => (
                "a thread's inputs are named: `spawn name(input: value)`".to_string(),
                format!("write `{arg}: {arg}`"),
            ),
            NearMiss::AskToWithoutKind { owner } => (
                "say whether the task goes to a user or a group".to_string(),
                format!("write `to user {owner}` (or `to group {owner}`)"),
            ),
            NearMiss::CorrelatedWithoutBy { key } => (
                "a correlation key follows `correlated by`".to_string(),
                format!("write `correlated by {key}`"),
            ),
            NearMiss::RemindEvery => (
                "a reminder runs once, `after` a delay".to_string(),
                "write `remind task(args) after 4h`".to_string(),
            ),
            NearMiss::SleepFor { value } => (
                "`sleep` takes its duration directly".to_string(),
                format!("write `sleep {value}`"),
            ),
            NearMiss::ReservedName { word } => (
                format!("`{word}` is a reserved word"),
                format!("quote it with backticks to use it as a name: `` `{word}` ``"),
            ),
            NearMiss::VarWithoutType { keyword, name, ty } => (
                "a variable needs a type".to_string(),
                format!("write `{keyword} {name}: {ty} = ...`"),
            ),
            NearMiss::EventPayloadWithoutColon { keyword, name, ty } => (
                "an event's payload type follows `:`".to_string(),
                format!("write `{keyword} {name}: {ty}`"),
            ),
            NearMiss::ParamWithoutColon { name, ty } => (
                "a parameter's type follows `:`".to_string(),
                format!("write `{name}: {ty}`"),
            ),
            NearMiss::DeclarationSemicolon => (
                "a declaration does not end with `;`".to_string(),
                "remove the `;`".to_string(),
            ),
            NearMiss::DotInTaskName { joined } => (
                "LittleHorse names cannot contain `.`".to_string(),
                format!("use `-` instead: `{joined}`"),
            ),
            NearMiss::WorkflowParens => (
                "a workflow takes no parameters list; its inputs are `input` variables in its body"
                    .to_string(),
                "remove the `()`".to_string(),
            ),
            NearMiss::StructFieldEquals => (
                "a field's type follows `:`".to_string(),
                "write `:`".to_string(),
            ),
            NearMiss::StructFieldSemicolon => (
                "struct fields are separated by `,` or line breaks".to_string(),
                "write `,`".to_string(),
            ),
            NearMiss::UnquotedJsonKey { quoted } => (
                "a JSON key is a string".to_string(),
                format!("write `{quoted}`"),
            ),
            NearMiss::TaskBody => (
                "a task declaration has no body: a worker runs the task".to_string(),
                "remove the `{ ... }`: declare the task as `task name(param: type) -> type`"
                    .to_string(),
            ),
            NearMiss::ArrayTypeSyntax { meant } => (
                "an array type is written `type[]`".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::MapTypeSyntax { meant } => (
                "a map type is written `map<key, value>`".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::NotNeeded { found, example } => (
                format!("`{found}` is not needed here"),
                format!("remove `{found}`: write `{example}`"),
            ),
            NearMiss::Missing { text, example } => (
                format!("`{text}` is missing here"),
                format!("write `{example}`"),
            ),
            NearMiss::NoForLoop { meant } => (
                "there is no `for` loop over a list".to_string(),
                format!(
                    "to run the block once per item, each in a thread of its own, write `{meant} ... {{`; to go through the items one after another, use `while` with an index"
                ),
            ),
            NearMiss::CStyleCast { meant } => (
                "a cast is written `value as type`".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::NamedTaskArgument { name } => (
                "task arguments are positional, in the order of the declaration".to_string(),
                format!(
                    "remove `{name}:` and pass the value alone (inputs are named only for `spawn` and `run`: `run workflow({name}: value)`)"
                ),
            ),
            NearMiss::OptionalMarker { found } => (
                "a variable is optional unless it is `required`".to_string(),
                format!("remove `{found}`: a variable without `required` may be left unset (null)"),
            ),
            NearMiss::TryBlock => (
                "there is no `try` block: `catch` follows the step it guards".to_string(),
                "remove `try { ... }` around the step: write `step(args) catch ... { ... }`".to_string(),
            ),
            NearMiss::CatchType { found } => (
                format!("`catch` names the failures it handles, not `{found}`"),
                "write `catch any` (or `catch NAME`, `catch exception`, `catch error`, `catch error TYPE`; bind the content with `catch any(e: json-obj)`)".to_string(),
            ),
            NearMiss::TemplateString { meant } => (
                "a string is written in double quotes, with `{expression}` holes".to_string(),
                format!("write `{meant}`"),
            ),
            NearMiss::DelayAfter { example } => (
                "a delay is written `after D`".to_string(),
                format!("write `{example}`"),
            ),
            NearMiss::ValueInParens { keyword, example } => (
                format!("`{keyword}` takes its value without parentheses"),
                format!("write `{example}`"),
            ),
            NearMiss::AssignWith { found, example } => (
                format!("a value is given with `=`, not `{found}`"),
                format!("write `{example}`"),
            ),
            NearMiss::ParamTypeFirst { name, ty } => (
                "a parameter's type follows its name".to_string(),
                format!("write `{name}: {ty}`"),
            ),
            NearMiss::ParamDefault => (
                "a task parameter has no default value".to_string(),
                "remove the default: every call passes every argument".to_string(),
            ),
            NearMiss::TypeWithoutColon { what, name, ty } => (
                format!("a {what}'s type follows `:`"),
                format!("write `{name}: {ty}`"),
            ),
            NearMiss::StructParens { name } => (
                "a struct value is written with braces: `new struct { field: value }`".to_string(),
                format!("write `new {name} {{ ... }}`"),
            ),
            NearMiss::SpawnWithoutName { name } => (
                "a thread needs a name: its ThreadSpec is named after it".to_string(),
                format!("name it: `spawn {name} {{ ... }}`"),
            ),
            NearMiss::PositionalChildInput { arg } => (
                "a child workflow's inputs are named: `run workflow(input: value)`".to_string(),
                format!("write `{arg}: {arg}`"),
            ),
            NearMiss::CommentMarker { found } => (
                format!("`{found}` does not start a comment"),
                "start a comment with `//`".to_string(),
            ),
        };
        (message, help)
    }
}
