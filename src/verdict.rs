//! What the server will do with a new version of a WfSpec: the one place `lhc deploy
//! --dry-run` and `lhc diff` decide it, mirroring LittleHorse's PutWfSpec (and the embedded
//! kernel's `kernel/src/wfspec.rs`).
//!
//! Given the stored WfSpec (or none) and the request: unchanged, created, a new revision, a
//! new major version (when the public variables, the entrypoint's required variables or the
//! entrypoint's output change), or a refusal: a formerly frozen variable (public, or a
//! required entrypoint input) redeclared with another type, or an update the request's
//! `allowed_updates` forbids.

use std::collections::BTreeMap;

use lhw_kernel::type_text::server_type_text;

use lhw_proto::littlehorse::{
    AllowedUpdateType, PutWfSpecRequest, ThreadSpec, ThreadVarDef, VariableDef,
    WfRunVariableAccessLevel, WfSpec, WfSpecId, node, ut_action_trigger,
};

/// The server's answer to a PutWfSpecRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WfVerdict {
    /// No WfSpec of that name yet: version 0.0.
    Created,
    /// Equal to the stored version.
    Unchanged(WfSpecId),
    /// The same major version, next revision.
    NewRevision(WfSpecId),
    /// A new major version; why.
    NewMajorVersion(WfSpecId, Vec<String>),
    /// The server refuses the request.
    Refused(Refusal),
}

/// Why the server refuses a new version of a WfSpec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    /// A formerly frozen variable redeclared with another type (INVALID_ARGUMENT).
    FrozenType,
    /// A change under `updates none` (ALREADY_EXISTS).
    NoUpdates,
    /// A breaking change under `updates minor` (FAILED_PRECONDITION).
    BreakingMinor,
}

/// A refusal: its kind, the server's own message, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) kind: RefusalKind,
    /// The message the LittleHorse server answers with (`WfSpecModel`,
    /// `PutWfSpecRequestModel.verifyUpdateType`).
    pub(crate) server_message: String,
    /// The same in `.lhw` terms.
    pub(crate) detail: String,
}

impl Refusal {
    /// The status the server answers with.
    pub(crate) fn status(&self) -> tonic::Status {
        let msg = self.server_message.clone();
        match self.kind {
            RefusalKind::FrozenType => tonic::Status::invalid_argument(msg),
            RefusalKind::NoUpdates => tonic::Status::already_exists(msg),
            RefusalKind::BreakingMinor => tonic::Status::failed_precondition(msg),
        }
    }
}

impl WfVerdict {
    /// One line for people.
    pub(crate) fn text(&self) -> String {
        let v = |id: &WfSpecId| format!("{}.{}", id.major_version, id.revision);
        match self {
            WfVerdict::Created => "created (version 0.0)".to_string(),
            WfVerdict::Unchanged(id) => format!("unchanged (version {})", v(id)),
            WfVerdict::NewRevision(id) => format!("new revision (version {})", v(id)),
            WfVerdict::NewMajorVersion(id, why) => {
                format!("new major version (version {}): {}", v(id), why.join("; "))
            }
            WfVerdict::Refused(r) => format!("refused: {}", r.detail),
        }
    }
}

/// The deprecated `type`/`masked_value` of a VariableDef as `type_def`, as servers store it.
pub(crate) fn normalize_var(v: &VariableDef) -> VariableDef {
    let mut v = v.clone();
    if v.type_def.is_none() {
        v.type_def = lhw_runtime_client::values::type_of(&v);
    }
    v.r#type = None;
    v.masked_value = None;
    v
}

