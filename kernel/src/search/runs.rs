//! Searches over run objects: WfRuns (by WfSpec, status, start time, parent,
//! thread-0 variable values), TaskRuns (by TaskDef, status, scheduled time),
//! EXTERNAL_EVENT NodeRuns (by ExternalEventDef, status, arrival time) and
//! Variables (by WfSpec, name and value). Each reads the database after the
//! engine has written its pending changes into the current transaction.

use crate::engine::Engine;
use crate::engine::EngineError;
use crate::request::{
    self, bookmark_key, finish_page, invalid_bookmark, key_int, key_str, not_empty, opt_enum_value,
    required, wf_run_key_of,
};
use crate::storage::{NodeRunQuery, Store, TaskRunQuery, VariableQuery, WfRunQuery, value_key};
use crate::util::ts_to_ms;
use crate::values;
use lhw_proto::littlehorse::{
    LhStatus, NodeRunId, NodeRunIdList, SearchNodeRunRequest, SearchTaskRunRequest,
    SearchVariableRequest, SearchWfRunRequest, TaskRunId, TaskRunIdList, TaskStatus, ThreadVarDef,
    VariableIdList, VariableValue, WfRunIdList, WfSpec, WfSpecId,
};
use serde_json::Value as Json;

fn int32(key: &[Json], i: usize) -> Result<i32, EngineError> {
    i32::try_from(key_int(key, i)?).map_err(|_| invalid_bookmark())
}

/// The WfSpec a search names: an exact version, the latest of a major
/// version or the latest. A missing one is a bad criterion (INVALID_ARGUMENT,
/// as LittleHorse answers).
fn spec_of(
    store: &Store,
    name: &str,
    major: Option<i32>,
    revision: Option<i32>,
) -> Result<WfSpec, EngineError> {
    let found = match (major, revision) {
        (Some(major_version), Some(revision)) => crate::wfspec::get_wf_spec(
            store,
            &WfSpecId {
                name: name.to_string(),
                major_version,
                revision,
            },
        ),
        (major, _) => crate::wfspec::get_latest_wf_spec(store, name, major),
    };
    found.map_err(|e| {
        if e.is_not_found() {
            EngineError::invalid_argument(format!("wf_spec_name: {}", e.message()))
        } else {
            e
        }
    })
}

/// The search key of a value compared with a variable of type `def`:
/// INVALID_ARGUMENT when it does not fit the type, UNIMPLEMENTED for values
/// the kernel does not index (NULL, JSON, bytes, structs).
fn search_key(
    value: VariableValue,
    def: &ThreadVarDef,
    field: &str,
) -> Result<String, EngineError> {
    let value = match def.var_def.as_ref().and_then(|d| d.type_def.as_ref()) {
        Some(td) => values::coerce_to(value, td)
            .map_err(|e| EngineError::invalid_argument(format!("{field}: {e}")))?,
        None => value,
    };
    value_key(&value).ok_or_else(|| {
        EngineError::unimplemented(format!(
            "{field}: the embedded kernel finds variables only by STR, INT, DOUBLE, BOOL, \
             TIMESTAMP or WF_RUN_ID values, not by a {} value",
            values::type_name(&value)
        ))
    })
}

fn var_name(v: &ThreadVarDef) -> &str {
    v.var_def.as_ref().map_or("", |d| d.name.as_str())
}

