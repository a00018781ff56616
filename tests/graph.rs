//! `lhc graph`: from a file (formats, -o, --workflow, errors), from a deployed WfSpec
//! (`--wfspec`), and a WfRun's path (`--wfrun`) against the embedded kernel started
//! in-process on a free port.

use std::time::{Duration, Instant};

mod harness;

use harness::{Kernel, Out, lhc, lhc_env};

const FLOWS: &str = r#"
task greet(name: str) -> str
event go: int

workflow path {
  var r: int
  r = await go
  if r > 5 {
    fail too-big "the number is too big"
  } else {
    greet("small")
  }
}

workflow other {
  greet("x")
}
"#;

fn offline(args: &[&str]) -> Out {
    lhc_env(&[], args)
}

fn flows() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("flows.lhw"), FLOWS).expect("write");
    dir
}

#[test]
fn draws_a_file_as_svg_mermaid_and_dot() {
    let out = offline(&["graph", "examples/order-approval.lhw"]);
    let svg = &out.ok().stdout;
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.contains("<title>1-fetch-order-TASK (line 18)"), "{svg}");
    assert!(svg.contains(">fetch-order(order-id)</text>"), "{svg}");
    assert!(svg.contains(">total &gt; 10000.0</text>"), "{svg}");

    let out = offline(&[
        "graph",
        "examples/order-approval.lhw",
        "--format",
        "mermaid",
    ]);
    let text = &out.ok().stdout;
    assert!(text.starts_with("flowchart TB\n"), "{text}");
    assert!(text.contains("t0n1(\"fetch-order(order-id)\")"), "{text}");

    let out = offline(&["graph", "examples/order-approval.lhw", "--format", "dot"]);
    let text = &out.ok().stdout;
    assert!(text.starts_with("digraph \"order-approval\" {"), "{text}");
    assert!(
        text.contains("tooltip=\"1-fetch-order-TASK (line 18)\""),
        "{text}"
    );
}

#[test]
fn writes_to_a_file_in_the_format_of_its_extension() {
    let dir = tempfile::tempdir().expect("dir");
    let out_path = dir.path().join("flow.mmd");
    let out = offline(&[
        "graph",
        "examples/e2e/parallel-packing.lhw",
        "--workflow",
        "pack-order",
        "-o",
        &out_path.display().to_string(),
    ]);
    out.ok();
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("(mermaid: 17 nodes in 5 threads of `pack-order`)"),
        "{}",
        out.stderr
    );
    let text = std::fs::read_to_string(&out_path).expect("written");
    assert!(text.starts_with("flowchart TB\n"), "{text}");
    assert!(text.contains("-.->|\"catch damaged-item\"|"), "{text}");
    assert!(text.contains("-.->|\"spawn\"|"), "{text}");
}

