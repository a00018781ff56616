//! The suite's own bar: every example under `examples/e2e/` has a module of scenarios
//! here, and together the examples compile to every node type, every kind of failure
//! handler and every step option the scenarios exercise. Adding an example without
//! scenarios, or dropping the last use of a feature, fails these tests.

use crate::harness::example_path;
use lhw_compiler::check::RESERVED_FAILURES;
use lhw_proto::littlehorse::{
    PutWfSpecRequest, WaitForThreadsStrategy, WfRunVariableAccessLevel, exit_node,
    failure_handler_def::FailureToCatch, failure_handler_def::LhFailureType, node,
    sleep_node::SleepLength, task_node::TaskToExecute, ut_action_trigger::Action,
    wait_for_threads_node::ThreadsToWaitForOneOf,
};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The example files, by name.
fn examples() -> Vec<(String, PathBuf)> {
    let dir = example_path("");
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("examples/e2e exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "lhw") && !p.to_string_lossy().ends_with(".test.lhw")
        })
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    files.sort();
    files
}

fn wf_specs() -> Vec<PutWfSpecRequest> {
    examples()
        .iter()
        .flat_map(|(name, path)| {
            let text = std::fs::read_to_string(path).unwrap();
            let compiled = lhw_compiler::compile(&text);
            assert!(
                compiled.diagnostics.is_empty(),
                "{name}: {:?}",
                compiled.diagnostics
            );
            compiled.output.expect("compiles").wf_specs
        })
        .collect()
}