/// SearchWfRun.
pub fn search_wf_run(e: &mut Engine, req: SearchWfRunRequest) -> Result<WfRunIdList, EngineError> {
    let status = opt_enum_value::<LhStatus>(req.status, "status")?;
    let has_name = !req.wf_spec_name.is_empty();
    if !has_name && (req.wf_spec_major_version.is_some() || req.wf_spec_revision.is_some()) {
        return Err(EngineError::invalid_argument(
            "wf_spec_major_version and wf_spec_revision need wf_spec_name",
        ));
    }
    if req.wf_spec_revision.is_some() && req.wf_spec_major_version.is_none() {
        return Err(EngineError::invalid_argument(
            "wf_spec_revision needs wf_spec_major_version",
        ));
    }
    let parent = match &req.parent_wf_run_id {
        Some(p) => Some((
            wf_run_key_of(Some(p), "parent_wf_run_id")?,
            req.show_full_tree.unwrap_or(false),
        )),
        None => None,
    };
    let limit = request::limit(req.limit)?;
    let after = match bookmark_key(req.bookmark.as_deref())? {
        Some(k) => Some((key_int(&k, 0)?, key_str(&k, 1)?)),
        None => None,
    };
    let store = e.synced_store()?;
    let mut variables = Vec::new();
    if !req.variable_filters.is_empty() {
        if !has_name {
            return Err(EngineError::invalid_argument(
                "variable_filters need wf_spec_name",
            ));
        }
        let spec = spec_of(
            store,
            &req.wf_spec_name,
            req.wf_spec_major_version,
            req.wf_spec_revision,
        )?;
        let entry = spec.thread_specs.get(&spec.entrypoint_thread_name);
        for (i, m) in req.variable_filters.into_iter().enumerate() {
            let def = entry
                .and_then(|t| t.variable_defs.iter().find(|v| var_name(v) == m.var_name))
                .ok_or_else(|| {
                    EngineError::invalid_argument(format!(
                        "variable_filters[{i}].var_name: variable \"{}\" is not declared by the \
                         entrypoint thread of WfSpec {}",
                        m.var_name, req.wf_spec_name
                    ))
                })?;
            let value = required(m.value, &format!("variable_filters[{i}].value"))?;
            let key = search_key(value, def, &format!("variable_filters[{i}].value"))?;
            variables.push((m.var_name, key));
        }
    }
    let q = WfRunQuery {
        spec_name: has_name.then_some(req.wf_spec_name),
        major: req.wf_spec_major_version,
        revision: req.wf_spec_revision,
        status: status.map(|s| s as i32),
        earliest_ms: req.earliest_start.as_ref().map(ts_to_ms),
        latest_ms: req.latest_start.as_ref().map(ts_to_ms),
        parent,
        variables,
        after,
        limit: limit + 1,
    };
    let rows = store.search_wf_runs(&q)?;
    let (rows, bookmark) = finish_page(rows, limit, |(ms, key, _)| {
        vec![Json::from(*ms), Json::from(key.clone())]
    });
    Ok(WfRunIdList {
        results: rows.into_iter().map(|(_, _, id)| id).collect(),
        bookmark,
    })
}

/// SearchTaskRun.
pub(crate) fn search_task_run(
    e: &mut Engine,
    req: SearchTaskRunRequest,
) -> Result<TaskRunIdList, EngineError> {
    not_empty(&req.task_def_name, "task_def_name")?;
    let status = opt_enum_value::<TaskStatus>(req.status, "status")?;
    let limit = request::limit(req.limit)?;
    let after = match bookmark_key(req.bookmark.as_deref())? {
        Some(k) => Some((key_int(&k, 0)?, key_str(&k, 1)?, key_str(&k, 2)?)),
        None => None,
    };
    let q = TaskRunQuery {
        task_def: req.task_def_name,
        status: status.map(|s| s as i32),
        earliest_ms: req.earliest_start.as_ref().map(ts_to_ms),
        latest_ms: req.latest_start.as_ref().map(ts_to_ms),
        after,
        limit: limit + 1,
    };
    let rows = e.synced_store()?.search_task_runs(&q)?;
    let (rows, bookmark) = finish_page(rows, limit, |(ms, key, guid, _)| {
        vec![
            Json::from(*ms),
            Json::from(key.clone()),
            Json::from(guid.clone()),
        ]
    });
    Ok(TaskRunIdList {
        results: rows
            .into_iter()
            .map(|(_, _, guid, id)| TaskRunId {
                wf_run_id: Some(id),
                task_guid: guid,
            })
            .collect(),
        bookmark,
    })
}

