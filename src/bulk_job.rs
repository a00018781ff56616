//! `lhc bulk-job`: LittleHorse's bulk jobs (`lhctl delete wfRunBulk`, `lhctl get|search|delete
//! bulkJob`): server-side deletion of the ended WfRuns of a workflow started in a time range.
//!
//! `delete-wfruns` checks the workflow exists first ("did you mean" when it does not; the
//! server would accept any name and delete nothing) and defaults the range to everything
//! up to now (lhctl requires both ends; the server reads an unset end as the epoch, which
//! selects nothing). `delete` reads the job first: the server deletes an unknown id silently.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use lhw_proto::littlehorse::{
    BulkDeleteWfRun, BulkJob, BulkJobId, BulkJobStatus, CreateBulkJobRequest, DeleteBulkJobRequest,
    GetBulkJobRequest, LhStatus, SearchBulkJobRequest, bulk_job, create_bulk_job_request,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::values::parse_timestamp;
use tonic::Code;

use crate::inspect::exec::{Fail, Res, all_pages, execute, rpc};
use crate::inspect::render::{fields, print_json, print_text, status_name, table, time};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc bulk-job`.
#[derive(Debug, Args)]
pub struct BulkJobArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: BulkJobCommand,
}

/// `lhc bulk-job` subcommands.
#[derive(Debug, Subcommand)]
pub enum BulkJobCommand {
    /// Delete the ended WfRuns of WORKFLOW started in a time range (CreateBulkJob).
    #[command(name = "delete-wfruns")]
    DeleteWfRuns(DeleteWfRunsArgs),
    /// One bulk job and its progress (GetBulkJob).
    Get(IdArgs),
    /// The bulk jobs (SearchBulkJob).
    List(ListArgs),
    /// Forget a finished bulk job (DeleteBulkJob).
    Delete(IdArgs),
}

/// An ended WfRun status a bulk delete can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EndedStatus {
    /// COMPLETED.
    Completed,
    /// HALTED.
    Halted,
    /// ERROR.
    Error,
    /// EXCEPTION.
    Exception,
}

impl EndedStatus {
    fn proto(self) -> LhStatus {
        match self {
            EndedStatus::Completed => LhStatus::Completed,
            EndedStatus::Halted => LhStatus::Halted,
            EndedStatus::Error => LhStatus::Error,
            EndedStatus::Exception => LhStatus::Exception,
        }
    }
}

/// A bulk job status, for `list --status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobStatus {
    /// Still deleting.
    Running,
    /// Done.
    Completed,
    /// Failed.
    Failed,
}

impl JobStatus {
    fn proto(self) -> BulkJobStatus {
        match self {
            JobStatus::Running => BulkJobStatus::BulkJobRunning,
            JobStatus::Completed => BulkJobStatus::BulkJobCompleted,
            JobStatus::Failed => BulkJobStatus::BulkJobFailed,
        }
    }
}

