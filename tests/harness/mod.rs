//! The harness of the lhc integration tests: an embedded kernel on a free local port, running
//! the lhc binary against it within a time limit, and running it offline in a temporary
//! project directory.

#![allow(dead_code)] // each test file uses a subset

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

/// No `lhc` invocation may take longer than this.
pub const LHC_LIMIT: Duration = Duration::from_secs(60);

/// A kernel on 127.0.0.1:0 with its own runtime and data directory.
pub struct Kernel {
    /// The runtime the kernel (and any in-test worker) runs on.
    pub rt: tokio::runtime::Runtime,
    handle: Option<lhw_kernel::KernelHandle>,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Kernel {
    pub fn start() -> Kernel {
        Kernel::start_with(|_, config| config)
    }

    /// A kernel whose configuration `configure` completes (TLS, bearer auth); it gets the
    /// runtime the kernel will run on, for helpers (e.g. a token endpoint) that need one.
    pub fn start_with(
        configure: impl FnOnce(&tokio::runtime::Runtime, lhw_kernel::Config) -> lhw_kernel::Config,
    ) -> Kernel {
        let dir = tempfile::tempdir().expect("tempdir");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let config = configure(
            &rt,
            lhw_kernel::Config::new(dir.path()).listen("127.0.0.1:0".parse().expect("addr")),
        );
        let handle = rt
            .block_on(lhw_kernel::serve(config))
            .expect("kernel starts");
        let addr = handle.addr();
        Kernel {
            rt,
            handle: Some(handle),
            addr,
            _dir: dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.rt.block_on(h.shutdown());
        }
    }
}

/// The output of one `lhc` run.
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "lhc failed:\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn failed(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(1),
            "lhc should fail with 1:\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of `tests/fixtures/deploy/<name>`, as an argument for lhc.
pub fn deploy_fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/deploy")
        .join(name)
        .display()
        .to_string()
}

/// Runs lhc with only the given LittleHorse variables (HOME is an empty directory, so no
/// ~/.config/littlehorse.config is read), within [`LHC_LIMIT`]. The embedded kernel is never
/// started (`LHC_NO_AUTOSTART=1` unless `env` says otherwise).
pub fn lhc_env(env: &[(&str, String)], args: &[&str]) -> Out {
    lhc_with(env, args, false)
}

/// Like [`lhc_env`], but lhc may start the embedded kernel: give `XDG_DATA_HOME` (a temporary
/// directory) and `LHC_API_PORT` (a free port) in `env`, and stop the kernel afterwards.
pub fn lhc_autostart(env: &[(&str, String)], args: &[&str]) -> Out {
    lhc_with(env, args, true)
}

fn lhc_with(env: &[(&str, String)], args: &[&str], autostart: bool) -> Out {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lhc"));
    cmd.args(args).current_dir(repo()).env("HOME", home.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("LHC_") || k.starts_with("LHW_") || k == "XDG_DATA_HOME" {
            cmd.env_remove(k);
        }
    }
    if !autostart {
        cmd.env("LHC_NO_AUTOSTART", "1");
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(cmd.output());
    });
    let output = rx
        .recv_timeout(LHC_LIMIT)
        .unwrap_or_else(|_| panic!("lhc {args:?} did not finish within {LHC_LIMIT:?}"))
        .expect("lhc runs");
    Out {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs lhc against `kernel` through LHC_API_HOST/LHC_API_PORT.
pub fn lhc(kernel: &Kernel, args: &[&str]) -> Out {
    lhc_env(
        &[
            ("LHC_API_HOST", "127.0.0.1".to_string()),
            ("LHC_API_PORT", kernel.port().to_string()),
        ],
        args,
    )
}

/// Runs lhc offline in `dir` with colour off (no time limit, the environment as it is).
pub fn lhc_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lhc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("lhc runs")
}

/// A temporary directory holding `files` (name, text); names may hold subdirectories.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write fixture");
    }
    dir
}

/// A port nothing listens on.
pub fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A kernel with the `.lhw` text `flows` deployed (the directory holds the file).
pub fn deployed(flows: &str) -> (Kernel, tempfile::TempDir) {
    let k = Kernel::start();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("flows.lhw");
    std::fs::write(&file, flows).expect("write");
    lhc(&k, &["deploy", &file.display().to_string()]).ok();
    (k, dir)
}

/// The stdout of `out` as JSON.
pub fn json(out: &Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

/// Runs `args` until `done` accepts the output, for at most 20 s.
pub fn poll(k: &Kernel, args: &[&str], done: impl Fn(&Out) -> bool) -> Out {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let out = lhc(k, args);
        if done(&out) {
            return out;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "lhc {args:?} never got there:\n--- stdout\n{}\n--- stderr\n{}",
            out.stdout,
            out.stderr
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
