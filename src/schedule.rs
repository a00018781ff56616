//! `lhc schedule`: scheduled WfRuns (LittleHorse's ScheduleWf / ScheduledWfRun): start a
//! run of a workflow at every time a cron expression names.
//!
//! `create` checks the cron expression (the dialect LittleHorse accepts: five Unix
//! fields, see `lhw_kernel::cron`) and the `--var` inputs against the WfSpec before
//! sending, as `lhc run` does; without `--major`/`--revision` each fire runs the newest
//! version at that time (as `lhctl schedule run` does). `list`, `get` and `delete` work
//! on the schedules of a server; `--format json` prints the ScheduledWfRun objects.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_kernel::cron::{CronExpr, civil_from_days};
use lhw_proto::littlehorse::{
    DeleteScheduledWfRunRequest, GetLatestWfSpecRequest, ScheduleWfRequest, ScheduledWfRun,
    ScheduledWfRunId, SearchScheduledWfRunRequest, SearchWfSpecRequest, WfSpec, WfSpecId,
};
use lhw_runtime_client::LhClient;
use tonic::Code;

use crate::inspect::exec::{Fail, Res, execute, rpc};
use crate::inspect::render::{fields, masked_value, print_json, print_text, table, time};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ScheduleCommand,
}

/// `lhc schedule` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Start a run of WORKFLOW at every time `--cron` names (ScheduleWf).
    Create(CreateArgs),
    /// The schedules of a workflow (SearchScheduledWfRun).
    List(ListArgs),
    /// One schedule (GetScheduledWfRun).
    Get(IdArgs),
    /// Stop a schedule (DeleteScheduledWfRun); the runs it started are not touched.
    Delete(IdArgs),
}

/// Arguments of `lhc schedule create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The workflow (WfSpec name).
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// When to start runs: five Unix cron fields, `minute hour day-of-month month
    /// day-of-week`, in UTC (e.g. `"*/15 9-17 * * MON-FRI"`).
    #[arg(long, value_name = "EXPR")]
    pub cron: String,
    /// An input variable of every run, `name=value` (repeatable; checked as `lhc run` does).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = crate::usage::name_value)]
    pub vars: Vec<String>,
    /// The schedule's id (the server picks one when omitted).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Run this major version (default: the newest version at each fire).
    #[arg(long, value_name = "N")]
    pub major: Option<i32>,
    /// With --major: run exactly this revision.
    #[arg(long, value_name = "N", requires = "major")]
    pub revision: Option<i32>,
    /// Start every run as a child of this WfRun.
    #[arg(long, value_name = "WFRUN")]
    pub parent: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc schedule list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The workflow (WfSpec name).
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// Only the schedules of this major version.
    #[arg(long, value_name = "N")]
    pub major: Option<i32>,
    /// With --major: only this revision.
    #[arg(long, value_name = "N", requires = "major")]
    pub revision: Option<i32>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// A schedule id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The ScheduledWfRun id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc schedule`.
pub fn run(args: &ScheduleArgs, style: Style) -> ExitCode {
    match &args.command {
        ScheduleCommand::Create(a) => execute(&a.common, style, async |c, f| create(c, a, f).await),
        ScheduleCommand::List(a) => execute(&a.common, style, async |c, f| list(c, a, f).await),
        ScheduleCommand::Get(a) => execute(&a.common, style, async |c, f| get(c, a, f).await),
        ScheduleCommand::Delete(a) => execute(&a.common, style, async |c, f| delete(c, a, f).await),
    }
}

/// The WfSpec a schedule would run now.
async fn spec_of(
    client: &LhClient,
    name: &str,
    major: Option<i32>,
    revision: Option<i32>,
) -> Result<Option<WfSpec>, Fail> {
    let mut raw = client.raw();
    let answer = match (major, revision) {
        (Some(major_version), Some(revision)) => {
            raw.get_wf_spec(WfSpecId {
                name: name.to_string(),
                major_version,
                revision,
            })
            .await
        }
        _ => {
            raw.get_latest_wf_spec(GetLatestWfSpecRequest {
                name: name.to_string(),
                major_version: major,
            })
            .await
        }
    };
    match answer {
        Ok(r) => Ok(Some(r.into_inner())),
        Err(s) if s.code() == Code::NotFound => Ok(None),
        Err(s) => Err(Fail::Client(format!("workflow `{name}`"), rpc(s))),
    }
}

