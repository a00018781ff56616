//! Workflow and task metrics: counters of status transitions kept per
//! one-minute window, and the metrics RPCs (ListWfMetrics, ListTaskMetrics,
//! GetMetricWindow, SearchWfMetricWindow).
//!
//! As the LittleHorse server (`PartitionMetricsCollector`,
//! `PartitionMetricWindowModel`, `CountAndTimingModel`, windows from
//! `LHUtil.getCurrentWindowDate`, truncated to the minute):
//! - a WfRun counts `started` when it is created, then each status change
//!   under its pair (`running_to_completed`, `running_to_error`,
//!   `running_to_exception`, `running_to_halting`, `running_to_halted`,
//!   `halting_to_halted`, `halted_to_running`) with the latency from the
//!   WfRun's start to its end (or to now);
//! - a TaskAttempt counts `taskattempt_pending_to_scheduled`,
//!   `taskattempt_scheduled_to_running` (schedule to start) and
//!   `taskattempt_running_to_success` / `_exception` / `_error` (start to
//!   end); a TaskRun counts `taskrun_created_to_completed` / `_exception` /
//!   `_error` (from its creation to its last attempt's end) when it settles.
//!
//! The counters are updated by the store when it writes a WfRun or TaskRun
//! whose status changed, so in the same transaction as the change (a batch
//! that rolls back leaves no count behind). The engine commits in batches: a
//! WfRun that starts and ends within one batch counts `started` and its end.
//!
//! Differences: the server files failed and timed-out attempts under keys
//! its MetricWindow never shows (`taskattempt_running_to_failed`, `_timeout`);
//! the kernel counts them in `taskattempt_running_to_error`. Pending time is
//! not kept in a kernel TaskAttempt: `pending_to_scheduled` measures from
//! the previous attempt's end (or the TaskRun's creation) to the schedule.
//! Windows are kept for 14 days (the sweep of older ones runs with each write
//! of a new window).

use crate::engine::Engine;
use crate::engine::EngineError;
use crate::request::{self, bookmark_key, finish_page, key_int, key_str, not_empty};
use crate::storage::{MetricKey, MetricQuery, Store, StoreResult};
use crate::util::{ms_to_ts, now_ms, ts_to_ms};
use lhw_proto::littlehorse::{
    CountAndTiming, LhStatus, ListTaskMetricsRequest, ListWfMetricsRequest, MetricWindow,
    MetricWindowId, MetricWindowIdList, MetricWindowType, MetricsList, SearchWfMetricWindowRequest,
    TaskDefId, TaskMetrics, TaskRun, TaskStatus, WfMetrics, WfRun, metric_window, metric_window_id,
};
use serde_json::Value as Json;

/// The width of a window.
pub(crate) const WINDOW_MS: i64 = 60_000;

/// How long windows are kept.
pub(crate) const RETENTION_MS: i64 = 14 * 24 * 3600 * 1000;

/// The start of the window holding `ms`.
pub(crate) fn window_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(WINDOW_MS)
}

fn bump(c: &mut Option<CountAndTiming>, latency_ms: Option<i64>) {
    let c = c.get_or_insert_with(CountAndTiming::default);
    c.count = c.count.saturating_add(1);
    if let Some(l) = latency_ms {
        let l = l.max(0);
        c.total_latency_ms = c.total_latency_ms.saturating_add(l);
        if c.min_latency_ms == 0 || l < c.min_latency_ms {
            c.min_latency_ms = l;
        }
        c.max_latency_ms = c.max_latency_ms.max(l);
    }
}

/// Applies `f` to the current window of `key`, creating it when missing (kept in memory by
/// the store and written once per transaction: `storage/metrics.rs`).
fn update(
    store: &Store,
    mut key: MetricKey,
    id: MetricWindowId,
    f: impl FnOnce(&mut MetricWindow),
) -> StoreResult<()> {
    let now = now_ms();
    key.window_ms = window_of(now);
    let start = key.window_ms;
    let make = || MetricWindow {
        id: Some(MetricWindowId {
            window_start: Some(ms_to_ts(start)),
            ..id
        }),
        metric: None,
    };
    store.update_metric_window(&key, now - RETENTION_MS, make, f)
}

