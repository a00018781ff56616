//! `examples/e2e/notification-routing.lhw`: a dynamic task, chosen by a format string
//! when the step runs, and a channel without a TaskDef (VAR_SUB_ERROR, uncaught).

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, node_run::NodeType};

const FILE: &str = "notification-routing.lhw";

async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "notify-email",
        handler(|task| Reply::Output(s(&format!("mail to {}", input_str(task, 0))))),
    )
    .await;
    k.worker(
        "notify-sms",
        handler(|task| Reply::Output(s(&format!("sms to {}", input_str(task, 0))))),
    )
    .await;
    k
}

#[tokio::test]
async fn dynamic_task_runs_the_channel_named_at_run_time() {
    scenario(async {
        let mut k = kernel().await;
        let vars = |channel: &str, to: &str| {
            vec![
                ("channel", s(channel)),
                ("to", s(to)),
                ("order-id", s("A-17")),
            ]
        };
        k.run("route-notification", "sms-1", &vars("sms", "+31600000000"))
            .await;
        k.run(
            "route-notification",
            "email-1",
            &vars("email", "ann@example.com"),
        )
        .await;
        k.wait_for("sms-1", LhStatus::Completed).await;
        k.wait_for("email-1", LhStatus::Completed).await;

        assert_eq!(k.var("sms-1", "delivery").await, s("sms to +31600000000"));
        assert_eq!(
            k.var("email-1", "delivery").await,
            s("mail to ann@example.com")
        );
        // Each worker got exactly its own run's task, with the formatted text.
        let sms = k.calls("notify-sms");
        assert_eq!(sms.len(), 1);
        assert_eq!(
            sms[0].inputs,
            [s("+31600000000"), s("Order A-17 has shipped")]
        );
        assert_eq!(k.calls("notify-email").len(), 1);
        // The TaskRun names the TaskDef the name resolved to.
        let runs = k.task_runs("sms-1").await;
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].task_def_id.as_ref().unwrap().name, "notify-sms");
        assert_eq!(
            k.main_trail("sms-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-notify-{0}-TASK COMPLETED",
                "2-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn dynamic_task_without_a_task_def_ends_in_error() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "route-notification",
            "pigeon-1",
            &[
                ("channel", s("pigeon")),
                ("to", s("roof")),
                ("order-id", s("A-18")),
            ],
        )
        .await;
        let run = k.wait_for("pigeon-1", LhStatus::Error).await;

        let node = k.node_run("pigeon-1", "1-notify-{0}-TASK").await;
        assert_eq!(failure_names(&node), ["VAR_SUB_ERROR"]);
        assert!(
            node.failures[0].message.contains("notify-pigeon"),
            "{:?}",
            node.failures[0]
        );
        // No TaskRun was created, and nothing reached a worker.
        assert!(matches!(
            node.node_type,
            Some(NodeType::Task(ref t)) if t.task_run_id.is_none()
        ));
        assert!(k.task_runs("pigeon-1").await.is_empty());
        assert!(k.calls("notify-email").is_empty() && k.calls("notify-sms").is_empty());
        assert!(
            thread(&run, 0)
                .error_message
                .as_deref()
                .is_some_and(|m| m.contains("notify-pigeon"))
        );
        k.shutdown().await;
    })
    .await;
}
