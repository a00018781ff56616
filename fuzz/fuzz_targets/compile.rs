//! Any text through every stage: parse, check, lower (`compile`), format, the IDE analysis
//! and rendering (`compiler/tests/support/fuzz_checks.rs`, shared with the replay of
//! `tests/fuzz-regressions/`). None may panic, and the results must be well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../../compiler/tests/support/fuzz_checks.rs");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(problem) = fuzz_checks(text) {
        panic!("{problem}");
    }
});
