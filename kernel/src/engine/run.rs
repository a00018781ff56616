//! One active WfRun in memory: the WfRun with its ThreadRuns, NodeRuns,
//! Variables, TaskRuns and ExternalEvents, with change tracking so that a
//! batch writes only what changed.

use super::Timer;
use crate::storage::{Store, StoreResult};
use lhw_proto::littlehorse::{
    ExternalEvent, LhStatus, NodeRun, TaskRun, ThreadRun, ThreadVarDef, UserTaskRun, Variable,
    WfRun, WfRunId, WfSpec, WorkflowEvent,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Keys of the objects changed since the last flush.
#[derive(Default, Debug)]
pub(crate) struct Dirty {
    /// The WfRun itself (including its ThreadRuns).
    pub(crate) wf_run: bool,
    /// NodeRuns by (thread, position).
    pub(crate) node_runs: BTreeSet<(i32, i32)>,
    /// Variables by (thread, name).
    pub(crate) variables: BTreeSet<(i32, String)>,
    /// TaskRuns by guid.
    pub(crate) task_runs: BTreeSet<String>,
    /// ExternalEvents by index in [`RunState::events`].
    pub(crate) events: BTreeSet<usize>,
    /// WorkflowEvents by index in [`RunState::workflow_events`].
    pub(crate) workflow_events: BTreeSet<usize>,
    /// UserTaskRuns by guid.
    pub(crate) user_task_runs: BTreeSet<String>,
    /// Pending user-task actions by seq (written if present, deleted if gone).
    pub(crate) ut_actions: BTreeSet<i64>,
    /// ThreadRuns archived by their ThreadRetentionPolicy, by number (`thread_retention.rs`).
    pub(crate) archived: BTreeSet<i32>,
}

impl Dirty {
    /// Whether nothing changed.
    pub(crate) fn is_clean(&self) -> bool {
        !self.wf_run
            && self.node_runs.is_empty()
            && self.variables.is_empty()
            && self.task_runs.is_empty()
            && self.events.is_empty()
            && self.workflow_events.is_empty()
            && self.user_task_runs.is_empty()
            && self.ut_actions.is_empty()
            && self.archived.is_empty()
    }
}

/// Side effects produced while advancing a run, applied by the engine afterwards.
#[derive(Default, Debug)]
pub(crate) struct Effects {
    /// TaskRuns to queue.
    pub(crate) tasks: Vec<QueuedTask>,
    /// Timers to schedule: (due epoch ms, timer).
    pub(crate) timers: Vec<(i64, Timer)>,
    /// WorkflowEvents thrown (for AwaitWorkflowEvent waiters).
    pub(crate) thrown: Vec<WorkflowEvent>,
    /// Correlated EXTERNAL_EVENT nodes that arrived.
    pub(crate) correlate: Vec<CorrelationWait>,
    /// Child WfRuns to start.
    pub(crate) children: Vec<super::child::ChildStart>,
}

/// A TaskRun to hand to a worker once the batch commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueuedTask {
    /// The TaskRun's guid.
    pub(crate) guid: String,
    /// Its TaskDef's name (the queue).
    pub(crate) task_def: String,
}

/// An EXTERNAL_EVENT node waiting for the CorrelatedEvent of its def and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CorrelationWait {
    /// The ExternalEventDef's name.
    pub(crate) def: String,
    /// The correlation key.
    pub(crate) key: String,
    /// The waiting ThreadRun.
    pub(crate) thread: i32,
    /// The waiting NodeRun's position.
    pub(crate) position: i32,
}

/// Where a variable seen from a thread lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VarSlot {
    /// A variable of this WfRun, by (thread, name) in [`RunState::variables`].
    Local((i32, String)),
    /// An INHERITED variable: the ancestor WfRun's, by name in [`RunState::inherited`].
    Inherited(String),
}

