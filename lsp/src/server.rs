//! The server: document synchronisation, analysis and publication of diagnostics, and the
//! forwarding of each request to its handler.
//!
//! Ordering: the document store sits behind one `std::sync::Mutex`, never held across an
//! `.await`. `didChange` applies its edits before its first `.await`, so edits apply in the
//! order they arrive. Analyses run on the blocking pool; a result is stored only for the
//! version it was computed for, and diagnostics are published only for the latest version
//! (stale results are dropped).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use lhw_compiler::ide::Analysis;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

use crate::diagnostics::{self, Options};
use crate::documents::{Document, Documents, Snapshot};
use crate::guard::guard;
use crate::handlers;
use crate::{ERROR_DOCS_BASE, capabilities};

/// The language server's state.
pub struct Backend {
    client: Client,
    docs: Arc<Mutex<Documents>>,
    /// The last version whose diagnostics were published, per document (the lock also
    /// orders publications).
    published: tokio::sync::Mutex<HashMap<lsp::Uri, i32>>,
    options: Mutex<Options>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Backend {
    /// A server talking to `client`.
    #[must_use]
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            docs: Arc::new(Mutex::new(HashMap::new())),
            published: tokio::sync::Mutex::new(HashMap::new()),
            options: Mutex::new(Options {
                docs_base: ERROR_DOCS_BASE.to_string(),
                related_information: false,
            }),
        }
    }

    fn options(&self) -> Options {
        lock(&self.options).clone()
    }

    /// The analysis of `uri`'s latest text, computed now if it is not yet.
    async fn snapshot(&self, uri: &lsp::Uri) -> Option<(i32, Snapshot)> {
        self.analyse(uri, false).await
    }

    /// The analysis of `uri`'s latest text, computed now if it is not yet; with
    /// `drop_if_stale`, nothing is computed when a newer version has arrived by the time
    /// the blocking pool gets to it (its own analysis follows).
    async fn analyse(&self, uri: &lsp::Uri, drop_if_stale: bool) -> Option<(i32, Snapshot)> {
        let (version, text, base) = {
            let docs = lock(&self.docs);
            let doc = docs.get(uri)?;
            if let Some(current) = &doc.current {
                return Some((
                    doc.version,
                    Snapshot {
                        analysis: Arc::clone(current),
                        last_good: doc.last_good.clone(),
                    },
                ));
            }
            (doc.version, Arc::clone(&doc.text), doc.latest.clone())
        };
        let docs = Arc::clone(&self.docs);
        let key = uri.clone();
        let computed = tokio::task::spawn_blocking(move || {
            let stale = drop_if_stale && lock(&docs).get(&key).map(|d| d.version) != Some(version);
            if stale {
                return Ok(None);
            }
            guard(|| match base {
                Some(base) => base.update(&text),
                None => Analysis::new(&text),
            })
            .map(Some)
        })
        .await;
        let analysis = match computed {
            Ok(Ok(Some(analysis))) => Arc::new(analysis),
            Ok(Ok(None)) => return None,
            Ok(Err(message)) => {
                self.internal_error(uri, version, &message).await;
                return None;
            }
            Err(join) => {
                self.client
                    .log_message(lsp::MessageType::ERROR, format!("analysis failed: {join}"))
                    .await;
                return None;
            }
        };
        let mut docs = lock(&self.docs);
        let doc = docs.get_mut(uri)?;
        doc.store(version, &analysis);
        Some((
            version,
            Snapshot {
                analysis,
                last_good: doc.last_good.clone(),
            },
        ))
    }

    /// The analyses of every open document but `uri`.
    async fn others(&self, uri: &lsp::Uri) -> Vec<(lsp::Uri, Snapshot)> {
        let uris: Vec<lsp::Uri> = lock(&self.docs)
            .keys()
            .filter(|u| *u != uri)
            .cloned()
            .collect();
        let mut out = Vec::new();
        for other in uris {
            if let Some((_, snap)) = self.snapshot(&other).await {
                out.push((other, snap));
            }
        }
        out
    }

    /// Analyses `uri`'s latest text and publishes its diagnostics.
    async fn refresh(&self, uri: lsp::Uri) {
        if let Some((version, snap)) = self.analyse(&uri, true).await {
            self.publish(&uri, version, &snap).await;
        }
    }

    /// Publishes the diagnostics of `version`, unless a newer version exists.
    async fn publish(&self, uri: &lsp::Uri, version: i32, snap: &Snapshot) {
        let mut published = self.published.lock().await;
        let latest = lock(&self.docs).get(uri).map(|d| d.version);
        if latest != Some(version) || published.get(uri).is_some_and(|&v| v > version) {
            return;
        }
        let opts = self.options();
        let lines = snap.lines();
        let test_diags;
        let source = match crate::test_files::path_of(uri)
            .filter(|_| crate::test_files::is_test_file(uri))
        {
            // A test file: checked against the workflow files it uses.
            Some(path) => {
                let open: Vec<(std::path::PathBuf, String)> = lock(&self.docs)
                    .iter()
                    .filter_map(|(u, d)| Some((crate::test_files::path_of(u)?, d.text.to_string())))
                    .collect();
                let open_text =
                    |p: &std::path::Path| open.iter().find(|(q, _)| q == p).map(|(_, t)| t.clone());
                test_diags = guard(|| {
                    crate::test_files::diagnostics(&path, snap.analysis.text(), &open_text)
                })
                .unwrap_or_default();
                &test_diags[..]
            }
            None => snap.analysis.diagnostics(),
        };
        let diags = source
            .iter()
            .map(|d| diagnostics::to_lsp(d, lines, uri, &opts))
            .collect();
        self.client
            .publish_diagnostics(uri.clone(), diags, Some(version))
            .await;
        published.insert(uri.clone(), version);
    }

    /// Reports a compiler panic: logged, and shown as a diagnostic at the top of the file.
    async fn internal_error(&self, uri: &lsp::Uri, version: i32, message: &str) {
        self.client
            .log_message(lsp::MessageType::ERROR, message.to_string())
            .await;
        let diag = lsp::Diagnostic {
            range: lsp::Range::default(),
            severity: Some(lsp::DiagnosticSeverity::ERROR),
            source: Some(crate::DIAGNOSTIC_SOURCE.to_string()),
            message: message.to_string(),
            ..Default::default()
        };
        self.client
            .publish_diagnostics(uri.clone(), vec![diag], Some(version))
            .await;
    }

    /// Runs a handler on the analysis of `uri` under the panic guard.
    async fn answer<T>(
        &self,
        uri: &lsp::Uri,
        handler: impl FnOnce(&Snapshot) -> Option<T>,
    ) -> Option<T> {
        let (_, snap) = self.snapshot(uri).await?;
        match guard(|| handler(&snap)) {
            Ok(answer) => answer,
            Err(message) => {
                self.client
                    .log_message(lsp::MessageType::ERROR, message)
                    .await;
                None
            }
        }
    }
}

