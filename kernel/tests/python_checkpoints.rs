//! The official Python SDK's checkpointed tasks (`WorkerContext.execute_and_checkpoint`,
//! `littlehorse-client` 1.3.0 in `<repo>/.venv`, installed by `bash scripts/setup-python.sh`)
//! against an in-process kernel: `kernel/tests/python/checkpoint.py` runs a task that
//! checkpoints, fails, and is retried; the retry must replay the stored checkpoint.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the kernel crate lives inside the repository")
        .to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_checkpointed_task_replays_its_checkpoint_on_retry() {
    let python = repo_root().join(".venv/bin/python");
    let usable = Command::new(&python)
        .args(["-c", "from littlehorse.worker import CheckpointContext"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        usable,
        "the official Python SDK with checkpoints is not installed at {}: run \
         `bash scripts/setup-python.sh` first",
        python.display()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let kernel = common::start(&dir.path().join("data")).await;
    let script = repo_root().join("kernel/tests/python/checkpoint.py");
    let (host, port) = (
        kernel.addr().ip().to_string(),
        kernel.addr().port().to_string(),
    );
    // The script bounds each of its waits and exits within a minute.
    let run = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .env("LHC_API_HOST", host)
            .env("LHC_API_PORT", port)
            .env("LHC_API_PROTOCOL", "PLAINTEXT")
            .env("PYTHONUNBUFFERED", "1")
            .output()
            .expect("run python")
    });
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the Python case finishes (it bounds its own waits)")
        .expect("the runner thread");
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    );
    let status = output.status;
    kernel.shutdown().await;
    assert!(
        status.success(),
        "checkpoint.py failed ({status}):\n{out}\n{err}"
    );
    assert!(
        out.contains("checkpoint case ok") && out.contains("attempts=[0, 1]"),
        "{out}\n{err}"
    );
}
