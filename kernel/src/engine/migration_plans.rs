//! WorkflowMigrationPlans: Put, Get, Apply (as LittleHorse serves them), Delete and Search
//! (which LittleHorse does not serve yet), and the lazy move of one WfRun's threads onto
//! the plan's destination version.
//!
//! What LittleHorse does (littlehorse-enterprises/littlehorse, `server/src/main/java/io/
//! littlehorse/common/model/metadatacommand/subcommand/PutWorkflowMigrationPlanRequestModel
//! .java`, `.../corecommand/subcommand/ApplyWorkflowMigrationRequestModel.java`,
//! `.../getable/core/wfrun/ThreadRunModel.java` `advance`/`maybeMigrate`/`migrateThread` and
//! `WfRunModel.maybeDoneMigration`):
//!
//! - **Put** checks that the destination version (the old WfSpec's name at `major_version.
//!   revision`) and the source version exist (NOT_FOUND), that `thread_migrations` is not
//!   empty, that every mapped thread exists on both sides, that the entrypoint maps to the
//!   entrypoint and a child thread to a child thread, and that every mapped node exists on
//!   both sides and is neither ENTRYPOINT, EXIT nor NOP (INVALID_ARGUMENT). A variable the
//!   destination thread uses that the source thread does not see must be declared by some
//!   thread of the new version (NOT_FOUND) which is itself a destination of the plan
//!   (FAILED_PRECONDITION); that thread becomes a `thread_spec_dependency`. A plan with the
//!   name of an existing one replaces it.
//! - **Apply** stamps one WfRun with the plan (NOT_FOUND for an unknown WfRun or plan;
//!   FAILED_PRECONDITION for a COMPLETED, ERROR or EXCEPTION WfRun or one already migrating),
//!   after checking the migration variables: each keyed by a destination thread, each
//!   variable in its scope, a literal of the variable's type (INVALID_ARGUMENT). Then the run
//!   advances and its threads move lazily: a thread still on the old version, whose
//!   ThreadSpec the plan maps, moves when it waits at a mapped long-running node (EXTERNAL_EVENT,
//!   USER_TASK, WAIT_FOR_CONDITION, WAIT_FOR_THREADS, SLEEP: that NodeRun halts) or when it
//!   is about to enter a mapped node (the mapped node of the new version is entered instead),
//!   once the threads it depends on have moved. Moving takes the new ThreadSpec name and
//!   WfSpec id, creates the variables the new ThreadSpec declares that the thread lacks
//!   (defaults), assigns the migration variables, and enters the mapped node. Moving the
//!   entrypoint thread moves the WfRun (`old_wf_spec_versions` keeps the old id). The plan
//!   leaves the WfRun once no live thread is on the old version.
//!
//! The kernel differs in one point (docs/differences.md): a WfRun's threads run one WfSpec
//! version. A child thread therefore moves only once the entrypoint thread has moved, and
//! the entrypoint thread moves only when every other live thread can go on in the new
//! version (its ThreadSpec and current node exist there); otherwise the move waits for the
//! next mapped node.

use super::Engine;
use super::RunState;
use super::advance::{self, Ctx, fail_node, failure, node_of};
use super::run::is_terminal;
use crate::engine::EngineError;
use crate::request::{not_empty, page_of, required, wf_run_key_of};
use crate::storage::kind;
use crate::util::{ms_to_ts, now_ms};
use lhw_proto::littlehorse::{
    ApplyWorkflowMigrationPlanRequest, LhErrorType, LhStatus, Node,
    PutWorkflowMigrationPlanRequest, SearchWorkflowMigrationPlanRequest, ThreadMigrationPlan,
    ThreadSpec, WfRun, WfSpec, WfSpecId, WorkflowMigrationPlan, WorkflowMigrationPlanId,
    WorkflowMigrationPlanIdList, node,
    search_workflow_migration_plan_request::WorkflowMigrationPlanCriteria, variable_assignment,
};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

/// `name/00000/00001`, as LittleHorse writes a WfSpecId in messages.
fn spec_text(id: &WfSpecId) -> String {
    format!("{}/{:05}/{:05}", id.name, id.major_version, id.revision)
}

