//! ENTRYPOINT: where a ThreadRun starts. LittleHorse records it as an empty
//! EntrypointRun and goes on at once.

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::advance::Progress;
use lhw_proto::littlehorse::{EntrypointRun, node_run::NodeType};

/// Nothing to check: the ThreadSpec checks there is exactly one (`wfspec.rs`).
pub(super) fn validate() -> Result<(), EngineError> {
    Ok(())
}

pub(super) fn arrive() -> Arrival {
    Arrival::of(NodeType::Entrypoint(EntrypointRun {}))
}

pub(super) fn check() -> Progress {
    Progress::Completed
}
