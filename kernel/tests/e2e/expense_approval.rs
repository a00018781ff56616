//! `examples/e2e/expense-approval.lhw`: a USER_TASK assigned to a group, claimed by a user
//! (AssignUserTaskRun) and completed (CompleteUserTaskRun), its reminder task, a
//! cancellation (CancelUserTaskRun) handled as USER_TASK_CANCELLED, and a deadline
//! (`cancel after`) turned into an uncaught exception.

use crate::harness::*;
use lhw_proto::littlehorse::{
    AssignUserTaskRunRequest, CancelUserTaskRunRequest, CompleteUserTaskRunRequest, LhStatus,
    UserTaskRun, UserTaskRunId, UserTaskRunStatus, VariableValue, node_run::NodeType,
    task_run_source::TaskRunSource,
};

const FILE: &str = "expense-approval.lhw";
const ASK: &str = "1-approve-expense-USER_TASK";

async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "remind-approvers",
        handler(|_| Reply::Output(VariableValue::default())),
    )
    .await;
    k.worker(
        "pay-expense",
        handler(|task| Reply::Output(s(&format!("paid {}", input_str(task, 0))))),
    )
    .await;
    k
}

/// The id of the UserTaskRun the USER_TASK node of run `id` created.
async fn user_task_id(k: &mut Kernel, id: &str) -> UserTaskRunId {
    k.wait_at(id, ASK).await;
    match k.node_run(id, ASK).await.node_type {
        Some(NodeType::UserTask(ut)) => ut.user_task_run_id.expect("a UserTaskRun"),
        other => panic!("not a USER_TASK NodeRun: {other:?}"),
    }
}

async fn user_task(k: &mut Kernel, id: &UserTaskRunId) -> UserTaskRun {
    k.client
        .get_user_task_run(id.clone())
        .await
        .expect("GetUserTaskRun")
        .into_inner()
}

async fn claim_and_complete(k: &mut Kernel, ut: &UserTaskRunId, approved: bool, comment: &str) {
    k.client
        .assign_user_task_run(AssignUserTaskRunRequest {
            user_task_run_id: Some(ut.clone()),
            user_id: Some("carol".into()),
            // An assignment sets both owners: without the group, the task leaves it.
            user_group: Some("finance".into()),
            override_claim: false,
        })
        .await
        .expect("AssignUserTaskRun");
    let claimed = user_task(k, ut).await;
    assert_eq!(claimed.status, UserTaskRunStatus::Assigned as i32);
    assert_eq!(claimed.user_id.as_deref(), Some("carol"));
    assert_eq!(claimed.user_group.as_deref(), Some("finance"));
    k.client
        .complete_user_task_run(CompleteUserTaskRunRequest {
            user_task_run_id: Some(ut.clone()),
            results: [
                ("approved".to_string(), boolean(approved)),
                ("comment".to_string(), s(comment)),
            ]
            .into_iter()
            .collect(),
            user_id: "carol".into(),
        })
        .await
        .expect("CompleteUserTaskRun");
}

