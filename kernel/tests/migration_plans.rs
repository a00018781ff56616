//! WorkflowMigrationPlans: the server's validation of Put and Apply, the thread
//! dependencies it computes, a WfRun waiting at a mapped long-running node moving at once,
//! a WfRun at a task moving when it reaches the next mapped node, migration variables,
//! threads moving together, and Get/Search/Delete of plans.

mod common;

use common::{TEST_TIMEOUT, s};
use lhw_proto::littlehorse as pb;
use std::collections::BTreeMap;
use tonic::Code;

type Client = pb::little_horse_client::LittleHorseClient<tonic::transport::Channel>;

const V0: &str = r#"
event approved: str
task charge(id: str) -> str
workflow order {
  input id: str required
  await approved
  charge(id)
}
"#;

/// The new version: new variables and a new step before `charge`.
const V1: &str = r#"
event approved: str
task charge(id: str) -> str
task notify(id: str)
workflow order {
  input id: str required
  var note: str = "migrated"
  var reason: str
  var tries: int = 0
  await approved
  notify(id)
  charge(id)
}
"#;

/// The first node of thread `thread` of `spec` whose name contains `part`.
fn node_in(spec: &pb::WfSpec, thread: &str, part: &str) -> String {
    let t = &spec.thread_specs[thread];
    t.nodes
        .keys()
        .find(|k| k.contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no node like {part}: {:?}", t.nodes.keys()))
}

fn node(spec: &pb::WfSpec, part: &str) -> String {
    node_in(spec, &spec.entrypoint_thread_name, part)
}

async fn latest(c: &mut Client, name: &str) -> pb::WfSpec {
    c.get_latest_wf_spec(pb::GetLatestWfSpecRequest {
        name: name.into(),
        major_version: None,
    })
    .await
    .expect("latest")
    .into_inner()
}

/// One thread mapping: old thread, new thread, and (old node, new node) pairs.
type ThreadMap<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

fn threads(entries: &[ThreadMap<'_>]) -> BTreeMap<String, pb::ThreadMigrationPlanRequest> {
    entries
        .iter()
        .map(|(from, to, nodes)| {
            (
                from.to_string(),
                pb::ThreadMigrationPlanRequest {
                    new_thread_name: to.to_string(),
                    node_migrations: nodes
                        .iter()
                        .map(|(a, b)| {
                            (
                                a.to_string(),
                                pb::NodeMigrationPlan {
                                    new_node_name: b.to_string(),
                                },
                            )
                        })
                        .collect(),
                },
            )
        })
        .collect()
}

fn put(
    name: &str,
    old: &pb::WfSpecId,
    new: &pb::WfSpecId,
    thread_migrations: BTreeMap<String, pb::ThreadMigrationPlanRequest>,
) -> pb::PutWorkflowMigrationPlanRequest {
    pb::PutWorkflowMigrationPlanRequest {
        name: name.into(),
        old_wf_spec: Some(old.clone()),
        major_version: new.major_version,
        revision: new.revision,
        thread_migrations,
    }
}

fn apply(
    plan: &str,
    run: &str,
    vars: &[(&str, &str, pb::VariableValue)],
) -> pb::ApplyWorkflowMigrationPlanRequest {
    let mut migration_vars_by_thread: BTreeMap<String, pb::MigrationVars> = BTreeMap::new();
    for (thread, name, v) in vars {
        migration_vars_by_thread
            .entry(thread.to_string())
            .or_default()
            .var_assignment_by_var_name
            .insert(
                name.to_string(),
                pb::VariableAssignment {
                    source: Some(pb::variable_assignment::Source::LiteralValue(v.clone())),
                    ..Default::default()
                },
            );
    }
    pb::ApplyWorkflowMigrationPlanRequest {
        id: Some(pb::WorkflowMigrationPlanId { name: plan.into() }),
        wf_run_id: Some(common::wf_id(run)),
        migration_vars_by_thread,
    }
}

fn post(run: &str, event: &str, content: &str) -> pb::PutExternalEventRequest {
    pb::PutExternalEventRequest {
        wf_run_id: Some(common::wf_id(run)),
        external_event_def_id: Some(pb::ExternalEventDefId { name: event.into() }),
        content: Some(s(content)),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_waiting_wf_run_moves_at_once_and_completes_on_the_new_version() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = common::start_deployed(V0).await;
        let old = latest(&mut c, "order").await;
        let old_id = old.id.clone().expect("id");
        common::run(&mut c, "order", "o-1", &[("id", s("o-1"))]).await;
        common::run(&mut c, "order", "done", &[("id", s("done"))]).await;
        common::deploy(&mut c, V1).await;
        let new = latest(&mut c, "order").await;
        let new_id = new.id.clone().expect("id");
        let entry = old.entrypoint_thread_name.clone();
        let (old_wait, new_wait) = (node(&old, "EXTERNAL_EVENT"), node(&new, "EXTERNAL_EVENT"));

        // The server's checks of PutWorkflowMigrationPlan.
        let err = c
            .put_workflow_migration_plan(put("p", &old_id, &new_id, BTreeMap::new()))
            .await
            .expect_err("no threads");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(err.message(), "threadMigrations cannot be null or empty");
        let missing = pb::WfSpecId {
            major_version: 7,
            revision: 0,
            ..new_id.clone()
        };
        let err = c
            .put_workflow_migration_plan(put(
                "p",
                &old_id,
                &missing,
                threads(&[(&entry, &entry, &[])]),
            ))
            .await
            .expect_err("no destination");
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(
            err.message(),
            "Destination WfSpec order/00007/00000 does not exist"
        );
        let err = c
            .put_workflow_migration_plan(put(
                "p",
                &old_id,
                &new_id,
                threads(&[(&entry, &entry, &[(&old_wait, "9-nope-TASK")])]),
            ))
            .await
            .expect_err("no such node");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(
            err.message(),
            format!("ThreadSpec {entry} on destination WfSpec does not have node 9-nope-TASK")
        );
        let first = node(&old, "entrypoint");
        let err = c
            .put_workflow_migration_plan(put(
                "p",
                &old_id,
                &new_id,
                threads(&[(&entry, &entry, &[(&first, &new_wait)])]),
            ))
            .await
            .expect_err("entrypoint node");
        assert_eq!(
            err.message(),
            format!(
                "Cannot migrate from node {first} on source thread {entry} because ENTRYPOINT nodes are not migratable"
            )
        );

        let plan = c
            .put_workflow_migration_plan(put(
                "p",
                &old_id,
                &new_id,
                threads(&[(&entry, &entry, &[(&old_wait, &new_wait)])]),
            ))
            .await
            .expect("stored")
            .into_inner();
        assert_eq!(plan.old_wf_spec.as_ref(), Some(&old_id));
        assert_eq!(
            (plan.major_version, plan.revision),
            (new_id.major_version, new_id.revision)
        );
        let got = c
            .get_workflow_migration_plan(pb::WorkflowMigrationPlanId { name: "p".into() })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(got, plan);

        // Apply: the server's checks.
        let err = c
            .apply_workflow_migration_plan(apply("nope", "o-1", &[]))
            .await
            .expect_err("unknown plan");
        assert_eq!(err.code(), Code::NotFound);
        let err = c
            .apply_workflow_migration_plan(apply("p", "ghost", &[]))
            .await
            .expect_err("unknown run");
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(err.message(), "Couldn't find WfRun ghost");
        let err = c
            .apply_workflow_migration_plan(apply("p", "o-1", &[("other", "reason", s("x"))]))
            .await
            .expect_err("not a destination thread");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("which is not a destination thread"), "{}", err.message());
        let err = c
            .apply_workflow_migration_plan(apply("p", "o-1", &[(&entry, "nope", s("x"))]))
            .await
            .expect_err("unknown variable");
        assert_eq!(
            err.message(),
            format!("Migration variable 'nope' is not in scope of destination thread '{entry}'")
        );
        let err = c
            .apply_workflow_migration_plan(apply(
                "p",
                "o-1",
                &[(&entry, "tries", s("many"))],
            ))
            .await
            .expect_err("wrong type");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("incompatible with its declared type"), "{}", err.message());
        // A run that ended cannot move.
        c.put_external_event(post("done", "approved", "ok")).await.expect("post");
        let _w = common::worker(&kernel, "charge", common::returns(s("charged"))).await;
        common::wait_status(&mut c, "done", pb::LhStatus::Completed).await;
        let err = c
            .apply_workflow_migration_plan(apply("p", "done", &[]))
            .await
            .expect_err("completed");
        assert_eq!(err.code(), Code::FailedPrecondition);
        assert_eq!(
            err.message(),
            "WfRun done has status COMPLETED and cannot be migrated"
        );

        // o-1 waits at the mapped event node: it moves at once.
        let moved = c
            .apply_workflow_migration_plan(apply("p", "o-1", &[(&entry, "reason", s("late"))]))
            .await
            .expect("applied")
            .into_inner();
        assert_eq!(moved.wf_spec_id.as_ref(), Some(&new_id));
        assert_eq!(moved.old_wf_spec_versions, vec![old_id.clone()]);
        assert_eq!(moved.thread_runs[0].wf_spec_id.as_ref(), Some(&new_id));
        assert_eq!(
            moved.workflow_migration_plan_id, None,
            "every thread moved: the plan leaves the WfRun"
        );
        assert_eq!(
            common::var(&mut c, "o-1", "note").await,
            Some(pb::variable_value::Value::Str("migrated".into())),
            "the new version's variables get their defaults"
        );
        assert_eq!(
            common::var(&mut c, "o-1", "reason").await,
            Some(pb::variable_value::Value::Str("late".into())),
            "the migration variable is assigned"
        );
        let nodes = common::node_runs(&mut c, "o-1", Some(0)).await;
        let tail: Vec<(String, i32)> = nodes
            .iter()
            .rev()
            .take(2)
            .rev()
            .map(|n| (n.node_name.clone(), n.status))
            .collect();
        assert_eq!(
            tail,
            [
                (old_wait.clone(), pb::LhStatus::Halted as i32),
                (new_wait.clone(), pb::LhStatus::Running as i32)
            ]
        );
        // It goes on in the new version: `notify` runs before `charge`.
        let _n = common::worker(&kernel, "notify", common::returns(s(""))).await;
        c.put_external_event(post("o-1", "approved", "yes")).await.expect("post");
        common::wait_status(&mut c, "o-1", pb::LhStatus::Completed).await;
        let names: Vec<String> = common::node_runs(&mut c, "o-1", Some(0))
            .await
            .into_iter()
            .map(|n| n.node_name)
            .collect();
        assert!(
            names.iter().any(|n| n.contains("notify")),
            "ran the new version's step: {names:?}"
        );

        // Search and Delete (the kernel serves them; LittleHorse does not yet).
        let all = c
            .search_workflow_migration_plan(pb::SearchWorkflowMigrationPlanRequest {
                workflow_migration_plan_criteria: Some(
                    pb::search_workflow_migration_plan_request::WorkflowMigrationPlanCriteria::WfSpecName(
                        "order".into(),
                    ),
                ),
                ..Default::default()
            })
            .await
            .expect("search")
            .into_inner();
        assert_eq!(all.results, vec![pb::WorkflowMigrationPlanId { name: "p".into() }]);
        let none = c
            .search_workflow_migration_plan(pb::SearchWorkflowMigrationPlanRequest {
                workflow_migration_plan_criteria: Some(
                    pb::search_workflow_migration_plan_request::WorkflowMigrationPlanCriteria::Prefix(
                        "q".into(),
                    ),
                ),
                ..Default::default()
            })
            .await
            .expect("search")
            .into_inner();
        assert!(none.results.is_empty());
        c.delete_workflow_migration_plan(pb::DeleteWorkflowMigrationPlanRequest {
            id: Some(pb::WorkflowMigrationPlanId { name: "p".into() }),
        })
        .await
        .expect("deleted");
        let err = c
            .get_workflow_migration_plan(pb::WorkflowMigrationPlanId { name: "p".into() })
            .await
            .expect_err("gone");
        assert_eq!(err.code(), Code::NotFound);
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}

const T0: &str = r#"
task charge(id: str) -> str
task ship(id: str)
workflow parcel {
  input id: str required
  charge(id)
  ship(id)
}
"#;

const T1: &str = r#"
task charge(id: str) -> str
task ship(id: str)
task notify(id: str)
workflow parcel {
  input id: str required
  notify(id)
  charge(id)
  ship(id)
}
"#;

#[tokio::test]
async fn a_wf_run_at_a_task_moves_when_it_reaches_the_next_mapped_node() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = common::start_deployed(T0).await;
        let old = latest(&mut c, "parcel").await;
        let old_id = old.id.clone().expect("id");
        // No worker for `charge` yet: the run waits at its task.
        common::run(&mut c, "parcel", "p-1", &[("id", s("p-1"))]).await;
        common::deploy(&mut c, T1).await;
        let new = latest(&mut c, "parcel").await;
        let new_id = new.id.clone().expect("id");
        let entry = old.entrypoint_thread_name.clone();
        let (old_ship, new_ship) = (node(&old, "ship"), node(&new, "ship"));
        assert_ne!(old_ship, new_ship, "the node moved in the new version");
        c.put_workflow_migration_plan(put(
            "ship-later",
            &old_id,
            &new_id,
            threads(&[(&entry, &entry, &[(&old_ship, &new_ship)])]),
        ))
        .await
        .expect("stored");
        let run = c
            .apply_workflow_migration_plan(apply("ship-later", "p-1", &[]))
            .await
            .expect("applied")
            .into_inner();
        // A TASK node is not long-running: the run stays on the old version for now.
        assert_eq!(run.wf_spec_id.as_ref(), Some(&old_id));
        assert_eq!(
            run.workflow_migration_plan_id,
            Some(pb::WorkflowMigrationPlanId {
                name: "ship-later".into()
            })
        );
        let err = c
            .apply_workflow_migration_plan(apply("ship-later", "p-1", &[]))
            .await
            .expect_err("already migrating");
        assert_eq!(err.code(), Code::FailedPrecondition);
        assert_eq!(
            err.message(),
            "A migration is already in progress for WfRun p-1"
        );
        let err = c
            .delete_workflow_migration_plan(pb::DeleteWorkflowMigrationPlanRequest {
                id: Some(pb::WorkflowMigrationPlanId {
                    name: "ship-later".into(),
                }),
            })
            .await
            .expect_err("in use");
        assert_eq!(err.code(), Code::FailedPrecondition);

        // charge completes; the next node (`ship`) is mapped: the run enters the new one.
        let _c = common::worker(&kernel, "charge", common::returns(s("ok"))).await;
        let _s = common::worker(&kernel, "ship", common::returns(s(""))).await;
        let done = common::wait_status(&mut c, "p-1", pb::LhStatus::Completed).await;
        assert_eq!(done.wf_spec_id.as_ref(), Some(&new_id));
        assert_eq!(done.old_wf_spec_versions, vec![old_id.clone()]);
        assert_eq!(done.workflow_migration_plan_id, None);
        let names: Vec<String> = common::node_runs(&mut c, "p-1", Some(0))
            .await
            .into_iter()
            .map(|n| n.node_name)
            .collect();
        assert!(names.contains(&node(&old, "charge")), "{names:?}");
        assert!(names.contains(&new_ship), "{names:?}");
        assert!(!names.contains(&old_ship), "{names:?}");
        assert!(
            !names.iter().any(|n| n.contains("notify")),
            "the run entered the new version after notify: {names:?}"
        );
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}

