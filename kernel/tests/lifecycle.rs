//! The end of a WfRun and second chances: DeleteWfRun (running or finished,
//! durable across a restart) and RescueThreadRun (retry the failed node,
//! skip it, rescue a child thread and with it its waiting parent).

mod common;

use common::*;
use lhw_proto::littlehorse::{
    DeleteWfRunRequest, LhStatus, ListNodeRunsRequest, ListVariablesRequest,
    RescueThreadRunRequest, TaskRunId, WfRun, variable_value::Value,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tonic::Code;

const FLOWS: &str = r#"
task step(x: str) -> str
task flaky(x: str) -> str
event go: str
workflow simple {
  input name: str required
  var out: str
  out = step(name)
}
workflow waits {
  var got: str
  got = await go
}
workflow fails-then-goes-on {
  input name: str required
  var out: str = ""
  var after: str = ""
  out = flaky(name)
  after = step("after")
}
workflow flaky-child {
  input x: str required
  var out: str
  out = flaky(x)
  return out
}
workflow waits-for-child {
  input x: str required
  var got: str = ""
  let c = run flaky-child(x: x)
  got = wait c
}
workflow child-caught {
  input name: str required
  var handled: bool = false
  let a = spawn risky {
    flaky(name)
  }
  wait a catch thread any {
    handled = true
  }
}
workflow child-thread-fails {
  input name: str required
  var after: str = ""
  let a = spawn risky {
    flaky(name)
  }
  wait a
  after = step("after")
}
"#;

fn delete_req(id: &str) -> DeleteWfRunRequest {
    DeleteWfRunRequest {
        id: Some(wf_id(id)),
    }
}

fn rescue_req(id: &str, thread: i32, skip: bool) -> RescueThreadRunRequest {
    RescueThreadRunRequest {
        wf_run_id: Some(wf_id(id)),
        thread_run_number: thread,
        skip_current_node: skip,
    }
}

/// A worker for `flaky` that fails its first `failures` calls, then echoes its input.
fn flaky_handler(calls: Arc<AtomicI64>, failures: i64) -> Handler {
    Arc::new(move |task| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        if n < failures {
            Outcome::Fail(format!("failure {n}"))
        } else {
            Outcome::Ok(s(&first_str(task)))
        }
    })
}

fn echo() -> Handler {
    Arc::new(|task| Outcome::Ok(s(&first_str(task))))
}

async fn gone(c: &mut Client, id: &str) {
    let err = c.get_wf_run(wf_id(id)).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "{err:?}");
}

