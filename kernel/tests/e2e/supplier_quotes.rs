//! `examples/e2e/supplier-quotes.lhw`: WAIT_FOR_THREADS with the `first of` and `any of`
//! strategies: the threads left behind are halted, failed threads are ignored until all
//! have failed.

use crate::harness::*;
use lhw_proto::littlehorse::{
    LhStatus, NodeRun, node_run::NodeType, wait_for_threads_run::WaitingThreadStatus,
};

const FILE: &str = "supplier-quotes.lhw";

/// `request-quote`: "broken" fails, the others quote a price.
async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "request-quote",
        handler(|task| match input_str(task, 0).as_str() {
            "broken" => Reply::Error("the supplier's API is down".into()),
            "express" => Reply::Output(double(9.99)),
            _ => Reply::Output(double(12.5)),
        }),
    )
    .await;
    k
}

/// The threads a WAIT_FOR_THREADS NodeRun waits for, with their waiting status.
fn waited(nr: &NodeRun) -> Vec<(i32, WaitingThreadStatus)> {
    match &nr.node_type {
        Some(NodeType::WaitForThreads(w)) => w
            .threads
            .iter()
            .map(|t| {
                (
                    t.thread_run_number,
                    WaitingThreadStatus::try_from(t.waiting_status).unwrap(),
                )
            })
            .collect(),
        other => panic!("not a WAIT_FOR_THREADS NodeRun: {other:?}"),
    }
}

#[tokio::test]
async fn first_of_takes_the_quote_that_ends_first_and_halts_the_other() {
    scenario(async {
        let mut k = kernel().await;
        k.run("fastest-quote", "fast-1", &[]).await;
        let run = k.wait_for("fast-1", LhStatus::Completed).await;
        // The postal thread sleeps 5 s; nobody waited for it: its sleep is HALTED (below).

        assert_eq!(k.var("fast-1", "supplier").await, s("express"));
        assert_eq!(k.var("fast-1", "price").await, double(9.99));
        let express = thread(&run, 1);
        assert_eq!(express.thread_spec_name, "express-quote");
        assert_eq!(express.status, LhStatus::Completed as i32);
        let postal = thread(&run, 2);
        assert_eq!(postal.thread_spec_name, "postal-quote");
        assert_eq!(postal.status, LhStatus::Halted as i32);
        assert_eq!(
            k.trail(&wf_id("fast-1"), Some(2)).await,
            ["0-entrypoint-ENTRYPOINT COMPLETED", "1-sleep-SLEEP HALTED"]
        );
        let wait = k.node_run("fast-1", "3-threads-WAIT_FOR_THREADS").await;
        assert_eq!(wait.status, LhStatus::Completed as i32);
        assert_eq!(
            waited(&wait)[0],
            (1, WaitingThreadStatus::ThreadCompletedOrFailureHandled)
        );
        assert_eq!(waited(&wait)[1].0, 2);
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn first_of_ignores_a_late_answer_from_the_halted_thread() {
    if kernel_only(
        "races a 0 s SLEEP against a task; on LittleHorse every SLEEP waits for the timer \
         topology, so the task wins the race (docs/differences.md)",
    ) {
        return;
    }
    scenario(async {
        let mut k = kernel().await;
        // Without patience the postal thread ends at once, before any worker answers.
        k.run("fastest-quote", "fast-2", &[("patience", int(0))])
            .await;
        let run = k.wait_for("fast-2", LhStatus::Completed).await;

        assert_eq!(k.var("fast-2", "supplier").await, s("postal"));
        // The express thread was halted while its task ran: the task finished, but the
        // thread never went on to store the price.
        assert_eq!(k.var("fast-2", "price").await, double(0.0));
        assert_eq!(thread(&run, 1).status, LhStatus::Halted as i32);
        assert_eq!(thread(&run, 2).status, LhStatus::Completed as i32);
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn any_of_ignores_a_failed_supplier() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "any-quote",
            "any-1",
            &[
                ("first-supplier", s("broken")),
                ("second-supplier", s("acme")),
            ],
        )
        .await;
        let run = k.wait_for("any-1", LhStatus::Completed).await;

        assert_eq!(k.var("any-1", "price").await, double(12.5));
        assert_eq!(thread(&run, 2).status, LhStatus::Completed as i32);
        assert_eq!(
            k.main_trail("any-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-quote-one-START_THREAD COMPLETED",
                "2-quote-two-START_THREAD COMPLETED",
                "3-threads-WAIT_FOR_THREADS COMPLETED",
                "4-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn any_of_fails_with_child_failure_when_every_supplier_fails() {
    scenario(async {
        let mut k = kernel().await;
        k.run(
            "any-quote",
            "any-2",
            &[
                ("first-supplier", s("broken")),
                ("second-supplier", s("broken")),
            ],
        )
        .await;
        let run = k.wait_for("any-2", LhStatus::Error).await;

        assert_eq!(thread(&run, 1).status, LhStatus::Error as i32);
        assert_eq!(thread(&run, 2).status, LhStatus::Error as i32);
        let wait = k.node_run("any-2", "3-threads-WAIT_FOR_THREADS").await;
        assert_eq!(wait.status, LhStatus::Error as i32);
        assert_eq!(failure_names(&wait), ["CHILD_FAILURE"]);
        assert_eq!(wait.failures[0].message, "All child threads failed");
        assert_eq!(
            waited(&wait),
            [
                (1, WaitingThreadStatus::ThreadUnsuccessful),
                (2, WaitingThreadStatus::ThreadUnsuccessful)
            ]
        );
        assert_eq!(k.var("any-2", "price").await, double(0.0));
        k.shutdown().await;
    })
    .await;
}
