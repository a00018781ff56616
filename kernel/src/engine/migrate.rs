//! MigrateWfSpec: move the running WfRuns of one WfSpec version to another, thread by
//! thread and node by node, as a `WfSpecVersionMigration` maps them.
//!
//! What LittleHorse does (littlehorse-enterprises/littlehorse, `server/src/main/java/io/
//! littlehorse/common/model/metadatacommand/subcommand/MigrateWfSpecRequestModel.java`
//! and `.../getable/global/wfspec/WfSpecVersionMigrationModel.java`): the old WfSpec must
//! exist (NOT_FOUND "Migration refers to nonexisting WfSpec …"), so must the new version
//! (NOT_FOUND "… version N"); every mapped thread must exist in the old version and its
//! target in the new one, and so must every mapped node (INVALID_ARGUMENT naming it).
//! The migration is then stored on the new WfSpec (`WfSpec.migration`). There the server
//! stops: it answers UNIMPLEMENTED ("WfSpec Version Migration is ongoing") and moves no
//! run; its working mechanism is the later WorkflowMigrationPlan, applied to one WfRun at
//! a time, where a thread moves once it stands at (or next reaches) a mapped node
//! (`ThreadRunModel.maybeMigrate`/`migrateThread`): its current NodeRun is halted, the
//! thread takes the new ThreadSpec name and WfSpec id, the variables the new ThreadSpec
//! declares and the thread lacks are created with their defaults, and the mapped node of
//! the new version is activated at the next position; moving the entrypoint thread moves
//! the WfRun (`old_wf_spec_versions` keeps the old id).
//!
//! The kernel does the same validation and stores the migration, then moves at once every
//! running WfRun of the old version that can move as a whole: each of its threads that has
//! not ended is RUNNING at a NodeRun whose thread and node the migration maps. Those runs
//! move the way `migrateThread` moves a thread (above), all their threads together; the
//! others stay on the old version (`lhc migrate --dry-run` says which and why). The reply
//! is the new WfSpec, with its `migration`.

use super::Engine;
use super::advance::{self, Ctx};
use super::run::RunState;
use crate::engine::EngineError;
use crate::storage::kind;
use crate::util::{ms_to_ts, now_ms};
use lhw_proto::littlehorse::{
    LhStatus, MigrateWfSpecRequest, Variable, VariableId, WfRunVariableAccessLevel, WfSpec,
    WfSpecId, WfSpecVersionMigration,
};
use std::sync::Arc;

/// One thread's move: (thread number, new ThreadSpec name, new node name).
/// Where a thread of a run moves: to node `node` of ThreadSpec `thread_spec` of the new version.
struct ThreadMove {
    /// The ThreadRun number.
    thread: i32,
    thread_spec: String,
    node: String,
}

impl Engine {
    /// MigrateWfSpec.
    pub(crate) fn migrate_wf_spec(
        &mut self,
        req: MigrateWfSpecRequest,
    ) -> Result<WfSpec, EngineError> {
        let old_id = crate::request::required(req.old_wf_spec, "old_wf_spec")?;
        let migration = crate::request::required(req.migration, "migration")?;
        crate::request::not_empty(&old_id.name, "old_wf_spec.name")?;
        let missing = |s: EngineError, msg: String| {
            if s.is_not_found() {
                EngineError::missing(msg)
            } else {
                s
            }
        };
        let old = crate::wfspec::get_wf_spec(&self.store, &old_id).map_err(|s| {
            missing(
                s,
                format!(
                    "Migration refers to nonexisting WfSpec {}/{}/{}",
                    old_id.name, old_id.major_version, old_id.revision
                ),
            )
        })?;
        let new_id = WfSpecId {
            name: old_id.name.clone(),
            major_version: migration.new_major_version,
            revision: migration.new_revision,
        };
        let mut new = crate::wfspec::get_wf_spec(&self.store, &new_id).map_err(|s| {
            missing(
                s,
                format!(
                    "Migration refers to nonexisting WfSpec {} version {}.{}",
                    old_id.name, migration.new_major_version, migration.new_revision
                ),
            )
        })?;
        validate(&migration, &old, &new)?;
        new.migration = Some(migration.clone());
        self.store.put_meta(
            kind::WF_SPEC,
            &new_id.name,
            new_id.major_version,
            new_id.revision,
            &new,
        )?;
        self.forget_wf_spec(&new_id);
        let new_spec = self.spec(&new_id)?;
        let mut keys: Vec<String> = self
            .runs
            .iter()
            .filter(|(_, r)| !r.is_finished() && r.wf_run.wf_spec_id.as_ref() == Some(&old_id))
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort();
        for key in keys {
            let moves = match self.runs.get(&key) {
                Some(run) => match plan_run(run, &migration) {
                    Ok(m) => m,
                    Err(_) => continue,
                },
                None => continue,
            };
            self.move_run(&key, &old_id, &new_id, &new_spec, &moves);
            self.advance_run(&key);
        }
        Ok((*new_spec).clone())
    }

