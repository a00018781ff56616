//! USER_TASK nodes: the UserTaskRun created on arrival, its assignment,
//! completion and cancellation (the user-task RPCs), and its scheduled
//! actions (`UTActionTrigger`: reassign, cancel, reminder TaskRun), which are
//! stored so that they survive a restart.
//!
//! Semantics follow LittleHorse: the node completes when the UserTaskRun is
//! DONE, with a JSON_OBJ of the results as output; a cancelled UserTaskRun
//! fails the node with `on_cancellation_exception_name` (an EXCEPTION) or
//! `USER_TASK_CANCELLED` (an ERROR). ON_ARRIVAL actions are scheduled
//! `delay_seconds` after arrival, ON_TASK_ASSIGNED ones after each
//! assignment to a (new) user. A reassignment only applies if the task is
//! still ASSIGNED with the same epoch; a reminder only runs while the node is
//! RUNNING. Differences: halting the thread does not cancel the UserTaskRun,
//! and reminder mutations (`UTATask.mutations`) are not applied (LittleHorse
//! does not apply them either).

use super::advance::Ctx;
use super::{Engine, RunState, Timer};
use crate::engine::{EngineError, ObjectKind};
use crate::storage::UserTaskRunQuery;
use crate::util::{ms_to_ts, now_ms, ts_to_ms, wf_run_key};
use crate::values::{self, val};
use lhw_proto::littlehorse::{
    AssignUserTaskRunRequest, CompleteUserTaskRunRequest, LhStatus, SaveUserTaskRunProgressRequest,
    SearchUserTaskRunRequest, TaskRunId, TaskRunSource, UserTaskDef, UserTaskEvent, UserTaskNode,
    UserTaskRun, UserTaskRunId, UserTaskRunIdList, UserTaskRunStatus, UserTaskTriggerReference,
    VariableType, node, save_user_task_run_progress_request::SaveUserTaskRunAssignmentPolicy,
    task_run_source, user_task_event, ut_action_trigger::Action, ut_action_trigger::UtHook,
    variable_value::Value,
};
use serde_json::json;

/// A scheduled user-task action, stored (as JSON) until it fires.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PendingAction {
    /// The UserTaskRun's guid.
    pub(crate) guid: String,
    /// Thread of the USER_TASK NodeRun.
    pub(crate) thread: i32,
    /// Position of the USER_TASK NodeRun.
    pub(crate) position: i32,
    /// Index into the node's `actions`.
    pub(crate) action: usize,
    /// The UserTaskRun's epoch when it was scheduled.
    pub(crate) epoch: i32,
    /// When it fires (epoch ms).
    pub(crate) due: i64,
}

impl PendingAction {
    /// The stored form.
    pub(crate) fn encode(&self) -> String {
        json!({
            "guid": self.guid, "thread": self.thread, "position": self.position,
            "action": self.action, "epoch": self.epoch, "due": self.due,
        })
        .to_string()
    }

    /// Reads the stored form.
    pub(crate) fn decode(s: &str) -> Option<PendingAction> {
        let j: serde_json::Value = serde_json::from_str(s).ok()?;
        let int = |k: &str| j.get(k).and_then(serde_json::Value::as_i64);
        Some(PendingAction {
            guid: j.get("guid")?.as_str()?.to_string(),
            thread: i32::try_from(int("thread")?).ok()?,
            position: i32::try_from(int("position")?).ok()?,
            action: usize::try_from(int("action")?).ok()?,
            epoch: i32::try_from(int("epoch")?).ok()?,
            due: int("due")?,
        })
    }
}

fn is_done(status: i32) -> bool {
    status == UserTaskRunStatus::Done as i32 || status == UserTaskRunStatus::Cancelled as i32
}