async fn create(client: &LhClient, a: &CreateArgs, format: Format) -> Res {
    let cron = CronExpr::parse(&a.cron).map_err(|e| {
        Fail::Msg(format!(
            "--cron `{}`: {e}\n  help: five fields, `minute hour day-of-month month day-of-week` \
             in UTC, each `*`, `N`, `A-B`, `*/S`, `A-B/S` or a list `A,B`; months JAN-DEC, \
             days SUN-SAT (0 and 7 are Sunday); e.g. `0 9 * * MON-FRI`",
            a.cron
        ))
    })?;
    let Some(spec) = spec_of(client, &a.workflow, a.major, a.revision).await? else {
        let version = match (a.major, a.revision) {
            (Some(m), Some(r)) => format!(" version {m}.{r}"),
            (Some(m), None) => format!(" major version {m}"),
            _ => String::new(),
        };
        let mut msg = format!(
            "no workflow `{}`{version} on {}",
            a.workflow,
            client.target()
        );
        match crate::run::similar_workflow(client, &a.workflow).await {
            Some(name) if name != a.workflow => {
                msg.push_str(&format!("\n  help: did you mean `{name}`?"));
            }
            _ => msg.push_str("\n  help: deploy it first: lhc deploy FILE.lhw"),
        }
        return Err(Fail::Msg(msg));
    };
    let structs = crate::run::struct_defs(client, &spec)
        .await
        .map_err(|e| Fail::Client(format!("workflow `{}`", a.workflow), e))?;
    let variables =
        crate::run::parse_vars(&a.workflow, &a.vars, &[], &spec, &structs).map_err(Fail::Msg)?;
    let scheduled = client
        .raw()
        .schedule_wf(ScheduleWfRequest {
            id: a.id.clone(),
            wf_spec_name: a.workflow.clone(),
            major_version: a.major,
            revision: a.revision,
            variables,
            parent_wf_run_id: a
                .parent
                .as_deref()
                .map(lhw_runtime_client::ids::parse_wf_run_id),
            cron_expression: a.cron.clone(),
        })
        .await
        .map_err(|e| Fail::Client(format!("scheduling `{}`", a.workflow), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&masked(client, scheduled).await);
    }
    let which = match (a.major, a.revision) {
        (Some(m), Some(r)) => format!("version {m}.{r}"),
        (Some(m), None) => format!("the newest revision of major version {m} at each run"),
        _ => "the newest version at each run".to_string(),
    };
    println!(
        "scheduled {}: a run of {} ({which}) at `{}`",
        id_of(&scheduled),
        a.workflow,
        a.cron
    );
    println!("  next run: {}", next_run(&cron));
    Ok(())
}

async fn list(client: &LhClient, a: &ListArgs, format: Format) -> Res {
    let ids = client
        .raw()
        .search_scheduled_wf_run(SearchScheduledWfRunRequest {
            wf_spec_name: a.workflow.clone(),
            major_version: a.major,
            revision: a.revision,
        })
        .await
        .map_err(|e| Fail::Client(format!("schedules of `{}`", a.workflow), rpc(e)))?
        .into_inner()
        .results;
    let mut all = Vec::new();
    for id in ids {
        let what = format!("ScheduledWfRun `{}`", id.id);
        match client.raw().get_scheduled_wf_run(id).await {
            Ok(s) => all.push(masked(client, s.into_inner()).await),
            // Deleted between the search and the read.
            Err(s) if s.code() == Code::NotFound => {}
            Err(s) => return Err(Fail::Client(what, rpc(s))),
        }
    }
    if format == Format::Json {
        return print_json(&all);
    }
    if all.is_empty() {
        println!("no schedules of workflow `{}`", a.workflow);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            vec![
                id_of(s),
                version_of(s),
                s.cron_expression.clone(),
                CronExpr::parse(&s.cron_expression).map_or_else(|_| "-".into(), |c| next_run(&c)),
                variables_of(s),
            ]
        })
        .collect();
    print_text(&table(
        &["ID", "VERSION", "CRON", "NEXT RUN", "VARIABLES"],
        &rows,
    ));
    Ok(())
}

async fn fetch(client: &LhClient, id: &str) -> Result<ScheduledWfRun, Fail> {
    match client
        .raw()
        .get_scheduled_wf_run(ScheduledWfRunId { id: id.to_string() })
        .await
    {
        Ok(s) => Ok(s.into_inner()),
        Err(s) if s.code() == Code::NotFound => {
            let mut msg = format!("no schedule `{id}` on {}", client.target());
            let ids = schedule_ids(client).await;
            match lhw_compiler::check::closest(id, ids.iter().map(String::as_str)) {
                Some(c) => msg.push_str(&format!("\n  help: did you mean `{c}`?")),
                None if ids.is_empty() => msg.push_str("\n  help: there are no schedules"),
                None => msg.push_str(
                    "\n  help: `lhc schedule list WORKFLOW` lists the schedules of a workflow",
                ),
            }
            Err(Fail::Msg(msg))
        }
        Err(s) => Err(Fail::Client(format!("ScheduledWfRun `{id}`"), rpc(s))),
    }
}

