//! The task-worker side of the engine: task queues per TaskDef, long polls,
//! dispatch, reports (idempotent), retries with backoff and attempt timeouts.

use super::advance::{self, Ctx};
use super::keys::{AttemptKey, QueuedTaskRun};
use super::nodes::task_done;
use super::run::QueuedTask;
use super::{Engine, Out, Poller, Timer};
use crate::engine::{EngineError, ObjectKind};
use crate::util::{ms_to_ts, now_ms, ts_to_ms, wf_run_key};
use crate::values;
use lhw_proto::littlehorse::{
    LhErrorType, LhTaskError, ReportTaskRun, ScheduledTask, TaskAttempt, TaskStatus,
    report_task_run, task_attempt,
};

impl Engine {
    /// Applies the side effects a run produced (queued tasks, timers).
    pub(super) fn drain_effects(&mut self, key: &str) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let effects = std::mem::take(&mut run.effects);
        for (due, timer) in effects.timers {
            self.timers.push(due, timer);
        }
        for QueuedTask { guid, task_def } in effects.tasks {
            self.enqueue(key, &guid, &task_def, false);
        }
        self.run_events(key, effects.thrown, effects.correlate);
        self.start_children(key, effects.children);
    }

    /// Advances a run and applies its side effects.
    pub(super) fn advance_run(&mut self, key: &str) {
        let Engine {
            store,
            runs,
            task_defs,
            ..
        } = self;
        if let Some(run) = runs.get_mut(key) {
            let mut ctx = Ctx {
                store,
                task_defs,
                now: now_ms(),
            };
            let migrating = run.wf_run.workflow_migration_plan_id.is_some();
            if migrating {
                super::migration_plans::migrate_waiting(run, &mut ctx);
            }
            advance::advance(run, &mut ctx);
            if migrating && super::migration_plans::migrate_waiting(run, &mut ctx) {
                advance::advance(run, &mut ctx);
            }
        }
        self.sync_inherited(key);
        self.drain_effects(key);
        self.notify_parent(key);
    }

    /// Queues a scheduled TaskRun, or hands it straight to a waiting poll.
    fn enqueue(&mut self, key: &str, guid: &str, task_def: &str, front: bool) {
        if let Some(waiting) = self.pollers.get_mut(task_def) {
            while let Some(poller) = waiting.pop_front() {
                if !poller.reply.is_closed() {
                    self.dispatch(key, guid, poller);
                    return;
                }
            }
        }
        let queue = self.queues.entry(task_def.to_string()).or_default();
        let item = QueuedTaskRun {
            run: key.to_string(),
            guid: guid.to_string(),
        };
        if front {
            queue.push_front(item);
        } else {
            queue.push_back(item);
        }
    }

    /// A `PollTask` request: dispatch a queued task or wait for one.
    pub(crate) fn poll(&mut self, task_def: String, poller: Poller) {
        while let Some(QueuedTaskRun { run: key, guid }) =
            self.queues.get_mut(&task_def).and_then(|q| q.pop_front())
        {
            if self.is_scheduled(&key, &guid) {
                self.dispatch(&key, &guid, poller);
                return;
            }
        }
        let waiting = self.pollers.entry(task_def).or_default();
        waiting.retain(|p| !p.reply.is_closed());
        waiting.push_back(poller);
    }

    /// Whether a queued TaskRun may be handed to a worker: its last attempt
    /// is SCHEDULED, or it was RUNNING when the kernel stopped and has not
    /// been reported since (redelivery after restart, see [`super`]).
    pub(super) fn is_scheduled(&self, key: &str, guid: &str) -> bool {
        let Some(tr) = self.runs.get(key).and_then(|r| r.task_runs.get(guid)) else {
            return false;
        };
        let Some(last) = tr.attempts.last() else {
            return false;
        };
        TaskStatus::try_from(last.status) == Ok(TaskStatus::TaskScheduled)
            || (last.status() == TaskStatus::TaskRunning
                && self
                    .redeliver
                    .contains(&AttemptKey::new(key, guid, tr.attempts.len() - 1)))
    }

    /// Marks the last attempt RUNNING, starts its timeout and sends the task
    /// to the poller once the batch commits.
    fn dispatch(&mut self, key: &str, guid: &str, poller: Poller) {
        let now = now_ms();
        let Engine {
            runs, redeliver, ..
        } = self;
        let Some(run) = runs.get_mut(key) else {
            return;
        };
        let Some(tr) = run.task_run_mut(guid) else {
            return;
        };
        let attempt_number = tr.attempts.len().saturating_sub(1);
        let Some(attempt) = tr.attempts.last_mut() else {
            return;
        };
        let redelivery = redeliver.remove(&AttemptKey::new(key, guid, attempt_number));
        attempt.status = TaskStatus::TaskRunning as i32;
        attempt.start_time = Some(ms_to_ts(now));
        attempt.task_worker_id = poller.client_id.clone();
        attempt.task_worker_version = poller.version.clone();
        tr.status = TaskStatus::TaskRunning as i32;
        let task = ScheduledTask {
            task_run_id: tr.id.clone(),
            task_def_id: tr.task_def_id.clone(),
            attempt_number: i32::try_from(attempt_number).unwrap_or(i32::MAX),
            variables: tr.input_variables.clone(),
            created_at: tr.scheduled_at,
            source: tr.source.clone(),
            total_observed_checkpoints: tr.total_checkpoints,
        };
        let due = now.saturating_add(i64::from(tr.timeout_seconds.max(1)) * 1000);
        self.timers.push(
            due,
            Timer::TaskTimeout {
                run: key.to_string(),
                guid: guid.to_string(),
                attempt: attempt_number,
            },
        );
        self.outbox.push(Out::Task {
            reply: poller.reply,
            task: Box::new(task),
            run: key.to_string(),
            guid: guid.to_string(),
            attempt: attempt_number,
            redelivery,
        });
    }

    /// A dispatched task could not be handed over (the poll went away): put
    /// it back. A redelivery stays RUNNING (its first worker may still
    /// report it) and waits for the next poll again.
    pub(super) fn undeliver(&mut self, key: &str, guid: &str, attempt: usize, redelivery: bool) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let Some(tr) = run.task_run_mut(guid) else {
            return;
        };
        if tr.attempts.len() != attempt + 1 {
            return;
        }
        let Some(a) = tr.attempts.last_mut() else {
            return;
        };
        if a.status() != TaskStatus::TaskRunning {
            return;
        }
        if redelivery {
            self.redeliver.insert(AttemptKey::new(key, guid, attempt));
        } else {
            a.status = TaskStatus::TaskScheduled as i32;
            a.start_time = None;
            a.task_worker_id.clear();
            a.task_worker_version = None;
            tr.status = TaskStatus::TaskScheduled as i32;
        }
        let task_def = tr
            .task_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        self.enqueue(key, guid, &task_def, true);
    }

    /// ReportTask: records the attempt's result; stale or duplicate reports are ignored.
    pub(crate) fn report(&mut self, rep: ReportTaskRun) -> Result<(), EngineError> {
        let id = rep
            .task_run_id
            .ok_or_else(|| EngineError::invalid_argument("task_run_id must be set"))?;
        let wf_run_id = id
            .wf_run_id
            .as_ref()
            .ok_or_else(|| EngineError::invalid_argument("task_run_id.wf_run_id must be set"))?;
        let key = wf_run_key(wf_run_id);
        let status = TaskStatus::try_from(rep.status)
            .ok()
            .filter(|s| {
                matches!(
                    s,
                    TaskStatus::TaskSuccess
                        | TaskStatus::TaskFailed
                        | TaskStatus::TaskException
                        | TaskStatus::TaskOutputSerdeError
                        | TaskStatus::TaskInputVarSubError
                        | TaskStatus::TaskTimeout
                )
            })
            .ok_or_else(|| {
                EngineError::invalid_argument(format!(
                    "status {} is not a result a worker can report",
                    rep.status
                ))
            })?;
        let now = now_ms();
        let return_type = {
            let Some(run) = self.runs.get(&key) else {
                // Not active: the WfRun finished (a late report) or never existed.
                return match self.store.get_task_run(&key, &id.task_guid)? {
                    Some(_) => Ok(()),
                    None => Err(EngineError::not_found(
                        ObjectKind::TaskRun,
                        format!("{key}/{}", id.task_guid),
                    )),
                };
            };
            let Some(tr) = run.task_runs.get(&id.task_guid) else {
                return Err(EngineError::not_found(
                    ObjectKind::TaskRun,
                    format!("{key}/{}", id.task_guid),
                ));
            };
            let name = tr
                .task_def_id
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let Engine {
                store, task_defs, ..
            } = self;
            let mut ctx = Ctx {
                store,
                task_defs,
                now,
            };
            ctx.task_def(&name)
                .and_then(|d| d.return_type)
                .and_then(|r| r.return_type)
        };
        let Some(run) = self.runs.get_mut(&key) else {
            return Ok(());
        };
        let Some(tr) = run.task_run_mut(&id.task_guid) else {
            return Ok(());
        };
        let Some(attempt) = usize::try_from(rep.attempt_number)
            .ok()
            .and_then(|n| tr.attempts.get_mut(n))
        else {
            return Err(EngineError::invalid_argument(format!(
                "attempt_number {} does not exist",
                rep.attempt_number
            )));
        };
        if attempt.status() != TaskStatus::TaskRunning {
            return Ok(());
        }
        let mut status = status;
        // As the server's `TaskRunModel.processTaskResult`: a masked return type masks the
        // attempt's output for clients.
        if return_type.as_ref().is_some_and(|t| t.masked) {
            attempt.masked_value = true;
        }
        attempt.end_time = Some(rep.time.unwrap_or_else(|| ms_to_ts(now)));
        attempt.log_output = rep.log_output;
        attempt.result = match rep.result {
            Some(report_task_run::Result::Output(v)) => match &return_type {
                Some(td) => match values::coerce_to(v, td) {
                    Ok(v) => Some(task_attempt::Result::Output(v)),
                    Err(e) => {
                        status = TaskStatus::TaskOutputSerdeError;
                        Some(task_attempt::Result::Error(LhTaskError {
                            r#type: LhErrorType::VarMutationError as i32,
                            message: format!(
                                "the task output does not match the TaskDef return type: {e}"
                            ),
                        }))
                    }
                },
                None => Some(task_attempt::Result::Output(v)),
            },
            Some(report_task_run::Result::Error(e)) => Some(task_attempt::Result::Error(e)),
            Some(report_task_run::Result::Exception(e)) => Some(task_attempt::Result::Exception(e)),
            None => None,
        };
        attempt.status = status as i32;
        if let Ok(n) = usize::try_from(rep.attempt_number) {
            self.timers.cancel_task_timeout(&key, &id.task_guid, n);
        }
        self.finish_attempt(&key, &id.task_guid, now);
        self.advance_run(&key);
        Ok(())
    }

    /// After an attempt ended: retry (TASK_FAILED / TASK_TIMEOUT while
    /// attempts remain) or settle the TaskRun's status.
    fn finish_attempt(&mut self, key: &str, guid: &str, now: i64) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let Some(tr) = run.task_run_mut(guid) else {
            return;
        };
        let Some(last) = tr.attempts.last() else {
            return;
        };
        let status = last.status;
        let retryable =
            status == TaskStatus::TaskFailed as i32 || status == TaskStatus::TaskTimeout as i32;
        let attempts = i32::try_from(tr.attempts.len()).unwrap_or(i32::MAX);
        if !(retryable && attempts < tr.total_attempts) {
            tr.status = status;
            return;
        }
        match &tr.exponential_backoff {
            Some(b) => {
                let exp = f64::from(b.multiplier).powi(attempts - 1);
                let delay = (f64::from(b.base_interval_ms) * exp).min(b.max_delay_ms as f64) as i64;
                let due = now.saturating_add(delay);
                tr.attempts.push(TaskAttempt {
                    status: TaskStatus::TaskPending as i32,
                    schedule_time: Some(ms_to_ts(due)),
                    ..TaskAttempt::default()
                });
                tr.status = TaskStatus::TaskPending as i32;
                self.timers.push(
                    due,
                    Timer::TaskRetry {
                        run: key.to_string(),
                        guid: guid.to_string(),
                    },
                );
            }
            None => {
                tr.attempts.push(TaskAttempt {
                    status: TaskStatus::TaskScheduled as i32,
                    schedule_time: Some(ms_to_ts(now)),
                    ..TaskAttempt::default()
                });
                tr.status = TaskStatus::TaskScheduled as i32;
                let task_def = tr
                    .task_def_id
                    .as_ref()
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                self.enqueue(key, guid, &task_def, false);
            }
        }
    }

    /// Fires every due timer.
    pub(super) fn fire_timers(&mut self) {
        let now = now_ms();
        while let Some(timer) = self.timers.pop_due(now) {
            match timer {
                Timer::TaskTimeout { run, guid, attempt } => {
                    self.task_timeout(&run, &guid, attempt, now)
                }
                Timer::TaskRetry { run, guid } => self.task_retry(&run, &guid, now),
                Timer::UserTaskAction { run, seq } => self.user_task_action(&run, seq, now),
                Timer::RetentionSweep => self.sweep_retention(now),
                Timer::ScheduledRun { id } => self.fire_schedule(&id, now),
                Timer::NodeWake {
                    run,
                    thread,
                    position,
                } => self.node_wake(&run, thread, position, now),
            }
        }
    }

    fn task_timeout(&mut self, key: &str, guid: &str, attempt: usize, now: i64) {
        // A checkpoint restarted the timeout: a later timer is armed.
        if self.checkpoint_extends(key, guid, now) {
            return;
        }
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let Some(tr) = run.task_runs.get(guid) else {
            return;
        };
        let timeout = tr.timeout_seconds;
        // An attempt waiting for redelivery is not on a worker: no timeout.
        let running = tr
            .attempts
            .get(attempt)
            .is_some_and(|a| a.status() == TaskStatus::TaskRunning)
            && !self
                .redeliver
                .contains(&AttemptKey::new(key, guid, attempt));
        if !running {
            return;
        }
        if let Some(a) = run
            .task_run_mut(guid)
            .and_then(|tr| tr.attempts.get_mut(attempt))
        {
            a.status = TaskStatus::TaskTimeout as i32;
            a.end_time = Some(ms_to_ts(now));
            a.result = Some(task_attempt::Result::Error(LhTaskError {
                r#type: LhErrorType::Timeout as i32,
                message: format!("the task attempt did not report within {timeout} seconds"),
            }));
        }
        self.finish_attempt(key, guid, now);
        self.advance_run(key);
    }

    fn task_retry(&mut self, key: &str, guid: &str, now: i64) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let Some(tr) = run.task_run_mut(guid) else {
            return;
        };
        let Some(a) = tr.attempts.last_mut() else {
            return;
        };
        if a.status() != TaskStatus::TaskPending {
            return;
        }
        a.status = TaskStatus::TaskScheduled as i32;
        a.schedule_time = Some(ms_to_ts(now));
        tr.status = TaskStatus::TaskScheduled as i32;
        let task_def = tr
            .task_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        self.enqueue(key, guid, &task_def, false);
    }

    fn node_wake(&mut self, key: &str, t: i32, pos: i32, now: i64) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        match advance::wake_time(run, t, pos) {
            Ok(Some(due)) if due <= now => {
                if let Some(nr) = run.node_run_mut(t, pos) {
                    match nr.node_type.as_mut() {
                        Some(lhw_proto::littlehorse::node_run::NodeType::Sleep(s)) => {
                            s.matured = true
                        }
                        Some(lhw_proto::littlehorse::node_run::NodeType::ExternalEvent(e)) => {
                            e.timed_out = true
                        }
                        _ => {}
                    }
                }
                self.advance_run(key);
            }
            Ok(Some(due)) => self.timers.push(
                due,
                Timer::NodeWake {
                    run: key.to_string(),
                    thread: t,
                    position: pos,
                },
            ),
            _ => {}
        }
    }

    /// Rebuilds queues and timers of a freshly loaded run.
    pub(super) fn schedule_loaded(&mut self, key: &str) {
        let Engine {
            runs, redeliver, ..
        } = self;
        let Some(run) = runs.get_mut(key) else {
            return;
        };
        for (guid, tr) in &run.task_runs {
            if task_done(tr.status) {
                continue;
            }
            let Some(last) = tr.attempts.last() else {
                continue;
            };
            let n = tr.attempts.len() - 1;
            let name = tr
                .task_def_id
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            match TaskStatus::try_from(last.status) {
                Ok(TaskStatus::TaskScheduled) => run.effects.tasks.push(QueuedTask {
                    guid: guid.clone(),
                    task_def: name,
                }),
                Ok(TaskStatus::TaskRunning) => {
                    // Redelivered at once, same attempt (see the engine docs).
                    redeliver.insert(AttemptKey::new(key, guid, n));
                    run.effects.tasks.push(QueuedTask {
                        guid: guid.clone(),
                        task_def: name,
                    });
                }
                Ok(TaskStatus::TaskPending) => {
                    let due = last.schedule_time.as_ref().map_or_else(now_ms, ts_to_ms);
                    run.effects.timers.push((
                        due,
                        Timer::TaskRetry {
                            run: key.to_string(),
                            guid: guid.clone(),
                        },
                    ));
                }
                _ => {}
            }
        }
        let current: Vec<(i32, i32)> = run
            .wf_run
            .thread_runs
            .iter()
            .map(|t| (t.number, t.current_node_position))
            .collect();
        for (t, pos) in current {
            if let Ok(Some(due)) = advance::wake_time(run, t, pos) {
                run.effects.timers.push((
                    due,
                    Timer::NodeWake {
                        run: key.to_string(),
                        thread: t,
                        position: pos,
                    },
                ));
            }
        }
        self.drain_effects(key);
        self.schedule_loaded_actions(key);
    }
}
