//! What a running WfRun waits for: a task no worker has taken, a person, an event. `lhc run
//! --wait` and `lhc wait` say it when they give up, instead of only "has not finished".

use lhw_proto::littlehorse::node_run::NodeType;
use lhw_proto::littlehorse::{LhStatus, NodeRunId, TaskRunId, TaskStatus, WfRun};
use lhw_runtime_client::LhClient;

/// One sentence (and a hint) per running thread that waits on something outside the kernel.
pub(crate) async fn waiting_on(client: &LhClient, run: &WfRun) -> Vec<String> {
    let mut out = Vec::new();
    for t in &run.thread_runs {
        if t.status != LhStatus::Running as i32 {
            continue;
        }
        let Ok(node) = client
            .raw()
            .get_node_run(NodeRunId {
                wf_run_id: run.id.clone(),
                thread_run_number: t.number,
                position: t.current_node_position,
            })
            .await
        else {
            continue;
        };
        let node = node.into_inner();
        let line = match &node.node_type {
            Some(NodeType::Task(task)) => {
                let Some(id) = &task.task_run_id else {
                    continue;
                };
                task_waiting(client, id).await
            }
            Some(NodeType::UserTask(u)) => Some(format!(
                "thread {} waits for a person: user task `{}` (see `lhc user-task list`)",
                t.number,
                u.user_task_run_id
                    .as_ref()
                    .map_or("", |i| i.user_task_guid.as_str())
            )),
            Some(NodeType::ExternalEvent(e)) => Some(format!(
                "thread {} waits for the event `{}` (post it with `lhc event post`)",
                t.number,
                e.external_event_def_id
                    .as_ref()
                    .map_or("", |d| d.name.as_str())
            )),
            _ => None,
        };
        out.extend(line);
    }
    out
}

/// A task not yet taken by any worker: its TaskDef and how to serve it.
async fn task_waiting(client: &LhClient, id: &TaskRunId) -> Option<String> {
    let task = client
        .raw()
        .get_task_run(id.clone())
        .await
        .ok()?
        .into_inner();
    let name = task.task_def_id.as_ref().map_or("", |d| d.name.as_str());
    let taken = task.attempts.iter().any(|a| a.start_time.is_some())
        || task.status != TaskStatus::TaskScheduled as i32;
    if taken {
        return Some(format!(
            "task `{name}` is running on a worker (see `lhc get taskrun {} {}`)",
            id.wf_run_id.as_ref().map_or("", |w| w.id.as_str()),
            id.task_guid
        ));
    }
    Some(format!(
        "no worker has polled `{name}` since the run started: start a task worker for \
         `{name}` against this server (e.g. the Python SDK's `LHTaskWorker(fn, \"{name}\", \
         config).start()`, or a Rust worker from lhw-runtime-client)"
    ))
}
