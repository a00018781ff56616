//! `lhc get`, `lhc list`, `lhc search`, `lhc stop`/`resume`, `lhc event post` and
//! `lhc user-task`: inspecting and operating WfRuns on a LittleHorse server.
//!
//! One file per command; what they share lives in [`exec`] (connecting, paging, reporting
//! failures) and [`render`] (tables, statuses, masked values).
//!
//! Every command prints a human-readable table by default and, with `--format json`, the
//! protobuf JSON of what the server answered (lists as JSON arrays). Masked values are never
//! printed: tables show `(masked)`, JSON carries the string value `"(masked)"` in their place.

use clap::{Args, ValueEnum};

use crate::cli::ServerArgs;

pub(crate) mod assign;
mod count;
mod delete;
mod delete_correlated;
mod event;
pub(crate) mod exec;
pub(crate) mod failures;
pub(crate) mod follow;
mod get;
mod get_defs;
mod list;
mod list_defs;
mod metrics;
pub(crate) mod render;
mod rescue;
mod search;
mod search_events;
mod stop;
mod user_task;
mod user_task_execute;
mod user_task_save;
mod wait;
pub(crate) mod waiting;
mod wf_spec;
mod workers;

pub(crate) use count::{CountArgs, run as count};
pub(crate) use delete::{DeleteArgs, run as delete};
pub(crate) use event::{EventArgs, run as event};
pub(crate) use get::{GetArgs, run as get};
pub(crate) use list::{ListArgs, run as list};
pub(crate) use metrics::{MetricsArgs, run as metrics};
pub(crate) use rescue::{RescueArgs, run as rescue};
pub(crate) use search::{SearchArgs, run as search};
pub(crate) use stop::{WfRunArgs, run as stop_or_resume};
pub(crate) use user_task::{UserTaskArgs, run as user_task};
pub(crate) use wait::{WaitArgs, run as wait};
pub(crate) use workers::{WorkersArgs, run as workers};

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// Protobuf JSON (lists as JSON arrays), for scripts.
    Json,
}

/// Options shared by every inspection command.
#[derive(Debug, Args)]
pub struct Common {
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// The server.
    #[command(flatten)]
    pub server: ServerArgs,
}
