//! The command line: clap definitions for every subcommand and option.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// lhc: check, compile, deploy and run `.lhw` workflows.
#[derive(Debug, Parser)]
#[command(
    name = "lhc",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    about = "Check, compile, deploy and run .lhw LittleHorse workflows",
    long_about = "lhc is the toolchain for .lhw, a typed language for LittleHorse workflows.\n\n\
        `lhc check` reports every problem in your files, `lhc compile` turns them into the \
        PutWfSpecRequest and metadata requests (TaskDefs, ExternalEventDefs, ...) that a \
        LittleHorse server accepts, and `lhc explain` describes a diagnostic code in detail.\n\n\
        `lhc dev` (or `lhc server`) runs the embedded LittleHorse kernel, `lhc deploy` registers compiled \
        workflows on it (or on a cluster configured like the official clients) and \
        `lhc run` starts and follows WfRuns.",
    after_help = "Exit status: 0 on success (warnings allowed), 1 when any file has an error \
        (or, for deploy/run, on a server error or a run that did not complete), 2 on a usage \
        error, 130 when Ctrl-C stops `run --wait` or `wait` (the run goes on on the server)."
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

    /// Run the tests of `.test.lhw` files on a simulated kernel with a virtual clock.
    #[command(
        long_about = "Run every test of the given `.test.lhw` files (a directory means every \
            `*.test.lhw` file under it; no PATH means the current directory). Each test runs \
            on the embedded kernel's engine in process, on an in-memory database, with mocked \
            tasks and a virtual clock: sleeps, timeouts, retries and user-task deadlines take \
            no real time. See docs/testing.md.\n\n\
            Prints one line per test, the failures with the `.lhw` line and expected/actual \
            values, node and edge coverage per workflow, and `N passed, N failed`. \
            `--format json` and `--format junit` write one document to stdout instead.",
        after_help = "Exit status: 0 when every test passed, 1 when a test failed or a test \
            file has errors, 2 on a usage error."
    )]
    Test(TestArgs),

    /// Explain a diagnostic code, e.g. `lhc explain E0101`.
    Explain(ExplainArgs),

    /// Turn WfSpecs (files, or the server's) back into a .lhw file.
    #[command(
        long_about = "Print the .lhw text of WfSpecs: each FILE is a PutWfSpecRequest or a \
            WfSpec, as proto JSON or binary (as `lhc compile` writes them and as LittleHorse's \
            API returns them); all FILEs go into one text (a workflow with its children or \
            parent). With --wfspec NAME the latest version is read from the configured server, \
            with the TaskDefs, events, forms and structs it uses. The text is formatted as \
            `lhc fmt` formats it, with the declarations it needs.\n\n\
            The text is checked by compiling it again: what would not give back the same \
            WfSpec is reported on stderr as W0030 (differs), W0031 (a shape .lhw cannot \
            write) or W0032 (does not compile), never silently (docs/decompile.md).\n\n\
            Exit status: 0 when the text was written (1 with --strict if it is not exact); \
            1 when a file cannot be read or the server cannot be reached."
    )]
    Decompile(DecompileArgs),

    /// Show what changes between two versions of a workflow and what the server will say.
    #[command(
        long_about = "Compare OLD and NEW (`.lhw` files, or WfSpec files as `lhc decompile` \
            reads them); with --wfspec NAME, OLD is the server's latest version of NAME and NEW \
            the one file given. Prints the changes in .lhw terms (threads, variables, steps, \
            handlers, settings), the line diff of both decompiled, and the server's verdict on \
            deploying NEW: unchanged, a new revision, a new major version (with the WfRuns that \
            would stay on the old one and whether a migration could move them) or a refusal \
            (a frozen variable's type, the update policy). The verdict is the one `lhc deploy \
            --dry-run` gives (docs/diff.md).\n\n\
            Exit status: 0, or 2 when the server would refuse NEW; 1 on a read or connection \
            error."
    )]
    Diff(DiffArgs),

    /// Rewrite files in the one canonical layout (`--check` only reports).
    #[command(
        long_about = "Rewrite every PATH in the canonical .lhw layout (docs/fmt.md): a \
            directory means every .lhw file under it (hidden directories and `target` \
            skipped). Only whitespace changes; comments stay. A file that is already \
            formatted is not touched, and a file with syntax errors gets its diagnostics \
            reported and is left as it is.\n\n\
            `lhc fmt -` formats standard input to standard output.\n\n\
            With `--check` nothing is written: each file that would change is printed on \
            stdout with the first lines that differ, and the exit status is 1.\n\n\
            Exit status: 0 when every file is (now) formatted; 1 when a file has syntax \
            errors or cannot be read or written, or with --check when a file would change."
    )]
    Fmt(FmtArgs),

    /// Compile files and register their metadata and workflows on a LittleHorse server.
    #[command(
        long_about = "Compile every FILE, then register what they declare, in dependency \
            order: StructDefs, TaskDefs, ExternalEventDefs, WorkflowEventDefs, UserTaskDefs, \
            then the WfSpecs. Each object is compared with what the server has and reported \
            as `created`, `unchanged`, `new revision`, `new major version` (WfSpecs) or \
            `new version` (StructDefs, UserTaskDefs); deploying twice changes nothing.\n\n\
            TaskDefs belong to their workers: a TaskDef missing on the server is registered, \
            one already there is left alone (a different declaration is reported). With \
            `--with-task-defs` every declared TaskDef is put, and a conflicting one is an error.\n\n\
            Server rejections are shown with the server's message and, when it names a \
            generated node, the source line of that step.\n\n\
            The server: LHC_API_HOST/LHC_API_PORT/LHC_TENANT_ID (and LHC_API_PROTOCOL, \
            LHC_CA_CERT, LHC_CLIENT_CERT/LHC_CLIENT_KEY, LHC_OAUTH_* for TLS, mTLS and OAuth) \
            from ~/.config/littlehorse.config, then the environment, then --config FILE, then \
            the flags. Without any LHC_API_HOST, lhc talks to the embedded kernel on \
            127.0.0.1:2023 (or LHC_API_PORT), and starts it in the background when nothing \
            answers there (`lhc dev` with the default data directory, logging to kernel.log \
            in it); --no-start or LHC_NO_AUTOSTART=1 turns that off."
    )]
    Deploy(DeployArgs),

    /// Start a WfRun of a deployed workflow, optionally waiting for it to finish.
    #[command(
        long_about = "Start a WfRun of the latest version of WORKFLOW. `--var name=value` sets \
            an input; the value is parsed according to the variable's type in the WfSpec \
            (int, double, bool, str, json-obj/json-arr as JSON, timestamp as RFC 3339 or epoch ms, \
            typed arrays, maps and structs as JSON such as `--var skus='[\"a\",\"b\"]'`, \
            bytes as text, a wf-run-id as `parent_child`), checked before anything is sent. \
            With `--wait`, follow the run until it ends (at most `--timeout` seconds), \
            printing status and step changes, then its final status, output and variables \
            (masked values are never printed).\n\n\
            Exit status: 0 when the run started (or, with --wait, COMPLETED); 130 when Ctrl-C \
            stops --wait (the run goes on; `lhc wait ID` follows it again); 1 otherwise."
    )]
    Run(RunArgs),

    /// Run the embedded LittleHorse kernel in the foreground (Ctrl-C stops it).
    #[command(
        long_about = "Run the embedded LittleHorse kernel: it serves the LittleHorse gRPC API \
            (lhc, lhctl and the official SDKs talk to it unchanged) and keeps its state in \
            SQLite under the data directory, so runs survive a restart. Default data \
            directory: $XDG_DATA_HOME/lhw or ~/.local/share/lhw. Ctrl-C or SIGTERM stops it.\n\n\
            Other commands start it in the background themselves when no server is \
            configured (see `lhc deploy --help`); `kernel.pid` in the data directory names \
            the running kernel (`PID PORT`). It listens on 127.0.0.1:2023, or on \
            127.0.0.1:$LHC_API_PORT when that is set (the port the other commands look for it \
            on), or on --listen. \
            With --tls-cert and --tls-key it serves TLS; --tls-client-ca also requires client \
            certificates signed by that CA (mTLS)."
    )]
    Dev(DevArgs),

    /// Run the embedded LittleHorse kernel as a service: timestamped logs on stderr,
    /// SIGTERM or SIGINT stops it cleanly.
    #[command(
        long_about = "Run the embedded LittleHorse kernel in the foreground for a process \
            supervisor (systemd, a container, ...): the same kernel as `lhc dev`, with one \
            timestamped line on stderr per event (`<UTC time> INFO listening on ...`). SIGTERM \
            or SIGINT stops it cleanly: it stops accepting requests, commits the last changes \
            and exits 0. It exits 1 when it cannot start (the address is taken, the data \
            directory cannot be opened). Default data directory: $XDG_DATA_HOME/lhw or \
            ~/.local/share/lhw.\n\n\
            On an address that is not loopback it refuses to start (exit 2) unless it serves \
            TLS with client certificates (--tls-cert, --tls-key, --tls-client-ca) or \
            --insecure is given; `lhc dev` follows the same rule."
    )]
    Server(DevArgs),

    /// Run the language server on stdin/stdout (for editors).
    #[command(
        long_about = "Run the .lhw language server, speaking the Language Server Protocol on \
            stdin and stdout until the editor sends `exit`. Editors start it as `lhc lsp`. \
            It reports diagnostics as you type (with links to `lhc explain`'s texts) and \
            answers hover, go to definition, find references, rename, completion, the \
            outline, semantic highlighting, folding and quick fixes. Positions are UTF-16, \
            as the protocol specifies; logs go to stderr."
    )]
    Lsp,

    /// Show a WfRun, its NodeRuns, Variables, a TaskRun, a WfSpec, a TaskDef, an event def, a
    /// UserTaskDef or a StructDef.
    Get(crate::inspect::GetArgs),

    /// List WfSpecs, TaskDefs, event defs, UserTaskDefs or StructDefs.
    List(crate::inspect::ListArgs),

    /// Search WfRuns of a WfSpec, or the events of an event definition.
    Search(crate::inspect::SearchArgs),

    /// Stop (halt) a WfRun or one of its threads.
    Stop(crate::inspect::WfRunArgs),

    /// Resume a stopped WfRun or one of its threads.
    Resume(crate::inspect::WfRunArgs),

    /// Post an ExternalEvent to a WfRun.
    Event(crate::inspect::EventArgs),

    /// List, assign and complete UserTaskRuns.
    UserTask(crate::inspect::UserTaskArgs),

    /// Draw a workflow (SVG, Mermaid or DOT) from a file, a deployed WfSpec or a WfRun.
    #[command(
        long_about = "Draw a workflow as a diagram: each thread a lane, node kinds with their \
            own shapes, edge conditions and node labels in .lhw syntax, links to failure \
            handlers, interrupt handlers and spawned threads. The LittleHorse node name (and \
            source line) is each node's tooltip.\n\n\
            From a file: `lhc graph FILE [--workflow NAME]`. From the configured server: \
            `--wfspec NAME[@MAJOR.REVISION]` draws a deployed WfSpec, `--wfrun ID` the WfSpec \
            of a run with its path (completed, failed, running, not reached). Output goes to \
            stdout or -o OUT; the format is --format, else the extension of OUT (.svg, .mmd, \
            .dot), else svg. The layout is built in (no Graphviz needed) and deterministic.\n\n\
            Exit status: 0 when drawn; 1 when the file has errors, the workflow, WfSpec or \
            WfRun is not found, or the server fails; 2 on a usage error."
    )]
    Graph(crate::graph::GraphArgs),
    /// Follow a WfRun until it ends, printing each step as it happens, then its result.
    Wait(crate::inspect::WaitArgs),

    /// Delete a WfSpec version, a TaskDef, an event def, a UserTaskDef, a StructDef, a WfRun or
    /// a CorrelatedEvent.
    Delete(crate::inspect::DeleteArgs),

    /// Count NodeRuns (of a WfSpec's runs) or the TaskRuns of a TaskDef waiting for a worker.
    Count(crate::inspect::CountArgs),

    /// Rescue a failed thread of a WfRun: run its failed step again, or skip it.
    Rescue(crate::inspect::RescueArgs),

    /// Start runs of a workflow on a cron schedule (ScheduleWf); list, get and delete schedules.
    #[command(
        long_about = "Scheduled runs, as LittleHorse's ScheduleWf / ScheduledWfRun: `create \
            WORKFLOW --cron EXPR [--var NAME=VALUE]...` starts a run at every time the cron \
            expression names (five Unix fields, in UTC; checked, like the inputs, before \
            sending); `list WORKFLOW`, `get ID`, `delete ID`. The embedded kernel keeps \
            schedules in its database: they go on firing after a restart, and a fire time \
            missed while it was stopped starts its run at once. Exit status: 0 done; 1 a bad \
            cron expression or input, a workflow or schedule not found, or a server failure; \
            2 on a usage error."
    )]
    Schedule(crate::schedule::ScheduleArgs),

    /// Move the running WfRuns of a workflow version to another version (MigrateWfSpec).
    #[command(
        long_about = "Move the running WfRuns of one WfSpec version to another, thread by \
            thread and node by node (MigrateWfSpec). The mapping comes from --plan FILE (the \
            protobuf JSON of a WfSpecVersionMigration), --same-names (every thread and node \
            whose name exists in both versions), --thread OLD=NEW and --node [THREAD:]OLD=NEW, \
            and is checked against both versions before sending. A WfRun moves when each of \
            its threads that has not ended is RUNNING at a mapped node; --dry-run lists the \
            running WfRuns and which would move, changing nothing. Exit status: 0 done; 1 a \
            bad mapping, a version not found, or a server failure; 2 on a usage error."
    )]
    Migrate(crate::migrate::MigrateArgs),

    /// WorkflowMigrationPlans: put, get, delete, list, and apply one to a running WfRun.
    #[command(
        name = "migration-plan",
        long_about = "WorkflowMigrationPlans, as `lhctl put/get/delete workflowMigrationPlan` \
            and `lhctl apply workflowMigrationPlan PLAN WFRUN` manage them: `put NAME WORKFLOW \
            --from MAJOR.REV [--to MAJOR.REV]` with the mapping of `lhc migrate` (--plan FILE, \
            --same-names, --thread OLD=NEW, --node [THREAD:]OLD=NEW; checked against both \
            versions, \"did you mean\" on names), `get NAME`, `delete NAME`, `list [--workflow \
            W | --prefix P]`, `apply NAME WFRUN [--var [THREAD:]NAME=VALUE]...`. An applied \
            plan moves each mapped thread of that WfRun when it waits at a mapped \
            long-running node (event, user task, sleep, wait) or next reaches a mapped node. \
            Exit status: 0 done; 1 the server refused, or a plan, version or WfRun not \
            found; 2 on a usage error. `--format json` prints what the server answered."
    )]
    MigrationPlan(crate::migration_plan::MigrationPlanArgs),

    /// Bulk jobs: delete the ended WfRuns of a workflow in a time range (CreateBulkJob); get, list, delete jobs.
    #[command(
        name = "bulk-job",
        long_about = "Bulk jobs, as `lhctl delete wfRunBulk` and `lhctl get/search/delete \
            bulkJob` manage them: `delete-wfruns WORKFLOW --status STATUS [--from TIME] [--to \
            TIME] [--id ID]` deletes the WfRuns of every version of WORKFLOW with that ended \
            status (COMPLETED, HALTED, ERROR or EXCEPTION) started in the range (RFC 3339 \
            times; default: from the epoch to now), `get ID`, `list [--status S]`, `delete \
            ID`. Exit status: 0 done; 1 the server refused or a job or workflow not found; 2 \
            on a usage error. `--format json` prints what the server answered."
    )]
    BulkJob(crate::bulk_job::BulkJobArgs),

    /// Quotas on write requests per second, per tenant or principal: put, get, delete, list.
    #[command(
        long_about = "Quotas, as `lhctl put/get/delete/search quota` manage them: `put TENANT \
            --write-requests-per-second N [--principal P]`, `get TENANT [--principal P]`, \
            `delete TENANT [--principal P]`, `list [--tenant T [--principal P]]`. Exit \
            status: 0 done; 1 the server refused or a quota not found; 2 on a usage error. \
            `--format json` prints what the server answered."
    )]
    Quota(crate::quota::QuotaArgs),

    /// lhc's version and the server's (GetServerVersion), as `lhctl version`.
    Version(crate::version::VersionArgs),
    /// Workflow and task metrics, per minute: runs started and ended, attempts, latencies.
    Metrics(crate::inspect::MetricsArgs),

    /// The task workers polling a TaskDef (its TaskWorkerGroup).
    Workers(crate::inspect::WorkersArgs),
    /// Run LittleHorse Connect sink pipelines: Kafka records run WfRuns or post events.
    #[command(
        long_about = "Run LittleHorse Connect sink pipelines, configured like LittleHorse's Kafka \
            Connect connectors (WfRunSinkConnector, ExternalEventSinkConnector, \
            CorrelatedEventSinkConnector; docs/connect.md lists the keys). Offsets are \
            committed only after the LittleHorse server acknowledged each record, and every \
            effect is idempotent, so a restart after a crash never runs a workflow or posts an \
            event twice. SIGTERM or Ctrl-C stops cleanly. Exit codes: 0 stopped, 1 a \
            connector failed (the message names topic/partition/offset), 2 a bad configuration."
    )]
    Connect(crate::connect::ConnectArgs),

    /// Show the Principal the server sees for this client, with its ACLs.
    #[command(
        long_about = "Show the Principal the server sees for this client (`Whoami`): the \
            Principal its token or client certificate names (`anonymous` without one), with \
            its global and per-tenant ACLs. The tenant comes from LHC_TENANT_ID or \
            --tenant-id. `--format json` prints the Principal as protobuf JSON."
    )]
    Whoami(crate::whoami::WhoamiArgs),

    /// Principals and their ACLs: put, get, delete, list (PutPrincipal, SearchPrincipal, ...).
    #[command(
        long_about = "Principals (identities) and their ACLs, as `lhctl put/get/delete/search \
            principal` manage them: `put ID --acl RESOURCE:ACTION,... [--tenant T] \
            [--overwrite]` (per-tenant ACLs with --tenant, else global ones, which only an \
            admin may grant), `get ID`, `delete ID`, `list [--tenant T | --admin BOOL]`. The \
            server's refusals are printed as it sends them; exit codes: 0 done, 1 the server \
            refused or could not be reached, 2 bad arguments (an unknown resource or action \
            gets \"did you mean\"). `--format json` prints what the server answered."
    )]
    Principal(crate::principal::PrincipalArgs),
    /// Tenants: put, get, list (PutTenant, GetTenant, SearchTenant).
    #[command(
        long_about = "Tenants, as `lhctl put/get/search tenant` manage them: `put ID \
            [--all-entity-events | --no-entity-events]` creates a Tenant or updates its \
            Output Topic configuration, `get ID`, `list`. Clients name a Tenant with \
            LHC_TENANT_ID or --tenant-id. Exit codes: 0 done, 1 the server refused or could \
            not be reached, 2 bad arguments. `--format json` prints what the server answered."
    )]
    Tenant(crate::tenant::TenantArgs),
}

