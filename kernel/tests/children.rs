//! RUN_CHILD_WF / WAIT_FOR_CHILD_WF and RunWf with parent_wf_run_id.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    LhStatus, ListNodeRunsRequest, RunWfRequest, WfRunId, node_run::NodeType, variable_value::Value,
};
use tonic::Code;

const CHILDREN: &str = r#"
workflow child-flow {
  input order-id: str required
  return "done {order-id}"
}
workflow parent-flow {
  input order-id: str required
  var out: str = ""
  let c = run child-flow(order-id: order-id)
  out = wait c
}
workflow failing-child {
  fail out-of-stock "none left"
}
workflow parent-of-failing {
  let c = run failing-child()
  wait c
}
"#;

#[tokio::test]
async fn child_workflows_run_and_are_awaited() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        deploy(&mut c, CHILDREN).await;
        run(&mut c, "parent-flow", "p1", &[("order-id", s("o-1"))]).await;
        wait_status(&mut c, "p1", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "p1", "out").await,
            Some(Value::Str("done o-1".into()))
        );
        let nodes = c
            .list_node_runs(ListNodeRunsRequest {
                wf_run_id: Some(wf_id("p1")),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .results;
        let Some(NodeType::RunChildWf(r)) = nodes[1].node_type.clone() else {
            panic!("not a RUN_CHILD_WF NodeRun: {:?}", nodes[1]);
        };
        let child_id = r.child_wf_run_id.expect("child id");
        assert_eq!(child_id.parent_wf_run_id.as_deref(), Some(&wf_id("p1")));
        let child = c.get_wf_run(child_id).await.unwrap().into_inner();
        assert_eq!(child.status, LhStatus::Completed as i32);
        assert_eq!(
            child.wf_spec_id.map(|i| i.name),
            Some("child-flow".to_string())
        );

        // An EXCEPTION in the child propagates with its name.
        run(&mut c, "parent-of-failing", "p2", &[]).await;
        wait_status(&mut c, "p2", LhStatus::Exception).await;

        // RunWf with a parent: the id nests under the parent's.
        let direct = c
            .run_wf(RunWfRequest {
                wf_spec_name: "child-flow".into(),
                variables: [("order-id".to_string(), s("x"))].into_iter().collect(),
                id: Some("direct".into()),
                parent_wf_run_id: Some(wf_id("p1")),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let id = WfRunId {
            id: "direct".into(),
            parent_wf_run_id: Some(Box::new(wf_id("p1"))),
        };
        assert_eq!(direct.id, Some(id.clone()));
        let got = c.get_wf_run(id).await.unwrap().into_inner();
        assert_eq!(got.status, LhStatus::Completed as i32);
        let err = c
            .run_wf(RunWfRequest {
                wf_spec_name: "child-flow".into(),
                variables: [("order-id".to_string(), s("x"))].into_iter().collect(),
                parent_wf_run_id: Some(wf_id("nope")),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
