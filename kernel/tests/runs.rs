//! End-to-end execution tests: workflows compiled by our compiler run on the
//! kernel over real gRPC with Rust task workers.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    LhStatus, NodeRunId, ResumeWfRunRequest, RunWfRequest, SearchWfRunRequest, StopWfRunRequest,
    TaskStatus, VariableValue, task_attempt, variable_value::Value,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tonic::Code;

const HELLO: &str = r#"
task greet(name: str) -> str
workflow hello {
  input name: str required
  public var greeting: str
  greeting = greet(name)
}
"#;

const LOOPS: &str = r#"
task tick(n: int)
task fetch() -> json-obj
workflow loops {
  input n: int required
  var count: int = 0
  var size: str = "unknown"
  var msg: str
  var total: int = 0
  var items: json-arr
  while count < n {
    count += 1
    tick(count)
  }
  if count > 2 {
    size = "big"
  } else {
    size = "small"
  }
  msg = "count is {count} and {size}"
  let out = fetch()
  total = out.total as int
  items = out["$.items"] as json-arr
  items += 4
  wait until count >= 1
  sleep 1s
}
"#;

const FAILING: &str = r#"
task tick(n: int)
workflow failing {
  input n: int = 1
  tick(n)
  fail business-problem "Something went wrong"
}
"#;

