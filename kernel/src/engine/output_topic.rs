//! Staging Output Topic records: called by [`RunState::flush`] with the objects a batch
//! changed, before they are written, inside the same transaction. What LittleHorse's Output
//! Topic carries (OutputTopicRecord; server v1.2.1 `GetableManager.commit` and the
//! `shouldProduceToOutputTopic` of each `CoreOutputTopicGetable`): a `WfRun` when its status
//! changed, a `Variable` when a PUBLIC variable was written (never a masked one here), a
//! `TaskRun` whenever it changed (scheduled, started, each attempt, its end), every
//! `WorkflowEvent` thrown, every `ExternalEvent` posted or claimed, every `UserTaskRun` change.
//! As on LittleHorse a RUNNING WfRun record comes first and any other status last, so a
//! COMPLETED WfRun follows its final variable values.

use lhw_proto::littlehorse::output_topic_record::Payload;
use lhw_proto::littlehorse::task_attempt::Result as AttemptResult;
use lhw_proto::littlehorse::{LhStatus, OutputTopicRecord, TaskRun, WfRunVariableAccessLevel};
use prost::Message;

use super::run::{Dirty, RunState};
use crate::storage::outbox::OutputTopic;
use crate::storage::{Store, StoreResult};
use crate::util::{ms_to_ts, now_ms};

/// Appends the records for `dirty` to the outbox: a no-op unless the run's tenant records
/// entity events (an `OutputTopicConfig` with `ALL_ENTITY_EVENTS`). A run is the tenant of the
/// store it lives in (each tenant has its own store and engine, `access/directory.rs`).
pub(super) fn stage(run: &RunState, dirty: &Dirty, store: &Store) -> StoreResult<()> {
    let tenant = store.tenant();
    if !store.records_execution(tenant) {
        return Ok(());
    }
    let timestamp = Some(ms_to_ts(now_ms()));
    let push = |payload: Payload| {
        let record = OutputTopicRecord {
            timestamp,
            payload: Some(payload),
        };
        store.push_output_record(
            tenant,
            OutputTopic::Execution,
            &run.key,
            &record.encode_to_vec(),
        )
    };
    let status_changed =
        dirty.wf_run && store.stored_wf_run_status(&run.key)? != Some(run.wf_run.status);
    let running = run.wf_run.status() == LhStatus::Running;
    if status_changed && running {
        push(Payload::WfRun(run.wf_run.clone()))?;
    }
    for (t, name) in &dirty.variables {
        if let Some(v) = run.variables.get(&(*t, name.clone()))
            && is_public_unmasked(run, *t, name)
        {
            push(Payload::Variable(v.clone()))?;
        }
    }
    for guid in &dirty.task_runs {
        if let Some(tr) = run.task_runs.get(guid) {
            push(Payload::TaskRun(without_masked_values(tr)))?;
        }
    }
    for i in &dirty.workflow_events {
        if let Some(ev) = run.workflow_events.get(*i) {
            push(Payload::WorkflowEvent(ev.clone()))?;
        }
    }
    for i in &dirty.events {
        if let Some((_, ev)) = run.events.get(*i) {
            push(Payload::ExternalEvent(ev.clone()))?;
        }
    }
    for guid in &dirty.user_task_runs {
        if let Some(utr) = run.user_task_runs.get(guid) {
            push(Payload::UserTaskRun(utr.clone()))?;
        }
    }
    if status_changed && !running {
        push(Payload::WfRun(run.wf_run.clone()))?;
    }
    Ok(())
}

fn is_public_unmasked(run: &RunState, thread: i32, name: &str) -> bool {
    let Some(thread_run) = run.thread(thread) else {
        return false;
    };
    let Some(spec) = run.spec.thread_specs.get(&thread_run.thread_spec_name) else {
        return false;
    };
    spec.variable_defs.iter().any(|tv| {
        tv.access_level() == WfRunVariableAccessLevel::PublicVar
            && tv.var_def.as_ref().is_some_and(|d| {
                d.name == name
                    && d.masked_value != Some(true)
                    && !d.type_def.as_ref().is_some_and(|t| t.masked)
            })
    })
}

/// A TaskRun with the values of masked inputs and outputs removed.
fn without_masked_values(tr: &TaskRun) -> TaskRun {
    let mut tr = tr.clone();
    for input in &mut tr.input_variables {
        if input.masked {
            input.value = None;
        }
    }
    for attempt in &mut tr.attempts {
        if attempt.masked_value {
            if let Some(AttemptResult::Output(_)) = attempt.result {
                attempt.result = None;
            }
            attempt.log_output = None;
        }
    }
    tr
}
