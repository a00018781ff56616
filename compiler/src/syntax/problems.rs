//! Syntax problems as data: one typed value per kind of problem the parser, its near-miss
//! finder (`mistakes.rs`), the scans before parsing (`trivia.rs`) and the formatter find
//! (spans, the tokens expected and found, the mistake recognised and its replacement
//! edits), before any sentence is written. `messages.rs` is the one place that turns a
//! problem into a diagnostic's message, labels, help and fixes.
//!
//! The phase's own enum, in the shape of the checker's `check::problems::Problem` (as Gleam
//! has one error type per phase: `parse/error.rs`, `type_/error.rs`); the registry test in
//! `check/problems.rs` counts a code as migrated when a value of either enum maps to it.

use crate::diag::{Code, Edit};
use crate::source::Span;

use super::errors::Level;

/// One problem found while reading the text of a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SyntaxProblem {
    /// E0001: the parser stopped at `span`: what it expected there (empty when nothing
    /// fits) and what it found, with the help the text around it calls for.
    Expected {
        span: Span,
        expected: Vec<Expected>,
        found: Found,
        help: ExpectedHelp,
    },
    /// E0001: two statements on one line with nothing between them; `span` is the start of
    /// the second.
    MissingSeparator { span: Span, found: Found },
    /// E0001: a `}` with no block open.
    UnmatchedClose { span: Span },
    /// E0001: recovered text that parses on its own but not where it stands.
    NotUnderstood { span: Span, level: Level },
    /// E0001: blocks nested more than `max` deep (`span` is the `{` at that depth).
    BlocksTooDeep { span: Span, max: usize },
    /// E0001: a `{` (`open`) never closed; the text is cut off at `end`, which is the end
    /// of the file (`at_eof`) or the start of the next declaration.
    UnclosedBrace { open: Span, end: Span, at_eof: bool },
    /// E0001: a name followed by a value with nothing between them (`retry 3`).
    TwoValues {
        span: Span,
        name: String,
        value: String,
    },
    /// E0001: an expression nested more than `max` levels deep.
    ExpressionTooDeep { span: Span, max: usize },
    /// E0001: `a < b < c`; `span` is the second operator `op`, the texts are the operands.
    ChainedComparison {
        span: Span,
        op: String,
        first: String,
        middle: String,
        last: String,
    },
    /// E0001: brackets nested more than `max` deep, refused before parsing.
    BracketsTooDeep { span: Span, max: usize },
    /// E0001 or E0006: a near-miss recognised (`mistakes.rs`), and the edits that repair it.
    KnownMistake {
        span: Span,
        mistake: NearMiss,
        edits: Vec<Edit>,
    },
    /// E0002: a number literal that does not fit its type.
    LiteralOutOfRange { span: Span, literal: LiteralKind },
    /// E0003: `\u{...}` that names no unicode scalar value.
    InvalidUnicodeEscape { span: Span },
    /// E0003: a backslash followed by something that is not an escape.
    UnknownEscape { span: Span, escape: String },
    /// E0004: the formatter cannot format the file (a formatter bug).
    FormatterBug { span: Span, failure: FormatFailure },
    /// E0005: a `/*` (at `span`) never closed; `close_at` is the end of its first line.
    UnclosedComment { span: Span, close_at: Span },
    /// E0320: an expression `height` levels tall, more than LittleHorse decodes (`max`).
    TooDeepForLittleHorse {
        span: Span,
        height: usize,
        max: usize,
    },
    /// E0321: `count` brackets left open in one declaration, more than `max`; `span` is the
    /// first.
    TooManyUnclosed {
        span: Span,
        count: usize,
        max: usize,
    },
    /// E0108: a workflow setting that does not exist; `suggestion` is the setting it is
    /// closest to, if any.
    UnknownSetting {
        span: Span,
        name: String,
        suggestion: Option<&'static str>,
    },
    /// E0214: a JSON key holding a `{...}` placeholder.
    JsonKeyNotPlain { span: Span },
}

