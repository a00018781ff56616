//! `lhc get`: a WfRun, its NodeRuns, its Variables or a TaskRun; a WfSpec, and the other
//! metadata kinds ([`super::get_defs`]).

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::node_run::NodeType;
use lhw_proto::littlehorse::task_attempt::Result as AttemptResult;
use lhw_proto::littlehorse::{
    Failure, ListNodeRunsRequest, NodeRun, TaskRun, TaskRunId, Variable, WfRun,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::ids::wf_run_id_text;

use super::exec::{Fail, Res, all_pages, execute, on, rpc, wf_run_id};
use super::failures::{failure_text, last_failure, thread_failures};
use super::render::{
    MASKED, fields, is_generated_variable, masked_value, opt, print_json, print_text, shown,
    status_name, table, task_status_name, time,
};
use super::{Common, Format};
use crate::report::Style;

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
        /// Print each step as it happens until the run ends, then show it (see `lhc wait`).
        #[arg(long)]
        watch: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A WfSpec: version, threads and what they use, variables (GetWfSpec / GetLatestWfSpec).
    Wfspec {
        /// The WfSpec name.
        #[arg(value_name = "NAME")]
        name: String,
        /// The version, `MAJOR.REVISION` (default: the latest).
        #[arg(value_name = "MAJOR.REVISION")]
        spec_version: Option<String>,
        /// Print the WfSpec as a `.lhw` file (`lhc decompile`), with the declarations it uses
        /// read from the server; what the text cannot keep is reported on stderr.
        #[arg(long, conflicts_with = "format")]
        lhw: bool,
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
    /// A TaskDef: its signature, description and creation time (GetTaskDef).
    Taskdef {
        /// The TaskDef name (see `lhc list taskdefs`).
        #[arg(value_name = "NAME")]
        name: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// An ExternalEventDef: content type, correlation and retention (GetExternalEventDef).
    EventDef {
        /// The ExternalEventDef name (see `lhc list event-defs`).
        #[arg(value_name = "NAME")]
        name: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A WorkflowEventDef: its content type (GetWorkflowEventDef).
    WorkflowEventDef {
        /// The WorkflowEventDef name (see `lhc list workflow-event-defs`).
        #[arg(value_name = "NAME")]
        name: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A UserTaskDef: its form fields (GetUserTaskDef / GetLatestUserTaskDef).
    UserTaskDef {
        /// The UserTaskDef name (see `lhc list user-task-defs`).
        #[arg(value_name = "NAME")]
        name: String,
        /// The version (default: the latest).
        #[arg(value_name = "VERSION")]
        def_version: Option<i32>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A StructDef: its fields (GetStructDef).
    StructDef {
        /// The StructDef name (see `lhc list struct-defs`).
        #[arg(value_name = "NAME")]
        name: String,
        /// The version (default: the latest).
        #[arg(value_name = "VERSION")]
        def_version: Option<i32>,
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

/// Runs `lhc get`.
pub(crate) fn run(args: &GetArgs, style: Style) -> ExitCode {
    match &args.what {
        GetCommand::Wfrun { id, watch, common } => execute(common, style, async |c, f| {
            if *watch {
                super::wait::watch(c, id, None, f == Format::Table).await?;
            }
            get_wf_run(c, f, id).await
        }),
        GetCommand::Wfspec {
            name,
            spec_version,
            lhw,
            common,
        } => execute(common, style, async |c, f| {
            let spec = match spec_version {
                Some(v) => {
                    let id = super::delete::wf_spec_id(name, v)?;
                    match c.raw().get_wf_spec(id.clone()).await {
                        Ok(s) => s.into_inner(),
                        Err(e) if e.code() == tonic::Code::NotFound => {
                            return Err(Fail::Msg(
                                crate::run::unknown_wf_spec_version(
                                    c,
                                    name,
                                    id.major_version,
                                    id.revision,
                                )
                                .await,
                            ));
                        }
                        Err(e) => return Err(Fail::Client(format!("WfSpec `{name}` {v}"), rpc(e))),
                    }
                }
                None => match c
                    .get_latest_wf_spec(name)
                    .await
                    .map_err(on(format!("WfSpec `{name}`")))?
                {
                    Some(spec) => spec,
                    None => return Err(Fail::Msg(crate::run::unknown_wf_spec(c, name).await)),
                },
            };
            if *lhw {
                let (req, decls) = crate::decompile::server_declarations(c, &spec)
                    .await
                    .map_err(Fail::Msg)?;
                let result = lhw_compiler::decompile::decompile(std::slice::from_ref(&req), &decls);
                print_text(&result.text);
                crate::decompile::report_losses(&result, "<decompiled>", 1);
                return Ok(());
            }
            if f == Format::Json {
                return print_json(&spec);
            }
            print_text(&super::wf_spec::wf_spec_text(&spec));
            Ok(())
        }),
        GetCommand::Nodes { id, thread, common } => execute(common, style, async |c, f| {
            get_nodes(c, f, id, *thread).await
        }),
        GetCommand::Variables { id, common } => {
            execute(common, style, async |c, f| get_variables(c, f, id).await)
        }
        GetCommand::Taskdef { name, common } => execute(common, style, async |c, f| {
            super::get_defs::get_task_def(c, f, name).await
        }),
        GetCommand::EventDef { name, common } => execute(common, style, async |c, f| {
            super::get_defs::get_event_def(c, f, name).await
        }),
        GetCommand::WorkflowEventDef { name, common } => execute(common, style, async |c, f| {
            super::get_defs::get_workflow_event_def(c, f, name).await
        }),
        GetCommand::UserTaskDef {
            name,
            def_version,
            common,
        } => execute(common, style, async |c, f| {
            super::get_defs::get_user_task_def(c, f, name, *def_version).await
        }),
        GetCommand::StructDef {
            name,
            def_version,
            common,
        } => execute(common, style, async |c, f| {
            super::get_defs::get_struct_def(c, f, name, *def_version).await
        }),
        GetCommand::Taskrun {
            wf_run,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            get_task_run(c, f, wf_run, guid).await
        }),
    }
}

pub(crate) async fn get_wf_run(client: &LhClient, format: Format, id: &str) -> Res {
    let run = client
        .get_wf_run(id)
        .await
        .map_err(on(format!("WfRun `{id}`")))?;
    if format == Format::Json {
        return print_json(&run);
    }
    let failures = thread_failures(client, &run).await;
    print_text(&wf_run_table(&run, &failures));
    Ok(())
}

pub(crate) fn wf_run_table(run: &WfRun, failures: &BTreeMap<i32, Failure>) -> String {
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
                match failures.get(&t.number) {
                    Some(f) => failure_text(f),
                    None => opt(t.error_message.as_ref()),
                },
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&table(
        &["THREAD", "NAME", "STATUS", "POSITION", "FAILURE"],
        &rows,
    ));
    text
}

pub(crate) async fn get_nodes(
    client: &LhClient,
    format: Format,
    id: &str,
    thread: Option<i32>,
) -> Res {
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
        let run = client
            .get_wf_run(id)
            .await
            .map_err(on(format!("WfRun `{id}`")))?;
        // So does a thread number the run does not have.
        if let Some(t) = thread {
            super::exec::thread_of(&run, id, t)?;
        }
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
pub(crate) fn node_kind(n: &NodeRun) -> &'static str {
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
        // A NodeRun that failed on arrival may have no type yet: the node's name ends in it.
        None => KINDS
            .iter()
            .find(|k| n.node_name.rsplit('-').next() == Some(**k))
            .copied()
            .unwrap_or("-"),
    }
}

/// The node kinds LittleHorse writes at the end of node names.
const KINDS: [&str; 14] = [
    "TASK",
    "EXTERNAL_EVENT",
    "ENTRYPOINT",
    "EXIT",
    "START_THREAD",
    "WAIT_FOR_THREADS",
    "SLEEP",
    "USER_TASK",
    "START_MULTIPLE_THREADS",
    "THROW_EVENT",
    "WAIT_FOR_CONDITION",
    "RUN_CHILD_WF",
    "WAIT_FOR_CHILD_WF",
    "NOP",
];

/// The useful id of a NodeRun: its TaskRun or UserTaskRun GUID, or its event.
pub(crate) fn node_detail(n: &NodeRun) -> String {
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
    let failure = last_failure(n).map(|f| {
        let handled = if f.was_properly_handled {
            " (handled)"
        } else {
            ""
        };
        format!("failed {}{handled}", failure_text(f))
    });
    let problem = failure.or_else(|| n.error_message.clone());
    match (&problem, detail) {
        (Some(err), Some(d)) => format!("{d}; {err}"),
        (Some(err), None) => err.clone(),
        (None, Some(d)) => d,
        (None, None) => "-".into(),
    }
}

pub(crate) async fn get_variables(client: &LhClient, format: Format, id: &str) -> Res {
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

pub(crate) fn variables_table(vars: &[Variable]) -> String {
    let rows: Vec<Vec<String>> = vars
        .iter()
        .filter(|v| {
            !v.id
                .as_ref()
                .is_some_and(|i| is_generated_variable(&i.name))
        })
        .map(|v| {
            let (name, thread) = v.id.as_ref().map_or((String::new(), 0), |i| {
                (i.name.clone(), i.thread_run_number)
            });
            vec![thread.to_string(), name, shown(v.value.as_ref(), v.masked)]
        })
        .collect();
    table(&["THREAD", "NAME", "VALUE"], &rows)
}

pub(crate) async fn get_task_run(
    client: &LhClient,
    format: Format,
    wf_run: &str,
    guid: &str,
) -> Res {
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

pub(crate) fn mask_task_run(run: &mut TaskRun) {
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

pub(crate) fn task_run_table(run: &TaskRun) -> String {
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

#[cfg(test)]
mod tests {
    use lhw_proto::littlehorse::VariableValue;
    use lhw_proto::littlehorse::variable_value::Value;

    use super::*;

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
    #[test]
    fn a_node_run_without_a_type_is_typed_by_its_name() {
        let run = |name: &str| NodeRun {
            node_name: name.into(),
            ..NodeRun::default()
        };
        assert_eq!(
            node_kind(&run("2-packer-START_MULTIPLE_THREADS")),
            "START_MULTIPLE_THREADS"
        );
        assert_eq!(node_kind(&run("3-nop-NOP")), "NOP");
        assert_eq!(node_kind(&run("odd")), "-");
    }
}
