//! `lhc list`: WfSpecs and TaskDefs; the other metadata kinds are in [`super::list_defs`].

use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::{SearchTaskDefRequest, SearchWfSpecRequest};
use lhw_runtime_client::LhClient;

use super::exec::{Fail, Res, all_pages, execute, rpc};
use super::list_defs::{self, DefKind};
use super::render::{print_json, print_text, table};
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list.
    #[command(subcommand)]
    pub what: ListCommand,
}

/// `lhc list ...`.
#[derive(Debug, Subcommand)]
pub enum ListCommand {
    /// Every WfSpec version (SearchWfSpec).
    Wfspecs {
        /// Only WfSpecs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Every ExternalEventDef (SearchExternalEventDef).
    EventDefs {
        /// Only ExternalEventDefs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Every WorkflowEventDef (SearchWorkflowEventDef).
    WorkflowEventDefs {
        /// Only WorkflowEventDefs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Every UserTaskDef version (SearchUserTaskDef).
    UserTaskDefs {
        /// Only UserTaskDefs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Every StructDef version (SearchStructDef).
    StructDefs {
        /// Only StructDefs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Every TaskDef (SearchTaskDef).
    Taskdefs {
        /// Only TaskDefs whose name starts with this.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// Runs `lhc list`.
pub(crate) fn run(args: &ListArgs, style: Style) -> ExitCode {
    match &args.what {
        ListCommand::Wfspecs { prefix, common } => execute(common, style, async |c, f| {
            list_wf_specs(c, f, prefix.clone()).await
        }),
        ListCommand::Taskdefs { prefix, common } => execute(common, style, async |c, f| {
            list_task_defs(c, f, prefix.clone()).await
        }),
        ListCommand::EventDefs { prefix, common } => execute(common, style, async |c, f| {
            list_defs::list(c, f, DefKind::Event, prefix.as_deref()).await
        }),
        ListCommand::WorkflowEventDefs { prefix, common } => {
            execute(common, style, async |c, f| {
                list_defs::list(c, f, DefKind::WorkflowEvent, prefix.as_deref()).await
            })
        }
        ListCommand::UserTaskDefs { prefix, common } => execute(common, style, async |c, f| {
            list_defs::list(c, f, DefKind::UserTask, prefix.as_deref()).await
        }),
        ListCommand::StructDefs { prefix, common } => execute(common, style, async |c, f| {
            list_defs::list(c, f, DefKind::Struct, prefix.as_deref()).await
        }),
    }
}

pub(crate) async fn list_wf_specs(
    client: &LhClient,
    format: Format,
    prefix: Option<String>,
) -> Res {
    use lhw_proto::littlehorse::search_wf_spec_request::WfSpecCriteria;
    let ids = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .search_wf_spec(SearchWfSpecRequest {
                bookmark,
                limit: None,
                wf_spec_criteria: prefix.clone().map(WfSpecCriteria::Prefix),
            })
            .await
            .map_err(|e| Fail::Client("SearchWfSpec".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let rows: Vec<Vec<String>> = ids
        .iter()
        .map(|i| {
            vec![
                i.name.clone(),
                format!("{}.{}", i.major_version, i.revision),
            ]
        })
        .collect();
    print_text(&table(&["NAME", "VERSION"], &rows));
    Ok(())
}

pub(crate) async fn list_task_defs(
    client: &LhClient,
    format: Format,
    prefix: Option<String>,
) -> Res {
    let ids = all_pages(usize::MAX, async |bookmark, _| {
        let page = client
            .raw()
            .search_task_def(SearchTaskDefRequest {
                bookmark,
                limit: None,
                prefix: prefix.clone(),
            })
            .await
            .map_err(|e| Fail::Client("SearchTaskDef".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let rows: Vec<Vec<String>> = ids.iter().map(|i| vec![i.name.clone()]).collect();
    print_text(&table(&["NAME"], &rows));
    Ok(())
}
