//! `lhc stop` and `lhc resume`: halting and resuming a WfRun or one of its threads.

use std::process::ExitCode;

use clap::Args;
use lhw_proto::littlehorse::{ResumeWfRunRequest, StopWfRunRequest};

use super::Common;
use super::Format;
use super::exec::{Fail, execute, on, rpc, wf_run_id};
use super::render::{print_json, status_name};
use crate::report::Style;

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

/// Runs `lhc stop` (`stop == true`) or `lhc resume`.
pub(crate) fn run(args: &WfRunArgs, stop: bool, style: Style) -> ExitCode {
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
