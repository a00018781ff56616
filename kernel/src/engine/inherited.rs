//! INHERITED variables: a WfRun of a WfSpec with a parent reads and writes
//! variables of its parent WfRun (LittleHorse's `ThreadRun#getVariable`).
//!
//! The owner of an INHERITED variable is the parent WfRun when the parent's
//! WfSpec declares the variable (not PRIVATE_VAR) in its entrypoint thread, or
//! the parent's own owner when the parent declares it INHERITED in turn. The
//! child holds a copy of the owner's Variable in [`RunState::inherited`]
//! (filled when it is created or loaded). After every advance the engine
//! writes what a run changed to the owner (in memory, else straight into the
//! current transaction) and refreshes every other run's copy of a variable
//! that changed, so a write is durable in the same commit as the step that
//! made it, and every run reads the latest value.

use super::{Engine, RunState};
use crate::storage::StoreResult;
use crate::util::wf_run_key;
use crate::wfspec::all_variables;
use lhw_proto::littlehorse::{Variable, WfRunId, WfRunVariableAccessLevel, WfSpec};
use std::collections::{BTreeMap, HashMap};

/// The key of the WfRun that owns a Variable.
fn owner_key(v: &Variable) -> String {
    v.id.as_ref()
        .and_then(|i| i.wf_run_id.as_ref())
        .map(wf_run_key)
        .unwrap_or_default()
}

/// How a WfSpec declares a variable, for an INHERITED lookup through it.
enum Declared {
    /// Not at all, or PRIVATE_VAR: not visible to children.
    Hidden,
    /// INHERITED: owned further up.
    Inherited,
    /// PUBLIC_VAR: the WfRun's own entrypoint variable.
    Own,
}

fn declared(spec: &WfSpec, name: &str) -> Declared {
    let def = all_variables(spec).find(|v| v.var_def.as_ref().is_some_and(|d| d.name == name));
    match def.map(|d| WfRunVariableAccessLevel::try_from(d.access_level)) {
        None | Some(Ok(WfRunVariableAccessLevel::PrivateVar)) | Some(Err(_)) => Declared::Hidden,
        Some(Ok(WfRunVariableAccessLevel::InheritedVar)) => Declared::Inherited,
        Some(Ok(WfRunVariableAccessLevel::PublicVar)) => Declared::Own,
    }
}

impl Engine {
    /// The Variable that the INHERITED variable `name` of WfRun `id` is
    /// (`None` when no ancestor provides it).
    fn inherited_variable(&mut self, id: &WfRunId, name: &str) -> StoreResult<Option<Variable>> {
        let Some(parent) = id.parent_wf_run_id.as_deref() else {
            return Ok(None);
        };
        let key = wf_run_key(parent);
        if let Some(run) = self.runs.get(&key) {
            return Ok(match declared(&run.spec, name) {
                Declared::Hidden => None,
                Declared::Inherited => run.inherited.get(name).cloned(),
                Declared::Own => run.variables.get(&(0, name.to_string())).cloned(),
            });
        }
        let Some(stored) = self.store.get_wf_run(&key)? else {
            return Ok(None);
        };
        let Ok(spec) = self.spec(&stored.wf_spec_id.unwrap_or_default()) else {
            return Ok(None);
        };
        match declared(&spec, name) {
            Declared::Hidden => Ok(None),
            Declared::Inherited => self.inherited_variable(parent, name),
            Declared::Own => self.store.get_variable(&key, 0, name),
        }
    }

    /// Resolves the INHERITED variables of a run being created or loaded and
    /// registers it for updates of them.
    pub(super) fn resolve_inherited(&mut self, run: &mut RunState) -> StoreResult<()> {
        let names: Vec<String> = all_variables(&run.spec)
            .filter(|v| v.access_level() == WfRunVariableAccessLevel::InheritedVar)
            .filter_map(|v| v.var_def.as_ref().map(|d| d.name.clone()))
            .collect();
        let id = run.id();
        let mut found = BTreeMap::new();
        for name in names {
            if let Some(v) = self.inherited_variable(&id, &name)? {
                found.insert(name, v);
            }
        }
        if !found.is_empty() {
            self.inheritors.insert(run.key.clone());
            self.owners.extend(found.values().map(owner_key));
        }
        run.inherited = found;
        Ok(())
    }

    /// Run `key` was deleted: active runs drop their copies of the variables
    /// they inherited from it, so that no later write recreates a Variable of
    /// a deleted WfRun (a child that reads one again finds it missing).
    pub(super) fn forget_inherited_owner(&mut self, key: &str) {
        self.inheritors.remove(key);
        if !self.owners.remove(key) {
            return;
        }
        for run in self.runs.values_mut() {
            run.inherited.retain(|_, v| owner_key(v) != key);
            run.inherited_changed
                .retain(|name| run.inherited.contains_key(name));
        }
        let runs = &self.runs;
        self.inheritors
            .retain(|k| runs.get(k).is_some_and(|r| !r.inherited.is_empty()));
    }

    /// After run `key` advanced: writes the INHERITED variables it changed to
    /// their owners and refreshes the other runs' copies of every variable
    /// that changed (those it wrote and its own ones that others inherit).
    pub(super) fn sync_inherited(&mut self, key: &str) {
        if self.inheritors.is_empty() {
            return;
        }
        let Some(run) = self.runs.get_mut(key) else {
            return;
        };
        let changed = std::mem::take(&mut run.inherited_changed);
        let written: Vec<Variable> = changed
            .iter()
            .filter_map(|name| run.inherited.get(name).cloned())
            .collect();
        let mut fresh: HashMap<(String, String), Variable> = HashMap::new();
        for v in written {
            let owner = owner_key(&v);
            let name = v.id.as_ref().map(|i| i.name.clone()).unwrap_or_default();
            match self.runs.get_mut(&owner) {
                Some(o) => {
                    o.dirty.variables.insert((0, name.clone()));
                    o.variables.insert((0, name.clone()), v.clone());
                }
                None => {
                    if let Err(e) = self.store.put_variable(&owner, &v) {
                        self.store_failure.get_or_insert(e);
                    }
                }
            }
            fresh.insert((owner, name), v);
        }
        let before = self.inheritors.len();
        self.inheritors.retain(|k| self.runs.contains_key(k));
        if self.inheritors.len() != before {
            let runs = &self.runs;
            self.owners = self
                .inheritors
                .iter()
                .filter_map(|k| runs.get(k))
                .flat_map(|r| r.inherited.values().map(owner_key))
                .collect();
        }
        // Nothing another run holds changed.
        if fresh.is_empty() && !self.owners.contains(key) {
            return;
        }
        let others: Vec<String> = self
            .inheritors
            .iter()
            .filter(|k| k.as_str() != key)
            .cloned()
            .collect();
        for other in others {
            let Some(holder) = self.runs.get(&other) else {
                continue;
            };
            let updates: Vec<(String, Variable)> = holder
                .inherited
                .iter()
                .filter_map(|(name, v)| {
                    let owner = owner_key(v);
                    let current = if owner == key {
                        self.runs.get(key)?.variables.get(&(0, name.clone()))
                    } else {
                        fresh.get(&(owner, name.clone()))
                    }?;
                    (current != v).then(|| (name.clone(), current.clone()))
                })
                .collect();
            if let Some(holder) = self.runs.get_mut(&other) {
                holder.inherited.extend(updates);
            }
        }
    }
}
