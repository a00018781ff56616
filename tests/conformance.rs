//! The wfsdk conformance suite: every case of the canon's manifest has a directory
//! `tests/conformance/<id>/` whose `.lhw` variants compile to the WfSpec `probe-<id>`, compared
//! with the LittleHorse SDK conformance canon
//! (`<canon>/areas/wfsdk/cases/<id>/<variant>.json`), or, where the canon lacks a fixture,
//! with our own `expected-<variant>.json` in the case directory.
//!
//! The canon is found at `tests/canon` (vendored) relative to the repository root; the
//! environment variable `LHW_CONFORMANCE_DIR` overrides that path.
//!
//! Comparison is semantic: both sides are decoded into `PutWfSpecRequest` and compared as
//! messages, so key order is free and `null` equals an absent field (the suite's own
//! `compare.mjs` rule). Run with `cargo test --test conformance -- --nocapture` to see one
//! `PASS`/`FAIL` line per case and variant.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use lhw_proto::littlehorse::PutWfSpecRequest;

mod common;

use common::{canon_dir, repo_root};

/// `id → variants` from the canon's manifest.
fn manifest(wfsdk: &Path) -> BTreeMap<String, Vec<String>> {
    let path = wfsdk.join("manifest.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the canon manifest {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let cases = json["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no `cases` array", path.display()));
    cases
        .iter()
        .map(|c| {
            let id = c["id"]
                .as_str()
                .unwrap_or_else(|| panic!("manifest case without id: {c}"));
            let variants = c["variants"]
                .as_array()
                .unwrap_or_else(|| panic!("manifest case {id} has no variants"))
                .iter()
                .map(|v| {
                    v.as_str()
                        .unwrap_or_else(|| panic!("bad variant in {id}"))
                        .to_string()
                })
                .collect();
            (id.to_string(), variants)
        })
        .collect()
}

/// A line diff of `expected` against `actual` (longest common subsequence), showing only
/// changed lines with up to `CONTEXT` lines around them.
fn line_diff(expected: &str, actual: &str) -> String {
    const CONTEXT: usize = 3;
    const MAX_LINES: usize = 80;
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // lcs[i][j] = length of the LCS of a[i..] and b[j..]
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let keep: Vec<bool> = (0..ops.len())
        .map(|k| {
            let lo = k.saturating_sub(CONTEXT);
            let hi = (k + CONTEXT).min(ops.len() - 1);
            ops[lo..=hi].iter().any(|(c, _)| *c != ' ')
        })
        .collect();
    let mut out = String::from("    --- expected\n    +++ compiled\n");
    let mut shown = 0;
    let mut gap = false;
    for (k, (c, line)) in ops.iter().enumerate() {
        if !keep[k] {
            gap = true;
            continue;
        }
        if gap {
            out.push_str("    ...\n");
            gap = false;
        }
        if shown == MAX_LINES {
            out.push_str("    ... (diff truncated)\n");
            break;
        }
        let _ = writeln!(out, "    {c}{line}");
        shown += 1;
    }
    out
}

/// Prints a `FAIL` line and records the failure.
fn fail(failures: &mut Vec<String>, what: String) {
    println!("FAIL {what}");
    failures.push(what);
}

/// Compiles one variant and compares it with the expected JSON; `Err` holds the reason.
fn run_variant(id: &str, lhw: &Path, expected: &Path) -> Result<(), String> {
    let output = common::compile_clean(lhw)?;
    // The case's workflow is `probe-<id>` (rules.md R10); a case may declare others beside it
    // (a child workflow that `run` starts), which are not compared.
    let probe = format!("probe-{id}");
    let Some(actual) = output.wf_specs.iter().find(|w| w.name == probe) else {
        return Err(format!(
            "no workflow named {probe} among {:?}",
            output.wf_specs.iter().map(|w| &w.name).collect::<Vec<_>>()
        ));
    };
    let json = fs::read_to_string(expected)
        .map_err(|e| format!("cannot read {}: {e}", expected.display()))?;
    let expected_msg: PutWfSpecRequest = lhw_proto::from_json(&json)
        .map_err(|e| format!("{} is not a PutWfSpecRequest: {e}", expected.display()))?;
    if *actual == expected_msg {
        return Ok(());
    }
    let want = lhw_proto::to_json_pretty(&expected_msg);
    let got = lhw_proto::to_json_pretty(actual);
    Err(format!(
        "compiled WfSpec differs from {}\n{}",
        expected.display(),
        line_diff(&want, &got)
    ))
}

/// Checks a documented deviation: compiling the variant reports exactly the listed codes.
fn check_deviation(lhw: &Path, deviation: &Path) -> Result<String, String> {
    let text = fs::read_to_string(deviation)
        .map_err(|e| format!("cannot read {}: {e}", deviation.display()))?;
    let wanted: BTreeSet<String> = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("codes:"))
        .ok_or_else(|| format!("{} must start with `codes: E....`", deviation.display()))?
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let source =
        fs::read_to_string(lhw).map_err(|e| format!("cannot read {}: {e}", lhw.display()))?;
    let got: BTreeSet<String> = lhw_compiler::compile(&source)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    if got == wanted && !wanted.is_empty() {
        Ok(wanted.into_iter().collect::<Vec<_>>().join(", "))
    } else {
        Err(format!(
            "deviation expects codes {wanted:?}, compiling reports {got:?}"
        ))
    }
}

