//! OAuth 2.0 client credentials, as the official SDKs use them: `LHC_OAUTH_CLIENT_ID`,
//! `LHC_OAUTH_CLIENT_SECRET` and `LHC_OAUTH_ACCESS_TOKEN_URL`. A token is requested with
//! `POST grant_type=client_credentials` and HTTP Basic client authentication (RFC 6749
//! §2.3.1, what sdk-java's `ClientSecretBasic` and the Python SDK's authlib send), sent as
//! `authorization: Bearer <token>` on every call, and requested again shortly before it expires
//! (`expires_in`).
//!
//! The request is one HTTP/1.1 exchange on hyper ([`crate::form_post`]); HTTPS is verified with the machine's roots
//! plus `LHC_CA_CERT` ([`crate::tls::TlsMaterial::https_config`]). Plain `http://` is accepted only for a loopback host, so that
//! the client secret never crosses a network in clear.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hyper::Uri;
use hyper::body::Bytes;
use rustls::ClientConfig;
use tonic::codegen::http::HeaderValue;

use crate::config::{self, Config, ConfigError};
use crate::form_post::{BasicAuth, FormPoster, parse_secret_url, snippet};

/// How long one token request may take, connection included.
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(10);
/// The lifetime assumed when the token endpoint does not send `expires_in`.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);
/// The most a token is refreshed ahead of its expiry (less for short-lived tokens: a tenth of
/// its lifetime).
pub const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// The client credentials of a configuration.
#[derive(Clone)]
pub struct Credentials {
    /// `LHC_OAUTH_CLIENT_ID`.
    pub client_id: String,
    /// `LHC_OAUTH_CLIENT_SECRET`.
    pub client_secret: String,
    /// `LHC_OAUTH_ACCESS_TOKEN_URL`.
    pub token_url: Uri,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"******")
            .field("token_url", &self.token_url)
            .finish()
    }
}

impl Credentials {
    /// The OAuth settings of `cfg`: `None` when none of the three keys is set, an error when
    /// only some are (as sdk-java) or the URL is unusable.
    pub fn from_config(cfg: &Config) -> Result<Option<Credentials>, ConfigError> {
        let keys = [
            config::OAUTH_CLIENT_ID,
            config::OAUTH_CLIENT_SECRET,
            config::OAUTH_ACCESS_TOKEN_URL,
        ];
        let values: Vec<Option<&str>> = keys.iter().map(|k| cfg.get(k)).collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = keys
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| *k)
            .collect();
        if !missing.is_empty() {
            let set: Vec<String> = keys
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| format!("{k} (from {})", cfg.source(k)))
                .collect();
            return Err(ConfigError::OAuthHalfConfigured {
                set,
                missing: missing.iter().map(|k| k.to_string()).collect(),
                keys: keys.iter().map(|k| k.to_string()).collect(),
            });
        }
        let (Some(id), Some(secret), Some(url)) = (values[0], values[1], values[2]) else {
            return Ok(None);
        };
        let token_url = parse_secret_url(url).map_err(|why| ConfigError::BadValue {
            key: config::OAUTH_ACCESS_TOKEN_URL.to_string(),
            value: url.to_string(),
            from: cfg.source(config::OAUTH_ACCESS_TOKEN_URL).to_string(),
            problem: why.to_string(),
        })?;
        Ok(Some(Credentials {
            client_id: id.to_string(),
            client_secret: secret.to_string(),
            token_url,
        }))
    }
}

/// Why no token could be had (`url`: the token endpoint). Its `Display` is the message
/// shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthError {
    /// The token endpoint could not be reached.
    Unreachable {
        /// The token endpoint.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The token endpoint did not answer in time.
    NoAnswer {
        /// The token endpoint.
        url: String,
        /// The time waited.
        seconds: u64,
    },
    /// The token endpoint refused the client credentials.
    Refused {
        /// The token endpoint.
        url: String,
        /// The client id sent.
        client_id: String,
        /// The HTTP status.
        status: String,
        /// The endpoint's `error` (and `error_description`), or the start of its body.
        detail: String,
    },
    /// The answer is not JSON.
    NotJson {
        /// The token endpoint.
        url: String,
        /// The HTTP status.
        status: String,
        /// The start of the body.
        body: String,
    },
    /// The answer has no `access_token`.
    NoAccessToken {
        /// The token endpoint.
        url: String,
    },
    /// The `access_token` cannot be sent in a header.
    BadAccessToken {
        /// The token endpoint.
        url: String,
    },
    /// `expires_in` is not a number of seconds.
    BadExpiry {
        /// The token endpoint.
        url: String,
        /// The value sent.
        value: String,
    },
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::Unreachable { url, reason } => {
                write!(f, "cannot get an OAuth token from {url}: {reason}")
            }
            OAuthError::NoAnswer { url, seconds } => write!(
                f,
                "cannot get an OAuth token from {url}: no answer within {seconds} s"
            ),
            OAuthError::Refused {
                url,
                client_id,
                status,
                detail,
            } => write!(
                f,
                "the OAuth token endpoint {url} refused the client credentials \
                 ({}={client_id}): HTTP {status}: {detail}",
                config::OAUTH_CLIENT_ID
            ),
            OAuthError::NotJson { url, status, body } => write!(
                f,
                "the OAuth token endpoint {url} answered HTTP {status} without a JSON body: {body}"
            ),
            OAuthError::NoAccessToken { url } => write!(
                f,
                "the OAuth token endpoint {url} answered without an access_token"
            ),
            OAuthError::BadAccessToken { url } => write!(
                f,
                "the OAuth token endpoint {url} sent an access_token that cannot be a header \
                 (not printable ASCII)"
            ),
            OAuthError::BadExpiry { url, value } => write!(
                f,
                "the OAuth token endpoint {url} sent expires_in={value}, not a number of seconds"
            ),
        }
    }
}

