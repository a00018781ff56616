//! Timers: task attempt timeouts, retry backoff, sleep maturation,
//! external-event timeouts, user-task actions and the retention sweep.
//! Timers are not stored; they are rebuilt from the runs (their stored
//! pending user-task actions, the stored retention schedule) at recovery.

use super::keys::AttemptKey;
use std::collections::{BTreeMap, HashMap};

/// What a timer does when it fires. Firing a stale timer (its object moved
/// on) is a no-op.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    /// Attempt `attempt` of a TaskRun times out if still running.
    TaskTimeout {
        /// WfRun key.
        run: String,
        /// TaskRun guid.
        guid: String,
        /// Attempt index.
        attempt: usize,
    },
    /// A pending (backoff) attempt of a TaskRun becomes scheduled.
    TaskRetry {
        /// WfRun key.
        run: String,
        /// TaskRun guid.
        guid: String,
    },
    /// A scheduled user-task action (reassign, cancel, reminder task) is due.
    UserTaskAction {
        /// WfRun key.
        run: String,
        /// The action's seq in the run.
        seq: i64,
    },
    /// Finished WfRuns whose retention ran out are deleted.
    RetentionSweep,
    /// A scheduled WfRun (ScheduleWf) is due to start a run.
    ScheduledRun {
        /// The ScheduledWfRun id.
        id: String,
    },
    /// A waiting node (SLEEP, EXTERNAL_EVENT timeout) re-checks its deadline.
    NodeWake {
        /// WfRun key.
        run: String,
        /// ThreadRun number.
        thread: i32,
        /// NodeRun position.
        position: i32,
    },
}

/// Where a timer is in the queue: its due time (epoch ms) and the order it was pushed in.
type Slot = (i64, u64);

/// Timers in due-time order (ties in push order).
///
/// A task attempt's timeout is cancelled when the attempt ends
/// ([`Timers::cancel_task_timeout`]): without that, every task dispatched in the last
/// `timeout_seconds` (60 s by default) kept a timer, so the timers grew with the throughput
/// (at 8,000 tasks/s, ~480,000 of them) rather than with the tasks in flight, and the memory
/// they took stayed with the process after a load (issue 15 §2, "Memory after load").
#[derive(Default)]
pub(crate) struct Timers {
    queue: BTreeMap<Slot, Timer>,
    /// The slot of each pending task-attempt timeout.
    timeouts: HashMap<AttemptKey, Slot>,
    seq: u64,
}

impl Timers {
    /// Schedules `timer` at `due_ms`. A task attempt's timeout replaces the one pending for
    /// the same attempt (a checkpoint restarts it).
    pub(crate) fn push(&mut self, due_ms: i64, timer: Timer) {
        self.seq += 1;
        let slot = (due_ms, self.seq);
        if let Timer::TaskTimeout { run, guid, attempt } = &timer
            && let Some(old) = self
                .timeouts
                .insert(AttemptKey::new(run, guid, *attempt), slot)
        {
            self.queue.remove(&old);
        }
        self.queue.insert(slot, timer);
    }

    /// The due time of the earliest timer.
    pub(crate) fn next_due(&self) -> Option<i64> {
        self.queue.first_key_value().map(|((due, _), _)| *due)
    }

    /// Removes and returns the earliest timer if it is due at `now_ms`.
    pub(crate) fn pop_due(&mut self, now_ms: i64) -> Option<Timer> {
        if self.next_due()? > now_ms {
            return None;
        }
        let (_, timer) = self.queue.pop_first()?;
        if let Timer::TaskTimeout { run, guid, attempt } = &timer {
            self.timeouts.remove(&AttemptKey::new(run, guid, *attempt));
            self.release_idle_capacity();
        }
        Some(timer)
    }

    /// Cancels the timeout of a task attempt that ended (reported).
    pub(crate) fn cancel_task_timeout(&mut self, run: &str, guid: &str, attempt: usize) {
        if let Some(slot) = self.timeouts.remove(&AttemptKey::new(run, guid, attempt)) {
            self.queue.remove(&slot);
            self.release_idle_capacity();
        }
    }

    /// How many timers are pending.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no timer is pending.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Gives back the index's memory after a load: a hash map keeps its largest capacity.
    fn release_idle_capacity(&mut self) {
        let (len, cap) = (self.timeouts.len(), self.timeouts.capacity());
        if cap > 1024 && len * 8 < cap {
            self.timeouts.shrink_to(len * 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(guid: &str) -> Timer {
        Timer::TaskTimeout {
            run: "r".into(),
            guid: guid.into(),
            attempt: 0,
        }
    }

    #[test]
    fn timers_pop_in_due_order_and_cancelled_timeouts_never_fire() {
        let mut t = Timers::default();
        t.push(30, timeout("a"));
        t.push(10, Timer::RetentionSweep);
        t.push(20, timeout("b"));
        t.cancel_task_timeout("r", "a", 0);
        assert_eq!(t.next_due(), Some(10));
        assert_eq!(t.pop_due(5), None);
        assert_eq!(t.pop_due(100), Some(Timer::RetentionSweep));
        assert_eq!(t.pop_due(100), Some(timeout("b")));
        assert_eq!(t.pop_due(100), None, "a was cancelled");
        assert!(t.is_empty());
    }

    #[test]
    fn a_restarted_timeout_replaces_the_pending_one() {
        let mut t = Timers::default();
        t.push(10, timeout("a"));
        t.push(50, timeout("a"));
        assert_eq!(t.len(), 1);
        assert_eq!(t.pop_due(20), None);
        assert_eq!(t.pop_due(50), Some(timeout("a")));
    }

    #[test]
    fn timers_hold_the_tasks_in_flight_not_every_task_ever_dispatched() {
        let mut t = Timers::default();
        for i in 0..100_000 {
            let guid = format!("g{i}");
            t.push(60_000 + i, timeout(&guid));
            t.cancel_task_timeout("r", &guid, 0);
        }
        assert!(t.is_empty());
        assert!(
            t.timeouts.capacity() <= 1024 * 2,
            "{}",
            t.timeouts.capacity()
        );
    }
}