/// Records the status change of a WfRun about to be written (called by the store).
pub(crate) fn on_wf_run(store: &Store, key: &str, run: &WfRun) -> StoreResult<()> {
    let old = store.stored_wf_run_status(key)?;
    if old == Some(run.status) {
        return Ok(());
    }
    let spec = run.wf_spec_id.clone().unwrap_or_default();
    let start = run.start_time.as_ref().map_or_else(now_ms, ts_to_ms);
    let end = run.end_time.as_ref().map_or_else(now_ms, ts_to_ms);
    let latency = Some(end - start);
    let new = LhStatus::try_from(run.status).unwrap_or(LhStatus::Running);
    let mk = MetricKey {
        kind: MetricWindowType::WorkflowMetric as i32,
        name: spec.name.clone(),
        major: spec.major_version,
        revision: spec.revision,
        window_ms: 0,
    };
    let id = MetricWindowId {
        id: Some(metric_window_id::Id::WfSpecId(spec)),
        metric_type: Some(MetricWindowType::WorkflowMetric as i32),
        ..MetricWindowId::default()
    };
    update(store, mk, id, |w| {
        let m = match &mut w.metric {
            Some(metric_window::Metric::Workflow(m)) => m,
            _ => {
                w.metric = Some(metric_window::Metric::Workflow(WfMetrics::default()));
                let Some(metric_window::Metric::Workflow(m)) = &mut w.metric else {
                    unreachable!("just set")
                };
                m
            }
        };
        let prev = match old {
            None => {
                bump(&mut m.started, None);
                LhStatus::Running
            }
            Some(o) => LhStatus::try_from(o).unwrap_or(LhStatus::Running),
        };
        use LhStatus::*;
        let slot = match (prev, new) {
            (Running | Starting, Completed) => Some(&mut m.running_to_completed),
            (Running | Starting, Error) => Some(&mut m.running_to_error),
            (Running | Starting, Exception) => Some(&mut m.running_to_exception),
            (Running | Starting, Halting) => Some(&mut m.running_to_halting),
            (Running | Starting, Halted) => Some(&mut m.running_to_halted),
            (Halting, Halted) => Some(&mut m.halting_to_halted),
            (Halted | Halting, Running) => Some(&mut m.halted_to_running),
            _ => None,
        };
        if let Some(slot) = slot {
            bump(slot, latency);
        }
    })
}

fn is_attempt_end(s: i32) -> bool {
    !matches!(
        TaskStatus::try_from(s),
        Ok(TaskStatus::TaskPending | TaskStatus::TaskScheduled | TaskStatus::TaskRunning)
    )
}

