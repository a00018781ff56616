//! TLS settings from the LittleHorse configuration: the CA to trust (`LHC_CA_CERT`, else the
//! platform's roots, else Mozilla's), and the client certificate for mTLS
//! (`LHC_CLIENT_CERT` + `LHC_CLIENT_KEY`). Every PEM file is read and checked here, so that a
//! bad file is reported with its key and path rather than as a handshake failure.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, TrustAnchor};
use rustls::{ClientConfig, RootCertStore};
use tonic::transport::{ClientTlsConfig, Identity};

use crate::config::{self, Config, ConfigError};

/// Where the trusted roots come from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The certificates in `LHC_CA_CERT` only, as the official SDKs do when it is set.
    CaFile(String),
    /// The operating system's trust store.
    Platform,
    /// Mozilla's roots (`webpki-roots`), when the platform has none.
    Mozilla,
}

/// The checked TLS material of a configuration.
#[derive(Debug, Clone)]
pub struct TlsMaterial {
    /// The trusted roots.
    pub anchors: Vec<TrustAnchor<'static>>,
    /// Where they come from.
    pub roots: Roots,
    /// The client certificate chain and key (PEM), for mTLS.
    pub identity: Option<(Vec<u8>, Vec<u8>)>,
    /// The same as a rustls client configuration (ring), for the pre-flight probe.
    pub rustls: Arc<ClientConfig>,
}

impl TlsMaterial {
    /// Reads and checks the files the configuration names.
    pub fn load(cfg: &Config) -> Result<TlsMaterial, ConfigError> {
        let (anchors, roots) = match cfg.get(config::CA_CERT) {
            Some(path) => (ca_anchors(cfg, path)?, Roots::CaFile(path.to_string())),
            None => default_anchors(),
        };
        let identity = match (cfg.get(config::CLIENT_CERT), cfg.get(config::CLIENT_KEY)) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            (Some(_), None) => return Err(half_identity(cfg, config::CLIENT_CERT)),
            (None, Some(_)) => return Err(half_identity(cfg, config::CLIENT_KEY)),
        };
        let builder =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| ConfigError::Tls {
                    reason: e.to_string(),
                })?
                .with_root_certificates(RootCertStore {
                    roots: anchors.clone(),
                });
        let (rustls, identity) = match identity {
            None => (builder.with_no_client_auth(), None),
            Some((cert_path, key_path)) => {
                let (cert_pem, chain) = read_certs(cfg, config::CLIENT_CERT, cert_path)?;
                let key_pem = read_file(cfg, config::CLIENT_KEY, key_path)?;
                let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
                    bad_file(
                        cfg,
                        config::CLIENT_KEY,
                        key_path,
                        &format!("no private key in it ({e}); expected a PEM PRIVATE KEY block"),
                    )
                })?;
                let rustls = builder.with_client_auth_cert(chain, key).map_err(|e| {
                    ConfigError::BadIdentity {
                        cert: cert_path.to_string(),
                        key: key_path.to_string(),
                        reason: e.to_string(),
                    }
                })?;
                (rustls, Some((cert_pem, key_pem)))
            }
        };
        Ok(TlsMaterial {
            anchors,
            roots,
            identity,
            rustls: Arc::new(rustls),
        })
    }

    /// A rustls configuration for HTTPS requests of our own (the OAuth token endpoint): the
    /// machine's roots (or Mozilla's) plus the CAs of `LHC_CA_CERT`, no client certificate.
    /// The official SDKs verify the token endpoint with their platform's default roots; adding
    /// `LHC_CA_CERT` lets one private CA serve both.
    pub fn https_config(&self) -> Result<Arc<ClientConfig>, ConfigError> {
        let mut roots = RootCertStore {
            roots: default_anchors().0,
        };
        if let Roots::CaFile(_) = self.roots {
            roots.roots.extend(self.anchors.iter().cloned());
        }
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| ConfigError::Tls {
                    reason: e.to_string(),
                })?
                .with_root_certificates(roots)
                .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// The tonic client TLS configuration for the gRPC channel.
    pub fn tonic(&self) -> ClientTlsConfig {
        let mut tls = ClientTlsConfig::new().trust_anchors(self.anchors.iter().cloned());
        if let Some((cert, key)) = &self.identity {
            tls = tls.identity(Identity::from_pem(cert, key));
        }
        tls
    }
}

fn half_identity(cfg: &Config, set: &str) -> ConfigError {
    let missing = if set == config::CLIENT_CERT {
        config::CLIENT_KEY
    } else {
        config::CLIENT_CERT
    };
    ConfigError::HalfIdentity {
        set: set.to_string(),
        from: cfg.source(set).to_string(),
        missing: missing.to_string(),
    }
}

fn bad_file(cfg: &Config, key: &str, path: &str, what: &str) -> ConfigError {
    ConfigError::BadValue {
        key: key.to_string(),
        value: path.to_string(),
        from: cfg.source(key).to_string(),
        problem: what.to_string(),
    }
}

fn read_file(cfg: &Config, key: &str, path: &str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(Path::new(path)).map_err(|e| {
        let detail = match e.kind() {
            std::io::ErrorKind::NotFound => "the file does not exist".to_string(),
            _ => format!("cannot read the file: {e}"),
        };
        bad_file(cfg, key, path, &detail)
    })
}

/// The certificates of a PEM file (at least one).
fn read_certs(
    cfg: &Config,
    key: &str,
    path: &str,
) -> Result<(Vec<u8>, Vec<CertificateDer<'static>>), ConfigError> {
    let pem = read_file(cfg, key, path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_file(cfg, key, path, &format!("not a valid PEM file: {e}")))?;
    if certs.is_empty() {
        return Err(bad_file(
            cfg,
            key,
            path,
            "no certificate in it; expected a PEM CERTIFICATE block",
        ));
    }
    Ok((pem, certs))
}

fn ca_anchors(cfg: &Config, path: &str) -> Result<Vec<TrustAnchor<'static>>, ConfigError> {
    let (_, certs) = read_certs(cfg, config::CA_CERT, path)?;
    let mut store = RootCertStore::empty();
    for cert in certs {
        store.add(cert).map_err(|e| {
            bad_file(
                cfg,
                config::CA_CERT,
                path,
                &format!("a certificate in it cannot be used as a CA: {e}"),
            )
        })?;
    }
    Ok(store.roots)
}

/// The platform's roots, or Mozilla's when the platform has none (e.g. a bare container).
fn default_anchors() -> (Vec<TrustAnchor<'static>>, Roots) {
    let mut store = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(native.certs);
    if store.is_empty() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return (store.roots, Roots::Mozilla);
    }
    (store.roots, Roots::Platform)
}
