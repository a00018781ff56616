//! Test files (`*.test.lhw`): tests of workflows, checked like any `.lhw` and turned into
//! a typed [`plan::TestPlan`] that `lhc test` runs on the kernel's simulation.
//!
//! The compiler stays pure: the caller reads the files a test file uses (its `use` lines,
//! or the sibling `X.lhw` of `X.test.lhw`), checks them, and passes their [`Model`]s.
//!
//! ```
//! let wf = "task greet(name: str) -> str\nworkflow hello {\n  input name: str required\n  let r = greet(name)\n}\n";
//! let tests = "test \"greets\" for hello {\n  mock greet returns \"hi\"\n  start(name: \"Ann\")\n  expect completed\n}\n";
//! let (file, mut diags) = lhw_compiler::test::parse(tests);
//! let model = lhw_compiler::test::model_of(&[wf]);
//! let (plan, more) = lhw_compiler::test::check(&file, &model);
//! diags.extend(more);
//! assert!(diags.is_empty());
//! assert_eq!(plan.cases[0].workflow, "hello");
//! ```

pub mod ast;
mod check;
mod messages;
pub mod plan;
pub mod problems;

use crate::check::Model;
use crate::diag::Diagnostic;

/// A workflow file a test file uses: its path relative to the test file's directory, and
/// the `use` line naming it (`None` for the implicit sibling, which may not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedFile {
    /// The path, relative to the test file's directory.
    pub path: String,
    /// The `use` string literal.
    pub span: Option<crate::source::Span>,
}

/// The files the test file `file_name` (its name, e.g. `order-approval.test.lhw`) uses: its
/// `use` lines, or without any the sibling `X.lhw` of `X.test.lhw`.
#[must_use]
pub fn used_files(file_name: &str, file: &ast::TestFile) -> Vec<UsedFile> {
    if !file.uses.is_empty() {
        return file
            .uses
            .iter()
            .map(|u| UsedFile {
                path: u.path.clone(),
                span: Some(u.span),
            })
            .collect();
    }
    file_name
        .strip_suffix(".test.lhw")
        .map(|stem| UsedFile {
            path: format!("{stem}.lhw"),
            span: None,
        })
        .into_iter()
        .collect()
}

/// Parses a test file.
#[must_use]
pub fn parse(text: &str) -> (ast::TestFile, Vec<Diagnostic>) {
    crate::syntax::parse_test_file(text)
}

/// Checks a parsed test file against the declarations of the files it uses.
#[must_use]
pub fn check(file: &ast::TestFile, model: &Model) -> (plan::TestPlan, Vec<Diagnostic>) {
    let (plan, mut diags) = check::check_test_file(file, model);
    crate::diag::sort_and_dedup(&mut diags);
    (plan, diags)
}

/// The declarations of several workflow files together (the first declaration of a name
/// wins; conflicts are the files' own business, reported when they are compiled).
#[must_use]
pub fn merge_models(models: impl IntoIterator<Item = Model>) -> Model {
    let mut out = Model::default();
    for m in models {
        for (k, v) in m.tasks {
            out.tasks.entry(k).or_insert(v);
        }
        for (k, v) in m.structs {
            out.structs.entry(k).or_insert(v);
        }
        for (k, v) in m.events {
            out.events.entry(k).or_insert(v);
        }
        for (k, v) in m.workflow_events {
            out.workflow_events.entry(k).or_insert(v);
        }
        for (k, v) in m.user_tasks {
            out.user_tasks.entry(k).or_insert(v);
        }
        for (k, v) in m.workflows {
            out.workflows.entry(k).or_insert(v);
        }
    }
    out
}

/// The merged declarations of workflow sources (parsed and checked; their diagnostics are
/// not returned: compile the files to see them).
#[must_use]
pub fn model_of(texts: &[&str]) -> Model {
    merge_models(texts.iter().map(|t| {
        let (file, _) = crate::syntax::parse(t);
        crate::check::check(&file).0
    }))
}
