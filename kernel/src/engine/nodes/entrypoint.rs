//! ENTRYPOINT: where a ThreadRun starts. LittleHorse records it as an empty
//! EntrypointRun and goes on at once.

use super::Arrival;
use crate::engine::advance::Progress;
use lhw_proto::littlehorse::{EntrypointRun, node_run::NodeType};
use tonic::Status;

/// Nothing to check: the ThreadSpec checks there is exactly one (`wfspec.rs`).
pub(super) fn validate() -> Result<(), Status> {
    Ok(())
}

pub(super) fn arrive() -> Arrival {
    Arrival::of(NodeType::Entrypoint(EntrypointRun {}))
}

pub(super) fn check() -> Progress {
    Progress::Completed
}
