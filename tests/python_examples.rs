//! The LittleHorse Python examples, compiled from `.lhw` and compared with the official
//! Python SDK.
//!
//! `tests/python_examples/build_all.py` rebuilds, with the official Python SDK
//! (`littlehorse-client`, installed in `.venv` by `scripts/setup-python.sh`), the WfSpecs and
//! metadata requests that each of LittleHorse's 21 Python examples registers. Every example
//! that the language can express today is ported to `examples/python/<example>.lhw`; this
//! test compiles each port and compares its requests with the Python reference as protobuf
//! messages (key order and `null`-versus-absent do not matter, every value does).
//!
//! The compiler follows sdk-java. Where the Python SDK builds something else, or the
//! language cannot say what the example registers, the difference is written down in
//! `tests/python_examples/KNOWN_DIFFERENCES.md` and undone here by one narrow normalisation
//! of the Python reference (see [`KNOWN_DIFFERENCES`]); a normalisation that no longer
//! changes anything fails the test, so stale entries do not linger.
//!
//! Examples that need syntax the language lacks are listed in
//! `tests/python_examples/PENDING.md`; every example is either ported or pending, never both.
//!
//! Run with `cargo test -p lhc --test python_examples -- --nocapture` to see one
//! `PASS`/`FAIL` line per example.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lhw_proto::littlehorse::{
    PutExternalEventDefRequest, PutStructDefRequest, PutTaskDefRequest, PutUserTaskDefRequest,
    PutWfSpecRequest, PutWorkflowEventDefRequest, ReturnType,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The LittleHorse Python examples (directory names under `examples/python/` of the
/// LittleHorse repository).
const EXAMPLES: &[&str] = &[
    "basic",
    "casting",
    "checkpoint_tasks",
    "child_threads",
    "conditionals",
    "conditionals_while",
    "correlated_event",
    "error_handling",
    "event_registration",
    "external_event",
    "hierarchical_workflow",
    "interruption",
    "json",
    "mutation",
    "parallel_approvals",
    "quickstart",
    "retries",
    "run_child_wf",
    "structdef",
    "user_tasks",
    "wait_for_condition",
];

/// The requests one example registers, by kind and name.
#[derive(Debug, Default)]
struct Requests {
    wf_specs: BTreeMap<String, PutWfSpecRequest>,
    task_defs: BTreeMap<String, PutTaskDefRequest>,
    external_event_defs: BTreeMap<String, PutExternalEventDefRequest>,
    workflow_event_defs: BTreeMap<String, PutWorkflowEventDefRequest>,
    user_task_defs: BTreeMap<String, PutUserTaskDefRequest>,
    struct_defs: BTreeMap<String, PutStructDefRequest>,
}

/// One documented difference between the Python reference and what the compiler builds,
/// undone by a narrow edit of the Python reference. Each entry has a section of the same
/// title in `tests/python_examples/KNOWN_DIFFERENCES.md`.
struct KnownDifference {
    /// The example whose reference is edited.
    example: &'static str,
    /// The KNOWN_DIFFERENCES.md section title.
    title: &'static str,
    /// Edits the reference; returns whether every edit it makes applied (false: the entry
    /// is stale, at least in part).
    apply: fn(&mut Requests) -> bool,
}

const KNOWN_DIFFERENCES: &[KnownDifference] = &[
    // sdk-java sends an empty `ReturnType` for a void task; Python sends none.
    KnownDifference {
        example: "conditionals",
        title: "Void TaskDef return type",
        apply: |r| void_return_type(r, &["reach-goal", "keep-selling"]),
    },
    KnownDifference {
        example: "interruption",
        title: "Void TaskDef return type",
        apply: |r| void_return_type(r, &["some-task"]),
    },
    KnownDifference {
        example: "mutation",
        title: "Void TaskDef return type",
        apply: |r| void_return_type(r, &["daily-bugle"]),
    },
    KnownDifference {
        example: "retries",
        title: "Void TaskDef return type",
        apply: |r| void_return_type(r, &["retries"]),
    },
    KnownDifference {
        example: "error_handling",
        title: "Void TaskDef return type",
        apply: |r| void_return_type(r, &["fail", "handler"]),
    },
    // The examples' worker parameters hold `_`; `.lhw` names cannot.
    KnownDifference {
        example: "conditionals_while",
        title: "Task parameter names with underscores",
        apply: |r| rename_task_param(r, "eating-donut", "donuts_left", "donuts-left"),
    },
    KnownDifference {
        example: "quickstart",
        title: "Task parameter names with underscores",
        apply: |r| {
            rename_task_param(r, "verify-identity", "full_name", "full-name")
                & rename_task_param(r, "notify-customer-verified", "full_name", "full-name")
                & rename_task_param(r, "notify-customer-not-verified", "full_name", "full-name")
        },
    },
    KnownDifference {
        example: "retries",
        title: "Task parameter names with underscores",
        apply: |r| rename_task_param(r, "retries", "start_timestamp", "start-timestamp"),
    },
    KnownDifference {
        example: "user_tasks",
        title: "Task parameter names with underscores",
        apply: |r| rename_task_param(r, "greet", "person_details", "person-details"),
    },
    // Python writes JSON literals with `json.dumps` spacing; sdk-java and the compiler write
    // compact JSON, all three in the author's key order.
    KnownDifference {
        example: "casting",
        title: "JSON literal text",
        apply: |r| {
            compact_json_literal(
                r,
                "casting-workflow",
                "/threadSpecs/entrypoint/variableDefs/2/varDef/defaultValue/jsonObj",
            )
        },
    },
    KnownDifference {
        example: "user_tasks",
        title: "JSON literal text",
        apply: |r| {
            compact_json_literal(
                r,
                "example-user-tasks",
                "/threadSpecs/entrypoint/nodes/1-person-details-USER_TASK/userTask/actions/0\
                 /task/task/variables/1/literalValue/jsonObj",
            )
        },
    },
];

/// Gives each named void TaskDef the empty `ReturnType` that sdk-java sends; true if every
/// one of them had no `return_type` in the Python reference.
fn void_return_type(r: &mut Requests, tasks: &[&str]) -> bool {
    tasks.iter().fold(true, |all, task| {
        let changed = match r.task_defs.get_mut(*task) {
            Some(def) if def.return_type.is_none() => {
                def.return_type = Some(ReturnType::default());
                true
            }
            _ => false,
        };
        all & changed
    })
}

/// Renames one input variable of a TaskDef; true if it had the old name.
fn rename_task_param(r: &mut Requests, task: &str, from: &str, to: &str) -> bool {
    let Some(def) = r.task_defs.get_mut(task) else {
        return false;
    };
    let mut changed = false;
    for var in def.input_vars.iter_mut().filter(|v| v.name == from) {
        to.clone_into(&mut var.name);
        changed = true;
    }
    changed
}

/// Rewrites one JSON literal of a WfSpec (`pointer` is a JSON pointer into the WfSpec's
/// protobuf JSON, ending at a `jsonObj` or `jsonArr` string) as compact JSON with sorted
/// keys, the compiler's text for the same value; true if the text was valid JSON and
/// changed.
fn compact_json_literal(r: &mut Requests, wf_spec: &str, pointer: &str) -> bool {
    let Some(spec) = r.wf_specs.get_mut(wf_spec) else {
        return false;
    };
    let mut json = serde_json::to_value(&*spec).expect("messages serialize");
    let Some(literal) = json.pointer_mut(pointer) else {
        return false;
    };
    let Some(compact) = literal
        .as_str()
        .filter(|text| serde_json::from_str::<Value>(text).is_ok())
        .map(compact_in_order)
    else {
        return false;
    };
    if literal.as_str() == Some(compact.as_str()) {
        return false;
    }
    *literal = Value::String(compact);
    *spec = serde_json::from_value(json)
        .unwrap_or_else(|e| panic!("{wf_spec}: the edited WfSpec does not decode: {e}"));
    true
}

/// Valid JSON text without the whitespace between its tokens, keys left in their order.
fn compact_in_order(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `build_all.py` with the repository venv's Python.
fn python_reference(root: &Path) -> BTreeMap<String, Value> {
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: the Python examples need the official LittleHorse Python SDK in the \
         repository venv. Run `bash scripts/setup-python.sh` once, then rerun this test.",
        python.display()
    );
    let script = root.join("tests/python_examples/build_all.py");
    let out = Command::new(&python)
        .arg(&script)
        .current_dir(root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} {}: {e}", python.display(), script.display()));
    assert!(
        out.status.success(),
        "{} failed ({}); if the SDK is missing or outdated, run `bash scripts/setup-python.sh`.\n\
         stderr:\n{}",
        script.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{} printed invalid JSON: {e}", script.display()))
}

/// Decodes the `{name: message}` object at `group` (absent: no messages of that kind).
fn decode_group<T: DeserializeOwned>(example: &str, group: Option<&Value>) -> BTreeMap<String, T> {
    let Some(group) = group else {
        return BTreeMap::new();
    };
    let group = group
        .as_object()
        .unwrap_or_else(|| panic!("{example}: expected a JSON object, got {group}"));
    group
        .iter()
        .map(|(name, json)| {
            let msg = lhw_proto::from_json::<T>(&json.to_string()).unwrap_or_else(|e| {
                panic!("{example}: the Python request {name} does not decode: {e}\n{json}")
            });
            (name.clone(), msg)
        })
        .collect()
}

fn decode_reference(example: &str, json: &Value) -> Requests {
    let metadata = json.get("metadata");
    let meta = |kind: &str| metadata.and_then(|m| m.get(kind));
    Requests {
        wf_specs: decode_group(example, json.get("wf_specs")),
        task_defs: decode_group(example, meta("task_defs")),
        external_event_defs: decode_group(example, meta("external_event_defs")),
        workflow_event_defs: decode_group(example, meta("workflow_event_defs")),
        user_task_defs: decode_group(example, meta("user_task_defs")),
        struct_defs: decode_group(example, meta("struct_defs")),
    }
}

/// Files a compiled request list by name; a name used twice is an error.
fn by_name<T>(
    what: &str,
    items: Vec<T>,
    name: impl Fn(&T) -> &str,
) -> Result<BTreeMap<String, T>, String> {
    let mut map = BTreeMap::new();
    for item in items {
        let key = name(&item).to_owned();
        if map.insert(key.clone(), item).is_some() {
            return Err(format!("the .lhw declares {what} {key} twice"));
        }
    }
    Ok(map)
}

/// Compiles a port; any diagnostic, warnings included, is a failure.
fn compile_port(path: &Path) -> Result<Requests, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let compiled = lhw_compiler::compile(&text);
    // Warnings are advice the SDKs do not give (W0040: the `mutation` example passes a masked
    // variable to an unmasked task parameter, exactly as the Python original does); only
    // errors stop a port.
    if compiled.diagnostics.iter().any(|d| d.is_error()) {
        return Err(format!(
            "{} has errors:\n{}",
            path.display(),
            lhw_compiler::diag::render::render_all(
                &compiled.diagnostics,
                &path.display().to_string(),
                &text,
                lhw_compiler::diag::render::RenderOptions::default(),
            )
        ));
    }
    let out = compiled
        .output
        .ok_or_else(|| format!("{} produced no output", path.display()))?;
    Ok(Requests {
        wf_specs: by_name("workflow", out.wf_specs, |m| &m.name)?,
        task_defs: by_name("task", out.task_defs, |m| &m.name)?,
        external_event_defs: by_name("event", out.external_event_defs, |m| &m.name)?,
        workflow_event_defs: by_name("workflow-event", out.workflow_event_defs, |m| &m.name)?,
        user_task_defs: by_name("user task", out.user_task_defs, |m| &m.name)?,
        struct_defs: by_name("struct", out.struct_defs, |m| &m.name)?,
    })
}

/// Lists every JSON path where `python` and `ours` differ.
fn json_diff(path: &str, python: &Value, ours: &Value, out: &mut Vec<String>) {
    match (python, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let sub = format!("{path}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => json_diff(&sub, x, y, out),
                    (Some(x), None) => out.push(format!("{sub}: python {x}, ours absent")),
                    (None, Some(y)) => out.push(format!("{sub}: python absent, ours {y}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                json_diff(&format!("{path}[{i}]"), x, y, out);
            }
        }
        _ if python != ours => out.push(format!("{path}: python {python}, ours {ours}")),
        _ => {}
    }
}

/// Compares one kind of request by name, appending a description of every difference.
fn compare_group<T: PartialEq + Serialize>(
    kind: &str,
    python: &BTreeMap<String, T>,
    ours: &BTreeMap<String, T>,
    problems: &mut Vec<String>,
) {
    let names: BTreeSet<&String> = python.keys().chain(ours.keys()).collect();
    for name in names {
        match (python.get(name), ours.get(name)) {
            (Some(p), Some(o)) if p == o => {}
            (Some(p), Some(o)) => {
                let p = serde_json::to_value(p).expect("messages serialize");
                let o = serde_json::to_value(o).expect("messages serialize");
                let mut lines = Vec::new();
                json_diff("", &p, &o, &mut lines);
                if lines.is_empty() {
                    // Unequal messages always differ in JSON, but never report nothing.
                    lines.push("messages differ".to_owned());
                }
                let mut text = format!("{kind} {name} differs:");
                for line in lines {
                    let _ = write!(text, "\n      {line}");
                }
                problems.push(text);
            }
            (Some(_), None) => problems.push(format!("{kind} {name}: in Python, not in the .lhw")),
            (None, Some(_)) => problems.push(format!("{kind} {name}: in the .lhw, not in Python")),
            (None, None) => {}
        }
    }
}

fn compare(python: &Requests, ours: &Requests) -> Vec<String> {
    let mut problems = Vec::new();
    compare_group("WfSpec", &python.wf_specs, &ours.wf_specs, &mut problems);
    compare_group("TaskDef", &python.task_defs, &ours.task_defs, &mut problems);
    compare_group(
        "ExternalEventDef",
        &python.external_event_defs,
        &ours.external_event_defs,
        &mut problems,
    );
    compare_group(
        "WorkflowEventDef",
        &python.workflow_event_defs,
        &ours.workflow_event_defs,
        &mut problems,
    );
    compare_group(
        "UserTaskDef",
        &python.user_task_defs,
        &ours.user_task_defs,
        &mut problems,
    );
    compare_group(
        "StructDef",
        &python.struct_defs,
        &ours.struct_defs,
        &mut problems,
    );
    problems
}

/// The examples listed in PENDING.md: every `## <example>` heading.
fn pending_examples(path: &Path) -> BTreeSet<String> {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(|name| name.trim().trim_matches('`').to_owned())
        .collect()
}

/// The section titles of KNOWN_DIFFERENCES.md (`## ` and `### ` headings).
fn documented_differences(path: &Path) -> BTreeSet<String> {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter_map(|line| {
            line.strip_prefix("### ")
                .or_else(|| line.strip_prefix("## "))
        })
        .map(|title| title.trim().to_owned())
        .collect()
}

#[test]
fn python_examples_match_the_official_sdk() {
    let root = repo_root();
    let examples: BTreeSet<String> = EXAMPLES.iter().map(|&e| e.to_owned()).collect();
    let ports_dir = root.join("examples/python");
    let refs_dir = root.join("tests/python_examples");

    // Bookkeeping: every example is ported or pending, and nothing else is either.
    let ports: BTreeSet<String> = fs::read_dir(&ports_dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", ports_dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "lhw") && !p.to_string_lossy().ends_with(".test.lhw")
        })
        .map(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .expect("UTF-8 file name")
                .to_owned()
        })
        .collect();
    let pending = pending_examples(&refs_dir.join("PENDING.md"));
    let mut bookkeeping = Vec::new();
    for port in ports.difference(&examples) {
        bookkeeping.push(format!("examples/python/{port}.lhw ports no known example"));
    }
    for entry in pending.difference(&examples) {
        bookkeeping.push(format!(
            "PENDING.md lists {entry}, which is no known example"
        ));
    }
    for both in ports.intersection(&pending) {
        bookkeeping.push(format!(
            "{both} has examples/python/{both}.lhw but is still listed in PENDING.md"
        ));
    }
    for example in &examples {
        if !ports.contains(example) && !pending.contains(example) {
            bookkeeping.push(format!(
                "{example} has neither examples/python/{example}.lhw nor a PENDING.md entry"
            ));
        }
    }
    let documented = documented_differences(&refs_dir.join("KNOWN_DIFFERENCES.md"));
    for known in KNOWN_DIFFERENCES {
        if !documented.contains(known.title) {
            bookkeeping.push(format!(
                "known difference \"{}\" has no section in KNOWN_DIFFERENCES.md",
                known.title
            ));
        }
        if !ports.contains(known.example) {
            bookkeeping.push(format!(
                "known difference \"{}\" applies to {}, which is not ported",
                known.title, known.example
            ));
        }
    }
    assert!(
        bookkeeping.is_empty(),
        "python examples bookkeeping:\n  {}",
        bookkeeping.join("\n  ")
    );

    // The Python reference covers exactly the known examples.
    let reference = python_reference(&root);
    let built: BTreeSet<String> = reference.keys().cloned().collect();
    assert_eq!(
        built, examples,
        "build_all.py must build exactly the known examples"
    );

    let mut passed = 0;
    let mut failed = Vec::new();
    for example in &ports {
        let mut python = decode_reference(example, &reference[example]);
        let mut problems = Vec::new();
        let mut applied = Vec::new();
        for known in KNOWN_DIFFERENCES.iter().filter(|k| k.example == example) {
            if (known.apply)(&mut python) {
                applied.push(known.title);
            } else {
                problems.push(format!(
                    "known difference \"{}\" no longer applies: remove it",
                    known.title
                ));
            }
        }
        match compile_port(&ports_dir.join(format!("{example}.lhw"))) {
            Ok(ours) => problems.extend(compare(&python, &ours)),
            Err(e) => problems.push(e),
        }
        if problems.is_empty() {
            if applied.is_empty() {
                println!("PASS {example}");
            } else {
                println!("PASS {example} (known differences: {})", applied.join("; "));
            }
            passed += 1;
        } else {
            println!("FAIL {example}:\n    {}", problems.join("\n    "));
            failed.push(example.clone());
        }
    }
    println!(
        "python-examples: {passed} passed, {} failed ({} pending)",
        failed.len(),
        pending.len()
    );
    assert!(
        failed.is_empty(),
        "python examples differ from the official SDK: {}",
        failed.join(", ")
    );
}

