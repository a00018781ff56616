//! lhc and the Rust task worker over TLS, mTLS and OAuth against the embedded kernel (test
//! certificates made by rcgen, a token endpoint in the test), `lhc dev` serving TLS, and the
//! messages for a bad security configuration or an unreachable TLS server.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "../runtime-client/tests/support/certs.rs"]
mod certs;
mod harness;
#[path = "../runtime-client/tests/support/token_server.rs"]
mod token_server;

use certs::Pki;
use harness::{Kernel, dead_port, lhc_env};
use lhw_runtime_client::config::Config;
use lhw_runtime_client::worker::{TaskError, Worker};
use token_server::{CLIENT_ID, CLIENT_SECRET, INTROSPECTOR_ID, INTROSPECTOR_SECRET, TokenServer};

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// The LHC_* variables for a TLS server on `port`, plus `extra`.
fn tls_env<'a>(port: u16, extra: &[(&'a str, String)]) -> Vec<(&'a str, String)> {
    let mut env = vec![
        ("LHC_API_HOST", "127.0.0.1".to_string()),
        ("LHC_API_PORT", port.to_string()),
        ("LHC_API_PROTOCOL", "TLS".to_string()),
    ];
    env.extend(extra.iter().cloned());
    env
}

/// A kernel serving TLS (mTLS with `mtls`) that accepts only tokens of the token server
/// returned beside it.
fn oauth_kernel(pki: &Pki, mtls: bool) -> (Kernel, TokenServer) {
    let mut tokens = None;
    let kernel = Kernel::start_with(|rt, c| {
        let server = rt.block_on(TokenServer::start(Duration::from_secs(60)));
        let auth = server.bearer_auth();
        tokens = Some(server);
        c.tls(pki.server_tls(mtls)).auth(auth)
    });
    (kernel, tokens.expect("token server"))
}