/// Which LittleHorse server to talk to (overrides for the LittleHorse configuration).
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// A LittleHorse properties file (`LHC_API_HOST=...` lines); overrides the environment
    /// and ~/.config/littlehorse.config.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The server host (overrides LHC_API_HOST).
    #[arg(long, value_name = "HOST")]
    pub api_host: Option<String>,

    /// The server port (overrides LHC_API_PORT).
    #[arg(long, value_name = "PORT")]
    pub api_port: Option<u16>,

    /// The tenant, sent as the `tenantid` header (overrides LHC_TENANT_ID).
    #[arg(long, value_name = "TENANT")]
    pub tenant_id: Option<String>,

    /// Do not start the embedded kernel when no server is configured and none answers
    /// (also LHC_NO_AUTOSTART=1).
    #[arg(long)]
    pub no_start: bool,
}

/// Arguments of `lhc deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The `.lhw` files to deploy.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print what would change without changing anything.
    #[arg(long)]
    pub dry_run: bool,

    /// Put every declared TaskDef, not only the missing ones.
    #[arg(long)]
    pub with_task_defs: bool,

    /// `text`: one line per object on stdout; `json`: one document on stdout for CI
    /// (`{"server", "dry_run", "objects": [{"kind", "name", "verdict", "version", "changed"}],
    /// "rejected": [{"kind", "name", "code", "message"}]}`).
    #[arg(long, value_enum, default_value_t = DeployFormat::Text)]
    pub format: DeployFormat,

    /// The server.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Arguments of `lhc run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The workflow (WfSpec name).
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,

    /// An input variable, `name=value` (repeatable); `name=@-` reads the value from standard
    /// input (for secrets: it then shows neither in the process list nor in the history).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = crate::usage::name_value)]
    pub vars: Vec<String>,

    /// Read input variables from FILE, one `name=value` per line (`#` comments and blank
    /// lines skipped; repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,

    /// The WfRun id (the server picks one when omitted).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// Start the run as a child of this WfRun (required for a workflow that declares
    /// `parent`; a nested id is written `parent_child`).
    #[arg(long, value_name = "WFRUN")]
    pub parent: Option<String>,

    /// Follow the run until it ends and print its result.
    #[arg(long)]
    pub wait: bool,

    /// With --wait: give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,

    /// `text`: the run's id, then (with --wait) each step and the result; `json`: the WfRun
    /// as protobuf JSON on stdout (with --wait, once it has ended), the rest on stderr.
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub format: RunFormat,

    /// The server.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Arguments of `lhc dev` and `lhc server`.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// Where the kernel keeps its database (created if missing).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The address to listen on [default: 127.0.0.1:2023; for `lhc dev`,
    /// 127.0.0.1:$LHC_API_PORT when LHC_API_PORT is set, the port the other commands use].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,

    /// Start from an empty kernel: delete the database (every WfSpec, TaskDef, WfRun and
    /// event) in the data directory first. Refused while a kernel runs on it.
    #[arg(long)]
    pub reset: bool,

    /// TLS.
    #[command(flatten)]
    pub tls: ServeTlsArgs,

    /// OAuth.
    #[command(flatten)]
    pub oauth: ServeOAuthArgs,

    /// Listen on a non-loopback address without TLS and client authentication anyway (the
    /// whole API, secrets included, is then open to whoever reaches the address).
    #[arg(long)]
    pub insecure: bool,

    /// The Output Topic (Kafka).
    #[command(flatten)]
    pub output_topic: crate::output_topic::OutputTopicArgs,
}

