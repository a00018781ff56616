//! `lhc search events|correlated-events|workflow-events`: ExternalEvents, CorrelatedEvents
//! and WorkflowEvents of one event definition, across WfRuns, oldest first (as the server
//! orders them): SearchExternalEvent, SearchCorrelatedEvent, SearchWorkflowEvent, then a
//! Get of each result for its details.

use lhw_proto::littlehorse::{
    CorrelatedEventId, ExternalEventDefId, ExternalEventId, SearchCorrelatedEventRequest,
    SearchExternalEventRequest, SearchWorkflowEventRequest, WorkflowEventDefId, WorkflowEventId,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::ids::wf_run_id_text;

use super::Format;
use super::exec::{Fail, Res, all_pages, rpc};
use super::render::{print_json, print_text, table, time};

fn page_limit(room: usize) -> Option<i32> {
    Some(i32::try_from(room).unwrap_or(i32::MAX).min(1000))
}

fn wf_run_text(id: Option<&lhw_proto::littlehorse::WfRunId>) -> String {
    id.map_or_else(|| "-".into(), wf_run_id_text)
}

/// `lhc search events DEF`: `claimed` keeps claimed (true) or unclaimed (false) events.
pub(crate) async fn external_events(
    client: &LhClient,
    format: Format,
    def: &str,
    claimed: Option<bool>,
    limit: usize,
) -> Res {
    let ids: Vec<ExternalEventId> = all_pages(limit, async |bookmark, room| {
        let page = client
            .raw()
            .search_external_event(SearchExternalEventRequest {
                bookmark,
                limit: page_limit(room),
                external_event_def_id: Some(ExternalEventDefId { name: def.into() }),
                is_claimed: claimed,
                ..SearchExternalEventRequest::default()
            })
            .await
            .map_err(|e| Fail::Client(format!("SearchExternalEvent of `{def}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let mut rows = Vec::new();
    for id in &ids {
        let (created, claimed) = match client.raw().get_external_event(id.clone()).await {
            Ok(ev) => {
                let ev = ev.into_inner();
                (
                    time(ev.created_at.as_ref()),
                    if ev.claimed { "yes" } else { "no" }.to_string(),
                )
            }
            Err(_) => ("-".into(), "-".into()),
        };
        rows.push(vec![
            wf_run_text(id.wf_run_id.as_ref()),
            id.guid.clone(),
            created,
            claimed,
        ]);
    }
    if rows.is_empty() {
        print_text(&format!("no ExternalEvent of `{def}` matches\n"));
        return Ok(());
    }
    print_text(&table(&["WFRUN", "GUID", "CREATED", "CLAIMED"], &rows));
    Ok(())
}

/// `lhc search correlated-events DEF`: `has_events` keeps those that reached (true) or did
/// not reach (false) a WfRun.
pub(crate) async fn correlated_events(
    client: &LhClient,
    format: Format,
    def: &str,
    has_events: Option<bool>,
    limit: usize,
) -> Res {
    let ids: Vec<CorrelatedEventId> = all_pages(limit, async |bookmark, room| {
        let page = client
            .raw()
            .search_correlated_event(SearchCorrelatedEventRequest {
                bookmark,
                limit: page_limit(room),
                external_event_def_id: Some(ExternalEventDefId { name: def.into() }),
                has_external_events: has_events,
                ..SearchCorrelatedEventRequest::default()
            })
            .await
            .map_err(|e| Fail::Client(format!("SearchCorrelatedEvent of `{def}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let mut rows = Vec::new();
    for id in &ids {
        let (created, runs) = match client.raw().get_correlated_event(id.clone()).await {
            Ok(ev) => {
                let ev = ev.into_inner();
                let runs: Vec<String> = ev
                    .external_events
                    .iter()
                    .map(|e| wf_run_text(e.wf_run_id.as_ref()))
                    .collect();
                (
                    time(ev.created_at.as_ref()),
                    if runs.is_empty() {
                        "(none yet)".to_string()
                    } else {
                        runs.join(", ")
                    },
                )
            }
            Err(_) => ("-".into(), "-".into()),
        };
        rows.push(vec![id.key.clone(), created, runs]);
    }
    if rows.is_empty() {
        print_text(&format!("no CorrelatedEvent of `{def}` matches\n"));
        return Ok(());
    }
    print_text(&table(&["KEY", "CREATED", "DELIVERED TO"], &rows));
    Ok(())
}

/// `lhc search workflow-events DEF`.
pub(crate) async fn workflow_events(
    client: &LhClient,
    format: Format,
    def: &str,
    limit: usize,
) -> Res {
    let ids: Vec<WorkflowEventId> = all_pages(limit, async |bookmark, room| {
        let page = client
            .raw()
            .search_workflow_event(SearchWorkflowEventRequest {
                bookmark,
                limit: page_limit(room),
                workflow_event_def_id: Some(WorkflowEventDefId { name: def.into() }),
                ..SearchWorkflowEventRequest::default()
            })
            .await
            .map_err(|e| Fail::Client(format!("SearchWorkflowEvent of `{def}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let mut rows = Vec::new();
    for id in &ids {
        let created = match client.raw().get_workflow_event(id.clone()).await {
            Ok(ev) => time(ev.into_inner().created_at.as_ref()),
            Err(_) => "-".into(),
        };
        rows.push(vec![
            wf_run_text(id.wf_run_id.as_ref()),
            id.number.to_string(),
            created,
        ]);
    }
    if rows.is_empty() {
        print_text(&format!("no WorkflowEvent of `{def}` matches\n"));
        return Ok(());
    }
    print_text(&table(&["WFRUN", "NUMBER", "CREATED"], &rows));
    Ok(())
}
