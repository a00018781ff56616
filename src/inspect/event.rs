//! `lhc event`: posting ExternalEvents.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{
    ExternalEvent, ExternalEventDefId, PutExternalEventRequest, VariableValue,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::values::{parse_value, type_name};

use super::exec::{Fail, Res, execute, on, rpc, wf_run_id};
use super::render::{masked_value, print_json, shown};
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
    /// Post an ExternalEvent to a WfRun (PutExternalEvent).
    #[command(
        long_about = "Post an ExternalEvent of the ExternalEventDef EVENT to the WfRun WFRUN. \
            `--content` is parsed according to the event's payload type when the \
            ExternalEventDef declares one (int, double, bool, str, json-obj/json-arr as JSON, \
            timestamp as RFC 3339); without a declared type, a JSON number, boolean, object \
            or array is sent as such and anything else as a string."
    )]
    Post {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The ExternalEventDef name.
        #[arg(value_name = "EVENT")]
        event: String,
        /// The payload.
        #[arg(long, value_name = "VALUE")]
        content: Option<String>,
        /// The event's GUID (makes posting idempotent; the server picks one when omitted).
        #[arg(long, value_name = "GUID")]
        guid: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Runs `lhc event`.
pub(crate) fn run(args: &EventArgs, style: Style) -> ExitCode {
    match &args.what {
        EventCommand::Post {
            wf_run,
            event,
            content,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            post_event(c, f, wf_run, event, content.as_deref(), guid.clone()).await
        }),
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

pub(crate) async fn post_event(
    client: &LhClient,
    format: Format,
    wf_run: &str,
    event: &str,
    content: Option<&str>,
    guid: Option<String>,
) -> Res {
    let def = client
        .get_external_event_def(event)
        .await
        .map_err(on(format!("ExternalEventDef `{event}`")))?
        .ok_or_else(|| {
            Fail::Msg(format!(
                "no ExternalEventDef `{event}` on {} (declare it with `event {event}: TYPE` and \
                 deploy)",
                client.target()
            ))
        })?;
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
    let mut raw = client.raw();
    let mut posted: ExternalEvent = raw
        .put_external_event(PutExternalEventRequest {
            wf_run_id: Some(wf_run_id(wf_run)),
            external_event_def_id: Some(ExternalEventDefId { name: event.into() }),
            guid,
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
    println!(
        "posted ExternalEvent {event} {guid} to WfRun {wf_run}: {}",
        shown(posted.content.as_ref(), masked)
    );
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
