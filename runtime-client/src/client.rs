//! The typed client, and the one place that opens a connection to a LittleHorse server
//! ([`connect_channel`]): TLS and mTLS (rustls) or PLAINTEXT, the `tenantid` header, OAuth
//! bearer tokens, a bounded connect timeout and a bounded time per unary call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use lhw_proto::littlehorse::{
    ExternalEventDef, ExternalEventDefId, GetLatestWfSpecRequest, ListVariablesRequest,
    PutExternalEventDefRequest, PutStructDefRequest, PutTaskDefRequest, PutUserTaskDefRequest,
    PutWfSpecRequest, PutWorkflowEventDefRequest, RunWfRequest, StructDef, StructDefId, TaskDef,
    TaskDefId, UserTaskDef, Variable, WfRun, WfSpec, WorkflowEventDef, WorkflowEventDefId,
};
use tonic::body::Body;
use tonic::codegen::Service;
use tonic::codegen::http;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};

use crate::config::{self, Config, ConfigError, Protocol};
use crate::oauth::{Credentials, OAuthError, TokenSource};
use crate::probe::{ProbeError, probe};
use crate::tls::{Roots, TlsMaterial};

/// How long to wait for the connection (TCP, TLS handshake and HTTP/2).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one unary call may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection to a LittleHorse server: a tonic [`Channel`] (PLAINTEXT or TLS) that adds, on
/// every call, the `tenantid` header (`LHC_TENANT_ID`) and, with OAuth, `authorization:
/// Bearer <token>` (requesting a new token shortly before the current one expires). Cheap to
/// clone; wrap it in the generated client with `LittleHorseClient::new(channel)`.
#[derive(Debug, Clone)]
pub struct LhChannel {
    inner: Channel,
    tenant: Option<http::HeaderValue>,
    oauth: Option<Arc<TokenSource>>,
    target: String,
}

impl LhChannel {
    /// `host:port` of the server.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The OAuth token source, when client credentials are configured.
    pub fn token_source(&self) -> Option<&Arc<TokenSource>> {
        self.oauth.as_ref()
    }
}

impl Service<http::Request<Body>> for LhChannel {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> Self::Future {
        // The channel that was polled ready serves this call; a clone takes its place.
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        if let Some(t) = &self.tenant {
            req.headers_mut().insert("tenantid", t.clone());
        }
        let oauth = self.oauth.clone();
        Box::pin(async move {
            if let Some(source) = oauth {
                let bearer = source
                    .authorization()
                    .await
                    .map_err(|e| Box::new(Status::unauthenticated(e.to_string())) as BoxError)?;
                req.headers_mut()
                    .insert(http::header::AUTHORIZATION, bearer);
            }
            inner.call(req).await.map_err(Into::into)
        })
    }
}

/// Opens a connection to the server `cfg` names, eagerly: an unreachable server, a failed TLS
/// handshake or refused OAuth credentials are reported here, within [`CONNECT_TIMEOUT`] (plus
/// the token request's own bound). Every client of this crate (the typed [`LhClient`], task
/// workers) connects through this function.
pub async fn connect_channel(cfg: &Config) -> Result<LhChannel, ClientError> {
    cfg.validate()
        .map_err(|e| ClientError::Config(Box::new(e)))?;
    let target = cfg.target();
    let tenant = match cfg.tenant_id() {
        Some(t) => Some(http::HeaderValue::from_str(t).map_err(|_| {
            ClientError::Config(Box::new(ConfigError::BadTenantId {
                value: t.to_string(),
            }))
        })?),
        None => None,
    };
    let tls = match cfg.protocol() {
        Protocol::Tls => {
            Some(TlsMaterial::load(cfg).map_err(|e| ClientError::Config(Box::new(e)))?)
        }
        Protocol::Plaintext => None,
    };
    let oauth = match (Credentials::from_config(cfg), &tls) {
        (Err(e), _) => return Err(ClientError::Config(Box::new(e))),
        (Ok(Some(creds)), Some(tls)) => {
            let https = tls
                .https_config()
                .map_err(|e| ClientError::Config(Box::new(e)))?;
            Some(Arc::new(TokenSource::new(creds, https)))
        }
        // `validate` refuses OAuth without TLS.
        (Ok(_), _) => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut endpoint = Endpoint::from_shared(format!("{scheme}://{target}"))
        .map_err(|e| {
            ClientError::Config(Box::new(ConfigError::BadAddress {
                target: target.clone(),
                reason: e.to_string(),
            }))
        })?
        .connect_timeout(CONNECT_TIMEOUT)
        .http2_keep_alive_interval(Duration::from_secs(45))
        .keep_alive_timeout(Duration::from_secs(5));
    if let Some(t) = &tls {
        endpoint = endpoint
            .tls_config(t.tonic().timeout(CONNECT_TIMEOUT))
            .map_err(|e| {
                ClientError::Config(Box::new(ConfigError::Tls {
                    reason: root_cause(&e),
                }))
            })?;
    }
    let probed = tokio::time::timeout(
        CONNECT_TIMEOUT,
        probe(cfg.api_host(), cfg.api_port(), tls.as_ref()),
    )
    .await;
    match probed {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(probe_failure(e, target, cfg, tls.as_ref())),
        Err(_) => {
            return Err(ClientError::Connect {
                target,
                detail: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            });
        }
    }
    // The first token is requested before connecting, so that wrong credentials are reported
    // as such rather than as a refused call.
    if let Some(source) = &oauth {
        source
            .authorization()
            .await
            .map_err(|e| ClientError::OAuth(Box::new(e)))?;
    }
    let inner =
        match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), endpoint.connect())
            .await
        {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                let detail = root_cause(&e);
                return Err(match &tls {
                    Some(tls) if is_tls_failure(&detail) => ClientError::Tls {
                        target: target.clone(),
                        detail: explain_tls_failure(&detail, cfg, tls),
                    },
                    _ => ClientError::Connect { target, detail },
                });
            }
            Err(_) => {
                return Err(ClientError::Connect {
                    target,
                    detail: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                });
            }
        };
    Ok(LhChannel {
        inner,
        tenant,
        oauth,
        target,
    })
}

