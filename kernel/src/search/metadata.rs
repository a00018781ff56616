//! Searches over metadata: the ids of TaskDefs, ExternalEventDefs,
//! WorkflowEventDefs, UserTaskDefs, StructDefs and WfSpecs, by name, prefix
//! or (WfSpecs) the TaskDef they use, in name and version order, paged with
//! bookmarks (see [`crate::request`]).

use crate::engine::EngineError;
use crate::request::{self, bookmark_key, finish_page, invalid_bookmark, key_int, key_str};
use crate::storage::{MetaFilter, MetaKey, Store, kind};
use lhw_proto::littlehorse::{
    ExternalEventDefId, ExternalEventDefIdList, SearchExternalEventDefRequest,
    SearchStructDefRequest, SearchTaskDefRequest, SearchUserTaskDefRequest, SearchWfSpecRequest,
    SearchWorkflowEventDefRequest, StructDefId, StructDefIdList, TaskDefId, TaskDefIdList,
    UserTaskDefId, UserTaskDefIdList, WfSpec, WfSpecId, WfSpecIdList, WorkflowEventDefId,
    WorkflowEventDefIdList, node, search_struct_def_request::StructDefCriteria,
    search_user_task_def_request::UserTaskDefCriteria, search_wf_spec_request::WfSpecCriteria,
    task_node::TaskToExecute,
};
use serde_json::Value as Json;

/// The metadata key a bookmark carries.
fn after_key(bookmark: Option<&[u8]>) -> Result<Option<MetaKey>, EngineError> {
    let Some(key) = bookmark_key(bookmark)? else {
        return Ok(None);
    };
    let int = |i| i32::try_from(key_int(&key, i)?).map_err(|_| invalid_bookmark());
    Ok(Some(MetaKey {
        name: key_str(&key, 0)?,
        major: int(1)?,
        minor: int(2)?,
    }))
}

fn meta_bookmark(k: &MetaKey) -> Vec<Json> {
    vec![
        Json::from(k.name.clone()),
        Json::from(k.major),
        Json::from(k.minor),
    ]
}

/// One page of metadata keys of `kind` matching `filter`.
fn meta_page(
    store: &Store,
    kind: &str,
    filter: MetaFilter,
    bookmark: Option<&[u8]>,
    limit: Option<i32>,
) -> Result<(Vec<MetaKey>, Option<Vec<u8>>), EngineError> {
    let limit = request::limit(limit)?;
    let after = after_key(bookmark)?;
    let rows = store.search_meta(kind, &filter, after.as_ref(), limit + 1)?;
    Ok(finish_page(rows, limit, meta_bookmark))
}

/// An optional prefix criterion (an empty prefix matches everything).
fn prefix_filter(prefix: Option<String>) -> MetaFilter {
    match prefix {
        Some(p) if !p.is_empty() => MetaFilter::Prefix(p),
        _ => MetaFilter::All,
    }
}

/// SearchTaskDef (optionally by name prefix).
pub(crate) fn search_task_def(
    store: &Store,
    req: SearchTaskDefRequest,
) -> Result<TaskDefIdList, EngineError> {
    let (keys, bookmark) = meta_page(
        store,
        kind::TASK_DEF,
        prefix_filter(req.prefix),
        req.bookmark.as_deref(),
        req.limit,
    )?;
    Ok(TaskDefIdList {
        results: keys
            .into_iter()
            .map(|k| TaskDefId { name: k.name })
            .collect(),
        bookmark,
    })
}

/// SearchExternalEventDef (optionally by name prefix).
pub(crate) fn search_external_event_def(
    store: &Store,
    req: SearchExternalEventDefRequest,
) -> Result<ExternalEventDefIdList, EngineError> {
    let (keys, bookmark) = meta_page(
        store,
        kind::EXTERNAL_EVENT_DEF,
        prefix_filter(req.prefix),
        req.bookmark.as_deref(),
        req.limit,
    )?;
    Ok(ExternalEventDefIdList {
        results: keys
            .into_iter()
            .map(|k| ExternalEventDefId { name: k.name })
            .collect(),
        bookmark,
    })
}

/// SearchWorkflowEventDef (optionally by name prefix).
pub(crate) fn search_workflow_event_def(
    store: &Store,
    req: SearchWorkflowEventDefRequest,
) -> Result<WorkflowEventDefIdList, EngineError> {
    let (keys, bookmark) = meta_page(
        store,
        kind::WORKFLOW_EVENT_DEF,
        prefix_filter(req.prefix),
        req.bookmark.as_deref(),
        req.limit,
    )?;
    Ok(WorkflowEventDefIdList {
        results: keys
            .into_iter()
            .map(|k| WorkflowEventDefId { name: k.name })
            .collect(),
        bookmark,
    })
}

