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
