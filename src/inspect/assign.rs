//! `NAME=VALUE` arguments (`--var`, `--result`) checked against what the server declares: the
//! messages for a malformed one, an unknown name and missing required names, worded the same
//! for `lhc run`, `lhc search wfruns` and `lhc user-task complete`.

/// Splits `raw` at its first `=`; the name is trimmed. `placeholder` is the expected shape
/// (`NAME=VALUE`).
pub(crate) fn split<'a>(
    flag: &str,
    raw: &'a str,
    placeholder: &str,
) -> Result<(&'a str, &'a str), String> {
    raw.split_once('=')
        .map(|(name, value)| (name.trim(), value))
        .ok_or_else(|| format!("{flag} {raw}: expected {placeholder}"))
}

/// `--var raw: workflow `w` has no variable `x` (its variables: a, b)`.
pub(crate) fn unknown(flag: &str, raw: &str, owner: &str, kind: &str, known: &[&str]) -> String {
    let name = raw.split_once('=').map_or(raw, |(n, _)| n.trim());
    let mut msg = format!(
        "{flag} {raw}: {owner} has no {kind} `{name}` (its {kind}s: {})",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    );
    if let Some(c) = lhw_compiler::check::closest(name, known.iter().copied()) {
        msg.push_str(&format!("\n  help: did you mean `{c}`?"));
    }
    msg
}

/// `workflow `w` requires `a`, `b`: add --var a=... --var b=...`.
pub(crate) fn missing(owner: &str, flag: &str, names: &[&str]) -> String {
    format!(
        "{owner} requires {}: add {}",
        names
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", "),
        names
            .iter()
            .map(|m| format!("{flag} {m}=..."))
            .collect::<Vec<_>>()
            .join(" ")
    )
}
