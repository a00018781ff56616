//! `lhc server` as a process: it logs timestamped lines on stderr, serves `lhc deploy` and
//! `lhc list`, stops cleanly with exit 0 on SIGTERM, keeps its state in `--data-dir`
//! across restarts, and exits 1 with a logged error when it cannot listen. Every wait is
//! bounded.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

mod harness;

use harness::{Out, lhc_env, repo};

/// A running `lhc server` and its stderr lines.
struct Server {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(data_dir: &std::path::Path, listen: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lhc"))
            .args(["server", "--listen", listen, "--data-dir"])
            .arg(data_dir)
            .current_dir(repo())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lhc server starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (at most 30 s) for a stderr line containing `needle`.
    fn line_with(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("no stderr line with {needle:?}; saw {:#?}", self.seen),
            }
        }
    }

    /// The port from the `listening on 127.0.0.1:PORT` line.
    fn port(&mut self) -> u16 {
        let line = self.line_with("listening on ");
        let addr = line
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split([',', ' ']).next())
            .unwrap_or_default();
        addr.rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"))
    }

    /// Sends SIGTERM and waits (at most 30 s) for the exit code.
    fn terminate(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        self.wait()
    }

    fn wait(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "lhc server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lhc_at(port: u16, args: &[&str]) -> Out {
    lhc_env(
        &[
            ("LHC_API_HOST", "127.0.0.1".to_string()),
            ("LHC_API_PORT", port.to_string()),
        ],
        args,
    )
}

/// `2024-02-29T12:30:15.250Z INFO  ...`
fn is_log_line(line: &str) -> bool {
    let mut parts = line.split_whitespace();
    let time = parts.next().unwrap_or_default();
    let level = parts.next().unwrap_or_default();
    time.len() == 24
        && time.ends_with('Z')
        && time.as_bytes().get(10) == Some(&b'T')
        && ["INFO", "ERROR"].contains(&level)
}

#[test]
fn server_serves_logs_and_stops_cleanly_on_sigterm() {
    let data = tempfile::tempdir().expect("dir");
    let mut server = Server::start(data.path(), "127.0.0.1:0");
    let port = server.port();
    assert!(
        server.seen.iter().all(|l| is_log_line(l)),
        "{:#?}",
        server.seen
    );
    assert!(
        server
            .seen
            .last()
            .is_some_and(|l| l.contains(&data.path().display().to_string())),
        "the data directory is logged: {:#?}",
        server.seen
    );
    lhc_at(port, &["deploy", "examples/hello.lhw"]).ok();
    let out = lhc_at(port, &["list", "wfspecs"]);
    out.ok();
    assert!(out.stdout.contains("hello"), "{}", out.stdout);

    assert_eq!(server.terminate(), Some(0), "{:#?}", server.seen);
    server.line_with("SIGTERM: stopping");
    let last = server.line_with("stopped");
    assert!(is_log_line(&last), "{last}");

    // The state is in the data directory: a new server has the WfSpec.
    let mut again = Server::start(data.path(), "127.0.0.1:0");
    let port = again.port();
    let out = lhc_at(port, &["list", "taskdefs"]);
    out.ok();
    assert!(out.stdout.contains("greet"), "{}", out.stdout);

    // A second server on the same address cannot listen: a logged error, exit 1.
    let taken = format!("127.0.0.1:{port}");
    let other = tempfile::tempdir().expect("dir");
    let mut clash = Server::start(other.path(), &taken);
    assert_eq!(clash.wait(), Some(1));
    let line = clash.line_with("cannot start the kernel");
    assert!(is_log_line(&line) && line.contains("ERROR"), "{line}");
    assert_eq!(again.terminate(), Some(0));
}

#[test]
fn server_refuses_the_network_without_tls_and_client_certificates_unless_insecure() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data").display().to_string();
    for (args, why) in [
        (
            vec!["server", "--listen", "0.0.0.0:0", "--data-dir", &data],
            "PLAINTEXT",
        ),
        (
            vec!["dev", "--listen", "[::]:0", "--data-dir", &data],
            "PLAINTEXT",
        ),
    ] {
        let out = lhc_env(&[], &args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("refusing to listen on") && out.stderr.contains(why),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("--insecure"), "{}", out.stderr);
        assert!(out.stderr.contains("--tls-client-ca"), "{}", out.stderr);
    }
    // With --insecure it starts (and says what it does); loopback needs nothing.
    for (listen, insecure) in [("0.0.0.0:0", true), ("127.0.0.1:0", false)] {
        let mut args = vec!["server", "--listen", listen, "--data-dir", &data];
        if insecure {
            args.push("--insecure");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_lhc"))
            .args(&args)
            .current_dir(repo())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lhc server starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines().map_while(Result::ok);
        let mut seen = Vec::new();
        let listening = lines.by_ref().find_map(|l| {
            seen.push(l.clone());
            l.contains("listening on ").then_some(l)
        });
        let _ = child.kill();
        let _ = child.wait();
        assert!(listening.is_some(), "{listen}: {seen:#?}");
        let warned = seen
            .iter()
            .any(|l| l.contains("WARN") && l.contains("--insecure"));
        assert_eq!(warned, insecure, "{seen:#?}");
    }
}
