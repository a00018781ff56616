//! `lhc`: the command-line toolchain for `.lhw` LittleHorse workflows.
//!
//! A thin layer over `lhw-compiler`: it reads files, prints diagnostics (rendered by
//! `lhw_compiler::diag::render`, or as JSON) and writes the compiled requests. Everything
//! about the language itself lives in the compiler crate.

/// mimalloc returns freed memory to the system: `lhc dev` and `lhc server` run the kernel in
/// this process (docs/operations.md, "Memory after a load").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod autostart;
mod bulk_job;
mod check;
mod cli;
mod compile;
mod connect;
mod decompile;
mod deploy;
mod dev;
mod diff;
mod explain;
mod exposure;
mod fmt;
mod graph;
mod inspect;
mod lhw_files;
mod lsp;
mod migrate;
mod migration_plan;
mod output_topic;
mod principal;
mod principal_deploy;
mod quota;
mod report;
mod reset;
mod run;
mod run_inputs;
mod schedule;
mod serve_oauth;
mod server;
mod tenant;
mod test;
mod usage;
mod verdict;
mod version;
mod whoami;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::Command;
use crate::report::Style;

fn main() -> ExitCode {
    let cli = usage::parse();
    let style = Style::for_stderr(cli.color);
    match &cli.command {
        Command::Check(args) => check::run(args, style),
        Command::Compile(args) => compile::run(args, style),
        Command::Explain(args) => explain::run(args, style),
        Command::Decompile(args) => decompile::run(args, style),
        Command::Diff(args) => diff::run(args, style),
        Command::Fmt(args) => fmt::run(args, style),
        Command::Deploy(args) => deploy::run(args, style),
        Command::Run(args) => run::run(args, style),
        Command::Dev(args) => dev::run(args, style),
        Command::Server(args) => dev::server(args, style),
        Command::Lsp => lsp::run(style),
        Command::Test(args) => test::run(args, style),
        Command::Get(args) => inspect::get(args, style),
        Command::List(args) => inspect::list(args, style),
        Command::Search(args) => inspect::search(args, style),
        Command::Stop(args) => inspect::stop_or_resume(args, true, style),
        Command::Resume(args) => inspect::stop_or_resume(args, false, style),
        Command::Event(args) => inspect::event(args, style),
        Command::UserTask(args) => inspect::user_task(args, style),
        Command::Graph(args) => graph::run(args, style),
        Command::Wait(args) => inspect::wait(args, style),
        Command::Delete(args) => inspect::delete(args, style),
        Command::Rescue(args) => inspect::rescue(args, style),
        Command::Count(args) => inspect::count(args, style),
        Command::Schedule(args) => schedule::run(args, style),
        Command::Migrate(args) => migrate::run(args, style),
        Command::MigrationPlan(args) => migration_plan::run(args, style),
        Command::BulkJob(args) => bulk_job::run(args, style),
        Command::Quota(args) => quota::run(args, style),
        Command::Version(args) => version::run(args, style),
        Command::Metrics(args) => inspect::metrics(args, style),
        Command::Workers(args) => inspect::workers(args, style),
        Command::Connect(args) => connect::run(args, style),
        Command::Whoami(args) => whoami::run(args, style),
        Command::Principal(args) => principal::run(args, style),
        Command::Tenant(args) => tenant::run(args, style),
    }
}

/// Reads a source file, turning any failure into a short reason for `cannot read FILE:`.
pub(crate) fn read_source(path: &Path) -> Result<String, String> {
    if path.is_dir() {
        return Err(lhw_files::directory_reason(path));
    }
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|err| {
            format!(
                "not valid UTF-8 (invalid byte at offset {})",
                err.utf8_error().valid_up_to()
            )
        }),
        Err(err) => Err(io_reason(&err)),
    }
}

/// Runs a compiler entry point, turning a panic (a compiler bug) into an error message so
/// that the other files are still processed.
pub(crate) fn guarded<T>(shown: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let detail = lhw_lsp::panic_message(payload.as_ref());
        format!(
            "internal compiler error while processing {shown}: {detail}\n  \
             this is a bug in lhc {}; please report it with the file",
            env!("CARGO_PKG_VERSION")
        )
    })
}

/// `No such file or directory` rather than `No such file or directory (os error 2)`.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(idx) => text[..idx].to_string(),
        None => text,
    }
}

/// The paths in command-line order, each file once (a path repeated, or two spellings of
/// the same file, would otherwise compile it twice).
pub(crate) fn dedup_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    paths
        .iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| (*p).clone())))
        .cloned()
        .collect()
}
