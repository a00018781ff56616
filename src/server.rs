//! Which LittleHorse server `lhc deploy`/`lhc run`/... talk to, and connecting to it with
//! clear messages. With no server configured, the embedded kernel on 127.0.0.1 is the
//! target, started in the background when nothing answers ([`crate::autostart`]).

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
    /// Whether lhc may start the embedded kernel (embedded, and neither `--no-start` nor
    /// `LHC_NO_AUTOSTART`).
    pub autostart: bool,
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
    let autostart = embedded && !args.no_start && !crate::autostart::disabled_by_env();
    Ok(Target {
        config,
        embedded,
        autostart,
    })
}

/// Connects, printing a clear error (with a hint) on failure. For the embedded target, a
/// kernel is started in the background when nothing answers (unless disabled).
pub async fn connect(target: &Target, style: Style) -> Option<LhClient> {
    match LhClient::connect(&target.config).await {
        Ok(c) => Some(c),
        Err(ClientError::Connect { .. }) if target.autostart => {
            start_embedded(target, style).await?;
            match LhClient::connect(&target.config).await {
                Ok(c) => Some(c),
                Err(err) => {
                    report_client_error(&err, target, style);
                    None
                }
            }
        }
        Err(err) => {
            report_client_error(&err, target, style);
            None
        }
    }
}

/// Starts (or waits for) the embedded kernel on the target's port.
async fn start_embedded(target: &Target, style: Style) -> Option<()> {
    let port = target.config.api_port();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let data_dir = crate::dev::default_data_dir();
    match crate::autostart::ensure(addr, &data_dir).await {
        Ok(crate::autostart::Outcome::Started { pid }) => {
            eprintln!(
                "started the embedded kernel on {addr} (pid {pid}; data and kernel.log in {}; \
                 stop it with `kill {pid}`)",
                data_dir.display()
            );
            Some(())
        }
        Ok(crate::autostart::Outcome::Reused) => Some(()),
        Err(e) => {
            eprintln!(
                "{}",
                style.error(&format!("cannot start the embedded kernel: {e}"))
            );
            eprintln!(
                "  {}",
                style.help(
                    "run `lhc dev` yourself to see why, or point lhc at a cluster with \
                     LHC_API_HOST"
                )
            );
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
            if target.autostart {
                eprintln!(
                    "  {}",
                    style.help(&format!(
                        "the embedded kernel does not answer; see {}",
                        crate::autostart::log_file(&crate::dev::default_data_dir()).display()
                    ))
                );
                return;
            }
            eprintln!(
                "  {}",
                style.help(
                    "starting the embedded kernel is turned off (--no-start or \
                     LHC_NO_AUTOSTART); start it with `lhc dev` in another terminal, or point \
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
