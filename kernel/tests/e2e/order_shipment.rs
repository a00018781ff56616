//! `examples/e2e/order-shipment.lhw`: a child WfSpec with a parent WfSpec (`parent`) and
//! INHERITED variables. Shipments started by RunWf with `parent_wf_run_id` read the
//! order's `order-id` and append to the order's `events`;
//! the writes are the order's Variable (durable across a restart); events reach a
//! shipment at its nested WfRunId; the receipt is built by a MapBuilder; RunWf checks
//! the parent as LittleHorse does.

use crate::harness::*;
use lhw_proto::littlehorse::{
    DeleteWfRunRequest, LhStatus, ListVariablesRequest, RunWfRequest, SearchWfRunRequest,
    VariableId, VariableValue, WfRun, WfRunId, map, variable_value::Value,
};
use tonic::Code;

const FILE: &str = "order-shipment.lhw";

const DELIVERY: &str = "2-parcel-delivered-EXTERNAL_EVENT";

/// Where an order waits for its closing (after writing that it opened).
const CLOSING: &str = "1-order-closed-EXTERNAL_EVENT";

/// `pack-parcel` labels a parcel after its order; parcel 0 is lost (an exception).
/// Why the shipment scenarios cannot run on LittleHorse 1.2.1 (docs/differences.md).
const MAP_BUILDER: &str = "LittleHorse 1.2.1 refuses the shipment WfSpec: its `map { ... }` \
     compiles to a MapBuilder VariableAssignment, which came with the 1.3.0 protos";

async fn kernel() -> Kernel {
    let mut k = Kernel::with_example(FILE).await;
    k.worker(
        "pack-parcel",
        handler(|task| {
            let parcel = match task.variables.get(1).and_then(|v| v.value.as_ref()) {
                Some(VariableValue {
                    value: Some(Value::Int(n)),
                }) => *n,
                _ => -1,
            };
            match parcel {
                0 => Reply::Exception("parcel-lost".into(), None),
                n => Reply::Output(s(&format!("LBL-{}-{n}", input_str(task, 0)))),
            }
        }),
    )
    .await;
    k
}

/// Starts an order run `id` for order `order`.
async fn order(k: &mut Kernel, id: &str, order: &str) -> WfRun {
    k.run("order-fulfilment", id, &[("order-id", s(order))])
        .await
}

/// Starts shipment `first` (parcel 1) of order run `id` once the order has opened.
async fn first_shipment(k: &mut Kernel, id: &str) -> WfRunId {
    k.wait_at(id, CLOSING).await;
    k.client
        .run_wf(shipment_request("first", wf_id(id), 1))
        .await
        .expect("RunWf of the first shipment")
        .into_inner()
        .id
        .expect("an id")
}

/// RunWf of a shipment as a child of `parent`.
fn shipment_request(id: &str, parent: WfRunId, parcel: i64) -> RunWfRequest {
    RunWfRequest {
        wf_spec_name: "shipment".into(),
        id: Some(id.into()),
        variables: [("parcel".to_string(), int(parcel))].into_iter().collect(),
        parent_wf_run_id: Some(parent),
        ..Default::default()
    }
}

/// The order's history, as its `events` JSON_ARR variable holds it.
async fn events(k: &mut Kernel, id: &str) -> Vec<String> {
    let v = k.var(id, "events").await;
    json(&v)
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e.as_str().expect("a string").to_string())
        .collect()
}

