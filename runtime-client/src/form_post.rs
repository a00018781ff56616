//! One HTTP/1.1 form POST with HTTP Basic client authentication (RFC 6749 §2.3.1, what
//! sdk-java's `ClientSecretBasic`, the Python SDK's authlib and the server's `OAuthClient`
//! send), over TLS for `https`, on hyper (already under tonic) rather than a full HTTP
//! client. Shared by the OAuth token request ([`crate::oauth`]) and the kernel's token
//! introspection, so both send the client secret the same way and refuse the same URLs.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use crate::probe::io_detail;

/// Why the URL of an endpoint that receives a client secret cannot be used. Its `Display` is
/// the reason shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretUrlError {
    /// Not a URL at all (the parser's reason).
    NotAUrl(String),
    /// No host in it.
    NoHost,
    /// `http://` to a host that is not loopback: the secret would cross a network in clear.
    InClear,
    /// Neither `https://` nor `http://`.
    NotHttps,
}

impl fmt::Display for SecretUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretUrlError::NotAUrl(why) => {
                write!(f, "not a URL ({why}); expected https://HOST[:PORT]/PATH")
            }
            SecretUrlError::NoHost => {
                f.write_str("the URL has no host; expected https://HOST[:PORT]/PATH")
            }
            SecretUrlError::InClear => f.write_str(
                "the client secret would be sent in clear; use https (http is accepted only for \
                 localhost)",
            ),
            SecretUrlError::NotHttps => f.write_str("the URL must start with https://"),
        }
    }
}

impl std::error::Error for SecretUrlError {}

/// Checks the URL of an endpoint that receives a client secret: `https://`, or `http://` on a
/// loopback host only.
pub fn parse_secret_url(url: &str) -> Result<Uri, SecretUrlError> {
    let uri: Uri = url
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| SecretUrlError::NotAUrl(e.to_string()))?;
    let host = uri.host().ok_or(SecretUrlError::NoHost)?;
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(SecretUrlError::InClear),
        _ => Err(SecretUrlError::NotHttps),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The client credentials sent as HTTP Basic authentication (each part form-encoded first,
/// RFC 6749 §2.3.1).
#[derive(Clone, Copy)]
pub struct BasicAuth<'a> {
    /// The client id.
    pub client_id: &'a str,
    /// The client secret.
    pub client_secret: &'a str,
}

impl fmt::Debug for BasicAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &"******")
            .finish()
    }
}

/// The answer to a form POST, whatever its status.
#[derive(Debug, Clone)]
pub struct FormResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The whole body.
    pub body: Bytes,
}

/// Why a form POST got no answer. Its `Display` is the reason shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PostError {
    /// The TCP connection failed (the I/O error, without its `(os error N)`).
    Connect(String),
    /// The host cannot be a TLS server name.
    ServerName(String),
    /// The TLS handshake failed.
    Tls(String),
    /// The HTTP exchange failed (the request could not be built or sent, or the answer read).
    Http(String),
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostError::Connect(why) | PostError::Http(why) => f.write_str(why),
            PostError::ServerName(host) => write!(f, "{host} is not a valid TLS server name"),
            PostError::Tls(why) => write!(f, "TLS handshake failed: {why}"),
        }
    }
}

impl std::error::Error for PostError {}

/// Sends form POSTs, verifying `https` endpoints with a TLS configuration (ALPN `http/1.1`).
pub struct FormPoster {
    tls: Arc<ClientConfig>,
}

impl fmt::Debug for FormPoster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormPoster").finish_non_exhaustive()
    }
}

impl FormPoster {
    /// A poster verifying `https` endpoints with `tls` (its ALPN is set to `http/1.1`).
    pub fn new(tls: &ClientConfig) -> FormPoster {
        let mut tls = tls.clone();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        FormPoster { tls: Arc::new(tls) }
    }

    /// POSTs `body` (already `application/x-www-form-urlencoded`) to `url` with `auth`, asking
    /// for JSON, on a new connection; the status and the whole body.
    pub async fn post(
        &self,
        url: &Uri,
        auth: BasicAuth<'_>,
        body: impl Into<Bytes>,
    ) -> Result<FormResponse, PostError> {
        let host = url.host().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let https = url.scheme_str() == Some("https");
        let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(auth.client_id),
            form_encode(auth.client_secret)
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
            .body(Full::new(body.into()))
            .map_err(|e| PostError::Http(e.to_string()))?;
        let tcp = tokio::net::TcpStream::connect((bare, port))
            .await
            .map_err(|e| PostError::Connect(io_detail(&e)))?;
        if https {
            let name = ServerName::try_from(bare.to_string())
                .map_err(|_| PostError::ServerName(host.to_string()))?;
            let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| PostError::Tls(io_detail(&e)))?;
            exchange(TokioIo::new(tls), request).await
        } else {
            exchange(TokioIo::new(tcp), request).await
        }
    }
}

async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<FormResponse, PostError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let http = |e: hyper::Error| PostError::Http(e.to_string());
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(http)?;
    let driver = tokio::spawn(conn);
    let result = async {
        let response = sender.send_request(request).await.map_err(http)?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(http)?
            .to_bytes();
        Ok(FormResponse { status, body })
    }
    .await;
    driver.abort();
    result
}

/// The first line of a body, shortened to 200 characters, for messages.
pub fn snippet(body: &[u8]) -> String {
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
pub fn form_encode(s: &str) -> String {
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

    #[test]
    fn secret_urls_must_be_https_unless_loopback() {
        assert!(parse_secret_url("https://idp.example.com/introspect").is_ok());
        assert!(parse_secret_url("http://127.0.0.1:8080/token").is_ok());
        assert!(parse_secret_url("http://localhost/token").is_ok());
        assert!(parse_secret_url("http://[::1]:9/token").is_ok());
        assert_eq!(
            parse_secret_url("http://auth.example.com/token"),
            Err(SecretUrlError::InClear)
        );
        assert!(
            SecretUrlError::InClear
                .to_string()
                .contains("sent in clear")
        );
        assert_eq!(
            parse_secret_url("ftp://auth.example.com/token"),
            Err(SecretUrlError::NotHttps)
        );
        assert_eq!(parse_secret_url("/token"), Err(SecretUrlError::NoHost));
        assert!(matches!(
            parse_secret_url("http://a b/"),
            Err(SecretUrlError::NotAUrl(_))
        ));
    }

    #[test]
    fn form_encoding() {
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

    #[test]
    fn the_secret_is_never_printed() {
        let auth = BasicAuth {
            client_id: "me",
            client_secret: "s3cret",
        };
        assert!(!format!("{auth:?}").contains("s3cret"));
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_connect_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let tls =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("TLS versions")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
        let url = parse_secret_url(&format!("http://127.0.0.1:{port}/token")).expect("url");
        let auth = BasicAuth {
            client_id: "me",
            client_secret: "s",
        };
        let err = FormPoster::new(&tls)
            .post(&url, auth, "grant_type=client_credentials")
            .await
            .expect_err("nothing listens");
        assert!(matches!(err, PostError::Connect(_)), "{err:?}");
    }
}
