//! Simulations: the kernel's engine run in process, on an in-memory database, with a
//! virtual clock and mocked tasks. `lhc test` runs each test case in one [`Sim`].
//!
//! No thread, no network and no workers: the caller drives the engine. After each step
//! (start a run, post an event, complete a user task, ...) the simulation *settles*: every
//! task waiting for a worker is answered by the [`Mocks`], again and again, until nothing
//! is left to do at the current virtual time. [`Sim::advance`] then moves the clock
//! forward timer by timer (sleeps, task timeouts, retry backoff, user-task deadlines and
//! reminders all fire in due order, each at its own instant), settling after each.
//!
//! A task the mocks do not answer stops the simulation with [`SimError::Unmocked`],
//! naming the task and the node that called it.

mod drive;
mod inspect;

pub use drive::{Mocks, TaskAnswer, TaskCall};
pub use inspect::UserTaskAction;

use crate::clock::VirtualClock;
use crate::engine::Engine;
use crate::storage::Store;
use lhw_proto::littlehorse as pb;
use std::fmt;

/// Where the virtual clock starts: 2026-01-01T00:00:00Z, so that test output is the
/// same on every run.
pub const EPOCH_MS: i64 = 1_767_225_600_000;

/// Why a simulation step failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// The kernel refused a request (its gRPC status message).
    Kernel(String),
    /// A task was called that the mocks do not answer.
    Unmocked(Box<TaskCall>),
    /// The simulation did not settle: tasks kept being dispatched (an endless loop).
    Runaway {
        /// How many task attempts were answered before giving up.
        attempts: usize,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Kernel(m) => write!(f, "the kernel refused the request: {m}"),
            SimError::Unmocked(call) => write!(
                f,
                "task `{}` was called (node `{}` of thread `{}`) but the test does not mock it",
                call.task, call.node, call.thread_spec
            ),
            SimError::Runaway { attempts } => write!(
                f,
                "the run did not settle after {attempts} task attempts (an endless loop?)"
            ),
        }
    }
}

impl std::error::Error for SimError {}

impl From<crate::engine::EngineError> for SimError {
    fn from(s: crate::engine::EngineError) -> SimError {
        SimError::Kernel(s.message())
    }
}

impl From<crate::storage::StoreError> for SimError {
    fn from(e: crate::storage::StoreError) -> SimError {
        SimError::Kernel(e.to_string())
    }
}

/// The metadata a simulation needs, in deployment order (as `lhc deploy` sends it).
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// StructDefs.
    pub struct_defs: Vec<pb::PutStructDefRequest>,
    /// TaskDefs.
    pub task_defs: Vec<pb::PutTaskDefRequest>,
    /// ExternalEventDefs.
    pub external_event_defs: Vec<pb::PutExternalEventDefRequest>,
    /// WorkflowEventDefs.
    pub workflow_event_defs: Vec<pb::PutWorkflowEventDefRequest>,
    /// UserTaskDefs.
    pub user_task_defs: Vec<pb::PutUserTaskDefRequest>,
    /// WfSpecs (parents and children before the WfSpecs that need them).
    pub wf_specs: Vec<pb::PutWfSpecRequest>,
}

/// One simulated kernel with one WfRun under test.
pub struct Sim {
    engine: Engine,
    clock: VirtualClock,
    /// The key of the WfRun under test, once started.
    run: Option<String>,
    /// Every task attempt answered so far, in order.
    calls: Vec<TaskCall>,
}

impl Sim {
    /// A fresh kernel on an in-memory database, its clock at [`EPOCH_MS`].
    pub fn new() -> Result<Sim, SimError> {
        let clock = VirtualClock::install(EPOCH_MS);
        let engine = Engine::open_in_process(Store::open_in_memory()?)?;
        Ok(Sim {
            engine,
            clock,
            run: None,
            calls: Vec::new(),
        })
    }

    /// The virtual time (epoch ms).
    pub fn now_ms(&self) -> i64 {
        self.clock.now()
    }