/// Something the parser expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    Expression,
    Name,
    Number,
    Declaration,
    Operator,
    Type,
    String,
    EndOfInput,
    /// A literal token (`)`, `{`, `->`).
    Token(String),
    /// What follows the word a statement starts with.
    AfterKeyword(StatementWord),
}

/// A word that starts a statement and must be followed by something particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatementWord {
    Fail,
    Updates,
    Emit,
    On,
    Default,
    Thread,
    Extend,
    Remove,
    Wait,
    Sleep,
}

impl StatementWord {
    /// Every statement word, with its text.
    pub(crate) const ALL: [(StatementWord, &'static str); 10] = [
        (StatementWord::Fail, "fail"),
        (StatementWord::Updates, "updates"),
        (StatementWord::Emit, "emit"),
        (StatementWord::On, "on"),
        (StatementWord::Default, "default"),
        (StatementWord::Thread, "thread"),
        (StatementWord::Extend, "extend"),
        (StatementWord::Remove, "remove"),
        (StatementWord::Wait, "wait"),
        (StatementWord::Sleep, "sleep"),
    ];
}

/// What stands where the parser stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    EndOfFile,
    EndOfLine,
    /// A token, with its text.
    Token(String),
}

/// The help of an "expected ..." error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExpectedHelp {
    /// A `.` inside a name.
    DotInName,
    /// A bracket or string cut off by the end of its line: close it where the error is.
    Close(Closer),
    /// How the construct the text starts with (`word`) is written; `level` says what the
    /// text is when the word starts no known construct.
    Construct { word: String, level: Level },
}

/// What closes a construct cut off by the end of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closer {
    Paren,
    Bracket,
    Quote,
}

/// A number literal kind, for E0002.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LiteralKind {
    Int,
    Double,
    Duration,
}

/// Why the formatter stopped (E0004).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormatFailure {
    /// The file parses for the compiler but not for the formatter's scan.
    ScanDoesNotParse,
    /// The formatter's scan recovered malformed text the compiler accepts.
    ScanMalformed,
    /// The formatted text would not parse.
    OutputDoesNotParse,
    /// The formatted text would hold other tokens, comments or structure.
    OutputDiffers,
}

/// Which kind of keyword a misspelt word was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeywordKind {
    /// `task`, `workflow`, ...
    Declaration,
    /// `var`, `return`, ...
    Statement,
    /// `else`, `until`.
    Plain,
    /// `required`, `searchable`, `masked`.
    VariableModifier,
}

