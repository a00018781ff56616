//! Named keys of the engine's maps (rather than tuples whose fields say nothing).

use lhw_proto::littlehorse::WfSpecId;

/// A WfSpec version: the key of the engine's cache of specs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SpecKey {
    pub(crate) name: String,
    pub(crate) major_version: i32,
    pub(crate) revision: i32,
}

impl SpecKey {
    /// The key of the version `id` names.
    pub(crate) fn of(id: &WfSpecId) -> SpecKey {
        SpecKey {
            name: id.name.clone(),
            major_version: id.major_version,
            revision: id.revision,
        }
    }
}

/// A TaskRun waiting in its TaskDef's queue for a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueuedTaskRun {
    /// The WfRun key.
    pub(crate) run: String,
    /// The TaskRun guid.
    pub(crate) guid: String,
}

/// One attempt of a TaskRun: a redelivery waiting for a poll, a pending timeout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AttemptKey {
    /// The WfRun key.
    pub(crate) run: String,
    /// The TaskRun guid.
    pub(crate) guid: String,
    /// The attempt index (0 for the first).
    pub(crate) attempt: usize,
}

impl AttemptKey {
    pub(crate) fn new(run: &str, guid: &str, attempt: usize) -> AttemptKey {
        AttemptKey {
            run: run.to_string(),
            guid: guid.to_string(),
            attempt,
        }
    }
}
