//! A small OAuth 2.0 issuer for tests, started by the tests themselves on 127.0.0.1 (plain
//! HTTP/1.1, or TLS with a test certificate): a token endpoint (`POST /token`,
//! client-credentials grant with HTTP Basic client authentication, RFC 6749 §4.4) and an
//! introspection endpoint (`POST /introspect`, RFC 7662, for the resource server's own
//! credentials [`INTROSPECTOR_ID`]/[`INTROSPECTOR_SECRET`]), as an identity provider such as
//! Keycloak serves them to a LittleHorse server. It issues opaque tokens `tok-1`, `tok-2`, ...
//! valid for a lifetime, can revoke them and can issue a person's token (scope `openid`), and
//! counts the requests it gets. LittleHorse validates tokens by introspection only (no JWT
//! signatures), so the issuer serves no JWKS.

#![allow(dead_code)] // each test file uses a subset

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use lhw_kernel::auth::BearerAuth;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The client credentials the endpoint accepts.
pub const CLIENT_ID: &str = "lhw-test";
/// The secret it accepts.
pub const CLIENT_SECRET: &str = "s3cret:with/odd chars";
/// The resource server (the kernel) allowed to introspect tokens.
pub const INTROSPECTOR_ID: &str = "lhw-kernel";
/// Its secret.
pub const INTROSPECTOR_SECRET: &str = "kernel secret/1";
/// The scope of a machine client's token (no `openid`).
pub const MACHINE_SCOPE: &str = "lh:api";

/// One issued token.
#[derive(Debug, Clone)]
struct Issued {
    client_id: String,
    username: Option<String>,
    scope: String,
    expires: Instant,
    /// `exp`: whole seconds since the epoch.
    exp: u64,
}

struct State {
    requests: u64,
    refused: u64,
    introspections: u64,
    next: u64,
    clients: HashMap<String, String>,
    issued: HashMap<String, Issued>,
    revoked: HashSet<String>,
}

/// A running issuer.
pub struct TokenServer {
    /// `http(s)://127.0.0.1:PORT/token`.
    pub url: String,
    lifetime: Duration,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl TokenServer {
    /// Starts a plain-HTTP issuer whose tokens are valid for `lifetime` (sent as `expires_in`
    /// seconds).
    pub async fn start(lifetime: Duration) -> TokenServer {
        TokenServer::serve(lifetime, None).await
    }

    /// Starts an HTTPS issuer with this certificate (valid for 127.0.0.1) and key.
    pub async fn start_https(lifetime: Duration, cert_pem: &str, key_pem: &str) -> TokenServer {
        let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("cert");
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("key");
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
        TokenServer::serve(
            lifetime,
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
        )
        .await
    }

    async fn serve(lifetime: Duration, tls: Option<tokio_rustls::TlsAcceptor>) -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            requests: 0,
            refused: 0,
            introspections: 0,
            next: 0,
            clients: HashMap::from([(CLIENT_ID.to_string(), CLIENT_SECRET.to_string())]),
            issued: HashMap::new(),
            revoked: HashSet::new(),
        }));
        let shared = state.clone();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let state = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => answer(socket, state, lifetime).await,
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(socket).await {
                                answer(stream, state, lifetime).await;
                            }
                        }
                    }
                });
            }
        });
        TokenServer {
            url: format!("{scheme}://127.0.0.1:{port}/token"),
            lifetime,
            state,
            task,
        }
    }

    /// The introspection endpoint, `http(s)://127.0.0.1:PORT/introspect`.
    pub fn introspect_url(&self) -> String {
        self.url.replace("/token", "/introspect")
    }

    /// Registers another machine client.
    pub fn add_client(&self, id: &str, secret: &str) {
        self.lock()
            .clients
            .insert(id.to_string(), secret.to_string());
    }

    /// Issues a machine client's token directly (as if `client_id` had asked), valid for
    /// `lifetime`.
    pub fn issue(&self, client_id: &str, lifetime: Duration) -> String {
        issue(&mut self.lock(), client_id, None, MACHINE_SCOPE, lifetime)
    }

    /// Issues a person's token (scope `openid profile`, `username`), as an interactive login
    /// through the client `lhw-dashboard` would.
    pub fn issue_for_user(&self, username: &str, lifetime: Duration) -> String {
        issue(
            &mut self.lock(),
            "lhw-dashboard",
            Some(username),
            "openid profile",
            lifetime,
        )
    }

    /// Revokes a token: introspection says it is not active from now on.
    pub fn revoke(&self, token: &str) {
        self.lock().revoked.insert(token.to_string());
    }

    /// The `exp` of a token (seconds since the epoch).
    pub fn exp(&self, token: &str) -> Option<u64> {
        self.lock().issued.get(token).map(|i| i.exp)
    }

    /// How many token requests arrived (accepted or not).
    pub fn requests(&self) -> u64 {
        self.lock().requests
    }

    /// How many requests were refused (wrong credentials or a malformed request).
    pub fn refused(&self) -> u64 {
        self.lock().refused
    }

    /// How many introspection requests arrived (accepted or not).
    pub fn introspections(&self) -> u64 {
        self.lock().introspections
    }

    /// A validator accepting exactly the tokens this endpoint issued, until they expire.
    pub fn bearer_auth(&self) -> BearerAuth {
        let state = self.state.clone();
        BearerAuth::validator(move |token| {
            let state = state
                .lock()
                .map_err(|_| "token store poisoned".to_string())?;
            match state.issued.get(token) {
                None => Err(format!("{token} was not issued by the token endpoint")),
                Some(i) if Instant::now() >= i.expires => Err(format!("{token} has expired")),
                Some(_) => Ok(()),
            }
        })
    }

    /// The lifetime of issued tokens.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("token state")
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn issue(
    state: &mut State,
    client_id: &str,
    username: Option<&str>,
    scope: &str,
    lifetime: Duration,
) -> String {
    state.next += 1;
    let token = format!("tok-{}", state.next);
    state.issued.insert(
        token.clone(),
        Issued {
            client_id: client_id.to_string(),
            username: username.map(str::to_string),
            scope: scope.to_string(),
            expires: Instant::now() + lifetime,
            exp: unix_now() + lifetime.as_secs(),
        },
    );
    token
}

