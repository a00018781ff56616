//! `lhc diff` and `lhc decompile` against the embedded kernel started in-process on a free
//! port: the verdict `lhc diff` predicts (revision, major version, refusal) is the one the
//! server gives when the file is deployed, and a deployed WfSpec decompiles to a text that
//! compiles back to it.

mod harness;

use harness::{Kernel, deploy_fixture as fixture, lhc, lhc_env, repo};

#[test]
fn diff_predicts_the_servers_verdict() {
    let k = Kernel::start();
    lhc(&k, &["deploy", &fixture("double.lhw")]).ok();

    // A new private variable: a new revision, as the server then says.
    let v2 = fixture("double-v2.lhw");
    let out = lhc(&k, &["diff", "--wfspec", "double", &v2]);
    out.ok();
    assert!(
        out.stdout.contains("+ thread entrypoint: var note"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("+   var note: str = \"v2\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("verdict: new revision (version 0.1)"),
        "{}",
        out.stdout
    );
    let deployed = lhc(&k, &["deploy", &v2]);
    assert_eq!(
        deployed.ok().stdout,
        "wfspec double: new revision (version 0.1)\n"
    );

    // A variable made public: a new major version; the running WfRuns stay on 0.
    lhc(&k, &["run", "double", "--var", "n=2"]).ok();
    let public = fixture("double-public.lhw");
    let out = lhc(
        &k,
        &["diff", "--wfspec", "double", &public, "--format", "json"],
    );
    out.ok();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(report["kind"], "major", "{report}");
    assert!(
        report["verdict"]
            .as_str()
            .is_some_and(|v| v.starts_with("new major version (version 1.0)")),
        "{report}"
    );
    assert!(
        report["running"]
            .as_str()
            .is_some_and(|r| r.contains("on major version 0 would stay on it")),
        "{report}"
    );
    // ... and it names the command that moves them.
    assert!(
        report["running"]
            .as_str()
            .is_some_and(|r| r.contains("`lhc migrate double --from 0.1 --same-names")),
        "{report}"
    );
    let deployed = lhc(&k, &["deploy", &public]);
    assert_eq!(
        deployed.ok().stdout,
        "wfspec double: new major version (version 1.0)\n"
    );

    // The required input retyped: refused (its type is frozen), and the server refuses it.
    let retyped = fixture("double-retyped.lhw");
    let out = lhc(&k, &["diff", "--wfspec", "double", &retyped]);
    assert_eq!(out.code, Some(2), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("verdict: refused: variable `n` must keep its type"),
        "{}",
        out.stdout
    );
    lhc(&k, &["deploy", &retyped]).failed();
    let dry = lhc(&k, &["deploy", "--dry-run", &retyped]);
    dry.failed();

    // A breaking change under `updates minor`: refused, by the server too.
    let minor = fixture("double-minor.lhw");
    let out = lhc(&k, &["diff", "--wfspec", "double", &minor]);
    assert_eq!(out.code, Some(2), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("allows minor revisions only"),
        "{}",
        out.stdout
    );
    lhc(&k, &["deploy", &minor]).failed();

    // Files on both sides need no server.
    let out = lhc(&k, &["diff", &fixture("double.lhw"), &public]);
    out.ok();
    assert!(
        out.stdout
            .contains("verdict: new major version (version 1.0)"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_deployed_wfspec_decompiles_to_text_that_compiles_back() {
    let k = Kernel::start();
    lhc(&k, &["deploy", "examples/order-approval.lhw"]).ok();
    let out = lhc(&k, &["decompile", "--wfspec", "order-approval", "--strict"]);
    out.ok();
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("task request-manager-approval(order-id: str, total: double) -> bool"),
        "{}",
        out.stdout
    );
    let compiled = lhw_compiler::compile(&out.stdout);
    let output = compiled.output.expect("the decompiled text compiles");
    let source =
        std::fs::read_to_string(repo().join("examples/order-approval.lhw")).expect("example");
    let mut original = lhw_compiler::compile(&source)
        .output
        .expect("the example compiles");
    // The server stores LittleHorse's default task timeout (60 s) where none is set, and
    // the decompiled text keeps what the server stores.
    for wf in &mut original.wf_specs {
        for t in wf.thread_specs.values_mut() {
            for n in t.nodes.values_mut() {
                if let Some(lhw_proto::littlehorse::node::Node::Task(task)) = &mut n.node
                    && task.timeout_seconds == 0
                {
                    task.timeout_seconds = 60;
                }
            }
        }
    }
    assert_eq!(output.wf_specs, original.wf_specs);

    // `lhc get wfspec NAME MAJOR.REVISION --lhw` prints the same text for that version.
    let got = lhc(&k, &["get", "wfspec", "order-approval", "0.0", "--lhw"]);
    got.ok();
    assert_eq!(got.stdout, out.stdout);
}

#[test]
fn decompile_reads_json_and_binary_files_with_their_metadata() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example = repo().join("examples/e2e/expense-approval.lhw");
    let source = std::fs::read_to_string(&example).expect("example");
    let original = lhw_compiler::compile(&source)
        .output
        .expect("the example compiles");
    for format in ["json", "binary"] {
        let out_dir = dir.path().join(format);
        let out_dir = out_dir.display().to_string();
        let example = example.display().to_string();
        lhc_env(
            &[],
            &["compile", &example, "-o", &out_dir, "--format", format],
        )
        .ok();
        let ext = if format == "json" { "json" } else { "pb" };
        let spec = format!("{out_dir}/expense-approval.wfspec.{ext}");
        let out = lhc_env(
            &[],
            &["decompile", &spec, "--taskdefs", &out_dir, "--strict"],
        );
        out.ok();
        assert!(out.stderr.is_empty(), "{format}: {}", out.stderr);
        let back = lhw_compiler::compile(&out.stdout)
            .output
            .expect("the text compiles");
        let want = original
            .wf_specs
            .iter()
            .find(|w| w.name == "expense-approval");
        assert_eq!(back.wf_specs.first(), want, "{format}");
        assert!(
            lhw_compiler::format::is_formatted(&out.stdout),
            "{format}: the text is not in `lhc fmt` layout"
        );

        // Without the metadata the form cannot be guessed: reported, and --strict fails.
        let out = lhc_env(&[], &["decompile", &spec, "--strict"]);
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert!(out.stderr.contains("W0031"), "{}", out.stderr);
    }

    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"name\": 3}").expect("write");
    let out = lhc_env(&[], &["decompile", &junk.display().to_string()]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("is not a PutWfSpecRequest or WfSpec"),
        "{}",
        out.stderr
    );
}
