//! `lhc user-task`: listing, assigning and completing UserTaskRuns; saving progress is in
//! [`super::user_task_save`].

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use lhw_proto::littlehorse::type_definition::DefinedType;
use lhw_proto::littlehorse::user_task_event;
use lhw_proto::littlehorse::{
    AssignUserTaskRunRequest, CancelUserTaskRunRequest, CompleteUserTaskRunRequest,
    PutUserTaskRunCommentRequest, SearchUserTaskRunRequest, TypeDefinition, UserTaskDef,
    UserTaskRun, UserTaskRunId, UserTaskRunStatus, VariableValue,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::ids::wf_run_id_text;
use lhw_runtime_client::values::{format_value, parse_value, type_name};

use super::assign::{self, split, unknown};
use super::exec::{Fail, Res, all_pages, execute, rpc, wf_run_id};
use super::render::{fields, opt, print_json, print_text, table, time, user_task_status_name};
use super::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc user-task`.
#[derive(Debug, Args)]
pub struct UserTaskArgs {
    /// What to do.
    #[command(subcommand)]
    pub what: UserTaskCommand,
}

/// `lhc user-task ...`.
#[derive(Debug, Subcommand)]
pub enum UserTaskCommand {
    /// UserTaskRuns, optionally of one user or group (SearchUserTaskRun).
    List {
        /// Only tasks assigned to this user.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Only tasks of this group.
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Only tasks with this status.
        #[arg(long, value_enum, ignore_case = true)]
        status: Option<TaskRunStatus>,
        /// Only tasks of this UserTaskDef.
        #[arg(long = "def", value_name = "NAME")]
        def: Option<String>,
        /// At most this many tasks.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Assign a UserTaskRun to a user and/or group (AssignUserTaskRun).
    #[command(group(ArgGroup::new("owner").required(true).multiple(true).args(["user", "group"])))]
    Assign {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID (see `lhc user-task list`).
        #[arg(value_name = "GUID")]
        guid: String,
        /// The user.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// The group.
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Take the task even if another user holds it.
        #[arg(long)]
        override_claim: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Complete a UserTaskRun with its form results (CompleteUserTaskRun).
    #[command(
        long_about = "Complete the UserTaskRun GUID of WFRUN. Each `--result field=value` is \
            parsed according to the field's type in the UserTaskDef; every required field \
            must be given. The completing user is `--user`, or else the assigned user; a task \
            assigned only to a group needs `--user`. A task that is already DONE or CANCELLED \
            is an error."
    )]
    Complete {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID.
        #[arg(value_name = "GUID")]
        guid: String,
        /// A form field result, `field=value` (repeatable).
        #[arg(long = "result", value_name = "FIELD=VALUE", value_parser = crate::usage::name_value)]
        results: Vec<String>,
        /// The user completing the task.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Complete a UserTaskRun by answering a prompt per form field, as `lhctl execute userTaskRun`.
    Execute {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID (see `lhc user-task list`).
        #[arg(value_name = "GUID")]
        guid: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Save answers on a UserTaskRun without completing it (SaveUserTaskRunProgress).
    Save {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID (see `lhc user-task list`).
        #[arg(value_name = "GUID")]
        guid: String,
        /// A field's value, `FIELD=VALUE`, parsed by the field's type (repeatable).
        #[arg(long = "result", value_name = "FIELD=VALUE", required = true, value_parser = crate::usage::name_value)]
        results: Vec<String>,
        /// Who saves it (default: the assigned user).
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Save even if the task is claimed by another user (policy IGNORE_CLAIM).
        #[arg(long)]
        ignore_claim: bool,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// One UserTaskRun: its form results, notes and history (GetUserTaskRun).
    Get {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID.
        #[arg(value_name = "GUID")]
        guid: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Cancel a UserTaskRun (CancelUserTaskRun): the waiting thread fails with
    /// USER_TASK_CANCELLED unless the workflow handles it.
    Cancel {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID.
        #[arg(value_name = "GUID")]
        guid: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
    /// Add a comment to a UserTaskRun (PutUserTaskRunComment).
    Comment {
        /// The WfRun id.
        #[arg(value_name = "WFRUN")]
        wf_run: String,
        /// The UserTaskRun GUID.
        #[arg(value_name = "GUID")]
        guid: String,
        /// The comment.
        #[arg(value_name = "TEXT")]
        text: String,
        /// Who comments.
        #[arg(long, value_name = "USER")]
        user: String,
        /// Shared options.
        #[command(flatten)]
        common: Common,
    },
}

/// A UserTaskRun status, for `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskRunStatus {
    /// UNASSIGNED.
    Unassigned,
    /// ASSIGNED.
    Assigned,
    /// DONE.
    Done,
    /// CANCELLED.
    Cancelled,
}

impl TaskRunStatus {
    fn proto(self) -> UserTaskRunStatus {
        match self {
            TaskRunStatus::Unassigned => UserTaskRunStatus::Unassigned,
            TaskRunStatus::Assigned => UserTaskRunStatus::Assigned,
            TaskRunStatus::Done => UserTaskRunStatus::Done,
            TaskRunStatus::Cancelled => UserTaskRunStatus::Cancelled,
        }
    }
}

/// Runs `lhc user-task`.
pub(crate) fn run(args: &UserTaskArgs, style: Style) -> ExitCode {
    match &args.what {
        UserTaskCommand::Get {
            wf_run,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            let run = get_user_task_run(c, &user_task_run_id(wf_run, guid)).await?;
            if f == Format::Json {
                return print_json(&run);
            }
            print_text(&user_task_text(&run));
            Ok(())
        }),
        UserTaskCommand::Save {
            wf_run,
            guid,
            results,
            user,
            ignore_claim,
            common,
        } => execute(common, style, async |c, f| {
            let save = super::user_task_save::Save {
                wf_run,
                guid,
                results,
                user: user.as_deref(),
                ignore_claim: *ignore_claim,
            };
            super::user_task_save::save_progress(c, f, save).await
        }),
        UserTaskCommand::Cancel {
            wf_run,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            let id = user_task_run_id(wf_run, guid);
            get_user_task_run(c, &id).await?;
            c.raw()
                .cancel_user_task_run(CancelUserTaskRunRequest {
                    user_task_run_id: Some(id.clone()),
                })
                .await
                .map_err(|e| Fail::Client(format!("UserTaskRun `{guid}`"), rpc(e)))?;
            let run = get_user_task_run(c, &id).await?;
            if f == Format::Json {
                return print_json(&run);
            }
            println!(
                "cancelled UserTaskRun {guid} of WfRun {wf_run}: now {}",
                user_task_status_name(run.status)
            );
            Ok(())
        }),
        UserTaskCommand::Comment {
            wf_run,
            guid,
            text,
            user,
            common,
        } => execute(common, style, async |c, f| {
            let run = c
                .raw()
                .put_user_task_run_comment(PutUserTaskRunCommentRequest {
                    user_task_run_id: Some(user_task_run_id(wf_run, guid)),
                    user_id: user.clone(),
                    comment: text.clone(),
                })
                .await
                .map_err(|e| {
                    Fail::Client(format!("UserTaskRun `{guid}` of WfRun `{wf_run}`"), rpc(e))
                })?
                .into_inner();
            if f == Format::Json {
                return print_json(&run);
            }
            println!("commented on UserTaskRun {guid} of WfRun {wf_run} as {user}");
            Ok(())
        }),
        UserTaskCommand::List {
            user,
            group,
            status,
            def,
            limit,
            common,
        } => execute(common, style, async |c, f| {
            if let Some(name) = def {
                known_user_task_def(c, name).await?;
            }
            let req = SearchUserTaskRunRequest {
                bookmark: None,
                limit: None,
                status: status.map(|s| s.proto() as i32),
                user_task_def_name: def.clone(),
                user_id: user.clone(),
                user_group: group.clone(),
                earliest_start: None,
                latest_start: None,
            };
            list_user_tasks(c, f, req, *limit).await
        }),
        UserTaskCommand::Assign {
            wf_run,
            guid,
            user,
            group,
            override_claim,
            common,
        } => execute(common, style, async |c, f| {
            let req = AssignUserTaskRunRequest {
                user_task_run_id: Some(user_task_run_id(wf_run, guid)),
                override_claim: *override_claim,
                user_group: group.clone(),
                user_id: user.clone(),
            };
            assign_user_task(c, f, req).await
        }),
        UserTaskCommand::Complete {
            wf_run,
            guid,
            results,
            user,
            common,
        } => execute(common, style, async |c, f| {
            complete_user_task(c, f, wf_run, guid, results, user.as_deref()).await
        }),
        UserTaskCommand::Execute {
            wf_run,
            guid,
            common,
        } => execute(common, style, async |c, f| {
            super::user_task_execute::execute_user_task(c, f, wf_run, guid).await
        }),
    }
}

