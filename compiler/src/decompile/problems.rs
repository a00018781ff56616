//! What a decompiled text does not keep, as data (W0030-W0032): one value per kind of
//! loss, before any sentence is written. `messages.rs` turns each into a diagnostic.
//!
//! The shape of `check/problems.rs` (one enum per phase, as Gleam has one error type per
//! phase): every problem maps to exactly one code of the registry (`diag/codes.rs`).

use crate::diag::Code;
use crate::source::Span;

/// One thing a decompilation does not keep.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DecompileProblem {
    /// W0031: a shape of a WfSpec (of `workflow`, or of the declarations when `None`; of
    /// `thread` when the loss is inside one) that the language cannot write.
    Unwritable {
        workflow: Option<String>,
        thread: Option<String>,
        loss: Loss,
    },
    /// W0032: the decompiled text does not compile; `first_error` is its first error.
    DoesNotCompile { first_error: Option<CompileError> },
    /// W0030: the text compiles, but `workflow` comes back different.
    Differs {
        workflow: String,
        difference: Difference,
    },
}

/// Something a decompiled text does not keep (W0031): compiling the text gives a different
/// message. One variant per kind of shape the language cannot write, with the names and
/// numbers it is about; `messages.rs` writes its sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Loss {
    // The workflow.
    /// The parent WfSpec is pinned to a major version other than 0.
    ParentPinned { parent: String, major_version: i32 },
    /// The entrypoint thread has another name than `entrypoint`.
    EntrypointNamed { thread: String },
    /// A thread that no spawn, catch or `on` starts.
    ThreadNeverStarted { thread: String },
    /// A thread a node starts that the WfSpec does not have.
    MissingThread { thread: String },

    // A thread's graph.
    /// Nodes not named `{index}-{name}-{KIND}`.
    NodesNotNumbered { nodes: Vec<String> },
    /// A `ThreadVarDef` without its `VariableDef`.
    VariableWithoutDefinition,
    /// A variable with neither `type_def` nor the deprecated `type`.
    VariableWithoutType { variable: String },
    /// A variable typed by the deprecated `type` field.
    DeprecatedVariableType { variable: String },
    /// A thread without nodes.
    NoNodes,
    /// The first node of a thread is not its ENTRYPOINT.
    FirstNodeNotEntrypoint { node: String },
    /// A cycle that is not a `while` loop.
    Cycle,
    /// An edge to a node the thread does not have.
    MissingNode { node: String },
    /// A node without a kind.
    NodeWithoutKind { node: String },
    /// A node other than an `if` or `while` NOP with a conditional edge or several edges.
    StrayEdges { node: String },
    /// A `while` loop whose NOPs do not have two edges each.
    LoopEdges { root: String, tail: String },
    /// A `while` loop without a condition on its first edge.
    LoopWithoutCondition { root: String },
    /// An `if` NOP without the NOP that closes it.
    IfWithoutCloser { node: String },
    /// An `if` whose first branch has no condition.
    FirstBranchWithoutCondition { node: String },
    /// An `if` with a branch without condition before its last branch.
    ElseBeforeLast { node: String },

    // A node.
    /// A spawn whose handle variable does not get its thread number.
    SpawnHandle { node: String },
    /// An external event node that masks a correlation key it does not have.
    MaskedWithoutCorrelationKey { node: String },
    /// A sleep until an ISO date.
    SleepUntilIsoDate { node: String },
    /// A node without a part the statement that makes it always has.
    MissingPart { node: String, part: NodePart },
    /// A child workflow named by an expression.
    ChildWorkflowFromExpression { node: String, expression: String },
    /// A child workflow pinned to a major version.
    ChildMajorVersion { node: String, major_version: i32 },
    /// A child workflow whose WfRunId is set.
    ChildWfRunId { node: String },
    /// A TASK node without a task.
    TaskNodeWithoutTask,
    /// A reminder task whose options are not the `default task` options.
    ReminderOptions,
    /// A task without backoff where the `default task` sets one.
    TaskWithoutBackoff,
    /// A user task whose cancellation exception name is computed.
    ComputedCancelException { node: String },
    /// A user task pinned to a UserTaskDef version.
    UserTaskDefVersion { node: String },
    /// A user task released to another group than its own.
    ReleaseToOtherGroup { node: String },
    /// A user task reassigned to nobody.
    ReassignToNobody { node: String },
    /// A user task's reminder task with mutations.
    ReminderMutations { node: String },
    /// A user task action trigger without an action.
    TriggerWithoutAction { node: String },

    // Expressions, values and types.
    /// A `LegacyEdgeCondition`.
    LegacyEdgeCondition,
    /// A missing `VariableAssignment`.
    EmptyAssignment,
    /// A json path that does not start with `$`.
    JsonPathWithoutDollar { path: String },
    /// A cast to a masked type.
    MaskedCastType,
    /// A key selector starting with `$`.
    KeyStartsWithDollar { key: String },
    /// A dynamic selector holding a constant key or index.
    ConstantDynamicSelector,
    /// A path selector without a selector.
    EmptySelector,
    /// A `VariableAssignment` without a source.
    AssignmentWithoutSource,
    /// An enum number this version of the protocol does not know.
    UnknownEnumValue { of: ProtoEnum, value: i32 },
    /// An expression without an operation.
    ExpressionWithoutOperation,
    /// A map builder with its map type set.
    MapBuilderType,
    /// An ASSIGN expression.
    AssignExpression,
    /// An inline struct field without a value.
    StructFieldWithoutValue { field: String },
    /// A format string whose pattern is not a constant text.
    NonConstantPattern,
    /// A placeholder that repeats an argument or takes one out of order (`inner` is the text
    /// between its braces).
    PlaceholderOutOfOrder { inner: String },
    /// A placeholder that is not an argument index.
    PlaceholderNotIndex { inner: String },
    /// A format string with arguments its pattern does not use in order.
    UnusedFormatArguments,
    /// A format string without placeholders.
    FormatWithoutPlaceholders,
    /// A double without a literal (NaN, infinities).
    DoubleWithoutLiteral { value: f64 },
    /// A constant of a kind `.lhw` writes only where its type is known.
    UntypedConstant { kind: ConstantKind },
    /// A struct constant's field marked masked.
    MaskedStructField { field: String },
    /// A JSON constant that does not parse.
    UnparsableJson { text: String },
    /// A JSON constant not in the compiler's compact layout.
    ReformattedJson { text: String },
    /// A JSON number without a double literal.
    JsonNumberWithoutLiteral { number: serde_json::Number },
    /// A JSON integer beyond 64 bits.
    JsonNumberTooBig { number: serde_json::Number },
    /// An array type without its element type.
    ArrayWithoutElementType,
    /// An inline struct type.
    InlineStructType,
    /// A masked element type of an array or map.
    MaskedElementType,
    /// A mutation with both a json path and an LHPath on its left.
    MutationWithTwoPaths,
    /// A mutation's deprecated right side.
    DeprecatedRhs { form: DeprecatedRhs },
    /// A mutation without a right side.
    MutationWithoutRhs,

    // Declarations.
    /// A StructDef the decompilation was not given.
    StructDefNotGiven { name: String },
    /// A UserTaskDef the decompilation was not given.
    UserTaskDefNotGiven { name: String },
}