/// Thread specs as a server stores them, for comparing a request with a stored WfSpec.
pub(crate) fn normalize_threads(
    threads: &BTreeMap<String, ThreadSpec>,
) -> BTreeMap<String, ThreadSpec> {
    let mut threads = threads.clone();
    for t in threads.values_mut() {
        for v in &mut t.variable_defs {
            if let Some(d) = &v.var_def {
                v.var_def = Some(normalize_var(d));
            }
        }
        for n in t.nodes.values_mut() {
            match &mut n.node {
                // LittleHorse's default task timeout, also on a user task's task actions.
                Some(node::Node::Task(task)) if task.timeout_seconds <= 0 => {
                    task.timeout_seconds = 60;
                }
                Some(node::Node::UserTask(u)) => {
                    for a in &mut u.actions {
                        if let Some(ut_action_trigger::Action::Task(t)) = &mut a.action
                            && let Some(task) = t.task.as_mut()
                            && task.timeout_seconds <= 0
                        {
                            task.timeout_seconds = 60;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    threads
}

/// `threads` with each RUN_CHILD_WF node's major version -1 pinned to the latest major
/// version of its WfSpec on the server, and each USER_TASK node without a UserTaskDef
/// version pinned to the latest version of its UserTaskDef, as the server stores them at
/// PutWfSpec (left as they are when that WfSpec or UserTaskDef does not exist yet). A
/// UserTaskDef the same deploy changes gets a new version the prediction does not see.
pub(crate) async fn pin_child_versions(
    client: &lhw_runtime_client::LhClient,
    mut threads: BTreeMap<String, ThreadSpec>,
) -> Result<BTreeMap<String, ThreadSpec>, lhw_runtime_client::ClientError> {
    use lhw_proto::littlehorse::run_child_wf_node::WfSpec as ChildSpec;
    for t in threads.values_mut() {
        for n in t.nodes.values_mut() {
            if let Some(node::Node::RunChildWf(r)) = &mut n.node
                && r.major_version == -1
                && let Some(ChildSpec::WfSpecName(name)) = &r.wf_spec
                && let Some(id) = client.get_latest_wf_spec(name).await?.and_then(|c| c.id)
            {
                r.major_version = id.major_version;
            }
            if let Some(node::Node::UserTask(u)) = &mut n.node
                && u.user_task_def_version.is_none()
                && let Some(def) = client
                    .get_latest_user_task_def(&u.user_task_def_name)
                    .await?
            {
                u.user_task_def_version = Some(def.version);
            }
        }
    }
    Ok(threads)
}

/// The WfSpec a server would store for `req` as version 0.0 (threads normalized, frozen
/// variables computed): how `lhc diff` treats an OLD file.
pub(crate) fn stored(req: &PutWfSpecRequest) -> WfSpec {
    let mut spec = WfSpec {
        id: Some(WfSpecId {
            name: req.name.clone(),
            major_version: 0,
            revision: 0,
        }),
        created_at: None,
        frozen_variables: Vec::new(),
        status: 0,
        thread_specs: normalize_threads(&req.thread_specs),
        entrypoint_thread_name: req.entrypoint_thread_name.clone(),
        retention_policy: req.retention_policy,
        migration: None,
        parent_wf_spec: req.parent_wf_spec.clone(),
    };
    spec.frozen_variables = lhw_kernel::wfspec::frozen_variables(&spec);
    spec
}

fn var_name(v: &ThreadVarDef) -> &str {
    v.var_def
        .as_ref()
        .map(|d| d.name.as_str())
        .unwrap_or_default()
}

fn var_type(v: &ThreadVarDef) -> Option<lhw_proto::littlehorse::TypeDefinition> {
    v.var_def.as_ref().and_then(|d| d.type_def.clone())
}

fn sorted_debug<T: std::fmt::Debug>(items: impl Iterator<Item = T>) -> Vec<String> {
    let mut v: Vec<String> = items.map(|x| format!("{x:?}")).collect();
    v.sort();
    v
}

/// Why going from `old` to `new` (normalized threads) needs a new major version; empty
/// when it does not.
pub(crate) fn breaking_changes(
    old: &WfSpec,
    new_threads: &BTreeMap<String, ThreadSpec>,
    new_entry: &str,
) -> Vec<String> {
    let public = |ts: &BTreeMap<String, ThreadSpec>| {
        sorted_debug(
            ts.values()
                .flat_map(|t| t.variable_defs.iter())
                .filter(|v| v.access_level == WfRunVariableAccessLevel::PublicVar as i32),
        )
    };
    let required = |ts: &BTreeMap<String, ThreadSpec>, entry: &str| {
        sorted_debug(
            ts.get(entry)
                .into_iter()
                .flat_map(|t| t.variable_defs.iter())
                .filter(|v| v.required),
        )
    };
    let mut why = Vec::new();
    if public(&old.thread_specs) != public(new_threads) {
        why.push("the public variables changed".to_string());
    }
    if required(&old.thread_specs, &old.entrypoint_thread_name) != required(new_threads, new_entry)
    {
        why.push("the required inputs changed".to_string());
    }
    let new_spec = WfSpec {
        thread_specs: new_threads.clone(),
        entrypoint_thread_name: new_entry.to_string(),
        ..WfSpec::default()
    };
    // The kernel's own description of the output, so both decide alike.
    if lhw_kernel::wfspec::output_shape(old) != lhw_kernel::wfspec::output_shape(&new_spec) {
        why.push("what the workflow returns changed".to_string());
    }
    why
}

/// The server's verdict on `req` (threads already normalized and child versions pinned, as
/// `new_threads`) on top of `old`, the latest stored version.
pub(crate) fn wf_verdict(
    old: Option<&WfSpec>,
    req: &PutWfSpecRequest,
    new_threads: &BTreeMap<String, ThreadSpec>,
) -> WfVerdict {
    let Some(old) = old else {
        return WfVerdict::Created;
    };
    let id = old.id.clone().unwrap_or_default();
    // A formerly frozen variable keeps its type.
    for f in &old.frozen_variables {
        let redeclared = new_threads
            .values()
            .flat_map(|t| t.variable_defs.iter())
            .find(|v| var_name(v) == var_name(f));
        if let Some(v) = redeclared
            && var_type(v) != var_type(f)
        {
            return WfVerdict::Refused(Refusal {
                kind: RefusalKind::FrozenType,
                server_message: format!(
                    "Variable {} must be of type {} not {} as it was formerly declared a PUBLIC_VAR",
                    var_name(f),
                    server_type_text(var_type(f).as_ref()),
                    server_type_text(var_type(v).as_ref())
                ),
                detail: format!(
                    "variable `{}` must keep its type, as it was formerly declared a public or required variable",
                    var_name(f)
                ),
            });
        }
    }
    if old.thread_specs == *new_threads
        && old.entrypoint_thread_name == req.entrypoint_thread_name
        && old.retention_policy == req.retention_policy
        && old.parent_wf_spec == req.parent_wf_spec
    {
        return WfVerdict::Unchanged(id);
    }
    let why = breaking_changes(old, new_threads, &req.entrypoint_thread_name);
    match AllowedUpdateType::try_from(req.allowed_updates).unwrap_or(AllowedUpdateType::AllUpdates)
    {
        AllowedUpdateType::NoUpdates => {
            return WfVerdict::Refused(Refusal {
                kind: RefusalKind::NoUpdates,
                server_message: "WfSpec already exists.".to_string(),
                detail: "the workflow allows no updates (`updates none`): WfSpec already exists"
                    .to_string(),
            });
        }
        AllowedUpdateType::MinorRevisionUpdates if !why.is_empty() => {
            return WfVerdict::Refused(Refusal {
                kind: RefusalKind::BreakingMinor,
                server_message: "The resulting WfSpec has a breaking change.".to_string(),
                detail: format!(
                    "the workflow allows minor revisions only (`updates minor`), and this is a breaking change: {}",
                    why.join("; ")
                ),
            });
        }
        _ => {}
    }
    if why.is_empty() {
        WfVerdict::NewRevision(WfSpecId {
            revision: id.revision + 1,
            ..id
        })
    } else {
        WfVerdict::NewMajorVersion(
            WfSpecId {
                major_version: id.major_version + 1,
                revision: 0,
                ..id
            },
            why,
        )
    }
}