/// The WfSpecs the official Python SDK builds, decompiled to `.lhw` (with the metadata the
/// same example registers) and compiled again: each must come back exactly, or carry the
/// diagnostics that say what could not be kept (docs/decompile.md lists them).
#[test]
fn python_sdk_wfspecs_decompile_and_compile_back() {
    let root = repo_root();
    let reference = python_reference(&root);
    let mut total = 0usize;
    let mut exact = 0usize;
    let mut silent = Vec::new();
    for (example, json) in &reference {
        let r = decode_reference(example, json);
        let decls = lhw_compiler::decompile::Declarations {
            task_defs: r.task_defs.into_values().collect(),
            external_event_defs: r.external_event_defs.into_values().collect(),
            workflow_event_defs: r.workflow_event_defs.into_values().collect(),
            user_task_defs: r.user_task_defs.into_values().collect(),
            struct_defs: r.struct_defs.into_values().collect(),
        };
        let specs: Vec<PutWfSpecRequest> = r.wf_specs.into_values().collect();
        if specs.is_empty() {
            continue;
        }
        total += 1;
        let d = lhw_compiler::decompile::decompile(&specs, &decls);
        if d.is_exact() {
            exact += 1;
            continue;
        }
        println!("NOT EXACT python {example}");
        for diag in &d.diagnostics {
            println!("    {}: {}", diag.code.as_str(), diag.message);
        }
        if d.diagnostics.is_empty() {
            silent.push(example.clone());
        }
    }
    println!("python SDK round trip: {exact} of {total} examples exact");
    assert!(
        silent.is_empty(),
        "not exact without a diagnostic: {silent:?}"
    );
    assert!(
        exact * 100 >= total * PYTHON_DECOMPILE_BAR,
        "python SDK round trip below {PYTHON_DECOMPILE_BAR} %"
    );
}

/// The documented bar of the Python SDK round trip (docs/decompile.md), in percent.
const PYTHON_DECOMPILE_BAR: usize = 70;