/// The USER_TASK node of NodeRun (t, pos).
pub(super) fn ut_node(run: &RunState, t: i32, pos: i32) -> Option<UserTaskNode> {
    let nr = run.node_runs.get(&(t, pos))?;
    let tspec = &run.thread(t)?.thread_spec_name;
    match &run
        .spec
        .thread_specs
        .get(tspec)?
        .nodes
        .get(&nr.node_name)?
        .node
    {
        Some(node::Node::UserTask(ut)) => Some(ut.clone()),
        _ => None,
    }
}

/// Evaluates an optional owner/notes assignment to a string (NULL = none).
pub(super) fn eval_str(
    run: &RunState,
    t: i32,
    va: Option<&lhw_proto::littlehorse::VariableAssignment>,
) -> Result<Option<String>, String> {
    let Some(va) = va else { return Ok(None) };
    let v = run.eval(t, va)?;
    Ok(match v.value {
        None => None,
        Some(Value::Str(s)) => Some(s),
        Some(_) => Some(values::to_display(&v)),
    })
}

pub(super) fn event(now: i64, e: user_task_event::Event) -> UserTaskEvent {
    UserTaskEvent {
        time: Some(ms_to_ts(now)),
        event: Some(e),
    }
}

/// Sets the owners (a new epoch), logs the assignment and, when a new user
/// got the task and `hooks` is set, schedules the ON_TASK_ASSIGNED actions.
pub(super) fn assign_to(
    run: &mut RunState,
    node: &UserTaskNode,
    guid: &str,
    user_id: Option<String>,
    user_group: Option<String>,
    hooks: bool,
    now: i64,
) -> Result<(), String> {
    let Some(utr) = run.user_task_run_mut(guid) else {
        return Ok(());
    };
    let old_user = utr.user_id.take();
    let old_group = utr.user_group.take();
    let changed = user_id.is_some() && user_id != old_user;
    utr.user_id = user_id.clone();
    utr.user_group = user_group.clone();
    utr.epoch += 1;
    utr.events.push(event(
        now,
        user_task_event::Event::Assigned(user_task_event::UteAssigned {
            old_user_id: old_user,
            old_user_group: old_group,
            new_user_id: user_id,
            new_user_group: user_group,
        }),
    ));
    utr.status = if utr.user_id.is_some() {
        UserTaskRunStatus::Assigned as i32
    } else {
        UserTaskRunStatus::Unassigned as i32
    };
    let (t, pos) = utr
        .node_run_id
        .as_ref()
        .map_or((0, 0), |i| (i.thread_run_number, i.position));
    if hooks && changed {
        for (i, a) in node.actions.iter().enumerate() {
            if a.hook() == UtHook::OnTaskAssigned {
                schedule_action(run, node, guid, t, pos, i, now)?;
            }
        }
    }
    Ok(())
}

/// Stores action `index` of the node, due `delay_seconds` from now, and
/// arms its timer.
pub(super) fn schedule_action(
    run: &mut RunState,
    node: &UserTaskNode,
    guid: &str,
    t: i32,
    pos: i32,
    index: usize,
    now: i64,
) -> Result<(), String> {
    let trigger = node.actions.get(index).ok_or("the action is missing")?;
    let delay = match &trigger.delay_seconds {
        Some(va) => run.eval(t, va)?,
        None => val(Value::Int(0)),
    };
    let secs = match delay.value {
        Some(Value::Int(s)) => s,
        _ => {
            return Err(format!(
                "Delay for User Task Action was not an INT, got a {}",
                values::type_name(&delay)
            ));
        }
    };
    let epoch = run.user_task_runs.get(guid).map_or(0, |u| u.epoch);
    let due = now.saturating_add(secs.saturating_mul(1000));
    let seq = run.next_action_seq;
    run.next_action_seq += 1;
    run.ut_actions.insert(
        seq,
        PendingAction {
            guid: guid.to_string(),
            thread: t,
            position: pos,
            action: index,
            epoch,
            due,
        },
    );
    run.dirty.ut_actions.insert(seq);
    run.effects.timers.push((
        due,
        Timer::UserTaskAction {
            run: run.key.clone(),
            seq,
        },
    ));
    Ok(())
}

