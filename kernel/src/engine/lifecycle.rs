//! The end of a WfRun's life and second chances: DeleteWfRun, the retention
//! sweep and RescueThreadRun (LittleHorse semantics, read from the server's
//! `InternalDeleteWfRunRequestModel` and `RescueThreadRunRequestModel`).
//!
//! Retention: when a WfRun finishes and its WfSpec has a
//! `retention_policy` (`seconds_after_wf_termination`), the batch that
//! commits its end also stores when it is due for deletion (table
//! `wf_run_gc`). One timer, rebuilt from that table at start, wakes the
//! engine for the earliest due deletion; each sweep deletes a bounded number
//! of due WfRuns and arms the timer for the next. A WfRun rescued before its
//! deletion is due is not deleted (the sweep checks the status), and it is
//! scheduled again when it finishes again.

use super::advance::{self, Ctx, node_of, select_edge};
use super::{Engine, RunState, Timer, run::is_terminal, threads};
use crate::engine::{EngineError, ObjectKind};
use crate::storage::{StoreResult, retention_due};
use crate::util::{now_ms, wf_run_key};
use lhw_proto::littlehorse::LhErrorType;
use lhw_proto::littlehorse::{
    LhStatus, NodeRun, WfRun, WfRunId, node_run::NodeType, thread_halt_reason::Reason,
    wait_for_threads_run::WaitingThreadStatus,
};

/// Most WfRuns one sweep deletes (the rest wait for the next batch).
const SWEEP_BATCH: usize = 256;

/// The retention sweep's timer state.
#[derive(Default)]
pub(crate) struct Sweeper {
    /// When the armed sweep timer is due (`None`: no timer armed).
    next: Option<i64>,
}

impl Engine {
    /// Stores when the WfRuns finished in this batch are due for deletion
    /// (before the batch commits), and arms the sweep.
    pub(super) fn schedule_retention(&mut self) -> StoreResult<()> {
        let mut earliest: Option<i64> = None;
        for (key, run) in &self.runs {
            if !run.is_finished() {
                continue;
            }
            if let Some(due) = retention_due(&run.wf_run, &run.spec) {
                self.store.put_gc(key, due)?;
                earliest = Some(earliest.map_or(due, |e| e.min(due)));
            }
        }
        if let Some(due) = earliest {
            self.arm_sweep(due);
        }
        Ok(())
    }

    /// Arms the sweep timer for `due` unless it is armed for earlier.
    pub(super) fn arm_sweep(&mut self, due: i64) {
        if self.sweeper.next.is_none_or(|n| due < n) {
            self.sweeper.next = Some(due);
            self.timers.push(due, Timer::RetentionSweep);
        }
    }

    /// At start (and after a reload): arms the sweep for the earliest stored deletion.
    pub(super) fn recover_retention(&mut self) -> StoreResult<()> {
        self.sweeper.next = None;
        if let Some(due) = self.store.next_gc_due()? {
            self.arm_sweep(due);
        }
        if let Some(due) = self.store.next_event_gc_due()? {
            self.arm_sweep(due);
        }
        Ok(())
    }

