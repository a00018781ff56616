//! Operating a kernel: event searches (SearchExternalEvent, SearchCorrelatedEvent,
//! SearchWorkflowEvent), task worker groups (RegisterTaskWorker, GetTaskWorkerGroup, gone
//! with their TaskDef),
//! checkpoints (PutCheckpoint, GetCheckpoint), the ExternalEventDef retention of orphan
//! events, the RUN_CHILD_WF start-variable check at PutWfSpec, and the metric windows
//! (ListWfMetrics, ListTaskMetrics, GetMetricWindow, SearchWfMetricWindow).

mod common;

use common::*;
use lhw_proto::littlehorse::{
    CheckpointId, CorrelatedEventId, ExternalEventDefId, ExternalEventId, LhStatus,
    ListTaskMetricsRequest, ListWfMetricsRequest, MetricWindow, PollTaskRequest,
    PutCheckpointRequest, PutCorrelatedEventRequest, PutExternalEventRequest, ReportTaskRun,
    SearchCorrelatedEventRequest, SearchExternalEventRequest, SearchWfMetricWindowRequest,
    SearchWorkflowEventRequest, TaskDefId, TaskRunId, TaskStatus, WorkflowEventDefId,
    metric_window, put_checkpoint_response::FlowControlContinue, variable_assignment,
};
use std::time::Duration;
use tonic::Code;

fn event_def(name: &str) -> Option<ExternalEventDefId> {
    Some(ExternalEventDefId { name: name.into() })
}

async fn post(c: &mut Client, run: &str, def: &str, guid: &str) {
    c.put_external_event(PutExternalEventRequest {
        wf_run_id: Some(wf_id(run)),
        external_event_def_id: event_def(def),
        guid: Some(guid.into()),
        content: Some(s(guid)),
        ..Default::default()
    })
    .await
    .expect("put external event");
}