/// SearchUserTaskDef by name (every version) or prefix.
pub(crate) fn search_user_task_def(
    store: &Store,
    req: SearchUserTaskDefRequest,
) -> Result<UserTaskDefIdList, EngineError> {
    let filter = match req.user_task_def_criteria {
        Some(UserTaskDefCriteria::Name(n)) => {
            MetaFilter::Name(request::not_empty(&n, "name")?.to_string())
        }
        Some(UserTaskDefCriteria::Prefix(p)) => prefix_filter(Some(p)),
        None => MetaFilter::All,
    };
    let (keys, bookmark) = meta_page(
        store,
        kind::USER_TASK_DEF,
        filter,
        req.bookmark.as_deref(),
        req.limit,
    )?;
    Ok(UserTaskDefIdList {
        results: keys
            .into_iter()
            .map(|k| UserTaskDefId {
                name: k.name,
                version: k.major,
            })
            .collect(),
        bookmark,
    })
}

/// SearchStructDef by name (every version) or prefix.
pub(crate) fn search_struct_def(
    store: &Store,
    req: SearchStructDefRequest,
) -> Result<StructDefIdList, EngineError> {
    let filter = match req.struct_def_criteria {
        Some(StructDefCriteria::Name(n)) => {
            MetaFilter::Name(request::not_empty(&n, "name")?.to_string())
        }
        Some(StructDefCriteria::Prefix(p)) => prefix_filter(Some(p)),
        None => MetaFilter::All,
    };
    let (keys, bookmark) = meta_page(
        store,
        kind::STRUCT_DEF,
        filter,
        req.bookmark.as_deref(),
        req.limit,
    )?;
    Ok(StructDefIdList {
        results: keys
            .into_iter()
            .map(|k| StructDefId {
                name: k.name,
                version: k.major,
            })
            .collect(),
        bookmark,
    })
}

/// Whether a TASK node of `spec` runs the TaskDef `task_def` (LittleHorse
/// indexes WfSpecs by the TaskDefs their TASK nodes name).
fn uses_task_def(spec: &WfSpec, task_def: &str) -> bool {
    spec.thread_specs.values().any(|t| {
        t.nodes.values().any(|n| match &n.node {
            Some(node::Node::Task(task)) => matches!(
                &task.task_to_execute,
                Some(TaskToExecute::TaskDefId(id)) if id.name == task_def
            ),
            _ => false,
        })
    })
}

/// SearchWfSpec by name (every version), prefix or the TaskDef a TASK node runs.
pub(crate) fn search_wf_spec(
    store: &Store,
    req: SearchWfSpecRequest,
) -> Result<WfSpecIdList, EngineError> {
    let to_id = |k: MetaKey| WfSpecId {
        name: k.name,
        major_version: k.major,
        revision: k.minor,
    };
    let filter = match req.wf_spec_criteria {
        Some(WfSpecCriteria::Name(n)) => {
            MetaFilter::Name(request::not_empty(&n, "name")?.to_string())
        }
        Some(WfSpecCriteria::Prefix(p)) => prefix_filter(Some(p)),
        Some(WfSpecCriteria::TaskDefName(t)) => {
            request::not_empty(&t, "task_def_name")?;
            let limit = request::limit(req.limit)?;
            let mut after = after_key(req.bookmark.as_deref())?;
            let mut found = Vec::new();
            // WfSpecs are few: scan them in key order, a batch at a time.
            while found.len() <= limit {
                let batch: Vec<(MetaKey, WfSpec)> =
                    store.meta_after(kind::WF_SPEC, after.as_ref(), 256)?;
                let Some((last, _)) = batch.last() else { break };
                after = Some(last.clone());
                found.extend(
                    batch
                        .into_iter()
                        .filter(|(_, spec)| uses_task_def(spec, &t))
                        .map(|(k, _)| k),
                );
            }
            let (keys, bookmark) = finish_page(found, limit, meta_bookmark);
            return Ok(WfSpecIdList {
                results: keys.into_iter().map(to_id).collect(),
                bookmark,
            });
        }
        None => MetaFilter::All,
    };
    let (keys, bookmark) = meta_page(
        store,
        kind::WF_SPEC,
        filter,
        req.bookmark.as_deref(),
        req.limit,
    )?;
    Ok(WfSpecIdList {
        results: keys.into_iter().map(to_id).collect(),
        bookmark,
    })
}