    /// The sweep timer fired: deletes the finished WfRuns whose retention
    /// ran out (a rescued, running one only loses its schedule).
    pub(super) fn sweep_retention(&mut self, now: i64) {
        if self.sweeper.next.is_some_and(|n| n > now) {
            return; // a timer armed earlier than a later re-arm: stale
        }
        self.sweeper.next = None;
        let swept = self.store.due_gc(now, SWEEP_BATCH).and_then(|keys| {
            for key in keys {
                let stored = self.store.get_wf_run(&key)?;
                let active = self.runs.get(&key).is_some_and(|r| !r.is_finished());
                match stored {
                    Some(w) if is_terminal(w.status) && !active => {
                        self.store.delete_wf_run(&key)?;
                        self.runs.remove(&key);
                    }
                    _ => self.store.delete_gc(&key)?,
                }
            }
            let next = self.store.next_gc_due()?;
            // ExternalEvents under their def's retention (`event_retention.rs`).
            let next_event = self.sweep_event_gc(now)?;
            Ok(match (next, next_event) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            })
        });
        match swept {
            // More may be due already: the next batch continues.
            Ok(Some(due)) => self.arm_sweep(due.max(now + 1)),
            Ok(None) => {}
            Err(e) => {
                eprintln!("lhw-kernel: retention sweep failed: {e}");
                self.arm_sweep(now + 1000);
            }
        }
    }

    /// DeleteWfRun: removes the WfRun, running or not, with its NodeRuns,
    /// TaskRuns, Variables, ExternalEvents, WorkflowEvents and UserTaskRuns.
    /// Deleting a WfRun that does not exist succeeds (LittleHorse answers
    /// OK). Its child WfRuns stay. Queued tasks and timers of a deleted run
    /// are dropped when they come up (they find no run).
    pub(crate) fn delete_wf_run(&mut self, key: &str) -> Result<(), EngineError> {
        if !self.runs.contains_key(key) && self.store.get_wf_run(key)?.is_none() {
            return Ok(());
        }
        self.store.delete_wf_run(key)?;
        self.runs.remove(key);
        self.forget_inherited_owner(key);
        Ok(())
    }

    /// RescueThreadRun: a ThreadRun in ERROR runs its failed node again (or,
    /// with `skip_current_node`, follows that node's outgoing edges with
    /// their mutations). The children it halted when it failed resume; a
    /// parent thread that failed only because of it (CHILD_FAILURE at a
    /// WAIT_FOR_THREADS or EXIT node) is rescued too, and so is the parent
    /// WfRun's WAIT_FOR_CHILD_WF node when thread 0 of a child WfRun is
    /// rescued.
    pub(crate) fn rescue_thread_run(
        &mut self,
        id: &WfRunId,
        thread: i32,
        skip_current_node: bool,
    ) -> Result<WfRun, EngineError> {
        let key = wf_run_key(id);
        let parent_wait = self.parent_wait(id, thread)?;
        let loaded = !self.runs.contains_key(&key);
        let mut run = match self.runs.remove(&key) {
            Some(run) => run,
            None => self.load_run(&key)?,
        };
        // Checked (and a skipped node's mutations made) on the detached run,
        // so that a refused rescue changes nothing.
        let target = check_rescuable(&run, thread)
            .and_then(|()| rescue_target(&mut run, thread, skip_current_node));
        let target = match target {
            Ok(t) => t,
            Err(e) => {
                if !loaded {
                    self.runs.insert(key, run);
                }
                return Err(e);
            }
        };
        self.runs.insert(key.clone(), run);
        if loaded {
            // Tasks left SCHEDULED or RUNNING by threads halted when the
            // WfRun failed go back to the queues, as after a restart.
            self.schedule_loaded(&key);
        }
        let result = {
            let Engine {
                store,
                runs,
                task_defs,
                ..
            } = self;
            let run = runs
                .get_mut(&key)
                .ok_or_else(|| EngineError::internal("the rescued WfRun vanished"))?;
            let mut ctx = Ctx {
                store,
                task_defs,
                now: now_ms(),
            };
            rescue(run, &mut ctx, thread, target)
        };
        result?;
        self.advance_run(&key);
        if let Some((parent, parent_thread)) = parent_wait {
            // The parent reads the child's status from the store.
            if let Some(run) = self.runs.get_mut(&key) {
                run.flush(&self.store)?;
            }
            self.rescue_thread_run(&parent, parent_thread, false)?;
        }
        self.get_wf_run(&key)
    }

    /// A stored WfRun with all its objects, not yet active.
    fn load_run(&mut self, key: &str) -> Result<RunState, EngineError> {
        let wf_run = self
            .store
            .get_wf_run(key)?
            .ok_or_else(|| EngineError::not_found(ObjectKind::WfRun, key))?;
        let spec_id = wf_run.wf_spec_id.clone().unwrap_or_default();
        let spec = self.spec(&spec_id).map_err(|_| {
            EngineError::failed_precondition(format!(
                "WfRun {key} runs WfSpec {} {}.{}, which was deleted",
                spec_id.name, spec_id.major_version, spec_id.revision
            ))
        })?;
        Ok(RunState::load(&self.store, key, wf_run, spec)?)
    }

    /// When thread 0 of a child WfRun is rescued: the parent's thread that
    /// failed at the WAIT_FOR_CHILD_WF node awaiting it (to rescue too).
    /// Refuses when the parent already handled the child's failure.
    fn parent_wait(
        &mut self,
        id: &WfRunId,
        thread: i32,
    ) -> Result<Option<(WfRunId, i32)>, EngineError> {
        let Some(parent) = id.parent_wf_run_id.as_deref() else {
            return Ok(None);
        };
        if thread != 0 {
            return Ok(None);
        }
        let parent_key = wf_run_key(parent);
        let (wf_run, node_runs) = match self.runs.get(&parent_key) {
            Some(run) => (
                run.wf_run.clone(),
                run.node_runs.values().cloned().collect::<Vec<NodeRun>>(),
            ),
            None => match self.store.get_wf_run(&parent_key)? {
                Some(w) => (w, self.store.list_node_runs(&parent_key, None)?),
                None => return Ok(None),
            },
        };
        let waiting = node_runs.iter().filter(|nr| {
            matches!(&nr.node_type, Some(NodeType::WaitForChildWf(w))
                if w.child_wf_run_id.as_ref() == Some(id))
                && is_terminal(nr.status)
                && nr.status() != LhStatus::Completed
        });
        for nr in waiting {
            if nr.failures.last().is_some_and(|f| f.was_properly_handled) {
                return Err(EngineError::failed_precondition(
                    "Parent WfRun has already handled the child failure",
                ));
            }
            let (t, pos) = nr
                .id
                .as_ref()
                .map_or((-1, -1), |i| (i.thread_run_number, i.position));
            let failed_there = wf_run.thread_runs.iter().any(|th| {
                th.number == t && th.current_node_position == pos && th.status() == LhStatus::Error
            });
            if failed_there {
                return Ok(Some((parent.clone(), t)));
            }
        }
        Ok(None)
    }
}

