//! `examples/e2e/approval-quorum.lhw`: interrupts that change the workflow's variables,
//! WAIT_FOR_CONDITION checked again as they do, and EXIT nodes with an output (`return`)
//! and with a failure and its content (`fail ... with`).

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, ThreadType, VariableValue};

const FILE: &str = "approval-quorum.lhw";
const WAIT: &str = "1-wait-for-condition-WAIT_FOR_CONDITION";

async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "announce",
        handler(|_| Reply::Output(VariableValue::default())),
    )
    .await;
    k
}

/// Posts a vote and waits until its interrupt handler has counted it.
async fn vote(k: &mut Kernel, id: &str, approve: bool, votes_for: i64, votes_against: i64) {
    k.post_event(id, "vote-cast", boolean(approve)).await;
    let id = id.to_string();
    k.eventually("the vote to be counted", |mut c| {
        let id = id.clone();
        async move {
            let get = |name: &str| lhw_proto::littlehorse::VariableId {
                wf_run_id: Some(wf_id(&id)),
                thread_run_number: 0,
                name: name.into(),
            };
            let f = c.get_variable(get("votes-for")).await.ok()?.into_inner();
            let a = c
                .get_variable(get("votes-against"))
                .await
                .ok()?
                .into_inner();
            (f.value == Some(int(votes_for)) && a.value == Some(int(votes_against))).then_some(())
        }
    })
    .await;
}

#[tokio::test]
async fn votes_reach_the_quorum_and_the_run_returns_the_decision() {
    scenario(async {
        let mut k = kernel().await;
        k.run("approval-quorum", "q-1", &[]).await;
        k.wait_at("q-1", WAIT).await;
        vote(&mut k, "q-1", true, 1, 0).await;
        // After an interrupt, the thread waits at the same node again.
        k.wait_at("q-1", WAIT).await;
        vote(&mut k, "q-1", false, 1, 1).await;
        k.wait_at("q-1", WAIT).await;
        vote(&mut k, "q-1", true, 2, 1).await;
        let run = k.wait_for("q-1", LhStatus::Completed).await;

        // The run's output is the value of `return`.
        assert_eq!(thread(&run, 0).output, Some(s("approved by 2 of 3")));
        assert_eq!(
            k.calls("announce")[0].inputs,
            [s("approved with 2 votes for and 1 against")]
        );
        // One INTERRUPT thread per vote, each a child of thread 0 holding its vote.
        let interrupts: Vec<_> = run
            .thread_runs
            .iter()
            .filter(|t| t.r#type == ThreadType::Interrupt as i32)
            .collect();
        assert_eq!(interrupts.len(), 3);
        let mut votes = Vec::new();
        for t in &interrupts {
            assert_eq!(t.thread_spec_name, "interrupt-vote-cast");
            assert_eq!(t.parent_thread_id, Some(0));
            assert_eq!(t.status, LhStatus::Completed as i32);
            votes.push(k.var_of(&wf_id("q-1"), t.number, "INPUT").await);
        }
        assert_eq!(votes, [boolean(true), boolean(false), boolean(true)]);
        assert_eq!(
            k.main_trail("q-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-wait-for-condition-WAIT_FOR_CONDITION COMPLETED",
                "2-nop-NOP COMPLETED",
                "4-nop-NOP COMPLETED",
                "5-announce-TASK COMPLETED",
                "6-complete-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn rejection_fails_the_run_with_the_count_as_content() {
    scenario(async {
        let mut k = kernel().await;
        k.run("approval-quorum", "q-2", &[("quorum", int(1))]).await;
        k.wait_at("q-2", WAIT).await;
        k.post_event("q-2", "vote-cast", boolean(false)).await;
        let run = k.wait_for("q-2", LhStatus::Exception).await;

        let exit = k.node_run("q-2", "3-change-rejected-EXIT").await;
        assert_eq!(exit.status, LhStatus::Exception as i32);
        assert_eq!(failure_names(&exit), ["change-rejected"]);
        assert_eq!(exit.failures[0].content, Some(int(1)));
        assert_eq!(thread(&run, 0).output, None);
        assert_eq!(k.var("q-2", "votes-for").await, int(0));
        assert!(k.calls("announce").is_empty());
        k.shutdown().await;
    })
    .await;
}
