//! Unit tests of the store's own memory of its writes, which reach `pub(crate)` items
//! (ARCHITECTURE.md, invariants 27 and 31).

mod latest_specs;
mod writes;