/// A part of a node the statement that makes it always writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodePart {
    /// A SLEEP node's length.
    SleepLength,
    /// A WAIT_FOR_CONDITION node's condition.
    Condition,
    /// A START_MULTIPLE_THREADS node's list.
    SpawnList,
    /// A WAIT_FOR_THREADS node's threads.
    Threads,
    /// A WAIT_FOR_CHILD_WF node's child run.
    ChildRun,
}

/// The protocol enums whose numbers a WfSpec may hold beyond what this version knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProtoEnum {
    Comparator,
    /// `VariableMutationType`, as an expression's operation.
    Operation,
    /// `VariableMutationType`, as a mutation's type.
    MutationType,
    VariableType,
}

/// A constant `.lhw` writes only where the expected type is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConstantKind {
    Bytes,
    Timestamp,
    WfRunId,
    Struct,
    Array,
    Map,
}

/// The deprecated right sides of a `VariableMutation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeprecatedRhs {
    LiteralValue,
    NodeOutput,
}

/// The first error of a text that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompileError {
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) span: Span,
}

/// How a workflow compiled back differs from the WfSpec it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Difference {
    /// The text has no workflow of that name.
    Missing,
    /// The first place where the two messages differ, as a JSON path with both values.
    At {
        path: String,
        want: serde_json::Value,
        got: serde_json::Value,
    },
    /// The messages differ, but not as JSON (they could not be serialized).
    Unknown,
}

