//! Invariant: every quick fix is an edit carried on the diagnostic (ARCHITECTURE.md).
//!
//! Over every `.lhw` file of the repository's fixtures, examples and mistakes corpus:
//! - the editor's code actions are exactly the diagnostic's `fixes` (no fix is read back
//!   from help text), with at most one preferred;
//! - a help that names a replacement ("did you mean `x`?", "declare it: `...`", "to
//!   subtract, write spaces: `...`", E0105's "try `x`") carries the fix that writes it;
//! - every fix's edits lie inside the text, on char boundaries, and do not overlap;
//! - no text says "a `int`": articles are written where messages are built.

use std::fs;
use std::path::{Path, PathBuf};

use lhw_compiler::diag::{Code, Diagnostic};
use lhw_compiler::ide::Analysis;

fn lhw_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            lhw_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "lhw") {
            out.push(p);
        }
    }
}

fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "tests/fixtures",
        "examples",
        "compiler/tests/mistakes",
        "lsp/tests/fixtures",
    ] {
        lhw_files(&root.join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// The text between the first pair of backticks after `prefix` in `help`.
fn quoted_after<'h>(help: &'h str, prefix: &str) -> Option<&'h str> {
    let rest = &help[help.find(prefix)? + prefix.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

fn texts(d: &Diagnostic) -> Vec<&str> {
    let mut t = vec![d.message.as_str(), d.primary.message.as_str()];
    t.extend(d.secondary.iter().map(|l| l.message.as_str()));
    t.extend(d.help.as_deref());
    t
}

#[test]
fn every_quick_fix_is_an_edit_carried_on_the_diagnostic() {
    let files = corpus();
    assert!(
        files.len() > 100,
        "the corpus was not found: {}",
        files.len()
    );
    let mut fixes_seen = 0;
    for (path, text) in &files {
        let a = Analysis::new(text);
        for d in a.diagnostics() {
            let at = format!("{} {} {:?}", path.display(), d.code, d.help);
            let actions = a.code_actions(d);
            assert_eq!(actions.len(), d.fixes.len(), "{at}");
            for (action, fix) in actions.iter().zip(&d.fixes) {
                assert_eq!(action.title, fix.title, "{at}");
                assert_eq!(action.preferred, fix.preferred, "{at}");
                let spans: Vec<_> = action.edits.iter().map(|e| (e.span, &e.new_text)).collect();
                let fix_spans: Vec<_> = fix.edits.iter().map(|e| (e.span, &e.text)).collect();
                assert_eq!(spans, fix_spans, "{at}");
            }
            assert!(d.fixes.iter().filter(|f| f.preferred).count() <= 1, "{at}");
            for fix in &d.fixes {
                fixes_seen += 1;
                let mut edits: Vec<_> = fix.edits.iter().map(|e| e.span).collect();
                edits.sort();
                for e in &edits {
                    assert!(e.start <= e.end && e.end as usize <= text.len(), "{at}");
                    assert!(text.is_char_boundary(e.start as usize), "{at}");
                    assert!(text.is_char_boundary(e.end as usize), "{at}");
                }
                for w in edits.windows(2) {
                    assert!(w[0].end <= w[1].start, "overlapping edits: {at}");
                }
            }
            let help = d.help.as_deref().unwrap_or_default();
            let writes = |s: &str| {
                d.fixes
                    .iter()
                    .any(|f| f.edits.iter().any(|e| e.text.contains(s)))
            };
            if let Some(name) = quoted_after(help, "did you mean ") {
                assert!(writes(name), "no fix writes `{name}`: {at}");
            }
            if let Some(spaced) = quoted_after(help, "to subtract, write spaces: ") {
                assert!(writes(spaced), "no fix writes `{spaced}`: {at}");
            }
            if matches!(d.code, Code::E0102 | Code::E0109)
                && let Some(decl) = quoted_after(help, "declare it: ")
            {
                let decl = decl.replace(": <payload type>", "");
                assert!(writes(&decl), "no fix declares `{decl}`: {at}");
            }
            for t in texts(d) {
                for vowel in ['a', 'e', 'i', 'o', 'u'] {
                    assert!(
                        !t.contains(&format!(" a `{vowel}"))
                            && !t.starts_with(&format!("a `{vowel}")),
                        "wrong article in {t:?}: {at}"
                    );
                }
            }
        }
    }
    assert!(fixes_seen > 50, "too few fixes seen: {fixes_seen}");
}

#[test]
fn an_invalid_name_is_renamed_everywhere_by_its_fix() {
    let text = "workflow w {\n  var bad_name: int = 0\n  bad_name += 1\n}\n";
    for d in [
        lhw_compiler::check(text),
        Analysis::new(text).diagnostics().to_vec(),
    ] {
        let d = d.iter().find(|d| d.code == Code::E0105).expect("E0105");
        let fix = &d.fixes[0];
        assert!(fix.preferred);
        assert_eq!(fix.title, "Rename to `bad-name`");
        assert_eq!(
            fix.apply(text),
            "workflow w {\n  var bad-name: int = 0\n  bad-name += 1\n}\n"
        );
    }
}

#[test]
fn an_unused_variable_is_removed_with_its_line() {
    let text = "workflow w {\n  input name: str\n  var unused: int\n}\n";
    let d = lhw_compiler::check(text);
    let d = d.iter().find(|d| d.code == Code::W0001).expect("W0001");
    assert!(!d.fixes[0].preferred);
    assert_eq!(
        d.fixes[0].apply(text),
        "workflow w {\n  input name: str\n}\n"
    );
}

#[test]
fn an_unknown_task_is_declared_by_its_fix() {
    let text = "task notify(message: str)\n\nworkflow w {\n  send-invoice(\"A-1\", 3)\n}\n";
    let d = lhw_compiler::check(text);
    let d = d.iter().find(|d| d.code == Code::E0102).expect("E0102");
    let fixed = d.fixes[0].apply(text);
    assert!(
        fixed.starts_with("task notify(message: str)\ntask send-invoice(arg1: str, arg2: int)\n"),
        "{fixed}"
    );
    assert!(lhw_compiler::check(&fixed).is_empty(), "{fixed}");
}

#[test]
fn unreachable_statements_are_removed_by_their_fix() {
    let text = "task ping()\n\nworkflow w {\n  input n: int\n  if n > 0 {\n    return\n    ping()\n    n = 2\n  }\n  ping()\n}\n";
    let d = lhw_compiler::check(text);
    let d = d.iter().find(|d| d.code == Code::E0301).expect("E0301");
    assert_eq!(d.fixes.len(), 1);
    assert!(!d.fixes[0].preferred, "the help offers moving it too");
    let fixed = d.fixes[0].apply(text);
    assert_eq!(
        fixed,
        "task ping()\n\nworkflow w {\n  input n: int\n  if n > 0 {\n    return\n  }\n  ping()\n}\n"
    );
    assert!(lhw_compiler::check(&fixed).is_empty(), "{fixed}");
}

#[test]
fn a_repeated_setting_is_removed_by_its_fix_unless_its_line_sets_more() {
    for (text, fixed) in [
        (
            "workflow w {\n  retention 1d\n  retention 2d\n  input n: int\n}\n",
            "workflow w {\n  retention 1d\n  input n: int\n}\n",
        ),
        (
            "workflow w {\n  updates none\n  input n: int\n  updates all\n}\n",
            "workflow w {\n  updates none\n  input n: int\n}\n",
        ),
    ] {
        let d = lhw_compiler::check(text);
        let d = d.iter().find(|d| d.code == Code::E0305).expect("E0305");
        assert!(!d.fixes[0].preferred);
        assert_eq!(d.fixes[0].apply(text), fixed);
        assert!(lhw_compiler::check(fixed).is_empty(), "{fixed}");
    }
    // A second `default task` line may set other options: no deletion is offered.
    let text = "workflow w {\n  default task retries 2\n  default task retries 3 timeout 5s\n  input n: int\n}\n";
    let d = lhw_compiler::check(text);
    let d = d.iter().find(|d| d.code == Code::E0305).expect("E0305");
    assert!(d.fixes.is_empty());
}

#[test]
fn a_masked_variable_passed_unmasked_is_fixed_by_masking_the_parameter() {
    let text = "task login(user: str, password: str) -> str\n\nworkflow w {\n  input user: str\n  input password: str masked\n  login(user, password)\n  login(user, \"pw:{password}\")\n}\n";
    let d = lhw_compiler::check(text);
    let w: Vec<_> = d.iter().filter(|d| d.code == Code::W0040).collect();
    assert_eq!(w.len(), 2, "{d:?}");
    let fix = &w[0].fixes[0];
    // Offered only: it changes the TaskDef's contract, so `--fix` leaves it to the user.
    assert!(!fix.preferred);
    assert_eq!(fix.title, "Declare `password` masked");
    let fixed = fix.apply(text);
    assert!(
        fixed.starts_with("task login(user: str, password: str masked) -> str\n"),
        "{fixed}"
    );
    assert!(lhw_compiler::check(&fixed).is_empty(), "{fixed}");
    let all = lhw_compiler::fix::apply_preferred(text);
    assert_eq!(all.text, text);
}
