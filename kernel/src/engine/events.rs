//! WorkflowEvents (THROW_EVENT, AwaitWorkflowEvent) and correlated external
//! events (PutCorrelatedEvent matching EXTERNAL_EVENT nodes by key).

use super::Engine;
use super::run::CorrelationWait;
use crate::engine::{EngineError, ObjectKind};
use crate::util::{ms_to_ts, new_guid, now_ms, wf_run_key};
use lhw_proto::littlehorse::{
    AwaitWorkflowEventRequest, CorrelatedEvent, CorrelatedEventId, ExternalEvent, ExternalEventId,
    PutCorrelatedEventRequest, WorkflowEvent, WorkflowEventId, node_run::NodeType,
};
use tokio::sync::oneshot;

/// An AwaitWorkflowEvent request waiting for a matching WorkflowEvent.
pub(crate) struct WfEventWaiter {
    key: String,
    defs: Vec<String>,
    ignore: Vec<WorkflowEventId>,
    reply: oneshot::Sender<WorkflowEvent>,
}

impl WfEventWaiter {
    fn wants(&self, key: &str, ev: &WorkflowEvent) -> bool {
        let def = ev
            .id
            .as_ref()
            .and_then(|i| i.workflow_event_def_id.as_ref())
            .map(|d| d.name.as_str())
            .unwrap_or_default();
        self.key == key
            && (self.defs.is_empty() || self.defs.iter().any(|d| d == def))
            && !ev.id.as_ref().is_some_and(|i| self.ignore.contains(i))
    }
}

impl Engine {
    /// Delivers an ExternalEvent to a WfRun (stored for later when it is not active).
    pub(super) fn deliver_event(
        &mut self,
        key: &str,
        event: ExternalEvent,
    ) -> Result<(), EngineError> {
        self.schedule_event_gc(&event)?;
        let seq = self.next_event_seq;
        self.next_event_seq += 1;
        let def = event
            .id
            .as_ref()
            .and_then(|i| i.external_event_def_id.as_ref())
            .map(|d| d.name.clone())
            .unwrap_or_default();
        match self.runs.get_mut(key) {
            Some(run) => {
                run.events.push((seq, event));
                let i = run.events.len() - 1;
                run.dirty.events.insert(i);
                super::threads::interrupt(run, i, &def);
                self.advance_run(key);
            }
            None => self.store.put_external_event(key, seq, &event)?,
        }
        Ok(())
    }

    /// Effects of an advance: answer AwaitWorkflowEvent waiters, correlate
    /// newly arrived correlated EXTERNAL_EVENT nodes with stored events.
    pub(super) fn run_events(
        &mut self,
        key: &str,
        thrown: Vec<WorkflowEvent>,
        correlate: Vec<CorrelationWait>,
    ) {
        for ev in thrown {
            let waiters = std::mem::take(&mut self.wf_event_waiters);
            for w in waiters {
                if w.reply.is_closed() {
                    continue;
                }
                if w.wants(key, &ev) {
                    let (reply, ev) = (w.reply, ev.clone());
                    self.after_commit(move |committed| {
                        if committed.is_ok() {
                            let _ = reply.send(ev);
                        }
                    });
                } else {
                    self.wf_event_waiters.push(w);
                }
            }
        }
        for CorrelationWait {
            def,
            key: ckey,
            thread: t,
            position: pos,
        } in correlate
        {
            match self.store.get_correlated_event(&def, &ckey) {
                Ok(Some(ce)) => {
                    if let Err(e) = self.correlate_into(key, ce, t, pos) {
                        eprintln!("lhw-kernel: correlating {def}/{ckey}: {e}");
                    }
                }
                Ok(None) => {}
                Err(e) => eprintln!("lhw-kernel: correlating {def}/{ckey}: {e}"),
            }
        }
    }

    /// Posts a CorrelatedEvent to the waiting node (thread `t`, position `pos`) of run `key`.
    fn correlate_into(
        &mut self,
        key: &str,
        mut ce: CorrelatedEvent,
        t: i32,
        pos: i32,
    ) -> Result<(), EngineError> {
        let Some(run) = self.runs.get(key) else {
            return Ok(());
        };
        let cid = ce.id.clone().unwrap_or_default();
        let def_id = cid.external_event_def_id.clone().unwrap_or_default();
        let event = ExternalEvent {
            id: Some(ExternalEventId {
                wf_run_id: Some(run.id()),
                external_event_def_id: Some(def_id.clone()),
                guid: new_guid(),
            }),
            created_at: Some(ms_to_ts(now_ms())),
            content: ce.content.clone(),
            thread_run_number: Some(t),
            node_run_position: Some(pos),
            claimed: false,
        };
        ce.external_events.extend(event.id.clone());
        let delete = crate::metadata::get_external_event_def(&self.store, &def_id.name)
            .ok()
            .and_then(|d| d.correlated_event_config)
            .is_some_and(|c| c.delete_after_first_correlation);
        if delete {
            self.store.delete_correlated_event(&def_id.name, &cid.key)?;
        } else {
            self.store
                .put_correlated_event(&def_id.name, &cid.key, &ce)?;
        }
        self.deliver_event(key, event)
    }

