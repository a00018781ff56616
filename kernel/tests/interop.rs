//! Interop with the official LittleHorse Python SDK (`littlehorse-client`
//! 1.3.0 in `<repo>/.venv`, installed by `bash scripts/setup-python.sh`):
//! the SDK's client and `LHTaskWorker` drive an in-process kernel unchanged.
//! The scripts live in `kernel/tests/python/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long one Python case may take (the script bounds its own waits to less).
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the kernel crate lives inside the repository")
        .to_path_buf()
}

/// The venv's interpreter; fails the test with instructions when missing.
fn python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    let usable = Command::new(&python)
        .args(["-c", "import littlehorse.worker"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        usable,
        "the official Python SDK is not installed at {}: run `bash scripts/setup-python.sh` first",
        python.display()
    );
    python
}

/// Kills the Python process (worker included) however the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A workflow compiled by our compiler, run by the Python worker (case `lhw`).
const LHW_GREET: &str = r#"
task py-greet(name: str) -> str
workflow lhw-greet-wf {
  input name: str required
  var out: str
  out = py-greet(name)
}
"#;

/// Runs `interop.py <case>` against a fresh kernel (after deploying
/// `lhw_source`, if any); returns its stdout, or panics with its output
/// when it fails or overruns.
async fn run_case(case: &str, lhw_source: Option<&str>) -> String {
    let python = python();
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = common::start(&dir.path().join("data")).await;
    if let Some(source) = lhw_source {
        let mut client = common::client(&kernel).await;
        common::deploy(&mut client, source).await;
    }
    let out_path = dir.path().join("stdout.txt");
    let err_path = dir.path().join("stderr.txt");
    let script = repo_root().join("kernel/tests/python/interop.py");
    let child = Command::new(python)
        .arg(&script)
        .arg(case)
        .env("LHC_API_HOST", kernel.addr().ip().to_string())
        .env("LHC_API_PORT", kernel.addr().port().to_string())
        .env("LHC_API_PROTOCOL", "PLAINTEXT")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start python");
    let mut child = KillOnDrop(child);
    let deadline = tokio::time::Instant::now() + CASE_TIMEOUT;
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait for python") {
            break Some(status);
        }
        if tokio::time::Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    drop(child);
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    kernel.shutdown().await;
    match status {
        Some(s) if s.success() => stdout,
        Some(s) => panic!("interop case {case} failed ({s}):\n{stdout}\n{stderr}"),
        None => panic!(
            "interop case {case} did not finish within {CASE_TIMEOUT:?}:\n{stdout}\n{stderr}"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_task_worker_completes_a_wf_run() {
    let out = run_case("task", None).await;
    assert!(
        out.contains("task case ok") && out.contains("out='hello, kernel!'"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_external_event_completes_a_wf_run() {
    let out = run_case("event", None).await;
    assert!(
        out.contains("event case ok") && out.contains("decision='approved'"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_task_worker_runs_a_wf_spec_compiled_from_lhw() {
    let out = run_case("lhw", Some(LHW_GREET)).await;
    assert!(
        out.contains("task case ok") && out.contains("out='hello, kernel!'"),
        "{out}"
    );
}
