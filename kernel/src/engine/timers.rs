//! Timers: task attempt timeouts, retry backoff, sleep maturation,
//! external-event timeouts, user-task actions and the retention sweep.
//! Timers are not stored; they are rebuilt from the runs (their stored
//! pending user-task actions, the stored retention schedule) at recovery.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What a timer does when it fires. Firing a stale timer (its object moved
/// on) is a no-op.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
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

/// A min-heap of timers by due time (epoch ms).
#[derive(Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(i64, u64, Timer)>>,
    seq: u64,
}

impl Timers {
    /// Schedules `timer` at `due_ms`.
    pub fn push(&mut self, due_ms: i64, timer: Timer) {
        self.seq += 1;
        self.heap.push(Reverse((due_ms, self.seq, timer)));
    }

    /// The due time of the earliest timer.
    pub fn next_due(&self) -> Option<i64> {
        self.heap.peek().map(|Reverse((due, _, _))| *due)
    }

    /// Removes and returns the earliest timer if it is due at `now_ms`.
    pub fn pop_due(&mut self, now_ms: i64) -> Option<Timer> {
        if self.next_due()? <= now_ms {
            self.heap.pop().map(|Reverse((_, _, t))| t)
        } else {
            None
        }
    }
}
