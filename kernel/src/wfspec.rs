//! PutWfSpec: server-side validation essentials and versioning (LittleHorse
//! semantics: identical re-put is a no-op, a breaking change makes a new
//! major version, anything else a new revision), plus GetWfSpec lookups.

use crate::metadata::check_name;
use crate::storage::{Store, kind};
use crate::util::{is_error_name, is_valid_name, now_ts};
use lhw_proto::littlehorse::{
    AllowedUpdateType, ExternalEventDef, FailureHandlerDef, InlineStructBuilder, Node,
    PutWfSpecRequest, TaskDef, ThreadSpec, ThreadVarDef, VariableAssignment, VariableMutation,
    WfRunVariableAccessLevel, WfSpec, WfSpecId, edge::EdgeCondition, exit_node,
    failure_handler_def::FailureToCatch, inline_struct_field_value::StructValue,
    lh_path::selector::SelectorType, node, sleep_node::SleepLength, task_node::TaskToExecute,
    ut_action_trigger, variable_assignment::Source, variable_mutation::RhsValue,
    wait_for_condition_node::NodeCondition, wait_for_threads_node::ThreadsToWaitForOneOf,
    wf_spec::ParentWfSpecReference,
};
use std::collections::{BTreeMap, HashSet};
use tonic::Status;

/// Default task timeout (seconds) stored for a TaskNode with `timeout_seconds` 0.
pub const DEFAULT_TASK_TIMEOUT_SECONDS: i32 = 60;

/// The name of a node's oneof case (`TASK`, `EXIT`, ...).
pub fn node_case(n: &Node) -> &'static str {
    match &n.node {
        None => "UNSET",
        Some(node::Node::Entrypoint(_)) => "ENTRYPOINT",
        Some(node::Node::Exit(_)) => "EXIT",
        Some(node::Node::Task(_)) => "TASK",
        Some(node::Node::ExternalEvent(_)) => "EXTERNAL_EVENT",
        Some(node::Node::StartThread(_)) => "START_THREAD",
        Some(node::Node::WaitForThreads(_)) => "WAIT_FOR_THREADS",
        Some(node::Node::Nop(_)) => "NOP",
        Some(node::Node::Sleep(_)) => "SLEEP",
        Some(node::Node::UserTask(_)) => "USER_TASK",
        Some(node::Node::StartMultipleThreads(_)) => "START_MULTIPLE_THREADS",
        Some(node::Node::ThrowEvent(_)) => "THROW_EVENT",
        Some(node::Node::WaitForCondition(_)) => "WAIT_FOR_CONDITION",
        Some(node::Node::RunChildWf(_)) => "RUN_CHILD_WF",
        Some(node::Node::WaitForChildWf(_)) => "WAIT_FOR_CHILD_WF",
    }
}

/// Collects the variable names a VariableAssignment reads.
fn va_vars<'a>(va: &'a VariableAssignment, out: &mut Vec<&'a str>) {
    if let Some(lhw_proto::littlehorse::variable_assignment::Path::LhPath(p)) = &va.path {
        for s in &p.path {
            if let Some(SelectorType::Dynamic(d)) = &s.selector_type {
                va_vars(d, out);
            }
        }
    }
    match &va.source {
        Some(Source::VariableName(n)) => out.push(n),
        Some(Source::FormatString(f)) => {
            if let Some(fmt) = &f.format {
                va_vars(fmt, out);
            }
            for a in &f.args {
                va_vars(a, out);
            }
        }
        Some(Source::Expression(e)) => {
            if let Some(l) = &e.lhs {
                va_vars(l, out);
            }
            if let Some(r) = &e.rhs {
                va_vars(r, out);
            }
        }
        Some(Source::SizeOf(s)) => {
            if let Some(o) = &s.operand {
                va_vars(o, out);
            }
        }
        Some(Source::MapBuilder(m)) => {
            for e in &m.entries {
                for va in [&e.key, &e.value].into_iter().flatten() {
                    va_vars(va, out);
                }
            }
        }
        Some(Source::StructBuilder(b)) => {
            if let Some(fields) = &b.value {
                struct_builder_vars(fields, out);
            }
        }
        _ => {}
    }
}