/// Marks a UserTaskRun CANCELLED; its node fails at the next advance.
fn cancel(run: &mut RunState, guid: &str, now: i64) {
    if let Some(utr) = run.user_task_run_mut(guid) {
        utr.status = UserTaskRunStatus::Cancelled as i32;
        utr.events.push(event(
            now,
            user_task_event::Event::Cancelled(user_task_event::UteCancelled {
                message: "UserTaskRun was cancelled".to_string(),
            }),
        ));
    }
    drop_actions(run, guid);
}

/// A finished UserTaskRun needs no more actions.
fn drop_actions(run: &mut RunState, guid: &str) {
    let seqs: Vec<i64> = run
        .ut_actions
        .iter()
        .filter(|(_, a)| a.guid == guid)
        .map(|(s, _)| *s)
        .collect();
    for s in seqs {
        run.ut_actions.remove(&s);
        run.dirty.ut_actions.insert(s);
    }
}

/// The storage key and guid of a UserTaskRunId.
pub(super) fn ids(id: Option<UserTaskRunId>) -> Result<(String, String), EngineError> {
    let id = id.ok_or_else(|| EngineError::invalid_argument("user_task_run_id must be set"))?;
    let wf = id
        .wf_run_id
        .as_ref()
        .ok_or_else(|| EngineError::invalid_argument("user_task_run_id.wf_run_id must be set"))?;
    Ok((wf_run_key(wf), id.user_task_guid))
}

fn not_found(key: &str, guid: &str) -> EngineError {
    EngineError::not_found(ObjectKind::UserTaskRun, format!("{key}/{guid}"))
}

/// Checks CompleteUserTaskRun results against the UserTaskDef: known fields
/// of the declared type, every required field present.
fn check_results(
    def: &UserTaskDef,
    results: &std::collections::BTreeMap<String, lhw_proto::littlehorse::VariableValue>,
) -> Result<(), EngineError> {
    for (k, v) in results {
        let field = def.fields.iter().find(|f| &f.name == k);
        let ok = field.is_some_and(|f| {
            let want = VariableType::try_from(f.r#type).ok();
            values::type_of(v) == want
        });
        if !ok {
            return Err(EngineError::invalid_argument(format!(
                "results: Field [name = {k}, type = {}] is not defined in UserTask schema or has different type",
                values::type_name(v)
            )));
        }
    }
    let missing: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| f.required && !results.contains_key(&f.name))
        .map(|f| f.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(EngineError::invalid_argument(format!(
            "results: [{}] are mandatory fields",
            missing.join(",")
        )));
    }
    Ok(())
}

impl Engine {
    /// The active run holding a UserTaskRun, or the reason why there is none.
    pub(super) fn ut_run(&mut self, key: &str, guid: &str) -> Result<&mut RunState, EngineError> {
        if !self.runs.contains_key(key) {
            return Err(match self.store.get_user_task_run(key, guid)? {
                Some(utr) => EngineError::failed_precondition(format!(
                    "UserTaskRun {key}/{guid} is in status {} and its WfRun has finished",
                    UserTaskRunStatus::try_from(utr.status).map_or("UNKNOWN", |s| s.as_str_name())
                )),
                None => not_found(key, guid),
            });
        }
        let run = self.runs.get_mut(key).ok_or_else(|| not_found(key, guid))?;
        if !run.user_task_runs.contains_key(guid) {
            return Err(not_found(key, guid));
        }
        Ok(run)
    }

    /// GetUserTaskRun.
    pub(crate) fn get_user_task_run(
        &self,
        id: Option<UserTaskRunId>,
    ) -> Result<UserTaskRun, EngineError> {
        let (key, guid) = ids(id)?;
        let found = match self.runs.get(&key) {
            Some(run) => run.user_task_runs.get(&guid).cloned(),
            None => self.store.get_user_task_run(&key, &guid)?,
        };
        found.ok_or_else(|| not_found(&key, &guid))
    }

