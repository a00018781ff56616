//! The declarations a decompiled workflow needs: from the given metadata when it has them,
//! otherwise guessed from how the WfSpecs use each name (and reported).

use std::collections::{BTreeMap, BTreeSet};

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;
use pb::variable_assignment::Source;

use super::Declarations;
use super::expr::{self, Printer};
use super::problems::Loss;

/// The metadata names a set of WfSpecs refers to, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    /// TaskDef names.
    pub tasks: BTreeSet<String>,
    /// ExternalEventDef names.
    pub events: BTreeSet<String>,
    /// WorkflowEventDef names.
    pub workflow_events: BTreeSet<String>,
    /// UserTaskDef names.
    pub forms: BTreeSet<String>,
    /// StructDef names (those the WfSpecs use directly).
    pub structs: BTreeSet<String>,
}

/// The metadata names the WfSpecs refer to: what to fetch from a server before decompiling.
#[must_use]
pub fn references(wf_specs: &[pb::PutWfSpecRequest]) -> Refs {
    let mut refs = Refs::default();
    for wf in wf_specs {
        if let Ok(json) = serde_json::to_value(wf) {
            collect(&json, &mut refs);
        }
    }
    refs
}

fn collect(v: &serde_json::Value, refs: &mut Refs) {
    use serde_json::Value as J;
    let name_of = |o: &J| o.get("name").and_then(J::as_str).map(str::to_string);
    match v {
        J::Object(map) => {
            for (k, item) in map {
                let target = match k.as_str() {
                    "taskDefId" => Some(&mut refs.tasks),
                    "externalEventDefId" => Some(&mut refs.events),
                    "eventDefId" => Some(&mut refs.workflow_events),
                    "structDefId" => Some(&mut refs.structs),
                    _ => None,
                };
                if let Some(set) = target {
                    set.extend(name_of(item));
                } else if k == "userTaskDefName" {
                    refs.forms.extend(item.as_str().map(str::to_string));
                } else {
                    collect(item, refs);
                }
            }
        }
        J::Array(items) => items.iter().for_each(|i| collect(i, refs)),
        _ => {}
    }
}

