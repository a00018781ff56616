//! `examples/e2e/delivery-schedule.lhw`: SLEEP for a number of seconds held in a
//! variable, and SLEEP until a timestamp the caller gives.

use crate::harness::*;
use lhw_proto::littlehorse::{LhStatus, NodeRun, node_run::NodeType, variable_value::Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FILE: &str = "delivery-schedule.lhw";

async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "dispatch-courier",
        handler(|task| Reply::Output(s(&format!("courier for {}", input_str(task, 0))))),
    )
    .await;
    k
}

fn epoch_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn timestamp(ms: i64) -> lhw_proto::littlehorse::VariableValue {
    val(Value::UtcTimestamp(pbjson_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap(),
    }))
}

fn ms_of(t: Option<&pbjson_types::Timestamp>) -> i64 {
    let t = t.expect("a timestamp");
    t.seconds * 1000 + i64::from(t.nanos) / 1_000_000
}

/// A sleep-until time as the server keeps it: LittleHorse 1.2.1 drops the milliseconds of a
/// TIMESTAMP (docs/differences.md); the kernel keeps them.
fn server_ms(ms: i64) -> i64 {
    if on_real_server() { ms - ms % 1000 } else { ms }
}

/// The maturation time of a SLEEP NodeRun, in epoch milliseconds.
fn matures_at(nr: &NodeRun) -> i64 {
    match &nr.node_type {
        Some(NodeType::Sleep(s)) => {
            assert!(s.matured, "{nr:?}");
            ms_of(s.maturation_time.as_ref())
        }
        other => panic!("not a SLEEP NodeRun: {other:?}"),
    }
}

#[tokio::test]
async fn delivery_waits_for_the_cooling_off_and_then_the_set_time() {
    scenario(async {
        let mut k = kernel().await;
        let started = tokio::time::Instant::now();
        let deliver_at = epoch_ms() + 2000;
        k.run(
            "scheduled-delivery",
            "del-1",
            &[
                ("order-id", s("O-5")),
                ("deliver-at", timestamp(deliver_at)),
            ],
        )
        .await;
        k.wait_for("del-1", LhStatus::Completed).await;

        assert_eq!(k.var("del-1", "courier").await, s("courier for O-5"));
        // The courier was called no earlier than the set time (as the server keeps it).
        let dispatched = k.calls("dispatch-courier")[0].at;
        let wait = (server_ms(deliver_at) - (deliver_at - 2000)) as u64;
        assert!(dispatched - started >= Duration::from_millis(wait - 100));
        let cooling = k.node_run("del-1", "1-sleep-SLEEP").await;
        let held = matures_at(&cooling) - ms_of(cooling.arrival_time.as_ref());
        // The kernel counts the second from the NodeRun's arrival; the server from its clock
        // when the node arrives (`SleepNodeModel.getMaturationTime`), a few ms after the
        // command's time that becomes `arrival_time`.
        if on_real_server() {
            assert!((1000..1250).contains(&held), "held {held} ms");
        } else {
            assert_eq!(held, 1000);
        }
        let until = k.node_run("del-1", "2-sleep-SLEEP").await;
        assert_eq!(matures_at(&until), server_ms(deliver_at));
        assert!(ms_of(until.end_time.as_ref()) >= server_ms(deliver_at));
        assert_eq!(
            k.main_trail("del-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-sleep-SLEEP COMPLETED",
                "2-sleep-SLEEP COMPLETED",
                "3-dispatch-courier-TASK COMPLETED",
                "4-exit-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_time_already_past_does_not_wait() {
    scenario(async {
        let mut k = kernel().await;
        let past = epoch_ms() - 60_000;
        k.run(
            "scheduled-delivery",
            "del-2",
            &[
                ("order-id", s("O-6")),
                ("cooling-off", int(0)),
                ("deliver-at", timestamp(past)),
            ],
        )
        .await;
        k.wait_for("del-2", LhStatus::Completed).await;

        let until = k.node_run("del-2", "2-sleep-SLEEP").await;
        assert_eq!(matures_at(&until), server_ms(past));
        // Both sleeps ended as they arrived.
        for node in ["1-sleep-SLEEP", "2-sleep-SLEEP"] {
            let nr = k.node_run("del-2", node).await;
            assert!(ms_of(nr.end_time.as_ref()) - ms_of(nr.arrival_time.as_ref()) < 1000);
        }
        assert_eq!(k.var("del-2", "courier").await, s("courier for O-6"));
        k.shutdown().await;
    })
    .await;
}
