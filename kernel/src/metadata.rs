//! Metadata objects: validation and versioning of TaskDef, ExternalEventDef,
//! WorkflowEventDef, UserTaskDef and StructDef puts (WfSpec lives in
//! [`crate::wfspec`]). Every function runs on the engine thread inside the
//! current transaction.

use crate::engine::{EngineError, ObjectKind};
use crate::storage::{Store, kind};
use crate::util::{is_valid_name, now_ts};
use lhw_proto::littlehorse::{
    ExternalEventDef, ExternalEventDefId, PutExternalEventDefRequest, PutStructDefRequest,
    PutTaskDefRequest, PutUserTaskDefRequest, PutWorkflowEventDefRequest, StructDef,
    StructDefCompatibilityType, StructDefId, TaskDef, TaskDefId, UserTaskDef, VariableType,
    WorkflowEventDef, WorkflowEventDefId,
};

/// Checks an object name, naming the offending field in the error.
pub(crate) fn check_name(field: &str, name: &str) -> Result<(), EngineError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(EngineError::invalid_argument(format!(
            "{field} \"{name}\" is invalid: it must be a valid hostname (letters, digits and '-', \
             starting and ending with a letter or digit)"
        )))
    }
}

/// A type definition's primitive type, if it names one, must be a known `VariableType`.
pub(crate) fn check_type_def(
    td: Option<&lhw_proto::littlehorse::TypeDefinition>,
    field: &str,
) -> Result<(), EngineError> {
    if let Some(lhw_proto::littlehorse::type_definition::DefinedType::PrimitiveType(t)) =
        td.and_then(|t| t.defined_type.as_ref())
    {
        crate::request::enum_value::<VariableType>(*t, &format!("{field}.primitive_type"))?;
    }
    Ok(())
}

fn check_return_type(
    rt: Option<&lhw_proto::littlehorse::ReturnType>,
    field: &str,
) -> Result<(), EngineError> {
    check_type_def(
        rt.and_then(|r| r.return_type.as_ref()),
        &format!("{field}.return_type"),
    )
}

/// PutTaskDef: TaskDefs are immutable; an identical re-put returns the stored one.
pub fn put_task_def(store: &Store, req: PutTaskDefRequest) -> Result<TaskDef, EngineError> {
    check_name("name", &req.name)?;
    let mut seen = std::collections::HashSet::new();
    for (i, var) in req.input_vars.iter().enumerate() {
        if var.name.is_empty() {
            return Err(EngineError::invalid_argument(format!(
                "input_vars[{i}].name must not be empty"
            )));
        }
        if !seen.insert(var.name.as_str()) {
            return Err(EngineError::invalid_argument(format!(
                "input_vars[{i}].name \"{}\" is declared twice",
                var.name
            )));
        }
    }
    for (i, var) in req.input_vars.iter().enumerate() {
        if let Some(t) = var.r#type {
            crate::request::enum_value::<VariableType>(t, &format!("input_vars[{i}].type"))?;
        }
        check_type_def(var.type_def.as_ref(), &format!("input_vars[{i}].type_def"))?;
    }
    check_return_type(req.return_type.as_ref(), "return_type")?;
    let mut input_vars = req.input_vars;
    for var in &mut input_vars {
        normalize_var_def(var);
    }
    let candidate = TaskDef {
        id: Some(TaskDefId {
            name: req.name.clone(),
        }),
        input_vars,
        created_at: None,
        return_type: req.return_type,
        description: req.description,
    };
    if let Some(old) = store.get_meta::<TaskDef>(kind::TASK_DEF, &req.name, 0, 0)? {
        let mut cmp = old.clone();
        cmp.created_at = None;
        if cmp == candidate {
            return Ok(old);
        }
        return Err(EngineError::already_exists(format!(
            "TaskDef [{}] already exists and is immutable.",
            req.name
        )));
    }
    let def = TaskDef {
        created_at: Some(now_ts()),
        ..candidate
    };
    store.put_meta(kind::TASK_DEF, &req.name, 0, 0, &def)?;
    Ok(def)
}

