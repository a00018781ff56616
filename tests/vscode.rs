//! The VS Code extension in a real VS Code: `editors/vscode/e2e/run.js` packages the
//! extension, installs the .vsix into code-server (VS Code 1.100 served to a browser),
//! starts it headless on a free port with a throwaway user-data and extensions directory and
//! `lhw.server.path` set to this build's `lhc`, and drives it with Playwright through
//! Chromium: highlighting, hover, go to definition, the graph webview, a diagnostic with its
//! code in the Problems panel, and Format Document. Screenshots land in `out/vscode/`.
//!
//! Needs `bash scripts/setup-vscode.sh` (run by `scripts/test.sh`): code-server,
//! playwright-core, Chromium and the extension's modules. `LHW_SKIP_VSCODE=1` skips the
//! test (saying so); anything missing otherwise fails it, naming the setup script.

use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The whole run (packaging, code-server's start, six UI steps) may take no longer.
const RUN_LIMIT: Duration = Duration::from_secs(240);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Signals every process of the group `pgid` (the script, code-server, its extension host,
/// lhc and Chromium all run in the group the test made for the script).
fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

/// Waits for the script, killing its group when it runs past [`RUN_LIMIT`].
fn wait_bounded(child: &mut std::process::Child) -> Result<ExitStatus, String> {
    let pgid = child.id();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(status);
        }
        if started.elapsed() > RUN_LIMIT {
            signal_group(pgid, "-TERM");
            std::thread::sleep(Duration::from_secs(5));
            signal_group(pgid, "-KILL");
            let _ = child.wait();
            return Err(format!(
                "the VS Code run took longer than {RUN_LIMIT:?}; killed it"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_extension_works_in_a_real_vs_code() {
    if std::env::var("LHW_SKIP_VSCODE").as_deref() == Ok("1") {
        eprintln!("skipped: LHW_SKIP_VSCODE=1 (the VS Code end-to-end test did not run)");
        return;
    }
    let e2e = repo().join("editors/vscode/e2e");
    let code_server = e2e.join("node_modules/.bin/code-server");
    assert!(
        code_server.exists(),
        "{} is missing: run `bash scripts/setup-vscode.sh` (code-server, playwright-core, \
         Chromium; scripts/test.sh runs it), or set LHW_SKIP_VSCODE=1 to skip this test",
        code_server.display()
    );

    let out = repo().join("out/vscode");
    fs::create_dir_all(&out).expect("create out/vscode");
    let log_path = out.join("run.log");
    let log = File::create(&log_path).expect("create out/vscode/run.log");
    let mut child = Command::new("node")
        .arg(e2e.join("run.js"))
        .current_dir(&e2e)
        .env("LHW_VSCODE_LHC", env!("CARGO_BIN_EXE_lhc"))
        .env("LHW_VSCODE_OUT", &out)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log handle"))
        .stderr(log)
        // A process group of its own, so that nothing it started outlives the test.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `node` ({e}); install Node.js 20+"));
    let pgid = child.id();
    let status = wait_bounded(&mut child);
    // code-server stops its children itself; this catches any it left behind.
    signal_group(pgid, "-KILL");
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    match status {
        Ok(status) => assert!(
            status.success(),
            "the VS Code end-to-end run failed ({status}); screenshots in {}:\n{text}",
            out.display()
        ),
        Err(why) => panic!("{why}\n{text}"),
    }
    // Each step left its screenshot.
    for step in [
        "1-highlighting",
        "2-hover",
        "3-definition",
        "4-graph",
        "5-diagnostic",
        "6a-before-format",
        "6b-formatted",
    ] {
        let png = out.join(format!("{step}.png"));
        let bytes = fs::read(&png).unwrap_or_else(|e| panic!("no {}: {e}\n{text}", png.display()));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{} is not a screenshot ({} bytes)",
            png.display(),
            bytes.len()
        );
    }
    assert!(text.contains("all VS Code checks passed"), "{text}");
}
