//! Scheduled WfRuns: ScheduleWf, GetScheduledWfRun, SearchScheduledWfRun,
//! DeleteScheduledWfRun, and the timer that starts a WfRun at each cron fire.
//!
//! As LittleHorse does (littlehorse-enterprises/littlehorse, `server/src/main/java/io/
//! littlehorse/common/model/corecommand/subcommand/ScheduleWfRequestModel.java` and
//! `.../metadatacommand/subcommand/ScheduleWfRunCommandModel.java`):
//! - ScheduleWf resolves the WfSpec (INVALID_ARGUMENT "WfSpec NAME MAJOR.REVISION does
//!   not exist" if it cannot), stores the `ScheduledWfRun` with the resolved
//!   `wf_spec_id`, and arms the first fire at the cron's next time after now: nothing
//!   runs at once. The id is the request's or a new GUID. Variables are not checked
//!   here; each fire's RunWf checks them.
//! - Each fire starts one WfRun with a new GUID as its id (under `parent_wf_run_id` if
//!   one was given), with the request's name, `major_version` and `revision` (unset:
//!   the newest version at that time) and variables; a RunWf that fails is logged and
//!   the schedule goes on. The next fire is the cron's next time after the fire time
//!   *that was due*, not after the current time: a fire time missed while the kernel
//!   was stopped is due at once after restart, and every missed one starts its run
//!   (LittleHorse's timers, stored in Kafka, mature late the same way).
//! - A fire whose ScheduledWfRun was deleted does nothing; deleting a missing id is
//!   not an error.
//!
//! Differences: ScheduleWf with the id of an existing schedule replaces it (LittleHorse
//! overwrites the object but keeps the old fire chain running beside the new one);
//! cron times are in UTC (see [`crate::cron`]).

use super::api::Origin;
use super::{Engine, Timer};
use crate::cron::CronExpr;
use crate::engine::EngineError;
use crate::storage::{StoreResult, StoredSchedule};
use crate::util::{ms_to_ts, new_guid, now_ms};
use lhw_proto::littlehorse::{
    RunWfRequest, ScheduleWfRequest, ScheduledWfRun, ScheduledWfRunId, ScheduledWfRunIdList,
    SearchScheduledWfRunRequest,
};

/// A schedule whose cron has no next time (kept, never armed).
const NEVER: i64 = i64::MAX;

impl Engine {
    /// ScheduleWf.
    pub fn schedule_wf(&mut self, req: ScheduleWfRequest) -> Result<ScheduledWfRun, EngineError> {
        if req.wf_spec_name.is_empty() {
            return Err(EngineError::invalid_argument(
                "wf_spec_name: Missing required argument 'wf_spec_name'",
            ));
        }
        if req.id.as_deref() == Some("") {
            return Err(EngineError::invalid_argument(
                "id: must not be empty (leave it unset for a generated id)",
            ));
        }
        let cron = CronExpr::parse(&req.cron_expression).map_err(|e| {
            EngineError::invalid_argument(format!(
                "cron_expression \"{}\" is invalid: {e}",
                req.cron_expression
            ))
        })?;
        let spec = match (req.major_version, req.revision) {
            (Some(major), Some(revision)) => crate::wfspec::get_wf_spec(
                &self.store,
                &lhw_proto::littlehorse::WfSpecId {
                    name: req.wf_spec_name.clone(),
                    major_version: major,
                    revision,
                },
            )
            .ok(),
            (major, None) => {
                crate::wfspec::get_latest_wf_spec(&self.store, &req.wf_spec_name, major).ok()
            }
            (None, Some(_)) => {
                return Err(EngineError::invalid_argument(
                    "revision: a revision needs a major_version",
                ));
            }
        };
        let Some(spec) = spec else {
            let opt = |v: Option<i32>| v.map_or_else(|| "null".to_string(), |v| v.to_string());
            return Err(EngineError::invalid_argument(format!(
                "WfSpec {} {}.{} does not exist",
                req.wf_spec_name,
                opt(req.major_version),
                opt(req.revision)
            )));
        };
        let now = now_ms();
        let Some(first) = cron.next_after(now) else {
            return Err(EngineError::invalid_argument(
                "Cron expression does not yield a next execution time",
            ));
        };
        let id = req.id.clone().unwrap_or_else(new_guid);
        let scheduled = ScheduledWfRun {
            id: Some(ScheduledWfRunId { id: id.clone() }),
            wf_spec_id: spec.id.clone(),
            variables: req.variables.clone(),
            parent_wf_run_id: req.parent_wf_run_id.clone(),
            cron_expression: req.cron_expression.clone(),
            created_at: Some(ms_to_ts(now)),
        };
        self.store.put_schedule(&StoredSchedule {
            scheduled: scheduled.clone(),
            request: req,
            next_fire_ms: first,
        })?;
        self.timers.push(first, Timer::ScheduledRun { id });
        Ok(scheduled)
    }