    /// ListUserTaskRuns of a WfRun.
    pub(crate) fn list_user_task_runs(&self, key: &str) -> Result<Vec<UserTaskRun>, EngineError> {
        match self.runs.get(key) {
            Some(run) => {
                let mut v: Vec<UserTaskRun> = run.user_task_runs.values().cloned().collect();
                v.sort_by_key(|u| u.scheduled_time.as_ref().map_or(0, ts_to_ms));
                Ok(v)
            }
            None => Ok(self.store.list_user_task_runs(key)?),
        }
    }

    /// AssignUserTaskRun.
    pub(crate) fn assign_user_task_run(
        &mut self,
        req: AssignUserTaskRunRequest,
    ) -> Result<(), EngineError> {
        let (key, guid) = ids(req.user_task_run_id)?;
        let user_id = req.user_id.filter(|s| !s.is_empty());
        let user_group = req.user_group.filter(|s| !s.is_empty());
        if user_id.is_none() && user_group.is_none() {
            return Err(EngineError::invalid_argument(
                "user_id or user_group must be provided",
            ));
        }
        let now = now_ms();
        let run = self.ut_run(&key, &guid)?;
        let utr = run
            .user_task_runs
            .get(&guid)
            .ok_or_else(|| not_found(&key, &guid))?;
        if !req.override_claim
            && let Some(owner) = &utr.user_id
        {
            return Err(EngineError::failed_precondition(format!(
                "User Task Run already assigned to {owner}"
            )));
        }
        if is_done(utr.status) {
            return Err(EngineError::failed_precondition(format!(
                "Couldn't reassign User Task Run since it is in terminal status {}",
                UserTaskRunStatus::try_from(utr.status).map_or("UNKNOWN", |s| s.as_str_name())
            )));
        }
        let (t, pos) = utr
            .node_run_id
            .as_ref()
            .map_or((0, 0), |i| (i.thread_run_number, i.position));
        let utn = ut_node(run, t, pos).unwrap_or_default();
        if let Err(e) = assign_to(run, &utn, &guid, user_id, user_group, true, now) {
            eprintln!("lhw-kernel: cannot schedule user task actions of {key}/{guid}: {e}");
        }
        self.advance_run(&key);
        Ok(())
    }

    /// CompleteUserTaskRun: validates the results, records them and lets
    /// the node complete. Completing a finished UserTaskRun is a no-op.
    pub(crate) fn complete_user_task_run(
        &mut self,
        req: CompleteUserTaskRunRequest,
    ) -> Result<(), EngineError> {
        let (key, guid) = ids(req.user_task_run_id)?;
        let now = now_ms();
        let (def_id, status, owner) = {
            let run = match self.ut_run(&key, &guid) {
                Ok(r) => r,
                Err(EngineError::FailedPrecondition(_)) => return Ok(()),
                Err(e) => return Err(e),
            };
            let utr = run
                .user_task_runs
                .get(&guid)
                .ok_or_else(|| not_found(&key, &guid))?;
            (
                utr.user_task_def_id.clone().unwrap_or_default(),
                utr.status,
                utr.user_id.clone(),
            )
        };
        if is_done(status) {
            return Ok(());
        }
        let def = crate::metadata::get_user_task_def(&self.store, &def_id.name, def_id.version)?;
        check_results(&def, &req.results)?;
        let run = self.ut_run(&key, &guid)?;
        if !req.user_id.is_empty() && owner.as_deref() != Some(req.user_id.as_str()) {
            let group = run
                .user_task_runs
                .get(&guid)
                .and_then(|u| u.user_group.clone());
            // The task is being completed: no hooks.
            let _ = assign_to(
                run,
                &UserTaskNode::default(),
                &guid,
                Some(req.user_id.clone()),
                group,
                false,
                now,
            );
        }
        if let Some(utr) = run.user_task_run_mut(&guid) {
            utr.results.extend(req.results);
            utr.status = UserTaskRunStatus::Done as i32;
            utr.events.push(event(
                now,
                user_task_event::Event::Completed(user_task_event::UteCompleted {}),
            ));
        }
        drop_actions(run, &guid);
        self.advance_run(&key);
        Ok(())
    }

