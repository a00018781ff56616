//! The status a request gets when the change it made could not be saved.
//!
//! A full disk is RESOURCE_EXHAUSTED (gRPC's code for "some resource has been exhausted, such
//! as ... the entire file system is out of space"), any other disk failure UNAVAILABLE (the
//! condition is expected to pass: clients may retry), each naming the data directory and
//! what SQLite said. Nothing of the request was saved: the engine rolled the batch back and
//! reloaded its state from the database, so a retry starts from what was saved.

use crate::storage::{DiskFailure, StoreError};
use tonic::Status;

/// The status for a failed write: `location` is the data directory when it is known.
pub(crate) fn store_status(e: &StoreError, location: Option<&str>) -> Status {
    let place = location.map_or_else(
        || "the kernel's data directory".to_string(),
        |l| format!("the kernel's data directory {l}"),
    );
    match e.disk() {
        Some(DiskFailure::Full) => Status::resource_exhausted(format!(
            "the change was not saved: the disk of {place} is full ({}); free space on it and \
             retry",
            e.message()
        )),
        Some(failure) => Status::unavailable(format!(
            "the change was not saved: {place}: {} ({})",
            failure.describe(),
            e.message()
        )),
        None if location.is_some() => Status::internal(format!(
            "the kernel could not commit the change: {}",
            e.message()
        )),
        None => Status::internal(e.to_string()),
    }
}