/// TLS for a kernel that lhc serves (`lhc dev`; flatten it into any command that serves the
/// LittleHorse API). Without `--tls-cert` the kernel serves PLAINTEXT.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeTlsArgs {
    /// Serve TLS with this certificate chain (PEM, the server certificate first); needs
    /// --tls-key. Clients then set LHC_API_PROTOCOL=TLS (and LHC_CA_CERT for a private CA).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Require client certificates signed by this CA (PEM), i.e. mTLS: clients set
    /// LHC_CLIENT_CERT and LHC_CLIENT_KEY. Needs --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
}

/// OAuth for a kernel that lhc serves: every call needs an access token, validated by token
/// introspection at the identity provider, as a LittleHorse server configured with
/// `LHS_OAUTH_*`. Each flag falls back to the server's environment variable.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeOAuthArgs {
    /// The identity provider's token introspection endpoint (RFC 7662); env
    /// LHS_OAUTH_INTROSPECT_URL.
    #[arg(long, value_name = "URL")]
    pub oauth_introspect_url: Option<String>,

    /// The kernel's own client id at the identity provider; env LHS_OAUTH_CLIENT_ID.
    #[arg(long, value_name = "ID")]
    pub oauth_client_id: Option<String>,

    /// Read the client id from this file; env LHS_OAUTH_CLIENT_ID_FILE.
    #[arg(long, value_name = "FILE")]
    pub oauth_client_id_file: Option<PathBuf>,

    /// Read the kernel's client secret from this file (env LHS_OAUTH_CLIENT_SECRET_FILE); or
    /// set LHS_OAUTH_CLIENT_SECRET. There is no flag for the secret itself: the process list
    /// would show it.
    #[arg(long, value_name = "FILE")]
    pub oauth_client_secret_file: Option<PathBuf>,

    /// Also trust this CA (PEM) for an https identity provider, beside the machine's roots.
    #[arg(long, value_name = "FILE")]
    pub oauth_ca_cert: Option<PathBuf>,
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

    /// Apply the fix each diagnostic's help names, write the files that changed, then report
    /// what is left.
    #[arg(long)]
    pub fix: bool,
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