#[tokio::test]
async fn task_workflow_completes_with_output_variable() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(HELLO).await;
        let handler: Handler = Arc::new(|task| {
            let name = match task.variables[0]
                .value
                .as_ref()
                .and_then(|v| v.value.clone())
            {
                Some(Value::Str(s)) => s,
                _ => "?".into(),
            };
            Outcome::Ok(s(&format!("Hello, {name}!")))
        });
        let w = worker(&kernel, "greet", handler).await;
        run(&mut c, "hello", "run-1", &[("name", s("Ann"))]).await;
        let done = wait_status(&mut c, "run-1", LhStatus::Completed).await;
        assert!(done.end_time.is_some());
        assert_eq!(
            var(&mut c, "run-1", "greeting").await,
            Some(Value::Str("Hello, Ann!".into()))
        );

        let nodes = node_runs(&mut c, "run-1", None).await;
        let names: Vec<&str> = nodes.iter().map(|n| n.node_name.as_str()).collect();
        assert_eq!(
            names,
            ["0-entrypoint-ENTRYPOINT", "1-greet-TASK", "2-exit-EXIT"]
        );
        assert!(nodes.iter().all(|n| n.status == LhStatus::Completed as i32));
        let task_node = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("run-1")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        let Some(lhw_proto::littlehorse::node_run::NodeType::Task(t)) = task_node.node_type else {
            panic!("not a task node run")
        };
        let tr = c
            .get_task_run(t.task_run_id.unwrap())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(tr.status, TaskStatus::TaskSuccess as i32);
        assert_eq!(tr.attempts.len(), 1);
        assert_eq!(tr.timeout_seconds, 60);
        assert_eq!(tr.input_variables[0].var_name, "name");

        let found = c
            .search_wf_run(SearchWfRunRequest {
                wf_spec_name: "hello".into(),
                status: Some(LhStatus::Completed as i32),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(found.results, vec![wf_id("run-1")]);
        w.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn loops_conditions_json_paths_wait_and_sleep() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(LOOPS).await;
        let ticks = Arc::new(AtomicI64::new(0));
        let seen = ticks.clone();
        let tick: Handler = Arc::new(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            Outcome::Ok(VariableValue::default())
        });
        let w1 = worker(&kernel, "tick", tick).await;
        let fetch = returns(VariableValue {
            value: Some(Value::JsonObj(r#"{"total": 42, "items": [1, 2]}"#.into())),
        });
        let w2 = worker(&kernel, "fetch", fetch).await;

        let started = std::time::Instant::now();
        run(&mut c, "loops", "three", &[("n", int(3))]).await;
        run(&mut c, "loops", "one", &[("n", int(1))]).await;
        wait_status(&mut c, "three", LhStatus::Completed).await;
        wait_status(&mut c, "one", LhStatus::Completed).await;
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(900),
            "sleep 1s was skipped"
        );
        assert_eq!(ticks.load(Ordering::SeqCst), 4);
        assert_eq!(var(&mut c, "three", "count").await, Some(Value::Int(3)));
        assert_eq!(
            var(&mut c, "three", "size").await,
            Some(Value::Str("big".into()))
        );
        assert_eq!(
            var(&mut c, "one", "size").await,
            Some(Value::Str("small".into()))
        );
        assert_eq!(
            var(&mut c, "three", "msg").await,
            Some(Value::Str("count is 3 and big".into()))
        );
        assert_eq!(var(&mut c, "three", "total").await, Some(Value::Int(42)));
        assert_eq!(
            var(&mut c, "three", "items").await,
            Some(Value::JsonArr("[1,2,4]".into()))
        );
        w1.abort();
        w2.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn failures_without_handlers_fail_the_run() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FAILING).await;

        // The task succeeds, then `fail` ends the run with a business EXCEPTION.
        let w = worker(&kernel, "tick", returns(VariableValue::default())).await;
        run(&mut c, "failing", "exn", &[]).await;
        let failed = wait_status(&mut c, "exn", LhStatus::Exception).await;
        assert_eq!(
            failed.thread_runs[0].error_message.as_deref(),
            Some("Something went wrong")
        );
        let exit = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("exn")),
                thread_run_number: 0,
                position: 2,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(exit.failures[0].failure_name, "business-problem");
        w.abort();

        // A failing task (no retries) makes the run ERROR with TASK_FAILURE.
        let w = worker(&kernel, "tick", Arc::new(|_| Outcome::Fail("boom".into()))).await;
        run(&mut c, "failing", "err", &[]).await;
        wait_status(&mut c, "err", LhStatus::Error).await;
        let task = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("err")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(task.status, LhStatus::Error as i32);
        assert_eq!(task.failures[0].failure_name, "TASK_FAILURE");
        assert_eq!(task.failures[0].message, "boom");
        w.abort();

        // A task exception becomes an EXCEPTION with the exception's name.
        let w = worker(
            &kernel,
            "tick",
            Arc::new(|_| Outcome::Exception("out-of-stock".into())),
        )
        .await;
        run(&mut c, "failing", "texn", &[]).await;
        wait_status(&mut c, "texn", LhStatus::Exception).await;
        let task = c
            .get_node_run(NodeRunId {
                wf_run_id: Some(wf_id("texn")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(task.failures[0].failure_name, "out-of-stock");
        w.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn task_retries_until_success() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let out = lhw_compiler::compile(HELLO).output.expect("compiles");
        for r in out.task_defs {
            c.put_task_def(r).await.unwrap();
        }
        let mut spec = out.wf_specs[0].clone();
        for node in spec
            .thread_specs
            .get_mut("entrypoint")
            .unwrap()
            .nodes
            .values_mut()
        {
            if let Some(lhw_proto::littlehorse::node::Node::Task(t)) = &mut node.node {
                t.retries = 2;
            }
        }
        c.put_wf_spec(spec).await.unwrap();
        let calls = Arc::new(AtomicI64::new(0));
        let n = calls.clone();
        let flaky: Handler = Arc::new(move |task| {
            n.fetch_add(1, Ordering::SeqCst);
            if task.attempt_number < 2 {
                Outcome::Fail("flaky".into())
            } else {
                Outcome::Ok(s("third time"))
            }
        });
        let w = worker(&kernel, "greet", flaky).await;
        run(&mut c, "hello", "retry", &[("name", s("x"))]).await;
        wait_status(&mut c, "retry", LhStatus::Completed).await;
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(
            var(&mut c, "retry", "greeting").await,
            Some(Value::Str("third time".into()))
        );
        let trs = c
            .list_task_runs(lhw_proto::littlehorse::ListTaskRunsRequest {
                wf_run_id: Some(wf_id("retry")),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .results;
        let statuses: Vec<i32> = trs[0].attempts.iter().map(|a| a.status).collect();
        assert_eq!(
            statuses,
            [
                TaskStatus::TaskFailed as i32,
                TaskStatus::TaskFailed as i32,
                TaskStatus::TaskSuccess as i32
            ]
        );
        assert!(matches!(
            trs[0].attempts[2].result,
            Some(task_attempt::Result::Output(_))
        ));
        w.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn run_wf_validates_inputs() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(HELLO).await;
        let req = |vars: Vec<(&str, VariableValue)>, id: &str| RunWfRequest {
            wf_spec_name: "hello".into(),
            variables: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            id: Some(id.into()),
            ..Default::default()
        };
        let missing = c.run_wf(req(vec![], "a")).await.unwrap_err();
        assert_eq!(missing.code(), Code::InvalidArgument);
        assert!(missing.message().contains("name"), "{}", missing.message());
        let wrong = c
            // An int for a str is accepted (LittleHorse casts it); a JSON object is not.
            .run_wf(req(
                vec![(
                    "name",
                    VariableValue {
                        value: Some(Value::JsonObj("{}".into())),
                    },
                )],
                "a",
            ))
            .await
            .unwrap_err();
        assert_eq!(wrong.code(), Code::InvalidArgument);
        assert!(
            wrong.message().contains("variables.name"),
            "{}",
            wrong.message()
        );
        let unknown = c
            .run_wf(req(vec![("name", s("x")), ("nope", s("y"))], "a"))
            .await
            .unwrap_err();
        assert_eq!(unknown.code(), Code::InvalidArgument);
        assert!(unknown.message().contains("nope"));
        let bad_id = c
            .run_wf(req(vec![("name", s("x"))], "bad_id"))
            .await
            .unwrap_err();
        assert_eq!(bad_id.code(), Code::InvalidArgument);
        c.run_wf(req(vec![("name", s("x"))], "a")).await.unwrap();
        let dup = c
            .run_wf(req(vec![("name", s("x"))], "a"))
            .await
            .unwrap_err();
        assert_eq!(dup.code(), Code::AlreadyExists);
        let mut nope = req(vec![], "b");
        nope.wf_spec_name = "nope".into();
        assert_eq!(c.run_wf(nope).await.unwrap_err().code(), Code::NotFound);
        assert_eq!(
            c.get_wf_run(wf_id("zzz")).await.unwrap_err().code(),
            Code::NotFound
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn stop_and_resume() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(HELLO).await;
        run(&mut c, "hello", "halt-me", &[("name", s("x"))]).await;
        c.stop_wf_run(StopWfRunRequest {
            wf_run_id: Some(wf_id("halt-me")),
            thread_run_number: 0,
        })
        .await
        .unwrap();
        // As in LittleHorse, a thread waiting on a task stays HALTING until the TaskRun is done.
        wait_status(&mut c, "halt-me", LhStatus::Halting).await;
        let w = worker(&kernel, "greet", returns(s("hi"))).await;
        wait_status(&mut c, "halt-me", LhStatus::Halted).await;
        assert_eq!(
            var(&mut c, "halt-me", "greeting").await,
            None,
            "a halted thread does not move on"
        );
        c.resume_wf_run(ResumeWfRunRequest {
            wf_run_id: Some(wf_id("halt-me")),
            thread_run_number: 0,
        })
        .await
        .unwrap();
        wait_status(&mut c, "halt-me", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "halt-me", "greeting").await,
            Some(Value::Str("hi".into()))
        );
        w.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn restart_continues_a_waiting_run() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        {
            let kernel = start(dir.path()).await;
            let mut c = client(&kernel).await;
            deploy(&mut c, HELLO).await;
            run(&mut c, "hello", "survivor", &[("name", s("Bob"))]).await;
            kernel.shutdown().await;
        }
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let before = c.get_wf_run(wf_id("survivor")).await.unwrap().into_inner();
        assert_eq!(before.status, LhStatus::Running as i32);
        let w = worker(&kernel, "greet", returns(s("welcome back"))).await;
        wait_status(&mut c, "survivor", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "survivor", "greeting").await,
            Some(Value::Str("welcome back".into()))
        );
        w.abort();
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
