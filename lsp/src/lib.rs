//! The `.lhw` language server: LSP over stdio, started by `lhc lsp`.
//!
//! This crate is thin: it owns the documents an editor has open, converts LSP positions
//! (UTF-16, any line ending) to byte offsets and back, maps the compiler's diagnostics to
//! LSP ones, and answers each request by calling `lhw_compiler::ide` (one file per request
//! kind under `handlers/`). It is the only crate that knows LSP types. Every call into the
//! compiler runs under `catch_unwind`: a compiler bug answers one request with nothing
//! instead of taking the server down.

#![deny(clippy::print_stdout, clippy::print_stderr)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod capabilities;
mod convert;
mod diagnostics;
mod documents;
mod formatting;
mod guard;
mod handlers;
mod server;
mod test_files;

pub use capabilities::capabilities;
pub use guard::{panic_message, panics_caught};
pub use server::Backend;

use tower_lsp_server::{ClientSocket, LspService, Server};

/// Where the explanation of a diagnostic code is published: `{ERROR_DOCS_BASE}{CODE}.md`
/// (the repository's `docs/errors/`). Editors may point elsewhere with the initialization
/// option `errorDocsBaseUrl` (e.g. a `file://` URL of a local checkout).
pub const ERROR_DOCS_BASE: &str = "https://github.com/lhw-lang/lhw/blob/main/docs/errors/";

/// The `source` of every diagnostic the server publishes.
pub const DIAGNOSTIC_SOURCE: &str = "lhw";

/// The language server as a tower service, with the socket its notifications to the
/// client go through (for tests and embedding).
#[must_use]
pub fn service() -> (LspService<Backend>, ClientSocket) {
    LspService::build(Backend::new)
        .custom_method("lhw/graph", Backend::graph)
        .finish()
}

/// Serves the language server on stdin/stdout until the client exits.
pub async fn serve_stdio() {
    let (service, socket) = service();
    Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}