/// Arguments of `lhc decompile`.
#[derive(Debug, Args)]
pub struct DecompileArgs {
    /// WfSpec files (PutWfSpecRequest or WfSpec; JSON or binary).
    #[arg(
        value_name = "FILE",
        required_unless_present = "wfspec",
        conflicts_with = "wfspec"
    )]
    pub files: Vec<PathBuf>,

    /// Decompile the latest version of this workflow on the configured server.
    #[arg(long, value_name = "NAME")]
    pub wfspec: Option<String>,

    /// A directory of metadata request files (`lhc compile` output: taskdef-*, usertaskdef-*,
    /// externaleventdef-*, workfloweventdef-*, structdef-*); without it, declarations are
    /// guessed from the WfSpecs (and reported).
    #[arg(long, value_name = "DIR", conflicts_with = "wfspec")]
    pub taskdefs: Option<PathBuf>,

    /// Write the text to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when the text does not compile back to exactly the same WfSpecs.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub server: ServerArgs,
}

/// Arguments of `lhc diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD and NEW, or only NEW with --wfspec.
    #[arg(value_name = "FILE", required = true, num_args = 1..=2)]
    pub files: Vec<PathBuf>,

    /// Compare with the latest version of this workflow on the configured server.
    #[arg(long, value_name = "NAME")]
    pub wfspec: Option<String>,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,

    #[command(flatten)]
    pub server: ServerArgs,
}