    fn move_run(
        &mut self,
        key: &str,
        old_id: &WfSpecId,
        new_id: &WfSpecId,
        new_spec: &Arc<WfSpec>,
        moves: &[ThreadMove],
    ) {
        let Engine {
            store,
            runs,
            task_defs,
            ..
        } = self;
        let Some(run) = runs.get_mut(key) else { return };
        let now = now_ms();
        run.spec = new_spec.clone();
        run.wf_run.old_wf_spec_versions.push(old_id.clone());
        run.wf_run.wf_spec_id = Some(new_id.clone());
        run.dirty.wf_run = true;
        let mut ctx = Ctx {
            store,
            task_defs,
            now,
        };
        for ThreadMove {
            thread: t,
            thread_spec: thread_name,
            node: node_name,
        } in moves
        {
            let Some(pos) = run.thread(*t).map(|th| th.current_node_position) else {
                continue;
            };
            if let Some(nr) = run.node_run_mut(*t, pos) {
                nr.status = LhStatus::Halted as i32;
                nr.end_time = Some(ms_to_ts(now));
            }
            if let Some(th) = run.thread_mut(*t) {
                th.thread_spec_name = thread_name.clone();
                th.wf_spec_id = Some(new_id.clone());
            }
            create_missing_variables(run, *t, thread_name, new_id, now);
            advance::arrive(run, &mut ctx, *t, pos + 1, node_name);
        }
    }
}

/// LittleHorse's compatibility rules: every mapped thread and node exists on both sides.
fn validate(m: &WfSpecVersionMigration, old: &WfSpec, new: &WfSpec) -> Result<(), EngineError> {
    for (source, tm) in &m.thread_spec_migrations {
        let Some(src) = old.thread_specs.get(source) else {
            return Err(EngineError::invalid_argument(format!(
                "Source WfSpec has no threadSpec {source}"
            )));
        };
        let Some(dst) = new.thread_specs.get(&tm.new_thread_spec_name) else {
            return Err(EngineError::invalid_argument(format!(
                "Destination WfSpec has no threadSpec {}",
                tm.new_thread_spec_name
            )));
        };
        for (node, nm) in &tm.node_migrations {
            if !src.nodes.contains_key(node) {
                return Err(EngineError::invalid_argument(format!(
                    "ThreadSpec {source} on source WfSpec does not have node {node}"
                )));
            }
            if !dst.nodes.contains_key(&nm.new_node_name) {
                return Err(EngineError::invalid_argument(format!(
                    "ThreadSpec {} on destination WfSpec does not have node {}",
                    tm.new_thread_spec_name, nm.new_node_name
                )));
            }
        }
    }
    Ok(())
}

/// How a run would move: every thread that has not ended, or why it cannot.
fn plan_run(run: &RunState, m: &WfSpecVersionMigration) -> Result<Vec<ThreadMove>, String> {
    let mut moves = Vec::new();
    for th in &run.wf_run.thread_runs {
        if super::run::is_terminal(th.status) {
            continue;
        }
        if th.status() != LhStatus::Running {
            return Err(format!("thread {} is not RUNNING", th.number));
        }
        let Some(tm) = m.thread_spec_migrations.get(&th.thread_spec_name) else {
            return Err(format!(
                "thread {} (`{}`) has no thread mapping",
                th.number, th.thread_spec_name
            ));
        };
        let node = run
            .node_runs
            .get(&(th.number, th.current_node_position))
            .map(|nr| nr.node_name.clone())
            .unwrap_or_default();
        let Some(nm) = tm.node_migrations.get(&node) else {
            return Err(format!(
                "thread {} is at node `{node}`, which has no node mapping",
                th.number
            ));
        };
        moves.push(ThreadMove {
            thread: th.number,
            thread_spec: tm.new_thread_spec_name.clone(),
            node: nm.new_node_name.clone(),
        });
    }
    Ok(moves)
}

/// The variables the new ThreadSpec declares that thread `t` lacks, with their defaults
/// (`ThreadRunModel.createVarsForMigratedThread`; INHERITED ones are the parent's).
pub(super) fn create_missing_variables(
    run: &mut RunState,
    t: i32,
    thread: &str,
    spec_id: &WfSpecId,
    now: i64,
) {
    let Some(tspec) = run.spec.thread_specs.get(thread).cloned() else {
        return;
    };
    for tv in &tspec.variable_defs {
        let Some(def) = &tv.var_def else { continue };
        if tv.access_level() == WfRunVariableAccessLevel::InheritedVar {
            continue;
        }
        let slot = (t, def.name.clone());
        if run.variables.contains_key(&slot) {
            continue;
        }
        let v = Variable {
            id: Some(VariableId {
                wf_run_id: Some(run.id()),
                thread_run_number: t,
                name: def.name.clone(),
            }),
            value: Some(def.default_value.clone().unwrap_or_default()),
            created_at: Some(ms_to_ts(now)),
            wf_spec_id: Some(spec_id.clone()),
            masked: def.type_def.as_ref().is_some_and(|td| td.masked),
        };
        run.dirty.variables.insert(slot.clone());
        run.variables.insert(slot, v);
    }
}