/// One parsed request.
struct HttpRequest {
    head: String,
    body: Vec<u8>,
}

/// Reads one request (headers and a Content-Length body).
async fn read_request<S: AsyncRead + Unpin>(socket: &mut S) -> Option<HttpRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let length = header(&head, "content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Some(HttpRequest {
                head,
                body: buf[end + 4..end + 4 + length].to_vec(),
            });
        }
    }
}

/// The client id and secret of an HTTP Basic header (form-encoded, RFC 6749 §2.3.1).
fn basic_credentials(head: &str) -> Option<(String, String)> {
    let value = header(head, "authorization")?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (id, secret) = raw.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// The fields of an `application/x-www-form-urlencoded` body.
fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((form_decode(k)?, form_decode(v)?))
        })
        .collect()
}

fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Reads one request and answers it.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    state: Arc<Mutex<State>>,
    lifetime: Duration,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let form_body = header(&request.head, "content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let fields = form(&request.body);
    let creds = basic_credentials(&request.head);
    let response = {
        let mut state = state.lock().expect("token state");
        if request.head.starts_with("POST /token ") {
            state.requests += 1;
            let known = creds
                .as_ref()
                .is_some_and(|(id, secret)| state.clients.get(id).is_some_and(|s| s == secret));
            let grant = fields.get("grant_type").map(String::as_str) == Some("client_credentials");
            match creds {
                Some((id, _)) if known && grant && form_body => {
                    let token = issue(&mut state, &id, None, MACHINE_SCOPE, lifetime);
                    let json = serde_json::json!({
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": lifetime.as_secs(),
                        "scope": MACHINE_SCOPE,
                    });
                    reply("200 OK", &json.to_string())
                }
                _ => {
                    state.refused += 1;
                    reply(
                        "401 Unauthorized",
                        r#"{"error":"invalid_client","error_description":"unknown client or wrong secret"}"#,
                    )
                }
            }
        } else if request.head.starts_with("POST /introspect ") {
            state.introspections += 1;
            let allowed = creds
                .as_ref()
                .is_some_and(|(id, secret)| id == INTROSPECTOR_ID && secret == INTROSPECTOR_SECRET);
            if !allowed || !form_body {
                state.refused += 1;
                reply(
                    "401 Unauthorized",
                    r#"{"error":"invalid_client","error_description":"only the resource server may introspect"}"#,
                )
            } else {
                let token = fields.get("token").cloned().unwrap_or_default();
                let live = state
                    .issued
                    .get(&token)
                    .filter(|i| Instant::now() < i.expires && !state.revoked.contains(&token));
                let json = match live {
                    None => serde_json::json!({ "active": false }),
                    Some(i) => {
                        let mut j = serde_json::json!({
                            "active": true,
                            "client_id": i.client_id,
                            "scope": i.scope,
                            "exp": i.exp,
                            "token_type": "Bearer",
                        });
                        if let Some(u) = &i.username {
                            j["username"] = serde_json::Value::String(u.clone());
                        }
                        j
                    }
                };
                reply("200 OK", &json.to_string())
            }
        } else {
            reply("404 Not Found", r#"{"error":"not_found"}"#)
        }
    };
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

fn reply(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
}