impl DecompileProblem {
    /// The problem's code in the registry.
    pub(crate) fn code(&self) -> Code {
        match self {
            DecompileProblem::Unwritable { .. } => Code::W0031,
            DecompileProblem::DoesNotCompile { .. } => Code::W0032,
            DecompileProblem::Differs { .. } => Code::W0030,
        }
    }
}

/// One value of each variant (a new variant must be added here: `code()` and the renderer
/// match exhaustively, this list is what the registry test in `check/problems.rs` reads).
#[cfg(test)]
pub(crate) fn one_of_each() -> Vec<DecompileProblem> {
    let name = || "x".to_string();
    let mut all = vec![
        DecompileProblem::Unwritable {
            workflow: None,
            thread: None,
            loss: Loss::StructDefNotGiven { name: name() },
        },
        DecompileProblem::Unwritable {
            workflow: Some(name()),
            thread: Some(name()),
            loss: Loss::Cycle,
        },
        DecompileProblem::DoesNotCompile { first_error: None },
        DecompileProblem::DoesNotCompile {
            first_error: Some(CompileError {
                code: Code::E0101,
                message: name(),
                span: Span::default(),
            }),
        },
    ];
    all.extend(
        Loss::one_of_each()
            .into_iter()
            .map(|loss| DecompileProblem::Unwritable {
                workflow: Some("w".to_string()),
                thread: None,
                loss,
            }),
    );
    for difference in [
        Difference::Missing,
        Difference::At {
            path: "$.name".to_string(),
            want: serde_json::json!("a"),
            got: serde_json::json!("b".repeat(200)),
        },
        Difference::Unknown,
    ] {
        all.push(DecompileProblem::Differs {
            workflow: name(),
            difference,
        });
    }
    all
}

#[cfg(test)]
impl Loss {
    /// How many variants `Loss` has.
    const LOSS_VARIANTS: usize = 68;

