//! What went wrong in the engine, as data.
//!
//! The engine, the metadata and search functions it runs and the request checks it shares
//! with the service say why a request failed with an [`EngineError`]; only the gRPC service
//! turns one into a status (`grpc/status.rs`, the one place that picks gRPC codes). None of
//! them names the gRPC library (ARCHITECTURE.md, invariant 30).

use crate::storage::StoreError;
use std::fmt;

/// Why the engine refused or could not carry out a request.
#[derive(Debug, Clone)]
pub enum EngineError {
    /// A field of the request is wrong: `message` names it (INVALID_ARGUMENT).
    InvalidArgument(String),
    /// An object the request names does not exist, said as `"{kind} {id} not found"` (NOT_FOUND).
    NotFound {
        /// What kind of object.
        kind: ObjectKind,
        /// Its id as shown to the client (e.g. `run-1/2/0` for a NodeRun).
        id: String,
    },
    /// Something the request names does not exist, in words of their own (NOT_FOUND).
    Missing(String),
    /// The object to create exists already (ALREADY_EXISTS).
    AlreadyExists(String),
    /// The request is well formed, but the state of what it names does not allow it
    /// (FAILED_PRECONDITION).
    FailedPrecondition(String),
    /// The kernel does not do this (yet) (UNIMPLEMENTED).
    Unimplemented(String),
    /// The engine's own state is not as it should be (INTERNAL).
    Internal(String),
    /// The engine thread has stopped: the kernel is shutting down (UNAVAILABLE).
    ShuttingDown,
    /// A read or write of the database failed. `location` is the data directory when the
    /// failure ended a batch (nothing of the batch was saved).
    Storage {
        /// What SQLite (or the decoder of a stored message) said.
        error: StoreError,
        /// The kernel's data directory, when the failure was the batch's commit.
        location: Option<String>,
    },
}

/// The kinds of object a request may name that the engine reports as not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    WfRun,
    NodeRun,
    TaskRun,
    UserTaskRun,
    ExternalEvent,
    CorrelatedEvent,
    WfSpec,
    TaskDef,
    ExternalEventDef,
    WorkflowEventDef,
    UserTaskDef,
    StructDef,
}

impl ObjectKind {
    /// The name LittleHorse gives the kind.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ObjectKind::WfRun => "WfRun",
            ObjectKind::NodeRun => "NodeRun",
            ObjectKind::TaskRun => "TaskRun",
            ObjectKind::UserTaskRun => "UserTaskRun",
            ObjectKind::ExternalEvent => "ExternalEvent",
            ObjectKind::CorrelatedEvent => "CorrelatedEvent",
            ObjectKind::WfSpec => "WfSpec",
            ObjectKind::TaskDef => "TaskDef",
            ObjectKind::ExternalEventDef => "ExternalEventDef",
            ObjectKind::WorkflowEventDef => "WorkflowEventDef",
            ObjectKind::UserTaskDef => "UserTaskDef",
            ObjectKind::StructDef => "StructDef",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl EngineError {
    /// A wrong request field (`message` names it).
    pub(crate) fn invalid_argument(message: impl Into<String>) -> EngineError {
        EngineError::InvalidArgument(message.into())
    }

    /// The object `kind` `id` does not exist.
    pub(crate) fn not_found(kind: ObjectKind, id: impl fmt::Display) -> EngineError {
        EngineError::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    /// Something named by the request does not exist, said in `message`.
    pub(crate) fn missing(message: impl Into<String>) -> EngineError {
        EngineError::Missing(message.into())
    }

    /// The object to create exists already.
    pub(crate) fn already_exists(message: impl Into<String>) -> EngineError {
        EngineError::AlreadyExists(message.into())
    }

    /// The state of what the request names does not allow it.
    pub(crate) fn failed_precondition(message: impl Into<String>) -> EngineError {
        EngineError::FailedPrecondition(message.into())
    }

    /// The kernel does not do this.
    pub(crate) fn unimplemented(message: impl Into<String>) -> EngineError {
        EngineError::Unimplemented(message.into())
    }

    /// The engine's own state is inconsistent.
    pub(crate) fn internal(message: impl Into<String>) -> EngineError {
        EngineError::Internal(message.into())
    }

    /// Whether it says that something the request names does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, EngineError::NotFound { .. } | EngineError::Missing(_))
    }

    /// What went wrong, in words (the message of the status the client gets).
    pub(crate) fn message(&self) -> String {
        match self {
            EngineError::InvalidArgument(m)
            | EngineError::Missing(m)
            | EngineError::AlreadyExists(m)
            | EngineError::FailedPrecondition(m)
            | EngineError::Unimplemented(m)
            | EngineError::Internal(m) => m.clone(),
            EngineError::NotFound { kind, id } => format!("{kind} {id} not found"),
            EngineError::ShuttingDown => "the kernel is shutting down".to_string(),
            EngineError::Storage { error, location } => storage_message(error, location.as_deref()),
        }
    }
}

/// The words for a failed read or write of the database: a full disk says to free space,
/// another disk failure names it; `location` is the data directory when a commit failed.
///
/// A full disk is RESOURCE_EXHAUSTED, another disk failure UNAVAILABLE (clients may retry),
/// anything else INTERNAL: `grpc/status.rs` picks the code, from [`StoreError::disk`].
fn storage_message(e: &StoreError, location: Option<&str>) -> String {
    use crate::storage::DiskFailure;
    let place = location.map_or_else(
        || "the kernel's data directory".to_string(),
        |l| format!("the kernel's data directory {l}"),
    );
    match e.disk() {
        Some(DiskFailure::Full) => format!(
            "the change was not saved: the disk of {place} is full ({}); free space on it and \
             retry",
            e.message()
        ),
        Some(failure) => format!(
            "the change was not saved: {place}: {} ({})",
            failure.describe(),
            e.message()
        ),
        None if location.is_some() => {
            format!("the kernel could not commit the change: {}", e.message())
        }
        None => e.to_string(),
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for EngineError {}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> EngineError {
        EngineError::Storage {
            error,
            location: None,
        }
    }
}
