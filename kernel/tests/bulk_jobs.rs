//! Bulk jobs: CreateBulkJob deletes the WfRuns of a WfSpec (every version) with the given
//! ended status started in the time range, and no other; the server's checks of the
//! request; idempotency on the id; GetBulkJob, SearchBulkJob by status, DeleteBulkJob.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    BulkDeleteWfRun, BulkJobId, BulkJobStatus, CreateBulkJobRequest, DeleteBulkJobRequest,
    ExternalEventDefId, GetBulkJobRequest, LhStatus, PutExternalEventRequest, SearchBulkJobRequest,
    bulk_job, create_bulk_job_request,
};
use pbjson_types::Timestamp;
use tonic::Code;

const FLOWS: &str = r#"
event go
task work(x: str) -> str
workflow job {
  input x: str required
  await go
  work(x)
}
workflow other {
  work("o")
}
"#;

fn delete_request(
    id: Option<&str>,
    spec: &str,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    status: Option<LhStatus>,
) -> CreateBulkJobRequest {
    CreateBulkJobRequest {
        id: id.map(str::to_string),
        operation: Some(create_bulk_job_request::Operation::BulkDeleteWfRun(
            BulkDeleteWfRun {
                wf_spec_name: spec.into(),
                earliest_start: from,
                latest_start: to,
                wf_run_status: status.map(|s| s as i32),
            },
        )),
    }
}

fn far_future() -> Timestamp {
    Timestamp {
        seconds: 4_000_000_000,
        nanos: 0,
    }
}

async fn exists(c: &mut Client, id: &str) -> bool {
    match c.get_wf_run(wf_id(id)).await {
        Ok(_) => true,
        Err(e) if e.code() == Code::NotFound => false,
        Err(e) => panic!("GetWfRun {id}: {e}"),
    }
}

#[tokio::test]
async fn a_bulk_delete_removes_the_matching_ended_wf_runs_only() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(FLOWS).await;
        let _w = worker(&kernel, "work", returns(s("ok"))).await;
        for id in ["a", "b"] {
            run(&mut c, "job", id, &[("x", s(id))]).await;
            c.put_external_event(PutExternalEventRequest {
                wf_run_id: Some(wf_id(id)),
                external_event_def_id: Some(ExternalEventDefId { name: "go".into() }),
                ..Default::default()
            })
            .await
            .expect("post");
            wait_status(&mut c, id, LhStatus::Completed).await;
        }
        // Still running: not deleted.
        run(&mut c, "job", "waiting", &[("x", s("w"))]).await;
        // Another WfSpec: not deleted.
        run(&mut c, "other", "o", &[]).await;
        wait_status(&mut c, "o", LhStatus::Completed).await;

        // The server's checks.
        let err = c
            .create_bulk_job(delete_request(None, "job", None, Some(far_future()), None))
            .await
            .expect_err("no status");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(err.message(), "wfRunStatus must be provided");
        let err = c
            .create_bulk_job(delete_request(
                None,
                "job",
                None,
                Some(far_future()),
                Some(LhStatus::Running),
            ))
            .await
            .expect_err("not an ended status");
        assert_eq!(err.message(), "wfRunStatus must be a terminal status");
        let err = c
            .create_bulk_job(delete_request(
                None,
                "job",
                Some(far_future()),
                Some(Timestamp::default()),
                Some(LhStatus::Completed),
            ))
            .await
            .expect_err("range upside down");
        assert_eq!(
            err.message(),
            "earliestStart must be before or equal to latestStart"
        );
        let err = c
            .create_bulk_job(delete_request(
                None,
                " ",
                None,
                None,
                Some(LhStatus::Completed),
            ))
            .await
            .expect_err("no wfSpecName");
        assert_eq!(err.message(), "wfSpecName must be provided");
        let err = c
            .create_bulk_job(CreateBulkJobRequest {
                id: None,
                operation: None,
            })
            .await
            .expect_err("no operation");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().contains("bulk_delete_wf_run"),
            "{}",
            err.message()
        );

        // An unset end is the epoch (protobuf's default), as on the server: nothing matches.
        let job = c
            .create_bulk_job(delete_request(
                Some("none"),
                "job",
                None,
                None,
                Some(LhStatus::Completed),
            ))
            .await
            .expect("created")
            .into_inner();
        assert_eq!(job.status, BulkJobStatus::BulkJobCompleted as i32);
        assert!(exists(&mut c, "a").await && exists(&mut c, "b").await);

        let job = c
            .create_bulk_job(delete_request(
                Some("clean"),
                "job",
                None,
                Some(far_future()),
                Some(LhStatus::Completed),
            ))
            .await
            .expect("created")
            .into_inner();
        assert_eq!(job.id, Some(BulkJobId { id: "clean".into() }));
        assert_eq!(job.status, BulkJobStatus::BulkJobCompleted as i32);
        assert_eq!(job.total_subprocesses, 1);
        assert!(matches!(
            job.operation,
            Some(bulk_job::Operation::BulkDeleteWfRun(_))
        ));
        assert!(!exists(&mut c, "a").await, "a deleted");
        assert!(!exists(&mut c, "b").await, "b deleted");
        assert!(exists(&mut c, "waiting").await, "a running WfRun stays");
        assert!(exists(&mut c, "o").await, "another WfSpec's WfRun stays");

        // The same id again answers the stored job and deletes nothing more.
        run(&mut c, "job", "c", &[("x", s("c"))]).await;
        let again = c
            .create_bulk_job(delete_request(
                Some("clean"),
                "job",
                None,
                Some(far_future()),
                Some(LhStatus::Running),
            ))
            .await
            .expect("idempotent")
            .into_inner();
        assert_eq!(again, job);
        assert!(exists(&mut c, "c").await);

        let got = c
            .get_bulk_job(GetBulkJobRequest {
                id: Some(BulkJobId { id: "clean".into() }),
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(got, job);
        let err = c
            .get_bulk_job(GetBulkJobRequest {
                id: Some(BulkJobId { id: "nope".into() }),
            })
            .await
            .expect_err("unknown");
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(err.message(), "Couldn't find BulkJob nope");

        let completed = c
            .search_bulk_job(SearchBulkJobRequest {
                status: Some(BulkJobStatus::BulkJobCompleted as i32),
                ..Default::default()
            })
            .await
            .expect("search")
            .into_inner();
        let ids: Vec<String> = completed.results.into_iter().map(|i| i.id).collect();
        assert_eq!(ids, vec!["clean".to_string(), "none".to_string()]);
        let running = c
            .search_bulk_job(SearchBulkJobRequest {
                status: Some(BulkJobStatus::BulkJobRunning as i32),
                ..Default::default()
            })
            .await
            .expect("search")
            .into_inner();
        assert!(running.results.is_empty());

        c.delete_bulk_job(DeleteBulkJobRequest {
            id: Some(BulkJobId { id: "clean".into() }),
        })
        .await
        .expect("deleted");
        // An unknown id is deleted silently, as on the server.
        c.delete_bulk_job(DeleteBulkJobRequest {
            id: Some(BulkJobId { id: "clean".into() }),
        })
        .await
        .expect("silently");
        let err = c
            .get_bulk_job(GetBulkJobRequest {
                id: Some(BulkJobId { id: "clean".into() }),
            })
            .await
            .expect_err("gone");
        assert_eq!(err.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}
