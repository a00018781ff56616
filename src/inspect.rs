//! `lhc get`, `lhc list`, `lhc search`, `lhc stop`/`resume`, `lhc event post` and
//! `lhc user-task`: inspecting and operating WfRuns on a LittleHorse server.
//!
//! Every command prints a human-readable table by default and, with `--format json`, the
//! protobuf JSON of what the server answered (lists as JSON arrays). Masked values are never
//! printed: tables show `(masked)`, JSON carries the string value `"(masked)"` in their place.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use lhw_proto::littlehorse::node_run::NodeType;
use lhw_proto::littlehorse::task_attempt::Result as AttemptResult;
use lhw_proto::littlehorse::type_definition::DefinedType;
use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{
    AssignUserTaskRunRequest, CompleteUserTaskRunRequest, ExternalEvent, ExternalEventDefId,
    LhStatus, ListNodeRunsRequest, NodeRun, PutExternalEventRequest, ResumeWfRunRequest,
    SearchTaskDefRequest, SearchUserTaskRunRequest, SearchWfRunRequest, SearchWfSpecRequest,
    StopWfRunRequest, TaskRun, TaskRunId, TaskStatus, TypeDefinition, UserTaskRun, UserTaskRunId,
    UserTaskRunStatus, Variable, VariableValue, WfRun, WfRunId,
};
use lhw_runtime_client::client::code_name;
use lhw_runtime_client::ids::wf_run_id_text;
use lhw_runtime_client::values::{format_value, parse_value, type_name};
use lhw_runtime_client::{ClientError, LhClient};
use serde::Serialize;
use tonic::Code;

use crate::cli::ServerArgs;
use crate::report::Style;
use crate::server::{self, Target};

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

/// Arguments of `lhc get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// What to get.
    #[command(subcommand)]
    pub what: GetCommand,
}

