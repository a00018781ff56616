//! Interop with the official LittleHorse Java SDK (issue 12): `tests/java/interop`, a small
//! Maven project on `io.littlehorse:littlehorse-client`, registers a TaskDef from an annotated
//! method, an ExternalEventDef and a WfSpec built with the Java workflow SDK, serves the task
//! with an `LHTaskWorker`, runs a WfRun and posts the event with the Java client, all against
//! an in-process kernel. Needs `mvn` and a JDK 17+ (Maven resolves the SDK from Maven Central
//! into ~/.m2 on the first run).

mod common;

use lhw_proto::littlehorse::{LhStatus, VariableId, WfRunId, WfSpecId, variable_value::Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/java/interop")
}

/// Runs a command to its end within `limit`, killing it past that.
fn bounded(mut cmd: Command, limit: Duration, what: &str) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap_or_else(|e| panic!("{what}: {e}")),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{what} did not finish within {limit:?}");
        }
    }
}

/// Compiles the Maven project and returns the classpath to run it with.
fn build() -> String {
    let dir = project();
    let mut mvn = Command::new("mvn");
    mvn.current_dir(&dir).args([
        "-q",
        "-B",
        "-Dstyle.color=never",
        "compile",
        "dependency:build-classpath",
        "-Dmdep.outputFile=target/classpath.txt",
    ]);
    let out = bounded(mvn, Duration::from_secs(600), "mvn compile");
    assert!(
        out.status.success(),
        "mvn could not build tests/java/interop (is Maven installed?):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let deps = std::fs::read_to_string(dir.join("target/classpath.txt")).expect("the classpath");
    format!("{}:{}", dir.join("target/classes").display(), deps.trim())
}

#[tokio::test(flavor = "multi_thread")]
async fn java_task_worker_and_client_complete_a_wf_run() {
    let classpath = tokio::task::spawn_blocking(build).await.expect("build");
    let dir = tempfile::tempdir().expect("temp dir");
    let kernel = common::start(dir.path()).await;
    let addr = kernel.addr();

    let mut java = Command::new("java");
    java.args(["-cp", &classpath, "dev.lhw.interop.Interop"])
        .env("LHC_API_HOST", addr.ip().to_string())
        .env("LHC_API_PORT", addr.port().to_string())
        .env("LHC_API_PROTOCOL", "PLAINTEXT");
    let out = tokio::task::spawn_blocking(move || {
        bounded(java, Duration::from_secs(120), "the Java interop program")
    })
    .await
    .expect("java");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && stdout.contains("interop ok: "),
        "the Java SDK failed on the kernel:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // What the Java SDK left in the kernel, read back with our client.
    let mut c = common::client(&kernel).await;
    let spec = c
        .get_wf_spec(WfSpecId {
            name: "java-interop".into(),
            major_version: 0,
            revision: 0,
        })
        .await
        .expect("the WfSpec the Java SDK built")
        .into_inner();
    assert!(spec.thread_specs.contains_key("entrypoint"));
    let id = stdout
        .split("interop ok: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the WfRun id")
        .to_string();
    let run = c
        .get_wf_run(WfRunId {
            id: id.clone(),
            parent_wf_run_id: None,
        })
        .await
        .expect("GetWfRun")
        .into_inner();
    assert_eq!(run.status, LhStatus::Completed as i32);
    let greeting = c
        .get_variable(VariableId {
            wf_run_id: Some(WfRunId {
                id,
                parent_wf_run_id: None,
            }),
            thread_run_number: 0,
            name: "greeting".into(),
        })
        .await
        .expect("GetVariable")
        .into_inner()
        .value
        .and_then(|v| v.value);
    assert_eq!(greeting, Some(Value::Str("Hello, Ada from Java!".into())));
    kernel.shutdown().await;
}
