//! Masked values never leave (ARCHITECTURE invariant 'masked values never leave'): a workflow
//! with a masked input, a masked task parameter and a masked task output runs on `lhc server`
//! (a process, so its whole log is read); the secrets go in through `--var NAME=@-` and
//! `--var-file`, and every output is searched for them: `lhc run --wait`, `lhc get` tables and
//! JSON, the raw API responses (which must carry LittleHorse's mask string `*****`), error
//! messages about bad secret inputs, and the kernel's log. The task worker must still receive
//! the real value. The data directory and database files must be owner-only.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod harness;

use harness::{Out, lhc_env, repo};
use lhw_proto::littlehorse::{
    ListNodeRunsRequest, ListTaskRunsRequest, ListVariablesRequest, VariableValue, WfRunId,
    node_run, task_attempt, variable_value::Value,
};
use lhw_runtime_client::worker::{TaskError, Worker};

const SECRET: &str = "S3cr3t-Value-4242";
const SESSION: &str = "Sess10n-Token-7777";
const MASK: &str = "*****";

const FLOWS: &str = r#"
task login(user: str, password: str masked) -> str
task greet(user: str) -> str
workflow sign-in {
  input user: str required
  input password: str required masked
  input pin: int masked
  var session: str masked
  var hello: str
  session = login(user, password)
  hello = greet(user)
}
"#;

/// `lhc server` as a process, its stderr collected line by line.
struct Server {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(data_dir: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lhc"))
            .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .current_dir(repo())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lhc server starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn port(&mut self) -> u16 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no listening line; saw {:#?}", self.seen));
            self.seen.push(line.clone());
            if let Some(rest) = line.split("listening on ").nth(1) {
                let addr = rest.split([',', ' ']).next().unwrap_or_default();
                return addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| panic!("no port in {line:?}"));
            }
        }
    }

    /// Stops it (SIGTERM, at most 30 s) and returns every line it logged.
    fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().ok().flatten().is_none() {
            assert!(Instant::now() < deadline, "lhc server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
        let rest: Vec<String> = self.lines.try_iter().collect();
        self.seen.extend(rest);
        std::mem::take(&mut self.seen)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("LHC_API_HOST", "127.0.0.1".to_string()),
        ("LHC_API_PORT", port.to_string()),
    ]
}

