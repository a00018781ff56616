//! `lhw-kernel --data-dir DIR [--listen ADDR]`: runs the embedded LittleHorse kernel
//! until interrupted (Ctrl-C).

use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str =
    "usage: lhw-kernel --data-dir DIR [--listen ADDR]   (default ADDR: 127.0.0.1:2023)";

fn parse_args() -> Result<lhw_kernel::Config, String> {
    let mut data_dir = None;
    let mut listen: SocketAddr = lhw_kernel::DEFAULT_ADDR
        .parse()
        .map_err(|e| format!("{e}"))?;
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
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument \"{other}\"")),
        }
    }
    let data_dir = data_dir.ok_or("--data-dir is required")?;
    Ok(lhw_kernel::Config::new(data_dir).listen(listen))
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
