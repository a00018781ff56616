//! User-task actions on the run under test, and reading its state.

use super::{Mocks, Sim, SimError};
use lhw_proto::littlehorse as pb;
use std::collections::BTreeMap;

/// What a test does to an open user task.
#[derive(Debug, Clone, PartialEq)]
pub enum UserTaskAction {
    /// Completes it with these form results, as `user_id`.
    Complete {
        /// The form's fields.
        results: BTreeMap<String, pb::VariableValue>,
        /// Who completes it (the assigned user when empty, else `lhc-test`).
        user_id: String,
    },
    /// Assigns it to a user and/or group.
    Assign {
        /// The user.
        user_id: Option<String>,
        /// The group.
        user_group: Option<String>,
    },
    /// Cancels it.
    Cancel,
}

impl Sim {
    /// The open (not DONE or CANCELLED) UserTaskRun of the UserTaskDef `name` in the run
    /// under test, the earliest first.
    pub(crate) fn open_user_task(&self, name: &str) -> Result<Option<pb::UserTaskRun>, SimError> {
        let key = self.key()?;
        Ok(self
            .engine
            .list_user_task_runs(&key)?
            .into_iter()
            .find(|u| {
                u.user_task_def_id.as_ref().is_some_and(|d| d.name == name)
                    && matches!(
                        pb::UserTaskRunStatus::try_from(u.status),
                        Ok(pb::UserTaskRunStatus::Unassigned | pb::UserTaskRunStatus::Assigned)
                    )
            }))
    }

    /// Applies `action` to the open UserTaskRun of `name`, then settles. Fails when there is
    /// no such user task.
    pub fn user_task(
        &mut self,
        name: &str,
        action: UserTaskAction,
        mocks: &mut dyn Mocks,
    ) -> Result<(), SimError> {
        let Some(utr) = self.open_user_task(name)? else {
            return Err(SimError::Kernel(format!(
                "no user task `{name}` is waiting in the run"
            )));
        };
        let id = utr.id.clone();
        match action {
            UserTaskAction::Complete { results, user_id } => {
                let user_id = if user_id.is_empty() {
                    utr.user_id
                        .clone()
                        .unwrap_or_else(|| "lhc-test".to_string())
                } else {
                    user_id
                };
                let req = pb::CompleteUserTaskRunRequest {
                    user_task_run_id: id,
                    results,
                    user_id,
                };
                self.batch(|e| e.complete_user_task_run(req))?;
            }
            UserTaskAction::Assign {
                user_id,
                user_group,
            } => {
                let req = pb::AssignUserTaskRunRequest {
                    user_task_run_id: id,
                    override_claim: true,
                    user_group,
                    user_id,
                };
                self.batch(|e| e.assign_user_task_run(req))?;
            }
            UserTaskAction::Cancel => {
                self.batch(|e| e.cancel_user_task_run(id))?;
            }
        }
        self.settle(mocks)
    }

    /// The run under test.
    pub fn wf_run(&self) -> Result<pb::WfRun, SimError> {
        Ok(self.engine.get_wf_run(&self.key()?)?)
    }

    /// Every NodeRun of the run under test, thread by thread, in order.
    pub fn node_runs(&self) -> Result<Vec<pb::NodeRun>, SimError> {
        Ok(self.engine.list_node_runs(&self.key()?, None)?)
    }

    /// A variable of the entrypoint thread (number 0).
    pub fn variable(&self, name: &str) -> Result<Option<pb::VariableValue>, SimError> {
        Ok(self
            .engine
            .get_variable(&self.key()?, 0, name)
            .ok()
            .and_then(|v| v.value))
    }

    /// The WorkflowEvents the run threw, in order.
    pub fn workflow_events(&self) -> Result<Vec<pb::WorkflowEvent>, SimError> {
        Ok(self.engine.list_workflow_events(&self.key()?)?)
    }

    /// Every UserTaskRun of the run under test.
    pub fn user_task_runs(&self) -> Result<Vec<pb::UserTaskRun>, SimError> {
        Ok(self.engine.list_user_task_runs(&self.key()?)?)
    }
}
