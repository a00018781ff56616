//! The one place that turns a [`DecompileProblem`] into a [`Diagnostic`]: its message and
//! help, written from the problem's data.

use super::problems::{
    ConstantKind, DecompileProblem, DeprecatedRhs, Difference, Loss, NodePart, ProtoEnum,
};
use crate::diag::Diagnostic;
use crate::source::Span;

impl DecompileProblem {
    /// The diagnostic for this problem (spans point into the decompiled text, or are empty).
    pub(crate) fn diagnostic(self) -> Diagnostic {
        let code = self.code();
        match self {
            DecompileProblem::Unwritable {
                workflow,
                thread,
                loss,
            } => {
                let what = loss.message();
                let what = match thread {
                    None => what,
                    Some(t) => format!("thread `{t}`: {what}"),
                };
                let message = match workflow {
                    None => what,
                    Some(wf) => format!("workflow `{wf}`: {what}"),
                };
                Diagnostic::error(code, Span::default(), message)
                    .with_help("the .lhw text is the closest the language can write; compiling it does not give back this part of the WfSpec")
            }
            DecompileProblem::DoesNotCompile { first_error } => {
                let (first, span) = match first_error {
                    Some(e) => (format!("{}: {}", e.code.as_str(), e.message), e.span),
                    None => (String::new(), Span::default()),
                };
                Diagnostic::error(
                    code,
                    span,
                    format!("the decompiled text does not compile ({first})"),
                )
                .with_help("give the TaskDefs, events, forms and structs the workflow uses (`--taskdefs DIR`, or a server), so that no declaration has to be guessed")
            }
            DecompileProblem::Differs {
                workflow,
                difference,
            } => {
                let d = match difference {
                    Difference::Missing => format!("no workflow `{workflow}` in the text"),
                    Difference::At { path, want, got } => format!(
                        "at `{path}` the WfSpec has {} but the text gives {}",
                        short(&want),
                        short(&got)
                    ),
                    Difference::Unknown => "the messages differ".to_string(),
                };
                Diagnostic::error(
                    code,
                    Span::default(),
                    format!("workflow `{workflow}` compiles back to a different WfSpec: {d}"),
                )
                .with_help("the difference is a shape of this WfSpec that no .lhw construct builds; the text shows the closest workflow")
            }
        }
    }
}

