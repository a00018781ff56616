//! `lhc user-task save WFRUN GUID --result FIELD=VALUE...` (SaveUserTaskRunProgress): keep a
//! person's unfinished answers on a UserTaskRun without completing it.
//!
//! As LittleHorse (`SaveUserTaskRunProgressRequestModel.process` in server/src/main/java/io/
//! littlehorse/common/model/corecommand/subcommand/): saving a task claimed by another user
//! fails unless the policy is IGNORE_CLAIM (`--ignore-claim`); required fields may still be
//! missing. Unlike lhctl, which prompts for each field, values come from `--result` and are
//! parsed by the field's type in the UserTaskDef before anything is sent.

use lhw_proto::littlehorse::SaveUserTaskRunProgressRequest;
use lhw_proto::littlehorse::UserTaskRunStatus;
use lhw_proto::littlehorse::save_user_task_run_progress_request::SaveUserTaskRunAssignmentPolicy;
use lhw_runtime_client::LhClient;
use lhw_runtime_client::values::format_value;

use super::Format;
use super::exec::{Fail, Res, rpc};
use super::render::{opt, print_json, user_task_status_name};
use super::user_task::{get_user_task_run, parse_results, user_task_run_id};

/// What `lhc user-task save` was asked to do.
pub(crate) struct Save<'a> {
    pub(crate) wf_run: &'a str,
    pub(crate) guid: &'a str,
    pub(crate) results: &'a [String],
    pub(crate) user: Option<&'a str>,
    pub(crate) ignore_claim: bool,
}

/// Saves the progress and prints the UserTaskRun's saved results.
pub(crate) async fn save_progress(client: &LhClient, format: Format, save: Save<'_>) -> Res {
    let Save {
        wf_run,
        guid,
        results,
        user,
        ignore_claim,
    } = save;
    let id = user_task_run_id(wf_run, guid);
    let run = get_user_task_run(client, &id).await?;
    if matches!(
        UserTaskRunStatus::try_from(run.status),
        Ok(UserTaskRunStatus::Done | UserTaskRunStatus::Cancelled)
    ) {
        return Err(Fail::Msg(format!(
            "UserTaskRun {guid} of WfRun {wf_run} is already {}: nothing was saved",
            user_task_status_name(run.status)
        )));
    }
    let (_, values) = parse_results(client, &run, results).await?;
    if values.is_empty() {
        return Err(Fail::Msg(
            "nothing to save: give at least one --result FIELD=VALUE".into(),
        ));
    }
    let Some(user_id) = user
        .map(str::to_string)
        .or_else(|| run.user_id.clone())
        .filter(|u| !u.is_empty())
    else {
        return Err(Fail::Msg(format!(
            "UserTaskRun {guid} is assigned to group {} and no user: say who saves it with \
             --user USER",
            opt(run.user_group.as_ref())
        )));
    };
    let policy = if ignore_claim {
        SaveUserTaskRunAssignmentPolicy::IgnoreClaim
    } else {
        SaveUserTaskRunAssignmentPolicy::FailIfClaimedByOther
    };
    let saved = client
        .raw()
        .save_user_task_run_progress(SaveUserTaskRunProgressRequest {
            user_task_run_id: Some(id),
            results: values,
            user_id: user_id.clone(),
            policy: policy as i32,
        })
        .await
        .map_err(|e| Fail::Client(format!("UserTaskRun `{guid}` of WfRun `{wf_run}`"), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&saved);
    }
    let mut shown: Vec<String> = saved
        .results
        .iter()
        .map(|(k, v)| format!("{k} = {}", format_value(Some(v))))
        .collect();
    shown.sort();
    println!(
        "saved progress on UserTaskRun {guid} of WfRun {wf_run} as {user_id} ({}): {}",
        user_task_status_name(saved.status),
        shown.join(", ")
    );
    Ok(())
}