/// A UserTaskRun for people: who, status, results, notes and its history.
fn user_task_text(run: &UserTaskRun) -> String {
    let id = run.id.as_ref();
    let results = run
        .results
        .iter()
        .map(|(k, v)| format!("{k} = {}", format_value(Some(v))))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = fields(&[
        (
            "UserTaskRun",
            id.map_or_else(String::new, |i| i.user_task_guid.clone()),
        ),
        (
            "WfRun",
            id.and_then(|i| i.wf_run_id.as_ref())
                .map_or_else(String::new, wf_run_id_text),
        ),
        (
            "UserTaskDef",
            run.user_task_def_id
                .as_ref()
                .map_or_else(String::new, |d| format!("{} {}", d.name, d.version)),
        ),
        ("status", user_task_status_name(run.status).into()),
        ("user", opt(run.user_id.as_ref())),
        ("group", opt(run.user_group.as_ref())),
        ("scheduled", time(run.scheduled_time.as_ref())),
        ("notes", opt(run.notes.as_ref())),
        (
            "results",
            if results.is_empty() {
                "-".into()
            } else {
                results
            },
        ),
    ]);
    let rows: Vec<Vec<String>> = run
        .events
        .iter()
        .map(|e| vec![time(e.time.as_ref()), event_text(e.event.as_ref())])
        .collect();
    if !rows.is_empty() {
        text.push('\n');
        text.push_str(&table(&["TIME", "EVENT"], &rows));
    }
    text
}