#[test]
fn wfsdk_conformance() {
    let canon = canon_dir();
    let wfsdk = canon.join("areas/wfsdk");
    assert!(
        wfsdk.is_dir(),
        "the conformance canon is missing: {} (set LHW_CONFORMANCE_DIR)",
        wfsdk.display()
    );
    let manifest = manifest(&wfsdk);
    let ours_root = repo_root().join("tests/conformance");

    let mut deviations = 0usize;
    let mut passed = 0usize;
    let mut failures: Vec<String> = Vec::new();

    // Every manifest case has a directory here.
    for id in manifest.keys() {
        if !ours_root.join(id).is_dir() {
            fail(
                &mut failures,
                format!("{id}: no directory tests/conformance/{id}"),
            );
        }
    }

    let mut dirs: Vec<PathBuf> = fs::read_dir(&ours_root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", ours_root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no cases under {}", ours_root.display());

    for dir in dirs {
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(variants) = manifest.get(&id) else {
            fail(
                &mut failures,
                format!("{id}: not a case of the canon manifest"),
            );
            continue;
        };
        // Only the files a case may hold: `<variant>.lhw` and `expected-<variant>.json`.
        let allowed: BTreeSet<String> = variants
            .iter()
            .flat_map(|v| {
                [
                    format!("{v}.lhw"),
                    format!("expected-{v}.json"),
                    format!("deviation-{v}.md"),
                ]
            })
            .collect();
        let mut files: Vec<String> = fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        for f in files.iter().filter(|f| !allowed.contains(*f)) {
            fail(&mut failures, format!("{id}: unexpected file {f}"));
        }
        for variant in variants {
            let label = format!("{id}/{variant}");
            let lhw = dir.join(format!("{variant}.lhw"));
            let canon_json = wfsdk
                .join("cases")
                .join(&id)
                .join(format!("{variant}.json"));
            let ours_json = dir.join(format!("expected-{variant}.json"));
            if !lhw.is_file() {
                fail(&mut failures, format!("{label}: missing {}", lhw.display()));
                continue;
            }
            let expected = match (canon_json.is_file(), ours_json.is_file()) {
                (true, false) => canon_json,
                (false, true) => ours_json,
                (true, true) => {
                    fail(
                        &mut failures,
                        format!(
                            "{label}: the canon has this fixture; delete our {}",
                            ours_json.display()
                        ),
                    );
                    continue;
                }
                (false, false) => {
                    fail(
                        &mut failures,
                        format!(
                            "{label}: no expected output: neither {} nor {}",
                            canon_json.display(),
                            ours_json.display()
                        ),
                    );
                    continue;
                }
            };
            // A canon body the LittleHorse server itself rejects: our compiler reports it
            // instead of compiling it. `deviation-<variant>.md` starts with `codes: E...`
            // (the codes it must report) and explains why, citing the server's rule.
            let deviation = dir.join(format!("deviation-{variant}.md"));
            if deviation.is_file() {
                match check_deviation(&lhw, &deviation) {
                    Ok(codes) => {
                        println!(
                            "DEVIATION {label}: reported as {codes} (see {})",
                            deviation.display()
                        );
                        deviations += 1;
                    }
                    Err(reason) => fail(&mut failures, format!("{label}: {reason}")),
                }
                continue;
            }
            match run_variant(&id, &lhw, &expected) {
                Ok(()) => {
                    println!("PASS {label}");
                    passed += 1;
                }
                Err(reason) => fail(&mut failures, format!("{label}: {reason}")),
            }
        }
    }

    println!(
        "conformance: {passed} passed, {} failed, {deviations} documented deviations",
        failures.len()
    );
    assert!(passed > 0, "no case variant was compared");
    assert!(
        failures.is_empty(),
        "{} conformance failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
