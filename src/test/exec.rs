//! Running one test on a fresh simulation, step by step, and judging its expectations.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use lhw_compiler::source::Span;
use lhw_compiler::test::plan::{Expectation, RunStatus, StepKind, TestCase, UserTaskState};
use lhw_kernel::sim::{EPOCH_MS, Sim, SimError, UserTaskAction};
use lhw_proto::littlehorse as pb;

use super::load::Suite;
use super::mocks::CaseMocks;
use super::values::{same, show, show_call, show_elapsed};

/// What one test did.
pub(crate) struct CaseResult {
    /// The test's name.
    pub(crate) name: String,
    /// Passed, or why not.
    pub(crate) failure: Option<Failure>,
    /// Real time it took.
    pub(crate) elapsed: Duration,
    /// The nodes and edges its run visited.
    pub(crate) visits: Visits,
}

/// Why a test failed.
pub(crate) struct Failure {
    /// What went wrong.
    pub(crate) message: String,
    /// The expected value, when an expectation failed.
    pub(crate) expected: Option<String>,
    /// The actual value.
    pub(crate) actual: Option<String>,
    /// The step (in the test file).
    pub(crate) span: Span,
    /// More lines (where a task was called, the virtual time).
    pub(crate) notes: Vec<String>,
}

/// Nodes `(workflow, thread, node)` and edges `(workflow, thread, from, to)` a run visited.
#[derive(Default)]
pub(crate) struct Visits {
    pub(crate) nodes: BTreeSet<(String, String, String)>,
    pub(crate) edges: BTreeSet<(String, String, String, String)>,
}

/// Runs `case` of `suite`.
pub(crate) fn run_case(suite: &Suite, case: &TestCase) -> CaseResult {
    let started = Instant::now();
    let mut visits = Visits::default();
    let failure = match Sim::new() {
        Err(e) => Some(plain(
            format!("cannot start the simulation: {e}"),
            case.span,
        )),
        Ok(mut sim) => {
            let failure = drive(&mut sim, suite, case);
            collect_visits(&sim, &case.workflow, &mut visits);
            failure
        }
    };
    CaseResult {
        name: case.name.clone(),
        failure,
        elapsed: started.elapsed(),
        visits,
    }
}

fn plain(message: String, span: Span) -> Failure {
    Failure {
        message,
        expected: None,
        actual: None,
        span,
        notes: Vec::new(),
    }
}

fn drive(sim: &mut Sim, suite: &Suite, case: &TestCase) -> Option<Failure> {
    let mut mocks = CaseMocks::new(&case.mocks);
    if let Err(e) = sim.deploy(&suite.deployment) {
        return Some(plain(format!("cannot deploy the workflow: {e}"), case.span));
    }
    let mut started = false;
    for step in &case.steps {
        if !started && !matches!(step.kind, StepKind::Start(_)) {
            started = true;
            if let Err(e) = sim.start(&case.workflow, BTreeMap::new(), &mut mocks) {
                return Some(sim_failure(sim, suite, e, step.span));
            }
        }
        let result = match &step.kind {
            StepKind::Start(inputs) => {
                started = true;
                sim.start(&case.workflow, inputs.clone(), &mut mocks)
            }
            StepKind::Advance(ms) => {
                sim.advance(i64::try_from(*ms).unwrap_or(i64::MAX), &mut mocks)
            }
            StepKind::Send {
                event,
                key: Some(key),
                content,
            } => sim.put_correlated_event(event, key, content.clone(), &mut mocks),
            StepKind::Send {
                event,
                key: None,
                content,
            } => sim.put_external_event(event, content.clone(), &mut mocks),
            StepKind::Complete { form, fields, by } => sim.user_task(
                form,
                UserTaskAction::Complete {
                    results: fields.clone(),
                    user_id: by.clone(),
                },
                &mut mocks,
            ),
            StepKind::Assign { form, user, group } => sim.user_task(
                form,
                UserTaskAction::Assign {
                    user_id: user.clone(),
                    user_group: group.clone(),
                },
                &mut mocks,
            ),
            StepKind::Cancel(form) => sim.user_task(form, UserTaskAction::Cancel, &mut mocks),
            StepKind::Expect(e) => match expect(sim, suite, case, e) {
                Ok(None) => Ok(()),
                Ok(Some(mut f)) => {
                    f.span = step.span;
                    f.notes.push(format!(
                        "at virtual time {}",
                        show_elapsed(sim.now_ms() - EPOCH_MS)
                    ));
                    return Some(f);
                }
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            return Some(sim_failure(sim, suite, e, step.span));
        }
    }
    if !started && let Err(e) = sim.start(&case.workflow, BTreeMap::new(), &mut mocks) {
        return Some(sim_failure(sim, suite, e, case.span));
    }
    None
}

fn sim_failure(sim: &Sim, suite: &Suite, e: SimError, span: Span) -> Failure {
    let mut f = plain(e.to_string(), span);
    if let SimError::Unmocked(call) = &e {
        f.message = format!("task `{}` is called but not mocked", call.task);
        let wf = sim
            .wf_run()
            .ok()
            .and_then(|r| r.wf_spec_id.map(|s| s.name))
            .unwrap_or_default();
        let line = suite
            .node_lines
            .get(&(wf, call.thread_spec.clone(), call.node.clone()))
            .map(|l| format!(" ({}:{})", l.file, l.line))
            .unwrap_or_default();
        let args: Vec<pb::VariableValue> = call.args.iter().map(|(_, v)| v.clone()).collect();
        f.notes.push(format!(
            "called as {} by node `{}` of thread `{}`{line}",
            show_call(&call.task, &args),
            call.node,
            call.thread_spec
        ));
        f.notes.push(format!(
            "mock it in the test: `mock {} returns ...` (or `fails`, `throws NAME`, `times out`)",
            call.task
        ));
    }
    f.notes.push(format!(
        "at virtual time {}",
        show_elapsed(sim.now_ms() - EPOCH_MS)
    ));
    f
}

fn mismatch(message: String, expected: String, actual: String) -> Option<Failure> {
    Some(Failure {
        message,
        expected: Some(expected),
        actual: Some(actual),
        span: Span::new(0, 0),
        notes: Vec::new(),
    })
}

fn status_of(code: i32) -> &'static str {
    match pb::LhStatus::try_from(code) {
        Ok(pb::LhStatus::Starting | pb::LhStatus::Running) => RunStatus::Running.word(),
        Ok(pb::LhStatus::Completed) => RunStatus::Completed.word(),
        Ok(pb::LhStatus::Halting | pb::LhStatus::Halted) => RunStatus::Halted.word(),
        Ok(pb::LhStatus::Error) => RunStatus::Error.word(),
        Ok(pb::LhStatus::Exception) => RunStatus::Exception.word(),
        Err(_) => "unknown",
    }
}