/// `lhc get ...`.
#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// A WfRun: status, version and threads (GetWfRun).
    Wfrun {
        /// The WfRun id.
        #[arg(value_name = "ID")]
        id: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// The NodeRuns of a WfRun (ListNodeRuns).
    Nodes {
        /// The WfRun id.
        #[arg(value_name = "ID")]
        id: String,
        /// Only the NodeRuns of this ThreadRun.
        #[arg(long, value_name = "N")]
        thread: Option<i32>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// The Variables of a WfRun (ListVariables); masked values are shown as `(masked)`.
    Variables {
        /// The WfRun id.
        #[arg(value_name = "ID")]
        id: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A TaskRun: inputs and attempts (GetTaskRun).
    Taskrun {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The task GUID (see `lhc get nodes WFRUN`).
        #[arg(value_name = "TASK-GUID")]
        guid: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Arguments of `lhc list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list.
    #[command(subcommand)]
    pub what: ListCommand,
}

/// `lhc list ...`.
#[derive(Debug, Subcommand)]
pub enum ListCommand {
    /// Every WfSpec version (SearchWfSpec).
    Wfspecs {
        /// Only WfSpecs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Every TaskDef (SearchTaskDef).
    Taskdefs {
        /// Only TaskDefs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Arguments of `lhc search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to search.
    #[command(subcommand)]
    pub what: SearchCommand,
}

/// `lhc search ...`.
#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// The WfRuns of a WfSpec (SearchWfRun), newest first as the server orders them.
    Wfruns {
        /// The WfSpec name.
        #[arg(value_name = "WFSPEC")]
        wf_spec: String,
        /// Only WfRuns with this status.
        #[arg(long, value_enum, ignore_case = true)]
        status: Option<RunStatus>,
        /// At most this many WfRuns.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// A WfRun status, for `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// STARTING.
    Starting,
    /// RUNNING.
    Running,
    /// COMPLETED.
    Completed,
    /// HALTING.
    Halting,
    /// HALTED.
    Halted,
    /// ERROR.
    Error,
    /// EXCEPTION.
    Exception,
}

impl RunStatus {
    fn proto(self) -> LhStatus {
        match self {
            RunStatus::Starting => LhStatus::Starting,
            RunStatus::Running => LhStatus::Running,
            RunStatus::Completed => LhStatus::Completed,
            RunStatus::Halting => LhStatus::Halting,
            RunStatus::Halted => LhStatus::Halted,
            RunStatus::Error => LhStatus::Error,
            RunStatus::Exception => LhStatus::Exception,
        }
    }
}

/// Arguments of `lhc stop` and `lhc resume`.
#[derive(Debug, Args)]
pub struct WfRunArgs {
    /// The WfRun id.
    #[arg(value_name = "WFRUN")]
    pub wf_run: String,
    /// The ThreadRun to stop or resume (0, the entrypoint thread, stops the whole WfRun).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub thread: i32,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc event`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// What to do.
    #[command(subcommand)]
    pub what: EventCommand,
}

/// `lhc event ...`.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Post an ExternalEvent to a WfRun (PutExternalEvent).
    #[command(
        long_about = "Post an ExternalEvent of the ExternalEventDef EVENT to the WfRun WFRUN. \
            `--content` is parsed according to the event's payload type when the \
            ExternalEventDef declares one (int, double, bool, str, json-obj/json-arr as JSON, \
            timestamp as RFC 3339); without a declared type, a JSON number, boolean, object \
            or array is sent as such and anything else as a string."
    )]
    Post {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The ExternalEventDef name.
        #[arg(value_name = "EVENT")]
        event: String,
        /// The payload.
        #[arg(long, value_name = "VALUE")]
        content: Option<String>,
        /// The event's GUID (makes posting idempotent; the server picks one when omitted).
        #[arg(long, value_name = "GUID")]
        guid: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Arguments of `lhc user-task`.
#[derive(Debug, Args)]
pub struct UserTaskArgs {
    /// What to do.
    #[command(subcommand)]
    pub what: UserTaskCommand,
}

/// `lhc user-task ...`.
#[derive(Debug, Subcommand)]
pub enum UserTaskCommand {
    /// UserTaskRuns, optionally of one user or group (SearchUserTaskRun).
    List {
        /// Only tasks assigned to this user.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Only tasks of this group.
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Only tasks with this status.
        #[arg(long, value_enum, ignore_case = true)]
        status: Option<TaskRunStatus>,
        /// Only tasks of this UserTaskDef.
        #[arg(long = "def", value_name = "NAME")]
        def: Option<String>,
        /// At most this many tasks.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Assign a UserTaskRun to a user and/or group (AssignUserTaskRun).
    #[command(group(ArgGroup::new("owner").required(true).multiple(true).args(["user", "group"])))]
    Assign {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID (see `lhc user-task list`).
        #[arg(value_name = "GUID")]
        guid: String,
        /// The user.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// The group.
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Take the task even if another user holds it.
        #[arg(long)]
        override_claim: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Complete a UserTaskRun with its form results (CompleteUserTaskRun).
    #[command(
        long_about = "Complete the UserTaskRun GUID of WFRUN. Each `--result field=value` is \
            parsed according to the field's type in the UserTaskDef; every required field \
            must be given. The completing user is `--user`, or else the assigned user."
    )]
    Complete {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID.
        #[arg(value_name = "GUID")]
        guid: String,
        /// A form field result, `field=value` (repeatable).
        #[arg(long = "result", value_name = "FIELD=VALUE")]
        results: Vec<String>,
        /// The user completing the task.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// A UserTaskRun status, for `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskRunStatus {
    /// UNASSIGNED.
    Unassigned,
    /// ASSIGNED.
    Assigned,
    /// DONE.
    Done,
    /// CANCELLED.
    Cancelled,
}

impl TaskRunStatus {
    fn proto(self) -> UserTaskRunStatus {
        match self {
            TaskRunStatus::Unassigned => UserTaskRunStatus::Unassigned,
            TaskRunStatus::Assigned => UserTaskRunStatus::Assigned,
            TaskRunStatus::Done => UserTaskRunStatus::Done,
            TaskRunStatus::Cancelled => UserTaskRunStatus::Cancelled,
        }
    }
}

// ---- Running a command ----

/// Why a command failed.
enum Fail {
    /// A server or connection error, with what was asked for (`WfRun x`).
    Client(String, ClientError),
    /// Our own message.
    Msg(String),
}

type Res = Result<(), Fail>;

/// Every result of a paged RPC: `page(bookmark, room)` fetches one page (`room` is how many
/// results are still wanted) and returns its results and the next bookmark; paging stops at
/// the last page or once `max` results are in.
async fn all_pages<T, F, Fut>(max: usize, mut page: F) -> Result<Vec<T>, Fail>
where
    F: FnMut(Option<Vec<u8>>, usize) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<Vec<u8>>), Fail>>,
{
    let mut out = Vec::new();
    let mut bookmark = None;
    while out.len() < max {
        let (results, next) = page(bookmark.take(), max - out.len()).await?;
        out.extend(results);
        match next {
            Some(b) if !b.is_empty() => bookmark = Some(b),
            _ => break,
        }
    }
    out.truncate(max);
    Ok(out)
}

fn on(what: impl Into<String>) -> impl FnOnce(ClientError) -> Fail {
    let what = what.into();
    move |e| Fail::Client(what, e)
}

fn rpc(e: tonic::Status) -> ClientError {
    ClientError::Rpc(e)
}

/// Resolves the server, connects and runs `f`, reporting failures on stderr (exit 1).
fn execute(
    common: &Common,
    style: Style,
    f: impl AsyncFnOnce(&LhClient, Format) -> Res,
) -> ExitCode {
    let target = match server::resolve(&common.server) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", style.error(&e));
            return ExitCode::FAILURE;
        }
    };
    let Some(rt) = server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let Some(client) = server::connect(&target, style).await else {
            return ExitCode::FAILURE;
        };
        match f(&client, common.format).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(fail) => {
                report(&fail, &client, &target, style);
                ExitCode::FAILURE
            }
        }
    })
}

