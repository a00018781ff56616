//! The Java SDK as a second oracle: `tests/java/oracle/` builds examples of `examples/` with
//! the official LittleHorse Java SDK (`io.littlehorse:littlehorse-client`, Maven Central) and
//! prints each PutWfSpecRequest as JSON; this test compiles the same examples with the
//! compiler and compares them message for message.
//!
//! Needs `mvn` and a JDK 17+ (`scripts/setup-java.sh` installs them; Maven caches in
//! `~/.m2`). Run with `cargo test -p lhc --test java_oracle -- --nocapture` to see one line
//! per example.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use lhw_proto::littlehorse::PutWfSpecRequest;

mod common;

use common::repo_root;

/// The examples written in Java so far (`Oracle.java`), by the `.lhw` file they mirror.
const WRITTEN: &[(&str, &str)] = &[
    ("hello", "examples/hello.lhw"),
    ("retry-loop", "examples/retry-loop.lhw"),
    ("order-approval", "examples/order-approval.lhw"),
    ("inventory", "examples/inventory.lhw"),
    ("purchase-approval", "examples/purchase-approval.lhw"),
    ("expense-approval", "examples/e2e/expense-approval.lhw"),
    ("urgent-expense", "examples/e2e/expense-approval.lhw"),
    (
        "route-notification",
        "examples/e2e/notification-routing.lhw",
    ),
    ("charge-with-retries", "examples/e2e/payment-retries.lhw"),
    ("hold-with-timeout", "examples/e2e/payment-retries.lhw"),
    ("scheduled-delivery", "examples/e2e/delivery-schedule.lhw"),
    ("order-payment", "examples/e2e/order-payment.lhw"),
    ("approval-quorum", "examples/e2e/approval-quorum.lhw"),
    ("order-billing", "examples/e2e/order-billing.lhw"),
    ("invoice", "examples/e2e/order-billing.lhw"),
    ("reserve-line", "examples/e2e/stock-reservation.lhw"),
    ("reserve-strict", "examples/e2e/stock-reservation.lhw"),
    ("pack-order", "examples/e2e/parallel-packing.lhw"),
    ("pack-strict", "examples/e2e/parallel-packing.lhw"),
    ("order-fulfilment", "examples/e2e/order-shipment.lhw"),
];

/// Examples sdk-java 1.2.1 refuses to build, with the start of its message (docs/decompile.md).
const SDK_REFUSES: &[(&str, &str)] = &[
    (
        // `while state == "pending" && attempts < max-attempts`: sdk-java cannot negate an
        // AND for the loop's exit edge; lhc applies De Morgan.
        "retry-loop",
        "Cannot reverse non-comparator expression",
    ),
    (
        // `if ok { } else { }` on a task's bool output: sdk-java's doIfElse casts the
        // condition to an expression it can reverse and fails on a task output.
        "inventory",
        "class io.littlehorse.sdk.wfsdk.internal.TaskNodeOutputImpl cannot be cast",
    ),
];

fn run(cmd: &mut Command, what: &str) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}; run `bash scripts/setup-java.sh`"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn java_reference(project: &Path) -> BTreeMap<String, serde_json::Value> {
    run(
        Command::new("mvn")
            .args(["-q", "-B", "compile", "dependency:build-classpath"])
            .arg("-Dmdep.outputFile=target/cp.txt")
            .current_dir(project),
        "mvn compile (tests/java/oracle)",
    );
    let cp = std::fs::read_to_string(project.join("target/cp.txt")).expect("the classpath file");
    let stdout = run(
        Command::new("java")
            .arg("-cp")
            .arg(format!("target/classes:{}", cp.trim()))
            .arg("lhw.oracle.Oracle")
            .current_dir(project),
        "java lhw.oracle.Oracle",
    );
    serde_json::from_slice(&stdout).expect("the oracle prints one JSON object")
}

#[test]
fn java_sdk_builds_what_lhc_compiles() {
    let root = repo_root();
    let reference = java_reference(&root.join("tests/java/oracle"));
    let names: Vec<&String> = reference.keys().collect();
    let mut written: Vec<&str> = WRITTEN.iter().map(|(n, _)| *n).collect();
    written.sort_unstable();
    assert_eq!(
        names, written,
        "Oracle.java builds exactly the listed examples"
    );

    let mut failures = Vec::new();
    for (name, file) in WRITTEN {
        let json = &reference[*name];
        if let Some(err) = json.get("sdkError") {
            let known = SDK_REFUSES
                .iter()
                .any(|(n, m)| n == name && err.as_str().is_some_and(|e| e.starts_with(m)));
            println!("SDK REFUSES {name}: {err}");
            if !known {
                failures.push(format!("{name}: sdk-java refuses it: {err}"));
            }
            continue;
        }
        let java: PutWfSpecRequest = lhw_proto::from_json(&json.to_string())
            .unwrap_or_else(|e| panic!("{name}: the Java request does not decode: {e}"));
        let text = std::fs::read_to_string(root.join(file)).expect("example");
        let output = lhw_compiler::compile(&text)
            .output
            .expect("the example compiles");
        let ours = output.wf_specs.iter().find(|w| w.name == *name);
        // The decompiler's round trip on the Java SDK's WfSpec (with the example's metadata).
        let decls = lhw_compiler::decompile::Declarations {
            task_defs: output.task_defs.clone(),
            external_event_defs: output.external_event_defs.clone(),
            workflow_event_defs: output.workflow_event_defs.clone(),
            user_task_defs: output.user_task_defs.clone(),
            struct_defs: output.struct_defs.clone(),
        };
        // With the other workflows of the file (a child it runs, a parent), as compiled.
        let mut family: Vec<PutWfSpecRequest> = vec![java.clone()];
        family.extend(output.wf_specs.iter().filter(|w| w.name != *name).cloned());
        let decompiled = lhw_compiler::decompile::decompile(&family, &decls);
        if !decompiled.is_exact() {
            failures.push(format!(
                "{name}: the sdk-java WfSpec does not decompile exactly: {:?}",
                decompiled
                    .diagnostics
                    .iter()
                    .map(|d| &d.message)
                    .collect::<Vec<_>>()
            ));
        }
        if ours == Some(&java) {
            println!("PASS {name} (and its decompiled text compiles back to it)");
        } else {
            println!("FAIL {name}");
            failures.push(format!(
                "{name}: lhc and sdk-java differ\n--- sdk-java\n{}\n--- lhc\n{}",
                lhw_proto::to_json_pretty(&java),
                ours.map(lhw_proto::to_json_pretty).unwrap_or_default()
            ));
        }
    }
    for (name, _) in SDK_REFUSES {
        assert!(
            reference[*name].get("sdkError").is_some(),
            "{name} is listed as refused by sdk-java but now builds: compare it"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
