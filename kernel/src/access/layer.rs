//! The access layer around the LittleHorse service: it authenticates every call, resolves
//! its tenant and Principal, checks the RPC against the Principal's ACLs and runs the RPC with
//! that [`CallContext`](super::CallContext); a refused call never reaches the service.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tonic::Status;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

use super::directory::Directory;
use super::{ANONYMOUS, CALL, CallContext, DEFAULT_TENANT, TENANT_HEADER, acl};
use crate::auth::{BearerAuth, bearer_token};
use crate::log::Logger;
use crate::oauth::{Refusal, SharedIntrospector};

/// What the layer needs: how tokens are judged and where principals and tenants live.
pub(crate) struct Access {
    pub(crate) auth: Option<BearerAuth>,
    /// OAuth token introspection (wins over `auth`).
    pub(crate) oauth: Option<SharedIntrospector>,
    pub(crate) log: Logger,
    pub(crate) directory: Arc<Directory>,
}

/// The service `S` behind the access checks.
#[derive(Clone)]
pub(crate) struct AccessService<S> {
    inner: S,
    access: Arc<Access>,
}

impl<S> AccessService<S> {
    pub(crate) fn new(inner: S, access: Arc<Access>) -> AccessService<S> {
        AccessService { inner, access }
    }
}

impl<S: NamedService> NamedService for AccessService<S> {
    const NAME: &'static str = S::NAME;
}

/// The common name of the first certificate the client presented (`MTLSAuthenticator`:
/// a certificate without one is the anonymous Principal).
fn client_cn(ext: &http::Extensions) -> Option<String> {
    let certs = ext.get::<TlsConnectInfo<TcpConnectInfo>>()?.peer_certs()?;
    let first = certs.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(first.as_ref()).ok()?;
    let cn = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string);
    Some(cn.unwrap_or_else(|| ANONYMOUS.to_string()))
}

impl Access {
    /// The Principal id of a call: from its bearer token when tokens are required, else
    /// from its client certificate, else anonymous.
    async fn authenticate(&self, req: &http::request::Parts) -> Result<String, Status> {
        if let Some(oauth) = &self.oauth {
            let token = bearer_token(req.headers.get("authorization").map(|v| v.as_bytes()))?;
            return oauth.principal_of(&token).await.map_err(|r| {
                if let Refusal::Provider(why) = &r {
                    self.log.warn(why);
                }
                r.status()
            });
        }
        if let Some(auth) = &self.auth {
            let token = bearer_token(req.headers.get("authorization").map(|v| v.as_bytes()))?;
            let auth = auth.clone();
            let who = tokio::task::spawn_blocking(move || auth.authenticate(&token))
                .await
                .map_err(|_| Status::internal("the token check stopped"))?
                .map_err(|why| crate::auth::refused(&why))?;
            return Ok(who.unwrap_or_else(|| ANONYMOUS.to_string()));
        }
        Ok(client_cn(&req.extensions).unwrap_or_else(|| ANONYMOUS.to_string()))
    }

    /// Admits a call to `method`, or says why not.
    async fn admit(&self, req: &http::request::Parts, method: &str) -> Result<CallContext, Status> {
        let who = self.authenticate(req).await?;
        let tenant = match req.headers.get(TENANT_HEADER) {
            None => DEFAULT_TENANT.to_string(),
            Some(v) => v
                .to_str()
                .map(|t| t.trim().to_string())
                .map_err(|_| Status::invalid_argument("the tenantid header is not ASCII"))?,
        };
        if !self.directory.tenant_exists(&tenant).await? {
            return Err(Status::permission_denied(format!(
                "Tenant not allowed: there is no tenant `{tenant}`"
            )));
        }
        let principal = match self.directory.principal(&who).await? {
            Some(p) => p,
            // An unknown Principal acts as the anonymous one (`RequestExecutionContext`).
            None => self
                .directory
                .principal(ANONYMOUS)
                .await?
                .unwrap_or_else(super::directory::default_anonymous),
        };
        acl::check(&principal, &tenant, method)
            .map_err(|d| Status::permission_denied(d.message()))?;
        let engine = self.directory.engine_of(&tenant).await?;
        Ok(CallContext { principal, engine })
    }
}

impl<S> tower::Service<http::Request<Body>> for AccessService<S>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let access = self.access.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let method = parts
                .uri
                .path()
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            match access.admit(&parts, &method).await {
                Ok(ctx) => {
                    let req = http::Request::from_parts(parts, body);
                    CALL.scope(ctx, inner.call(req)).await
                }
                Err(status) => Ok(status.into_http()),
            }
        })
    }
}
