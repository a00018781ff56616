//! Every call into the compiler is guarded: a panic (a compiler bug) becomes an error the
//! server logs, and the request gets an empty answer.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// How many panics the server has caught since it started (tests assert it stays 0).
#[must_use]
pub fn panics_caught() -> usize {
    PANICS.load(Ordering::Relaxed)
}

/// The message a caught panic carries (`panic!` with a literal or a formatted string), or
/// `unknown panic` for any other payload.
#[must_use]
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs `f`, turning a panic into `Err` with its message.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        let detail = panic_message(payload.as_ref());
        format!(
            "internal error in the lhw compiler: {detail} (this is a bug in lhw {}; please report it with the file)",
            env!("CARGO_PKG_VERSION")
        )
    })
}
