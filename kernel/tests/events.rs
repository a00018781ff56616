//! External events: a WfRun waiting on an EXTERNAL_EVENT node completes when
//! the event is posted, events posted early are buffered, timeouts fail the
//! node, and a waiting run survives a restart.

mod common;

use common::*;
use lhw_proto::littlehorse::{
    ExternalEventDefId, LhStatus, PutExternalEventRequest, PutWfSpecRequest, variable_value::Value,
};
use tonic::Code;

const EVENTS: &str = r#"
event payment-received: str
workflow declares-events {
  var x: int = 0
}
"#;

/// A WfSpec waiting for `payment-received` and storing its content in `paid`
/// (hand-written JSON: the language has no event wait yet).
fn waiting_spec(timeout_seconds: Option<i64>) -> PutWfSpecRequest {
    let timeout = match timeout_seconds {
        Some(t) => format!(r#", "timeoutSeconds": {{"literalValue": {{"int": "{t}"}}}}"#),
        None => String::new(),
    };
    let json = format!(
        r#"{{
      "name": "wait-payment",
      "entrypointThreadName": "entrypoint",
      "threadSpecs": {{ "entrypoint": {{
        "variableDefs": [{{"varDef": {{"name": "paid", "typeDef": {{"primitiveType": "STR"}}}},
                          "accessLevel": "PRIVATE_VAR"}}],
        "nodes": {{
          "0-entrypoint-ENTRYPOINT": {{"entrypoint": {{}},
             "outgoingEdges": [{{"sinkNodeName": "1-payment-received-EXTERNAL_EVENT"}}]}},
          "1-payment-received-EXTERNAL_EVENT": {{
             "externalEvent": {{"externalEventDefId": {{"name": "payment-received"}}{timeout}}},
             "outgoingEdges": [{{"sinkNodeName": "2-exit-EXIT", "variableMutations": [
               {{"lhsName": "paid", "operation": "ASSIGN",
                 "rhsAssignment": {{"nodeOutput": {{"nodeName": "1-payment-received-EXTERNAL_EVENT"}}}}}}]}}]}},
          "2-exit-EXIT": {{"exit": {{}}}}
        }}
      }}}}
    }}"#
    );
    lhw_proto::from_json(&json).expect("valid WfSpec JSON")
}

fn post(id: &str, content: &str, guid: Option<&str>) -> PutExternalEventRequest {
    PutExternalEventRequest {
        wf_run_id: Some(wf_id(id)),
        external_event_def_id: Some(ExternalEventDefId {
            name: "payment-received".into(),
        }),
        guid: guid.map(str::to_string),
        content: Some(s(content)),
        ..Default::default()
    }
}

#[tokio::test]
async fn external_event_completes_waiting_run_and_is_buffered() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(EVENTS).await;
        c.put_wf_spec(waiting_spec(None)).await.expect("put spec");

        run(&mut c, "wait-payment", "late", &[]).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(
            c.get_wf_run(wf_id("late"))
                .await
                .unwrap()
                .into_inner()
                .status,
            LhStatus::Running as i32
        );
        let ev = c
            .put_external_event(post("late", "paid in full", Some("g1")))
            .await
            .unwrap()
            .into_inner();
        assert!(ev.claimed, "the waiting node claims the event at once");
        wait_status(&mut c, "late", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "late", "paid").await,
            Some(Value::Str("paid in full".into()))
        );
        // Idempotent on guid.
        let again = c
            .put_external_event(post("late", "other", Some("g1")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again.content, Some(s("paid in full")));

        // Posted before the WfRun exists: buffered, claimed on arrival.
        let early = c
            .put_external_event(post("early", "prepaid", None))
            .await
            .unwrap()
            .into_inner();
        assert!(!early.claimed);
        run(&mut c, "wait-payment", "early", &[]).await;
        wait_status(&mut c, "early", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "early", "paid").await,
            Some(Value::Str("prepaid".into()))
        );

        // Content is type-checked; unknown defs are NOT_FOUND.
        let mut bad = post("late", "x", None);
        bad.content = Some(int(3));
        assert_eq!(
            c.put_external_event(bad).await.unwrap_err().code(),
            Code::InvalidArgument
        );
        let mut unknown = post("late", "x", None);
        unknown.external_event_def_id = Some(ExternalEventDefId {
            name: "nope".into(),
        });
        assert_eq!(
            c.put_external_event(unknown).await.unwrap_err().code(),
            Code::NotFound
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn external_event_timeout_fails_with_timeout() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(EVENTS).await;
        c.put_wf_spec(waiting_spec(Some(1)))
            .await
            .expect("put spec");
        run(&mut c, "wait-payment", "too-slow", &[]).await;
        let failed = wait_status(&mut c, "too-slow", LhStatus::Error).await;
        assert!(failed.end_time.is_some());
        let nr = c
            .get_node_run(lhw_proto::littlehorse::NodeRunId {
                wf_run_id: Some(wf_id("too-slow")),
                thread_run_number: 0,
                position: 1,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(nr.failures[0].failure_name, "TIMEOUT");
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn waiting_run_survives_restart() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = tempfile::tempdir().unwrap();
        {
            let kernel = start(dir.path()).await;
            let mut c = client(&kernel).await;
            deploy(&mut c, EVENTS).await;
            c.put_wf_spec(waiting_spec(None)).await.expect("put spec");
            run(&mut c, "wait-payment", "patient", &[]).await;
            kernel.shutdown().await;
        }
        let kernel = start(dir.path()).await;
        let mut c = client(&kernel).await;
        c.put_external_event(post("patient", "after restart", None))
            .await
            .unwrap();
        wait_status(&mut c, "patient", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "patient", "paid").await,
            Some(Value::Str("after restart".into()))
        );
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
