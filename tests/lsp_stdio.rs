//! The language server through the real binary: `lhc lsp` is spawned and spoken to over
//! its stdin/stdout with LSP framing, as an editor does: initialize, open a file with an
//! error after emoji and a CRLF file, diagnostics (code, link, UTF-16 range), hover,
//! definition, completion, an incremental change, shutdown and exit.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lhc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("lhc lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin,
            messages: rx,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The first message (after those already read) that `pred` accepts, within 30 s.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(_) => {}
                Err(_) => panic!("no {what} from lhc lsp within 30 s"),
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.wait_for(method, |m| m["id"] == id);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for("diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })["params"]["diagnostics"]
            .clone()
    }
}

fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

#[test]
fn lhc_lsp_speaks_the_protocol_over_stdio() {
    let mut server = Server::start();
    let init = server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": { "textDocument": { "publishDiagnostics": { "relatedInformation": true } } },
        }),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
    ] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert!(caps["semanticTokensProvider"]["legend"]["tokenTypes"].is_array());
    assert_eq!(init["serverInfo"]["name"], "lhw");
    server.notify("initialized", json!({}));

    // An error after emoji: 🎈 is two UTF-16 units, so `cuont` starts at character 17.
    let emoji = "task greet(name: str) -> str\n\nworkflow hello {\n  input count: int\n  var note: str\n  note = \"🎈🎈\"; cuont += 1\n  let reply = greet(\"x\")\n}\n";
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///emoji.lhw", "languageId": "lhw", "version": 1, "text": emoji } }),
    );
    let diags = server.diagnostics("file:///emoji.lhw", 1);
    assert_eq!(diags.as_array().map(Vec::len), Some(1), "{diags}");
    let d = &diags[0];
    assert_eq!(d["code"], "E0101");
    assert_eq!(d["source"], "lhw");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/E0101.md")),
        "{d}"
    );
    assert_eq!(
        d["range"],
        json!({ "start": pos(5, 17), "end": pos(5, 22) })
    );
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean `count`?"))
    );

    // A CRLF file: the second line's error is on line 4, and no range reaches the `\r`.
    let crlf = "task greet(name: str) -> str\r\n\r\nworkflow hello {\r\n  input name: str\r\n  greet(nmae)\r\n}\r\n";
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///crlf.lhw", "languageId": "lhw", "version": 1, "text": crlf } }),
    );
    let diags = server.diagnostics("file:///crlf.lhw", 1);
    assert_eq!(diags[0]["code"], "E0101");
    assert_eq!(
        diags[0]["range"],
        json!({ "start": pos(4, 8), "end": pos(4, 12) })
    );

    // Hover and definition on `greet` in `let reply = greet("x")`.
    let at_greet =
        json!({ "textDocument": { "uri": "file:///emoji.lhw" }, "position": pos(6, 16) });
    let hover = server.request("textDocument/hover", at_greet.clone());
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("task greet(name: str) -> str")),
        "{hover}"
    );
    assert_eq!(
        hover["range"],
        json!({ "start": pos(6, 14), "end": pos(6, 19) })
    );
    let def = server.request("textDocument/definition", at_greet);
    assert_eq!(def["uri"], "file:///emoji.lhw");
    assert_eq!(
        def["range"],
        json!({ "start": pos(0, 5), "end": pos(0, 10) })
    );

    // Completion at the start of an empty line in the body: variables and tasks.
    let completion = server.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": "file:///emoji.lhw" }, "position": pos(7, 0) }),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    for expected in ["greet", "count", "note", "reply", "if", "let"] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }

    // An incremental change fixing the typo: version 2 has no diagnostics.
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": "file:///emoji.lhw", "version": 2 },
            "contentChanges": [{ "range": { "start": pos(5, 17), "end": pos(5, 22) }, "text": "count" }],
        }),
    );
    assert_eq!(server.diagnostics("file:///emoji.lhw", 2), json!([]));

    assert_eq!(server.request("shutdown", Value::Null), Value::Null);
    server.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "lhc lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
