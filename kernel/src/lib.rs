//! # lhw-kernel
//!
//! The embedded LittleHorse kernel: it serves the LittleHorse gRPC API
//! (`littlehorse.LittleHorse`) on a local address and runs workflows durably
//! on SQLite, so that `lhc`, `lhctl` and the official SDKs can deploy and run
//! workflows without a LittleHorse cluster.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lhw_kernel::KernelError> {
//! let kernel = lhw_kernel::serve(lhw_kernel::Config::new("/tmp/lhw-data")).await?;
//! println!("listening on {}", kernel.addr());
//! kernel.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Architecture: one engine thread owns the database and all active runs
//! ([`engine`]); gRPC handlers ([`grpc`]) send it jobs and await replies,
//! which are sent only after the change is committed.

pub(crate) mod access;
#[cfg(test)]
mod api_surface;
pub mod auth;
pub(crate) mod child_inputs;
pub mod clock;
pub mod cron;
pub mod engine;
mod file_limit;
pub(crate) mod grpc;
pub(crate) mod handshake;
pub mod log;
pub mod mask;
mod message_limit;
pub mod metadata;
pub(crate) mod metrics;
pub mod oauth;
pub(crate) mod paths;
pub(crate) mod request;
pub mod search;
pub mod sim;
pub mod storage;
pub mod tls;
pub mod type_text;
pub mod util;
pub(crate) mod value_paths;
pub(crate) mod values;
pub mod wfspec;
pub(crate) mod worker;
pub(crate) mod worker_group;

use lhw_proto::littlehorse::LhHostInfo;
use lhw_proto::littlehorse::little_horse_server::LittleHorseServer;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The default listen address, as LittleHorse clients expect (`localhost:2023`).
pub const DEFAULT_ADDR: &str = "127.0.0.1:2023";

/// How to run a kernel.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory holding the database (created if missing).
    pub(crate) data_dir: PathBuf,
    /// Address to listen on (port 0 picks a free port).
    pub(crate) listen: SocketAddr,
    /// Serve TLS (and require client certificates when it has a client CA).
    pub(crate) tls: Option<tls::TlsConfig>,
    /// Require a bearer token on every call.
    pub(crate) auth: Option<auth::BearerAuth>,
    /// Require an OAuth access token on every call, validated by introspection at the
    /// identity provider (as LittleHorse's `LHS_OAUTH_*` settings); wins over `auth`.
    pub(crate) oauth: Option<oauth::OAuthConfig>,
    /// Where refused TLS handshakes and identity-provider failures are reported.
    pub(crate) log: log::Logger,
    /// Stage Output Topic records in the outbox (`storage/outbox.rs`) for a publisher.
    pub(crate) output_topic: bool,
}

impl Config {
    /// A configuration with the default address and the given data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 2023)),
            tls: None,
            auth: None,
            oauth: None,
            log: log::Logger::default(),
            output_topic: false,
        }
    }

    /// Sets the listen address.
    pub fn listen(mut self, addr: SocketAddr) -> Config {
        self.listen = addr;
        self
    }

    /// Serves TLS instead of PLAINTEXT.
    pub fn tls(mut self, tls: tls::TlsConfig) -> Config {
        self.tls = Some(tls);
        self
    }

    /// Stages Output Topic records in the outbox for a publisher (`lhc dev --output-topic-bootstrap`).
    pub fn output_topic(mut self, enabled: bool) -> Config {
        self.output_topic = enabled;
        self
    }

    /// Requires a bearer token, checked by `auth`, on every call.
    pub fn auth(mut self, auth: auth::BearerAuth) -> Config {
        self.auth = Some(auth);
        self
    }

    /// Requires an OAuth access token on every call, introspected at the identity provider.
    pub fn oauth(mut self, oauth: oauth::OAuthConfig) -> Config {
        self.oauth = Some(oauth);
        self
    }

    /// Sends the kernel's log messages to `log`.
    pub fn log(mut self, log: log::Logger) -> Config {
        self.log = log;
        self
    }
}

