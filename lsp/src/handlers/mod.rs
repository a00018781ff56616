//! One file per request kind. Each converts the position to an offset, asks
//! `lhw_compiler::ide`, and converts the answer back; when the latest text does not parse
//! and the answer is empty, the last analysis that parsed answers instead, for the places
//! the edit left alone.

pub(crate) mod code_action;
pub(crate) mod completion;
pub(crate) mod definition;
pub(crate) mod folding;
pub(crate) mod formatting;
pub(crate) mod graph;
pub(crate) mod hover;
pub(crate) mod references;
pub(crate) mod rename;
pub(crate) mod semantic_tokens;
pub(crate) mod symbols;
