//! `lhc dev` and `lhc server`: the embedded LittleHorse kernel in the foreground. Both
//! open the data directory, serve until SIGINT or SIGTERM and stop cleanly (the engine
//! commits its last batch); `dev` talks to a person, `server` writes timestamped log lines
//! for a process supervisor.

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

/// How the kernel reports on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `lhc dev`: messages for a person at a terminal.
    Dev,
    /// `lhc server`: one timestamped line per event.
    Server,
}

/// What stopped the kernel.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Interrupt,
    Terminate,
}

impl Stop {
    fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
        }
    }
}

/// Runs `lhc dev`.
pub fn run(args: &DevArgs, style: Style) -> ExitCode {
    foreground(args, style, Mode::Dev)
}

/// Runs `lhc server`.
pub fn server(args: &DevArgs, style: Style) -> ExitCode {
    foreground(args, style, Mode::Server)
}

/// The address to listen on: `--listen`, else for `lhc dev` 127.0.0.1 on LHC_API_PORT (the
/// port `deploy`, `run` and the other commands look for the embedded kernel on, so that
/// `LHC_API_PORT=3000 lhc dev` and `LHC_API_PORT=3000 lhc run ...` meet), else 127.0.0.1:2023.
/// `lhc server` is a service: only `--listen` moves it.
fn listen_addr(
    flag: Option<std::net::SocketAddr>,
    mode: Mode,
    api_port: Option<String>,
) -> Result<std::net::SocketAddr, String> {
    let loopback = std::net::Ipv4Addr::LOCALHOST.into();
    match (flag, mode, api_port) {
        (Some(addr), _, _) => Ok(addr),
        (None, Mode::Dev, Some(port)) if !port.trim().is_empty() => port
            .trim()
            .parse::<u16>()
            .map(|p| std::net::SocketAddr::new(loopback, p))
            .map_err(|_| format!("LHC_API_PORT={port} is not a port number")),
        _ => Ok(std::net::SocketAddr::new(loopback, DEFAULT_PORT)),
    }
}

/// The embedded kernel's port when nothing picks another (LittleHorse's own default).
const DEFAULT_PORT: u16 = 2023;

/// Writes one `lhc server` log line: `<UTC time> <LEVEL> <message>`.
fn log(level: &str, message: &str) {
    eprintln!("{} {level:<5} {message}", utc_now());
}

