//! OAuth access tokens validated as the LittleHorse server validates them: token
//! introspection (RFC 7662) against the identity provider named by `LHS_OAUTH_INTROSPECT_URL`,
//! authenticated with the server's own client credentials (`LHS_OAUTH_CLIENT_ID`,
//! `LHS_OAUTH_CLIENT_SECRET`, or their `_FILE` variants) by HTTP Basic.
//!
//! Server sources followed (littlehorse-enterprises/littlehorse, `server/src/main/java/io/
//! littlehorse/`): `server/auth/authenticators/OAuthAuthenticator.java` (the token is the
//! `authorization` header without `Bearer`; statuses are cached per token, at most 10,000, for
//! 4 hours after they were written; a cached status is valid while it names a client id and
//! its expiry is ahead; refusals are UNAUTHENTICATED, a failing identity provider ABORTED),
//! `server/auth/authenticators/OAuthClient.java` (an inactive token or one without `scope` is
//! refused and not cached; a token whose scope lacks `openid` is a machine client, named by
//! `client_id`, else a person, named by `username`), `sdk-java/.../auth/TokenStatus.java`
//! (validity), `common/LHServerConfig.java` (`getOAuthConfig`). LittleHorse does not validate
//! JWT signatures (no JWKS): every token is introspected, and so does the kernel.

mod cache;
mod http;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ::http::Uri;

use cache::TokenCache;
pub(crate) use cache::TokenStatus;

/// How long one introspection may take, connection included.
pub(crate) const INTROSPECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The kernel's OAuth settings: the introspection endpoint and the kernel's own client
/// credentials at the identity provider.
#[derive(Clone)]
pub struct OAuthConfig {
    client_id: String,
    client_secret: String,
    introspect_url: Uri,
    ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"******")
            .field("introspect_url", &self.introspect_url)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .finish()
    }
}

/// Why OAuth settings cannot be used; the message names the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfigError(pub String);

impl fmt::Display for OAuthConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OAuthConfigError {}

impl OAuthConfig {
    /// Introspection at `introspect_url` with these client credentials. The URL must be
    /// `https://`, or `http://` on a loopback host (the client secret is sent with every
    /// introspection).
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        introspect_url: &str,
    ) -> Result<OAuthConfig, OAuthConfigError> {
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        if client_id.is_empty() {
            return Err(OAuthConfigError("the OAuth client id is empty".into()));
        }
        if client_secret.is_empty() {
            return Err(OAuthConfigError("the OAuth client secret is empty".into()));
        }
        let introspect_url = http::parse_url(introspect_url).map_err(|why| {
            OAuthConfigError(format!(
                "the introspection URL `{introspect_url}` cannot be used: {why}"
            ))
        })?;
        Ok(OAuthConfig {
            client_id,
            client_secret,
            introspect_url,
            ca_pem: None,
        })
    }

    /// Also trusts the CA certificates of `pem` for an `https` identity provider (beside the
    /// machine's roots).
    pub fn with_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Result<OAuthConfig, OAuthConfigError> {
        let pem = pem.into();
        http::check_ca(&pem)?;
        self.ca_pem = Some(pem);
        Ok(self)
    }

    /// The introspection endpoint.
    pub fn introspect_url(&self) -> &Uri {
        &self.introspect_url
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The token is not valid: UNAUTHENTICATED.
    Unauthenticated(String),
    /// The identity provider could not answer: ABORTED, as the server's
    /// `EntityProviderException`.
    Provider(String),
}

impl Refusal {
    /// The gRPC status sent back.
    pub(crate) fn status(&self) -> tonic::Status {
        match self {
            Refusal::Unauthenticated(m) => tonic::Status::unauthenticated(m.clone()),
            Refusal::Provider(m) => tonic::Status::aborted(m.clone()),
        }
    }
}

/// Validates tokens by introspection and remembers the answers.
pub(crate) struct Introspector {
    config: OAuthConfig,
    client: http::Client,
    cache: TokenCache,
}

impl Introspector {
    pub(crate) fn new(config: OAuthConfig) -> Result<Introspector, OAuthConfigError> {
        let client = http::Client::new(config.ca_pem.as_deref())?;
        Ok(Introspector {
            config,
            client,
            cache: TokenCache::default(),
        })
    }

    /// The Principal id `token` stands for (`OAuthAuthenticator.validateToken` and
    /// `updateHeaders`).
    pub(crate) async fn principal_of(&self, token: &str) -> Result<String, Refusal> {
        if token.is_empty() {
            return Err(Refusal::Unauthenticated("Token is empty".into()));
        }
        let status = match self.cache.get(token) {
            Some(s) => s,
            None => {
                let s = self.introspect(token).await?;
                self.cache.put(token, s.clone());
                s
            }
        };
        if !status.is_valid(SystemTime::now()) {
            return Err(Refusal::Unauthenticated("Token is not active".into()));
        }
        status.principal().ok_or_else(|| {
            Refusal::Unauthenticated(
                "the token names no user (a token with the `openid` scope needs a `username`)"
                    .into(),
            )
        })
    }

    async fn introspect(&self, token: &str) -> Result<TokenStatus, Refusal> {
        let url = &self.config.introspect_url;
        let body = format!("token={}", http::form_encode(token));
        let exchange = self.client.post_form(
            url,
            &self.config.client_id,
            &self.config.client_secret,
            body,
        );
        let (code, body) = match tokio::time::timeout(INTROSPECT_TIMEOUT, exchange).await {
            Ok(Ok(r)) => (r.status.as_u16(), r.body),
            Ok(Err(e)) => {
                return Err(Refusal::Provider(format!(
                    "cannot introspect the token at {url}: {e}"
                )));
            }
            Err(_) => {
                return Err(Refusal::Provider(format!(
                    "cannot introspect the token at {url}: no answer within {} s",
                    INTROSPECT_TIMEOUT.as_secs()
                )));
            }
        };
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        if !(200..300).contains(&code) {
            let detail = json
                .as_ref()
                .and_then(|j| j.get("error")?.as_str().map(str::to_string))
                .unwrap_or_else(|| http::snippet(&body));
            return Err(Refusal::Provider(format!(
                "Error getting the token status: the identity provider at {url} answered HTTP \
                 {code}: {detail}"
            )));
        }
        let Some(json) = json else {
            return Err(Refusal::Provider(format!(
                "Error getting the token status: the identity provider at {url} answered \
                 without JSON: {}",
                http::snippet(&body)
            )));
        };
        TokenStatus::from_introspection(&json)
    }
}

/// The kernel-side handle of an [`Introspector`], shared by the access layer.
pub(crate) type SharedIntrospector = Arc<Introspector>;
