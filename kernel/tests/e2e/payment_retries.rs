//! `examples/e2e/payment-retries.lhw`: retries with exponential backoff, a per-attempt
//! timeout handled by `catch error timeout`, `catch any`, and retries running out.

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, TaskStatus, ThreadType, VariableValue};
use std::time::Duration;

const FILE: &str = "payment-retries.lhw";

/// `charge-card` fails its first two attempts for every card and always for "0000".
async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "charge-card",
        handler(|task| {
            if input_str(task, 0) == "0000" || task.attempt_number < 2 {
                Reply::Error("the provider is unavailable".into())
            } else {
                Reply::Output(s(&format!("r-{}", input_str(task, 0))))
            }
        }),
    )
    .await;
    k.worker(
        "notify-customer",
        handler(|task| {
            if input_str(task, 0) == "no-mail" {
                Reply::Error("mail server down".into())
            } else {
                Reply::Output(VariableValue::default())
            }
        }),
    )
    .await;
    k
}

fn statuses(tr: &lhw_proto::littlehorse::TaskRun) -> Vec<TaskStatus> {
    tr.attempts
        .iter()
        .map(|a| TaskStatus::try_from(a.status).unwrap())
        .collect()
}

#[tokio::test]
async fn retried_charge_succeeds_after_backoff() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "charge-with-retries",
            "charge-1",
            &[("card", s("4111")), ("amount", double(1250.5))],
        )
        .await;
        k.wait_for("charge-1", LhStatus::Completed).await;

        assert_eq!(k.var("charge-1", "receipt").await, s("r-4111"));
        assert_eq!(
            k.main_trail("charge-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-charge-card-TASK COMPLETED",
                "2-notify-customer-TASK COMPLETED",
                "3-exit-EXIT COMPLETED",
            ]
        );
        let charge = k
            .task_runs("charge-1")
            .await
            .into_iter()
            .find(|tr| tr.task_def_id.as_ref().unwrap().name == "charge-card")
            .unwrap();
        assert_eq!(charge.total_attempts, 3);
        assert_eq!(
            statuses(&charge),
            [
                TaskStatus::TaskFailed,
                TaskStatus::TaskFailed,
                TaskStatus::TaskSuccess
            ]
        );
        // Backoff: 200 ms before the second attempt, twice that before the third.
        let calls = k.calls("charge-card");
        assert_eq!(
            calls.iter().map(|c| c.attempt).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert!(calls[1].at - calls[0].at >= Duration::from_millis(200));
        assert!(calls[2].at - calls[1].at >= Duration::from_millis(400));
        // The format string formats the DOUBLE as Java's MessageFormat does.
        let notes = k.calls("notify-customer");
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].inputs,
            [s("4111"), s("Charged 1,250.5 to your card: receipt r-4111")]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn charge_without_retries_left_ends_in_error() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "charge-with-retries",
            "charge-2",
            &[("card", s("0000")), ("amount", double(10.0))],
        )
        .await;
        let run = k.wait_for("charge-2", LhStatus::Error).await;

        assert_eq!(
            k.main_trail("charge-2").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-charge-card-TASK ERROR"
            ]
        );
        let node = k.node_run("charge-2", "1-charge-card-TASK").await;
        assert_eq!(failure_names(&node), ["TASK_FAILURE"]);
        assert_eq!(thread(&run, 0).status, LhStatus::Error as i32);
        let charge = &k.task_runs("charge-2").await[0];
        assert_eq!(charge.status, TaskStatus::TaskFailed as i32);
        assert_eq!(statuses(charge), [TaskStatus::TaskFailed; 3]);
        // The output assignment never happened and nothing ran after the failure.
        assert_eq!(k.var("charge-2", "receipt").await, s(""));
        assert!(k.calls("notify-customer").is_empty());
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn hold_times_out_and_the_timeout_handler_runs() {
    scenario(async {
        let mut k = kernel().await;
        k.worker("hold-funds", handler(|_| Reply::Silence)).await;
        k.run(
            "hold-with-timeout",
            "hold-1",
            &[("card", s("4111")), ("amount", double(99.0))],
        )
        .await;
        let run = k.wait_for("hold-1", LhStatus::Completed).await;

        assert_eq!(
            k.var("hold-1", "outcome").await,
            s("the provider did not answer")
        );
        let hold = k.node_run("hold-1", "1-hold-funds-TASK").await;
        assert_eq!(hold.status, LhStatus::Error as i32);
        assert_eq!(failure_names(&hold), ["TIMEOUT"]);
        assert!(hold.failures[0].was_properly_handled);
        // The handler ran as thread 1, a FAILURE_HANDLER child of thread 0.
        let handler_thread = thread(&run, 1);
        assert_eq!(
            handler_thread.thread_spec_name,
            "exn-handler-1-hold-funds-TASK-TIMEOUT"
        );
        assert_eq!(handler_thread.parent_thread_id, Some(0));
        assert_eq!(handler_thread.r#type, ThreadType::FailureHandler as i32);
        assert_eq!(hold.failure_handler_ids, [1]);
        let task_runs = k.task_runs("hold-1").await;
        let hold_task = task_runs
            .iter()
            .find(|tr| tr.task_def_id.as_ref().unwrap().name == "hold-funds")
            .unwrap();
        assert_eq!(hold_task.status, TaskStatus::TaskTimeout as i32);
        assert_eq!(hold_task.timeout_seconds, 1);
        // The run went on after the step, with the handler's value.
        assert_eq!(
            k.calls("notify-customer")[0].inputs[1],
            s("Hold on your card: the provider did not answer")
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn failed_notification_is_caught_by_catch_any() {
    scenario(async {
        let mut k = kernel().await;
        k.worker("hold-funds", handler(|_| Reply::Output(s("held"))))
            .await;
        k.run(
            "hold-with-timeout",
            "hold-2",
            &[("card", s("no-mail")), ("amount", double(5.0))],
        )
        .await;
        k.wait_for("hold-2", LhStatus::Completed).await;

        assert_eq!(
            k.var("hold-2", "outcome").await,
            s("held; customer not notified")
        );
        let notify = k.node_run("hold-2", "2-notify-customer-TASK").await;
        assert_eq!(failure_names(&notify), ["TASK_FAILURE"]);
        assert!(notify.failures[0].was_properly_handled);
        assert_eq!(
            k.main_trail("hold-2").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-hold-funds-TASK COMPLETED",
                "2-notify-customer-TASK ERROR",
                "3-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}
