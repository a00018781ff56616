//! The start-variable check of RUN_CHILD_WF nodes at PutWfSpec.
//!
//! As the LittleHorse server (`RunChildWfNodeModel.validate`, which calls
//! `ThreadSpecModel.validateStartVariablesByType` on the child's entrypoint
//! thread): when the child WfSpec is named (not taken from a variable), its
//! version pinned, every input the node assigns must be a variable of the
//! child's entrypoint thread ("Var x provided but not needed for thread t"),
//! every `required` variable of that thread must be assigned ("Missing
//! required variable x"), and each assignment must be able to hold the
//! variable's type (`VariableAssignmentModel.canBeType` with
//! `TypeCastingUtils.canBeType`: same type, any primitive into STR, INT into
//! DOUBLE; non-primitive types must be equal; a JSON path, node output or
//! expression can be anything).

use crate::storage::{Store, kind};
use crate::values;
use lhw_proto::littlehorse::{
    ThreadSpec, TypeDefinition, VariableAssignment, VariableType, WfSpec, node, run_child_wf_node,
    type_definition::DefinedType, variable_assignment::Source,
};
use std::collections::{BTreeMap, HashMap};

/// The inputs of a RUN_CHILD_WF node.
type Inputs = BTreeMap<String, VariableAssignment>;
use crate::engine::EngineError;

fn invalid(thread: &str, node: &str, detail: impl std::fmt::Display) -> EngineError {
    EngineError::invalid_argument(format!(
        "PutWfSpecRequest is invalid: ThreadSpec {thread} invalid: Node {node} invalid: {detail}"
    ))
}

/// Checks the inputs of every RUN_CHILD_WF node naming its WfSpec (after
/// node validation has pinned `major_version`).
pub(crate) fn check(
    store: &Store,
    threads: &BTreeMap<String, ThreadSpec>,
) -> Result<(), EngineError> {
    // Variable names are unique across a WfSpec: one table of declared types.
    let declared: HashMap<&str, Option<&TypeDefinition>> = threads
        .values()
        .flat_map(|t| t.variable_defs.iter())
        .filter_map(|v| v.var_def.as_ref())
        .map(|d| (d.name.as_str(), d.type_def.as_ref()))
        .collect();
    for (tname, thread) in threads {
        for (nname, n) in &thread.nodes {
            let Some(node::Node::RunChildWf(r)) = &n.node else {
                continue;
            };
            let Some(run_child_wf_node::WfSpec::WfSpecName(child)) = &r.wf_spec else {
                continue;
            };
            let major = (r.major_version != -1).then_some(r.major_version);
            let Some(spec) = store.latest_meta::<WfSpec>(kind::WF_SPEC, child, major)? else {
                continue; // reported by node validation
            };
            let Some(entry) = spec.thread_specs.get(&spec.entrypoint_thread_name) else {
                continue;
            };
            check_inputs(&spec.entrypoint_thread_name, entry, &r.inputs, &declared)
                .map_err(|d| invalid(tname, nname, d))?;
        }
    }
    Ok(())
}

fn check_inputs(
    child_thread: &str,
    entry: &ThreadSpec,
    inputs: &Inputs,
    declared: &HashMap<&str, Option<&TypeDefinition>>,
) -> Result<(), String> {
    for v in &entry.variable_defs {
        let Some(d) = &v.var_def else { continue };
        let Some(assn) = inputs.get(&d.name) else {
            continue;
        };
        let target = d.type_def.clone().unwrap_or_default();
        if let Some(source) = source_type(assn, declared)?
            && !can_be_type(&source, &target)
        {
            return Err(format!(
                "Var {} should be {}",
                d.name,
                crate::type_text::server_type_text(Some(&target))
            ));
        }
    }
    for name in inputs.keys() {
        let known = entry
            .variable_defs
            .iter()
            .any(|v| v.var_def.as_ref().is_some_and(|d| &d.name == name));
        if !known {
            return Err(format!(
                "Var {name} provided but not needed for thread {child_thread}"
            ));
        }
    }
    for v in entry.variable_defs.iter().filter(|v| v.required) {
        let Some(d) = &v.var_def else { continue };
        if !inputs.contains_key(&d.name) {
            return Err(format!("Missing required variable {}", d.name));
        }
    }
    Ok(())
}

/// The type an assignment yields, `None` when it can be anything (JSON path,
/// node output, expression, an unknown variable, a NULL literal).
fn source_type(
    assn: &VariableAssignment,
    declared: &HashMap<&str, Option<&TypeDefinition>>,
) -> Result<Option<TypeDefinition>, String> {
    if assn.path.is_some() {
        return Ok(None);
    }
    let primitive = |t: VariableType| TypeDefinition {
        defined_type: Some(DefinedType::PrimitiveType(t as i32)),
        masked: false,
    };
    Ok(match &assn.source {
        None => return Err("VariableAssignment passed with missing source".into()),
        Some(Source::VariableName(n)) => declared
            .get(n.as_str())
            .map(|t| t.cloned().unwrap_or_default()),
        Some(Source::LiteralValue(v)) => v.value.is_some().then(|| values::type_definition_of(v)),
        Some(Source::FormatString(_)) => Some(primitive(VariableType::Str)),
        Some(Source::SizeOf(_)) => Some(primitive(VariableType::Int)),
        Some(Source::StructBuilder(b)) => b.struct_def_id.clone().map(|id| TypeDefinition {
            defined_type: Some(DefinedType::StructDefId(id)),
            masked: false,
        }),
        Some(Source::NodeOutput(_) | Source::Expression(_) | Source::MapBuilder(_)) => None,
    })
}

/// `TypeCastingUtils.canBeType` over type definitions (masking aside).
fn can_be_type(source: &TypeDefinition, target: &TypeDefinition) -> bool {
    match (values::primitive_of(source), values::primitive_of(target)) {
        (Some(s), Some(t)) => {
            s == t
                || (t == VariableType::Str && is_primitive(s))
                || (s == VariableType::Int && t == VariableType::Double)
        }
        _ => source.defined_type == target.defined_type,
    }
}

/// `TypeCastingUtils.isPrimitive`: STR, INT, DOUBLE, BOOL, BYTES, WF_RUN_ID.
fn is_primitive(t: VariableType) -> bool {
    matches!(
        t,
        VariableType::Str
            | VariableType::Int
            | VariableType::Double
            | VariableType::Bool
            | VariableType::Bytes
            | VariableType::WfRunId
    )
}
