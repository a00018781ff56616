//! The typed client: a tonic channel to `littlehorse.LittleHorse` with the `tenantid`
//! header, a bounded connect timeout and a bounded time per unary call.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    ExternalEventDef, ExternalEventDefId, GetLatestWfSpecRequest, ListVariablesRequest,
    PutExternalEventDefRequest, PutStructDefRequest, PutTaskDefRequest, PutUserTaskDefRequest,
    PutWfSpecRequest, PutWorkflowEventDefRequest, RunWfRequest, StructDef, StructDefId, TaskDef,
    TaskDefId, UserTaskDef, Variable, WfRun, WfRunId, WfSpec, WorkflowEventDef, WorkflowEventDefId,
};
use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};

use crate::config::{self, Config, Protocol};

/// How long to wait for the TCP/HTTP2 connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one unary call may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Adds the `tenantid` header to every call, as the official SDKs do.
#[derive(Debug, Clone, Default)]
pub struct TenantHeader {
    tenant: Option<AsciiMetadataValue>,
}

impl Interceptor for TenantHeader {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        if let Some(t) = &self.tenant {
            request.metadata_mut().insert("tenantid", t.clone());
        }
        Ok(request)
    }
}

/// The generated tonic client with our interceptor.
pub type RawClient = LittleHorseClient<InterceptedService<Channel, TenantHeader>>;

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The configuration is unusable.
    Config(String),
    /// The server could not be reached.
    Connect {
        /// `host:port`.
        target: String,
        /// What went wrong (refused, timed out, ...).
        detail: String,
    },
    /// The server answered with an error status.
    Rpc(Status),
    /// A call did not answer within [`CALL_TIMEOUT`].
    Timeout {
        /// The RPC.
        rpc: &'static str,
    },
}

