//! ThreadRetentionPolicy: finished child ThreadRuns leave their WfRun.
//!
//! As the LittleHorse server (`WfRunModel.archiveCompletedThreadRuns`, run at
//! the end of every advance of a WfRun, and `ThreadRetentionPolicyModel
//! .shouldGcThreadRun`): a ThreadRun other than the entrypoint that is
//! COMPLETED, whose ThreadSpec has `retention_policy.seconds_after_thread_termination`
//! and whose end is at least that long ago, is removed from `WfRun.thread_runs`
//! and kept as an `InactiveThreadRun` (reason `archived`), which
//! GetInactiveThreadRun answers. Failed, halted and running threads stay. The
//! engine still finds an archived thread by its number ([`RunState::thread`]),
//! as the server's `getThreadRun` looks in the archived ones, so WAIT_FOR_THREADS
//! and failure handlers see a child that finished and left. Like the server,
//! the check runs when the WfRun advances: there is no timer for it.

use super::RunState;
use crate::util::ts_to_ms;
use lhw_proto::littlehorse::{
    ArchivedThreadRunInfo, InactiveThreadRun, InactiveThreadRunId, LhStatus, ThreadRun, WfRunId,
    inactive_thread_run, thread_retention_policy::ThreadGcPolicy,
};

/// The archived form of a ThreadRun.
pub(super) fn inactive(wf_run_id: WfRunId, t: &ThreadRun) -> InactiveThreadRun {
    InactiveThreadRun {
        id: Some(InactiveThreadRunId {
            wf_run_id: Some(wf_run_id),
            thread_run_number: t.number,
        }),
        thread_run: Some(t.clone()),
        inactive_reason: Some(inactive_thread_run::InactiveReason::Archived(
            ArchivedThreadRunInfo {},
        )),
    }
}

/// Moves the COMPLETED child threads whose retention ran out to [`RunState::archived`].
pub(super) fn archive_threads(run: &mut RunState, now: i64) {
    let due: Vec<i32> = run
        .wf_run
        .thread_runs
        .iter()
        .filter(|t| t.number != 0 && t.status() == LhStatus::Completed)
        .filter(|t| {
            let policy = run
                .spec
                .thread_specs
                .get(&t.thread_spec_name)
                .and_then(|s| s.retention_policy.as_ref())
                .and_then(|p| p.thread_gc_policy.as_ref());
            match (policy, &t.end_time) {
                (Some(ThreadGcPolicy::SecondsAfterThreadTermination(secs)), Some(end)) => {
                    ts_to_ms(end).saturating_add(secs.saturating_mul(1000)) <= now
                }
                _ => false,
            }
        })
        .map(|t| t.number)
        .collect();
    if due.is_empty() {
        return;
    }
    let threads = std::mem::take(&mut run.wf_run.thread_runs);
    for t in threads {
        if due.contains(&t.number) {
            run.dirty.archived.insert(t.number);
            run.archived.insert(t.number, t);
        } else {
            run.wf_run.thread_runs.push(t);
        }
    }
    run.dirty.wf_run = true;
}
