//! `lhc get wfspec`: a WfSpec for people — its version and status, its threads with what
//! each one calls and awaits, and the entrypoint's inputs and variables.

use std::collections::BTreeSet;

use lhw_proto::littlehorse::node::Node as NodeKind;
use lhw_proto::littlehorse::task_node::TaskToExecute;
use lhw_proto::littlehorse::{MetadataStatus, ThreadSpec, WfSpec, run_child_wf_node};
use lhw_runtime_client::values::{type_name, type_of};

use super::render::{fields, table, time};

/// The summary `lhc get wfspec` prints.
pub(crate) fn wf_spec_text(spec: &WfSpec) -> String {
    let id = spec.id.clone().unwrap_or_default();
    let mut text = fields(&[
        (
            "WfSpec",
            format!("{} {}.{}", id.name, id.major_version, id.revision),
        ),
        (
            "status",
            MetadataStatus::try_from(spec.status)
                .map_or("UNKNOWN", |s| s.as_str_name())
                .into(),
        ),
        ("created", time(spec.created_at.as_ref())),
        ("entrypoint", spec.entrypoint_thread_name.clone()),
    ]);
    let mut threads: Vec<(&String, &ThreadSpec)> = spec.thread_specs.iter().collect();
    // The entrypoint first, then by name.
    threads.sort_by_key(|(name, _)| (**name != spec.entrypoint_thread_name, (*name).clone()));
    let rows: Vec<Vec<String>> = threads
        .iter()
        .map(|(name, t)| {
            let uses = uses(t);
            vec![
                (*name).clone(),
                t.nodes.len().to_string(),
                if uses.is_empty() {
                    "-".into()
                } else {
                    uses.into_iter().collect::<Vec<_>>().join(", ")
                },
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&table(&["THREAD", "NODES", "USES"], &rows));
    let vars: Vec<Vec<String>> = threads
        .iter()
        .flat_map(|(name, t)| {
            t.variable_defs.iter().map(move |v| {
                let def = v.var_def.clone().unwrap_or_default();
                let t = type_of(&def);
                let mut flags = Vec::new();
                if v.required {
                    flags.push("required");
                }
                if v.searchable {
                    flags.push("searchable");
                }
                if t.as_ref().is_some_and(|t| t.masked) {
                    flags.push("masked");
                }
                vec![
                    (*name).clone(),
                    def.name,
                    t.as_ref().map_or_else(|| "-".into(), type_name),
                    if flags.is_empty() {
                        "-".into()
                    } else {
                        flags.join(", ")
                    },
                ]
            })
        })
        .collect();
    if !vars.is_empty() {
        text.push('\n');
        text.push_str(&table(&["THREAD", "VARIABLE", "TYPE", "FLAGS"], &vars));
    }
    text
}

/// The tasks, events, user tasks and child workflows a thread uses.
fn uses(t: &ThreadSpec) -> BTreeSet<String> {
    t.nodes
        .values()
        .filter_map(|n| match &n.node {
            Some(NodeKind::Task(task)) => match &task.task_to_execute {
                Some(TaskToExecute::TaskDefId(id)) => Some(format!("task {}", id.name)),
                Some(TaskToExecute::DynamicTask(_)) => Some("a dynamic task".into()),
                None => None,
            },
            Some(NodeKind::ExternalEvent(e)) => e
                .external_event_def_id
                .as_ref()
                .map(|d| format!("event {}", d.name)),
            Some(NodeKind::UserTask(u)) => Some(format!("user task {}", u.user_task_def_name)),
            Some(NodeKind::RunChildWf(c)) => Some(match &c.wf_spec {
                Some(run_child_wf_node::WfSpec::WfSpecName(name)) => format!("workflow {name}"),
                _ => "a workflow named at run time".into(),
            }),
            Some(NodeKind::ThrowEvent(e)) => {
                e.event_def_id.as_ref().map(|d| format!("emits {}", d.name))
            }
            _ => None,
        })
        .collect()
}
