//! A pre-flight check before the gRPC channel is opened: connect, do the TLS handshake (when
//! configured), send the HTTP/2 client preface and wait for the server's first bytes.
//!
//! It exists for the messages. With TLS 1.3 a server refuses a client certificate only after
//! the client has finished its side of the handshake, so the gRPC channel "connects" and the
//! first call fails with whatever the HTTP/2 layer saw first (often a bare `operation was
//! canceled`). Reading the server's first answer here turns that into the alert itself, and
//! the same read tells a PLAINTEXT client that the server speaks TLS.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::tls::TlsMaterial;

/// The HTTP/2 client connection preface followed by an empty SETTINGS frame (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// The first byte of a TLS alert record.
const TLS_ALERT: u8 = 0x15;
/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

/// Why the server cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    /// No TCP connection (refused, unknown host, ...).
    Unreachable(String),
    /// The TLS handshake failed or the server sent a TLS alert (rustls' message).
    Tls(String),
    /// A PLAINTEXT client reached a server that answered with TLS.
    SpeaksTls,
    /// The server closed the connection without answering.
    Closed,
}

/// Probes `host:port`, over TLS when `tls` is given. The caller bounds the time it may take.
pub async fn probe(host: &str, port: u16, tls: Option<&TlsMaterial>) -> Result<(), ProbeError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = TcpStream::connect((bare, port))
        .await
        .map_err(|e| ProbeError::Unreachable(io_detail(&e)))?;
    let _ = tcp.set_nodelay(true);
    match tls {
        None => {
            let first = first_byte(tcp)
                .await
                .map_err(|e| ProbeError::Unreachable(io_detail(&e)))?;
            match first {
                None => Err(ProbeError::Closed),
                Some(TLS_ALERT | TLS_HANDSHAKE) => Err(ProbeError::SpeaksTls),
                Some(_) => Ok(()),
            }
        }
        Some(material) => {
            let mut config = (*material.rustls).clone();
            config.alpn_protocols = vec![b"h2".to_vec()];
            let name = ServerName::try_from(bare.to_string())
                .map_err(|_| ProbeError::Tls(format!("{host} is not a valid TLS server name")))?;
            let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .map_err(|e| ProbeError::Tls(io_detail(&e)))?;
            match first_byte(stream).await {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(ProbeError::Closed),
                Err(e) => Err(ProbeError::Tls(io_detail(&e))),
            }
        }
    }
}

/// Sends the HTTP/2 preface and reads the first byte of the answer (`None` at end of stream).
async fn first_byte<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> std::io::Result<Option<u8>> {
    s.write_all(H2_PREFACE).await?;
    s.flush().await?;
    let mut buf = [0u8; 1];
    let n = s.read(&mut buf).await?;
    Ok((n == 1).then_some(buf[0]))
}

/// The message of an I/O error without the `(os error N)` suffix.
pub(crate) fn io_detail(e: &std::io::Error) -> String {
    let text = match e.get_ref() {
        Some(inner) => inner.to_string(),
        None => e.to_string(),
    };
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