/// A near-miss the finder recognises: what was written and what was meant, as data; the
/// sentences are in `messages.rs`. The variants follow the shapes of the mistakes, not
/// one per sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NearMiss {
    /// `found` is the language's `meant` written another way (`elif`, `and`, `===`, `:=`).
    WrittenAs { found: String, meant: String },
    /// A misspelt keyword.
    MisspeltKeyword {
        found: String,
        meant: &'static str,
        kind: KeywordKind,
    },
    /// A misspelt task option (`retry`, `timout`).
    MisspeltTaskOption { found: String, meant: &'static str },
    /// `function name(...)`.
    FunctionKeyword { found: String },
    /// `const x: int`.
    ConstKeyword,
    /// `throw name "..."`.
    ThrowForFail { found: String },
    /// `if c then {`.
    NotNeededBeforeBlock { found: String },
    /// `if x = 1 {`.
    AssignInCondition,
    /// `x++`; `target` is the name before it, `meant` the compound operator.
    Increment {
        found: String,
        target: String,
        meant: &'static str,
    },
    /// `let mut x`.
    LetMut,
    /// `# comment`.
    HashComment,
    /// `'text'`: `meant` is the string in double quotes.
    SingleQuotes { meant: String },
    /// `task t() => str` (`found` is `=>`), or `returns` (`found` is `None`).
    ReturnArrow { found: Option<String> },
    /// `retention: 30d`.
    SettingColon { setting: String, value: String },
    /// `if c: {`.
    BlockColon,
    /// E0006: `7 days` (`found` is the text), `meant` the duration.
    DurationWithSpace { found: String, meant: String },
    /// E0006: `7days`, `1.5h`.
    DurationUnit { found: String, meant: String },
    /// E0006: `backoff 1s-30s`.
    BackoffRange { meant: String },
    /// E0006: `backoff 1s..30s *2`.
    BackoffFactor { meant: String },
    /// `default retries 3`.
    DefaultWithoutTask { option: String },
    /// A `}` that closes a declaration while statements follow it.
    ExtraClose,
    /// `wait all of a, b`.
    WaitAllOf,
    /// `wait any a, b`.
    WaitWithoutOf { word: String },
    /// `spawn t for x in xs (inputs) {`: `group` is the inputs' text.
    SpawnInputsAfterLoop { name: String, group: String },
    /// `var public x`.
    AccessAfterKeyword { access: String, keyword: String },
    /// `var int x`.
    TypeBeforeName {
        keyword: String,
        name: String,
        ty: String,
    },
    /// `input x: int required = 1`.
    DefaultAfterModifier { modifier: String, value: String },
    /// `let r: str = f()`.
    LetWithType,
    /// `extend xs, v`.
    ExtendComma,
    /// `remove xs[i]`.
    RemoveIndexing { list: String, index: String },
    /// `when event {`.
    WhenForOn,
    /// `fail "message"`: `name` is a failure name made from it.
    FailWithoutName { name: String, message: String },
    /// `wait a, b,`.
    WaitTrailingComma,
    /// `spawn t(value)`.
    PositionalThreadInput { arg: String },
    /// `ask f to "alice"`.
    AskToWithoutKind { owner: String },
    /// `await e correlated key`.
    CorrelatedWithoutBy { key: String },
    /// `remind t() every 4h`.
    RemindEvery,
    /// `sleep for 5m`.
    SleepFor { value: String },
    /// `task contains()`: a reserved word as a name.
    ReservedName { word: String },
    /// `var tries = 0`: `ty` is the value's type.
    VarWithoutType {
        keyword: String,
        name: String,
        ty: &'static str,
    },
    /// `event paid(str)`, `event paid str`.
    EventPayloadWithoutColon {
        keyword: String,
        name: String,
        ty: String,
    },
    /// `task t(x str)`.
    ParamWithoutColon { name: String, ty: String },
    /// `task t(...);`.
    DeclarationSemicolon,
    /// `task notify.user(...)`: `joined` is the name with `-`.
    DotInTaskName { joined: String },
    /// `workflow w() {`.
    WorkflowParens,
    /// `struct s { id = str }`.
    StructFieldEquals,
    /// `struct s { id: str; qty: int }`.
    StructFieldSemicolon,
    /// `{name: "x"}`: `quoted` is the key as a string.
    UnquotedJsonKey { quoted: String },
    /// `task t(x: str) { }`.
    TaskBody,
    /// `list<str>`: `meant` is `str[]`.
    ArrayTypeSyntax { meant: String },
    /// `map[str, int]`: `meant` is `map<str, int>`.
    MapTypeSyntax { meant: String },
    /// A word or sign another language needs and this one does not (`wait for t`, `on event
    /// e`, `emit e with v`, `fail n, "m"`, `f"..."`, `for each x in`); `example` is the
    /// construct as written without it.
    NotNeeded { found: String, example: String },
    /// A word or sign left out (`ask f user "a"`, `} else x > 1 {`, `x = address { ... }`,
    /// a JSON `,`, a `)` or a string's `}`); `example` shows it in place.
    Missing { text: String, example: String },
    /// `for x in xs { }`: the language has no sequential loop over a list; `meant` is the
    /// `spawn ... for` that runs the block once per item.
    NoForLoop { meant: String },
    /// `(int) x`: `meant` is `x as int`.
    CStyleCast { meant: String },
    /// `charge(amount: a)`: task arguments are positional.
    NamedTaskArgument { name: String },
    /// `str?`, `optional`: an input is optional unless `required`.
    OptionalMarker { found: String },
    /// `try { step } catch ...`.
    TryBlock,
    /// `catch (Exception e)`: a type in parentheses instead of a failure.
    CatchType { found: String },
    /// A JavaScript template literal; `meant` is the format string.
    TemplateString { meant: String },
    /// A delay written with `in` (`cancel in 3d`); `example` uses `after`.
    DelayAfter { example: String },
    /// `emit e(v)`, `fail n("m")`, `return(v)`: a statement's value in parentheses.
    ValueInParens {
        keyword: &'static str,
        example: String,
    },
    /// `x: v` for `x = v`, or `var x: int: 0` / `== 0` for `= 0`.
    AssignWith { found: String, example: String },
    /// `task t(double amount)`.
    ParamTypeFirst { name: String, ty: String },
    /// `task t(x: str = "a")`.
    ParamDefault,
    /// `struct s { city str }`, `var count int`: `what` names the thing typed.
    TypeWithoutColon {
        what: &'static str,
        name: String,
        ty: String,
    },
    /// `new address(city: "x")`: a struct value in parentheses.
    StructParens { name: String },
    /// `spawn { ... }`: a thread without a name; `name` is the one the fix gives it.
    SpawnWithoutName { name: String },
    /// `run w(value)`: a positional child workflow input.
    PositionalChildInput { arg: String },
    /// `--` (SQL) for a `//` comment.
    CommentMarker { found: String },
}

