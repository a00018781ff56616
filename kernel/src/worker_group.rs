//! Task worker groups: what RegisterTaskWorker heartbeats report, kept per
//! TaskDef and answered by GetTaskWorkerGroup.
//!
//! As the LittleHorse server (`TaskWorkerHeartBeatRequestModel.process`): the
//! group is created at the first heartbeat of a TaskDef, each heartbeat
//! first drops the workers whose latest heartbeat is 90 seconds old or more
//! (`LHConstants.MAX_TASK_WORKER_INACTIVITY`), then records the caller's
//! client id with the hosts it was assigned (this kernel's one address) and
//! the time. GetTaskWorkerGroup answers the stored group as it is, NOT_FOUND
//! when no worker of that TaskDef ever registered.

use crate::engine::EngineError;
use crate::storage::Store;
use crate::util::{now_ms, now_ts, ts_to_ms};
use lhw_proto::littlehorse::{
    LhHostInfo, TaskDefId, TaskWorkerGroup, TaskWorkerGroupId, TaskWorkerMetadata,
};

/// Seconds without a heartbeat after which a worker leaves its group.
pub(crate) const MAX_INACTIVITY_SECONDS: i64 = 90;

/// Records a heartbeat of `client_id` for `task_def` (inside the engine's transaction).
pub(crate) fn heartbeat(
    store: &Store,
    task_def: &str,
    client_id: &str,
    hosts: Vec<LhHostInfo>,
) -> Result<(), EngineError> {
    let now = now_ms();
    let mut group = store
        .get_task_worker_group(task_def)?
        .unwrap_or_else(|| TaskWorkerGroup {
            id: Some(TaskWorkerGroupId {
                task_def_id: Some(TaskDefId {
                    name: task_def.to_string(),
                }),
            }),
            created_at: Some(now_ts()),
            task_workers: Default::default(),
        });
    group.task_workers.retain(|_, w| {
        w.latest_heartbeat
            .as_ref()
            .is_some_and(|t| (now - ts_to_ms(t)) / 1000 < MAX_INACTIVITY_SECONDS)
    });
    group.task_workers.insert(
        client_id.to_string(),
        TaskWorkerMetadata {
            task_worker_id: client_id.to_string(),
            latest_heartbeat: Some(now_ts()),
            hosts,
        },
    );
    store.put_task_worker_group(task_def, &group)?;
    Ok(())
}

/// GetTaskWorkerGroup.
pub(crate) fn get(store: &Store, task_def: &str) -> Result<TaskWorkerGroup, EngineError> {
    store.get_task_worker_group(task_def)?.ok_or_else(|| {
        EngineError::missing(format!(
            "no task worker of TaskDef {task_def} has registered (RegisterTaskWorker)"
        ))
    })
}
