//! The `lhw-kernel` binary as a child process of the fault suite: started on a data
//! directory and a free port, waited for, SIGKILLed, or stopped.

use lhw_proto::littlehorse::little_horse_client::LittleHorseClient;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// A gRPC client.
pub type Client = LittleHorseClient<Channel>;

/// A free local address (bound, then released for the kernel).
pub fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// A kernel process; SIGKILLed when dropped.
pub struct KernelProcess {
    child: Child,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its stderr log.
    pub log: PathBuf,
}

impl KernelProcess {
    /// Starts `lhw-kernel --data-dir data --listen addr`, its stderr in `log`.
    pub fn spawn(data: &Path, addr: SocketAddr, log: &Path) -> KernelProcess {
        let stderr = std::fs::File::create(log).expect("kernel log file");
        let child = Command::new(env!("CARGO_BIN_EXE_lhw-kernel"))
            .arg("--data-dir")
            .arg(data)
            .arg("--listen")
            .arg(addr.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start lhw-kernel");
        KernelProcess {
            child,
            addr,
            log: log.to_path_buf(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL (std's `kill` sends SIGKILL on Unix), then reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process has exited (and how).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// What it wrote on stderr so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for KernelProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Connects a client (None while nothing listens).
pub async fn connect(addr: SocketAddr) -> Option<Client> {
    LittleHorseClient::connect(format!("http://{addr}"))
        .await
        .ok()
}

/// Waits until the kernel answers GetServerVersion (bounded: 20 s); returns a client and
/// how long it took from the call.
pub async fn wait_serving(kernel: &mut KernelProcess) -> (Client, Duration) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(20);
    loop {
        if let Some(mut c) = connect(kernel.addr).await
            && c.get_server_version(pbjson_types::Empty {}).await.is_ok()
        {
            return (c, start.elapsed());
        }
        if let Some(status) = kernel.exited() {
            panic!(
                "the kernel exited ({status}) instead of serving: {}",
                kernel.log_text()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the kernel did not serve within 20 s: {}",
            kernel.log_text()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `lhw-kernel --data-dir data` expecting it to refuse to start: returns its output
/// (it is killed after 20 s if it does not exit).
pub fn run_to_exit(data: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lhw-kernel"))
        .arg("--data-dir")
        .arg(data)
        .arg("--listen")
        .arg(free_addr().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lhw-kernel");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("kernel output")
}
