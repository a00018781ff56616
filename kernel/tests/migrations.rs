//! MigrateWfSpec: the server's validation (missing versions, unknown threads and nodes),
//! the migration stored on the new WfSpec, and running WfRuns moved to the new version
//! node for node, where they go on to completion; runs that cannot move stay.

mod common;

use common::{TEST_TIMEOUT, s};
use lhw_proto::littlehorse as pb;
use std::collections::BTreeMap;
use tonic::Code;

const V0: &str = r#"
task charge(id: str) -> str

workflow order {
  input id: str required
  charge(id)
}
"#;

/// The new version: a new variable and a new step before `charge`.
const V1: &str = r#"
task charge(id: str) -> str
task notify(id: str)

workflow order {
  input id: str required
  var note: str = "migrated"
  notify(id)
  charge(id)
}
"#;

/// The name of the node of `spec`'s entrypoint thread whose name contains `part`.
fn node(spec: &pb::WfSpec, part: &str) -> String {
    let t = &spec.thread_specs[&spec.entrypoint_thread_name];
    t.nodes
        .keys()
        .find(|k| k.contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no node like {part}: {:?}", t.nodes.keys()))
}

fn migration(
    to: &pb::WfSpecId,
    thread: (&str, &str),
    nodes: &[(&str, &str)],
) -> pb::WfSpecVersionMigration {
    pb::WfSpecVersionMigration {
        new_major_version: to.major_version,
        new_revision: to.revision,
        thread_spec_migrations: BTreeMap::from([(
            thread.0.to_string(),
            pb::ThreadSpecMigration {
                new_thread_spec_name: thread.1.to_string(),
                node_migrations: nodes
                    .iter()
                    .map(|(a, b)| {
                        (
                            a.to_string(),
                            pb::NodeMigration {
                                new_node_name: b.to_string(),
                            },
                        )
                    })
                    .collect(),
            },
        )]),
    }
}

#[tokio::test]
async fn running_wf_runs_move_node_for_node_and_complete_on_the_new_version() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = common::start_deployed(V0).await;
        let old = c
            .get_latest_wf_spec(pb::GetLatestWfSpecRequest {
                name: "order".into(),
                major_version: None,
            })
            .await
            .expect("v0")
            .into_inner();
        let old_id = old.id.clone().expect("id");
        // No worker for `charge` yet: both runs wait at their `charge` node.
        common::run(&mut c, "order", "o-1", &[("id", s("o-1"))]).await;
        common::run(&mut c, "order", "o-2", &[("id", s("o-2"))]).await;
        common::deploy(&mut c, V1).await;
        let new = c
            .get_latest_wf_spec(pb::GetLatestWfSpecRequest {
                name: "order".into(),
                major_version: None,
            })
            .await
            .expect("v1")
            .into_inner();
        let new_id = new.id.clone().expect("id");
        assert_ne!(new_id, old_id);
        let entry = old.entrypoint_thread_name.clone();
        let (old_charge, new_charge) = (node(&old, "charge"), node(&new, "charge"));

        // The server's checks.
        let request = |m: pb::WfSpecVersionMigration| pb::MigrateWfSpecRequest {
            old_wf_spec: Some(old_id.clone()),
            migration: Some(m),
        };
        let err = c
            .migrate_wf_spec(request(migration(&new_id, ("nope", &entry), &[])))
            .await
            .expect_err("unknown source thread");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(err.message(), "Source WfSpec has no threadSpec nope");
        let err = c
            .migrate_wf_spec(request(migration(
                &new_id,
                (&entry, &entry),
                &[(&old_charge, "9-nope-TASK")],
            )))
            .await
            .expect_err("unknown destination node");
        assert!(
            err.message()
                .ends_with("on destination WfSpec does not have node 9-nope-TASK"),
            "{}",
            err.message()
        );
        let missing = pb::WfSpecId {
            major_version: 7,
            ..new_id.clone()
        };
        let err = c
            .migrate_wf_spec(request(migration(&missing, (&entry, &entry), &[])))
            .await
            .expect_err("missing new version");
        assert_eq!(err.code(), Code::NotFound);

        // A mapping that does not cover the node the runs wait at moves nothing.
        let first = node(&old, "entrypoint");
        let first_new = node(&new, "entrypoint");
        c.migrate_wf_spec(request(migration(
            &new_id,
            (&entry, &entry),
            &[(&first, &first_new)],
        )))
        .await
        .expect("valid");
        let run = c
            .get_wf_run(common::wf_id("o-1"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(run.wf_spec_id.as_ref(), Some(&old_id), "not movable: stays");

        // charge -> charge: both runs move.
        let answer = c
            .migrate_wf_spec(request(migration(
                &new_id,
                (&entry, &entry),
                &[(&old_charge, &new_charge)],
            )))
            .await
            .expect("migrated")
            .into_inner();
        assert_eq!(answer.id.as_ref(), Some(&new_id));
        assert!(
            answer.migration.is_some(),
            "the migration is kept on the new WfSpec"
        );
        for id in ["o-1", "o-2"] {
            let run = c.get_wf_run(common::wf_id(id)).await.unwrap().into_inner();
            assert_eq!(run.wf_spec_id.as_ref(), Some(&new_id), "{id} moved");
            assert_eq!(run.old_wf_spec_versions, vec![old_id.clone()]);
            assert_eq!(run.thread_runs[0].wf_spec_id.as_ref(), Some(&new_id));
            assert_eq!(
                common::var(&mut c, id, "note").await,
                Some(pb::variable_value::Value::Str("migrated".into())),
                "the new version's variables are created with their defaults"
            );
            let nodes = common::node_runs(&mut c, id, Some(0)).await;
            let names: Vec<(String, i32)> = nodes
                .iter()
                .map(|n| (n.node_name.clone(), n.status))
                .collect();
            assert_eq!(
                names[names.len() - 2..],
                [
                    (old_charge.clone(), pb::LhStatus::Halted as i32),
                    (new_charge.clone(), pb::LhStatus::Running as i32)
                ],
                "{id}: the old node halted, the mapped node of the new version active"
            );
        }

        // The moved runs go on on the new version.
        let _w = common::worker(&kernel, "charge", common::returns(s("ok"))).await;
        for id in ["o-1", "o-2"] {
            common::wait_status(&mut c, id, pb::LhStatus::Completed).await;
        }
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}
