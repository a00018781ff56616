//! CountNodeRun and CountTaskRun, with the checks LittleHorse makes
//! (server/src/main/java/io/littlehorse/server/streams/lhinternalscan/count/
//! CountNodeRunRequestModel.java and CountTaskRunRequestModel.java): a NodeRun count is over
//! every NodeRun or those of one WfSpec (a revision needs a major version); a TaskRun count
//! needs a TaskDef name and only TASK_SCHEDULED is supported.

use crate::engine::Engine;
use crate::engine::EngineError;
use crate::request::{enum_value, not_empty};
use lhw_proto::littlehorse::count_node_run_request::Filter;
use lhw_proto::littlehorse::{Count, CountNodeRunRequest, CountTaskRunRequest, TaskStatus};

/// CountNodeRun.
pub(crate) fn count_node_run(
    e: &mut Engine,
    req: CountNodeRunRequest,
) -> Result<Count, EngineError> {
    let value = match req.filter {
        None => e.synced_store()?.count_node_runs(None)?,
        Some(Filter::WfSpecFilter(f)) => {
            not_empty(&f.wf_spec_name, "wf_spec_filter.wf_spec_name")?;
            if f.wf_spec_revision.is_some() && f.wf_spec_major_version.is_none() {
                return Err(EngineError::invalid_argument(
                    "wf_spec_filter.wf_spec_revision requires wf_spec_major_version to be set",
                ));
            }
            e.synced_store()?.count_node_runs(Some((
                &f.wf_spec_name,
                f.wf_spec_major_version,
                f.wf_spec_revision,
            )))?
        }
    };
    Ok(Count { value })
}

/// CountTaskRun.
pub(crate) fn count_task_run(
    e: &mut Engine,
    req: CountTaskRunRequest,
) -> Result<Count, EngineError> {
    not_empty(&req.task_def_name, "task_def_name")?;
    let status = enum_value::<TaskStatus>(req.status, "status")?;
    if status != TaskStatus::TaskScheduled {
        return Err(EngineError::invalid_argument(format!(
            "status: only TASK_SCHEDULED is supported for counting TaskRuns, got {}",
            status.as_str_name()
        )));
    }
    let value = e
        .synced_store()?
        .count_task_runs(&req.task_def_name, status as i32)?;
    Ok(Count { value })
}
