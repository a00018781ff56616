//! The registrations conformance suite: every case of the canon's registrations area
//! (`<canon>/areas/registrations/manifest.json`) has a directory `tests/registrations/<id>/`
//! whose `.lhw` variants compile; from the output we build the registrations document of the
//! workflow `probe-<id>` (rules.md G1) and compare it with the canon fixture
//! (`<canon>/areas/registrations/cases/<id>/<variant>.json`), or, where the canon lacks it,
//! with our `expected-<variant>.json`, written from the sdk-java reference body
//! (`RegistrationsArea.java`).
//!
//! The document, from our compiler's output:
//! - `externalEventDefs` / `workflowEventDefs`: the `Put...DefRequest`s `lhc compile` emits
//!   for the events the workflow uses, sorted by name;
//! - `required*Names`: the TaskDefs, ExternalEventDefs, child WfSpecs and WorkflowEventDefs
//!   the compiled WfSpec references (every thread; task nodes, user-task reminder tasks,
//!   awaited events, interrupts, child workflow runs, thrown events), sorted.
//!
//! A `.lhw` declaration always registers its event, so a reference body that uses an event
//! without registering it has no `.lhw` equivalent. Such a variant carries
//! `deviation-<variant>.md`, whose first line `differs: key[, key]` names the document keys
//! where ours knowingly differs (the rest explains why), and `deviation-<variant>.json`, our
//! document: it must equal ours exactly, equal the reference on every other key, and differ
//! from it on each named key (so a deviation that no longer deviates fails).
//!
//! Comparison is semantic: definitions are compared as protobuf messages (`null` equals an
//! absent field), name lists as sorted lists. The canon is found at `tests/canon` (vendored)
//! relative to the repository root; `LHW_CONFORMANCE_DIR` overrides that path. Run with
//! `cargo test --test registrations -- --nocapture` to see one line per case and variant.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;

/// The keys of the document, in the order rules.md G1 lists them.
const KEYS: [&str; 6] = [
    "externalEventDefs",
    "workflowEventDefs",
    "requiredTaskDefNames",
    "requiredExternalEventDefNames",
    "requiredChildWfSpecNames",
    "requiredWorkflowEventDefNames",
];

mod common;

use common::{canon_dir, repo_root};

/// The registrations document (rules.md G1).
#[derive(Debug, Clone, PartialEq, Default)]
struct Document {
    external_event_defs: Vec<pb::PutExternalEventDefRequest>,
    workflow_event_defs: Vec<pb::PutWorkflowEventDefRequest>,
    task_defs: Vec<String>,
    external_event_names: Vec<String>,
    child_wf_specs: Vec<String>,
    workflow_event_names: Vec<String>,
}

impl Document {
    /// Parses a document; definitions are decoded as protobuf messages.
    fn from_json(text: &str) -> Result<Self, String> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let object = json
            .as_object()
            .ok_or("the document is not a JSON object")?;
        if let Some(extra) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("unknown key `{extra}`"));
        }
        let list = |key: &str| -> Result<&Vec<serde_json::Value>, String> {
            json[key]
                .as_array()
                .ok_or_else(|| format!("`{key}` is missing or not an array"))
        };
        let defs = |key: &str| -> Result<Vec<String>, String> {
            Ok(list(key)?
                .iter()
                .map(serde_json::Value::to_string)
                .collect())
        };
        let names = |key: &str| -> Result<Vec<String>, String> {
            list(key)?
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("`{key}` holds a non-string: {v}"))
                })
                .collect()
        };
        Ok(Document {
            external_event_defs: defs("externalEventDefs")?
                .iter()
                .map(|d| lhw_proto::from_json(d).map_err(|e| format!("bad ExternalEventDef: {e}")))
                .collect::<Result<_, _>>()?,
            workflow_event_defs: defs("workflowEventDefs")?
                .iter()
                .map(|d| lhw_proto::from_json(d).map_err(|e| format!("bad WorkflowEventDef: {e}")))
                .collect::<Result<_, _>>()?,
            task_defs: names("requiredTaskDefNames")?,
            external_event_names: names("requiredExternalEventDefNames")?,
            child_wf_specs: names("requiredChildWfSpecNames")?,
            workflow_event_names: names("requiredWorkflowEventDefNames")?,
        })
    }

    /// The document as JSON, in G1's layout (for diffs and for writing fixtures).
    fn to_json(&self) -> serde_json::Value {
        let msg = |m: String| serde_json::from_str::<serde_json::Value>(&m).unwrap_or_default();
        serde_json::json!({
            "externalEventDefs": self.external_event_defs.iter().map(|d| msg(lhw_proto::to_json_pretty(d))).collect::<Vec<_>>(),
            "workflowEventDefs": self.workflow_event_defs.iter().map(|d| msg(lhw_proto::to_json_pretty(d))).collect::<Vec<_>>(),
            "requiredTaskDefNames": self.task_defs,
            "requiredExternalEventDefNames": self.external_event_names,
            "requiredChildWfSpecNames": self.child_wf_specs,
            "requiredWorkflowEventDefNames": self.workflow_event_names,
        })
    }

    /// The keys on which two documents differ.
    fn differing_keys(&self, other: &Document) -> BTreeSet<&'static str> {
        let mut out = BTreeSet::new();
        let mut check = |key: &'static str, same: bool| {
            if !same {
                out.insert(key);
            }
        };
        check(
            "externalEventDefs",
            self.external_event_defs == other.external_event_defs,
        );
        check(
            "workflowEventDefs",
            self.workflow_event_defs == other.workflow_event_defs,
        );
        check("requiredTaskDefNames", self.task_defs == other.task_defs);
        check(
            "requiredExternalEventDefNames",
            self.external_event_names == other.external_event_names,
        );
        check(
            "requiredChildWfSpecNames",
            self.child_wf_specs == other.child_wf_specs,
        );
        check(
            "requiredWorkflowEventDefNames",
            self.workflow_event_names == other.workflow_event_names,
        );
        out
    }
}