fn foreground(args: &DevArgs, style: Style, mode: Mode) -> ExitCode {
    let fail = |message: &str, help: Option<&str>| {
        match mode {
            Mode::Dev => {
                eprintln!("{}", style.error(message));
                if let Some(h) = help {
                    eprintln!("  {}", style.help(h));
                }
            }
            Mode::Server => log("ERROR", message),
        }
        ExitCode::FAILURE
    };
    let listen = match listen_addr(args.listen, mode, std::env::var("LHC_API_PORT").ok()) {
        Ok(a) => a,
        Err(e) => {
            fail(&e, Some("set it to a port number, or give --listen ADDR"));
            return ExitCode::from(2);
        }
    };
    let oauth = match crate::serve_oauth::oauth_config(&args.oauth) {
        Ok(o) => o,
        Err(e) => {
            fail(&format!("cannot require OAuth tokens: {e}"), None);
            return ExitCode::from(2);
        }
    };
    if let Err(refusal) = crate::exposure::check(listen, &args.tls, oauth.is_some(), args.insecure)
    {
        match mode {
            Mode::Dev => {
                fail(&refusal.message(listen), Some(refusal.help()));
            }
            Mode::Server => log(
                "ERROR",
                &format!("{}; {}", refusal.message(listen), refusal.help()),
            ),
        }
        return ExitCode::from(2);
    }
    if args.insecure && !listen.ip().is_loopback() {
        let message = format!(
            "--insecure: serving {} without {} to the network",
            listen,
            if args.tls.tls_cert.is_none() {
                "TLS"
            } else {
                "client authentication"
            }
        );
        match mode {
            Mode::Dev => eprintln!("lhw kernel: warning: {message}"),
            Mode::Server => log("WARN", &message),
        }
    }
    let tls = match tls_config(&args.tls) {
        Ok(t) => t,
        Err(e) => return fail(&format!("cannot serve TLS: {e}"), None),
    };
    let data_dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    if let Err(e) = lhw_kernel::storage::private::create_owner_only_dir(&data_dir) {
        return fail(
            &format!(
                "cannot create the data directory {}: {e}",
                data_dir.display()
            ),
            None,
        );
    }
    if let Some(rec) = autostart::read_pid_file(&data_dir)
        && rec.pid != std::process::id()
        && autostart::kernel_alive(rec.pid)
    {
        return fail(
            &format!(
                "a kernel already runs with the data directory {} (pid {}, port {})",
                data_dir.display(),
                rec.pid,
                rec.port
            ),
            Some(&format!(
                "stop it first (kill {}), or use another --data-dir",
                rec.pid
            )),
        );
    }
    if args.reset {
        match crate::reset::reset_data_dir(&data_dir) {
            Ok(removed) => eprintln!(
                "reset: removed {} from {}",
                if removed.is_empty() {
                    "nothing (no database yet)".to_string()
                } else {
                    removed.join(", ")
                },
                data_dir.display()
            ),
            Err(e) => return fail(&e, None),
        }
    }
    let Some(rt) = crate::server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let mut label = transport_label(tls.as_ref()).to_string();
        let logger = match mode {
            Mode::Dev => lhw_kernel::log::Logger::new(|level, m| match level {
                lhw_kernel::log::Level::Warn => eprintln!("lhw kernel: warning: {m}"),
                lhw_kernel::log::Level::Info => eprintln!("lhw kernel: {m}"),
            }),
            Mode::Server => lhw_kernel::log::Logger::new(|level, m| log(level.as_str(), m)),
        };
        let mut config = lhw_kernel::Config::new(&data_dir)
            .listen(listen)
            .output_topic(args.output_topic.output_topic_bootstrap.is_some())
            .log(logger);
        if let Some(tls) = tls {
            config = config.tls(tls);
        }
        if let Some(oauth) = oauth {
            label.push_str(&format!(
                ", OAuth tokens introspected at {}",
                oauth.introspect_url()
            ));
            config = config.oauth(oauth);
        }
        let kernel = match lhw_kernel::serve(config).await {
            Ok(k) => k,
            Err(e) => {
                let bind = matches!(e, lhw_kernel::KernelError::Bind(_));
                return fail(
                    &format!("cannot start the kernel on {}: {e}", listen),
                    bind.then_some("another kernel may already be running there; use --listen"),
                );
            }
        };
        if let Err(e) = autostart::write_pid_file(&data_dir, kernel.addr().port()) {
            let message = format!(
                "cannot write {}: {e}",
                autostart::pid_file(&data_dir).display()
            );
            match mode {
                Mode::Dev => eprintln!("lhw kernel: warning: {message}"),
                Mode::Server => log("WARN", &message),
            }
        }
        let publisher = match crate::output_topic::Publisher::start(&args.output_topic, &data_dir) {
            Ok(p) => p,
            Err(e) => {
                kernel.shutdown().await;
                return fail(&format!("cannot publish the Output Topic: {e}"), None);
            }
        };
        let (addr, dir) = (kernel.addr(), data_dir.display());
        match mode {
            Mode::Dev => {
                eprintln!("lhw kernel listening on {addr} ({label}; data in {dir}); Ctrl-C to stop")
            }
            Mode::Server => log(
                "INFO",
                &format!(
                    "lhw kernel {} listening on {addr} ({label}), data in {dir}",
                    env!("CARGO_PKG_VERSION")
                ),
            ),
        }
        let stop = wait_for_stop().await;
        match mode {
            Mode::Dev => eprintln!("lhw kernel: stopping"),
            Mode::Server => log("INFO", &format!("{}: stopping", stop.name())),
        }
        kernel.shutdown().await;
        if let Some(p) = publisher
            && let Err(e) = p.stop().await
        {
            match mode {
                Mode::Dev => eprintln!("lhw kernel: {e}"),
                Mode::Server => log("WARN", &e),
            }
        }
        autostart::remove_own_pid_file(&data_dir);
        if mode == Mode::Server {
            log("INFO", "stopped");
        }
        ExitCode::SUCCESS
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_stop() -> Stop {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => Stop::Interrupt,
                _ = term.recv() => Stop::Terminate,
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    Stop::Interrupt
}

/// The current time as RFC 3339 UTC with milliseconds.
fn utc_now() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    rfc3339(ms)
}

/// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian, UTC).
fn rfc3339(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::{Mode, listen_addr, rfc3339};

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_209_815_250), "2024-02-29T12:30:15.250Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn dev_listens_on_lhc_api_port_unless_told_otherwise() {
        let at = |a: &str| a.parse::<std::net::SocketAddr>().expect("addr");
        let port = |p: &str| Some(p.to_string());
        assert_eq!(listen_addr(None, Mode::Dev, None), Ok(at("127.0.0.1:2023")));
        assert_eq!(
            listen_addr(None, Mode::Dev, port("3000")),
            Ok(at("127.0.0.1:3000"))
        );
        assert_eq!(
            listen_addr(Some(at("0.0.0.0:9")), Mode::Dev, port("3000")),
            Ok(at("0.0.0.0:9"))
        );
        // `lhc server` is a service: the clients' variable does not move it.
        assert_eq!(
            listen_addr(None, Mode::Server, port("3000")),
            Ok(at("127.0.0.1:2023"))
        );
        assert_eq!(
            listen_addr(None, Mode::Dev, port("abc")),
            Err("LHC_API_PORT=abc is not a port number".to_string())
        );
    }
}
