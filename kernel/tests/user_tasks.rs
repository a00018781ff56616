//! USER_TASK nodes: UserTaskRuns created on arrival, the user-task RPCs
//! (get, search, list, assign, complete, cancel, save progress), the node's
//! JSON_OBJ output, cancellation failures and the scheduled actions
//! (reassign, reminder task, cancel), which survive a restart.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    AssignUserTaskRunRequest, CancelUserTaskRunRequest, CompleteUserTaskRunRequest, LhStatus,
    ListTaskRunsRequest, ListUserTaskRunRequest, NodeRunId, SaveUserTaskRunProgressRequest,
    SearchUserTaskRunRequest, UserTaskRun, UserTaskRunId, UserTaskRunStatus, VariableValue,
    task_run_source, user_task_event, variable_value::Value,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tonic::Code;

const APPROVAL: &str = r#"
user-task approve-order { approved: bool "Approve?" required, comment: str "Comment" }
workflow approval {
  var approved: bool = false
  var comment: str
  let d = ask approve-order to user "alice" group "sales" notes "please look"
  approved = d.approved
  comment = d.comment
}
workflow group-approval {
  let d = ask approve-order to group "sales"
}
workflow custom-cancel {
  let d = ask approve-order to group "sales" on cancel fail not-approved
}
"#;

const DEADLINES: &str = r#"
user-task approve-order { approved: bool "Approve?" required }
task notify(who: str)
workflow deadlines {
  let d = ask approve-order to user "alice" group "sales"
    reassign to group "managers" after 1s
    remind notify("alice") after 1s
    cancel after 3s
}
workflow cancel-later {
  let d = ask approve-order to group "sales" cancel after 2s
}
"#;

fn b(x: bool) -> VariableValue {
    VariableValue {
        value: Some(Value::Bool(x)),
    }
}

/// The UserTaskRun of the first USER_TASK of a WfRun (position 1, thread 0).
fn ut_id(wf: &str) -> UserTaskRunId {
    UserTaskRunId {
        wf_run_id: Some(wf_id(wf)),
        user_task_guid: "0-1".into(),
    }
}

async fn get_ut(c: &mut Client, wf: &str) -> UserTaskRun {
    c.get_user_task_run(ut_id(wf))
        .await
        .expect("get user task run")
        .into_inner()
}

fn complete(wf: &str, results: &[(&str, VariableValue)], user: &str) -> CompleteUserTaskRunRequest {
    CompleteUserTaskRunRequest {
        user_task_run_id: Some(ut_id(wf)),
        results: results
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        user_id: user.into(),
    }
}