    /// The position of the variant in [`Loss::one_of_each`]: an exhaustive `match`, so a new
    /// variant does not compile until it is numbered here and added there.
    fn variant(&self) -> usize {
        match self {
            Loss::ParentPinned { .. } => 0,
            Loss::EntrypointNamed { .. } => 1,
            Loss::ThreadNeverStarted { .. } => 2,
            Loss::MissingThread { .. } => 3,
            Loss::NodesNotNumbered { .. } => 4,
            Loss::VariableWithoutDefinition => 5,
            Loss::VariableWithoutType { .. } => 6,
            Loss::DeprecatedVariableType { .. } => 7,
            Loss::NoNodes => 8,
            Loss::FirstNodeNotEntrypoint { .. } => 9,
            Loss::Cycle => 10,
            Loss::MissingNode { .. } => 11,
            Loss::NodeWithoutKind { .. } => 12,
            Loss::StrayEdges { .. } => 13,
            Loss::LoopEdges { .. } => 14,
            Loss::LoopWithoutCondition { .. } => 15,
            Loss::IfWithoutCloser { .. } => 16,
            Loss::FirstBranchWithoutCondition { .. } => 17,
            Loss::ElseBeforeLast { .. } => 18,
            Loss::SpawnHandle { .. } => 19,
            Loss::MaskedWithoutCorrelationKey { .. } => 20,
            Loss::SleepUntilIsoDate { .. } => 21,
            Loss::MissingPart { .. } => 22,
            Loss::ChildWorkflowFromExpression { .. } => 23,
            Loss::ChildMajorVersion { .. } => 24,
            Loss::ChildWfRunId { .. } => 25,
            Loss::TaskNodeWithoutTask => 26,
            Loss::ReminderOptions => 27,
            Loss::TaskWithoutBackoff => 28,
            Loss::ComputedCancelException { .. } => 29,
            Loss::UserTaskDefVersion { .. } => 30,
            Loss::ReleaseToOtherGroup { .. } => 31,
            Loss::ReassignToNobody { .. } => 32,
            Loss::ReminderMutations { .. } => 33,
            Loss::TriggerWithoutAction { .. } => 34,
            Loss::LegacyEdgeCondition => 35,
            Loss::EmptyAssignment => 36,
            Loss::JsonPathWithoutDollar { .. } => 37,
            Loss::MaskedCastType => 38,
            Loss::KeyStartsWithDollar { .. } => 39,
            Loss::ConstantDynamicSelector => 40,
            Loss::EmptySelector => 41,
            Loss::AssignmentWithoutSource => 42,
            Loss::UnknownEnumValue { .. } => 43,
            Loss::ExpressionWithoutOperation => 44,
            Loss::MapBuilderType => 45,
            Loss::AssignExpression => 46,
            Loss::StructFieldWithoutValue { .. } => 47,
            Loss::NonConstantPattern => 48,
            Loss::PlaceholderOutOfOrder { .. } => 49,
            Loss::PlaceholderNotIndex { .. } => 50,
            Loss::UnusedFormatArguments => 51,
            Loss::FormatWithoutPlaceholders => 52,
            Loss::DoubleWithoutLiteral { .. } => 53,
            Loss::UntypedConstant { .. } => 54,
            Loss::MaskedStructField { .. } => 55,
            Loss::UnparsableJson { .. } => 56,
            Loss::ReformattedJson { .. } => 57,
            Loss::JsonNumberWithoutLiteral { .. } => 58,
            Loss::JsonNumberTooBig { .. } => 59,
            Loss::ArrayWithoutElementType => 60,
            Loss::InlineStructType => 61,
            Loss::MaskedElementType => 62,
            Loss::MutationWithTwoPaths => 63,
            Loss::DeprecatedRhs { .. } => 64,
            Loss::MutationWithoutRhs => 65,
            Loss::StructDefNotGiven { .. } => 66,
            Loss::UserTaskDefNotGiven { .. } => 67,
        }
    }