fn struct_builder_vars<'a>(b: &'a InlineStructBuilder, out: &mut Vec<&'a str>) {
    for field in b.fields.values() {
        match &field.struct_value {
            Some(StructValue::SimpleValue(va)) => va_vars(va, out),
            Some(StructValue::SubStructure(sub)) => struct_builder_vars(sub, out),
            None => {}
        }
    }
}

fn mutation_vars<'a>(m: &'a VariableMutation, out: &mut Vec<&'a str>) {
    out.push(&m.lhs_name);
    if let Some(RhsValue::RhsAssignment(va)) = &m.rhs_value {
        va_vars(va, out);
    }
}

fn invalid(thread: &str, node: &str, detail: impl std::fmt::Display) -> Status {
    Status::invalid_argument(format!(
        "PutWfSpecRequest is invalid: ThreadSpec {thread} invalid: Node {node} invalid: {detail}"
    ))
}

/// What a node may refer to: the node names of its thread, its ENTRYPOINT
/// node and the WfSpec's ThreadSpec names.
#[derive(Clone, Copy)]
struct Scope<'a> {
    names: &'a HashSet<String>,
    entry: &'a str,
    threads: &'a HashSet<String>,
}

/// Validates one node (given the node names of its thread) and normalizes it
/// (task timeout 0 → 60). Collects the variable names it reads into `vars`.
fn validate_node(
    store: &Store,
    thread: &str,
    name: &str,
    n: &mut Node,
    scope: &Scope<'_>,
    vars: &mut Vec<(String, String)>,
) -> Result<(), Status> {
    let Scope {
        names,
        entry,
        threads,
    } = *scope;
    let err = |d: String| invalid(thread, name, d);
    for h in &n.failure_handlers {
        check_handler(h, threads).map_err(err)?;
    }
    let mut used: Vec<&str> = Vec::new();
    match &mut n.node {
        None => return Err(err("the node type (oneof node) is not set".into())),
        Some(node::Node::Entrypoint(_)) | Some(node::Node::Nop(_)) => {}
        Some(node::Node::Exit(e)) => match &e.result {
            Some(exit_node::Result::FailureDef(f)) => {
                if !is_error_name(&f.failure_name) && !is_valid_name(&f.failure_name) {
                    return Err(err(format!(
                        "failure_def.failure_name \"{}\" is not a valid name",
                        f.failure_name
                    )));
                }
                if let Some(c) = &f.content {
                    va_vars(c, &mut used);
                }
            }
            Some(exit_node::Result::ReturnContent(va)) => va_vars(va, &mut used),
            None => {}
        },
        Some(node::Node::Task(t)) => {
            if t.retries < 0 {
                return Err(err("task.retries must be >= 0".into()));
            }
            if let Some(b) = &t.exponential_backoff
                && (b.base_interval_ms <= 0
                    || b.multiplier < 1.0
                    || b.max_delay_ms < i64::from(b.base_interval_ms))
            {
                return Err(err(
                    "task.exponential_backoff needs base_interval_ms > 0, multiplier >= 1 and max_delay_ms >= base_interval_ms".into(),
                ));
            }
            if t.timeout_seconds < 0 {
                return Err(err("task.timeout_seconds must be >= 0".into()));
            }
            if t.timeout_seconds == 0 {
                t.timeout_seconds = DEFAULT_TASK_TIMEOUT_SECONDS;
            }
            match &t.task_to_execute {
                None => return Err(err("task.task_to_execute is not set".into())),
                Some(TaskToExecute::DynamicTask(va)) => va_vars(va, &mut used),
                Some(TaskToExecute::TaskDefId(id)) => {
                    let def: TaskDef = store
                        .get_meta(kind::TASK_DEF, &id.name, 0, 0)?
                        .ok_or_else(|| err(format!("Refers to nonexistent TaskDef {}", id.name)))?;
                    if def.input_vars.len() != t.variables.len() {
                        return Err(err(format!(
                            "For TaskDef {} we need {} input vars, but we have {}",
                            id.name,
                            def.input_vars.len(),
                            t.variables.len()
                        )));
                    }
                }
            }
            for va in &t.variables {
                va_vars(va, &mut used);
            }
        }
        Some(node::Node::ExternalEvent(e)) => {
            let def_name = e
                .external_event_def_id
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let def: Option<ExternalEventDef> =
                store.get_meta(kind::EXTERNAL_EVENT_DEF, &def_name, 0, 0)?;
            if def.is_none() {
                return Err(err(format!(
                    "Refers to missing ExternalEventDef {def_name}"
                )));
            }
            if let Some(k) = &e.correlation_key {
                va_vars(k, &mut used);
            }
            if let Some(t) = &e.timeout_seconds {
                va_vars(t, &mut used);
            }
        }
        Some(node::Node::Sleep(s)) => match &s.sleep_length {
            None => return Err(err("sleep.sleep_length is not set".into())),
            Some(
                SleepLength::RawSeconds(v) | SleepLength::Timestamp(v) | SleepLength::IsoDate(v),
            ) => va_vars(v, &mut used),
        },
        Some(node::Node::WaitForCondition(w)) => match &w.node_condition {
            None => return Err(err("wait_for_condition.node_condition is not set".into())),
            Some(NodeCondition::Condition(va)) => va_vars(va, &mut used),
            Some(NodeCondition::LegacyCondition(c)) => {
                for va in [&c.left, &c.right].into_iter().flatten() {
                    va_vars(va, &mut used);
                }
            }
        },
        Some(node::Node::StartThread(st)) => {
            if !threads.contains(&st.thread_spec_name) {
                return Err(err(format!(
                    "Refers to nonexistent ThreadSpec {}",
                    st.thread_spec_name
                )));
            }
            st.variables.values().for_each(|va| va_vars(va, &mut used));
        }
        Some(node::Node::StartMultipleThreads(st)) => {
            if !threads.contains(&st.thread_spec_name) {
                return Err(err(format!(
                    "Refers to nonexistent ThreadSpec {}",
                    st.thread_spec_name
                )));
            }
            match &st.iterable {
                Some(va) => va_vars(va, &mut used),
                None => return Err(err("start_multiple_threads.iterable is not set".into())),
            }
            st.variables.values().for_each(|va| va_vars(va, &mut used));
        }
        Some(node::Node::WaitForThreads(w)) => {
            for h in &w.per_thread_failure_handlers {
                check_handler(h, threads).map_err(err)?;
            }
            match &w.threads_to_wait_for {
                Some(ThreadsToWaitForOneOf::Threads(list)) => {
                    for va in list
                        .threads
                        .iter()
                        .filter_map(|t| t.thread_run_number.as_ref())
                    {
                        va_vars(va, &mut used);
                    }
                }
                Some(ThreadsToWaitForOneOf::ThreadList(va)) => va_vars(va, &mut used),
                None => return Err(err("wait_for_threads names no threads".into())),
            }
        }
        Some(node::Node::RunChildWf(r)) => {
            match &r.wf_spec {
                Some(lhw_proto::littlehorse::run_child_wf_node::WfSpec::WfSpecName(n))
                    if !n.is_empty() =>
                {
                    r.major_version =
                        child_major_version(store, n, r.major_version)?.map_err(err)?;
                }
                Some(lhw_proto::littlehorse::run_child_wf_node::WfSpec::WfSpecVar(va)) => {
                    va_vars(va, &mut used)
                }
                _ => return Err(err("run_child_wf names no WfSpec".into())),
            }
            r.inputs.values().for_each(|va| va_vars(va, &mut used));
            if let Some(va) = &r.child_id {
                va_vars(va, &mut used);
            }
        }
        Some(node::Node::WaitForChildWf(w)) => match &w.child_wf_run_id {
            Some(va) => va_vars(va, &mut used),
            None => return Err(err("wait_for_child_wf.child_wf_run_id is not set".into())),
        },
        Some(node::Node::ThrowEvent(te)) => {
            let def_name = te
                .event_def_id
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let def: Option<lhw_proto::littlehorse::WorkflowEventDef> =
                store.get_meta(kind::WORKFLOW_EVENT_DEF, &def_name, 0, 0)?;
            if def.is_none() {
                return Err(err(format!(
                    "Refers to missing WorkflowEventDef {def_name}"
                )));
            }
            if let Some(c) = &te.content {
                va_vars(c, &mut used);
            }
        }
        Some(node::Node::UserTask(u)) => {
            let def: Option<lhw_proto::littlehorse::UserTaskDef> = match u.user_task_def_version {
                Some(v) => store.get_meta(kind::USER_TASK_DEF, &u.user_task_def_name, v, 0)?,
                None => store.latest_meta(kind::USER_TASK_DEF, &u.user_task_def_name, None)?,
            };
            let def = def.ok_or_else(|| {
                err(format!(
                    "Refers to nonexistent UserTaskDef {}",
                    u.user_task_def_name
                ))
            })?;
            u.user_task_def_version = Some(def.version);
            if u.user_id.is_none() && u.user_group.is_none() {
                return Err(err("a user task needs a user_id or a user_group".into()));
            }
            for (i, a) in u.actions.iter_mut().enumerate() {
                if a.delay_seconds.is_none() {
                    return Err(err(format!("actions[{i}].delay_seconds is not set")));
                }
                match &mut a.action {
                    None => return Err(err(format!("actions[{i}].action is not set"))),
                    Some(ut_action_trigger::Action::Task(t)) => {
                        let Some(tn) = t.task.as_mut() else {
                            return Err(err(format!("actions[{i}].task.task is not set")));
                        };
                        if tn.timeout_seconds <= 0 {
                            tn.timeout_seconds = DEFAULT_TASK_TIMEOUT_SECONDS;
                        }
                        if let Some(TaskToExecute::TaskDefId(id)) = &tn.task_to_execute {
                            let def: Option<TaskDef> =
                                store.get_meta(kind::TASK_DEF, &id.name, 0, 0)?;
                            if def.is_none() {
                                return Err(err(format!(
                                    "actions[{i}]: Refers to nonexistent TaskDef {}",
                                    id.name
                                )));
                            }
                        }
                    }
                    Some(_) => {}
                }
            }
            let u: &lhw_proto::littlehorse::UserTaskNode = u;
            for va in [
                &u.user_id,
                &u.user_group,
                &u.notes,
                &u.on_cancellation_exception_name,
            ]
            .into_iter()
            .flatten()
            {
                va_vars(va, &mut used);
            }
            for a in &u.actions {
                if let Some(d) = &a.delay_seconds {
                    va_vars(d, &mut used);
                }
                match &a.action {
                    Some(ut_action_trigger::Action::Task(t)) => {
                        if let Some(tn) = &t.task {
                            for va in &tn.variables {
                                va_vars(va, &mut used);
                            }
                        }
                    }
                    Some(ut_action_trigger::Action::Reassign(r)) => {
                        for va in [&r.user_id, &r.user_group].into_iter().flatten() {
                            va_vars(va, &mut used);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for edge in &n.outgoing_edges {
        let sink = &edge.sink_node_name;
        let edge_err = |d: &str| err(format!("Edge with sink node {sink} invalid: {d}"));
        if sink == name {
            return Err(edge_err("Self loop not allowed!"));
        }
        if !names.contains(sink) {
            return Err(err(format!(
                "Outgoing edge referring to missing node {sink}!"
            )));
        }
        if sink == entry {
            return Err(edge_err("an edge may not lead to the ENTRYPOINT node"));
        }
        match &edge.edge_condition {
            Some(EdgeCondition::Condition(va)) => va_vars(va, &mut used),
            Some(EdgeCondition::LegacyCondition(c)) => {
                for va in [&c.left, &c.right].into_iter().flatten() {
                    va_vars(va, &mut used);
                }
            }
            None => {}
        }
        for m in &edge.variable_mutations {
            mutation_vars(m, &mut used);
        }
    }
    vars.extend(used.into_iter().map(|v| (name.to_string(), v.to_string())));
    Ok(())
}

/// A failure handler must name an existing ThreadSpec and a valid failure.
/// The major version a RUN_CHILD_WF node runs: LittleHorse requires the named
/// WfSpec (of `major`, or any when `major` is -1) to exist at PutWfSpec and pins
/// -1 to the latest major version existing now. `Ok(Err(message))` when there is
/// no such WfSpec (the server's message).
fn child_major_version(
    store: &Store,
    name: &str,
    major: i32,
) -> Result<Result<i32, String>, Status> {
    let wanted = (major != -1).then_some(major);
    let found: Option<WfSpec> = store.latest_meta(kind::WF_SPEC, name, wanted)?;
    Ok(match found.and_then(|s| s.id) {
        Some(id) => Ok(id.major_version),
        None if major != -1 => Err(format!("Could not find WfSpec {name} with version {major}")),
        None => Err(format!("Could not find WfSpec {name}")),
    })
}

fn check_handler(h: &FailureHandlerDef, threads: &HashSet<String>) -> Result<(), String> {
    if !threads.contains(&h.handler_spec_name) {
        return Err(format!(
            "failure handler refers to nonexistent ThreadSpec {}",
            h.handler_spec_name
        ));
    }
    if let Some(FailureToCatch::SpecificFailure(f)) = &h.failure_to_catch
        && !is_error_name(f)
        && !is_valid_name(f)
    {
        return Err(format!(
            "failure handler: \"{f}\" is not a valid failure name"
        ));
    }
    Ok(())
}

fn validate_thread(
    store: &Store,
    tname: &str,
    spec: &mut ThreadSpec,
    all_vars: &HashSet<String>,
    threads: &HashSet<String>,
) -> Result<(), Status> {
    for i in &spec.interrupt_defs {
        let def = i
            .external_event_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let found: Option<ExternalEventDef> =
            store.get_meta(kind::EXTERNAL_EVENT_DEF, &def, 0, 0)?;
        if found.is_none() {
            return Err(Status::invalid_argument(format!(
                "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: interrupt refers to missing ExternalEventDef {def}"
            )));
        }
        if !threads.contains(&i.handler_spec_name) {
            return Err(Status::invalid_argument(format!(
                "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: interrupt handler {} does not exist",
                i.handler_spec_name
            )));
        }
    }
    let entries: Vec<String> = spec
        .nodes
        .iter()
        .filter(|(_, n)| matches!(n.node, Some(node::Node::Entrypoint(_))))
        .map(|(k, _)| k.clone())
        .collect();
    let entry = match entries.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Status::invalid_argument(format!(
                "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: missing ENTRYPOINT node!"
            )));
        }
        _ => {
            return Err(Status::invalid_argument(format!(
                "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: Multiple ENTRYPOINT nodes!"
            )));
        }
    };
    let names: HashSet<String> = spec.nodes.keys().cloned().collect();
    let mut used = Vec::new();
    for (name, n) in spec.nodes.iter_mut() {
        let scope = Scope {
            names: &names,
            entry: &entry,
            threads,
        };
        validate_node(store, tname, name, n, &scope, &mut used)?;
    }
    for (node_name, var) in used {
        if !all_vars.contains(&var) {
            return Err(invalid(
                tname,
                &node_name,
                format!("refers to unknown or out-of-scope variable {var}"),
            ));
        }
    }
    Ok(())
}

fn var_name(v: &ThreadVarDef) -> &str {
    v.var_def
        .as_ref()
        .map(|d| d.name.as_str())
        .unwrap_or_default()
}

/// The variables frozen by a WfSpec: entrypoint `required` ones and every PUBLIC_VAR.
pub fn frozen_variables(spec: &WfSpec) -> Vec<ThreadVarDef> {
    let mut out: Vec<ThreadVarDef> = Vec::new();
    for (tname, t) in &spec.thread_specs {
        for v in &t.variable_defs {
            let public = v.access_level == WfRunVariableAccessLevel::PublicVar as i32;
            if (public || (tname == &spec.entrypoint_thread_name && v.required))
                && !out.iter().any(|o| var_name(o) == var_name(v))
            {
                out.push(v.clone());
            }
        }
    }
    out.sort_by(|a, b| var_name(a).cmp(var_name(b)));
    out
}

fn sorted<T: Clone, F: Fn(&T) -> String>(items: &[T], key: F) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort_by_key(|x| key(x));
    v
}

/// A coarse description of the entrypoint thread's output (the return
/// content of its EXIT nodes) used to detect output type changes (also `lhc diff`'s
/// and `lhc deploy --dry-run`'s verdict, `src/verdict.rs`).
pub fn output_shape(spec: &WfSpec) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = spec.thread_specs.get(&spec.entrypoint_thread_name) {
        for n in t.nodes.values() {
            if let Some(node::Node::Exit(e)) = &n.node {
                match &e.result {
                    Some(exit_node::Result::ReturnContent(va)) => {
                        let shape = match &va.source {
                            Some(Source::LiteralValue(v)) => {
                                crate::values::type_name(v).to_string()
                            }
                            Some(Source::VariableName(name)) => t
                                .variable_defs
                                .iter()
                                .find(|d| var_name(d) == name)
                                .and_then(|d| d.var_def.as_ref())
                                .map(|d| format!("{:?}", d.type_def))
                                .unwrap_or_default(),
                            _ => "value".to_string(),
                        };
                        out.push(format!("{shape}{:?}", va.target_type));
                    }
                    Some(exit_node::Result::FailureDef(_)) => {}
                    None => out.push("void".to_string()),
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_breaking(old: &WfSpec, new: &WfSpec) -> bool {
    let public = |s: &WfSpec| {
        let mut v: Vec<ThreadVarDef> = s
            .thread_specs
            .values()
            .flat_map(|t| t.variable_defs.iter())
            .filter(|v| v.access_level == WfRunVariableAccessLevel::PublicVar as i32)
            .cloned()
            .collect();
        v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        v
    };
    let required = |s: &WfSpec| {
        let defs = s
            .thread_specs
            .get(&s.entrypoint_thread_name)
            .map(|t| {
                t.variable_defs
                    .iter()
                    .filter(|v| v.required)
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        sorted(&defs, |v| var_name(v).to_string())
    };
    public(old) != public(new)
        || required(old) != required(new)
        || output_shape(old) != output_shape(new)
}

/// The parent WfSpec a `parent_wf_spec` reference names: version
/// `wf_spec_major_version`.0, as LittleHorse looks it up (`None` when it does not exist).
fn parent_spec(
    store: &Store,
    reference: Option<&ParentWfSpecReference>,
) -> Result<Option<WfSpec>, Status> {
    match reference {
        Some(r) => {
            Ok(store.get_meta(kind::WF_SPEC, &r.wf_spec_name, r.wf_spec_major_version, 0)?)
        }
        None => Ok(None),
    }
}

fn nonexistent_parent(reference: &ParentWfSpecReference) -> Status {
    Status::invalid_argument(format!(
        "PutWfSpecRequest is invalid: parent_wf_spec: Provided spec refers to nonexistent parent wfSpec {}",
        reference.wf_spec_name
    ))
}

/// Every variable of a WfSpec by name (all ThreadSpecs; the reserved `INPUT` of
/// interrupt handlers left out), as LittleHorse's `WfSpec#getAllVariables`.
pub fn all_variables(spec: &WfSpec) -> impl Iterator<Item = &ThreadVarDef> {
    spec.thread_specs
        .values()
        .flat_map(|t| t.variable_defs.iter())
        .filter(|v| var_name(v) != "INPUT")
}

/// INHERITED variables (LittleHorse's rules): only a WfSpec with a parent may
/// declare them, and the parent must declare each of them, not as PRIVATE_VAR.
/// The server does not compare their types.
fn check_inherited(
    reference: Option<&ParentWfSpecReference>,
    parent: Option<&WfSpec>,
    thread_specs: &BTreeMap<String, ThreadSpec>,
) -> Result<(), Status> {
    for (tname, t) in thread_specs {
        for v in &t.variable_defs {
            if v.access_level != WfRunVariableAccessLevel::InheritedVar as i32 {
                continue;
            }
            let name = var_name(v);
            let invalid = |detail: String| {
                Status::invalid_argument(format!(
                    "PutWfSpecRequest is invalid: thread_specs.{tname}.variable_defs: {detail}"
                ))
            };
            let Some(reference) = reference else {
                return Err(invalid(format!(
                    "Only child workflows are allowed to access INHERITED variables, but variable {name} is INHERITED"
                )));
            };
            let Some(parent) = parent else {
                return Err(nonexistent_parent(reference));
            };
            match all_variables(parent).find(|p| var_name(p) == name) {
                None => {
                    return Err(invalid(format!(
                        "INHERITED variable {name} does not exist in parent WfSpec"
                    )));
                }
                Some(p) if p.access_level == WfRunVariableAccessLevel::PrivateVar as i32 => {
                    return Err(invalid(format!(
                        "Inherited variable {name} is defined as PRIVATE in parent WfSpec"
                    )));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// PutWfSpec: validates the request and stores a new version when it changed.
pub fn put_wf_spec(store: &Store, req: PutWfSpecRequest) -> Result<WfSpec, Status> {
    check_name("name", &req.name)?;
    crate::request::enum_value::<AllowedUpdateType>(req.allowed_updates, "allowed_updates")?;
    if !req.thread_specs.contains_key(&req.entrypoint_thread_name) {
        return Err(Status::invalid_argument(format!(
            "PutWfSpecRequest is invalid: entrypoint_thread_name: unknown entrypoint thread: {}",
            req.entrypoint_thread_name
        )));
    }
    let parent = parent_spec(store, req.parent_wf_spec.as_ref())?;
    check_inherited(
        req.parent_wf_spec.as_ref(),
        parent.as_ref(),
        &req.thread_specs,
    )?;
    // Variable names are unique across the WfSpec.
    let mut all_vars: HashSet<String> = HashSet::new();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for (tname, t) in &req.thread_specs {
        for v in &t.variable_defs {
            let name = var_name(v).to_string();
            if name.is_empty() {
                return Err(Status::invalid_argument(format!(
                    "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: a variable_defs entry has no name"
                )));
            }
            if let Some(other) = owner.insert(name.clone(), tname.clone())
                && name != "INPUT"
            {
                return Err(Status::invalid_argument(format!(
                    "PutWfSpecRequest is invalid: Var name {name} defined in threads {other} and {tname} and duplicates not allowed"
                )));
            }
            all_vars.insert(name);
        }
    }
    let mut thread_specs = req.thread_specs;
    let thread_names: HashSet<String> = thread_specs.keys().cloned().collect();
    for (tname, t) in thread_specs.iter_mut() {
        for v in &mut t.variable_defs {
            if let Some(d) = &mut v.var_def {
                crate::metadata::normalize_var_def(d);
            }
        }
        validate_thread(store, tname, t, &all_vars, &thread_names)?;
    }
    crate::child_inputs::check(store, &thread_specs)?;
    if let (Some(reference), None) = (&req.parent_wf_spec, &parent) {
        return Err(nonexistent_parent(reference));
    }
    let mut spec = WfSpec {
        id: None,
        created_at: None,
        frozen_variables: Vec::new(),
        status: 0,
        thread_specs,
        entrypoint_thread_name: req.entrypoint_thread_name,
        retention_policy: req.retention_policy,
        migration: None,
        parent_wf_spec: req.parent_wf_spec,
    };
    let latest: Option<WfSpec> = store.latest_meta(kind::WF_SPEC, &req.name, None)?;
    let mut frozen = frozen_variables(&spec);
    let (major, revision) = match &latest {
        None => (0, 0),
        Some(old) => {
            // Formerly frozen variables keep their type, absent ones are carried forward.
            for f in &old.frozen_variables {
                let name = var_name(f);
                let redeclared = spec
                    .thread_specs
                    .values()
                    .flat_map(|t| t.variable_defs.iter())
                    .find(|v| var_name(v) == name);
                match redeclared {
                    Some(v) => {
                        let (a, b) = (
                            v.var_def.as_ref().and_then(|d| d.type_def.clone()),
                            f.var_def.as_ref().and_then(|d| d.type_def.clone()),
                        );
                        if a != b {
                            let (was, now) = (
                                crate::type_text::server_type_text(b.as_ref()),
                                crate::type_text::server_type_text(a.as_ref()),
                            );
                            return Err(Status::invalid_argument(format!(
                                "PutWfSpecRequest is invalid: Variable {name} must be of type {was} not {now} as it was formerly declared a PUBLIC_VAR"
                            )));
                        }
                    }
                    None if !frozen.iter().any(|x| var_name(x) == name) => frozen.push(f.clone()),
                    None => {}
                }
            }
            frozen.sort_by(|a, b| var_name(a).cmp(var_name(b)));
            let mut cmp_old = old.clone();
            cmp_old.id = None;
            cmp_old.created_at = None;
            cmp_old.frozen_variables = sorted(&old.frozen_variables, |v| var_name(v).to_string());
            spec.frozen_variables = frozen.clone();
            if cmp_old == spec {
                return Ok(old.clone());
            }
            let allowed = AllowedUpdateType::try_from(req.allowed_updates)
                .unwrap_or(AllowedUpdateType::AllUpdates);
            let breaking = is_breaking(old, &spec);
            let id = old.id.clone().unwrap_or_default();
            match allowed {
                AllowedUpdateType::NoUpdates => {
                    return Err(Status::already_exists("WfSpec already exists."));
                }
                AllowedUpdateType::MinorRevisionUpdates if breaking => {
                    return Err(Status::failed_precondition(
                        "The resulting WfSpec has a breaking change.",
                    ));
                }
                _ => {}
            }
            if breaking {
                (id.major_version + 1, 0)
            } else {
                let latest_rev: Option<WfSpec> =
                    store.latest_meta(kind::WF_SPEC, &req.name, Some(id.major_version))?;
                let rev = latest_rev
                    .and_then(|s| s.id)
                    .map_or(id.revision, |i| i.revision);
                (id.major_version, rev + 1)
            }
        }
    };
    spec.frozen_variables = frozen;
    spec.id = Some(WfSpecId {
        name: req.name.clone(),
        major_version: major,
        revision,
    });
    spec.created_at = Some(now_ts());
    store.put_meta(kind::WF_SPEC, &req.name, major, revision, &spec)?;
    Ok(spec)
}

/// GetWfSpec.
pub fn get_wf_spec(store: &Store, id: &WfSpecId) -> Result<WfSpec, Status> {
    store
        .get_meta(kind::WF_SPEC, &id.name, id.major_version, id.revision)?
        .ok_or_else(|| {
            Status::not_found(format!(
                "WfSpec {} {}.{} not found",
                id.name, id.major_version, id.revision
            ))
        })
}

/// GetLatestWfSpec (optionally within a major version).
pub fn get_latest_wf_spec(store: &Store, name: &str, major: Option<i32>) -> Result<WfSpec, Status> {
    store
        .latest_meta(kind::WF_SPEC, name, major)?
        .ok_or_else(|| Status::not_found(format!("WfSpec {name} not found")))
}

/// DeleteWfSpec (one version; NOT_FOUND when it does not exist). WfRuns of
/// that version keep running.
pub fn delete_wf_spec(store: &Store, id: &WfSpecId) -> Result<(), Status> {
    if store.delete_meta(kind::WF_SPEC, &id.name, id.major_version, id.revision)? {
        Ok(())
    } else {
        Err(Status::not_found(format!(
            "WfSpec {} {}.{} not found",
            id.name, id.major_version, id.revision
        )))
    }
}
