// What the fuzz target (`fuzz/fuzz_targets/compile.rs`, which `include!`s this file) and
// `compiler/tests/fuzz_regressions.rs` check for any text: no panic, well-formed spans,
// output exactly when there is no error, rendering bounded by the text, formatting
// idempotent, the IDE analysis built, the test-file parser (`*.test.lhw`) run.

use lhw_compiler::diag::render::{RenderOptions, render_all};

/// Runs `text` through every stage; the first property that fails, described.
pub fn fuzz_checks(text: &str) -> Result<(), String> {
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
    // The same text as a test file (`*.test.lhw`): its own parser, spans well formed.
    let (_, test_diags) = lhw_compiler::syntax::parse_test_file(text);
    for d in &test_diags {
        let (start, end) = (d.primary.span.start as usize, d.primary.span.end as usize);
        if !(start <= end && end <= text.len()) {
            return Err(format!(
                "bad span {start}..{end} for {} in a test file",
                d.code
            ));
        }
    }
    Ok(())
}