/// The destination version of a plan.
fn new_spec_id(plan: &WorkflowMigrationPlan) -> WfSpecId {
    WfSpecId {
        name: plan
            .old_wf_spec
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_default(),
        major_version: plan.major_version,
        revision: plan.revision,
    }
}

impl Engine {
    /// PutWorkflowMigrationPlan.
    pub(crate) fn put_workflow_migration_plan(
        &mut self,
        req: PutWorkflowMigrationPlanRequest,
    ) -> Result<WorkflowMigrationPlan, EngineError> {
        not_empty(&req.name, "name")?;
        let old_id = required(req.old_wf_spec, "old_wf_spec")?;
        not_empty(&old_id.name, "old_wf_spec.name")?;
        let new_id = WfSpecId {
            name: old_id.name.clone(),
            major_version: req.major_version,
            revision: req.revision,
        };
        let new = crate::wfspec::get_wf_spec(&self.store, &new_id).map_err(|_| {
            EngineError::missing(format!(
                "Destination WfSpec {} does not exist",
                spec_text(&new_id)
            ))
        })?;
        let old = crate::wfspec::get_wf_spec(&self.store, &old_id).map_err(|_| {
            EngineError::missing(format!(
                "Source WfSpec {} does not exist",
                spec_text(&old_id)
            ))
        })?;
        if req.thread_migrations.is_empty() {
            return Err(EngineError::invalid_argument(
                "threadMigrations cannot be null or empty",
            ));
        }
        let mut threads = std::collections::BTreeMap::new();
        for (old_thread, tm) in &req.thread_migrations {
            validate_thread(&old, &new, old_thread, &tm.new_thread_name, tm)?;
            threads.insert(
                old_thread.clone(),
                ThreadMigrationPlan {
                    new_thread_name: tm.new_thread_name.clone(),
                    node_migrations: tm.node_migrations.clone(),
                    thread_spec_dependencies: Vec::new(),
                },
            );
        }
        add_dependencies(&old, &new, &mut threads)?;
        let plan = WorkflowMigrationPlan {
            workflow_migration_plan_id: Some(WorkflowMigrationPlanId {
                name: req.name.clone(),
            }),
            created_at: Some(ms_to_ts(now_ms())),
            thread_migrations: threads,
            old_wf_spec: Some(old_id),
            major_version: req.major_version,
            revision: req.revision,
        };
        self.store
            .put_meta(kind::WORKFLOW_MIGRATION_PLAN, &req.name, 0, 0, &plan)?;
        Ok(plan)
    }

    /// GetWorkflowMigrationPlan.
    pub(crate) fn get_workflow_migration_plan(
        &self,
        id: &WorkflowMigrationPlanId,
    ) -> Result<WorkflowMigrationPlan, EngineError> {
        not_empty(&id.name, "name")?;
        load_plan(&self.store, &id.name)?
            .ok_or_else(|| EngineError::missing("Couldn't find specified WorkflowMigrationPlan"))
    }

    /// DeleteWorkflowMigrationPlan (LittleHorse answers UNIMPLEMENTED): an unknown plan is
    /// NOT_FOUND; a plan a WfRun is still migrating with is FAILED_PRECONDITION.
    pub(crate) fn delete_workflow_migration_plan(
        &mut self,
        id: &WorkflowMigrationPlanId,
    ) -> Result<(), EngineError> {
        not_empty(&id.name, "id.name")?;
        if load_plan(&self.store, &id.name)?.is_none() {
            return Err(EngineError::missing(format!(
                "Couldn't find WorkflowMigrationPlan {}",
                id.name
            )));
        }
        let mut using: Vec<&str> = self
            .runs
            .values()
            .filter(|r| r.wf_run.workflow_migration_plan_id.as_ref() == Some(id))
            .map(|r| r.key.as_str())
            .collect();
        using.sort_unstable();
        if let Some(first) = using.first() {
            return Err(EngineError::failed_precondition(format!(
                "WorkflowMigrationPlan {} is still migrating WfRun {first}",
                id.name
            )));
        }
        self.store
            .delete_meta(kind::WORKFLOW_MIGRATION_PLAN, &id.name, 0, 0)?;
        Ok(())
    }

