//! One HTTP/1.1 form POST with HTTP Basic client authentication (RFC 6749 §2.3.1, the
//! `ClientSecretBasic` of the server's `OAuthClient`), over TLS for `https` (the machine's
//! roots plus an optional CA), on hyper: the same small client the runtime-client uses for
//! its token requests, so the kernel needs no full HTTP client crate.

use std::sync::Arc;

use base64::Engine as _;
use http::Uri;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use super::OAuthConfigError;

/// The TLS configuration for `https` endpoints.
pub(super) struct Client {
    tls: Arc<rustls::ClientConfig>,
}

/// Checks the URL of an endpoint that receives the client secret.
pub(super) fn parse_url(url: &str) -> Result<Uri, String> {
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
            "the client secret would be sent in clear; use https (http is \
                             accepted only for localhost)"
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

fn parse_ca(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, OAuthConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| OAuthConfigError(format!("the OAuth CA: not a valid PEM file: {e}")))?;
    if certs.is_empty() {
        return Err(OAuthConfigError(
            "the OAuth CA: no certificate in it; expected a PEM CERTIFICATE block".into(),
        ));
    }
    Ok(certs)
}

/// Checks the PEM text of an extra CA.
pub(super) fn check_ca(pem: &[u8]) -> Result<(), OAuthConfigError> {
    parse_ca(pem).map(|_| ())
}

impl Client {
    pub(super) fn new(ca_pem: Option<&[u8]>) -> Result<Client, OAuthConfigError> {
        let mut roots = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(pem) = ca_pem {
            for cert in parse_ca(pem)? {
                roots.add(cert).map_err(|e| {
                    OAuthConfigError(format!("the OAuth CA cannot be trusted: {e}"))
                })?;
            }
        }
        let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| OAuthConfigError(format!("TLS for the identity provider: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Client { tls: Arc::new(tls) })
    }

    /// POSTs `body` (already form-encoded) to `url` as `client_id`; the status code and body.
    pub(super) async fn post_form(
        &self,
        url: &Uri,
        client_id: &str,
        client_secret: &str,
        body: &str,
    ) -> Result<(u16, Bytes), String> {
        let host = url.host().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let https = url.scheme_str() == Some("https");
        let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(client_id),
            form_encode(client_secret)
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
            .body(Full::new(Bytes::from(body.to_string())))
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

async fn exchange<T>(io: T, request: Request<Full<Bytes>>) -> Result<(u16, Bytes), String>
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
        let status = response.status().as_u16();
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

/// The message of an I/O error without the `(os error N)` suffix.
fn io_detail(e: &std::io::Error) -> String {
    let text = match e.get_ref() {
        Some(inner) => inner.to_string(),
        None => e.to_string(),
    };
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The first line of a body, shortened, for messages.
pub(super) fn snippet(body: &[u8]) -> String {
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
pub(super) fn form_encode(s: &str) -> String {
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
    fn the_url_must_be_https_unless_loopback() {
        assert!(parse_url("https://idp.example.com/introspect").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/introspect").is_ok());
        assert!(parse_url("http://localhost/introspect").is_ok());
        let err = parse_url("http://idp.example.com/introspect").expect_err("clear");
        assert!(err.contains("in clear"), "{err}");
        assert!(
            parse_url("/introspect")
                .expect_err("no host")
                .contains("no host")
        );
        assert!(
            parse_url("ftp://x/y")
                .expect_err("scheme")
                .contains("https://")
        );
    }

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("a b+c:d/é"), "a+b%2Bc%3Ad%2F%C3%A9");
    }

    #[test]
    fn a_bad_ca_is_named() {
        let err = check_ca(b"nope").expect_err("no cert");
        assert!(err.0.starts_with("the OAuth CA: no certificate"), "{err}");
    }
}
