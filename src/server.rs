//! Which LittleHorse server `lhc deploy`/`lhc run` talk to, and connecting to it with
//! clear messages.

use std::collections::BTreeMap;

use lhw_runtime_client::config::{self, Config, LoadOptions};
use lhw_runtime_client::{ClientError, LhClient};

use crate::cli::ServerArgs;
use crate::report::Style;

/// The embedded kernel's address, used when no server is configured.
pub const EMBEDDED_HOST: &str = "127.0.0.1";

/// A resolved target.
pub struct Target {
    /// The merged configuration.
    pub config: Config,
    /// Whether no server was configured and lhc falls back to the local embedded kernel.
    pub embedded: bool,
}

/// Reads the LittleHorse configuration with the flags on top.
pub fn resolve(args: &ServerArgs) -> Result<Target, String> {
    let mut overrides = BTreeMap::new();
    if let Some(h) = &args.api_host {
        overrides.insert(config::API_HOST.to_string(), h.clone());
    }
    if let Some(p) = args.api_port {
        overrides.insert(config::API_PORT.to_string(), p.to_string());
    }
    if let Some(t) = &args.tenant_id {
        overrides.insert(config::TENANT_ID.to_string(), t.clone());
    }
    let opts = LoadOptions {
        explicit_file: args.config.clone(),
        overrides,
        ..LoadOptions::default()
    };
    let mut config = Config::load(&opts).map_err(|e| format!("bad configuration: {e}"))?;
    let embedded = !config.host_configured();
    if embedded {
        let mut o = opts;
        o.overrides
            .insert(config::API_HOST.to_string(), EMBEDDED_HOST.to_string());
        config = Config::load(&o).map_err(|e| format!("bad configuration: {e}"))?;
    }
    Ok(Target { config, embedded })
}

/// Connects, printing a clear error (with a hint) on failure.
pub async fn connect(target: &Target, style: Style) -> Option<LhClient> {
    match LhClient::connect(&target.config).await {
        Ok(c) => Some(c),
        Err(err) => {
            report_client_error(&err, target, style);
            None
        }
    }
}

/// Prints a client error with the hint that fits it.
pub fn report_client_error(err: &ClientError, target: &Target, style: Style) {
    match err {
        ClientError::Connect {
            target: addr,
            detail,
        } if target.embedded => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "no LittleHorse server at {addr} ({detail}), and none is configured"
                ))
            );
            eprintln!(
                "  {}",
                style.help(
                    "start the embedded kernel with `lhc dev` in another terminal, or point \
                     lhc at a cluster with LHC_API_HOST (environment, ~/.config/littlehorse.config \
                     or --config FILE)"
                )
            );
        }
        ClientError::Connect { .. } => {
            eprintln!("{}", style.error(&err.to_string()));
            let src = target.config.source(config::API_HOST);
            eprintln!(
                "  {}",
                style.help(&format!(
                    "the server address comes from {src} ({}={}, {}={}); is the server running?",
                    config::API_HOST,
                    target.config.api_host(),
                    config::API_PORT,
                    target.config.api_port()
                ))
            );
        }
        _ => eprintln!("{}", style.error(&err.to_string())),
    }
}

/// A multi-threaded runtime for one command.
pub fn runtime(style: Style) -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!(
                "{}",
                style.error(&format!("cannot start the async runtime: {e}"))
            );
            None
        }
    }
}
