//! `lhc search`: the WfRuns of a WfSpec; events of an event definition (`search_events.rs`).

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use lhw_proto::littlehorse::{LhStatus, SearchWfRunRequest, VariableDef, VariableMatch, WfRunId};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::ids::wf_run_id_text;
use lhw_runtime_client::values::{parse_value, type_name, type_of};

use super::assign::{split, unknown};
use super::exec::{Fail, Res, all_pages, execute, on, rpc};
use super::render::{print_json, print_text, status_name, table, time};
use super::search_events;
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
        /// Only WfRuns whose searchable variable NAME holds VALUE (repeatable; the value is
        /// parsed by the variable's type in the latest WfSpec).
        #[arg(long = "var", value_name = "NAME=VALUE", value_parser = crate::usage::name_value)]
        vars: Vec<String>,
        /// At most this many WfRuns.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// The ExternalEvents of an ExternalEventDef across WfRuns (SearchExternalEvent),
    /// also those posted to a WfRun that does not exist (yet).
    Events {
        /// The ExternalEventDef name.
        #[arg(value_name = "EVENT")]
        event: String,
        /// Only events a WfRun has claimed.
        #[arg(long, conflicts_with = "unclaimed")]
        claimed: bool,
        /// Only events no WfRun has claimed (waiting, or posted to a missing WfRun).
        #[arg(long)]
        unclaimed: bool,
        /// At most this many events.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// The CorrelatedEvents of an ExternalEventDef (SearchCorrelatedEvent).
    CorrelatedEvents {
        /// The ExternalEventDef name.
        #[arg(value_name = "EVENT")]
        event: String,
        /// Only those delivered to at least one WfRun.
        #[arg(long, conflicts_with = "undelivered")]
        delivered: bool,
        /// Only those no WfRun has received yet.
        #[arg(long)]
        undelivered: bool,
        /// At most this many events.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// The WorkflowEvents of a WorkflowEventDef across WfRuns (SearchWorkflowEvent).
    WorkflowEvents {
        /// The WorkflowEventDef name.
        #[arg(value_name = "WORKFLOW_EVENT")]
        event: String,
        /// At most this many events.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// `--yes` / `--no` flag pairs as an optional filter.
fn either(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
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
            vars,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            let filters = variable_filters(c, wf_spec, vars).await?;
            search_wf_runs(c, f, wf_spec, *status, filters, *limit).await
        }),
        SearchCommand::Events {
            event,
            claimed,
            unclaimed,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            search_events::external_events(c, f, event, either(*claimed, *unclaimed), *limit).await
        }),
        SearchCommand::CorrelatedEvents {
            event,
            delivered,
            undelivered,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            search_events::correlated_events(c, f, event, either(*delivered, *undelivered), *limit)
                .await
        }),
        SearchCommand::WorkflowEvents {
            event,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            search_events::workflow_events(c, f, event, *limit).await
        }),
    }
}

pub(crate) async fn search_wf_runs(
    client: &LhClient,
    format: Format,
    wf_spec: &str,
    status: Option<RunStatus>,
    variable_filters: Vec<VariableMatch>,
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
                variable_filters: variable_filters.clone(),
                ..SearchWfRunRequest::default()
            })
            .await
            .map_err(|e| Fail::Client(format!("SearchWfRun of `{wf_spec}`"), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    // An unknown name is an error with "did you mean", not an empty list (runs of a deleted
    // WfSpec are still found above).
    if ids.is_empty()
        && client
            .get_latest_wf_spec(wf_spec)
            .await
            .map_err(|e| Fail::Client(format!("WfSpec `{wf_spec}`"), e))?
            .is_none()
    {
        return Err(Fail::Msg(
            crate::run::unknown_wf_spec(client, wf_spec).await,
        ));
    }
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

/// `--var NAME=VALUE` as VariableMatches, each value parsed by the type of the entrypoint's
/// variable NAME in the latest WfSpec.
async fn variable_filters(
    client: &LhClient,
    wf_spec: &str,
    vars: &[String],
) -> Result<Vec<VariableMatch>, Fail> {
    if vars.is_empty() {
        return Ok(Vec::new());
    }
    let spec = client
        .get_latest_wf_spec(wf_spec)
        .await
        .map_err(on(format!("WfSpec `{wf_spec}`")))?;
    let Some(spec) = spec else {
        return Err(Fail::Msg(
            crate::run::unknown_wf_spec(client, wf_spec).await,
        ));
    };
    let defs: Vec<&VariableDef> = spec
        .thread_specs
        .get(&spec.entrypoint_thread_name)
        .map(|t| {
            t.variable_defs
                .iter()
                .filter_map(|v| v.var_def.as_ref())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for raw in vars {
        let (name, text) = split("--var", raw, "NAME=VALUE").map_err(Fail::Msg)?;
        let Some(def) = defs.iter().find(|d| d.name == name) else {
            let known: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
            let owner = format!("workflow `{wf_spec}`");
            return Err(Fail::Msg(unknown("--var", raw, &owner, "variable", &known)));
        };
        let t = type_of(def).unwrap_or_default();
        let value = parse_value(text, &t).map_err(|e| {
            Fail::Msg(format!(
                "--var {name}: {e} (`{name}` is of type {})",
                type_name(&t)
            ))
        })?;
        out.push(VariableMatch {
            var_name: name.to_string(),
            value: Some(value),
        });
    }
    Ok(out)
}
