//! Threads and failure handlers: START_THREAD, START_MULTIPLE_THREADS,
//! WAIT_FOR_THREADS strategies and per-thread handlers, EXIT waiting for
//! children, node failure handlers and interrupts (workflows compiled by our
//! compiler, run over gRPC with Rust workers).

mod common;

use common::*;
use lhw_proto::littlehorse::{
    ExternalEventDefId, LhStatus, PutExternalEventRequest, ThreadType, VariableValue,
    node_run::NodeType, variable_value::Value,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const THREADS: &str = r#"
task work(item: str) -> str
task cleanup()
workflow threads {
  input items: json-arr
  var total: int = 0
  var done: str = ""
  let a = spawn adder(x: 5) {
    input x: int
    total += x
  }
  let b = spawn second {
    done = work("b")
  }
  let each = spawn packer for item: str in items {
    work(item)
  }
  wait a, b
  wait each
}
workflow child-fails {
  input kind: str
  var handled: bool = false
  let a = spawn risky {
    work(kind)
  }
  wait a
}
workflow child-fails-caught {
  input kind: str
  var handled: bool = false
  let a = spawn risky {
    work(kind)
  }
  wait a catch thread any {
    handled = true
  }
}
workflow first-any {
  var winner: str = ""
  let slow = spawn slow-one {
    sleep 5s
    winner = "slow"
  }
  let fast = spawn fast-one {
    winner = "fast"
  }
  wait first of slow, fast
  let f = spawn f2 {
    work("fail")
  }
  let g = spawn g2 {
    work("ok")
  }
  wait any of f, g
}
workflow unwaited-child {
  let a = spawn risky {
    work("fail")
  }
  sleep 1s
}
"#;

const HANDLERS: &str = r#"
task work(item: str) -> str
task cleanup()
event go: str
event cancel-order: str
workflow handlers {
  input kind: str
  var path: str = ""
  var after: bool = false
  path = work(kind) catch out-of-stock {
    path = "exception"
  } catch error timeout {
    path = "timeout"
  } catch error {
    path = "error"
  }
  after = true
}
workflow handler-fails {
  input kind: str
  work(kind) catch any {
    work("exn")
  }
}
workflow uncaught {
  input kind: str
  work(kind) catch error {
    cleanup()
  }
}
workflow interrupted {
  var reason: str = ""
  var got: str = ""
  got = await go
  on cancel-order(r) {
    reason = r
    cleanup()
  }
}
"#;

/// `work(item)`: "fail" fails, "exn" raises out-of-stock, "slow" times out
/// (never reported), anything else returns the item.
fn work_handler(calls: Arc<AtomicI64>) -> Handler {
    Arc::new(move |task| {
        calls.fetch_add(1, Ordering::SeqCst);
        match first_str(task).as_str() {
            "fail" => Outcome::Fail("boom".into()),
            "exn" => Outcome::Exception("out-of-stock".into()),
            other => Outcome::Ok(s(other)),
        }
    })
}

fn json_arr(items: &str) -> VariableValue {
    VariableValue {
        value: Some(Value::JsonArr(items.into())),
    }
}

async fn setup(
    source: &str,
) -> (
    tempfile::TempDir,
    lhw_kernel::KernelHandle,
    Client,
    Arc<AtomicI64>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let (dir, kernel, c) = start_deployed(source).await;
    let calls = Arc::new(AtomicI64::new(0));
    let cleanups = Arc::new(AtomicI64::new(0));
    let workers = vec![
        worker(&kernel, "work", work_handler(calls.clone())).await,
        worker(&kernel, "cleanup", counting(cleanups)).await,
    ];
    (dir, kernel, c, calls, workers)
}

async fn failure_names(c: &mut Client, id: &str, thread: i32) -> Vec<String> {
    node_runs(c, id, Some(thread))
        .await
        .iter()
        .flat_map(|n| n.failures.iter().map(|f| f.failure_name.clone()))
        .collect()
}

#[tokio::test]
async fn spawn_for_each_and_wait_for_all() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c, calls, workers) = setup(THREADS).await;
        run(
            &mut c,
            "threads",
            "t1",
            &[("items", json_arr(r#"["x","y","z"]"#))],
        )
        .await;
        let done = wait_status(&mut c, "t1", LhStatus::Completed).await;
        // adder, second, three packers.
        assert_eq!(done.thread_runs.len(), 6);
        assert_eq!(done.greatest_threadrun_number, 5);
        let t0 = &done.thread_runs[0];
        assert_eq!(t0.child_thread_ids, vec![1, 2, 3, 4, 5]);
        for th in &done.thread_runs[1..] {
            assert_eq!(th.r#type, ThreadType::Child as i32);
            assert_eq!(th.parent_thread_id, Some(0));
            assert_eq!(th.status, LhStatus::Completed as i32);
        }
        // The child mutated the parent's variable; `second` set `done`.
        assert_eq!(var(&mut c, "t1", "total").await, Some(Value::Int(5)));
        assert_eq!(
            var(&mut c, "t1", "done").await,
            Some(Value::Str("b".into()))
        );
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        // The for-each handle holds the child numbers.
        assert_eq!(
            var(&mut c, "t1", "3-packer-START_MULTIPLE_THREADS").await,
            Some(Value::JsonArr("[3,4,5]".into()))
        );
        // An empty list starts nothing and waits for nothing.
        run(&mut c, "threads", "t2", &[("items", json_arr("[]"))]).await;
        let done = wait_status(&mut c, "t2", LhStatus::Completed).await;
        assert_eq!(done.thread_runs.len(), 3);
        workers.iter().for_each(|w| w.abort());
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn child_failures_propagate_at_wait_and_exit() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c, _calls, workers) = setup(THREADS).await;
        // A child EXCEPTION propagates with its name, an ERROR as CHILD_FAILURE.
        run(&mut c, "child-fails", "exn", &[("kind", s("exn"))]).await;
        let r = wait_status(&mut c, "exn", LhStatus::Exception).await;
        assert_eq!(r.thread_runs[1].status, LhStatus::Exception as i32);
        assert!(
            failure_names(&mut c, "exn", 0)
                .await
                .contains(&"out-of-stock".to_string())
        );
        run(&mut c, "child-fails", "err", &[("kind", s("fail"))]).await;
        wait_status(&mut c, "err", LhStatus::Error).await;
        assert!(
            failure_names(&mut c, "err", 0)
                .await
                .contains(&"CHILD_FAILURE".to_string())
        );
        // A per-thread handler on the wait catches it; the handler runs as a
        // child of the failed thread.
        run(
            &mut c,
            "child-fails-caught",
            "caught",
            &[("kind", s("fail"))],
        )
        .await;
        let r = wait_status(&mut c, "caught", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "caught", "handled").await,
            Some(Value::Bool(true))
        );
        let handler = r
            .thread_runs
            .iter()
            .find(|t| t.r#type == ThreadType::FailureHandler as i32)
            .expect("a handler thread");
        assert_eq!(handler.parent_thread_id, Some(1));
        assert_eq!(r.thread_runs[0].handled_failed_children, vec![1]);
        // A failed child nobody waits for fails the parent at EXIT.
        run(&mut c, "unwaited-child", "unwaited", &[]).await;
        let r = wait_status(&mut c, "unwaited", LhStatus::Error).await;
        assert!(
            r.thread_runs[0]
                .error_message
                .as_deref()
                .unwrap_or_default()
                .contains("Child thread")
        );
        workers.iter().for_each(|w| w.abort());
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn wait_for_first_and_any() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c, _calls, workers) = setup(THREADS).await;
        run(&mut c, "first-any", "fa", &[]).await;
        let r = wait_status(&mut c, "fa", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "fa", "winner").await,
            Some(Value::Str("fast".into()))
        );
        // The slow thread was halted when the first one finished.
        let slow = r
            .thread_runs
            .iter()
            .find(|t| t.thread_spec_name == "slow-one");
        assert_eq!(slow.map(|t| t.status), Some(LhStatus::Halted as i32));
        workers.iter().for_each(|w| w.abort());
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn failure_handlers_match_in_order_and_resume() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c, _calls, workers) = setup(HANDLERS).await;
        run(&mut c, "handlers", "ok", &[("kind", s("fine"))]).await;
        wait_status(&mut c, "ok", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "ok", "path").await,
            Some(Value::Str("fine".into()))
        );
        assert_eq!(var(&mut c, "ok", "after").await, Some(Value::Bool(true)));

        run(&mut c, "handlers", "exn", &[("kind", s("exn"))]).await;
        let r = wait_status(&mut c, "exn", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "exn", "path").await,
            Some(Value::Str("exception".into()))
        );
        // Resuming follows the failed node's edge without its mutations (the step's own
        // output assignment); the compiler puts what follows the step behind a NOP, so it
        // still runs.
        assert_eq!(var(&mut c, "exn", "after").await, Some(Value::Bool(true)));
        let h = &r.thread_runs[1];
        assert_eq!(h.r#type, ThreadType::FailureHandler as i32);
        assert_eq!(h.thread_spec_name, "exn-handler-1-work-TASK-out-of-stock");
        let nodes = node_runs(&mut c, "exn", Some(0)).await;
        let failed = &nodes[1];
        assert_eq!(failed.status, LhStatus::Exception as i32);
        assert!(failed.failures[0].was_properly_handled);
        assert_eq!(failed.failures[0].failure_handler_threadrun_id, Some(1));
        assert_eq!(
            nodes.last().map(|n| n.node_name.as_str()),
            Some("3-exit-EXIT")
        );
        assert_eq!(nodes[2].node_name, "2-nop-NOP");
        // As on LittleHorse, a NOP node's run is an empty EntrypointRun (NodeRun has no
        // NOP case; seen on the real server, docs/differences.md).
        assert!(
            matches!(nodes[2].node_type, Some(NodeType::Entrypoint(_))),
            "{:?}",
            nodes[2].node_type
        );

        // TASK_FAILURE is not TIMEOUT: the generic error handler catches it.
        run(&mut c, "handlers", "err", &[("kind", s("fail"))]).await;
        wait_status(&mut c, "err", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "err", "path").await,
            Some(Value::Str("error".into()))
        );

        // A handler that fails fails the thread with its own failure.
        run(&mut c, "handler-fails", "hf", &[("kind", s("fail"))]).await;
        let r = wait_status(&mut c, "hf", LhStatus::Exception).await;
        assert_eq!(r.thread_runs[1].status, LhStatus::Exception as i32);
        assert!(
            failure_names(&mut c, "hf", 0)
                .await
                .contains(&"out-of-stock".to_string())
        );

        // An exception is not caught by `catch error`.
        run(&mut c, "uncaught", "un", &[("kind", s("exn"))]).await;
        let r = wait_status(&mut c, "un", LhStatus::Exception).await;
        assert_eq!(r.thread_runs.len(), 1);
        workers.iter().for_each(|w| w.abort());
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

