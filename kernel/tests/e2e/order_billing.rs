//! `examples/e2e/order-billing.lhw`: RUN_CHILD_WF and WAIT_FOR_CHILD_WF (the child's
//! output, inputs set by the parent), a child's exception caught by the parent's `wait`, a
//! child's error failing the parent with CHILD_FAILURE, and THROW_EVENT.

use crate::harness::*;
use lhw_proto::littlehorse::{
    AwaitWorkflowEventRequest, LhStatus, ListWorkflowEventsRequest, WfRunId, WorkflowEventDefId,
    node_run::NodeType,
};
use std::time::Duration;

const FILE: &str = "order-billing.lhw";

/// `create-invoice` numbers invoices after the order; order "O-broken" crashes it.
async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "create-invoice",
        handler(|task| match input_str(task, 0).as_str() {
            "O-broken" => Reply::Error("the ledger is locked".into()),
            order => Reply::Output(s(&format!("INV-{order}"))),
        }),
    )
    .await;
    k
}

/// The child WfRun the RUN_CHILD_WF node of run `id` started.
async fn child_of(k: &mut Kernel, id: &str) -> WfRunId {
    match k.node_run(id, "1-run-invoice-RUN_CHILD_WF").await.node_type {
        Some(NodeType::RunChildWf(r)) => r.child_wf_run_id.expect("a child WfRun id"),
        other => panic!("not a RUN_CHILD_WF NodeRun: {other:?}"),
    }
}

async fn billing(k: &mut Kernel, id: &str, order: &str, amount: f64) {
    k.run(
        "order-billing",
        id,
        &[("order-id", s(order)), ("amount", double(amount))],
    )
    .await;
}

#[tokio::test]
async fn child_invoice_is_returned_to_the_parent_and_announced() {
    scenario(async {
        let mut k = kernel().await;
        billing(&mut k, "bill-1", "O-9", 30.0).await;
        k.wait_for("bill-1", LhStatus::Completed).await;

        assert_eq!(k.var("bill-1", "invoice-number").await, s("INV-O-9"));
        assert_eq!(k.var("bill-1", "billing").await, s("invoiced"));
        // The child ran `invoice` under the parent's id, with the inputs the `run` gave.
        let child_id = child_of(&mut k, "bill-1").await;
        assert_eq!(child_id.parent_wf_run_id.as_deref(), Some(&wf_id("bill-1")));
        let child = k.wait_for_run(&child_id, LhStatus::Completed).await;
        assert_eq!(child.wf_spec_id.as_ref().unwrap().name, "invoice");
        assert_eq!(thread(&child, 0).output, Some(s("INV-O-9")));
        assert_eq!(k.var_of(&child_id, 0, "order-id").await, s("O-9"));
        assert_eq!(k.var_of(&child_id, 0, "amount").await, double(30.0));
        assert_eq!(
            k.calls("create-invoice")[0].inputs,
            [s("O-9"), double(30.0)]
        );
        assert_eq!(
            k.trail(&child_id, Some(0)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-nop-NOP COMPLETED",
                "3-nop-NOP COMPLETED",
                "4-create-invoice-TASK COMPLETED",
                "5-complete-EXIT COMPLETED",
            ]
        );
        // The workflow event, to a client waiting for it and in the run's list.
        let event = tokio::time::timeout(
            Duration::from_secs(10),
            k.client.await_workflow_event(AwaitWorkflowEventRequest {
                wf_run_id: Some(wf_id("bill-1")),
                event_def_ids: vec![WorkflowEventDefId {
                    name: "invoice-issued".into(),
                }],
                workflow_events_to_ignore: vec![],
            }),
        )
        .await
        .expect("the event was thrown")
        .expect("AwaitWorkflowEvent")
        .into_inner();
        assert_eq!(event.content, Some(s("invoice INV-O-9 for order O-9")));
        let listed = k
            .client
            .list_workflow_events(ListWorkflowEventsRequest {
                wf_run_id: Some(wf_id("bill-1")),
                ..Default::default()
            })
            .await
            .expect("ListWorkflowEvents")
            .into_inner()
            .results;
        assert_eq!(listed, [event]);
        assert_eq!(
            k.main_trail("bill-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-run-invoice-RUN_CHILD_WF COMPLETED",
                "2-wait-WAIT_FOR_CHILD_WF COMPLETED",
                "3-nop-NOP COMPLETED",
                "4-throw-invoice-issued-THROW_EVENT COMPLETED",
                "5-nop-NOP COMPLETED",
                "6-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn child_exception_is_caught_by_the_parents_wait() {
    scenario(async {
        let mut k = kernel().await;
        billing(&mut k, "bill-2", "O-10", 0.0).await;
        let run = k.wait_for("bill-2", LhStatus::Completed).await;

        let child_id = child_of(&mut k, "bill-2").await;
        let child = k.wait_for_run(&child_id, LhStatus::Exception).await;
        assert_eq!(
            thread(&child, 0).error_message.as_deref(),
            Some("an invoice needs a positive amount")
        );
        // The wait failed with the child's exception, and the handler took it.
        let wait = k.node_run("bill-2", "2-wait-WAIT_FOR_CHILD_WF").await;
        assert_eq!(wait.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&wait), ["invoice-rejected"]);
        assert_eq!(
            wait.failures[0].message,
            "Child WfRun failed: an invoice needs a positive amount"
        );
        assert!(wait.failures[0].was_properly_handled);
        assert_eq!(
            thread(&run, 1).thread_spec_name,
            "exn-handler-2-wait-WAIT_FOR_CHILD_WF-invoice-rejected"
        );
        assert_eq!(k.var("bill-2", "billing").await, s("rejected"));
        assert_eq!(k.var("bill-2", "invoice-number").await, s(""));
        assert!(k.calls("create-invoice").is_empty());
        // Nothing was announced.
        let listed = k
            .client
            .list_workflow_events(ListWorkflowEventsRequest {
                wf_run_id: Some(wf_id("bill-2")),
                ..Default::default()
            })
            .await
            .expect("ListWorkflowEvents")
            .into_inner()
            .results;
        assert!(listed.is_empty());
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn child_error_fails_the_parent_with_child_failure() {
    scenario(async {
        let mut k = kernel().await;
        billing(&mut k, "bill-3", "O-broken", 12.0).await;
        k.wait_for("bill-3", LhStatus::Error).await;

        let child_id = child_of(&mut k, "bill-3").await;
        k.wait_for_run(&child_id, LhStatus::Error).await;
        let failed_task = k
            .node_runs(&child_id, Some(0))
            .await
            .into_iter()
            .find(|nr| nr.node_name == "4-create-invoice-TASK")
            .expect("the child ran its task");
        assert_eq!(failure_names(&failed_task), ["TASK_FAILURE"]);
        let wait = k.node_run("bill-3", "2-wait-WAIT_FOR_CHILD_WF").await;
        assert_eq!(wait.status, LhStatus::Error as i32);
        assert_eq!(failure_names(&wait), ["CHILD_FAILURE"]);
        // CHILD_FAILURE is an error: the exception handler does not catch it.
        assert!(!wait.failures[0].was_properly_handled);
        assert_eq!(k.var("bill-3", "billing").await, s("pending"));
        k.shutdown().await;
    })
    .await;
}