#[test]
fn every_example_has_a_module_of_scenarios() {
    let examples = examples();
    assert!(examples.len() >= 10, "{examples:?}");
    for (name, _) in examples {
        let module = name.trim_end_matches(".lhw").replace('-', "_");
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/e2e")
            .join(format!("{module}.rs"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{name} has no scenarios: {} is missing", path.display()));
        assert!(
            text.contains(&format!("const FILE: &str = \"{name}\";")),
            "{} does not run {name}",
            path.display()
        );
        assert!(
            text.matches("#[tokio::test]").count() >= 2,
            "{} needs a scenario for the success and for a failure path",
            path.display()
        );
        let main = std::fs::read_to_string(path.with_file_name("main.rs")).unwrap();
        assert!(
            main.contains(&format!("mod {module};")),
            "main.rs does not declare mod {module}"
        );
    }
}

#[test]
fn examples_cover_every_node_type_handler_and_option() {
    let mut seen = BTreeSet::new();
    let mut see = |feature: &'static str| {
        seen.insert(feature);
    };
    for spec in wf_specs() {
        if spec.parent_wf_spec.is_some() {
            see("parent workflow");
        }
        // VariableAssignments nest in many places: look for a map builder anywhere.
        if format!("{spec:?}").contains("MapBuilder(") {
            see("map builder");
        }
        for thread in spec.thread_specs.values() {
            if thread
                .variable_defs
                .iter()
                .any(|v| v.access_level == WfRunVariableAccessLevel::InheritedVar as i32)
            {
                see("inherited variable");
            }
            if !thread.interrupt_defs.is_empty() {
                see("interrupt handler");
            }
            for n in thread.nodes.values() {
                for h in &n.failure_handlers {
                    see(match &h.failure_to_catch {
                        None => "catch any failure",
                        Some(FailureToCatch::SpecificFailure(f))
                            if RESERVED_FAILURES.contains(&f.as_str()) =>
                        {
                            "catch a specific error"
                        }
                        Some(FailureToCatch::SpecificFailure(_)) => "catch a named exception",
                        Some(FailureToCatch::AnyFailureOfType(t))
                            if *t == LhFailureType::FailureTypeError as i32 =>
                        {
                            "catch any error"
                        }
                        Some(FailureToCatch::AnyFailureOfType(_)) => "catch any exception",
                    });
                }
                match &n.node {
                    Some(node::Node::Entrypoint(_)) => see("ENTRYPOINT"),
                    Some(node::Node::Exit(e)) => match &e.result {
                        Some(exit_node::Result::ReturnContent(_)) => see("EXIT with output"),
                        Some(exit_node::Result::FailureDef(_)) => see("EXIT with failure"),
                        None => see("EXIT"),
                    },
                    Some(node::Node::Task(t)) => {
                        see("TASK");
                        if t.retries > 0 {
                            see("task retries");
                        }
                        if t.exponential_backoff.is_some() {
                            see("task backoff");
                        }
                        if t.timeout_seconds > 0 {
                            see("task timeout");
                        }
                        if matches!(t.task_to_execute, Some(TaskToExecute::DynamicTask(_))) {
                            see("dynamic task");
                        }
                    }
                    Some(node::Node::ExternalEvent(e)) => {
                        see("EXTERNAL_EVENT");
                        if e.timeout_seconds.is_some() {
                            see("event timeout");
                        }
                        if e.correlation_key.is_some() {
                            see("correlated event");
                        }
                    }
                    Some(node::Node::StartThread(_)) => see("START_THREAD"),
                    Some(node::Node::StartMultipleThreads(_)) => see("START_MULTIPLE_THREADS"),
                    Some(node::Node::WaitForThreads(w)) => {
                        see("WAIT_FOR_THREADS");
                        see(match WaitForThreadsStrategy::try_from(w.strategy) {
                            Ok(WaitForThreadsStrategy::WaitForAll) => "wait for all",
                            Ok(WaitForThreadsStrategy::WaitForFirst) => "wait for first",
                            Ok(WaitForThreadsStrategy::WaitForAny) => "wait for any",
                            Err(_) => "an unknown wait strategy",
                        });
                        if matches!(
                            w.threads_to_wait_for,
                            Some(ThreadsToWaitForOneOf::ThreadList(_))
                        ) {
                            see("wait for a thread list");
                        }
                        if !w.per_thread_failure_handlers.is_empty() {
                            see("per-thread failure handlers");
                        }
                    }
                    Some(node::Node::Nop(_)) => see("NOP"),
                    Some(node::Node::Sleep(s)) => match s.sleep_length {
                        Some(SleepLength::RawSeconds(_)) => see("SLEEP for seconds"),
                        Some(SleepLength::Timestamp(_)) => see("SLEEP until a time"),
                        _ => see("SLEEP"),
                    },
                    Some(node::Node::UserTask(u)) => {
                        see("USER_TASK");
                        for a in &u.actions {
                            match a.action {
                                Some(Action::Task(_)) => see("user task reminder"),
                                Some(Action::Cancel(_)) => see("user task deadline"),
                                _ => {}
                            }
                        }
                        if u.on_cancellation_exception_name.is_some() {
                            see("user task cancel exception");
                        }
                    }
                    Some(node::Node::ThrowEvent(_)) => see("THROW_EVENT"),
                    Some(node::Node::WaitForCondition(_)) => see("WAIT_FOR_CONDITION"),
                    Some(node::Node::RunChildWf(_)) => see("RUN_CHILD_WF"),
                    Some(node::Node::WaitForChildWf(_)) => see("WAIT_FOR_CHILD_WF"),
                    None => see("a node without a kind"),
                }
            }
        }
    }
    let wanted = BTreeSet::from([
        "ENTRYPOINT",
        "EXIT",
        "EXIT with output",
        "EXIT with failure",
        "TASK",
        "task retries",
        "task backoff",
        "task timeout",
        "dynamic task",
        "EXTERNAL_EVENT",
        "event timeout",
        "correlated event",
        "START_THREAD",
        "START_MULTIPLE_THREADS",
        "WAIT_FOR_THREADS",
        "wait for all",
        "wait for first",
        "wait for any",
        "wait for a thread list",
        "per-thread failure handlers",
        "NOP",
        "SLEEP for seconds",
        "SLEEP until a time",
        "USER_TASK",
        "user task reminder",
        "user task deadline",
        "user task cancel exception",
        "THROW_EVENT",
        "WAIT_FOR_CONDITION",
        "RUN_CHILD_WF",
        "WAIT_FOR_CHILD_WF",
        "parent workflow",
        "inherited variable",
        "map builder",
        "interrupt handler",
        "catch any failure",
        "catch a specific error",
        "catch a named exception",
        "catch any error",
        "catch any exception",
    ]);
    let missing: Vec<_> = wanted.difference(&seen).collect();
    assert!(missing.is_empty(), "no example uses: {missing:?}");
    assert!(!seen.contains("a node without a kind"));
}