/// An active WfRun.
pub(crate) struct RunState {
    /// Storage key (see [`crate::util::wf_run_key`]).
    pub(crate) key: String,
    /// The WfRun (with its ThreadRuns).
    pub(crate) wf_run: WfRun,
    /// The WfSpec version it runs.
    pub(crate) spec: Arc<WfSpec>,
    /// NodeRuns by (thread, position).
    pub(crate) node_runs: BTreeMap<(i32, i32), NodeRun>,
    /// Variables by (thread, name).
    pub(crate) variables: BTreeMap<(i32, String), Variable>,
    /// The variables this run declares INHERITED, by name: the Variable of the
    /// ancestor WfRun that owns each (its id names the owner). The engine
    /// fills them when the run is created or loaded and keeps them current.
    pub(crate) inherited: BTreeMap<String, Variable>,
    /// INHERITED variables this run changed since the engine last wrote them to their owner.
    pub(crate) inherited_changed: BTreeSet<String>,
    /// TaskRuns by guid.
    pub(crate) task_runs: HashMap<String, TaskRun>,
    /// ExternalEvents posted to this WfRun id, in arrival order, with their sequence numbers.
    pub(crate) events: Vec<(i64, ExternalEvent)>,
    /// WorkflowEvents thrown by this WfRun, in order.
    pub(crate) workflow_events: Vec<WorkflowEvent>,
    /// Outputs of completed child WfRuns awaited by WAIT_FOR_CHILD_WF, by child key.
    pub(crate) child_outputs: HashMap<String, lhw_proto::littlehorse::VariableValue>,
    /// UserTaskRuns by guid.
    pub(crate) user_task_runs: BTreeMap<String, UserTaskRun>,
    /// Scheduled user-task actions (reassign, cancel, reminder) by seq.
    pub(crate) ut_actions: BTreeMap<i64, super::user_tasks::PendingAction>,
    /// The next user-task action seq.
    pub(crate) next_action_seq: i64,
    /// ThreadRuns moved out of the WfRun by their ThreadRetentionPolicy, by number:
    /// still found by [`RunState::thread`], as LittleHorse's `getThreadRun` finds them.
    pub(crate) archived: BTreeMap<i32, ThreadRun>,
    /// What changed since the last flush.
    pub(crate) dirty: Dirty,
    /// Pending side effects.
    pub(crate) effects: Effects,
}

/// Whether an `LHStatus` is terminal.
pub(crate) fn is_terminal(status: i32) -> bool {
    matches!(
        LhStatus::try_from(status),
        Ok(LhStatus::Completed | LhStatus::Error | LhStatus::Exception)
    )
}

impl RunState {
    /// A fresh run (nothing loaded from storage).
    pub(crate) fn new(key: String, wf_run: WfRun, spec: Arc<WfSpec>) -> RunState {
        RunState {
            key,
            wf_run,
            spec,
            node_runs: BTreeMap::new(),
            variables: BTreeMap::new(),
            inherited: BTreeMap::new(),
            inherited_changed: BTreeSet::new(),
            task_runs: HashMap::new(),
            events: Vec::new(),
            workflow_events: Vec::new(),
            child_outputs: HashMap::new(),
            user_task_runs: BTreeMap::new(),
            ut_actions: BTreeMap::new(),
            next_action_seq: 1,
            archived: BTreeMap::new(),
            dirty: Dirty {
                wf_run: true,
                ..Dirty::default()
            },
            effects: Effects::default(),
        }
    }