impl NearMiss {
    /// Whether the repair changes what the program does beyond the writer's evident intent:
    /// a `for` loop becomes a thread per item, all running at once. Its help names the repair
    /// and the other way (`while` with an index); the fix is offered, not preferred, so that
    /// `lhc check --fix` and an editor's fix-all leave the choice to the writer.
    pub(crate) fn repair_changes_meaning(&self) -> bool {
        matches!(self, NearMiss::NoForLoop { .. })
    }

    /// The code of the mistake: E0006 for durations, E0001 for the rest.
    pub(crate) fn code(&self) -> Code {
        match self {
            NearMiss::DurationWithSpace { .. }
            | NearMiss::DurationUnit { .. }
            | NearMiss::BackoffRange { .. }
            | NearMiss::BackoffFactor { .. } => Code::E0006,
            _ => Code::E0001,
        }
    }
}

impl SyntaxProblem {
    /// The problem's code in the registry.
    pub(crate) fn code(&self) -> Code {
        match self {
            SyntaxProblem::Expected { .. }
            | SyntaxProblem::MissingSeparator { .. }
            | SyntaxProblem::UnmatchedClose { .. }
            | SyntaxProblem::NotUnderstood { .. }
            | SyntaxProblem::BlocksTooDeep { .. }
            | SyntaxProblem::UnclosedBrace { .. }
            | SyntaxProblem::TwoValues { .. }
            | SyntaxProblem::ExpressionTooDeep { .. }
            | SyntaxProblem::ChainedComparison { .. }
            | SyntaxProblem::BracketsTooDeep { .. } => Code::E0001,
            SyntaxProblem::KnownMistake { mistake, .. } => mistake.code(),
            SyntaxProblem::LiteralOutOfRange { .. } => Code::E0002,
            SyntaxProblem::InvalidUnicodeEscape { .. } | SyntaxProblem::UnknownEscape { .. } => {
                Code::E0003
            }
            SyntaxProblem::FormatterBug { .. } => Code::E0004,
            SyntaxProblem::UnclosedComment { .. } => Code::E0005,
            SyntaxProblem::TooDeepForLittleHorse { .. } => Code::E0320,
            SyntaxProblem::TooManyUnclosed { .. } => Code::E0321,
            SyntaxProblem::UnknownSetting { .. } => Code::E0108,
            SyntaxProblem::JsonKeyNotPlain { .. } => Code::E0214,
        }
    }
}