    /// PutCorrelatedEvent: stores the event and completes every waiting
    /// EXTERNAL_EVENT node of that def whose correlation key matches.
    pub(crate) fn put_correlated_event(
        &mut self,
        req: PutCorrelatedEventRequest,
    ) -> Result<CorrelatedEvent, EngineError> {
        let def_id = req
            .external_event_def_id
            .ok_or_else(|| EngineError::invalid_argument("external_event_def_id must be set"))?;
        if req.key.is_empty() {
            return Err(EngineError::invalid_argument("key must be set"));
        }
        let def = crate::metadata::get_external_event_def(&self.store, &def_id.name)?;
        let content = req.content.unwrap_or_default();
        let content = match def
            .type_information
            .as_ref()
            .and_then(|t| t.return_type.as_ref())
        {
            Some(td) => crate::values::coerce_to(content, td)
                .map_err(|e| EngineError::invalid_argument(format!("content: {e}")))?,
            None => content,
        };
        let ce = CorrelatedEvent {
            id: Some(CorrelatedEventId {
                key: req.key.clone(),
                external_event_def_id: Some(def_id.clone()),
            }),
            created_at: Some(ms_to_ts(now_ms())),
            content: Some(content),
            external_events: Vec::new(),
        };
        self.store
            .put_correlated_event(&def_id.name, &req.key, &ce)?;
        let mut waiting = Vec::new();
        for (key, run) in &self.runs {
            for ((t, pos), nr) in &run.node_runs {
                if let Some(NodeType::ExternalEvent(ee)) = &nr.node_type
                    && ee.external_event_id.is_none()
                    && !ee.timed_out
                    && ee.correlation_key.as_deref() == Some(req.key.as_str())
                    && ee.external_event_def_id.as_ref().map(|d| &d.name) == Some(&def_id.name)
                    && !super::run::is_terminal(nr.status)
                {
                    waiting.push((key.clone(), *t, *pos));
                }
            }
        }
        for (key, t, pos) in waiting {
            let Some(current) = self.store.get_correlated_event(&def_id.name, &req.key)? else {
                break;
            };
            self.correlate_into(&key, current, t, pos)?;
        }
        Ok(self
            .store
            .get_correlated_event(&def_id.name, &req.key)?
            .unwrap_or(ce))
    }

    /// GetCorrelatedEvent.
    pub(crate) fn get_correlated_event(
        &self,
        id: &CorrelatedEventId,
    ) -> Result<CorrelatedEvent, EngineError> {
        let def = id
            .external_event_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        self.store
            .get_correlated_event(&def, &id.key)?
            .ok_or_else(|| {
                EngineError::not_found(ObjectKind::CorrelatedEvent, format!("{def}/{}", id.key))
            })
    }

    /// DeleteCorrelatedEvent. As LittleHorse's `DeleteCorrelatedEventRequestModel.process`
    /// (server/src/main/java/io/littlehorse/common/model/corecommand/subcommand/): deleting a
    /// CorrelatedEvent that was already deleted or never existed is not an error.
    pub(crate) fn delete_correlated_event(
        &mut self,
        id: &CorrelatedEventId,
    ) -> Result<(), EngineError> {
        let def = id
            .external_event_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        self.store.delete_correlated_event(&def, &id.key)?;
        Ok(())
    }

    /// The WorkflowEvents of a run (active or stored).
    pub(crate) fn list_workflow_events(
        &self,
        key: &str,
    ) -> Result<Vec<WorkflowEvent>, EngineError> {
        match self.runs.get(key) {
            Some(run) => Ok(run.workflow_events.clone()),
            None => Ok(self.store.list_workflow_events(key)?),
        }
    }

    /// GetWorkflowEvent.
    pub(crate) fn get_workflow_event(
        &self,
        id: &WorkflowEventId,
    ) -> Result<WorkflowEvent, EngineError> {
        let key = id
            .wf_run_id
            .as_ref()
            .map(wf_run_key)
            .ok_or_else(|| EngineError::invalid_argument("wf_run_id must be set"))?;
        self.list_workflow_events(&key)?
            .into_iter()
            .find(|e| e.id.as_ref() == Some(id))
            .ok_or_else(|| EngineError::missing("WorkflowEvent not found"))
    }

    /// AwaitWorkflowEvent: answers at once with a matching stored event or
    /// parks the request until one is thrown.
    pub(crate) fn await_workflow_event(
        &mut self,
        req: AwaitWorkflowEventRequest,
        reply: oneshot::Sender<WorkflowEvent>,
    ) -> Result<(), EngineError> {
        let key = req
            .wf_run_id
            .as_ref()
            .map(wf_run_key)
            .ok_or_else(|| EngineError::invalid_argument("wf_run_id must be set"))?;
        if !self.runs.contains_key(&key) && self.store.get_wf_run(&key)?.is_none() {
            return Err(EngineError::not_found(ObjectKind::WfRun, &key));
        }
        let waiter = WfEventWaiter {
            key: key.clone(),
            defs: req.event_def_ids.into_iter().map(|d| d.name).collect(),
            ignore: req.workflow_events_to_ignore,
            reply,
        };
        let found = self
            .list_workflow_events(&key)?
            .into_iter()
            .find(|e| waiter.wants(&key, e));
        match found {
            Some(ev) => {
                let reply = waiter.reply;
                self.after_commit(move |_| {
                    let _ = reply.send(ev);
                });
            }
            None => {
                self.wf_event_waiters.retain(|w| !w.reply.is_closed());
                self.wf_event_waiters.push(waiter);
            }
        }
        Ok(())
    }
}