    /// Loads every object of a stored WfRun.
    pub(crate) fn load(
        store: &Store,
        key: &str,
        wf_run: WfRun,
        spec: Arc<WfSpec>,
    ) -> StoreResult<RunState> {
        let mut run = RunState::new(key.to_string(), wf_run, spec);
        run.dirty.wf_run = false;
        for nr in store.list_node_runs(key, None)? {
            let (t, p) = nr
                .id
                .as_ref()
                .map_or((0, 0), |i| (i.thread_run_number, i.position));
            run.node_runs.insert((t, p), nr);
        }
        for v in store.list_variables(key)? {
            let (t, n) = v.id.as_ref().map_or((0, String::new()), |i| {
                (i.thread_run_number, i.name.clone())
            });
            run.variables.insert((t, n), v);
        }
        for tr in store.list_task_runs(key)? {
            let guid = tr
                .id
                .as_ref()
                .map(|i| i.task_guid.clone())
                .unwrap_or_default();
            run.task_runs.insert(guid, tr);
        }
        for t in store.list_inactive_thread_runs(key)? {
            if let Some(t) = t.thread_run {
                run.archived.insert(t.number, t);
            }
        }
        run.events = store.list_external_events(key)?;
        run.workflow_events = store.list_workflow_events(key)?;
        for utr in store.list_user_task_runs(key)? {
            let guid = utr
                .id
                .as_ref()
                .map(|i| i.user_task_guid.clone())
                .unwrap_or_default();
            run.user_task_runs.insert(guid, utr);
        }
        for (seq, body) in store.list_ut_actions(key)? {
            match super::user_tasks::PendingAction::decode(&body) {
                Some(a) => {
                    run.ut_actions.insert(seq, a);
                }
                None => eprintln!("lhw-kernel: WfRun {key}: undecodable user task action {seq}"),
            }
            run.next_action_seq = run.next_action_seq.max(seq + 1);
        }
        for nr in run.node_runs.values() {
            if let Some(lhw_proto::littlehorse::node_run::NodeType::WaitForChildWf(w)) =
                &nr.node_type
                && nr.status() == LhStatus::Completed
                && let Some(id) = &w.child_wf_run_id
            {
                let child_key = crate::util::wf_run_key(id);
                if let Some(child) = store.get_wf_run(&child_key)? {
                    let out = child
                        .thread_runs
                        .iter()
                        .find(|t| t.number == 0)
                        .and_then(|t| t.output.clone());
                    run.child_outputs.insert(child_key, out.unwrap_or_default());
                }
            }
        }
        Ok(run)
    }

    /// Writes the changed objects into the current transaction.
    pub(crate) fn flush(&mut self, store: &Store) -> StoreResult<()> {
        // Every active run is flushed after every batch; most did not change.
        if self.dirty.is_clean() && (self.ut_actions.is_empty() || !self.is_finished()) {
            return Ok(());
        }
        let dirty = std::mem::take(&mut self.dirty);
        super::output_topic::stage(self, &dirty, store)?;
        if dirty.wf_run {
            store.put_wf_run(&self.key, &self.wf_run)?;
        }
        for k in &dirty.node_runs {
            if let Some(nr) = self.node_runs.get(k) {
                store.put_node_run(&self.key, nr)?;
            }
        }
        for k in &dirty.variables {
            if let Some(v) = self.variables.get(k) {
                store.put_variable(&self.key, v)?;
            }
        }
        for k in &dirty.task_runs {
            if let Some(tr) = self.task_runs.get(k) {
                store.put_task_run(&self.key, tr)?;
            }
        }
        for i in &dirty.workflow_events {
            if let Some(ev) = self.workflow_events.get(*i) {
                store.put_workflow_event(&self.key, ev)?;
            }
        }
        for i in &dirty.events {
            if let Some((seq, ev)) = self.events.get(*i) {
                store.put_external_event(&self.key, *seq, ev)?;
            }
        }
        for n in &dirty.archived {
            if let Some(t) = self.archived.get(n) {
                store.put_inactive_thread_run(
                    &self.key,
                    &super::thread_retention::inactive(self.id(), t),
                )?;
            }
        }
        for k in &dirty.user_task_runs {
            if let Some(utr) = self.user_task_runs.get(k) {
                store.put_user_task_run(&self.key, utr)?;
            }
        }
        // A finished run needs no more user-task actions.
        if self.is_finished() {
            let seqs: Vec<i64> = self.ut_actions.keys().copied().collect();
            for seq in seqs {
                self.ut_actions.remove(&seq);
                store.delete_ut_action(&self.key, seq)?;
            }
        }
        for seq in &dirty.ut_actions {
            match self.ut_actions.get(seq) {
                Some(a) => store.put_ut_action(&self.key, *seq, &a.encode())?,
                None => store.delete_ut_action(&self.key, *seq)?,
            }
        }
        Ok(())
    }

    /// Whether the WfRun has finished and holds nothing more to do.
    pub(crate) fn is_finished(&self) -> bool {
        is_terminal(self.wf_run.status)
    }

    /// The WfRun id.
    pub(crate) fn id(&self) -> WfRunId {
        self.wf_run.id.clone().unwrap_or_default()
    }

    /// A ThreadRun by number.
    pub(crate) fn thread(&self, t: i32) -> Option<&ThreadRun> {
        self.wf_run
            .thread_runs
            .iter()
            .find(|tr| tr.number == t)
            .or_else(|| self.archived.get(&t))
    }