/// Why a kernel could not start.
#[derive(Debug)]
pub enum KernelError {
    /// The database could not be opened or recovered.
    Storage(storage::StoreError),
    /// The listen address could not be bound.
    Bind(std::io::Error),
    /// The TLS certificate or key cannot be used.
    Tls(tls::TlsError),
    /// The OAuth settings cannot be used.
    OAuth(oauth::OAuthConfigError),
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::Storage(e) => write!(f, "{e}"),
            KernelError::Bind(e) => write!(f, "cannot listen: {e}"),
            KernelError::Tls(e) => write!(f, "{e}"),
            KernelError::OAuth(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for KernelError {}

/// A running kernel. Dropping it stops the engine (prefer [`KernelHandle::shutdown`]).
pub struct KernelHandle {
    addr: SocketAddr,
    engine: engine::EngineHandle,
    engine_thread: Option<std::thread::JoinHandle<()>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    directory: Arc<access::directory::Directory>,
}

impl KernelHandle {
    /// The address the kernel listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving, lets the engine commit its last batch and waits for both.
    pub async fn shutdown(mut self) {
        self.stop_all().await;
    }

    async fn stop_all(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.engine.stop();
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        if let Some(t) = self.engine_thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
        for t in self.directory.stop_all() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

impl Drop for KernelHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.engine.stop();
        drop(self.directory.stop_all());
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Opens the data directory, recovers unfinished WfRuns and serves the
/// LittleHorse gRPC API on `config.listen`.
pub async fn serve(config: Config) -> Result<KernelHandle, KernelError> {
    let mut builder = tonic::transport::Server::builder();
    let tls_config = match &config.tls {
        Some(tls) => Some(
            tls.rustls_config()
                .map_err(|e| KernelError::Tls(tls::TlsError(format!("cannot serve TLS: {e}"))))?,
        ),
        None => None,
    };
    let introspector = match config.oauth {
        Some(o) => Some(Arc::new(
            oauth::Introspector::new(o).map_err(KernelError::OAuth)?,
        )),
        None => None,
    };
    file_limit::survive_file_size_limit();
    let mut store = storage::Store::open(&config.data_dir).map_err(KernelError::Storage)?;
    if config.output_topic {
        store.enable_output_topic().map_err(KernelError::Storage)?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(KernelError::Bind)?;
    let addr = listener.local_addr().map_err(KernelError::Bind)?;
    let (engine, engine_thread) = engine::start(store).map_err(KernelError::Storage)?;
    let directory = Arc::new(access::directory::Directory::new(
        config.data_dir.clone(),
        engine.clone(),
        config.output_topic,
    ));
    let service = grpc::KernelService {
        engine: engine.clone(),
        advertised: LhHostInfo {
            host: addr.ip().to_string(),
            port: i32::from(addr.port()),
        },
        directory: directory.clone(),
    };
    let access = Arc::new(access::layer::Access {
        auth: config.auth,
        oauth: introspector,
        log: config.log.clone(),
        directory: directory.clone(),
    });
    let (tx, rx) = oneshot::channel::<()>();
    let log = config.log;
    let router = builder.add_service(message_limit::MessageLimit::new(
        access::layer::AccessService::new(LittleHorseServer::new(service), access),
    ));
    let stop = async move {
        let _ = rx.await;
    };
    let server = match tls_config {
        // TCP_NODELAY on every accepted connection: without it Nagle's algorithm
        // holds small PollTask responses back until the peer's delayed ACK
        // (tens of milliseconds on loopback).
        None => {
            let incoming =
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
            tokio::spawn(async move {
                if let Err(e) = router.serve_with_incoming_shutdown(incoming, stop).await {
                    log.warn(&format!("server error: {e}"));
                }
            })
        }
        // The kernel does the handshakes itself to log each refused one.
        Some(tls) => {
            let incoming = handshake::incoming(listener, tls, log.clone());
            tokio::spawn(async move {
                if let Err(e) = router.serve_with_incoming_shutdown(incoming, stop).await {
                    log.warn(&format!("server error: {e}"));
                }
            })
        }
    };
    Ok(KernelHandle {
        addr,
        engine,
        engine_thread: Some(engine_thread),
        shutdown: Some(tx),
        server: Some(server),
        directory,
    })
}
