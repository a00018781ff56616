//! A real Neovim, headless, with the setup in `editors/nvim`, against `lhc lsp`: it opens a
//! file with one mistake, and the server's diagnostic must arrive on the right line with
//! the right code (the same as `lhc check` reports); hover on a task call must describe the
//! task and go to definition must land on the task's declaration.
//!
//! Neovim must be installed: `scripts/setup-editors.sh` (run by `scripts/test.sh`) installs
//! Debian's package. `LHW_NVIM` picks another Neovim binary.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::repo;

/// The whole Neovim session may take no longer than this; it is killed after it.
const SESSION_LIMIT: Duration = Duration::from_secs(90);
/// Each wait inside the session (client attached, diagnostics, each request), in ms.
const WAIT_LIMIT_MS: u64 = 30_000;

/// The file Neovim opens: one unknown variable (`nmae`) in a workflow that calls a task.
const SOURCE: &str = "\
// A workflow with one mistake, for the editor tests.

task greet(name: str) -> str

workflow hello {
  input name: str required
  public var greeting: str

  greeting = greet(name)
  greeting = greet(nmae)
}
";

/// The 0-based line and (ASCII, so UTF-16) character where `needle` first occurs in
/// [`SOURCE`].
fn position_of(needle: &str) -> (u64, u64) {
    SOURCE
        .lines()
        .enumerate()
        .find_map(|(line, text)| text.find(needle).map(|col| (line as u64, col as u64)))
        .unwrap_or_else(|| panic!("{needle:?} is not in the test source"))
}

/// The Neovim binary: `LHW_NVIM`, or `nvim` from PATH.
fn nvim() -> PathBuf {
    let nvim = std::env::var_os("LHW_NVIM").map_or_else(|| PathBuf::from("nvim"), PathBuf::from);
    match Command::new(&nvim).arg("--version").output() {
        Ok(out) if out.status.success() => nvim,
        Ok(out) => panic!(
            "`{} --version` failed: {}",
            nvim.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "Neovim is needed for this test but `{}` cannot run ({e}). Install it with \
             `bash scripts/setup-editors.sh` (Debian's `neovim` package via apt-get; \
             scripts/test.sh runs it), or any Neovim 0.7+ on PATH, or set LHW_NVIM to its path.",
            nvim.display()
        ),
    }
}

/// The lhc binary the test serves the language with. `LHW_EDITORS_LHC` may name another
/// build (e.g. one from a branch with a newer server); by default it is this package's.
fn lhc() -> PathBuf {
    std::env::var_os("LHW_EDITORS_LHC")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_lhc")), PathBuf::from)
}

/// Runs the headless session and returns the JSON it wrote.
fn run_session(dir: &Path, file: &Path, position: (u64, u64)) -> Value {
    let out = dir.join("result.json");
    let stdout = dir.join("nvim.stdout");
    let stderr = dir.join("nvim.stderr");
    let xdg = dir.join("xdg");
    let mut child = Command::new(nvim())
        .args(["--headless", "--clean", "-u"])
        .arg(repo().join("editors/nvim/test/init.lua"))
        .current_dir(dir)
        .env("LHW_NVIM_LHC", lhc())
        .env("LHW_NVIM_FILE", file)
        .env(
            "LHW_NVIM_POSITION",
            format!("{}:{}", position.0, position.1),
        )
        .env("LHW_NVIM_OUT", &out)
        .env("LHW_NVIM_TIMEOUT_MS", WAIT_LIMIT_MS.to_string())
        // Keep Neovim's log, cache and state (lsp.log, shada) out of the user's home.
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("XDG_STATE_HOME", xdg.join("state"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env_remove("NVIM")
        .env_remove("VIMINIT")
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).expect("create nvim.stdout"))
        .stderr(File::create(&stderr).expect("create nvim.stderr"))
        .spawn()
        .expect("start nvim");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll nvim") {
            break status;
        }
        if started.elapsed() > SESSION_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Neovim did not finish within {SESSION_LIMIT:?}; killed it.\n--- result so far\n{}\n--- stderr\n{}",
                fs::read_to_string(&out).unwrap_or_default(),
                fs::read_to_string(&stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let logs = || {
        format!(
            "--- nvim stdout\n{}\n--- nvim stderr\n{}",
            fs::read_to_string(&stdout).unwrap_or_default(),
            fs::read_to_string(&stderr).unwrap_or_default()
        )
    };
    let text = fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("Neovim ({status}) wrote no result ({e})\n{}", logs()));
    let result: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the result is not JSON ({e}): {text}\n{}", logs()));
    assert!(
        status.success(),
        "Neovim exited with {status}\n{text}\n{}",
        logs()
    );
    result
}

/// A JSON list; Neovim's encoder writes an empty Lua table as `{}`.
fn list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Object(map) if map.is_empty() => Vec::new(),
        Value::Null => Vec::new(),
        other => panic!("expected a list, found {other}"),
    }
}

