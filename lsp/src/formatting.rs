//! The adapter to the compiler's formatter, `lhw_compiler::format::format(text) ->
//! Result<String, Vec<Diagnostic>>` (the same code as `lhc fmt`).

/// The formatted text, or `None` when the text cannot be formatted (it does not parse).
pub(crate) fn format(text: &str) -> Option<String> {
    lhw_compiler::format::format(text).ok()
}