/// Why thread `t` cannot be rescued, if it cannot.
fn check_rescuable(run: &RunState, t: i32) -> Result<(), EngineError> {
    if t < 0 || t > run.wf_run.greatest_threadrun_number {
        return Err(EngineError::invalid_argument(format!(
            "thread_run_number: WfRun {} has no ThreadRun {t}",
            run.key
        )));
    }
    let th = run.thread(t).ok_or_else(|| {
        EngineError::failed_precondition(format!("ThreadRun {t} of WfRun {} is gone", run.key))
    })?;
    if th.status() != LhStatus::Error {
        return Err(EngineError::failed_precondition(format!(
            "ThreadRun {t} of WfRun {} has status {}, not ERROR",
            run.key,
            LhStatus::try_from(th.status).map_or("UNKNOWN", |s| s.as_str_name())
        )));
    }
    let failed = run
        .node_runs
        .get(&(t, th.current_node_position))
        .is_some_and(|nr| !nr.failures.is_empty());
    if !failed {
        return Err(EngineError::failed_precondition(format!(
            "ThreadRun {t} of WfRun {} has no failed NodeRun to rescue",
            run.key
        )));
    }
    // The failure must not have been handled by an ancestor.
    let mut child = th;
    while let Some(parent) = child.parent_thread_id.and_then(|p| run.thread(p)) {
        if handled_by(run, parent.number, child.number) {
            return Err(EngineError::failed_precondition(
                "Parent of specified ThreadRun has already handled the failure",
            ));
        }
        child = parent;
    }
    // A finished WfRun runs again only when the rescue reaches thread 0
    // (through parents that failed because of this thread).
    if is_terminal(run.wf_run.status) && !reaches_entrypoint(run, t) {
        return Err(EngineError::failed_precondition(format!(
            "WfRun {} has ended with status {}, and ThreadRun {t} is not what ended it: \
             rescue ThreadRun 0 (or the thread it failed waiting for)",
            run.key,
            LhStatus::try_from(run.wf_run.status).map_or("UNKNOWN", |s| s.as_str_name())
        )));
    }
    Ok(())
}

/// Whether thread `t` failed at the node holding a CHILD_FAILURE because of
/// it, and so on up to thread 0: rescuing `t` then rescues thread 0.
fn reaches_entrypoint(run: &RunState, t: i32) -> bool {
    let mut cur = t;
    loop {
        if cur == 0 {
            return true;
        }
        let Some(p) = run.thread(cur).and_then(|th| th.parent_thread_id) else {
            return false;
        };
        if !parent_failed_for_child(run, p) {
            return false;
        }
        cur = p;
    }
}

