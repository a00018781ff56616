//! The Search RPCs: ids of metadata objects ([`metadata`]) and of run
//! objects ([`runs`]) matching a request's criteria, paged with bookmarks
//! (see [`crate::request`]). Criteria the kernel keeps no index for are
//! answered UNIMPLEMENTED naming the criterion, never with a wrong page.

pub(crate) mod count;
pub(crate) mod events;
pub(crate) mod metadata;
pub(crate) mod runs;

pub(crate) use count::*;
pub(crate) use events::*;
pub(crate) use metadata::*;
pub use runs::search_wf_run;
pub(crate) use runs::*;