    /// SearchWorkflowMigrationPlan (LittleHorse does not serve it yet): every plan, or the
    /// plans of one WfSpec name, or those whose name starts with a prefix; by name.
    pub(crate) fn search_workflow_migration_plan(
        &self,
        req: SearchWorkflowMigrationPlanRequest,
    ) -> Result<WorkflowMigrationPlanIdList, EngineError> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let rows: Vec<(crate::storage::MetaKey, WorkflowMigrationPlan)> = self
                .store
                .meta_after(kind::WORKFLOW_MIGRATION_PLAN, after.as_ref(), 500)?;
            let Some((last, _)) = rows.last() else { break };
            after = Some(last.clone());
            for (key, plan) in rows {
                let keep = match &req.workflow_migration_plan_criteria {
                    None => true,
                    Some(WorkflowMigrationPlanCriteria::WfSpecName(n)) => {
                        plan.old_wf_spec.as_ref().is_some_and(|i| &i.name == n)
                    }
                    Some(WorkflowMigrationPlanCriteria::Prefix(p)) => key.name.starts_with(p),
                };
                if keep {
                    ids.push(WorkflowMigrationPlanId { name: key.name });
                }
            }
        }
        let (results, bookmark) = page_of(ids, req.bookmark.as_deref(), req.limit)?;
        Ok(WorkflowMigrationPlanIdList { results, bookmark })
    }

    /// ApplyWorkflowMigrationPlan.
    pub(crate) fn apply_workflow_migration_plan(
        &mut self,
        req: ApplyWorkflowMigrationPlanRequest,
    ) -> Result<WfRun, EngineError> {
        let plan_id = required(req.id, "id")?;
        not_empty(&plan_id.name, "id.name")?;
        let key = wf_run_key_of(req.wf_run_id.as_ref(), "wf_run_id")?;
        let shown = req
            .wf_run_id
            .as_ref()
            .map(|i| i.id.clone())
            .unwrap_or_default();
        let status = match self.runs.get(&key) {
            Some(run) => run.wf_run.status,
            None => match self.store.get_wf_run(&key)? {
                Some(stored) => stored.status,
                None => {
                    return Err(EngineError::missing(format!("Couldn't find WfRun {shown}")));
                }
            },
        };
        if [LhStatus::Completed, LhStatus::Error, LhStatus::Exception]
            .iter()
            .any(|s| *s as i32 == status)
        {
            let name = LhStatus::try_from(status).map_or("?", |s| s.as_str_name());
            return Err(EngineError::failed_precondition(format!(
                "WfRun {shown} has status {name} and cannot be migrated"
            )));
        }
        let Some(run) = self.runs.get(&key) else {
            return Err(EngineError::missing(format!("Couldn't find WfRun {shown}")));
        };
        if run.wf_run.workflow_migration_plan_id.is_some() {
            return Err(EngineError::failed_precondition(format!(
                "A migration is already in progress for WfRun {shown}"
            )));
        }
        let plan = load_plan(&self.store, &plan_id.name)?.ok_or_else(|| {
            EngineError::missing(format!(
                "Couldn't find WorkflowMigrationPlan {}",
                plan_id.name
            ))
        })?;
        if !req.migration_vars_by_thread.is_empty() {
            let new_id = new_spec_id(&plan);
            let new = crate::wfspec::get_wf_spec(&self.store, &new_id).map_err(|_| {
                EngineError::failed_precondition(format!(
                    "Destination WfSpec {} for migration plan {} no longer exists",
                    spec_text(&new_id),
                    plan_id.name
                ))
            })?;
            check_migration_vars(&plan, &new, &req.migration_vars_by_thread)?;
        }
        if let Some(run) = self.runs.get_mut(&key) {
            run.wf_run.workflow_migration_plan_id = Some(plan_id);
            run.wf_run.migration_variables = req.migration_vars_by_thread;
            run.dirty.wf_run = true;
        }
        self.advance_run(&key);
        self.runs
            .get(&key)
            .map(|r| r.wf_run.clone())
            .ok_or_else(|| EngineError::missing(format!("Couldn't find WfRun {shown}")))
    }
}

/// Reads a plan.
fn load_plan(
    store: &crate::storage::Store,
    name: &str,
) -> Result<Option<WorkflowMigrationPlan>, EngineError> {
    Ok(store.get_meta(kind::WORKFLOW_MIGRATION_PLAN, name, 0, 0)?)
}