/// The names a compiled WfSpec references, collected over every thread.
#[derive(Default)]
struct Required {
    tasks: BTreeSet<String>,
    external_events: BTreeSet<String>,
    children: BTreeSet<String>,
    workflow_events: BTreeSet<String>,
}

fn task_def_name(task: &pb::TaskNode) -> Option<String> {
    match &task.task_to_execute {
        Some(pb::task_node::TaskToExecute::TaskDefId(id)) => Some(id.name.clone()),
        // A task chosen at run time names no TaskDef the WfSpec requires.
        _ => None,
    }
}

fn required(spec: &pb::PutWfSpecRequest) -> Required {
    let mut out = Required::default();
    for thread in spec.thread_specs.values() {
        for def in &thread.interrupt_defs {
            if let Some(id) = &def.external_event_def_id {
                out.external_events.insert(id.name.clone());
            }
        }
        for node in thread.nodes.values() {
            match &node.node {
                Some(NodeKind::Task(t)) => out.tasks.extend(task_def_name(t)),
                Some(NodeKind::UserTask(u)) => {
                    for action in &u.actions {
                        if let Some(pb::ut_action_trigger::Action::Task(t)) = &action.action {
                            out.tasks.extend(t.task.as_ref().and_then(task_def_name));
                        }
                    }
                }
                Some(NodeKind::ExternalEvent(e)) => {
                    if let Some(id) = &e.external_event_def_id {
                        out.external_events.insert(id.name.clone());
                    }
                }
                Some(NodeKind::RunChildWf(r)) => {
                    if let Some(pb::run_child_wf_node::WfSpec::WfSpecName(name)) = &r.wf_spec {
                        out.children.insert(name.clone());
                    }
                }
                Some(NodeKind::ThrowEvent(t)) => {
                    if let Some(id) = &t.event_def_id {
                        out.workflow_events.insert(id.name.clone());
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Compiles one variant and builds the document of workflow `probe-<id>`.
fn document(id: &str, lhw: &Path) -> Result<Document, String> {
    let output = common::compile_clean(lhw)?;
    let probe = format!("probe-{id}");
    let spec = output
        .wf_specs
        .iter()
        .find(|w| w.name == probe)
        .ok_or_else(|| format!("no workflow named {probe}"))?;
    let req = required(spec);
    let mut external_event_defs: Vec<_> = output
        .external_event_defs
        .iter()
        .filter(|d| req.external_events.contains(&d.name))
        .cloned()
        .collect();
    external_event_defs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut workflow_event_defs: Vec<_> = output
        .workflow_event_defs
        .iter()
        .filter(|d| req.workflow_events.contains(&d.name))
        .cloned()
        .collect();
    workflow_event_defs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Document {
        external_event_defs,
        workflow_event_defs,
        task_defs: req.tasks.into_iter().collect(),
        external_event_names: req.external_events.into_iter().collect(),
        child_wf_specs: req.children.into_iter().collect(),
        workflow_event_names: req.workflow_events.into_iter().collect(),
    })
}

fn read_document(path: &Path) -> Result<Document, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Document::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn pretty(doc: &Document) -> String {
    serde_json::to_string_pretty(&doc.to_json()).unwrap_or_default()
}

/// `id → variants` from the canon's manifest.
fn manifest(area: &Path) -> BTreeMap<String, Vec<String>> {
    let path = area.join("manifest.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the canon manifest {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    json["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no `cases` array", path.display()))
        .iter()
        .map(|c| {
            let id = c["id"]
                .as_str()
                .unwrap_or_else(|| panic!("manifest case without id: {c}"));
            let variants = c["variants"]
                .as_array()
                .unwrap_or_else(|| panic!("manifest case {id} has no variants"))
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            (id.to_string(), variants)
        })
        .collect()
}

/// The outcome of one variant.
enum Outcome {
    Pass,
    Deviation(String),
}

fn run_variant(id: &str, variant: &str, dir: &Path, area: &Path) -> Result<Outcome, String> {
    let lhw = dir.join(format!("{variant}.lhw"));
    if !lhw.is_file() {
        return Err(format!("missing {}", lhw.display()));
    }
    let canon = area.join(format!("cases/{id}/{variant}.json"));
    let ours = dir.join(format!("expected-{variant}.json"));
    let reference = match (canon.is_file(), ours.is_file()) {
        (true, false) => read_document(&canon)?,
        (false, true) => read_document(&ours)?,
        (true, true) => {
            return Err(format!(
                "the canon has this fixture; delete our {}",
                ours.display()
            ));
        }
        (false, false) => {
            return Err(format!(
                "no expected document: neither {} nor {}",
                canon.display(),
                ours.display()
            ));
        }
    };
    let actual = document(id, &lhw)?;
    let deviation_md = dir.join(format!("deviation-{variant}.md"));
    let deviation_json = dir.join(format!("deviation-{variant}.json"));
    if !deviation_md.is_file() {
        if deviation_json.is_file() {
            return Err(format!(
                "{} without {}",
                deviation_json.display(),
                deviation_md.display()
            ));
        }
        return if actual == reference {
            Ok(Outcome::Pass)
        } else {
            Err(format!(
                "document differs from the reference\n--- expected\n{}\n+++ compiled\n{}",
                pretty(&reference),
                pretty(&actual)
            ))
        };
    }
    let text = fs::read_to_string(&deviation_md)
        .map_err(|e| format!("cannot read {}: {e}", deviation_md.display()))?;
    let declared: BTreeSet<String> = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("differs:"))
        .ok_or_else(|| {
            format!(
                "{} must start with `differs: <key>[, <key>]`",
                deviation_md.display()
            )
        })?
        .split(',')
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect();
    if declared.is_empty() || declared.iter().any(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "{}: `differs:` must list document keys, found {declared:?}",
            deviation_md.display()
        ));
    }
    let pinned = read_document(&deviation_json)?;
    if actual != pinned {
        return Err(format!(
            "document differs from our deviation document {}\n--- pinned\n{}\n+++ compiled\n{}",
            deviation_json.display(),
            pretty(&pinned),
            pretty(&actual)
        ));
    }
    let differing: BTreeSet<String> = actual
        .differing_keys(&reference)
        .into_iter()
        .map(str::to_string)
        .collect();
    if differing != declared {
        return Err(format!(
            "the deviation declares {declared:?} but the document differs from the reference on {differing:?}"
        ));
    }
    Ok(Outcome::Deviation(
        declared.into_iter().collect::<Vec<_>>().join(", "),
    ))
}

#[test]
fn registrations_conformance() {
    let area = canon_dir().join("areas/registrations");
    assert!(
        area.is_dir(),
        "the conformance canon is missing: {} (set LHW_CONFORMANCE_DIR)",
        area.display()
    );
    let manifest = manifest(&area);
    let ours_root = repo_root().join("tests/registrations");
    let mut passed = 0usize;
    let mut deviations = 0usize;
    let mut failures: Vec<String> = Vec::new();
    let mut fail = |what: String| {
        println!("FAIL {what}");
        failures.push(what);
    };

    let dirs: BTreeSet<String> = fs::read_dir(&ours_root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", ours_root.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for dir in dirs.iter().filter(|d| !manifest.contains_key(*d)) {
        fail(format!("{dir}: not a case of the canon manifest"));
    }
    for (id, variants) in &manifest {
        let dir = ours_root.join(id);
        if !dir.is_dir() {
            fail(format!("{id}: no directory tests/registrations/{id}"));
            continue;
        }
        let allowed: BTreeSet<String> = variants
            .iter()
            .flat_map(|v| {
                [
                    format!("{v}.lhw"),
                    format!("expected-{v}.json"),
                    format!("deviation-{v}.md"),
                    format!("deviation-{v}.json"),
                ]
            })
            .collect();
        let files: BTreeSet<String> = fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        for f in files.difference(&allowed) {
            fail(format!("{id}: unexpected file {f}"));
        }
        for variant in variants {
            let label = format!("{id}/{variant}");
            match run_variant(id, variant, &dir, &area) {
                Ok(Outcome::Pass) => {
                    println!("PASS {label}");
                    passed += 1;
                }
                Ok(Outcome::Deviation(keys)) => {
                    println!(
                        "DEVIATION {label}: differs on {keys} (see {})",
                        dir.join(format!("deviation-{variant}.md")).display()
                    );
                    deviations += 1;
                }
                Err(reason) => fail(format!("{label}: {reason}")),
            }
        }
    }

    println!(
        "registrations: {passed} passed, {} failed, {deviations} documented deviations",
        failures.len()
    );
    assert!(passed > 0, "no case variant was compared");
    assert!(
        failures.is_empty(),
        "{} registrations failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
