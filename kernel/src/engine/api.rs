//! Engine operations behind the client RPCs: RunWf, PutExternalEvent,
//! Stop/ResumeWfRun, the run inspection reads, and recovery at start.

use super::advance::{self, Ctx};
use super::{Engine, RunState};
use crate::engine::{EngineError, ObjectKind};
use crate::storage::StoreResult;
use crate::util::{is_valid_name, ms_to_ts, new_guid, now_ms, ts_to_ms, wf_run_key};
use crate::values;
use lhw_proto::littlehorse::{
    ExternalEvent, ExternalEventDef, ExternalEventId, LhStatus, NodeRun, PutExternalEventRequest,
    RunWfRequest, TaskRun, ThreadRun, ThreadType, Variable, VariableId, WfRun, WfRunId,
    WfRunVariableAccessLevel, WfSpec, WfSpecId, node,
};
use std::sync::Arc;

/// Who starts a WfRun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A RunWf request.
    Request,
    /// A RUN_CHILD_WF node of the parent WfRun.
    ChildNode,
}

impl Engine {
    /// Loads every unfinished WfRun and rebuilds queues and timers.
    pub(super) fn recover(&mut self) -> StoreResult<()> {
        for key in self.store.active_wf_run_keys()? {
            let Some(wf_run) = self.store.get_wf_run(&key)? else {
                continue;
            };
            let spec_id = wf_run.wf_spec_id.clone().unwrap_or_default();
            let spec = match self.spec(&spec_id) {
                Ok(s) => s,
                Err(_) => {
                    eprintln!(
                        "lhw-kernel: WfRun {key} refers to missing WfSpec {}; skipped",
                        spec_id.name
                    );
                    continue;
                }
            };
            let mut run = RunState::load(&self.store, &key, wf_run, spec)?;
            self.resolve_inherited(&mut run)?;
            self.runs.insert(key.clone(), run);
            self.schedule_loaded(&key);
            self.advance_run(&key);
        }
        self.recover_retention()?;
        self.recover_schedules()
    }

    /// A WfSpec version (cached).
    pub(super) fn spec(&mut self, id: &WfSpecId) -> Result<Arc<WfSpec>, EngineError> {
        let k = super::keys::SpecKey::of(id);
        if let Some(s) = self.specs.get(&k) {
            return Ok(s.clone());
        }
        let spec = Arc::new(crate::wfspec::get_wf_spec(&self.store, id)?);
        self.specs.insert(k, spec.clone());
        Ok(spec)
    }

    /// RunWf: validates the request (in LittleHorse's order and with its
    /// status codes), creates the WfRun and runs it as far as it goes.
    pub(crate) fn run_wf(&mut self, req: RunWfRequest) -> Result<WfRun, EngineError> {
        self.start_wf_run(req, Origin::Request)
    }

