//! RUN_CHILD_WF / WAIT_FOR_CHILD_WF and RunWf with parent_wf_run_id.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    LhStatus, ListVariablesRequest, PutWfSpecRequest, RunWfRequest, VariableId,
    WfRunVariableAccessLevel, WfSpecId, node_run::NodeType, variable_value::Value,
    wf_spec::ParentWfSpecReference,
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
        let (_dir, kernel, mut c) = start_deployed(CHILDREN).await;
        run(&mut c, "parent-flow", "p1", &[("order-id", s("o-1"))]).await;
        wait_status(&mut c, "p1", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "p1", "out").await,
            Some(Value::Str("done o-1".into()))
        );
        let nodes = node_runs(&mut c, "p1", None).await;
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

        // A WfSpec without a parent WfSpec is started by RunWf only as a top-level run
        // (a RUN_CHILD_WF node starts it as a child), as in LittleHorse.
        let err = c
            .run_wf(RunWfRequest {
                wf_spec_name: "child-flow".into(),
                variables: [("order-id".to_string(), s("x"))].into_iter().collect(),
                id: Some("direct".into()),
                parent_wf_run_id: Some(wf_id("p1")),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().contains("does not refer to a parent WfSpec"),
            "{}",
            err.message()
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

const FAMILY: &str = r#"
workflow root {
  public var count: int required
  private var secret: str = "s"
  let c = run middle()
  wait c
}
workflow middle {
  parent root
  inherited var count: int
  var own: str = "m"
  let c = run leaf()
  wait c
  count += 10
}
workflow leaf {
  parent middle
  inherited var count: int
  count += 1
}
workflow tally {
  input x: int required
  public var m: map<str, int>
  m = map { "a": 1, "b": x, "a": 3 }
}
"#;

/// The compiled PutWfSpecRequest of the workflow `name` of [`FAMILY`].
fn family_spec(name: &str) -> PutWfSpecRequest {
    lhw_compiler::compile(FAMILY)
        .output
        .expect("FAMILY compiles")
        .wf_specs
        .into_iter()
        .find(|w| w.name == name)
        .expect("the workflow exists")
}

/// Renames the INHERITED variable of the entrypoint thread of `req`.
fn rename_inherited(req: &mut PutWfSpecRequest, to: &str) {
    for t in req.thread_specs.values_mut() {
        for v in &mut t.variable_defs {
            if v.access_level == WfRunVariableAccessLevel::InheritedVar as i32 {
                v.var_def.as_mut().expect("a definition").name = to.into();
            }
        }
    }
}

#[tokio::test]
async fn put_wf_spec_checks_the_parent_and_the_inherited_variables() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let invalid = |r: Result<tonic::Response<_>, tonic::Status>| {
            let e = r.expect_err("PutWfSpec is refused");
            assert_eq!(e.code(), Code::InvalidArgument, "{}", e.message());
            e.message().to_string()
        };
        // The parent must exist (version <major>.0, as LittleHorse looks it up).
        let message = invalid(c.put_wf_spec(family_spec("middle")).await);
        assert!(
            message.contains("parent_wf_spec: Provided spec refers to nonexistent parent wfSpec root"),
            "{message}"
        );
        c.put_wf_spec(family_spec("root")).await.expect("put root");
        let mut later_major = family_spec("middle");
        later_major.parent_wf_spec = Some(ParentWfSpecReference {
            wf_spec_name: "root".into(),
            wf_spec_major_version: 1,
        });
        let message = invalid(c.put_wf_spec(later_major).await);
        assert!(message.contains("nonexistent parent wfSpec root"), "{message}");
        // Each INHERITED variable must be one of the parent's, not a private one.
        let mut unknown = family_spec("middle");
        rename_inherited(&mut unknown, "total");
        let message = invalid(c.put_wf_spec(unknown).await);
        assert!(
            message.contains("INHERITED variable total does not exist in parent WfSpec"),
            "{message}"
        );
        let mut private = family_spec("middle");
        rename_inherited(&mut private, "secret");
        let message = invalid(c.put_wf_spec(private).await);
        assert!(
            message.contains("Inherited variable secret is defined as PRIVATE in parent WfSpec"),
            "{message}"
        );
        // Only a WfSpec with a parent may declare INHERITED variables.
        let mut orphan = family_spec("middle");
        orphan.parent_wf_spec = None;
        let message = invalid(c.put_wf_spec(orphan).await);
        assert!(
            message.contains("Only child workflows are allowed to access INHERITED variables, but variable count is INHERITED"),
            "{message}"
        );
        // A valid child keeps its parent reference.
        c.put_wf_spec(family_spec("middle")).await.expect("put middle");
        let stored = c
            .get_wf_spec(WfSpecId {
                name: "middle".into(),
                major_version: 0,
                revision: 0,
            })
            .await
            .expect("GetWfSpec")
            .into_inner();
        assert_eq!(
            stored.parent_wf_spec,
            Some(ParentWfSpecReference {
                wf_spec_name: "root".into(),
                wf_spec_major_version: 0,
            })
        );
        // Putting it again changes nothing.
        let again = c
            .put_wf_spec(family_spec("middle"))
            .await
            .expect("put middle again")
            .into_inner();
        assert_eq!(again.id, stored.id);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn inherited_variables_resolve_through_every_ancestor() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FAMILY).await;
        run(&mut c, "root", "r1", &[("count", int(5))]).await;
        wait_status(&mut c, "r1", LhStatus::Completed).await;
        // leaf added 1 to root's count through middle (which inherits it too), then
        // middle added 10.
        assert_eq!(var(&mut c, "r1", "count").await, Some(Value::Int(16)));
        let middle_id = match node_runs(&mut c, "r1", Some(0)).await[1].node_type.clone() {
            Some(NodeType::RunChildWf(r)) => r.child_wf_run_id.expect("child id"),
            other => panic!("not a RUN_CHILD_WF NodeRun: {other:?}"),
        };
        // middle holds only its own variable; `count` stays root's.
        let names: Vec<String> = c
            .list_variables(ListVariablesRequest {
                wf_run_id: Some(middle_id.clone()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .results
            .into_iter()
            .map(|v| v.id.unwrap().name)
            .collect();
        assert_eq!(names, ["own"]);
        let err = c
            .get_variable(VariableId {
                wf_run_id: Some(middle_id),
                thread_run_number: 0,
                name: "count".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn map_builders_evaluate_like_the_server() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FAMILY).await;
        run(&mut c, "tally", "t1", &[("x", int(7))]).await;
        wait_status(&mut c, "t1", LhStatus::Completed).await;
        let Some(Value::Map(m)) = var(&mut c, "t1", "m").await else {
            panic!("m is not a MAP");
        };
        // A repeated key replaces the earlier value in its place.
        let entries: Vec<(Option<Value>, Option<Value>)> = m
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.clone().and_then(|k| k.value),
                    e.value.clone().and_then(|v| v.value),
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                (Some(Value::Str("a".into())), Some(Value::Int(3))),
                (Some(Value::Str("b".into())), Some(Value::Int(7))),
            ]
        );
        // Without a declared map_type, the first entry's types make the map's type.
        let ty = m.map_type.expect("a map type");
        let prim = |t: Option<Box<lhw_proto::littlehorse::TypeDefinition>>| match t
            .and_then(|t| t.defined_type)
        {
            Some(lhw_proto::littlehorse::type_definition::DefinedType::PrimitiveType(p)) => p,
            other => panic!("not a primitive type: {other:?}"),
        };
        assert_eq!(
            prim(ty.key_type),
            lhw_proto::littlehorse::VariableType::Str as i32
        );
        assert_eq!(
            prim(ty.value_type),
            lhw_proto::littlehorse::VariableType::Int as i32
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