    /// Registers the metadata and WfSpecs.
    pub fn deploy(&mut self, d: &Deployment) -> Result<(), SimError> {
        self.batch(|e| {
            let store = e.store();
            for r in &d.struct_defs {
                crate::metadata::put_struct_def(store, r.clone())?;
            }
            for r in &d.task_defs {
                crate::metadata::put_task_def(store, r.clone())?;
            }
            for r in &d.external_event_defs {
                crate::metadata::put_external_event_def(store, r.clone())?;
            }
            for r in &d.workflow_event_defs {
                crate::metadata::put_workflow_event_def(store, r.clone())?;
            }
            for r in &d.user_task_defs {
                crate::metadata::put_user_task_def(store, r.clone())?;
            }
            for r in &d.wf_specs {
                crate::wfspec::put_wf_spec(store, r.clone())?;
            }
            Ok(())
        })
    }

    /// Starts the WfRun under test and settles.
    pub fn start(
        &mut self,
        wf_spec: &str,
        inputs: std::collections::BTreeMap<String, pb::VariableValue>,
        mocks: &mut dyn Mocks,
    ) -> Result<(), SimError> {
        let req = pb::RunWfRequest {
            wf_spec_name: wf_spec.to_string(),
            variables: inputs,
            id: Some("test-run".to_string()),
            ..Default::default()
        };
        let run = self.batch(|e| e.run_wf(req))?;
        let key = run
            .id
            .as_ref()
            .map(crate::util::wf_run_key)
            .unwrap_or_default();
        self.run = Some(key);
        self.settle(mocks)
    }

    /// The id of the WfRun under test.
    pub(crate) fn wf_run_id(&self) -> Result<pb::WfRunId, SimError> {
        self.run
            .as_ref()
            .map(|k| pb::WfRunId {
                id: k.clone(),
                parent_wf_run_id: None,
            })
            .ok_or_else(|| SimError::Kernel("the run has not been started".to_string()))
    }

    /// The key of the WfRun under test.
    fn key(&self) -> Result<String, SimError> {
        self.run
            .clone()
            .ok_or_else(|| SimError::Kernel("the run has not been started".to_string()))
    }

    /// Posts an external event (an interrupt, when the WfSpec registers it as one) to the
    /// run under test and settles.
    pub fn put_external_event(
        &mut self,
        event: &str,
        content: Option<pb::VariableValue>,
        mocks: &mut dyn Mocks,
    ) -> Result<(), SimError> {
        let req = pb::PutExternalEventRequest {
            wf_run_id: Some(self.wf_run_id()?),
            external_event_def_id: Some(pb::ExternalEventDefId {
                name: event.to_string(),
            }),
            content,
            ..Default::default()
        };
        self.batch(|e| e.put_external_event(req))?;
        self.settle(mocks)
    }

    /// Posts a correlated event with `key` and settles.
    pub fn put_correlated_event(
        &mut self,
        event: &str,
        key: &str,
        content: Option<pb::VariableValue>,
        mocks: &mut dyn Mocks,
    ) -> Result<(), SimError> {
        let req = pb::PutCorrelatedEventRequest {
            key: key.to_string(),
            external_event_def_id: Some(pb::ExternalEventDefId {
                name: event.to_string(),
            }),
            content,
        };
        self.batch(|e| e.put_correlated_event(req))?;
        self.settle(mocks)
    }

    /// Moves the virtual clock forward by `ms`, firing every timer that falls due on the
    /// way at its own instant (in due order) and settling after each.
    pub fn advance(&mut self, ms: i64, mocks: &mut dyn Mocks) -> Result<(), SimError> {
        let target = self.clock.now().saturating_add(ms.max(0));
        self.settle(mocks)?;
        while let Some(due) = self.engine.next_timer_due().filter(|d| *d <= target) {
            self.clock.set(due);
            self.batch(|e| {
                e.fire_due_timers();
                Ok(())
            })?;
            self.settle(mocks)?;
        }
        self.clock.set(target);
        self.settle(mocks)
    }

    /// Runs `f` in one engine batch and commits it.
    fn batch<T>(
        &mut self,
        f: impl FnOnce(&mut Engine) -> Result<T, crate::engine::EngineError>,
    ) -> Result<T, SimError> {
        self.engine.begin_batch()?;
        let result = f(&mut self.engine);
        self.engine.end_batch();
        Ok(result?)
    }
}
