//! Unit tests of the IDE layer on byte offsets. Positions are marked in the source with
//! `$0` and found by text, never counted by hand.

use super::*;
use crate::check::SymbolKind;

/// The text without its `$0` markers, and the markers' offsets.
fn marked(src: &str) -> (String, Vec<u32>) {
    let mut text = String::new();
    let mut marks = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("$0") {
        text.push_str(&rest[..i]);
        marks.push(u32::try_from(text.len()).unwrap_or_default());
        rest = &rest[i + 2..];
    }
    text.push_str(rest);
    (text, marks)
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

const THREADS: &str = "task pack(item: str)
event cancelled: str

workflow w {
  input items: str[]
  var count: int = 0
  on cancelled(reason) {
    var note: str = \"x\"
    note = reas$0on
  }
  if count > 0 {
    let done = spawn packer for item in items {
      pack(it$0em)
    }
    wait do$0ne
  }
  count += 1
  $0
}
";

#[test]
fn definitions_follow_the_checker_scopes() {
    let (text, marks) = marked(THREADS);
    let a = Analysis::new(&text);
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
    let def = |i: usize| {
        a.definition(marks[i])
            .map(|t| (slice(&text, t.span), t.kind))
    };
    assert_eq!(def(0), Some(("reason", SymbolKind::Binding)));
    assert_eq!(def(1), Some(("item", SymbolKind::Binding)));
    assert_eq!(def(2), Some(("done", SymbolKind::Let)));
    // The definition of `reason` is the binding of the `on` handler, not text elsewhere.
    let binding = a
        .definition(marks[0])
        .map(|t| t.span.start)
        .unwrap_or_default();
    assert!(text[..binding as usize].ends_with("on cancelled("));
}

#[test]
fn completion_offers_only_the_names_in_scope() {
    let (text, marks) = marked(THREADS);
    let a = Analysis::new(&text);
    let labels = |offset: u32| -> Vec<String> {
        a.completions(offset)
            .items
            .into_iter()
            .filter(|i| i.kind == CompletionKind::Variable)
            .map(|i| i.label)
            .collect()
    };
    // After the `if` block: the workflow's variables; neither `done` (a `let` of the ended
    // block) nor the handler's `note` and `reason` (another thread's).
    let mut at_end = labels(marks[3]);
    at_end.sort();
    assert_eq!(at_end, ["count", "items"]);
    // Inside the handler, its own names too.
    let inside = labels(marks[0] - "reas".len() as u32);
    assert!(inside.contains(&"note".to_string()), "{inside:?}");
}

#[test]
fn references_and_rename_cover_every_use_and_keep_backticks() {
    let (text, marks) = marked(
        "task `fa$0il`()\nworkflow w {\n  `fail`()\n  `fail`() catch any {\n    `fail`()\n  }\n}\n",
    );
    let a = Analysis::new(&text);
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
    let refs = a.references(marks[0], true);
    assert_eq!(refs.len(), 4);
    let edits = a.rename(marks[0], "abort").unwrap_or_default();
    assert_eq!(edits.len(), 4);
    assert!(edits.iter().all(|e| e.new_text == "`abort`"));
    // Once renamed, the file still checks cleanly.
    let mut renamed = text.clone();
    for e in edits.iter().rev() {
        renamed.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
    }
    assert!(crate::check(&renamed).is_empty(), "{renamed}");
}

#[test]
fn hover_names_the_innermost_expression_type() {
    let (text, marks) = marked(
        "workflow w {\n  input a: int\n  var s: str\n  s = \"n={a $0+ 1}\" + (a as str)$0\n}\n",
    );
    let a = Analysis::new(&text);
    let hover = a
        .hover(marks[0])
        .map(|h| (slice(&text, h.span).to_string(), h.markdown));
    assert_eq!(
        hover,
        Some(("a + 1".to_string(), "```lhw\nint\n```".to_string()))
    );
    // Right after the last `)`: nothing starts there, so no hover.
    assert_eq!(a.hover(marks[1]), None);
}

#[test]
fn semantic_tokens_split_at_lone_carriage_returns() {
    let text =
        "/* a\r   b */\rtask t(x: str) -> str\rworkflow w {\r  input x: str\r  // c\r  t(x)\r}\r";
    let tokens = Analysis::new(text).semantic_tokens();
    for t in &tokens {
        let piece = slice(text, t.span);
        assert!(!piece.contains(['\n', '\r']), "{piece:?}");
    }
    let comments: Vec<&str> = tokens
        .iter()
        .filter(|t| t.token_type == TokenType::Comment)
        .map(|t| slice(text, t.span))
        .collect();
    assert_eq!(comments, ["/* a", "   b */", "// c"]);
}

#[test]
fn semantic_tokens_are_ordered_single_line_and_disjoint() {
    let text = "/* a\n   b */\ntask t(x: str) -> str\r\nworkflow w {\r\n  input x: str\r\n  let y = t(\"{x}🎈\")\r\n}\r\n";
    let a = Analysis::new(text);
    let tokens = a.semantic_tokens();
    assert!(!tokens.is_empty());
    for pair in tokens.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start, "{pair:?}");
    }
    for t in &tokens {
        let piece = slice(text, t.span);
        assert!(!piece.contains(['\n', '\r']), "{piece:?}");
    }
    let kinds: Vec<(&str, TokenType)> = tokens
        .iter()
        .map(|t| (slice(text, t.span), t.token_type))
        .collect();
    assert!(kinds.contains(&("t", TokenType::Function)));
    assert!(kinds.contains(&("y", TokenType::Variable)));
    assert!(kinds.contains(&("   b */", TokenType::Comment)));
}

