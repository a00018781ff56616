//! The command line: clap definitions for every subcommand and option.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// lhc: check and compile `.lhw` workflows into LittleHorse requests.
#[derive(Debug, Parser)]
#[command(
    name = "lhc",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    about = "Check and compile .lhw workflows into LittleHorse requests",
    long_about = "lhc is the toolchain for .lhw, a typed language for LittleHorse workflows.\n\n\
        `lhc check` reports every problem in your files, `lhc compile` turns them into the \
        PutWfSpecRequest and metadata requests (TaskDefs, ExternalEventDefs, ...) that a \
        LittleHorse server accepts, and `lhc explain` describes a diagnostic code in detail.",
    after_help = "Exit status: 0 on success (warnings allowed), 1 when any file has an error, \
        2 on a usage error."
)]
pub struct Cli {
    /// When to colour diagnostics: `auto` colours when stderr is a terminal and NO_COLOR is
    /// unset.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and type-check files, reporting every diagnostic without writing anything.
    #[command(
        long_about = "Parse and type-check every FILE and report every diagnostic of every \
            file on stderr, followed by a summary. Nothing is written.\n\n\
            With `--format json` a single JSON document goes to stdout instead, for CI tools:\n  \
            {\"files\": [{\"path\", \"diagnostics\": [{\"code\", \"severity\", \"message\", \
            \"primary\": {\"start\", \"end\", \"line\", \"column\", \"end_line\", \"end_column\", \
            \"message\"}, \"secondary\": [...], \"help\"}]}], \"errors\", \"warnings\"}\n\
            `start`/`end` are byte offsets; lines and columns (in characters) start at 1."
    )]
    Check(CheckArgs),

    /// Compile files into LittleHorse request files (one per workflow and declaration).
    #[command(
        long_about = "Compile every FILE. For a file without errors, write into \
            the output directory one file per request:\n  \
            <workflow>.wfspec.json          the PutWfSpecRequest of each workflow\n  \
            taskdef-<name>.json             PutTaskDefRequest\n  \
            externaleventdef-<name>.json    PutExternalEventDefRequest\n  \
            workfloweventdef-<name>.json    PutWorkflowEventDefRequest\n  \
            structdef-<name>.json           PutStructDefRequest\n  \
            usertaskdef-<name>.json         PutUserTaskDefRequest\n\n\
            JSON is the protobuf JSON mapping (defaults included, int64 as strings); with \
            `--format binary` the same messages are written protobuf-encoded as `.pb` files. \
            Output is deterministic.\n\n\
            A file with errors gets its diagnostics reported and nothing written. Two files \
            defining the same workflow, or different declarations under the same name, are \
            an error rather than a silent overwrite; identical declarations are written once."
    )]
    Compile(CompileArgs),

    /// Explain a diagnostic code, e.g. `lhc explain E0101`.
    Explain(ExplainArgs),
}

/// Arguments of `lhc check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The `.lhw` files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// How to report diagnostics.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

/// Arguments of `lhc compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The `.lhw` files to compile.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The directory to write into (created if missing).
    #[arg(
        short = 'o',
        long = "out-dir",
        value_name = "DIR",
        default_value = "out"
    )]
    pub out_dir: PathBuf,

    /// The encoding of the written requests.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    pub format: OutputFormat,
}

/// Arguments of `lhc explain`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["code", "list"])))]
pub struct ExplainArgs {
    /// The code to explain, e.g. `E0101` (case does not matter).
    #[arg(value_name = "CODE")]
    pub code: Option<String>,

    /// List every code with its title.
    #[arg(long)]
    pub list: bool,
}

/// When to use ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Output format of `lhc check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Rendered diagnostics and a summary on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
}

/// Output format of `lhc compile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Pretty protobuf JSON, `.json` files.
    Json,
    /// Protobuf binary encoding, `.pb` files.
    Binary,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
