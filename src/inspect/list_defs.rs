//! `lhc list event-defs|workflow-event-defs|user-task-defs|struct-defs`: the metadata
//! objects of one kind (SearchExternalEventDef, SearchWorkflowEventDef, SearchUserTaskDef,
//! SearchStructDef), and the deployed names of a kind for "did you mean".

use lhw_proto::littlehorse::search_struct_def_request::StructDefCriteria;
use lhw_proto::littlehorse::search_user_task_def_request::UserTaskDefCriteria;
use lhw_proto::littlehorse::{
    SearchExternalEventDefRequest, SearchStructDefRequest, SearchTaskDefRequest,
    SearchUserTaskDefRequest, SearchWorkflowEventDefRequest,
};
use lhw_runtime_client::LhClient;
use serde::Serialize;

use super::Format;
use super::exec::{Fail, Res, all_pages, rpc};
use super::render::{print_json, print_text, table};

/// A kind of metadata object `lhc get`/`lhc list` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    Task,
    Event,
    WorkflowEvent,
    UserTask,
    Struct,
}

impl DefKind {
    /// LittleHorse's name of the kind.
    pub(crate) fn title(self) -> &'static str {
        match self {
            DefKind::Task => "TaskDef",
            DefKind::Event => "ExternalEventDef",
            DefKind::WorkflowEvent => "WorkflowEventDef",
            DefKind::UserTask => "UserTaskDef",
            DefKind::Struct => "StructDef",
        }
    }

    /// The `lhc list` subcommand for the kind.
    pub(crate) fn list_verb(self) -> &'static str {
        match self {
            DefKind::Task => "taskdefs",
            DefKind::Event => "event-defs",
            DefKind::WorkflowEvent => "workflow-event-defs",
            DefKind::UserTask => "user-task-defs",
            DefKind::Struct => "struct-defs",
        }
    }

    fn search_rpc(self) -> String {
        format!("Search{}", self.title())
    }
}

/// One listed object: its name and, for versioned kinds, its version.
#[derive(Debug, Serialize)]
pub(crate) struct DefId {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
}

/// Every object of `kind` whose name starts with `prefix`, as the server lists them.
pub(crate) async fn search(
    client: &LhClient,
    kind: DefKind,
    prefix: Option<&str>,
) -> Result<Vec<DefId>, Fail> {
    let prefix = prefix.map(str::to_string);
    let fail = |e| Fail::Client(kind.search_rpc(), rpc(e));
    all_pages(usize::MAX, async |bookmark, _| {
        let mut raw = client.raw();
        let page: (Vec<DefId>, Option<Vec<u8>>) = match kind {
            DefKind::Task => {
                let p = raw
                    .search_task_def(SearchTaskDefRequest {
                        bookmark,
                        limit: None,
                        prefix: prefix.clone(),
                    })
                    .await
                    .map_err(fail)?
                    .into_inner();
                (
                    unversioned(p.results.into_iter().map(|i| i.name)),
                    p.bookmark,
                )
            }
            DefKind::Event => {
                let p = raw
                    .search_external_event_def(SearchExternalEventDefRequest {
                        bookmark,
                        limit: None,
                        prefix: prefix.clone(),
                    })
                    .await
                    .map_err(fail)?
                    .into_inner();
                (
                    unversioned(p.results.into_iter().map(|i| i.name)),
                    p.bookmark,
                )
            }
            DefKind::WorkflowEvent => {
                let p = raw
                    .search_workflow_event_def(SearchWorkflowEventDefRequest {
                        bookmark,
                        limit: None,
                        prefix: prefix.clone(),
                    })
                    .await
                    .map_err(fail)?
                    .into_inner();
                (
                    unversioned(p.results.into_iter().map(|i| i.name)),
                    p.bookmark,
                )
            }
            DefKind::UserTask => {
                let p = raw
                    .search_user_task_def(SearchUserTaskDefRequest {
                        bookmark,
                        limit: None,
                        user_task_def_criteria: prefix.clone().map(UserTaskDefCriteria::Prefix),
                    })
                    .await
                    .map_err(fail)?
                    .into_inner();
                let ids = p
                    .results
                    .into_iter()
                    .map(|i| DefId {
                        name: i.name,
                        version: Some(i.version),
                    })
                    .collect();
                (ids, p.bookmark)
            }
            DefKind::Struct => {
                let p = raw
                    .search_struct_def(SearchStructDefRequest {
                        bookmark,
                        limit: None,
                        struct_def_criteria: prefix.clone().map(StructDefCriteria::Prefix),
                    })
                    .await
                    .map_err(fail)?
                    .into_inner();
                let ids = p
                    .results
                    .into_iter()
                    .map(|i| DefId {
                        name: i.name,
                        version: Some(i.version),
                    })
                    .collect();
                (ids, p.bookmark)
            }
        };
        Ok(page)
    })
    .await
}

fn unversioned(names: impl Iterator<Item = String>) -> Vec<DefId> {
    names
        .map(|name| DefId {
            name,
            version: None,
        })
        .collect()
}

/// The distinct names of every deployed object of `kind`.
pub(crate) async fn names(client: &LhClient, kind: DefKind) -> Result<Vec<String>, Fail> {
    let mut names: Vec<String> = search(client, kind, None)
        .await?
        .into_iter()
        .map(|i| i.name)
        .collect();
    names.dedup();
    Ok(names)
}

/// `lhc list KIND`: a table of names (and versions), or a JSON array of ids.
pub(crate) async fn list(
    client: &LhClient,
    format: Format,
    kind: DefKind,
    prefix: Option<&str>,
) -> Res {
    let ids = search(client, kind, prefix).await?;
    if format == Format::Json {
        return print_json(&ids);
    }
    let versioned = matches!(kind, DefKind::UserTask | DefKind::Struct);
    let rows: Vec<Vec<String>> = ids
        .iter()
        .map(|i| {
            let mut row = vec![i.name.clone()];
            if let Some(v) = i.version {
                row.push(v.to_string());
            }
            row
        })
        .collect();
    let headers: &[&str] = if versioned {
        &["NAME", "VERSION"]
    } else {
        &["NAME"]
    };
    print_text(&table(headers, &rows));
    Ok(())
}