#[test]
fn an_updated_analysis_equals_a_fresh_one() {
    let (text, _) = marked(THREADS);
    let first = Analysis::new(&text);
    let edited = text.replace("pack(item)", "pack(itme)");
    let updated = first.update(&edited);
    let fresh = Analysis::new(&edited);
    assert_eq!(updated.diagnostics(), fresh.diagnostics());
    assert_eq!(updated.file(), fresh.file());
    assert_eq!(updated.index().references, fresh.index().references);
    assert_eq!(updated.diagnostics()[0].code, crate::diag::Code::E0101);
}

#[test]
fn code_actions_apply_the_help() {
    let text = "workflow w {\n  input count: int\n  cuont += 1\n}\n";
    let a = Analysis::new(text);
    let d = &a.diagnostics()[0];
    let actions = a.code_actions(d);
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].edits[0].new_text, "count");
    assert_eq!(slice(text, actions[0].edits[0].span), "cuont");
}

#[test]
fn code_actions_come_from_the_fix_data() {
    let text = "task t()\nworkflow w {\n  input n: int\n  if n > 1 {\n    t()\n  } elif n > 0 {\n    t()\n  }\n}\n";
    let a = Analysis::new(text);
    assert_eq!(a.diagnostics().len(), 1, "{:?}", a.diagnostics());
    let d = &a.diagnostics()[0];
    let actions = a.code_actions(d);
    assert_eq!(actions.len(), d.fixes.len());
    assert!(actions[0].preferred);
    assert_eq!(actions[0].edits[0].new_text, "else if");
    assert_eq!(slice(text, actions[0].edits[0].span), "elif");
}

#[test]
fn completion_after_catch_offers_the_sites_of_a_thread_wait() {
    let (text, marks) = marked(
        "task t()\nworkflow w {\n  let a = spawn s { t() }\n  wait a catch $0\n}\nworkflow v {\n  let a = spawn s2 { t() }\n  wait a catch thread $0\n}\n",
    );
    let a = Analysis::new(&text);
    let labels = |offset: u32| -> Vec<String> {
        a.completions(offset)
            .items
            .into_iter()
            .map(|i| i.label)
            .collect()
    };
    let after_catch = labels(marks[0]);
    for word in ["thread", "wait", "any", "error", "exception"] {
        assert!(after_catch.contains(&word.to_string()), "{after_catch:?}");
    }
    let after_site = labels(marks[1]);
    assert!(after_site.contains(&"any".to_string()), "{after_site:?}");
    assert!(
        !after_site.contains(&"thread".to_string()),
        "{after_site:?}"
    );
}
