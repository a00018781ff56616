//! `lhc metrics wf|task`: the metric windows of workflows and tasks (ListWfMetrics,
//! ListTaskMetrics), as lhctl's `list wfMetrics` / `list taskMetrics` ask for them: one
//! window per minute with counts and latencies of status changes, then a total.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::{
    CountAndTiming, ListTaskMetricsRequest, ListWfMetricsRequest, MetricWindow, TaskDefId,
    WfSpecId, metric_window, metric_window_id,
};
use lhw_runtime_client::LhClient;

use super::exec::{Fail, Res, execute, on, rpc};
use super::render::{print_json, print_text, table, time};
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Which metrics.
    #[command(subcommand)]
    pub what: MetricsCommand,
}

/// The time range of a metrics query, in minutes before now.
#[derive(Debug, Args)]
pub struct Range {
    /// Windows starting at most this many minutes ago (lhctl's --earliestMinutesAgo).
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub since: u32,
    /// Windows starting at least this many minutes ago (lhctl's --latestMinutesAgo).
    #[arg(long, value_name = "MINUTES", default_value_t = 0)]
    pub until: u32,
}

/// `lhc metrics ...`.
#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// WfRun metrics of one WfSpec (every WfSpec without a name): started, completed,
    /// failed, halted, and how long runs took.
    Wf {
        /// The WfSpec name.
        #[arg(value_name = "WFSPEC")]
        wf_spec: Option<String>,
        /// The version, MAJOR.REVISION (default: the latest).
        #[arg(long, value_name = "MAJOR.REVISION")]
        spec_version: Option<String>,
        /// The time range.
        #[command(flatten)]
        range: Range,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// TaskRun metrics of one TaskDef (every TaskDef without a name): attempts started,
    /// succeeded, failed, time in queue and time running.
    Task {
        /// The TaskDef name.
        #[arg(value_name = "TASKDEF")]
        task_def: Option<String>,
        /// The time range.
        #[command(flatten)]
        range: Range,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Runs `lhc metrics`.
pub(crate) fn run(args: &MetricsArgs, style: Style) -> ExitCode {
    match &args.what {
        MetricsCommand::Wf {
            wf_spec,
            spec_version,
            range,
            common,
        } => execute(common, style, async |c, f| {
            let spec = match wf_spec {
                Some(name) => Some(spec_id(c, name, spec_version.as_deref()).await?),
                None if spec_version.is_some() => {
                    return Err(Fail::Msg("--spec-version needs a WfSpec name".into()));
                }
                None => None,
            };
            let (start, end) = bounds(range)?;
            let list = c
                .raw()
                .list_wf_metrics(ListWfMetricsRequest {
                    wf_spec: spec,
                    window_start: Some(start),
                    window_end: Some(end),
                })
                .await
                .map_err(|e| Fail::Client("ListWfMetrics".into(), rpc(e)))?
                .into_inner();
            show(f, &list.windows)
        }),
        MetricsCommand::Task {
            task_def,
            range,
            common,
        } => execute(common, style, async |c, f| {
            if let Some(name) = task_def
                && c.get_task_def(name)
                    .await
                    .map_err(on(format!("TaskDef `{name}`")))?
                    .is_none()
            {
                return Err(Fail::Msg(format!("no TaskDef `{name}` on {}", c.target())));
            }
            let (start, end) = bounds(range)?;
            let list = c
                .raw()
                .list_task_metrics(ListTaskMetricsRequest {
                    task_def: task_def.clone().map(|name| TaskDefId { name }),
                    window_start: Some(start),
                    window_end: Some(end),
                })
                .await
                .map_err(|e| Fail::Client("ListTaskMetrics".into(), rpc(e)))?
                .into_inner();
            show(f, &list.windows)
        }),
    }
}

fn bounds(r: &Range) -> Result<(pbjson_types::Timestamp, pbjson_types::Timestamp), Fail> {
    if r.until > r.since {
        return Err(Fail::Msg(format!(
            "--until {} is before --since {}: --since counts minutes back to the oldest window",
            r.until, r.since
        )));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let ts = |mins: u32| pbjson_types::Timestamp {
        seconds: now - i64::from(mins) * 60,
        nanos: 0,
    };
    Ok((ts(r.since), ts(r.until)))
}

/// The WfSpec id of `name` at `version` (MAJOR.REVISION), else the latest.
async fn spec_id(client: &LhClient, name: &str, version: Option<&str>) -> Result<WfSpecId, Fail> {
    if let Some(v) = version {
        let parsed = v
            .split_once('.')
            .and_then(|(m, r)| Some((m.parse::<i32>().ok()?, r.parse::<i32>().ok()?)));
        let Some((major_version, revision)) = parsed else {
            return Err(Fail::Msg(format!(
                "--spec-version {v}: expected MAJOR.REVISION such as 0.1"
            )));
        };
        return Ok(WfSpecId {
            name: name.into(),
            major_version,
            revision,
        });
    }
    let Some(spec) = client
        .get_latest_wf_spec(name)
        .await
        .map_err(on(format!("WfSpec `{name}`")))?
    else {
        return Err(Fail::Msg(crate::run::unknown_wf_spec(client, name).await));
    };
    spec.id
        .ok_or_else(|| Fail::Msg(format!("the WfSpec `{name}` has no id")))
}

fn count(c: Option<&CountAndTiming>) -> i64 {
    c.map_or(0, |c| i64::from(c.count))
}

fn add(total: &mut CountAndTiming, c: Option<&CountAndTiming>) {
    let Some(c) = c else { return };
    if c.count > 0 && (total.count == 0 || c.min_latency_ms < total.min_latency_ms) {
        total.min_latency_ms = c.min_latency_ms;
    }
    total.count += c.count;
    total.total_latency_ms += c.total_latency_ms;
    total.max_latency_ms = total.max_latency_ms.max(c.max_latency_ms);
}

/// Average and max latency, `-` when nothing was timed.
fn latency(c: Option<&CountAndTiming>) -> (String, String) {
    match c {
        Some(c) if c.count > 0 => (
            format!("{}ms", c.total_latency_ms / i64::from(c.count)),
            format!("{}ms", c.max_latency_ms),
        ),
        _ => ("-".into(), "-".into()),
    }
}

fn object(w: &MetricWindow) -> String {
    match w.id.as_ref().and_then(|i| i.id.as_ref()) {
        Some(metric_window_id::Id::WfSpecId(s)) => {
            format!("{} {}.{}", s.name, s.major_version, s.revision)
        }
        Some(metric_window_id::Id::TaskDefId(d)) => d.name.clone(),
        _ => "-".into(),
    }
}

fn show(format: Format, windows: &[MetricWindow]) -> Res {
    if format == Format::Json {
        return print_json(&windows);
    }
    if windows.is_empty() {
        print_text("no metrics in this range (windows are per minute; widen it with --since)\n");
        return Ok(());
    }
    let start = |w: &MetricWindow| time(w.id.as_ref().and_then(|i| i.window_start.as_ref()));
    let mut wf_rows = Vec::new();
    let mut task_rows = Vec::new();
    let mut wf_total = [
        CountAndTiming::default(),
        CountAndTiming::default(),
        CountAndTiming::default(),
        CountAndTiming::default(),
        CountAndTiming::default(),
    ];
    let mut task_total = [
        CountAndTiming::default(),
        CountAndTiming::default(),
        CountAndTiming::default(),
        CountAndTiming::default(),
        CountAndTiming::default(),
    ];
    for w in windows {
        match &w.metric {
            Some(metric_window::Metric::Workflow(m)) => {
                let parts = [
                    m.started.as_ref(),
                    m.running_to_completed.as_ref(),
                    m.running_to_error.as_ref(),
                    m.running_to_exception.as_ref(),
                    m.running_to_halted
                        .as_ref()
                        .or(m.halting_to_halted.as_ref()),
                ];
                for (t, c) in wf_total.iter_mut().zip(parts) {
                    add(t, c);
                }
                let (avg, max) = latency(m.running_to_completed.as_ref());
                let mut row = vec![start(w), object(w)];
                row.extend(parts.iter().map(|c| count(*c).to_string()));
                row.extend([avg, max]);
                wf_rows.push(row);
            }
            Some(metric_window::Metric::Task(m)) => {
                let parts = [
                    m.taskattempt_scheduled_to_running.as_ref(),
                    m.taskattempt_running_to_success.as_ref(),
                    m.taskattempt_running_to_error.as_ref(),
                    m.taskattempt_running_to_exception.as_ref(),
                    m.taskrun_created_to_completed.as_ref(),
                ];
                for (t, c) in task_total.iter_mut().zip(parts) {
                    add(t, c);
                }
                let (queue, _) = latency(m.taskattempt_scheduled_to_running.as_ref());
                let (run_avg, run_max) = latency(m.taskattempt_running_to_success.as_ref());
                let mut row = vec![start(w), object(w)];
                row.extend(parts.iter().map(|c| count(*c).to_string()));
                row.extend([queue, run_avg, run_max]);
                task_rows.push(row);
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if !wf_rows.is_empty() {
        let (avg, max) = latency(Some(&wf_total[1]));
        let mut total = vec!["TOTAL".to_string(), String::new()];
        total.extend(wf_total.iter().map(|c| c.count.to_string()));
        total.extend([avg, max]);
        wf_rows.push(total);
        out.push_str(&table(
            &[
                "WINDOW",
                "WFSPEC",
                "STARTED",
                "COMPLETED",
                "ERROR",
                "EXCEPTION",
                "HALTED",
                "AVG RUN",
                "MAX RUN",
            ],
            &wf_rows,
        ));
    }
    if !task_rows.is_empty() {
        let (queue, _) = latency(Some(&task_total[0]));
        let (run_avg, run_max) = latency(Some(&task_total[1]));
        let mut total = vec!["TOTAL".to_string(), String::new()];
        total.extend(task_total.iter().map(|c| c.count.to_string()));
        total.extend([queue, run_avg, run_max]);
        task_rows.push(total);
        out.push_str(&table(
            &[
                "WINDOW",
                "TASKDEF",
                "STARTED",
                "SUCCEEDED",
                "FAILED",
                "EXCEPTION",
                "TASKRUNS DONE",
                "AVG QUEUE",
                "AVG RUN",
                "MAX RUN",
            ],
            &task_rows,
        ));
    }
    print_text(&out);
    Ok(())
}
