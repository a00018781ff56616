//! `lhc search`: the WfRuns of a WfSpec.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use lhw_proto::littlehorse::{LhStatus, SearchWfRunRequest, WfRunId};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::ids::wf_run_id_text;

use super::exec::{Fail, Res, all_pages, execute, rpc};
use super::render::{print_json, print_text, status_name, table, time};
use super::{Common, Format};
use crate::report::Style;

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
    /// The WfRuns of a WfSpec (SearchWfRun), oldest first as the server orders them
    /// (`--limit N` keeps the N oldest; narrow with --status).
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

/// Runs `lhc search`.
pub(crate) fn run(args: &SearchArgs, style: Style) -> ExitCode {
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

pub(crate) async fn search_wf_runs(
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