/// Arguments of `lhc bulk-job delete-wfruns`.
#[derive(Debug, Args)]
pub struct DeleteWfRunsArgs {
    /// The workflow (WfSpec name; every version).
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// Only WfRuns with this (ended) status.
    #[arg(long, value_enum)]
    pub status: EndedStatus,
    /// Only WfRuns started at or after this time (RFC 3339 or epoch ms; default: the epoch).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only WfRuns started at or before this time (RFC 3339 or epoch ms; default: now).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// The job's id (the server picks one when omitted; a second request with the same id
    /// answers the first job).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// A bulk job id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The BulkJob id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc bulk-job list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs with this status.
    #[arg(long, value_enum)]
    pub status: Option<JobStatus>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc bulk-job`.
pub fn run(args: &BulkJobArgs, style: Style) -> ExitCode {
    match &args.command {
        BulkJobCommand::DeleteWfRuns(a) => {
            execute(&a.common, style, async |c, f| delete_wf_runs(c, a, f).await)
        }
        BulkJobCommand::Get(a) => execute(&a.common, style, async |c, f| get(c, a, f).await),
        BulkJobCommand::List(a) => execute(&a.common, style, async |c, f| list(c, a, f).await),
        BulkJobCommand::Delete(a) => execute(&a.common, style, async |c, f| delete(c, a, f).await),
    }
}

fn timestamp(flag: &str, text: &str) -> Result<pbjson_types::Timestamp, Fail> {
    parse_timestamp(text).map_err(|e| Fail::Msg(format!("{flag}: {e}")))
}

async fn delete_wf_runs(client: &LhClient, a: &DeleteWfRunsArgs, format: Format) -> Res {
    if client
        .get_latest_wf_spec(&a.workflow)
        .await
        .map_err(|e| Fail::Client(format!("workflow `{}`", a.workflow), e))?
        .is_none()
    {
        let mut msg = format!("no workflow `{}` on {}", a.workflow, client.target());
        if let Some(name) = crate::run::similar_workflow(client, &a.workflow).await {
            msg.push_str(&format!("\n  help: did you mean `{name}`?"));
        }
        return Err(Fail::Msg(msg));
    }
    let earliest = match &a.from {
        Some(t) => timestamp("--from", t)?,
        None => pbjson_types::Timestamp::default(),
    };
    let latest = match &a.to {
        Some(t) => timestamp("--to", t)?,
        None => lhw_kernel::util::now_ts(),
    };
    if (earliest.seconds, earliest.nanos) > (latest.seconds, latest.nanos) {
        return Err(Fail::Msg(format!(
            "--from is after --to: {} > {}",
            time(Some(&earliest)),
            time(Some(&latest))
        )));
    }
    let job = client
        .raw()
        .create_bulk_job(CreateBulkJobRequest {
            id: a.id.clone(),
            operation: Some(create_bulk_job_request::Operation::BulkDeleteWfRun(
                BulkDeleteWfRun {
                    wf_spec_name: a.workflow.clone(),
                    earliest_start: Some(earliest),
                    latest_start: Some(latest),
                    wf_run_status: Some(a.status.proto() as i32),
                },
            )),
        })
        .await
        .map_err(|e| Fail::Client(format!("bulk delete of `{}`", a.workflow), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&job);
    }
    let id = id_of(&job);
    if job.status == BulkJobStatus::BulkJobCompleted as i32 {
        println!(
            "bulk job {id}: deleted the {} WfRuns of {} started in the range",
            a.status.proto().as_str_name(),
            a.workflow
        );
    } else {
        println!(
            "bulk job {id} started: deleting the {} WfRuns of {} in the background\n  \
             follow it with: lhc bulk-job get {id}",
            a.status.proto().as_str_name(),
            a.workflow
        );
    }
    Ok(())
}

fn id_of(job: &BulkJob) -> String {
    job.id.as_ref().map(|i| i.id.clone()).unwrap_or_default()
}

fn job_status(status: i32) -> &'static str {
    BulkJobStatus::try_from(status).map_or("UNKNOWN", |s| s.as_str_name())
}

/// What the job does, in words.
fn operation(job: &BulkJob) -> String {
    match &job.operation {
        Some(bulk_job::Operation::BulkDeleteWfRun(d)) => format!(
            "delete {} WfRuns of {} started {} .. {}",
            d.wf_run_status.map_or("?", status_name),
            d.wf_spec_name,
            time(d.earliest_start.as_ref()),
            time(d.latest_start.as_ref())
        ),
        None => "-".into(),
    }
}

async fn fetch(client: &LhClient, id: &str) -> Result<BulkJob, Fail> {
    match client
        .raw()
        .get_bulk_job(GetBulkJobRequest {
            id: Some(BulkJobId { id: id.to_string() }),
        })
        .await
    {
        Ok(j) => Ok(j.into_inner()),
        Err(s) if s.code() == Code::NotFound => {
            let mut msg = format!("no bulk job `{id}` on {}", client.target());
            let ids = job_ids(client, None).await.unwrap_or_default();
            if let Some(c) = lhw_compiler::check::closest(id, ids.iter().map(String::as_str)) {
                msg.push_str(&format!("\n  help: did you mean `{c}`?"));
            }
            Err(Fail::Msg(msg))
        }
        Err(s) => Err(Fail::Client(format!("BulkJob `{id}`"), rpc(s))),
    }
}

async fn job_ids(client: &LhClient, status: Option<BulkJobStatus>) -> Result<Vec<String>, Fail> {
    let ids = all_pages(usize::MAX, |bookmark, _| async move {
        let page = client
            .raw()
            .search_bulk_job(SearchBulkJobRequest {
                bookmark,
                limit: Some(1000),
                status: status.map(|s| s as i32),
            })
            .await
            .map_err(|e| Fail::Client("bulk jobs".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    Ok(ids.into_iter().map(|i| i.id).collect())
}

async fn get(client: &LhClient, a: &IdArgs, format: Format) -> Res {
    let job = fetch(client, &a.id).await?;
    if format == Format::Json {
        return print_json(&job);
    }
    let done = job
        .subprocesses
        .iter()
        .filter(|s| s.status == BulkJobStatus::BulkJobCompleted as i32)
        .count();
    print_text(&fields(&[
        ("id", id_of(&job)),
        ("status", job_status(job.status).to_string()),
        ("operation", operation(&job)),
        ("created", time(job.created_at.as_ref())),
        (
            "progress",
            format!("{done} of {} partitions done", job.total_subprocesses),
        ),
    ]));
    Ok(())
}

async fn list(client: &LhClient, a: &ListArgs, format: Format) -> Res {
    let ids = job_ids(client, a.status.map(JobStatus::proto)).await?;
    let mut jobs = Vec::new();
    for id in ids {
        match client
            .raw()
            .get_bulk_job(GetBulkJobRequest {
                id: Some(BulkJobId { id: id.clone() }),
            })
            .await
        {
            Ok(j) => jobs.push(j.into_inner()),
            Err(s) if s.code() == Code::NotFound => {}
            Err(s) => return Err(Fail::Client(format!("BulkJob `{id}`"), rpc(s))),
        }
    }
    if format == Format::Json {
        return print_json(&jobs);
    }
    if jobs.is_empty() {
        println!("no bulk jobs");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            vec![
                id_of(j),
                job_status(j.status).to_string(),
                time(j.created_at.as_ref()),
                operation(j),
            ]
        })
        .collect();
    print_text(&table(&["ID", "STATUS", "CREATED", "OPERATION"], &rows));
    Ok(())
}

async fn delete(client: &LhClient, a: &IdArgs, format: Format) -> Res {
    let job = fetch(client, &a.id).await?;
    client
        .raw()
        .delete_bulk_job(DeleteBulkJobRequest {
            id: Some(BulkJobId { id: a.id.clone() }),
        })
        .await
        .map_err(|e| Fail::Client(format!("BulkJob `{}`", a.id), rpc(e)))?;
    if format == Format::Json {
        return print_json(&job);
    }
    println!(
        "deleted bulk job {} ({}); the WfRuns it deleted stay deleted",
        a.id,
        job_status(job.status)
    );
    Ok(())
}