/// Arguments of `lhc fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files and directories to format, or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write nothing; list the files that would change and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,

    /// First apply the fix each diagnostic's help names (a misspelt keyword, `elif`, ...),
    /// then format.
    #[arg(long, conflicts_with = "check")]
    pub fix: bool,
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

    /// `text`, or `json`: `{"code", "severity", "title", "explanation"}` for a code, an
    /// array of `{"code", "severity", "title"}` with --list.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

/// Output format of `lhc explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Markdown text.
    Text,
    /// JSON.
    Json,
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

/// Output format of `lhc run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// Lines for people.
    Text,
    /// The WfRun as protobuf JSON.
    Json,
}

/// Output format of `lhc deploy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeployFormat {
    /// `KIND NAME: VERDICT` lines.
    Text,
    /// One JSON document.
    Json,
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

/// Arguments of `lhc test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files or directories to search for `*.test.lhw` (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Run only the tests whose name (or `FILE: NAME`) contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,

    /// How to report results.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,

    /// Leave out the coverage report.
    #[arg(long)]
    pub no_coverage: bool,
}

/// Output format of `lhc test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per test, failures, coverage and a summary, like `cargo test`.
    Human,
    /// One JSON document on stdout.
    Json,
    /// JUnit XML on stdout, for CI.
    Junit,
}