#[test]
fn deploy_and_list_over_mtls() {
    let pki = Pki::new();
    let kernel = Kernel::start_with(|_, c| c.tls(pki.server_tls(true)));
    let identity = [
        ("LHC_CA_CERT", path(&pki.ca.cert)),
        ("LHC_CLIENT_CERT", path(&pki.client.cert)),
        ("LHC_CLIENT_KEY", path(&pki.client.key)),
    ];
    let env = tls_env(kernel.port(), &identity);
    let out = lhc_env(&env, &["deploy", "--with-task-defs", "examples/hello.lhw"]);
    assert_eq!(
        out.ok().stdout,
        "taskdef greet: created\nwfspec hello: created (version 0.0)\n"
    );

    // The same settings from a properties file given with --config.
    let file = pki.file(
        "lh.config",
        &format!(
            "LHC_API_HOST=localhost\nLHC_API_PORT={}\nLHC_API_PROTOCOL=TLS\nLHC_CA_CERT={}\n\
             LHC_CLIENT_CERT={}\nLHC_CLIENT_KEY={}\n",
            kernel.port(),
            path(&pki.ca.cert),
            path(&pki.client.cert),
            path(&pki.client.key)
        ),
    );
    let out = lhc_env(
        &[],
        &["deploy", "--config", &path(&file), "examples/hello.lhw"],
    );
    assert_eq!(
        out.ok().stdout,
        "taskdef greet: unchanged\nwfspec hello: unchanged (version 0.0)\n"
    );

    // No client certificate: refused, and lhc says what is missing.
    let out = lhc_env(
        &tls_env(kernel.port(), &identity[..1]),
        &["list", "taskdefs"],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: TLS handshake with 127.0.0.1:{} failed: received fatal alert: \
             CertificateRequired: the server requires a client certificate (mTLS); set \
             LHC_CLIENT_CERT and LHC_CLIENT_KEY",
            kernel.port()
        )),
        "{}",
        out.stderr
    );

    // The wrong CA.
    let out = lhc_env(
        &tls_env(
            kernel.port(),
            &[
                ("LHC_CA_CERT", path(&pki.other_ca.cert)),
                ("LHC_CLIENT_CERT", path(&pki.client.cert)),
                ("LHC_CLIENT_KEY", path(&pki.client.key)),
            ],
        ),
        &["list", "taskdefs"],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "the server's certificate is not signed by the CA in LHC_CA_CERT={} (from \
             environment)",
            path(&pki.other_ca.cert)
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn oauth_token_is_fetched_and_sent() {
    let pki = Pki::new();
    let (kernel, tokens) = oauth_kernel(&pki, false);
    let oauth = |secret: &str| {
        tls_env(
            kernel.port(),
            &[
                ("LHC_CA_CERT", path(&pki.ca.cert)),
                ("LHC_OAUTH_CLIENT_ID", CLIENT_ID.to_string()),
                ("LHC_OAUTH_CLIENT_SECRET", secret.to_string()),
                ("LHC_OAUTH_ACCESS_TOKEN_URL", tokens.url.clone()),
            ],
        )
    };
    let out = lhc_env(
        &oauth(CLIENT_SECRET),
        &["deploy", "--with-task-defs", "examples/hello.lhw"],
    );
    assert_eq!(
        out.ok().stdout,
        "taskdef greet: created\nwfspec hello: created (version 0.0)\n"
    );
    assert_eq!(tokens.requests(), 1, "one token for the whole deploy");

    let out = lhc_env(&oauth("wrong"), &["list", "taskdefs"]);
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: the OAuth token endpoint {} refused the client credentials \
             (LHC_OAUTH_CLIENT_ID=lhw-test): HTTP 401 Unauthorized: invalid_client",
            tokens.url
        )),
        "{}",
        out.stderr
    );

    // Without OAuth the kernel refuses the call.
    let out = lhc_env(
        &tls_env(kernel.port(), &[("LHC_CA_CERT", path(&pki.ca.cert))]),
        &["list", "taskdefs"],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("UNAUTHENTICATED: this server requires an OAuth bearer token"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_security_configuration_is_reported_before_connecting() {
    let pki = Pki::new();
    let port = dead_port();
    let missing = path(&pki.dir.path().join("missing-ca.pem"));
    let out = lhc_env(
        &tls_env(port, &[("LHC_CA_CERT", missing.clone())]),
        &["list", "taskdefs"],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: LHC_CA_CERT={missing} (from environment): the file does not exist"
        )),
        "{}",
        out.stderr
    );

    let out = lhc_env(
        &tls_env(port, &[("LHC_CLIENT_KEY", path(&pki.client.key))]),
        &["deploy", "examples/hello.lhw"],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("error: LHC_CLIENT_KEY is set (from environment) but LHC_CLIENT_CERT is not"),
        "{}",
        out.stderr
    );

    // OAuth over PLAINTEXT is refused like a bad value, with where it came from.
    let file = pki.file(
        "oauth.config",
        "LHC_API_HOST=127.0.0.1\nLHC_OAUTH_CLIENT_ID=me\nLHC_OAUTH_CLIENT_SECRET=s\n\
         LHC_OAUTH_ACCESS_TOKEN_URL=https://auth.example.com/token\n",
    );
    let out = lhc_env(&[], &["run", "--config", &path(&file), "hello"]);
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: bad configuration: OAuth client credentials are configured \
             (LHC_OAUTH_CLIENT_ID from {}) but the protocol is PLAINTEXT",
            path(&file)
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn unreachable_tls_server_fails_fast() {
    let pki = Pki::new();
    let port = dead_port();
    let out = lhc_env(
        &tls_env(port, &[("LHC_CA_CERT", path(&pki.ca.cert))]),
        &["list", "wfspecs"],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: cannot reach the LittleHorse server at 127.0.0.1:{port}: Connection refused"
        )),
        "{}",
        out.stderr
    );
}

/// `lhc dev` with TLS flags, stopped when dropped.
struct Dev {
    child: std::process::Child,
    addr: String,
    /// The first line (where it listens).
    first: String,
    lines: mpsc::Receiver<String>,
    _data: tempfile::TempDir,
}

impl Dev {
    /// `lhc dev` serving mTLS with `args`.
    fn start(args: &[&str]) -> Dev {
        let dev = Dev::spawn("dev", args, &[]);
        assert!(
            dev.first.contains("(TLS, client certificates required;"),
            "{}",
            dev.first
        );
        dev
    }

