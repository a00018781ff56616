//! WAIT_FOR_CONDITION: waits until a condition on the variables holds.

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Progress, failure};
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    LhErrorType, WaitForConditionNode, WaitForConditionRun, node_run::NodeType,
    wait_for_condition_node::NodeCondition,
};

pub(super) fn validate(w: &WaitForConditionNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    match &w.node_condition {
        None => Err(c.invalid("wait_for_condition.node_condition is not set")),
        Some(_) => Ok(()),
    }
}

pub(super) fn reads<'a>(w: &'a WaitForConditionNode, out: &mut Vec<&'a str>) {
    match &w.node_condition {
        Some(NodeCondition::Condition(va)) => va_vars(va, out),
        Some(NodeCondition::LegacyCondition(c)) => {
            for va in [&c.left, &c.right].into_iter().flatten() {
                va_vars(va, out);
            }
        }
        None => {}
    }
}

pub(super) fn arrive() -> Arrival {
    Arrival::of(NodeType::WaitForCondition(WaitForConditionRun {}))
}

/// Done when the condition holds; a condition that cannot be evaluated fails
/// the node with VAR_SUB_ERROR.
pub(super) fn check(run: &RunState, t: i32, w: &WaitForConditionNode) -> Progress {
    let result = match &w.node_condition {
        Some(NodeCondition::Condition(va)) => run.eval_bool(t, va),
        Some(NodeCondition::LegacyCondition(c)) => run.eval_legacy(t, c),
        None => Err("the node has no condition".to_string()),
    };
    match result {
        Ok(true) => Progress::Completed,
        Ok(false) => Progress::Waiting,
        Err(e) => Progress::Failed(failure(LhErrorType::VarSubError, e, None)),
    }
}
