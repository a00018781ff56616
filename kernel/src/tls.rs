//! TLS for the kernel's gRPC port: a server certificate and key (PEM), and optionally a client
//! CA, which makes client certificates signed by it mandatory (mTLS).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

/// The kernel's TLS material, already read and checked.
#[derive(Clone)]
pub struct TlsConfig {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    client_ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .field("key_pem", &"******")
            .field("mtls", &self.client_ca_pem.is_some())
            .finish()
    }
}

/// Why the TLS material cannot be used; the message names the file or setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(pub String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// What each PEM input is called in messages (e.g. the command-line flags).
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// The server certificate chain.
    pub cert: &'a str,
    /// The server's private key.
    pub key: &'a str,
    /// The CA that signs client certificates.
    pub client_ca: &'a str,
}

impl Default for Names<'_> {
    fn default() -> Self {
        Names {
            cert: "the server certificate",
            key: "the server key",
            client_ca: "the client CA",
        }
    }
}

impl TlsConfig {
    /// TLS from PEM text: the certificate chain (server certificate first) and its private
    /// key; with `client_ca_pem`, clients must present a certificate signed by that CA.
    pub fn from_pem(
        cert_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
        client_ca_pem: Option<Vec<u8>>,
        names: Names<'_>,
    ) -> Result<TlsConfig, TlsError> {
        let cfg = TlsConfig {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
            client_ca_pem,
        };
        check_certs(&cfg.cert_pem, names.cert)?;
        if let Err(e) = PrivateKeyDer::from_pem_slice(&cfg.key_pem) {
            return Err(TlsError(format!(
                "{}: no private key in it ({e}); expected a PEM PRIVATE KEY block",
                names.key
            )));
        }
        if let Some(ca) = &cfg.client_ca_pem {
            check_certs(ca, names.client_ca)?;
        }
        // Building the acceptor checks that the key belongs to the certificate.
        tonic::transport::Server::builder()
            .tls_config(cfg.server_config())
            .map_err(|e| {
                TlsError(format!(
                    "{} and {} cannot be used together: {}",
                    names.cert,
                    names.key,
                    root_cause(&e)
                ))
            })?;
        Ok(cfg)
    }

    /// TLS from PEM files; messages name each file as `names` says, followed by its path.
    pub fn from_files(
        cert: &Path,
        key: &Path,
        client_ca: Option<&Path>,
        names: Names<'_>,
    ) -> Result<TlsConfig, TlsError> {
        let cert_label = format!("{} {}", names.cert, cert.display());
        let key_label = format!("{} {}", names.key, key.display());
        let ca_label = client_ca.map(|p| format!("{} {}", names.client_ca, p.display()));
        let ca_name = ca_label.as_deref().unwrap_or(names.client_ca);
        let cert_pem = read(cert, &cert_label)?;
        let key_pem = read(key, &key_label)?;
        let ca_pem = match client_ca {
            Some(p) => Some(read(p, ca_name)?),
            None => None,
        };
        TlsConfig::from_pem(
            cert_pem,
            key_pem,
            ca_pem,
            Names {
                cert: &cert_label,
                key: &key_label,
                client_ca: ca_name,
            },
        )
    }

    /// Whether clients must present a certificate.
    pub fn requires_client_certs(&self) -> bool {
        self.client_ca_pem.is_some()
    }

    /// The rustls server configuration the kernel accepts connections with
    /// ([`crate::handshake`]): the certificate chain and key, HTTP/2 by ALPN, and with a client
    /// CA, a verifier that requires a client certificate it signed.
    pub(crate) fn rustls_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = CertificateDer::pem_slice_iter(&self.cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError(format!("the server certificate: {e}")))?;
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem)
            .map_err(|e| TlsError(format!("the server key: {e}")))?;
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(format!("TLS versions: {e}")))?;
        let builder = match &self.client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(ca) {
                    let cert = cert.map_err(|e| TlsError(format!("the client CA: {e}")))?;
                    roots
                        .add(cert)
                        .map_err(|e| TlsError(format!("the client CA: {e}")))?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .map_err(|e| TlsError(format!("the client CA: {e}")))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(certs, key)
            .map_err(|e| TlsError(format!("the server certificate and key: {e}")))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }

    /// The tonic server configuration.
    pub(crate) fn server_config(&self) -> ServerTlsConfig {
        let tls =
            ServerTlsConfig::new().identity(Identity::from_pem(&self.cert_pem, &self.key_pem));
        match &self.client_ca_pem {
            Some(ca) => tls
                .client_ca_root(Certificate::from_pem(ca))
                .client_auth_optional(false),
            None => tls,
        }
    }
}

fn read(path: &Path, label: &str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| {
        TlsError(match e.kind() {
            std::io::ErrorKind::NotFound => format!("{label}: the file does not exist"),
            _ => format!("{label}: cannot read the file: {e}"),
        })
    })
}

fn check_certs(pem: &[u8], label: &str) -> Result<(), TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError(format!("{label}: not a valid PEM file: {e}")))?;
    if certs.is_empty() {
        return Err(TlsError(format!(
            "{label}: no certificate in it; expected a PEM CERTIFICATE block"
        )));
    }
    Ok(())
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed() -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    #[test]
    fn good_material_is_accepted() {
        let (cert, key) = self_signed();
        let tls =
            TlsConfig::from_pem(cert.clone(), key.clone(), None, Names::default()).expect("valid");
        assert!(!tls.requires_client_certs());
        let mtls =
            TlsConfig::from_pem(cert.clone(), key, Some(cert.into_bytes()), Names::default())
                .expect("valid");
        assert!(mtls.requires_client_certs());
        assert!(
            !format!("{mtls:?}").contains("PRIVATE"),
            "the key is never printed"
        );
    }

    #[test]
    fn bad_material_is_named() {
        let (cert, key) = self_signed();
        let (_, other_key) = self_signed();
        let err =
            TlsConfig::from_pem("junk", key.clone(), None, Names::default()).expect_err("no cert");
        assert_eq!(
            err.to_string(),
            "the server certificate: no certificate in it; expected a PEM CERTIFICATE block"
        );
        let err = TlsConfig::from_pem(cert.clone(), cert.clone(), None, Names::default())
            .expect_err("no key");
        assert!(
            err.to_string()
                .starts_with("the server key: no private key in it"),
            "{err}"
        );
        let err = TlsConfig::from_pem(cert.clone(), other_key, None, Names::default())
            .expect_err("mismatch");
        assert!(
            err.to_string()
                .starts_with("the server certificate and the server key cannot be used together"),
            "{err}"
        );
        let err = TlsConfig::from_pem(cert, key, Some(b"nope".to_vec()), Names::default())
            .expect_err("bad ca");
        assert!(
            err.to_string().starts_with("the client CA: no certificate"),
            "{err}"
        );
    }

    #[test]
    fn missing_files_are_named_with_their_flag() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("cert.pem");
        let err = TlsConfig::from_files(
            &missing,
            &missing,
            None,
            Names {
                cert: "--tls-cert",
                key: "--tls-key",
                client_ca: "--tls-client-ca",
            },
        )
        .expect_err("missing");
        assert_eq!(
            err.to_string(),
            format!("--tls-cert {}: the file does not exist", missing.display())
        );
    }
}
