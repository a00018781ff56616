//! `lhc fmt`: rewrite files in the canonical layout (`lhw_compiler::format`), check that
//! they are (`--check`), or format standard input (`-`).

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::FmtArgs;
use crate::lhw_files::{Under, lhw_files};
use crate::report::{Style, display_path, plural, render_human};
use crate::{dedup_paths, guarded, read_source};

/// How many removed and added lines `--check` shows per file.
const DIFF_LINES: usize = 8;

/// Runs `lhc fmt`.
pub fn run(args: &FmtArgs, style: Style) -> ExitCode {
    let stdin = Path::new("-");
    if args.paths.iter().any(|p| p == stdin) {
        if args.paths.len() > 1 {
            eprintln!(
                "{}",
                style.error("`-` (standard input) cannot be combined with other paths")
            );
            return ExitCode::from(2);
        }
        return run_stdin(args.check, args.fix, style);
    }

    let mut stderr = std::io::stderr().lock();
    let mut stdout = std::io::stdout().lock();
    let mut failed = 0usize;
    let mut files = Vec::new();
    for path in dedup_paths(&args.paths) {
        if path.is_dir() {
            // Test files (`lhc test`) have their own grammar, which `fmt` does not lay out.
            let mut found = Vec::new();
            let result = lhw_files(&path, Under::Workflows, &mut found);
            if let Err(reason) = result {
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("cannot read {}: {reason}", display_path(&path)))
                );
                failed += 1;
            } else if found.is_empty() {
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("no .lhw files under {}", display_path(&path)))
                );
                failed += 1;
            }
            files.extend(found);
        } else {
            files.push(path);
        }
    }
    let files = dedup_paths(&files);

    let mut changed = 0usize;
    for path in &files {
        let shown = display_path(path);
        let text = match read_source(path) {
            Ok(text) => text,
            Err(reason) => {
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("cannot read {shown}: {reason}"))
                );
                failed += 1;
                continue;
            }
        };
        let input = if args.fix {
            match guarded(&shown, || lhw_compiler::fix::apply_preferred(&text)) {
                Ok(fixed) => {
                    if fixed.applied > 0 {
                        let _ = writeln!(
                            stderr,
                            "fixed {} in {shown}",
                            plural(fixed.applied, "problem")
                        );
                    }
                    fixed.text
                }
                Err(message) => {
                    let _ = writeln!(stderr, "{}", style.error(&message));
                    failed += 1;
                    continue;
                }
            }
        } else {
            text.clone()
        };
        let formatted = match guarded(&shown, || lhw_compiler::format::format(&input)) {
            Ok(Ok(formatted)) => formatted,
            Ok(Err(diags)) => {
                let _ = stderr.write_all(render_human(&diags, &shown, &input, style).as_bytes());
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("not formatted {shown}: it has syntax errors"))
                );
                if let Some(hint) = fix_hint(&diags, args.fix) {
                    let _ = writeln!(stderr, "{}", style.help(&hint));
                }
                failed += 1;
                continue;
            }
            Err(message) => {
                let _ = writeln!(stderr, "{}", style.error(&message));
                failed += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            let _ = write!(stdout, "{}", diff_hint(&shown, &text, &formatted));
        } else if let Err(err) = std::fs::write(path, &formatted) {
            let _ = writeln!(
                stderr,
                "{}",
                style.error(&format!("cannot write {shown}: {err}"))
            );
            failed += 1;
        }
    }

    let summary = if args.check {
        format!(
            "checked {}: {} would be reformatted",
            plural(files.len(), "file"),
            changed
        )
    } else {
        format!(
            "formatted {}: {} changed",
            plural(files.len(), "file"),
            changed
        )
    };
    if failed > 0 {
        let _ = writeln!(
            stderr,
            "{}",
            style.error(&format!("{summary}, {} failed", failed))
        );
    } else {
        let _ = writeln!(stderr, "{summary}");
    }
    if failed > 0 || (args.check && changed > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `lhc fmt -`: standard input to standard output (nothing on stdout with `--check`).
fn run_stdin(check: bool, fix: bool, style: Style) -> ExitCode {
    let shown = "<stdin>";
    let mut bytes = Vec::new();
    if let Err(err) = std::io::stdin().lock().read_to_end(&mut bytes) {
        eprintln!(
            "{}",
            style.error(&format!("cannot read standard input: {err}"))
        );
        return ExitCode::FAILURE;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!(
            "{}",
            style.error("cannot read standard input: not valid UTF-8")
        );
        return ExitCode::FAILURE;
    };
    let input = if fix {
        match guarded(shown, || lhw_compiler::fix::apply_preferred(&text)) {
            Ok(fixed) => fixed.text,
            Err(message) => {
                eprintln!("{}", style.error(&message));
                return ExitCode::FAILURE;
            }
        }
    } else {
        text.clone()
    };
    match guarded(shown, || lhw_compiler::format::format(&input)) {
        Ok(Ok(formatted)) => {
            if check {
                if formatted == text {
                    return ExitCode::SUCCESS;
                }
                let _ = std::io::stderr().write_all(diff_hint(shown, &text, &formatted).as_bytes());
                return ExitCode::FAILURE;
            }
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(formatted.as_bytes()).is_err() || stdout.flush().is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Ok(Err(diags)) => {
            let _ =
                std::io::stderr().write_all(render_human(&diags, shown, &input, style).as_bytes());
            eprintln!(
                "{}",
                style.error("not formatted <stdin>: it has syntax errors")
            );
            if let Some(hint) = fix_hint(&diags, fix) {
                eprintln!("{}", style.help(&hint));
            }
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("{}", style.error(&message));
            ExitCode::FAILURE
        }
    }
}

/// The hint after syntax errors that carry fixes: `lhc fmt --fix` applies them (unless it
/// just did, and some are left: then they overlap or need a choice).
fn fix_hint(diags: &[lhw_compiler::diag::Diagnostic], fixing: bool) -> Option<String> {
    let fixable = diags
        .iter()
        .filter(|d| d.fixes.iter().any(|f| f.preferred))
        .count();
    (fixable > 0 && !fixing).then(|| {
        format!(
            "`lhc fmt --fix` applies the suggested {} and formats the file",
            if fixable == 1 { "fix" } else { "fixes" }
        )
    })
}

/// The file name and the first lines that differ: the lines between the common start and
/// the common end of the two texts, at most [`DIFF_LINES`] of each side.
fn diff_hint(shown: &str, old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = &old_lines[prefix..old_lines.len() - suffix];
    let added = &new_lines[prefix..new_lines.len() - suffix];
    let mut out = format!("would reformat {shown} (from line {}):\n", prefix + 1);
    let mut side = |sign: char, lines: &[&str]| {
        for line in lines.iter().take(DIFF_LINES) {
            out.push_str(&format!("{sign} {line}\n"));
        }
        if lines.len() > DIFF_LINES {
            out.push_str(&format!("{sign} ... {} more\n", lines.len() - DIFF_LINES));
        }
    };
    side('-', removed);
    side('+', added);
    if removed.is_empty() && added.is_empty() {
        // Only line endings or the final newline differ.
        out.push_str("  (line endings or trailing whitespace)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_shows_the_lines_that_differ() {
        let hint = diff_hint("a.lhw", "x\ny=1\nz\n", "x\ny = 1\nz\n");
        assert_eq!(
            hint,
            "would reformat a.lhw (from line 2):\n- y=1\n+ y = 1\n"
        );
    }

    #[test]
    fn the_hint_names_invisible_changes() {
        let hint = diff_hint("a.lhw", "x  \n", "x\n");
        assert!(hint.contains("from line 1"), "{hint}");
        assert!(hint.contains("- x  "), "{hint}");
        let hint = diff_hint("a.lhw", "x", "x\n");
        assert!(hint.contains("line endings"), "{hint}");
    }
}