    /// CancelUserTaskRun: the node fails with the cancellation failure.
    pub(crate) fn cancel_user_task_run(
        &mut self,
        id: Option<UserTaskRunId>,
    ) -> Result<(), EngineError> {
        let (key, guid) = ids(id)?;
        let now = now_ms();
        let run = self.ut_run(&key, &guid)?;
        let status = run.user_task_runs.get(&guid).map_or(0, |u| u.status);
        if is_done(status) {
            return Err(EngineError::failed_precondition(format!(
                "UserTaskRun {key}/{guid} is in terminal status {}",
                UserTaskRunStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
            )));
        }
        cancel(run, &guid, now);
        self.advance_run(&key);
        Ok(())
    }

    /// SaveUserTaskRunProgress: stores partial results without completing.
    pub(crate) fn save_user_task_run_progress(
        &mut self,
        req: SaveUserTaskRunProgressRequest,
    ) -> Result<UserTaskRun, EngineError> {
        let (key, guid) = ids(req.user_task_run_id)?;
        let now = now_ms();
        let run = self.ut_run(&key, &guid)?;
        let utr = run
            .user_task_run_mut(&guid)
            .ok_or_else(|| not_found(&key, &guid))?;
        if is_done(utr.status) {
            return Err(EngineError::failed_precondition(format!(
                "UserTaskRun is in status {}",
                UserTaskRunStatus::try_from(utr.status).map_or("UNKNOWN", |s| s.as_str_name())
            )));
        }
        if SaveUserTaskRunAssignmentPolicy::try_from(req.policy)
            == Ok(SaveUserTaskRunAssignmentPolicy::FailIfClaimedByOther)
            && utr.user_id.as_ref().is_some_and(|u| *u != req.user_id)
        {
            return Err(EngineError::failed_precondition(format!(
                "UserTaskRun is claimed by another user than {}",
                req.user_id
            )));
        }
        utr.results = req.results.clone();
        utr.events.push(event(
            now,
            user_task_event::Event::Saved(user_task_event::UteSaved {
                user_id: req.user_id,
                results: req.results,
            }),
        ));
        Ok(utr.clone())
    }

