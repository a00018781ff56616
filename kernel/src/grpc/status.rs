//! The gRPC status of an [`EngineError`]: the one place that picks a code for what the
//! engine says went wrong (ARCHITECTURE.md, invariant 30).
//!
//! A failed write of the database is RESOURCE_EXHAUSTED when the disk is full (gRPC's code
//! for "some resource has been exhausted, such as ... the entire file system is out of
//! space"), UNAVAILABLE for any other disk failure (the condition is expected to pass:
//! clients may retry), INTERNAL otherwise. Nothing of such a request was saved: the engine
//! rolled the batch back and reloaded its state from the database, so a retry starts from
//! what was saved.

use crate::engine::EngineError;
use crate::storage::{DiskFailure, StoreError};
use tonic::{Code, Status};

/// The gRPC code for an engine error.
pub(crate) fn code_of(e: &EngineError) -> Code {
    match e {
        EngineError::InvalidArgument(_) => Code::InvalidArgument,
        EngineError::NotFound { .. } | EngineError::Missing(_) => Code::NotFound,
        EngineError::AlreadyExists(_) => Code::AlreadyExists,
        EngineError::FailedPrecondition(_) => Code::FailedPrecondition,
        EngineError::Unimplemented(_) => Code::Unimplemented,
        EngineError::Internal(_) => Code::Internal,
        EngineError::ShuttingDown => Code::Unavailable,
        EngineError::Storage { error, .. } => match error.disk() {
            Some(DiskFailure::Full) => Code::ResourceExhausted,
            Some(_) => Code::Unavailable,
            None => Code::Internal,
        },
    }
}

impl From<EngineError> for Status {
    fn from(e: EngineError) -> Status {
        Status::new(code_of(&e), e.message())
    }
}

impl From<StoreError> for Status {
    fn from(e: StoreError) -> Status {
        Status::from(EngineError::from(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ObjectKind;

    fn status(e: EngineError) -> (Code, String) {
        let s = Status::from(e);
        (s.code(), s.message().to_string())
    }

    #[test]
    fn each_engine_error_keeps_its_code_and_words() {
        assert_eq!(
            status(EngineError::not_found(ObjectKind::WfRun, "r1")),
            (Code::NotFound, "WfRun r1 not found".into())
        );
        assert_eq!(
            status(EngineError::ShuttingDown),
            (Code::Unavailable, "the kernel is shutting down".into())
        );
        assert_eq!(
            status(EngineError::invalid_argument("id must be set")),
            (Code::InvalidArgument, "id must be set".into())
        );
        let full = StoreError::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        ));
        let (code, message) = status(EngineError::Storage {
            error: full,
            location: Some("/d".into()),
        });
        assert_eq!(code, Code::ResourceExhausted);
        assert!(
            message.starts_with(
                "the change was not saved: the disk of the kernel's data directory /d is full"
            ),
            "{message}"
        );
        let (code, message) = status(EngineError::from(StoreError::new("boom")));
        assert_eq!(
            (code, message.as_str()),
            (Code::Internal, "storage error: boom")
        );
        let (code, message) = status(EngineError::Storage {
            error: StoreError::new("boom"),
            location: Some("/d".into()),
        });
        assert_eq!(
            (code, message.as_str()),
            (
                Code::Internal,
                "the kernel could not commit the change: boom"
            )
        );
    }
}

#[cfg(test)]
mod invariant {
    use std::path::{Path, PathBuf};

    /// The Rust files under `path` (a file or a directory, recursively).
    fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).expect("a source directory") {
                rust_files(&entry.expect("a directory entry").path(), out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_path_buf());
        }
    }

    /// Whether `text` names `word` as a whole word (so "monotonic" is not "tonic").
    fn names(text: &str, word: &str) -> bool {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        text.match_indices(word).any(|(at, _)| {
            !text[..at].chars().next_back().is_some_and(ident)
                && !text[at + word.len()..].chars().next().is_some_and(ident)
        })
    }

    /// ARCHITECTURE.md invariant 30: the engine, the storage and the engine-side modules
    /// (metadata, WfSpec checks, searches, request checks, metrics, the simulator) say what
    /// went wrong with `EngineError`; only the gRPC service (`grpc.rs`, `grpc/status.rs`)
    /// turns it into a status, so none of them names `tonic`.
    #[test]
    fn the_engine_and_the_storage_never_name_tonic() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for part in [
            "engine",
            "storage",
            "storage.rs",
            "metadata.rs",
            "wfspec.rs",
            "search",
            "search.rs",
            "request.rs",
            "child_inputs.rs",
            "worker_group.rs",
            "metrics.rs",
            "sim",
        ] {
            let path = src.join(part);
            assert!(
                path.exists(),
                "{} is gone: update this list",
                path.display()
            );
            rust_files(&path, &mut files);
        }
        assert!(files.len() > 40, "only {} files found", files.len());
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file");
            assert!(
                !names(&text, "tonic"),
                "{} names tonic: return an EngineError and let grpc/status.rs pick the status",
                file.display()
            );
        }
        assert!(names("use tonic::Status;", "tonic"));
        assert!(!names("the monotonic clock", "tonic"));
    }
}
