//! `examples/e2e/order-payment.lhw`: a correlated external event, an event posted before
//! the run waits for it, an event timeout handled by a handler that fails, and an
//! interrupt whose handler fails the interrupted run.

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, ThreadType, VariableValue, node_run::NodeType};

const FILE: &str = "order-payment.lhw";

async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "ship-order",
        handler(|task| Reply::Output(s(&format!("TRK-{}", input_str(task, 0))))),
    )
    .await;
    k.worker(
        "refund-payment",
        handler(|_| Reply::Output(VariableValue::default())),
    )
    .await;
    k
}

#[tokio::test]
async fn correlated_payment_and_early_address_let_the_order_ship() {
    scenario(async {
        let mut k = kernel().await;
        k.run("order-payment", "pay-1", &[("order-id", s("A-100"))])
            .await;
        k.wait_at("pay-1", "1-payment-received-EXTERNAL_EVENT")
            .await;
        // The address comes first: it is kept until the run waits for it.
        k.post_event("pay-1", "address-confirmed", s("Main Street 1"))
            .await;
        // The payment provider knows only the order id.
        k.post_correlated("A-100", "payment-received", double(42.5))
            .await;
        k.wait_for("pay-1", LhStatus::Completed).await;

        assert_eq!(k.var("pay-1", "paid").await, double(42.5));
        assert_eq!(k.var("pay-1", "address").await, s("Main Street 1"));
        assert_eq!(k.var("pay-1", "tracking").await, s("TRK-A-100"));
        assert_eq!(
            k.calls("ship-order")[0].inputs,
            [s("A-100"), s("Main Street 1")]
        );
        let payment = k
            .node_run("pay-1", "1-payment-received-EXTERNAL_EVENT")
            .await;
        let Some(NodeType::ExternalEvent(ee)) = &payment.node_type else {
            panic!("{payment:?}")
        };
        assert_eq!(ee.correlation_key.as_deref(), Some("A-100"));
        assert!(ee.external_event_id.is_some() && !ee.timed_out);
        // The early address was claimed by the address node, at its arrival.
        let address = k
            .node_run("pay-1", "2-address-confirmed-EXTERNAL_EVENT")
            .await;
        let Some(NodeType::ExternalEvent(ee)) = &address.node_type else {
            panic!("{address:?}")
        };
        assert!(ee.external_event_id.is_some());
        let ms = |t: &Option<pbjson_types::Timestamp>| {
            t.as_ref()
                .map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
        };
        assert!(ms(&ee.event_time) <= ms(&address.arrival_time));
        assert_eq!(
            k.main_trail("pay-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-payment-received-EXTERNAL_EVENT COMPLETED",
                "2-address-confirmed-EXTERNAL_EVENT COMPLETED",
                "3-ship-order-TASK COMPLETED",
                "4-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn missing_payment_times_out_into_unpaid() {
    scenario(async {
        let mut k = kernel().await;
        let started = tokio::time::Instant::now();
        k.run("order-payment", "pay-2", &[("order-id", s("A-101"))])
            .await;
        let run = k.wait_for("pay-2", LhStatus::Exception).await;
        assert!(started.elapsed() >= std::time::Duration::from_secs(2));

        let payment = k
            .node_run("pay-2", "1-payment-received-EXTERNAL_EVENT")
            .await;
        assert_eq!(payment.status, LhStatus::Error as i32);
        assert_eq!(payment.failures[0].failure_name, "TIMEOUT");
        assert!(matches!(
            payment.node_type,
            Some(NodeType::ExternalEvent(ref ee)) if ee.timed_out
        ));
        // The TIMEOUT handler ran and failed with `unpaid`, which ends the run.
        assert_eq!(
            thread(&run, 1).thread_spec_name,
            "exn-handler-1-payment-received-EXTERNAL_EVENT-TIMEOUT"
        );
        assert_eq!(
            k.trail(&wf_id("pay-2"), Some(1)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-unpaid-EXIT EXCEPTION"
            ]
        );
        assert_eq!(
            thread(&run, 0).error_message.as_deref(),
            Some("no payment arrived in time")
        );
        assert_eq!(k.var("pay-2", "paid").await, double(0.0));
        assert!(k.calls("ship-order").is_empty());
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn cancellation_interrupts_the_wait_and_fails_the_run() {
    scenario(async {
        let mut k = kernel().await;
        k.run("order-payment", "pay-3", &[("order-id", s("A-102"))])
            .await;
        k.post_correlated("A-102", "payment-received", double(10.0))
            .await;
        k.wait_at("pay-3", "2-address-confirmed-EXTERNAL_EVENT")
            .await;
        k.post_event("pay-3", "order-cancelled", s("changed my mind"))
            .await;
        let run = k.wait_for("pay-3", LhStatus::Exception).await;

        // The interrupt handler ran as a child of thread 0, with the event as INPUT.
        let interrupt = thread(&run, 1);
        assert_eq!(interrupt.thread_spec_name, "interrupt-order-cancelled");
        assert_eq!(interrupt.r#type, ThreadType::Interrupt as i32);
        assert_eq!(interrupt.parent_thread_id, Some(0));
        assert_eq!(interrupt.status, LhStatus::Exception as i32);
        assert_eq!(
            k.trail(&wf_id("pay-3"), Some(1)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-refund-payment-TASK COMPLETED",
                "2-cancelled-EXIT EXCEPTION",
            ]
        );
        assert_eq!(
            k.calls("refund-payment")[0].inputs,
            [s("A-102"), s("changed my mind")]
        );
        assert_eq!(k.var("pay-3", "cancel-reason").await, s("changed my mind"));
        // Its failure fails the interrupted thread, at the node it was waiting at.
        let address = k
            .node_run("pay-3", "2-address-confirmed-EXTERNAL_EVENT")
            .await;
        assert_eq!(address.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&address), ["cancelled"]);
        assert_eq!(
            address.failures[0].message,
            "Interrupt thread with id 1 failed!"
        );
        assert_eq!(k.var("pay-3", "paid").await, double(10.0));
        assert!(k.calls("ship-order").is_empty());
        k.shutdown().await;
    })
    .await;
}