fn event_text(e: Option<&user_task_event::Event>) -> String {
    use user_task_event::Event;
    match e {
        Some(Event::TaskExecuted(t)) => format!(
            "task {}",
            t.task_run.as_ref().map_or("", |r| r.task_guid.as_str())
        ),
        Some(Event::Assigned(a)) => format!(
            "assigned to user {}, group {}",
            opt(a.new_user_id.as_ref()),
            opt(a.new_user_group.as_ref())
        ),
        Some(Event::Cancelled(c)) => format!("cancelled: {}", c.message),
        Some(Event::Saved(s)) => format!("saved by {}", s.user_id),
        Some(Event::CommentAdded(c)) => format!("{} commented: {}", c.user_id, c.comment),
        Some(Event::CommentEdited(c)) => format!("{} edited a comment: {}", c.user_id, c.comment),
        Some(Event::CommentDeleted(c)) => {
            format!("{} deleted comment {}", c.user_id, c.user_comment_id)
        }
        Some(Event::Completed(_)) => "completed".into(),
        None => "-".into(),
    }
}

pub(crate) fn user_task_run_id(wf_run: &str, guid: &str) -> UserTaskRunId {
    UserTaskRunId {
        wf_run_id: Some(wf_run_id(wf_run)),
        user_task_guid: guid.into(),
    }
}

pub(crate) async fn get_user_task_run(
    client: &LhClient,
    id: &UserTaskRunId,
) -> Result<UserTaskRun, Fail> {
    let wf = id.wf_run_id.as_ref().map_or("", |w| w.id.as_str());
    let mut raw = client.raw();
    match raw.get_user_task_run(id.clone()).await {
        Ok(r) => Ok(r.into_inner()),
        Err(e) if e.code() == tonic::Code::NotFound => {
            Err(unknown_user_task_run(client, wf, &id.user_task_guid, e).await)
        }
        Err(e) => Err(Fail::Client(
            format!("UserTaskRun `{}` of WfRun `{wf}`", id.user_task_guid),
            rpc(e),
        )),
    }
}

