//! TLS handshakes done by the kernel itself rather than inside tonic, so that each refused
//! handshake is logged with the peer's address and the reason, told from the kernel's side
//! (an expired client certificate, one signed by an unknown CA, none at all, a client that
//! refused the server's certificate, a PLAINTEXT client). Accepted connections go to tonic as
//! `tokio_rustls` streams, whose `TlsConnectInfo` carries the client certificates the access
//! layer reads.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::{AlertDescription, CertificateError, Error};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;

use crate::log::Logger;

/// How long a client may take to finish its handshake.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections on `listener`, does each TLS handshake and yields the established
/// streams; stops accepting when the stream is dropped.
pub(crate) fn incoming(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    log: Logger,
) -> ReceiverStream<Result<TlsStream<TcpStream>, io::Error>> {
    let (tx, rx) = mpsc::channel(64);
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = tx.closed() => break,
                a = listener.accept() => a,
            };
            let (tcp, peer) = match accepted {
                Ok(c) => c,
                Err(e) => {
                    log.warn(&format!("cannot accept a connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let (tx, acceptor, log) = (tx.clone(), acceptor.clone(), log.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        let _ = tx.send(Ok(stream)).await;
                    }
                    Ok(Err(e)) => log.warn(&refused(peer, &reason(&e))),
                    Err(_) => log.warn(&refused(
                        peer,
                        &format!(
                            "the client did not finish the handshake within {} s",
                            HANDSHAKE_TIMEOUT.as_secs()
                        ),
                    )),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

fn refused(peer: SocketAddr, why: &str) -> String {
    format!("refused a TLS handshake from {peer}: {why}")
}

/// Why a handshake failed, from the server's side.
pub(crate) fn reason(e: &io::Error) -> String {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<Error>()) {
        return describe(tls);
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            "the client closed the connection during the handshake".into()
        }
        _ => e.to_string(),
    }
}

/// A rustls error of the server side in words.
pub(crate) fn describe(e: &Error) -> String {
    match e {
        Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "the client's certificate has expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "the client's certificate is not valid yet".into()
            }
            CertificateError::UnknownIssuer => "the client's certificate is not signed by the \
                                                CA this server trusts for clients (unknown CA)"
                .into(),
            CertificateError::BadSignature => "the client's certificate has a bad signature".into(),
            CertificateError::Revoked => "the client's certificate is revoked".into(),
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                "the client's certificate is not for client authentication (extended key usage)"
                    .into()
            }
            other => format!("the client's certificate was refused: {other:?}"),
        },
        Error::NoCertificatesPresented => {
            "the client presented no certificate, and this server requires one (mTLS)".into()
        }
        Error::AlertReceived(alert) => match alert {
            AlertDescription::UnknownCA => {
                "the client does not trust the server's certificate (alert UnknownCA)".into()
            }
            AlertDescription::CertificateExpired => {
                "the client says the server's certificate has expired".into()
            }
            AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate => {
                format!("the client refused the server's certificate (alert {alert:?})")
            }
            other => format!("the client ended the handshake (alert {other:?})"),
        },
        Error::InvalidMessage(_) => {
            format!("the client does not speak TLS (a PLAINTEXT client?): {e}")
        }
        Error::PeerIncompatible(p) => {
            format!(
                "the client has no TLS version or cipher suite in common with the server: {p:?}"
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_whose_certificate_failed() {
        assert_eq!(
            describe(&Error::InvalidCertificate(CertificateError::Expired)),
            "the client's certificate has expired"
        );
        assert!(
            describe(&Error::InvalidCertificate(CertificateError::UnknownIssuer))
                .contains("unknown CA")
        );
        assert!(describe(&Error::NoCertificatesPresented).contains("no certificate"));
        assert!(
            describe(&Error::AlertReceived(AlertDescription::UnknownCA))
                .contains("does not trust the server's certificate")
        );
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "eof");
        assert_eq!(
            reason(&eof),
            "the client closed the connection during the handshake"
        );
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            Error::InvalidCertificate(CertificateError::Expired),
        );
        assert_eq!(reason(&wrapped), "the client's certificate has expired");
    }
}
