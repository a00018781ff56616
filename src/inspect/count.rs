//! `lhc count node-runs|task-runs` (CountNodeRun, CountTaskRun): how many NodeRuns there are
//! (of one WfSpec's runs), and how many TaskRuns of a TaskDef wait for a worker.
//!
//! As LittleHorse (server/src/main/java/io/littlehorse/server/streams/lhinternalscan/count/):
//! a revision needs a major version, and TaskRuns are counted in TASK_SCHEDULED only. A
//! WfSpec or TaskDef the server does not know is an error with a "did you mean", not a 0.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::count_node_run_request::{Filter, WfSpecFilter};
use lhw_proto::littlehorse::{CountNodeRunRequest, CountTaskRunRequest, TaskStatus};
use lhw_runtime_client::LhClient;

use super::exec::{Fail, Res, execute, on, rpc};
use super::list_defs::{DefKind, names};
use super::render::print_json;
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc count`.
#[derive(Debug, Args)]
pub struct CountArgs {
    /// What to count.
    #[command(subcommand)]
    pub what: CountCommand,
}

/// `lhc count ...`.
#[derive(Debug, Subcommand)]
pub enum CountCommand {
    /// NodeRuns of every WfRun, or of the WfRuns of one WfSpec (CountNodeRun).
    NodeRuns {
        /// Only NodeRuns of runs of this WfSpec.
        #[arg(long, value_name = "NAME")]
        wfspec: Option<String>,
        /// Only runs of this version: `MAJOR` or `MAJOR.REVISION` (needs --wfspec).
        #[arg(
            long = "wfspec-version",
            value_name = "MAJOR[.REVISION]",
            requires = "wfspec"
        )]
        spec_version: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// TaskRuns of a TaskDef that are scheduled and wait for a worker (CountTaskRun).
    TaskRuns {
        /// The TaskDef name.
        #[arg(value_name = "TASKDEF")]
        task_def: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Runs `lhc count`.
pub(crate) fn run(args: &CountArgs, style: Style) -> ExitCode {
    match &args.what {
        CountCommand::NodeRuns {
            wfspec,
            spec_version,
            common,
        } => execute(common, style, async |c, f| {
            count_node_runs(c, f, wfspec.as_deref(), spec_version.as_deref()).await
        }),
        CountCommand::TaskRuns { task_def, common } => execute(common, style, async |c, f| {
            count_task_runs(c, f, task_def).await
        }),
    }
}

/// `1` → (1, None); `1.2` → (1, Some(2)).
fn major_revision(text: &str) -> Result<(i32, Option<i32>), Fail> {
    let bad = || {
        Fail::Msg(format!(
            "--wfspec-version {text}: expected MAJOR or MAJOR.REVISION, e.g. 1 or 1.0 \
             (see `lhc list wfspecs`)"
        ))
    };
    match text.split_once('.') {
        None => Ok((text.parse().map_err(|_| bad())?, None)),
        Some((m, r)) => Ok((
            m.parse().map_err(|_| bad())?,
            Some(r.parse().map_err(|_| bad())?),
        )),
    }
}

async fn count_node_runs(
    client: &LhClient,
    format: Format,
    wfspec: Option<&str>,
    spec_version: Option<&str>,
) -> Res {
    let filter = match wfspec {
        None => None,
        Some(name) => {
            let (major, revision) = match spec_version {
                Some(v) => {
                    let (m, r) = major_revision(v)?;
                    (Some(m), r)
                }
                None => (None, None),
            };
            let latest = client
                .get_latest_wf_spec(name)
                .await
                .map_err(on(format!("WfSpec `{name}`")))?;
            if latest.is_none() {
                let mut msg = format!(
                    "no WfSpec `{name}` on {} (see `lhc list wfspecs`)",
                    client.target()
                );
                if let Some(c) = crate::run::similar_workflow(client, name).await {
                    msg.push_str(&format!("\n  help: did you mean `{c}`?"));
                }
                return Err(Fail::Msg(msg));
            }
            Some(Filter::WfSpecFilter(WfSpecFilter {
                wf_spec_name: name.into(),
                wf_spec_major_version: major,
                wf_spec_revision: revision,
            }))
        }
    };
    let count = client
        .raw()
        .count_node_run(CountNodeRunRequest { filter })
        .await
        .map_err(|e| Fail::Client("CountNodeRun".into(), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&count);
    }
    let of = match (wfspec, spec_version) {
        (None, _) => String::new(),
        (Some(n), None) => format!(" of WfSpec {n}"),
        (Some(n), Some(v)) => format!(" of WfSpec {n} {v}"),
    };
    println!("{} NodeRuns{of}", count.value);
    Ok(())
}

async fn count_task_runs(client: &LhClient, format: Format, task_def: &str) -> Res {
    let known = names(client, DefKind::Task).await?;
    if !known.iter().any(|n| n == task_def) {
        let mut msg = format!(
            "no TaskDef `{task_def}` on {} (see `lhc list taskdefs`)",
            client.target()
        );
        if let Some(c) = lhw_compiler::check::closest(task_def, known.iter().map(String::as_str)) {
            msg.push_str(&format!("\n  help: did you mean `{c}`?"));
        }
        return Err(Fail::Msg(msg));
    }
    let count = client
        .raw()
        .count_task_run(CountTaskRunRequest {
            task_def_name: task_def.into(),
            status: TaskStatus::TaskScheduled as i32,
        })
        .await
        .map_err(|e| Fail::Client("CountTaskRun".into(), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&count);
    }
    println!(
        "{} TaskRuns of {task_def} scheduled, waiting for a worker",
        count.value
    );
    Ok(())
}
