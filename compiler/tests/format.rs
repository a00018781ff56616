//! `lhw_compiler::format`: the canonical layout is idempotent, keeps every comment and never
//! changes what a file means.
//!
//! - `every_lhw_file_formats_without_changing_its_meaning`: every `.lhw` file of the
//!   repository and every ```` ```lhw ```` block of `docs/language.md` is formatted twice
//!   (the second pass must change nothing) and compiled before and after; the compiled
//!   requests (proto JSON) or, for a file with errors, the diagnostics must be the same.
//! - `comment_fixtures`: `tests/fixtures/format/*.lhw` put comments and odd spacing in every
//!   position; the formatted text is snapshotted (`fmt@<case>.lhw.snap`).
//! - `whitespace_mutations_format_the_same`: a proptest that rewrites the whitespace of valid
//!   programs (more spaces, tabs, CRLF, more blank lines) and expects the same output.
//! - `mutated_programs_format_safely_or_are_refused`: a proptest that inserts and deletes
//!   pieces of syntax (comment markers, quotes, brackets, keywords) anywhere: `format` either
//!   refuses with syntax errors or gives an idempotent text that compiles to the same thing.
//! - `a_five_thousand_line_file_formats` prints how long a generated 5,000-line file (and
//!   the largest file of the repository) takes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lhw_compiler::Output;
use lhw_compiler::diag::{Code, Diagnostic};
use lhw_compiler::format::{format, is_formatted};
use proptest::prelude::*;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.lhw` file under `dir`, skipping `target` and hidden directories, sorted. Test
/// files (`*.test.lhw`) are left out: `lhc fmt` does not format them yet.
fn lhw_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                lhw_files(&path, found);
            }
        } else if name.ends_with(".lhw") && !name.ends_with(".test.lhw") {
            found.push(path);
        }
    }
}

/// The text without any whitespace: formatting must not change it.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Everything the compiler produces that does not depend on where things are: the
/// requests as proto JSON, the nodes with the (squeezed) text that made them, and the
/// diagnostics with the (squeezed) text they point at.
fn meaning(text: &str) -> String {
    let compiled = lhw_compiler::compile(text);
    let at = |start: u32, end: u32| squeezed(text.get(start as usize..end as usize).unwrap_or("?"));
    let mut out = String::new();
    if let Some(output) = &compiled.output {
        out.push_str(&requests(output));
        for n in output.node_spans.iter() {
            let _ = writeln!(
                out,
                "node {}/{}/{} <- {}",
                n.workflow,
                n.thread,
                n.node,
                at(n.span.start, n.span.end)
            );
        }
    }
    for d in &compiled.diagnostics {
        let _ = writeln!(
            out,
            "{} {:?} {} [{}] help={:?} secondary={}",
            d.code,
            d.severity,
            d.message,
            at(d.primary.span.start, d.primary.span.end),
            d.help,
            d.secondary.len()
        );
    }
    out
}

fn requests(output: &Output) -> String {
    let mut out = String::new();
    for m in &output.task_defs {
        out.push_str(&lhw_proto::to_json_pretty(m));
    }
    for m in &output.external_event_defs {
        out.push_str(&lhw_proto::to_json_pretty(m));
    }
    for m in &output.workflow_event_defs {
        out.push_str(&lhw_proto::to_json_pretty(m));
    }
    for m in &output.struct_defs {
        out.push_str(&lhw_proto::to_json_pretty(m));
    }
    for m in &output.user_task_defs {
        out.push_str(&lhw_proto::to_json_pretty(m));
    }
    for m in &output.wf_specs {
        out.push_str(&lhw_proto::to_json_pretty(m));
    }
    out
}

fn is_syntax_error(d: &Diagnostic) -> bool {
    d.is_error()
        && (d.code.as_str().starts_with("E00") || d.code == Code::E0321)
        && d.code != Code::E0004
}

/// What happened to one text.
enum Checked {
    /// Formatted; `true` when the text was already in the canonical layout.
    Formatted { unchanged: bool, compiles: bool },
    /// Refused because of syntax errors.
    Refused,
}

/// Formats `text` twice and compares the compiled meaning; `Err` says what went wrong.
fn check_text(text: &str) -> Result<Checked, String> {
    let first = match format(text) {
        Ok(first) => first,
        Err(diags) => {
            if diags.iter().all(is_syntax_error) && !diags.is_empty() {
                return Ok(Checked::Refused);
            }
            return Err(format!("refused without a syntax error: {diags:?}"));
        }
    };
    match format(&first) {
        Ok(second) if second == first => {}
        Ok(second) => {
            return Err(format!(
                "not idempotent:\n--- first\n{first}\n--- second\n{second}"
            ));
        }
        Err(diags) => return Err(format!("the formatted text does not format: {diags:?}")),
    }
    if squeezed(text) != squeezed(&first) {
        return Err(format!("more than whitespace changed:\n{first}"));
    }
    let (before, after) = (meaning(text), meaning(&first));
    if before != after {
        return Err(format!(
            "the compiled meaning changed:\n--- before\n{before}\n--- after\n{after}\n--- formatted\n{first}"
        ));
    }
    Ok(Checked::Formatted {
        unchanged: first == text,
        compiles: lhw_compiler::compile(text).output.is_some(),
    })
}

/// The ```` ```lhw ```` blocks of a Markdown file, as compilable files: a `// fragment`
/// block is wrapped in a workflow and `// uses:` lines supply what the block needs, as
/// `compiler/tests/docs.rs` does.
fn doc_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, Vec<&str>)> = None;
    for (i, line) in markdown.lines().enumerate() {
        match open.as_mut() {
            None if line.trim() == "```lhw" => open = Some((i + 1, Vec::new())),
            None => {}
            Some((start, lines)) => {
                if line.trim() == "```" {
                    blocks.push((*start, assemble(lines)));
                    open = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    blocks
}

fn assemble(lines: &[&str]) -> String {
    let mut items = String::new();
    let mut inner = String::new();
    let mut fragment = false;
    for line in lines {
        let trimmed = line.trim();
        if trimmed == "// fragment" {
            fragment = true;
        } else if let Some(uses) = trimmed.strip_prefix("// uses:") {
            let uses = uses.trim();
            let is_item = [
                "task ",
                "event ",
                "workflow-event ",
                "struct ",
                "user-task ",
            ]
            .iter()
            .any(|start| uses.starts_with(start));
            let target = if is_item { &mut items } else { &mut inner };
            target.push_str(uses);
            target.push('\n');
        } else if !trimmed.starts_with("//") {
            break;
        }
    }
    let code = lines.join("\n") + "\n";
    if fragment {
        format!("{items}workflow doc-fragment {{\n{inner}{code}}}\n")
    } else {
        format!("{items}{code}")
    }
}

#[derive(Default)]
struct Tally {
    files: usize,
    compiling: usize,
    unchanged: usize,
    refused: usize,
}

impl Tally {
    fn add(&mut self, checked: &Checked) {
        self.files += 1;
        match checked {
            Checked::Formatted {
                unchanged,
                compiles,
            } => {
                self.compiling += usize::from(*compiles);
                self.unchanged += usize::from(*unchanged);
            }
            Checked::Refused => self.refused += 1,
        }
    }
}

#[test]
fn every_lhw_file_formats_without_changing_its_meaning() {
    let root = repo_root();
    let mut files = Vec::new();
    lhw_files(&root, &mut files);
    let mut failures = Vec::new();
    let mut by_dir: std::collections::BTreeMap<String, Tally> = Default::default();
    for path in &files {
        let text = fs::read_to_string(path).expect("readable .lhw file");
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let group = rel
            .components()
            .take(2)
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let group = if group.ends_with(".lhw") {
            rel.parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        } else {
            group
        };
        match check_text(&text) {
            Ok(checked) => by_dir.entry(group).or_default().add(&checked),
            Err(why) => failures.push(format!("{}: {why}", rel.display())),
        }
    }
    let markdown = fs::read_to_string(root.join("docs/language.md")).expect("docs/language.md");
    let blocks = doc_blocks(&markdown);
    for (line, source) in &blocks {
        match check_text(source) {
            Ok(checked) => by_dir
                .entry("docs/language.md blocks".to_string())
                .or_default()
                .add(&checked),
            Err(why) => failures.push(format!("docs/language.md:{line}: {why}")),
        }
    }
    // The examples of docs/fmt.md show the canonical layout itself.
    let fmt_doc = fs::read_to_string(root.join("docs/fmt.md")).expect("docs/fmt.md");
    let fmt_blocks = doc_blocks(&fmt_doc);
    assert!(!fmt_blocks.is_empty(), "docs/fmt.md shows no lhw block");
    for (line, source) in &fmt_blocks {
        if !is_formatted(source) {
            failures.push(format!("docs/fmt.md:{line}: not in the canonical layout"));
        }
        let compiled = lhw_compiler::compile(source);
        if !compiled.diagnostics.is_empty() {
            failures.push(format!(
                "docs/fmt.md:{line}: does not compile cleanly: {:?}",
                compiled.diagnostics
            ));
        }
    }
    let mut report = String::new();
    let mut total = Tally::default();
    for (group, t) in &by_dir {
        let _ = writeln!(
            report,
            "{group}: {} checked ({} compile to requests, {} already canonical, {} refused for syntax errors)",
            t.files, t.compiling, t.unchanged, t.refused
        );
        total.files += t.files;
        total.compiling += t.compiling;
        total.refused += t.refused;
    }
    eprintln!(
        "{report}total: {} texts, {} compiling, {} refused",
        total.files, total.compiling, total.refused
    );
    assert!(
        failures.is_empty(),
        "{} of {} texts failed:\n{}",
        failures.len(),
        total.files,
        failures.join("\n\n")
    );
    assert!(
        files.len() >= 300,
        "expected the whole repository, found {} .lhw files",
        files.len()
    );
    assert!(blocks.len() >= 100, "found {} lhw blocks", blocks.len());
    assert!(
        total.compiling >= 300,
        "{} compiling texts",
        total.compiling
    );
}

#[test]
fn the_examples_are_formatted() {
    let mut files = Vec::new();
    lhw_files(&repo_root().join("examples"), &mut files);
    assert!(files.len() >= 20, "found {} examples", files.len());
    let unformatted: Vec<String> = files
        .iter()
        .filter(|p| !is_formatted(&fs::read_to_string(p).expect("readable example")))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        unformatted.is_empty(),
        "run `lhc fmt examples`: {unformatted:?}"
    );
}

#[test]
fn comment_fixtures() {
    let mut seen = 0;
    insta::glob!("../../tests/fixtures/format", "*.lhw", |path| {
        seen += 1;
        let text = fs::read_to_string(path).expect("readable fixture");
        if let Err(why) = check_text(&text) {
            panic!("{}: {why}", path.display());
        }
        let formatted = format(&text).expect("fixtures have no syntax errors");
        assert!(
            comments_of(&text)
                .iter()
                .map(|c| c.trim_end())
                .eq(comments_of(&formatted).iter().map(|c| c.trim_end())),
            "{}: the comments differ",
            path.display()
        );
        let snapshot = format!("----- INPUT\n{text}\n----- FORMATTED\n{formatted}");
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("fmt", snapshot);
        });
    });
    assert!(seen >= 3, "found {seen} format fixtures");
}

