//! The serde conformance suite: every typed literal of the canon's serde area
//! (`<canon>/areas/serde/manifest.json`) is written as the default value of a variable of
//! its type, compiled, and the variable's `default_value` compared with the canonical
//! `VariableValue` (`<canon>/areas/serde/cases/<id>.json`, or, where the canon lacks the
//! fixture, our own `tests/serde/<id>.json`).
//!
//! How each input type is written in `.lhw` (the serde rules' S1 table):
//!
//! | type | literal |
//! |---|---|
//! | `str` | a string literal, escaped |
//! | `int`, `double`, `bool` | the value as written in the manifest |
//! | `bytes` | the manifest's base64 text as a string literal |
//! | `timestamp` | the epoch milliseconds as an int, and again as the RFC 3339 text of the expected value |
//! | `json-obj`, `json-arr` | the JSON text itself, a JSON literal |
//! | `null` | `null`, assigned (`null` is not a default): the mutation's literal is compared |
//!
//! The canon is found at `tests/canon` (vendored) relative to the repository root; the
//! environment variable `LHW_CONFORMANCE_DIR` overrides that path. Comparison is semantic:
//! both sides are `VariableValue` messages. Run with
//! `cargo test --test serde -- --nocapture` to see one `PASS`/`FAIL` line per case.

use std::fs;

use lhw_proto::littlehorse as pb;
use pb::variable_assignment::Source;
use pb::variable_mutation::RhsValue;

mod common;

use common::{canon_dir, repo_root};

/// One manifest case: its id, input type and input value (absent for `null`).
struct Case {
    id: String,
    ty: String,
    value: Option<String>,
}

fn manifest() -> Vec<Case> {
    let path = canon_dir().join("areas/serde/manifest.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the canon manifest {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    json["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no `cases` array", path.display()))
        .iter()
        .map(|c| Case {
            id: c["id"]
                .as_str()
                .unwrap_or_else(|| panic!("manifest case without id: {c}"))
                .to_string(),
            ty: c["input"]["type"]
                .as_str()
                .unwrap_or_else(|| panic!("manifest case without input type: {c}"))
                .to_string(),
            value: c["input"]["value"].as_str().map(str::to_string),
        })
        .collect()
}

/// A `.lhw` string literal holding `text`.
fn string_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `.lhw` variable type of a manifest input type.
fn lhw_type(ty: &str) -> Result<&'static str, String> {
    Ok(match ty {
        "str" => "str",
        "int" => "int",
        "double" => "double",
        "bool" => "bool",
        "bytes" => "bytes",
        "timestamp" => "timestamp",
        "json-obj" => "json-obj",
        "json-arr" => "json-arr",
        other => return Err(format!("unknown input type `{other}`")),
    })
}

/// The `.lhw` literal(s) for a typed input; `timestamp` has two spellings.
fn literals(case: &Case, expected: &pb::VariableValue) -> Result<Vec<String>, String> {
    let value = case
        .value
        .as_deref()
        .ok_or_else(|| format!("{}: input of type {} has no value", case.id, case.ty))?;
    Ok(match case.ty.as_str() {
        "str" | "bytes" => vec![string_literal(value)],
        "int" | "double" | "bool" | "json-obj" | "json-arr" => vec![value.to_string()],
        "timestamp" => {
            let mut out = vec![value.to_string()];
            // The same instant in RFC 3339, as the canon prints it.
            let json = lhw_proto::to_json_pretty(expected);
            let parsed: serde_json::Value = serde_json::from_str(&json)
                .map_err(|e| format!("{}: expected value is not JSON: {e}", case.id))?;
            let text = parsed["utcTimestamp"]
                .as_str()
                .ok_or_else(|| format!("{}: expected value has no utcTimestamp", case.id))?;
            out.push(string_literal(text));
            out
        }
        other => return Err(format!("{}: unknown input type `{other}`", case.id)),
    })
}

/// Compiles `source` (workflow `probe-serde`) and returns its entrypoint thread.
fn compile_entrypoint(source: &str) -> Result<pb::ThreadSpec, String> {
    let compiled = lhw_compiler::compile(source);
    if !compiled.diagnostics.is_empty() {
        let rendered: Vec<String> = compiled
            .diagnostics
            .iter()
            .map(|d| {
                let opts = lhw_compiler::diag::render::RenderOptions::default();
                lhw_compiler::diag::render::render(d, "serde.lhw", source, opts)
            })
            .collect();
        return Err(format!("diagnostics for\n{source}{}", rendered.join("\n")));
    }
    let output = compiled
        .output
        .ok_or("no output although there were no diagnostics")?;
    output
        .wf_specs
        .into_iter()
        .find(|w| w.name == "probe-serde")
        .and_then(|mut w| w.thread_specs.remove("entrypoint"))
        .ok_or_else(|| "no entrypoint thread in workflow probe-serde".to_string())
}

