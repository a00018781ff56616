//! Forms of the language run on the kernel: a handler on a `wait` for threads itself
//! (`catch wait`), defaults of typed arrays and maps, `sleep until` an ISO-8601 text, and a
//! child run started with a chosen id (workflows compiled by our compiler, run over gRPC).

mod common;

use common::*;
use lhw_proto::littlehorse::{LhStatus, variable_value::Value};

const SOURCE: &str = r#"
workflow wait-handled {
  var handled: str = ""
  let t = spawn risky {
    fail broken "the thread broke"
  }
  wait t catch wait broken {
    handled = "on the wait"
  }
}
workflow defaults {
  input tags: str[] = ["new", "unread"]
  input limits: map<str, int> = map { "daily": 10 }
  var count: int = 0
  count = tags.size()
  sleep until "2020-01-01T00:00:00Z"
}
workflow parent-run {
  input order: str
  let c = run child-run(order: order) with id "child-{order}"
  wait c
}
workflow child-run {
  input order: str
}
"#;

#[tokio::test]
async fn catch_wait_handles_the_failure_of_the_wait_itself() {
    let (_dir, _kernel, mut c) = start_deployed(SOURCE).await;
    run(&mut c, "wait-handled", "w1", &[]).await;
    wait_status(&mut c, "w1", LhStatus::Completed).await;
    assert_eq!(
        var(&mut c, "w1", "handled").await,
        Some(Value::Str("on the wait".into()))
    );
}

#[tokio::test]
async fn typed_defaults_and_an_iso_date_sleep_run() {
    let (_dir, _kernel, mut c) = start_deployed(SOURCE).await;
    run(&mut c, "defaults", "d1", &[]).await;
    wait_status(&mut c, "d1", LhStatus::Completed).await;
    assert_eq!(var(&mut c, "d1", "count").await, Some(Value::Int(2)));
    match var(&mut c, "d1", "limits").await {
        Some(Value::Map(m)) => assert_eq!(m.entries.len(), 1),
        other => panic!("limits: {other:?}"),
    }
}

#[tokio::test]
async fn a_child_run_gets_the_chosen_id() {
    let (_dir, _kernel, mut c) = start_deployed(SOURCE).await;
    run(&mut c, "parent-run", "p1", &[("order", s("o-7"))]).await;
    wait_status(&mut c, "p1", LhStatus::Completed).await;
    let child = c
        .get_wf_run(lhw_proto::littlehorse::WfRunId {
            id: "child-o-7".into(),
            parent_wf_run_id: Some(Box::new(wf_id("p1"))),
        })
        .await
        .expect("the child run has the chosen id")
        .into_inner();
    assert_eq!(child.status, LhStatus::Completed as i32);
}
