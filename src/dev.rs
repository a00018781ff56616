//! `lhc dev`: the embedded LittleHorse kernel in the foreground.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::autostart;
use crate::cli::{DevArgs, ServeTlsArgs};
use crate::report::Style;

/// `$XDG_DATA_HOME/lhw`, else `~/.local/share/lhw`, else `./.lhw-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("lhw");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".local").join("share").join("lhw");
    }
    PathBuf::from(".lhw-data")
}

/// Reads and checks the TLS files of `--tls-cert`, `--tls-key` and `--tls-client-ca`
/// (`None` without `--tls-cert`: PLAINTEXT).
pub fn tls_config(args: &ServeTlsArgs) -> Result<Option<lhw_kernel::tls::TlsConfig>, String> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    lhw_kernel::tls::TlsConfig::from_files(
        cert,
        key,
        args.tls_client_ca.as_deref(),
        lhw_kernel::tls::Names {
            cert: "--tls-cert",
            key: "--tls-key",
            client_ca: "--tls-client-ca",
        },
    )
    .map(Some)
    .map_err(|e| e.to_string())
}

/// How the kernel's transport is described when it starts.
pub fn transport_label(tls: Option<&lhw_kernel::tls::TlsConfig>) -> &'static str {
    match tls {
        None => "PLAINTEXT",
        Some(t) if t.requires_client_certs() => "TLS, client certificates required",
        Some(_) => "TLS",
    }
}

/// Runs `lhc dev`.
pub fn run(args: &DevArgs, style: Style) -> ExitCode {
    let tls = match tls_config(&args.tls) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", style.error(&format!("cannot serve TLS: {e}")));
            return ExitCode::FAILURE;
        }
    };
    let data_dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    if let Err(e) = std::fs::create_dir_all(&data_dir) {
        eprintln!(
            "{}",
            style.error(&format!(
                "cannot create the data directory {}: {e}",
                data_dir.display()
            ))
        );
        return ExitCode::FAILURE;
    }
    if let Some(rec) = autostart::read_pid_file(&data_dir)
        && rec.pid != std::process::id()
        && autostart::kernel_alive(rec.pid)
    {
        eprintln!(
            "{}",
            style.error(&format!(
                "a kernel already runs with the data directory {} (pid {}, port {})",
                data_dir.display(),
                rec.pid,
                rec.port
            ))
        );
        eprintln!(
            "  {}",
            style.help(&format!(
                "stop it first (kill {}), or use another --data-dir",
                rec.pid
            ))
        );
        return ExitCode::FAILURE;
    }
    let Some(rt) = crate::server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let label = transport_label(tls.as_ref());
        let mut config = lhw_kernel::Config::new(&data_dir).listen(args.listen);
        if let Some(tls) = tls {
            config = config.tls(tls);
        }
        let kernel = match lhw_kernel::serve(config).await {
            Ok(k) => k,
            Err(e) => {
                eprintln!(
                    "{}",
                    style.error(&format!("cannot start the kernel on {}: {e}", args.listen))
                );
                if matches!(e, lhw_kernel::KernelError::Bind(_)) {
                    eprintln!(
                        "  {}",
                        style.help("another kernel may already be running there; use --listen")
                    );
                }
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = autostart::write_pid_file(&data_dir, kernel.addr().port()) {
            eprintln!(
                "lhw kernel: warning: cannot write {}: {e}",
                autostart::pid_file(&data_dir).display()
            );
        }
        eprintln!(
            "lhw kernel listening on {} ({label}; data in {}); Ctrl-C to stop",
            kernel.addr(),
            data_dir.display()
        );
        wait_for_stop().await;
        eprintln!("lhw kernel: stopping");
        kernel.shutdown().await;
        autostart::remove_own_pid_file(&data_dir);
        ExitCode::SUCCESS
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn wait_for_stop() {
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