    /// Creates a WfRun and runs it as far as it goes. A RunWf request must
    /// name a parent WfRun exactly when the WfSpec has a parent WfSpec; a
    /// RUN_CHILD_WF node starts any WfSpec as a child of its own WfRun.
    pub(super) fn start_wf_run(
        &mut self,
        req: RunWfRequest,
        origin: Origin,
    ) -> Result<WfRun, EngineError> {
        if req.wf_spec_name.is_empty() {
            return Err(EngineError::invalid_argument(
                "wf_spec_name: Missing required argument 'wf_spec_name'",
            ));
        }
        if let Some(id) = &req.id
            && !is_valid_name(id)
        {
            return Err(EngineError::invalid_argument(format!(
                "id \"{id}\" is invalid: it must be a valid hostname (letters, digits and '-')"
            )));
        }
        // The version's id only: `self.spec` hands out the engine's cached `Arc` of it, so a
        // RunWf neither decodes nor clones the WfSpec (docs/performance.md, "The kernel").
        let spec_id = match (req.major_version, req.revision) {
            (Some(major), Some(revision)) => WfSpecId {
                name: req.wf_spec_name.clone(),
                major_version: major,
                revision,
            },
            (major, None) => {
                crate::wfspec::latest_wf_spec_id(&self.store, &req.wf_spec_name, major)?
            }
            (None, Some(_)) => {
                return Err(EngineError::invalid_argument(
                    "revision: a revision needs a major_version",
                ));
            }
        };
        let spec = self.spec(&spec_id)?;
        let id = req.id.unwrap_or_else(new_guid);
        let wf_run_id = WfRunId {
            id: id.clone(),
            parent_wf_run_id: req.parent_wf_run_id.map(Box::new),
        };
        let key = wf_run_key(&wf_run_id);
        if self.runs.contains_key(&key) || self.store.get_wf_run(&key)?.is_some() {
            return Err(EngineError::already_exists(format!(
                "WfRun with id {id} already exists!"
            )));
        }
        if origin == Origin::Request {
            self.check_parent(&spec, wf_run_id.parent_wf_run_id.as_deref())?;
        }
        let entry_name = spec.entrypoint_thread_name.clone();
        let thread_spec = spec
            .thread_specs
            .get(&entry_name)
            .ok_or_else(|| EngineError::internal("the WfSpec has no entrypoint thread"))?;
        for name in req.variables.keys() {
            if !thread_spec
                .variable_defs
                .iter()
                .any(|v| v.var_def.as_ref().is_some_and(|d| &d.name == name))
            {
                return Err(EngineError::invalid_argument(format!(
                    "variables: Var {name} provided but not needed for thread {entry_name}"
                )));
            }
        }
        let now = now_ms();
        let mut variables = Vec::new();
        for tv in &thread_spec.variable_defs {
            let Some(def) = &tv.var_def else { continue };
            let value = match req.variables.get(&def.name) {
                Some(v) if v.value.is_some() => {
                    // LittleHorse: ThreadSpecModel#validateStartVariables wraps the
                    // type error in "ThreadSpec … invalid: Variable … invalid: …".
                    let checked = match &def.type_def {
                        Some(td) => values::check_input(v.clone(), td),
                        None => Ok(v.clone()),
                    };
                    checked.map_err(|e| {
                        EngineError::invalid_argument(format!(
                            "variables.{}: ThreadSpec {entry_name} invalid: Variable {} invalid: {e}",
                            def.name, def.name
                        ))
                    })?
                }
                _ => def.default_value.clone().unwrap_or_default(),
            };
            if tv.required && value.value.is_none() {
                return Err(EngineError::invalid_argument(format!(
                    "variables.{}: required variable {} is missing",
                    def.name, def.name
                )));
            }
            if tv.access_level() == WfRunVariableAccessLevel::InheritedVar {
                // The parent WfRun's variable: it cannot be given, and the child has none of its own.
                if req.variables.contains_key(&def.name) {
                    return Err(EngineError::invalid_argument(format!(
                        "variables.{}: Variable {} is an inherited var but it was provided as input",
                        def.name, def.name
                    )));
                }
                continue;
            }
            variables.push(Variable {
                id: Some(VariableId {
                    wf_run_id: Some(wf_run_id.clone()),
                    thread_run_number: 0,
                    name: def.name.clone(),
                }),
                value: Some(value),
                created_at: Some(ms_to_ts(now)),
                wf_spec_id: Some(spec_id.clone()),
                masked: def.type_def.as_ref().is_some_and(|td| td.masked),
            });
        }
        let entry_node = thread_spec
            .nodes
            .iter()
            .find(|(_, n)| matches!(n.node, Some(node::Node::Entrypoint(_))))
            .map(|(k, _)| k.clone())
            .ok_or_else(|| EngineError::internal("the entrypoint thread has no ENTRYPOINT node"))?;
        let wf_run = WfRun {
            id: Some(wf_run_id),
            wf_spec_id: Some(spec_id.clone()),
            status: LhStatus::Running as i32,
            greatest_threadrun_number: 0,
            start_time: Some(ms_to_ts(now)),
            thread_runs: vec![ThreadRun {
                wf_spec_id: Some(spec_id),
                number: 0,
                status: LhStatus::Running as i32,
                thread_spec_name: entry_name,
                start_time: Some(ms_to_ts(now)),
                current_node_position: 0,
                r#type: ThreadType::Entrypoint as i32,
                ..ThreadRun::default()
            }],
            ..WfRun::default()
        };
        let mut run = RunState::new(key.clone(), wf_run, spec);
        self.resolve_inherited(&mut run)?;
        for v in variables {
            let name = v.id.as_ref().map(|i| i.name.clone()).unwrap_or_default();
            run.dirty.variables.insert((0, name.clone()));
            run.variables.insert((0, name), v);
        }
        run.events = self.store.list_external_events(&key)?;
        {
            let Engine {
                store, task_defs, ..
            } = self;
            let mut ctx = Ctx {
                store,
                task_defs,
                now,
            };
            advance::arrive(&mut run, &mut ctx, 0, 0, &entry_node);
        }
        self.runs.insert(key.clone(), run);
        self.drain_effects(&key);
        self.advance_run(&key);
        self.get_wf_run(&key)
    }