/// The default value of variable `v` when `literal` is its default.
fn default_of(ty: &str, literal: &str) -> Result<pb::VariableValue, String> {
    let source = format!("workflow probe-serde {{\n  input v: {ty} = {literal}\n}}\n");
    let thread = compile_entrypoint(&source)?;
    thread
        .variable_defs
        .iter()
        .filter_map(|d| d.var_def.as_ref())
        .find(|d| d.name == "v")
        .and_then(|d| d.default_value.clone())
        .ok_or_else(|| format!("variable `v` has no default value in\n{source}"))
}

/// The literal assigned by `v = null` (null is not a default).
fn assigned_null() -> Result<pb::VariableValue, String> {
    let source = "workflow probe-serde {\n  input v: json-obj\n  v = null\n}\n";
    let thread = compile_entrypoint(source)?;
    thread
        .nodes
        .values()
        .flat_map(|n| &n.outgoing_edges)
        .flat_map(|e| &e.variable_mutations)
        .find(|m| m.lhs_name == "v")
        .and_then(|m| match &m.rhs_value {
            Some(RhsValue::RhsAssignment(pb::VariableAssignment {
                source: Some(Source::LiteralValue(v)),
                ..
            })) => Some(v.clone()),
            _ => None,
        })
        .ok_or_else(|| format!("no literal assigned to `v` in\n{source}"))
}

fn expected_value(id: &str) -> Result<pb::VariableValue, String> {
    let canon = canon_dir().join(format!("areas/serde/cases/{id}.json"));
    let ours = repo_root().join(format!("tests/serde/{id}.json"));
    let path = match (canon.is_file(), ours.is_file()) {
        (true, false) => canon,
        (false, true) => ours,
        (true, true) => {
            return Err(format!(
                "the canon has this fixture; delete our {}",
                ours.display()
            ));
        }
        (false, false) => {
            return Err(format!(
                "no expected value: neither {} nor {}",
                canon.display(),
                ours.display()
            ));
        }
    };
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    lhw_proto::from_json(&text)
        .map_err(|e| format!("{} is not a VariableValue: {e}", path.display()))
}

fn run_case(case: &Case) -> Result<(), String> {
    let expected = expected_value(&case.id)?;
    let got = if case.ty == "null" {
        vec![("null".to_string(), assigned_null()?)]
    } else {
        let ty = lhw_type(&case.ty)?;
        literals(case, &expected)?
            .into_iter()
            .map(|lit| default_of(ty, &lit).map(|v| (lit, v)))
            .collect::<Result<Vec<_>, _>>()?
    };
    for (literal, value) in got {
        if value != expected {
            return Err(format!(
                "`{literal}` compiles to {}, expected {}",
                lhw_proto::to_json_pretty(&value),
                lhw_proto::to_json_pretty(&expected)
            ));
        }
    }
    Ok(())
}

#[test]
fn serde_conformance() {
    let cases = manifest();
    assert!(!cases.is_empty(), "the serde manifest has no cases");
    let mut passed = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for case in &cases {
        match run_case(case) {
            Ok(()) => {
                println!("PASS {}", case.id);
                passed += 1;
            }
            Err(reason) => {
                println!("FAIL {}: {reason}", case.id);
                failures.push(format!("{}: {reason}", case.id));
            }
        }
    }
    // Our fixtures are only for cases the canon lacks, and only for manifest cases.
    let ours = repo_root().join("tests/serde");
    let mut files: Vec<String> = fs::read_dir(&ours)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    for f in files {
        let known = f
            .strip_suffix(".json")
            .is_some_and(|id| cases.iter().any(|c| c.id == id));
        if !known {
            println!("FAIL tests/serde/{f}: not a case of the canon manifest");
            failures.push(format!("tests/serde/{f}: not a case of the canon manifest"));
        }
    }
    println!("serde: {passed} passed, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} serde failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn string_literals_escape_what_lhw_interprets() {
    assert_eq!(string_literal("a\"b\\c{d}"), r#""a\"b\\c\{d\}""#);
    assert_eq!(string_literal("héllo → 世界"), "\"héllo → 世界\"");
}