/// A node a migration may leave or land on: not ENTRYPOINT, EXIT or NOP.
fn migratable(n: &Node) -> bool {
    !matches!(
        n.node,
        Some(node::Node::Entrypoint(_)) | Some(node::Node::Exit(_)) | Some(node::Node::Nop(_))
    )
}

fn validate_thread(
    old: &WfSpec,
    new: &WfSpec,
    old_thread: &str,
    new_thread: &str,
    tm: &lhw_proto::littlehorse::ThreadMigrationPlanRequest,
) -> Result<(), EngineError> {
    let Some(src) = old.thread_specs.get(old_thread) else {
        return Err(EngineError::invalid_argument(format!(
            "Source WfSpec has no threadSpec {old_thread}"
        )));
    };
    let Some(dst) = new.thread_specs.get(new_thread) else {
        return Err(EngineError::invalid_argument(format!(
            "Destination WfSpec has no threadSpec {new_thread}"
        )));
    };
    let old_entry = old_thread == old.entrypoint_thread_name;
    let new_entry = new_thread == new.entrypoint_thread_name;
    if old_entry && !new_entry {
        return Err(EngineError::invalid_argument(format!(
            "Entrypoint thread '{old_thread}' cannot migrate to non-entrypoint thread '{new_thread}'"
        )));
    }
    if !old_entry && new_entry {
        return Err(EngineError::invalid_argument(format!(
            "Child thread '{old_thread}' cannot migrate to entrypoint thread '{new_thread}'"
        )));
    }
    for (old_node, nm) in &tm.node_migrations {
        let Some(from) = src.nodes.get(old_node) else {
            return Err(EngineError::invalid_argument(format!(
                "ThreadSpec {old_thread} on source WfSpec does not have node {old_node}"
            )));
        };
        let Some(to) = dst.nodes.get(&nm.new_node_name) else {
            return Err(EngineError::invalid_argument(format!(
                "ThreadSpec {new_thread} on destination WfSpec does not have node {}",
                nm.new_node_name
            )));
        };
        if !migratable(from) {
            return Err(EngineError::invalid_argument(format!(
                "Cannot migrate from node {old_node} on source thread {old_thread} because {} nodes are not migratable",
                crate::wfspec::node_case(from)
            )));
        }
        if !migratable(to) {
            return Err(EngineError::invalid_argument(format!(
                "Cannot migrate to node {} on destination thread {new_thread} because {} nodes are not migratable",
                nm.new_node_name,
                crate::wfspec::node_case(to)
            )));
        }
    }
    Ok(())
}

/// The variable names the nodes of a ThreadSpec read or write (`ThreadSpecModel
/// .getNamesOfVariablesUsed`): every `variableName` and mutation `lhsName` in them.
fn variables_used(t: &ThreadSpec) -> BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if (k == "variableName" || k == "lhsName")
                        && let Some(s) = x.as_str()
                    {
                        out.insert(s.to_string());
                    }
                    walk(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for n in t.nodes.values() {
        if let Ok(json) = serde_json::to_value(n) {
            walk(&json, &mut out);
        }
    }
    out
}

/// The ThreadSpecs a ThreadSpec starts (threads, failure and interrupt handlers).
fn children(t: &ThreadSpec) -> Vec<&str> {
    let mut out = Vec::new();
    for n in t.nodes.values() {
        match &n.node {
            Some(node::Node::StartThread(s)) => out.push(s.thread_spec_name.as_str()),
            Some(node::Node::StartMultipleThreads(s)) => out.push(s.thread_spec_name.as_str()),
            _ => {}
        }
        out.extend(
            n.failure_handlers
                .iter()
                .map(|h| h.handler_spec_name.as_str()),
        );
    }
    out.extend(
        t.interrupt_defs
            .iter()
            .map(|i| i.handler_spec_name.as_str()),
    );
    out
}

/// Whether variable `var` (declared in `spec`) is visible from thread `thread`: declared by
/// it or by a thread it descends from (`ThreadSpecModel.isVarInScope`).
fn in_scope(spec: &WfSpec, thread: &str, var: &str) -> bool {
    let Some(owner) = owner_of(spec, var) else {
        return false;
    };
    if owner == thread {
        return true;
    }
    let mut seen = HashSet::new();
    let mut todo = vec![owner];
    while let Some(t) = todo.pop() {
        if !seen.insert(t.to_string()) {
            continue;
        }
        if let Some(ts) = spec.thread_specs.get(t) {
            for c in children(ts) {
                if c == thread {
                    return true;
                }
                todo.push(c);
            }
        }
    }
    false
}