    /// RunWf's parent rules: `parent_wf_run_id` is required exactly when the
    /// WfSpec has a parent WfSpec, and must name an existing WfRun of it.
    fn check_parent(&self, spec: &WfSpec, parent: Option<&WfRunId>) -> Result<(), EngineError> {
        let name = spec
            .id
            .as_ref()
            .map(|i| i.name.as_str())
            .unwrap_or_default();
        let (reference, parent) = match (&spec.parent_wf_spec, parent) {
            (None, None) => return Ok(()),
            (Some(r), None) => {
                return Err(EngineError::invalid_argument(format!(
                    "parent_wf_run_id: WfSpec {name} requires a parent WfRun ID from WfSpec {}",
                    r.wf_spec_name
                )));
            }
            (None, Some(_)) => {
                return Err(EngineError::invalid_argument(format!(
                    "parent_wf_run_id: WfSpec {name} does not refer to a parent WfSpec."
                )));
            }
            (Some(r), Some(p)) => (r, p),
        };
        let pk = wf_run_key(parent);
        let parent_spec = match self.runs.get(&pk) {
            Some(run) => run.wf_run.wf_spec_id.clone(),
            None => self.store.get_wf_run(&pk)?.and_then(|r| r.wf_spec_id),
        };
        let Some(parent_spec) = parent_spec else {
            return Err(EngineError::failed_precondition(format!(
                "parent_wf_run_id: Parent WfRun of type {} with id {pk} not found.",
                reference.wf_spec_name
            )));
        };
        if parent_spec.name != reference.wf_spec_name {
            return Err(EngineError::invalid_argument(format!(
                "parent_wf_run_id: Parent WfRun is of incorrect type {} but should be {}",
                parent_spec.name, reference.wf_spec_name
            )));
        }
        Ok(())
    }

    /// PutExternalEvent: stores the event (idempotent on guid) and lets a waiting node claim it.
    pub(crate) fn put_external_event(
        &mut self,
        req: PutExternalEventRequest,
    ) -> Result<ExternalEvent, EngineError> {
        let wf_run_id = req
            .wf_run_id
            .ok_or_else(|| EngineError::invalid_argument("wf_run_id must be set"))?;
        let def_id = req
            .external_event_def_id
            .ok_or_else(|| EngineError::invalid_argument("external_event_def_id must be set"))?;
        let def: ExternalEventDef =
            crate::metadata::get_external_event_def(&self.store, &def_id.name)?;
        let content = req.content.unwrap_or_default();
        let content = match def
            .type_information
            .as_ref()
            .and_then(|t| t.return_type.as_ref())
        {
            Some(td) => values::coerce_to(content, td)
                .map_err(|e| EngineError::invalid_argument(format!("content: {e}")))?,
            None => content,
        };
        let key = wf_run_key(&wf_run_id);
        let guid = req.guid.unwrap_or_else(new_guid);
        if let Some(existing) = self.find_event(&key, &def_id.name, &guid)? {
            return Ok(existing);
        }
        let event = ExternalEvent {
            id: Some(ExternalEventId {
                wf_run_id: Some(wf_run_id),
                external_event_def_id: Some(def_id.clone()),
                guid: guid.clone(),
            }),
            created_at: Some(ms_to_ts(now_ms())),
            content: Some(content),
            thread_run_number: req.thread_run_number,
            node_run_position: req.node_run_position,
            claimed: false,
        };
        self.deliver_event(&key, event.clone())?;
        Ok(self.find_event(&key, &def_id.name, &guid)?.unwrap_or(event))
    }

    fn find_event(
        &self,
        key: &str,
        def: &str,
        guid: &str,
    ) -> Result<Option<ExternalEvent>, EngineError> {
        if let Some(run) = self.runs.get(key) {
            let found = run.events.iter().map(|(_, e)| e).find(|e| {
                e.id.as_ref().is_some_and(|i| {
                    i.guid == guid
                        && i.external_event_def_id
                            .as_ref()
                            .is_some_and(|d| d.name == def)
                })
            });
            return Ok(found.cloned());
        }
        Ok(self.store.get_external_event(key, def, guid)?)
    }

    /// StopWfRun / ResumeWfRun on one thread (0 = the whole WfRun).
    pub(crate) fn stop_or_resume(
        &mut self,
        wf_run_id: Option<WfRunId>,
        thread: i32,
        stop: bool,
    ) -> Result<(), EngineError> {
        let id = wf_run_id.ok_or_else(|| EngineError::invalid_argument("wf_run_id must be set"))?;
        let key = wf_run_key(&id);
        let Some(run) = self.runs.get_mut(&key) else {
            return match self.store.get_wf_run(&key)? {
                Some(_) => Ok(()),
                None => Err(EngineError::not_found(ObjectKind::WfRun, &key)),
            };
        };
        if run.thread(thread).is_none() {
            // LittleHorse answers INVALID_ARGUMENT for a thread that does not exist.
            return Err(EngineError::invalid_argument(format!(
                "thread_run_number: WfRun {key} has no ThreadRun {thread}"
            )));
        }
        if stop {
            advance::stop_thread(run, thread);
        } else {
            advance::resume_thread(run, thread);
        }
        self.advance_run(&key);
        Ok(())
    }

