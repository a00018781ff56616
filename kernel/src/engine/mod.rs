//! The engine: a single thread that owns the SQLite [`Store`] and every
//! active WfRun, and applies all state changes.
//!
//! Requests arrive as jobs over a channel. The engine runs jobs in batches:
//! every job of a batch changes in-memory state, the changed objects are
//! written in one transaction, the transaction commits (`synchronous=FULL`),
//! and only then are replies sent and tasks handed to workers (group commit).
//! A reply therefore always describes durable state.
//!
//! ## Recovery after a crash
//!
//! At start every unfinished WfRun is loaded and advanced again; timers are
//! rebuilt from the stored objects (sleeps, event timeouts, retry backoffs).
//! A task attempt that was TASK_RUNNING when the kernel stopped may or may
//! not have reached its worker (the dispatch is committed before the task is
//! sent), and the worker's stream is gone either way. LittleHorse would
//! leave such an attempt alone until its `timeout_seconds` expire and then
//! fail (or retry) it as TIMEOUT. The kernel instead **redelivers it at
//! once**: the attempt keeps its number and stays TASK_RUNNING, consumes no
//! retry, and is queued again; the next poll gets it (new start time and
//! worker id, new timeout). Until then, and after, a ReportTask for that
//! attempt from the original worker is still accepted: the first report
//! wins, later ones are acknowledged and ignored. This keeps at-least-once
//! delivery (a task runs again only if no report for it had been committed
//! before the crash) without waiting a whole timeout after a restart.

mod advance;
mod api;
mod bulk_jobs;
mod capacity;
mod checkpoints;
mod child;
mod comments;
mod error;
mod eval;
mod event_retention;
mod events;
mod in_process;
mod inherited;
mod keys;
mod lifecycle;
mod migrate;
mod migration_plans;
pub(crate) mod nodes;
mod output_topic;
mod run;
mod schedules;
mod tasks;

mod thread_retention;
mod threads;
mod timers;
mod user_tasks;

pub(crate) use error::{EngineError, ObjectKind};
pub(crate) use run::RunState;
pub(crate) use timers::Timer;

use crate::storage::{Store, StoreError};
use lhw_proto::littlehorse::{ScheduledTask, TaskDef, WfSpec};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Work sent to the engine thread.
pub(crate) type Job = Box<dyn FnOnce(&mut Engine) + Send>;

enum Msg {
    Job(Job),
    Stop,
}

/// How a batch ended: saved, or not (the status every request of the batch answers).
pub(crate) type Committed = Result<(), EngineError>;

/// Something to do once the current batch has committed.
enum Out {
    /// Deliver a reply, given how the batch ended (Err: not saved, with the status to answer).
    Reply(Box<dyn FnOnce(&Committed) + Send>),
    /// Hand a dispatched task to a waiting `PollTask` request.
    Task {
        reply: oneshot::Sender<ScheduledTask>,
        task: Box<ScheduledTask>,
        run: String,
        guid: String,
        attempt: usize,
        /// Whether it was a redelivery after a restart (see the module docs).
        redelivery: bool,
    },
}

/// A `PollTask` request waiting for a task.
pub(crate) struct Poller {
    /// The worker's client id.
    pub(crate) client_id: String,
    /// The worker's version, if it sent one.
    pub(crate) version: Option<String>,
    /// Where to send the task.
    pub(crate) reply: oneshot::Sender<ScheduledTask>,
}

/// A cheap, cloneable handle for sending work to the engine thread.
#[derive(Clone)]
pub(crate) struct EngineHandle {
    tx: Sender<Msg>,
}

impl EngineHandle {
    /// Sends a job; fails with UNAVAILABLE once the engine has stopped.
    pub(crate) fn send(&self, job: Job) -> Result<(), EngineError> {
        self.tx
            .send(Msg::Job(job))
            .map_err(|_| EngineError::ShuttingDown)
    }

