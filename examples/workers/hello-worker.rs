//! A Rust task worker for `greet` of examples/hello.lhw, built with the worker SDK
//! (`lhw_runtime_client::worker`).
//!
//! It reads the LittleHorse configuration like every client (`~/.config/littlehorse.config`,
//! then `LHC_*`/`LHW_*` variables; with no LHC_API_HOST it uses the embedded kernel on
//! 127.0.0.1), polls `greet` tasks and answers `Hello, NAME!` until Ctrl-C or SIGTERM, then
//! finishes the tasks under way and stops.
//!
//! Run: `cargo run --example hello-worker` (after `lhc deploy examples/hello.lhw`).

use std::process::ExitCode;

use lhw_runtime_client::config::{self, Config, LoadOptions};
use lhw_runtime_client::worker::{TaskError, Worker, WorkerContext, shutdown_signal};

/// The `greet` task: `task greet(name: str) -> str`.
async fn greet(name: String, ctx: WorkerContext) -> Result<String, TaskError> {
    eprintln!(
        "hello-worker: greet({name:?}), attempt {}",
        ctx.attempt_number()
    );
    ctx.log(format!("greeted {name}"));
    Ok(format!("Hello, {name}!"))
}

fn load_config() -> Result<Config, String> {
    let mut opts = LoadOptions::default();
    let cfg = Config::load(&opts).map_err(|e| e.to_string())?;
    if cfg.host_configured() {
        return Ok(cfg);
    }
    opts.overrides
        .insert(config::API_HOST.to_string(), "127.0.0.1".to_string());
    Config::load(&opts).map_err(|e| e.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cfg = match load_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hello-worker: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let worker = match Worker::builder(cfg)
        .client_id("hello-worker")
        .task("greet", &["name"], greet)
        .build()
    {
        Ok(w) => w,
        Err(e) => {
            eprintln!("hello-worker: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let handle = match worker.start().await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("hello-worker: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("hello-worker: polling `greet` tasks on {}", handle.target());
    shutdown_signal().await;
    let report = handle.shutdown().await;
    eprintln!(
        "hello-worker: stopped ({} task(s) abandoned)",
        report.abandoned
    );
    ExitCode::SUCCESS
}