    /// A ThreadRun by number, mutably (marks the WfRun changed).
    pub(crate) fn thread_mut(&mut self, t: i32) -> Option<&mut ThreadRun> {
        self.dirty.wf_run = true;
        self.wf_run.thread_runs.iter_mut().find(|tr| tr.number == t)
    }

    /// A NodeRun, mutably (marks it changed).
    pub(crate) fn node_run_mut(&mut self, t: i32, pos: i32) -> Option<&mut NodeRun> {
        self.dirty.node_runs.insert((t, pos));
        self.node_runs.get_mut(&(t, pos))
    }

    /// Inserts a NodeRun (marks it changed).
    pub(crate) fn put_node_run(&mut self, t: i32, pos: i32, nr: NodeRun) {
        self.dirty.node_runs.insert((t, pos));
        self.node_runs.insert((t, pos), nr);
    }

    /// A UserTaskRun, mutably (marks it changed).
    pub(crate) fn user_task_run_mut(&mut self, guid: &str) -> Option<&mut UserTaskRun> {
        self.dirty.user_task_runs.insert(guid.to_string());
        self.user_task_runs.get_mut(guid)
    }

    /// A TaskRun, mutably (marks it changed).
    pub(crate) fn task_run_mut(&mut self, guid: &str) -> Option<&mut TaskRun> {
        self.dirty.task_runs.insert(guid.to_string());
        self.task_runs.get_mut(guid)
    }

    /// The threads whose variables thread `t` sees: itself, then its parent
    /// threads up to the entrypoint.
    pub(crate) fn thread_chain(&self, t: i32) -> Vec<i32> {
        let mut chain = Vec::new();
        let mut cur = Some(t);
        while let Some(n) = cur {
            chain.push(n);
            cur = self
                .thread(n)
                .and_then(|tr| tr.parent_thread_id)
                .filter(|p| *p < n);
        }
        chain
    }

    /// Where the variable `name` visible from thread `t` lives: the thread's
    /// own, then its parent threads', then an INHERITED variable of an
    /// ancestor WfRun (LittleHorse's `ThreadRun#getVariable` order).
    pub(crate) fn find_var(&self, t: i32, name: &str) -> Option<VarSlot> {
        let mut cur = Some(t);
        // A thread's parent has a lower number: the walk ends.
        while let Some(n) = cur {
            let key = (n, name.to_string());
            if self.variables.contains_key(&key) {
                return Some(VarSlot::Local(key));
            }
            cur = self
                .thread(n)
                .and_then(|tr| tr.parent_thread_id)
                .filter(|p| *p < n);
        }
        self.inherited
            .contains_key(name)
            .then(|| VarSlot::Inherited(name.to_string()))
    }

    /// The Variable in a slot.
    pub(crate) fn slot(&self, slot: &VarSlot) -> Option<&Variable> {
        match slot {
            VarSlot::Local(key) => self.variables.get(key),
            VarSlot::Inherited(name) => self.inherited.get(name),
        }
    }

    /// Replaces the Variable in a slot (marks it changed).
    pub(crate) fn set_slot(&mut self, slot: &VarSlot, v: Variable) {
        match slot {
            VarSlot::Local(key) => {
                self.dirty.variables.insert(key.clone());
                self.variables.insert(key.clone(), v);
            }
            VarSlot::Inherited(name) => {
                self.inherited_changed.insert(name.clone());
                self.inherited.insert(name.clone(), v);
            }
        }
    }

    /// The declaration of the variable in a slot: the declaring thread's, for
    /// an INHERITED one this WfSpec's INHERITED declaration.
    pub(crate) fn slot_def(&self, slot: &VarSlot) -> Option<&ThreadVarDef> {
        match slot {
            VarSlot::Local((t, name)) => self.var_def(*t, name),
            VarSlot::Inherited(name) => crate::wfspec::all_variables(&self.spec)
                .find(|v| v.var_def.as_ref().is_some_and(|d| &d.name == name)),
        }
    }

    /// The declaration of a variable of thread `t`.
    pub(crate) fn var_def(&self, t: i32, name: &str) -> Option<&ThreadVarDef> {
        let spec_name = &self.thread(t)?.thread_spec_name;
        self.spec
            .thread_specs
            .get(spec_name)?
            .variable_defs
            .iter()
            .find(|v| v.var_def.as_ref().is_some_and(|d| d.name == name))
    }
}