/// Whether thread `p` is in ERROR at a WAIT_FOR_THREADS or EXIT node that
/// failed with CHILD_FAILURE.
fn parent_failed_for_child(run: &RunState, p: i32) -> bool {
    let Some(parent) = run.thread(p) else {
        return false;
    };
    parent.status() == LhStatus::Error
        && run
            .node_runs
            .get(&(p, parent.current_node_position))
            .is_some_and(|nr| {
                matches!(
                    nr.node_type,
                    Some(NodeType::WaitForThreads(_) | NodeType::Exit(_))
                ) && nr
                    .failures
                    .last()
                    .is_some_and(|f| f.failure_name == LhErrorType::ChildFailure.as_str_name())
            })
}

/// Whether thread `p` handled the failure of its child `c` at a
/// WAIT_FOR_THREADS node (a per-thread handler, or a handler of the node).
fn handled_by(run: &RunState, p: i32, c: i32) -> bool {
    run.node_runs
        .range((p, i32::MIN)..=(p, i32::MAX))
        .any(|(_, nr)| {
            let Some(NodeType::WaitForThreads(w)) = &nr.node_type else {
                return false;
            };
            let node_handled = nr.failures.last().is_some_and(|f| f.was_properly_handled);
            w.threads.iter().any(|e| {
                e.thread_run_number == c
                    && match WaitingThreadStatus::try_from(e.waiting_status) {
                        Ok(
                            WaitingThreadStatus::ThreadHandlingFailure
                            | WaitingThreadStatus::ThreadCompletedOrFailureHandled,
                        ) => true,
                        Ok(WaitingThreadStatus::ThreadUnsuccessful) => node_handled,
                        _ => false,
                    }
            })
        })
}

/// The node a rescued thread goes to: its failed node again or, when
/// skipping it, the sink of its first outgoing edge whose condition holds,
/// after that edge's mutations (made here: they either all apply or none).
fn rescue_target(run: &mut RunState, t: i32, skip: bool) -> Result<String, EngineError> {
    let pos = run.thread(t).map_or(0, |th| th.current_node_position);
    let name = run
        .node_runs
        .get(&(t, pos))
        .map(|nr| nr.node_name.clone())
        .unwrap_or_default();
    if !skip {
        return Ok(name);
    }
    let node = node_of(run, t, &name)
        .cloned()
        .ok_or_else(|| EngineError::failed_precondition(format!("node {name} is missing")))?;
    let could_not =
        |e: String| EngineError::failed_precondition(format!("Could not rescue threadRun: {e}"));
    let edge = select_edge(run, t, &name, &node).map_err(could_not)?;
    run.apply_mutations(t, &name, &edge.variable_mutations)
        .map_err(could_not)?;
    Ok(edge.sink_node_name)
}

/// Runs thread `t` again from node `sink` (checked by [`check_rescuable`]).
fn rescue(run: &mut RunState, ctx: &mut Ctx<'_>, t: i32, sink: String) -> Result<(), EngineError> {
    let pos = run.thread(t).map_or(0, |th| th.current_node_position);
    let children = match run.thread_mut(t) {
        Some(th) => {
            th.status = LhStatus::Running as i32;
            th.end_time = None;
            // The reasons tied to the failure being rescued are over.
            th.halt_reasons.retain(|r| {
                !matches!(
                    r.reason,
                    Some(Reason::PendingFailure(_) | Reason::HandlingFailure(_))
                )
            });
            th.child_thread_ids.clone()
        }
        None => Vec::new(),
    };
    advance::arrive(run, ctx, t, pos + 1, &sink);
    for c in children {
        threads::unhalt(
            run,
            c,
            &|r| matches!(r, Reason::ParentHalted(p) if p.parent_thread_id == t),
        );
    }
    if let Some(th) = run.thread_mut(t)
        && th.status() == LhStatus::Running
        && !th.halt_reasons.is_empty()
    {
        th.status = LhStatus::Halting as i32;
    }
    if t == 0 {
        run.wf_run.status = LhStatus::Running as i32;
        run.wf_run.end_time = None;
        run.dirty.wf_run = true;
        return Ok(());
    }
    // A parent that failed only because this child did is rescued too.
    let Some(p) = run.thread(t).and_then(|th| th.parent_thread_id) else {
        return Ok(());
    };
    if parent_failed_for_child(run, p) {
        let again = rescue_target(run, p, false)?;
        rescue(run, ctx, p, again)?;
    }
    Ok(())
}
