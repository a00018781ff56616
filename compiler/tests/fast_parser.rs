//! The fast parser agrees with the grammar (ARCHITECTURE.md, invariant 29): for every input,
//! parsing with the hand-written fast path (`syntax/fast.rs`) gives exactly the tree and the
//! diagnostics that pest alone gives. The fast parser answers `None` for anything it is not
//! sure of, so this holds when each statement it accepts is one pest accepts with the same
//! tree; the inputs are every `.lhw` of the repository, mutations of them (cut at every line,
//! each line removed, characters replaced and inserted), and generated programs over the
//! grammar's statements and expressions with mutations of those.

use std::fs;
use std::path::{Path, PathBuf};

use lhw_compiler::syntax::{coverage, parse, pest_only};
use proptest::prelude::*;

#[path = "support/lhw_files.rs"]
mod lhw_files;
use lhw_files::lhw_files;

fn repository_files() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = Vec::new();
    lhw_files(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// The fast path and pest alone give the same tree and diagnostics for `text`.
fn agree(text: &str, what: &str) {
    let fast = parse(text);
    let pest = pest_only(|| parse(text));
    if fast != pest {
        let (f, p) = (format!("{fast:#?}"), format!("{pest:#?}"));
        let (f, p): (Vec<&str>, Vec<&str>) = (f.lines().collect(), p.lines().collect());
        let first = f.iter().zip(&p).take_while(|(a, b)| a == b).count();
        let around = |v: &[&str]| {
            v.iter()
                .skip(first.saturating_sub(12))
                .take(18)
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{what}: the fast parser disagrees with pest on this text:\n{text:?}\n--- fast:\n{}\n--- pest:\n{}",
            around(&f),
            around(&p),
        );
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Characters that change what a statement is: brackets, quotes, operators, comment starts,
/// words that are keywords, a line break.
const MUTATIONS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "/",
    "*",
    "=",
    "-",
    ".",
    ",",
    ":",
    ";",
    "!",
    "<",
    "\n",
    " ",
    "x",
    "1",
    "`",
    "\\",
    "{x}",
    "//",
    "/*",
    " as int",
    " in ",
    " not ",
    "catch",
    "else",
    " retries 2",
    "\r",
];

#[test]
fn every_repository_file_and_its_mutations_agree() {
    let files = repository_files();
    assert!(files.len() > 100, "found only {} .lhw files", files.len());
    let mut variants = 0usize;
    for (path, text) in &files {
        let what = path.display().to_string();
        agree(text, &what);
        variants += 1;
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        // Big files: every few lines, so that the test stays quick.
        let step = (lines.len() / 10).max(1);
        // Cut at every line boundary (the end of each statement).
        let mut cut = 0;
        for (i, line) in lines.iter().enumerate() {
            cut += line.len();
            if i % step == 0 {
                agree(&text[..cut], &format!("{what} cut after line {}", i + 1));
                variants += 1;
            }
        }
        // Each line removed.
        for skip in (0..lines.len()).step_by(step) {
            let without: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            agree(&without, &format!("{what} without line {}", skip + 1));
            variants += 1;
        }
        // A character replaced, and a piece inserted, at positions spread over the file.
        for k in 0..6usize {
            let at = floor_boundary(text, text.len() * (2 * k + 1) / 12);
            let piece = MUTATIONS[(k * 7 + text.len()) % MUTATIONS.len()];
            let mut inserted = text.clone();
            inserted.insert_str(at, piece);
            agree(
                &inserted,
                &format!("{what} with {piece:?} inserted at {at}"),
            );
            let next = text[at..].chars().next().map_or(0, char::len_utf8);
            let replaced = format!("{}{piece}{}", &text[..at], &text[at + next..]);
            agree(
                &replaced,
                &format!("{what} with {piece:?} replacing at {at}"),
            );
            variants += 2;
        }
    }
    assert!(variants > 2_000, "only {variants} variants");
}

/// The share of top-level workflow statements of the repository's valid files that the fast
/// parser reads; the ones it leaves to pest are printed (`--nocapture`).
#[test]
fn the_fast_parser_reads_nearly_every_valid_statement() {
    let mut fast = 0usize;
    let mut fallbacks: Vec<String> = Vec::new();
    for (path, text) in repository_files() {
        let (_, diags) = parse(&text);
        if diags.iter().any(|d| d.code.as_str().starts_with("E000")) {
            continue;
        }
        let c = coverage(&text);
        fast += c.fast;
        fallbacks.extend(
            c.fallbacks
                .into_iter()
                .map(|f| format!("{}: {f}", path.display())),
        );
    }
    let total = fast + fallbacks.len();
    println!(
        "fast parser: {fast} of {total} top-level statements ({:.1}%); left to pest:",
        100.0 * fast as f64 / total.max(1) as f64
    );
    for f in &fallbacks {
        println!("  {f}");
    }
    assert!(total > 1_000, "only {total} statements");
    assert!(
        fast * 100 >= total * 95,
        "the fast parser reads only {fast} of {total} statements"
    );
}

// ---------------------------------------------------------------------------------------
// Generated programs
// ---------------------------------------------------------------------------------------

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x".to_string()),
        Just("count".to_string()),
        Just("order-id".to_string()),
        Just("items".to_string()),
        Just("`fail`".to_string()),
        Just("first".to_string()),
        Just("timeout".to_string()),
        Just("index".to_string()),
        Just("map".to_string()),
    ]
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("42".to_string()),
        Just("9223372036854775808".to_string()),
        Just("1.5".to_string()),
        Just("2.5e3".to_string()),
        Just("30s".to_string()),
        Just("500ms".to_string()),
        Just("3d".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("\"plain\"".to_string()),
        Just("\"a {x} b\"".to_string()),
        Just("\"esc \\n \\u{1F600} \\q\"".to_string()),
        Just("\"{{literal}}\"".to_string()),
        Just("{\"k\": 1, \"j\": [1, 2,]}".to_string()),
        Just("[]".to_string()),
    ]
}

