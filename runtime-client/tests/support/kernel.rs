//! An embedded kernel for the client tests: on a free local port, its data in a temporary
//! directory, optionally serving TLS and requiring bearer tokens.

use lhw_kernel::auth::BearerAuth;
use lhw_kernel::tls::TlsConfig;

/// A running kernel; its data directory lives as long as it does.
pub struct Kernel {
    pub handle: lhw_kernel::KernelHandle,
    _data: tempfile::TempDir,
}

impl Kernel {
    /// The port it listens on, as `LHC_API_PORT` takes it.
    pub fn port(&self) -> String {
        self.handle.addr().port().to_string()
    }
}

/// Starts a kernel, with TLS when `tls` is given and token checks when `auth` is.
pub async fn kernel(tls: Option<TlsConfig>, auth: Option<BearerAuth>) -> Kernel {
    let data = tempfile::tempdir().expect("tempdir");
    let mut config =
        lhw_kernel::Config::new(data.path()).listen("127.0.0.1:0".parse().expect("addr"));
    if let Some(tls) = tls {
        config = config.tls(tls);
    }
    if let Some(auth) = auth {
        config = config.auth(auth);
    }
    let handle = lhw_kernel::serve(config).await.expect("kernel starts");
    Kernel {
        handle,
        _data: data,
    }
}