    /// `lhc <command> --listen 127.0.0.1:0 --data-dir DIR <args>` with `env`, once it
    /// listens.
    fn spawn(command: &str, args: &[&str], env: &[(&str, String)]) -> Dev {
        let data = tempfile::tempdir().expect("data");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lhc"))
            .args([command, "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lhc starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("lhc prints where it listens");
        let addr = line
            .split_once("listening on ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        Dev {
            child,
            addr,
            first: line,
            lines: rx,
            _data: data,
        }
    }

    /// The next line of the kernel's log containing `text` (waiting at most 20 s).
    fn line_containing(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no log line with {text:?}; saw {seen:#?}")
    }

    fn port(&self) -> u16 {
        self.addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port")
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn lhc_dev_serves_mtls() {
    let pki = Pki::new();
    let dev = Dev::start(&[
        "--tls-cert",
        &path(&pki.server.cert),
        "--tls-key",
        &path(&pki.server.key),
        "--tls-client-ca",
        &path(&pki.ca.cert),
    ]);
    let env = tls_env(
        dev.port(),
        &[
            ("LHC_CA_CERT", path(&pki.ca.cert)),
            ("LHC_CLIENT_CERT", path(&pki.client.cert)),
            ("LHC_CLIENT_KEY", path(&pki.client.key)),
        ],
    );
    let out = lhc_env(&env, &["deploy", "--with-task-defs", "examples/hello.lhw"]);
    assert_eq!(
        out.ok().stdout,
        "taskdef greet: created\nwfspec hello: created (version 0.0)\n"
    );
    let out = lhc_env(
        &tls_env(dev.port(), &[("LHC_CA_CERT", path(&pki.ca.cert))]),
        &["list", "wfspecs"],
    );
    out.failed();
    assert!(
        out.stderr
            .contains("the server requires a client certificate"),
        "{}",
        out.stderr
    );
}

#[test]
fn lhc_dev_rejects_bad_tls_flags() {
    let pki = Pki::new();
    let out = lhc_env(&[], &["dev", "--tls-cert", &path(&pki.server.cert)]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--tls-key"), "{}", out.stderr);

    let missing = path(&pki.dir.path().join("missing.pem"));
    let out = lhc_env(
        &[],
        &[
            "dev",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &missing,
            "--tls-key",
            &path(&pki.server.key),
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: cannot serve TLS: --tls-cert {missing}: the file does not exist"
        )),
        "{}",
        out.stderr
    );

    // A key that does not belong to the certificate.
    let out = lhc_env(
        &[],
        &[
            "dev",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &path(&pki.server.cert),
            "--tls-key",
            &path(&pki.client.key),
        ],
    );
    out.failed();
    assert!(
        out.stderr.contains(&format!(
            "error: cannot serve TLS: --tls-cert {} and --tls-key {} cannot be used together",
            path(&pki.server.cert),
            path(&pki.client.key)
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn a_task_worker_runs_over_mtls_with_oauth() {
    let pki = Pki::new();
    let (kernel, tokens) = oauth_kernel(&pki, true);
    let env = tls_env(
        kernel.port(),
        &[
            ("LHC_CA_CERT", path(&pki.ca.cert)),
            ("LHC_CLIENT_CERT", path(&pki.client.cert)),
            ("LHC_CLIENT_KEY", path(&pki.client.key)),
            ("LHC_OAUTH_CLIENT_ID", CLIENT_ID.to_string()),
            ("LHC_OAUTH_CLIENT_SECRET", CLIENT_SECRET.to_string()),
            ("LHC_OAUTH_ACCESS_TOKEN_URL", tokens.url.clone()),
        ],
    );
    lhc_env(&env, &["deploy", "examples/hello.lhw"]).ok();

    // The worker is configured from the same keys and connects through the same function.
    let cfg = Config::from_pairs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let worker = Worker::builder(cfg)
        .client_id("tls-worker")
        .task("greet", &["name"], |name: String| async move {
            Ok::<_, TaskError>(format!("Hello, {name}!"))
        })
        .build()
        .expect("a valid worker");
    let worker = kernel
        .rt
        .block_on(worker.start())
        .expect("the worker connects over mTLS with OAuth");
    let out = lhc_env(
        &env,
        &[
            "run",
            "hello",
            "--var",
            "name=Ada",
            "--wait",
            "--timeout",
            "30",
        ],
    );
    out.ok();
    assert!(out.stdout.contains("COMPLETED"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Hello, Ada! (sent to Ada)"),
        "{}",
        out.stdout
    );
    kernel.rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), worker.shutdown())
            .await
            .expect("the worker stops")
    });
    assert_eq!(
        tokens.requests(),
        4,
        "one token per connection: deploy, the worker's registration and poll connections, run"
    );
}

#[test]
fn an_expired_client_certificate_is_named_on_both_sides() {
    let pki = Pki::new();
    let expired = pki.ca.expired_client(pki.dir.path(), "expired");
    let dev = Dev::start(&[
        "--tls-cert",
        &path(&pki.server.cert),
        "--tls-key",
        &path(&pki.server.key),
        "--tls-client-ca",
        &path(&pki.ca.cert),
    ]);
    let env = tls_env(
        dev.port(),
        &[
            ("LHC_CA_CERT", path(&pki.ca.cert)),
            ("LHC_CLIENT_CERT", path(&expired.cert)),
            ("LHC_CLIENT_KEY", path(&expired.key)),
        ],
    );
    let out = lhc_env(&env, &["list", "wfspecs"]);
    out.failed();
    assert!(
        out.stderr.contains("refused our client certificate") && out.stderr.contains("expired"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("the server's certificate"),
        "{}",
        out.stderr
    );
    let logged = dev.line_containing("refused a TLS handshake");
    assert!(
        logged.contains("from 127.0.0.1:")
            && logged.contains("the client's certificate has expired"),
        "{logged}"
    );

    // A certificate from another CA: the kernel says so too.
    let env = tls_env(
        dev.port(),
        &[
            ("LHC_CA_CERT", path(&pki.ca.cert)),
            ("LHC_CLIENT_CERT", path(&pki.stranger.cert)),
            ("LHC_CLIENT_KEY", path(&pki.stranger.key)),
        ],
    );
    lhc_env(&env, &["list", "wfspecs"]).failed();
    let logged = dev.line_containing("refused a TLS handshake");
    assert!(logged.contains("unknown CA"), "{logged}");

    // A client that does not trust the kernel's certificate.
    let env = tls_env(
        dev.port(),
        &[
            ("LHC_CA_CERT", path(&pki.other_ca.cert)),
            ("LHC_CLIENT_CERT", path(&pki.client.cert)),
            ("LHC_CLIENT_KEY", path(&pki.client.key)),
        ],
    );
    lhc_env(&env, &["list", "wfspecs"]).failed();
    let logged = dev.line_containing("refused a TLS handshake");
    assert!(
        logged.contains("does not trust the server's certificate"),
        "{logged}"
    );

    // A PLAINTEXT client on the TLS port.
    let plain = [
        ("LHC_API_HOST", "127.0.0.1".to_string()),
        ("LHC_API_PORT", dev.port().to_string()),
        ("LHC_API_PROTOCOL", "PLAINTEXT".to_string()),
    ];
    lhc_env(&plain, &["list", "wfspecs"]).failed();
    let logged = dev.line_containing("refused a TLS handshake");
    assert!(logged.contains("does not speak TLS"), "{logged}");
}

#[test]
fn lhc_server_requires_oauth_tokens_introspected_at_the_identity_provider() {
    let pki = Pki::new();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let issuer = rt.block_on(TokenServer::start(Duration::from_secs(300)));
    let secret = pki.file("kernel-secret", &format!("{INTROSPECTOR_SECRET}\n"));
    let server = Dev::spawn(
        "server",
        &[
            "--tls-cert",
            &path(&pki.server.cert),
            "--tls-key",
            &path(&pki.server.key),
            "--oauth-introspect-url",
            &issuer.introspect_url(),
            "--oauth-client-secret-file",
            &path(&secret),
        ],
        &[("LHS_OAUTH_CLIENT_ID", INTROSPECTOR_ID.to_string())],
    );
    assert!(
        server.first.contains(&format!(
            "(TLS, OAuth tokens introspected at {})",
            issuer.introspect_url()
        )),
        "{}",
        server.first
    );
    let ca = [("LHC_CA_CERT", path(&pki.ca.cert))];
    let with_token = tls_env(
        server.port(),
        &[
            ("LHC_CA_CERT", path(&pki.ca.cert)),
            ("LHC_OAUTH_CLIENT_ID", CLIENT_ID.to_string()),
            ("LHC_OAUTH_CLIENT_SECRET", CLIENT_SECRET.to_string()),
            ("LHC_OAUTH_ACCESS_TOKEN_URL", issuer.url.clone()),
        ],
    );

    // No token: UNAUTHENTICATED.
    let out = lhc_env(&tls_env(server.port(), &ca), &["list", "wfspecs"]);
    out.failed();
    assert!(out.stderr.contains("UNAUTHENTICATED"), "{}", out.stderr);

    // lhw-test is no stored Principal yet: anonymous, an admin on a fresh kernel. It makes
    // itself a reader of workflows, and is from then on refused what that does not grant.
    let me = lhc_env(&with_token, &["whoami"]);
    assert!(
        me.ok().stdout.starts_with("Principal: anonymous\n"),
        "{}",
        me.stdout
    );
    lhc_env(
        &with_token,
        &["principal", "put", CLIENT_ID, "--acl", "acl_workflow:read"],
    )
    .ok();
    let me = lhc_env(&with_token, &["whoami"]);
    assert!(
        me.ok().stdout.starts_with("Principal: lhw-test\n"),
        "{}",
        me.stdout
    );
    lhc_env(&with_token, &["list", "wfspecs"]).ok();
    let out = lhc_env(
        &with_token,
        &["deploy", "--with-task-defs", "examples/hello.lhw"],
    );
    out.failed();
    assert!(out.stderr.contains("PERMISSION_DENIED"), "{}", out.stderr);
    assert!(issuer.introspections() >= 1, "the kernel introspected");
    drop(server);

    // Half the settings: refused before serving, naming what is missing.
    let out = Command::new(env!("CARGO_BIN_EXE_lhc"))
        .args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--oauth-introspect-url",
        ])
        .arg(issuer.introspect_url())
        .env_remove("LHS_OAUTH_CLIENT_ID")
        .env_remove("LHS_OAUTH_CLIENT_SECRET")
        .output()
        .expect("lhc server");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OAuth is half configured")
            && stderr.contains("the client id and the client secret missing"),
        "{stderr}"
    );
}