/// SearchNodeRun: the EXTERNAL_EVENT NodeRuns waiting for (or having
/// received) events of an ExternalEventDef, the one criterion LittleHorse
/// indexes NodeRuns by. `status` STARTING (0, the proto default) means any
/// status: the kernel never stores a NodeRun in STARTING.
pub(crate) fn search_node_run(
    e: &mut Engine,
    req: SearchNodeRunRequest,
) -> Result<NodeRunIdList, EngineError> {
    let def = required(req.external_event_def, "external_event_def")?;
    not_empty(&def.name, "external_event_def.name")?;
    let status = request::enum_value::<LhStatus>(req.status, "status")?;
    let limit = request::limit(req.limit)?;
    let after = match bookmark_key(req.bookmark.as_deref())? {
        Some(k) => Some((
            key_int(&k, 0)?,
            key_str(&k, 1)?,
            int32(&k, 2)?,
            int32(&k, 3)?,
        )),
        None => None,
    };
    let q = NodeRunQuery {
        event_def: def.name,
        status: (status != LhStatus::Starting).then_some(status as i32),
        earliest_ms: req.earliest_start.as_ref().map(ts_to_ms),
        latest_ms: req.latest_start.as_ref().map(ts_to_ms),
        after,
        limit: limit + 1,
    };
    let rows = e.synced_store()?.search_event_node_runs(&q)?;
    let (rows, bookmark) = finish_page(rows, limit, |(ms, key, t, p, _)| {
        vec![
            Json::from(*ms),
            Json::from(key.clone()),
            Json::from(*t),
            Json::from(*p),
        ]
    });
    Ok(NodeRunIdList {
        results: rows
            .into_iter()
            .map(|(_, _, t, p, id)| NodeRunId {
                wf_run_id: Some(id),
                thread_run_number: t,
                position: p,
            })
            .collect(),
        bookmark,
    })
}

/// SearchVariable: the variables named `var_name` of WfRuns of a WfSpec
/// holding `value`. As in LittleHorse, the variable must be declared
/// `searchable`; JSON-path indexes (`name_$.path`) are not kept.
pub(crate) fn search_variable(
    e: &mut Engine,
    req: SearchVariableRequest,
) -> Result<VariableIdList, EngineError> {
    not_empty(&req.wf_spec_name, "wf_spec_name")?;
    not_empty(&req.var_name, "var_name")?;
    let value = required(req.value, "value")?;
    if value.value.is_none() {
        return Err(EngineError::invalid_argument(
            "value must not be NULL: NULL variables are not indexed",
        ));
    }
    if req.wf_spec_major_version.is_some() != req.wf_spec_revision.is_some() {
        return Err(EngineError::invalid_argument(
            "wf_spec_major_version and wf_spec_revision go together: set both or neither",
        ));
    }
    if req.var_name.contains("_$") {
        return Err(EngineError::unimplemented(
            "var_name: the embedded kernel keeps no JSON-path indexes (`name_$.path`)",
        ));
    }
    let limit = request::limit(req.limit)?;
    let after = match bookmark_key(req.bookmark.as_deref())? {
        Some(k) => Some((key_str(&k, 0)?, int32(&k, 1)?)),
        None => None,
    };
    let store = e.synced_store()?;
    let spec = spec_of(
        store,
        &req.wf_spec_name,
        req.wf_spec_major_version,
        req.wf_spec_revision,
    )?;
    let def = spec
        .thread_specs
        .values()
        .flat_map(|t| t.variable_defs.iter())
        .find(|v| var_name(v) == req.var_name)
        .ok_or_else(|| {
            EngineError::invalid_argument(format!(
                "var_name: WfSpec {} has no variable named {}",
                req.wf_spec_name, req.var_name
            ))
        })?;
    if !def.searchable {
        return Err(EngineError::invalid_argument(format!(
            "var_name: variable {} of WfSpec {} is not searchable (has no index)",
            req.var_name, req.wf_spec_name
        )));
    }
    let q = VariableQuery {
        value_key: search_key(value, def, "value")?,
        spec_name: req.wf_spec_name,
        major: req.wf_spec_major_version,
        revision: req.wf_spec_revision,
        name: req.var_name,
        after,
        limit: limit + 1,
    };
    let rows = store.search_variables(&q)?;
    let (rows, bookmark) = finish_page(rows, limit, |(key, v)| {
        let t = v.id.as_ref().map_or(0, |i| i.thread_run_number);
        vec![Json::from(key.clone()), Json::from(t)]
    });
    Ok(VariableIdList {
        results: rows.into_iter().filter_map(|(_, v)| v.id).collect(),
        bookmark,
    })
}
