//! The Output Topic outbox without Kafka: which tenants stage records and what the metadata
//! output topic's records are (the broker tests are in the root crate's tests/connect.rs).

use lhw_kernel::metadata;
use lhw_kernel::storage::Store;
use lhw_kernel::storage::outbox::{OutboxReader, OutputTopic};
use lhw_proto::littlehorse::metadata_output_topic_record::MetadataRecord;
use lhw_proto::littlehorse::output_topic_config::OutputTopicRecordingLevel;
use lhw_proto::littlehorse::{
    MetadataOutputTopicRecord, OutputTopicConfig, PutExternalEventDefRequest, PutTaskDefRequest,
};
use prost::Message;

fn task_def(name: &str) -> PutTaskDefRequest {
    PutTaskDefRequest {
        name: name.to_string(),
        ..Default::default()
    }
}

#[test]
fn without_an_output_topic_config_nothing_is_staged() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(dir.path()).expect("store");
    metadata::put_task_def(&store, task_def("ship")).expect("put");
    let reader = OutboxReader::open(dir.path()).expect("reader");
    assert_eq!(reader.pending().expect("pending"), 0);
}

#[test]
fn metadata_puts_are_staged_in_order_and_deletes_are_not() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(dir.path()).expect("store");
    store.enable_output_topic().expect("on");
    metadata::put_task_def(&store, task_def("ship")).expect("put");
    // An identical re-put changes nothing and publishes nothing.
    metadata::put_task_def(&store, task_def("ship")).expect("re-put");
    metadata::put_external_event_def(
        &store,
        PutExternalEventDefRequest {
            name: "paid".into(),
            ..Default::default()
        },
    )
    .expect("put");
    metadata::delete_task_def(&store, "ship").expect("delete");

    let rows = OutboxReader::open(dir.path())
        .expect("reader")
        .batch(10)
        .expect("batch");
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["TASK_DEF/ship", "EXTERNAL_EVENT_DEF/paid"]);
    assert!(rows.iter().all(|r| r.topic == OutputTopic::Metadata));
    assert!(rows.iter().all(|r| r.tenant == "default"));
    let first = MetadataOutputTopicRecord::decode(rows[0].body.as_slice()).expect("decodes");
    match first.metadata_record {
        Some(MetadataRecord::TaskDef(d)) => {
            assert_eq!(d.id.expect("id").name, "ship");
            assert!(d.created_at.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_entity_events_still_publishes_metadata() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(dir.path()).expect("store");
    store
        .set_output_topic_config(
            "default",
            Some(OutputTopicConfig {
                default_recording_level: OutputTopicRecordingLevel::NoEntityEvents as i32,
            }),
        )
        .expect("config");
    assert!(store.records_metadata("default"));
    assert!(!store.records_execution("default"));
    assert!(!store.records_metadata("acme"));
    metadata::put_task_def(&store, task_def("ship")).expect("put");
    let rows = OutboxReader::open(dir.path())
        .expect("reader")
        .batch(10)
        .expect("batch");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].topic, OutputTopic::Metadata);

    // Removing the config stops publishing.
    store
        .set_output_topic_config("default", None)
        .expect("config removed");
    assert!(!store.output_topic_enabled());
    metadata::put_task_def(&store, task_def("pack")).expect("put");
    let reader = OutboxReader::open(dir.path()).expect("reader");
    assert_eq!(reader.pending().expect("pending"), 1);
}

/// A tenant's own store (`tenants/<id>/`) stages its records under that tenant's id; the
/// reader finds that database, also when it appears after the reader opened, and deletes
/// per tenant.
#[test]
fn a_tenants_store_stages_under_its_id_and_the_reader_finds_it() {
    let dir = tempfile::tempdir().expect("dir");
    let mut home = Store::open(dir.path()).expect("store");
    home.enable_output_topic().expect("on");
    let mut reader = OutboxReader::open(dir.path()).expect("reader");
    metadata::put_task_def(&home, task_def("ship")).expect("put");

    let mut acme = Store::open(&dir.path().join("tenants").join("acme")).expect("acme");
    acme.set_tenant("acme");
    assert_eq!(acme.tenant(), "acme");
    acme.set_output_topic_config(
        "acme",
        Some(OutputTopicConfig {
            default_recording_level: OutputTopicRecordingLevel::AllEntityEvents as i32,
        }),
    )
    .expect("config");
    metadata::put_task_def(&acme, task_def("pack")).expect("put");

    let mut rows = reader.batch(10).expect("batch");
    rows.sort_by(|a, b| a.tenant.cmp(&b.tenant));
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.tenant.as_str(), r.key.as_str()))
        .collect();
    assert_eq!(
        got,
        [("acme", "TASK_DEF/pack"), ("default", "TASK_DEF/ship")]
    );
    assert_eq!(reader.pending().expect("pending"), 2);
    let acme_seq = rows[0].seq;
    reader.delete_through("acme", acme_seq).expect("deleted");
    assert_eq!(reader.pending().expect("pending"), 1);
    let rest = reader.batch(10).expect("batch");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].tenant, "default");
    assert!(reader.delete_through("nobody", 1).is_err());
}
