//! `lhc event`: posting ExternalEvents and CorrelatedEvents, reading them back, and the
//! WorkflowEvents a run threw.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{
    CorrelatedEvent, CorrelatedEventId, ExternalEvent, ExternalEventDefId, ExternalEventId,
    ListExternalEventsRequest, ListWorkflowEventsRequest, PutCorrelatedEventRequest,
    PutExternalEventRequest, VariableValue, WorkflowEvent,
};
use lhw_runtime_client::ids::wf_run_id_text;
use lhw_runtime_client::values::{format_value, parse_value, type_name};
use lhw_runtime_client::{ClientError, LhClient};
use tonic::Code;

use super::exec::{Fail, Res, all_pages, execute, on, rpc, wf_run_id};
use super::render::{fields, masked_value, print_json, print_text, shown, table, time};
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc event`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// What to do.
    #[command(subcommand)]
    pub what: EventCommand,
}

/// `lhc event ...`.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Post an ExternalEvent to a WfRun (PutExternalEvent), or a CorrelatedEvent with
    /// `--correlated KEY` (PutCorrelatedEvent).
    #[command(
        long_about = "Post an ExternalEvent of the ExternalEventDef EVENT to the WfRun WFRUN: \
            `lhc event post WFRUN EVENT --content VALUE`. \
            `--content` is parsed according to the event's payload type when the \
            ExternalEventDef declares one (int, double, bool, str, json-obj/json-arr as JSON, \
            timestamp as RFC 3339); without a declared type, a JSON number, boolean, object \
            or array is sent as such and anything else as a string.\n\n\
            A WfRun that does not exist is an error unless `--preemptive` is given: LittleHorse \
            then keeps the event and delivers it to the WfRun of that id once it starts.\n\n\
            `lhc event post --correlated KEY EVENT --content VALUE` posts a CorrelatedEvent \
            instead: it is delivered to every WfRun waiting on EVENT with that correlation key \
            (now or later)."
    )]
    Post {
        /// The WfRun id, then the ExternalEventDef name (only EVENT with --correlated).
        #[arg(value_name = "WFRUN EVENT", num_args = 1..=2, required = true)]
        targets: Vec<String>,
        /// The payload.
        #[arg(long, value_name = "VALUE")]
        content: Option<String>,
        /// The event's GUID (makes posting idempotent; the server picks one when omitted).
        #[arg(long, value_name = "GUID", conflicts_with = "correlated")]
        guid: Option<String>,
        /// Post a CorrelatedEvent with this correlation key instead (PutCorrelatedEvent).
        #[arg(long, value_name = "KEY")]
        correlated: Option<String>,
        /// Post even when no WfRun WFRUN exists yet (a pre-emptive event, kept for a run
        /// that starts later with this id).
        #[arg(long, conflicts_with = "correlated")]
        preemptive: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Show one ExternalEvent (GetExternalEvent), or a CorrelatedEvent with `--correlated KEY`
    /// (GetCorrelatedEvent).
    Get {
        /// WFRUN EVENT GUID of an ExternalEvent, or EVENT with --correlated.
        #[arg(value_name = "WFRUN EVENT GUID", num_args = 1..=3, required = true)]
        targets: Vec<String>,
        /// The correlation key of a CorrelatedEvent.
        #[arg(long, value_name = "KEY")]
        correlated: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// The ExternalEvents posted to a WfRun (ListExternalEvents), or with `--workflow` the
    /// WorkflowEvents it threw (ListWorkflowEvents).
    List {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// List the WorkflowEvents the run threw instead.
        #[arg(long)]
        workflow: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Runs `lhc event`.
pub(crate) fn run(args: &EventArgs, style: Style) -> ExitCode {
    match &args.what {
        EventCommand::Post {
            targets,
            content,
            guid,
            correlated,
            preemptive,
            common,
        } => execute(common, style, async |c, f| {
            let post = Post {
                target: post_target(targets, correlated.as_deref())?,
                content: content.as_deref(),
                guid: guid.clone(),
                preemptive: *preemptive,
            };
            post_event(c, f, post).await
        }),
        EventCommand::Get {
            targets,
            correlated,
            common,
        } => execute(common, style, async |c, f| {
            get_event(c, f, targets, correlated.as_deref()).await
        }),
        EventCommand::List {
            wf_run,
            workflow,
            common,
        } => execute(common, style, async |c, f| {
            if *workflow {
                list_workflow_events(c, f, wf_run).await
            } else {
                list_external_events(c, f, wf_run).await
            }
        }),
    }
}

/// Where an event goes.
pub(crate) enum PostTarget {
    /// An ExternalEvent of `event` to one WfRun.
    Run { wf_run: String, event: String },
    /// A CorrelatedEvent of `event` under a correlation key.
    Correlated { key: String, event: String },
}

impl PostTarget {
    fn event(&self) -> &str {
        match self {
            PostTarget::Run { event, .. } | PostTarget::Correlated { event, .. } => event,
        }
    }
}

/// What `lhc event post` sends.
pub(crate) struct Post<'a> {
    target: PostTarget,
    content: Option<&'a str>,
    guid: Option<String>,
    preemptive: bool,
}

fn post_target(targets: &[String], correlated: Option<&str>) -> Result<PostTarget, Fail> {
    match (targets, correlated) {
        ([wf_run, event], None) => Ok(PostTarget::Run {
            wf_run: wf_run.clone(),
            event: event.clone(),
        }),
        ([event], Some(key)) => Ok(PostTarget::Correlated {
            key: key.into(),
            event: event.clone(),
        }),
        ([event], None) => Err(Fail::Msg(format!(
            "which WfRun? write `lhc event post WFRUN {event} ...`, or `--correlated KEY` to \
             post a CorrelatedEvent"
        ))),
        (_, Some(key)) => Err(Fail::Msg(format!(
            "a CorrelatedEvent names no WfRun: write `lhc event post --correlated {key} EVENT ...`"
        ))),
        _ => Err(Fail::Msg("expected WFRUN EVENT".into())),
    }
}

/// A value without a declared type: JSON scalars, objects and arrays as such, else a string.
pub(crate) fn infer_value(text: &str) -> VariableValue {
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Bool(b)) => Value::Bool(b),
        Ok(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Double(n.as_f64().unwrap_or(0.0)),
        },
        Ok(v @ serde_json::Value::Object(_)) => Value::JsonObj(v.to_string()),
        Ok(v @ serde_json::Value::Array(_)) => Value::JsonArr(v.to_string()),
        Ok(serde_json::Value::String(s)) => Value::Str(s),
        _ => Value::Str(text.to_string()),
    };
    VariableValue { value: Some(value) }
}

/// The ExternalEventDef `event` and the payload `content` parsed against its declared type;
/// also whether the payload is masked.
async fn event_payload(
    client: &LhClient,
    event: &str,
    content: Option<&str>,
) -> Result<(VariableValue, bool), Fail> {
    let Some(def) = client
        .get_external_event_def(event)
        .await
        .map_err(on(format!("ExternalEventDef `{event}`")))?
    else {
        let mut msg = format!(
            "no ExternalEventDef `{event}` on {} (declare it with `event {event}: TYPE` and \
             deploy)",
            client.target()
        );
        if let Ok(known) = super::list_defs::names(client, super::list_defs::DefKind::Event).await
            && let Some(c) = lhw_compiler::check::closest(event, known.iter().map(String::as_str))
        {
            msg.push_str(&format!("\n  help: did you mean `{c}`?"));
        }
        return Err(Fail::Msg(msg));
    };
    let declared = def
        .type_information
        .as_ref()
        .and_then(|t| t.return_type.clone());
    let masked = declared.as_ref().is_some_and(|t| t.masked);
    let value = match (content, &declared) {
        (Some(text), Some(t)) => parse_value(text, t).map_err(|e| {
            Fail::Msg(format!(
                "--content: {e} (event `{event}` carries {})",
                type_name(t)
            ))
        })?,
        (Some(text), None) => infer_value(text),
        (None, Some(t)) => {
            return Err(Fail::Msg(format!(
                "event `{event}` carries {}: add --content VALUE",
                type_name(t)
            )));
        }
        (None, None) => VariableValue::default(),
    };
    Ok((value, masked))
}

/// Whether the WfRun exists (NOT_FOUND is `false`, other failures are errors).
async fn wf_run_exists(client: &LhClient, wf_run: &str) -> Result<bool, Fail> {
    match client.get_wf_run(wf_run).await {
        Ok(_) => Ok(true),
        Err(ClientError::Rpc(s)) if s.code() == Code::NotFound => Ok(false),
        Err(e) => Err(Fail::Client(format!("WfRun `{wf_run}`"), e)),
    }
}

pub(crate) async fn post_event(client: &LhClient, format: Format, post: Post<'_>) -> Res {
    let event = post.target.event().to_string();
    let (value, masked) = event_payload(client, &event, post.content).await?;
    match post.target {
        PostTarget::Run { wf_run, .. } => {
            let exists = wf_run_exists(client, &wf_run).await?;
            if !exists && !post.preemptive {
                return Err(Fail::Msg(format!(
                    "no WfRun `{wf_run}` on {}: nothing was posted\n  help: to keep the event \
                     for a WfRun that will start with this id, add --preemptive (LittleHorse \
                     stores it and delivers it when the run starts); to reach every run waiting \
                     on a key, use --correlated KEY",
                    client.target()
                )));
            }
            let mut posted: ExternalEvent = client
                .raw()
                .put_external_event(PutExternalEventRequest {
                    wf_run_id: Some(wf_run_id(&wf_run)),
                    external_event_def_id: Some(ExternalEventDefId {
                        name: event.clone(),
                    }),
                    guid: post.guid,
                    content: Some(value),
                    thread_run_number: None,
                    node_run_position: None,
                })
                .await
                .map_err(|e| Fail::Client(format!("WfRun `{wf_run}`"), rpc(e)))?
                .into_inner();
            if masked {
                posted.content = Some(masked_value());
            }
            if format == Format::Json {
                return print_json(&posted);
            }
            let guid = posted.id.as_ref().map_or("", |i| i.guid.as_str());
            let state = if exists {
                String::new()
            } else {
                " (pre-emptive: no such run yet; it is delivered when the run starts)".into()
            };
            println!(
                "posted ExternalEvent {event} {guid} to WfRun {wf_run}{state}: {}",
                shown(posted.content.as_ref(), masked)
            );
            // An event posted to a run that has ended is kept but never claimed.
            if exists
                && let Ok(run) = client.get_wf_run(&wf_run).await
                && super::follow::is_final(run.status)
            {
                eprintln!(
                    "note: WfRun {wf_run} has already ended ({}): no step will claim this event",
                    super::render::status_name(run.status)
                );
            }
        }
        PostTarget::Correlated { key, .. } => {
            let mut posted: CorrelatedEvent = client
                .raw()
                .put_correlated_event(PutCorrelatedEventRequest {
                    key: key.clone(),
                    external_event_def_id: Some(ExternalEventDefId {
                        name: event.clone(),
                    }),
                    content: Some(value),
                })
                .await
                .map_err(|e| Fail::Client(format!("CorrelatedEvent `{event}` `{key}`"), rpc(e)))?
                .into_inner();
            if masked {
                posted.content = Some(masked_value());
            }
            if format == Format::Json {
                return print_json(&posted);
            }
            let runs: Vec<String> = posted
                .external_events
                .iter()
                .filter_map(|e| e.wf_run_id.as_ref().map(wf_run_id_text))
                .collect();
            let delivered = if runs.is_empty() {
                "no WfRun waits on it yet; it is kept and delivered when one does".to_string()
            } else {
                format!("delivered to WfRun {}", runs.join(", "))
            };
            println!(
                "posted CorrelatedEvent {event} with key {key}: {}; {delivered}",
                shown(posted.content.as_ref(), masked)
            );
        }
    }
    Ok(())
}

async fn get_event(
    client: &LhClient,
    format: Format,
    targets: &[String],
    correlated: Option<&str>,
) -> Res {
    match (targets, correlated) {
        ([event], Some(key)) => {
            let mut ev = client
                .raw()
                .get_correlated_event(CorrelatedEventId {
                    key: key.into(),
                    external_event_def_id: Some(ExternalEventDefId {
                        name: event.clone(),
                    }),
                })
                .await
                .map_err(|e| Fail::Client(format!("CorrelatedEvent `{event}` `{key}`"), rpc(e)))?
                .into_inner();
            if payload_masked(client, event).await? {
                ev.content = Some(masked_value());
            }
            if format == Format::Json {
                return print_json(&ev);
            }
            let runs: Vec<String> = ev
                .external_events
                .iter()
                .filter_map(|e| e.wf_run_id.as_ref().map(wf_run_id_text))
                .collect();
            print_text(&fields(&[
                ("CorrelatedEvent", event.clone()),
                ("key", key.into()),
                ("created", time(ev.created_at.as_ref())),
                ("content", format_value(ev.content.as_ref())),
                (
                    "delivered to",
                    if runs.is_empty() {
                        "-".into()
                    } else {
                        runs.join(", ")
                    },
                ),
            ]));
            Ok(())
        }
        ([wf_run, event, guid], None) => {
            let mut ev = client
                .raw()
                .get_external_event(ExternalEventId {
                    wf_run_id: Some(wf_run_id(wf_run)),
                    external_event_def_id: Some(ExternalEventDefId {
                        name: event.clone(),
                    }),
                    guid: guid.clone(),
                })
                .await
                .map_err(|e| {
                    Fail::Client(
                        format!("ExternalEvent `{event}` `{guid}` of WfRun `{wf_run}`"),
                        rpc(e),
                    )
                })?
                .into_inner();
            mask_events(client, std::slice::from_mut(&mut ev)).await?;
            if format == Format::Json {
                return print_json(&ev);
            }
            print_text(&events_table(std::slice::from_ref(&ev)));
            Ok(())
        }
        (_, Some(key)) => Err(Fail::Msg(format!(
            "a CorrelatedEvent is named by its event and key: `lhc event get --correlated {key} EVENT`"
        ))),
        _ => Err(Fail::Msg(
            "an ExternalEvent is named `WFRUN EVENT GUID` (see `lhc event list WFRUN`)".into(),
        )),
    }
}

/// Whether the ExternalEventDef `name` declares a masked payload.
async fn payload_masked(client: &LhClient, name: &str) -> Result<bool, Fail> {
    let def = client
        .get_external_event_def(name)
        .await
        .map_err(on(format!("ExternalEventDef `{name}`")))?;
    Ok(def
        .and_then(|d| d.type_information)
        .and_then(|t| t.return_type)
        .is_some_and(|t| t.masked))
}

/// Replaces the content of events whose ExternalEventDef declares a masked payload.
async fn mask_events(client: &LhClient, events: &mut [ExternalEvent]) -> Result<(), Fail> {
    let mut masked: BTreeMap<String, bool> = BTreeMap::new();
    for ev in events.iter_mut() {
        let name = ev
            .id
            .as_ref()
            .and_then(|i| i.external_event_def_id.as_ref())
            .map_or_else(String::new, |d| d.name.clone());
        if !masked.contains_key(&name) {
            masked.insert(name.clone(), payload_masked(client, &name).await?);
        }
        if masked.get(&name) == Some(&true) {
            ev.content = Some(masked_value());
        }
    }
    Ok(())
}

fn events_table(events: &[ExternalEvent]) -> String {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let id = e.id.as_ref();
            vec![
                id.and_then(|i| i.external_event_def_id.as_ref())
                    .map_or_else(String::new, |d| d.name.clone()),
                id.map_or_else(String::new, |i| i.guid.clone()),
                time(e.created_at.as_ref()),
                if e.claimed { "yes" } else { "no" }.into(),
                format_value(e.content.as_ref()),
            ]
        })
        .collect();
    table(&["EVENT", "GUID", "POSTED", "CLAIMED", "CONTENT"], &rows)
}

/// No events for a WfRun id that is not a run is a misspelt id, not an empty list (events
/// posted to a run that starts later are listed above, as the server keeps them).
async fn run_exists(client: &LhClient, wf_run: &str) -> Res {
    client
        .get_wf_run(wf_run)
        .await
        .map(|_| ())
        .map_err(|e| Fail::Client(format!("WfRun `{wf_run}`"), e))
}

async fn list_external_events(client: &LhClient, format: Format, wf_run: &str) -> Res {
    let mut events: Vec<ExternalEvent> = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .list_external_events(ListExternalEventsRequest {
                wf_run_id: Some(wf_run_id(wf_run)),
                bookmark,
                limit: None,
            })
            .await
            .map_err(|e| Fail::Client(format!("ExternalEvents of WfRun `{wf_run}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if events.is_empty() {
        run_exists(client, wf_run).await?;
    }
    mask_events(client, &mut events).await?;
    if format == Format::Json {
        return print_json(&events);
    }
    print_text(&events_table(&events));
    Ok(())
}

