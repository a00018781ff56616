//! Bulk jobs: CreateBulkJob (deleting the WfRuns of a WfSpec started in a time range with
//! one terminal status), GetBulkJob, SearchBulkJob and DeleteBulkJob.
//!
//! What LittleHorse does (littlehorse-enterprises/littlehorse, `server/src/main/java/io/
//! littlehorse/common/model/metadatacommand/subcommand/CreateBulkJobRequestModel.java`,
//! `DeleteBulkJobRequestModel.java`, `.../getable/global/bulkjob/BulkJobModel.java` and
//! `BulkDeleteWfRunModel.java`): the id is the request's or a new GUID; a job with that id
//! already stored is answered as it is (idempotency). `wf_spec_name` must be given,
//! `earliest_start` must not be after `latest_start` and `wf_run_status` must be one of
//! COMPLETED, HALTED, ERROR, EXCEPTION (INVALID_ARGUMENT); an unset time is the epoch, as
//! protobuf's default timestamp. The job is stored RUNNING with one subprocess per
//! partition, which a punctuator completes in the background, deleting each matching WfRun
//! (every version of the WfSpec) as DeleteWfRun does. DeleteBulkJob refuses a RUNNING job
//! (FAILED_PRECONDITION) and deletes an unknown id silently.
//!
//! The kernel has one partition and deletes the matching WfRuns within the request: the
//! job it answers and stores is already COMPLETED, with one subprocess whose
//! `last_seen_key` is the start time of the last WfRun deleted (docs/differences.md).

use super::Engine;
use crate::engine::EngineError;
use crate::request::{not_empty, opt_enum_value, page_of, required};
use crate::storage::{WfRunQuery, kind};
use crate::util::{ms_to_ts, new_guid, now_ms, ts_to_ms};
use lhw_proto::littlehorse::{
    BulkJob, BulkJobId, BulkJobIdList, BulkJobStatus, CreateBulkJobRequest, LhStatus,
    SearchBulkJobRequest, bulk_job, create_bulk_job_request,
};

/// The statuses a bulk delete may select (`DELETABLE_WF_RUN_STATUSES`).
const DELETABLE: [LhStatus; 4] = [
    LhStatus::Completed,
    LhStatus::Halted,
    LhStatus::Error,
    LhStatus::Exception,
];

impl Engine {
    /// CreateBulkJob.
    pub(crate) fn create_bulk_job(
        &mut self,
        req: CreateBulkJobRequest,
    ) -> Result<BulkJob, EngineError> {
        let id = match req.id {
            Some(id) => {
                not_empty(&id, "id")?;
                id
            }
            None => new_guid(),
        };
        if let Some(existing) = self.store.get_meta::<BulkJob>(kind::BULK_JOB, &id, 0, 0)? {
            return Ok(existing);
        }
        let create_bulk_job_request::Operation::BulkDeleteWfRun(op) =
            required(req.operation, "bulk_delete_wf_run")?;
        if op.wf_spec_name.trim().is_empty() {
            return Err(EngineError::invalid_argument("wfSpecName must be provided"));
        }
        let earliest = op.earliest_start.as_ref().map_or(0, ts_to_ms);
        let latest = op.latest_start.as_ref().map_or(0, ts_to_ms);
        if earliest > latest {
            return Err(EngineError::invalid_argument(
                "earliestStart must be before or equal to latestStart",
            ));
        }
        let Some(status) =
            opt_enum_value::<LhStatus>(op.wf_run_status, "bulk_delete_wf_run.wf_run_status")?
        else {
            return Err(EngineError::invalid_argument(
                "wfRunStatus must be provided",
            ));
        };
        if !DELETABLE.contains(&status) {
            return Err(EngineError::invalid_argument(
                "wfRunStatus must be a terminal status",
            ));
        }
        let rows = self.store.search_wf_runs(&WfRunQuery {
            spec_name: Some(op.wf_spec_name.clone()),
            earliest_ms: Some(earliest),
            latest_ms: Some(latest),
            limit: usize::MAX,
            ..WfRunQuery::default()
        })?;
        let mut last_seen = None;
        for (start_ms, key, _) in rows {
            // The kernel's memory is newer than the stored row for runs still active.
            let current = match self.runs.get(&key) {
                Some(run) => run.wf_run.status,
                None => match self.store.get_wf_run(&key)? {
                    Some(stored) => stored.status,
                    None => continue,
                },
            };
            if current != status as i32 {
                continue;
            }
            self.delete_wf_run(&key)?;
            last_seen = Some(ms_to_ts(start_ms));
        }
        let job = BulkJob {
            id: Some(BulkJobId { id: id.clone() }),
            created_at: Some(ms_to_ts(now_ms())),
            status: BulkJobStatus::BulkJobCompleted as i32,
            subprocesses: vec![bulk_job::Subprocess {
                id: 0,
                status: BulkJobStatus::BulkJobCompleted as i32,
                last_seen_key: last_seen,
            }],
            total_subprocesses: 1,
            operation: Some(bulk_job::Operation::BulkDeleteWfRun(op)),
        };
        self.store.put_meta(kind::BULK_JOB, &id, 0, 0, &job)?;
        Ok(job)
    }

    /// GetBulkJob.
    pub(crate) fn get_bulk_job(&self, id: &BulkJobId) -> Result<BulkJob, EngineError> {
        not_empty(&id.id, "id.id")?;
        self.store
            .get_meta(kind::BULK_JOB, &id.id, 0, 0)?
            .ok_or_else(|| EngineError::missing(format!("Couldn't find BulkJob {}", id.id)))
    }

    /// SearchBulkJob: by id, optionally only one status.
    pub(crate) fn search_bulk_job(
        &self,
        req: SearchBulkJobRequest,
    ) -> Result<BulkJobIdList, EngineError> {
        let status = opt_enum_value::<BulkJobStatus>(req.status, "status")?;
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let rows: Vec<(crate::storage::MetaKey, BulkJob)> =
                self.store.meta_after(kind::BULK_JOB, after.as_ref(), 500)?;
            let Some((last, _)) = rows.last() else { break };
            after = Some(last.clone());
            for (key, job) in rows {
                if status.is_none_or(|s| job.status == s as i32) {
                    ids.push(BulkJobId { id: key.name });
                }
            }
        }
        let (results, bookmark) = page_of(ids, req.bookmark.as_deref(), req.limit)?;
        Ok(BulkJobIdList { results, bookmark })
    }

    /// DeleteBulkJob: a RUNNING job stays; an unknown id is deleted silently, as the server does.
    pub(crate) fn delete_bulk_job(&mut self, id: &BulkJobId) -> Result<(), EngineError> {
        not_empty(&id.id, "id.id")?;
        if let Some(job) = self
            .store
            .get_meta::<BulkJob>(kind::BULK_JOB, &id.id, 0, 0)?
            && job.status == BulkJobStatus::BulkJobRunning as i32
        {
            return Err(EngineError::failed_precondition(
                "Cannot delete a RUNNING BulkJob",
            ));
        }
        self.store.delete_meta(kind::BULK_JOB, &id.id, 0, 0)?;
        Ok(())
    }
}
