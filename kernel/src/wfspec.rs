//! PutWfSpec: server-side validation essentials and versioning (LittleHorse
//! semantics: identical re-put is a no-op, a breaking change makes a new
//! major version, anything else a new revision), plus GetWfSpec lookups.

use crate::engine::{EngineError, ObjectKind};
use crate::metadata::check_name;
use crate::storage::{Store, kind};
use crate::util::{is_error_name, is_valid_name, now_ts};
use lhw_proto::littlehorse::{
    AllowedUpdateType, ExternalEventDef, FailureHandlerDef, InlineStructBuilder, Node,
    PutWfSpecRequest, ThreadSpec, ThreadVarDef, VariableAssignment, VariableMutation,
    VariableMutationType, WfRunVariableAccessLevel, WfSpec, WfSpecId, edge::EdgeCondition,
    exit_node, failure_handler_def::FailureToCatch, inline_struct_field_value::StructValue,
    lh_path::selector::SelectorType, node, variable_assignment::Source,
    variable_mutation::RhsValue, wf_spec::ParentWfSpecReference,
};
use std::collections::{BTreeMap, HashSet};

/// Default task timeout (seconds) stored for a TaskNode with `timeout_seconds` 0.
pub(crate) const DEFAULT_TASK_TIMEOUT_SECONDS: i32 = 60;

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
pub(crate) fn va_vars<'a>(va: &'a VariableAssignment, out: &mut Vec<&'a str>) {
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

fn invalid(thread: &str, node: &str, detail: impl std::fmt::Display) -> EngineError {
    EngineError::invalid_argument(format!(
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

/// What a node's checks need: the store (referenced metadata), where the
/// node is (for messages) and the WfSpec's ThreadSpec names.
pub(crate) struct NodeCheck<'a> {
    /// The store, for the TaskDefs, ExternalEventDefs, ... a node names.
    pub(crate) store: &'a Store,
    /// The node's ThreadSpec.
    pub(crate) thread: &'a str,
    /// The node's name.
    pub(crate) name: &'a str,
    /// Every ThreadSpec name of the WfSpec.
    pub(crate) threads: &'a HashSet<String>,
}

impl NodeCheck<'_> {
    /// INVALID_ARGUMENT naming the ThreadSpec and node, as the server words it.
    pub(crate) fn invalid(&self, detail: impl std::fmt::Display) -> EngineError {
        invalid(self.thread, self.name, detail)
    }
}

/// A variable a node reads, by name.
struct VarUse {
    node: String,
    variable: String,
}

/// Validates one node (given the node names of its thread) and normalizes it
/// (task timeout 0 → 60). Collects the variable names it reads into `vars`.
fn validate_node(
    store: &Store,
    thread: &str,
    name: &str,
    n: &mut Node,
    scope: &Scope<'_>,
    vars: &mut Vec<VarUse>,
) -> Result<(), EngineError> {
    let Scope {
        names,
        entry,
        threads,
    } = *scope;
    let err = |d: String| invalid(thread, name, d);
    for h in &n.failure_handlers {
        check_handler(h, threads).map_err(err)?;
    }
    let check = NodeCheck {
        store,
        thread,
        name,
        threads,
    };
    crate::engine::nodes::validate(n, &check)?;
    let mut used: Vec<&str> = Vec::new();
    crate::engine::nodes::reads(n, &mut used);
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
        for (k, m) in edge.variable_mutations.iter().enumerate() {
            // LittleHorse has no case for an unknown operation: its check
            // (`LHTypeStrategy#resolveOperation`, from `VariableMutationModel#validate`)
            // throws IllegalStateException. The kernel refuses it by name.
            if VariableMutationType::try_from(m.operation).is_err() {
                return Err(edge_err(&format!(
                    "variable_mutations[{k}].operation: {} is not a known VariableMutationType",
                    m.operation
                )));
            }
            mutation_vars(m, &mut used);
        }
    }
    vars.extend(used.into_iter().map(|v| VarUse {
        node: name.to_string(),
        variable: v.to_string(),
    }));
    Ok(())
}

/// A failure handler must name an existing ThreadSpec and a valid failure.
/// The major version a RUN_CHILD_WF node runs: LittleHorse requires the named
/// WfSpec (of `major`, or any when `major` is -1) to exist at PutWfSpec and pins
/// -1 to the latest major version existing now. `Ok(Err(message))` when there is
/// no such WfSpec (the server's message).
pub(crate) fn child_major_version(
    store: &Store,
    name: &str,
    major: i32,
) -> Result<Result<i32, String>, EngineError> {
    let wanted = (major != -1).then_some(major);
    let found: Option<WfSpec> = store.latest_meta(kind::WF_SPEC, name, wanted)?;
    Ok(match found.and_then(|s| s.id) {
        Some(id) => Ok(id.major_version),
        None if major != -1 => Err(format!("Could not find WfSpec {name} with version {major}")),
        None => Err(format!("Could not find WfSpec {name}")),
    })
}