/// The error for a failed pre-flight probe, naming the setting most likely at fault.
fn probe_failure(
    err: ProbeError,
    target: String,
    cfg: &Config,
    tls: Option<&TlsMaterial>,
) -> ClientError {
    match err {
        ProbeError::Unreachable(detail) => ClientError::Connect { target, detail },
        ProbeError::Tls(detail) => ClientError::Tls {
            target,
            detail: match tls {
                Some(tls) => explain_tls_failure(&detail, cfg, tls),
                None => detail,
            },
        },
        ProbeError::SpeaksTls => ClientError::Refused {
            target,
            detail: format!(
                "it speaks TLS but the protocol is PLAINTEXT ({}); set {}=TLS",
                protocol_setting(cfg),
                config::API_PROTOCOL
            ),
        },
        ProbeError::Closed => {
            let hint = match tls {
                None => format!(
                    "; if it expects TLS, set {}=TLS ({})",
                    config::API_PROTOCOL,
                    protocol_setting(cfg)
                ),
                Some(t) if t.identity.is_none() => format!(
                    "; if it requires a client certificate (mTLS), set {} and {}",
                    config::CLIENT_CERT,
                    config::CLIENT_KEY
                ),
                Some(_) => String::new(),
            };
            ClientError::Refused {
                target,
                detail: format!("it closed the connection without answering{hint}"),
            }
        }
    }
}

/// `LHC_API_PROTOCOL=... from ...`, or that it is not set.
fn protocol_setting(cfg: &Config) -> String {
    match cfg.get(config::API_PROTOCOL) {
        Some(p) => format!(
            "{}={p} from {}",
            config::API_PROTOCOL,
            cfg.source(config::API_PROTOCOL)
        ),
        None => format!("{} is not set", config::API_PROTOCOL),
    }
}

