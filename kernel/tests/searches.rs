//! Search RPCs: criteria, LittleHorse paging (limit + bookmark, results are
//! ids) and the answers to malformed searches.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    PutUserTaskDefRequest, SearchExternalEventDefRequest, SearchStructDefRequest,
    SearchTaskDefRequest, SearchUserTaskDefRequest, SearchWfSpecRequest,
    SearchWorkflowEventDefRequest, UserTaskField, VariableType, search_struct_def_request,
    search_user_task_def_request, search_wf_spec_request::WfSpecCriteria,
};
use tonic::Code;

/// Every page of a search, following bookmarks; checks that no page is larger than `limit`.
macro_rules! all_pages {
    ($limit:expr, |$bm:ident| $call:expr) => {{
        let mut $bm: Option<Vec<u8>> = None;
        let mut out = Vec::new();
        let mut pages = 0;
        loop {
            let page = $call.await.expect("search").into_inner();
            assert!(page.results.len() <= $limit, "page larger than the limit");
            pages += 1;
            out.extend(page.results);
            match page.bookmark {
                Some(b) => $bm = Some(b),
                None => break,
            }
        }
        (out, pages)
    }};
}

#[tokio::test]
async fn metadata_searches_by_name_prefix_and_task_def_with_paging() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        deploy(
            &mut c,
            "task alpha-1()\ntask alpha-2()\ntask alpha-3()\ntask beta()\n\
             event ev-one\nevent ev-two: int\nworkflow-event done-a: str\nworkflow-event other: int\n\
             struct pt { x: int }\n\
             workflow uses-alpha {\n  alpha-1()\n}\nworkflow uses-beta {\n  beta()\n}\n\
             workflow also-alpha {\n  alpha-1()\n  beta()\n}\n",
        )
        .await;

        // TaskDefs: everything, a prefix, pages of 2.
        let (all, _) = all_pages!(100, |bm| c.search_task_def(SearchTaskDefRequest {
            bookmark: bm.take(),
            limit: None,
            prefix: None,
        }));
        let names: Vec<String> = all.into_iter().map(|i| i.name).collect();
        assert_eq!(names, ["alpha-1", "alpha-2", "alpha-3", "beta"]);
        let (alphas, pages) = all_pages!(2, |bm| c.search_task_def(SearchTaskDefRequest {
            bookmark: bm.take(),
            limit: Some(2),
            prefix: Some("alpha".into()),
        }));
        let names: Vec<String> = alphas.into_iter().map(|i| i.name).collect();
        assert_eq!(names, ["alpha-1", "alpha-2", "alpha-3"]);
        assert_eq!(pages, 2, "3 results in pages of 2");

        // ExternalEventDefs and WorkflowEventDefs by prefix.
        let ev = c
            .search_external_event_def(SearchExternalEventDefRequest {
                bookmark: None,
                limit: None,
                prefix: Some("ev-".into()),
            })
            .await
            .unwrap()
            .into_inner();
        let names: Vec<&str> = ev.results.iter().map(|i| i.name.as_str()).collect();
        assert_eq!((names, ev.bookmark), (vec!["ev-one", "ev-two"], None));
        let wev = c
            .search_workflow_event_def(SearchWorkflowEventDefRequest {
                bookmark: None,
                limit: None,
                prefix: Some("done".into()),
            })
            .await
            .unwrap()
            .into_inner();
        let names: Vec<&str> = wev.results.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["done-a"]);

        // WfSpecs: by name (every version), by prefix, by the TaskDef a node runs.
        deploy(
            &mut c,
            "task alpha-1()\nworkflow uses-alpha {\n  var n: int = 0\n  alpha-1()\n  n = 1\n}\n",
        )
        .await;
        let by_name = c
            .search_wf_spec(SearchWfSpecRequest {
                bookmark: None,
                limit: None,
                wf_spec_criteria: Some(WfSpecCriteria::Name("uses-alpha".into())),
            })
            .await
            .unwrap()
            .into_inner();
        let versions: Vec<(i32, i32)> = by_name
            .results
            .iter()
            .map(|i| (i.major_version, i.revision))
            .collect();
        assert_eq!(versions, [(0, 0), (0, 1)]);
        let (by_prefix, _) = all_pages!(1, |bm| c.search_wf_spec(SearchWfSpecRequest {
            bookmark: bm.take(),
            limit: Some(1),
            wf_spec_criteria: Some(WfSpecCriteria::Prefix("uses-".into())),
        }));
        let names: Vec<String> = by_prefix.into_iter().map(|i| i.name).collect();
        assert_eq!(names, ["uses-alpha", "uses-alpha", "uses-beta"]);
        let (by_task, pages) = all_pages!(1, |bm| c.search_wf_spec(SearchWfSpecRequest {
            bookmark: bm.take(),
            limit: Some(1),
            wf_spec_criteria: Some(WfSpecCriteria::TaskDefName("beta".into())),
        }));
        let names: Vec<String> = by_task.into_iter().map(|i| i.name).collect();
        assert_eq!(names, ["also-alpha", "uses-beta"]);
        assert_eq!(pages, 2);
        let everything = c
            .search_wf_spec(SearchWfSpecRequest::default())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(everything.results.len(), 4);

        // UserTaskDefs (versions) and StructDefs.
        let field = |name: &str| UserTaskField {
            name: name.into(),
            r#type: VariableType::Str as i32,
            display_name: name.into(),
            ..Default::default()
        };
        for fields in [vec![field("a")], vec![field("a"), field("b")]] {
            c.put_user_task_def(PutUserTaskDefRequest {
                name: "approve".into(),
                fields,
                description: None,
            })
            .await
            .unwrap();
        }
        let uts = c
            .search_user_task_def(SearchUserTaskDefRequest {
                bookmark: None,
                limit: None,
                user_task_def_criteria: Some(search_user_task_def_request::UserTaskDefCriteria::Name(
                    "approve".into(),
                )),
            })
            .await
            .unwrap()
            .into_inner();
        let versions: Vec<i32> = uts.results.iter().map(|i| i.version).collect();
        assert_eq!(versions, [0, 1]);
        for sd in lhw_compiler::compile("struct pt { x: int }\n").output.unwrap().struct_defs {
            c.put_struct_def(sd).await.unwrap();
        }
        let sds = c
            .search_struct_def(SearchStructDefRequest {
                bookmark: None,
                limit: None,
                struct_def_criteria: Some(search_struct_def_request::StructDefCriteria::Prefix(
                    "p".into(),
                )),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(sds.results.len(), 1);
        assert_eq!(sds.results[0].name, "pt");

        // Malformed searches.
        let bad_bookmark = c
            .search_task_def(SearchTaskDefRequest {
                bookmark: Some(b"not a bookmark".to_vec()),
                limit: None,
                prefix: None,
            })
            .await
            .unwrap_err();
        assert_eq!(bad_bookmark.code(), Code::InvalidArgument);
        assert!(bad_bookmark.message().contains("bookmark"), "{}", bad_bookmark.message());
        let bad_limit = c
            .search_task_def(SearchTaskDefRequest {
                bookmark: None,
                limit: Some(-3),
                prefix: None,
            })
            .await
            .unwrap_err();
        assert_eq!(bad_limit.code(), Code::InvalidArgument);
        assert!(bad_limit.message().contains("limit"), "{}", bad_limit.message());
        let empty_task = c
            .search_wf_spec(SearchWfSpecRequest {
                bookmark: None,
                limit: None,
                wf_spec_criteria: Some(WfSpecCriteria::TaskDefName(String::new())),
            })
            .await
            .unwrap_err();
        assert_eq!(
            (empty_task.code(), empty_task.message()),
            (Code::InvalidArgument, "task_def_name must not be empty")
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

const RUN_FLOWS: &str = r#"
task ship(who: str) -> str
event arrived: str
workflow order {
  input customer: str required searchable
  input note: str
  var shipped: str
  var got: str
  shipped = ship(customer)
  got = await arrived
}
workflow other {
  input customer: str searchable
  var got: str
  got = await arrived
}
workflow kid {
  parent order
  var got: str
  got = await arrived
}
workflow grandkid {
  parent kid
  var got: str
  got = await arrived
}
"#;

fn customer(
    id: &str,
    who: &str,
) -> (
    String,
    Vec<(&'static str, lhw_proto::littlehorse::VariableValue)>,
) {
    (id.to_string(), vec![("customer", s(who))])
}

#[tokio::test]
async fn run_searches_by_spec_status_variables_parent_task_node_and_value() {
    use lhw_proto::littlehorse::{
        ExternalEventDefId, LhStatus, PutExternalEventRequest, RunWfRequest, SearchNodeRunRequest,
        SearchTaskRunRequest, SearchVariableRequest, SearchWfRunRequest, TaskStatus, VariableMatch,
    };
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(RUN_FLOWS).await;
        // No worker yet: every `ship` task stays SCHEDULED.
        for (id, vars) in [
            customer("o1", "ann"),
            customer("o2", "bob"),
            customer("o3", "ann"),
            customer("o4", "cy"),
            customer("o5", "ann"),
        ] {
            run(&mut c, "order", &id, &vars).await;
            // Distinct start times keep the expected order unambiguous.
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
        run(&mut c, "other", "x1", &[("customer", s("ann"))]).await;

        // SearchWfRun by WfSpec, in start order, pages of 2.
        let (ids, pages) = all_pages!(2, |bm| c.search_wf_run(SearchWfRunRequest {
            bookmark: bm.take(),
            limit: Some(2),
            wf_spec_name: "order".into(),
            ..Default::default()
        }));
        let ids: Vec<String> = ids.into_iter().map(|i| i.id).collect();
        assert_eq!(ids, ["o1", "o2", "o3", "o4", "o5"]);
        assert_eq!(pages, 3);
        // By a thread-0 variable's value.
        let by_var = c
            .search_wf_run(SearchWfRunRequest {
                wf_spec_name: "order".into(),
                variable_filters: vec![VariableMatch {
                    var_name: "customer".into(),
                    value: Some(s("ann")),
                }],
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let ids: Vec<&str> = by_var.results.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["o1", "o3", "o5"]);
        let err = c
            .search_wf_run(SearchWfRunRequest {
                wf_spec_name: "order".into(),
                variable_filters: vec![VariableMatch {
                    var_name: "nope".into(),
                    value: Some(s("ann")),
                }],
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().starts_with("variable_filters[0].var_name"),
            "{}",
            err.message()
        );
        let err = c
            .search_wf_run(SearchWfRunRequest {
                wf_spec_name: "order".into(),
                wf_spec_revision: Some(0),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().contains("wf_spec_major_version"),
            "{}",
            err.message()
        );

        // By parent: direct children, or the whole tree.
        let child = |spec: &str, id: &str, parent: lhw_proto::littlehorse::WfRunId| RunWfRequest {
            wf_spec_name: spec.into(),
            id: Some(id.into()),
            parent_wf_run_id: Some(parent),
            ..Default::default()
        };
        let kid = c
            .run_wf(child("kid", "kid", wf_id("o1")))
            .await
            .unwrap()
            .into_inner();
        c.run_wf(child("grandkid", "grandkid", kid.id.clone().unwrap()))
            .await
            .unwrap();
        let search_children = |full: bool| SearchWfRunRequest {
            parent_wf_run_id: Some(wf_id("o1")),
            show_full_tree: Some(full),
            ..Default::default()
        };
        let direct = c
            .search_wf_run(search_children(false))
            .await
            .unwrap()
            .into_inner();
        let ids: Vec<&str> = direct.results.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["kid"]);
        let tree = c
            .search_wf_run(search_children(true))
            .await
            .unwrap()
            .into_inner();
        let ids: Vec<&str> = tree.results.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["kid", "grandkid"]);

        // SearchTaskRun by TaskDef and status.
        let tasks = |status: Option<TaskStatus>| SearchTaskRunRequest {
            task_def_name: "ship".into(),
            status: status.map(|s| s as i32),
            ..Default::default()
        };
        let scheduled = c
            .search_task_run(tasks(Some(TaskStatus::TaskScheduled)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(scheduled.results.len(), 5);
        let _w = worker(
            &kernel,
            "ship",
            std::sync::Arc::new(|t| Outcome::Ok(s(&first_str(t)))),
        )
        .await;
        for i in 1..=5 {
            wait_node(&mut c, &format!("o{i}")).await;
        }
        let done = c
            .search_task_run(tasks(Some(TaskStatus::TaskSuccess)))
            .await
            .unwrap()
            .into_inner();
        let mut runs: Vec<String> = done
            .results
            .iter()
            .map(|t| t.wf_run_id.clone().unwrap().id)
            .collect();
        runs.sort();
        assert_eq!(runs, ["o1", "o2", "o3", "o4", "o5"]);
        assert!(
            c.search_task_run(tasks(Some(TaskStatus::TaskScheduled)))
                .await
                .unwrap()
                .into_inner()
                .results
                .is_empty()
        );
        let (all, pages) = all_pages!(2, |bm| c.search_task_run(SearchTaskRunRequest {
            bookmark: bm.take(),
            limit: Some(2),
            ..tasks(None)
        }));
        assert_eq!((all.len(), pages), (5, 3));
        let err = c
            .search_task_run(SearchTaskRunRequest::default())
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message()),
            (Code::InvalidArgument, "task_def_name must not be empty")
        );

        // SearchNodeRun: the EXTERNAL_EVENT NodeRuns of an ExternalEventDef.
        c.put_external_event(PutExternalEventRequest {
            wf_run_id: Some(wf_id("o2")),
            external_event_def_id: Some(ExternalEventDefId {
                name: "arrived".into(),
            }),
            content: Some(s("box")),
            ..Default::default()
        })
        .await
        .unwrap();
        wait_status(&mut c, "o2", LhStatus::Completed).await;
        let nodes = |status: LhStatus| SearchNodeRunRequest {
            external_event_def: Some(ExternalEventDefId {
                name: "arrived".into(),
            }),
            status: status as i32,
            ..Default::default()
        };
        let waiting = c
            .search_node_run(nodes(LhStatus::Running))
            .await
            .unwrap()
            .into_inner();
        let mut ids: Vec<String> = waiting
            .results
            .iter()
            .map(|n| n.wf_run_id.clone().unwrap().id)
            .collect();
        ids.sort();
        assert_eq!(ids, ["grandkid", "kid", "o1", "o3", "o4", "o5", "x1"]);
        let received = c
            .search_node_run(nodes(LhStatus::Completed))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(received.results.len(), 1);
        assert_eq!(received.results[0].wf_run_id.as_ref().unwrap().id, "o2");
        let any = c
            .search_node_run(nodes(LhStatus::Starting))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            any.results.len(),
            8,
            "STARTING (the default) means any status"
        );
        let err = c
            .search_node_run(SearchNodeRunRequest::default())
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message()),
            (Code::InvalidArgument, "external_event_def must be set")
        );

        // SearchVariable: by WfSpec, name and value; the variable must be searchable.
        let vars = |name: &str, value| SearchVariableRequest {
            wf_spec_name: "order".into(),
            var_name: name.into(),
            value: Some(value),
            ..Default::default()
        };
        let anns = c
            .search_variable(vars("customer", s("ann")))
            .await
            .unwrap()
            .into_inner();
        let ids: Vec<(String, i32, String)> = anns
            .results
            .iter()
            .map(|v| {
                (
                    v.wf_run_id.clone().unwrap().id,
                    v.thread_run_number,
                    v.name.clone(),
                )
            })
            .collect();
        assert_eq!(
            ids,
            [
                ("o1".into(), 0, "customer".into()),
                ("o3".into(), 0, "customer".into()),
                ("o5".into(), 0, "customer".into())
            ]
        );
        let (paged, pages) = all_pages!(1, |bm| c.search_variable(SearchVariableRequest {
            bookmark: bm.take(),
            limit: Some(1),
            ..vars("customer", s("ann"))
        }));
        assert_eq!((paged, pages), (anns.results.clone(), 3));
        let not_indexed = c.search_variable(vars("note", s("x"))).await.unwrap_err();
        assert_eq!(not_indexed.code(), Code::InvalidArgument);
        assert!(
            not_indexed.message().contains("not searchable"),
            "{}",
            not_indexed.message()
        );
        let json_path = c
            .search_variable(vars("customer_$.name", s("x")))
            .await
            .unwrap_err();
        assert_eq!(json_path.code(), Code::Unimplemented);
        let wrong_type = c
            .search_variable(vars("customer", int(3)))
            .await
            .unwrap_err();
        assert_eq!(wrong_type.code(), Code::InvalidArgument);
        assert!(
            wrong_type.message().starts_with("value:"),
            "{}",
            wrong_type.message()
        );
        let no_spec = c
            .search_variable(SearchVariableRequest {
                wf_spec_name: "missing".into(),
                ..vars("customer", s("ann"))
            })
            .await
            .unwrap_err();
        assert_eq!(no_spec.code(), Code::InvalidArgument);
        assert!(
            no_spec.message().starts_with("wf_spec_name:"),
            "{}",
            no_spec.message()
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

/// Waits until the `ship` step of an `order` WfRun is done (its `shipped` variable is set).
async fn wait_node(c: &mut Client, id: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while var(c, id, "shipped").await.is_none() {
        assert!(tokio::time::Instant::now() < deadline, "{id} never shipped");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
