//! `lhc dev --reset`: the kernel's database files are removed from the data directory (and
//! nothing else: certificates, logs and other files stay), so the kernel starts empty.

use std::path::Path;

/// The kernel's SQLite database and its write-ahead files.
const DATABASE_FILES: [&str; 3] = ["kernel.db", "kernel.db-wal", "kernel.db-shm"];

/// Removes the database files of `dir`; returns the names removed.
pub(crate) fn reset_data_dir(dir: &Path) -> Result<Vec<String>, String> {
    let mut removed = Vec::new();
    for name in DATABASE_FILES {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(name.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(format!(
                    "cannot reset: cannot remove {}: {e}",
                    path.display()
                ));
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_database_files_are_removed() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("kernel.db"), "x").expect("db");
        std::fs::write(dir.path().join("kernel.log"), "log").expect("log");
        let removed = reset_data_dir(dir.path()).expect("reset");
        assert_eq!(removed, vec!["kernel.db".to_string()]);
        assert!(dir.path().join("kernel.log").exists());
        assert!(reset_data_dir(dir.path()).expect("again").is_empty());
    }
}
