//! `lhc get taskdef|event-def|workflow-event-def|user-task-def|struct-def`: one metadata
//! object for people (a TaskDef as a signature, a form's fields, a struct's fields), or its
//! protobuf JSON with `--format json`. A name the server does not know gets the closest
//! deployed name of that kind as a "did you mean".

use lhw_proto::littlehorse::search_struct_def_request::StructDefCriteria;
use lhw_proto::littlehorse::{
    ExternalEventDef, ExternalEventDefId, GetLatestUserTaskDefRequest, ReturnType,
    SearchStructDefRequest, StructDef, StructDefId, TaskDef, TaskDefId, UserTaskDef, UserTaskDefId,
    WorkflowEventDef, WorkflowEventDefId, external_event_retention_policy,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::values::{type_name, type_of};
use tonic::Code;

use super::Format;
use super::exec::{Fail, Res, all_pages, rpc};
use super::list_defs::{DefKind, names};
use super::render::{fields, opt, print_json, print_text, shown, table, time};
use super::user_task::field_type;

/// A failed Get*: NOT_FOUND names the closest deployed object of that kind.
async fn missing(client: &LhClient, kind: DefKind, name: &str, e: tonic::Status) -> Fail {
    if e.code() != Code::NotFound {
        return Fail::Client(format!("{} `{name}`", kind.title()), rpc(e));
    }
    let mut msg = format!(
        "no {} `{name}` on {} (see `lhc list {}`)",
        kind.title(),
        client.target(),
        kind.list_verb()
    );
    if let Ok(known) = names(client, kind).await {
        let exact = known.iter().any(|n| n == name);
        if !exact
            && let Some(c) = lhw_compiler::check::closest(name, known.iter().map(String::as_str))
        {
            msg.push_str(&format!("\n  help: did you mean `{c}`?"));
        }
    }
    Fail::Msg(msg)
}

/// `NAME: TYPE` of a return type; `None` for a void one.
fn return_text(r: Option<&ReturnType>) -> Option<String> {
    r.and_then(|r| r.return_type.as_ref()).map(type_name)
}

/// `lhc get taskdef NAME`.
pub(crate) async fn get_task_def(client: &LhClient, format: Format, name: &str) -> Res {
    let def = match client
        .raw()
        .get_task_def(TaskDefId { name: name.into() })
        .await
    {
        Ok(d) => d.into_inner(),
        Err(e) => return Err(missing(client, DefKind::Task, name, e).await),
    };
    if format == Format::Json {
        return print_json(&def);
    }
    print_text(&task_def_text(&def));
    Ok(())
}

/// `greet(name: str, card: str masked) -> str`, then the description and creation time.
pub(crate) fn task_def_text(def: &TaskDef) -> String {
    let name = def.id.as_ref().map_or_else(String::new, |i| i.name.clone());
    let params: Vec<String> = def
        .input_vars
        .iter()
        .map(|v| {
            let t = type_of(v);
            let masked = v.masked_value == Some(true) || t.as_ref().is_some_and(|t| t.masked);
            format!(
                "{}: {}{}",
                v.name,
                t.as_ref().map_or_else(|| "any".into(), type_name),
                if masked { " masked" } else { "" }
            )
        })
        .collect();
    let mut signature = format!("{name}({})", params.join(", "));
    if let Some(r) = return_text(def.return_type.as_ref()) {
        signature.push_str(&format!(" -> {r}"));
    }
    fields(&[
        ("TaskDef", signature),
        ("description", opt(def.description.as_ref())),
        ("created", time(def.created_at.as_ref())),
    ])
}

/// `lhc get event-def NAME`.
pub(crate) async fn get_event_def(client: &LhClient, format: Format, name: &str) -> Res {
    let def = match client
        .raw()
        .get_external_event_def(ExternalEventDefId { name: name.into() })
        .await
    {
        Ok(d) => d.into_inner(),
        Err(e) => return Err(missing(client, DefKind::Event, name, e).await),
    };
    if format == Format::Json {
        return print_json(&def);
    }
    print_text(&event_def_text(&def));
    Ok(())
}

fn event_def_text(def: &ExternalEventDef) -> String {
    use external_event_retention_policy::ExtEvtGcPolicy;
    let correlated = match &def.correlated_event_config {
        None => "no".to_string(),
        Some(c) => {
            let mut parts = vec!["yes".to_string()];
            if let Some(ttl) = c.ttl_seconds {
                parts.push(format!("kept {ttl} s"));
            }
            if c.delete_after_first_correlation {
                parts.push("deleted after the first correlation".into());
            }
            parts.join(", ")
        }
    };
    let retention = match def
        .retention_policy
        .as_ref()
        .and_then(|p| p.ext_evt_gc_policy.as_ref())
    {
        Some(ExtEvtGcPolicy::SecondsAfterPut(s)) => format!("{s} s after it is posted"),
        None => "until its WfRun is deleted".into(),
    };
    fields(&[
        (
            "ExternalEventDef",
            def.id.as_ref().map_or_else(String::new, |i| i.name.clone()),
        ),
        (
            "content",
            return_text(def.type_information.as_ref()).unwrap_or_else(|| "any".into()),
        ),
        ("correlated", correlated),
        ("retention", retention),
        ("created", time(def.created_at.as_ref())),
    ])
}

/// `lhc get workflow-event-def NAME`.
pub(crate) async fn get_workflow_event_def(client: &LhClient, format: Format, name: &str) -> Res {
    let def = match client
        .raw()
        .get_workflow_event_def(WorkflowEventDefId { name: name.into() })
        .await
    {
        Ok(d) => d.into_inner(),
        Err(e) => return Err(missing(client, DefKind::WorkflowEvent, name, e).await),
    };
    if format == Format::Json {
        return print_json(&def);
    }
    print_text(&workflow_event_def_text(&def));
    Ok(())
}

fn workflow_event_def_text(def: &WorkflowEventDef) -> String {
    fields(&[
        (
            "WorkflowEventDef",
            def.id.as_ref().map_or_else(String::new, |i| i.name.clone()),
        ),
        (
            "content",
            return_text(def.content_type.as_ref()).unwrap_or_else(|| "none".into()),
        ),
        ("created", time(def.created_at.as_ref())),
    ])
}

/// `lhc get user-task-def NAME [VERSION]` (GetUserTaskDef, or GetLatestUserTaskDef).
pub(crate) async fn get_user_task_def(
    client: &LhClient,
    format: Format,
    name: &str,
    version: Option<i32>,
) -> Res {
    let answer = match version {
        Some(version) => {
            client
                .raw()
                .get_user_task_def(UserTaskDefId {
                    name: name.into(),
                    version,
                })
                .await
        }
        None => {
            client
                .raw()
                .get_latest_user_task_def(GetLatestUserTaskDefRequest { name: name.into() })
                .await
        }
    };
    let def = match answer {
        Ok(d) => d.into_inner(),
        Err(e) => return Err(missing(client, DefKind::UserTask, name, e).await),
    };
    if format == Format::Json {
        return print_json(&def);
    }
    print_text(&user_task_def_text(&def));
    Ok(())
}

fn user_task_def_text(def: &UserTaskDef) -> String {
    let mut text = fields(&[
        ("UserTaskDef", format!("{} {}", def.name, def.version)),
        ("description", opt(def.description.as_ref())),
        ("created", time(def.created_at.as_ref())),
    ]);
    let rows: Vec<Vec<String>> = def
        .fields
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                type_name(&field_type(f.r#type)),
                if f.required { "required" } else { "-" }.into(),
                if f.display_name.is_empty() {
                    "-".into()
                } else {
                    f.display_name.clone()
                },
                opt(f.description.as_ref()),
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&table(
        &["FIELD", "TYPE", "REQUIRED", "DISPLAY NAME", "DESCRIPTION"],
        &rows,
    ));
    text
}

/// `lhc get struct-def NAME [VERSION]`: without a version, the newest one (SearchStructDef by
/// name, then GetStructDef).
pub(crate) async fn get_struct_def(
    client: &LhClient,
    format: Format,
    name: &str,
    version: Option<i32>,
) -> Res {
    let version = match version {
        Some(v) => v,
        None => {
            let ids: Vec<StructDefId> = all_pages(usize::MAX, async |bookmark, _| {
                let page = client
                    .raw()
                    .search_struct_def(SearchStructDefRequest {
                        bookmark,
                        limit: None,
                        struct_def_criteria: Some(StructDefCriteria::Name(name.into())),
                    })
                    .await
                    .map_err(|e| Fail::Client("SearchStructDef".into(), rpc(e)))?
                    .into_inner();
                Ok((page.results, page.bookmark))
            })
            .await?;
            match ids
                .iter()
                .filter(|i| i.name == name)
                .map(|i| i.version)
                .max()
            {
                Some(v) => v,
                None => {
                    let e = tonic::Status::not_found(format!("StructDef {name}"));
                    return Err(missing(client, DefKind::Struct, name, e).await);
                }
            }
        }
    };
    let def = match client
        .raw()
        .get_struct_def(StructDefId {
            name: name.into(),
            version,
        })
        .await
    {
        Ok(d) => d.into_inner(),
        Err(e) => return Err(missing(client, DefKind::Struct, name, e).await),
    };
    if format == Format::Json {
        return print_json(&def);
    }
    print_text(&struct_def_text(&def));
    Ok(())
}

fn struct_def_text(def: &StructDef) -> String {
    let id = def.id.clone().unwrap_or_default();
    let mut text = fields(&[
        ("StructDef", format!("{} {}", id.name, id.version)),
        ("description", opt(def.description.as_ref())),
        ("created", time(def.created_at.as_ref())),
    ]);
    // `fields` is a map: sorted by name so the output is stable.
    let mut entries: Vec<_> = def
        .struct_def
        .as_ref()
        .map(|s| s.fields.iter().collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let rows: Vec<Vec<String>> = entries
        .into_iter()
        .map(|(name, f)| {
            let t = f.field_type.as_ref();
            vec![
                name.clone(),
                t.map_or_else(|| "any".into(), type_name),
                if f.is_nullable { "yes" } else { "no" }.into(),
                match &f.default_value {
                    Some(v) => shown(Some(v), t.is_some_and(|t| t.masked)),
                    None => "-".into(),
                },
                opt(f.description.as_ref()),
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&table(
        &["FIELD", "TYPE", "NULLABLE", "DEFAULT", "DESCRIPTION"],
        &rows,
    ));
    text
}