/// A GUID the WfRun has no UserTaskRun under: the run's user tasks (GUID, form, status) and
/// the closest GUID, or that the WfRun itself does not exist.
async fn unknown_user_task_run(client: &LhClient, wf: &str, guid: &str, e: tonic::Status) -> Fail {
    let not_found = || {
        Fail::Client(
            format!("UserTaskRun `{guid}` of WfRun `{wf}`"),
            rpc(e.clone()),
        )
    };
    if let Err(run_err) = client.get_wf_run(wf).await {
        return Fail::Client(format!("WfRun `{wf}`"), run_err);
    }
    let Ok(page) = client
        .raw()
        .list_user_task_runs(lhw_proto::littlehorse::ListUserTaskRunRequest {
            wf_run_id: Some(wf_run_id(wf)),
            bookmark: None,
            limit: Some(100),
        })
        .await
    else {
        return not_found();
    };
    let runs = page.into_inner().results;
    let guids: Vec<String> = runs
        .iter()
        .filter_map(|r| r.id.as_ref().map(|i| i.user_task_guid.clone()))
        .collect();
    let listed: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "{} ({}, {})",
                r.id.as_ref().map_or("", |i| i.user_task_guid.as_str()),
                r.user_task_def_id.as_ref().map_or("", |d| d.name.as_str()),
                user_task_status_name(r.status)
            )
        })
        .collect();
    let mut msg = format!(
        "WfRun {wf} has no UserTaskRun `{guid}` (its user tasks: {})",
        if listed.is_empty() {
            "none".to_string()
        } else {
            listed.join(", ")
        }
    );
    if let Some(c) = lhw_compiler::check::closest(guid, guids.iter().map(String::as_str)) {
        msg.push_str(&format!("\n  help: did you mean `{c}`?"));
    }
    Fail::Msg(msg)
}

pub(crate) async fn list_user_tasks(
    client: &LhClient,
    format: Format,
    req: SearchUserTaskRunRequest,
    limit: usize,
) -> Res {
    let ids = all_pages(limit, async |bookmark, room| {
        let page = client
            .raw()
            .search_user_task_run(SearchUserTaskRunRequest {
                bookmark,
                limit: Some(i32::try_from(room).unwrap_or(i32::MAX).min(1000)),
                ..req.clone()
            })
            .await
            .map_err(|e| Fail::Client("SearchUserTaskRun".into(), rpc(e)))?
            .into_inner();
        Ok((page.results, page.bookmark))
    })
    .await?;
    let mut runs = Vec::new();
    for id in &ids {
        runs.push(get_user_task_run(client, id).await?);
    }
    if format == Format::Json {
        return print_json(&runs);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let id = r.id.as_ref();
            vec![
                id.and_then(|i| i.wf_run_id.as_ref())
                    .map_or_else(String::new, wf_run_id_text),
                id.map_or_else(String::new, |i| i.user_task_guid.clone()),
                r.user_task_def_id
                    .as_ref()
                    .map_or_else(String::new, |d| d.name.clone()),
                user_task_status_name(r.status).into(),
                opt(r.user_id.as_ref()),
                opt(r.user_group.as_ref()),
                time(r.scheduled_time.as_ref()),
            ]
        })
        .collect();
    print_text(&table(
        &[
            "WFRUN",
            "GUID",
            "USER TASK",
            "STATUS",
            "USER",
            "GROUP",
            "SCHEDULED",
        ],
        &rows,
    ));
    Ok(())
}

pub(crate) async fn assign_user_task(
    client: &LhClient,
    format: Format,
    req: AssignUserTaskRunRequest,
) -> Res {
    let id = req.user_task_run_id.clone().unwrap_or_default();
    // Reading it first gives an unknown GUID a clear NOT_FOUND.
    get_user_task_run(client, &id).await?;
    let mut raw = client.raw();
    raw.assign_user_task_run(req)
        .await
        .map_err(|e| Fail::Client(format!("UserTaskRun `{}`", id.user_task_guid), rpc(e)))?;
    let run = get_user_task_run(client, &id).await?;
    if format == Format::Json {
        return print_json(&run);
    }
    println!(
        "assigned UserTaskRun {} to user {}, group {}: now {}",
        id.user_task_guid,
        opt(run.user_id.as_ref()),
        opt(run.user_group.as_ref()),
        user_task_status_name(run.status)
    );
    Ok(())
}

/// The type of a user-task form field.
pub(crate) fn field_type(t: i32) -> TypeDefinition {
    TypeDefinition {
        defined_type: Some(DefinedType::PrimitiveType(t)),
        masked: false,
    }
}