/// Records the status changes of a TaskRun about to be written (called by the store).
pub(crate) fn on_task_run(store: &Store, key: &str, tr: &TaskRun) -> StoreResult<()> {
    let guid = tr
        .id
        .as_ref()
        .map(|i| i.task_guid.as_str())
        .unwrap_or_default();
    let old = store.stored_task_run_statuses(key, guid)?;
    let old_status = old.as_ref().map(|o| o.status);
    let old_attempts: Vec<i32> = old.map(|o| o.attempts).unwrap_or_default();
    let changed = old_status != Some(tr.status)
        || old_attempts.len() != tr.attempts.len()
        || tr
            .attempts
            .iter()
            .zip(&old_attempts)
            .any(|(a, s)| a.status != *s);
    if !changed {
        return Ok(());
    }
    let def = tr.task_def_id.clone().unwrap_or_default();
    let mk = MetricKey {
        kind: MetricWindowType::TaskMetric as i32,
        name: def.name.clone(),
        major: 0,
        revision: 0,
        window_ms: 0,
    };
    let id = MetricWindowId {
        id: Some(metric_window_id::Id::TaskDefId(TaskDefId {
            name: def.name,
        })),
        metric_type: Some(MetricWindowType::TaskMetric as i32),
        ..MetricWindowId::default()
    };
    let ms = |t: &Option<pbjson_types::Timestamp>| t.as_ref().map(ts_to_ms);
    update(store, mk, id, |w| {
        let m = match &mut w.metric {
            Some(metric_window::Metric::Task(m)) => m,
            _ => {
                w.metric = Some(metric_window::Metric::Task(TaskMetrics::default()));
                let Some(metric_window::Metric::Task(m)) = &mut w.metric else {
                    unreachable!("just set")
                };
                m
            }
        };
        let created = ms(&tr.scheduled_at);
        for (i, a) in tr.attempts.iter().enumerate() {
            let was = old_attempts.get(i).copied();
            let pending = TaskStatus::TaskPending as i32;
            let scheduled = TaskStatus::TaskScheduled as i32;
            if was == Some(a.status) {
                continue;
            }
            // Left PENDING (or was created past it).
            if (was.is_none() || was == Some(pending)) && a.status != pending {
                let from = if i == 0 {
                    created
                } else {
                    ms(&tr.attempts[i - 1].end_time).or(created)
                };
                let latency = ms(&a.schedule_time).zip(from).map(|(s, f)| s - f);
                bump(
                    &mut m.taskattempt_pending_to_scheduled,
                    latency.map(|l| l.max(0)),
                );
            }
            // Left SCHEDULED: it started.
            if was.is_none_or(|w| w == pending || w == scheduled)
                && a.status != pending
                && a.status != scheduled
                && a.start_time.is_some()
            {
                let latency = ms(&a.start_time)
                    .zip(ms(&a.schedule_time))
                    .map(|(s, c)| s - c);
                bump(&mut m.taskattempt_scheduled_to_running, latency);
            }
            // Ended.
            if was.is_none_or(|w| !is_attempt_end(w))
                && is_attempt_end(a.status)
                && a.start_time.is_some()
            {
                let latency = ms(&a.end_time).zip(ms(&a.start_time)).map(|(e, s)| e - s);
                let slot = if a.status() == TaskStatus::TaskSuccess {
                    &mut m.taskattempt_running_to_success
                } else if a.status() == TaskStatus::TaskException {
                    &mut m.taskattempt_running_to_exception
                } else {
                    &mut m.taskattempt_running_to_error
                };
                bump(slot, latency);
            }
        }
        if is_attempt_end(tr.status) && old_status.is_none_or(|s| !is_attempt_end(s)) {
            let end = tr
                .attempts
                .last()
                .and_then(|a| ms(&a.end_time))
                .unwrap_or_else(now_ms);
            let latency = created.map(|c| end - c);
            let slot = if tr.status() == TaskStatus::TaskSuccess {
                &mut m.taskrun_created_to_completed
            } else if tr.status() == TaskStatus::TaskException {
                &mut m.taskrun_created_to_exception
            } else {
                &mut m.taskrun_created_to_error
            };
            bump(slot, latency);
        }
    })
}

/// A window range of a List request: the server's defaults (the last hour).
fn range(
    start: Option<&pbjson_types::Timestamp>,
    end: Option<&pbjson_types::Timestamp>,
) -> (i64, i64) {
    let now = now_ms();
    (
        start.map_or(now - 3_600_000, ts_to_ms),
        end.map_or(now, ts_to_ms),
    )
}

/// ListWfMetrics: the windows of one WfSpec version (or of every WfSpec when
/// `wf_spec` has no name) between `window_start` and `window_end`.
pub(crate) fn list_wf_metrics(
    e: &mut Engine,
    req: ListWfMetricsRequest,
) -> Result<MetricsList, EngineError> {
    let (earliest, latest) = range(req.window_start.as_ref(), req.window_end.as_ref());
    let spec = req.wf_spec.filter(|s| !s.name.is_empty());
    let q = MetricQuery {
        kind: MetricWindowType::WorkflowMetric as i32,
        name: spec.as_ref().map(|s| s.name.clone()),
        version: spec.as_ref().map(|s| (s.major_version, s.revision)),
        earliest_ms: Some(window_of(earliest)),
        latest_ms: Some(latest),
    };
    let windows = e.synced_store()?.metric_windows(&q)?;
    Ok(MetricsList {
        windows: windows.into_iter().map(|(_, w)| w).collect(),
    })
}

