//! Following a WfRun to its end: `lhc run --wait`, `lhc wait` and `lhc get wfrun --watch`
//! print each change of status and of each thread's current step as it happens, then the
//! final status, failures, output and variables (masked values never printed).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use lhw_proto::littlehorse::{LhStatus, NodeRunId, WfRun, WfSpec};
use lhw_runtime_client::values::{format_value, type_of};
use lhw_runtime_client::{ClientError, LhClient};

use super::failures::{failure_text, thread_failures};
use super::render::{is_generated_variable, status_name};

pub(crate) fn is_final(status: i32) -> bool {
    matches!(
        LhStatus::try_from(status),
        Ok(LhStatus::Completed | LhStatus::Error | LhStatus::Exception | LhStatus::Halted)
    )
}

/// How following a WfRun ended.
pub(crate) enum Followed {
    /// The run reached a final status.
    Ended(Box<WfRun>),
    /// The timeout passed first.
    TimedOut,
    /// The user pressed Ctrl-C (SIGINT): lhc stops following, the run goes on.
    Interrupted,
}

/// The exit status of a command stopped by Ctrl-C, as shells report SIGINT (128 + 2).
pub(crate) const INTERRUPTED_EXIT: u8 = 130;

/// What Ctrl-C during `--wait`/`wait` leaves behind, and how to get back to it.
pub(crate) fn interrupted_message(id: &str) -> String {
    format!(
        "stopped following WfRun {id} (interrupted); it keeps running on the server\n  \
         help: `lhc wait {id}` follows it again, `lhc stop {id}` halts it"
    )
}

/// Polls the WfRun until it is final, the timeout passes or the user presses Ctrl-C,
/// printing changes of status and of the current step of each thread.
pub(crate) async fn follow(
    client: &LhClient,
    id: &str,
    mut run: WfRun,
    timeout: Duration,
    progress: bool,
) -> Result<Followed, ClientError> {
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    // `ctrl_c` installs its handler when first polled: poll it now, before the first line is
    // printed, so that a Ctrl-C from then on is ours rather than the default (exit at once).
    tokio::select! {
        biased;
        _ = &mut interrupted => return Ok(Followed::Interrupted),
        () = std::future::ready(()) => {}
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last_status = -1;
    let mut last_nodes: BTreeMap<i32, (String, i32)> = BTreeMap::new();
    let mut delay = Duration::from_millis(20);
    let mut out = std::io::stdout();
    loop {
        if progress {
            if run.status != last_status {
                last_status = run.status;
                let _ = writeln!(out, "  status: {}", status_name(run.status));
            }
            for t in &run.thread_runs {
                let key = (t.thread_spec_name.clone(), t.current_node_position);
                if last_nodes.get(&t.number) != Some(&key) {
                    last_nodes.insert(t.number, key);
                    let node = node_name(client, id, t.number, t.current_node_position).await;
                    let _ = writeln!(
                        out,
                        "  thread {} ({}): {} [{}]",
                        t.number,
                        t.thread_spec_name,
                        node.unwrap_or_else(|| format!("step {}", t.current_node_position)),
                        status_name(t.status)
                    );
                }
            }
        }
        let _ = out.flush();
        if is_final(run.status) {
            return Ok(Followed::Ended(Box::new(run)));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Followed::TimedOut);
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = &mut interrupted => return Ok(Followed::Interrupted),
        }
        delay = (delay * 2).min(Duration::from_millis(250));
        run = tokio::select! {
            answer = client.get_wf_run(id) => answer?,
            _ = &mut interrupted => return Ok(Followed::Interrupted),
        };
    }
}

async fn node_name(client: &LhClient, id: &str, thread: i32, position: i32) -> Option<String> {
    let mut raw = client.raw();
    let node = raw
        .get_node_run(NodeRunId {
            wf_run_id: Some(lhw_runtime_client::ids::parse_wf_run_id(id)),
            thread_run_number: thread,
            position,
        })
        .await
        .ok()?
        .into_inner();
    Some(node.node_name)
}

/// Prints the final status, output, failures and variables; an error reading the variables
/// is returned after the rest is printed.
pub(crate) async fn finish(
    client: &LhClient,
    spec: &WfSpec,
    run: &WfRun,
) -> Result<(), ClientError> {
    let id = run.id.as_ref().map(|i| i.id.as_str()).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "WfRun {id}: {}", status_name(run.status));
    if let Some(output) = run
        .thread_runs
        .iter()
        .find(|t| t.number == 0)
        .and_then(|t| t.output.as_ref())
    {
        let _ = writeln!(out, "output: {}", format_value(Some(output)));
    }
    let failures = thread_failures(client, run).await;
    for t in &run.thread_runs {
        let failure = failures
            .get(&t.number)
            .map(failure_text)
            .or_else(|| t.error_message.clone());
        if let Some(msg) = failure {
            let _ = writeln!(
                out,
                "thread {} ({}) {}: {msg}",
                t.number,
                t.thread_spec_name,
                status_name(t.status)
            );
        }
    }
    match client.list_variables(id).await {
        Ok(vars) if !vars.is_empty() => {
            let masked_in_spec = |name: &str| {
                spec.thread_specs
                    .values()
                    .flat_map(|t| t.variable_defs.iter())
                    .filter_map(|v| v.var_def.as_ref())
                    .any(|d| d.name == name && type_of(d).is_some_and(|t| t.masked))
            };
            let _ = writeln!(out, "variables:");
            for v in &vars {
                let Some(vid) = &v.id else { continue };
                if is_generated_variable(&vid.name) {
                    continue;
                }
                let value = if v.masked || masked_in_spec(&vid.name) {
                    "(masked)".to_string()
                } else {
                    format_value(v.value.as_ref())
                };
                let thread = if vid.thread_run_number == 0 {
                    String::new()
                } else {
                    format!(" (thread {})", vid.thread_run_number)
                };
                let _ = writeln!(out, "  {}{thread} = {value}", vid.name);
            }
        }
        Ok(_) => {}
        Err(e) => {
            let _ = out.flush();
            return Err(e);
        }
    }
    Ok(())
}

/// The exit status of a finished run: success only when it COMPLETED.
pub(crate) fn exit_code(run: &WfRun) -> ExitCode {
    if run.status == LhStatus::Completed as i32 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