    /// Runs `f` on the engine thread and returns its result once the batch
    /// it ran in has committed. `f` fails with the caller's own error type `E` (the engine's,
    /// or a gRPC status where the access layer words its refusals itself); a batch that was
    /// not saved answers its [`EngineError`], converted.
    pub(crate) async fn call<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<EngineError> + Send + 'static,
        F: FnOnce(&mut Engine) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.send(Box::new(move |eng: &mut Engine| {
            let result = f(eng);
            eng.after_commit(move |committed| {
                let _ = tx.send(match committed {
                    Ok(()) => result,
                    Err(error) => Err(E::from(error.clone())),
                });
            });
        }))?;
        rx.await.map_err(|_| EngineError::ShuttingDown)?
    }

    /// Asks the engine thread to finish its current batch and stop.
    pub(crate) fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
    }
}

/// The engine state, owned by the engine thread.
pub struct Engine {
    store: Store,
    runs: HashMap<String, RunState>,
    specs: HashMap<keys::SpecKey, Arc<WfSpec>>,
    task_defs: HashMap<String, TaskDef>,
    queues: HashMap<String, VecDeque<keys::QueuedTaskRun>>,
    pollers: HashMap<String, VecDeque<Poller>>,
    timers: timers::Timers,
    outbox: Vec<Out>,
    next_event_seq: i64,
    wf_event_waiters: Vec<events::WfEventWaiter>,
    /// RUNNING attempts recovered at start, queued for redelivery.
    redeliver: HashSet<keys::AttemptKey>,
    /// When the retention sweep is next due.
    sweeper: lifecycle::Sweeper,
    /// Active runs holding INHERITED variables (see [`inherited`]).
    inheritors: BTreeSet<String>,
    /// The runs that own the INHERITED variables the inheritors hold.
    owners: HashSet<String>,
    /// A write made straight into the current transaction failed: the batch must not commit.
    store_failure: Option<StoreError>,
}

/// Starts the engine thread on an opened store, recovering every unfinished WfRun.
pub(crate) fn start(store: Store) -> Result<(EngineHandle, JoinHandle<()>), StoreError> {
    let engine = Engine::open(store)?;
    let (tx, rx) = mpsc::channel();
    let join = std::thread::Builder::new()
        .name("lhw-kernel-engine".into())
        .spawn(move || engine.run(rx))
        .map_err(|e| StoreError::new(format!("cannot start the engine thread: {e}")))?;
    Ok((EngineHandle { tx }, join))
}

impl Engine {
    /// The engine state on an opened store, with every unfinished WfRun recovered.
    fn open(store: Store) -> Result<Engine, StoreError> {
        let mut engine = Engine {
            next_event_seq: store.max_event_seq()? + 1,
            store,
            runs: HashMap::new(),
            specs: HashMap::new(),
            task_defs: HashMap::new(),
            queues: HashMap::new(),
            pollers: HashMap::new(),
            timers: timers::Timers::default(),
            outbox: Vec::new(),
            wf_event_waiters: Vec::new(),
            redeliver: HashSet::new(),
            sweeper: lifecycle::Sweeper::default(),
            inheritors: BTreeSet::new(),
            owners: HashSet::new(),
            store_failure: None,
        };
        engine.store.begin()?;
        engine.recover()?;
        engine.finish_batch();
        Ok(engine)
    }
}

/// Most jobs run in one batch (one commit).
const MAX_BATCH: usize = 1024;