/// The ThreadSpec that declares `var` (the last one in name order, as LittleHorse's map keeps one).
fn owner_of<'s>(spec: &'s WfSpec, var: &str) -> Option<&'s str> {
    spec.thread_specs
        .iter()
        .filter(|(_, t)| {
            t.variable_defs
                .iter()
                .any(|v| v.var_def.as_ref().is_some_and(|d| d.name == var))
        })
        .map(|(n, _)| n.as_str())
        .next_back()
}

/// `validateVariables`: the threads whose variables a destination thread needs.
fn add_dependencies(
    old: &WfSpec,
    new: &WfSpec,
    threads: &mut std::collections::BTreeMap<String, ThreadMigrationPlan>,
) -> Result<(), EngineError> {
    let destinations: HashSet<String> = threads
        .values()
        .map(|t| t.new_thread_name.clone())
        .collect();
    for (old_thread, tm) in threads.iter_mut() {
        let Some(dst) = new.thread_specs.get(&tm.new_thread_name) else {
            continue;
        };
        for var in variables_used(dst) {
            if in_scope(old, old_thread, &var) {
                continue;
            }
            let Some(owner) = owner_of(new, &var) else {
                return Err(EngineError::missing(format!(
                    "The variable '{var}' is used by destination thread '{}' but is not defined by any thread in the new WfSpec",
                    tm.new_thread_name
                )));
            };
            if owner == tm.new_thread_name {
                continue;
            }
            if !destinations.contains(owner) {
                return Err(EngineError::failed_precondition(format!(
                    "The variable '{var}' is required by destination thread '{}' but the thread that defines it ('{owner}') is not included in this migration plan",
                    tm.new_thread_name
                )));
            }
            if !tm.thread_spec_dependencies.iter().any(|d| d == owner) {
                tm.thread_spec_dependencies.push(owner.to_string());
            }
        }
    }
    Ok(())
}

/// `validateMigrationVars`: keyed by destination threads, in their scope, literals typed.
fn check_migration_vars(
    plan: &WorkflowMigrationPlan,
    new: &WfSpec,
    vars: &std::collections::BTreeMap<String, lhw_proto::littlehorse::MigrationVars>,
) -> Result<(), EngineError> {
    let name = plan
        .workflow_migration_plan_id
        .as_ref()
        .map(|i| i.name.as_str())
        .unwrap_or_default();
    let destinations: HashSet<&str> = plan
        .thread_migrations
        .values()
        .map(|t| t.new_thread_name.as_str())
        .collect();
    for (thread, mv) in vars {
        if !destinations.contains(thread.as_str()) {
            return Err(EngineError::invalid_argument(format!(
                "Migration variables provided for thread '{thread}', which is not a destination thread in migration plan {name}"
            )));
        }
        for (var, va) in &mv.var_assignment_by_var_name {
            let def = if in_scope(new, thread, var) {
                owner_of(new, var)
                    .and_then(|o| new.thread_specs.get(o))
                    .and_then(|t| {
                        t.variable_defs
                            .iter()
                            .find(|v| v.var_def.as_ref().is_some_and(|d| &d.name == var))
                    })
                    .and_then(|v| v.var_def.clone())
            } else {
                None
            };
            let Some(def) = def else {
                return Err(EngineError::invalid_argument(format!(
                    "Migration variable '{var}' is not in scope of destination thread '{thread}'"
                )));
            };
            if let (Some(variable_assignment::Source::LiteralValue(v)), Some(td)) =
                (&va.source, &def.type_def)
                && crate::values::check_input(v.clone(), td).is_err()
            {
                return Err(EngineError::invalid_argument(format!(
                    "Migration variable '{var}' on thread '{thread}' has a value incompatible with its declared type {}",
                    crate::type_text::server_type_text(Some(td))
                )));
            }
        }
    }
    Ok(())
}

