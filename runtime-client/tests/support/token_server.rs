//! A tiny OAuth token endpoint for tests: it answers `POST` client-credentials requests over
//! HTTP/1.1 (plain, or TLS with a test certificate) on 127.0.0.1, counts them, and issues short-lived tokens `tok-1`, `tok-2`,
//! ... whose expiry a kernel's [`BearerAuth`] validator checks.

#![allow(dead_code)] // each test file uses a subset

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

#[derive(Default)]
struct State {
    requests: u64,
    refused: u64,
    issued: HashMap<String, Instant>,
}

/// A running token endpoint.
pub struct TokenServer {
    /// `http://127.0.0.1:PORT/token`.
    pub url: String,
    lifetime: Duration,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl TokenServer {
    /// Starts a plain-HTTP endpoint issuing tokens valid for `lifetime` (sent as `expires_in`
    /// seconds).
    pub async fn start(lifetime: Duration) -> TokenServer {
        TokenServer::serve(lifetime, None).await
    }

    /// Starts an HTTPS endpoint with this certificate (valid for 127.0.0.1) and key.
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
        let state = Arc::new(Mutex::new(State::default()));
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

    /// How many token requests arrived (accepted or not).
    pub fn requests(&self) -> u64 {
        self.lock().requests
    }

    /// How many requests were refused (wrong credentials or a malformed request).
    pub fn refused(&self) -> u64 {
        self.lock().refused
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
                Some(expiry) if Instant::now() >= *expiry => Err(format!("{token} has expired")),
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

/// Reads one request (headers and a Content-Length body) and answers it.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    state: Arc<Mutex<State>>,
    lifetime: Duration,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let (head, body) = loop {
        let Ok(n) = socket.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
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
            break (head, buf[end + 4..end + 4 + length].to_vec());
        }
    };
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(
            "lhw-test:s3cret%3Awith%2Fodd+chars" // form-encoded id:secret (RFC 6749 §2.3.1)
        )
    );
    let ok = head.starts_with("POST /token ")
        && header(&head, "authorization").as_deref() == Some(expected.as_str())
        && header(&head, "content-type").as_deref() == Some("application/x-www-form-urlencoded")
        && body == b"grant_type=client_credentials";
    let response = {
        let mut state = state.lock().expect("token state");
        state.requests += 1;
        if ok {
            let token = format!("tok-{}", state.requests);
            state
                .issued
                .insert(token.clone(), Instant::now() + lifetime);
            let json = serde_json::json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs(),
            });
            reply("200 OK", &json.to_string())
        } else {
            state.refused += 1;
            reply(
                "401 Unauthorized",
                r#"{"error":"invalid_client","error_description":"unknown client or wrong secret"}"#,
            )
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
