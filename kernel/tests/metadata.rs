//! Metadata RPCs: puts, gets, deletes, validation errors and WfSpec versioning.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    DeleteTaskDefRequest, GetLatestUserTaskDefRequest, GetLatestWfSpecRequest, PutStructDefRequest,
    PutTaskDefRequest, PutUserTaskDefRequest, PutWorkflowEventDefRequest, SearchTaskDefRequest,
    StructDefId, TaskDefId, UserTaskField, VariableType, WfSpecId, WorkflowEventDefId,
};
use tonic::Code;

fn task_def(name: &str) -> PutTaskDefRequest {
    lhw_compiler::compile(&format!("task {name}(x: int) -> str\n"))
        .output
        .expect("compiles")
        .task_defs
        .remove(0)
}

#[tokio::test]
async fn task_defs_are_immutable_and_validated() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let first = c
            .put_task_def(task_def("double"))
            .await
            .unwrap()
            .into_inner();
        let again = c
            .put_task_def(task_def("double"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(first, again, "identical re-put returns the stored TaskDef");
        let mut changed = task_def("double");
        changed.input_vars.clear();
        assert_eq!(
            c.put_task_def(changed).await.unwrap_err().code(),
            Code::AlreadyExists
        );
        let mut invalid = task_def("ok");
        invalid.name = "not_valid".into();
        let err = c.put_task_def(invalid).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("name"), "{}", err.message());

        let got = c
            .get_task_def(TaskDefId {
                name: "double".into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            got.input_vars[0].type_def.is_some(),
            "workers need type_def"
        );
        c.delete_task_def(DeleteTaskDefRequest {
            id: Some(TaskDefId {
                name: "double".into(),
            }),
        })
        .await
        .unwrap();
        assert_eq!(
            c.get_task_def(TaskDefId {
                name: "double".into()
            })
            .await
            .unwrap_err()
            .code(),
            Code::NotFound
        );
        let unimplemented = c
            .search_task_def(SearchTaskDefRequest::default())
            .await
            .unwrap_err();
        assert_eq!(unimplemented.code(), Code::Unimplemented);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn wf_spec_versioning_and_validation() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let v1 = "task greet(name: str) -> str\nworkflow w {\n  input name: str required\n  greet(name)\n}\n";
        // The TaskDef must exist first.
        let spec = lhw_compiler::compile(v1).output.unwrap().wf_specs.remove(0);
        let err = c.put_wf_spec(spec.clone()).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("nonexistent TaskDef greet"), "{}", err.message());
        deploy(&mut c, v1).await;
        let id = |s: &lhw_proto::littlehorse::WfSpec| s.id.clone().unwrap();
        let first = c.get_latest_wf_spec(GetLatestWfSpecRequest { name: "w".into(), major_version: None }).await.unwrap().into_inner();
        assert_eq!((id(&first).major_version, id(&first).revision), (0, 0));
        let same = c.put_wf_spec(spec).await.unwrap().into_inner();
        assert_eq!(id(&same), id(&first), "identical re-put is a no-op");

        // A new private variable: a revision.
        let v2 = "task greet(name: str) -> str\nworkflow w {\n  input name: str required\n  var n: int = 0\n  greet(name)\n  n = 1\n}\n";
        deploy(&mut c, v2).await;
        let second = c.get_latest_wf_spec(GetLatestWfSpecRequest { name: "w".into(), major_version: None }).await.unwrap().into_inner();
        assert_eq!((id(&second).major_version, id(&second).revision), (0, 1));
        // A new required input: a breaking change, new major version.
        let v3 = "task greet(name: str) -> str\nworkflow w {\n  input name: str required\n  input other: str required\n  greet(name)\n  greet(other)\n}\n";
        deploy(&mut c, v3).await;
        let third = c.get_latest_wf_spec(GetLatestWfSpecRequest { name: "w".into(), major_version: None }).await.unwrap().into_inner();
        assert_eq!((id(&third).major_version, id(&third).revision), (1, 0));
        let old = c.get_wf_spec(WfSpecId { name: "w".into(), major_version: 0, revision: 1 }).await.unwrap().into_inner();
        assert_eq!(old, second);
        let latest_0 = c.get_latest_wf_spec(GetLatestWfSpecRequest { name: "w".into(), major_version: Some(0) }).await.unwrap().into_inner();
        assert_eq!(id(&latest_0).revision, 1);
        assert_eq!(
            c.get_wf_spec(WfSpecId { name: "w".into(), major_version: 7, revision: 0 }).await.unwrap_err().code(),
            Code::NotFound
        );
        // Task timeouts are normalized to 60 s.
        let task = third.thread_specs["entrypoint"].nodes.values().find_map(|n| match &n.node {
            Some(lhw_proto::littlehorse::node::Node::Task(t)) => Some(t.timeout_seconds),
            _ => None,
        });
        assert_eq!(task, Some(60));
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn other_metadata_objects() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        // UserTaskDef: versions.
        let field = |name: &str| UserTaskField {
            name: name.into(),
            r#type: VariableType::Str as i32,
            display_name: name.into(),
            ..Default::default()
        };
        let put = |fields: Vec<UserTaskField>| PutUserTaskDefRequest {
            name: "approve".into(),
            fields,
            description: None,
        };
        assert_eq!(
            c.put_user_task_def(put(vec![field("a")]))
                .await
                .unwrap()
                .into_inner()
                .version,
            0
        );
        assert_eq!(
            c.put_user_task_def(put(vec![field("a")]))
                .await
                .unwrap()
                .into_inner()
                .version,
            0
        );
        assert_eq!(
            c.put_user_task_def(put(vec![field("a"), field("b")]))
                .await
                .unwrap()
                .into_inner()
                .version,
            1
        );
        let latest = c
            .get_latest_user_task_def(GetLatestUserTaskDefRequest {
                name: "approve".into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(latest.fields.len(), 2);
        // StructDef: field names are camelCase, versions start at 0.
        let compiled = lhw_compiler::compile("struct customer { name: str, age: int = 0 }\n")
            .output
            .unwrap();
        let sd = compiled.struct_defs[0].clone();
        let stored = c.put_struct_def(sd.clone()).await.unwrap().into_inner();
        assert_eq!(
            stored.id,
            Some(StructDefId {
                name: "customer".into(),
                version: 0
            })
        );
        let got = c
            .get_struct_def(StructDefId {
                name: "customer".into(),
                version: 0,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got, stored);
        let mut bad: PutStructDefRequest = sd;
        let f = bad
            .struct_def
            .as_mut()
            .unwrap()
            .fields
            .remove("name")
            .unwrap();
        bad.struct_def
            .as_mut()
            .unwrap()
            .fields
            .insert("Bad_Name".into(), f);
        assert_eq!(
            c.put_struct_def(bad).await.unwrap_err().code(),
            Code::InvalidArgument
        );
        // WorkflowEventDef: re-put with another type is rejected.
        let wed = |t: VariableType| PutWorkflowEventDefRequest {
            name: "milestone".into(),
            content_type: Some(lhw_proto::littlehorse::ReturnType {
                return_type: Some(lhw_proto::littlehorse::TypeDefinition {
                    masked: false,
                    defined_type: Some(
                        lhw_proto::littlehorse::type_definition::DefinedType::PrimitiveType(
                            t as i32,
                        ),
                    ),
                }),
            }),
        };
        c.put_workflow_event_def(wed(VariableType::Str))
            .await
            .unwrap();
        c.put_workflow_event_def(wed(VariableType::Str))
            .await
            .unwrap();
        assert_eq!(
            c.put_workflow_event_def(wed(VariableType::Int))
                .await
                .unwrap_err()
                .code(),
            Code::AlreadyExists
        );
        c.get_workflow_event_def(WorkflowEventDefId {
            name: "milestone".into(),
        })
        .await
        .unwrap();
        let version = c
            .get_server_version(pbjson_types::Empty {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            version.pre_release_identifier.as_deref(),
            Some("lhw-kernel")
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