impl Loss {
    /// What was not kept, in one sentence (without the workflow and thread it is in).
    pub(crate) fn message(&self) -> String {
        match self {
            Loss::ParentPinned {
                parent,
                major_version,
            } => format!(
                "the parent `{parent}` is pinned to major version {major_version}; `parent` always names version 0"
            ),
            Loss::EntrypointNamed { thread } => format!(
                "the entrypoint thread is named `{thread}`; a workflow's body is always `entrypoint`"
            ),
            Loss::ThreadNeverStarted { thread } => format!(
                "the thread `{thread}` is never started by a spawn, catch or on: it is left out"
            ),
            Loss::MissingThread { thread } => format!("the thread `{thread}` does not exist"),
            Loss::NodesNotNumbered { nodes } => format!(
                "the nodes {nodes:?} are not named `{{index}}-{{name}}-{{KIND}}` as the SDKs name them"
            ),
            Loss::VariableWithoutDefinition => "a variable without a definition".to_string(),
            Loss::VariableWithoutType { variable } => {
                format!("the variable `{variable}` has no type")
            }
            Loss::DeprecatedVariableType { variable } => format!(
                "the variable `{variable}` uses the deprecated `type` field; `.lhw` writes `type_def`"
            ),
            Loss::NoNodes => "the thread has no nodes".to_string(),
            Loss::FirstNodeNotEntrypoint { node } => {
                format!("the first node `{node}` is not an ENTRYPOINT")
            }
            Loss::Cycle => "the graph has a cycle no `while` makes".to_string(),
            Loss::MissingNode { node } => format!("an edge leads to the missing node `{node}`"),
            Loss::NodeWithoutKind { node } => format!("the node `{node}` has no kind"),
            Loss::StrayEdges { node } => format!(
                "the node `{node}` has conditional or several edges, which only `if` and `while` NOP nodes have"
            ),
            Loss::LoopEdges { root, tail } => format!(
                "the loop `{root}` → `{tail}` does not have the two edges per NOP `while` makes"
            ),
            Loss::LoopWithoutCondition { root } => {
                format!("the loop `{root}` has no condition on its first edge")
            }
            Loss::IfWithoutCloser { node } => format!("the `if` at `{node}` has no closing NOP"),
            Loss::FirstBranchWithoutCondition { node } => {
                format!("the first branch of the `if` at `{node}` has no condition")
            }
            Loss::ElseBeforeLast { node } => format!(
                "the `if` at `{node}` has a branch without condition before its last"
            ),
            Loss::SpawnHandle { node } => {
                format!("the spawn `{node}` does not store its thread number in `{node}`")
            }
            Loss::MaskedWithoutCorrelationKey { node } => {
                format!("`{node}` masks a correlation key it does not have")
            }
            Loss::SleepUntilIsoDate { node } => format!(
                "`{node}` sleeps until an ISO date, which `.lhw` writes as a timestamp"
            ),
            Loss::MissingPart { node, part } => {
                let what = match part {
                    NodePart::SleepLength => "has no sleep length",
                    NodePart::Condition => "has no condition",
                    NodePart::SpawnList => "has no list to spawn over",
                    NodePart::Threads => "waits for no threads",
                    NodePart::ChildRun => "names no child run",
                };
                format!("`{node}` {what}")
            }
            Loss::ChildWorkflowFromExpression { node, expression } => format!(
                "`{node}` runs the workflow named by `{expression}`; `run` names its workflow"
            ),
            Loss::ChildMajorVersion {
                node,
                major_version,
            } => format!(
                "`{node}` pins major version {major_version}; `run` always runs the latest (-1)"
            ),
            Loss::ChildWfRunId { node } => {
                format!("`{node}` sets the child's WfRunId, which `run` does not")
            }
            Loss::TaskNodeWithoutTask => "a task node without a task".to_string(),
            Loss::ReminderOptions => "a reminder task's options differ from the first reminder's; reminders run with the `default task` options only".to_string(),
            Loss::TaskWithoutBackoff => {
                "a task without backoff in a workflow whose `default task` sets one".to_string()
            }
            Loss::ComputedCancelException { node } => format!(
                "`{node}` computes its cancellation exception name; `on cancel fail` names it"
            ),
            Loss::UserTaskDefVersion { node } => {
                format!("`{node}` pins a UserTaskDef version; `ask` always uses the latest")
            }
            Loss::ReleaseToOtherGroup { node } => format!(
                "`{node}` releases to another group than its own; `release` keeps the task's group"
            ),
            Loss::ReassignToNobody { node } => format!("`{node}` reassigns to nobody"),
            Loss::ReminderMutations { node } => format!(
                "`{node}`'s reminder task has mutations, which `remind` does not write"
            ),
            Loss::TriggerWithoutAction { node } => {
                format!("`{node}` has an action trigger without an action")
            }
            Loss::LegacyEdgeCondition => "a legacy edge condition (`LegacyEdgeCondition`) compiles to an expression condition".to_string(),
            Loss::EmptyAssignment => "an empty value assignment".to_string(),
            Loss::JsonPathWithoutDollar { path } => format!(
                "the json path `{path}` does not start with `$`; `.lhw` writes json paths as `[\"$...\"]`"
            ),
            Loss::MaskedCastType => "a masked cast target type".to_string(),
            Loss::KeyStartsWithDollar { key } => {
                format!("the key `{key}` starts with `$`, which `.lhw` reads as a json path")
            }
            Loss::ConstantDynamicSelector => "a dynamic path selector holding a constant compiles to a key or index selector".to_string(),
            Loss::EmptySelector => "an empty path selector".to_string(),
            Loss::AssignmentWithoutSource => "a value assignment without a source".to_string(),
            Loss::UnknownEnumValue { of, value } => {
                let of = match of {
                    ProtoEnum::Comparator => "comparator",
                    ProtoEnum::Operation => "operation",
                    ProtoEnum::MutationType => "mutation type",
                    ProtoEnum::VariableType => "variable type",
                };
                format!("the unknown {of} {value}")
            }
            Loss::ExpressionWithoutOperation => "an expression without an operation".to_string(),
            Loss::MapBuilderType => {
                "a map builder's declared map type (the compiler leaves it unset)".to_string()
            }
            Loss::AssignExpression => {
                "an ASSIGN expression (its value is its right side)".to_string()
            }
            Loss::StructFieldWithoutValue { field } => {
                format!("the struct field `{field}` has no value")
            }
            Loss::NonConstantPattern => {
                "a format string whose pattern is not a constant text".to_string()
            }
            Loss::PlaceholderOutOfOrder { inner } => format!(
                "the format string uses its arguments out of order or twice (`{{{inner}}}`)"
            ),
            Loss::PlaceholderNotIndex { inner } => format!(
                "the format string placeholder `{{{inner}}}` is not a plain argument index"
            ),
            Loss::UnusedFormatArguments => {
                "the format string has arguments its pattern does not use in order".to_string()
            }
            Loss::FormatWithoutPlaceholders => {
                "a format string without placeholders compiles to a plain text".to_string()
            }
            Loss::DoubleWithoutLiteral { value } => format!("the double {value} has no literal"),
            Loss::UntypedConstant { kind } => match kind {
                ConstantKind::Bytes => "a bytes constant in an expression (`.lhw` writes bytes as base64 text only where a bytes value is expected)",
                ConstantKind::Timestamp => "a timestamp constant in an expression (`.lhw` writes timestamps as text only where a timestamp is expected)",
                ConstantKind::WfRunId => "a WfRunId constant",
                ConstantKind::Struct => "a Struct constant in an expression (`.lhw` writes struct constants only as defaults)",
                ConstantKind::Array => "an Array constant in an expression (`.lhw` writes typed array constants only where the type is known)",
                ConstantKind::Map => "a Map constant in an expression (`.lhw` writes typed map constants only where the type is known)",
            }
            .to_string(),
            Loss::MaskedStructField { field } => {
                format!("the struct field `{field}` is marked masked in the value")
            }
            Loss::UnparsableJson { text } => format!("the JSON constant `{text}` does not parse"),
            Loss::ReformattedJson { text } => {
                format!("the JSON constant `{text}` is written as the compiler formats JSON")
            }
            Loss::JsonNumberWithoutLiteral { number } => format!("the JSON number {number}"),
            Loss::JsonNumberTooBig { number } => {
                format!("the JSON number {number} does not fit a 64-bit int")
            }
            Loss::ArrayWithoutElementType => "an array type without an element type".to_string(),
            Loss::InlineStructType => {
                "an inline struct type (`.lhw` names every struct)".to_string()
            }
            Loss::MaskedElementType => "a masked element type".to_string(),
            Loss::MutationWithTwoPaths => {
                "a mutation with both a json path and an LHPath on its left".to_string()
            }
            Loss::DeprecatedRhs { form } => {
                let field = match form {
                    DeprecatedRhs::LiteralValue => "literal_value",
                    DeprecatedRhs::NodeOutput => "node_output",
                };
                format!(
                    "a mutation with a deprecated `{field}` right side compiles to `rhs_assignment`"
                )
            }
            Loss::MutationWithoutRhs => "a mutation without a right side".to_string(),
            Loss::StructDefNotGiven { name } => {
                format!("the StructDef `{name}` was not given: it is declared without fields")
            }
            Loss::UserTaskDefNotGiven { name } => format!(
                "the UserTaskDef `{name}` was not given: its form is declared without fields"
            ),
        }
    }
}

/// A JSON value in at most 120 characters.
fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}