/// `TASK_FAILURE` and `task-failure` alike.
fn failure_key(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

fn expect(
    sim: &Sim,
    suite: &Suite,
    case: &TestCase,
    e: &Expectation,
) -> Result<Option<Failure>, SimError> {
    Ok(match e {
        Expectation::Status { status, failure } => {
            let run = sim.wf_run()?;
            let actual = status_of(run.status);
            let failures: Vec<String> = sim
                .node_runs()?
                .iter()
                .flat_map(|n| n.failures.iter())
                .filter(|f| !f.was_properly_handled)
                .map(|f| f.failure_name.clone())
                .collect();
            let shown = |s: &str| match failures.last() {
                Some(f) if s == "error" || s == "exception" => format!("{s} {}", failure_key(f)),
                _ => s.to_string(),
            };
            let expected = match failure {
                Some(f) => format!("{} {f}", status.word()),
                None => status.word().to_string(),
            };
            let failure_ok = failure
                .as_ref()
                .is_none_or(|f| failures.iter().any(|g| failure_key(g) == failure_key(f)));
            if actual != status.word() || !failure_ok {
                let mut f = mismatch("the run's status differs".into(), expected, shown(actual));
                if let Some(f) = f.as_mut()
                    && let Some(msg) = run
                        .thread_runs
                        .first()
                        .and_then(|t| t.error_message.clone())
                {
                    f.notes.push(format!("the run's error: {msg}"));
                }
                f
            } else {
                None
            }
        }
        Expectation::Var { name, value } => {
            let actual = sim.variable(name)?.unwrap_or_default();
            (!same(&actual, value)).then_some(()).and_then(|()| {
                mismatch(
                    format!("variable `{name}` differs"),
                    show(value),
                    show(&actual),
                )
            })
        }
        Expectation::Called { task, args, times } => {
            let calls: Vec<Vec<pb::VariableValue>> = sim
                .calls()
                .iter()
                .filter(|c| c.task == *task)
                .map(|c| c.args.iter().map(|(_, v)| v.clone()).collect())
                .collect();
            let matching = calls
                .iter()
                .filter(|c| {
                    args.as_ref().is_none_or(|a| {
                        a.len() == c.len() && a.iter().zip(c.iter()).all(|(x, y)| same(x, y))
                    })
                })
                .count();
            let ok = match times {
                None => matching > 0,
                Some(n) => matching == *n as usize,
            };
            let what = match args {
                Some(a) => show_call(task, a),
                None => task.clone(),
            };
            let expected = match times {
                None => format!("{what} called at least once"),
                Some(0) => format!("{what} never called"),
                Some(n) => format!("{what} called {}", times_word(*n as usize)),
            };
            let actual = if calls.is_empty() {
                format!("{task} never called")
            } else {
                let shown: Vec<String> = calls.iter().map(|c| show_call(task, c)).collect();
                format!(
                    "{} matching, {} in all: {}",
                    times_word(matching),
                    times_word(calls.len()),
                    shown.join(", ")
                )
            };
            (!ok)
                .then_some(())
                .and_then(|()| mismatch("task calls differ".into(), expected, actual))
        }
        Expectation::Path(expected) => {
            let actual = path(sim, suite, &case.workflow)?;
            (actual != *expected).then_some(()).and_then(|()| {
                mismatch(
                    "the path differs".into(),
                    expected.join(" -> "),
                    if actual.is_empty() {
                        "(no steps)".into()
                    } else {
                        actual.join(" -> ")
                    },
                )
            })
        }
        Expectation::Emitted { event, value } => {
            let events: Vec<pb::VariableValue> = sim
                .workflow_events()?
                .into_iter()
                .filter(|w| {
                    w.id.as_ref()
                        .and_then(|i| i.workflow_event_def_id.as_ref())
                        .is_some_and(|d| d.name == *event)
                })
                .map(|w| w.content.unwrap_or_default())
                .collect();
            let ok = match value {
                None => !events.is_empty(),
                Some(v) => events.iter().any(|e| same(e, v)),
            };
            let expected = match value {
                Some(v) => format!("{event} emitted with {}", show(v)),
                None => format!("{event} emitted"),
            };
            let actual = if events.is_empty() {
                format!("{event} not emitted")
            } else {
                let shown: Vec<String> = events.iter().map(show).collect();
                format!("{event} emitted with {}", shown.join(", "))
            };
            (!ok)
                .then_some(())
                .and_then(|()| mismatch("workflow events differ".into(), expected, actual))
        }
        Expectation::UserTask { form, state } => {
            let latest = sim
                .user_task_runs()?
                .into_iter()
                .rfind(|u| u.user_task_def_id.as_ref().is_some_and(|d| d.name == *form));
            let actual = latest.map_or("never asked", |u| {
                match pb::UserTaskRunStatus::try_from(u.status) {
                    Ok(pb::UserTaskRunStatus::Unassigned) => UserTaskState::Waiting.word(),
                    Ok(pb::UserTaskRunStatus::Assigned) => UserTaskState::Assigned.word(),
                    Ok(pb::UserTaskRunStatus::Done) => UserTaskState::Done.word(),
                    Ok(pb::UserTaskRunStatus::Cancelled) => UserTaskState::Cancelled.word(),
                    Err(_) => "unknown",
                }
            });
            (actual != state.word()).then_some(()).and_then(|()| {
                mismatch(
                    format!("user task `{form}` differs"),
                    state.word().to_string(),
                    actual.to_string(),
                )
            })
        }
    })
}

fn times_word(n: usize) -> String {
    match n {
        0 => "0 times".into(),
        1 => "once".into(),
        n => format!("{n} times"),
    }
}

/// The run's steps in order of arrival: task, user task and awaited event names.
fn path(sim: &Sim, suite: &Suite, workflow: &str) -> Result<Vec<String>, SimError> {
    let Some(spec) = suite.specs.get(workflow) else {
        return Ok(Vec::new());
    };
    let mut runs = sim.node_runs()?;
    runs.sort_by_key(|n| {
        (
            n.arrival_time
                .as_ref()
                .map_or(0, |t| t.seconds * 1000 + i64::from(t.nanos / 1_000_000)),
            n.id.as_ref().map_or(0, |i| i.thread_run_number),
            n.id.as_ref().map_or(0, |i| i.position),
        )
    });
    Ok(runs
        .iter()
        .filter_map(|n| {
            let node = spec
                .thread_specs
                .get(&n.thread_spec_name)?
                .nodes
                .get(&n.node_name)?;
            step_name(node)
        })
        .collect())
}

fn step_name(node: &pb::Node) -> Option<String> {
    use pb::node::Node as N;
    match node.node.as_ref()? {
        N::Task(t) => match t.task_to_execute.as_ref()? {
            pb::task_node::TaskToExecute::TaskDefId(id) => Some(id.name.clone()),
            pb::task_node::TaskToExecute::DynamicTask(_) => None,
        },
        N::UserTask(u) => Some(u.user_task_def_name.clone()),
        N::ExternalEvent(e) => e.external_event_def_id.as_ref().map(|d| d.name.clone()),
        _ => None,
    }
}

fn collect_visits(sim: &Sim, workflow: &str, visits: &mut Visits) {
    let Ok(runs) = sim.node_runs() else {
        return;
    };
    let mut by_thread: BTreeMap<i32, Vec<&pb::NodeRun>> = BTreeMap::new();
    for n in &runs {
        let id =
            n.id.as_ref()
                .map_or((0, 0), |i| (i.thread_run_number, i.position));
        by_thread.entry(id.0).or_default().push(n);
        visits.nodes.insert((
            workflow.to_string(),
            n.thread_spec_name.clone(),
            n.node_name.clone(),
        ));
    }
    for nodes in by_thread.values_mut() {
        nodes.sort_by_key(|n| n.id.as_ref().map_or(0, |i| i.position));
        for pair in nodes.windows(2) {
            visits.edges.insert((
                workflow.to_string(),
                pair[0].thread_spec_name.clone(),
                pair[0].node_name.clone(),
                pair[1].node_name.clone(),
            ));
        }
    }
}
