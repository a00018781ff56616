//! Every input in `tests/fuzz-regressions/` (crashes and slow inputs the fuzzer or people
//! found) goes through what the fuzz target (`fuzz/fuzz_targets/compile.rs`) checks: no
//! panic, well-formed spans, output exactly when there is no error, rendering bounded,
//! formatting idempotent, the IDE analysis. A new crash becomes a test by adding its input
//! file there (named `*.in`, so that tests walking the repository's `.lhw` files, which
//! must be valid, skip them).

use std::fs;
use std::path::PathBuf;

use lhw_compiler::diag::render::{RenderOptions, render_all};

fn replay(text: &str) -> Result<(), String> {
    let compiled = lhw_compiler::compile(text);
    for d in &compiled.diagnostics {
        let (start, end) = (d.primary.span.start as usize, d.primary.span.end as usize);
        if !(start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end))
        {
            return Err(format!("bad span {start}..{end} for {}", d.code));
        }
    }
    let has_error = compiled.diagnostics.iter().any(|d| d.is_error());
    if compiled.output.is_some() == has_error {
        return Err("output present although there are errors (or missing without)".into());
    }
    let rendered = render_all(
        &compiled.diagnostics,
        "/f.lhw",
        text,
        RenderOptions::default(),
    );
    if rendered.len() > 64 * text.len() + 200_000 {
        return Err(format!("{} bytes rendered", rendered.len()));
    }
    if let Ok(formatted) = lhw_compiler::format::format(text)
        && lhw_compiler::format::format(&formatted).as_deref() != Ok(formatted.as_str())
    {
        return Err("formatting is not idempotent".into());
    }
    let _ = lhw_compiler::ide::Analysis::new(text);
    Ok(())
}

#[test]
fn every_recorded_input_passes_the_fuzz_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-regressions");
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in fs::read_dir(&dir).expect("tests/fuzz-regressions exists") {
        let path = entry.expect("readable entry").path();
        let bytes = fs::read(&path).expect("readable input");
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        count += 1;
        if let Err(e) = replay(&text) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(count >= 7, "only {count} inputs in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
