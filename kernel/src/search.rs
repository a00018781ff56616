//! The Search RPCs: ids of metadata objects ([`metadata`]) and of run
//! objects ([`runs`]) matching a request's criteria, paged with bookmarks
//! (see [`crate::request`]). Criteria the kernel keeps no index for are
//! answered UNIMPLEMENTED naming the criterion, never with a wrong page.

pub mod count;
pub mod events;
pub mod metadata;
pub mod runs;

pub use count::*;
pub use events::*;
pub use metadata::*;
pub use runs::*;