const BIN_OPS: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "**",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "in",
    "not in",
    "contains",
    "not contains",
];

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![name(), literal()];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                proptest::sample::select(BIN_OPS),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("{a}.field")),
            inner.clone().prop_map(|a| format!("{a}.size()")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            inner.clone().prop_map(|a| format!("{a} as int")),
            inner
                .clone()
                .prop_map(|a| format!("{a} as map<str, int[]>[]")),
            (name(), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("call({a}, {b},)")),
            inner
                .clone()
                .prop_map(|a| format!("call({a}) retries 3 timeout 5s backoff 1s..10s x2")),
            inner.clone().prop_map(|a| format!("\"hole {{{a}}}\"")),
            inner.clone().prop_map(|a| format!("[{a}, {a}]")),
            inner.clone().prop_map(|a| format!("{{\"k\": {a}}}")),
            inner.clone().prop_map(|a| format!("map {{ \"k\": {a} }}")),
            inner
                .clone()
                .prop_map(|a| format!("new order version 2 {{ id: {a}, addr: {{ line: 1 }} }}")),
            inner
                .clone()
                .prop_map(|a| format!("task({a})(1) retries 2")),
            Just("await paid timeout 1h correlated by order-id masked".to_string()),
            Just("wait child".to_string()),
            inner
                .clone()
                .prop_map(|a| format!("run child(n: {a}) with id \"c\" version 3")),
            Just("run workflow(\"w\")(n: 1)".to_string()),
            inner
                .clone()
                .prop_map(|a| format!("spawn worker(n: {a}) for item: int in items {{ f(item) }}")),
            Just("ask form to user \"u\"".to_string()),
        ]
    })
}

