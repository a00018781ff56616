//! OAuth 2.0 client credentials, as the official SDKs use them: `LHC_OAUTH_CLIENT_ID`,
//! `LHC_OAUTH_CLIENT_SECRET` and `LHC_OAUTH_ACCESS_TOKEN_URL`. A token is requested with
//! `POST grant_type=client_credentials` and HTTP Basic client authentication (RFC 6749
//! §2.3.1, what sdk-java's `ClientSecretBasic` and the Python SDK's authlib send), sent as
//! `authorization: Bearer <token>` on every call, and requested again shortly before it expires
//! (`expires_in`).
//!
//! The request is one HTTP/1.1 exchange on hyper; HTTPS is verified with the machine's roots
//! plus `LHC_CA_CERT` ([`crate::tls::TlsMaterial::https_config`]). Plain `http://` is accepted only for a loopback host, so that
//! the client secret never crosses a network in clear.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tonic::codegen::http::HeaderValue;

use crate::config::{self, Config, ConfigError};
use crate::probe::io_detail;

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
        let token_url = parse_token_url(url).map_err(|why| ConfigError::BadValue {
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

fn parse_token_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("not a URL ({e}); expected https://HOST[:PORT]/PATH"))?;
    let host = uri
        .host()
        .ok_or("the URL has no host; expected https://HOST[:PORT]/PATH")?;
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(
            "the client secret would be sent in clear; use https (http is accepted only for \
             localhost)"
                .into(),
        ),
        _ => Err("the URL must start with https://".into()),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
    tls: Arc<ClientConfig>,
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
        let mut tls = (*tls).clone();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        TokenSource {
            creds,
            tls: Arc::new(tls),
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
        let (status, body) = match tokio::time::timeout(TOKEN_TIMEOUT, self.post()).await {
            Ok(r) => r.map_err(|e| OAuthError::Unreachable {
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

    async fn post(&self) -> Result<(StatusCode, Bytes), String> {
        let url = &self.creds.token_url;
        let host = url.host().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let https = url.scheme_str() == Some("https");
        let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(&self.creds.client_id),
            form_encode(&self.creds.client_secret)
        ));
        let authority = url.authority().map_or(host, |a| a.as_str());
        let path = url.path_and_query().map_or("/", |p| p.as_str());
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(hyper::header::HOST, authority)
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(hyper::header::ACCEPT, "application/json")
            .header(hyper::header::AUTHORIZATION, format!("Basic {basic}"))
            .body(Full::new(Bytes::from_static(
                b"grant_type=client_credentials",
            )))
            .map_err(|e| e.to_string())?;
        let tcp = tokio::net::TcpStream::connect((bare, port))
            .await
            .map_err(|e| io_detail(&e))?;
        if https {
            let name = ServerName::try_from(bare.to_string())
                .map_err(|_| format!("{host} is not a valid TLS server name"))?;
            let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS handshake failed: {}", io_detail(&e)))?;
            exchange(TokioIo::new(tls), request).await
        } else {
            exchange(TokioIo::new(tcp), request).await
        }
    }
}

async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes), String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(conn);
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }
    .await;
    driver.abort();
    result
}

/// The first line of a body, shortened, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return "(empty body)".into();
    }
    let short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B).
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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

    #[test]
    fn token_url_must_be_https_unless_loopback() {
        assert!(parse_token_url("http://127.0.0.1:8080/token").is_ok());
        assert!(parse_token_url("http://localhost/token").is_ok());
        assert!(parse_token_url("http://[::1]:9/token").is_ok());
        let err = parse_token_url("http://auth.example.com/token").expect_err("clear text");
        assert!(err.contains("sent in clear"), "{err}");
        let err = parse_token_url("ftp://auth.example.com/token").expect_err("scheme");
        assert!(err.contains("https://"), "{err}");
        let err = parse_token_url("/token").expect_err("no host");
        assert!(err.contains("no host"), "{err}");
    }

    #[test]
    fn form_encoding_of_credentials() {
        assert_eq!(form_encode("a b+c:d/é"), "a+b%2Bc%3Ad%2F%C3%A9");
        assert_eq!(form_encode("AZaz09-._*"), "AZaz09-._*");
    }

    #[test]
    fn snippets_are_one_short_line() {
        assert_eq!(snippet(b""), "(empty body)");
        assert_eq!(snippet(b"oops\nmore"), "oops");
        let long = "x".repeat(300);
        assert_eq!(snippet(long.as_bytes()).len(), 203);
    }
}