/// The plan a WfRun is migrating with, if any (read from the store: plans are metadata).
fn plan_of(run: &RunState, ctx: &Ctx<'_>) -> Option<WorkflowMigrationPlan> {
    let id = run.wf_run.workflow_migration_plan_id.as_ref()?;
    ctx.store
        .get_meta(kind::WORKFLOW_MIGRATION_PLAN, &id.name, 0, 0)
        .ok()?
}

/// The WfSpec id thread `t` runs.
fn thread_spec_id(run: &RunState, t: i32) -> Option<WfSpecId> {
    let th = run.thread(t)?;
    th.wf_spec_id
        .clone()
        .or_else(|| run.wf_run.wf_spec_id.clone())
}

/// `ThreadRunModel.isMigrating`: the thread is on the old version and its ThreadSpec is mapped.
fn is_migrating(run: &RunState, plan: &WorkflowMigrationPlan, t: i32) -> bool {
    let Some(th) = run.thread(t) else {
        return false;
    };
    thread_spec_id(run, t).as_ref() == plan.old_wf_spec.as_ref()
        && plan.thread_migrations.contains_key(&th.thread_spec_name)
}

/// `NodeModel.isLongRunning`.
fn long_running(n: &Node) -> bool {
    matches!(
        n.node,
        Some(node::Node::ExternalEvent(_))
            | Some(node::Node::UserTask(_))
            | Some(node::Node::WaitForCondition(_))
            | Some(node::Node::WaitForThreads(_))
            | Some(node::Node::Sleep(_))
    )
}

/// Where a thread enters the new version: whether it is waiting at its current NodeRun
/// (which halts) or about to enter position `pos`.
#[derive(Clone, Copy)]
enum Entry {
    /// Waiting at its current (long-running) NodeRun.
    Waiting,
    /// About to enter a node at this position.
    Arriving(i32),
}

/// The hook before a thread enters `node_name` at `pos` along an edge: when the plan maps
/// that node, the thread moves and enters the mapped node of the new version instead.
/// Returns whether it did (the caller then does not enter `node_name`).
pub(super) fn redirect(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    t: i32,
    pos: i32,
    node_name: &str,
) -> bool {
    let Some(plan) = plan_of(run, ctx) else {
        return false;
    };
    is_migrating(run, &plan, t) && try_move(run, ctx, &plan, t, node_name, Entry::Arriving(pos))
}

/// The hook at each advance of a WfRun with a plan: every migrating thread that waits at a
/// mapped long-running node moves; then the plan leaves the WfRun once no live thread is on
/// the old version. Returns whether a thread moved.
pub(super) fn migrate_waiting(run: &mut RunState, ctx: &mut Ctx<'_>) -> bool {
    let Some(plan) = plan_of(run, ctx) else {
        if run.wf_run.workflow_migration_plan_id.is_some() {
            // The plan is gone: nothing can move any more.
            finish(run);
        }
        return false;
    };
    let mut moved = false;
    let numbers: Vec<i32> = run.wf_run.thread_runs.iter().map(|t| t.number).collect();
    for t in numbers {
        let Some(th) = run.thread(t) else { continue };
        if th.status != LhStatus::Running as i32 || !is_migrating(run, &plan, t) {
            continue;
        }
        let pos = th.current_node_position;
        let Some(nr) = run.node_runs.get(&(t, pos)) else {
            continue;
        };
        if nr.status != LhStatus::Running as i32 || !nr.failures.is_empty() {
            continue;
        }
        let name = nr.node_name.clone();
        if node_of(run, t, &name).is_some_and(long_running) {
            moved |= try_move(run, ctx, &plan, t, &name, Entry::Waiting);
        }
    }
    let old = plan.old_wf_spec.clone();
    let still_old = run.wf_run.thread_runs.iter().any(|th| {
        !is_terminal(th.status)
            && th
                .wf_spec_id
                .clone()
                .or_else(|| run.wf_run.wf_spec_id.clone())
                == old
    });
    if !still_old {
        finish(run);
    }
    moved
}

/// The migration is over: the plan and its variables leave the WfRun.
fn finish(run: &mut RunState) {
    run.wf_run.workflow_migration_plan_id = None;
    run.wf_run.migration_variables.clear();
    run.dirty.wf_run = true;
}