fn stmt() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        (name(), expr()).prop_map(|(n, e)| format!("{n} = {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("{n}.f[0] += {e}")),
        expr(),
        (name(), expr()).prop_map(|(n, e)| format!("var {n}: int = {e} required masked")),
        Just("public input s: str searchable on \"$.a\" as str searchable".to_string()),
        (name(), expr()).prop_map(|(n, e)| format!("let {n} = {e}")),
        expr().prop_map(|e| format!("return {e}")),
        Just("return".to_string()),
        expr().prop_map(|e| format!("fail out-of-stock \"none left\" with {e}")),
        expr().prop_map(|e| format!("wait first of {e}, h2")),
        expr().prop_map(|e| format!("wait until {e}")),
        expr().prop_map(|e| format!("sleep {e}")),
        expr().prop_map(|e| format!("sleep until {e}")),
        expr().prop_map(|e| format!("extend items with {e}")),
        expr().prop_map(|e| format!("remove index {e} from items")),
        expr().prop_map(|e| format!("remove {e} from items")),
        Just("updates compatible".to_string()),
        Just("default task retries 3 timeout 30s".to_string()),
        Just("default thread retention 1d".to_string()),
        Just("thread retention 2h".to_string()),
        expr().prop_map(|e| format!("emit shipped {e}")),
        Just("retention 5d".to_string()),
        Just("notify s1".to_string()),
        Just("wait(x)".to_string()),
    ];
    simple.prop_recursive(3, 16, 4, |inner| {
        let body =
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|stmts| stmts.join("\n"));
        prop_oneof![
            (expr(), body.clone()).prop_map(|(c, b)| format!("if {c} {{\n{b}\n}}")),
            (expr(), body.clone(), body.clone()).prop_map(|(c, a, b)| format!(
                "if {c} {{\n{a}\n}} else if x {{\n{b}\n}} else {{ }}"
            )),
            (expr(), body.clone()).prop_map(|(c, b)| format!("while {c} {{ {b} }}")),
            body.clone()
                .prop_map(|b| format!("on cancel(reason: str) {{\n{b}\n}}")),
            (expr(), body.clone()).prop_map(|(e, b)| format!(
                "x = {e}\ncatch error out-of-stock (e) {{\n{b}\n}} catch thread any {{ }}"
            )),
            body.prop_map(|b| format!("call() catch exception {{ {b} }}; y = 1")),
        ]
    })
}

