//! `lhc lsp`: the language server on stdin/stdout (see the `lhw-lsp` crate).

use std::process::ExitCode;

use crate::report::Style;

/// Runs the language server until the client exits.
pub fn run(style: Style) -> ExitCode {
    let Some(rt) = crate::server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        // Someone typed `lhc lsp` at a prompt: say what it waits for (on stderr, which is
        // the server's log; stdout belongs to the protocol).
        eprintln!(
            "lhc lsp speaks the Language Server Protocol on stdin and stdout, for editors \
             (docs/lsp.md, editors/README.md); `lhc check FILE` checks files at a prompt. \
             Ctrl-D or Ctrl-C quits."
        );
    }
    rt.block_on(lhw_lsp::serve_stdio());
    ExitCode::SUCCESS
}