impl Engine {
    fn run(mut self, rx: Receiver<Msg>) {
        loop {
            let first = match self.timers.next_due() {
                Some(due) => {
                    // Capped: the wait runs on the monotonic clock, due times are wall-clock
                    // (a jump of the system clock is seen within the cap; clock.rs).
                    let wait =
                        (due - crate::util::now_ms()).clamp(0, crate::clock::MAX_TIMER_WAIT_MS);
                    rx.recv_timeout(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
                }
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            if let Err(e) = self.store.begin() {
                eprintln!("lhw-kernel: cannot begin a transaction: {e}");
            }
            let mut stop = false;
            match first {
                Ok(Msg::Job(job)) => job(&mut self),
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => stop = true,
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.fire_timers();
            if !stop {
                for _ in 0..MAX_BATCH {
                    match rx.try_recv() {
                        Ok(Msg::Job(job)) => job(&mut self),
                        Ok(Msg::Stop) => {
                            stop = true;
                            break;
                        }
                        Err(_) => break,
                    }
                }
            }
            self.finish_batch();
            if stop {
                break;
            }
        }
    }

    /// Registers work to do after the current batch commits (or failed to: then it is given
    /// the status every request of the batch answers).
    pub(crate) fn after_commit(&mut self, f: impl FnOnce(&Committed) + Send + 'static) {
        self.outbox.push(Out::Reply(Box::new(f)));
    }

    /// Forgets a cached TaskDef (after it was deleted).
    pub(crate) fn forget_task_def(&mut self, name: &str) {
        self.task_defs.remove(name);
    }

    /// Forgets a cached WfSpec version (after it was deleted).
    pub(crate) fn forget_wf_spec(&mut self, id: &lhw_proto::littlehorse::WfSpecId) {
        self.specs.remove(&keys::SpecKey::of(id));
    }

    /// The store, after writing every pending change of the active runs
    /// into the current transaction (for queries that read the database).
    pub(crate) fn synced_store(&mut self) -> Result<&Store, EngineError> {
        for run in self.runs.values_mut() {
            run.flush(&self.store)?;
        }
        Ok(&self.store)
    }

    /// The store (for reads and metadata writes inside the current transaction).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, to change its settings (a tenant's Output Topic configuration).
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Writes every changed object, commits, then sends replies and tasks.
    fn finish_batch(&mut self) {
        let mut result = self.store_failure.take().map_or(Ok(()), Err);
        if result.is_ok() {
            result = self.schedule_retention();
        }
        for run in self.runs.values_mut() {
            if result.is_err() {
                break;
            }
            result = run.flush(&self.store);
        }
        let committed = result.and_then(|()| self.store.commit());
        let outcome = committed.map_err(|e| {
            eprintln!("lhw-kernel: commit failed, reloading state: {e}");
            self.store.rollback();
            EngineError::Storage {
                error: e,
                location: Some(self.store.location().to_string()),
            }
        });
        let ok = outcome.is_ok();
        let mut undelivered = Vec::new();
        for out in std::mem::take(&mut self.outbox) {
            match out {
                Out::Reply(f) => f(&outcome),
                Out::Task {
                    reply,
                    task,
                    run,
                    guid,
                    attempt,
                    redelivery,
                } => {
                    if !ok || reply.send(*task).is_err() {
                        undelivered.push((keys::AttemptKey { run, guid, attempt }, redelivery));
                    }
                }
            }
        }
        if !ok {
            self.reload();
            return;
        }
        self.runs.retain(|_, r| !r.is_finished());
        self.release_idle_capacity();
        if !undelivered.is_empty() && self.store.begin().is_ok() {
            for (task, redelivery) in undelivered {
                self.undeliver(&task.run, &task.guid, task.attempt, redelivery);
            }
            self.finish_batch();
        }
    }

    /// Drops all in-memory state and loads it again from the database.
    fn reload(&mut self) {
        self.runs.clear();
        self.queues.clear();
        self.redeliver.clear();
        self.inheritors.clear();
        self.owners.clear();
        self.store_failure = None;
        self.timers = timers::Timers::default();
        self.specs.clear();
        self.task_defs.clear();
        let loaded = self
            .store
            .begin()
            .and_then(|()| self.recover())
            .and_then(|()| {
                for run in self.runs.values_mut() {
                    run.flush(&self.store)?;
                }
                self.store.commit()
            });
        if let Err(e) = loaded {
            eprintln!("lhw-kernel: cannot reload state: {e}");
            self.store.rollback();
        }
    }
}
