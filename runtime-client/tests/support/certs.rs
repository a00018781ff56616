//! Test certificates made at test time with rcgen: a CA, a server certificate for
//! 127.0.0.1/localhost and a client certificate signed by it, written as PEM files into a
//! temporary directory. Shared by the runtime-client tests and lhc's tests (tests/harness).

#![allow(dead_code)] // each test file uses a subset

use std::path::{Path, PathBuf};

use lhw_kernel::tls::{Names, TlsConfig};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A CA with its PEM certificate on disk, able to sign server and client certificates.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// The CA certificate (PEM file).
    pub cert: PathBuf,
}

/// A certificate and its key, as PEM files.
pub struct Leaf {
    /// The certificate (PEM file).
    pub cert: PathBuf,
    /// Its private key (PEM file).
    pub key: PathBuf,
    /// The certificate PEM text.
    pub cert_pem: String,
    /// The key PEM text.
    pub key_pem: String,
}

impl Ca {
    /// A new CA named `name`, its certificate written to `dir/<name>-ca.pem`.
    pub fn new(dir: &Path, name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} test CA"));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("ca key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("ca cert");
        let cert = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&cert, issuer.pem()).expect("write ca");
        Ca { issuer, cert }
    }

    /// The CA certificate PEM text.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn leaf(&self, dir: &Path, name: &str, sans: &[&str], usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("sign");
        let leaf = Leaf {
            cert: dir.join(format!("{name}.pem")),
            key: dir.join(format!("{name}-key.pem")),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        std::fs::write(&leaf.cert, &leaf.cert_pem).expect("write cert");
        std::fs::write(&leaf.key, &leaf.key_pem).expect("write key");
        leaf
    }

    /// A server certificate for 127.0.0.1 and localhost.
    pub fn server(&self, dir: &Path, name: &str) -> Leaf {
        self.leaf(
            dir,
            name,
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate.
    pub fn client(&self, dir: &Path, name: &str) -> Leaf {
        self.leaf(dir, name, &[], ExtendedKeyUsagePurpose::ClientAuth)
    }

    /// A client certificate that expired (valid through 2020 only).
    pub fn expired_client(&self, dir: &Path, name: &str) -> Leaf {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 12, 31);
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("sign");
        let leaf = Leaf {
            cert: dir.join(format!("{name}.pem")),
            key: dir.join(format!("{name}-key.pem")),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        std::fs::write(&leaf.cert, &leaf.cert_pem).expect("write cert");
        std::fs::write(&leaf.key, &leaf.key_pem).expect("write key");
        leaf
    }
}

/// Everything a TLS test needs: a trusted CA with a server and a client certificate, and an
/// unrelated CA with its own client certificate.
pub struct Pki {
    /// Holds the files.
    pub dir: tempfile::TempDir,
    /// The CA that signed `server` and `client`.
    pub ca: Ca,
    /// The server certificate for 127.0.0.1/localhost.
    pub server: Leaf,
    /// A client certificate signed by `ca`.
    pub client: Leaf,
    /// A CA that signed nothing the server uses.
    pub other_ca: Ca,
    /// A client certificate signed by `other_ca`.
    pub stranger: Leaf,
}

impl Pki {
    /// Makes every certificate.
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = Ca::new(dir.path(), "lhw");
        let server = ca.server(dir.path(), "server");
        let client = ca.client(dir.path(), "client");
        let other_ca = Ca::new(dir.path(), "other");
        let stranger = other_ca.client(dir.path(), "stranger");
        Pki {
            dir,
            ca,
            server,
            client,
            other_ca,
            stranger,
        }
    }

    /// The kernel's TLS configuration for `server`; with `client_ca`, clients must present a
    /// certificate `ca` signed (mTLS).
    pub fn server_tls(&self, client_ca: bool) -> TlsConfig {
        TlsConfig::from_pem(
            self.server.cert_pem.clone(),
            self.server.key_pem.clone(),
            client_ca.then(|| self.ca.pem().into_bytes()),
            Names::default(),
        )
        .expect("server tls")
    }

    /// Writes `text` into a file of the directory and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }
}
