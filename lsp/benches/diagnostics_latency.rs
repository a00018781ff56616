//! Diagnostics latency after a one-character edit, through the whole server (in process:
//! `didChange` in, `publishDiagnostics` out), on generated files of 500, 5,000 and 20,000
//! lines, with the peak memory of the process.
//!
//! Two shapes of file: `realistic` (declarations, then workflows of 40 to 120 lines with
//! variables, task calls, branches, loops, threads, handlers, events and user tasks) and
//! `one-workflow` (a single workflow as long as the file, the worst case: an edit re-parses
//! the whole workflow). Each size runs in its own process so that its peak RSS (`VmHWM`) is
//! its own.
//!
//! Run: `cargo bench -p lhw-lsp --bench diagnostics_latency` (or `bash scripts/bench-lsp.sh`);
//! options: `--sizes 500,5000`, `--edits N`.

use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service as _, ServiceExt as _};
use tower_lsp_server::jsonrpc::Request;

const URI: &str = "file:///bench.lhw";

/// A realistic file of about `lines` lines, without errors.
fn realistic(lines: usize) -> String {
    let mut s = String::from(
        "// Generated for the language server benchmark.\n\
         struct address { street: str, city: str, zip: int = 0 }\n\
         struct customer { name: str, email: str, home: address }\n\
         user-task approve { ok: bool \"Approve?\" required, note: str }\n\
         event payment-received: double correlated\n\
         event order-cancelled: str\n\
         workflow-event order-shipped: str\n",
    );
    for t in 0..12 {
        let _ = writeln!(s, "task step-{t}(order-id: str, amount: int) -> int");
        let _ = writeln!(s, "task notify-{t}(who: str, message: str)");
    }
    let _ = writeln!(s, "task load-customer(id: str) -> customer");
    let mut w = 0;
    while s.lines().count() < lines {
        let body = 40 + (w * 37) % 80;
        let _ = writeln!(s, "\n// Workflow {w}.\nworkflow flow-{w} {{");
        s.push_str(
            "  default task retries 2 timeout 30s\n  input order-id: str required\n  input amount: int = 0\n  var total: int = 0\n  var status: str = \"new\"\n  var who: customer\n  var paid: double = 0.0\n",
        );
        let _ = writeln!(
            s,
            "  on order-cancelled(reason) {{\n    notify-0(reason, \"cancelled\")\n  }}"
        );
        let mut n = 0;
        let mut i = 0;
        while n < body {
            let t = (w + i) % 12;
            n += match i % 9 {
                0 => {
                    let _ = writeln!(s, "  total = step-{t}(order-id, total + {i})");
                    1
                }
                1 => {
                    let _ = writeln!(
                        s,
                        "  if total > {i} {{\n    status = \"big {{total}}\"\n    notify-{t}(who.email, status)\n  }} else {{\n    total += 1\n  }}"
                    );
                    6
                }
                2 => {
                    let _ = writeln!(s, "  let out-{i} = step-{t}(order-id, amount) retries 5");
                    1
                }
                3 => {
                    let _ = writeln!(
                        s,
                        "  while total < {i} && status != \"done\" {{\n    total = step-{t}(order-id, total)\n  }}"
                    );
                    3
                }
                4 => {
                    s.push_str("  who = load-customer(order-id)\n");
                    1
                }
                5 => {
                    let _ = writeln!(
                        s,
                        "  let worker-{i} = spawn packer-{i} {{\n    notify-{t}(\"packer\", \"{i}\")\n  }}\n  wait worker-{i}"
                    );
                    4
                }
                6 => {
                    let _ = writeln!(
                        s,
                        "  notify-{t}(who.home.city, \"order {{order-id}}\") catch any {{\n    status = \"failed\"\n  }}"
                    );
                    3
                }
                7 => {
                    let _ = writeln!(
                        s,
                        "  let decision-{i} = ask approve to group \"sales\"\n  if decision-{i}.ok {{\n    status = \"approved\"\n  }}"
                    );
                    4
                }
                _ => {
                    s.push_str(
                        "  paid = await payment-received timeout 1d correlated by order-id\n",
                    );
                    1
                }
            };
            i += 1;
        }
        s.push_str("  emit order-shipped order-id\n}\n");
        w += 1;
    }
    s
}

/// One workflow of about `lines` lines (the worst case for re-parsing).
fn one_workflow(lines: usize) -> String {
    let mut s = String::from(
        "task step(order-id: str, amount: int) -> int\ntask notify(who: str, message: str)\n\nworkflow big {\n  input order-id: str required\n  var total: int = 0\n  var status: str = \"new\"\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        let _ = match i % 4 {
            0 => writeln!(s, "  total = step(order-id, total + {i})"),
            1 => writeln!(
                s,
                "  if total > {i} {{\n    status = \"big {{total}}\"\n  }}"
            ),
            2 => writeln!(s, "  notify(status, \"step {i}\")"),
            _ => writeln!(s, "  total += {i}"),
        };
        i += 1;
    }
    s.push_str("}\n");
    s
}

/// `VmHWM` (peak resident set size) of this process, in KiB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

struct Server {
    service: tower_lsp_server::LspService<lhw_lsp::Backend>,
    notifications: mpsc::UnboundedReceiver<Value>,
}

impl Server {
    async fn call(&mut self, req: Request) {
        let svc = self.service.ready().await.expect("ready");
        let _ = svc.call(req).await;
    }

    async fn diagnostics(&mut self, version: i64) -> Value {
        while let Some(n) = self.notifications.recv().await {
            if n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["version"].as_i64() == Some(version)
            {
                return n["params"]["diagnostics"].clone();
            }
        }
        Value::Null
    }
}

