//! Decompiling: LittleHorse WfSpecs back to `.lhw` text.
//!
//! `expr` prints values, assignments, conditions and mutations; the rest of the module
//! rebuilds statements from a WfSpec's graph. Pure, like the rest of the compiler.

#[allow(dead_code)] // the printer's API is shared with the decompiler and the graph view
pub(crate) mod expr;