    /// GetScheduledWfRun.
    pub fn get_scheduled_wf_run(&self, id: &str) -> Result<ScheduledWfRun, EngineError> {
        self.store
            .get_schedule(id)?
            .map(|s| s.scheduled)
            .ok_or_else(|| EngineError::missing(format!("Couldn't find ScheduledWfRun {id}")))
    }

    /// SearchScheduledWfRun (not paged, by id).
    pub(crate) fn search_scheduled_wf_run(
        &self,
        req: SearchScheduledWfRunRequest,
    ) -> Result<ScheduledWfRunIdList, EngineError> {
        if req.wf_spec_name.is_empty() {
            return Err(EngineError::invalid_argument(
                "wf_spec_name: Missing required argument 'wf_spec_name'",
            ));
        }
        if req.major_version.is_none() && req.revision.is_some() {
            return Err(EngineError::invalid_argument(
                "Cannot provide wfSpecRevision without wfSpecMajorVersion",
            ));
        }
        let ids =
            self.store
                .search_schedules(&req.wf_spec_name, req.major_version, req.revision)?;
        Ok(ScheduledWfRunIdList {
            results: ids.into_iter().map(|id| ScheduledWfRunId { id }).collect(),
        })
    }

    /// DeleteScheduledWfRun: no further fire; runs already started are left alone.
    pub fn delete_scheduled_wf_run(&mut self, id: &str) -> Result<(), EngineError> {
        self.store.delete_schedule(id)?;
        Ok(())
    }

    /// A schedule's timer fired.
    pub(super) fn fire_schedule(&mut self, id: &str, now: i64) {
        if let Err(e) = self.try_fire_schedule(id, now) {
            eprintln!("lhw-kernel: scheduled WfRun {id}: {e}");
            self.store_failure = Some(e);
        }
    }

    fn try_fire_schedule(&mut self, id: &str, now: i64) -> StoreResult<()> {
        let Some(stored) = self.store.get_schedule(id)? else {
            return Ok(()); // deleted
        };
        if stored.next_fire_ms > now {
            return Ok(()); // replaced by a later schedule: a stale timer
        }
        let req = &stored.request;
        let run = RunWfRequest {
            wf_spec_name: req.wf_spec_name.clone(),
            major_version: req.major_version,
            revision: req.revision,
            variables: req.variables.clone(),
            id: Some(new_guid()),
            parent_wf_run_id: req.parent_wf_run_id.clone(),
        };
        if let Err(status) = self.start_wf_run(run, Origin::Request) {
            eprintln!(
                "lhw-kernel: scheduled WfRun {id} could not start a run of {}: {}",
                req.wf_spec_name,
                status.message()
            );
        }
        let next = CronExpr::parse(&req.cron_expression)
            .ok()
            .and_then(|c| c.next_after(stored.next_fire_ms))
            .unwrap_or(NEVER);
        self.store.set_schedule_next_fire(id, next)?;
        if next != NEVER {
            self.timers
                .push(next, Timer::ScheduledRun { id: id.to_string() });
        }
        Ok(())
    }

    /// At start (and after a reload): arms every schedule at its stored next fire.
    pub(super) fn recover_schedules(&mut self) -> StoreResult<()> {
        for (id, next) in self.store.schedule_fires()? {
            if next != NEVER {
                self.timers.push(next, Timer::ScheduledRun { id });
            }
        }
        Ok(())
    }
}
