//! Any text through every stage: parse, check, lower (`compile`), format, the IDE analysis
//! and rendering. None may panic, and the results must be well formed.
#![no_main]

use lhw_compiler::diag::render::{RenderOptions, render_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let compiled = lhw_compiler::compile(text);
    for d in &compiled.diagnostics {
        let (start, end) = (d.primary.span.start as usize, d.primary.span.end as usize);
        assert!(
            start <= end && end <= text.len(),
            "span {start}..{end} outside the text"
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "span off a char boundary"
        );
    }
    let has_error = compiled.diagnostics.iter().any(|d| d.is_error());
    assert_eq!(
        compiled.output.is_some(),
        !has_error,
        "output exactly when there is no error"
    );
    let rendered = render_all(
        &compiled.diagnostics,
        "/fuzz.lhw",
        text,
        RenderOptions::default(),
    );
    // Rendering is linear: bounded by a multiple of the text plus the diagnostics shown.
    assert!(
        rendered.len() <= 64 * text.len() + 200_000,
        "{} bytes rendered",
        rendered.len()
    );
    if let Ok(formatted) = lhw_compiler::format::format(text) {
        // Formatting is idempotent and keeps the program.
        assert_eq!(
            lhw_compiler::format::format(&formatted).as_deref(),
            Ok(formatted.as_str())
        );
    }
    let _ = lhw_compiler::ide::Analysis::new(text);
});
