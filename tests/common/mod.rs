//! Helpers shared by the conformance suites (wfsdk, registrations, serde): where the canon
//! is, and compiling a case that must compile cleanly.

#![allow(dead_code)] // each suite uses a subset

use std::fs;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The conformance canon: the copy vendored in `tests/canon` (see its `ORIGIN.md`), or
/// `LHW_CONFORMANCE_DIR`.
pub fn canon_dir() -> PathBuf {
    match std::env::var_os("LHW_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("tests/canon"),
    }
}

/// Compiles the `.lhw` file of a case; any diagnostic (warnings included) is a failure whose
/// text holds the rendered diagnostics.
pub fn compile_clean(lhw: &Path) -> Result<lhw_compiler::Output, String> {
    let text =
        fs::read_to_string(lhw).map_err(|e| format!("cannot read {}: {e}", lhw.display()))?;
    let compiled = lhw_compiler::compile(&text);
    if !compiled.diagnostics.is_empty() {
        let opts = lhw_compiler::diag::render::RenderOptions::default();
        let rendered = lhw_compiler::diag::render::render_all(
            &compiled.diagnostics,
            &lhw.display().to_string(),
            &text,
            opts,
        );
        return Err(format!(
            "diagnostics (a case must compile cleanly):\n{rendered}"
        ));
    }
    compiled
        .output
        .ok_or_else(|| "no output although there were no diagnostics".to_string())
}
