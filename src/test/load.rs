//! Finding test files and loading each: the workflow files it uses (compiled), its plan
//! (checked), and where each node of those workflows is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lhw_compiler::diag::Diagnostic;
use lhw_compiler::source::{LineIndex, Span};
use lhw_compiler::test::plan::TestPlan;
use lhw_compiler::test::problems::TestProblem;
use lhw_kernel::sim::Deployment;
use lhw_proto::littlehorse::PutWfSpecRequest;

use crate::report::display_path;
use crate::{guarded, read_source};

/// The suffix of test files.
pub(crate) const TEST_SUFFIX: &str = ".test.lhw";

/// A `.lhw` line: the file (as shown) and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SourceLine {
    /// The file, as shown.
    pub(crate) file: String,
    /// The line, from 1.
    pub(crate) line: u32,
}

/// A test file, loaded and checked, ready to run.
pub(crate) struct Suite {
    /// The test file, as shown.
    pub(crate) shown: String,
    /// Its text.
    pub(crate) text: String,
    /// Its tests.
    pub(crate) plan: TestPlan,
    /// What every test deploys.
    pub(crate) deployment: Deployment,
    /// The WfSpecs by name.
    pub(crate) specs: BTreeMap<String, PutWfSpecRequest>,
    /// Where each node is written: (workflow, thread, node) -> line.
    pub(crate) node_lines: BTreeMap<(String, String, String), SourceLine>,
}

/// A test file that cannot run: its diagnostics (of the test file or of a file it uses).
pub(crate) struct Broken {
    /// Rendered diagnostics, per file: (shown path, text, diagnostics).
    pub(crate) reports: Vec<(String, String, Vec<Diagnostic>)>,
    /// A message when a file could not be read or the compiler failed.
    pub(crate) message: Option<String>,
}

/// Every test file under `paths` (files given directly are taken as they are), sorted and
/// each once. No path means the current directory.
pub(crate) fn find_test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut found = Vec::new();
    for root in &roots {
        if root.is_dir() {
            crate::lhw_files::lhw_files(root, crate::lhw_files::Under::Tests, &mut found)
                .map_err(|e| format!("cannot read {}: {e}", display_path(root)))?;
        } else if root.exists() && !is_workflow_file(root) {
            found.push(root.clone());
        } else if root.exists() {
            // `lhc test order.lhw`: the tests of that workflow, when they sit beside it.
            let name = root
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let stem = name.strip_suffix(".lhw").unwrap_or(&name);
            let sibling = root.with_file_name(format!("{stem}{TEST_SUFFIX}"));
            if !sibling.is_file() {
                return Err(format!(
                    "{} is a workflow, not a test file: its tests go in {} beside it \
                     (`test \"name\" for WORKFLOW {{ ... }}` blocks; docs/testing.md)",
                    display_path(root),
                    display_path(&sibling)
                ));
            }
            found.push(sibling);
        } else {
            return Err(format!("{}: no such file or directory", display_path(root)));
        }
    }
    // `./x.test.lhw` reads better as `x.test.lhw`.
    let found: Vec<PathBuf> = found
        .into_iter()
        .map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    Ok(crate::dedup_paths(&found))
}

/// A `.lhw` file that is not a `.test.lhw` file.
fn is_workflow_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".lhw") && !name.ends_with(TEST_SUFFIX)
}

/// The workflow files a test file uses (see `lhw_compiler::test::used_files`); a missing
/// implicit sibling is left out.
fn used_files(
    path: &Path,
    file: &lhw_compiler::test::ast::TestFile,
) -> Vec<(PathBuf, Option<Span>)> {
    let dir = path.parent().unwrap_or_else(|| Path::new(""));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    lhw_compiler::test::used_files(&name, file)
        .into_iter()
        .map(|u| (dir.join(&u.path), u.span))
        .filter(|(p, span)| span.is_some() || p.is_file())
        .collect()
}

/// A workflow file a test file uses, compiled.
struct UsedFile {
    shown: String,
    text: String,
    compiled: lhw_compiler::Compiled,
}

/// A test file parsed and checked against the files it uses.
struct Analysis {
    plan: TestPlan,
    /// The test file's own diagnostics.
    diags: Vec<Diagnostic>,
    used: Vec<UsedFile>,
}