/// What a test scanner sees in a text: the comments, and the whitespace runs outside
/// strings and comments (the places whose whitespace the formatter owns).
#[derive(Default)]
struct Trivia {
    comments: Vec<String>,
    runs: Vec<(usize, usize)>,
}

/// A scanner independent of the compiler's: strings (with `{...}` holes that may hold
/// strings), nested block comments, line comments.
fn trivia(text: &str) -> Trivia {
    enum Mode {
        Code { braces: usize },
        Str,
    }
    let b = text.as_bytes();
    let mut out = Trivia::default();
    let mut modes = vec![Mode::Code { braces: 0 }];
    let mut i = 0;
    while i < b.len() {
        let top_level = modes.len() == 1;
        match modes.last_mut() {
            Some(Mode::Str) => {
                if b[i] == b'\\' {
                    i += 2;
                } else if b[i] == b'"' {
                    modes.pop();
                    i += 1;
                } else if b[i..].starts_with(b"{{") || b[i..].starts_with(b"}}") {
                    i += 2;
                } else if b[i] == b'{' {
                    modes.push(Mode::Code { braces: 0 });
                    i += 1;
                } else {
                    i += 1;
                }
            }
            Some(Mode::Code { braces }) => {
                if b[i..].starts_with(b"//") {
                    let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                    out.comments.push(text[i..end].to_string());
                    i = end;
                } else if b[i..].starts_with(b"/*") {
                    let start = i;
                    let mut depth = 0;
                    while i < b.len() {
                        if b[i..].starts_with(b"/*") {
                            depth += 1;
                            i += 2;
                        } else if b[i..].starts_with(b"*/") {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                    out.comments.push(text[start..i].to_string());
                } else if b[i] == b'"' {
                    modes.push(Mode::Str);
                    i += 1;
                } else if b[i] == b'{' {
                    *braces += 1;
                    i += 1;
                } else if b[i] == b'}' {
                    if *braces == 0 && !top_level {
                        modes.pop();
                    } else {
                        *braces = braces.saturating_sub(1);
                    }
                    i += 1;
                } else if b[i].is_ascii_whitespace() {
                    let start = i;
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    if top_level {
                        out.runs.push((start, i));
                    }
                } else {
                    i += 1;
                }
            }
            None => break,
        }
    }
    out
}

fn comments_of(text: &str) -> Vec<String> {
    trivia(text).comments
}

/// The programs the whitespace proptest starts from: the examples and the format fixtures.
fn samples() -> Vec<String> {
    let mut files = Vec::new();
    lhw_files(&repo_root().join("examples"), &mut files);
    lhw_files(&repo_root().join("tests/fixtures/format"), &mut files);
    files
        .iter()
        .map(|p| fs::read_to_string(p).expect("readable sample"))
        .collect()
}

/// Rewrites every whitespace run of `text` outside strings and comments, keeping what the
/// layout depends on: whether the run breaks the line, and whether it holds a blank line.
/// Spaces and tabs vary, trailing whitespace and CRLF appear, blank lines multiply.
fn mutate_whitespace(text: &str, seed: u64) -> String {
    let mut state = seed | 1;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let blanks = |next: &mut dyn FnMut(u64) -> u64, out: &mut String, max: u64| {
        for _ in 0..next(max) {
            out.push(if next(3) == 0 { '\t' } else { ' ' });
        }
    };
    let mut out = String::with_capacity(text.len() * 2);
    let mut last = 0;
    for (start, end) in trivia(text).runs {
        out.push_str(&text[last..start]);
        last = end;
        let newlines = text[start..end].matches('\n').count();
        if newlines == 0 {
            out.push(' ');
            blanks(&mut next, &mut out, 4);
            continue;
        }
        let count = if newlines == 1 { 1 } else { 2 + next(3) };
        for _ in 0..count {
            blanks(&mut next, &mut out, 3);
            if next(4) == 0 {
                out.push('\r');
            }
            out.push('\n');
        }
        blanks(&mut next, &mut out, 6);
    }
    out.push_str(&text[last..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn whitespace_mutations_format_the_same(pick in 0usize..1000, seed in any::<u64>()) {
        let samples = samples();
        let text = &samples[pick % samples.len()];
        let expected = format(text).expect("samples format");
        let mutated = mutate_whitespace(text, seed);
        prop_assert_ne!(&mutated, text);
        let got = format(&mutated);
        prop_assert_eq!(got.as_deref(), Ok(expected.as_str()), "mutated:\n{}", mutated);
    }
}

#[test]
fn the_mutation_keeps_strings_and_comments() {
    let text =
        "workflow w {\n  var s: str = \"a  {x + \"b  c\"}  d\" // c  d\n\n\n  s = \"x\"\n}\n";
    let mutated = mutate_whitespace(text, 7);
    assert!(mutated.contains("\"a  {x + \"b  c\"}  d\""), "{mutated}");
    assert!(mutated.contains("// c  d"), "{mutated}");
    assert_eq!(trivia(text).comments, ["// c  d"]);
    assert_eq!(format(&mutated), format(text));
}

#[test]
fn crlf_bom_tabs_and_trailing_whitespace_are_normalized() {
    let text = "\u{FEFF}// head \r\ntask t()\r\n\r\n\r\nworkflow w {\t\r\n\tt()  \r\n  /* a  \r\n  b */\r\n}";
    assert_eq!(
        format(text).as_deref(),
        Ok("// head\ntask t()\n\nworkflow w {\n  t()\n  /* a\n  b */\n}\n")
    );
    assert_eq!(format("").as_deref(), Ok(""));
    assert_eq!(format(" \n\n").as_deref(), Ok(""));
    assert_eq!(format("// only\n\n\n").as_deref(), Ok("// only\n"));
}

#[test]
fn same_line_parts_keep_their_line_and_space() {
    // `return`, `fail` and `emit` take their value on their own line only; `sleep(x)` is a
    // task call while `sleep (x)` sleeps.
    let text = "task sleep(x: int)\nworkflow-event done: int\nworkflow w {\n  input x: int\n  sleep (x)\n  sleep(x)\n  emit done (x)\n  if x > 1 {\n    return\n  }\n  return (x)\n}\n";
    assert_eq!(format(text).as_deref(), Ok(text));
    let text = "workflow w {\n  input x: int\n  fail oops \"m\"   with (x)\n}\n";
    assert_eq!(
        format(text).as_deref(),
        Ok("workflow w {\n  input x: int\n  fail oops \"m\" with (x)\n}\n")
    );
}

/// A generated file of about 5,000 lines: many items and workflows with most statements.
fn generated(lines: usize) -> String {
    let mut text = String::from("// generated\ntask t(a: int, b: str) -> int\nevent e: int\n\n");
    let mut i = 0;
    while text.lines().count() < lines {
        let _ = write!(
            text,
            "workflow w{i} {{\n  input n: int   =0\n  var s:str\n  var j: json-obj = {{\"a\": [1, 2], \"b\": {{\"c\": null}}}}\n  // a comment\n  let r = t(n,\n    \"x{{n}}\") retries 2\n  if n>1 && !(n==2) {{ s = \"a\" + (r as str) }} else if n < 0 {{\n    s = \"b\" /* note */\n  }}\n  while n > 0 {{ n -= 1 }}\n  let v = await e timeout 1h\n  n = -n * 2 + v\n  return s\n}}\n\n"
        );
        i += 1;
    }
    text
}

#[test]
fn a_five_thousand_line_file_formats() {
    let text = generated(5_000);
    let started = Instant::now();
    let formatted = format(&text).expect("formats");
    let elapsed = started.elapsed();
    eprintln!(
        "formatted {} lines ({} bytes) in {elapsed:?}",
        text.lines().count(),
        text.len()
    );
    assert!(formatted.lines().count() > 5_000);
    let largest = {
        let mut files = Vec::new();
        lhw_files(&repo_root(), &mut files);
        files
            .into_iter()
            .max_by_key(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .expect("some .lhw file")
    };
    let text_of_largest = fs::read_to_string(&largest).expect("readable");
    let started = Instant::now();
    let result = format(&text_of_largest);
    eprintln!(
        "formatted the largest repository file, {} ({} lines), in {:?}",
        largest.display(),
        text_of_largest.lines().count(),
        started.elapsed()
    );
    assert!(result.is_ok(), "{result:?}");
    assert!(is_formatted(&formatted));
    assert_eq!(meaning(&text), meaning(&formatted));
}

/// Applies `edits` random edits (insert a piece of syntax, delete a character, swap two
/// lines' order) to `text`, at char boundaries.
fn mutate_tokens(text: &str, seed: u64, edits: usize) -> String {
    const PIECES: &[&str] = &[
        " ",
        "\n",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        ";",
        ":",
        "=",
        "-",
        "!",
        "//",
        "/*",
        "*/",
        "\"",
        "x",
        "1",
        "1s",
        ".",
        "..",
        "->",
        "return",
        "fail e",
        "emit",
        "else",
        "catch any",
        "sleep",
        "wait",
        "map",
        "<",
        ">",
        "as",
        "`",
    ];
    let mut state = seed | 1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut out = text.to_string();
    for _ in 0..edits {
        let boundaries: Vec<usize> = (0..=out.len())
            .filter(|&i| out.is_char_boundary(i))
            .collect();
        let at = boundaries[next(boundaries.len())];
        if next(2) == 0 {
            out.insert_str(at, PIECES[next(PIECES.len())]);
        } else if let Some(c) = out[at..].chars().next() {
            out.replace_range(at..at + c.len_utf8(), "");
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Whatever the text, `format` does not panic and refuses only for syntax errors; when
    /// it formats, the result is idempotent and compiles to the same thing.
    #[test]
    fn mutated_programs_format_safely_or_are_refused(
        pick in 0usize..1000,
        seed in any::<u64>(),
        edits in 1usize..4,
    ) {
        let samples = samples();
        let text = mutate_tokens(&samples[pick % samples.len()], seed, edits);
        match check_text(&text) {
            Ok(_) => {}
            Err(why) => prop_assert!(false, "{}\n--- text\n{}", why, text),
        }
    }
}

#[test]
fn deep_nesting_is_refused_or_formatted_without_overflow() {
    let deep = format!(
        "workflow w {{\n  var x: int\n  x = {}1{}\n}}\n",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    let diags = format(&deep).expect_err("nested too deeply");
    assert!(diags.iter().all(|d| d.code == Code::E0001), "{diags:?}");

    // A long else-if chain nests in the parse tree but is a valid, flat-looking program.
    let mut chain = String::from("workflow w {\n  var x: int\n  if x == 0 {\n    x = 1\n  }");
    for i in 1..400 {
        let _ = write!(chain, " else if x == {i} {{\n    x = {i}\n  }}");
    }
    chain.push_str("\n}\n");
    assert_eq!(format(&chain).as_deref(), Ok(chain.as_str()));
}
