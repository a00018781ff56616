//! `lhc connect CONFIG…`: runs LittleHorse Connect sink pipelines (lhw-connect) until
//! SIGTERM/SIGINT, printing a status line per connector every `--progress-interval`.
//! Exit codes: 0 stopped on request (offsets committed), 1 a connector failed (a record that
//! could not be applied without errors.tolerance=all, or Kafka/LittleHorse unreachable at
//! start), 2 a configuration that cannot be used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use lhw_connect::{ConnectorConfig, KafkaOptions, Metrics, PipelineError, Reporter, State};
use tokio::sync::watch;

use crate::report::Style;

/// Arguments of `lhc connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Connector configurations, as for Kafka Connect: a `.properties` file or JSON (the flat
    /// config object, or the REST body `{"name": …, "config": {…}}`). One pipeline each.
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,

    /// The Kafka cluster (`HOST:PORT[,HOST:PORT…]`) for connectors whose file has no
    /// `bootstrap.servers`. Default: $KAFKA_BOOTSTRAP_SERVERS.
    #[arg(long, value_name = "HOST:PORT")]
    pub bootstrap_server: Option<String>,

    /// A librdkafka property for every Kafka client, e.g. `-X security.protocol=SASL_SSL`
    /// (repeatable; a connector's consumer.override.* / producer.override.* keys win).
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub property: Vec<String>,

    /// Status lines: `text` on stderr, or `json` (one object per connector per line) on stdout.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,

    /// Seconds between status lines (0: only the final one).
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub progress_interval: f64,
}

/// `lhc connect --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// Human lines on stderr.
    Text,
    /// JSON lines on stdout.
    Json,
}

/// Runs `lhc connect`.
pub fn run(args: &ConnectArgs, style: Style) -> ExitCode {
    let configs = match read_configs(&args.configs) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{}", style.error(&message));
            return ExitCode::from(2);
        }
    };
    let mut properties = BTreeMap::new();
    for p in &args.property {
        let Some((k, v)) = p.split_once('=') else {
            eprintln!(
                "{}",
                style.error(&format!(
                    "-X {p}: expected KEY=VALUE (a librdkafka property)"
                ))
            );
            return ExitCode::from(2);
        };
        properties.insert(k.trim().to_string(), v.trim().to_string());
    }
    let lh_defaults =
        match lhw_runtime_client::Config::load(&lhw_runtime_client::LoadOptions::default()) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}", style.error(&e.to_string()));
                return ExitCode::from(2);
            }
        };
    let kafka = KafkaOptions {
        bootstrap_servers: args.bootstrap_server.clone().or_else(|| {
            std::env::var("KAFKA_BOOTSTRAP_SERVERS")
                .ok()
                .filter(|v| !v.is_empty())
        }),
        properties,
        lh_defaults,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", style.error(&format!("cannot start the runtime: {e}")));
            return ExitCode::FAILURE;
        }
    };
    let failed = runtime.block_on(run_all(configs, kafka, args));
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn read_configs(paths: &[PathBuf]) -> Result<Vec<ConnectorConfig>, String> {
    let mut out = Vec::new();
    let mut names = BTreeSet::new();
    for path in paths {
        let cfg = ConnectorConfig::from_file(path).map_err(|e| e.to_string())?;
        if !names.insert(cfg.name.clone()) {
            return Err(format!(
                "{}: a connector named `{}` is already given; names must be unique",
                path.display(),
                cfg.name
            ));
        }
        out.push(cfg);
    }
    Ok(out)
}

struct Running {
    reporter: Reporter,
    metrics: Arc<Metrics>,
    handle: tokio::task::JoinHandle<Result<(), PipelineError>>,
}

/// Runs every connector; true when one failed.
async fn run_all(configs: Vec<ConnectorConfig>, kafka: KafkaOptions, args: &ConnectArgs) -> bool {
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        let _ = stop_tx.send(true);
    });
    let mut running: Vec<Running> = configs
        .into_iter()
        .map(|cfg| {
            let metrics = Arc::new(Metrics::default());
            let reporter = Reporter::new(&cfg.name);
            if args.format == StatusFormat::Text {
                eprintln!(
                    "{}: {} consuming {} as group {} ({} task{})",
                    cfg.name,
                    cfg.class_name(),
                    cfg.topics,
                    cfg.group_id(),
                    cfg.tasks,
                    if cfg.tasks == 1 { "" } else { "s" }
                );
            }
            let handle = tokio::spawn(lhw_connect::run_connector(
                cfg,
                kafka.clone(),
                stop_rx.clone(),
                metrics.clone(),
            ));
            Running {
                reporter,
                metrics,
                handle,
            }
        })
        .collect();
    let interval = (args.progress_interval > 0.0)
        .then(|| Duration::from_secs_f64(args.progress_interval.max(0.05)));
    let mut ticker = tokio::time::interval(interval.unwrap_or(Duration::from_secs(3600)));
    ticker.tick().await;
    let mut failed = false;
    while !running.is_empty() {
        tokio::select! {
            _ = ticker.tick() => {
                if interval.is_some() {
                    for r in &mut running {
                        let status = r.reporter.status(&r.metrics, State::Running, None);
                        emit(args.format, &status);
                    }
                }
            }
            () = wait_any_finished(&running) => {
                let mut still = Vec::new();
                for mut r in running {
                    if !r.handle.is_finished() {
                        still.push(r);
                        continue;
                    }
                    let result = (&mut r.handle).await.unwrap_or_else(|e| {
                        Err(PipelineError::Kafka(format!("the connector task panicked: {e}")))
                    });
                    let (state, error) = match result {
                        Ok(()) => (State::Stopped, None),
                        Err(e) => {
                            failed = true;
                            (State::Failed, Some(e.to_string()))
                        }
                    };
                    let status = r.reporter.status(&r.metrics, state, error);
                    emit(args.format, &status);
                }
                running = still;
            }
        }
    }
    failed
}

async fn wait_any_finished(running: &[Running]) {
    loop {
        if running.iter().any(|r| r.handle.is_finished()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn emit(format: StatusFormat, status: &lhw_connect::Status) {
    match format {
        StatusFormat::Text => {
            eprintln!("{}", status.text());
            if let Some(e) = &status.error {
                eprintln!("error: {e}");
            }
        }
        StatusFormat::Json => match serde_json::to_string(status) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("error: cannot write the status as JSON: {e}"),
        },
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