    /// Every variant, and every value of the enums a variant carries.
    pub(crate) fn one_of_each() -> Vec<Loss> {
        let s = |t: &str| t.to_string();
        let node = || s("3-greet-TASK");
        let mut all = vec![
            Loss::ParentPinned {
                parent: s("parent-wf"),
                major_version: 2,
            },
            Loss::EntrypointNamed { thread: s("main") },
            Loss::ThreadNeverStarted {
                thread: s("orphan"),
            },
            Loss::MissingThread { thread: s("gone") },
            Loss::NodesNotNumbered {
                nodes: vec![s("start"), s("x-y")],
            },
            Loss::VariableWithoutDefinition,
            Loss::VariableWithoutType { variable: s("v") },
            Loss::DeprecatedVariableType { variable: s("v") },
            Loss::NoNodes,
            Loss::FirstNodeNotEntrypoint { node: node() },
            Loss::Cycle,
            Loss::MissingNode { node: node() },
            Loss::NodeWithoutKind { node: node() },
            Loss::StrayEdges { node: node() },
            Loss::LoopEdges {
                root: s("1-nop-NOP"),
                tail: s("4-nop-NOP"),
            },
            Loss::LoopWithoutCondition {
                root: s("1-nop-NOP"),
            },
            Loss::IfWithoutCloser {
                node: s("1-nop-NOP"),
            },
            Loss::FirstBranchWithoutCondition {
                node: s("1-nop-NOP"),
            },
            Loss::ElseBeforeLast {
                node: s("1-nop-NOP"),
            },
            Loss::SpawnHandle {
                node: s("2-child-START_THREAD"),
            },
            Loss::MaskedWithoutCorrelationKey { node: node() },
            Loss::SleepUntilIsoDate { node: node() },
            Loss::ChildWorkflowFromExpression {
                node: node(),
                expression: s("which"),
            },
            Loss::ChildMajorVersion {
                node: node(),
                major_version: 3,
            },
            Loss::ChildWfRunId { node: node() },
            Loss::TaskNodeWithoutTask,
            Loss::ReminderOptions,
            Loss::TaskWithoutBackoff,
            Loss::ComputedCancelException { node: node() },
            Loss::UserTaskDefVersion { node: node() },
            Loss::ReleaseToOtherGroup { node: node() },
            Loss::ReassignToNobody { node: node() },
            Loss::ReminderMutations { node: node() },
            Loss::TriggerWithoutAction { node: node() },
            Loss::LegacyEdgeCondition,
            Loss::EmptyAssignment,
            Loss::JsonPathWithoutDollar { path: s("a.b") },
            Loss::MaskedCastType,
            Loss::KeyStartsWithDollar { key: s("$x") },
            Loss::ConstantDynamicSelector,
            Loss::EmptySelector,
            Loss::AssignmentWithoutSource,
            Loss::ExpressionWithoutOperation,
            Loss::MapBuilderType,
            Loss::AssignExpression,
            Loss::StructFieldWithoutValue { field: s("city") },
            Loss::NonConstantPattern,
            Loss::PlaceholderOutOfOrder { inner: s("1") },
            Loss::PlaceholderNotIndex {
                inner: s("a,number"),
            },
            Loss::UnusedFormatArguments,
            Loss::FormatWithoutPlaceholders,
            Loss::DoubleWithoutLiteral { value: f64::NAN },
            Loss::MaskedStructField { field: s("ssn") },
            Loss::UnparsableJson { text: s("{oops") },
            Loss::ReformattedJson {
                text: s("{ \"a\": 1 }"),
            },
            Loss::JsonNumberWithoutLiteral {
                number: serde_json::Number::from_f64(1.5).expect("finite"),
            },
            Loss::JsonNumberTooBig {
                number: serde_json::Number::from(u64::MAX),
            },
            Loss::ArrayWithoutElementType,
            Loss::InlineStructType,
            Loss::MaskedElementType,
            Loss::MutationWithTwoPaths,
            Loss::MutationWithoutRhs,
            Loss::StructDefNotGiven { name: s("address") },
            Loss::UserTaskDefNotGiven { name: s("approve") },
        ];
        for part in [
            NodePart::SleepLength,
            NodePart::Condition,
            NodePart::SpawnList,
            NodePart::Threads,
            NodePart::ChildRun,
        ] {
            all.push(Loss::MissingPart { node: node(), part });
        }
        for of in [
            ProtoEnum::Comparator,
            ProtoEnum::Operation,
            ProtoEnum::MutationType,
            ProtoEnum::VariableType,
        ] {
            all.push(Loss::UnknownEnumValue { of, value: 99 });
        }
        for kind in [
            ConstantKind::Bytes,
            ConstantKind::Timestamp,
            ConstantKind::WfRunId,
            ConstantKind::Struct,
            ConstantKind::Array,
            ConstantKind::Map,
        ] {
            all.push(Loss::UntypedConstant { kind });
        }
        for form in [DeprecatedRhs::LiteralValue, DeprecatedRhs::NodeOutput] {
            all.push(Loss::DeprecatedRhs { form });
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const LOSS_VARIANTS: usize = Loss::LOSS_VARIANTS;

    #[test]
    fn every_decompile_problem_renders_with_its_code_a_message_and_a_help() {
        for p in one_of_each() {
            let code = p.code();
            let d = p.diagnostic();
            assert_eq!(d.code, code);
            assert!(!d.is_error(), "{code} is a warning");
            assert!(!d.message.is_empty(), "{code}");
            assert!(d.help.is_some(), "{code}");
        }
    }

    /// Every kind of loss has a value in `Loss::one_of_each()`, and each writes a sentence of
    /// its own; the snapshot holds every sentence W0031 can say.
    #[test]
    fn every_loss_has_its_own_sentence() {
        let all = Loss::one_of_each();
        let variants: BTreeSet<usize> = all.iter().map(Loss::variant).collect();
        assert_eq!(
            variants,
            (0..LOSS_VARIANTS).collect(),
            "a variant is missing from one_of_each"
        );
        let messages: Vec<String> = all.iter().map(Loss::message).collect();
        let distinct: BTreeSet<&String> = messages.iter().collect();
        assert_eq!(distinct.len(), messages.len(), "two losses say the same");
        // Where a loss is: in the declarations, in a workflow, in one of its threads.
        let mut rendered = messages;
        for (workflow, thread) in [(None, None), (Some("w"), None), (Some("w"), Some("t"))] {
            let d = DecompileProblem::Unwritable {
                workflow: workflow.map(str::to_string),
                thread: thread.map(str::to_string),
                loss: Loss::Cycle,
            }
            .diagnostic();
            rendered.push(d.message);
        }
        insta::assert_snapshot!(rendered.join("\n"));
    }

    /// No call site in `decompile/` writes a W0031 sentence: the argument of every `lose(...)`
    /// and every push onto `losses` is a `Loss` value (or a variable holding one), with no
    /// text in it (the type holds the first part; this holds that no variant is filled with
    /// a formatted sentence either).
    #[test]
    fn losses_are_data_at_every_call_site() {
        let sources = [
            ("mod.rs", include_str!("mod.rs")),
            ("decls.rs", include_str!("decls.rs")),
            ("expr.rs", include_str!("expr.rs")),
            ("json.rs", include_str!("json.rs")),
            ("thread.rs", include_str!("thread.rs")),
        ];
        let mut calls = 0;
        for (file, src) in sources {
            let flat: String = src.chars().filter(|c| !c.is_whitespace()).collect();
            for needle in [".lose(", "losses.push("] {
                for (at, _) in flat.match_indices(needle) {
                    let rest = &flat[at + needle.len()..];
                    let mut depth = 1;
                    let end = rest
                        .char_indices()
                        .find(|&(_, c)| {
                            match c {
                                '(' => depth += 1,
                                ')' => depth -= 1,
                                _ => {}
                            }
                            depth == 0
                        })
                        .map_or(rest.len(), |(i, _)| i);
                    let arg = &rest[..end];
                    calls += 1;
                    let is_loss = arg.starts_with("Loss::")
                        || arg.starts_with("ThreadLoss{")
                        || arg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    assert!(
                        is_loss && !arg.contains("format!") && !arg.contains('"'),
                        "{file}: a loss written as text: `{needle}{arg})`"
                    );
                }
            }
        }
        assert!(calls > 70, "the scan found only {calls} call sites");
    }

    /// The migrated codes are built only from problems: no call site in `decompile/`
    /// writes their sentences any more.
    #[test]
    fn migrated_codes_are_not_built_at_call_sites() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("decls.rs"),
            include_str!("expr.rs"),
            include_str!("json.rs"),
            include_str!("thread.rs"),
        ];
        let sources: Vec<String> = sources
            .iter()
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
            .collect();
        let migrated: BTreeSet<Code> = one_of_each().iter().map(DecompileProblem::code).collect();
        for code in migrated {
            let needle = format!("Diagnostic::error(Code::{code}");
            for src in &sources {
                assert!(
                    !src.contains(&needle),
                    "{code} is still built at a call site"
                );
            }
        }
    }
}