#[tokio::test]
async fn complete_user_task_gives_the_results_as_output() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(APPROVAL).await;
        run(&mut c, "approval", "a1", &[]).await;

        let found = c
            .search_user_task_run(SearchUserTaskRunRequest {
                status: Some(UserTaskRunStatus::Assigned as i32),
                user_id: Some("alice".into()),
                user_task_def_name: Some("approve-order".into()),
                ..Default::default()
            })
            .await
            .expect("search")
            .into_inner();
        assert_eq!(found.results, vec![ut_id("a1")]);
        let ut = get_ut(&mut c, "a1").await;
        assert_eq!(ut.status, UserTaskRunStatus::Assigned as i32);
        assert_eq!(ut.user_id.as_deref(), Some("alice"));
        assert_eq!(ut.user_group.as_deref(), Some("sales"));
        assert_eq!(ut.notes.as_deref(), Some("please look"));
        assert_eq!(ut.epoch, 1);
        assert_eq!(
            ut.node_run_id.as_ref().map(|n| n.position),
            Some(1),
            "{ut:#?}"
        );
        let nr = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("a1")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(nr.status, LhStatus::Running as i32);

        // Invalid results are refused, naming the problem.
        let missing = c
            .complete_user_task_run(complete("a1", &[("comment", s("ok"))], "alice"))
            .await
            .unwrap_err();
        assert_eq!(missing.code(), Code::InvalidArgument);
        assert!(missing.message().contains("approved"), "{missing:?}");
        let wrong_type = c
            .complete_user_task_run(complete("a1", &[("approved", s("yes"))], "alice"))
            .await
            .unwrap_err();
        assert_eq!(wrong_type.code(), Code::InvalidArgument);
        let unknown = c
            .complete_user_task_run(complete(
                "a1",
                &[("approved", b(true)), ("colour", s("red"))],
                "alice",
            ))
            .await
            .unwrap_err();
        assert_eq!(unknown.code(), Code::InvalidArgument);
        assert!(unknown.message().contains("colour"), "{unknown:?}");

        // Progress is saved without completing.
        let saved = c
            .save_user_task_run_progress(SaveUserTaskRunProgressRequest {
                user_task_run_id: Some(ut_id("a1")),
                results: [("comment".to_string(), s("draft"))].into_iter().collect(),
                user_id: "alice".into(),
                policy: 0,
            })
            .await
            .expect("save progress")
            .into_inner();
        assert_eq!(saved.results.get("comment"), Some(&s("draft")));
        assert_eq!(saved.status, UserTaskRunStatus::Assigned as i32);

        c.complete_user_task_run(complete(
            "a1",
            &[("approved", b(true)), ("comment", s("fine"))],
            "alice",
        ))
        .await
        .expect("complete");
        wait_status(&mut c, "a1", LhStatus::Completed).await;
        assert_eq!(var(&mut c, "a1", "approved").await, Some(Value::Bool(true)));
        assert_eq!(
            var(&mut c, "a1", "comment").await,
            Some(Value::Str("fine".into()))
        );
        let ut = get_ut(&mut c, "a1").await;
        assert_eq!(ut.status, UserTaskRunStatus::Done as i32);
        let kinds: Vec<_> = ut
            .events
            .iter()
            .map(|e| match e.event {
                Some(user_task_event::Event::Assigned(_)) => "assigned",
                Some(user_task_event::Event::Saved(_)) => "saved",
                Some(user_task_event::Event::Completed(_)) => "completed",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["assigned", "saved", "completed"]);
        let listed = c
            .list_user_task_runs(ListUserTaskRunRequest {
                wf_run_id: Some(wf_id("a1")),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.results, vec![ut]);

        // Completing again is a no-op; cancelling a finished task is refused.
        c.complete_user_task_run(complete("a1", &[("approved", b(false))], "bob"))
            .await
            .expect("complete again is a no-op");
        assert_eq!(var(&mut c, "a1", "approved").await, Some(Value::Bool(true)));
        let cancel = c
            .cancel_user_task_run(CancelUserTaskRunRequest {
                user_task_run_id: Some(ut_id("a1")),
            })
            .await
            .unwrap_err();
        assert_eq!(cancel.code(), Code::FailedPrecondition);
        let nope = c
            .get_user_task_run(UserTaskRunId {
                wf_run_id: Some(wf_id("a1")),
                user_task_guid: "9-9".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(nope.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn assign_claims_and_cancel_fails_the_node() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(APPROVAL).await;
        run(&mut c, "group-approval", "g1", &[]).await;
        let ut = get_ut(&mut c, "g1").await;
        assert_eq!(ut.status, UserTaskRunStatus::Unassigned as i32);
        assert_eq!(ut.user_id, None);

        let assign = |user: Option<&str>, override_claim: bool| AssignUserTaskRunRequest {
            user_task_run_id: Some(ut_id("g1")),
            override_claim,
            user_group: None,
            user_id: user.map(str::to_string),
        };
        let none = c
            .assign_user_task_run(assign(None, false))
            .await
            .unwrap_err();
        assert_eq!(none.code(), Code::InvalidArgument);
        c.assign_user_task_run(assign(Some("bob"), false))
            .await
            .expect("assign bob");
        let ut = get_ut(&mut c, "g1").await;
        assert_eq!(ut.status, UserTaskRunStatus::Assigned as i32);
        assert_eq!(ut.user_id.as_deref(), Some("bob"));
        assert_eq!(ut.epoch, 2);
        let claimed = c
            .assign_user_task_run(assign(Some("carol"), false))
            .await
            .unwrap_err();
        assert_eq!(claimed.code(), Code::FailedPrecondition);
        c.assign_user_task_run(assign(Some("carol"), true))
            .await
            .expect("override the claim");
        assert_eq!(get_ut(&mut c, "g1").await.user_id.as_deref(), Some("carol"));

        c.cancel_user_task_run(CancelUserTaskRunRequest {
            user_task_run_id: Some(ut_id("g1")),
        })
        .await
        .expect("cancel");
        wait_status(&mut c, "g1", LhStatus::Error).await;
        let nr = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("g1")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(nr.failures[0].failure_name, "USER_TASK_CANCELLED");
        assert_eq!(
            get_ut(&mut c, "g1").await.status,
            UserTaskRunStatus::Cancelled as i32
        );

        // on cancel fail NAME: an EXCEPTION with that name.
        run(&mut c, "custom-cancel", "x1", &[]).await;
        c.cancel_user_task_run(CancelUserTaskRunRequest {
            user_task_run_id: Some(ut_id("x1")),
        })
        .await
        .expect("cancel");
        wait_status(&mut c, "x1", LhStatus::Exception).await;
        let nr = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("x1")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(nr.failures[0].failure_name, "not-approved");
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn scheduled_actions_reassign_remind_and_cancel() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(DEADLINES).await;
        let reminders = Arc::new(AtomicI64::new(0));
        let w = worker(&kernel, "notify", counting(reminders.clone())).await;
        run(&mut c, "deadlines", "d1", &[]).await;
        let ut = get_ut(&mut c, "d1").await;
        assert_eq!(ut.user_id.as_deref(), Some("alice"));

        // After 1 s: released to the group "managers" and reminded.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let ut = get_ut(&mut c, "d1").await;
            if ut.user_group.as_deref() == Some("managers") && reminders.load(Ordering::SeqCst) == 1
            {
                assert_eq!(ut.user_id, None);
                assert_eq!(ut.status, UserTaskRunStatus::Unassigned as i32);
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no reassignment/reminder: {ut:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let trs = c
            .list_task_runs(ListTaskRunsRequest {
                wf_run_id: Some(wf_id("d1")),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .results;
        assert_eq!(trs.len(), 1, "{trs:#?}");
        match trs[0]
            .source
            .as_ref()
            .and_then(|s| s.task_run_source.as_ref())
        {
            Some(task_run_source::TaskRunSource::UserTaskTrigger(r)) => {
                assert_eq!(r.node_run_id.as_ref().map(|n| n.position), Some(1));
            }
            other => panic!("the reminder's source is {other:?}"),
        }

        // After 3 s: cancelled.
        wait_status(&mut c, "d1", LhStatus::Error).await;
        let ut = get_ut(&mut c, "d1").await;
        assert_eq!(ut.status, UserTaskRunStatus::Cancelled as i32);
        assert!(
            ut.events
                .iter()
                .any(|e| matches!(e.event, Some(user_task_event::Event::TaskExecuted(_))))
        );
        assert_eq!(reminders.load(Ordering::SeqCst), 1);
        w.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn scheduled_cancel_survives_a_restart() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        {
            let kernel = start(dir.path()).await;
            let mut c = client(&kernel).await;
            deploy(&mut c, DEADLINES).await;
            run(&mut c, "cancel-later", "r1", &[]).await;
            kernel.shutdown().await;
        }
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        assert_eq!(
            get_ut(&mut c, "r1").await.status,
            UserTaskRunStatus::Unassigned as i32
        );
        wait_status(&mut c, "r1", LhStatus::Error).await;
        assert_eq!(
            get_ut(&mut c, "r1").await.status,
            UserTaskRunStatus::Cancelled as i32
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