fn event(id: &str, def: &str, content: &str) -> PutExternalEventRequest {
    PutExternalEventRequest {
        wf_run_id: Some(wf_id(id)),
        external_event_def_id: Some(ExternalEventDefId { name: def.into() }),
        content: Some(s(content)),
        ..Default::default()
    }
}

#[tokio::test]
async fn interrupts_run_a_handler_and_resume() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (dir, kernel, mut c, _calls, workers) = setup(HANDLERS).await;
        run(&mut c, "interrupted", "i1", &[]).await;
        c.put_external_event(event("i1", "cancel-order", "too slow"))
            .await
            .unwrap();
        // The handler ran (with INPUT = content) and the thread waits again.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let r = c.get_wf_run(wf_id("i1")).await.unwrap().into_inner();
            let handler_done = r.thread_runs.iter().any(|t| {
                t.r#type == ThreadType::Interrupt as i32 && t.status == LhStatus::Completed as i32
            });
            if handler_done && r.thread_runs[0].status == LhStatus::Running as i32 {
                assert!(r.thread_runs[1].interrupt_trigger_id.is_some());
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "interrupt did not finish: {r:#?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(
            var(&mut c, "i1", "reason").await,
            Some(Value::Str("too slow".into()))
        );
        // The interrupt did not consume the awaited event: survive a restart, then complete.
        workers.iter().for_each(|w| w.abort());
        kernel.shutdown().await;
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        c.put_external_event(event("i1", "go", "now"))
            .await
            .unwrap();
        wait_status(&mut c, "i1", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "i1", "got").await,
            Some(Value::Str("now".into()))
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