    /// GetWfRun.
    pub(crate) fn get_wf_run(&self, key: &str) -> Result<WfRun, EngineError> {
        if let Some(run) = self.runs.get(key) {
            return Ok(run.wf_run.clone());
        }
        self.store
            .get_wf_run(key)?
            .ok_or_else(|| EngineError::not_found(ObjectKind::WfRun, key))
    }

    /// ListNodeRuns (optionally one thread).
    pub(crate) fn list_node_runs(
        &self,
        key: &str,
        thread: Option<i32>,
    ) -> Result<Vec<NodeRun>, EngineError> {
        if let Some(run) = self.runs.get(key) {
            return Ok(run
                .node_runs
                .iter()
                .filter(|((t, _), _)| thread.is_none_or(|x| x == *t))
                .map(|(_, nr)| nr.clone())
                .collect());
        }
        Ok(self.store.list_node_runs(key, thread)?)
    }

    /// GetNodeRun.
    pub(crate) fn get_node_run(
        &self,
        key: &str,
        thread: i32,
        pos: i32,
    ) -> Result<NodeRun, EngineError> {
        let found = match self.runs.get(key) {
            Some(run) => run.node_runs.get(&(thread, pos)).cloned(),
            None => self.store.get_node_run(key, thread, pos)?,
        };
        found.ok_or_else(|| {
            EngineError::not_found(ObjectKind::NodeRun, format!("{key}/{thread}/{pos}"))
        })
    }

    /// GetTaskRun.
    pub(crate) fn get_task_run(&self, key: &str, guid: &str) -> Result<TaskRun, EngineError> {
        let found = match self.runs.get(key) {
            Some(run) => run.task_runs.get(guid).cloned(),
            None => self.store.get_task_run(key, guid)?,
        };
        found.ok_or_else(|| EngineError::not_found(ObjectKind::TaskRun, format!("{key}/{guid}")))
    }

    /// ListTaskRuns.
    pub(crate) fn list_task_runs(&self, key: &str) -> Result<Vec<TaskRun>, EngineError> {
        match self.runs.get(key) {
            Some(run) => {
                let mut trs: Vec<TaskRun> = run.task_runs.values().cloned().collect();
                // The order the store lists them in (stable across pages).
                trs.sort_by_cached_key(|tr| {
                    (
                        tr.scheduled_at.as_ref().map_or(0, ts_to_ms),
                        tr.id.as_ref().map(|i| i.task_guid.clone()),
                    )
                });
                Ok(trs)
            }
            None => Ok(self.store.list_task_runs(key)?),
        }
    }

    /// GetVariable.
    pub(crate) fn get_variable(
        &self,
        key: &str,
        thread: i32,
        name: &str,
    ) -> Result<Variable, EngineError> {
        let found = match self.runs.get(key) {
            Some(run) => run.variables.get(&(thread, name.to_string())).cloned(),
            None => self.store.get_variable(key, thread, name)?,
        };
        found.ok_or_else(|| {
            EngineError::missing(format!(
                "Variable {name} of {key} thread {thread} not found"
            ))
        })
    }

    /// ListVariables.
    pub(crate) fn list_variables(&self, key: &str) -> Result<Vec<Variable>, EngineError> {
        match self.runs.get(key) {
            Some(run) => Ok(run.variables.values().cloned().collect()),
            None => Ok(self.store.list_variables(key)?),
        }
    }

    /// GetExternalEvent.
    pub(crate) fn get_external_event(
        &self,
        key: &str,
        def: &str,
        guid: &str,
    ) -> Result<ExternalEvent, EngineError> {
        self.find_event(key, def, guid)?.ok_or_else(|| {
            EngineError::not_found(ObjectKind::ExternalEvent, format!("{key}/{def}/{guid}"))
        })
    }

    /// ListExternalEvents.
    pub(crate) fn list_external_events(
        &self,
        key: &str,
    ) -> Result<Vec<ExternalEvent>, EngineError> {
        match self.runs.get(key) {
            Some(run) => Ok(run.events.iter().map(|(_, e)| e.clone()).collect()),
            None => Ok(self
                .store
                .list_external_events(key)?
                .into_iter()
                .map(|(_, e)| e)
                .collect()),
        }
    }
}
