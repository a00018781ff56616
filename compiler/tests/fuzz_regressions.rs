//! Every input in `tests/fuzz-regressions/` (crashes and slow inputs the fuzzer or people
//! found) goes through what the fuzz target (`fuzz/fuzz_targets/compile.rs`) checks: no
//! panic, well-formed spans, output exactly when there is no error, rendering bounded,
//! formatting idempotent, the IDE analysis. A new crash becomes a test by adding its input
//! file there (named `*.in`, so that tests walking the repository's `.lhw` files, which
//! must be valid, skip them).

use std::fs;
use std::path::PathBuf;

#[path = "support/fuzz_checks.rs"]
mod fuzz_checks;

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
        if let Err(e) = fuzz_checks::fuzz_checks(&text) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(count >= 7, "only {count} inputs in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
