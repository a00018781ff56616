//! `lhc rescue`: give a failed thread a second chance (RescueThreadRun): its current step
//! runs again (or, with `--skip-current-node`, is skipped) and the WfRun goes on.

use std::process::ExitCode;

use clap::Args;
use lhw_proto::littlehorse::RescueThreadRunRequest;

use super::exec::{Fail, execute, rpc, wf_run_id};
use super::render::{print_json, status_name};
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc rescue`.
#[derive(Debug, Args)]
pub struct RescueArgs {
    /// The WfRun id.
    #[arg(value_name = "WFRUN")]
    pub wf_run: String,
    /// The failed ThreadRun (0 is the entrypoint thread).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub thread: i32,
    /// Skip the step that failed instead of running it again.
    #[arg(long)]
    pub skip_current_node: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc rescue`.
pub(crate) fn run(args: &RescueArgs, style: Style) -> ExitCode {
    execute(&args.common, style, async |client, format| {
        let run = client
            .raw()
            .rescue_thread_run(RescueThreadRunRequest {
                wf_run_id: Some(wf_run_id(&args.wf_run)),
                thread_run_number: args.thread,
                skip_current_node: args.skip_current_node,
            })
            .await
            .map_err(|e| Fail::Client(format!("WfRun `{}`", args.wf_run), rpc(e)))?
            .into_inner();
        if format == Format::Json {
            return print_json(&run);
        }
        let how = if args.skip_current_node {
            "skipping the failed step"
        } else {
            "retrying the failed step"
        };
        println!(
            "rescued thread {} of WfRun {} ({how}): now {}",
            args.thread,
            args.wf_run,
            status_name(run.status)
        );
        Ok(())
    })
}