/// The declarations, as `.lhw` text, and what had to be guessed.
pub(super) fn declarations(
    wf_specs: &[pb::PutWfSpecRequest],
    decls: &Declarations,
) -> (String, Vec<Loss>) {
    let mut refs = references(wf_specs);
    let tasks: BTreeMap<&str, &pb::PutTaskDefRequest> = decls
        .task_defs
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let used_tasks: Vec<&pb::PutTaskDefRequest> = refs
        .tasks
        .iter()
        .filter_map(|n| tasks.get(n.as_str()).copied())
        .collect();
    for t in used_tasks {
        if let Ok(json) = serde_json::to_value(t) {
            collect(&json, &mut refs);
        }
    }
    let structs: BTreeMap<&str, &pb::PutStructDefRequest> = decls
        .struct_defs
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    // Structs used by the fields of used structs.
    loop {
        let before = refs.structs.len();
        let used: Vec<&pb::PutStructDefRequest> = refs
            .structs
            .iter()
            .filter_map(|n| structs.get(n.as_str()).copied())
            .collect();
        for s in used {
            if let Ok(json) = serde_json::to_value(s) {
                collect(&json, &mut refs);
            }
        }
        if refs.structs.len() == before {
            break;
        }
    }
    let guesses = Guesses::of(wf_specs);
    let mut p = Printer::default();
    let mut out = Vec::new();
    for name in &refs.structs {
        match structs.get(name.as_str()) {
            Some(s) => out.push(struct_decl(&mut p, s)),
            None => {
                p.losses
                    .push(Loss::StructDefNotGiven { name: name.clone() });
                out.push(format!("struct {} {{}}", expr::name(name)));
            }
        }
    }
    for name in &refs.tasks {
        match tasks.get(name.as_str()) {
            Some(t) => out.push(task_decl(&mut p, t)),
            None => out.push(guesses.task(name)),
        }
    }
    let events: BTreeMap<&str, &pb::PutExternalEventDefRequest> = decls
        .external_event_defs
        .iter()
        .map(|e| (e.name.as_str(), e))
        .collect();
    for name in &refs.events {
        match events.get(name.as_str()) {
            Some(e) => out.push(event_decl(&mut p, e)),
            None => out.push(guesses.event(name)),
        }
    }
    let wf_events: BTreeMap<&str, &pb::PutWorkflowEventDefRequest> = decls
        .workflow_event_defs
        .iter()
        .map(|e| (e.name.as_str(), e))
        .collect();
    for name in &refs.workflow_events {
        let payload = match wf_events.get(name.as_str()) {
            Some(e) => e
                .content_type
                .as_ref()
                .and_then(|c| c.return_type.as_ref())
                .map(|t| p.type_def(t)),
            None => guesses.throws.get(name).cloned().flatten(),
        };
        let payload = payload.map(|t| format!(": {t}")).unwrap_or_default();
        out.push(format!("workflow-event {}{payload}", expr::name(name)));
    }
    let forms: BTreeMap<&str, &pb::PutUserTaskDefRequest> = decls
        .user_task_defs
        .iter()
        .map(|u| (u.name.as_str(), u))
        .collect();
    for name in &refs.forms {
        match forms.get(name.as_str()) {
            Some(u) => out.push(form_decl(u)),
            None => {
                p.losses
                    .push(Loss::UserTaskDefNotGiven { name: name.clone() });
                out.push(format!("user-task {} {{}}", expr::name(name)));
            }
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    (text, p.losses)
}

fn task_decl(p: &mut Printer, t: &pb::PutTaskDefRequest) -> String {
    let params: Vec<String> = t
        .input_vars
        .iter()
        .map(|v| {
            let ty = match &v.type_def {
                Some(td) => p.type_def(td),
                None => v
                    .r#type
                    .and_then(|t| pb::VariableType::try_from(t).ok())
                    .map_or("json-obj", expr::prim_name)
                    .to_string(),
            };
            let masked =
                v.type_def.as_ref().is_some_and(|t| t.masked) || v.masked_value == Some(true);
            format!(
                "{}: {ty}{}",
                expr::name(&v.name),
                if masked { " masked" } else { "" }
            )
        })
        .collect();
    let ret = t
        .return_type
        .as_ref()
        .and_then(|r| r.return_type.as_ref())
        .map(|r| format!(" -> {}", p.type_def(r)))
        .unwrap_or_default();
    format!("task {}({}){ret}", expr::name(&t.name), params.join(", "))
}

fn event_decl(p: &mut Printer, e: &pb::PutExternalEventDefRequest) -> String {
    let mut line = format!("event {}", expr::name(&e.name));
    if let Some(t) = e.content_type.as_ref().and_then(|c| c.return_type.as_ref()) {
        line.push_str(&format!(": {}", p.type_def(t)));
    }
    if let Some(c) = &e.correlated_event_config {
        line.push_str(" correlated");
        if let Some(ttl) = c.ttl_seconds {
            line.push_str(&format!(" ttl {}", super::thread::duration(ttl)));
        }
        if c.delete_after_first_correlation {
            line.push_str(" once");
        }
    }
    if let Some(pb::ExternalEventRetentionPolicy {
        ext_evt_gc_policy:
            Some(pb::external_event_retention_policy::ExtEvtGcPolicy::SecondsAfterPut(s)),
    }) = e.retention_policy
    {
        line.push_str(&format!(" retention {}", super::thread::duration(s)));
    }
    line
}

fn form_decl(u: &pb::PutUserTaskDefRequest) -> String {
    let mut line = format!("user-task {}", expr::name(&u.name));
    if let Some(d) = &u.description {
        line.push(' ');
        line.push_str(&expr::string_literal(d));
    }
    let fields: Vec<String> = u
        .fields
        .iter()
        .map(|f| {
            let ty = expr::prim_name(
                pb::VariableType::try_from(f.r#type).unwrap_or(pb::VariableType::Str),
            );
            let mut s = format!("{}: {ty}", expr::name(&f.name));
            if f.display_name != f.name || f.description.is_some() {
                s.push(' ');
                s.push_str(&expr::string_literal(&f.display_name));
            }
            if let Some(d) = &f.description {
                s.push(' ');
                s.push_str(&expr::string_literal(d));
            }
            if f.required {
                s.push_str(" required");
            }
            s
        })
        .collect();
    if fields.is_empty() {
        format!("{line} {{}}")
    } else {
        format!("{line} {{\n{}\n}}", fields.join("\n"))
    }
}

fn struct_decl(p: &mut Printer, s: &pb::PutStructDefRequest) -> String {
    let mut line = format!("struct {}", expr::name(&s.name));
    if let Some(d) = &s.description {
        line.push(' ');
        line.push_str(&expr::string_literal(d));
    }
    let fields: Vec<String> = s
        .struct_def
        .as_ref()
        .map(|d| {
            d.fields
                .iter()
                .map(|(name, f)| {
                    let ty = f
                        .field_type
                        .as_ref()
                        .map_or_else(|| "str".to_string(), |t| p.type_def(t));
                    let mut s = format!("{name}: {ty}");
                    if f.field_type.as_ref().is_some_and(|t| t.masked) {
                        s.push_str(" masked");
                    }
                    if f.is_nullable {
                        s.push_str(" nullable");
                    }
                    if let Some(v) = &f.default_value {
                        s.push_str(" = ");
                        s.push_str(&p.value(v, true));
                    }
                    if let Some(d) = &f.description {
                        s.push(' ');
                        s.push_str(&expr::string_literal(d));
                    }
                    s
                })
                .collect()
        })
        .unwrap_or_default();
    if fields.is_empty() {
        format!("{line} {{}}")
    } else {
        format!("{line} {{\n{}\n}}", fields.join(",\n"))
    }
}

/// What the WfSpecs tell about names no metadata was given for.
#[derive(Default)]
struct Guesses {
    /// Task name → argument types of its first call, and the return type if the output is used.
    calls: BTreeMap<String, (Vec<String>, Option<String>)>,
    /// Event name → payload type, if the payload is used.
    awaits: BTreeMap<String, Option<String>>,
    /// Workflow event name → payload type, if it has content.
    throws: BTreeMap<String, Option<String>>,
}

impl Guesses {
    fn of(wf_specs: &[pb::PutWfSpecRequest]) -> Self {
        let mut g = Guesses::default();
        for wf in wf_specs {
            let vars: BTreeMap<String, String> = wf
                .thread_specs
                .values()
                .flat_map(|t| &t.variable_defs)
                .filter_map(|v| v.var_def.as_ref())
                .filter_map(|d| {
                    d.type_def
                        .as_ref()
                        .map(|t| (d.name.clone(), expr::type_def(t)))
                })
                .collect();
            for thread in wf.thread_specs.values() {
                // The type of the variable each node's output is stored in, if any.
                let stored: BTreeMap<String, String> = thread
                    .nodes
                    .iter()
                    .filter_map(|(name, n)| {
                        let m = n.outgoing_edges.first()?.variable_mutations.first()?;
                        match &m.rhs_value {
                            Some(pb::variable_mutation::RhsValue::RhsAssignment(
                                pb::VariableAssignment {
                                    source: Some(Source::NodeOutput(o)),
                                    path: None,
                                    ..
                                },
                            )) if o.node_name == *name
                                && m.lhs_json_path.is_none()
                                && m.lhs_lh_path.is_none() =>
                            {
                                Some((name.clone(), vars.get(&m.lhs_name)?.clone()))
                            }
                            _ => None,
                        }
                    })
                    .collect();
                let mut read = BTreeSet::new();
                if let Ok(json) = serde_json::to_value(thread) {
                    outputs_read(&json, &mut read);
                }
                for (name, node) in &thread.nodes {
                    let ret = stored
                        .get(name)
                        .cloned()
                        .or_else(|| read.contains(name).then(|| "json-obj".to_string()));
                    if let Some(NodeKind::UserTask(u)) = &node.node {
                        for a in &u.actions {
                            if let Some(pb::ut_action_trigger::Action::Task(
                                pb::ut_action_trigger::UtaTask { task: Some(t), .. },
                            )) = &a.action
                                && let Some(pb::task_node::TaskToExecute::TaskDefId(id)) =
                                    &t.task_to_execute
                            {
                                let args = t.variables.iter().map(|a| arg_type(a, &vars)).collect();
                                g.calls.entry(id.name.clone()).or_insert((args, None));
                            }
                        }
                    }
                    match &node.node {
                        Some(NodeKind::Task(t)) => {
                            if let Some(pb::task_node::TaskToExecute::TaskDefId(id)) =
                                &t.task_to_execute
                            {
                                let args = t.variables.iter().map(|a| arg_type(a, &vars)).collect();
                                g.calls.entry(id.name.clone()).or_insert((args, ret));
                            }
                        }
                        Some(NodeKind::ExternalEvent(e)) => {
                            if let Some(id) = &e.external_event_def_id {
                                g.awaits.entry(id.name.clone()).or_insert(ret);
                            }
                        }
                        Some(NodeKind::ThrowEvent(t)) => {
                            if let Some(id) = &t.event_def_id {
                                let ty = t.content.as_ref().map(|c| arg_type(c, &vars));
                                g.throws.entry(id.name.clone()).or_insert(ty);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        g
    }

    fn task(&self, name: &str) -> String {
        let (args, ret) = self.calls.get(name).cloned().unwrap_or_default();
        let params: Vec<String> = args
            .iter()
            .enumerate()
            .map(|(i, t)| format!("arg{}: {t}", i + 1))
            .collect();
        let ret = ret.map(|r| format!(" -> {r}")).unwrap_or_default();
        format!("task {}({}){ret}", expr::name(name), params.join(", "))
    }

    fn event(&self, name: &str) -> String {
        match self.awaits.get(name).cloned().flatten() {
            Some(t) => format!("extern event {}: {t}", expr::name(name)),
            None => format!("extern event {}", expr::name(name)),
        }
    }
}

/// The names of the nodes whose output a ThreadSpec's proto JSON reads.
fn outputs_read(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            for (k, item) in map {
                if k == "nodeOutput"
                    && let Some(J::String(n)) = item.get("nodeName")
                {
                    out.insert(n.clone());
                } else {
                    outputs_read(item, out);
                }
            }
        }
        J::Array(items) => items.iter().for_each(|i| outputs_read(i, out)),
        _ => {}
    }
}

/// The type of a task argument: the variable's or the literal's, else `str` (which takes any
/// primitive).
fn arg_type(a: &pb::VariableAssignment, vars: &BTreeMap<String, String>) -> String {
    use pb::variable_value::Value;
    if a.path.is_some() {
        return "str".to_string();
    }
    if let Some(t) = &a.target_type {
        return expr::type_def(t);
    }
    match &a.source {
        Some(Source::VariableName(n)) => vars.get(n).cloned().unwrap_or_else(|| "str".to_string()),
        Some(Source::LiteralValue(v)) => match &v.value {
            Some(Value::Int(_)) => "int",
            Some(Value::Double(_)) => "double",
            Some(Value::Bool(_)) => "bool",
            Some(Value::JsonObj(_)) => "json-obj",
            Some(Value::JsonArr(_)) => "json-arr",
            _ => "str",
        }
        .to_string(),
        _ => "str".to_string(),
    }
}
