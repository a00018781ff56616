//! Metadata RPCs: puts, gets, deletes, validation errors and WfSpec versioning.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    DeleteExternalEventDefRequest, DeleteStructDefRequest, DeleteTaskDefRequest,
    DeleteUserTaskDefRequest, DeleteWfSpecRequest, DeleteWorkflowEventDefRequest,
    ExternalEventDefId, GetLatestUserTaskDefRequest, GetLatestWfSpecRequest, LhStatus,
    PutStructDefRequest, PutTaskDefRequest, PutUserTaskDefRequest, PutWorkflowEventDefRequest,
    SearchTaskDefRequest, StructDefId, TaskDefId, UserTaskDefId, UserTaskField, VariableType,
    WfSpecId, WorkflowEventDefId,
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
        // Deleting it again: NOT_FOUND, as LittleHorse answers.
        let again = c
            .delete_task_def(DeleteTaskDefRequest {
                id: Some(TaskDefId {
                    name: "double".into(),
                }),
            })
            .await
            .unwrap_err();
        assert_eq!(again.code(), Code::NotFound);
        let listed = c
            .search_task_def(SearchTaskDefRequest::default())
            .await
            .unwrap()
            .into_inner();
        assert!(listed.results.is_empty(), "{listed:?}");
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

/// Every metadata Delete removes exactly the named object (version) and
/// answers NOT_FOUND for one that does not exist; WfRuns keep running when
/// their WfSpec is deleted.
#[tokio::test]
async fn metadata_deletes() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        let source = "task greet(name: str) -> str\nevent go: str\nworkflow-event done: str\n\
            struct point { x: int }\nuser-task ok \"OK?\" { yes: bool \"Yes\" required }\n\
            workflow w {\n  input name: str required\n  greet(name)\n  let g = await go\n  emit done g\n}\n";
        deploy(&mut c, source).await;
        let compiled = lhw_compiler::compile(source).output.unwrap();
        for sd in compiled.struct_defs {
            c.put_struct_def(sd).await.unwrap();
        }
        // A second WfSpec revision, so that deleting one version leaves the other.
        let mut rev1 = compiled.wf_specs[0].clone();
        rev1.thread_specs
            .get_mut("entrypoint")
            .unwrap()
            .variable_defs
            .push(lhw_proto::littlehorse::ThreadVarDef {
                var_def: Some(lhw_proto::littlehorse::VariableDef {
                    name: "extra".into(),
                    type_def: Some(lhw_proto::littlehorse::TypeDefinition {
                        masked: false,
                        defined_type: Some(
                            lhw_proto::littlehorse::type_definition::DefinedType::PrimitiveType(
                                VariableType::Int as i32,
                            ),
                        ),
                    }),
                    ..Default::default()
                }),
                access_level: lhw_proto::littlehorse::WfRunVariableAccessLevel::PrivateVar as i32,
                ..Default::default()
            });
        let spec = c.put_wf_spec(rev1).await.unwrap().into_inner();
        assert_eq!(spec.id.as_ref().map(|i| i.revision), Some(1));
        let running = run(&mut c, "w", "r1", &[("name", s("x"))]).await;
        assert_eq!(running.status, LhStatus::Running as i32);

        let v = |major, revision| WfSpecId { name: "w".into(), major_version: major, revision };
        c.delete_wf_spec(DeleteWfSpecRequest { id: Some(v(0, 1)) }).await.unwrap();
        let code = |r: Result<tonic::Response<pbjson_types::Empty>, tonic::Status>| {
            r.map(|_| Code::Ok).unwrap_or_else(|e| e.code())
        };
        assert_eq!(code(c.delete_wf_spec(DeleteWfSpecRequest { id: Some(v(0, 1)) }).await), Code::NotFound);
        assert_eq!(c.get_wf_spec(v(0, 1)).await.unwrap_err().code(), Code::NotFound);
        let latest = c
            .get_latest_wf_spec(GetLatestWfSpecRequest { name: "w".into(), major_version: None })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(latest.id, Some(v(0, 0)), "the other revision stays");
        // The WfRun of the deleted revision is still there and still running.
        let still = c.get_wf_run(wf_id("r1")).await.unwrap().into_inner();
        assert_eq!(still.status, LhStatus::Running as i32);

        c.delete_external_event_def(DeleteExternalEventDefRequest {
            id: Some(ExternalEventDefId { name: "go".into() }),
        })
        .await
        .unwrap();
        assert_eq!(
            c.get_external_event_def(ExternalEventDefId { name: "go".into() }).await.unwrap_err().code(),
            Code::NotFound
        );
        assert_eq!(
            code(
                c.delete_external_event_def(DeleteExternalEventDefRequest {
                    id: Some(ExternalEventDefId { name: "go".into() }),
                })
                .await
            ),
            Code::NotFound
        );
        c.delete_workflow_event_def(DeleteWorkflowEventDefRequest {
            id: Some(WorkflowEventDefId { name: "done".into() }),
        })
        .await
        .unwrap();
        assert_eq!(
            c.get_workflow_event_def(WorkflowEventDefId { name: "done".into() }).await.unwrap_err().code(),
            Code::NotFound
        );
        assert_eq!(
            code(
                c.delete_workflow_event_def(DeleteWorkflowEventDefRequest {
                    id: Some(WorkflowEventDefId { name: "done".into() }),
                })
                .await
            ),
            Code::NotFound
        );
        // UserTaskDef and StructDef: one version at a time.
        let ut = |version| UserTaskDefId { name: "ok".into(), version };
        assert_eq!(
            code(c.delete_user_task_def(DeleteUserTaskDefRequest { id: Some(ut(3)) }).await),
            Code::NotFound
        );
        c.delete_user_task_def(DeleteUserTaskDefRequest { id: Some(ut(0)) }).await.unwrap();
        assert_eq!(c.get_user_task_def(ut(0)).await.unwrap_err().code(), Code::NotFound);
        let sd = |version| StructDefId { name: "point".into(), version };
        assert_eq!(
            code(c.delete_struct_def(DeleteStructDefRequest { id: Some(sd(1)) }).await),
            Code::NotFound
        );
        c.delete_struct_def(DeleteStructDefRequest { id: Some(sd(0)) }).await.unwrap();
        assert_eq!(c.get_struct_def(sd(0)).await.unwrap_err().code(), Code::NotFound);
        // A missing id is a malformed request, named as such.
        let err = c.delete_struct_def(DeleteStructDefRequest { id: None }).await.unwrap_err();
        assert_eq!((err.code(), err.message()), (Code::InvalidArgument, "id must be set"));
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
