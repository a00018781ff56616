//! The seed of a randomised fault case: `LHW_FAULT_SEED` when set (to replay a failure),
//! else a fresh one; printed, and named in every assertion message.

use std::fmt;

/// A case's seed.
#[derive(Debug, Clone, Copy)]
pub struct Seed(pub u64);

impl Seed {
    /// The seed from `LHW_FAULT_SEED`, or a random one; printed with the case's name.
    pub fn from_env(case: &str) -> Seed {
        let seed = std::env::var("LHW_FAULT_SEED")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| fastrand::u64(..));
        eprintln!("fault suite, {case}: seed {seed} (replay with LHW_FAULT_SEED={seed})");
        Seed(seed)
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LHW_FAULT_SEED={}", self.0)
    }
}
