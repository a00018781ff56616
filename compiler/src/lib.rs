//! The `.lhw` compiler: parsing, name resolution, type checking and lowering to LittleHorse
//! `PutWfSpecRequest`s and metadata requests.
//!
//! This crate is pure: no IO, no async, no gRPC or LSP types. Every stage returns its result
//! together with its diagnostics and never stops at the first error.
//!
//! Data flow: `syntax::parse` (text → `ast::File`) → `check::check` (names and types →
//! `check::Model`) → `lower::lower` (AST + model → protobuf requests), the last only when
//! no error was found.
//!
//! `format::format` (text → the canonical layout, `lhc fmt`) works beside that pipeline: it
//! reuses the parse and changes whitespace only.

pub mod ast;
pub mod check;
pub mod decompile;
pub mod diag;
pub mod fix;
pub mod format;
pub mod graph;
pub mod ide;
pub mod lower;
pub mod source;
pub mod syntax;
pub mod test;

use diag::Diagnostic;
pub use lower::Output;

/// The result of compiling one file.
#[derive(Debug, Clone)]
#[must_use]
pub struct Compiled {
    /// The requests, when there were no errors.
    pub output: Option<Output>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks `text`, returning every diagnostic sorted by position.
#[must_use]
pub fn check(text: &str) -> Vec<Diagnostic> {
    let (file, mut diags) = syntax::parse(text);
    let (_model, check_diags) = check::check(&file);
    diags.extend(check_diags);
    diag::sort_and_dedup(&mut diags);
    diag::widen_deletions(&mut diags, text);
    diags
}

/// Compiles `text` into LittleHorse requests. Output is produced only when there are no
/// errors (warnings are allowed); it is deterministic.
pub fn compile(text: &str) -> Compiled {
    let (file, mut diags) = syntax::parse(text);
    let (model, check_diags) = check::check(&file);
    diags.extend(check_diags);
    let output = if diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        let (out, lower_diags) = lower::lower(&file, &model);
        diags.extend(lower_diags);
        if diags.iter().any(Diagnostic::is_error) {
            None
        } else {
            Some(out)
        }
    };
    diag::sort_and_dedup(&mut diags);
    diag::widen_deletions(&mut diags, text);
    Compiled {
        output,
        diagnostics: diags,
    }
}

#[cfg(test)]
mod smoke {
    use super::*;

    #[test]
    fn renders_a_diagnostic_with_code_label_and_help() {
        let text = "workflow w {\n  input count: int\n  cuont += 1\n}\n";
        let diags = check(text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let out = diag::render::render(
            &diags[0],
            "w.lhw",
            text,
            diag::render::RenderOptions::default(),
        );
        assert!(out.contains("E0101"), "{out}");
        assert!(out.contains("unknown variable `cuont`"), "{out}");
        assert!(out.contains("w.lhw:3:3"), "{out}");
        assert!(out.contains("did you mean `count`?"), "{out}");
    }

    #[test]
    fn compiles_a_task_call_like_the_canon() {
        let out = compile(
            "task greet(name: str)\nworkflow probe {\n  input name: str\n  greet(name)\n}\n",
        );
        let output = out.output.expect("no errors");
        let wf = &output.wf_specs[0];
        let entry = &wf.thread_specs["entrypoint"];
        let names: Vec<&String> = entry.nodes.keys().collect();
        assert_eq!(
            names,
            ["0-entrypoint-ENTRYPOINT", "1-greet-TASK", "2-exit-EXIT"]
        );
    }

    #[test]
    fn node_spans_point_at_the_step_that_made_each_node() {
        let text = "task greet(name: str) -> str\nworkflow w {\n  input name: str\n  let r = greet(name) catch any {\n    greet(\"again\")\n  }\n}\n";
        let out = compile(text).output.expect("no errors");
        let span_text = |thread: &str, node: &str| {
            let span = out.node_spans.get("w", thread, node).unwrap_or_default();
            &text[span.start as usize..span.end as usize]
        };
        assert_eq!(span_text("entrypoint", "1-greet-TASK"), "greet(name)");
        assert_eq!(
            span_text("exn-handler-1-greet-TASK-any-failure", "1-greet-TASK"),
            "greet(\"again\")"
        );
        assert_eq!(span_text("entrypoint", "2-exit-EXIT"), "w");
    }
}