#[tokio::test]
async fn approved_claim_is_paid_after_a_reminder() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "expense-approval",
            "exp-1",
            &[("employee", s("ann")), ("amount", double(120.0))],
        )
        .await;
        let ut = user_task_id(&mut k, "exp-1").await;
        let open = user_task(&mut k, &ut).await;
        assert_eq!(open.status, UserTaskRunStatus::Unassigned as i32);
        assert_eq!(open.user_group.as_deref(), Some("finance"));
        assert_eq!(open.user_id, None);
        assert_eq!(open.notes.as_deref(), Some("Expense claim of ann: 120"));

        // One second after the claim arrived, the approvers are reminded.
        let reminder = k
            .eventually("the reminder", |_| {
                let calls = k.calls("remind-approvers");
                async move { calls.into_iter().next() }
            })
            .await;
        assert_eq!(
            reminder.inputs,
            [s("finance"), s("the claim of ann is waiting")]
        );
        claim_and_complete(&mut k, &ut, true, "receipts attached").await;
        k.wait_for("exp-1", LhStatus::Completed).await;

        assert_eq!(k.var("exp-1", "approved").await, boolean(true));
        assert_eq!(k.var("exp-1", "comment").await, s("receipts attached"));
        assert_eq!(k.var("exp-1", "payment").await, s("paid ann"));
        let done = user_task(&mut k, &ut).await;
        assert_eq!(done.status, UserTaskRunStatus::Done as i32);
        assert_eq!(done.results.get("approved"), Some(&boolean(true)));
        // The reminder ran as a TaskRun of the user task's trigger, once.
        let task_runs = k.task_runs("exp-1").await;
        let reminders: Vec<_> = task_runs
            .iter()
            .filter(|tr| tr.task_def_id.as_ref().unwrap().name == "remind-approvers")
            .collect();
        assert_eq!(reminders.len(), 1);
        assert!(matches!(
            reminders[0]
                .source
                .as_ref()
                .and_then(|s| s.task_run_source.as_ref()),
            Some(TaskRunSource::UserTaskTrigger(_))
        ));
        assert_eq!(
            k.main_trail("exp-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-approve-expense-USER_TASK COMPLETED",
                "2-nop-NOP COMPLETED",
                "3-nop-NOP COMPLETED",
                "4-nop-NOP COMPLETED",
                "5-pay-expense-TASK COMPLETED",
                "6-nop-NOP COMPLETED",
                "7-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn rejected_claim_is_not_paid() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "expense-approval",
            "exp-2",
            &[("employee", s("bob")), ("amount", double(75.5))],
        )
        .await;
        let ut = user_task_id(&mut k, "exp-2").await;
        claim_and_complete(&mut k, &ut, false, "no receipt").await;
        k.wait_for("exp-2", LhStatus::Completed).await;

        assert_eq!(k.var("exp-2", "approved").await, boolean(false));
        assert_eq!(k.var("exp-2", "comment").await, s("no receipt"));
        assert_eq!(k.var("exp-2", "payment").await, s("none"));
        assert!(k.calls("pay-expense").is_empty());
        assert_eq!(
            k.main_trail("exp-2").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-approve-expense-USER_TASK COMPLETED",
                "2-nop-NOP COMPLETED",
                "3-nop-NOP COMPLETED",
                "4-nop-NOP COMPLETED",
                "6-nop-NOP COMPLETED",
                "7-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn withdrawn_claim_is_handled_as_user_task_cancelled() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "expense-approval",
            "exp-3",
            &[("employee", s("cy")), ("amount", double(9.0))],
        )
        .await;
        let ut = user_task_id(&mut k, "exp-3").await;
        k.client
            .cancel_user_task_run(CancelUserTaskRunRequest {
                user_task_run_id: Some(ut.clone()),
            })
            .await
            .expect("CancelUserTaskRun");
        let run = k.wait_for("exp-3", LhStatus::Completed).await;

        assert_eq!(
            user_task(&mut k, &ut).await.status,
            UserTaskRunStatus::Cancelled as i32
        );
        let ask = k.node_run("exp-3", ASK).await;
        assert_eq!(ask.status, LhStatus::Error as i32);
        assert_eq!(failure_names(&ask), ["USER_TASK_CANCELLED"]);
        assert!(ask.failures[0].was_properly_handled);
        assert_eq!(
            thread(&run, 1).thread_spec_name,
            "exn-handler-1-approve-expense-USER_TASK-USER_TASK_CANCELLED"
        );
        assert_eq!(
            k.var("exp-3", "comment").await,
            s("the claim was withdrawn")
        );
        assert_eq!(k.var("exp-3", "approved").await, boolean(false));
        assert!(k.calls("pay-expense").is_empty());
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn unanswered_urgent_claim_expires_into_an_exception() {
    scenario(async {
        let mut k = kernel().await;
        k.run("urgent-expense", "urgent-1", &[("employee", s("dee"))])
            .await;
        let ut = user_task_id(&mut k, "urgent-1").await;
        let open = user_task(&mut k, &ut).await;
        assert_eq!(open.status, UserTaskRunStatus::Assigned as i32);
        assert_eq!(open.user_id.as_deref(), Some("manager-on-duty"));
        assert_eq!(open.notes.as_deref(), Some("Urgent claim of dee"));
        // Nobody answers: after one second the deadline cancels the claim.
        let run = k.wait_for("urgent-1", LhStatus::Exception).await;

        assert_eq!(
            user_task(&mut k, &ut).await.status,
            UserTaskRunStatus::Cancelled as i32
        );
        let ask = k.node_run("urgent-1", ASK).await;
        assert_eq!(ask.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&ask), ["claim-expired"]);
        assert_eq!(run.thread_runs.len(), 1);
        assert_eq!(k.var("urgent-1", "approved").await, boolean(false));
        k.shutdown().await;
    })
    .await;
}
