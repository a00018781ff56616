//! The frozen-variable refusal of a PutWfSpec shown in `.lhw` terms (the refusals themselves
//! are predicted in `src/verdict.rs`, which words them as the server does).
//!
//! The server (`WfSpecModel.checkCompatibilityAndSetVersion`) refuses a new version that
//! redeclares a frozen variable (one that was a PUBLIC_VAR in an earlier version) with
//! another type: "Variable X must be of type A not B as it was formerly declared a
//! PUBLIC_VAR", types worded as `TypeDefinitionModel.toString` words them. Then
//! (`PutWfSpecRequestModel.verifyUpdateType`) an unchanged spec is returned as is, and a
//! changed one is refused under `updates none` (ALREADY_EXISTS "WfSpec already exists.") or,
//! when the change is breaking, under `updates minor` (FAILED_PRECONDITION "The resulting
//! WfSpec has a breaking change.").

/// A frozen-variable refusal, read back from the server's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FrozenChange {
    /// The variable.
    pub var: String,
    /// Its type in the deployed versions, as `.lhw` writes it.
    pub was: String,
    /// Its type in this file, as `.lhw` writes it.
    pub now: String,
}

/// The frozen-variable refusal in `message`, with its types as `.lhw` writes them.
pub(super) fn read(message: &str) -> Option<FrozenChange> {
    let rest = &message[message.find("Variable ")? + "Variable ".len()..];
    let (var, rest) = rest.split_once(" must be of type ")?;
    let (types, _) = rest.split_once(" as it was formerly declared")?;
    let (was, now) = types.split_once(" not ")?;
    Some(FrozenChange {
        var: var.to_string(),
        was: lhw_type(was.trim()),
        now: lhw_type(now.trim()),
    })
}

/// A server-worded type (`Array<STR> MASKED`) as `.lhw` writes it (`str[] masked`).
fn lhw_type(text: &str) -> String {
    if let Some(inner) = text.strip_suffix(" MASKED") {
        return format!("{} masked", lhw_type(inner));
    }
    if let Some(inner) = text
        .strip_prefix("Array<")
        .and_then(|t| t.strip_suffix('>'))
    {
        return format!("{}[]", lhw_type(inner));
    }
    if let Some(inner) = text.strip_prefix("Map<").and_then(|t| t.strip_suffix('>')) {
        let mut depth = 0usize;
        for (i, c) in inner.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    return format!(
                        "map<{}, {}>",
                        lhw_type(inner[..i].trim()),
                        lhw_type(inner[i + 1..].trim())
                    );
                }
                _ => {}
            }
        }
    }
    if let Some(inner) = text
        .strip_prefix("Struct<")
        .and_then(|t| t.strip_suffix('>'))
    {
        return inner.split(',').next().unwrap_or(inner).to_string();
    }
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        return text.to_ascii_lowercase().replace('_', "-");
    }
    text.to_string()
}

/// Where the variable `var` of the workflow `workflow` is declared in `text`.
pub(super) fn declaration(text: &str, workflow: &str, var: &str) -> Option<super::nodes::Loc> {
    use lhw_compiler::check::SymbolKind;
    let analysis = lhw_compiler::ide::Analysis::new(text);
    let symbol = analysis.index().symbols.iter().find(|s| {
        s.kind == SymbolKind::Variable && s.name == var && s.parent.as_deref() == Some(workflow)
    })?;
    Some(super::nodes::Loc {
        start: symbol.span.start as usize,
        len: symbol.span.len() as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_servers_message_in_lhw_terms() {
        let m = "PutWfSpecRequest is invalid: Variable skus must be of type JSON_ARR not \
                 Array<STR> as it was formerly declared a PUBLIC_VAR";
        assert_eq!(
            read(m),
            Some(FrozenChange {
                var: "skus".into(),
                was: "json-arr".into(),
                now: "str[]".into()
            })
        );
        let m = "Variable m must be of type Map<STR, Array<INT>> MASKED not Struct<order,v0> as \
                 it was formerly declared a PUBLIC_VAR";
        let f = read(m).expect("parsed");
        assert_eq!(f.was, "map<str, int[]> masked");
        assert_eq!(f.now, "order");
        assert_eq!(read("Refers to nonexistent TaskDef greet"), None);
    }

    #[test]
    fn finds_the_declaration() {
        let text = "workflow w {\n  public var skus: json-arr\n}\n";
        let loc = declaration(text, "w", "skus").expect("declared");
        assert_eq!(&text[loc.start..loc.start + loc.len], "skus");
        assert!(declaration(text, "other", "skus").is_none());
    }
}
