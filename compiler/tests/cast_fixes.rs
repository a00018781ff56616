//! The fix of "convert it explicitly: `... as T`" (E0202 task arguments, E0203
//! assignments) converts the whole value: an operator's result is put in parentheses
//! first, as `as` binds to the operand before it; a correlation key's cast is written in
//! parentheses. Applied, the file checks.

use lhw_compiler::diag::{Code, Diagnostic};

fn only_error(text: &str) -> Diagnostic {
    let errors: Vec<Diagnostic> = lhw_compiler::check(text)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

fn fixed(text: &str, code: Code) -> String {
    let d = only_error(text);
    assert_eq!(d.code, code, "{d:#?}");
    assert_eq!(d.fixes.len(), 1, "{d:#?}");
    assert!(d.fixes[0].preferred);
    let out = d.fixes[0].apply(text);
    let left: Vec<Diagnostic> = lhw_compiler::check(&out)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert!(left.is_empty(), "{out}\n{left:#?}");
    out
}

const HEAD: &str = "task bill(cents: int)\nworkflow pay {\n  input amount: double required\n  var cents: int = 0\n";

#[test]
fn an_operators_result_is_cast_in_parentheses() {
    let text = format!("{HEAD}  bill(amount * 100.0)\n}}\n");
    let out = fixed(&text, Code::E0202);
    assert!(out.contains("bill((amount * 100.0) as int)"), "{out}");
    let text = format!("{HEAD}  cents = -amount\n  bill(cents)\n}}\n");
    let out = fixed(&text, Code::E0203);
    assert!(out.contains("cents = (-amount) as int"), "{out}");
}

#[test]
fn a_name_or_a_call_is_cast_as_it_stands() {
    let text = format!("{HEAD}  bill(amount)\n}}\n");
    let out = fixed(&text, Code::E0202);
    assert!(out.contains("bill(amount as int)"), "{out}");
    let text = format!("{HEAD}  cents = amount\n  bill(cents)\n}}\n");
    let out = fixed(&text, Code::E0203);
    assert!(out.contains("cents = amount as int"), "{out}");
}

#[test]
fn no_cast_is_offered_where_the_server_does_not_convert() {
    let text = "task bill(cents: int)\nworkflow pay {\n  input ok: bool required\n  bill(ok)\n}\n";
    let d = only_error(text);
    assert_eq!(d.code, Code::E0202);
    assert!(d.fixes.is_empty(), "{d:#?}");
}

#[test]
fn a_correlation_key_is_cast_to_str_in_parentheses() {
    // `correlated by` takes a postfix expression: `by n as str` would cast the `await`.
    let text = "event paid: str\nworkflow pay {\n  input n: int required\n  var got: str = \"\"\n  got = await paid correlated by n\n}\n";
    let out = fixed(text, Code::E0203);
    assert!(out.contains("correlated by (n as str)"), "{out}");
}