/// ListTaskMetrics: the windows of one TaskDef (or of every TaskDef).
pub(crate) fn list_task_metrics(
    e: &mut Engine,
    req: ListTaskMetricsRequest,
) -> Result<MetricsList, EngineError> {
    let (earliest, latest) = range(req.window_start.as_ref(), req.window_end.as_ref());
    let q = MetricQuery {
        kind: MetricWindowType::TaskMetric as i32,
        name: req.task_def.map(|d| d.name).filter(|n| !n.is_empty()),
        version: None,
        earliest_ms: Some(window_of(earliest)),
        latest_ms: Some(latest),
    };
    let windows = e.synced_store()?.metric_windows(&q)?;
    Ok(MetricsList {
        windows: windows.into_iter().map(|(_, w)| w).collect(),
    })
}

/// GetMetricWindow: one window by its id (WfSpec or TaskDef windows).
pub(crate) fn get_metric_window(
    e: &mut Engine,
    id: MetricWindowId,
) -> Result<MetricWindow, EngineError> {
    let start = request::required(id.window_start.as_ref(), "window_start")?;
    let key = match &id.id {
        Some(metric_window_id::Id::WfSpecId(s)) => {
            not_empty(&s.name, "wf_spec_id.name")?;
            MetricKey {
                kind: MetricWindowType::WorkflowMetric as i32,
                name: s.name.clone(),
                major: s.major_version,
                revision: s.revision,
                window_ms: window_of(ts_to_ms(start)),
            }
        }
        Some(metric_window_id::Id::TaskDefId(d)) => {
            not_empty(&d.name, "task_def_id.name")?;
            MetricKey {
                kind: MetricWindowType::TaskMetric as i32,
                name: d.name.clone(),
                major: 0,
                revision: 0,
                window_ms: window_of(ts_to_ms(start)),
            }
        }
        Some(_) => {
            return Err(EngineError::unimplemented(
                "the embedded kernel keeps metric windows of WfSpecs and TaskDefs only",
            ));
        }
        None => return Err(EngineError::invalid_argument("id must be set")),
    };
    e.synced_store()?.get_metric_window(&key)?.ok_or_else(|| {
        EngineError::missing(format!(
            "no MetricWindow of {} starting at {}",
            key.name, key.window_ms
        ))
    })
}

/// SearchWfMetricWindow: ids of the windows of every version of a WfSpec,
/// oldest first; `latest_only` is the previous (last complete) minute.
pub(crate) fn search_wf_metric_window(
    e: &mut Engine,
    req: SearchWfMetricWindowRequest,
) -> Result<MetricWindowIdList, EngineError> {
    if req.wf_spec_name.trim().is_empty() {
        return Err(EngineError::invalid_argument("wfSpecName is required"));
    }
    let limit = request::limit(req.limit)?;
    let after = match bookmark_key(req.bookmark.as_deref())? {
        Some(k) => Some((key_int(&k, 0)?, key_str(&k, 1)?)),
        None => None,
    };
    let (earliest, latest) = if req.latest_only == Some(true) {
        let prev = window_of(now_ms()) - WINDOW_MS;
        (Some(prev), Some(prev))
    } else {
        (
            req.earliest_start.as_ref().map(ts_to_ms),
            req.latest_start.as_ref().map(ts_to_ms),
        )
    };
    let q = MetricQuery {
        kind: MetricWindowType::WorkflowMetric as i32,
        name: Some(req.wf_spec_name.clone()),
        version: None,
        earliest_ms: earliest,
        latest_ms: latest,
    };
    let mut rows: Vec<(i64, String, MetricWindowId)> = e
        .synced_store()?
        .metric_windows(&q)?
        .into_iter()
        .map(|(k, w)| {
            let sort = format!("{:010}/{:010}", k.major, k.revision);
            (k.window_ms, sort, w.id.unwrap_or_default())
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    if let Some((ms, v)) = &after {
        rows.retain(|(m, s, _)| (*m, s) > (*ms, v));
    }
    rows.truncate(limit + 1);
    let (rows, bookmark) = finish_page(rows, limit, |(ms, s, _)| {
        vec![Json::from(*ms), Json::from(s.clone())]
    });
    Ok(MetricWindowIdList {
        bookmark,
        results: rows.into_iter().map(|(_, _, id)| id).collect(),
    })
}
