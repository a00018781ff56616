//! Keeps `docs/language.md` true: every ```` ```lhw ```` block in it is compiled with
//! `lhw_compiler::compile`, and a block that does not behave as it says fails this test with
//! its line number in the document.
//!
//! # Conventions for the blocks
//!
//! A block may start with header lines, in any order. The header is every leading line that
//! starts with one of these comments; the first other line ends it:
//!
//! - `// error: E0101, W0001` — the block must produce diagnostics with exactly this *set* of
//!   codes (warnings included; the order and repetition of codes do not matter). Without this
//!   line a block must compile with no diagnostic at all, not even a warning, and produce output.
//! - `// fragment` — the block is a list of statements, not a file. The test wraps it as
//!   `workflow doc-fragment { <block> }`.
//! - `// uses: <text>` — context the block needs but does not show. A declaration (`task`,
//!   `event`, `workflow-event`, `struct`) goes before everything else in the file; anything
//!   else (a `var` or `input` line) goes at the start of the wrapping workflow, so it is allowed
//!   only in a fragment. Use one `// uses:` line per declaration, e.g.
//!   `// uses: task greet(name: str) -> str` and `// uses: input name: str`.
//! - `// nodes: 0-entrypoint-ENTRYPOINT, 1-greet-TASK, 2-exit-EXIT` — the first workflow's
//!   entrypoint thread must have exactly these nodes, in node-index order.
//! - `// nodes in packer: 0-entrypoint-ENTRYPOINT, ...` — the same for the first workflow's
//!   ThreadSpec `packer` (a spawned thread, a failure handler or an interrupt handler).
//! - `// threads: entrypoint, packer` — the first workflow must have exactly these
//!   ThreadSpecs (in any order).
//! - `// edges: 1-nop-NOP -> 2-a-TASK?, 3-nop-NOP` — in the first workflow's entrypoint thread,
//!   the node before `->` must have exactly these outgoing edges, in order; a `?` after a sink
//!   means the edge has a condition, no `?` that it has none. One line per node; nodes without
//!   a line are not checked.
//!
//! The fence must be exactly ```` ```lhw ````; a fence such as ```` ```lhw,ignore ```` is an
//! error, so no example can escape the check. Blocks in other languages are not compiled.
//!
//! Two tables are checked as well: the keyword list of the **Keywords.** paragraph must equal
//! `lhw_grammar::RESERVED_WORDS`, and the table of diagnostic codes must list `Code::ALL` in
//! order, each described starting with its title.

use std::collections::BTreeSet;
use std::path::PathBuf;

use lhw_compiler::diag::Code;
use lhw_compiler::diag::render::{RenderOptions, render_all};

/// One ```` ```lhw ```` block: its text and the line of its opening fence.
#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence in the Markdown file.
    line: usize,
    /// The lines between the fences.
    code: String,
}

/// What a block's header asks for.
#[derive(Debug, Default)]
struct Header {
    expected: Option<BTreeSet<String>>,
    fragment: bool,
    uses: Vec<String>,
    nodes: Option<Vec<String>>,
    /// (thread, its nodes in order) for `// nodes in THREAD:` lines.
    thread_nodes: Vec<(String, Vec<String>)>,
    /// The ThreadSpec names, for `// threads:`.
    threads: Option<BTreeSet<String>>,
    /// (node, [(sink, has condition)])
    edges: Vec<(String, Vec<(String, bool)>)>,
}

/// The words that start a top-level declaration in a `// uses:` line.
const ITEM_STARTS: &[&str] = &[
    "task ",
    "event ",
    "workflow-event ",
    "struct ",
    "user-task ",
];

