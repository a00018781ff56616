//! `lhc user-task execute WFRUN GUID`: complete a UserTaskRun by answering prompts, as
//! `lhctl execute userTaskRun` does (`lhctl/internal/user_task_run.go`, `executeUserTask`;
//! `execute` has no other subcommand in lhctl): first who does the task (the assigned user
//! when the answer is empty), then each form field with its display name, type and whether
//! it is required. A value that does not parse as the field's type is asked again with the
//! reason; an empty answer skips an optional field. Prompts go to standard error, so the
//! result (`--format json`) stays alone on standard output. The answers are then sent as
//! `lhc user-task complete` sends `--result` values.

use std::io::BufRead;

use lhw_proto::littlehorse::{UserTaskField, UserTaskRunStatus};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::values::{parse_value, type_name};

use super::Format;
use super::exec::{Fail, Res, rpc};
use super::render::user_task_status_name;
use super::user_task::{complete_user_task, field_type, get_user_task_run, user_task_run_id};

/// One answer: a line, or the end of the input.
fn ask(input: &mut impl BufRead, prompt: &str) -> Result<Option<String>, Fail> {
    eprint!("{prompt}");
    let mut line = String::new();
    let n = input
        .read_line(&mut line)
        .map_err(|e| Fail::Msg(format!("cannot read the answer: {e}")))?;
    Ok((n > 0).then(|| line.trim_end_matches(['\n', '\r']).to_string()))
}

fn ended(what: &str) -> Fail {
    Fail::Msg(format!(
        "the input ended before {what}: nothing was sent\n  help: `lhc user-task complete WFRUN \
         GUID --result FIELD=VALUE...` completes a task without prompts"
    ))
}

/// The prompt of one field: `approved (Approve?, BOOL, required): `.
fn field_prompt(f: &UserTaskField) -> String {
    let t = type_name(&field_type(f.r#type));
    let mut about = Vec::new();
    if !f.display_name.is_empty() && f.display_name != f.name {
        about.push(f.display_name.clone());
    }
    about.push(t);
    if f.required {
        about.push("required".into());
    }
    format!("{} ({}): ", f.name, about.join(", "))
}

/// Runs `lhc user-task execute`.
pub(crate) async fn execute_user_task(
    client: &LhClient,
    format: Format,
    wf_run: &str,
    guid: &str,
) -> Res {
    let run = get_user_task_run(client, &user_task_run_id(wf_run, guid)).await?;
    if matches!(
        UserTaskRunStatus::try_from(run.status),
        Ok(UserTaskRunStatus::Done | UserTaskRunStatus::Cancelled)
    ) {
        return Err(Fail::Msg(format!(
            "UserTaskRun {guid} of WfRun {wf_run} is already {}: nothing to do",
            user_task_status_name(run.status)
        )));
    }
    let def_id = run.user_task_def_id.clone().unwrap_or_default();
    let def = client
        .raw()
        .get_user_task_def(def_id.clone())
        .await
        .map_err(|e| Fail::Client(format!("UserTaskDef `{}`", def_id.name), rpc(e)))?
        .into_inner();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let assigned = run.user_id.clone().filter(|u| !u.is_empty());
    let user_prompt = match &assigned {
        Some(u) => format!("user id [{u}]: "),
        None => "user id: ".to_string(),
    };
    let user = loop {
        let Some(answer) = ask(&mut input, &user_prompt)? else {
            return Err(ended("the user id"));
        };
        let answer = answer.trim().to_string();
        match (answer.is_empty(), &assigned) {
            (false, _) => break answer,
            (true, Some(u)) => break u.clone(),
            (true, None) => eprintln!(
                "  the task is assigned to a group only: say who does it (it is recorded)"
            ),
        }
    };
    let mut results = Vec::new();
    for f in &def.fields {
        let prompt = field_prompt(f);
        loop {
            let Some(answer) = ask(&mut input, &prompt)? else {
                return Err(ended(&format!("field `{}`", f.name)));
            };
            if answer.trim().is_empty() {
                if f.required {
                    eprintln!("  `{}` is required", f.name);
                    continue;
                }
                break;
            }
            match parse_value(&answer, &field_type(f.r#type)) {
                Ok(_) => {
                    results.push(format!("{}={answer}", f.name));
                    break;
                }
                Err(e) => eprintln!("  {e}; try again"),
            }
        }
    }
    complete_user_task(client, format, wf_run, guid, &results, Some(&user)).await
}
