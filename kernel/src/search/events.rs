//! Searches over events: SearchExternalEvent (by ExternalEventDef, creation
//! time, claimed or not), SearchCorrelatedEvent (by ExternalEventDef,
//! creation time, whether it reached a WfRun) and SearchWorkflowEvent (by
//! WorkflowEventDef, creation time). As LittleHorse's tag searches
//! (server `ExternalEventModel.getIndexConfigurations`, `CorrelatedEventModel`,
//! `WorkflowEventModel`), results come oldest first; the bookmark is the sort
//! key of the last result (creation time, then the id), so deletions between
//! pages never skip a result.

use crate::engine::Engine;
use crate::engine::EngineError;
use crate::request::{self, bookmark_key, finish_page, key_int, key_str, not_empty, required};
use crate::util::ts_to_ms;
use lhw_proto::littlehorse::{
    CorrelatedEventIdList, ExternalEventIdList, SearchCorrelatedEventRequest,
    SearchExternalEventRequest, SearchWorkflowEventRequest, WorkflowEventIdList,
};
use pbjson_types::Timestamp;
use serde_json::Value as Json;

/// The time window and page of an event search.
struct Window {
    earliest: Option<i64>,
    latest: Option<i64>,
    limit: usize,
    /// Sort key of the last result already returned: (created ms, id text).
    after: Option<(i64, String)>,
}

impl Window {
    fn of(
        earliest: Option<&Timestamp>,
        latest: Option<&Timestamp>,
        limit: Option<i32>,
        bookmark: Option<&[u8]>,
    ) -> Result<Window, EngineError> {
        let after = match bookmark_key(bookmark)? {
            Some(k) => Some((key_int(&k, 0)?, key_str(&k, 1)?)),
            None => None,
        };
        Ok(Window {
            earliest: earliest.map(ts_to_ms),
            latest: latest.map(ts_to_ms),
            limit: request::limit(limit)?,
            after,
        })
    }

    /// Sorts the matching rows, drops those up to the bookmark, and cuts a page.
    fn page<T>(&self, mut rows: Vec<(i64, String, T)>) -> (Vec<T>, Option<Vec<u8>>) {
        rows.retain(|(ms, _, _)| {
            self.earliest.is_none_or(|e| *ms >= e) && self.latest.is_none_or(|l| *ms <= l)
        });
        rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        if let Some((ms, id)) = &self.after {
            rows.retain(|(m, i, _)| (*m, i) > (*ms, id));
        }
        rows.truncate(self.limit + 1);
        let (rows, bookmark) = finish_page(rows, self.limit, |(ms, id, _)| {
            vec![Json::from(*ms), Json::from(id.clone())]
        });
        (rows.into_iter().map(|(_, _, v)| v).collect(), bookmark)
    }
}

fn created(ts: Option<&Timestamp>) -> i64 {
    ts.map_or(0, ts_to_ms)
}

/// SearchExternalEvent: the ExternalEvents of one ExternalEventDef, across
/// WfRuns (also those posted before their WfRun exists).
pub(crate) fn search_external_event(
    e: &mut Engine,
    req: SearchExternalEventRequest,
) -> Result<ExternalEventIdList, EngineError> {
    let def = required(req.external_event_def_id, "external_event_def_id")?;
    not_empty(&def.name, "external_event_def_id.name")?;
    let window = Window::of(
        req.earliest_start.as_ref(),
        req.latest_start.as_ref(),
        req.limit,
        req.bookmark.as_deref(),
    )?;
    let rows = e
        .synced_store()?
        .external_events_of_def(&def.name)?
        .into_iter()
        .filter(|(_, ev)| req.is_claimed.is_none_or(|c| ev.claimed == c))
        .map(|(key, ev)| {
            let guid = ev.id.as_ref().map(|i| i.guid.clone()).unwrap_or_default();
            let id = ev.id.unwrap_or_default();
            (created(ev.created_at.as_ref()), format!("{key}/{guid}"), id)
        })
        .collect();
    let (results, bookmark) = window.page(rows);
    Ok(ExternalEventIdList { results, bookmark })
}

/// SearchCorrelatedEvent: the CorrelatedEvents of one ExternalEventDef;
/// `has_external_events` keeps those that did (or did not) reach a WfRun.
pub(crate) fn search_correlated_event(
    e: &mut Engine,
    req: SearchCorrelatedEventRequest,
) -> Result<CorrelatedEventIdList, EngineError> {
    let def = required(req.external_event_def_id, "external_event_def_id")?;
    not_empty(&def.name, "external_event_def_id.name")?;
    let window = Window::of(
        req.earliest_start.as_ref(),
        req.latest_start.as_ref(),
        req.limit,
        req.bookmark.as_deref(),
    )?;
    let rows = e
        .synced_store()?
        .correlated_events_of_def(&def.name)?
        .into_iter()
        .filter(|ev| {
            req.has_external_events
                .is_none_or(|h| ev.external_events.is_empty() != h)
        })
        .map(|ev| {
            let id = ev.id.unwrap_or_default();
            (created(ev.created_at.as_ref()), id.key.clone(), id)
        })
        .collect();
    let (results, bookmark) = window.page(rows);
    Ok(CorrelatedEventIdList { results, bookmark })
}

/// SearchWorkflowEvent: the WorkflowEvents of one WorkflowEventDef, across WfRuns.
pub(crate) fn search_workflow_event(
    e: &mut Engine,
    req: SearchWorkflowEventRequest,
) -> Result<WorkflowEventIdList, EngineError> {
    let def = required(req.workflow_event_def_id, "workflow_event_def_id")?;
    not_empty(&def.name, "workflow_event_def_id.name")?;
    let window = Window::of(
        req.earliest_start.as_ref(),
        req.latest_start.as_ref(),
        req.limit,
        req.bookmark.as_deref(),
    )?;
    let rows = e
        .synced_store()?
        .workflow_events_of_def(&def.name)?
        .into_iter()
        .map(|(key, ev)| {
            let id = ev.id.unwrap_or_default();
            (
                created(ev.created_at.as_ref()),
                format!("{key}/{:010}", id.number),
                id,
            )
        })
        .collect();
    let (results, bookmark) = window.page(rows);
    Ok(WorkflowEventIdList { results, bookmark })
}
