//! `lhc fmt`: rewriting in place (files and directories), `--check`, standard input, and
//! files with syntax errors.

mod harness;

use std::fs;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use harness::{lhc_in as lhc, project};
use tempfile::TempDir;

const MESSY: &str = "task greet(name:str)->str\nworkflow hello{\n    input name:str // who\n  let r=greet( name )\n}";
const TIDY: &str = "task greet(name: str) -> str\nworkflow hello {\n  input name: str // who\n  let r = greet(name)\n}\n";
const BROKEN: &str = "workflow w {\n  let = 1\n}\n";

fn lhc_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lhc"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lhc starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("lhc ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

fn read(dir: &TempDir, name: &str) -> String {
    fs::read_to_string(dir.path().join(name)).expect("read back")
}

#[test]
fn files_are_rewritten_in_place() {
    let dir = project(&[("a.lhw", MESSY), ("b.lhw", TIDY)]);
    let out = lhc(dir.path(), &["fmt", "a.lhw", "b.lhw"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(read(&dir, "a.lhw"), TIDY);
    assert_eq!(read(&dir, "b.lhw"), TIDY);
    assert!(
        text(&out.stderr).contains("formatted 2 files: 1 changed"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    // A second run changes nothing.
    let out = lhc(dir.path(), &["fmt", "a.lhw"]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("0 changed"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_directory_means_every_lhw_file_under_it() {
    let dir = project(&[
        ("flows/a.lhw", MESSY),
        ("flows/nested/b.lhw", MESSY),
        ("flows/notes.txt", MESSY),
        ("flows/.hidden/c.lhw", MESSY),
        ("flows/target/d.lhw", MESSY),
    ]);
    let out = lhc(dir.path(), &["fmt", "flows"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(read(&dir, "flows/a.lhw"), TIDY);
    assert_eq!(read(&dir, "flows/nested/b.lhw"), TIDY);
    assert_eq!(read(&dir, "flows/notes.txt"), MESSY);
    assert_eq!(read(&dir, "flows/.hidden/c.lhw"), MESSY);
    assert_eq!(read(&dir, "flows/target/d.lhw"), MESSY);
    assert!(
        text(&out.stderr).contains("formatted 2 files: 2 changed"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let dir = project(&[("a.lhw", MESSY), ("b.lhw", TIDY)]);
    let out = lhc(dir.path(), &["fmt", "--check", "a.lhw", "b.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("would reformat a.lhw (from line 1):\n- task greet(name:str)->str\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ task greet(name: str) -> str\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("b.lhw"), "{stdout}");
    assert!(
        text(&out.stderr).contains("checked 2 files: 1 would be reformatted"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(read(&dir, "a.lhw"), MESSY);

    let out = lhc(dir.path(), &["fmt", "--check", "b.lhw"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn standard_input_goes_to_standard_output() {
    let out = lhc_stdin(&["fmt", "-"], MESSY);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), TIDY);

    let out = lhc_stdin(&["fmt", "--check", "-"], MESSY);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("would reformat <stdin>"),
        "{}",
        text(&out.stderr)
    );
    let out = lhc_stdin(&["fmt", "--check", "-"], TIDY);
    assert_eq!(out.status.code(), Some(0));

    let dir = project(&[("a.lhw", MESSY)]);
    let out = lhc(dir.path(), &["fmt", "-", "a.lhw"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(read(&dir, "a.lhw"), MESSY);
}

#[test]
fn syntax_errors_are_reported_and_the_file_is_left_alone() {
    let dir = project(&[("bad.lhw", BROKEN), ("good.lhw", MESSY)]);
    let out = lhc(dir.path(), &["fmt", "bad.lhw", "good.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("E0001"), "{stderr}");
    assert!(stderr.contains("bad.lhw:2:"), "{stderr}");
    assert!(
        stderr.contains("not formatted bad.lhw: it has syntax errors"),
        "{stderr}"
    );
    assert_eq!(read(&dir, "bad.lhw"), BROKEN);
    // The other file is still formatted.
    assert_eq!(read(&dir, "good.lhw"), TIDY);

    let out = lhc_stdin(&["fmt", "-"], BROKEN);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("E0001"));

    let out = lhc(dir.path(), &["fmt", "missing.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read missing.lhw"),
        "{}",
        text(&out.stderr)
    );
}

/// A recognised near-miss (`elif`): one error whose help names the fix.
const NEAR_MISS: &str = "task t()\nworkflow w {\n  input n: int\n  if n > 1 {\n    t()\n  } elif n > 0 {\n  t()\n  }\n}\n";

#[test]
fn a_near_miss_is_reported_with_its_fix_and_fmt_fix_applies_it() {
    let dir = project(&[("near.lhw", NEAR_MISS)]);
    let out = lhc(dir.path(), &["fmt", "near.lhw"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    // The recogniser's one diagnostic, as `lhc check` gives it, not the cascade.
    assert_eq!(stderr.matches("E0001").count(), 1, "{stderr}");
    assert!(stderr.contains("`else if`"), "{stderr}");
    assert!(
        stderr.contains("`lhc fmt --fix` applies the suggested fix"),
        "{stderr}"
    );
    assert_eq!(read(&dir, "near.lhw"), NEAR_MISS);

    let out = lhc(dir.path(), &["fmt", "--fix", "near.lhw"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("fixed 1 problem in near.lhw"));
    let fixed = read(&dir, "near.lhw");
    assert!(fixed.contains("  } else if n > 0 {\n    t()\n"), "{fixed}");

    let out = lhc_stdin(&["fmt", "--fix", "-"], NEAR_MISS);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), fixed);

    let out = lhc(dir.path(), &["fmt", "--fix", "--check", "near.lhw"]);
    assert_eq!(out.status.code(), Some(2), "--fix and --check conflict");
}

#[test]
fn check_fix_writes_the_preferred_fixes_and_reports_what_is_left() {
    let text_in = "workflow w {\n  input count: int\n  var unused: int\n  cuont += 1\n}\n";
    let dir = project(&[("w.lhw", text_in)]);
    let out = lhc(dir.path(), &["check", "--fix", "w.lhw"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("fixed 1 problem in w.lhw"), "{stderr}");
    // The unused variable's fix is only offered: it stays, as a warning.
    assert!(stderr.contains("W0001"), "{stderr}");
    assert_eq!(
        read(&dir, "w.lhw"),
        "workflow w {\n  input count: int\n  var unused: int\n  count += 1\n}\n"
    );
}