fn report(fail: &Fail, client: &LhClient, target: &Target, style: Style) {
    match fail {
        Fail::Msg(m) => eprintln!("{}", style.error(m)),
        Fail::Client(what, ClientError::Rpc(s)) if s.code() == Code::NotFound => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "{what} not found on {} (NOT_FOUND: {})",
                    client.target(),
                    s.message()
                ))
            );
        }
        Fail::Client(what, ClientError::Rpc(s)) if s.code() == Code::Unimplemented => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "the server at {} cannot answer {what}: {}: {}",
                    client.target(),
                    code_name(s.code()),
                    s.message()
                ))
            );
            if target.embedded {
                eprintln!(
                    "  {}",
                    style.help("the embedded kernel does not implement this request yet")
                );
            }
        }
        Fail::Client(what, ClientError::Rpc(s)) => eprintln!(
            "{}",
            style.error(&format!("{what}: {}: {}", code_name(s.code()), s.message()))
        ),
        Fail::Client(_, e) => server::report_client_error(e, target, style),
    }
}

fn wf_run_id(id: &str) -> WfRunId {
    lhw_runtime_client::ids::parse_wf_run_id(id)
}

fn print_json<T: Serialize>(value: &T) -> Res {
    let text = lhw_proto::try_to_json_pretty(value)
        .map_err(|e| Fail::Msg(format!("cannot print the answer as JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn print_text(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Columns padded to their widest cell (in characters), two spaces apart.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// `key: value` lines with the keys aligned.
fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(k, v)| format!("{k}:{} {v}\n", " ".repeat(width - k.len())))
        .collect()
}

fn status_name(status: i32) -> &'static str {
    LhStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

fn task_status_name(status: i32) -> &'static str {
    TaskStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

fn user_task_status_name(status: i32) -> &'static str {
    UserTaskRunStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

fn time<T: Serialize>(ts: Option<&T>) -> String {
    ts.and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "-".into())
}

/// The value shown in place of a masked one.
const MASKED: &str = "(masked)";

fn masked_value() -> VariableValue {
    VariableValue {
        value: Some(Value::Str(MASKED.into())),
    }
}

fn shown(v: Option<&VariableValue>, masked: bool) -> String {
    if masked {
        MASKED.into()
    } else {
        format_value(v)
    }
}

fn opt(s: Option<&String>) -> String {
    s.filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "-".into())
}

// ---- get ----

/// Runs `lhc get`.
pub fn get(args: &GetArgs, style: Style) -> ExitCode {
    match &args.what {
        GetCommand::Wfrun { id, common } => {
            execute(common, style, async |c, f| get_wf_run(c, f, id).await)
        }
        GetCommand::Nodes { id, thread, common } => execute(common, style, async |c, f| {
            get_nodes(c, f, id, *thread).await
        }),
        GetCommand::Variables { id, common } => {
            execute(common, style, async |c, f| get_variables(c, f, id).await)
        }
        GetCommand::Taskrun {
            wf_run,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            get_task_run(c, f, wf_run, guid).await
        }),
    }
}

async fn get_wf_run(client: &LhClient, format: Format, id: &str) -> Res {
    let run = client
        .get_wf_run(id)
        .await
        .map_err(on(format!("WfRun `{id}`")))?;
    if format == Format::Json {
        return print_json(&run);
    }
    print_text(&wf_run_table(&run));
    Ok(())
}

