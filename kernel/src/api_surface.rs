//! ARCHITECTURE.md invariant 31: `pub(crate)` by default. What the kernel offers other crates
//! (`lhc`, the `lhw-kernel` binary, its tests and benches, `lhw-connect`'s tests) is public;
//! everything else is `pub(crate)` or narrower. The test counts the `pub` items and fields
//! under `kernel/src` and fails when they grow past the ceiling: a new public item must be used
//! outside the crate (then raise the ceiling in the same commit), else make it `pub(crate)`.

use std::path::Path;

/// `pub` items and fields under `kernel/src` (issue 15 §4: 688 before, 172 after).
const CEILING: usize = 172;

fn count(dir: &Path, total: &mut usize) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            count(&path, total);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            *total += text
                .lines()
                .filter(|l| l.trim_start().starts_with("pub "))
                .count();
        }
    }
}

#[test]
fn public_items_stay_under_the_ceiling() {
    let mut total = 0;
    count(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut total,
    );
    assert!(total > 0, "no source found");
    assert!(
        total <= CEILING,
        "{total} `pub` items and fields in kernel/src, more than {CEILING}: make the new ones \
         pub(crate) unless another crate uses them"
    );
}
