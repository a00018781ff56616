//! `lhc test`: runs the tests of `.test.lhw` files on the kernel's simulation (in process,
//! in-memory database, virtual clock, mocked tasks) and reports like `cargo test`, with
//! node and edge coverage per workflow, or as JSON or JUnit XML.

mod coverage;
mod exec;
mod junit;
pub(crate) mod load;
mod mocks;
mod output;
mod values;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{TestArgs, TestFormat};
use crate::report::{Style, render_human};

/// Runs `lhc test`.
pub fn run(args: &TestArgs, style: Style) -> ExitCode {
    let started = Instant::now();
    let files = match load::find_test_files(&args.paths) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("{}", style.error(&message));
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    if files.is_empty() {
        let _ = writeln!(
            stderr,
            "{}",
            style.error("no test files found (tests live in `*.test.lhw` files)")
        );
        return ExitCode::FAILURE;
    }
    let mut suites = Vec::new();
    let mut broken = Vec::new();
    for path in &files {
        match load::load(path, style) {
            Ok(s) => suites.push(s),
            Err(b) => {
                if let Some(m) = &b.message {
                    let _ = writeln!(stderr, "{}", style.error(m));
                }
                for (shown, text, diags) in &b.reports {
                    let _ = stderr.write_all(render_human(diags, shown, text, style).as_bytes());
                }
                broken.push(crate::report::display_path(path));
            }
        }
    }
    let selected = |suite: &load::Suite, name: &str| {
        args.filter.as_ref().is_none_or(|f| {
            name.contains(f.as_str()) || format!("{}: {name}", suite.shown).contains(f.as_str())
        })
    };
    let total: usize = suites.iter().map(|s| s.plan.cases.len()).sum();
    let to_run: usize = suites
        .iter()
        .map(|s| s.plan.cases.iter().filter(|c| selected(s, &c.name)).count())
        .sum();
    let human = args.format == TestFormat::Human;
    let color = style.color && std::io::IsTerminal::is_terminal(&std::io::stdout());
    if human {
        let _ = writeln!(
            stdout,
            "\nrunning {to_run} test{}",
            if to_run == 1 { "" } else { "s" }
        );
    }
    let mut tally = coverage::Tally::default();
    let mut results = Vec::new();
    for suite in &suites {
        tally.add_suite(suite);
        let mut cases = Vec::new();
        for case in suite.plan.cases.iter().filter(|c| selected(suite, &c.name)) {
            let mut r = exec::run_case(suite, case);
            tally.add_visits(std::mem::take(&mut r.visits));
            if human {
                let _ = writeln!(stdout, "{}", output::case_line(suite, &r, color));
            }
            cases.push(r);
        }
        results.push(output::SuiteResults { suite, cases });
    }
    let passed = results
        .iter()
        .flat_map(|r| r.cases.iter())
        .filter(|c| c.failure.is_none())
        .count();
    let failed = to_run - passed;
    let filtered = total - to_run;
    let cov = if args.no_coverage {
        Vec::new()
    } else {
        tally.report()
    };
    match args.format {
        TestFormat::Human => {
            let _ = stdout.write_all(output::failures(&results).as_bytes());
            let _ = stdout.write_all(output::coverage(&cov).as_bytes());
            let _ = stdout.write_all(
                output::summary(passed, failed, filtered, broken.len(), started.elapsed())
                    .as_bytes(),
            );
        }
        TestFormat::Json => {
            let report = output::JsonReport {
                tests: output::json_tests(&results),
                broken_files: broken.clone(),
                coverage: cov,
                passed,
                failed,
                filtered_out: filtered,
            };
            let _ = writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        TestFormat::Junit => {
            let _ = stdout.write_all(junit::junit(&results, &broken).as_bytes());
        }
    }
    if failed > 0 || !broken.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