/// Converts the deprecated `type`/`masked_value` fields of a VariableDef into `type_def`,
/// and gives a VariableDef without a type JSON_OBJ, as LittleHorse stores it
/// (`TypeDefinitionModel#initFrom`: `DEFINEDTYPE_NOT_SET` becomes the primitive JSON_OBJ).
pub(crate) fn normalize_var_def(var: &mut lhw_proto::littlehorse::VariableDef) {
    use lhw_proto::littlehorse::{TypeDefinition, type_definition::DefinedType};
    if let Some(t) = var.r#type.take() {
        let masked = var.masked_value.take().unwrap_or(false);
        var.type_def = Some(TypeDefinition {
            masked,
            defined_type: Some(DefinedType::PrimitiveType(t)),
        });
    }
    let td = var.type_def.get_or_insert_with(TypeDefinition::default);
    if td.defined_type.is_none() {
        td.defined_type = Some(DefinedType::PrimitiveType(VariableType::JsonObj as i32));
    }
}

/// GetTaskDef.
pub(crate) fn get_task_def(store: &Store, name: &str) -> Result<TaskDef, EngineError> {
    store
        .get_meta(kind::TASK_DEF, name, 0, 0)?
        .ok_or_else(|| EngineError::not_found(ObjectKind::TaskDef, name))
}

/// DeleteTaskDef.
pub fn delete_task_def(store: &Store, name: &str) -> Result<(), EngineError> {
    delete(store, kind::TASK_DEF, name, 0, || {
        format!("TaskDef {name} not found")
    })
}

/// PutExternalEventDef: a put overwrites (keeping the first creation time).
pub fn put_external_event_def(
    store: &Store,
    req: PutExternalEventDefRequest,
) -> Result<ExternalEventDef, EngineError> {
    check_name("name", &req.name)?;
    check_return_type(req.content_type.as_ref(), "content_type")?;
    let old: Option<ExternalEventDef> =
        store.get_meta(kind::EXTERNAL_EVENT_DEF, &req.name, 0, 0)?;
    let def = ExternalEventDef {
        id: Some(ExternalEventDefId {
            name: req.name.clone(),
        }),
        created_at: old.and_then(|o| o.created_at).or_else(|| Some(now_ts())),
        retention_policy: req.retention_policy,
        type_information: req.content_type,
        correlated_event_config: req.correlated_event_config,
    };
    store.put_meta(kind::EXTERNAL_EVENT_DEF, &req.name, 0, 0, &def)?;
    Ok(def)
}

/// GetExternalEventDef.
pub(crate) fn get_external_event_def(
    store: &Store,
    name: &str,
) -> Result<ExternalEventDef, EngineError> {
    store
        .get_meta(kind::EXTERNAL_EVENT_DEF, name, 0, 0)?
        .ok_or_else(|| EngineError::not_found(ObjectKind::ExternalEventDef, name))
}

/// DeleteExternalEventDef (NOT_FOUND when it does not exist, as LittleHorse answers).
pub(crate) fn delete_external_event_def(store: &Store, name: &str) -> Result<(), EngineError> {
    delete(store, kind::EXTERNAL_EVENT_DEF, name, 0, || {
        format!("ExternalEventDef {name} not found")
    })
}

/// Deletes one metadata object, or answers NOT_FOUND with `missing()`.
fn delete(
    store: &Store,
    kind: &str,
    name: &str,
    version: i32,
    missing: impl FnOnce() -> String,
) -> Result<(), EngineError> {
    if store.delete_meta(kind, name, version, 0)? {
        Ok(())
    } else {
        Err(EngineError::missing(missing()))
    }
}

