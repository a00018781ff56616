//! The adapter to the compiler's formatter, `lhw_compiler::format::format(text) ->
//! Result<String, Vec<Diagnostic>>` (the same code as `lhc fmt`). It is built in with the
//! crate feature `format`; without it the server does not advertise formatting.

/// Whether formatting is built in.
pub(crate) const AVAILABLE: bool = cfg!(feature = "format");

/// The formatted text, or `None` when the text cannot be formatted (it does not parse).
#[cfg(feature = "format")]
pub(crate) fn format(text: &str) -> Option<String> {
    lhw_compiler::format::format(text).ok()
}
