//! Parsing (and everything built on it: check, format, the IDE analysis, rendering) does
//! work linear in the input for every input. Each adversarial family below is run at a size
//! `n` and at `4n`; the slower of the two must not take more than `RATIO` times as long as
//! the faster (a linear pass takes about 4 times as long, a quadratic one 16 times, the
//! exponential parses these inputs once triggered never finish). Times are the CPU time of
//! the test's own thread (not wall-clock time, which other processes on a busy machine
//! stretch), the best of a few runs; no absolute time limit is asserted.

use std::time::Duration;

use lhw_compiler::diag::render::{RenderOptions, render_all};

/// The largest ratio allowed between the time at `4n` and at `n`.
const RATIO: f64 = 12.0;

/// One adversarial family: builds an input of about `n` repetitions.
struct Family {
    name: &'static str,
    build: fn(usize) -> String,
    /// The `n` to start from (the time at `n` must be well above timer noise).
    n: usize,
}

/// `n` workflows, each holding `unit` repeated `depth` times after `prefix`: nesting stays
/// under the limit refused before parsing (256), so the grammar itself is exercised (an
/// unclosed `(` is scanned to the end of its declaration, so the cost per declaration grows
/// with the square of its open parentheses, which the limit bounds).
fn chunks(n: usize, prefix: &str, unit: &str, depth: usize) -> String {
    (0..n)
        .map(|i| format!("workflow w{i} {{\n  {prefix}{}\n", unit.repeat(depth)))
        .collect()
}

fn families() -> Vec<Family> {
    vec![
        Family {
            name: "unclosed braces",
            build: |n| chunks(n, "", "{", 50),
            n: 10,
        },
        Family {
            name: "unclosed braces after a statement",
            build: |n| chunks(n, "x = 1 ", "{", 50),
            n: 10,
        },
        Family {
            name: "unclosed braces on separate lines",
            build: |n| chunks(n, "", "x {\n", 50),
            n: 10,
        },
        Family {
            name: "unclosed nested JSON literal",
            build: |n| chunks(n, "x = ", "{\"a\": ", 50),
            n: 10,
        },
        Family {
            name: "unclosed parentheses",
            build: |n| chunks(n, "x = ", "(", 16),
            n: 10,
        },
        Family {
            name: "unclosed parentheses in a broken line",
            build: |n| chunks(n, "x y ", "(", 16),
            n: 10,
        },
        Family {
            name: "unclosed brackets",
            build: |n| chunks(n, "x = ", "[", 16),
            n: 10,
        },
        Family {
            name: "alternating parentheses and brackets",
            build: |n| chunks(n, "x y ", "([", 8),
            n: 10,
        },
        Family {
            name: "unclosed block comments",
            build: |n| chunks(n, "x = 1\n  ", "/*", 50),
            n: 10,
        },
        Family {
            name: "unclosed string holes",
            build: |n| chunks(n, "x = ", "\"{", 50),
            n: 10,
        },
        Family {
            name: "unclosed blocks",
            build: |n| chunks(n, "", "  if x {\n", 30),
            n: 5,
        },
        Family {
            name: "broken lines with an open parenthesis",
            build: |n| {
                format!(
                    "workflow w {{\n{}{}}}\n",
                    "  x y (\n".repeat(16),
                    "  x = 1\n".repeat(n)
                )
            },
            n: 300,
        },
        Family {
            // `assign_head` decides an assignment with one scan: the place used to be parsed
            // twice, and an index holding a `spawn` block holds statements again
            // (exponential in the nesting; a fuzz timeout).
            name: "spawn blocks in indexes",
            build: |n| {
                let mut inner = String::from("1");
                for _ in 0..n {
                    inner = format!("x[spawn a {{\n x[{inner}]\n}}]");
                }
                format!("workflow w {{\n  {inner}\n}}\n")
            },
            n: 6,
        },
        Family {
            // Each line stops short, so it took in the next: the whole run was re-parsed
            // for every line (cubic; a fuzz timeout).
            name: "lines that stop short",
            build: |n| format!("workflow w {{\n{}}}\n", "  !\n".repeat(n)),
            n: 100,
        },
        Family {
            // Each open `(` is tried to the end of its declaration: more than 16 are refused.
            name: "many open parentheses on separate lines",
            build: |n| format!("workflow w {{\n{}}}\n", "  f(\n".repeat(n)),
            n: 100,
        },
        Family {
            name: "open parentheses under the limit, long declarations",
            build: |n| {
                format!(
                    "workflow w {{\n{}{}}}\n",
                    "  f(\n".repeat(16),
                    "  g(x) + 1\n".repeat(n)
                )
            },
            n: 100,
        },
        Family {
            name: "test files",
            build: |n| {
                let step = "  mock t(1, [2, {\"a\": f(3)}]) returns \"{x}\" then fails\n  expect var v == (((1)))\n";
                format!("test \"t\" for w {{\n{}}}\n", step.repeat(n))
            },
            n: 100,
        },
        Family {
            name: "too deep, refused",
            build: |n| "{".repeat(n),
            n: 100_000,
        },
        Family {
            name: "placeholders",
            build: |n| {
                format!(
                    "workflow w {{\n  var s: str = \"{}\"\n}}\n",
                    "{x}".repeat(n)
                )
            },
            n: 1_000,
        },
        Family {
            name: "near-misses on a long line (syntax/mistakes.rs)",
            build: |n| {
                format!(
                    "workflow w {{\n  if a {}== 1 {{\n    x = 7 days\n  }} elif b {{\n  }}\n}}\n",
                    "and a ".repeat(n)
                )
            },
            n: 2_000,
        },
        Family {
            name: "long line",
            build: |n| format!("workflow w {{\n  x = 1 {}\n}}\n", "a ".repeat(n)),
            n: 2_000,
        },
    ]
}

