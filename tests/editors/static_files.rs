//! Checks on the files of `editors/` that need no editor: the keyword lists of the TextMate
//! grammar (VS Code) and of the Vim syntax file equal the pest grammar's, and the VS Code
//! manifest, grammar and language configuration parse and reference files that exist.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::pest_words::is_word;
use crate::{pest, read, read_json, repo};

const TEXTMATE: &str = "editors/vscode/syntaxes/lhw.tmLanguage.json";
const MANIFEST: &str = "editors/vscode/package.json";

/// Compares one editor's word list with the pest grammar's, naming every difference.
fn compare(
    what: &str,
    editor: &BTreeSet<String>,
    pest: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let missing: Vec<&String> = pest.difference(editor).collect();
    let extra: Vec<&String> = editor.difference(pest).collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{what}: in the pest grammar but missing here: {missing:?}"
        ));
    }
    if !extra.is_empty() {
        problems.push(format!(
            "{what}: here but not in the pest grammar: {extra:?}"
        ));
    }
}

/// The words of every `(a|b|c)` or `(?:a|b|c)` group of a regex whose alternatives are all
/// words (`(task)`, `(?:if|else)`); other groups are skipped.
fn word_groups(regex: &str) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let bytes = regex.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => stack.push(i),
            b')' => {
                if let Some(open) = stack.pop() {
                    let inner = &regex[open + 1..i];
                    let inner = inner.strip_prefix("?:").unwrap_or(inner);
                    let words: Vec<String> = inner.split('|').map(str::to_string).collect();
                    if words.iter().all(|w| is_word(w)) {
                        groups.push(words);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    groups
}

/// The words of a keyword pattern, which must have the shape
/// `(?<![\w.-])(?:word|word|...)(?!\w|-\w)`: a word ends where the pest grammar's
/// `word_end` says (names hold inner hyphens) and a word after `.` is a field.
fn keyword_pattern_words(entry: &str, pattern: &Value) -> Result<Vec<String>, String> {
    let regex = pattern["match"]
        .as_str()
        .ok_or_else(|| format!("`{entry}`: a pattern without `match`: {pattern}"))?;
    let inner = regex
        .strip_prefix(r"(?<![\w.-])(?:")
        .and_then(|r| r.strip_suffix(r")(?!\w|-\w)"))
        .ok_or_else(|| {
            format!(r"`{entry}`: {regex:?} is not of the form (?<![\w.-])(?:word|...)(?!\w|-\w)")
        })?;
    inner
        .split('|')
        .map(|w| {
            if is_word(w) {
                Ok(w.to_string())
            } else {
                Err(format!("`{entry}`: {w:?} in {regex:?} is not a plain word"))
            }
        })
        .collect()
}

/// The words of one repository entry of the TextMate grammar (`reserved-keywords`, ...),
/// with each word listed once.
fn textmate_words(grammar: &Value, entry: &str) -> Result<BTreeSet<String>, String> {
    let patterns = grammar["repository"][entry]["patterns"]
        .as_array()
        .ok_or_else(|| format!("{TEXTMATE} has no repository entry `{entry}` with patterns"))?;
    let mut words = BTreeSet::new();
    for pattern in patterns {
        for word in keyword_pattern_words(entry, pattern)? {
            if !words.insert(word.clone()) {
                return Err(format!("`{entry}` lists {word:?} twice"));
            }
        }
    }
    Ok(words)
}

/// Every `match`, `begin` and `end` regex of a TextMate grammar, with where it sits.
fn all_regexes(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{at}/{key}");
                match (key.as_str(), v) {
                    ("match" | "begin" | "end", Value::String(s)) => out.push((here, s.clone())),
                    _ => all_regexes(v, &here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                all_regexes(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn textmate_keywords_are_the_pest_grammars() {
    let grammar = read_json(TEXTMATE);
    let pest = pest();
    let mut problems = Vec::new();
    for (entry, expected) in [
        ("reserved-keywords", &pest.reserved),
        ("contextual-keywords", &pest.contextual),
        ("types", &pest.types),
    ] {
        match textmate_words(&grammar, entry) {
            Ok(words) => compare(
                &format!("{TEXTMATE} `{entry}`"),
                &words,
                expected,
                &mut problems,
            ),
            Err(e) => problems.push(e),
        }
    }
    assert!(
        problems.is_empty(),
        "the TextMate grammar's keywords differ from grammar/src/lhw.pest:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn textmate_highlights_no_word_the_language_lacks() {
    let grammar = read_json(TEXTMATE);
    let pest = pest();
    let known: BTreeSet<&String> = pest
        .reserved
        .iter()
        .chain(&pest.contextual)
        .chain(&pest.types)
        .chain(&pest.duration_units)
        .collect();
    let mut regexes = Vec::new();
    all_regexes(&grammar, "", &mut regexes);
    assert!(regexes.len() > 20, "found only {} regexes", regexes.len());
    let mut unknown = Vec::new();
    let mut units_seen = false;
    for (at, regex) in &regexes {
        for group in word_groups(regex) {
            let units: BTreeSet<String> = group.iter().cloned().collect();
            if units == pest.duration_units {
                units_seen = true;
            }
            for word in group {
                if !known.contains(&word) {
                    unknown.push(format!("{word:?} at {at}"));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "{TEXTMATE} highlights words that grammar/src/lhw.pest does not have:\n  {}",
        unknown.join("\n  ")
    );
    assert!(
        units_seen,
        "{TEXTMATE} has no duration pattern with exactly the pest grammar's units {:?}",
        pest.duration_units
    );
}

#[test]
fn vim_syntax_keywords_are_the_pest_grammars() {
    let text = read("editors/nvim/syntax/lhw.vim");
    let pest = pest();
    let (mut reserved, mut contextual, mut types) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut problems = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("syn") || words.next() != Some("keyword") {
            continue;
        }
        let Some(group) = words.next() else { continue };
        let set = if group.starts_with("lhwKw") {
            &mut reserved
        } else if group.starts_with("lhwCtx") {
            &mut contextual
        } else if group == "lhwType" {
            &mut types
        } else {
            continue;
        };
        for word in words {
            if !set.insert(word.to_string()) {
                problems.push(format!("{group} lists {word:?} twice"));
            }
        }
    }
    compare(
        "lhwKw* (reserved)",
        &reserved,
        &pest.reserved,
        &mut problems,
    );
    compare(
        "lhwCtx* (contextual)",
        &contextual,
        &pest.contextual,
        &mut problems,
    );
    compare("lhwType", &types, &pest.types, &mut problems);
    assert!(
        problems.is_empty(),
        "editors/nvim/syntax/lhw.vim's keywords differ from grammar/src/lhw.pest:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_pest_reader_sees_the_grammars_keyword_rules() {
    // Guards the reader itself: words the language reference names in each class.
    let pest = pest();
    for word in ["workflow-event", "if", "contains", "null", "inherited"] {
        assert!(pest.reserved.contains(word), "{word} should be reserved");
    }
    for word in [
        "user-task",
        "sleep",
        "searchable",
        "backoff",
        "extern",
        "once",
    ] {
        assert!(
            pest.contextual.contains(word),
            "{word} should be contextual"
        );
    }
    for word in ["json-obj", "wf-run-id", "str"] {
        assert!(pest.types.contains(word), "{word} should be a type");
    }
    assert!(
        pest.reserved.is_disjoint(&pest.contextual),
        "reserved and contextual words overlap"
    );
    let units: Vec<&str> = pest.duration_units.iter().map(String::as_str).collect();
    assert_eq!(units, ["d", "h", "m", "ms", "s"]);
}

#[test]
fn textmate_grammar_includes_only_entries_it_has() {
    let grammar = read_json(TEXTMATE);
    let repository = grammar["repository"]
        .as_object()
        .unwrap_or_else(|| panic!("{TEXTMATE} has no repository"));
    let mut includes = Vec::new();
    collect_includes(&grammar, &mut includes);
    assert!(!includes.is_empty(), "{TEXTMATE} includes nothing");
    let dangling: Vec<&String> = includes
        .iter()
        .filter(|name| match name.strip_prefix('#') {
            Some(entry) => !repository.contains_key(entry),
            None => name.as_str() != "$self" && name.as_str() != "$base",
        })
        .collect();
    assert!(
        dangling.is_empty(),
        "{TEXTMATE} includes entries it does not define: {dangling:?}"
    );
    let unused: Vec<&String> = repository
        .keys()
        .filter(|entry| !includes.contains(&format!("#{entry}")))
        .collect();
    assert!(
        unused.is_empty(),
        "{TEXTMATE} defines entries nothing includes: {unused:?}"
    );
}

fn collect_includes(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("include", Value::String(s)) => out.push(s.clone()),
                    _ => collect_includes(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_includes(v, out)),
        _ => {}
    }
}

#[test]
fn vscode_manifest_parses_and_names_files_that_exist() {
    let manifest = read_json(MANIFEST);
    let dir = repo().join("editors/vscode");
    let exists = |relative: &str| dir.join(relative).is_file();

    let main = manifest["main"].as_str().expect("package.json has `main`");
    assert!(exists(main), "package.json `main` {main} does not exist");
    let extension = read(&format!("editors/vscode/{main}"));
    assert!(
        extension.contains("vscode-languageclient/node"),
        "{main} does not use vscode-languageclient"
    );

    let contributes = &manifest["contributes"];
    let language = &contributes["languages"][0];
    assert_eq!(language["id"], "lhw");
    assert_eq!(language["extensions"], serde_json::json!([".lhw"]));
    let configuration = language["configuration"]
        .as_str()
        .expect("the language has a configuration");
    assert!(exists(configuration), "{configuration} does not exist");
    let config = read_json(&format!("editors/vscode/{configuration}"));
    assert_eq!(config["comments"]["lineComment"], "//");
    assert_eq!(
        config["comments"]["blockComment"],
        serde_json::json!(["/*", "*/"])
    );

    let grammar_ref = &contributes["grammars"][0];
    assert_eq!(grammar_ref["language"], "lhw");
    let path = grammar_ref["path"]
        .as_str()
        .expect("the grammar has a path");
    assert_eq!(
        dir.join(path).canonicalize().ok(),
        repo().join(TEXTMATE).canonicalize().ok(),
        "package.json's grammar path {path} is not {TEXTMATE}"
    );
    assert_eq!(grammar_ref["scopeName"], read_json(TEXTMATE)["scopeName"]);

    let properties = &contributes["configuration"]["properties"];
    assert_eq!(properties["lhw.server.path"]["default"], "lhc");
    assert_eq!(
        properties["lhw.server.args"]["default"],
        serde_json::json!(["lsp"])
    );
    for setting in ["server.path", "server.args"] {
        assert!(
            extension.contains(&format!("'{setting}'")),
            "{main} does not read the setting lhw.{setting}"
        );
    }
    for command in contributes["commands"].as_array().expect("commands") {
        let id = command["command"].as_str().expect("a command id");
        assert!(
            extension.contains(&format!("'{id}'")),
            "{main} does not register the command {id}"
        );
    }
}

#[test]
fn vscode_lockfile_matches_the_manifest() {
    let manifest = read_json(MANIFEST);
    let lock = read_json("editors/vscode/package-lock.json");
    assert_eq!(lock["name"], manifest["name"], "package-lock.json name");
    assert_eq!(
        lock["version"], manifest["version"],
        "package-lock.json version"
    );
    let root = &lock["packages"][""];
    for key in ["dependencies", "devDependencies"] {
        assert_eq!(
            root[key], manifest[key],
            "package-lock.json {key} differ from package.json's: run npm install in editors/vscode"
        );
    }
    let languageclient = &lock["packages"]["node_modules/vscode-languageclient"]["version"];
    assert!(
        languageclient.as_str().is_some_and(|v| v.starts_with("9.")),
        "vscode-languageclient should be locked at 9.x, is {languageclient}"
    );
}

#[test]
fn the_vscode_graph_view_asks_the_request_the_server_serves() {
    let view = read("editors/vscode/graph.js");
    assert!(
        view.contains("sendRequest('lhw/graph'"),
        "graph.js does not ask lhw/graph"
    );
    let server = read("lsp/src/lib.rs");
    assert!(
        server.contains(".custom_method(\"lhw/graph\""),
        "lhc lsp does not serve lhw/graph"
    );
    let extension = read("editors/vscode/extension.js");
    assert!(
        extension.contains("require('./graph')"),
        "extension.js does not load graph.js"
    );
}