/// The ids of every schedule on the server (SearchScheduledWfRun needs a WfSpec name: the
/// schedules of each deployed workflow); empty when they cannot be read.
async fn schedule_ids(client: &LhClient) -> Vec<String> {
    let Ok(specs) = client
        .raw()
        .search_wf_spec(SearchWfSpecRequest {
            bookmark: None,
            limit: Some(1000),
            wf_spec_criteria: None,
        })
        .await
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = specs
        .into_inner()
        .results
        .into_iter()
        .map(|i| i.name)
        .collect();
    names.dedup();
    let mut ids = Vec::new();
    for name in names {
        if let Ok(found) = client
            .raw()
            .search_scheduled_wf_run(SearchScheduledWfRunRequest {
                wf_spec_name: name,
                major_version: None,
                revision: None,
            })
            .await
        {
            ids.extend(found.into_inner().results.into_iter().map(|i| i.id));
        }
    }
    ids
}

async fn get(client: &LhClient, a: &IdArgs, format: Format) -> Res {
    let s = masked(client, fetch(client, &a.id).await?).await;
    if format == Format::Json {
        return print_json(&s);
    }
    let spec = s.wf_spec_id.clone().unwrap_or_default();
    let mut pairs = vec![
        ("id", id_of(&s)),
        ("workflow", spec.name.clone()),
        ("version", version_of(&s)),
        ("cron", s.cron_expression.clone()),
        (
            "next run",
            CronExpr::parse(&s.cron_expression).map_or_else(|_| "-".into(), |c| next_run(&c)),
        ),
        ("created", time(s.created_at.as_ref())),
        ("variables", variables_of(&s)),
    ];
    if let Some(p) = &s.parent_wf_run_id {
        pairs.push(("parent", lhw_runtime_client::ids::wf_run_id_text(p)));
    }
    print_text(&fields(&pairs));
    Ok(())
}

async fn delete(client: &LhClient, a: &IdArgs, format: Format) -> Res {
    // LittleHorse answers OK for a missing id: read it first to say so.
    let s = masked(client, fetch(client, &a.id).await?).await;
    client
        .raw()
        .delete_scheduled_wf_run(DeleteScheduledWfRunRequest {
            id: Some(ScheduledWfRunId { id: a.id.clone() }),
        })
        .await
        .map_err(|e| Fail::Client(format!("ScheduledWfRun `{}`", a.id), rpc(e)))?;
    if format == Format::Json {
        return print_json(&s);
    }
    println!(
        "deleted schedule {} of {} (`{}`): no further runs; the runs it started are not touched",
        a.id,
        s.wf_spec_id.map(|i| i.name).unwrap_or_default(),
        s.cron_expression
    );
    Ok(())
}

/// `s` with the values of the WfSpec's masked variables replaced by `(masked)` (the
/// server keeps a schedule's inputs as given).
async fn masked(client: &LhClient, mut s: ScheduledWfRun) -> ScheduledWfRun {
    let Some(id) = s.wf_spec_id.clone() else {
        return s;
    };
    let Ok(spec) = client
        .raw()
        .get_wf_spec(id)
        .await
        .map(tonic::Response::into_inner)
    else {
        return s;
    };
    let hidden: Vec<String> = spec
        .thread_specs
        .get(&spec.entrypoint_thread_name)
        .map(|t| {
            t.variable_defs
                .iter()
                .filter_map(|v| v.var_def.as_ref())
                .filter(|d| d.type_def.as_ref().is_some_and(|t| t.masked))
                .map(|d| d.name.clone())
                .collect()
        })
        .unwrap_or_default();
    for name in hidden {
        if let Some(v) = s.variables.get_mut(&name) {
            *v = masked_value();
        }
    }
    s
}

fn id_of(s: &ScheduledWfRun) -> String {
    s.id.as_ref().map(|i| i.id.clone()).unwrap_or_default()
}

fn version_of(s: &ScheduledWfRun) -> String {
    s.wf_spec_id.as_ref().map_or_else(String::new, |i| {
        format!("{}.{}", i.major_version, i.revision)
    })
}

fn variables_of(s: &ScheduledWfRun) -> String {
    if s.variables.is_empty() {
        return "-".into();
    }
    let mut names: Vec<String> = s
        .variables
        .iter()
        .map(|(k, v)| format!("{k}={}", lhw_runtime_client::values::format_value(Some(v))))
        .collect();
    names.sort();
    names.join(", ")
}

/// The next fire after now, as `2026-01-05T09:00:00Z`.
fn next_run(cron: &CronExpr) -> String {
    cron.next_after(lhw_kernel::clock::now_ms())
        .map_or_else(|| "never".into(), utc_text)
}

fn utc_text(ms: i64) -> String {
    let day = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil_from_days(day);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_text_formats_whole_seconds() {
        assert_eq!(super::utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            super::utc_text(1_767_225_600_000 + 61_000),
            "2026-01-01T00:01:01Z"
        );
    }
}
