//! `lhw_proto`'s own pretty-JSON writer (`proto/src/pretty.rs`) writes, byte for byte, what
//! `serde_json::to_string_pretty` writes, for every request the compiler makes of every
//! `.lhw` file of the repository, whole and streamed in chunks (ARCHITECTURE.md invariant 33).

use std::path::Path;

#[path = "support/lhw_files.rs"]
mod support;

/// The fast writer, whole and streamed, against serde_json for one message.
fn same<T: serde::Serialize>(msg: &T, what: &str) -> usize {
    let expected = serde_json::to_string_pretty(msg).expect("serde_json encodes it");
    let fast = lhw_proto::try_to_json_pretty(msg).expect("the fast writer encodes it");
    assert!(
        fast == expected,
        "{what}: the fast writer differs from serde_json"
    );
    let mut streamed = Vec::new();
    lhw_proto::write_json_pretty(&mut streamed, msg).expect("written");
    assert!(
        streamed == expected.as_bytes(),
        "{what}: the streamed writer differs from serde_json"
    );
    1
}

#[test]
fn every_request_of_every_file_is_written_as_serde_json_writes_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    support::lhw_files(&root, &mut files);
    files.sort();
    let mut messages = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(out) = lhw_compiler::compile(&text).output else {
            continue;
        };
        let what = path.display().to_string();
        for m in &out.task_defs {
            messages += same(m, &what);
        }
        for m in &out.external_event_defs {
            messages += same(m, &what);
        }
        for m in &out.workflow_event_defs {
            messages += same(m, &what);
        }
        for m in &out.struct_defs {
            messages += same(m, &what);
        }
        for m in &out.user_task_defs {
            messages += same(m, &what);
        }
        for m in &out.wf_specs {
            messages += same(m, &what);
        }
    }
    println!("{messages} requests of {} files compared", files.len());
    assert!(messages > 200, "only {messages} requests compared");
}

/// A WfSpec far larger than one 64 KiB chunk, streamed, is the whole document.
#[test]
fn a_large_wfspec_streams_in_chunks_identically() {
    let mut text = String::from("workflow big {\n  var n: int = 0\n  var s: str = \"a\\\"b\"\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "  n = n + {i}\n  s = \"line \\\\ {i} \\u{{e9}} \\t\"\n"
        ));
    }
    text.push_str("}\n");
    let compiled = lhw_compiler::compile(&text);
    let out = compiled
        .output
        .unwrap_or_else(|| panic!("it compiles: {:?}", compiled.diagnostics.first()));
    let spec = out.wf_specs.first().expect("one WfSpec");
    let whole = serde_json::to_vec_pretty(spec).expect("encodes");
    assert!(whole.len() > 4 * 64 * 1024, "{} bytes", whole.len());
    same(spec, "generated");
}
