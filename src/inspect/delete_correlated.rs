//! `lhc delete correlated-event KEY --event-def NAME` (DeleteCorrelatedEvent).
//!
//! LittleHorse deletes a CorrelatedEvent that does not exist without an error
//! (`DeleteCorrelatedEventRequestModel.process` in server/src/main/java/io/littlehorse/common/
//! model/corecommand/subcommand/). Like `lhc delete wfrun`, lhc reads the event first so that a
//! wrong key or event name is reported rather than "deleted"; a misspelt ExternalEventDef
//! gets a "did you mean".

use lhw_proto::littlehorse::{CorrelatedEventId, DeleteCorrelatedEventRequest, ExternalEventDefId};
use lhw_runtime_client::LhClient;
use tonic::Code;

use super::exec::{Fail, rpc};
use super::list_defs::{DefKind, names};

/// Deletes the CorrelatedEvent `key` of `event_def`; returns how it is shown (`KEY of EVENT`).
pub(crate) async fn delete_correlated_event(
    client: &LhClient,
    key: &str,
    event_def: &str,
) -> Result<String, Fail> {
    let id = CorrelatedEventId {
        key: key.into(),
        external_event_def_id: Some(ExternalEventDefId {
            name: event_def.into(),
        }),
    };
    let shown = format!("`{key}` of `{event_def}`");
    if let Err(e) = client.raw().get_correlated_event(id.clone()).await {
        if e.code() != Code::NotFound {
            return Err(Fail::Client(format!("CorrelatedEvent {shown}"), rpc(e)));
        }
        let known = names(client, DefKind::Event).await?;
        if !known.iter().any(|n| n == event_def) {
            let mut msg = format!(
                "no ExternalEventDef `{event_def}` on {} (see `lhc list event-defs`)",
                client.target()
            );
            if let Some(c) =
                lhw_compiler::check::closest(event_def, known.iter().map(String::as_str))
            {
                msg.push_str(&format!("\n  help: did you mean `{c}`?"));
            }
            return Err(Fail::Msg(msg));
        }
        return Err(Fail::Msg(format!(
            "no CorrelatedEvent {shown} on {}: nothing deleted (see `lhc search correlated-events {event_def}`)",
            client.target()
        )));
    }
    client
        .raw()
        .delete_correlated_event(DeleteCorrelatedEventRequest { id: Some(id) })
        .await
        .map_err(|e| Fail::Client(format!("CorrelatedEvent {shown}"), rpc(e)))?;
    Ok(format!("{key} of {event_def}"))
}