/// The codes some syntax problem maps to (the registry test in `check/problems.rs` reads it).
#[cfg(test)]
pub(crate) fn migrated_codes() -> std::collections::BTreeSet<Code> {
    tests::one_of_each()
        .iter()
        .map(SyntaxProblem::code)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// One value of each variant (a new variant must be added here: `code()` and the
    /// renderer match exhaustively, this list is what the registry test reads).
    pub(super) fn one_of_each() -> Vec<SyntaxProblem> {
        let span = Span::default();
        let s = || "x".to_string();
        let mut all = vec![
            SyntaxProblem::MissingSeparator {
                span,
                found: Found::Token(s()),
            },
            SyntaxProblem::UnmatchedClose { span },
            SyntaxProblem::NotUnderstood {
                span,
                level: Level::Item,
            },
            SyntaxProblem::NotUnderstood {
                span,
                level: Level::Stmt,
            },
            SyntaxProblem::BlocksTooDeep { span, max: 1 },
            SyntaxProblem::UnclosedBrace {
                open: span,
                end: span,
                at_eof: true,
            },
            SyntaxProblem::UnclosedBrace {
                open: span,
                end: span,
                at_eof: false,
            },
            SyntaxProblem::TwoValues {
                span,
                name: s(),
                value: s(),
            },
            SyntaxProblem::ExpressionTooDeep { span, max: 1 },
            SyntaxProblem::ChainedComparison {
                span,
                op: "<".to_string(),
                first: s(),
                middle: s(),
                last: s(),
            },
            SyntaxProblem::BracketsTooDeep { span, max: 1 },
            SyntaxProblem::InvalidUnicodeEscape { span },
            SyntaxProblem::UnknownEscape {
                span,
                escape: "\\q".to_string(),
            },
            SyntaxProblem::UnclosedComment {
                span,
                close_at: span,
            },
            SyntaxProblem::TooDeepForLittleHorse {
                span,
                height: 2,
                max: 1,
            },
            SyntaxProblem::TooManyUnclosed {
                span,
                count: 2,
                max: 1,
            },
            SyntaxProblem::UnknownSetting {
                span,
                name: s(),
                suggestion: Some("retention"),
            },
            SyntaxProblem::UnknownSetting {
                span,
                name: s(),
                suggestion: None,
            },
            SyntaxProblem::JsonKeyNotPlain { span },
        ];
        for literal in [LiteralKind::Int, LiteralKind::Double, LiteralKind::Duration] {
            all.push(SyntaxProblem::LiteralOutOfRange { span, literal });
        }
        for failure in [
            FormatFailure::ScanDoesNotParse,
            FormatFailure::ScanMalformed,
            FormatFailure::OutputDoesNotParse,
            FormatFailure::OutputDiffers,
        ] {
            all.push(SyntaxProblem::FormatterBug { span, failure });
        }
        let helps = [
            ExpectedHelp::DotInName,
            ExpectedHelp::Close(Closer::Paren),
            ExpectedHelp::Close(Closer::Bracket),
            ExpectedHelp::Close(Closer::Quote),
            ExpectedHelp::Construct {
                word: "task".to_string(),
                level: Level::Item,
            },
            ExpectedHelp::Construct {
                word: s(),
                level: Level::Stmt,
            },
        ];
        for help in helps {
            for found in [Found::EndOfFile, Found::EndOfLine, Found::Token(s())] {
                for expected in [
                    Vec::new(),
                    vec![Expected::Name, Expected::Token(")".to_string())],
                    vec![Expected::AfterKeyword(StatementWord::Fail)],
                ] {
                    all.push(SyntaxProblem::Expected {
                        span,
                        expected,
                        found: found.clone(),
                        help: help.clone(),
                    });
                }
            }
        }
        for (word, _) in StatementWord::ALL {
            all.push(SyntaxProblem::Expected {
                span,
                expected: vec![Expected::AfterKeyword(word)],
                found: Found::EndOfLine,
                help: ExpectedHelp::Construct {
                    word: s(),
                    level: Level::Stmt,
                },
            });
        }
        let edit = |text: &str| {
            vec![Edit {
                span,
                text: text.to_string(),
            }]
        };
        for mistake in near_misses() {
            all.push(SyntaxProblem::KnownMistake {
                span,
                mistake,
                edits: edit("y"),
            });
        }
        all.push(SyntaxProblem::KnownMistake {
            span,
            mistake: NearMiss::ExtraClose,
            edits: edit(""),
        });
        all
    }

    fn near_misses() -> Vec<NearMiss> {
        let s = || "x".to_string();
        let mut all = vec![
            NearMiss::WrittenAs {
                found: s(),
                meant: s(),
            },
            NearMiss::MisspeltTaskOption {
                found: s(),
                meant: "retries",
            },
            NearMiss::FunctionKeyword { found: s() },
            NearMiss::ConstKeyword,
            NearMiss::ThrowForFail { found: s() },
            NearMiss::NotNeededBeforeBlock { found: s() },
            NearMiss::AssignInCondition,
            NearMiss::Increment {
                found: s(),
                target: s(),
                meant: "+=",
            },
            NearMiss::LetMut,
            NearMiss::HashComment,
            NearMiss::SingleQuotes { meant: s() },
            NearMiss::ReturnArrow { found: None },
            NearMiss::ReturnArrow { found: Some(s()) },
            NearMiss::SettingColon {
                setting: s(),
                value: s(),
            },
            NearMiss::BlockColon,
            NearMiss::DurationWithSpace {
                found: s(),
                meant: s(),
            },
            NearMiss::DurationUnit {
                found: s(),
                meant: s(),
            },
            NearMiss::BackoffRange { meant: s() },
            NearMiss::BackoffFactor { meant: s() },
            NearMiss::DefaultWithoutTask { option: s() },
            NearMiss::ExtraClose,
            NearMiss::WaitAllOf,
            NearMiss::WaitWithoutOf { word: s() },
            NearMiss::SpawnInputsAfterLoop {
                name: s(),
                group: s(),
            },
            NearMiss::AccessAfterKeyword {
                access: s(),
                keyword: s(),
            },
            NearMiss::TypeBeforeName {
                keyword: s(),
                name: s(),
                ty: s(),
            },
            NearMiss::DefaultAfterModifier {
                modifier: s(),
                value: s(),
            },
            NearMiss::LetWithType,
            NearMiss::ExtendComma,
            NearMiss::RemoveIndexing {
                list: s(),
                index: s(),
            },
            NearMiss::WhenForOn,
            NearMiss::FailWithoutName {
                name: s(),
                message: s(),
            },
            NearMiss::WaitTrailingComma,
            NearMiss::PositionalThreadInput { arg: s() },
            NearMiss::AskToWithoutKind { owner: s() },
            NearMiss::CorrelatedWithoutBy { key: s() },
            NearMiss::RemindEvery,
            NearMiss::SleepFor { value: s() },
            NearMiss::ReservedName { word: s() },
            NearMiss::VarWithoutType {
                keyword: s(),
                name: s(),
                ty: "int",
            },
            NearMiss::EventPayloadWithoutColon {
                keyword: s(),
                name: s(),
                ty: s(),
            },
            NearMiss::ParamWithoutColon { name: s(), ty: s() },
            NearMiss::DeclarationSemicolon,
            NearMiss::DotInTaskName { joined: s() },
            NearMiss::WorkflowParens,
            NearMiss::StructFieldEquals,
            NearMiss::StructFieldSemicolon,
            NearMiss::UnquotedJsonKey { quoted: s() },
            NearMiss::TaskBody,
            NearMiss::ArrayTypeSyntax { meant: s() },
            NearMiss::MapTypeSyntax { meant: s() },
            NearMiss::NotNeeded {
                found: s(),
                example: s(),
            },
            NearMiss::Missing {
                text: s(),
                example: s(),
            },
            NearMiss::NoForLoop { meant: s() },
            NearMiss::CStyleCast { meant: s() },
            NearMiss::NamedTaskArgument { name: s() },
            NearMiss::OptionalMarker { found: s() },
            NearMiss::TryBlock,
            NearMiss::CatchType { found: s() },
            NearMiss::TemplateString { meant: s() },
            NearMiss::DelayAfter { example: s() },
            NearMiss::ValueInParens {
                keyword: "emit",
                example: s(),
            },
            NearMiss::AssignWith {
                found: s(),
                example: s(),
            },
            NearMiss::ParamTypeFirst { name: s(), ty: s() },
            NearMiss::ParamDefault,
            NearMiss::TypeWithoutColon {
                what: "field",
                name: s(),
                ty: s(),
            },
            NearMiss::StructParens { name: s() },
            NearMiss::CommentMarker { found: s() },
            NearMiss::SpawnWithoutName { name: s() },
            NearMiss::PositionalChildInput { arg: s() },
        ];
        for kind in [
            KeywordKind::Declaration,
            KeywordKind::Statement,
            KeywordKind::Plain,
            KeywordKind::VariableModifier,
        ] {
            all.push(NearMiss::MisspeltKeyword {
                found: s(),
                meant: "var",
                kind,
            });
        }
        all
    }

    #[test]
    fn every_syntax_problem_renders_with_its_code_a_message_a_label_and_a_help() {
        for p in one_of_each() {
            let code = p.code();
            let d = p.clone().diagnostic();
            assert_eq!(d.code, code);
            assert!(!d.message.is_empty(), "{p:?}");
            assert!(!d.primary.message.is_empty(), "{p:?}");
            assert!(d.help.is_some(), "{p:?}");
            // A known mistake always carries its repair, preferred unless the repair
            // changes what the program does.
            if let SyntaxProblem::KnownMistake { edits, mistake, .. } = &p {
                assert_eq!(d.fixes.len(), 1, "{p:?}");
                assert_eq!(d.fixes[0].preferred, !mistake.repair_changes_meaning());
                assert_eq!(&d.fixes[0].edits, edits);
            }
        }
    }

    /// The codes migrated to syntax problems are built only from them: no site in the
    /// syntax phase or the formatter writes their sentences any more.
    #[test]
    fn migrated_syntax_codes_are_not_built_at_call_sites() {
        let sources = [
            include_str!("../syntax.rs"),
            include_str!("errors.rs"),
            include_str!("exprs.rs"),
            include_str!("mistakes.rs"),
            include_str!("trivia.rs"),
            include_str!("test_file.rs"),
            include_str!("layout.rs"),
            include_str!("chunks.rs"),
            include_str!("shift.rs"),
            include_str!("../format.rs"),
            include_str!("../test/ast.rs"),
        ];
        let migrated: BTreeSet<Code> = one_of_each().iter().map(SyntaxProblem::code).collect();
        let sources: Vec<String> = sources
            .iter()
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
            .collect();
        for code in migrated {
            for needle in [
                format!("Diagnostic::error(Code::{code}"),
                format!("push(Code::{code}"),
            ] {
                for src in &sources {
                    assert!(!src.contains(&needle), "{code} is still built at a site");
                }
            }
        }
        // The needle finds a site however it is laid out.
        let site: String = "Diagnostic::error(\n    Code::E0001,"
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(site.contains("Diagnostic::error(Code::E0001"));
    }
}
