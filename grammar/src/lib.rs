//! The pest grammar of the `.lhw` language (`lhw.pest`) and its derived parser.
//!
//! This crate holds the grammar and nothing else, so that pest_derive's compile cost stays
//! isolated. Only `lhw_compiler::syntax` may use it; every other crate works on the
//! compiler's owned AST.

use pest_derive::Parser;

/// The derived pest parser for `.lhw` source.
#[derive(Parser)]
#[grammar = "lhw.pest"]
pub struct LhwParser;

pub use pest;

/// The keywords that can never be identifiers, as the grammar's `keyword` rule lists them.
pub const RESERVED_WORDS: &[&str] = &[
    "workflow-event",
    "workflow",
    "task",
    "event",
    "struct",
    "var",
    "input",
    "let",
    "public",
    "private",
    "inherited",
    "if",
    "else",
    "while",
    "return",
    "fail",
    "true",
    "false",
    "null",
    "as",
    "in",
    "not",
    "contains",
];

/// The contextual keywords: words that start a statement, step or setting where the grammar
/// expects one (its `kw_*`, `mod_*` and flag rules) but that stay free for use as names.
pub const CONTEXTUAL_WORDS: &[&str] = &[
    "user-task",
    "extern",
    "with",
    "wait",
    "until",
    "sleep",
    "extend",
    "remove",
    "from",
    "index",
    "key",
    "updates",
    "on",
    "required",
    "searchable",
    "masked",
    "nullable",
    "unmasked",
    "correlated",
    "ttl",
    "once",
    "retention",
    "thread",
    "default",
    "parent",
    "emit",
    "first",
    "any",
    "of",
    "catch",
    "exception",
    "error",
    "await",
    "timeout",
    "by",
    "spawn",
    "for",
    "ask",
    "to",
    "user",
    "group",
    "notes",
    "cancel",
    "reassign",
    "release",
    "remind",
    "after",
    "assignment",
    "arrival",
    "run",
    "id",
    "version",
    "new",
    "map",
    "retries",
    "backoff",
];

#[cfg(test)]
mod tests {
    use super::*;
    use pest::Parser;

    fn parses(rule: Rule, text: &str) -> bool {
        match LhwParser::parse(rule, text) {
            Ok(mut pairs) => pairs.next().is_some_and(|p| p.as_str() == text),
            Err(_) => false,
        }
    }

    #[test]
    fn identifiers_take_inner_hyphens_but_not_keywords() {
        assert!(parses(Rule::ident, "charge-card"));
        assert!(parses(Rule::ident, "if-ready"));
        assert!(!parses(Rule::ident, "if"));
        assert!(!parses(Rule::ident, "trailing-"));
    }

    #[test]
    fn reserved_words_match_the_keyword_rule() {
        for word in RESERVED_WORDS {
            assert!(parses(Rule::keyword, word), "{word} should be a keyword");
        }
        assert!(!parses(Rule::keyword, "sleep"));
    }

    #[test]
    fn contextual_words_are_grammar_words_but_not_reserved() {
        let grammar = include_str!("lhw.pest");
        for word in CONTEXTUAL_WORDS {
            assert!(
                !parses(Rule::keyword, word),
                "{word} should not be reserved"
            );
            assert!(
                parses(Rule::ident, word),
                "{word} should be usable as a name"
            );
            let quoted = format!("\"{word}\" ~ word_end");
            assert!(grammar.contains(&quoted), "lhw.pest has no rule for {word}");
        }
    }

    #[test]
    fn a_small_file_parses() {
        let src = "task greet(name: str) -> str\nworkflow hello {\n  var name: str required\n  let out = greet(name)\n  if out == \"x\" { return } else { fail oops \"bad\" }\n}\n";
        assert!(LhwParser::parse(Rule::file, src).is_ok());
    }
}
