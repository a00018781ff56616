//! The default target: with no server configured, lhc starts the embedded kernel in the
//! background (once) and reuses it; a configured server is never started. Every kernel runs
//! on a free port with a temporary XDG_DATA_HOME and is stopped by pid at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod harness;

use harness::{lhc_autostart, lhc_env};

/// A port nothing listens on (for now).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// `PID PORT` from the kernel's pid file.
fn recorded(data_dir: &Path) -> Option<(u32, u16)> {
    let text = std::fs::read_to_string(data_dir.join("kernel.pid")).ok()?;
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
        && std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([sig, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A temporary XDG_DATA_HOME and port; stops the kernel recorded there when dropped.
struct Sandbox {
    xdg: tempfile::TempDir,
    port: u16,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            xdg: tempfile::tempdir().expect("xdg"),
            port: free_port(),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.xdg.path().join("lhw")
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("XDG_DATA_HOME", self.xdg.path().display().to_string()),
            ("LHC_API_PORT", self.port.to_string()),
        ]
    }

    /// Stops the recorded kernel (SIGTERM, then SIGKILL) and waits until it is gone.
    fn stop_kernel(&self) -> Option<u32> {
        let (pid, _) = recorded(&self.data_dir())?;
        signal(pid, "-TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if alive(pid) {
            signal(pid, "-KILL");
        }
        Some(pid)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_kernel();
    }
}

#[test]
fn the_default_target_starts_the_kernel_once_and_reuses_it() {
    let sb = Sandbox::new();
    let out = lhc_autostart(&sb.env(), &["deploy", "examples/hello.lhw"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "taskdef greet: created\nwfspec hello: created (version 0.0)\n"
    );
    let (pid, port) = recorded(&sb.data_dir()).expect("the kernel wrote its pid file");
    assert_eq!(port, sb.port);
    assert!(alive(pid), "the kernel outlives the command");
    assert!(
        out.stderr.contains(&format!(
            "started the embedded kernel on 127.0.0.1:{} (pid {pid}; data and kernel.log in {}",
            sb.port,
            sb.data_dir().display()
        )),
        "{}",
        out.stderr
    );
    let log = std::fs::read_to_string(sb.data_dir().join("kernel.log")).expect("kernel.log");
    assert!(log.contains("lhw kernel listening on"), "{log}");

    // The second command reuses it: no new process, the deployed WfSpec is there.
    let again = lhc_autostart(
        &sb.env(),
        &["run", "hello", "--var", "name=Ada", "--id", "r1"],
    );
    again.ok();
    assert!(
        again.stdout.contains("started WfRun r1 of hello 0.0"),
        "{}",
        again.stdout
    );
    assert!(!again.stderr.contains("started"), "{}", again.stderr);
    assert_eq!(recorded(&sb.data_dir()), Some((pid, port)));

    // Stopped by pid, it cleans up its pid file; the next command starts a new one on the
    // same data (the WfSpec survived).
    assert_eq!(sb.stop_kernel(), Some(pid));
    assert!(!alive(pid));
    assert_eq!(
        recorded(&sb.data_dir()),
        None,
        "a graceful stop removes kernel.pid"
    );
    let third = lhc_autostart(&sb.env(), &["get", "wfrun", "r1"]);
    third.ok();
    assert!(third.stdout.contains("r1"), "{}", third.stdout);
    assert!(
        third.stderr.contains("started the embedded kernel"),
        "{}",
        third.stderr
    );
    let (pid3, _) = recorded(&sb.data_dir()).expect("pid file");
    assert_ne!(pid3, pid);
}

#[test]
fn commands_started_together_start_one_kernel() {
    let sb = Sandbox::new();
    let env = sb.env();
    let outs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| lhc_autostart(&env, &["deploy", "--dry-run", "examples/hello.lhw"]))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for o in &outs {
        o.ok();
    }
    let started = outs
        .iter()
        .filter(|o| o.stderr.contains("started the embedded kernel"))
        .count();
    assert_eq!(
        started,
        1,
        "{:#?}",
        outs.iter().map(|o| &o.stderr).collect::<Vec<_>>()
    );
    assert!(recorded(&sb.data_dir()).is_some());
}

#[test]
fn a_configured_server_is_never_started_and_fails_fast() {
    let sb = Sandbox::new();
    let mut env = sb.env();
    env.push(("LHC_API_HOST", "127.0.0.1".into()));
    let out = lhc_autostart(&env, &["deploy", "examples/hello.lhw"]);
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: cannot reach the LittleHorse server at 127.0.0.1:{}: Connection refused",
            sb.port
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("started"), "{}", out.stderr);
    assert!(!sb.data_dir().exists(), "nothing was started");
}

#[test]
fn no_start_and_the_environment_turn_auto_start_off() {
    let sb = Sandbox::new();
    let out = lhc_autostart(&sb.env(), &["run", "hello", "--no-start"]);
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "no LittleHorse server at 127.0.0.1:{} (Connection refused), and none is configured",
            sb.port
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("turned off"), "{}", out.stderr);
    let out = lhc_env(&sb.env(), &["get", "wfrun", "r1"]);
    out.failed();
    assert!(out.stderr.contains("turned off"), "{}", out.stderr);
    assert!(!sb.data_dir().exists(), "nothing was started");
}

#[test]
fn a_kernel_that_cannot_start_is_reported_with_its_log() {
    let sb = Sandbox::new();
    // The database path is a directory: the kernel starts, fails to open it and exits.
    std::fs::create_dir_all(sb.data_dir().join("kernel.db")).expect("mkdir");
    let out = lhc_autostart(&sb.env(), &["get", "wfrun", "r1"]);
    out.failed();
    let err = &out.stderr;
    assert!(
        err.contains("error: cannot start the embedded kernel: the embedded kernel exited"),
        "{err}"
    );
    assert!(err.contains("kernel log:"), "{err}");
    assert!(
        err.contains("cannot start the kernel on 127.0.0.1:"),
        "{err}"
    );
    assert!(
        !sb.data_dir().join("kernel.lock").exists(),
        "the lock is released"
    );

    // A data directory that cannot even be created.
    let sb = Sandbox::new();
    std::fs::write(sb.xdg.path().join("lhw"), "not a directory").expect("write");
    let out = lhc_autostart(&sb.env(), &["get", "wfrun", "r1"]);
    out.failed();
    assert!(
        out.stderr
            .contains("error: cannot start the embedded kernel: cannot create the data directory"),
        "{}",
        out.stderr
    );
}