fn wf_run_table(run: &WfRun) -> String {
    let spec = run.wf_spec_id.as_ref().map_or_else(
        || "-".into(),
        |s| format!("{} {}.{}", s.name, s.major_version, s.revision),
    );
    let mut text = fields(&[
        (
            "WfRun",
            run.id.as_ref().map_or_else(String::new, wf_run_id_text),
        ),
        ("WfSpec", spec),
        ("status", status_name(run.status).into()),
        ("started", time(run.start_time.as_ref())),
        ("ended", time(run.end_time.as_ref())),
    ]);
    let rows: Vec<Vec<String>> = run
        .thread_runs
        .iter()
        .map(|t| {
            vec![
                t.number.to_string(),
                t.thread_spec_name.clone(),
                status_name(t.status).into(),
                t.current_node_position.to_string(),
                opt(t.error_message.as_ref()),
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&table(
        &["THREAD", "NAME", "STATUS", "POSITION", "ERROR"],
        &rows,
    ));
    text
}

async fn get_nodes(client: &LhClient, format: Format, id: &str, thread: Option<i32>) -> Res {
    let mut nodes: Vec<NodeRun> = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .list_node_runs(ListNodeRunsRequest {
                wf_run_id: Some(wf_run_id(id)),
                thread_run_number: thread,
                bookmark,
                limit: None,
            })
            .await
            .map_err(|e| Fail::Client(format!("NodeRuns of WfRun `{id}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if nodes.is_empty() {
        // An unknown WfRun lists nothing on some servers: say so rather than print nothing.
        client
            .get_wf_run(id)
            .await
            .map_err(on(format!("WfRun `{id}`")))?;
    }
    for n in &mut nodes {
        if let Some(NodeType::ExternalEvent(e)) = &mut n.node_type
            && e.mask_correlation_key
            && e.correlation_key.is_some()
        {
            e.correlation_key = Some(MASKED.into());
        }
    }
    if format == Format::Json {
        return print_json(&nodes);
    }
    let rows: Vec<Vec<String>> = nodes
        .iter()
        .map(|n| {
            let (thread, pos) =
                n.id.as_ref()
                    .map_or((0, 0), |i| (i.thread_run_number, i.position));
            vec![
                thread.to_string(),
                pos.to_string(),
                n.node_name.clone(),
                node_kind(n).into(),
                status_name(n.status).into(),
                time(n.arrival_time.as_ref()),
                node_detail(n),
            ]
        })
        .collect();
    print_text(&table(
        &[
            "THREAD", "POS", "NODE", "TYPE", "STATUS", "ARRIVED", "DETAIL",
        ],
        &rows,
    ));
    Ok(())
}

/// The NodeRun's kind. LittleHorse records a NOP node's run as an EntrypointRun, so the
/// node's name (`2-nop-NOP`) tells the two apart.
fn node_kind(n: &NodeRun) -> &'static str {
    if n.node_name.ends_with("-NOP") {
        return "NOP";
    }
    match n.node_type.as_ref() {
        Some(NodeType::Task(_)) => "TASK",
        Some(NodeType::ExternalEvent(_)) => "EXTERNAL_EVENT",
        Some(NodeType::Entrypoint(_)) => "ENTRYPOINT",
        Some(NodeType::Exit(_)) => "EXIT",
        Some(NodeType::StartThread(_)) => "START_THREAD",
        Some(NodeType::WaitForThreads(_)) => "WAIT_FOR_THREADS",
        Some(NodeType::Sleep(_)) => "SLEEP",
        Some(NodeType::UserTask(_)) => "USER_TASK",
        Some(NodeType::StartMultipleThreads(_)) => "START_MULTIPLE_THREADS",
        Some(NodeType::ThrowEvent(_)) => "THROW_EVENT",
        Some(NodeType::WaitForCondition(_)) => "WAIT_FOR_CONDITION",
        Some(NodeType::RunChildWf(_)) => "RUN_CHILD_WF",
        Some(NodeType::WaitForChildWf(_)) => "WAIT_FOR_CHILD_WF",
        None => "-",
    }
}

/// The useful id of a NodeRun: its TaskRun or UserTaskRun GUID, or its event.
fn node_detail(n: &NodeRun) -> String {
    let detail = match &n.node_type {
        Some(NodeType::Task(t)) => t
            .task_run_id
            .as_ref()
            .map(|i| format!("task {}", i.task_guid)),
        Some(NodeType::UserTask(u)) => u
            .user_task_run_id
            .as_ref()
            .map(|i| format!("user task {}", i.user_task_guid)),
        Some(NodeType::ExternalEvent(e)) => e
            .external_event_def_id
            .as_ref()
            .map(|d| format!("event {}", d.name)),
        _ => None,
    };
    match (&n.error_message, detail) {
        (Some(err), Some(d)) => format!("{d}; {err}"),
        (Some(err), None) => err.clone(),
        (None, Some(d)) => d,
        (None, None) => "-".into(),
    }
}

async fn get_variables(client: &LhClient, format: Format, id: &str) -> Res {
    let mut vars = client
        .list_variables(id)
        .await
        .map_err(on(format!("Variables of WfRun `{id}`")))?;
    if vars.is_empty() {
        client
            .get_wf_run(id)
            .await
            .map_err(on(format!("WfRun `{id}`")))?;
    }
    for v in &mut vars {
        if v.masked {
            v.value = Some(masked_value());
        }
    }
    if format == Format::Json {
        return print_json(&vars);
    }
    print_text(&variables_table(&vars));
    Ok(())
}

fn variables_table(vars: &[Variable]) -> String {
    let rows: Vec<Vec<String>> = vars
        .iter()
        .map(|v| {
            let (name, thread) = v.id.as_ref().map_or((String::new(), 0), |i| {
                (i.name.clone(), i.thread_run_number)
            });
            vec![thread.to_string(), name, shown(v.value.as_ref(), v.masked)]
        })
        .collect();
    table(&["THREAD", "NAME", "VALUE"], &rows)
}

async fn get_task_run(client: &LhClient, format: Format, wf_run: &str, guid: &str) -> Res {
    let mut raw = client.raw();
    let mut run = raw
        .get_task_run(TaskRunId {
            wf_run_id: Some(wf_run_id(wf_run)),
            task_guid: guid.into(),
        })
        .await
        .map_err(|e| Fail::Client(format!("TaskRun `{guid}` of WfRun `{wf_run}`"), rpc(e)))?
        .into_inner();
    mask_task_run(&mut run);
    if format == Format::Json {
        return print_json(&run);
    }
    print_text(&task_run_table(&run));
    Ok(())
}

fn mask_task_run(run: &mut TaskRun) {
    for input in &mut run.input_variables {
        if input.masked {
            input.value = Some(masked_value());
        }
    }
    for attempt in &mut run.attempts {
        if attempt.masked_value {
            if let Some(AttemptResult::Output(v)) = &mut attempt.result {
                *v = masked_value();
            }
            if attempt.log_output.is_some() {
                attempt.log_output = Some(masked_value());
            }
        }
    }
}

fn task_run_table(run: &TaskRun) -> String {
    let id = run.id.as_ref();
    let inputs = run
        .input_variables
        .iter()
        .map(|i| format!("{} = {}", i.var_name, shown(i.value.as_ref(), i.masked)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = fields(&[
        (
            "TaskRun",
            id.map_or_else(String::new, |i| i.task_guid.clone()),
        ),
        (
            "WfRun",
            id.and_then(|i| i.wf_run_id.as_ref())
                .map_or_else(String::new, wf_run_id_text),
        ),
        (
            "TaskDef",
            run.task_def_id
                .as_ref()
                .map_or_else(String::new, |t| t.name.clone()),
        ),
        ("status", task_status_name(run.status).into()),
        ("scheduled", time(run.scheduled_at.as_ref())),
        (
            "inputs",
            if inputs.is_empty() {
                "-".into()
            } else {
                inputs
            },
        ),
        (
            "attempts",
            format!("{} of {}", run.attempts.len(), run.total_attempts),
        ),
    ]);
    if !run.attempts.is_empty() {
        let rows: Vec<Vec<String>> = run
            .attempts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let result = match &a.result {
                    Some(AttemptResult::Output(v)) => shown(Some(v), a.masked_value),
                    Some(AttemptResult::Error(e)) => format!("error: {}", e.message),
                    Some(AttemptResult::Exception(e)) => {
                        format!("exception {}: {}", e.name, e.message)
                    }
                    None => "-".into(),
                };
                vec![
                    i.to_string(),
                    task_status_name(a.status).into(),
                    if a.task_worker_id.is_empty() {
                        "-".into()
                    } else {
                        a.task_worker_id.clone()
                    },
                    time(a.end_time.as_ref()),
                    result,
                ]
            })
            .collect();
        text.push('\n');
        text.push_str(&table(
            &["ATTEMPT", "STATUS", "WORKER", "ENDED", "RESULT"],
            &rows,
        ));
    }
    text
}

// ---- list ----

/// Runs `lhc list`.
pub fn list(args: &ListArgs, style: Style) -> ExitCode {
    match &args.what {
        ListCommand::Wfspecs { prefix, common } => execute(common, style, async |c, f| {
            list_wf_specs(c, f, prefix.clone()).await
        }),
        ListCommand::Taskdefs { prefix, common } => execute(common, style, async |c, f| {
            list_task_defs(c, f, prefix.clone()).await
        }),
    }
}

async fn list_wf_specs(client: &LhClient, format: Format, prefix: Option<String>) -> Res {
    use lhw_proto::littlehorse::search_wf_spec_request::WfSpecCriteria;
    let ids = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .search_wf_spec(SearchWfSpecRequest {
                bookmark,
                limit: None,
                wf_spec_criteria: prefix.clone().map(WfSpecCriteria::Prefix),
            })
            .await
            .map_err(|e| Fail::Client("SearchWfSpec".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let rows: Vec<Vec<String>> = ids
        .iter()
        .map(|i| {
            vec![
                i.name.clone(),
                format!("{}.{}", i.major_version, i.revision),
            ]
        })
        .collect();
    print_text(&table(&["NAME", "VERSION"], &rows));
    Ok(())
}

async fn list_task_defs(client: &LhClient, format: Format, prefix: Option<String>) -> Res {
    let ids = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .search_task_def(SearchTaskDefRequest {
                bookmark,
                limit: None,
                prefix: prefix.clone(),
            })
            .await
            .map_err(|e| Fail::Client("SearchTaskDef".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let rows: Vec<Vec<String>> = ids.iter().map(|i| vec![i.name.clone()]).collect();
    print_text(&table(&["NAME"], &rows));
    Ok(())
}

// ---- search ----

/// Runs `lhc search`.
pub fn search(args: &SearchArgs, style: Style) -> ExitCode {
    match &args.what {
        SearchCommand::Wfruns {
            wf_spec,
            status,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            search_wf_runs(c, f, wf_spec, *status, *limit).await
        }),
    }
}

async fn search_wf_runs(
    client: &LhClient,
    format: Format,
    wf_spec: &str,
    status: Option<RunStatus>,
    limit: usize,
) -> Res {
    let ids: Vec<WfRunId> = all_pages(limit, async |bookmark, room| {
        let page = client
            .raw()
            .search_wf_run(SearchWfRunRequest {
                bookmark,
                limit: Some(i32::try_from(room).unwrap_or(i32::MAX).min(1000)),
                wf_spec_name: wf_spec.into(),
                status: status.map(|s| s.proto() as i32),
                ..SearchWfRunRequest::default()
            })
            .await
            .map_err(|e| Fail::Client(format!("SearchWfRun of `{wf_spec}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let mut rows = Vec::new();
    for id in &ids {
        // The status and start time of each run, when it can still be read.
        let text = wf_run_id_text(id);
        let (st, start) = match client.get_wf_run(&text).await {
            Ok(run) => (
                status_name(run.status).to_string(),
                time(run.start_time.as_ref()),
            ),
            Err(_) => ("-".into(), "-".into()),
        };
        rows.push(vec![text, st, start]);
    }
    print_text(&table(&["WFRUN", "STATUS", "STARTED"], &rows));
    Ok(())
}

// ---- stop / resume ----

/// Runs `lhc stop` (`stop == true`) or `lhc resume`.
pub fn stop_or_resume(args: &WfRunArgs, stop: bool, style: Style) -> ExitCode {
    execute(&args.common, style, async |client, format| {
        let mut raw = client.raw();
        let id = Some(wf_run_id(&args.wf_run));
        let what = format!("WfRun `{}`", args.wf_run);
        let answer = if stop {
            raw.stop_wf_run(StopWfRunRequest {
                wf_run_id: id,
                thread_run_number: args.thread,
            })
            .await
        } else {
            raw.resume_wf_run(ResumeWfRunRequest {
                wf_run_id: id,
                thread_run_number: args.thread,
            })
            .await
        };
        answer.map_err(|e| Fail::Client(what.clone(), rpc(e)))?;
        let run = client.get_wf_run(&args.wf_run).await.map_err(on(what))?;
        let verb = if stop { "stopped" } else { "resumed" };
        if format == Format::Json {
            return print_json(&serde_json::json!({
                "wfRunId": args.wf_run,
                "threadRunNumber": args.thread,
                "action": verb,
                "status": status_name(run.status),
            }));
        }
        let thread = if args.thread == 0 {
            String::new()
        } else {
            format!(" thread {}", args.thread)
        };
        println!(
            "{verb} WfRun {}{thread}: now {}",
            args.wf_run,
            status_name(run.status)
        );
        Ok(())
    })
}

// ---- event post ----

/// Runs `lhc event`.
pub fn event(args: &EventArgs, style: Style) -> ExitCode {
    match &args.what {
        EventCommand::Post {
            wf_run,
            event,
            content,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            post_event(c, f, wf_run, event, content.as_deref(), guid.clone()).await
        }),
    }
}

/// A value without a declared type: JSON scalars, objects and arrays as such, else a string.
fn infer_value(text: &str) -> VariableValue {
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Bool(b)) => Value::Bool(b),
        Ok(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Double(n.as_f64().unwrap_or(0.0)),
        },
        Ok(v @ serde_json::Value::Object(_)) => Value::JsonObj(v.to_string()),
        Ok(v @ serde_json::Value::Array(_)) => Value::JsonArr(v.to_string()),
        Ok(serde_json::Value::String(s)) => Value::Str(s),
        _ => Value::Str(text.to_string()),
    };
    VariableValue { value: Some(value) }
}

async fn post_event(
    client: &LhClient,
    format: Format,
    wf_run: &str,
    event: &str,
    content: Option<&str>,
    guid: Option<String>,
) -> Res {
    let def = client
        .get_external_event_def(event)
        .await
        .map_err(on(format!("ExternalEventDef `{event}`")))?
        .ok_or_else(|| {
            Fail::Msg(format!(
                "no ExternalEventDef `{event}` on {} (declare it with `event {event}: TYPE` and \
                 deploy)",
                client.target()
            ))
        })?;
    let declared = def
        .type_information
        .as_ref()
        .and_then(|t| t.return_type.clone());
    let masked = declared.as_ref().is_some_and(|t| t.masked);
    let value = match (content, &declared) {
        (Some(text), Some(t)) => parse_value(text, t).map_err(|e| {
            Fail::Msg(format!(
                "--content: {e} (event `{event}` carries {})",
                type_name(t)
            ))
        })?,
        (Some(text), None) => infer_value(text),
        (None, Some(t)) => {
            return Err(Fail::Msg(format!(
                "event `{event}` carries {}: add --content VALUE",
                type_name(t)
            )));
        }
        (None, None) => VariableValue::default(),
    };
    let mut raw = client.raw();
    let mut posted: ExternalEvent = raw
        .put_external_event(PutExternalEventRequest {
            wf_run_id: Some(wf_run_id(wf_run)),
            external_event_def_id: Some(ExternalEventDefId { name: event.into() }),
            guid,
            content: Some(value),
            thread_run_number: None,
            node_run_position: None,
        })
        .await
        .map_err(|e| Fail::Client(format!("WfRun `{wf_run}`"), rpc(e)))?
        .into_inner();
    if masked {
        posted.content = Some(masked_value());
    }
    if format == Format::Json {
        return print_json(&posted);
    }
    let guid = posted.id.as_ref().map_or("", |i| i.guid.as_str());
    println!(
        "posted ExternalEvent {event} {guid} to WfRun {wf_run}: {}",
        shown(posted.content.as_ref(), masked)
    );
    Ok(())
}

// ---- user-task ----

/// Runs `lhc user-task`.
pub fn user_task(args: &UserTaskArgs, style: Style) -> ExitCode {
    match &args.what {
        UserTaskCommand::List {
            user,
            group,
            status,
            def,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            let req = SearchUserTaskRunRequest {
                bookmark: None,
                limit: None,
                status: status.map(|s| s.proto() as i32),
                user_task_def_name: def.clone(),
                user_id: user.clone(),
                user_group: group.clone(),
                earliest_start: None,
                latest_start: None,
            };
            list_user_tasks(c, f, req, *limit).await
        }),
        UserTaskCommand::Assign {
            wf_run,
            guid,
            user,
            group,
            override_claim,
            common,
        } => execute(common, style, async |c, f| {
            let req = AssignUserTaskRunRequest {
                user_task_run_id: Some(user_task_run_id(wf_run, guid)),
                override_claim: *override_claim,
                user_group: group.clone(),
                user_id: user.clone(),
            };
            assign_user_task(c, f, req).await
        }),
        UserTaskCommand::Complete {
            wf_run,
            guid,
            results,
            user,
            common,
        } => execute(common, style, async |c, f| {
            complete_user_task(c, f, wf_run, guid, results, user.as_deref()).await
        }),
    }
}

fn user_task_run_id(wf_run: &str, guid: &str) -> UserTaskRunId {
    UserTaskRunId {
        wf_run_id: Some(wf_run_id(wf_run)),
        user_task_guid: guid.into(),
    }
}

async fn get_user_task_run(client: &LhClient, id: &UserTaskRunId) -> Result<UserTaskRun, Fail> {
    let wf = id.wf_run_id.as_ref().map_or("", |w| w.id.as_str());
    let mut raw = client.raw();
    raw.get_user_task_run(id.clone())
        .await
        .map(tonic::Response::into_inner)
        .map_err(|e| {
            Fail::Client(
                format!("UserTaskRun `{}` of WfRun `{wf}`", id.user_task_guid),
                rpc(e),
            )
        })
}

async fn list_user_tasks(
    client: &LhClient,
    format: Format,
    req: SearchUserTaskRunRequest,
    limit: usize,
) -> Res {
    let ids = all_pages(limit, async |bookmark, room| {
        let page = client
            .raw()
            .search_user_task_run(SearchUserTaskRunRequest {
                bookmark,
                limit: Some(i32::try_from(room).unwrap_or(i32::MAX).min(1000)),
                ..req.clone()
            })
            .await
            .map_err(|e| Fail::Client("SearchUserTaskRun".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    let mut runs = Vec::new();
    for id in &ids {
        runs.push(get_user_task_run(client, id).await?);
    }
    if format == Format::Json {
        return print_json(&runs);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let id = r.id.as_ref();
            vec![
                id.and_then(|i| i.wf_run_id.as_ref())
                    .map_or_else(String::new, wf_run_id_text),
                id.map_or_else(String::new, |i| i.user_task_guid.clone()),
                r.user_task_def_id
                    .as_ref()
                    .map_or_else(String::new, |d| d.name.clone()),
                user_task_status_name(r.status).into(),
                opt(r.user_id.as_ref()),
                opt(r.user_group.as_ref()),
                time(r.scheduled_time.as_ref()),
            ]
        })
        .collect();
    print_text(&table(
        &[
            "WFRUN",
            "GUID",
            "USER TASK",
            "STATUS",
            "USER",
            "GROUP",
            "SCHEDULED",
        ],
        &rows,
    ));
    Ok(())
}

async fn assign_user_task(client: &LhClient, format: Format, req: AssignUserTaskRunRequest) -> Res {
    let id = req.user_task_run_id.clone().unwrap_or_default();
    // Reading it first gives an unknown GUID a clear NOT_FOUND.
    get_user_task_run(client, &id).await?;
    let mut raw = client.raw();
    raw.assign_user_task_run(req)
        .await
        .map_err(|e| Fail::Client(format!("UserTaskRun `{}`", id.user_task_guid), rpc(e)))?;
    let run = get_user_task_run(client, &id).await?;
    if format == Format::Json {
        return print_json(&run);
    }
    println!(
        "assigned UserTaskRun {} to user {}, group {}: now {}",
        id.user_task_guid,
        opt(run.user_id.as_ref()),
        opt(run.user_group.as_ref()),
        user_task_status_name(run.status)
    );
    Ok(())
}

/// The type of a user-task form field.
fn field_type(t: i32) -> TypeDefinition {
    TypeDefinition {
        defined_type: Some(DefinedType::PrimitiveType(t)),
        masked: false,
    }
}

async fn complete_user_task(
    client: &LhClient,
    format: Format,
    wf_run: &str,
    guid: &str,
    results: &[String],
    user: Option<&str>,
) -> Res {
    let id = user_task_run_id(wf_run, guid);
    let run = get_user_task_run(client, &id).await?;
    let def_id = run.user_task_def_id.clone().unwrap_or_default();
    let mut raw = client.raw();
    let def = raw
        .get_user_task_def(def_id.clone())
        .await
        .map_err(|e| Fail::Client(format!("UserTaskDef `{}`", def_id.name), rpc(e)))?
        .into_inner();
    let mut values = BTreeMap::new();
    for raw_result in results {
        let Some((name, text)) = raw_result.split_once('=') else {
            return Err(Fail::Msg(format!(
                "--result {raw_result}: expected FIELD=VALUE"
            )));
        };
        let name = name.trim();
        let Some(field) = def.fields.iter().find(|f| f.name == name) else {
            let known: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
            return Err(Fail::Msg(format!(
                "--result {raw_result}: user task `{}` has no field `{name}` (its fields: {})",
                def.name,
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )));
        };
        let t = field_type(field.r#type);
        let v = parse_value(text, &t).map_err(|e| {
            Fail::Msg(format!(
                "--result {name}: {e} (`{name}` is of type {})",
                type_name(&t)
            ))
        })?;
        if values.insert(name.to_string(), v).is_some() {
            return Err(Fail::Msg(format!("--result {name} is given twice")));
        }
    }
    let missing: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| f.required && !values.contains_key(&f.name))
        .map(|f| f.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Fail::Msg(format!(
            "user task `{}` requires {}: add {}",
            def.name,
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", "),
            missing
                .iter()
                .map(|m| format!("--result {m}=..."))
                .collect::<Vec<_>>()
                .join(" ")
        )));
    }
    let user_id = user
        .map(str::to_string)
        .or_else(|| run.user_id.clone())
        .unwrap_or_default();
    raw.complete_user_task_run(CompleteUserTaskRunRequest {
        user_task_run_id: Some(id.clone()),
        results: values,
        user_id,
    })
    .await
    .map_err(|e| Fail::Client(format!("UserTaskRun `{guid}`"), rpc(e)))?;
    let done = get_user_task_run(client, &id).await?;
    if format == Format::Json {
        return print_json(&done);
    }
    println!(
        "completed UserTaskRun {guid} of WfRun {wf_run}: now {}",
        user_task_status_name(done.status)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_columns_and_trim_lines() {
        let t = table(
            &["A", "LONG HEADER", "C"],
            &[vec!["xyz".into(), "1".into(), String::new()]],
        );
        assert_eq!(t, "A    LONG HEADER  C\nxyz  1\n");
    }

    #[test]
    fn untyped_content_is_inferred() {
        assert_eq!(infer_value("42").value, Some(Value::Int(42)));
        assert_eq!(infer_value("true").value, Some(Value::Bool(true)));
        assert_eq!(infer_value("hello").value, Some(Value::Str("hello".into())));
        assert_eq!(
            infer_value("{\"a\": 1}").value,
            Some(Value::JsonObj("{\"a\":1}".into()))
        );
    }

    #[test]
    fn masked_task_values_are_replaced() {
        let mut run = TaskRun {
            input_variables: vec![lhw_proto::littlehorse::VarNameAndVal {
                var_name: "card".into(),
                value: Some(VariableValue {
                    value: Some(Value::Str("4111".into())),
                }),
                masked: true,
            }],
            ..TaskRun::default()
        };
        mask_task_run(&mut run);
        assert_eq!(run.input_variables[0].value, Some(masked_value()));
        assert!(!task_run_table(&run).contains("4111"));
    }
}