impl std::error::Error for OAuthError {}

#[derive(Debug, Clone)]
struct Token {
    header: HeaderValue,
    refresh_at: Instant,
}

/// Hands out a valid bearer token, requesting a new one when the cached one is about to
/// expire. Concurrent callers wait for one request rather than each sending their own.
pub struct TokenSource {
    creds: Credentials,
    poster: FormPoster,
    cached: tokio::sync::Mutex<Option<Token>>,
    fetched: AtomicU64,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("creds", &self.creds)
            .field("fetched", &self.fetched)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A source for these credentials; `tls` verifies an `https` token endpoint.
    pub fn new(creds: Credentials, tls: Arc<ClientConfig>) -> TokenSource {
        TokenSource {
            poster: FormPoster::new(&tls),
            creds,
            cached: tokio::sync::Mutex::new(None),
            fetched: AtomicU64::new(0),
        }
    }

    /// How many tokens were requested so far.
    pub fn tokens_fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    /// The `authorization` header value (`Bearer <token>`), cached until shortly before the
    /// token expires.
    pub async fn authorization(&self) -> Result<HeaderValue, OAuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok(t.header.clone());
        }
        let token = self.fetch().await?;
        let header = token.header.clone();
        *cached = Some(token);
        Ok(header)
    }

    async fn fetch(&self) -> Result<Token, OAuthError> {
        let url = &self.creds.token_url;
        let started = Instant::now();
        let auth = BasicAuth {
            client_id: &self.creds.client_id,
            client_secret: &self.creds.client_secret,
        };
        let post = self.poster.post(
            url,
            auth,
            Bytes::from_static(b"grant_type=client_credentials"),
        );
        let (status, body) = match tokio::time::timeout(TOKEN_TIMEOUT, post).await {
            Ok(r) => r
                .map(|r| (r.status, r.body))
                .map_err(|e| OAuthError::Unreachable {
                    url: url.to_string(),
                    reason: e.to_string(),
                })?,
            Err(_) => {
                return Err(OAuthError::NoAnswer {
                    url: url.to_string(),
                    seconds: TOKEN_TIMEOUT.as_secs(),
                });
            }
        };
        self.fetched.fetch_add(1, Ordering::Relaxed);
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        if !status.is_success() {
            let detail = match json.as_ref().and_then(|j| j.get("error")?.as_str()) {
                Some(err) => match json
                    .as_ref()
                    .and_then(|j| j.get("error_description")?.as_str())
                {
                    Some(d) => format!("{err}: {d}"),
                    None => err.to_string(),
                },
                None => snippet(&body),
            };
            return Err(OAuthError::Refused {
                url: url.to_string(),
                client_id: self.creds.client_id.clone(),
                status: status.to_string(),
                detail,
            });
        }
        let Some(json) = json else {
            return Err(OAuthError::NotJson {
                url: url.to_string(),
                status: status.to_string(),
                body: snippet(&body),
            });
        };
        let access = json
            .get("access_token")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OAuthError::NoAccessToken {
                url: url.to_string(),
            })?;
        let header = HeaderValue::try_from(format!("Bearer {access}")).map_err(|_| {
            OAuthError::BadAccessToken {
                url: url.to_string(),
            }
        })?;
        let lifetime = match json.get("expires_in") {
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .map(Duration::from_secs)
                .ok_or_else(|| OAuthError::BadExpiry {
                    url: url.to_string(),
                    value: v.to_string(),
                })?,
            None => DEFAULT_LIFETIME,
        };
        let margin = (lifetime / 10).min(MAX_REFRESH_MARGIN);
        Ok(Token {
            header,
            refresh_at: started + lifetime - margin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        Config::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn none_half_or_all() {
        assert!(
            Credentials::from_config(&cfg(&[]))
                .expect("no oauth")
                .is_none()
        );
        let err =
            Credentials::from_config(&cfg(&[(config::OAUTH_CLIENT_ID, "me")])).expect_err("half");
        assert_eq!(
            err.to_string(),
            "OAuth is half configured: LHC_OAUTH_CLIENT_ID (from command line) set but \
             LHC_OAUTH_CLIENT_SECRET and LHC_OAUTH_ACCESS_TOKEN_URL missing; client credentials \
             need all three of LHC_OAUTH_CLIENT_ID, LHC_OAUTH_CLIENT_SECRET, \
             LHC_OAUTH_ACCESS_TOKEN_URL"
        );
        let creds = Credentials::from_config(&cfg(&[
            (config::OAUTH_CLIENT_ID, "me"),
            (config::OAUTH_CLIENT_SECRET, "s3cret"),
            (
                config::OAUTH_ACCESS_TOKEN_URL,
                "https://auth.example.com/realms/lh/token",
            ),
        ]))
        .expect("valid")
        .expect("some");
        assert_eq!(creds.token_url.host(), Some("auth.example.com"));
        assert!(
            !format!("{creds:?}").contains("s3cret"),
            "the secret is never printed"
        );
    }
}
