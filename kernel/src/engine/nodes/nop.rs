//! NOP: a node that only joins and splits edges (`if`/`while` frames).

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::advance::Progress;
use lhw_proto::littlehorse::{EntrypointRun, node_run::NodeType};

pub(super) fn validate() -> Result<(), EngineError> {
    Ok(())
}

/// LittleHorse records a NOP node's run as an (empty) EntrypointRun: NodeRun
/// has no NOP case (seen on the real server, docs/differences.md).
pub(super) fn arrive() -> Arrival {
    Arrival::of(NodeType::Entrypoint(EntrypointRun {}))
}

pub(super) fn check() -> Progress {
    Progress::Completed
}