#[test]
fn several_workflows_need_a_choice_and_typos_get_a_suggestion() {
    let dir = flows();
    let file = dir.path().join("flows.lhw").display().to_string();
    let out = offline(&["graph", &file]);
    out.failed();
    assert!(
        out.stderr.contains("declares 2 workflows: path, other"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--workflow path"), "{}", out.stderr);
    assert_eq!(out.stdout, "");

    let out = offline(&["graph", &file, "--workflow", "pth"]);
    out.failed();
    assert!(
        out.stderr.contains("declares no workflow `pth`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `path`?"),
        "{}",
        out.stderr
    );

    let out = offline(&["graph", &file, "--workflow", "other", "--format", "mermaid"]);
    assert!(
        out.ok().stdout.contains("greet(#quot;x#quot;)"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_with_errors_shows_its_diagnostics() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("bad.lhw");
    std::fs::write(&file, "workflow w {\n  cuont += 1\n}\n").expect("write");
    let out = offline(&["graph", &file.display().to_string()]);
    out.failed();
    assert!(out.stderr.contains("E0101"), "{}", out.stderr);
    assert_eq!(out.stdout, "");

    let out = offline(&["graph", "no/such/file.lhw"]);
    out.failed();
    assert!(
        out.stderr.contains("cannot read no/such/file.lhw"),
        "{}",
        out.stderr
    );

    let out = offline(&["graph"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
}

/// Polls `lhc graph --wfrun` until `done` accepts the SVG, for at most 15 s.
fn run_svg(k: &Kernel, id: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let out = lhc(k, &["graph", "--wfrun", id]);
        if out.code == Some(0) && done(&out.stdout) {
            return out.stdout;
        }
        assert!(
            Instant::now() < deadline,
            "lhc graph --wfrun {id} never got there:\n{}\n{}",
            out.stdout,
            out.stderr
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The class attribute of the node group named `node`.
fn node_class(svg: &str, node: &str) -> String {
    let at = svg
        .find(&format!("data-node=\"{node}\""))
        .unwrap_or_else(|| panic!("no node {node} in\n{svg}"));
    let start = svg[..at].rfind("<g class=\"").expect("node group") + "<g class=\"".len();
    let end = start + svg[start..].find('"').expect("class end");
    svg[start..end].to_string()
}

#[test]
fn draws_deployed_wf_specs_and_the_path_of_runs() {
    let k = Kernel::start();
    let dir = flows();
    lhc(
        &k,
        &[
            "deploy",
            &dir.path().join("flows.lhw").display().to_string(),
        ],
    )
    .ok();

    // The deployed WfSpec draws like the file.
    let from_server = lhc(&k, &["graph", "--wfspec", "path", "--format", "mermaid"]);
    let from_file = offline(&[
        "graph",
        &dir.path().join("flows.lhw").display().to_string(),
        "-w",
        "path",
        "--format",
        "mermaid",
    ]);
    assert_eq!(from_server.ok().stdout, from_file.ok().stdout);
    lhc(&k, &["graph", "--wfspec", "path@0.0", "--format", "dot"]).ok();
    let out = lhc(&k, &["graph", "--wfspec", "path@7.0"]);
    out.failed();
    assert!(
        out.stderr
            .contains("no version 7.0 of WfSpec `path` on 127.0.0.1:")
            && out.stderr.contains("(its versions: 0.0)"),
        "{}",
        out.stderr
    );
    let out = lhc(&k, &["graph", "--wfspec", "nope"]);
    out.failed();
    assert!(out.stderr.contains("no WfSpec `nope` on"), "{}", out.stderr);
    let out = lhc(&k, &["graph", "--wfspec", "path@1"]);
    out.failed();
    assert!(out.stderr.contains("NAME@MAJOR.REVISION"), "{}", out.stderr);

    // Waiting for the event: the entrypoint completed, the wait running, the rest not reached.
    lhc(&k, &["run", "path", "--id", "waiting"]).ok();
    let svg = run_svg(&k, "waiting", |svg| svg.contains("state-running"));
    assert!(
        node_class(&svg, "0-entrypoint-ENTRYPOINT").ends_with("state-completed"),
        "{svg}"
    );
    assert!(
        node_class(&svg, "1-go-EXTERNAL_EVENT").ends_with("state-running"),
        "{svg}"
    );
    assert!(
        node_class(&svg, "3-too-big-EXIT").ends_with("state-not-reached"),
        "{svg}"
    );
    assert!(svg.contains("class=\"legend state-failed\""), "{svg}");

    // A big number fails the run at the `fail` exit.
    lhc(&k, &["run", "path", "--id", "big"]).ok();
    let svg = run_svg(&k, "big", |svg| svg.contains("state-running"));
    assert!(svg.contains("state-running"), "{svg}");
    lhc(&k, &["event", "post", "big", "go", "--content", "9"]).ok();
    let svg = run_svg(&k, "big", |svg| {
        node_class(svg, "3-too-big-EXIT").ends_with("state-failed")
    });
    assert!(
        node_class(&svg, "1-go-EXTERNAL_EVENT").ends_with("state-completed"),
        "{svg}"
    );
    assert!(
        node_class(&svg, "5-greet-TASK").ends_with("state-not-reached"),
        "{svg}"
    );
    assert!(svg.contains("class=\"edge taken\""), "{svg}");

    let out = lhc(&k, &["graph", "--wfrun", "no-such-run"]);
    out.failed();
    assert!(
        out.stderr.contains("WfRun `no-such-run` not found"),
        "{}",
        out.stderr
    );
}