impl ClientError {
    /// The gRPC status code, for server errors.
    pub fn code(&self) -> Option<Code> {
        match self {
            ClientError::Rpc(s) => Some(s.code()),
            _ => None,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Config(m) => write!(f, "{m}"),
            ClientError::Connect { target, detail } => {
                write!(
                    f,
                    "cannot reach the LittleHorse server at {target}: {detail}"
                )
            }
            ClientError::Rpc(s) => write!(f, "{}: {}", code_name(s.code()), s.message()),
            ClientError::Timeout { rpc } => write!(
                f,
                "{rpc}: the server did not answer within {} s",
                CALL_TIMEOUT.as_secs()
            ),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<Status> for ClientError {
    fn from(s: Status) -> Self {
        ClientError::Rpc(s)
    }
}

/// `NOT_FOUND`, `INVALID_ARGUMENT`, ... as LittleHorse prints them.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// A connected LittleHorse client.
#[derive(Debug, Clone)]
pub struct LhClient {
    raw: RawClient,
    target: String,
}

/// The innermost cause of an error, e.g. `Connection refused` rather than `transport error`.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = cur.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl LhClient {
    /// Connects eagerly (so an unreachable server is reported here, within
    /// [`CONNECT_TIMEOUT`]).
    pub async fn connect(cfg: &Config) -> Result<LhClient, ClientError> {
        if cfg.protocol() == Protocol::Tls {
            return Err(ClientError::Config(format!(
                "{}=TLS (from {}): TLS is not supported by this version of the lhw client yet; \
                 use PLAINTEXT",
                config::API_PROTOCOL,
                cfg.source(config::API_PROTOCOL)
            )));
        }
        if cfg.has_oauth() {
            return Err(ClientError::Config(format!(
                "{} (from {}): OAuth client credentials need TLS, which this version of the lhw \
                 client does not support yet",
                config::OAUTH_CLIENT_ID,
                cfg.source(config::OAUTH_CLIENT_ID)
            )));
        }
        let target = cfg.target();
        let tenant = match cfg.tenant_id() {
            Some(t) => Some(AsciiMetadataValue::try_from(t).map_err(|_| {
                ClientError::Config(format!(
                    "{}={t}: a tenant id must be printable ASCII",
                    config::TENANT_ID
                ))
            })?),
            None => None,
        };
        let endpoint = Endpoint::from_shared(format!("http://{target}"))
            .map_err(|e| ClientError::Config(format!("invalid server address {target}: {e}")))?
            .connect_timeout(CONNECT_TIMEOUT)
            .http2_keep_alive_interval(Duration::from_secs(45))
            .keep_alive_timeout(Duration::from_secs(5));
        let channel = match tokio::time::timeout(
            CONNECT_TIMEOUT + Duration::from_secs(1),
            endpoint.connect(),
        )
        .await
        {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                return Err(ClientError::Connect {
                    target,
                    detail: root_cause(&e),
                });
            }
            Err(_) => {
                return Err(ClientError::Connect {
                    target,
                    detail: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                });
            }
        };
        let raw = LittleHorseClient::with_interceptor(channel, TenantHeader { tenant })
            .max_decoding_message_size(64 * 1024 * 1024);
        Ok(LhClient { raw, target })
    }

    /// `host:port` of the server.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The generated client, for RPCs without a typed wrapper here (e.g. streams).
    pub fn raw(&self) -> RawClient {
        self.raw.clone()
    }

    async fn call<T, F>(&self, rpc: &'static str, fut: F) -> Result<T, ClientError>
    where
        F: Future<Output = Result<tonic::Response<T>, Status>>,
    {
        match tokio::time::timeout(CALL_TIMEOUT, fut).await {
            Ok(Ok(r)) => Ok(r.into_inner()),
            Ok(Err(s)) => Err(connect_or_rpc(&self.target, s)),
            Err(_) => Err(ClientError::Timeout { rpc }),
        }
    }

    async fn optional<T, F>(&self, rpc: &'static str, fut: F) -> Result<Option<T>, ClientError>
    where
        F: Future<Output = Result<tonic::Response<T>, Status>>,
    {
        match self.call(rpc, fut).await {
            Ok(v) => Ok(Some(v)),
            Err(ClientError::Rpc(s)) if s.code() == Code::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GetTaskDef (`None` when NOT_FOUND).
    pub async fn get_task_def(&self, name: &str) -> Result<Option<TaskDef>, ClientError> {
        let mut c = self.raw.clone();
        let id = TaskDefId { name: name.into() };
        self.optional("GetTaskDef", c.get_task_def(id)).await
    }

    /// PutTaskDef.
    pub async fn put_task_def(&self, req: PutTaskDefRequest) -> Result<TaskDef, ClientError> {
        let mut c = self.raw.clone();
        self.call("PutTaskDef", c.put_task_def(req)).await
    }

    /// GetExternalEventDef (`None` when NOT_FOUND).
    pub async fn get_external_event_def(
        &self,
        name: &str,
    ) -> Result<Option<ExternalEventDef>, ClientError> {
        let mut c = self.raw.clone();
        let id = ExternalEventDefId { name: name.into() };
        self.optional("GetExternalEventDef", c.get_external_event_def(id))
            .await
    }

    /// PutExternalEventDef.
    pub async fn put_external_event_def(
        &self,
        req: PutExternalEventDefRequest,
    ) -> Result<ExternalEventDef, ClientError> {
        let mut c = self.raw.clone();
        self.call("PutExternalEventDef", c.put_external_event_def(req))
            .await
    }

    /// GetWorkflowEventDef (`None` when NOT_FOUND).
    pub async fn get_workflow_event_def(
        &self,
        name: &str,
    ) -> Result<Option<WorkflowEventDef>, ClientError> {
        let mut c = self.raw.clone();
        let id = WorkflowEventDefId { name: name.into() };
        self.optional("GetWorkflowEventDef", c.get_workflow_event_def(id))
            .await
    }

    /// PutWorkflowEventDef.
    pub async fn put_workflow_event_def(
        &self,
        req: PutWorkflowEventDefRequest,
    ) -> Result<WorkflowEventDef, ClientError> {
        let mut c = self.raw.clone();
        self.call("PutWorkflowEventDef", c.put_workflow_event_def(req))
            .await
    }

    /// The latest StructDef (`None` when NOT_FOUND).
    pub async fn get_latest_struct_def(
        &self,
        name: &str,
    ) -> Result<Option<StructDef>, ClientError> {
        let mut c = self.raw.clone();
        let id = StructDefId {
            name: name.into(),
            version: -1,
        };
        self.optional("GetStructDef", c.get_struct_def(id)).await
    }

    /// PutStructDef.
    pub async fn put_struct_def(&self, req: PutStructDefRequest) -> Result<StructDef, ClientError> {
        let mut c = self.raw.clone();
        self.call("PutStructDef", c.put_struct_def(req)).await
    }

    /// GetLatestUserTaskDef (`None` when NOT_FOUND).
    pub async fn get_latest_user_task_def(
        &self,
        name: &str,
    ) -> Result<Option<UserTaskDef>, ClientError> {
        let mut c = self.raw.clone();
        let req = lhw_proto::littlehorse::GetLatestUserTaskDefRequest { name: name.into() };
        self.optional("GetLatestUserTaskDef", c.get_latest_user_task_def(req))
            .await
    }

    /// PutUserTaskDef.
    pub async fn put_user_task_def(
        &self,
        req: PutUserTaskDefRequest,
    ) -> Result<UserTaskDef, ClientError> {
        let mut c = self.raw.clone();
        self.call("PutUserTaskDef", c.put_user_task_def(req)).await
    }

    /// GetLatestWfSpec (`None` when NOT_FOUND).
    pub async fn get_latest_wf_spec(&self, name: &str) -> Result<Option<WfSpec>, ClientError> {
        let mut c = self.raw.clone();
        let req = GetLatestWfSpecRequest {
            name: name.into(),
            major_version: None,
        };
        self.optional("GetLatestWfSpec", c.get_latest_wf_spec(req))
            .await
    }

    /// PutWfSpec.
    pub async fn put_wf_spec(&self, req: PutWfSpecRequest) -> Result<WfSpec, ClientError> {
        let mut c = self.raw.clone();
        self.call("PutWfSpec", c.put_wf_spec(req)).await
    }

    /// RunWf.
    pub async fn run_wf(&self, req: RunWfRequest) -> Result<WfRun, ClientError> {
        let mut c = self.raw.clone();
        self.call("RunWf", c.run_wf(req)).await
    }

    /// GetWfRun of a top-level WfRun.
    pub async fn get_wf_run(&self, id: &str) -> Result<WfRun, ClientError> {
        let mut c = self.raw.clone();
        let id = WfRunId {
            id: id.into(),
            parent_wf_run_id: None,
        };
        self.call("GetWfRun", c.get_wf_run(id)).await
    }

    /// Every Variable of a WfRun (all pages).
    pub async fn list_variables(&self, id: &str) -> Result<Vec<Variable>, ClientError> {
        let mut out = Vec::new();
        let mut bookmark = None;
        loop {
            let mut c = self.raw.clone();
            let req = ListVariablesRequest {
                wf_run_id: Some(WfRunId {
                    id: id.into(),
                    parent_wf_run_id: None,
                }),
                bookmark: bookmark.take(),
                limit: None,
            };
            let page = self.call("ListVariables", c.list_variables(req)).await?;
            out.extend(page.results);
            match page.bookmark {
                Some(b) if !b.is_empty() => bookmark = Some(b),
                _ => return Ok(out),
            }
        }
    }
}

/// A status that really means "could not talk to the server" becomes [`ClientError::Connect`].
fn connect_or_rpc(target: &str, s: Status) -> ClientError {
    if s.code() == Code::Unavailable && s.message().contains("transport") {
        return ClientError::Connect {
            target: target.to_string(),
            detail: s.message().to_string(),
        };
    }
    ClientError::Rpc(s)
}
