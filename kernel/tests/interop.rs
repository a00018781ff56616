//! Interop with the official LittleHorse Python SDK (`littlehorse-client`
//! 1.3.0 in `<repo>/.venv`, installed by `bash scripts/setup-python.sh`):
//! the SDK's client and `LHTaskWorker` drive an in-process kernel unchanged,
//! alone and mixed with our Rust worker SDK and client (Python client with a
//! Rust worker, Rust client with a Python worker). The scripts live in
//! `kernel/tests/python/`.

mod common;

use lhw_kernel::KernelHandle;
use lhw_proto::littlehorse::{LhStatus, RunWfRequest, variable_value::Value};
use lhw_runtime_client::worker::{TaskError, Worker};
use lhw_runtime_client::{Config, LhClient};
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

/// A running `interop.py <case>`; killed (worker included) however the
/// test ends.
struct Py {
    child: Child,
    case: String,
    out_path: PathBuf,
    err_path: PathBuf,
}

impl Drop for Py {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Py {
    /// Starts `interop.py <case>` against `kernel`, with stdin piped (the
    /// `worker` case serves until it is closed).
    fn spawn(case: &str, kernel: &KernelHandle, dir: &Path) -> Py {
        let out_path = dir.join(format!("{case}.stdout.txt"));
        let err_path = dir.join(format!("{case}.stderr.txt"));
        let script = repo_root().join("kernel/tests/python/interop.py");
        let child = Command::new(python())
            .arg(&script)
            .arg(case)
            .env("LHC_API_HOST", kernel.addr().ip().to_string())
            .env("LHC_API_PORT", kernel.addr().port().to_string())
            .env("LHC_API_PROTOCOL", "PLAINTEXT")
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(std::fs::File::create(&out_path).expect("stdout file"))
            .stderr(std::fs::File::create(&err_path).expect("stderr file"))
            .spawn()
            .expect("start python");
        Py {
            child,
            case: case.to_string(),
            out_path,
            err_path,
        }
    }

    fn output(&self) -> (String, String) {
        (
            std::fs::read_to_string(&self.out_path).unwrap_or_default(),
            std::fs::read_to_string(&self.err_path).unwrap_or_default(),
        )
    }

    /// Waits until stdout holds `text` (panics after [`CASE_TIMEOUT`] or
    /// when the script exits first).
    async fn wait_for_output(&mut self, text: &str) {
        let deadline = tokio::time::Instant::now() + CASE_TIMEOUT;
        loop {
            let (stdout, stderr) = self.output();
            if stdout.contains(text) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "interop case {} exited ({status}) before printing {text:?}:\n{stdout}\n{stderr}",
                    self.case
                );
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "interop case {} did not print {text:?} within {CASE_TIMEOUT:?}:\n{stdout}\n{stderr}",
                self.case
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Closes stdin, waits for the script (bounded) and returns its stdout;
    /// panics with its output when it fails or overruns.
    async fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let deadline = tokio::time::Instant::now() + CASE_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for python") {
                break Some(status);
            }
            if tokio::time::Instant::now() > deadline {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (stdout, stderr) = self.output();
        match status {
            Some(s) if s.success() => stdout,
            Some(s) => panic!(
                "interop case {} failed ({s}):\n{stdout}\n{stderr}",
                self.case
            ),
            None => panic!(
                "interop case {} did not finish within {CASE_TIMEOUT:?}:\n{stdout}\n{stderr}",
                self.case
            ),
        }
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

/// A task served by our Rust worker, then an external event (case `client`).
const MIXED: &str = r#"
task rs-greet(name: str) -> str
event approval: str
workflow mixed-wf {
  input name: str required
  var out: str
  var decision: str
  out = rs-greet(name)
  decision = await approval
}
"#;

/// Runs `interop.py <case>` against a fresh kernel (after deploying
/// `lhw_source`, if any); returns its stdout, or panics with its output
/// when it fails or overruns.
async fn run_case(case: &str, lhw_source: Option<&str>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = common::start(&dir.path().join("data")).await;
    if let Some(source) = lhw_source {
        let mut client = common::client(&kernel).await;
        common::deploy(&mut client, source).await;
    }
    let out = Py::spawn(case, &kernel, dir.path()).finish().await;
    kernel.shutdown().await;
    out
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

fn config(kernel: &KernelHandle) -> Config {
    Config::from_pairs([
        ("LHC_API_HOST", kernel.addr().ip().to_string().as_str()),
        ("LHC_API_PORT", kernel.addr().port().to_string().as_str()),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_runs_a_wf_run_that_our_rust_worker_executes() {
    let _ = python();
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = common::start(&dir.path().join("data")).await;
    let mut client = common::client(&kernel).await;
    common::deploy(&mut client, MIXED).await;
    let worker = Worker::builder(config(&kernel))
        .client_id("rust-interop-worker")
        .task("rs-greet", &["name"], |name: String| async move {
            Ok::<_, TaskError>(format!("Hello, {name}!"))
        })
        .build()
        .expect("a valid worker")
        .start()
        .await
        .expect("the Rust worker starts");
    let out = Py::spawn("client", &kernel, dir.path()).finish().await;
    assert!(
        out.contains("client case ok")
            && out.contains("out='Hello, python!'")
            && out.contains("decision='yes'"),
        "{out}"
    );
    assert_eq!(worker.stats().executed, 1, "the Rust worker ran the task");
    assert_eq!(worker.shutdown().await.abandoned, 0);
    kernel.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_client_runs_a_wf_run_that_the_python_worker_executes() {
    let _ = python();
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = common::start(&dir.path().join("data")).await;
    let mut raw = common::client(&kernel).await;
    common::deploy(&mut raw, LHW_GREET).await;
    let mut py = Py::spawn("worker", &kernel, dir.path());
    py.wait_for_output("worker ready").await;

    let client = LhClient::connect(&config(&kernel))
        .await
        .expect("our client connects");
    let mut variables = std::collections::BTreeMap::new();
    variables.insert("name".to_string(), common::s("rust"));
    let run = client
        .run_wf(RunWfRequest {
            wf_spec_name: "lhw-greet-wf".into(),
            variables,
            id: Some("rust-client-1".into()),
            ..Default::default()
        })
        .await
        .expect("RunWf");
    assert_eq!(run.status, LhStatus::Running as i32);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let run = client.get_wf_run("rust-client-1").await.expect("GetWfRun");
        if run.status == LhStatus::Completed as i32 {
            break;
        }
        assert!(
            run.status == LhStatus::Running as i32 && tokio::time::Instant::now() < deadline,
            "the WfRun did not complete: {run:#?}\n{:?}",
            py.output()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let vars = client
        .list_variables("rust-client-1")
        .await
        .expect("variables");
    let out = vars
        .iter()
        .find(|v| v.id.as_ref().is_some_and(|id| id.name == "out"))
        .and_then(|v| v.value.as_ref())
        .and_then(|v| v.value.clone());
    assert_eq!(out, Some(Value::Str("hello, rust!".into())));
    let stdout = py.finish().await;
    assert!(
        stdout.contains("worker case ok: executed 1 ['rust']"),
        "{stdout}"
    );
    kernel.shutdown().await;
}
