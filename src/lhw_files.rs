//! Directories on the command line: `lhc check DIR`, `compile`, `deploy` and `fmt` take
//! every `.lhw` file under a directory, as `lhc test DIR` takes its `.test.lhw` files and as
//! `cargo fmt`/`deno check` take a project. Hidden directories, `target` and
//! `node_modules` are skipped.

use std::path::{Path, PathBuf};

/// Which files under a directory a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Under {
    /// Workflows only: `.lhw` files that are not `.test.lhw` (compile, deploy, fmt).
    Workflows,
    /// Workflows and their tests (check).
    WithTests,
    /// Tests only: `.test.lhw` files (test).
    Tests,
}

impl Under {
    fn takes(self, name: &str) -> bool {
        let test = name.ends_with(".test.lhw");
        match self {
            Under::Workflows => name.ends_with(".lhw") && !test,
            Under::WithTests => name.ends_with(".lhw"),
            Under::Tests => test,
        }
    }
}

/// Every file `under` takes below `dir`, sorted.
pub(crate) fn lhw_files(dir: &Path, under: Under, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| crate::io_reason(&e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                lhw_files(&path, under, found)?;
            }
        } else if under.takes(&name) {
            found.push(path);
        }
    }
    Ok(())
}

/// `paths` with each directory replaced by the files `under` takes in it. A directory that
/// holds none (or cannot be read) stays, for `read_source` to say so in the command's usual
/// "cannot read" line.
pub(crate) fn expand(paths: &[PathBuf], under: Under) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            if lhw_files(path, under, &mut found).is_ok() && !found.is_empty() {
                out.extend(found);
                continue;
            }
        }
        out.push(path.clone());
    }
    out
}

/// Why a directory cannot be read as a source file.
pub(crate) fn directory_reason(dir: &Path) -> String {
    let mut found = Vec::new();
    match lhw_files(dir, Under::WithTests, &mut found) {
        Err(reason) => reason,
        Ok(()) if found.is_empty() => "a directory with no .lhw files in it".to_string(),
        Ok(()) => "a directory; give one .lhw file".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_their_lhw_files() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        for name in [
            "b.lhw",
            "a.lhw",
            "a.test.lhw",
            "notes.txt",
            "sub/c.lhw",
            ".git/x.lhw",
            "target/t.lhw",
        ] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        }
        let names = |under| -> Vec<String> {
            expand(&[root.to_path_buf()], under)
                .iter()
                .map(|p| p.strip_prefix(root).expect("under").display().to_string())
                .collect()
        };
        assert_eq!(names(Under::Workflows), ["a.lhw", "b.lhw", "sub/c.lhw"]);
        assert_eq!(
            names(Under::WithTests),
            ["a.lhw", "a.test.lhw", "b.lhw", "sub/c.lhw"]
        );
        std::fs::create_dir(root.join("empty")).expect("mkdir");
        assert_eq!(
            expand(&[root.join("empty")], Under::Workflows),
            [root.join("empty")]
        );
        assert_eq!(
            directory_reason(&root.join("empty")),
            "a directory with no .lhw files in it"
        );
    }
}
