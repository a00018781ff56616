//! The data directory and the database files are owner-only (ARCHITECTURE invariant "masked
//! values never leave"): the database and its write-ahead log hold masked values in plain
//! text. A directory the kernel creates is 0700; `kernel.db`, `kernel.db-wal` and
//! `kernel.db-shm` are 0600 whoever created them (SQLite gives the WAL and shared-memory
//! files the database file's mode, so creating the database 0600 first covers them too).

use std::io;
use std::path::{Path, PathBuf};

/// The database file in a data directory.
pub(crate) const DB_FILE: &str = "kernel.db";

/// Creates `dir` (and missing parents) owner-only. An existing directory keeps its mode.
pub fn create_owner_only_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// The database file and the files SQLite keeps beside it.
pub(crate) fn db_files(dir: &Path) -> [PathBuf; 3] {
    [
        dir.join(DB_FILE),
        dir.join(format!("{DB_FILE}-wal")),
        dir.join(format!("{DB_FILE}-shm")),
    ]
}

/// Creates the database file owner-only if it is missing, and makes every existing database
/// file owner-only.
pub(crate) fn secure_db_files(dir: &Path) -> io::Result<()> {
    let [db, ..] = db_files(dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&db)?;
        for f in db_files(dir) {
            match std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                other => other?,
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = db;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
    }

    #[test]
    fn a_new_data_dir_and_its_database_files_are_owner_only() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("a").join("data");
        let store = crate::storage::Store::open(&dir).expect("open");
        store.begin().expect("begin");
        store.commit().expect("commit");
        assert_eq!(mode(&dir), 0o700);
        for f in db_files(&dir) {
            if f.exists() {
                assert_eq!(mode(&f), 0o600, "{}", f.display());
            }
        }
        assert!(db_files(&dir)[1].exists(), "WAL mode keeps a -wal file");
    }

    #[test]
    fn existing_world_readable_database_files_are_tightened() {
        let tmp = tempfile::tempdir().expect("tmp");
        for f in db_files(tmp.path()) {
            std::fs::write(&f, b"").expect("write");
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        secure_db_files(tmp.path()).expect("secure");
        for f in db_files(tmp.path()) {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
}