impl Backend {
    /// `lhw/graph` (custom request): the diagram of a workflow of a document
    /// (`handlers/graph.rs`); null for a document that is not open.
    pub async fn graph(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        let Some(req) = handlers::graph::Request::parse(&params) else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                "lhw/graph needs `textDocument.uri` (and optionally `position` or `workflow`)",
            ));
        };
        Ok(self
            .answer(&req.uri, |snap| Some(handlers::graph::graph(snap, &req)))
            .await
            .unwrap_or(serde_json::Value::Null))
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let related = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|p| p.related_information)
            .unwrap_or(false);
        let docs_base = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("errorDocsBaseUrl"))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        {
            let mut opts = lock(&self.options);
            opts.related_information = related;
            if let Some(base) = docs_base {
                opts.docs_base = base;
            }
        }
        Ok(lsp::InitializeResult {
            capabilities: capabilities(),
            server_info: Some(lsp::ServerInfo {
                name: "lhw".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        lock(&self.docs).insert(doc.uri.clone(), Document::new(doc.version, &doc.text));
        self.refresh(doc.uri).await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut docs = lock(&self.docs);
            let Some(doc) = docs.get_mut(&uri) else {
                return;
            };
            doc.apply(params.text_document.version, params.content_changes);
        }
        self.refresh(uri).await;
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        // The latest diagnostics again, for clients that cleared them on save.
        self.published.lock().await.remove(&uri);
        self.refresh(uri).await;
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        lock(&self.docs).remove(&uri);
        self.published.lock().await.remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let at = params.text_document_position_params;
        Ok(self
            .answer(&at.text_document.uri, |snap| {
                handlers::hover::hover(snap, at.position)
            })
            .await)
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let uri = at.text_document.uri;
        Ok(self
            .answer(&uri, |snap| {
                handlers::definition::definition(snap, &uri, at.position)
            })
            .await)
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri;
        let others = self.others(&uri).await;
        Ok(self
            .answer(&uri, |snap| {
                handlers::references::references(
                    snap,
                    &uri,
                    at.position,
                    params.context.include_declaration,
                    &others,
                )
            })
            .await)
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        Ok(self
            .answer(&params.text_document.uri, |snap| {
                handlers::rename::prepare(snap, params.position)
            })
            .await)
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri;
        let others = self.others(&uri).await;
        self.answer(&uri, |snap| {
            Some(handlers::rename::rename(
                snap,
                &uri,
                at.position,
                &params.new_name,
                &others,
            ))
        })
        .await
        .unwrap_or(Ok(None))
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let at = params.text_document_position;
        Ok(self
            .answer(&at.text_document.uri, |snap| {
                handlers::completion::completion(snap, at.position)
            })
            .await)
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(self
            .answer(&params.text_document.uri, |snap| {
                Some(handlers::symbols::document_symbols(snap))
            })
            .await)
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        Ok(self
            .answer(&params.text_document.uri, |snap| {
                Some(handlers::semantic_tokens::semantic_tokens(snap))
            })
            .await)
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        Ok(self
            .answer(&params.text_document.uri, |snap| {
                Some(handlers::folding::folding_ranges(snap))
            })
            .await)
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri;
        // Only quick fixes are offered.
        if params
            .context
            .only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|k| k.as_str().starts_with("quickfix")))
        {
            return Ok(Some(Vec::new()));
        }
        let opts = self.options();
        Ok(self
            .answer(&uri, |snap| {
                handlers::code_action::code_actions(snap, &uri, params.range, &opts)
            })
            .await)
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        Ok(self
            .answer(&params.text_document.uri, handlers::formatting::formatting)
            .await)
    }
}
