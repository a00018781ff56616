//! `lhc workers TASKDEF`: the task workers polling a TaskDef, as the server's
//! TaskWorkerGroup records them from RegisterTaskWorker heartbeats (lhctl's
//! `get taskWorkerGroup`). A worker silent for 90 seconds leaves the group at
//! the next heartbeat of any worker of that TaskDef.

use std::process::ExitCode;

use clap::Args;
use lhw_proto::littlehorse::{SearchTaskDefRequest, TaskDefId};
use lhw_runtime_client::LhClient;

use super::exec::{Fail, Res, execute, on, rpc};
use super::render::{print_json, print_text, table, time};
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc workers`.
#[derive(Debug, Args)]
pub struct WorkersArgs {
    /// The TaskDef name.
    #[arg(value_name = "TASKDEF")]
    pub task_def: String,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc workers`.
pub(crate) fn run(args: &WorkersArgs, style: Style) -> ExitCode {
    execute(&args.common, style, async |c, f| {
        show(c, f, &args.task_def).await
    })
}

async fn show(client: &LhClient, format: Format, name: &str) -> Res {
    let exists = client
        .get_task_def(name)
        .await
        .map_err(on(format!("TaskDef `{name}`")))?;
    if exists.is_none() {
        let mut msg = format!("no TaskDef `{name}` on {}", client.target());
        if let Some(close) = similar_task_def(client, name).await {
            msg.push_str(&format!("; did you mean `{close}`?"));
        }
        return Err(Fail::Msg(msg));
    }
    let group = client
        .raw()
        .get_task_worker_group(TaskDefId { name: name.into() })
        .await;
    let group = match group {
        Ok(g) => g.into_inner(),
        Err(s) if s.code() == tonic::Code::NotFound => {
            if format == Format::Json {
                return print_json(&serde_json::Value::Null);
            }
            print_text(&format!(
                "no worker of TaskDef `{name}` has registered with {}\n  \
                 start one (a worker for `{name}` with an official SDK, or `lhc dev` with \
                 workers), then run this again\n",
                client.target()
            ));
            return Ok(());
        }
        Err(s) => return Err(Fail::Client(format!("the workers of `{name}`"), rpc(s))),
    };
    if format == Format::Json {
        return print_json(&group);
    }
    let mut workers: Vec<_> = group.task_workers.values().collect();
    workers.sort_by(|a, b| a.task_worker_id.cmp(&b.task_worker_id));
    let rows: Vec<Vec<String>> = workers
        .iter()
        .map(|w| {
            let hosts: Vec<String> = w
                .hosts
                .iter()
                .map(|h| format!("{}:{}", h.host, h.port))
                .collect();
            vec![
                w.task_worker_id.clone(),
                time(w.latest_heartbeat.as_ref()),
                hosts.join(", "),
            ]
        })
        .collect();
    print_text(&format!(
        "TaskDef `{name}`: {} worker{} (group created {})\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        time(group.created_at.as_ref())
    ));
    if !rows.is_empty() {
        print_text(&table(&["WORKER", "LAST HEARTBEAT", "POLLS"], &rows));
    }
    Ok(())
}

/// The deployed TaskDef whose name is closest to `name`, if any.
pub(crate) async fn similar_task_def(client: &LhClient, name: &str) -> Option<String> {
    let page = client
        .raw()
        .search_task_def(SearchTaskDefRequest {
            bookmark: None,
            limit: Some(1000),
            prefix: None,
        })
        .await
        .ok()?
        .into_inner();
    let names: Vec<String> = page.results.into_iter().map(|i| i.name).collect();
    lhw_compiler::check::closest(name, names.iter().map(String::as_str)).map(str::to_string)
}
