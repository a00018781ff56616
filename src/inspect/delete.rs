//! `lhc delete`: remove a WfSpec version, a TaskDef, an ExternalEventDef, a
//! WorkflowEventDef, a UserTaskDef or StructDef version, a WfRun (with its NodeRuns,
//! TaskRuns, Variables and events), or a CorrelatedEvent ([`super::delete_correlated`]).

use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use lhw_proto::littlehorse::search_wf_spec_request::WfSpecCriteria;
use lhw_proto::littlehorse::{
    DeleteExternalEventDefRequest, DeleteStructDefRequest, DeleteTaskDefRequest,
    DeleteUserTaskDefRequest, DeleteWfRunRequest, DeleteWfSpecRequest,
    DeleteWorkflowEventDefRequest, ExternalEventDefId, SearchWfSpecRequest, StructDefId, TaskDefId,
    UserTaskDefId, WfSpecId, WorkflowEventDefId,
};
use lhw_runtime_client::LhClient;
use serde::Serialize;

use super::exec::{Fail, Res, all_pages, execute, rpc, wf_run_id};
use super::render::print_json;
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// What to delete.
    #[command(subcommand)]
    pub what: DeleteCommand,
}

/// `lhc delete ...`.
#[derive(Debug, Subcommand)]
pub enum DeleteCommand {
    /// A WfSpec version (`lhc delete wfspec NAME 1.0`), or every version (`--all-versions`)
    /// (DeleteWfSpec).
    #[command(group(ArgGroup::new("which").required(true).args(["spec_version", "all_versions"])))]
    Wfspec {
        /// The WfSpec name.
        #[arg(value_name = "NAME")]
        name: String,
        /// The version, `MAJOR.REVISION` (see `lhc list wfspecs`).
        #[arg(value_name = "MAJOR.REVISION")]
        spec_version: Option<String>,
        /// Delete every version.
        #[arg(long)]
        all_versions: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A TaskDef (DeleteTaskDef).
    Taskdef {
        /// The TaskDef name.
        #[arg(value_name = "NAME")]
        name: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// An ExternalEventDef (DeleteExternalEventDef).
    EventDef {
        /// The ExternalEventDef name.
        #[arg(value_name = "NAME")]
        name: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A WorkflowEventDef (DeleteWorkflowEventDef).
    WorkflowEventDef {
        /// The WorkflowEventDef name.
        #[arg(value_name = "NAME")]
        name: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A UserTaskDef version (DeleteUserTaskDef).
    UserTaskDef {
        /// The UserTaskDef name.
        #[arg(value_name = "NAME")]
        name: String,
        /// The version.
        #[arg(value_name = "VERSION")]
        def_version: i32,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A StructDef version (DeleteStructDef).
    StructDef {
        /// The StructDef name.
        #[arg(value_name = "NAME")]
        name: String,
        /// The version.
        #[arg(value_name = "VERSION")]
        def_version: i32,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A CorrelatedEvent (DeleteCorrelatedEvent); a key that is not there is an error.
    CorrelatedEvent {
        /// The correlation key.
        #[arg(value_name = "KEY")]
        key: String,
        /// The ExternalEventDef it was posted to.
        #[arg(long, value_name = "NAME")]
        event_def: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// A WfRun and everything it owns (DeleteWfRun).
    Wfrun {
        /// The WfRun id.
        #[arg(value_name = "ID")]
        id: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// What was deleted, for `--format json`.
#[derive(Serialize)]
struct Deleted {
    kind: &'static str,
    name: String,
}

/// Runs `lhc delete`.
pub(crate) fn run(args: &DeleteArgs, style: Style) -> ExitCode {
    match &args.what {
        DeleteCommand::Wfspec {
            name,
            spec_version,
            all_versions,
            common,
        } => execute(common, style, async |c, f| {
            let ids = match spec_version {
                Some(v) => vec![wf_spec_id(name, v)?],
                None if *all_versions => wf_spec_versions(c, name).await?,
                None => Vec::new(),
            };
            if ids.is_empty() {
                let mut msg = format!(
                    "no WfSpec `{name}` on {} (see `lhc list wfspecs`)",
                    c.target()
                );
                if let Some(s) = crate::run::similar_workflow(c, name).await
                    && s != *name
                {
                    msg.push_str(&format!("\n  help: did you mean `{s}`?"));
                }
                return Err(Fail::Msg(msg));
            }
            let mut done = Vec::new();
            for id in ids {
                let shown = format!("{} {}.{}", id.name, id.major_version, id.revision);
                let (major, revision) = (id.major_version, id.revision);
                match c
                    .raw()
                    .delete_wf_spec(DeleteWfSpecRequest { id: Some(id) })
                    .await
                {
                    Ok(_) => {}
                    // A misspelt name or version: the versions there are, or "did you mean".
                    Err(e) if e.code() == tonic::Code::NotFound => {
                        return Err(Fail::Msg(
                            crate::run::unknown_wf_spec_version(c, name, major, revision).await,
                        ));
                    }
                    Err(e) => return Err(Fail::Client(format!("WfSpec `{shown}`"), rpc(e))),
                }
                done.push(Deleted {
                    kind: "WfSpec",
                    name: shown,
                });
            }
            report(f, &done)
        }),
        DeleteCommand::Taskdef { name, common } => execute(common, style, async |c, f| {
            let answer = c
                .raw()
                .delete_task_def(DeleteTaskDefRequest {
                    id: Some(TaskDefId { name: name.clone() }),
                })
                .await;
            match answer {
                Ok(_) => {}
                Err(e) if e.code() == tonic::Code::NotFound => {
                    let mut msg = format!("no TaskDef `{name}` on {}: nothing deleted", c.target());
                    if let Some(s) = super::workers::similar_task_def(c, name).await {
                        msg.push_str(&format!("\n  help: did you mean `{s}`?"));
                    }
                    return Err(Fail::Msg(msg));
                }
                Err(e) => return Err(Fail::Client(format!("TaskDef `{name}`"), rpc(e))),
            }
            report(f, &[deleted("TaskDef", name)])
        }),
        DeleteCommand::EventDef { name, common } => execute(common, style, async |c, f| {
            c.raw()
                .delete_external_event_def(DeleteExternalEventDefRequest {
                    id: Some(ExternalEventDefId { name: name.clone() }),
                })
                .await
                .map_err(|e| Fail::Client(format!("ExternalEventDef `{name}`"), rpc(e)))?;
            report(f, &[deleted("ExternalEventDef", name)])
        }),
        DeleteCommand::WorkflowEventDef { name, common } => execute(common, style, async |c, f| {
            c.raw()
                .delete_workflow_event_def(DeleteWorkflowEventDefRequest {
                    id: Some(WorkflowEventDefId { name: name.clone() }),
                })
                .await
                .map_err(|e| Fail::Client(format!("WorkflowEventDef `{name}`"), rpc(e)))?;
            report(f, &[deleted("WorkflowEventDef", name)])
        }),
        DeleteCommand::UserTaskDef {
            name,
            def_version: version,
            common,
        } => execute(common, style, async |c, f| {
            c.raw()
                .delete_user_task_def(DeleteUserTaskDefRequest {
                    id: Some(UserTaskDefId {
                        name: name.clone(),
                        version: *version,
                    }),
                })
                .await
                .map_err(|e| Fail::Client(format!("UserTaskDef `{name}` {version}"), rpc(e)))?;
            report(f, &[deleted("UserTaskDef", &format!("{name} {version}"))])
        }),
        DeleteCommand::StructDef {
            name,
            def_version: version,
            common,
        } => execute(common, style, async |c, f| {
            c.raw()
                .delete_struct_def(DeleteStructDefRequest {
                    id: Some(StructDefId {
                        name: name.clone(),
                        version: *version,
                    }),
                })
                .await
                .map_err(|e| Fail::Client(format!("StructDef `{name}` {version}"), rpc(e)))?;
            report(f, &[deleted("StructDef", &format!("{name} {version}"))])
        }),
        DeleteCommand::CorrelatedEvent {
            key,
            event_def,
            common,
        } => execute(common, style, async |c, f| {
            let shown =
                super::delete_correlated::delete_correlated_event(c, key, event_def).await?;
            report(f, &[deleted("CorrelatedEvent", &shown)])
        }),
        DeleteCommand::Wfrun { id, common } => execute(common, style, async |c, f| {
            // DeleteWfRun of an unknown id succeeds silently on LittleHorse: say so instead.
            c.get_wf_run(id)
                .await
                .map_err(|e| Fail::Client(format!("WfRun `{id}`"), e))?;
            c.raw()
                .delete_wf_run(DeleteWfRunRequest {
                    id: Some(wf_run_id(id)),
                })
                .await
                .map_err(|e| Fail::Client(format!("WfRun `{id}`"), rpc(e)))?;
            report(f, &[deleted("WfRun", id)])
        }),
    }
}

fn deleted(kind: &'static str, name: &str) -> Deleted {
    Deleted {
        kind,
        name: name.to_string(),
    }
}

fn report(format: Format, done: &[Deleted]) -> Res {
    if format == Format::Json {
        return print_json(&done);
    }
    for d in done {
        println!("deleted {} {}", d.kind, d.name);
    }
    Ok(())
}

/// `1.0` → WfSpecId of `name` version 1.0.
pub(crate) fn wf_spec_id(name: &str, version: &str) -> Result<WfSpecId, Fail> {
    let parsed = version
        .split_once('.')
        .and_then(|(m, r)| Some((m.parse().ok()?, r.parse().ok()?)));
    let Some((major_version, revision)) = parsed else {
        return Err(Fail::Msg(format!(
            "version {version}: expected MAJOR.REVISION, e.g. 1.0 (see `lhc list wfspecs`)"
        )));
    };
    Ok(WfSpecId {
        name: name.into(),
        major_version,
        revision,
    })
}

/// Every version of the WfSpec `name`.
async fn wf_spec_versions(client: &LhClient, name: &str) -> Result<Vec<WfSpecId>, Fail> {
    let ids: Vec<WfSpecId> = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .search_wf_spec(SearchWfSpecRequest {
                bookmark,
                limit: None,
                wf_spec_criteria: Some(WfSpecCriteria::Name(name.into())),
            })
            .await
            .map_err(|e| Fail::Client("SearchWfSpec".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    Ok(ids.into_iter().filter(|i| i.name == name).collect())
}
