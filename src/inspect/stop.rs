//! `lhc stop` and `lhc resume`: halting and resuming a WfRun or one of its threads.

use std::process::ExitCode;

use clap::Args;
use lhw_proto::littlehorse::{LhStatus, ResumeWfRunRequest, StopWfRunRequest, WfRun};

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

/// The server answers OK to stopping a run that has ended and to resuming one that is not
/// stopped, and changes nothing: lhc says so (exit 1) rather than print "stopped ...: now
/// COMPLETED". A thread number the run does not have is named with the run's threads.
fn nothing_to_do(run: &WfRun, id: &str, thread: i32, stop: bool) -> Result<(), Fail> {
    let status = if thread == 0 {
        run.status
    } else {
        super::exec::thread_of(run, id, thread)?.status
    };
    let shown = if thread == 0 {
        format!("WfRun {id}")
    } else {
        format!("thread {thread} of WfRun {id}")
    };
    let name = status_name(status);
    let ended = matches!(
        LhStatus::try_from(status),
        Ok(LhStatus::Completed | LhStatus::Error | LhStatus::Exception)
    );
    if ended && (stop || !matches!(LhStatus::try_from(status), Ok(LhStatus::Error))) {
        let verb = if stop { "stop" } else { "resume" };
        return Err(Fail::Msg(format!(
            "{shown} has already ended ({name}): nothing to {verb}"
        )));
    }
    if !stop
        && !matches!(
            LhStatus::try_from(status),
            Ok(LhStatus::Halted | LhStatus::Halting)
        )
    {
        let mut msg = format!("{shown} is not stopped ({name}): nothing to resume");
        if matches!(LhStatus::try_from(status), Ok(LhStatus::Error)) {
            msg.push_str(&format!(
                "\n  help: a failed thread is run again with `lhc rescue {id}`"
            ));
        }
        return Err(Fail::Msg(msg));
    }
    Ok(())
}

/// Runs `lhc stop` (`stop == true`) or `lhc resume`.
pub(crate) fn run(args: &WfRunArgs, stop: bool, style: Style) -> ExitCode {
    execute(&args.common, style, async |client, format| {
        let mut raw = client.raw();
        let id = Some(wf_run_id(&args.wf_run));
        let what = format!("WfRun `{}`", args.wf_run);
        let before = client
            .get_wf_run(&args.wf_run)
            .await
            .map_err(on(what.clone()))?;
        nothing_to_do(&before, &args.wf_run, args.thread, stop)?;
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