/// PutWorkflowEventDef: identical re-put returns the stored one, a different type is rejected.
pub(crate) fn put_workflow_event_def(
    store: &Store,
    req: PutWorkflowEventDefRequest,
) -> Result<WorkflowEventDef, EngineError> {
    check_name("name", &req.name)?;
    check_return_type(req.content_type.as_ref(), "content_type")?;
    if let Some(old) =
        store.get_meta::<WorkflowEventDef>(kind::WORKFLOW_EVENT_DEF, &req.name, 0, 0)?
    {
        if old.content_type == req.content_type {
            return Ok(old);
        }
        return Err(EngineError::already_exists(format!(
            "WorkflowEventDef [{}] already exists with a different content_type",
            req.name
        )));
    }
    let def = WorkflowEventDef {
        id: Some(WorkflowEventDefId {
            name: req.name.clone(),
        }),
        created_at: Some(now_ts()),
        content_type: req.content_type,
    };
    store.put_meta(kind::WORKFLOW_EVENT_DEF, &req.name, 0, 0, &def)?;
    Ok(def)
}

/// GetWorkflowEventDef.
pub(crate) fn get_workflow_event_def(
    store: &Store,
    name: &str,
) -> Result<WorkflowEventDef, EngineError> {
    store
        .get_meta(kind::WORKFLOW_EVENT_DEF, name, 0, 0)?
        .ok_or_else(|| EngineError::not_found(ObjectKind::WorkflowEventDef, name))
}

/// DeleteWorkflowEventDef.
pub(crate) fn delete_workflow_event_def(store: &Store, name: &str) -> Result<(), EngineError> {
    delete(store, kind::WORKFLOW_EVENT_DEF, name, 0, || {
        format!("WorkflowEventDef {name} not found")
    })
}

