//! WAL checkpoints beside the engine thread. In WAL mode SQLite copies the WAL back into the
//! database file (a checkpoint: an fsync of the WAL, the page writes, an fsync of the
//! database) in the connection whose commit made the WAL reach 1,000 pages: the engine
//! thread, which then holds every reply and task of its next batch for the whole checkpoint
//! (docs/performance.md). This thread, on its own connection to the same file, runs PASSIVE
//! checkpoints after commits (at most one per [`INTERVAL`]): they never block the engine,
//! and when the engine's own automatic checkpoint comes, almost every frame has already been
//! copied, so it has almost nothing to write or sync. The WAL restarts from its beginning as
//! before, at the first write after a complete checkpoint.
//!
//! Durability does not change: a commit is acknowledged after the WAL is synced
//! (`synchronous=FULL`), and a checkpoint only copies committed frames (SQLite's checkpoint
//! is itself crash-safe).

use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// The shortest time between two checkpoints of this thread.
const INTERVAL: Duration = Duration::from_millis(100);

/// The checkpoint thread of one database file; stopped and joined when dropped.
pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to `db`; `None` when that cannot be done (the
    /// engine's automatic checkpoints then do all the work, as without this thread).
    pub(super) fn start(db: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(db).ok()?;
        conn.pragma_update(None, "synchronous", "FULL").ok()?;
        let (nudge, commits) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("lhw-kernel-checkpoint".into())
            .spawn(move || run(&conn, &commits))
            .ok()?;
        Some(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// Says that a transaction committed (never blocks: a pending nudge is enough).
    pub(super) fn committed(&self) {
        if let Some(n) = &self.nudge {
            match n.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        }
    }
}

fn run(conn: &Connection, commits: &Receiver<()>) {
    let mut last: Option<Instant> = None;
    while commits.recv().is_ok() {
        if let Some(wait) = last.and_then(|l| INTERVAL.checked_sub(l.elapsed())) {
            std::thread::sleep(wait);
        }
        // BUSY (the engine is checkpointing itself) or any error: the next commit tries again.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        last = Some(Instant::now());
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
