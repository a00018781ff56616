//! Storage failures, with what a full or failing disk looks like to the engine.
//!
//! SQLite reports a write that found no space as `SQLITE_FULL` and any other failed read,
//! write or sync as an `SQLITE_IOERR_*` (a write past the process's file-size limit,
//! `RLIMIT_FSIZE`, is one: `EFBIG`). Both leave the database as it was before the
//! transaction (the engine rolls it back and reloads its state); the kernel keeps serving
//! reads, answers writes with a status naming the disk (`metadata.rs`, `engine/mod.rs`) and
//! saves again once the disk has room (kernel/tests/faults.rs, "a full disk").

use std::fmt;

/// Why a write to the database failed, when the disk is the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiskFailure {
    /// No space left on the device of the data directory (`SQLITE_FULL`).
    Full,
    /// A read, write or sync of the database files failed (`SQLITE_IOERR_*`), e.g. a write
    /// past the file-size limit.
    Io,
    /// The database files cannot be written (`SQLITE_READONLY`, `SQLITE_CANTOPEN`).
    ReadOnly,
    /// The database file is damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    Corrupt,
}

impl DiskFailure {
    /// The failure behind a SQLite error, when it is one of the disk's.
    fn of(e: &rusqlite::Error) -> Option<DiskFailure> {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code()? {
            C::DiskFull => Some(DiskFailure::Full),
            C::SystemIoFailure => Some(DiskFailure::Io),
            C::ReadOnly | C::CannotOpen => Some(DiskFailure::ReadOnly),
            C::DatabaseCorrupt | C::NotADatabase => Some(DiskFailure::Corrupt),
            _ => None,
        }
    }

    /// What happened, in a few words.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            DiskFailure::Full => "its disk is full",
            DiskFailure::Io => "writing to its disk failed (an I/O error, or a file-size limit)",
            DiskFailure::ReadOnly => "its files cannot be written (read-only)",
            DiskFailure::Corrupt => "its database file is damaged",
        }
    }
}

/// A storage failure (SQLite error or an undecodable stored message).
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
    disk: Option<DiskFailure>,
}

impl StoreError {
    /// A failure described by `message`, not caused by the disk.
    pub(crate) fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            disk: None,
        }
    }

    /// What went wrong (without the "storage error" prefix of `Display`).
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// The disk failure behind it, if any.
    pub(crate) fn disk(&self) -> Option<DiskFailure> {
        self.disk
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage error: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError {
            disk: DiskFailure::of(&e),
            message: e.to_string(),
        }
    }
}

impl From<prost::DecodeError> for StoreError {
    fn from(e: prost::DecodeError) -> Self {
        StoreError::new(format!("corrupt stored message: {e}"))
    }
}

/// Result of a storage operation.
pub(crate) type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_disk_errors_are_classified() {
        let err = |code: i32| {
            StoreError::from(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ))
        };
        assert_eq!(
            err(rusqlite::ffi::SQLITE_FULL).disk(),
            Some(DiskFailure::Full)
        );
        assert_eq!(
            err(rusqlite::ffi::SQLITE_IOERR_WRITE).disk(),
            Some(DiskFailure::Io)
        );
        assert_eq!(
            err(rusqlite::ffi::SQLITE_READONLY).disk(),
            Some(DiskFailure::ReadOnly)
        );
        assert_eq!(
            err(rusqlite::ffi::SQLITE_NOTADB).disk(),
            Some(DiskFailure::Corrupt)
        );
        assert_eq!(err(rusqlite::ffi::SQLITE_CONSTRAINT).disk(), None);
        assert_eq!(StoreError::new("x").disk(), None);
    }
}
