//! A Rust task worker for `greet` of examples/hello.lhw.
//!
//! It reads the LittleHorse configuration like every client (`~/.config/littlehorse.config`,
//! then `LHC_*` variables; with no LHC_API_HOST it uses the embedded kernel on
//! 127.0.0.1:2023), polls `greet` tasks and answers `Hello, NAME!` until Ctrl-C or SIGTERM.
//!
//! Run: `cargo run --example hello-worker` (after `lhc deploy --with-task-defs examples/hello.lhw`).

use std::process::ExitCode;

use lhw_runtime_client::LhClient;
use lhw_runtime_client::config::{self, Config, LoadOptions};
use lhw_runtime_client::worker::{TaskOutcome, input_str, run_worker, str_value};

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut opts = LoadOptions::default();
    let cfg = match Config::load(&opts) {
        Ok(c) if c.host_configured() => c,
        Ok(_) => {
            opts.overrides
                .insert(config::API_HOST.to_string(), "127.0.0.1".to_string());
            match Config::load(&opts) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("hello-worker: error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        Err(e) => {
            eprintln!("hello-worker: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = match LhClient::connect(&cfg).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hello-worker: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("hello-worker: polling `greet` tasks on {}", client.target());
    let greet = |task| async move {
        match input_str(&task, 0) {
            Some(name) => {
                eprintln!("hello-worker: greet({name:?})");
                TaskOutcome::Output(str_value(format!("Hello, {name}!")))
            }
            None => TaskOutcome::Error("greet expects one str input".into()),
        }
    };
    match run_worker(&client, "greet", "hello-worker", greet, stop_signal()).await {
        Ok(()) => {
            eprintln!("hello-worker: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hello-worker: error: {e}");
            ExitCode::FAILURE
        }
    }
}