/// Runs lhc with `stdin` as its standard input (bounded like the harness's runs).
fn lhc_stdin(port: u16, args: &[&str], stdin: &str) -> Out {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lhc"));
    cmd.args(args)
        .current_dir(repo())
        .env("HOME", home.path())
        .env("LHC_NO_AUTOSTART", "1")
        .env("LHC_API_HOST", "127.0.0.1")
        .env("LHC_API_PORT", port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("lhc runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("lhc {args:?} did not finish"))
        .expect("lhc runs");
    Out {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn no_secret(what: &str, text: &str) {
    for s in [SECRET, SESSION] {
        assert!(!text.contains(s), "{what} shows the secret {s}:\n{text}");
    }
}

fn no_secret_in(what: &str, out: &Out) {
    no_secret(&format!("{what} (stdout)"), &out.stdout);
    no_secret(&format!("{what} (stderr)"), &out.stderr);
}

fn str_of(v: Option<&VariableValue>) -> Option<&str> {
    match v.and_then(|v| v.value.as_ref()) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

#[test]
fn a_masked_run_never_shows_its_secrets() {
    let data = tempfile::tempdir().expect("data");
    let data_dir = data.path().join("kernel-data");
    let mut server = Server::start(&data_dir);
    let port = server.port();
    let dir = tempfile::tempdir().expect("dir");
    let flows = dir.path().join("flows.lhw");
    std::fs::write(&flows, FLOWS).expect("write");
    // The language has no masked return type yet: the TaskDef `login` gets one through the
    // API before `lhc deploy` (which keeps an existing TaskDef).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut login = lhw_compiler::compile(FLOWS)
            .output
            .expect("compiles")
            .task_defs
            .into_iter()
            .find(|t| t.name == "login")
            .expect("login");
        if let Some(t) = login
            .return_type
            .as_mut()
            .and_then(|r| r.return_type.as_mut())
        {
            t.masked = true;
        }
        let c = lhw_runtime_client::LhClient::connect(&lhw_runtime_client::Config::from_pairs([
            ("LHC_API_HOST", "127.0.0.1"),
            ("LHC_API_PORT", port.to_string().as_str()),
        ]))
        .await
        .expect("connect");
        c.raw().put_task_def(login).await.expect("put login");
    });
    let deploy = lhc_env(&env(port), &["deploy", &flows.display().to_string()]);
    deploy.ok();

    // The worker receives the real values.
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let got = received.clone();
    let cfg = lhw_runtime_client::Config::from_pairs([
        ("LHC_API_HOST", "127.0.0.1"),
        ("LHC_API_PORT", port.to_string().as_str()),
    ]);
    let worker = Worker::builder(cfg)
        .client_id("masked-test-worker")
        .raw_task("login", move |task, _ctx| {
            let password = str_of(task.variables.get(1).and_then(|v| v.value.as_ref()))
                .unwrap_or_default()
                .to_string();
            got.lock().expect("lock").push(password);
            async move {
                Ok::<_, TaskError>(VariableValue {
                    value: Some(Value::Str(SESSION.to_string())),
                })
            }
        })
        .raw_task("greet", |_task, _ctx| async move {
            Ok::<_, TaskError>(VariableValue {
                value: Some(Value::Str("hi".to_string())),
            })
        })
        .build()
        .expect("a valid worker");
    let worker = rt.block_on(worker.start()).expect("worker starts");

    // The password comes from standard input and the run is followed to its end.
    let run = lhc_stdin(
        port,
        &[
            "run",
            "sign-in",
            "--id",
            "m1",
            "--var",
            "user=ann",
            "--var",
            "password=@-",
            "--wait",
            "--timeout",
            "30",
        ],
        &format!("{SECRET}\n"),
    );
    run.ok();
    assert!(run.stdout.contains("COMPLETED"), "{}", run.stdout);
    no_secret_in("lhc run --wait", &run);
    assert_eq!(
        received.lock().expect("lock").as_slice(),
        [SECRET.to_string()],
        "the worker gets the real password (without the newline)"
    );

    // Every `lhc get`, as a table and as JSON.
    let guids: Vec<String> = {
        let out = lhc_env(&env(port), &["get", "nodes", "m1", "--format", "json"]);
        no_secret_in("lhc get nodes --format json", &out);
        let nodes: serde_json::Value = serde_json::from_str(&out.ok().stdout).expect("json");
        nodes
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|n| n["task"]["taskRunId"]["taskGuid"].as_str())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(guids.len(), 2, "two tasks ran");
    let mut views: Vec<Vec<String>> = vec![
        vec!["get".into(), "wfrun".into(), "m1".into()],
        vec!["get".into(), "nodes".into(), "m1".into()],
        vec!["get".into(), "variables".into(), "m1".into()],
    ];
    for g in &guids {
        views.push(vec!["get".into(), "taskrun".into(), "m1".into(), g.clone()]);
    }
    for view in views {
        for json in [false, true] {
            let mut args: Vec<&str> = view.iter().map(String::as_str).collect();
            if json {
                args.extend(["--format", "json"]);
            }
            let out = lhc_env(&env(port), &args);
            out.ok();
            no_secret_in(&format!("lhc {}", args.join(" ")), &out);
        }
    }

    // The raw API: the mask string in place of every masked value, the rest as it is.
    let (vars, tasks, nodes) = rt.block_on(async {
        let c = lhw_runtime_client::LhClient::connect(&lhw_runtime_client::Config::from_pairs([
            ("LHC_API_HOST", "127.0.0.1"),
            ("LHC_API_PORT", port.to_string().as_str()),
        ]))
        .await
        .expect("connect");
        let mut raw = c.raw();
        let id = || {
            Some(WfRunId {
                id: "m1".into(),
                parent_wf_run_id: None,
            })
        };
        let vars = raw
            .list_variables(ListVariablesRequest {
                wf_run_id: id(),
                ..Default::default()
            })
            .await
            .expect("ListVariables")
            .into_inner();
        let tasks = raw
            .list_task_runs(ListTaskRunsRequest {
                wf_run_id: id(),
                ..Default::default()
            })
            .await
            .expect("ListTaskRuns")
            .into_inner();
        let nodes = raw
            .list_node_runs(ListNodeRunsRequest {
                wf_run_id: id(),
                ..Default::default()
            })
            .await
            .expect("ListNodeRuns")
            .into_inner();
        (vars, tasks, nodes)
    });
    no_secret("ListVariables", &format!("{vars:?}"));
    no_secret("ListTaskRuns", &format!("{tasks:?}"));
    no_secret("ListNodeRuns", &format!("{nodes:?}"));
    let value = |name: &str| {
        let v = vars
            .results
            .iter()
            .find(|v| v.id.as_ref().is_some_and(|i| i.name == name))
            .unwrap_or_else(|| panic!("no variable {name}"));
        (str_of(v.value.as_ref()).map(str::to_string), v.masked)
    };
    assert_eq!(value("password"), (Some(MASK.to_string()), true));
    assert_eq!(value("session"), (Some(MASK.to_string()), true));
    assert_eq!(value("user"), (Some("ann".to_string()), false));
    assert_eq!(value("hello"), (Some("hi".to_string()), false));
    let login = tasks
        .results
        .iter()
        .find(|t| t.task_def_id.as_ref().is_some_and(|d| d.name == "login"))
        .expect("login TaskRun");
    assert_eq!(str_of(login.input_variables[0].value.as_ref()), Some("ann"));
    assert_eq!(str_of(login.input_variables[1].value.as_ref()), Some(MASK));
    assert!(login.input_variables[1].masked);
    let attempt = &login.attempts[0];
    assert!(
        attempt.masked_value,
        "a masked return type masks the output"
    );
    match &attempt.result {
        Some(task_attempt::Result::Output(v)) => assert_eq!(str_of(Some(v)), Some(MASK)),
        other => panic!("no output: {other:?}"),
    }
    assert!(
        nodes
            .results
            .iter()
            .any(|n| matches!(n.node_type, Some(node_run::NodeType::Task(_)))),
        "{nodes:?}"
    );

    // Bad secret inputs: the messages never repeat the value.
    let secrets = dir.path().join("secrets.env");
    std::fs::write(
        &secrets,
        format!("# secrets\nuser=bob\npassword={SECRET}\npin={SECRET}\n"),
    )
    .expect("write");
    let bad = lhc_env(
        &env(port),
        &[
            "run",
            "sign-in",
            "--var-file",
            &secrets.display().to_string(),
        ],
    );
    bad.failed();
    assert!(bad.stderr.contains("--var pin: "), "{}", bad.stderr);
    no_secret_in("lhc run with a bad masked int", &bad);
    let unknown = lhc_stdin(
        port,
        &["run", "sign-in", "--var", "user=x", "--var", "passwd=@-"],
        SECRET,
    );
    unknown.failed();
    assert!(
        unknown.stderr.contains("no variable `passwd`"),
        "{}",
        unknown.stderr
    );
    no_secret_in("lhc run with an unknown variable from stdin", &unknown);
    // A good --var-file run starts.
    std::fs::write(&secrets, format!("user=bob\npassword={SECRET}\n")).expect("write");
    let good = lhc_env(
        &env(port),
        &[
            "run",
            "sign-in",
            "--id",
            "m2",
            "--var-file",
            &secrets.display().to_string(),
            "--wait",
            "--timeout",
            "30",
        ],
    );
    good.ok();
    no_secret_in("lhc run --var-file", &good);

    // `lhc whoami`: an unauthenticated client is the anonymous Principal, an admin.
    let me = lhc_env(&env(port), &["whoami"]);
    me.ok();
    assert!(
        me.stdout.starts_with("Principal: anonymous\n"),
        "{}",
        me.stdout
    );
    assert!(
        me.stdout.contains("ACL_ALL_RESOURCES  ALL_ACTIONS"),
        "{}",
        me.stdout
    );
    let me = lhc_env(&env(port), &["whoami", "--format", "json"]);
    let me: serde_json::Value = serde_json::from_str(&me.ok().stdout).expect("json");
    assert_eq!(me["id"]["id"], "anonymous");

    rt.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(10), worker.shutdown()).await;
    });
    let log = server.stop();
    assert!(!log.is_empty());
    no_secret("the kernel log", &log.join("\n"));

    // The data directory and the database files are owner-only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&data_dir), 0o700);
        for entry in std::fs::read_dir(&data_dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.starts_with("kernel.db") {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
    }
}