/// The generated tonic client over an [`LhChannel`].
pub type RawClient = LittleHorseClient<LhChannel>;

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The configuration is unusable (boxed: keeps `Result<_, ClientError>` small).
    Config(Box<ConfigError>),
    /// The server could not be reached.
    Connect {
        /// `host:port`.
        target: String,
        /// What went wrong (refused, timed out, ...).
        detail: String,
    },
    /// The server was reached but the TLS handshake failed.
    Tls {
        /// `host:port`.
        target: String,
        /// What went wrong, and which setting is likely at fault.
        detail: String,
    },
    /// The server was reached but cannot be talked to as configured (e.g. it speaks TLS to a
    /// PLAINTEXT client).
    Refused {
        /// `host:port`.
        target: String,
        /// What went wrong, and which setting is likely at fault.
        detail: String,
    },
    /// No OAuth token could be had from the token endpoint (boxed, as `Config`).
    OAuth(Box<OAuthError>),
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
            ClientError::Config(e) => write!(f, "{e}"),
            ClientError::OAuth(e) => write!(f, "{e}"),
            ClientError::Connect { target, detail } => {
                write!(
                    f,
                    "cannot reach the LittleHorse server at {target}: {detail}"
                )
            }
            ClientError::Refused { target, detail } => {
                write!(f, "cannot use the LittleHorse server at {target}: {detail}")
            }
            ClientError::Tls { target, detail } => {
                write!(f, "TLS handshake with {target} failed: {detail}")
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

/// Whether a connection error comes from the TLS layer (rustls' messages).
fn is_tls_failure(detail: &str) -> bool {
    [
        "certificate",
        "alert",
        "corrupt message",
        "HTTP/2 was not negotiated",
        "TLS",
        "tls",
    ]
    .iter()
    .any(|k| detail.contains(k))
}

/// Whose certificate a TLS failure is about.
#[derive(Debug, PartialEq, Eq)]
enum CertificateOwner {
    /// Ours: the server sent a CertificateExpired alert about it.
    Client,
    /// The server's: our own verifier found it expired.
    Server,
}

/// Whose certificate has expired, if `detail` (rustls' message) says one has.
/// The server refusing our certificate reaches us as a received alert
/// ("received fatal alert: CertificateExpired"); our verifier refusing the
/// server's says "invalid peer certificate: Expired".
fn expired_certificate(detail: &str) -> Option<CertificateOwner> {
    if detail.contains("alert: CertificateExpired") {
        Some(CertificateOwner::Client)
    } else if detail.contains("Expired") {
        Some(CertificateOwner::Server)
    } else {
        None
    }
}

/// A rustls error, with the setting most likely at fault.
fn explain_tls_failure(detail: &str, cfg: &Config, tls: &TlsMaterial) -> String {
    let hint = if detail.contains("UnknownIssuer") {
        match &tls.roots {
            Roots::CaFile(path) => format!(
                "the server's certificate is not signed by the CA in {}={path} (from {})",
                config::CA_CERT,
                cfg.source(config::CA_CERT)
            ),
            Roots::Platform | Roots::Mozilla => format!(
                "the server's certificate is not signed by a CA this machine trusts; set {} to \
                 the CA certificate (PEM) that signed it",
                config::CA_CERT
            ),
        }
    } else if detail.contains("NotValidForName") {
        format!(
            "the server's certificate is not valid for the name {} ({}); connect with a name \
             the certificate lists",
            cfg.api_host(),
            config::API_HOST
        )
    } else if expired_certificate(detail) == Some(CertificateOwner::Client) {
        format!(
            "the server refused our client certificate in {}={} (from {}): it has expired",
            config::CLIENT_CERT,
            cfg.get(config::CLIENT_CERT).unwrap_or(""),
            cfg.source(config::CLIENT_CERT)
        )
    } else if expired_certificate(detail) == Some(CertificateOwner::Server) {
        "the server's certificate has expired".to_string()
    } else if detail.contains("corrupt message") || detail.contains("InvalidContentType") {
        format!(
            "the server does not speak TLS; is it a PLAINTEXT server? ({})",
            protocol_setting(cfg)
        )
    } else if detail.contains("CertificateRequired") || detail.contains("HandshakeFailure") {
        match tls.identity {
            None => format!(
                "the server requires a client certificate (mTLS); set {} and {}",
                config::CLIENT_CERT,
                config::CLIENT_KEY
            ),
            Some(_) => format!(
                "the server did not accept the client certificate in {}",
                config::CLIENT_CERT
            ),
        }
    } else if detail.contains("UnknownCA") || detail.contains("BadCertificate") {
        format!(
            "the server does not trust the client certificate in {}={} (from {})",
            config::CLIENT_CERT,
            cfg.get(config::CLIENT_CERT).unwrap_or(""),
            cfg.source(config::CLIENT_CERT)
        )
    } else {
        return detail.to_string();
    };
    format!("{detail}: {hint}")
}

impl LhClient {
    /// Connects eagerly (see [`connect_channel`]).
    pub async fn connect(cfg: &Config) -> Result<LhClient, ClientError> {
        let channel = connect_channel(cfg).await?;
        Ok(LhClient::from_channel(channel))
    }

    /// A client over an already opened connection.
    pub fn from_channel(channel: LhChannel) -> LhClient {
        let target = channel.target().to_string();
        let raw = LittleHorseClient::new(channel).max_decoding_message_size(64 * 1024 * 1024);
        LhClient { raw, target }
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

    /// GetWfRun; `id` in text form (`parent_child` for a child WfRun, see [`crate::ids`]).
    pub async fn get_wf_run(&self, id: &str) -> Result<WfRun, ClientError> {
        let mut c = self.raw.clone();
        let id = crate::ids::parse_wf_run_id(id);
        self.call("GetWfRun", c.get_wf_run(id)).await
    }

    /// Every Variable of a WfRun (all pages); `id` in text form, as for [`Self::get_wf_run`].
    pub async fn list_variables(&self, id: &str) -> Result<Vec<Variable>, ClientError> {
        let mut out = Vec::new();
        let mut bookmark = None;
        loop {
            let mut c = self.raw.clone();
            let req = ListVariablesRequest {
                wf_run_id: Some(crate::ids::parse_wf_run_id(id)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_certificate_is_named_by_its_owner() {
        assert_eq!(
            expired_certificate("received fatal alert: CertificateExpired"),
            Some(CertificateOwner::Client)
        );
        assert_eq!(
            expired_certificate("invalid peer certificate: Expired"),
            Some(CertificateOwner::Server)
        );
        assert_eq!(
            expired_certificate("invalid peer certificate: UnknownIssuer"),
            None
        );
    }
}
