//! The metadata output topic's records: every put of a WfSpec, TaskDef, ExternalEventDef,
//! WorkflowEventDef, UserTaskDef or StructDef is staged in the outbox (same transaction) as a
//! `MetadataOutputTopicRecord`, keyed as LittleHorse keys it: `<GetableClassEnum>/<object id>`
//! with versions written as five digits, e.g. `WF_SPEC/greet/00000/00001`, `TASK_DEF/greet`,
//! `USER_TASK_DEF/approve/00000` (server v1.2.1: `MetadataProcessorContext
//! .maybeForwardMetadataGetableToOutputTopic` — `getType() + "/" + objectId.toString()`;
//! `WfSpecIdModel`/`UserTaskDefIdModel`/`StructDefIdModel.toString`, `LHUtil.toLHDbVersionFormat`).
//! Deletes publish nothing: LittleHorse's `MetadataManager.delete` calls no output callback.

use lhw_proto::littlehorse::metadata_output_topic_record::MetadataRecord;
use lhw_proto::littlehorse::{
    ExternalEventDef, MetadataOutputTopicRecord, StructDef, TaskDef, UserTaskDef, WfSpec,
    WorkflowEventDef,
};
use prost::Message;

use super::outbox::OutputTopic;
use super::{Store, StoreResult, kind};

/// Stages the metadata object `body` of kind `kind` (a [`kind`] constant) for `tenant`.
/// Cluster-scoped objects (Principals, Tenants) and other kinds publish nothing: LittleHorse
/// forwards only the metadata getables of a tenant to its output topic.
pub(super) fn stage(store: &Store, tenant: &str, kind: &str, body: &[u8]) -> StoreResult<()> {
    let Some(record) = decode(kind, body)? else {
        return Ok(());
    };
    let key = record_key(&record);
    let bytes = MetadataOutputTopicRecord {
        metadata_record: Some(record),
    }
    .encode_to_vec();
    store.push_output_record(tenant, OutputTopic::Metadata, &key, &bytes)
}

fn decode(kind: &str, body: &[u8]) -> StoreResult<Option<MetadataRecord>> {
    Ok(Some(match kind {
        kind::WF_SPEC => MetadataRecord::WfSpec(WfSpec::decode(body)?),
        kind::TASK_DEF => MetadataRecord::TaskDef(TaskDef::decode(body)?),
        kind::EXTERNAL_EVENT_DEF => {
            MetadataRecord::ExternalEventDef(ExternalEventDef::decode(body)?)
        }
        kind::WORKFLOW_EVENT_DEF => {
            MetadataRecord::WorkflowEventDef(WorkflowEventDef::decode(body)?)
        }
        kind::USER_TASK_DEF => MetadataRecord::UserTaskDef(UserTaskDef::decode(body)?),
        kind::STRUCT_DEF => MetadataRecord::StructDef(StructDef::decode(body)?),
        _ => return Ok(None),
    }))
}

/// A version as LittleHorse stores it in keys: five digits.
fn version(v: i32) -> String {
    format!("{v:05}")
}

/// The Kafka key: `<GetableClassEnum name>/<object id as LittleHorse writes it>`.
pub(crate) fn record_key(record: &MetadataRecord) -> String {
    match record {
        MetadataRecord::WfSpec(s) => {
            let id = s.id.clone().unwrap_or_default();
            format!(
                "WF_SPEC/{}/{}/{}",
                id.name,
                version(id.major_version),
                version(id.revision)
            )
        }
        MetadataRecord::TaskDef(d) => {
            format!("TASK_DEF/{}", d.id.as_ref().map_or("", |i| i.name.as_str()))
        }
        MetadataRecord::ExternalEventDef(d) => format!(
            "EXTERNAL_EVENT_DEF/{}",
            d.id.as_ref().map_or("", |i| i.name.as_str())
        ),
        MetadataRecord::WorkflowEventDef(d) => format!(
            "WORKFLOW_EVENT_DEF/{}",
            d.id.as_ref().map_or("", |i| i.name.as_str())
        ),
        MetadataRecord::UserTaskDef(d) => {
            format!("USER_TASK_DEF/{}/{}", d.name, version(d.version))
        }
        MetadataRecord::StructDef(d) => {
            let id = d.id.clone().unwrap_or_default();
            format!("STRUCT_DEF/{}/{}", id.name, version(id.version))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lhw_proto::littlehorse::{StructDefId, TaskDefId, WfSpecId};

    #[test]
    fn keys_are_written_as_littlehorse_writes_them() {
        let spec = MetadataRecord::WfSpec(WfSpec {
            id: Some(WfSpecId {
                name: "greet".into(),
                major_version: 2,
                revision: 13,
            }),
            ..Default::default()
        });
        assert_eq!(record_key(&spec), "WF_SPEC/greet/00002/00013");
        let task = MetadataRecord::TaskDef(TaskDef {
            id: Some(TaskDefId {
                name: "send-mail".into(),
            }),
            ..Default::default()
        });
        assert_eq!(record_key(&task), "TASK_DEF/send-mail");
        let form = MetadataRecord::UserTaskDef(UserTaskDef {
            name: "approve".into(),
            version: 3,
            ..Default::default()
        });
        assert_eq!(record_key(&form), "USER_TASK_DEF/approve/00003");
        let st = MetadataRecord::StructDef(StructDef {
            id: Some(StructDefId {
                name: "address".into(),
                version: 0,
            }),
            ..Default::default()
        });
        assert_eq!(record_key(&st), "STRUCT_DEF/address/00000");
    }
}