async fn list_workflow_events(client: &LhClient, format: Format, wf_run: &str) -> Res {
    let events: Vec<WorkflowEvent> = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .list_workflow_events(ListWorkflowEventsRequest {
                wf_run_id: Some(wf_run_id(wf_run)),
                bookmark,
                limit: None,
            })
            .await
            .map_err(|e| Fail::Client(format!("WorkflowEvents of WfRun `{wf_run}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if events.is_empty() {
        run_exists(client, wf_run).await?;
    }
    if format == Format::Json {
        return print_json(&events);
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let id = e.id.as_ref();
            vec![
                id.and_then(|i| i.workflow_event_def_id.as_ref())
                    .map_or_else(String::new, |d| d.name.clone()),
                id.map_or_else(String::new, |i| i.number.to_string()),
                time(e.created_at.as_ref()),
                format_value(e.content.as_ref()),
            ]
        })
        .collect();
    print_text(&table(&["EVENT", "NUMBER", "THROWN", "CONTENT"], &rows));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untyped_content_is_inferred() {
        assert_eq!(infer_value("42").value, Some(Value::Int(42)));
        assert_eq!(infer_value("true").value, Some(Value::Bool(true)));
        assert_eq!(infer_value("hello").value, Some(Value::Str("hello".into())));
        assert_eq!(
            infer_value("{\"a\": 1}").value,
            Some(Value::JsonObj("{\"a\":1}".into()))
        );
    }
}