/// The text of a hover result: MarkupContent, a MarkedString or a list of them.
fn hover_text(contents: &Value) -> String {
    match contents {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(hover_text).collect::<Vec<_>>().join("\n"),
        Value::Object(map) => map
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// The (uri, start line) of each target of a definition result: a Location, a list of
/// Locations or a list of LocationLinks.
fn definition_targets(result: &Value) -> Vec<(String, u64)> {
    let items = match result {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    items
        .iter()
        .map(|item| {
            let uri = item.get("targetUri").or_else(|| item.get("uri"));
            let range = item
                .get("targetSelectionRange")
                .or_else(|| item.get("range"));
            (
                uri.and_then(Value::as_str).unwrap_or_default().to_string(),
                range
                    .and_then(|r| r["start"]["line"].as_u64())
                    .unwrap_or(u64::MAX),
            )
        })
        .collect()
}

/// The one response of a request (one client is attached).
fn single_response<'a>(result: &'a Value, request: &str) -> &'a Value {
    let responses = result[request]["responses"]
        .as_array()
        .unwrap_or_else(|| panic!("no {request} response (timed out?): {}", result[request]));
    assert_eq!(
        responses.len(),
        1,
        "expected one {request} response: {responses:?}"
    );
    let response = &responses[0];
    assert!(
        response["error"].is_null(),
        "the server answered {request} with an error: {}",
        response["error"]
    );
    &response["result"]
}

#[test]
fn neovim_gets_diagnostics_hover_and_definition_from_lhc_lsp() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("flow.lhw");
    fs::write(&file, SOURCE).expect("write flow.lhw");

    // What `lhc check` says about the file is what the editor must show.
    let check = Command::new(lhc())
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .expect("run lhc check");
    let check: Value = serde_json::from_slice(&check.stdout).expect("lhc check --format json");
    let expected = list(&check["files"][0]["diagnostics"]);
    assert_eq!(expected.len(), 1, "the source should have one diagnostic");
    let expected = &expected[0];
    let (bad_line, bad_col) = position_of("nmae");
    assert_eq!(expected["code"], "E0101");
    assert_eq!(expected["primary"]["line"].as_u64(), Some(bad_line + 1));
    assert_eq!(expected["primary"]["column"].as_u64(), Some(bad_col + 1));

    let (call_line, call_col) = position_of("greet(name)");
    let (decl_line, _) = position_of("task greet");
    let result = run_session(dir.path(), &file, (call_line, call_col + 1));
    let context = format!(
        "Neovim {} ({}); server exit: {}; events: {}\n--- Neovim's LSP log (the server's stderr)\n{}",
        result["nvim_version"],
        result["api"],
        result["server_exit"],
        result["events"],
        result["lsp_log"].as_str().unwrap_or_default()
    );

    assert!(
        result["error"].is_null(),
        "the Neovim session failed: {}\n{context}",
        result["error"].as_str().unwrap_or_default()
    );
    assert_eq!(result["filetype"], "lhw", "ftdetect: {context}");
    assert_eq!(
        result["attached"], true,
        "no lhc lsp client attached to the buffer: {context}"
    );
    assert_eq!(
        result["diagnostics_arrived"], true,
        "no diagnostics within {WAIT_LIMIT_MS} ms: {context}"
    );

    // The server's last word on the file: exactly the diagnostic `lhc check` reports.
    let uri = result["uri"]
        .as_str()
        .expect("the buffer's uri")
        .to_string();
    let published = list(&result["published"]);
    let last = published
        .iter()
        .rev()
        .find(|p| p["uri"] == uri.as_str())
        .unwrap_or_else(|| panic!("nothing published for {uri}: {published:?}"));
    let diagnostics = list(&last["diagnostics"]);
    assert_eq!(
        diagnostics.len(),
        1,
        "one diagnostic expected: {diagnostics:?}"
    );
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E0101", "{d}");
    assert_eq!(d["range"]["start"]["line"].as_u64(), Some(bad_line), "{d}");
    assert_eq!(
        d["range"]["start"]["character"].as_u64(),
        Some(bad_col),
        "{d}"
    );
    assert_eq!(d["severity"].as_u64(), Some(1), "an error: {d}");
    let message = d["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(expected["message"].as_str().unwrap_or("?")),
        "the message {message:?} should hold lhc check's {}",
        expected["message"]
    );

    // ...and what the editor shows for it.
    let shown = list(&result["shown"]);
    assert_eq!(shown.len(), 1, "vim.diagnostic shows {shown:?}");
    assert_eq!(shown[0]["lnum"].as_u64(), Some(bad_line), "{}", shown[0]);
    assert_eq!(shown[0]["code"], "E0101", "{}", shown[0]);

    // Hover on the call `greet(name)` describes the task.
    let hover = single_response(&result, "hover");
    let text = hover_text(&hover["contents"]);
    assert!(
        text.contains("greet") && text.contains("str"),
        "the hover on greet(...) should show the task's signature, shows {text:?} ({hover})"
    );

    // Definition on the same call lands on `task greet`.
    let definition = single_response(&result, "definition");
    let targets = definition_targets(definition);
    assert_eq!(
        targets,
        vec![(uri.clone(), decl_line)],
        "go to definition on greet(...) should land on line {decl_line} ({definition})"
    );
}