const F0: &str = r#"
event go
workflow fam {
  let a = spawn helper {
    await go
  }
  wait a
}
"#;

/// The new helper thread sets a variable the new entrypoint thread declares.
const F1: &str = r#"
event go
workflow fam {
  var tag: str = "v1"
  let a = spawn helper {
    await go
    tag = "set"
  }
  wait a
}
"#;

#[tokio::test]
async fn threads_depend_on_the_threads_that_declare_their_variables_and_move_together() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (_dir, kernel, mut c) = common::start_deployed(F0).await;
        let old = latest(&mut c, "fam").await;
        let old_id = old.id.clone().expect("id");
        common::run(&mut c, "fam", "f-1", &[]).await;
        common::deploy(&mut c, F1).await;
        let new = latest(&mut c, "fam").await;
        let new_id = new.id.clone().expect("id");
        let entry = old.entrypoint_thread_name.clone();
        let helper = old
            .thread_specs
            .keys()
            .find(|k| **k != entry)
            .cloned()
            .expect("helper thread");
        let (old_go, new_go) = (
            node_in(&old, &helper, "EXTERNAL_EVENT"),
            node_in(&new, &helper, "EXTERNAL_EVENT"),
        );
        let (old_wait, new_wait) = (
            node(&old, "WAIT_FOR_THREADS"),
            node(&new, "WAIT_FOR_THREADS"),
        );
        // `tag` is the new entrypoint's: the helper alone cannot move.
        let err = c
            .put_workflow_migration_plan(put(
                "alone",
                &old_id,
                &new_id,
                threads(&[(&helper, &helper, &[(&old_go, &new_go)])]),
            ))
            .await
            .expect_err("owner not in the plan");
        assert_eq!(err.code(), Code::FailedPrecondition);
        assert_eq!(
            err.message(),
            format!(
                "The variable 'tag' is required by destination thread '{helper}' but the thread that defines it ('{entry}') is not included in this migration plan"
            )
        );
        let err = c
            .put_workflow_migration_plan(put(
                "cross",
                &old_id,
                &new_id,
                threads(&[(&helper, &entry, &[])]),
            ))
            .await
            .expect_err("child to entrypoint");
        assert_eq!(
            err.message(),
            format!("Child thread '{helper}' cannot migrate to entrypoint thread '{entry}'")
        );
        let plan = c
            .put_workflow_migration_plan(put(
                "both",
                &old_id,
                &new_id,
                threads(&[
                    (&entry, &entry, &[(&old_wait, &new_wait)]),
                    (&helper, &helper, &[(&old_go, &new_go)]),
                ]),
            ))
            .await
            .expect("stored")
            .into_inner();
        assert_eq!(
            plan.thread_migrations[&helper].thread_spec_dependencies,
            vec![entry.clone()]
        );
        assert!(plan.thread_migrations[&entry].thread_spec_dependencies.is_empty());

        let run = c
            .apply_workflow_migration_plan(apply("both", "f-1", &[]))
            .await
            .expect("applied")
            .into_inner();
        assert_eq!(run.wf_spec_id.as_ref(), Some(&new_id));
        for t in &run.thread_runs {
            assert_eq!(t.wf_spec_id.as_ref(), Some(&new_id), "thread {}", t.number);
        }
        assert_eq!(run.workflow_migration_plan_id, None);
        assert_eq!(
            common::var(&mut c, "f-1", "tag").await,
            Some(pb::variable_value::Value::Str("v1".into()))
        );
        c.put_external_event(pb::PutExternalEventRequest {
            wf_run_id: Some(common::wf_id("f-1")),
            external_event_def_id: Some(pb::ExternalEventDefId { name: "go".into() }),
            content: None,
            ..Default::default()
        })
        .await
        .expect("post");
        common::wait_status(&mut c, "f-1", pb::LhStatus::Completed).await;
        assert_eq!(
            common::var(&mut c, "f-1", "tag").await,
            Some(pb::variable_value::Value::Str("set".into())),
            "the helper ran the new version"
        );
        kernel.shutdown().await;
    })
    .await
    .expect("within the time limit");
}