#[tokio::test]
async fn delete_wf_run_removes_everything_and_is_durable() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (dir, kernel, mut c) = start_deployed(FLOWS).await;
        let w = worker(&kernel, "step", echo()).await;

        // A finished WfRun: the run and every object under it go.
        run(&mut c, "simple", "done-1", &[("name", s("a"))]).await;
        let done = wait_status(&mut c, "done-1", LhStatus::Completed).await;
        let nodes = node_runs(&mut c, "done-1", None).await;
        let task_guid = nodes
            .iter()
            .find_map(|nr| match &nr.node_type {
                Some(lhw_proto::littlehorse::node_run::NodeType::Task(t)) => {
                    t.task_run_id.as_ref().map(|i| i.task_guid.clone())
                }
                _ => None,
            })
            .expect("a task NodeRun");
        c.delete_wf_run(delete_req("done-1")).await.unwrap();
        gone(&mut c, "done-1").await;
        let task = c
            .get_task_run(TaskRunId {
                wf_run_id: done.id.clone(),
                task_guid,
            })
            .await
            .unwrap_err();
        assert_eq!(task.code(), Code::NotFound);
        let vars = c
            .list_variables(ListVariablesRequest {
                wf_run_id: done.id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(vars.results.is_empty(), "{vars:?}");
        let nodes = c
            .list_node_runs(ListNodeRunsRequest {
                wf_run_id: done.id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(nodes.results.is_empty(), "{nodes:?}");

        // A running WfRun may be deleted too (LittleHorse does not refuse).
        run(&mut c, "waits", "running-1", &[]).await;
        c.delete_wf_run(delete_req("running-1")).await.unwrap();
        gone(&mut c, "running-1").await;
        // Deleting what does not exist is no error (LittleHorse answers OK).
        c.delete_wf_run(delete_req("running-1")).await.unwrap();
        c.delete_wf_run(delete_req("never-was")).await.unwrap();
        // A malformed request names its field.
        let err = c
            .delete_wf_run(DeleteWfRunRequest { id: None })
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message()),
            (Code::InvalidArgument, "id must be set")
        );

        // Still gone after a restart: recovery does not bring it back.
        w.abort();
        kernel.shutdown().await;
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        gone(&mut c, "running-1").await;
        gone(&mut c, "done-1").await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_deleted_runs_queued_task_is_never_handed_out() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOWS).await;
        // No worker yet: the task waits in the queue.
        run(&mut c, "simple", "doomed", &[("name", s("doomed"))]).await;
        c.delete_wf_run(delete_req("doomed")).await.unwrap();
        let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let log = seen.clone();
        let _w = worker(
            &kernel,
            "step",
            Arc::new(move |task| {
                log.lock().unwrap().push(first_str(task));
                Outcome::Ok(s(&first_str(task)))
            }),
        )
        .await;
        run(&mut c, "simple", "kept", &[("name", s("kept"))]).await;
        wait_status(&mut c, "kept", LhStatus::Completed).await;
        assert_eq!(*seen.lock().unwrap(), ["kept"]);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn rescue_retries_the_failed_node_or_skips_it() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOWS).await;
        let calls = Arc::new(AtomicI64::new(0));
        let _f = worker(&kernel, "flaky", flaky_handler(calls.clone(), 1)).await;
        let _s = worker(&kernel, "step", echo()).await;

        // Retry: the failed task runs again and the WfRun goes on.
        run(&mut c, "fails-then-goes-on", "retry", &[("name", s("x"))]).await;
        wait_status(&mut c, "retry", LhStatus::Error).await;
        let rescued = c
            .rescue_thread_run(rescue_req("retry", 0, false))
            .await
            .unwrap()
            .into_inner();
        assert_ne!(rescued.status, LhStatus::Error as i32, "{rescued:#?}");
        let done = wait_status(&mut c, "retry", LhStatus::Completed).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2, "the task ran again");
        assert_eq!(
            var(&mut c, "retry", "out").await,
            Some(Value::Str("x".into()))
        );
        assert_eq!(
            var(&mut c, "retry", "after").await,
            Some(Value::Str("after".into()))
        );
        assert!(done.end_time.is_some());
        let nodes = node_runs(&mut c, "retry", Some(0)).await;
        let flaky_runs: Vec<i32> = nodes
            .iter()
            .filter(|nr| nr.node_name.contains("flaky"))
            .map(|nr| nr.status)
            .collect();
        assert_eq!(
            flaky_runs,
            [LhStatus::Error as i32, LhStatus::Completed as i32],
            "the failed NodeRun stays, a new one follows it"
        );

        // Skip: the failed node is not run again; the next step runs.
        calls.store(-5, Ordering::SeqCst); // fail the next calls
        run(&mut c, "fails-then-goes-on", "skip", &[("name", s("y"))]).await;
        wait_status(&mut c, "skip", LhStatus::Error).await;
        let before = calls.load(Ordering::SeqCst);
        c.rescue_thread_run(rescue_req("skip", 0, true))
            .await
            .unwrap();
        wait_status(&mut c, "skip", LhStatus::Completed).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            before,
            "the skipped task did not run"
        );
        // The skipped node's edge still assigns its (absent) output: NULL.
        assert_eq!(var(&mut c, "skip", "out").await, None);
        assert_eq!(
            var(&mut c, "skip", "after").await,
            Some(Value::Str("after".into()))
        );

        // What cannot be rescued.
        let code = |r: Result<tonic::Response<WfRun>, tonic::Status>| {
            r.map(|_| Code::Ok).unwrap_or_else(|e| e.code())
        };
        assert_eq!(
            code(c.rescue_thread_run(rescue_req("skip", 0, false)).await),
            Code::FailedPrecondition,
            "COMPLETED"
        );
        assert_eq!(
            code(c.rescue_thread_run(rescue_req("skip", 7, false)).await),
            Code::InvalidArgument,
            "no thread 7"
        );
        assert_eq!(
            code(c.rescue_thread_run(rescue_req("nope", 0, false)).await),
            Code::NotFound
        );
        let err = c
            .rescue_thread_run(RescueThreadRunRequest::default())
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message()),
            (Code::InvalidArgument, "wf_run_id must be set")
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn rescuing_a_child_thread_rescues_the_parent_waiting_for_it() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOWS).await;
        let calls = Arc::new(AtomicI64::new(0));
        let _f = worker(&kernel, "flaky", flaky_handler(calls.clone(), 1)).await;
        let _s = worker(&kernel, "step", echo()).await;
        run(&mut c, "child-thread-fails", "kid", &[("name", s("k"))]).await;
        let failed = wait_status(&mut c, "kid", LhStatus::Error).await;
        let child = failed
            .thread_runs
            .iter()
            .find(|t| t.number != 0)
            .expect("the spawned thread");
        assert_eq!(child.status, LhStatus::Error as i32);
        // Thread 0 failed only because of the child: rescuing 0 alone
        // would fail again at the same wait, so rescue the child.
        let rescued = c
            .rescue_thread_run(rescue_req("kid", child.number, false))
            .await
            .unwrap()
            .into_inner();
        assert_ne!(rescued.status, LhStatus::Error as i32, "{rescued:#?}");
        let done = wait_status(&mut c, "kid", LhStatus::Completed).await;
        assert!(
            done.thread_runs
                .iter()
                .all(|t| t.status == LhStatus::Completed as i32),
            "{done:#?}"
        );
        assert_eq!(
            var(&mut c, "kid", "after").await,
            Some(Value::Str("after".into()))
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        // A failure its parent handled cannot be rescued.
        calls.store(-1, Ordering::SeqCst); // the next call fails
        run(&mut c, "child-caught", "caught", &[("name", s("c"))]).await;
        let done = wait_status(&mut c, "caught", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "caught", "handled").await,
            Some(Value::Bool(true))
        );
        let risky = done
            .thread_runs
            .iter()
            .find(|t| t.thread_spec_name == "risky")
            .expect("the risky thread");
        assert_eq!(risky.status, LhStatus::Error as i32);
        let err = c
            .rescue_thread_run(rescue_req("caught", risky.number, false))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
        assert!(
            err.message().contains("already handled"),
            "{}",
            err.message()
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn rescuing_a_child_wf_run_reopens_the_parent_waiting_for_it() {
    use lhw_proto::littlehorse::node_run::NodeType;
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOWS).await;
        let calls = Arc::new(AtomicI64::new(0));
        let _f = worker(&kernel, "flaky", flaky_handler(calls.clone(), 1)).await;
        run(&mut c, "waits-for-child", "parent", &[("x", s("gift"))]).await;
        wait_status(&mut c, "parent", LhStatus::Error).await;
        let nodes = node_runs(&mut c, "parent", None).await;
        let child = nodes
            .iter()
            .find_map(|nr| match &nr.node_type {
                Some(NodeType::RunChildWf(r)) => r.child_wf_run_id.clone(),
                _ => None,
            })
            .expect("the child's id");
        let failed_child = c.get_wf_run(child.clone()).await.unwrap().into_inner();
        assert_eq!(failed_child.status, LhStatus::Error as i32);
        c.rescue_thread_run(RescueThreadRunRequest {
            wf_run_id: Some(child.clone()),
            thread_run_number: 0,
            skip_current_node: false,
        })
        .await
        .unwrap();
        wait_status(&mut c, "parent", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "parent", "got").await,
            Some(Value::Str("gift".into()))
        );
        let child_run = c.get_wf_run(child).await.unwrap().into_inner();
        assert_eq!(child_run.status, LhStatus::Completed as i32);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_rescued_run_survives_a_restart() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (dir, kernel, mut c) = start_deployed(FLOWS).await;
        let calls = Arc::new(AtomicI64::new(0));
        let f = worker(&kernel, "flaky", flaky_handler(calls.clone(), 1)).await;
        run(&mut c, "fails-then-goes-on", "later", &[("name", s("z"))]).await;
        wait_status(&mut c, "later", LhStatus::Error).await;
        f.abort();
        // Rescued without a worker: the retried task waits in the queue.
        c.rescue_thread_run(rescue_req("later", 0, false))
            .await
            .unwrap();
        kernel.shutdown().await;
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let _f = worker(&kernel, "flaky", flaky_handler(calls.clone(), 0)).await;
        let _s = worker(&kernel, "step", echo()).await;
        wait_status(&mut c, "later", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "later", "out").await,
            Some(Value::Str("z".into()))
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