/// One size in this process: prints one JSON line with the measurements.
async fn measure(shape: &str, lines: usize, edits: usize) -> Value {
    let text = match shape {
        "one-workflow" => one_workflow(lines),
        _ => realistic(lines),
    };
    let errors = lhw_compiler::check(&text).len();
    assert_eq!(errors, 0, "the generated file has diagnostics");
    let baseline = peak_rss_kb();
    let (service, mut socket) = lhw_lsp::service();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(req) = socket.next().await {
            if let Ok(v) = serde_json::to_value(&req) {
                let _ = tx.send(v);
            }
        }
    });
    let mut server = Server {
        service,
        notifications: rx,
    };
    server
        .call(
            Request::build("initialize")
                .params(json!({ "capabilities": {} }))
                .id(1)
                .finish(),
        )
        .await;
    server
        .call(Request::build("initialized").params(json!({})).finish())
        .await;
    let started = Instant::now();
    server
        .call(
            Request::build("textDocument/didOpen")
                .params(json!({ "textDocument": { "uri": URI, "languageId": "lhw", "version": 1, "text": text } }))
                .finish(),
        )
        .await;
    server.diagnostics(1).await;
    let open = started.elapsed();

    // One-character edits at points spread through the file: insert `x` into a name (an
    // error appears), then delete it (the error goes).
    let mut text = text;
    let targets: Vec<usize> = text
        .match_indices("total")
        .filter(|(i, _)| !text[..*i].ends_with("var "))
        .map(|(i, _)| i + 2)
        .collect();
    let mut latencies = Vec::new();
    let mut analysis = Vec::new();
    let mut version = 1;
    let mut current = lhw_compiler::ide::Analysis::new(&text);
    for k in 0..edits {
        let at = targets[(k / 2 * 7919 + targets.len() / 2) % targets.len()];
        let (range, new, next) = if k % 2 == 0 {
            let p = position(&text, at);
            let mut next = text.clone();
            next.insert(at, 'x');
            (json!({ "start": p, "end": p }), "x", next)
        } else {
            let mut next = text.clone();
            next.remove(at);
            (
                json!({ "start": position(&text, at), "end": position(&text, at + 1) }),
                "",
                next,
            )
        };
        version += 1;
        let started = Instant::now();
        server
            .call(
                Request::build("textDocument/didChange")
                    .params(json!({
                        "textDocument": { "uri": URI, "version": version },
                        "contentChanges": [{ "range": range, "text": new }],
                    }))
                    .finish(),
            )
            .await;
        let diags = server.diagnostics(version).await;
        latencies.push(started.elapsed());
        let expected_errors = usize::from(k % 2 == 0);
        assert_eq!(
            diags.as_array().map(Vec::len),
            Some(expected_errors),
            "edit {k}: {diags}"
        );
        // The compiler's part alone: the incremental analysis of the same edit.
        let started = Instant::now();
        current = current.update(&next);
        analysis.push(started.elapsed());
        text = next;
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let stats = |v: &mut Vec<Duration>| {
        v.sort();
        let n = v.len();
        json!({
            "median_ms": ms(&v[n / 2]),
            "p95_ms": ms(&v[(n * 95 / 100).min(n - 1)]),
            "max_ms": ms(&v[n - 1]),
        })
    };
    json!({
        "shape": shape,
        "lines": text.lines().count(),
        "bytes": text.len(),
        "open_ms": ms(&open),
        "edit": stats(&mut latencies),
        "analysis": stats(&mut analysis),
        "peak_rss_kb": peak_rss_kb(),
        "baseline_rss_kb": baseline,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let edits: usize = value("--edits").and_then(|v| v.parse().ok()).unwrap_or(40);
    if let (Some(shape), Some(lines)) = (value("--shape"), value("--one")) {
        let lines: usize = lines.parse().unwrap_or(500);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let result = rt.block_on(measure(&shape, lines, edits));
        // The parent reads the result from stdout.
        println!("{result}");
        return ExitCode::SUCCESS;
    }
    let sizes: Vec<usize> = value("--sizes")
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![500, 5_000, 20_000]);
    let Ok(exe) = std::env::current_exe() else {
        return ExitCode::FAILURE;
    };
    let mut table = String::from(
        "shape         lines   open ms   edit→diagnostics ms (median / p95 / max)   analysis ms (median)   peak RSS\n",
    );
    for shape in ["realistic", "one-workflow"] {
        for lines in &sizes {
            let out = Command::new(&exe)
                .args([
                    "--shape",
                    shape,
                    "--one",
                    &lines.to_string(),
                    "--edits",
                    &edits.to_string(),
                ])
                .output();
            let Ok(out) = out else {
                return ExitCode::FAILURE;
            };
            let r: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            if r.is_null() {
                let _ = writeln!(
                    table,
                    "{shape} {lines}: failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                continue;
            }
            let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
            let _ = writeln!(
                table,
                "{:<13} {:>6} {:>9.1}   {:>8.2} / {:>6.2} / {:>6.2}{:>25.2}   {:>6.1} MiB",
                shape,
                r["lines"],
                f(&r["open_ms"]),
                f(&r["edit"]["median_ms"]),
                f(&r["edit"]["p95_ms"]),
                f(&r["edit"]["max_ms"]),
                f(&r["analysis"]["median_ms"]),
                f(&r["peak_rss_kb"]) / 1024.0,
            );
        }
    }
    println!("{table}");
    ExitCode::SUCCESS
}
