//! The default target: when no server is configured, `lhc` starts the embedded kernel in the
//! background (`lhc dev`, detached, logging to `kernel.log` in its data directory) or reuses
//! the one already running.
//!
//! Files in the data directory:
//! - `kernel.pid`: `PID PORT`, written by `lhc dev` once it listens and removed when it stops;
//! - `kernel.lock`: held (created exclusively) by the one `lhc` that is starting a kernel, so
//!   that two commands started together start one kernel;
//! - `kernel.log`: the background kernel's output.
//!
//! `LHC_NO_AUTOSTART=1` or `--no-start` turns this off; a configured server
//! (`LHC_API_HOST`) is never started.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// `LHC_NO_AUTOSTART`: any value but empty, `0` or `false` disables auto-start.
pub const NO_AUTOSTART: &str = "LHC_NO_AUTOSTART";

/// How long a new kernel may take to accept connections.
const STARTUP_LIMIT: Duration = Duration::from_secs(20);
/// A lock file older than this belongs to an `lhc` that died while starting a kernel.
const STALE_LOCK: Duration = Duration::from_secs(30);

/// Whether the environment disables auto-start.
pub fn disabled_by_env() -> bool {
    std::env::var(NO_AUTOSTART).is_ok_and(|v| {
        let v = v.trim();
        !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
    })
}

/// The pid file of a data directory.
pub fn pid_file(data_dir: &Path) -> PathBuf {
    data_dir.join("kernel.pid")
}

/// The log of a background kernel.
pub fn log_file(data_dir: &Path) -> PathBuf {
    data_dir.join("kernel.log")
}

fn lock_file(data_dir: &Path) -> PathBuf {
    data_dir.join("kernel.lock")
}

/// A kernel recorded in a pid file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// Its process id.
    pub pid: u32,
    /// The port it listens on.
    pub port: u16,
}

/// Reads `kernel.pid` (`None` when missing or unreadable).
pub fn read_pid_file(data_dir: &Path) -> Option<Recorded> {
    let text = fs::read_to_string(pid_file(data_dir)).ok()?;
    let mut parts = text.split_whitespace();
    let pid = parts.next()?.parse().ok()?;
    let port = parts.next()?.parse().ok()?;
    Some(Recorded { pid, port })
}

/// Writes `kernel.pid` for this process.
pub fn write_pid_file(data_dir: &Path, port: u16) -> io::Result<()> {
    fs::write(
        pid_file(data_dir),
        format!("{} {port}\n", std::process::id()),
    )
}

/// Removes `kernel.pid` if it names this process.
pub fn remove_own_pid_file(data_dir: &Path) {
    if read_pid_file(data_dir).is_some_and(|r| r.pid == std::process::id()) {
        let _ = fs::remove_file(pid_file(data_dir));
    }
}

/// Whether `pid` is a running `lhc dev` (on Linux, by its command line; elsewhere, whether
/// the process exists).
pub fn kernel_alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if proc_dir.is_dir() {
        return match fs::read(proc_dir.join(pid.to_string()).join("cmdline")) {
            Ok(cmdline) => cmdline.split(|b| *b == 0).any(|arg| arg == b"dev"),
            Err(_) => false,
        };
    }
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether something accepts connections on `addr`.
async fn listening(addr: SocketAddr) -> bool {
    matches!(
        tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(addr)
        )
        .await,
        Ok(Ok(_))
    )
}

/// What [`ensure`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A kernel was started by this command.
    Started {
        /// Its pid.
        pid: u32,
    },
    /// Another command started it (or it was starting): it is used as it is.
    Reused,
}