#[tokio::test]
async fn event_searches_find_claimed_unclaimed_orphan_correlated_and_workflow_events() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, _kernel, mut c) = start_deployed(
            "event paid: str\nevent quote: str correlated\nworkflow-event done: str\n\
             workflow pay {\n  let p = await paid\n  emit done p\n}\n\
             workflow quoted {\n  input order: str\n  let q = await quote correlated by order\n}\n",
        )
        .await;
        run(&mut c, "pay", "r1", &[]).await;
        post(&mut c, "r1", "paid", "g1").await;
        wait_status(&mut c, "r1", LhStatus::Completed).await;
        // Posted to WfRuns that do not exist: kept, unclaimed, found by the search.
        post(&mut c, "ghost-1", "paid", "g2").await;
        post(&mut c, "ghost-2", "paid", "g3").await;

        let search = |claimed: Option<bool>, limit: Option<i32>, bookmark: Option<Vec<u8>>| {
            SearchExternalEventRequest {
                bookmark,
                limit,
                external_event_def_id: event_def("paid"),
                is_claimed: claimed,
                ..Default::default()
            }
        };
        let all = c
            .search_external_event(search(None, None, None))
            .await
            .unwrap()
            .into_inner();
        let guids: Vec<&str> = all.results.iter().map(|i| i.guid.as_str()).collect();
        assert_eq!(guids, ["g1", "g2", "g3"], "oldest first");
        let claimed = c
            .search_external_event(search(Some(true), None, None))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(claimed.results.len(), 1);
        assert_eq!(claimed.results[0].wf_run_id, Some(wf_id("r1")));
        let orphans = c
            .search_external_event(search(Some(false), None, None))
            .await
            .unwrap()
            .into_inner();
        let runs: Vec<&str> = orphans
            .results
            .iter()
            .map(|i| i.wf_run_id.as_ref().unwrap().id.as_str())
            .collect();
        assert_eq!(runs, ["ghost-1", "ghost-2"]);
        // Pages of one, following bookmarks.
        let mut bookmark = None;
        let mut paged = Vec::new();
        loop {
            let page = c
                .search_external_event(search(None, Some(1), bookmark.take()))
                .await
                .unwrap()
                .into_inner();
            assert!(page.results.len() <= 1);
            paged.extend(page.results.into_iter().map(|i| i.guid));
            match page.bookmark {
                Some(b) => bookmark = Some(b),
                None => break,
            }
        }
        assert_eq!(paged, ["g1", "g2", "g3"]);
        // Another def, or a missing one: nothing; no def: INVALID_ARGUMENT naming the field.
        let none = c
            .search_external_event(SearchExternalEventRequest {
                external_event_def_id: event_def("nope"),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(none.results.is_empty());
        let err = c
            .search_external_event(SearchExternalEventRequest::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().contains("external_event_def_id"),
            "{}",
            err.message()
        );

        // WorkflowEvents: the one `pay` emitted.
        let wev = c
            .search_workflow_event(SearchWorkflowEventRequest {
                workflow_event_def_id: Some(WorkflowEventDefId {
                    name: "done".into(),
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(wev.results.len(), 1);
        assert_eq!(wev.results[0].wf_run_id, Some(wf_id("r1")));
        let err = c
            .search_workflow_event(SearchWorkflowEventRequest::default())
            .await
            .unwrap_err();
        assert!(
            err.message().contains("workflow_event_def_id"),
            "{}",
            err.message()
        );

        // CorrelatedEvents: one delivered to a waiting run, one waiting for its run.
        run(&mut c, "quoted", "q1", &[("order", s("o-1"))]).await;
        for key in ["o-1", "o-2"] {
            c.put_correlated_event(PutCorrelatedEventRequest {
                key: key.into(),
                external_event_def_id: event_def("quote"),
                content: Some(s(key)),
            })
            .await
            .expect("put correlated event");
        }
        wait_status(&mut c, "q1", LhStatus::Completed).await;
        let cev = |has: Option<bool>| SearchCorrelatedEventRequest {
            external_event_def_id: event_def("quote"),
            has_external_events: has,
            ..Default::default()
        };
        let keys =
            |r: Vec<CorrelatedEventId>| -> Vec<String> { r.into_iter().map(|i| i.key).collect() };
        let all = c
            .search_correlated_event(cev(None))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(keys(all.results), ["o-1", "o-2"]);
        let delivered = c
            .search_correlated_event(cev(Some(true)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(keys(delivered.results), ["o-1"]);
        let waiting = c
            .search_correlated_event(cev(Some(false)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(keys(waiting.results), ["o-2"]);
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn registered_workers_form_the_task_worker_group() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) =
            start_deployed("task greet(name: str) -> str\nworkflow hello {\n  greet(\"x\")\n}\n")
                .await;
        let err = c
            .get_task_worker_group(TaskDefId {
                name: "greet".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            Code::NotFound,
            "no worker yet: {}",
            err.message()
        );
        let _w = worker(&kernel, "greet", returns(s("hi"))).await;
        // The worker SDK registers before it polls; the run proves it polls.
        run(&mut c, "hello", "w1", &[]).await;
        wait_status(&mut c, "w1", LhStatus::Completed).await;
        let group = c
            .get_task_worker_group(TaskDefId {
                name: "greet".into(),
            })
            .await
            .expect("the group exists")
            .into_inner();
        assert_eq!(
            group
                .id
                .and_then(|i| i.task_def_id)
                .map(|d| d.name)
                .as_deref(),
            Some("greet")
        );
        let w = group
            .task_workers
            .get("test-worker")
            .expect("the worker is listed");
        assert_eq!(w.task_worker_id, "test-worker");
        assert!(w.latest_heartbeat.is_some());
        assert_eq!(w.hosts.len(), 1);
        assert_eq!(w.hosts[0].port, i32::from(kernel.addr().port()));
        let err = c
            .get_task_worker_group(TaskDefId {
                name: String::new(),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("name"), "{}", err.message());
        // Deleting the TaskDef deletes its worker group, as the server does
        // (`DeleteTaskDefRequestModel` forwards a DeleteTaskWorkerGroupRequest).
        c.delete_task_def(lhw_proto::littlehorse::DeleteTaskDefRequest {
            id: Some(TaskDefId {
                name: "greet".into(),
            }),
        })
        .await
        .expect("deleted");
        let err = c
            .get_task_worker_group(TaskDefId {
                name: "greet".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound, "{}", err.message());
    })
    .await
    .expect("test timed out");
}

/// Polls one task through the raw PollTask stream (as a worker SDK does).
async fn poll_one(c: &mut Client, task_def: &str) -> lhw_proto::littlehorse::ScheduledTask {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(PollTaskRequest {
        task_def_id: Some(TaskDefId {
            name: task_def.into(),
        }),
        client_id: "raw-worker".into(),
        task_worker_version: None,
    })
    .await
    .unwrap();
    let mut stream = c
        .poll_task(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .expect("poll")
        .into_inner();
    let task = stream
        .message()
        .await
        .expect("a poll answer")
        .expect("a message")
        .result
        .expect("a task");
    drop(tx);
    task
}

#[tokio::test]
async fn checkpoints_are_kept_per_task_run_and_fence_stale_attempts() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, _kernel, mut c) =
            start_deployed("task long(n: int) -> str\nworkflow cp {\n  long(1) retries 1\n}\n")
                .await;
        run(&mut c, "cp", "cp-1", &[]).await;
        let task = poll_one(&mut c, "long").await;
        assert_eq!(
            (task.attempt_number, task.total_observed_checkpoints),
            (0, 0)
        );
        let id: TaskRunId = task.task_run_id.clone().unwrap();
        let put = |attempt: i32, value: &str| PutCheckpointRequest {
            task_run_id: Some(id.clone()),
            task_attempt: attempt,
            value: Some(s(value)),
            logs: Some(format!("log {value}")),
        };
        let first = c
            .put_checkpoint(put(0, "step-1"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            first.flow_control_continue_type,
            FlowControlContinue::ContinueTask as i32
        );
        let created = first.created_checkpoint.expect("the checkpoint");
        assert_eq!(created.id.as_ref().unwrap().checkpoint_number, 0);
        // An attempt that is not the current one is told to stop; nothing is stored.
        let stale = c.put_checkpoint(put(3, "nope")).await.unwrap().into_inner();
        assert_eq!(
            stale.flow_control_continue_type,
            FlowControlContinue::StopTask as i32
        );
        assert!(stale.created_checkpoint.is_none());
        let got = c
            .get_checkpoint(CheckpointId {
                task_run: Some(id.clone()),
                checkpoint_number: 0,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got.value, Some(s("step-1")));
        assert_eq!(got.logs.as_deref(), Some("log step-1"));
        let missing = c
            .get_checkpoint(CheckpointId {
                task_run: Some(id.clone()),
                checkpoint_number: 1,
            })
            .await
            .unwrap_err();
        assert_eq!(missing.code(), Code::NotFound);
        let tr = c.get_task_run(id.clone()).await.unwrap().into_inner();
        assert_eq!(tr.total_checkpoints, 1);

        // The attempt fails: the retry's ScheduledTask says one checkpoint was observed.
        c.report_task(ReportTaskRun {
            task_run_id: Some(id.clone()),
            status: TaskStatus::TaskFailed as i32,
            attempt_number: 0,
            ..Default::default()
        })
        .await
        .unwrap();
        let retry = poll_one(&mut c, "long").await;
        assert_eq!(
            (retry.attempt_number, retry.total_observed_checkpoints),
            (1, 1)
        );
        // The first attempt is fenced now; the second one checkpoints as number 1.
        let fenced = c.put_checkpoint(put(0, "late")).await.unwrap().into_inner();
        assert_eq!(
            fenced.flow_control_continue_type,
            FlowControlContinue::StopTask as i32
        );
        let second = c
            .put_checkpoint(put(1, "step-2"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            second
                .created_checkpoint
                .unwrap()
                .id
                .unwrap()
                .checkpoint_number,
            1
        );
        c.report_task(ReportTaskRun {
            task_run_id: Some(id.clone()),
            status: TaskStatus::TaskSuccess as i32,
            attempt_number: 1,
            result: Some(lhw_proto::littlehorse::report_task_run::Result::Output(s(
                "done",
            ))),
            ..Default::default()
        })
        .await
        .unwrap();
        wait_status(&mut c, "cp-1", LhStatus::Completed).await;
        // A finished TaskRun fences every attempt; an unknown TaskRun is INVALID_ARGUMENT.
        let after = c
            .put_checkpoint(put(1, "after"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            after.flow_control_continue_type,
            FlowControlContinue::StopTask as i32
        );
        let mut unknown = put(0, "x");
        unknown.task_run_id.as_mut().unwrap().task_guid = "no-such-guid".into();
        let err = c.put_checkpoint(unknown).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        let err = c
            .put_checkpoint(PutCheckpointRequest::default())
            .await
            .unwrap_err();
        assert!(err.message().contains("task_run_id"), "{}", err.message());
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn orphan_events_are_deleted_by_their_def_retention_and_claimed_ones_stay() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, _kernel, mut c) = start_deployed(
            "event ping retention 1s\nevent keep\n\
             workflow waits {\n  let p = await ping\n}\n",
        )
        .await;
        run(&mut c, "waits", "w1", &[]).await;
        post(&mut c, "w1", "ping", "claimed").await;
        wait_status(&mut c, "w1", LhStatus::Completed).await;
        // Posted to a WfRun that does not exist: accepted and kept (as the server does).
        post(&mut c, "no-such-run", "ping", "orphan").await;
        post(&mut c, "no-such-run", "keep", "forever").await;
        let id = |run: &str, def: &str, guid: &str| ExternalEventId {
            wf_run_id: Some(wf_id(run)),
            external_event_def_id: event_def(def),
            guid: guid.into(),
        };
        c.get_external_event(id("no-such-run", "ping", "orphan"))
            .await
            .expect("stored until its retention runs out");
        // Wait for the retention sweep to delete the orphan.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            match c
                .get_external_event(id("no-such-run", "ping", "orphan"))
                .await
            {
                Err(e) if e.code() == Code::NotFound => break,
                Err(e) => panic!("{e}"),
                Ok(_) => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "the orphan was never deleted"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        // The claimed event (due earlier) stays with its WfRun; a def without retention keeps its events.
        let claimed = c
            .get_external_event(id("w1", "ping", "claimed"))
            .await
            .expect("a claimed event is not deleted")
            .into_inner();
        assert!(claimed.claimed);
        c.get_external_event(id("no-such-run", "keep", "forever"))
            .await
            .expect("no retention policy: kept");
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn run_child_wf_inputs_are_checked_against_the_child_entrypoint() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, _kernel, mut c) = start_deployed(
            "workflow child {\n  input sku: str required\n  input qty: int\n}\n\
             workflow parent {\n  let c = run child(sku: \"a\", qty: 2)\n}\n",
        )
        .await;
        // The valid parent deployed; now variants of its request.
        let compiled = lhw_compiler::compile(
            "workflow child {\n  input sku: str required\n  input qty: int\n}\n\
             workflow parent {\n  let c = run child(sku: \"a\", qty: 2)\n}\n",
        );
        let base = compiled
            .output
            .unwrap()
            .wf_specs
            .into_iter()
            .find(|r| r.name == "parent")
            .unwrap();
        let edit = |f: &dyn Fn(
            &mut std::collections::BTreeMap<String, lhw_proto::littlehorse::VariableAssignment>,
        )| {
            let mut r = base.clone();
            for t in r.thread_specs.values_mut() {
                for n in t.nodes.values_mut() {
                    if let Some(lhw_proto::littlehorse::node::Node::RunChildWf(rc)) = &mut n.node {
                        f(&mut rc.inputs);
                    }
                }
            }
            r
        };
        let literal = |v| lhw_proto::littlehorse::VariableAssignment {
            source: Some(variable_assignment::Source::LiteralValue(v)),
            ..Default::default()
        };
        let cases: Vec<(_, &str)> = vec![
            (
                edit(&|i| {
                    i.remove("sku");
                }),
                "Missing required variable sku",
            ),
            (
                edit(&|i| {
                    i.insert("colour".into(), literal(s("red")));
                }),
                "Var colour provided but not needed for thread entrypoint",
            ),
            (
                edit(&|i| {
                    i.insert("qty".into(), literal(s("two")));
                }),
                "Var qty should be INT",
            ),
        ];
        for (req, want) in cases {
            let err = c.put_wf_spec(req).await.unwrap_err();
            assert_eq!(err.code(), Code::InvalidArgument, "{}", err.message());
            assert!(
                err.message().contains(want),
                "{} (wanted {want})",
                err.message()
            );
        }
        // An INT literal where a STR is declared is fine (any primitive into STR).
        let ok = edit(&|i| {
            i.insert("sku".into(), literal(int(7)));
        });
        c.put_wf_spec(ok).await.expect("INT into STR is allowed");
    })
    .await
    .expect("test timed out");
}

fn sum(windows: &[MetricWindow], f: impl Fn(&metric_window::Metric) -> i32) -> i32 {
    windows
        .iter()
        .filter_map(|w| w.metric.as_ref())
        .map(f)
        .sum()
}

#[tokio::test]
async fn metric_windows_count_workflow_and_task_transitions() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) =
            start_deployed("task greet(name: str) -> str\nworkflow hello {\n  greet(\"x\")\n}\n")
                .await;
        let _w = worker(&kernel, "greet", returns(s("hi"))).await;
        for id in ["m1", "m2"] {
            run(&mut c, "hello", id, &[]).await;
            wait_status(&mut c, id, LhStatus::Completed).await;
        }
        let spec = c
            .get_wf_run(wf_id("m1"))
            .await
            .unwrap()
            .into_inner()
            .wf_spec_id;
        let wf = c
            .list_wf_metrics(ListWfMetricsRequest {
                wf_spec: spec.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .windows;
        let count = |w: &[MetricWindow],
                     f: fn(&lhw_proto::littlehorse::WfMetrics) -> Option<i32>| {
            sum(w, |m| match m {
                metric_window::Metric::Workflow(m) => f(m).unwrap_or(0),
                _ => 0,
            })
        };
        assert_eq!(count(&wf, |m| m.started.as_ref().map(|c| c.count)), 2);
        assert_eq!(
            count(&wf, |m| m.running_to_completed.as_ref().map(|c| c.count)),
            2
        );
        assert_eq!(
            count(&wf, |m| m.running_to_error.as_ref().map(|c| c.count)),
            0
        );
        let tasks = c
            .list_task_metrics(ListTaskMetricsRequest {
                task_def: Some(TaskDefId {
                    name: "greet".into(),
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .windows;
        let tcount = |f: fn(&lhw_proto::littlehorse::TaskMetrics) -> Option<i32>| {
            sum(&tasks, |m| match m {
                metric_window::Metric::Task(m) => f(m).unwrap_or(0),
                _ => 0,
            })
        };
        assert_eq!(
            tcount(|m| m.taskattempt_scheduled_to_running.as_ref().map(|c| c.count)),
            2
        );
        assert_eq!(
            tcount(|m| m.taskattempt_running_to_success.as_ref().map(|c| c.count)),
            2
        );
        assert_eq!(
            tcount(|m| m.taskrun_created_to_completed.as_ref().map(|c| c.count)),
            2
        );
        assert_eq!(
            tcount(|m| m.taskattempt_running_to_error.as_ref().map(|c| c.count)),
            0
        );
        // Every window is found again by its id, and by the WfSpec search.
        for w in &wf {
            let again = c
                .get_metric_window(w.id.clone().unwrap())
                .await
                .unwrap()
                .into_inner();
            assert_eq!(&again, w);
        }
        let ids = c
            .search_wf_metric_window(SearchWfMetricWindowRequest {
                wf_spec_name: "hello".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(ids.results.len(), wf.len());
        // Every TaskDef, every WfSpec: the same windows here; no name is INVALID_ARGUMENT.
        let all = c
            .list_wf_metrics(ListWfMetricsRequest::default())
            .await
            .unwrap()
            .into_inner()
            .windows;
        assert_eq!(all, wf);
        let err = c
            .search_wf_metric_window(SearchWfMetricWindowRequest::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn thread_retention_archives_completed_child_threads() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, _kernel, mut c) = start_deployed(
            "event go\nworkflow tr {\n  let p = spawn child {\n    thread retention 1s\n    var x: int = 1\n  }\n  wait p\n  let g = await go\n}\n",
        )
        .await;
        run(&mut c, "tr", "t1", &[]).await;
        // The child thread completes; the WfRun then waits for `go`.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let end = loop {
            let wf = c.get_wf_run(wf_id("t1")).await.unwrap().into_inner();
            if let Some(t) = wf.thread_runs.iter().find(|t| t.number == 1)
                && t.status == LhStatus::Completed as i32
            {
                break t.end_time.unwrap();
            }
            assert!(tokio::time::Instant::now() < deadline, "the child never completed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let err = c
            .get_inactive_thread_run(lhw_proto::littlehorse::InactiveThreadRunId {
                wf_run_id: Some(wf_id("t1")),
                thread_run_number: 1,
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound, "not archived before its retention ran out");
        // Once a second has passed since the child ended, the next advance archives it.
        let due = std::time::UNIX_EPOCH
            + Duration::from_secs(u64::try_from(end.seconds + 1).unwrap())
            + Duration::from_nanos(u64::try_from(end.nanos).unwrap());
        while std::time::SystemTime::now() < due {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        post(&mut c, "t1", "go", "g").await;
        let wf = wait_status(&mut c, "t1", LhStatus::Completed).await;
        let numbers: Vec<i32> = wf.thread_runs.iter().map(|t| t.number).collect();
        assert_eq!(numbers, [0], "the child left the WfRun");
        let archived = c
            .get_inactive_thread_run(lhw_proto::littlehorse::InactiveThreadRunId {
                wf_run_id: Some(wf_id("t1")),
                thread_run_number: 1,
            })
            .await
            .expect("archived")
            .into_inner();
        let t = archived.thread_run.expect("the thread");
        assert_eq!((t.number, t.status), (1, LhStatus::Completed as i32));
        assert!(matches!(
            archived.inactive_reason,
            Some(lhw_proto::littlehorse::inactive_thread_run::InactiveReason::Archived(_))
        ));
    })
    .await
    .expect("test timed out");
}
