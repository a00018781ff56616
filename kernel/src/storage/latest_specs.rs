//! The newest version of each WfSpec asked for (by name, optionally within a major version),
//! decoded: every RunWf without a version asks for it, and before this cache each read the
//! metadata table and decoded the whole WfSpec (docs/performance.md, "The kernel").
//!
//! The cache always equals the table as seen inside the current transaction: it is filled by
//! reads, emptied by every write or delete of a WfSpec (a new version or revision becomes the
//! newest, a deleted one stops being it) and by every rollback (of a transaction or a
//! savepoint: the table went back). Names with no WfSpec are not remembered, so the cache is
//! bounded by the WfSpecs (and their major versions) that exist.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use lhw_proto::littlehorse::WfSpec;

use super::{Store, StoreResult, kind};

/// The key: a WfSpec name and the major version asked for (`None`: the newest of all).
type LatestKey = (String, Option<i32>);

/// The cache itself (one per store, used only by the thread that owns the store).
#[derive(Default)]
pub(super) struct LatestSpecs {
    specs: RefCell<HashMap<LatestKey, Arc<WfSpec>>>,
}

impl LatestSpecs {
    /// Forgets every WfSpec (one was written or deleted, or the transaction rolled back).
    pub(super) fn clear(&self) {
        self.specs.borrow_mut().clear();
    }

    /// How many are held (tests of the bound).
    pub(super) fn len(&self) -> usize {
        self.specs.borrow().len()
    }
}

impl Store {
    /// The newest WfSpec of `name` (highest major version, then revision), optionally within
    /// one major version; `None` when there is none.
    pub(crate) fn latest_wf_spec(
        &self,
        name: &str,
        major: Option<i32>,
    ) -> StoreResult<Option<Arc<WfSpec>>> {
        let key = (name.to_string(), major);
        if let Some(spec) = self.latest_specs.specs.borrow().get(&key) {
            return Ok(Some(spec.clone()));
        }
        let Some(spec) = self.latest_meta::<WfSpec>(kind::WF_SPEC, name, major)? else {
            return Ok(None);
        };
        let spec = Arc::new(spec);
        self.latest_specs
            .specs
            .borrow_mut()
            .insert(key, spec.clone());
        Ok(Some(spec))
    }

    /// Forgets the cached WfSpecs when `kind` is WfSpec (it was written or deleted).
    pub(super) fn metadata_changed(&self, changed: &str) {
        if changed == kind::WF_SPEC {
            self.latest_specs.clear();
        }
    }
}
