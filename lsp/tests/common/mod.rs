//! An in-process client for the language server: JSON-RPC requests go straight into the
//! tower service, and the server's notifications (published diagnostics) are collected
//! from its client socket.

#![allow(dead_code)] // Each test binary uses part of the harness.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service as _, ServiceExt as _};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;

/// A running in-process server.
pub struct Client {
    /// The server's answer to `initialize`.
    pub init: Value,
    service: LspService<lhw_lsp::Backend>,
    notifications: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
}

impl Client {
    /// Starts a server and initializes it with the client capabilities `capabilities`.
    pub async fn start(capabilities: Value) -> Client {
        Client::start_with(capabilities, Value::Null).await
    }

    /// Starts a server and initializes it with `capabilities` and `options` (the
    /// `initializationOptions`).
    pub async fn start_with(capabilities: Value, options: Value) -> Client {
        let (service, socket) = lhw_lsp::service();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut socket = socket;
            while let Some(req) = socket.next().await {
                if let Ok(v) = serde_json::to_value(&req) {
                    let _ = tx.send(v);
                }
            }
        });
        let mut client = Client {
            init: Value::Null,
            service,
            notifications: rx,
            next_id: 1,
        };
        let init = client
            .request(
                "initialize",
                json!({ "capabilities": capabilities, "initializationOptions": options }),
            )
            .await;
        assert!(init.get("capabilities").is_some(), "initialize: {init}");
        client.init = init;
        client.notify("initialized", json!({})).await;
        client
    }

    /// Sends a request and returns its result (or its error object, under `"error"`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let req = Request::build(method.to_string())
            .params(params)
            .id(id)
            .finish();
        let response = tokio::time::timeout(Duration::from_secs(30), async {
            let svc = self.service.ready().await.map_err(|e| e.to_string())?;
            svc.call(req).await.map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|_| panic!("{method} timed out"))
        .unwrap_or_else(|e| panic!("{method} failed: {e}"));
        let response = serde_json::to_value(response).unwrap_or(Value::Null);
        match response.get("error") {
            Some(err) => json!({ "error": err }),
            None => response.get("result").cloned().unwrap_or(Value::Null),
        }
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) {
        let req = Request::build(method.to_string()).params(params).finish();
        let svc = self.service.ready().await.expect("service ready");
        let _ = svc.call(req).await;
    }

    /// Opens `text` as `uri` (version 1) and returns its published diagnostics.
    pub async fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "lhw", "version": 1, "text": text } }),
        )
        .await;
        self.diagnostics(uri, 1).await
    }

    /// Waits for the diagnostics of `uri` at `version` (older publications are skipped).
    pub async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        let wait = async {
            while let Some(n) = self.notifications.recv().await {
                let params = &n["params"];
                if n["method"] == "textDocument/publishDiagnostics"
                    && params["uri"] == uri
                    && params["version"].as_i64() == Some(version)
                {
                    return params["diagnostics"].clone();
                }
            }
            Value::Null
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| panic!("no diagnostics for {uri} version {version}"))
    }

    /// Every notification received so far that has not been consumed.
    pub fn drain(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(n) = self.notifications.try_recv() {
            out.push(n);
        }
        out
    }
}

/// The LSP position (UTF-16) of byte `offset` in `text`, computed independently of the
/// server's conversion.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

/// The byte offset of an LSP position in `text` (the inverse of [`position`]).
pub fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let character = pos["character"].as_u64().unwrap_or(0) as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, ch) in text[start..].char_indices() {
        if units >= character || ch == '\n' || ch == '\r' {
            return start + i;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// The text a range covers.
pub fn range_text<'t>(text: &'t str, range: &Value) -> &'t str {
    let a = offset(text, &range["start"]);
    let b = offset(text, &range["end"]);
    &text[a.min(b)..a.max(b)]
}
