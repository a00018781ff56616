//! Driving the engine in process, without its thread and channel: what a simulation
//! ([`crate::sim`]) needs. The caller runs batches itself (`begin_batch`, calls into the
//! engine's request methods, `end_batch`) and decides when timers fire.

use super::Engine;
use crate::storage::{Store, StoreError, StoreResult};

impl Engine {
    /// The engine on `store`, driven by the caller on the current thread.
    pub fn open_in_process(store: Store) -> Result<Engine, StoreError> {
        Engine::open(store)
    }

    /// Starts a batch (a transaction).
    pub fn begin_batch(&mut self) -> StoreResult<()> {
        self.store.begin()
    }

    /// Writes every change of the batch, commits, then delivers replies and dispatched
    /// tasks, as the engine thread does after each batch.
    pub fn end_batch(&mut self) {
        self.finish_batch();
    }

    /// Fires every timer due at the current time.
    pub fn fire_due_timers(&mut self) {
        self.fire_timers();
    }

    /// When the earliest timer is due (epoch ms).
    pub fn next_timer_due(&self) -> Option<i64> {
        self.timers.next_due()
    }

    /// The TaskDefs with at least one task waiting for a worker, each once, sorted.
    pub(crate) fn task_defs_with_work(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .queues
            .iter()
            .filter(|(_, q)| q.iter().any(|t| self.is_scheduled(&t.run, &t.guid)))
            .map(|(name, _)| name.clone())
            .collect();
        names.sort();
        names
    }
}
