//! A full disk under a running kernel: writes are refused with a status naming the data
//! directory (RESOURCE_EXHAUSTED for a full disk, UNAVAILABLE for a write past a file-size
//! limit), reads keep working, the kernel does not die, the database stays whole, and once
//! space returns the refused requests succeed and every run completes.
//!
//! Two ways to fill it: a small tmpfs mounted as the data directory and filled with a file
//! (needs the right to mount: root, as in CI's container), and a file-size limit
//! (`RLIMIT_FSIZE`, set on the running kernel with `prlimit`; works without root). The
//! first falls back to the second, saying so, when mounting is not allowed.

use crate::process::{Client, KernelProcess, free_addr, wait_serving};
use crate::worker::{ExecLog, resilient_worker};
use lhw_proto::littlehorse::{LhStatus, RunWfRequest, variable_value::Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tonic::Code;

const WORKFLOW: &str = r#"
task disk-step(n: int) -> int
workflow disky {
  input n: int required
  var out: int
  out = disk-step(n)
}
"#;

fn step(n: i64) -> i64 {
    n * 3
}

/// How the disk is filled.
enum Filler {
    /// A tmpfs mounted at `mount`, filled by the file `file`.
    Tmpfs { mount: PathBuf, file: PathBuf },
    /// A file-size limit on the kernel process.
    FileSizeLimit,
}

impl Filler {
    /// A tmpfs of `mib` MiB mounted at `at`, or None when this process may not mount.
    fn mount_tmpfs(at: &Path, mib: u32) -> Option<Filler> {
        std::fs::create_dir_all(at).expect("mount point");
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={mib}m,mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "fault suite, full disk: cannot mount a tmpfs ({}), using a file-size limit",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(Filler::Tmpfs {
            mount: at.to_path_buf(),
            file: at.join("filler"),
        })
    }

    /// Leaves no room: fills the tmpfs, or limits the kernel's file size to 4 KiB (every
    /// write-ahead-log frame goes past it).
    fn exhaust(&self, kernel: &KernelProcess) {
        match self {
            Filler::Tmpfs { file, .. } => {
                let mut f = std::fs::File::create(file).expect("filler file");
                let chunk = vec![0u8; 64 * 1024];
                let mut written = 0usize;
                loop {
                    match f.write(&chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => written += n,
                    }
                }
                // The last pages: whatever a smaller write still finds.
                while let Ok(n) = f.write(&chunk[..512]) {
                    if n == 0 {
                        break;
                    }
                }
                let _ = f.sync_all();
                eprintln!("fault suite, full disk: tmpfs filled ({written} bytes of filler)");
            }
            Filler::FileSizeLimit => prlimit(kernel.pid(), "4096:unlimited"),
        }
    }

    /// Gives the room back.
    fn free(&self, kernel: &KernelProcess) {
        match self {
            Filler::Tmpfs { file, .. } => std::fs::remove_file(file).expect("remove the filler"),
            Filler::FileSizeLimit => prlimit(kernel.pid(), "unlimited:unlimited"),
        }
    }

    /// The status a refused write gets.
    fn expected_code(&self) -> Code {
        match self {
            Filler::Tmpfs { .. } => Code::ResourceExhausted,
            Filler::FileSizeLimit => Code::Unavailable,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Filler::Tmpfs { .. } => "tmpfs",
            Filler::FileSizeLimit => "file-size limit",
        }
    }
}

impl Drop for Filler {
    fn drop(&mut self) {
        if let Filler::Tmpfs { mount, .. } = self {
            let _ = Command::new("umount").arg("-l").arg(&*mount).status();
        }
    }
}

/// Sets the file-size limit (`soft:hard`, bytes) of process `pid`.
fn prlimit(pid: u32, limit: &str) {
    let out = Command::new("prlimit")
        .arg("--pid")
        .arg(pid.to_string())
        .arg(format!("--fsize={limit}"))
        .output()
        .expect("prlimit (util-linux) runs");
    assert!(
        out.status.success(),
        "prlimit --fsize={limit}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn run(client: &mut Client, id: &str, n: i64) -> Result<(), tonic::Status> {
    client
        .run_wf(RunWfRequest {
            wf_spec_name: "disky".into(),
            variables: [("n".to_string(), crate::common::int(n))]
                .into_iter()
                .collect(),
            id: Some(id.to_string()),
            ..Default::default()
        })
        .await
        .map(|_| ())
}

/// The whole case on a data directory `data`, filled by `filler`.
async fn fill_and_free(dir: &Path, data: PathBuf, filler: Filler) {
    let log = dir.join("kernel.log");
    let mut kernel = KernelProcess::spawn(&data, free_addr(), &log);
    let (mut client, _) = wait_serving(&mut kernel).await;
    crate::common::deploy(&mut client, WORKFLOW).await;
    let execs: ExecLog = Default::default();
    let worker = tokio::spawn(resilient_worker(
        kernel.addr,
        "disk-step",
        step,
        3,
        7,
        execs.clone(),
    ));
    for i in 0..5 {
        run(&mut client, &format!("before-{i}"), i)
            .await
            .expect("RunWf before the disk is full");
    }
    for i in 0..5 {
        crate::common::wait_status(&mut client, &format!("before-{i}"), LhStatus::Completed).await;
    }

    filler.exhaust(&kernel);
    // Writes are refused: maybe not the very first (a write may still land in pages the
    // files already own), but soon, and every refusal names the data directory.
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for i in 0..300 {
        let id = format!("full-{i}");
        match run(&mut client, &id, 100 + i).await {
            Ok(()) => accepted.push((id, 100 + i)),
            Err(status) => {
                assert_eq!(
                    status.code(),
                    filler.expected_code(),
                    "a write refused for lack of room ({}): {status:?}",
                    filler.name()
                );
                assert!(
                    status.message().contains("not saved")
                        && status.message().contains(&data.display().to_string()),
                    "the refusal says the change was not saved and names the data directory: \
                     {status:?}"
                );
                refused.push((id, 100 + i));
                if refused.len() == 5 {
                    break;
                }
            }
        }
    }
    assert_eq!(
        refused.len(),
        5,
        "writes were refused once the disk was full ({}); {} accepted; log: {}",
        filler.name(),
        accepted.len(),
        kernel.log_text()
    );
    assert!(
        kernel.exited().is_none(),
        "the kernel died: {}",
        kernel.log_text()
    );
    // Reads keep working.
    let before = client
        .get_wf_run(crate::common::wf_id("before-0"))
        .await
        .expect("GetWfRun while the disk is full")
        .into_inner();
    assert_eq!(before.status, LhStatus::Completed as i32);

    filler.free(&kernel);
    for (id, n) in &refused {
        run(&mut client, id, *n)
            .await
            .unwrap_or_else(|s| panic!("RunWf {id} once space returned: {s:?}"));
    }
    for (id, n) in accepted.iter().chain(&refused) {
        crate::common::wait_status(&mut client, id, LhStatus::Completed).await;
        assert_eq!(
            crate::common::var(&mut client, id, "out").await,
            Some(Value::Int(step(*n))),
            "output of {id}"
        );
    }
    worker.abort();
    eprintln!(
        "fault suite, full disk ({}): {} RunWf accepted then {} refused ({:?}) once full, \
         all {} completed after space returned; reads served throughout",
        filler.name(),
        accepted.len(),
        refused.len(),
        filler.expected_code(),
        accepted.len() + refused.len() + 5
    );

    // No corruption: SQLite finds the database whole, and a new kernel serves every run.
    kernel.kill();
    let conn = rusqlite::Connection::open(data.join("kernel.db")).expect("open the database");
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(verdict, "ok");
    drop(conn);
    let mut kernel = KernelProcess::spawn(&data, free_addr(), &dir.join("kernel-2.log"));
    let (mut client, _) = wait_serving(&mut kernel).await;
    for (id, _) in accepted.iter().chain(&refused) {
        crate::common::wait_status(&mut client, id, LhStatus::Completed).await;
    }
    drop(kernel);
    drop(filler);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_recovers_when_space_returns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mount = dir.path().join("small-disk");
    let (filler, data) = match Filler::mount_tmpfs(&mount, 16) {
        Some(f) => (f, mount.join("data")),
        None => (Filler::FileSizeLimit, dir.path().join("data")),
    };
    tokio::time::timeout(
        Duration::from_secs(90),
        fill_and_free(dir.path(), data, filler),
    )
    .await
    .expect("the full-disk case finished within 90 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_size_limit_refuses_writes_clearly_and_recovers_when_raised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    tokio::time::timeout(
        Duration::from_secs(90),
        fill_and_free(dir.path(), data, Filler::FileSizeLimit),
    )
    .await
    .expect("the file-size-limit case finished within 90 s");
}
