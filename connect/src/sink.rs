//! What one record does: the request each connector sends for it, and how its outcome is
//! classified. Requests are idempotent: a redelivered record sends the same WfRunId (RunWf
//! answers ALREADY_EXISTS, taken as done) or the same ExternalEvent guid (the kernel, like
//! LittleHorse, answers with the event already stored).

use lhw_proto::littlehorse::{
    ExternalEventDefId, PutCorrelatedEventRequest, PutExternalEventRequest, RunWfRequest, WfRunId,
};
use lhw_runtime_client::client::RawClient;
use tonic::Code;

use crate::config::{ConnectorConfig, ConnectorKind};
use crate::convert::Datum;

/// A record as the pipeline hands it to a sink.
#[derive(Debug, Clone)]
pub struct SinkRecord {
    /// Where it came from.
    pub topic: String,
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// The converted key.
    pub key: Datum,
    /// The converted value.
    pub value: Datum,
    /// Headers as UTF-8 text (the connectors read `wfRunId` and `parentWfRunId`).
    pub headers: Vec<(String, Option<String>)>,
}

impl SinkRecord {
    /// `<connector>-<topic>-<partition>-<offset>`, as LittleHorse's connectors derive it,
    /// lower-cased with every character but letters, digits and `-` turned into `-` (ids must
    /// be valid hostnames, and topic names may hold `_` and `.`).
    pub fn idempotency_key(&self, connector: &str) -> String {
        format!(
            "{connector}-{}-{}-{}",
            self.topic, self.partition, self.offset
        )
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
    }

    fn header(&self, name: &str) -> Result<Option<&str>, RecordError> {
        match self.headers.iter().rev().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, Some(v))) => Ok(Some(v)),
            Some((_, None)) => Err(RecordError::data(format!(
                "Expected not null {name} header"
            ))),
        }
    }
}

/// Why a record was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Whether trying again later may succeed (the server is unreachable or overloaded).
    pub retriable: bool,
    /// `DataException` for records that cannot be read, else the gRPC code (`INVALID_ARGUMENT`, …).
    pub class: String,
    /// The reason.
    pub message: String,
}

impl RecordError {
    /// A record whose shape does not fit the connector.
    pub fn data(message: impl Into<String>) -> RecordError {
        RecordError {
            retriable: false,
            class: "DataException".into(),
            message: message.into(),
        }
    }

    fn rpc(status: &tonic::Status) -> RecordError {
        let retriable = matches!(
            status.code(),
            Code::Unavailable
                | Code::DeadlineExceeded
                | Code::ResourceExhausted
                | Code::Aborted
                | Code::Unknown
                | Code::Cancelled
        );
        RecordError {
            retriable,
            class: lhw_runtime_client::client::code_name(status.code()).to_string(),
            message: status.message().to_string(),
        }
    }
}

/// What happened to an applied record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The kernel acted on it now.
    Done,
    /// It had been applied before (a redelivery).
    AlreadyDone,
}

/// The request one record becomes.
#[derive(Debug, Clone)]
pub enum SinkRequest {
    /// WfRunSinkConnector.
    RunWf(RunWfRequest),
    /// ExternalEventSinkConnector.
    ExternalEvent(PutExternalEventRequest),
    /// CorrelatedEventSinkConnector.
    CorrelatedEvent(PutCorrelatedEventRequest),
}

/// Builds the request for a record, or says why the record does not fit.
pub fn build_request(cfg: &ConnectorConfig, rec: &SinkRecord) -> Result<SinkRequest, RecordError> {
    let idempotency_key = rec.idempotency_key(&cfg.name);
    match &cfg.kind {
        ConnectorKind::WfRun(s) => {
            let Datum::Json(serde_json::Value::Object(fields)) = &rec.value else {
                return Err(RecordError::data(
                    "Expected schema structure not provided, it should be a key-value pair data set",
                ));
            };
            let variables = fields
                .iter()
                .map(|(k, v)| (k.clone(), crate::convert::json_to_variable_value(v)))
                .collect();
            // As LittleHorse's connector: the `wfRunId` header, else the derived key (the
            // record key is not an id: keyed topics, e.g. the Output Topic, repeat keys).
            let id = match rec.header("wfRunId")? {
                Some(id) => id.to_string(),
                None => idempotency_key,
            };
            let parent = rec
                .header("parentWfRunId")?
                .map(str::to_string)
                .or_else(|| s.parent_id.clone());
            Ok(SinkRequest::RunWf(RunWfRequest {
                wf_spec_name: s.wf_spec_name.clone(),
                major_version: s.major_version,
                revision: s.revision,
                variables,
                id: Some(id),
                parent_wf_run_id: parent.map(|id| WfRunId {
                    id,
                    parent_wf_run_id: None,
                }),
            }))
        }
        ConnectorKind::ExternalEvent { event_name } => {
            let wf_run_id = string_key(rec)?;
            Ok(SinkRequest::ExternalEvent(PutExternalEventRequest {
                wf_run_id: Some(WfRunId {
                    id: wf_run_id.to_string(),
                    parent_wf_run_id: None,
                }),
                external_event_def_id: Some(ExternalEventDefId {
                    name: event_name.clone(),
                }),
                guid: Some(idempotency_key),
                content: Some(rec.value.to_variable_value()),
                ..Default::default()
            }))
        }
        ConnectorKind::CorrelatedEvent { event_name } => {
            let key = match rec.header("correlationId")? {
                Some(k) => k.to_string(),
                None => string_key(rec)?.to_string(),
            };
            Ok(SinkRequest::CorrelatedEvent(PutCorrelatedEventRequest {
                key,
                external_event_def_id: Some(ExternalEventDefId {
                    name: event_name.clone(),
                }),
                content: Some(rec.value.to_variable_value()),
            }))
        }
    }
}

fn string_key(rec: &SinkRecord) -> Result<&str, RecordError> {
    rec.key.as_str().filter(|k| !k.is_empty()).ok_or_else(|| {
        RecordError::data("Expected schema structure not provided, key should be a String object")
    })
}

/// Sends a request. ALREADY_EXISTS is a redelivery of a record already applied.
pub async fn apply(client: &mut RawClient, req: SinkRequest) -> Result<Applied, RecordError> {
    let result = match req {
        SinkRequest::RunWf(r) => client.run_wf(r).await.map(|_| ()),
        SinkRequest::ExternalEvent(r) => client.put_external_event(r).await.map(|_| ()),
        SinkRequest::CorrelatedEvent(r) => client.put_correlated_event(r).await.map(|_| ()),
    };
    match result {
        Ok(()) => Ok(Applied::Done),
        Err(s) if s.code() == Code::AlreadyExists => Ok(Applied::AlreadyDone),
        Err(s) => Err(RecordError::rpc(&s)),
    }
}