/// Makes sure the embedded kernel with `data_dir` listens on `addr` (a loopback address),
/// starting it in the background when nothing does.
pub async fn ensure(addr: SocketAddr, data_dir: &Path) -> Result<Outcome, String> {
    lhw_kernel::storage::private::create_owner_only_dir(data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        )
    })?;
    if let Some(rec) = read_pid_file(data_dir) {
        if kernel_alive(rec.pid) {
            if rec.port != addr.port() {
                return Err(format!(
                    "the embedded kernel of {} already runs on port {} (pid {}), not on {}; \
                     set LHC_API_PORT={} or stop it (kill {})",
                    data_dir.display(),
                    rec.port,
                    rec.pid,
                    addr.port(),
                    rec.port,
                    rec.pid
                ));
            }
            // It is there, perhaps still starting.
            return wait_ready(addr, None, data_dir)
                .await
                .map(|()| Outcome::Reused);
        }
        let _ = fs::remove_file(pid_file(data_dir));
    }
    let lock_path = lock_file(data_dir);
    let lock = match take_lock(&lock_path) {
        Ok(lock) => lock,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Another lhc is starting the kernel: wait for it.
            return wait_ready(addr, None, data_dir)
                .await
                .map(|()| Outcome::Reused);
        }
        Err(e) => {
            return Err(format!("cannot create {}: {e}", lock_path.display()));
        }
    };
    let result = start(addr, data_dir).await;
    drop(lock);
    let _ = fs::remove_file(&lock_path);
    result
}

/// Creates the lock file exclusively, replacing one left behind by a command that died.
fn take_lock(path: &Path) -> io::Result<File> {
    let create = || OpenOptions::new().write(true).create_new(true).open(path);
    match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let age = fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok());
            if age.is_some_and(|a| a > STALE_LOCK) {
                let _ = fs::remove_file(path);
                create()
            } else {
                Err(e)
            }
        }
        other => other,
    }
}

async fn start(addr: SocketAddr, data_dir: &Path) -> Result<Outcome, String> {
    if listening(addr).await {
        return Ok(Outcome::Reused);
    }
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find the lhc executable to start the kernel: {e}"))?;
    let log_path = log_file(data_dir);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let log = options
        .open(&log_path)
        .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
    let log_start = log.metadata().map_or(0, |m| m.len());
    let log_err = log
        .try_clone()
        .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
    let mut cmd = Command::new(exe);
    cmd.arg("dev")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--listen")
        .arg(addr.to_string())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    #[cfg(unix)]
    {
        // Its own process group: Ctrl-C in this terminal does not stop it.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the embedded kernel: {e}"))?;
    let pid = child.id();
    match wait_ready(addr, Some(&mut child), data_dir).await {
        Ok(()) => Ok(Outcome::Started { pid }),
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            let tail = read_from(&log_path, log_start);
            Err(if tail.trim().is_empty() {
                e
            } else {
                format!("{e}\n  kernel log:\n{}", indent(tail.trim_end()))
            })
        }
    }
}

/// Waits until `addr` accepts connections (at most [`STARTUP_LIMIT`]); fails early when the
/// child exits.
async fn wait_ready(
    addr: SocketAddr,
    mut child: Option<&mut std::process::Child>,
    data_dir: &Path,
) -> Result<(), String> {
    let deadline = Instant::now() + STARTUP_LIMIT;
    loop {
        if listening(addr).await {
            return Ok(());
        }
        if let Some(c) = child.as_deref_mut()
            && let Ok(Some(status)) = c.try_wait()
        {
            return Err(format!(
                "the embedded kernel exited ({status}) before listening on {addr}"
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the embedded kernel did not listen on {addr} within {} s (log: {})",
                STARTUP_LIMIT.as_secs(),
                log_file(data_dir).display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn read_from(path: &Path, offset: u64) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path)
        && f.seek(SeekFrom::Start(offset)).is_ok()
    {
        let _ = f.take(8 * 1024).read_to_string(&mut text);
    }
    text
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_files_round_trip_and_only_the_owner_removes_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read_pid_file(dir.path()), None);
        write_pid_file(dir.path(), 4242).expect("write");
        assert_eq!(
            read_pid_file(dir.path()),
            Some(Recorded {
                pid: std::process::id(),
                port: 4242
            })
        );
        remove_own_pid_file(dir.path());
        assert_eq!(read_pid_file(dir.path()), None);
        fs::write(pid_file(dir.path()), "1 2023\n").expect("write");
        remove_own_pid_file(dir.path());
        assert!(pid_file(dir.path()).exists(), "not ours: left alone");
    }

    #[test]
    fn a_second_lock_fails_until_the_first_is_gone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = lock_file(dir.path());
        let first = take_lock(&path).expect("first");
        let err = take_lock(&path).expect_err("held");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        drop(first);
        fs::remove_file(&path).expect("remove");
        take_lock(&path).expect("free again");
    }

    #[test]
    fn this_test_process_is_not_a_kernel() {
        assert!(!kernel_alive(std::process::id()));
    }
}
