//! What ExternalEvents cost over time: the ExternalEventDef's retention policy.
//!
//! As the LittleHorse server (`PutExternalEventRequestModel.process`): an
//! ExternalEvent is stored whether or not its WfRun exists (an event posted
//! before its WfRun is a "pre-emptive" event that the WfRun claims when it
//! waits for one), and when its ExternalEventDef has a retention policy
//! (`seconds_after_put`) its deletion is scheduled at that time after the
//! put. The deletion (`DeleteExternalEventRequestModel.process`) removes the
//! event only if no WfRun claimed it; a claimed event stays with its WfRun.
//! So orphan events (a mistyped or never-started WfRun id) cost storage only
//! until their def's retention runs out. The schedule is the table
//! `external_event_gc`, swept with the WfRun retention sweep (one timer,
//! rebuilt at start).

use super::Engine;
use crate::engine::EngineError;
use crate::storage::{EventGcRow, StoreResult};
use crate::util::{now_ms, ts_to_ms, wf_run_key};
use lhw_proto::littlehorse::{ExternalEvent, external_event_retention_policy::ExtEvtGcPolicy};

/// Most ExternalEvents one sweep deletes.
const EVENT_SWEEP_BATCH: usize = 256;

impl Engine {
    /// Schedules the deletion of a newly stored ExternalEvent when its def
    /// has a retention policy, and arms the sweep for it.
    pub(super) fn schedule_event_gc(&mut self, event: &ExternalEvent) -> Result<(), EngineError> {
        let Some(id) = &event.id else {
            return Ok(());
        };
        let def_name = id
            .external_event_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let def = crate::metadata::get_external_event_def(&self.store, &def_name)?;
        let Some(ExtEvtGcPolicy::SecondsAfterPut(secs)) = def
            .retention_policy
            .as_ref()
            .and_then(|p| p.ext_evt_gc_policy.as_ref())
        else {
            return Ok(());
        };
        let put = event.created_at.as_ref().map_or_else(now_ms, ts_to_ms);
        let due = put.saturating_add(secs.saturating_mul(1000));
        let row = EventGcRow {
            wf_run: wf_run_key(&id.wf_run_id.clone().unwrap_or_default()),
            def_name,
            guid: id.guid.clone(),
        };
        self.store.put_event_gc(&row, due)?;
        self.arm_sweep(due);
        Ok(())
    }

    /// Deletes the unclaimed ExternalEvents whose retention ran out; returns
    /// when the next deletion is due.
    pub(super) fn sweep_event_gc(&mut self, now: i64) -> StoreResult<Option<i64>> {
        for row in self.store.due_event_gc(now, EVENT_SWEEP_BATCH)? {
            if let Some(run) = self.runs.get_mut(&row.wf_run) {
                // Write the run's pending changes first: removing an event
                // shifts the indices its dirty set refers to.
                run.flush(&self.store)?;
                let at = run.events.iter().position(|(_, e)| {
                    e.id.as_ref().is_some_and(|i| {
                        i.guid == row.guid
                            && i.external_event_def_id
                                .as_ref()
                                .is_some_and(|d| d.name == row.def_name)
                    })
                });
                if let Some(at) = at {
                    if run.events[at].1.claimed {
                        self.store.delete_event_gc(&row)?;
                        continue;
                    }
                    run.events.remove(at);
                }
            } else if self
                .store
                .get_external_event(&row.wf_run, &row.def_name, &row.guid)?
                .is_some_and(|e| e.claimed)
            {
                self.store.delete_event_gc(&row)?;
                continue;
            }
            self.store.delete_external_event(&row)?;
        }
        self.store.next_event_gc_due()
    }
}