fn program() -> impl Strategy<Value = String> {
    proptest::collection::vec(stmt(), 1..8).prop_map(|stmts| {
        format!(
            "task call(a: int) -> int\n\nworkflow w {{\n  {}\n}}\n\nworkflow v {{ x = 1 }}\n",
            stmts.join("\n  ")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Generated programs, as written and with one mutation.
    #[test]
    fn generated_programs_agree(
        text in program(),
        at in 0.0f64..1.0,
        piece in proptest::sample::select(MUTATIONS),
        cut in 0.0f64..1.0,
    ) {
        agree(&text, "generated");
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let pos = floor_boundary(&text, (text.len() as f64 * at) as usize);
        let mut mutated = text.clone();
        mutated.insert_str(pos, piece);
        agree(&mutated, "generated, mutated");
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let end = floor_boundary(&text, (text.len() as f64 * cut) as usize);
        agree(&text[..end], "generated, cut");
    }
}

/// Statements where the grammar's choices are easy to get wrong, each in a workflow, as
/// written and followed by another statement.
#[test]
fn tricky_statements_agree() {
    let cases = [
        "x = a\n- b",
        "x = a\n  -= 1",
        "f()\nretries 3",
        "f()\ntimeout = 5",
        "if x { } else if y { } else { }",
        "if x {}\nelse {}",
        "remove index from list",
        "remove index i from list",
        "remove key \"k\" from m",
        "wait first",
        "wait first of a, b catch thread error e { }",
        "wait until t",
        "sleep until t",
        "sleep 5s",
        "x = f() catch thread { }",
        "x = f() catch error { } catch error boom (e: str) { } catch exception { } catch any { }",
        "x = \"{{a}}\"",
        "x = \"{{}}\"",
        "x = \"a}}b\\u{41}\\n{ y }\"",
        "x = \"{\n y \n}\"",
        "var x: map<str, int>[] = [] required masked",
        "var x: customer version 2",
        "var x: map",
        "var x: `int`",
        "input nullable: str searchable on \"$.a\" as int searchable",
        "retention 30d",
        "parent \"x\"",
        "parent child-wf",
        "retention 1h + 1",
        "retention  30d // keep",
        "return /* c */ x",
        "return\n  x",
        "return   ",
        "emit e x + 1",
        "emit e",
        "fail e \"m\" with x",
        "fail e with {\"a\": 1}",
        "fail `if`",
        "x = a.b(1).c[2] as int[] as str",
        "x = a\n  .b",
        "x = -5 ** 2",
        "x = - 5",
        "x = !a == b",
        "x = !!!a && !b || c",
        "x = a < b < c",
        "x = a not in b",
        "x = a not contains b",
        "x = a not b",
        "x = a in",
        "x = index",
        "x = 1.5e",
        "x = 1..2",
        "x = 5m5",
        "x = 5ms",
        "x = 99999999999999999999",
        "x = 9999999999999999d",
        "let d = ask f to user \"u\" group \"g\" notes \"n\" on cancel fail e reassign to group \"g\" after 5m on arrival remind r(1) after 1h release to group after 2h cancel after 1d on assignment version 3",
        "let d = ask f to group \"g\" reassign to user \"u\" after 1m\non cancel fail e",
        "x = await e timeout 5s correlated by k unmasked",
        "x = await e correlated by k\nmasked = 1",
        "spawn w for items { }",
        "h = spawn w(a: 1,) for it: int in items { f(it) }",
        "x = new s { a: { b: 1 }, c: {\"k\": 1}, d: {} }",
        "x = new s version 3 { }",
        "x = map { \"a\": 1, }",
        "y = map",
        "if map { }",
        "x = run workflow(\"w\")(a: 1) with id \"i\" version 2",
        "x = run child() version 1 with id k",
        "x = wait child",
        "task(\"t-{k}\")(1) retries 2",
        "x = task(k)()",
        "f() retries -1 timeout 2s backoff 1s..10s x1.5",
        "f() backoff 1s .. 10s x2y",
        "default task retries 3 timeout 30s backoff 1s..5s",
        "default thread retention 1d",
        "thread retention 2h",
        "updates compatible",
        "updates",
        "on cancel(reason: str) { x = 1 }",
        "on cancel { }",
        "extend items with [1, 2]",
        "extend items[0].x with 1",
        "a[\"]\"] = 1",
        "a[\"{ \"]\" }\"] = 1",
        "a[b[c]].d = 1",
        "a[ /* ] */ 1] = 2",
        "a.b.c += 1",
        "a **= 2",
        "a == 1",
        "a = = 1",
        "notify s1",
        "notify(s1) notify(s2)",
        "notify(s1); notify(s2)",
        "notify(s1) /* c */ notify(s2)",
        "notify(s1) /* c\n */ notify(s2)",
        "x = {\"a\": {\"b\": [1, {\"c\": null}]}}",
        "x = (((1)))",
        "x = f(\n  1,\n  2,\n)",
        "x = `fail`(1)",
        "`let` = 1",
        "x = true\ny = false",
        "x = trueish",
        "x = null",
        "public var x: int = 1",
        "private input y: str",
        "inherited var z: bool",
        "public x",
        "var x int",
        "while x < 3 { x += 1 }",
        "while x { }; y = 1",
        "if x { y = 1 } z = 2",
        "x = a as map<str, int>",
        "x = a as",
    ];
    for case in cases {
        for text in [
            format!("task f()\nworkflow w {{\n  {case}\n}}\n"),
            format!("workflow w {{\n  {case}\n  y = 2\n}}\nworkflow v {{ }}\n"),
            format!("workflow w {{\r\n\t{case}\r\n}}"),
            format!("workflow w {{ {case} }}"),
        ] {
            agree(&text, case);
        }
    }
}
