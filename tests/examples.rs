//! Every `examples/*.lhw` and `examples/e2e/*.lhw` compiles without a single diagnostic,
//! and its compiled requests are snapshotted (one snapshot per example, named after the
//! file). The `e2e` examples are also run by the kernel's end-to-end suite
//! (`kernel/tests/e2e/`).

use std::fmt::Write as _;
use std::fs;

#[test]
fn examples_compile_cleanly() {
    let mut seen = 0;
    insta::glob!("../examples", "{*.lhw,e2e/*.lhw}", |path| {
        // Test files (`*.test.lhw`) are run by `lhc test` (tests/test_cmd.rs), not compiled.
        if path.to_string_lossy().ends_with(".test.lhw") {
            return;
        }
        seen += 1;
        let text = fs::read_to_string(path).expect("read example");
        let compiled = lhw_compiler::compile(&text);
        assert!(
            compiled.diagnostics.is_empty(),
            "{} has diagnostics:\n{}",
            path.display(),
            lhw_compiler::diag::render::render_all(
                &compiled.diagnostics,
                &path.display().to_string(),
                &text,
                lhw_compiler::diag::render::RenderOptions::default()
            )
        );
        let output = compiled.output.expect("no errors, so output");
        assert!(
            !output.wf_specs.is_empty(),
            "{} defines no workflow",
            path.display()
        );

        let mut snap = String::new();
        let mut section = |title: String, json: String| {
            let _ = write!(snap, "----- {title}\n{json}\n");
        };
        for m in &output.task_defs {
            section(format!("taskdef-{}", m.name), lhw_proto::to_json_pretty(m));
        }
        for m in &output.external_event_defs {
            section(
                format!("externaleventdef-{}", m.name),
                lhw_proto::to_json_pretty(m),
            );
        }
        for m in &output.workflow_event_defs {
            section(
                format!("workfloweventdef-{}", m.name),
                lhw_proto::to_json_pretty(m),
            );
        }
        for m in &output.struct_defs {
            section(
                format!("structdef-{}", m.name),
                lhw_proto::to_json_pretty(m),
            );
        }
        for m in &output.user_task_defs {
            section(
                format!("usertaskdef-{}", m.name),
                lhw_proto::to_json_pretty(m),
            );
        }
        for m in &output.wf_specs {
            section(format!("{}.wfspec", m.name), lhw_proto::to_json_pretty(m));
        }
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(snap);
        });
    });
    assert!(seen >= 15, "expected at least 15 examples, found {seen}");
}