/// Everything an input goes through: check (parse, check, lower), format, the IDE
/// analysis and rendering of the diagnostics.
fn work(text: &str) {
    let compiled = lhw_compiler::compile(text);
    let rendered = render_all(
        &compiled.diagnostics,
        "/f.lhw",
        text,
        RenderOptions::default(),
    );
    std::hint::black_box(rendered);
    std::hint::black_box(lhw_compiler::format::format(text).is_ok());
    std::hint::black_box(lhw_compiler::ide::Analysis::new(text));
    std::hint::black_box(lhw_compiler::syntax::parse_test_file(text));
}

/// The CPU time this thread has used so far.
fn thread_cpu_time() -> Duration {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

fn best_of(text: &str, runs: usize) -> Duration {
    (0..runs)
        .map(|_| {
            let start = thread_cpu_time();
            work(text);
            thread_cpu_time().saturating_sub(start)
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn every_adversarial_family_is_linear() {
    let mut failures = Vec::new();
    for family in families() {
        let small = (family.build)(family.n);
        let large = (family.build)(family.n * 4);
        let t_small = best_of(&small, 5).max(Duration::from_millis(1));
        let t_large = best_of(&large, 3);
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64();
        eprintln!(
            "{}: n={} {:?}, 4n {:?}, ratio {ratio:.1}",
            family.name, family.n, t_small, t_large
        );
        if ratio > RATIO {
            failures.push(format!(
                "{}: {ratio:.1}× for 4× the input ({t_small:?} → {t_large:?})",
                family.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "super-linear:\n{}",
        failures.join("\n")
    );
}

/// Nesting far beyond any program's (pest parses nesting by recursion) is refused with one
/// error instead of overflowing the stack, in every entry point.
#[test]
fn huge_nesting_is_refused_without_overflow() {
    for open in ["{", "(", "[", "{\"a\": "] {
        let text = format!("workflow w {{\n  x = {}\n}}\n", open.repeat(200_000));
        let compiled = lhw_compiler::compile(&text);
        assert!(
            compiled
                .diagnostics
                .iter()
                .any(|d| d.message.contains("nested too deeply")),
            "{open}: {:?}",
            compiled.diagnostics.first()
        );
        assert!(lhw_compiler::format::format(&text).is_err());
        std::hint::black_box(lhw_compiler::ide::Analysis::new(&text));
    }
}

/// Long chains the grammar parses by recursion, without brackets: nested map types and
/// `else if` chains. They are refused or parsed without overflowing the stack.
#[test]
fn long_recursive_chains_do_not_overflow() {
    let cases = [
        format!(
            "workflow w {{\n  var x: {}int{}\n}}\n",
            "map<str, ".repeat(100_000),
            ">".repeat(100_000)
        ),
        format!(
            "workflow w {{\n  var x: bool = true\n  if x {{ x = false }}{}\n}}\n",
            " else if x { x = false }".repeat(100_000)
        ),
    ];
    for text in cases {
        let compiled = lhw_compiler::compile(&text);
        std::hint::black_box(&compiled);
        std::hint::black_box(lhw_compiler::format::format(&text).is_ok());
        std::hint::black_box(lhw_compiler::ide::Analysis::new(&text));
    }
}
