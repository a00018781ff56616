//! Peak heap of `check`, `fmt` and `compile` on a generated workflow, as a multiple of the
//! input size (ARCHITECTURE.md, invariant "memory is a bounded multiple of the input").
//!
//! A counting global allocator (`peakmem-alloc`) records the peak of the bytes allocated
//! and not yet freed since a reset; each measurement starts with a reset (the text itself
//! is not counted), so the figures are the heap the operation needs: deterministic (no
//! timing, no RSS, no allocator fragmentation) and the same in debug and release builds.
//! `compile` is measured as `lhc compile` runs it: compile, then each request streamed as
//! pretty JSON to a writer one by one.
//!
//! Run with `--nocapture` to see the figures; `stage_peaks` (ignored by default) prints the
//! peak of each stage of a compile.

#[path = "../src/generate.rs"]
#[allow(dead_code)]
mod generate;

use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use std::alloc::System;

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Runs `f`, returning its result and the peak of the bytes it allocated and had not yet
/// freed (what was alive before it is not counted).
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATOR.reset_peak_memory();
    let out = f();
    (out, ALLOCATOR.get_peak_memory())
}

/// Statements of the generated workflow: ~400 KB of text. Large enough for the
/// per-statement cost to dominate, small enough for a debug build.
const STATEMENTS: usize = 20_000;

/// Every request of `out` streamed as pretty JSON, one by one, as `lhc compile` writes
/// them; returns the bytes written.
fn stream_json(out: &lhw_compiler::Output) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = Counter(0);
    let mut write = |m: &dyn erased::Json| m.write_to(&mut w);
    out.task_defs.iter().for_each(|m| write(m));
    out.external_event_defs.iter().for_each(|m| write(m));
    out.workflow_event_defs.iter().for_each(|m| write(m));
    out.struct_defs.iter().for_each(|m| write(m));
    out.user_task_defs.iter().for_each(|m| write(m));
    out.wf_specs.iter().for_each(|m| write(m));
    w.0
}

mod erased {
    /// A request that streams itself as pretty JSON.
    pub(crate) trait Json {
        fn write_to(&self, w: &mut dyn std::io::Write);
    }
    impl<T: serde::Serialize> Json for T {
        fn write_to(&self, w: &mut dyn std::io::Write) {
            lhw_proto::write_json_pretty(&mut *w, self).expect("every request has JSON");
        }
    }
}

struct Figures {
    text: usize,
    check: usize,
    fmt: usize,
    compile: usize,
}

fn measure(text: &str) -> Figures {
    let (diags, check) = peak_of(|| lhw_compiler::check(text));
    assert!(
        !diags.iter().any(lhw_compiler::diag::Diagnostic::is_error),
        "the generated workflow must check"
    );
    drop(diags);
    let (formatted, fmt) = peak_of(|| lhw_compiler::format::format(text));
    assert_eq!(
        formatted.as_deref().map(str::len).ok(),
        Some(text.len()),
        "the generated workflow is in the canonical layout"
    );
    drop(formatted);
    let (json_bytes, compile) = peak_of(|| {
        let compiled = lhw_compiler::compile(text);
        let output = compiled.output.expect("the generated workflow compiles");
        stream_json(&output)
    });
    assert!(json_bytes > text.len());
    Figures {
        text: text.len(),
        check,
        fmt,
        compile,
    }
}

/// Where the bytes of one compile go: the peak of each stage above what the earlier
/// stages left alive (the AST for check, the AST and the model for lowering, ...).
fn stages(text: &str) {
    let ((file, _), parse) = peak_of(|| lhw_compiler::syntax::parse(text));
    let ((model, _), check) = peak_of(|| lhw_compiler::check::check(&file));
    let ((out, _), lower) = peak_of(|| lhw_compiler::lower::lower(&file, &model));
    let (_, json) = peak_of(|| stream_json(&out));
    let show = |b: usize| {
        format!(
            "{:.1} MiB ({:.1}×)",
            b as f64 / (1024.0 * 1024.0),
            b as f64 / text.len() as f64
        )
    };
    eprintln!(
        "stage peaks: parse {}, check {}, lower {}, JSON {}",
        show(parse),
        show(check),
        show(lower),
        show(json)
    );
}

/// Bounds as multiples of the input: the measured figures (docs/performance.md, "Memory on
/// huge inputs": check 54×, fmt 83×, compile 135× with the fast parser) with about 20 %
/// headroom. The AST is most of each; lower them when it shrinks.
const CHECK_BOUND: f64 = 65.0;
const FMT_BOUND: f64 = 100.0;
const COMPILE_BOUND: f64 = 160.0;

/// The counters are global: the tests of this file take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn peak_heap_is_a_bounded_multiple_of_the_input() {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let text = generate::source(STATEMENTS);
    let f = measure(&text);
    let ratio = |b: usize| b as f64 / f.text as f64;
    eprintln!(
        "input {} bytes; peak heap: check {} ({:.1}×), fmt {} ({:.1}×), compile {} ({:.1}×)",
        f.text,
        f.check,
        ratio(f.check),
        f.fmt,
        ratio(f.fmt),
        f.compile,
        ratio(f.compile)
    );
    assert!(
        ratio(f.check) <= CHECK_BOUND,
        "check peaked at {:.1}× the input (bound {CHECK_BOUND}×)",
        ratio(f.check)
    );
    assert!(
        ratio(f.fmt) <= FMT_BOUND,
        "fmt peaked at {:.1}× the input (bound {FMT_BOUND}×)",
        ratio(f.fmt)
    );
    assert!(
        ratio(f.compile) <= COMPILE_BOUND,
        "compile peaked at {:.1}× the input (bound {COMPILE_BOUND}×)",
        ratio(f.compile)
    );
}

/// Where the bytes of one compile go, stage by stage: a measurement that asserts nothing,
/// so it runs only when asked (`cargo test -p lhw-bench --test memory -- --ignored
/// --nocapture`).
#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn stage_peaks() {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    stages(&generate::source(STATEMENTS));
}

/// The counter itself works: a buffer of a known size shows in the peak.
#[test]
fn the_counter_sees_a_known_allocation() {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (len, peak) = peak_of(|| vec![0u8; 3 << 20].len());
    assert_eq!(len, 3 << 20);
    assert!(peak >= 3 << 20, "peak {peak}");
}
