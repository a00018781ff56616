//! `lhw-kernel --data-dir DIR [--listen ADDR] [--tls-cert FILE --tls-key FILE
//! [--tls-client-ca FILE]]`: runs the embedded LittleHorse kernel until interrupted (Ctrl-C).

use std::net::SocketAddr;
use std::process::ExitCode;

/// mimalloc returns freed memory to the system (docs/operations.md, "Memory after a load").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: lhw-kernel --data-dir DIR [--listen ADDR] [--tls-cert FILE --tls-key FILE \
     [--tls-client-ca FILE]]   (default ADDR: 127.0.0.1:2023)";

fn parse_args() -> Result<lhw_kernel::Config, String> {
    let mut data_dir = None;
    let mut listen: SocketAddr = lhw_kernel::DEFAULT_ADDR
        .parse()
        .map_err(|e| format!("{e}"))?;
    let mut tls_cert: Option<String> = None;
    let mut tls_key: Option<String> = None;
    let mut tls_client_ca: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => data_dir = Some(args.next().ok_or("--data-dir needs a value")?),
            "--listen" => {
                let v = args.next().ok_or("--listen needs a value")?;
                listen = v.parse().map_err(|_| {
                    format!("--listen: \"{v}\" is not an address like 127.0.0.1:2023")
                })?;
            }
            "--tls-cert" => tls_cert = Some(args.next().ok_or("--tls-cert needs a value")?),
            "--tls-key" => tls_key = Some(args.next().ok_or("--tls-key needs a value")?),
            "--tls-client-ca" => {
                tls_client_ca = Some(args.next().ok_or("--tls-client-ca needs a value")?);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument \"{other}\"")),
        }
    }
    let data_dir = data_dir.ok_or("--data-dir is required")?;
    let config = lhw_kernel::Config::new(data_dir).listen(listen);
    match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => {
            let tls = lhw_kernel::tls::TlsConfig::from_files(
                cert.as_ref(),
                key.as_ref(),
                tls_client_ca.as_deref().map(AsRef::as_ref),
                lhw_kernel::tls::Names {
                    cert: "--tls-cert",
                    key: "--tls-key",
                    client_ca: "--tls-client-ca",
                },
            )
            .map_err(|e| e.to_string())?;
            Ok(config.tls(tls))
        }
        (None, None) if tls_client_ca.is_none() => Ok(config),
        (None, None) => Err("--tls-client-ca needs --tls-cert and --tls-key".into()),
        (Some(_), None) => Err("--tls-cert needs --tls-key".into()),
        (None, Some(_)) => Err("--tls-key needs --tls-cert".into()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let kernel = match lhw_kernel::serve(config).await {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("lhw-kernel listening on {}", kernel.addr());
    let _ = tokio::signal::ctrl_c().await;
    kernel.shutdown().await;
    ExitCode::SUCCESS
}
