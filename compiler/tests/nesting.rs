//! Requests stay within the 100 levels of message nesting that protobuf decoders accept
//! (LittleHorse's Java server and prost both stop there): an expression as tall as the
//! checker allows (`MAX_LH_HEIGHT`, 40 levels, counting the call or string around it)
//! decodes in the deepest places an expression stands, and a taller one is refused by the
//! checker (E0320) before anything is deployed.

use lhw_compiler::diag::Code;
use prost::Message;

/// A left-nested chain of `terms` operands, as sdk-java builds `a.add(a).add(a)...`.
fn chain(terms: usize) -> String {
    vec!["a"; terms].join(" + ")
}

/// Programs that put an expression of `terms` operands in the deepest places: a mutation
/// on an edge, a task argument, a condition, a reminder task of a user task, a format
/// string, a child thread's input.
fn programs(terms: usize) -> Vec<String> {
    let e = chain(terms);
    vec![
        format!("workflow w {{\n  input a: int\n  var x: int = 0\n  x = {e}\n}}\n"),
        format!("task t(n: int)\nworkflow w {{\n  input a: int\n  t({e})\n}}\n"),
        format!("task t(n: int)\nworkflow w {{\n  input a: int\n  if {e} > 0 {{ t(1) }}\n}}\n"),
        format!(
            "task t(n: int)\nuser-task form {{ ok: bool }}\nworkflow w {{\n  input a: int\n  let r = ask form to user \"u\" remind t({e}) after 1h\n}}\n"
        ),
        format!("task t(s: str)\nworkflow w {{\n  input a: int\n  t(\"{{{e}}}\")\n}}\n"),
        format!(
            "task t(n: int)\nworkflow w {{\n  input a: int\n  let c = spawn child(n: {e}) {{\n    input n: int\n    t(n)\n  }}\n  wait first of c\n}}\n"
        ),
    ]
}

#[test]
fn the_tallest_allowed_expression_decodes_everywhere() {
    for text in programs(38) {
        let compiled = lhw_compiler::compile(&text);
        let out = compiled
            .output
            .unwrap_or_else(|| panic!("{text}\n{:#?}", compiled.diagnostics));
        for spec in &out.wf_specs {
            let bytes = spec.encode_to_vec();
            let decoded = lhw_proto::littlehorse::PutWfSpecRequest::decode(bytes.as_slice());
            assert!(decoded.is_ok(), "{text}: {decoded:?}");
        }
    }
}

#[test]
fn a_taller_expression_is_refused_by_the_checker() {
    for terms in [41, 48, 60] {
        for text in programs(terms) {
            let diags = lhw_compiler::check(&text);
            assert!(
                diags.iter().any(|d| d.code == Code::E0320),
                "{terms} terms: {text}\n{diags:#?}"
            );
        }
    }
}

/// Lowered anyway, 48 terms (the case) do not decode: the limit is real.
#[test]
fn forty_eight_terms_exceed_the_decoders_limit() {
    let text = format!(
        "workflow w {{\n  input a: int\n  var x: int = 0\n  x = {}\n}}\n",
        chain(48)
    );
    let (file, _) = lhw_compiler::syntax::parse(&text);
    let (model, diags) = lhw_compiler::check::check(&file);
    assert!(diags.iter().all(|d| d.code == Code::E0320), "{diags:#?}");
    let (out, _) = lhw_compiler::lower::lower(&file, &model);
    let bytes = out.wf_specs[0].encode_to_vec();
    let decoded = lhw_proto::littlehorse::PutWfSpecRequest::decode(bytes.as_slice());
    assert!(decoded.is_err(), "48 terms decoded");
}
