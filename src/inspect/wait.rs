//! `lhc wait WFRUN`: follow any WfRun (not only one you start) until it ends, printing each
//! step as it happens, then its result. Useful for runs that wait on people or events.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use lhw_proto::littlehorse::{LhStatus, WfRun, WfSpec};
use lhw_runtime_client::LhClient;

use super::exec::{Fail, execute, on, rpc};
use super::follow::{Followed, finish, follow, interrupted_message};
use super::render::print_json;
use super::waiting::waiting_on;
use super::{Common, Format};
use crate::report::Style;

/// Without `--timeout`: follow for as long as it takes (ten years).
const FOREVER: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Arguments of `lhc wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The WfRun id.
    #[arg(value_name = "WFRUN")]
    pub wf_run: String,
    /// Give up after this many seconds (default: wait until the run ends).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc wait`: exit 0 when the run COMPLETED, 1 when it ended otherwise or the timeout
/// passed.
pub(crate) fn run(args: &WaitArgs, style: Style) -> ExitCode {
    let mut completed = false;
    let code = execute(&args.common, style, async |client, format| {
        let run = watch(client, &args.wf_run, args.timeout, format == Format::Table).await?;
        completed = run.status == LhStatus::Completed as i32;
        if format == Format::Json {
            return print_json(&run);
        }
        let spec = wf_spec_of(client, &run).await?;
        finish(client, &spec, &run)
            .await
            .map_err(on(format!("Variables of WfRun `{}`", args.wf_run)))
    });
    if code == ExitCode::SUCCESS && !completed {
        ExitCode::FAILURE
    } else {
        code
    }
}

/// Follows the WfRun `id` until it ends (printing steps when `progress`); a timeout is an
/// error that says what the run waits for.
pub(crate) async fn watch(
    client: &LhClient,
    id: &str,
    timeout: Option<u64>,
    progress: bool,
) -> Result<WfRun, Fail> {
    let what = format!("WfRun `{id}`");
    let run = client.get_wf_run(id).await.map_err(on(what.clone()))?;
    let limit = timeout.map_or(FOREVER, Duration::from_secs);
    match follow(client, id, run, limit, progress).await {
        Ok(Followed::Ended(run)) => Ok(*run),
        Ok(Followed::Interrupted) => Err(Fail::Interrupted(interrupted_message(id))),
        Ok(Followed::TimedOut) => {
            let mut msg = format!(
                "WfRun {id} has not ended after {} s (it keeps running on the server)",
                limit.as_secs()
            );
            if let Ok(run) = client.get_wf_run(id).await {
                for line in waiting_on(client, &run).await {
                    msg.push_str("\n  help: ");
                    msg.push_str(&line);
                }
            }
            Err(Fail::Msg(msg))
        }
        Err(e) => Err(Fail::Client(what, e)),
    }
}

async fn wf_spec_of(client: &LhClient, run: &WfRun) -> Result<WfSpec, Fail> {
    let id = run.wf_spec_id.clone().unwrap_or_default();
    client
        .raw()
        .get_wf_spec(id.clone())
        .await
        .map(tonic::Response::into_inner)
        .map_err(|e| Fail::Client(format!("WfSpec `{}`", id.name), rpc(e)))
}