/// Every ```` ```lhw ```` block of `markdown`, or a message for a malformed fence.
fn extract_blocks(markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    // (info string, line of the opening fence, collected lines)
    let mut open: Option<(String, usize, Vec<&str>)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let number = i + 1;
        let trimmed = line.trim();
        match open.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let info = info.trim().to_string();
                    if info.starts_with("lhw") && info != "lhw" {
                        return Err(format!(
                            "line {number}: a `lhw` block must be fenced with exactly ```lhw (found ```{info}); every example is compiled"
                        ));
                    }
                    open = Some((info, number, Vec::new()));
                }
            }
            Some((info, start, lines)) => {
                if trimmed == "```" {
                    if info == "lhw" {
                        blocks.push(Block {
                            line: *start,
                            code: lines.join("\n") + "\n",
                        });
                    }
                    open = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    match open {
        Some((_, start, _)) => Err(format!("line {start}: this code block is never closed")),
        None => Ok(blocks),
    }
}

/// Reads the header lines at the top of a block.
fn parse_header(code: &str) -> Result<Header, String> {
    let mut header = Header::default();
    for line in code.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("// error:") {
            let mut codes = BTreeSet::new();
            for word in rest.split(',').map(str::trim) {
                match word.parse::<Code>() {
                    Ok(code) if code.as_str() == word => {
                        codes.insert(word.to_string());
                    }
                    _ => {
                        return Err(format!(
                            "`// error:` names `{word}`, which is not a diagnostic code"
                        ));
                    }
                }
            }
            if header.expected.replace(codes).is_some() {
                return Err("two `// error:` lines".to_string());
            }
        } else if line == "// fragment" {
            header.fragment = true;
        } else if let Some(rest) = line.strip_prefix("// uses:") {
            header.uses.push(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("// nodes in ") {
            let Some((thread, nodes)) = rest.split_once(':') else {
                return Err(format!("`// nodes in {rest}` needs `THREAD: NODE, ...`"));
            };
            let nodes = nodes.split(',').map(|n| n.trim().to_string()).collect();
            header.thread_nodes.push((thread.trim().to_string(), nodes));
        } else if let Some(rest) = line.strip_prefix("// threads:") {
            let threads = rest.split(',').map(|n| n.trim().to_string()).collect();
            if header.threads.replace(threads).is_some() {
                return Err("two `// threads:` lines".to_string());
            }
        } else if let Some(rest) = line.strip_prefix("// nodes:") {
            let nodes = rest.split(',').map(|n| n.trim().to_string()).collect();
            if header.nodes.replace(nodes).is_some() {
                return Err("two `// nodes:` lines".to_string());
            }
        } else if let Some(rest) = line.strip_prefix("// edges:") {
            let Some((from, sinks)) = rest.split_once("->") else {
                return Err(format!("`// edges:{rest}` needs `FROM -> SINK, ...`"));
            };
            let sinks = sinks
                .split(',')
                .map(|sink| {
                    let sink = sink.trim();
                    match sink.strip_suffix('?') {
                        Some(name) => (name.to_string(), true),
                        None => (sink.to_string(), false),
                    }
                })
                .collect();
            header.edges.push((from.trim().to_string(), sinks));
        } else {
            break;
        }
    }
    Ok(header)
}

/// The file the test compiles for a block.
fn source_of(code: &str, header: &Header) -> Result<String, String> {
    let (items, inner): (Vec<&String>, Vec<&String>) = header
        .uses
        .iter()
        .partition(|u| ITEM_STARTS.iter().any(|start| u.starts_with(start)));
    let mut source = String::new();
    for item in items {
        source.push_str(item);
        source.push('\n');
    }
    if header.fragment {
        source.push_str("workflow doc-fragment {\n");
        for line in inner {
            source.push_str(line);
            source.push('\n');
        }
        source.push_str(code);
        source.push_str("}\n");
    } else if let Some(line) = inner.first() {
        return Err(format!(
            "`// uses: {line}` is not a declaration; variables can be supplied only to a `// fragment`"
        ));
    } else {
        source.push_str(code);
    }
    Ok(source)
}

/// Node names of a thread in node-index order (`10-x` after `9-y`).
fn nodes_in_order(thread: &lhw_proto::littlehorse::ThreadSpec) -> Vec<String> {
    let mut names: Vec<(u64, String)> = thread
        .nodes
        .keys()
        .map(|name| {
            let index = name
                .split('-')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(u64::MAX);
            (index, name.clone())
        })
        .collect();
    names.sort();
    names.into_iter().map(|(_, name)| name).collect()
}

/// Compiles one block; `Err` says what is wrong with it.
fn check_block(block: &Block) -> Result<(), String> {
    let header = parse_header(&block.code)?;
    let source = source_of(&block.code, &header)?;
    let compiled = lhw_compiler::compile(&source);
    let found: BTreeSet<String> = compiled
        .diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    let shown = || {
        format!(
            "compiled source:\n{source}\ndiagnostics:\n{}",
            render_all(
                &compiled.diagnostics,
                "example.lhw",
                &source,
                RenderOptions::default()
            )
        )
    };
    match &header.expected {
        None if !found.is_empty() => {
            return Err(format!(
                "expected no diagnostics, found {found:?} (mark an intended error with `// error: CODE`)\n{}",
                shown()
            ));
        }
        None if compiled.output.is_none() => {
            return Err(format!("produced no output\n{}", shown()));
        }
        Some(expected) if *expected != found => {
            return Err(format!(
                "expected the codes {expected:?}, found {found:?}\n{}",
                shown()
            ));
        }
        _ => {}
    }
    if header.nodes.is_none()
        && header.edges.is_empty()
        && header.thread_nodes.is_empty()
        && header.threads.is_none()
    {
        return Ok(());
    }
    // The first workflow of the file (the compiler emits WfSpecs in deployment order).
    let first_name = source.lines().find_map(|l| {
        let rest = l.strip_prefix("workflow ")?;
        rest.split_whitespace().next()
    });
    let wf = compiled.output.as_ref().and_then(|out| {
        out.wf_specs
            .iter()
            .find(|w| Some(w.name.as_str()) == first_name)
    });
    let thread = wf.and_then(|wf| wf.thread_specs.get(&wf.entrypoint_thread_name));
    let (Some(wf), Some(thread)) = (wf, thread) else {
        return Err(format!(
            "`// nodes`, `// edges:` and `// threads:` need a compiled workflow\n{}",
            shown()
        ));
    };
    if let Some(expected) = &header.threads {
        let actual: BTreeSet<String> = wf.thread_specs.keys().cloned().collect();
        if actual != *expected {
            return Err(format!(
                "expected the threads {expected:?}, found {actual:?}\n{}",
                shown()
            ));
        }
    }
    for (name, expected_nodes) in &header.thread_nodes {
        let Some(spec) = wf.thread_specs.get(name) else {
            return Err(format!("has no thread `{name}`\n{}", shown()));
        };
        let actual = nodes_in_order(spec);
        if actual != *expected_nodes {
            return Err(format!(
                "expected the nodes of `{name}` to be {expected_nodes:?}, found {actual:?}\n{}",
                shown()
            ));
        }
    }
    for (from, expected_edges) in &header.edges {
        let Some(node) = thread.nodes.get(from) else {
            return Err(format!("has no node `{from}`\n{}", shown()));
        };
        let actual: Vec<(String, bool)> = node
            .outgoing_edges
            .iter()
            .map(|e| (e.sink_node_name.clone(), e.edge_condition.is_some()))
            .collect();
        if actual != *expected_edges {
            return Err(format!(
                "expected the edges of `{from}` to be {expected_edges:?} (sink, has condition), found {actual:?}\n{}",
                shown()
            ));
        }
    }
    if let Some(expected_nodes) = &header.nodes {
        let actual = nodes_in_order(thread);
        if actual != *expected_nodes {
            return Err(format!(
                "expected the nodes {expected_nodes:?}, found {actual:?}\n{}",
                shown()
            ));
        }
    }
    Ok(())
}

/// Checks every block of `markdown`, returning the number of blocks checked or one message
/// per failing block, each starting with `{file}:{line}`.
fn check_markdown(file: &str, markdown: &str) -> Result<usize, Vec<String>> {
    let blocks = extract_blocks(markdown).map_err(|e| vec![format!("{file}: {e}")])?;
    let failures: Vec<String> = blocks
        .iter()
        .filter_map(|block| {
            check_block(block)
                .err()
                .map(|why| format!("{file}:{}: this example {why}", block.line))
        })
        .collect();
    if failures.is_empty() {
        Ok(blocks.len())
    } else {
        Err(failures)
    }
}

fn language_md() -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/language.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    (path, text)
}

#[test]
fn every_example_in_the_language_reference_compiles_as_documented() {
    let (_, text) = language_md();
    match check_markdown("docs/language.md", &text) {
        Ok(count) => {
            // The reference documents every construct with an example; losing most of them
            // (say, by a broken fence) must not pass silently.
            assert!(
                count >= 130,
                "only {count} ```lhw blocks found in docs/language.md"
            );
        }
        Err(failures) => panic!(
            "{} example(s) in docs/language.md do not behave as documented:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        ),
    }
}

#[test]
fn the_reference_shows_errors_and_warnings_as_well_as_valid_code() {
    let (_, text) = language_md();
    let blocks = extract_blocks(&text).expect("well-formed fences");
    let headers: Vec<Header> = blocks
        .iter()
        .map(|b| parse_header(&b.code).expect("valid header"))
        .collect();
    let documented: BTreeSet<String> = headers
        .iter()
        .filter_map(|h| h.expected.clone())
        .flatten()
        .collect();
    assert!(documented.contains("E0101"), "{documented:?}");
    assert!(documented.contains("W0001"), "{documented:?}");
    assert!(headers.iter().any(|h| h.fragment), "no fragment examples");
    assert!(
        headers.iter().any(|h| h.nodes.is_some()),
        "no `// nodes:` examples"
    );
}

#[test]
fn the_keyword_list_matches_the_grammar() {
    let (_, text) = language_md();
    let start = text
        .find("**Keywords.**")
        .expect("docs/language.md has a **Keywords.** paragraph");
    let rest = &text[start..];
    let end = rest
        .find("A name may")
        .expect("the keyword list ends before `A name may`");
    let documented: BTreeSet<&str> = rest[..end].split('`').skip(1).step_by(2).collect();
    let reserved: BTreeSet<&str> = lhw_grammar::RESERVED_WORDS.iter().copied().collect();
    assert_eq!(
        documented, reserved,
        "the keywords in docs/language.md differ from lhw_grammar::RESERVED_WORDS"
    );
}

#[test]
fn the_code_table_lists_every_diagnostic_code() {
    let (_, text) = language_md();
    let mut documented = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| `E0101` | unknown variable ... |` splits into ["", "`E0101`", "title...", ""].
        if let [_, code, problem, _] = cells.as_slice()
            && let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`'))
            && let Ok(parsed) = code.parse::<Code>()
        {
            assert!(
                problem.starts_with(parsed.title()),
                "docs/language.md describes {code} as `{problem}`, its title is `{}`",
                parsed.title()
            );
            documented.push(parsed);
        }
    }
    assert_eq!(
        documented,
        Code::ALL.to_vec(),
        "the code table in docs/language.md must list every code, in registry order"
    );
}

// The harness itself: a broken example must fail, with its line number.

const GOOD: &str =
    "task greet(name: str) -> str\nworkflow w {\n  input name: str\n  greet(name)\n}\n";

fn md(blocks: &[&str]) -> String {
    let mut out = String::from("# Title\n\nSome prose.\n\n");
    for b in blocks {
        out.push_str("```lhw\n");
        out.push_str(b);
        out.push_str("```\n\nMore prose.\n\n");
    }
    out
}

#[test]
fn a_valid_example_passes() {
    assert_eq!(check_markdown("t.md", &md(&[GOOD])), Ok(1));
}

#[test]
fn a_broken_example_fails_with_its_line_number() {
    let broken = "workflow w {\n  greet(\"x\")\n}\n";
    let failures = check_markdown("t.md", &md(&[GOOD, broken])).expect_err("must fail");
    assert_eq!(failures.len(), 1, "{failures:?}");
    // Lines 1-4 are the title and prose, GOOD's fences are on lines 5 and 11, then a blank
    // line, prose and a blank line: the broken block's fence is on line 15.
    assert!(failures[0].starts_with("t.md:15: "), "{}", failures[0]);
    assert!(failures[0].contains("E0102"), "{}", failures[0]);
}

#[test]
fn a_warning_fails_an_example_that_expects_nothing() {
    let unused = "workflow w {\n  var x: int\n}\n";
    let failures = check_markdown("t.md", &md(&[unused])).expect_err("must fail");
    assert!(failures[0].contains("W0001"), "{failures:?}");
}

#[test]
fn expected_codes_must_match_exactly() {
    let wrong = "// error: E0101\nworkflow w {\n  var count: int\n  cuont += 1\n}\n";
    // E0101 for `cuont`, and W0001 because `count` is never used.
    assert!(check_markdown("t.md", &md(&[wrong])).is_err());
    let right = "// error: E0101, W0001\nworkflow w {\n  var count: int\n  cuont += 1\n}\n";
    assert_eq!(check_markdown("t.md", &md(&[right])), Ok(1));
    let missing = "// error: E0102\nworkflow w {\n  input count: int\n  count += 1\n}\n";
    assert!(check_markdown("t.md", &md(&[missing])).is_err());
    let unknown = "// error: E9999\nworkflow w {\n}\n";
    let failures = check_markdown("t.md", &md(&[unknown])).expect_err("must fail");
    assert!(
        failures[0].contains("not a diagnostic code"),
        "{failures:?}"
    );
}

#[test]
fn fragments_are_wrapped_with_their_declarations() {
    let fragment = "// fragment\n// uses: task greet(name: str) -> str\n// uses: input name: str\n// nodes: 0-entrypoint-ENTRYPOINT, 1-greet-TASK, 2-exit-EXIT\ngreet(name)\n";
    assert_eq!(check_markdown("t.md", &md(&[fragment])), Ok(1));
    let without_uses = "// fragment\ngreet(name)\n";
    let failures = check_markdown("t.md", &md(&[without_uses])).expect_err("must fail");
    assert!(failures[0].contains("E0102"), "{failures:?}");
    let var_outside_fragment = "// uses: input name: str\nworkflow w {\n}\n";
    assert!(check_markdown("t.md", &md(&[var_outside_fragment])).is_err());
}

#[test]
fn node_lists_are_checked() {
    let wrong = "// fragment\n// uses: task greet(name: str) -> str\n// nodes: 0-entrypoint-ENTRYPOINT, 1-greet-TASK\ngreet(\"x\")\n";
    let failures = check_markdown("t.md", &md(&[wrong])).expect_err("must fail");
    assert!(failures[0].contains("2-exit-EXIT"), "{failures:?}");
}

#[test]
fn edge_lists_are_checked() {
    let body = "// fragment\n// uses: task a()\n// uses: input c: bool\nif c { a() }\n";
    let right = format!("// edges: 1-nop-NOP -> 2-a-TASK?, 3-nop-NOP\n{body}");
    assert_eq!(check_markdown("t.md", &md(&[&right])), Ok(1));
    let unconditional = format!("// edges: 1-nop-NOP -> 2-a-TASK, 3-nop-NOP\n{body}");
    assert!(check_markdown("t.md", &md(&[&unconditional])).is_err());
    let missing = format!("// edges: 1-nop-NOP -> 2-a-TASK?\n{body}");
    assert!(check_markdown("t.md", &md(&[&missing])).is_err());
    let no_such_node = format!("// edges: 9-nop-NOP -> 2-a-TASK?\n{body}");
    assert!(check_markdown("t.md", &md(&[&no_such_node])).is_err());
}

#[test]
fn threads_and_their_nodes_are_checked() {
    let body = "// fragment\n// uses: task a()\n// threads: entrypoint, worker\n// nodes in worker: 0-entrypoint-ENTRYPOINT, 1-a-TASK, 2-exit-EXIT\nlet t = spawn worker { a() }\nwait t\n";
    assert_eq!(check_markdown("t.md", &md(&[body])), Ok(1));
    let wrong_threads = body.replace("entrypoint, worker", "entrypoint");
    let failures = check_markdown("t.md", &md(&[&wrong_threads])).expect_err("must fail");
    assert!(failures[0].contains("worker"), "{failures:?}");
    let wrong_nodes = body.replace("1-a-TASK, ", "");
    assert!(check_markdown("t.md", &md(&[&wrong_nodes])).is_err());
    let no_such_thread = body.replace("nodes in worker", "nodes in packer");
    let failures = check_markdown("t.md", &md(&[&no_such_thread])).expect_err("must fail");
    assert!(failures[0].contains("no thread `packer`"), "{failures:?}");
}

#[test]
fn fences_cannot_hide_examples() {
    let hidden = "```lhw,ignore\nworkflow w {\n  nope(\n}\n```\n";
    assert!(check_markdown("t.md", hidden).is_err());
    let unclosed = "```lhw\nworkflow w {\n}\n";
    assert!(check_markdown("t.md", unclosed).is_err());
    // Other languages are not compiled.
    let other = "```text\nnot lhw at all (\n```\n";
    assert_eq!(check_markdown("t.md", other), Ok(0));
}
