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
