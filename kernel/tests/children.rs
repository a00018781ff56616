//! RUN_CHILD_WF / WAIT_FOR_CHILD_WF and RunWf with parent_wf_run_id.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    LhStatus, ListVariablesRequest, PutWfSpecRequest, RunWfRequest, VariableId, WfRunId,
    WfRunVariableAccessLevel, WfSpecId, node, node_run::NodeType, run_child_wf_node,
    variable_value::Value, wf_spec::ParentWfSpecReference,
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

/// A root, its child and its grandchild. The children are started by RunWf with
/// `parent_wf_run_id`: a RUN_CHILD_WF node of a parent cannot name its own child
/// WfSpec, since LittleHorse needs the target of a RUN_CHILD_WF registered first
/// and the parent of a child WfSpec registered first.
const FAMILY: &str = r#"
event done
workflow root {
  public var count: int required
  private var secret: str = "s"
  await done
}
workflow middle {
  parent root
  inherited var count: int
  var own: str = "m"
  count += 10
  await done
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

/// Polls GetWfRun on a (possibly nested) WfRunId until it has `status`.
async fn wait_run(c: &mut Client, id: &WfRunId, status: LhStatus) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let run = c
            .get_wf_run(id.clone())
            .await
            .expect("GetWfRun")
            .into_inner();
        if run.status == status as i32 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "WfRun {id:?} stayed {:?}, wanted {status:?}",
            LhStatus::try_from(run.status)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Starts `spec` as a child of `parent` with the id `id`; returns the nested WfRunId.
async fn run_child(c: &mut Client, spec: &str, id: &str, parent: WfRunId) -> WfRunId {
    c.run_wf(RunWfRequest {
        wf_spec_name: spec.into(),
        id: Some(id.into()),
        parent_wf_run_id: Some(parent),
        ..Default::default()
    })
    .await
    .expect("RunWf with parent_wf_run_id")
    .into_inner()
    .id
    .expect("an id")
}

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
        for e in lhw_compiler::compile(FAMILY)
            .output
            .expect("FAMILY compiles")
            .external_event_defs
        {
            c.put_external_event_def(e).await.expect("put the event");
        }
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
        let middle_id = run_child(&mut c, "middle", "m", wf_id("r1")).await;
        assert_eq!(middle_id.parent_wf_run_id.as_deref(), Some(&wf_id("r1")));
        let leaf_id = run_child(&mut c, "leaf", "l", middle_id.clone()).await;
        wait_run(&mut c, &leaf_id, LhStatus::Completed).await;
        // middle added 10 to root's count, leaf added 1 through middle (which
        // inherits it too).
        assert_eq!(var(&mut c, "r1", "count").await, Some(Value::Int(16)));
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

/// The compiled PutWfSpecRequest of the workflow `name` of `source`.
fn spec_of(source: &str, name: &str) -> PutWfSpecRequest {
    lhw_compiler::compile(source)
        .output
        .expect("the source compiles")
        .wf_specs
        .into_iter()
        .find(|w| w.name == name)
        .expect("the workflow exists")
}

/// The RUN_CHILD_WF node of the entrypoint thread of `threads`: its name and its node.
fn run_child_node(
    threads: &std::collections::BTreeMap<String, lhw_proto::littlehorse::ThreadSpec>,
) -> (String, lhw_proto::littlehorse::RunChildWfNode) {
    threads
        .values()
        .flat_map(|t| t.nodes.iter())
        .find_map(|(name, n)| match &n.node {
            Some(node::Node::RunChildWf(r)) => Some((name.clone(), r.clone())),
            _ => None,
        })
        .expect("a RUN_CHILD_WF node")
}

/// `child-flow` again with a new public variable: a breaking change, major version 1.
const CHILD_V2: &str = r#"
workflow child-flow {
  input order-id: str required
  public var stage: str = "new"
  return "done {order-id}"
}
"#;

#[tokio::test]
async fn put_wf_spec_checks_and_pins_the_run_child_wf_target() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let parent = spec_of(CHILDREN, "parent-flow");
        let (node_name, compiled) = run_child_node(&parent.thread_specs);
        assert_eq!(compiled.major_version, -1, "the compiler leaves it open");
        // The child WfSpec must exist first, as LittleHorse checks it.
        let err = c.put_wf_spec(parent.clone()).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{}", err.message());
        assert!(
            err.message().contains(&format!(
                "Node {node_name} invalid: Could not find WfSpec child-flow"
            )),
            "{}",
            err.message()
        );
        // A named major version must exist too.
        let mut pinned = parent.clone();
        for t in pinned.thread_specs.values_mut() {
            for n in t.nodes.values_mut() {
                if let Some(node::Node::RunChildWf(r)) = &mut n.node {
                    r.major_version = 3;
                }
            }
        }
        c.put_wf_spec(spec_of(CHILDREN, "child-flow"))
            .await
            .expect("put child-flow");
        let err = c.put_wf_spec(pinned).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{}", err.message());
        assert!(
            err.message()
                .contains("Could not find WfSpec child-flow with version 3"),
            "{}",
            err.message()
        );
        // -1 is pinned to the latest major version existing now.
        let stored = c
            .put_wf_spec(parent.clone())
            .await
            .expect("put parent-flow")
            .into_inner();
        let (_, r) = run_child_node(&stored.thread_specs);
        assert_eq!(r.major_version, 0);
        assert_eq!(
            r.wf_spec,
            Some(run_child_wf_node::WfSpec::WfSpecName("child-flow".into()))
        );
        let got = c
            .get_wf_spec(stored.id.clone().expect("an id"))
            .await
            .expect("GetWfSpec")
            .into_inner();
        assert_eq!(run_child_node(&got.thread_specs).1.major_version, 0);
        // Putting it again changes nothing while child-flow stays at major version 0.
        let again = c
            .put_wf_spec(parent.clone())
            .await
            .expect("put again")
            .into_inner();
        assert_eq!(again.id, stored.id);
        // After a new major version of the child, the same request pins that one.
        let v2 = c
            .put_wf_spec(spec_of(CHILD_V2, "child-flow"))
            .await
            .expect("put child-flow v2")
            .into_inner();
        assert_eq!(v2.id.map(|i| i.major_version), Some(1));
        let repinned = c
            .put_wf_spec(parent)
            .await
            .expect("put parent-flow")
            .into_inner();
        assert_eq!(run_child_node(&repinned.thread_specs).1.major_version, 1);
        assert_ne!(repinned.id, stored.id);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
