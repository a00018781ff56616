//! Jumps of the system clock under a served kernel (in process: the jump moves this
//! process's reading of the system clock, `lhw_kernel::clock::jump_system_clock`, on every
//! thread, as a step of the machine's clock does): a jump forward fires the timers it
//! passes, each once, within a second; a jump back fires nothing again, loses nothing, and
//! the timers still pending fire once when the clock reaches them.
//!
//! Only this case runs a kernel in this test binary's process; the others run the
//! `lhw-kernel` binary, whose clock the jump does not move.

use crate::worker::{ExecLog, resilient_worker};
use lhw_kernel::clock::jump_system_clock;
use lhw_proto::littlehorse::{LhStatus, NodeRun, node_run};
use std::sync::Arc;
use std::time::Duration;

const WORKFLOW: &str = r#"
task tick(n: int) -> int
workflow sleepy {
  input n: int required
  input pause: int required
  var out: int
  sleep pause
  out = tick(n)
}
"#;

/// Moves the clock back by the sum of every jump when dropped (the test may fail midway).
struct Jumps(i64);

impl Jumps {
    fn jump(&mut self, ms: i64) {
        jump_system_clock(ms);
        self.0 += ms;
    }
}

impl Drop for Jumps {
    fn drop(&mut self) {
        jump_system_clock(-self.0);
    }
}

fn sleeps(nodes: &[NodeRun]) -> Vec<&NodeRun> {
    nodes
        .iter()
        .filter(|n| matches!(n.node_type, Some(node_run::NodeType::Sleep(_))))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_jumps_fire_each_timer_once_and_lose_none() {
    let (_dir, kernel, mut client) = crate::common::start_deployed(WORKFLOW).await;
    // A worker without heartbeats (crate::worker): nothing but the engine's own clock
    // reading can fire a timer while the test waits.
    let log: ExecLog = Arc::default();
    let worker = tokio::spawn(resilient_worker(
        kernel.addr(),
        "tick",
        |_| 1,
        2,
        1,
        log.clone(),
    ));
    let ticks_of = |id: &str| {
        log.lock()
            .expect("log")
            .iter()
            .filter(|e| e.wf_run == id)
            .count()
    };
    let starter = client.clone();
    let start = |id: &'static str, wait_s: i64| {
        let mut c = starter.clone();
        async move {
            crate::common::run(
                &mut c,
                "sleepy",
                id,
                &[
                    ("n", crate::common::int(1)),
                    ("pause", crate::common::int(wait_s)),
                ],
            )
            .await;
        }
    };
    let mut jumps = Jumps(0);
    let body = async {
        // Two runs sleeping 20 s and 40 s of wall-clock time.
        start("fwd-20", 20).await;
        start("fwd-40", 40).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            ticks_of("fwd-20") + ticks_of("fwd-40"),
            0,
            "nothing fired yet"
        );

        // Forward 60 s: both timers are passed and fire, once each, within a second or so
        // (the engine reads the clock again at least every second), with no request to
        // wake it.
        jumps.jump(60_000);
        tokio::time::sleep(Duration::from_millis(2500)).await;
        for id in ["fwd-20", "fwd-40"] {
            assert_eq!(
                ticks_of(id),
                1,
                "{id}'s sleep fired without a request to the kernel"
            );
        }
        for id in ["fwd-20", "fwd-40"] {
            crate::common::wait_status(&mut client, id, LhStatus::Completed).await;
        }
        // A run sleeping 30 s from the new time.
        start("back-30", 30).await;

        // Back 120 s: nothing fires again, and the pending sleep is neither fired nor lost.
        jumps.jump(-120_000);
        tokio::time::sleep(Duration::from_millis(2500)).await;
        for id in ["fwd-20", "fwd-40"] {
            assert_eq!(ticks_of(id), 1, "{id}'s task ran once");
            let nodes = crate::common::node_runs(&mut client, id, Some(0)).await;
            let s = sleeps(&nodes);
            assert_eq!(s.len(), 1, "{id} slept once: {nodes:#?}");
            assert_eq!(s[0].status, LhStatus::Completed as i32);
        }
        let back = client
            .get_wf_run(crate::common::wf_id("back-30"))
            .await
            .expect("get")
            .into_inner();
        assert_eq!(back.status, LhStatus::Running as i32, "not fired early");
        assert_eq!(ticks_of("back-30"), 0);

        // Forward again, past its due time (120 s back + 30 s of sleep): it fires, once.
        jumps.jump(151_000);
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(ticks_of("back-30"), 1, "back-30's sleep fired");
        crate::common::wait_status(&mut client, "back-30", LhStatus::Completed).await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(ticks_of("back-30"), 1, "back-30's task ran once");
        let nodes = crate::common::node_runs(&mut client, "back-30", Some(0)).await;
        assert_eq!(sleeps(&nodes).len(), 1, "back-30 slept once: {nodes:#?}");
        for id in ["fwd-20", "fwd-40"] {
            assert_eq!(ticks_of(id), 1, "{id}'s task still ran once");
        }
        let out = crate::common::var(&mut client, "back-30", "out").await;
        assert_eq!(
            out,
            Some(lhw_proto::littlehorse::variable_value::Value::Int(1))
        );
        eprintln!(
            "fault suite, clock jumps: +60 s fired 2 sleeps once each, -120 s fired nothing \
             again, +151 s fired the pending sleep once"
        );
    };
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("the clock case finished within 60 s");
    drop(jumps);
    worker.abort();
    kernel.shutdown().await;
}
