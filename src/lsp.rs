//! `lhc lsp`: the language server on stdin/stdout (see the `lhw-lsp` crate).

use std::process::ExitCode;

use crate::report::Style;

/// Runs the language server until the client exits.
pub fn run(style: Style) -> ExitCode {
    let Some(rt) = crate::server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(lhw_lsp::serve_stdio());
    ExitCode::SUCCESS
}