/// PutUserTaskDef: version 0 first, +1 on every change, identical re-put returns the latest.
pub(crate) fn put_user_task_def(
    store: &Store,
    req: PutUserTaskDefRequest,
) -> Result<UserTaskDef, EngineError> {
    check_name("name", &req.name)?;
    let mut seen = std::collections::HashSet::new();
    for (i, f) in req.fields.iter().enumerate() {
        if f.name.is_empty() {
            return Err(EngineError::invalid_argument(format!(
                "fields[{i}].name must not be empty"
            )));
        }
        if !seen.insert(f.name.as_str()) {
            return Err(EngineError::invalid_argument(format!(
                "fields[{i}].name \"{}\" is declared twice",
                f.name
            )));
        }
        let ok = matches!(
            VariableType::try_from(f.r#type),
            Ok(VariableType::Str | VariableType::Bool | VariableType::Int | VariableType::Double)
        );
        if !ok {
            return Err(EngineError::invalid_argument(format!(
                "fields[{i}].type must be STR, BOOL, INT or DOUBLE"
            )));
        }
    }
    let latest: Option<UserTaskDef> = store.latest_meta(kind::USER_TASK_DEF, &req.name, None)?;
    if let Some(old) = &latest
        && old.fields == req.fields
        && old.description == req.description
    {
        return Ok(old.clone());
    }
    let def = UserTaskDef {
        name: req.name.clone(),
        version: latest.map_or(0, |o| o.version + 1),
        description: req.description,
        fields: req.fields,
        created_at: Some(now_ts()),
    };
    store.put_meta(kind::USER_TASK_DEF, &req.name, def.version, 0, &def)?;
    Ok(def)
}

/// GetUserTaskDef (exact version).
pub(crate) fn get_user_task_def(
    store: &Store,
    name: &str,
    version: i32,
) -> Result<UserTaskDef, EngineError> {
    store
        .get_meta(kind::USER_TASK_DEF, name, version, 0)?
        .ok_or_else(|| {
            EngineError::not_found(ObjectKind::UserTaskDef, format!("{name} version {version}"))
        })
}

/// GetLatestUserTaskDef.
pub(crate) fn get_latest_user_task_def(
    store: &Store,
    name: &str,
) -> Result<UserTaskDef, EngineError> {
    store
        .latest_meta(kind::USER_TASK_DEF, name, None)?
        .ok_or_else(|| EngineError::not_found(ObjectKind::UserTaskDef, name))
}

/// DeleteUserTaskDef (one version).
pub(crate) fn delete_user_task_def(
    store: &Store,
    name: &str,
    version: i32,
) -> Result<(), EngineError> {
    delete(store, kind::USER_TASK_DEF, name, version, || {
        format!("UserTaskDef {name} version {version} not found")
    })
}

fn is_camel_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// PutStructDef: version 0 first; a changed schema or description makes a new
/// version, and a schema change must respect `allowed_updates`.
pub(crate) fn put_struct_def(
    store: &Store,
    req: PutStructDefRequest,
) -> Result<StructDef, EngineError> {
    check_name("name", &req.name)?;
    let schema = req
        .struct_def
        .ok_or_else(|| EngineError::invalid_argument("struct_def must be set"))?;
    crate::request::enum_value::<StructDefCompatibilityType>(
        req.allowed_updates,
        "allowed_updates",
    )?;
    for name in schema.fields.keys() {
        if !is_camel_case(name) {
            return Err(EngineError::invalid_argument(format!(
                "struct_def.fields: field name \"{name}\" must be camelCase (start with a lowercase \
                 letter, letters and digits only)"
            )));
        }
    }
    let latest: Option<StructDef> = store.latest_meta(kind::STRUCT_DEF, &req.name, None)?;
    let version = match &latest {
        None => 0,
        Some(old) => {
            let old_schema = old.struct_def.clone().unwrap_or_default();
            if old_schema == schema && old.description == req.description {
                return Ok(old.clone());
            }
            if old_schema != schema {
                let compat = StructDefCompatibilityType::try_from(req.allowed_updates)
                    .unwrap_or(StructDefCompatibilityType::NoSchemaUpdates);
                let compatible = compat == StructDefCompatibilityType::FullyCompatibleSchemaUpdates
                    && old_schema.fields.iter().all(|(k, f)| {
                        schema
                            .fields
                            .get(k)
                            .is_some_and(|g| g.field_type == f.field_type)
                    })
                    && schema.fields.iter().all(|(k, f)| {
                        old_schema.fields.contains_key(k)
                            || f.default_value.is_some()
                            || f.is_nullable
                    });
                if !compatible {
                    return Err(EngineError::failed_precondition(format!(
                        "StructDef [{}]: the schema change is not allowed by allowed_updates",
                        req.name
                    )));
                }
            }
            old.id.as_ref().map_or(0, |i| i.version) + 1
        }
    };
    let def = StructDef {
        id: Some(StructDefId {
            name: req.name.clone(),
            version,
        }),
        description: req.description,
        created_at: Some(now_ts()),
        struct_def: Some(schema),
    };
    store.put_meta(kind::STRUCT_DEF, &req.name, version, 0, &def)?;
    Ok(def)
}

/// GetStructDef (version -1 = latest).
pub(crate) fn get_struct_def(
    store: &Store,
    name: &str,
    version: i32,
) -> Result<StructDef, EngineError> {
    let found = if version < 0 {
        store.latest_meta(kind::STRUCT_DEF, name, None)?
    } else {
        store.get_meta(kind::STRUCT_DEF, name, version, 0)?
    };
    found.ok_or_else(|| {
        EngineError::not_found(ObjectKind::StructDef, format!("{name} version {version}"))
    })
}

/// DeleteStructDef (one version).
pub(crate) fn delete_struct_def(
    store: &Store,
    name: &str,
    version: i32,
) -> Result<(), EngineError> {
    delete(store, kind::STRUCT_DEF, name, version, || {
        format!("StructDef {name} version {version} not found")
    })
}