/// Parses `text` (the test file at `path`), compiles the files it uses and checks it.
/// A used file that cannot be read, or has errors, is an E0413 at its `use` line.
fn analyze(path: &Path, shown: &str, text: &str) -> Result<Analysis, String> {
    let (file, mut diags) = guarded(shown, || lhw_compiler::test::parse(text))?;
    let mut used = Vec::new();
    let mut models = Vec::new();
    for (used_path, span) in used_files(path, &file) {
        let used_shown = display_path(&used_path);
        let at = span.unwrap_or(Span::new(0, 0));
        let used_text = match read_source(&used_path) {
            Ok(t) => t,
            Err(reason) => {
                diags.push(
                    TestProblem::UsedFileUnreadable {
                        file: used_shown,
                        reason,
                        span: at,
                    }
                    .diagnostic(),
                );
                continue;
            }
        };
        let compiled = guarded(&used_shown, || lhw_compiler::compile(&used_text))?;
        if compiled.output.is_none() {
            diags.push(
                TestProblem::UsedFileHasErrors {
                    file: used_shown.clone(),
                    span: at,
                }
                .diagnostic(),
            );
        }
        models.push(guarded(&used_shown, || {
            lhw_compiler::test::model_of(&[used_text.as_str()])
        })?);
        used.push(UsedFile {
            shown: used_shown,
            text: used_text,
            compiled,
        });
    }
    let model = lhw_compiler::test::merge_models(models);
    let (plan, check_diags) = guarded(shown, || lhw_compiler::test::check(&file, &model))?;
    diags.extend(check_diags);
    lhw_compiler::diag::sort_and_dedup(&mut diags);
    Ok(Analysis { plan, diags, used })
}

/// The diagnostics of a test file (`lhc check` on a `*.test.lhw`).
pub(crate) fn check_test_file(path: &Path, text: &str) -> Result<Vec<Diagnostic>, String> {
    Ok(analyze(path, &display_path(path), text)?.diags)
}

/// Loads one test file. Warnings are printed; errors make it [`Broken`].
pub(crate) fn load(path: &Path, style: crate::report::Style) -> Result<Suite, Broken> {
    let shown = display_path(path);
    let internal = |message: String| Broken {
        reports: Vec::new(),
        message: Some(message),
    };
    let text =
        read_source(path).map_err(|reason| internal(format!("cannot read {shown}: {reason}")))?;
    let analysis = analyze(path, &shown, &text).map_err(internal)?;
    if analysis.diags.iter().any(Diagnostic::is_error) {
        let mut reports = vec![(shown, text, analysis.diags)];
        for u in analysis.used {
            if u.compiled.output.is_none() {
                reports.push((u.shown, u.text, u.compiled.diagnostics));
            }
        }
        return Err(Broken {
            reports,
            message: None,
        });
    }
    if !analysis.diags.is_empty() {
        eprint!(
            "{}",
            crate::report::render_human(&analysis.diags, &shown, &text, style)
        );
    }
    let mut deployment = Deployment::default();
    let mut specs = BTreeMap::new();
    let mut node_lines = BTreeMap::new();
    let mut seen_defs = std::collections::BTreeSet::new();
    for u in analysis.used {
        let Some(out) = u.compiled.output else {
            continue;
        };
        let index = LineIndex::new(&u.text);
        for n in out.node_spans.iter() {
            let (line0, _) = index.line_col_chars(&u.text, n.span.start);
            node_lines.insert(
                (
                    n.workflow.to_string(),
                    n.thread.to_string(),
                    n.node.to_string(),
                ),
                SourceLine {
                    file: u.shown.clone(),
                    line: line0 + 1,
                },
            );
        }
        merge(&mut deployment, &mut seen_defs, out, &mut specs);
    }
    Ok(Suite {
        shown,
        text,
        plan: analysis.plan,
        deployment,
        specs,
        node_lines,
    })
}

/// Adds a compiled file's requests, each declaration once.
fn merge(
    d: &mut Deployment,
    seen: &mut std::collections::BTreeSet<(&'static str, String)>,
    out: lhw_compiler::Output,
    specs: &mut BTreeMap<String, PutWfSpecRequest>,
) {
    for r in out.struct_defs {
        if seen.insert(("struct", r.name.clone())) {
            d.struct_defs.push(r);
        }
    }
    for r in out.task_defs {
        if seen.insert(("task", r.name.clone())) {
            d.task_defs.push(r);
        }
    }
    for r in out.external_event_defs {
        if seen.insert(("event", r.name.clone())) {
            d.external_event_defs.push(r);
        }
    }
    for r in out.workflow_event_defs {
        if seen.insert(("wf-event", r.name.clone())) {
            d.workflow_event_defs.push(r);
        }
    }
    for r in out.user_task_defs {
        if seen.insert(("user-task", r.name.clone())) {
            d.user_task_defs.push(r);
        }
    }
    for r in out.wf_specs {
        if seen.insert(("wf", r.name.clone())) {
            specs.insert(r.name.clone(), r.clone());
            d.wf_specs.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    /// The E0413 diagnostics of used files are built from `TestProblem` (ARCHITECTURE.md,
    /// "Problems as data"), never as sentences here.
    #[test]
    fn e0413_is_built_from_test_problems() {
        let src: String = include_str!("load.rs")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for code in ["E0413", "E0401", "E0402"] {
            let needle = format!("Diagnostic::error(Code::{code}");
            assert!(!src.contains(&needle), "{code} is built at a call site");
        }
        assert!(src.contains("TestProblem::UsedFileUnreadable"));
        assert!(src.contains("TestProblem::UsedFileHasErrors"));
    }
}