const RETAINED: &str = r#"
task step(x: str) -> str
task flaky(x: str) -> str
event go: str
workflow brief {
  retention 1s
  input name: str required
  var out: str
  out = step(name)
}
workflow brief-waits {
  retention 1s
  var got: str
  got = await go
}
workflow slow-retention {
  retention 2s
  input name: str required
  var out: str
  out = step(name)
}
workflow brief-flaky {
  retention 2s
  input name: str required
  var out: str
  var got: str
  out = flaky(name)
  got = await go
}
"#;

/// Polls GetWfRun until the WfRun is gone; returns how long that took.
async fn wait_gone(c: &mut Client, id: &str) -> std::time::Duration {
    let start = tokio::time::Instant::now();
    let deadline = start + std::time::Duration::from_secs(20);
    loop {
        match c.get_wf_run(wf_id(id)).await {
            Err(e) if e.code() == Code::NotFound => return start.elapsed(),
            Err(e) => panic!("GetWfRun {id}: {e}"),
            Ok(_) => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "WfRun {id} was never deleted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn post(id: &str) -> lhw_proto::littlehorse::PutExternalEventRequest {
    lhw_proto::littlehorse::PutExternalEventRequest {
        wf_run_id: Some(wf_id(id)),
        external_event_def_id: Some(lhw_proto::littlehorse::ExternalEventDefId {
            name: "go".into(),
        }),
        content: Some(s("now")),
        ..Default::default()
    }
}

#[tokio::test]
async fn retention_deletes_finished_runs_and_keeps_running_ones() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(RETAINED).await;
        let _w = worker(&kernel, "step", echo()).await;
        run(&mut c, "brief", "short-lived", &[("name", s("a"))]).await;
        run(&mut c, "brief-waits", "waiting", &[]).await;
        let done = wait_status(&mut c, "short-lived", LhStatus::Completed).await;
        let waited = wait_gone(&mut c, "short-lived").await;
        let ended = done.end_time.map_or(0, |t| t.seconds);
        assert!(
            waited >= std::time::Duration::from_millis(500),
            "deleted too early ({waited:?} after it was seen COMPLETED at {ended})"
        );
        // Past its WfSpec's retention, a running WfRun stays.
        let still = c.get_wf_run(wf_id("waiting")).await.unwrap().into_inner();
        assert_eq!(still.status, LhStatus::Running as i32);
        // Once it finishes, its own retention starts.
        c.put_external_event(post("waiting")).await.unwrap();
        wait_status(&mut c, "waiting", LhStatus::Completed).await;
        wait_gone(&mut c, "waiting").await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn retention_survives_a_restart() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (dir, kernel, mut c) = start_deployed(RETAINED).await;
        let w = worker(&kernel, "step", echo()).await;
        run(&mut c, "slow-retention", "persisted", &[("name", s("a"))]).await;
        wait_status(&mut c, "persisted", LhStatus::Completed).await;
        w.abort();
        kernel.shutdown().await;
        // The schedule is in the database: the new kernel deletes it when due.
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        wait_gone(&mut c, "persisted").await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn a_run_rescued_before_its_retention_ran_out_stays() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(RETAINED).await;
        let calls = Arc::new(AtomicI64::new(0));
        let _f = worker(&kernel, "flaky", flaky_handler(calls, 1)).await;
        run(&mut c, "brief-flaky", "saved", &[("name", s("a"))]).await;
        let failed = wait_status(&mut c, "saved", LhStatus::Error).await;
        c.rescue_thread_run(rescue_req("saved", 0, false))
            .await
            .unwrap();
        // Now waiting for `go`, well past the 2 s after its first end.
        let first_end = failed
            .end_time
            .map_or(0, |t| t.seconds * 1000 + i64::from(t.nanos / 1_000_000));
        loop {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
            if now > first_end + 2500 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let run = c.get_wf_run(wf_id("saved")).await.unwrap().into_inner();
        assert_eq!(run.status, LhStatus::Running as i32, "{run:#?}");
        c.put_external_event(post("saved")).await.unwrap();
        wait_status(&mut c, "saved", LhStatus::Completed).await;
        wait_gone(&mut c, "saved").await;
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