pub(crate) fn check_handler(
    h: &FailureHandlerDef,
    threads: &HashSet<String>,
) -> Result<(), String> {
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
) -> Result<(), EngineError> {
    for i in &spec.interrupt_defs {
        let def = i
            .external_event_def_id
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let found: Option<ExternalEventDef> =
            store.get_meta(kind::EXTERNAL_EVENT_DEF, &def, 0, 0)?;
        if found.is_none() {
            return Err(EngineError::invalid_argument(format!(
                "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: interrupt refers to missing ExternalEventDef {def}"
            )));
        }
        if !threads.contains(&i.handler_spec_name) {
            return Err(EngineError::invalid_argument(format!(
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
            return Err(EngineError::invalid_argument(format!(
                "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: missing ENTRYPOINT node!"
            )));
        }
        _ => {
            return Err(EngineError::invalid_argument(format!(
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
    for VarUse {
        node: node_name,
        variable: var,
    } in used
    {
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
            let public = WfRunVariableAccessLevel::try_from(v.access_level)
                == Ok(WfRunVariableAccessLevel::PublicVar);
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
            .filter(|v| {
                WfRunVariableAccessLevel::try_from(v.access_level)
                    == Ok(WfRunVariableAccessLevel::PublicVar)
            })
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
) -> Result<Option<WfSpec>, EngineError> {
    match reference {
        Some(r) => {
            Ok(store.get_meta(kind::WF_SPEC, &r.wf_spec_name, r.wf_spec_major_version, 0)?)
        }
        None => Ok(None),
    }
}

fn nonexistent_parent(reference: &ParentWfSpecReference) -> EngineError {
    EngineError::invalid_argument(format!(
        "PutWfSpecRequest is invalid: parent_wf_spec: Provided spec refers to nonexistent parent wfSpec {}",
        reference.wf_spec_name
    ))
}

/// Every variable of a WfSpec by name (all ThreadSpecs; the reserved `INPUT` of
/// interrupt handlers left out), as LittleHorse's `WfSpec#getAllVariables`.
pub(crate) fn all_variables(spec: &WfSpec) -> impl Iterator<Item = &ThreadVarDef> {
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
) -> Result<(), EngineError> {
    for (tname, t) in thread_specs {
        for v in &t.variable_defs {
            if v.access_level() != WfRunVariableAccessLevel::InheritedVar {
                continue;
            }
            let name = var_name(v);
            let invalid = |detail: String| {
                EngineError::invalid_argument(format!(
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
                Some(p) if p.access_level() == WfRunVariableAccessLevel::PrivateVar => {
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
pub fn put_wf_spec(store: &Store, req: PutWfSpecRequest) -> Result<WfSpec, EngineError> {
    check_name("name", &req.name)?;
    crate::request::enum_value::<AllowedUpdateType>(req.allowed_updates, "allowed_updates")?;
    if !req.thread_specs.contains_key(&req.entrypoint_thread_name) {
        return Err(EngineError::invalid_argument(format!(
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
                return Err(EngineError::invalid_argument(format!(
                    "PutWfSpecRequest is invalid: ThreadSpec {tname} invalid: a variable_defs entry has no name"
                )));
            }
            if let Some(other) = owner.insert(name.clone(), tname.clone())
                && name != "INPUT"
            {
                return Err(EngineError::invalid_argument(format!(
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
                            return Err(EngineError::invalid_argument(format!(
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
                    return Err(EngineError::already_exists("WfSpec already exists."));
                }
                AllowedUpdateType::MinorRevisionUpdates if breaking => {
                    return Err(EngineError::failed_precondition(
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
pub(crate) fn get_wf_spec(store: &Store, id: &WfSpecId) -> Result<WfSpec, EngineError> {
    store
        .get_meta(kind::WF_SPEC, &id.name, id.major_version, id.revision)?
        .ok_or_else(|| {
            EngineError::not_found(
                ObjectKind::WfSpec,
                format!("{} {}.{}", id.name, id.major_version, id.revision),
            )
        })
}

/// GetLatestWfSpec (optionally within a major version).
pub(crate) fn get_latest_wf_spec(
    store: &Store,
    name: &str,
    major: Option<i32>,
) -> Result<WfSpec, EngineError> {
    // Cached in the store (`storage/latest_specs.rs`): a clone, not a read and a decode.
    store
        .latest_wf_spec(name, major)?
        .map(|spec| WfSpec::clone(&spec))
        .ok_or_else(|| EngineError::not_found(ObjectKind::WfSpec, name))
}

/// The id of the newest WfSpec of `name` (optionally within a major version), read from the
/// store's cache without copying the WfSpec.
pub(crate) fn latest_wf_spec_id(
    store: &Store,
    name: &str,
    major: Option<i32>,
) -> Result<WfSpecId, EngineError> {
    store
        .latest_wf_spec(name, major)?
        .map(|spec| spec.id.clone().unwrap_or_default())
        .ok_or_else(|| EngineError::not_found(ObjectKind::WfSpec, name))
}

/// DeleteWfSpec (one version; NOT_FOUND when it does not exist). WfRuns of
/// that version keep running.
pub(crate) fn delete_wf_spec(store: &Store, id: &WfSpecId) -> Result<(), EngineError> {
    if store.delete_meta(kind::WF_SPEC, &id.name, id.major_version, id.revision)? {
        Ok(())
    } else {
        Err(EngineError::not_found(
            ObjectKind::WfSpec,
            format!("{} {}.{}", id.name, id.major_version, id.revision),
        ))
    }
}