/// `maybeMigrate` + `migrateThread` for thread `t` at (or before) old node `node_name`.
fn try_move(
    run: &mut RunState,
    ctx: &mut Ctx<'_>,
    plan: &WorkflowMigrationPlan,
    t: i32,
    node_name: &str,
    entry: Entry,
) -> bool {
    let Some(th) = run.thread(t) else {
        return false;
    };
    let old_thread = th.thread_spec_name.clone();
    let Some(tm) = plan.thread_migrations.get(&old_thread) else {
        return false;
    };
    let Some(nm) = tm.node_migrations.get(node_name) else {
        return false;
    };
    let new_id = new_spec_id(plan);
    // `dependentThreadsMigrated`: a thread of each dependency already on the new version.
    let deps_met = tm.thread_spec_dependencies.iter().all(|dep| {
        run.wf_run.thread_runs.iter().any(|other| {
            &other.thread_spec_name == dep
                && other.wf_spec_id.as_ref().unwrap_or(&WfSpecId::default()) == &new_id
        })
    });
    if !deps_met {
        return false;
    }
    let Ok(new_spec) = crate::wfspec::get_wf_spec(ctx.store, &new_id) else {
        return false;
    };
    let run_on_old = run.wf_run.wf_spec_id.as_ref() == plan.old_wf_spec.as_ref();
    let is_entry = old_thread == run.spec.entrypoint_thread_name;
    if run_on_old {
        // The kernel runs one version per WfRun: a child thread waits for the entrypoint,
        // and the entrypoint moves only if every other live thread can go on in the new one.
        if !is_entry {
            return false;
        }
        let others_fit = run.wf_run.thread_runs.iter().all(|other| {
            other.number == t
                || is_terminal(other.status)
                || run
                    .node_runs
                    .get(&(other.number, other.current_node_position))
                    .is_some_and(|nr| {
                        new_spec
                            .thread_specs
                            .get(&other.thread_spec_name)
                            .is_some_and(|ts| ts.nodes.contains_key(&nr.node_name))
                    })
        });
        if !others_fit {
            return false;
        }
    }
    let now = ctx.now;
    let pos = match entry {
        Entry::Waiting => {
            let pos = run.thread(t).map_or(0, |th| th.current_node_position);
            if let Some(nr) = run.node_run_mut(t, pos) {
                nr.status = LhStatus::Halted as i32;
                nr.end_time = Some(ms_to_ts(now));
            }
            pos + 1
        }
        Entry::Arriving(pos) => pos,
    };
    if let Some(th) = run.thread_mut(t) {
        th.thread_spec_name = tm.new_thread_name.clone();
        th.wf_spec_id = Some(new_id.clone());
    }
    if run_on_old {
        let old_id = run.wf_run.wf_spec_id.clone().unwrap_or_default();
        run.wf_run.old_wf_spec_versions.push(old_id);
        run.wf_run.wf_spec_id = Some(new_id.clone());
        run.spec = Arc::new(new_spec);
    }
    run.dirty.wf_run = true;
    super::migrate::create_missing_variables(run, t, &tm.new_thread_name, &new_id, now);
    if let Err(message) = apply_migration_variables(run, t, &tm.new_thread_name) {
        // `respondToNodeFailure` on the NodeRun the thread stands at.
        let at = pos - 1;
        fail_node(
            run,
            t,
            at,
            failure(LhErrorType::VarSubError, message, None),
            now,
        );
        return true;
    }
    advance::arrive(run, ctx, t, pos, &nm.new_node_name);
    true
}

/// `applyMigrationVariables`: the WfRun's migration variables for the new ThreadSpec.
fn apply_migration_variables(run: &mut RunState, t: i32, thread: &str) -> Result<(), String> {
    let Some(mv) = run.wf_run.migration_variables.get(thread).cloned() else {
        return Ok(());
    };
    for (name, va) in &mv.var_assignment_by_var_name {
        let value = run
            .eval(t, va)
            .map_err(|e| format!("Failed applying migration variable '{name}': {e}"))?;
        let Some(slot) = run.find_var(t, name) else {
            return Err(format!(
                "Failed applying migration variable '{name}': no such variable"
            ));
        };
        let Some(mut v) = run.slot(&slot).cloned() else {
            continue;
        };
        v.value = Some(value);
        run.set_slot(&slot, v);
    }
    Ok(())
}
