//! The kernel's clock: the system clock by default, a virtual one in simulations.
//!
//! Every reading of the current time in the kernel goes through [`now_ms`] (and
//! `util::now_ms` / `util::now_ts`, which call it). The engine reads the time on the
//! thread that runs it; a simulation ([`crate::sim`]) runs the engine on its own thread
//! and installs a [`VirtualClock`] there, so sleeps, task timeouts, retry backoff and
//! user-task deadlines see the simulated time, and the engine code stays the same for
//! both. Other threads (a served kernel's engine thread included) keep the real clock.

use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// How far this process's reading of the system clock is moved ([`jump_system_clock`]).
static SYSTEM_JUMP_MS: AtomicI64 = AtomicI64::new(0);

thread_local! {
    /// The virtual time of this thread (epoch ms), while a [`VirtualClock`] is installed.
    static VIRTUAL_NOW: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Milliseconds since the Unix epoch: the virtual time when this thread has a
/// [`VirtualClock`] installed, the system clock otherwise.
pub fn now_ms() -> i64 {
    VIRTUAL_NOW.with(Cell::get).unwrap_or_else(system_ms)
}

fn system_ms() -> i64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    ms.saturating_add(SYSTEM_JUMP_MS.load(Ordering::Relaxed))
}

/// Moves this process's reading of the system clock by `delta_ms` (forward when positive,
/// back when negative), on every thread, as a step of the system clock (NTP correcting a
/// drift, a virtual machine resumed, `date -s`) moves it for a running kernel. The fault
/// suite uses it to jump the clock of a served kernel (kernel/tests/faults.rs); nothing else
/// calls it. The engine notices a jump within [`MAX_TIMER_WAIT_MS`]: a forward jump fires
/// the timers it passes, each once; after a backward jump, timers fire when the clock
/// reaches their due time again, once.
pub fn jump_system_clock(delta_ms: i64) {
    SYSTEM_JUMP_MS.fetch_add(delta_ms, Ordering::Relaxed);
}

/// The longest the engine waits for its next timer without reading the clock again, so that
/// a jump of the system clock is seen within this time (epoch ms are wall-clock time, while
/// the wait itself is measured on the monotonic clock).
pub(crate) const MAX_TIMER_WAIT_MS: i64 = 1_000;

/// A virtual clock installed on the current thread: time stands still until
/// [`VirtualClock::set`] moves it. Dropping it restores the system clock (or the virtual
/// clock that was installed before it). It is neither `Send` nor `Sync`: it belongs to
/// the thread it was installed on.
pub struct VirtualClock {
    previous: Option<i64>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl VirtualClock {
    /// Installs a virtual clock reading `start_ms` on the current thread.
    pub fn install(start_ms: i64) -> VirtualClock {
        let previous = VIRTUAL_NOW.with(|c| c.replace(Some(start_ms)));
        VirtualClock {
            previous,
            _not_send: std::marker::PhantomData,
        }
    }

    /// The virtual time (epoch ms).
    pub(crate) fn now(&self) -> i64 {
        VIRTUAL_NOW.with(Cell::get).unwrap_or_default()
    }

    /// Moves the virtual time to `ms` (never backwards).
    pub fn set(&self, ms: i64) {
        VIRTUAL_NOW.with(|c| {
            let now = c.get().unwrap_or(ms);
            c.set(Some(now.max(ms)));
        });
    }
}

impl Drop for VirtualClock {
    fn drop(&mut self) {
        VIRTUAL_NOW.with(|c| c.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_clock_stands_still_moves_forward_only_and_is_removed_on_drop() {
        let clock = VirtualClock::install(1_000);
        assert_eq!(now_ms(), 1_000);
        clock.set(5_000);
        assert_eq!(now_ms(), 5_000);
        clock.set(2_000);
        assert_eq!(now_ms(), 5_000, "time never goes back");
        let other = std::thread::spawn(now_ms).join().unwrap_or_default();
        assert!(
            other > 1_600_000_000_000,
            "other threads keep the system clock"
        );
        drop(clock);
        assert!(now_ms() > 1_600_000_000_000);
    }
}
