//! `examples/e2e/parallel-packing.lhw`: START_THREAD with an input, START_MULTIPLE_THREADS
//! over a JSON array, WAIT_FOR_THREADS (all) with per-thread handlers, and, without
//! handlers, a child's exception or error failing the parent's wait.

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, ThreadType, VariableValue};
use std::collections::BTreeSet;

const FILE: &str = "parallel-packing.lhw";

/// `pack-item`: "glass" raises damaged-item (content: what happened), "jammed" crashes
/// the packing station, anything else is packed.
async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "pack-item",
        handler(|task| match input_str(task, 0).as_str() {
            "glass" => Reply::Exception("damaged-item".into(), Some(s("glass cracked"))),
            "jammed" => Reply::Error("the packing station is jammed".into()),
            sku => Reply::Output(s(&format!("box of {sku}"))),
        }),
    )
    .await;
    k.worker(
        "print-label",
        handler(|task| Reply::Output(s(&format!("LBL-{}", input_str(task, 0))))),
    )
    .await;
    k.worker(
        "report-problem",
        handler(|_| Reply::Output(VariableValue::default())),
    )
    .await;
    k
}

#[tokio::test]
async fn every_item_is_packed_in_its_own_thread() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "pack-order",
            "pack-1",
            &[
                ("order-id", s("O-1")),
                ("skus", json_arr(r#"["bolt", "nut", "washer"]"#)),
            ],
        )
        .await;
        let run = k.wait_for("pack-1", LhStatus::Completed).await;

        assert_eq!(k.var("pack-1", "label").await, s("LBL-O-1"));
        assert_eq!(k.var("pack-1", "packed").await, int(3));
        assert_eq!(
            json(&k.var("pack-1", "problems").await),
            serde_json::json!([])
        );
        assert_eq!(
            k.main_trail("pack-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-labelling-START_THREAD COMPLETED",
                "2-packer-START_MULTIPLE_THREADS COMPLETED",
                "3-threads-WAIT_FOR_THREADS COMPLETED",
                "4-threads-WAIT_FOR_THREADS COMPLETED",
                "5-exit-EXIT COMPLETED",
            ]
        );
        // Thread 1 labels (its input set by the spawn), threads 2-4 pack one item each.
        assert_eq!(run.thread_runs.len(), 5);
        assert_eq!(thread(&run, 1).thread_spec_name, "labelling");
        assert_eq!(k.var_of(&wf_id("pack-1"), 1, "order").await, s("O-1"));
        let mut items = Vec::new();
        for n in 2..=4 {
            let t = thread(&run, n);
            assert_eq!(t.thread_spec_name, "packer");
            assert_eq!(t.parent_thread_id, Some(0));
            assert_eq!(t.r#type, ThreadType::Child as i32);
            assert_eq!(t.status, LhStatus::Completed as i32);
            items.push(k.var_of(&wf_id("pack-1"), n, "INPUT").await);
        }
        assert_eq!(items, [s("bolt"), s("nut"), s("washer")]);
        // The handles: the thread number, and the JSON array of thread numbers.
        assert_eq!(k.var("pack-1", "1-labelling-START_THREAD").await, int(1));
        assert_eq!(
            json(&k.var("pack-1", "2-packer-START_MULTIPLE_THREADS").await),
            serde_json::json!([2, 3, 4])
        );
        assert_eq!(
            k.trail(&wf_id("pack-1"), Some(3)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-pack-item-TASK COMPLETED",
                "2-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn per_thread_handlers_deal_with_each_failed_item() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "pack-order",
            "pack-2",
            &[
                ("order-id", s("O-2")),
                ("skus", json_arr(r#"["bolt", "glass", "jammed"]"#)),
            ],
        )
        .await;
        let run = k.wait_for("pack-2", LhStatus::Completed).await;

        assert_eq!(k.var("pack-2", "packed").await, int(1));
        let problems: BTreeSet<String> = json(&k.var("pack-2", "problems").await)
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            problems,
            BTreeSet::from([
                "damaged: glass cracked".to_string(),
                "station down".to_string()
            ])
        );
        assert_eq!(
            k.calls("report-problem")[0].inputs,
            [s("damaged item in order O-2: glass cracked")]
        );
        // The failed packers ended with their own failures ...
        let glass = thread(&run, 3);
        assert_eq!(glass.status, LhStatus::Exception as i32);
        let jammed = thread(&run, 4);
        assert_eq!(jammed.status, LhStatus::Error as i32);
        // ... and each got a handler of its own: a FAILURE_HANDLER child of the failed
        // thread, the exception's content as its INPUT.
        let handlers: Vec<_> = run
            .thread_runs
            .iter()
            .filter(|t| t.r#type == ThreadType::FailureHandler as i32)
            .collect();
        assert_eq!(handlers.len(), 2, "{:#?}", run.thread_runs);
        let damaged = handlers
            .iter()
            .find(|t| t.thread_spec_name == "exn-handler-4-threads-WAIT_FOR_THREADS-damaged-item")
            .expect("the damaged-item handler ran");
        assert_eq!(damaged.parent_thread_id, Some(3));
        assert_eq!(damaged.status, LhStatus::Completed as i32);
        assert_eq!(
            k.var_of(&wf_id("pack-2"), damaged.number, "INPUT").await,
            s("glass cracked")
        );
        let station = handlers
            .iter()
            .find(|t| {
                t.thread_spec_name == "error-handler-4-threads-WAIT_FOR_THREADS-FAILURE_TYPE_ERROR"
            })
            .expect("the error handler ran");
        assert_eq!(station.parent_thread_id, Some(4));
        // Handled, so the wait and the run complete.
        let wait = k.node_run("pack-2", "4-threads-WAIT_FOR_THREADS").await;
        assert_eq!(wait.status, LhStatus::Completed as i32);
        assert!(wait.failures.is_empty());
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn unhandled_thread_exception_fails_the_wait_with_the_same_exception() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "pack-strict",
            "strict-1",
            &[("skus", json_arr(r#"["glass"]"#))],
        )
        .await;
        let run = k.wait_for("strict-1", LhStatus::Exception).await;

        assert_eq!(thread(&run, 1).status, LhStatus::Exception as i32);
        let wait = k.node_run("strict-1", "2-threads-WAIT_FOR_THREADS").await;
        assert_eq!(wait.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&wait), ["damaged-item"]);
        assert_eq!(
            k.main_trail("strict-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-strict-packer-START_MULTIPLE_THREADS COMPLETED",
                "2-threads-WAIT_FOR_THREADS EXCEPTION",
            ]
        );
        assert_eq!(k.var("strict-1", "packed").await, int(0));
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn unhandled_thread_error_fails_the_wait_with_child_failure() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "pack-strict",
            "strict-2",
            &[("skus", json_arr(r#"["bolt", "jammed"]"#))],
        )
        .await;
        let run = k.wait_for("strict-2", LhStatus::Error).await;

        let jammed = thread(&run, 2);
        assert_eq!(jammed.status, LhStatus::Error as i32);
        let wait = k.node_run("strict-2", "2-threads-WAIT_FOR_THREADS").await;
        assert_eq!(wait.status, LhStatus::Error as i32);
        assert_eq!(failure_names(&wait), ["CHILD_FAILURE"]);
        assert!(
            wait.failures[0].message.contains("TASK_FAILURE"),
            "{:?}",
            wait.failures[0]
        );
        k.shutdown().await;
    })
    .await;
}
