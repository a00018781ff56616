//! The one place where the worker opens connections: to the configured (bootstrap) server
//! and to each host the server tells it to poll. Both go through [`LhClient::connect`], so
//! whatever transport the client supports (and its tenant header) applies to workers too.

use crate::client::{ClientError, LhClient};
use crate::config::{self, Config};

/// A server a worker polls, as `RegisterTaskWorker` names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Host {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: i32,
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Connects to the server of `cfg`, or to `host` with the rest of `cfg` (protocol, tenant,
/// credentials) unchanged.
pub(crate) async fn connect(cfg: &Config, host: Option<&Host>) -> Result<LhClient, ClientError> {
    match host {
        None => LhClient::connect(cfg).await,
        Some(h) => {
            let cfg = cfg
                .with_value(config::API_HOST, h.host.clone())
                .with_value(config::API_PORT, h.port.to_string());
            LhClient::connect(&cfg).await
        }
    }
}
