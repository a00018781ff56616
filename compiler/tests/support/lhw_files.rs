//! Every `.lhw` file of the repository, for the tests that run on all of them (included
//! with `#[path]` by `compiler/tests/fast_parser.rs` and `syntax.rs`'s unit tests).

use std::path::{Path, PathBuf};

/// Every `.lhw` file under `dir` (the build and tool directories left out), appended to `out`.
pub fn lhw_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(
                name.as_ref(),
                "target" | ".git" | "node_modules" | ".venv" | "out"
            ) {
                lhw_files(&path, out);
            }
        } else if name.ends_with(".lhw") {
            out.push(path);
        }
    }
}
