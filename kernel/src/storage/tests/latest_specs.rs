//! The store's cache of the newest WfSpecs (`storage/latest_specs.rs`): it answers what the
//! metadata table holds inside the current transaction, after new versions and revisions,
//! deletions and rollbacks, and it holds nothing for names that have no WfSpec.

use crate::storage::{Store, StoreError, kind};
use lhw_proto::littlehorse::{WfSpec, WfSpecId};

fn spec(major: i32, revision: i32) -> WfSpec {
    WfSpec {
        id: Some(WfSpecId {
            name: "cached".into(),
            major_version: major,
            revision,
        }),
        entrypoint_thread_name: format!("entry-{major}-{revision}"),
        ..WfSpec::default()
    }
}

fn put(store: &Store, major: i32, revision: i32) {
    store
        .put_meta(
            kind::WF_SPEC,
            "cached",
            major,
            revision,
            &spec(major, revision),
        )
        .expect("put");
}

/// The newest version's (major, revision) and the body's entrypoint (read back whole).
fn latest(store: &Store, major: Option<i32>) -> Option<(i32, i32, String)> {
    store
        .latest_wf_spec("cached", major)
        .expect("latest")
        .map(|s| {
            let id = s.id.clone().unwrap_or_default();
            (
                id.major_version,
                id.revision,
                s.entrypoint_thread_name.clone(),
            )
        })
}

fn v(major: i32, revision: i32) -> Option<(i32, i32, String)> {
    Some((major, revision, format!("entry-{major}-{revision}")))
}

#[test]
fn the_newest_wf_spec_follows_puts_deletes_and_rollbacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    store.begin().expect("begin");
    assert_eq!(latest(&store, None), None);
    put(&store, 0, 0);
    assert_eq!(latest(&store, None), v(0, 0));
    // A new revision, then a new major version: each becomes the newest.
    put(&store, 0, 1);
    assert_eq!(latest(&store, None), v(0, 1));
    assert_eq!(latest(&store, Some(0)), v(0, 1));
    put(&store, 1, 0);
    assert_eq!(latest(&store, None), v(1, 0));
    assert_eq!(latest(&store, Some(0)), v(0, 1));
    // Deleting the newest makes the one before it the newest again.
    assert!(
        store
            .delete_meta(kind::WF_SPEC, "cached", 1, 0)
            .expect("delete")
    );
    assert_eq!(latest(&store, None), v(0, 1));
    store.commit().expect("commit");

    // A put rolled back with its savepoint, then with its transaction: gone from the answer.
    store.begin().expect("begin");
    let undone: Result<(), StoreError> = store.atomically(|s| {
        put(s, 0, 2);
        assert_eq!(latest(s, None), v(0, 2));
        Err(StoreError::new("undone"))
    });
    assert!(undone.is_err());
    assert_eq!(latest(&store, None), v(0, 1));
    put(&store, 2, 0);
    assert_eq!(latest(&store, None), v(2, 0));
    store.rollback();
    store.begin().expect("begin");
    assert_eq!(latest(&store, None), v(0, 1));
    store.commit().expect("commit");
}

#[test]
fn names_without_a_wf_spec_are_not_remembered() {
    let store = Store::open_in_memory().expect("store");
    store.begin().expect("begin");
    let before = store.remembered();
    for i in 0..100 {
        assert!(
            store
                .latest_wf_spec(&format!("missing-{i}"), None)
                .expect("latest")
                .is_none()
        );
    }
    assert_eq!(store.remembered(), before);
    store.commit().expect("commit");
}
