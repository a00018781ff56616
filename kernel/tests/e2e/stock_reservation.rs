//! `examples/e2e/stock-reservation.lhw`: handlers for a named exception (with content),
//! for any exception and for TASK_FAILURE; `fail ... with` on an EXIT node; an uncaught
//! exception (EXCEPTION status); a handler that fails and so translates the failure.

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, VariableValue};

const FILE: &str = "stock-reservation.lhw";

/// `reserve-stock`: "BOLT" is out of stock (3 left), "LAMP" is discontinued, "CRASH"
/// crashes the worker, anything else is reserved.
async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "reserve-stock",
        handler(|task| match input_str(task, 0).as_str() {
            "BOLT" => Reply::Exception(
                "out-of-stock".into(),
                Some(json_obj(r#"{"available": 3, "warehouse": "north"}"#)),
            ),
            "LAMP" => Reply::Exception("discontinued".into(), None),
            "CRASH" => Reply::Error("NullPointerException".into()),
            sku => Reply::Output(s(&format!("reserved {sku}"))),
        }),
    )
    .await;
    k.worker(
        "notify-warehouse",
        handler(|_| Reply::Output(VariableValue::default())),
    )
    .await;
    k
}

#[tokio::test]
async fn each_failure_reaches_the_first_matching_handler() {
    scenario(async {
        let mut k = kernel().await;
        // (run, sku, quantity, result, handler thread)
        let cases = [
            ("ok-1", "WIDGET", 2, "reserved WIDGET", None),
            (
                "bolt-1",
                "BOLT",
                5,
                "backordered, 3 left",
                Some("exn-handler-4-reserve-stock-TASK-out-of-stock"),
            ),
            (
                "lamp-1",
                "LAMP",
                1,
                "rejected by the warehouse",
                Some("exn-handler-4-reserve-stock-TASK-null"),
            ),
            (
                "crash-1",
                "CRASH",
                1,
                "warehouse system down",
                Some("exn-handler-4-reserve-stock-TASK-TASK_FAILURE"),
            ),
        ];
        for (id, sku, quantity, _, _) in cases {
            k.run(
                "reserve-line",
                id,
                &[("sku", s(sku)), ("quantity", int(quantity))],
            )
            .await;
        }
        for (id, sku, quantity, result, handler_spec) in cases {
            let run = k.wait_for(id, LhStatus::Completed).await;
            assert_eq!(k.var(id, "result").await, s(result), "{id}");
            let reserve = k.node_run(id, "4-reserve-stock-TASK").await;
            match handler_spec {
                None => {
                    assert_eq!(reserve.status, LhStatus::Completed as i32);
                    assert_eq!(run.thread_runs.len(), 1);
                }
                Some(spec) => {
                    // Exactly one handler ran: the first that matches, as thread 1.
                    assert_eq!(run.thread_runs.len(), 2, "{id}");
                    assert_eq!(thread(&run, 1).thread_spec_name, spec, "{id}");
                    assert_eq!(reserve.failure_handler_ids, [1]);
                    assert!(reserve.failures[0].was_properly_handled);
                }
            }
            // The run went on after the step: the warehouse hears the result.
            assert!(
                k.calls("notify-warehouse")
                    .iter()
                    .any(|c| c.inputs[0] == s(&format!("{sku} x{quantity}: {result}"))),
                "{id}: {:?}",
                k.calls("notify-warehouse")
            );
        }
        let bolt = k.node_run("bolt-1", "4-reserve-stock-TASK").await;
        assert_eq!(bolt.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&bolt), ["out-of-stock"]);
        // The handler's INPUT is the exception's content.
        assert_eq!(
            json(&k.var_of(&wf_id("bolt-1"), 1, "INPUT").await),
            serde_json::json!({"available": 3, "warehouse": "north"})
        );
        let crash = k.node_run("crash-1", "4-reserve-stock-TASK").await;
        assert_eq!(crash.status, LhStatus::Error as i32);
        assert_eq!(failure_names(&crash), ["TASK_FAILURE"]);
        assert_eq!(
            k.main_trail("lamp-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-nop-NOP COMPLETED",
                "3-nop-NOP COMPLETED",
                "4-reserve-stock-TASK EXCEPTION",
                "5-notify-warehouse-TASK COMPLETED",
                "6-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn fail_with_content_ends_the_run_in_exception() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "reserve-line",
            "zero-1",
            &[("sku", s("WIDGET")), ("quantity", int(0))],
        )
        .await;
        let run = k.wait_for("zero-1", LhStatus::Exception).await;

        assert_eq!(
            k.main_trail("zero-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-nop-NOP COMPLETED",
                "2-invalid-quantity-EXIT EXCEPTION",
            ]
        );
        let exit = k.node_run("zero-1", "2-invalid-quantity-EXIT").await;
        assert_eq!(failure_names(&exit), ["invalid-quantity"]);
        assert_eq!(exit.failures[0].message, "the quantity must be positive");
        assert_eq!(exit.failures[0].content, Some(int(0)));
        assert_eq!(
            thread(&run, 0).error_message.as_deref(),
            Some("the quantity must be positive")
        );
        assert!(k.calls("reserve-stock").is_empty());
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn uncaught_exception_ends_the_run_in_exception() {
    scenario(async {
        let mut k = kernel().await;
        k.run("reserve-strict", "strict-1", &[("sku", s("BOLT"))])
            .await;
        let run = k.wait_for("strict-1", LhStatus::Exception).await;

        // `catch error` does not catch an exception: no handler thread ran.
        assert_eq!(run.thread_runs.len(), 1);
        let reserve = k.node_run("strict-1", "1-reserve-stock-TASK").await;
        assert_eq!(reserve.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&reserve), ["out-of-stock"]);
        // Compared as JSON: LittleHorse re-serializes a JSON_OBJ compactly, the kernel keeps
        // the worker's text (docs/differences.md).
        assert_eq!(
            reserve.failures[0].content.as_ref().map(json),
            Some(json(&json_obj(r#"{"available": 3, "warehouse": "north"}"#)))
        );
        assert!(!reserve.failures[0].was_properly_handled);
        assert_eq!(
            k.main_trail("strict-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-reserve-stock-TASK EXCEPTION"
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn failing_handler_turns_an_error_into_an_exception() {
    scenario(async {
        let mut k = kernel().await;
        k.run("reserve-strict", "strict-2", &[("sku", s("CRASH"))])
            .await;
        let run = k.wait_for("strict-2", LhStatus::Exception).await;

        let reserve = k.node_run("strict-2", "1-reserve-stock-TASK").await;
        assert_eq!(reserve.failures[0].failure_name, "TASK_FAILURE");
        assert!(!reserve.failures[0].was_properly_handled);
        // The handler ran and failed with the workflow's own exception ...
        let handler_thread = thread(&run, 1);
        assert_eq!(
            handler_thread.thread_spec_name,
            "exn-handler-1-reserve-stock-TASK-FAILURE_TYPE_ERROR"
        );
        assert_eq!(handler_thread.status, LhStatus::Exception as i32);
        assert_eq!(
            k.trail(&wf_id("strict-2"), Some(1)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-reservation-failed-EXIT EXCEPTION"
            ]
        );
        // ... which is the failure the run ends with.
        assert_eq!(thread(&run, 0).status, LhStatus::Exception as i32);
        assert_eq!(
            thread(&run, 0).error_message.as_deref(),
            Some("the warehouse could not be reached")
        );
        assert_eq!(k.var("strict-2", "reservation").await, s(""));
        k.shutdown().await;
    })
    .await;
}
