//! `lhc check`: parse and check files, report every diagnostic, write nothing.

use std::io::Write as _;
use std::process::ExitCode;

use lhw_compiler::source::LineIndex;

use crate::cli::{CheckArgs, CheckFormat};
use crate::report::{
    Counts, JsonDiagnostic, JsonFile, JsonReport, Style, display_path, plural, render_human,
};
use crate::{dedup_paths, guarded, read_source};

/// `--fix`: applies the preferred fixes of `path`'s text and writes the file when that
/// changed it; returns the text to check.
fn fix_file(
    path: &std::path::Path,
    shown: &str,
    text: String,
    stderr: &mut impl std::io::Write,
    style: Style,
) -> Result<String, ()> {
    let fixed = match guarded(shown, || lhw_compiler::fix::apply_preferred(&text)) {
        Ok(fixed) => fixed,
        Err(message) => {
            let _ = writeln!(stderr, "{}", style.error(&message));
            return Err(());
        }
    };
    if fixed.applied == 0 || fixed.text == text {
        return Ok(text);
    }
    if let Err(err) = std::fs::write(path, &fixed.text) {
        let _ = writeln!(
            stderr,
            "{}",
            style.error(&format!("cannot write {shown}: {err}"))
        );
        return Err(());
    }
    let _ = writeln!(
        stderr,
        "fixed {} in {shown}",
        plural(fixed.applied, "problem")
    );
    Ok(fixed.text)
}

/// Runs `lhc check`.
pub fn run(args: &CheckArgs, style: Style) -> ExitCode {
    let mut total = Counts::default();
    let mut failed_files = 0usize;
    let mut json_files = Vec::new();
    let files = dedup_paths(&crate::lhw_files::expand(
        &args.files,
        crate::lhw_files::Under::WithTests,
    ));
    let mut stderr = std::io::stderr().lock();

    for path in &files {
        let shown = display_path(path);
        let (counts, json) = match read_source(path) {
            Err(reason) => {
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("cannot read {shown}: {reason}"))
                );
                let json = JsonFile {
                    path: shown,
                    error: Some(reason),
                    diagnostics: Vec::new(),
                };
                (
                    Counts {
                        errors: 1,
                        warnings: 0,
                    },
                    json,
                )
            }
            Ok(text) => {
                let is_test_file = path
                    .to_string_lossy()
                    .ends_with(crate::test::load::TEST_SUFFIX);
                let text = if args.fix && !is_test_file {
                    match fix_file(path, &shown, text, &mut stderr, style) {
                        Ok(text) => text,
                        Err(()) => {
                            failed_files += 1;
                            total.errors += 1;
                            continue;
                        }
                    }
                } else {
                    text
                };
                let diags = match if is_test_file {
                    crate::test::load::check_test_file(path, &text)
                } else {
                    guarded(&shown, || lhw_compiler::check(&text))
                } {
                    Ok(diags) => diags,
                    Err(message) => {
                        let _ = writeln!(stderr, "{}", style.error(&message));
                        let json = JsonFile {
                            path: shown,
                            error: Some(message),
                            diagnostics: Vec::new(),
                        };
                        failed_files += 1;
                        total.errors += 1;
                        json_files.push(json);
                        continue;
                    }
                };
                if args.format == CheckFormat::Human {
                    let _ = stderr.write_all(render_human(&diags, &shown, &text, style).as_bytes());
                }
                let index = LineIndex::new(&text);
                let json = JsonFile {
                    path: shown,
                    error: None,
                    diagnostics: diags
                        .iter()
                        .map(|d| JsonDiagnostic::new(d, &text, &index))
                        .collect(),
                };
                (Counts::of(&diags), json)
            }
        };
        if counts.errors > 0 {
            failed_files += 1;
        }
        total.add(counts);
        json_files.push(json);
    }

    match args.format {
        CheckFormat::Human => {
            let line = if failed_files > 0 {
                style.error(&format!(
                    "could not check {}: {}",
                    plural(failed_files, "file"),
                    total.describe()
                ))
            } else {
                format!(
                    "checked {}: {}",
                    plural(files.len(), "file"),
                    total.describe()
                )
            };
            let _ = writeln!(stderr, "{line}");
        }
        CheckFormat::Json => {
            let report = JsonReport {
                files: json_files,
                errors: total.errors,
                warnings: total.warnings,
            };
            match serde_json::to_string_pretty(&report) {
                Ok(json) => {
                    let mut stdout = std::io::stdout().lock();
                    if writeln!(stdout, "{json}").is_err() {
                        return ExitCode::FAILURE;
                    }
                }
                Err(err) => {
                    let _ = writeln!(
                        stderr,
                        "{}",
                        style.error(&format!("cannot encode the report: {err}"))
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
    }

    if total.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
