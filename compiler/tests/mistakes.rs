//! The mistakes corpus (`compiler/tests/mistakes/`, format in its README): realistic
//! near-misses, one file each. For every case the compiler must report exactly one error,
//! with the code and at the span the header names, with a help and a fix (data on the
//! diagnostic) whose edits, applied, make the file check with no error. The rendered
//! diagnostic and the fixed text are snapshotted (`snapshots/mistake@<case>.lhw.snap`).
//!
//! To add a case: write `compiler/tests/mistakes/<case>.lhw`, run
//! `INSTA_UPDATE=always cargo test -p lhw-compiler --test mistakes`, and read the new
//! snapshot before keeping it.

use std::fs;
use std::path::Path;

use lhw_compiler::diag::render::{RenderOptions, render_all};
use lhw_compiler::diag::{Code, Diagnostic};
use lhw_compiler::source::Span;

/// What a case's header says.
struct Expectation {
    code: Code,
    span: Span,
}

/// Parses `// expect: CODE at `TEXT`` (optionally `after `CONTEXT``): the span is the first
/// occurrence of TEXT after the header (after the first occurrence of CONTEXT, if given).
fn expectation(text: &str) -> Result<Expectation, String> {
    let header_len: usize = text
        .split_inclusive('\n')
        .take_while(|l| l.starts_with("// mistake:") || l.starts_with("// expect:"))
        .map(str::len)
        .sum();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("// expect:"))
        .ok_or("missing `// expect: CODE at `TEXT`` header")?
        .trim();
    if !text.starts_with("// mistake:") {
        return Err("the first line must be `// mistake: WHAT`".to_string());
    }
    let (code, rest) = line
        .split_once(" at ")
        .ok_or("expect line without ` at `")?;
    let code: Code = code
        .trim()
        .parse()
        .map_err(|()| format!("unknown code {code}"))?;
    let quoted = |s: &str| -> Result<(String, usize), String> {
        let s = s.trim_start();
        let inner = s.strip_prefix('`').ok_or("expected a backticked text")?;
        let end = inner.rfind('`').ok_or("unclosed backtick")?;
        // The text is the longest backticked run (it may itself hold backticks).
        let (body, after) = match inner.find("` after `") {
            Some(i) => (&inner[..i], i + 1),
            None => (&inner[..end], end + 1),
        };
        Ok((unescape(body), after + 1))
    };
    let (needle, used) = quoted(rest)?;
    let tail = rest.trim_start()[used..].trim();
    let from = match tail.strip_prefix("after ") {
        Some(ctx) => {
            let (context, _) = quoted(ctx)?;
            header_len
                + text[header_len..]
                    .find(&context)
                    .ok_or_else(|| format!("context `{context}` not found"))?
                + context.len()
        }
        None if tail.is_empty() => header_len,
        None => return Err(format!("unexpected `{tail}` in the expect line")),
    };
    let start = from
        + text[from..]
            .find(&needle)
            .ok_or_else(|| format!("`{needle}` not found after the header"))?;
    Ok(Expectation {
        code,
        span: Span::new(start, start + needle.len()),
    })
}

/// `\n` and `\"` in a header's text.
fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\\"", "\"")
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags.iter().filter(|d| d.is_error()).collect()
}

fn describe(text: &str, diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "{} at `{}`: {}",
                d.code,
                text.get(d.primary.span.start as usize..d.primary.span.end as usize)
                    .unwrap_or("?"),
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every problem with one case (empty when it holds), and its snapshot text.
fn run_case(name: &str, text: &str) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let expected = match expectation(text) {
        Ok(e) => Some(e),
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let diags = lhw_compiler::check(text);
    let errs = errors(&diags);
    let mut fixed = None;
    if errs.len() != 1 {
        problems.push(format!(
            "{} errors, expected exactly one: {}",
            errs.len(),
            describe(text, &diags)
        ));
    }
    if let (Some(exp), Some(err)) = (&expected, errs.first()) {
        let at = |s: Span| {
            text.get(s.start as usize..s.end as usize)
                .unwrap_or("?")
                .to_string()
        };
        if err.code != exp.code || err.primary.span != exp.span {
            problems.push(format!(
                "expected {} at `{}` ({}..{}), found {} at `{}` ({}..{}): {}",
                exp.code,
                at(exp.span),
                exp.span.start,
                exp.span.end,
                err.code,
                at(err.primary.span),
                err.primary.span.start,
                err.primary.span.end,
                err.message
            ));
        }
        let help = err.help.clone().unwrap_or_default();
        match err.fixes.first() {
            None => problems.push(format!("no fix (help: {help})")),
            Some(fix) => {
                for edit in &fix.edits {
                    let t = edit.text.trim();
                    if !t.is_empty() && !help.contains(t) {
                        problems.push(format!("the help `{help}` does not name the fix `{t}`"));
                    }
                }
                let after = fix.apply(text);
                let left = lhw_compiler::check(&after);
                if !errors(&left).is_empty() {
                    problems.push(format!(
                        "the fix `{}` leaves errors: {}",
                        fix.title,
                        describe(&after, &left)
                    ));
                }
                fixed = Some((fix.title.clone(), after));
            }
        }
    }
    let rendered = render_all(
        &diags,
        &format!("mistakes/{name}"),
        text,
        RenderOptions {
            color: false,
            width: 100,
        },
    );
    let fixed_text = fixed.map_or_else(String::new, |(title, after)| {
        format!("----- FIX: {title}\n{after}")
    });
    (
        problems,
        format!("----- SOURCE\n{text}\n----- DIAGNOSTICS\n{rendered}\n{fixed_text}"),
    )
}

#[test]
fn each_mistake_gives_one_error_at_its_span_with_a_fix() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mistakes");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("compiler/tests/mistakes exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "lhw"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 80,
        "the corpus holds {} cases, fewer than 80",
        files.len()
    );
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("case");
        let text = fs::read_to_string(path).expect("a case is UTF-8");
        let (problems, snapshot) = run_case(name, &text);
        failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
        snapshots.push((name.to_string(), snapshot));
    }
    if std::env::var_os("MISTAKES_LIST").is_some() {
        eprintln!("{}", failures.join("\n"));
    }
    assert!(
        failures.is_empty(),
        "{} problems in the mistakes corpus:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, snapshot) in snapshots {
            insta::assert_snapshot!(format!("mistake@{name}"), snapshot);
        }
    });
}

#[test]
fn headers_name_spans() {
    let text = "// mistake: m\n// expect: E0001 at `b` after `a b`\nx a b b\n";
    let exp = expectation(text).expect("a valid header");
    assert_eq!(exp.code, Code::E0001);
    assert_eq!(&text[exp.span.start as usize..exp.span.end as usize], "b");
    assert_eq!(exp.span.start as usize, text.rfind('b').expect("a b"));
}