/// The entries of a MAP value, as (key, value) strings.
fn map_entries(v: &VariableValue) -> Vec<(String, String)> {
    let Some(Value::Map(m)) = &v.value else {
        panic!("not a MAP: {v:?}");
    };
    let text = |x: &Option<VariableValue>| match x.as_ref().and_then(|x| x.value.as_ref()) {
        Some(Value::Str(s)) => s.clone(),
        other => panic!("not a STR: {other:?}"),
    };
    m.entries
        .iter()
        .map(|e: &map::Entry| (text(&e.key), text(&e.value)))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn shipments_started_for_the_order_write_the_orders_events() {
    if kernel_only(MAP_BUILDER) {
        return;
    }
    scenario(async {
        let mut k = kernel().await;
        order(&mut k, "ord-1", "O-1").await;
        let first = first_shipment(&mut k, "ord-1").await;
        assert_eq!(first.parent_wf_run_id.as_deref(), Some(&wf_id("ord-1")));
        k.wait_at_run(&first, DELIVERY).await;
        // The shipment read the order's id and appended to the order's variable.
        assert_eq!(k.calls("pack-parcel")[0].inputs, [s("O-1"), int(1)]);
        assert_eq!(
            events(&mut k, "ord-1").await,
            [
                "order O-1 opened",
                "parcel 1 requested",
                "parcel 1 packed as LBL-O-1-1"
            ]
        );
        // The inherited variables are not the shipment's own, as in LittleHorse.
        let err = k
            .client
            .get_variable(VariableId {
                wf_run_id: Some(first.clone()),
                thread_run_number: 0,
                name: "events".into(),
            })
            .await
            .expect_err("the shipment has no `events` of its own");
        assert_eq!(err.code(), Code::NotFound);
        let own = k
            .client
            .list_variables(ListVariablesRequest {
                wf_run_id: Some(first.clone()),
                ..Default::default()
            })
            .await
            .expect("ListVariables")
            .into_inner()
            .results;
        let names: Vec<&str> = own
            .iter()
            .map(|v| v.id.as_ref().unwrap().name.as_str())
            .collect();
        assert_eq!(names, ["parcel", "receipt"]);

        k.post_event_to(&first, "parcel-delivered", s("dock 4"))
            .await;
        let done = k.wait_for_run(&first, LhStatus::Completed).await;
        let receipt = pairs(&[
            ("order", "O-1"),
            ("label", "LBL-O-1-1"),
            ("delivered-to", "dock 4"),
        ]);
        let output = thread(&done, 0).output.clone().expect("an output");
        assert_eq!(map_entries(&output), receipt);
        // The map's type comes from its first entry, as the server derives it.
        let Some(Value::Map(m)) = &output.value else {
            unreachable!()
        };
        let ty = m.map_type.as_ref().expect("a map type");
        assert_eq!(ty.key_type, ty.value_type);
        assert_eq!(map_entries(&k.var_of(&first, 0, "receipt").await), receipt);
        k.wait_at("ord-1", CLOSING).await;

        // A second shipment of the order: its id nests in the order's too.
        let second = k
            .client
            .run_wf(shipment_request("extra", wf_id("ord-1"), 2))
            .await
            .expect("RunWf with parent_wf_run_id")
            .into_inner();
        let second_id = second.id.expect("an id");
        assert_eq!(
            second_id,
            WfRunId {
                id: "extra".into(),
                parent_wf_run_id: Some(Box::new(wf_id("ord-1"))),
            }
        );
        k.wait_at_run(&second_id, DELIVERY).await;
        // The order closes while its second shipment still waits: the shipment sees the
        // order's own write, then appends after it (the order has completed by then).
        k.post_event("ord-1", "order-closed", VariableValue::default())
            .await;
        k.wait_for("ord-1", LhStatus::Completed).await;
        k.post_event_to(&second_id, "parcel-delivered", s("front door"))
            .await;
        k.wait_for_run(&second_id, LhStatus::Completed).await;
        assert_eq!(
            events(&mut k, "ord-1").await,
            [
                "order O-1 opened",
                "parcel 1 requested",
                "parcel 1 packed as LBL-O-1-1",
                "parcel 1 delivered to dock 4",
                "parcel 2 requested",
                "parcel 2 packed as LBL-O-1-2",
                "order closed",
                "parcel 2 delivered to front door",
            ]
        );
        // SearchWfRun by parent finds the order's two shipments.
        let found = k
            .client
            .search_wf_run(SearchWfRunRequest {
                parent_wf_run_id: Some(wf_id("ord-1")),
                ..Default::default()
            })
            .await
            .expect("SearchWfRun")
            .into_inner()
            .results;
        assert_eq!(found, [first.clone(), second_id.clone()]);
        assert_eq!(
            k.main_trail("ord-1").await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-order-closed-EXTERNAL_EVENT COMPLETED",
                "2-exit-EXIT COMPLETED",
            ]
        );
        assert_eq!(
            k.trail(&second_id, Some(0)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-pack-parcel-TASK COMPLETED",
                "2-parcel-delivered-EXTERNAL_EVENT COMPLETED",
                "3-complete-EXIT COMPLETED",
            ]
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn inherited_writes_survive_a_restart() {
    if kernel_only("restarts the kernel") {
        return;
    }
    scenario(async {
        let mut k = kernel().await;
        order(&mut k, "ord-2", "O-2").await;
        let first = first_shipment(&mut k, "ord-2").await;
        k.wait_at_run(&first, DELIVERY).await;
        k.restart().await;
        // The shipment's writes were committed with its steps.
        assert_eq!(
            events(&mut k, "ord-2").await,
            [
                "order O-2 opened",
                "parcel 1 requested",
                "parcel 1 packed as LBL-O-2-1"
            ]
        );
        // The recovered shipment still reads and writes the order's variables.
        k.post_event_to(&first, "parcel-delivered", s("locker 7"))
            .await;
        let done = k.wait_for_run(&first, LhStatus::Completed).await;
        assert_eq!(
            map_entries(thread(&done, 0).output.as_ref().expect("an output")),
            pairs(&[
                ("order", "O-2"),
                ("label", "LBL-O-2-1"),
                ("delivered-to", "locker 7"),
            ])
        );
        k.wait_at("ord-2", CLOSING).await;
        k.restart().await;
        k.post_event("ord-2", "order-closed", VariableValue::default())
            .await;
        k.wait_for("ord-2", LhStatus::Completed).await;
        assert_eq!(
            events(&mut k, "ord-2").await,
            [
                "order O-2 opened",
                "parcel 1 requested",
                "parcel 1 packed as LBL-O-2-1",
                "parcel 1 delivered to locker 7",
                "order closed",
            ]
        );
        // A late shipment of the completed order still writes the order's history (the
        // order is no longer active: its stored Variable), across another restart.
        let late = k
            .client
            .run_wf(shipment_request("late", wf_id("ord-2"), 3))
            .await
            .expect("RunWf of a completed order's shipment")
            .into_inner()
            .id
            .expect("an id");
        k.wait_at_run(&late, DELIVERY).await;
        k.restart().await;
        k.post_event_to(&late, "parcel-delivered", s("porch")).await;
        k.wait_for_run(&late, LhStatus::Completed).await;
        assert_eq!(
            events(&mut k, "ord-2").await[5..],
            [
                "parcel 3 requested",
                "parcel 3 packed as LBL-O-2-3",
                "parcel 3 delivered to porch",
            ]
        );
        assert_eq!(
            k.wf_run(&wf_id("ord-2")).await.status,
            LhStatus::Completed as i32
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_shipment_needs_an_order_and_a_lost_parcel_keeps_its_writes() {
    if kernel_only(MAP_BUILDER) {
        return;
    }
    scenario(async {
        let mut k = kernel().await;
        order(&mut k, "ord-3", "O-3").await;
        let first = first_shipment(&mut k, "ord-3").await;
        k.wait_at_run(&first, DELIVERY).await;

        let status = |r: Result<tonic::Response<WfRun>, tonic::Status>| {
            let e = r.expect_err("RunWf is refused");
            (e.code(), e.message().to_string())
        };
        // A shipment without an order.
        let mut alone = shipment_request("alone", wf_id("ord-3"), 5);
        alone.parent_wf_run_id = None;
        let (code, message) = status(k.client.run_wf(alone).await);
        assert_eq!(code, Code::InvalidArgument);
        assert!(
            message.contains("requires a parent WfRun ID from WfSpec order-fulfilment"),
            "{message}"
        );
        // An order that does not exist.
        let (code, message) = status(
            k.client
                .run_wf(shipment_request("orphan", wf_id("ord-404"), 5))
                .await,
        );
        assert_eq!(code, Code::FailedPrecondition);
        assert!(message.contains("ord-404 not found"), "{message}");
        // A parent run of another WfSpec (a shipment is not an order).
        let (code, message) = status(
            k.client
                .run_wf(shipment_request("nested", first.clone(), 5))
                .await,
        );
        assert_eq!(code, Code::InvalidArgument);
        assert!(
            message.contains("incorrect type shipment but should be order-fulfilment"),
            "{message}"
        );
        // An inherited variable cannot be given.
        let mut given = shipment_request("given", wf_id("ord-3"), 5);
        given.variables.insert("events".into(), json_arr("[]"));
        let (code, message) = status(k.client.run_wf(given).await);
        assert_eq!(code, Code::InvalidArgument);
        assert!(message.contains("inherited var"), "{message}");
        // An order has no parent.
        let mut nested_order = RunWfRequest {
            wf_spec_name: "order-fulfilment".into(),
            parent_wf_run_id: Some(wf_id("ord-3")),
            ..Default::default()
        };
        nested_order
            .variables
            .insert("order-id".into(), s("O-nested"));
        let (code, message) = status(k.client.run_wf(nested_order).await);
        assert_eq!(code, Code::InvalidArgument);
        assert!(
            message.contains("does not refer to a parent WfSpec"),
            "{message}"
        );
        // None of them started.
        let found = k
            .client
            .search_wf_run(SearchWfRunRequest {
                parent_wf_run_id: Some(wf_id("ord-3")),
                ..Default::default()
            })
            .await
            .expect("SearchWfRun")
            .into_inner()
            .results;
        assert_eq!(found, std::slice::from_ref(&first));

        // A lost parcel fails its shipment; what it wrote before stays in the order.
        let lost = k
            .client
            .run_wf(shipment_request("lost", wf_id("ord-3"), 0))
            .await
            .expect("RunWf")
            .into_inner()
            .id
            .expect("an id");
        let failed = k.wait_for_run(&lost, LhStatus::Exception).await;
        assert_eq!(
            k.trail(&lost, Some(0)).await,
            [
                "0-entrypoint-ENTRYPOINT COMPLETED",
                "1-pack-parcel-TASK EXCEPTION",
            ]
        );
        assert_eq!(thread(&failed, 0).output, None);
        // A child id is unique under its parent.
        let (code, message) = status(
            k.client
                .run_wf(shipment_request("lost", wf_id("ord-3"), 4))
                .await,
        );
        assert_eq!(code, Code::AlreadyExists);
        assert!(
            message.contains("WfRun with id lost already exists!"),
            "{message}"
        );
        assert_eq!(
            events(&mut k, "ord-3").await,
            [
                "order O-3 opened",
                "parcel 1 requested",
                "parcel 1 packed as LBL-O-3-1",
                "parcel 0 requested",
            ]
        );
        // The order goes on: its own shipment is still waiting for its delivery.
        k.wait_at_run(&first, DELIVERY).await;
        assert_eq!(
            k.wf_run(&wf_id("ord-3")).await.status,
            LhStatus::Running as i32
        );
        k.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_an_order_leaves_no_variable_for_its_shipments_to_recreate() {
    if kernel_only(MAP_BUILDER) {
        return;
    }
    scenario(async {
        let mut k = kernel().await;
        order(&mut k, "ord-9", "O-9").await;
        let first = first_shipment(&mut k, "ord-9").await;
        k.wait_at_run(&first, DELIVERY).await;

        k.client
            .delete_wf_run(DeleteWfRunRequest {
                id: Some(wf_id("ord-9")),
            })
            .await
            .expect("DeleteWfRun of the order");
        // The shipment lives on (LittleHorse deletes only the run itself) and writes
        // `events` once it is delivered: the deleted order must stay deleted.
        k.post_event_to(&first, "parcel-delivered", s("dock 1"))
            .await;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        let shipment = loop {
            let run = k.wf_run(&first).await;
            if run.status != LhStatus::Running as i32 || tokio::time::Instant::now() > deadline {
                break run;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_ne!(
            shipment.status,
            LhStatus::Completed as i32,
            "a shipment cannot append to the history of a deleted order: {shipment:#?}"
        );
        let gone = k
            .client
            .get_wf_run(wf_id("ord-9"))
            .await
            .expect_err("deleted");
        assert_eq!(gone.code(), Code::NotFound);
        let var = k
            .client
            .get_variable(VariableId {
                wf_run_id: Some(wf_id("ord-9")),
                thread_run_number: 0,
                name: "events".into(),
            })
            .await
            .expect_err("the order's events were deleted with it");
        assert_eq!(var.code(), Code::NotFound);
    })
    .await;
}