    /// SearchUserTaskRun; the bookmark is an opaque offset.
    pub(crate) fn search_user_task_run(
        &mut self,
        req: SearchUserTaskRunRequest,
    ) -> Result<UserTaskRunIdList, EngineError> {
        // Searches read the database: write pending changes first.
        for run in self.runs.values_mut() {
            run.flush(&self.store)?;
        }
        let offset = match &req.bookmark {
            Some(b) => std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| EngineError::invalid_argument("bookmark is invalid"))?,
            None => 0,
        };
        let limit = req.limit.map_or(100, i64::from).clamp(1, 10_000);
        let q = UserTaskRunQuery {
            status: req.status,
            def_name: req.user_task_def_name,
            user_id: req.user_id,
            user_group: req.user_group,
            earliest_ms: req.earliest_start.as_ref().map(ts_to_ms),
            latest_ms: req.latest_start.as_ref().map(ts_to_ms),
            limit: limit + 1,
            offset,
        };
        let mut results = self.store.search_user_task_runs(&q)?;
        let more = i64::try_from(results.len()).unwrap_or(i64::MAX) > limit;
        results.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let bookmark = more.then(|| (offset + limit).to_string().into_bytes());
        Ok(UserTaskRunIdList { results, bookmark })
    }

    /// A scheduled user-task action is due.
    pub(super) fn user_task_action(&mut self, key: &str, seq: i64, now: i64) {
        let Engine {
            store,
            runs,
            task_defs,
            ..
        } = self;
        let Some(run) = runs.get_mut(key) else {
            return;
        };
        let Some(pending) = run.ut_actions.remove(&seq) else {
            return;
        };
        run.dirty.ut_actions.insert(seq);
        let (t, pos, guid) = (pending.thread, pending.position, pending.guid.clone());
        let running = run
            .node_runs
            .get(&(t, pos))
            .is_some_and(|nr| nr.status() == LhStatus::Running);
        let Some(utr) = run.user_task_runs.get(&guid) else {
            return;
        };
        if !running || is_done(utr.status) {
            return;
        }
        let Some(utn) = ut_node(run, t, pos) else {
            return;
        };
        let Some(trigger) = utn.actions.get(pending.action).cloned() else {
            return;
        };
        match trigger.action {
            Some(Action::Cancel(_)) => cancel(run, &guid, now),
            Some(Action::Reassign(r)) => {
                if utr.status() != UserTaskRunStatus::Assigned || utr.epoch != pending.epoch {
                    return;
                }
                let owners = eval_str(run, t, r.user_id.as_ref())
                    .and_then(|u| eval_str(run, t, r.user_group.as_ref()).map(|g| (u, g)));
                match owners {
                    Ok((None, None)) => {}
                    Ok((u, g)) => {
                        if let Err(e) = assign_to(run, &utn, &guid, u, g, true, now) {
                            eprintln!("lhw-kernel: {key}/{guid}: cannot schedule actions: {e}");
                        }
                    }
                    Err(e) => {
                        eprintln!("lhw-kernel: {key}/{guid}: cannot compute the reassignment: {e}")
                    }
                }
            }
            Some(Action::Task(task)) => {
                let Some(tn) = task.task else { return };
                let n_events = i32::try_from(utr.events.len()).unwrap_or(i32::MAX);
                let source = TaskRunSource {
                    wf_spec_id: run.wf_run.wf_spec_id.clone(),
                    task_run_source: Some(task_run_source::TaskRunSource::UserTaskTrigger(
                        UserTaskTriggerReference {
                            node_run_id: utr.node_run_id.clone(),
                            user_task_event_number: n_events,
                            user_id: utr.user_id.clone(),
                            user_group: utr.user_group.clone(),
                        },
                    )),
                };
                let task_guid = format!("ut-{t}-{pos}-{n_events}");
                let mut ctx = Ctx {
                    store,
                    task_defs,
                    now,
                };
                match super::nodes::create_task_run_from(run, &mut ctx, t, &tn, source, task_guid) {
                    Ok(task_guid) => {
                        let wf_run_id = run.id();
                        if let Some(utr) = run.user_task_run_mut(&guid) {
                            utr.events.push(event(
                                now,
                                user_task_event::Event::TaskExecuted(
                                    user_task_event::UteTaskExecuted {
                                        task_run: Some(TaskRunId {
                                            wf_run_id: Some(wf_run_id),
                                            task_guid,
                                        }),
                                    },
                                ),
                            ));
                        }
                    }
                    Err(f) => eprintln!(
                        "lhw-kernel: {key}/{guid}: cannot schedule the reminder task: {}",
                        f.message
                    ),
                }
            }
            None => {}
        }
        self.advance_run(key);
    }

    /// Re-arms the timers of a loaded run's pending user-task actions.
    pub(super) fn schedule_loaded_actions(&mut self, key: &str) {
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let timers: Vec<(i64, Timer)> = run
            .ut_actions
            .iter()
            .map(|(seq, a)| {
                (
                    a.due,
                    Timer::UserTaskAction {
                        run: key.to_string(),
                        seq: *seq,
                    },
                )
            })
            .collect();
        for (due, timer) in timers {
            self.timers.push(due, timer);
        }
    }
}
