//! THROW_EVENT with AwaitWorkflowEvent / GetWorkflowEvent, and correlated
//! external events (PutCorrelatedEvent matching EXTERNAL_EVENT nodes by key).

mod common;

use common::*;
use lhw_proto::littlehorse::{
    AwaitWorkflowEventRequest, CorrelatedEventId, ExternalEventDefId, LhStatus,
    PutCorrelatedEventRequest, WorkflowEventDefId, variable_value::Value,
};
use std::time::Duration;
use tonic::Code;

const EVENTS: &str = r#"
event payment: str correlated
event single: str correlated once
workflow-event shipped: str
workflow correlated {
  input order-id: str required
  var paid: str = ""
  emit shipped "started {order-id}"
  paid = await payment correlated by order-id
  emit shipped order-id
}
workflow once {
  input order-id: str required
  var got: str = ""
  got = await single correlated by order-id
}
"#;

fn correlated(def: &str, key: &str, content: &str) -> PutCorrelatedEventRequest {
    PutCorrelatedEventRequest {
        key: key.into(),
        external_event_def_id: Some(ExternalEventDefId { name: def.into() }),
        content: Some(s(content)),
    }
}

fn await_req(
    id: &str,
    ignore: Vec<lhw_proto::littlehorse::WorkflowEventId>,
) -> AwaitWorkflowEventRequest {
    AwaitWorkflowEventRequest {
        wf_run_id: Some(wf_id(id)),
        event_def_ids: vec![WorkflowEventDefId {
            name: "shipped".into(),
        }],
        workflow_events_to_ignore: ignore,
    }
}

#[tokio::test]
async fn workflow_events_and_correlated_events() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = start_deployed(EVENTS).await;
        run(&mut c, "correlated", "o-1", &[("order-id", s("o-1"))]).await;
        run(&mut c, "correlated", "o-2", &[("order-id", s("o-2"))]).await;
        let first = c
            .await_workflow_event(await_req("o-1", vec![]))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(first.id.as_ref().map(|i| i.number), Some(0));
        assert_eq!(
            first.content.and_then(|v| v.value),
            Some(Value::Str("started o-1".into()))
        );
        // A second await, ignoring the first event, waits for the next one.
        let mut c2 = c.clone();
        let ignore = vec![first.id.clone().unwrap_or_default()];
        let waiting =
            tokio::spawn(async move { c2.await_workflow_event(await_req("o-1", ignore)).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!waiting.is_finished());
        let ce = c
            .put_correlated_event(correlated("payment", "o-1", "paid-1"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(ce.external_events.len(), 1);
        wait_status(&mut c, "o-1", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "o-1", "paid").await,
            Some(Value::Str("paid-1".into()))
        );
        let second = waiting.await.unwrap().unwrap().into_inner();
        assert_eq!(second.id.as_ref().map(|i| i.number), Some(1));
        assert_eq!(
            second.content.clone().and_then(|v| v.value),
            Some(Value::Str("o-1".into()))
        );
        let got = c
            .get_workflow_event(second.id.clone().unwrap_or_default())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got, second);
        // The other run's key did not match.
        let other = c.get_wf_run(wf_id("o-2")).await.unwrap().into_inner();
        assert_eq!(other.status, LhStatus::Running as i32);
        // A correlated event posted before the node arrives is found on arrival.
        c.put_correlated_event(correlated("payment", "o-3", "early"))
            .await
            .unwrap();
        run(&mut c, "correlated", "o-3", &[("order-id", s("o-3"))]).await;
        wait_status(&mut c, "o-3", LhStatus::Completed).await;
        assert_eq!(
            var(&mut c, "o-3", "paid").await,
            Some(Value::Str("early".into()))
        );

        // `once`: deleted after the first correlation.
        c.put_correlated_event(correlated("single", "k", "one"))
            .await
            .unwrap();
        run(&mut c, "once", "once-1", &[("order-id", s("k"))]).await;
        wait_status(&mut c, "once-1", LhStatus::Completed).await;
        run(&mut c, "once", "once-2", &[("order-id", s("k"))]).await;
        let err = c
            .get_correlated_event(CorrelatedEventId {
                key: "k".into(),
                external_event_def_id: Some(ExternalEventDefId {
                    name: "single".into(),
                }),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let r = c.get_wf_run(wf_id("once-2")).await.unwrap().into_inner();
        assert_eq!(r.status, LhStatus::Running as i32);
        // Bad requests are rejected, not crashes.
        let err = c
            .put_correlated_event(correlated("payment", "", "x"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        let err = c
            .put_correlated_event(correlated("nope", "k", "x"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("test timed out");
}