pub(crate) async fn complete_user_task(
    client: &LhClient,
    format: Format,
    wf_run: &str,
    guid: &str,
    results: &[String],
    user: Option<&str>,
) -> Res {
    let id = user_task_run_id(wf_run, guid);
    let run = get_user_task_run(client, &id).await?;
    if matches!(
        UserTaskRunStatus::try_from(run.status),
        Ok(UserTaskRunStatus::Done | UserTaskRunStatus::Cancelled)
    ) {
        let by = run
            .user_id
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| format!(" (by {u})"))
            .unwrap_or_default();
        return Err(Fail::Msg(format!(
            "UserTaskRun {guid} of WfRun {wf_run} is already {}{by}: nothing was changed",
            user_task_status_name(run.status)
        )));
    }
    let (def, values) = parse_results(client, &run, results).await?;
    let mut raw = client.raw();
    let missing: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| f.required && !values.contains_key(&f.name))
        .map(|f| f.name.as_str())
        .collect();
    if !missing.is_empty() {
        let owner = format!("user task `{}`", def.name);
        return Err(Fail::Msg(assign::missing(&owner, "--result", &missing)));
    }
    let Some(user_id) = user
        .map(str::to_string)
        .or_else(|| run.user_id.clone())
        .filter(|u| !u.is_empty())
    else {
        return Err(Fail::Msg(format!(
            "UserTaskRun {guid} is assigned to group {} and no user: say who completes it with \
             --user USER (it is recorded as the user who did the task)",
            opt(run.user_group.as_ref())
        )));
    };
    raw.complete_user_task_run(CompleteUserTaskRunRequest {
        user_task_run_id: Some(id.clone()),
        results: values,
        user_id,
    })
    .await
    .map_err(|e| Fail::Client(format!("UserTaskRun `{guid}`"), rpc(e)))?;
    let done = get_user_task_run(client, &id).await?;
    if format == Format::Json {
        return print_json(&done);
    }
    println!(
        "completed UserTaskRun {guid} of WfRun {wf_run}: now {}",
        user_task_status_name(done.status)
    );
    Ok(())
}

/// The UserTaskDef of `run` and each `--result FIELD=VALUE` parsed by the field's type in it
/// (an unknown field gets a "did you mean", a field given twice is an error).
pub(crate) async fn parse_results(
    client: &LhClient,
    run: &UserTaskRun,
    results: &[String],
) -> Result<(UserTaskDef, BTreeMap<String, VariableValue>), Fail> {
    let def_id = run.user_task_def_id.clone().unwrap_or_default();
    let def = client
        .raw()
        .get_user_task_def(def_id.clone())
        .await
        .map_err(|e| Fail::Client(format!("UserTaskDef `{}`", def_id.name), rpc(e)))?
        .into_inner();
    let mut values = BTreeMap::new();
    for raw_result in results {
        let (name, text) = split("--result", raw_result, "FIELD=VALUE").map_err(Fail::Msg)?;
        let Some(field) = def.fields.iter().find(|f| f.name == name) else {
            let known: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
            let owner = format!("user task `{}`", def.name);
            return Err(Fail::Msg(unknown(
                "--result", raw_result, &owner, "field", &known,
            )));
        };
        let t = field_type(field.r#type);
        let v = parse_value(text, &t).map_err(|e| {
            Fail::Msg(format!(
                "--result {name}: {e} (`{name}` is of type {})",
                type_name(&t)
            ))
        })?;
        if values.insert(name.to_string(), v).is_some() {
            return Err(Fail::Msg(format!("--result {name} is given twice")));
        }
    }
    Ok((def, values))
}

/// `--def NAME` that names no UserTaskDef is a misspelling, not a search with no results.
async fn known_user_task_def(client: &LhClient, name: &str) -> Result<(), Fail> {
    use super::list_defs::{DefKind, names};
    let known = names(client, DefKind::UserTask).await?;
    if known.iter().any(|n| n == name) {
        return Ok(());
    }
    let mut msg = format!(
        "no UserTaskDef `{name}` on {} (see `lhc list user-task-defs`)",
        client.target()
    );
    if let Some(c) = lhw_compiler::check::closest(name, known.iter().map(String::as_str)) {
        msg.push_str(&format!("\n  help: did you mean `{c}`?"));
    }
    Err(Fail::Msg(msg))
}
