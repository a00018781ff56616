//! Checkpointed TaskRuns: PutCheckpoint and GetCheckpoint.
//!
//! As the LittleHorse server (`PutCheckpointRequestModel.process`,
//! `TaskRunModel.observeNewCheckpointAndUpdateTimeouts`): a checkpoint is
//! accepted only from the TaskRun's current attempt while it is
//! TASK_RUNNING; any other caller is fenced with STOP_TASK and nothing is
//! stored. An accepted checkpoint gets the number `total_checkpoints` (then
//! incremented), and the attempt's timeout starts again from the
//! checkpoint. The next attempt's ScheduledTask carries
//! `total_observed_checkpoints`, so the worker SDK replays the stored
//! checkpoints (GetCheckpoint) instead of running those steps again.

use super::{Engine, Timer};
use crate::engine::EngineError;
use crate::util::{ms_to_ts, now_ms, ts_to_ms, wf_run_key};
use lhw_proto::littlehorse::{
    Checkpoint, CheckpointId, PutCheckpointRequest, PutCheckpointResponse, TaskStatus,
    put_checkpoint_response::FlowControlContinue,
};

impl Engine {
    /// PutCheckpoint (the request was checked by the gRPC layer).
    pub(crate) fn put_checkpoint(
        &mut self,
        req: PutCheckpointRequest,
    ) -> Result<PutCheckpointResponse, EngineError> {
        let task_run_id = req.task_run_id.unwrap_or_default();
        let key = wf_run_key(&task_run_id.wf_run_id.clone().unwrap_or_default());
        let guid = task_run_id.task_guid.clone();
        let stop = PutCheckpointResponse {
            flow_control_continue_type: FlowControlContinue::StopTask as i32,
            created_checkpoint: None,
        };
        let Some(run) = self.runs.get_mut(&key) else {
            // A finished WfRun has no running attempt left: fence the worker.
            return match self.store.get_task_run(&key, &guid)? {
                Some(_) => Ok(stop),
                None => Err(not_found_task_run()),
            };
        };
        let Some(tr) = run.task_runs.get(&guid) else {
            return Err(not_found_task_run());
        };
        let current = i32::try_from(tr.attempts.len()).unwrap_or(i32::MAX) - 1;
        let running = tr
            .attempts
            .last()
            .is_some_and(|a| a.status() == TaskStatus::TaskRunning);
        if current != req.task_attempt || !running {
            return Ok(stop);
        }
        let now = now_ms();
        let timeout = tr.timeout_seconds;
        let number = tr.total_checkpoints;
        let checkpoint = Checkpoint {
            id: Some(CheckpointId {
                task_run: Some(task_run_id),
                checkpoint_number: number,
            }),
            value: req.value,
            logs: req.logs,
            created_at: Some(ms_to_ts(now)),
        };
        if let Some(tr) = run.task_run_mut(&guid) {
            tr.total_checkpoints = number.saturating_add(1);
        }
        self.store.put_checkpoint(&key, &guid, &checkpoint)?;
        // The attempt's timeout starts again; the earlier timer finds the
        // checkpoint (see `checkpoint_extends`) and does nothing.
        self.timers.push(
            now.saturating_add(i64::from(timeout.max(1)) * 1000),
            Timer::TaskTimeout {
                run: key,
                guid,
                attempt: usize::try_from(current).unwrap_or(0),
            },
        );
        Ok(PutCheckpointResponse {
            flow_control_continue_type: FlowControlContinue::ContinueTask as i32,
            created_checkpoint: Some(checkpoint),
        })
    }

    /// GetCheckpoint.
    pub(crate) fn get_checkpoint(&mut self, id: &CheckpointId) -> Result<Checkpoint, EngineError> {
        let task_run = id.task_run.clone().unwrap_or_default();
        let key = wf_run_key(&task_run.wf_run_id.unwrap_or_default());
        self.store
            .get_checkpoint(&key, &task_run.task_guid, id.checkpoint_number)?
            .ok_or_else(|| {
                EngineError::missing(format!(
                    "Checkpoint {} of TaskRun {key}/{} not found",
                    id.checkpoint_number, task_run.task_guid
                ))
            })
    }

    /// Whether a checkpoint of the TaskRun was taken less than `timeout_seconds`
    /// before `now`: its attempt's timeout was restarted then.
    pub(super) fn checkpoint_extends(&self, key: &str, guid: &str, now: i64) -> bool {
        let Some(tr) = self.runs.get(key).and_then(|r| r.task_runs.get(guid)) else {
            return false;
        };
        if tr.total_checkpoints == 0 {
            return false;
        }
        let last = self
            .store
            .get_checkpoint(key, guid, tr.total_checkpoints - 1)
            .ok()
            .flatten();
        last.and_then(|c| c.created_at)
            .is_some_and(|t| ts_to_ms(&t) + i64::from(tr.timeout_seconds.max(1)) * 1000 > now)
    }
}

fn not_found_task_run() -> EngineError {
    // The server answers INVALID_ARGUMENT "Could not find specified TaskRun".
    EngineError::invalid_argument("task_run_id: Could not find specified TaskRun")
}
