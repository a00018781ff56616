//! Syntax error messages: a pest error (from re-parsing one recovered item or statement
//! with the strict rule) becomes one E0001 diagnostic that says what was expected, what was
//! found, and how the construct is written.
//!
//! pest reports expectations as grammar rules at the position where the outermost failing
//! rule started; its "parse attempts" (`pest::set_error_detail`) know the furthest position
//! reached and the literal tokens expected there, which is what people need to read.

use lhw_grammar::Rule;
use lhw_grammar::pest::error::{Error as PestError, ErrorVariant, InputLocation};

use super::problems::{Closer, Expected, ExpectedHelp, Found, StatementWord, SyntaxProblem};
use crate::diag::Diagnostic;
use crate::source::Span;

/// Whether the recovered text was a top-level item or a statement (for the default help).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Item,
    Stmt,
}

/// A syntax error, and whether the text simply stopped short (the error is at its end, so a
/// following malformed line is probably its continuation).
pub(super) struct SyntaxError {
    pub(super) diag: Diagnostic,
    pub(super) incomplete: bool,
}

/// Builds the diagnostic for `err`, raised while parsing `snippet`, which starts at byte
/// `offset` of `text`.
pub(super) fn syntax_error(
    text: &str,
    offset: usize,
    snippet: &str,
    err: &PestError<Rule>,
    level: Level,
) -> SyntaxError {
    let location = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let attempts = err.parse_attempts();
    let (mut local, tokens) = match &attempts {
        Some(a) if a.max_position >= location => (
            a.max_position,
            a.expected_tokens()
                .iter()
                .map(|t| Tok::from_display(&t.to_string()))
                .collect(),
        ),
        _ => (location, Vec::new()),
    };
    local = floor_boundary(snippet, local.min(snippet.len()));
    let mut expected = describe_tokens(snippet, local, &tokens);
    if expected.is_empty()
        && let ErrorVariant::ParsingError { positives, .. } = &err.variant
    {
        expected = positives.iter().filter_map(|r| describe_rule(*r)).collect();
        expected.sort_by_key(Expected::describe);
        expected.dedup();
    }
    // `if count > { ... }`: the block brace was read as a JSON object; the real problem is
    // the missing operand before it.
    if let Some(brace) = missing_operand_before_brace(snippet, local, &tokens) {
        local = brace;
        expected = vec![Expected::Expression];
    }
    let pos = offset + local;
    let (found, end) = found_token(text, pos);
    let incomplete =
        matches!(found, Found::EndOfLine | Found::EndOfFile) && snippet[local..].trim().is_empty();
    // Right after a statement word (`emit`, `fail`, ...), say what the statement needs next
    // rather than list the tokens the parser tried there.
    let mut tokens = tokens;
    if let Some(next) = next_after_keyword(snippet)
        && (expected.is_empty() || local == after_first_word(snippet))
    {
        expected = vec![Expected::AfterKeyword(next)];
        tokens.clear();
    }
    // (pest's `CustomError` is raised only by hand-written parsers, never by the grammar's.)
    let mut help = help_for(text, pos, snippet, &found, &tokens, level);
    // A string cut off by the end of its line: the fix closes it there.
    if !matches!(help, ExpectedHelp::Close(_))
        && matches!(found, Found::EndOfLine | Found::EndOfFile)
        && tokens.iter().any(|t| t.is_lit("\""))
        && tokens.iter().any(|t| t.is_lit("{{"))
    {
        help = ExpectedHelp::Close(Closer::Quote);
    }
    let diag = SyntaxProblem::Expected {
        span: Span::new(pos, end),
        expected,
        found,
        help,
    }
    .diagnostic();
    SyntaxError { diag, incomplete }
}

/// True when `s` holds only whitespace and comments.
pub(super) fn is_trivia(s: &str) -> bool {
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(is_space);
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if rest.starts_with("/*") {
            match block_comment_len(rest) {
                Some(len) => rest = &rest[len..],
                None => return false,
            }
        } else {
            return rest.is_empty();
        }
    }
}

/// The length of `s` without its trailing whitespace and comments (`s` holds no string
/// literal: it is the literal text after a pair's last inner pair).
pub(super) fn significant_len(s: &str) -> usize {
    let mut end = 0;
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        let rest = &s[i..];
        if is_space(c) {
            i += c.len_utf8();
        } else if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += block_comment_len(rest).unwrap_or(rest.len());
        } else {
            i += c.len_utf8();
            end = i;
        }
    }
    end
}

/// The whitespace the grammar skips.
pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

/// Length of the (nested) block comment at the start of `s`, if it is closed.
pub(super) fn block_comment_len(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The token at `pos` and where it ends: a whole word, a run of operator characters, or
/// one character.
fn found_token(text: &str, pos: usize) -> (Found, usize) {
    let rest = text.get(pos..).unwrap_or_default();
    let Some(first) = rest.chars().next() else {
        return (Found::EndOfFile, pos);
    };
    if rest.trim_start_matches(is_space).is_empty() {
        return (Found::EndOfFile, pos);
    }
    if first == '\n' || first == '\r' {
        return (Found::EndOfLine, pos + first.len_utf8());
    }
    let mut len = 0;
    if is_word_char(first) {
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let inner_hyphen =
                c == '-' && chars.peek().is_some_and(|&(_, n)| is_word_char(n)) && i > 0;
            if !(is_word_char(c) || inner_hyphen) {
                break;
            }
            len = i + c.len_utf8();
        }
    } else if "=!<>+-*/&|".contains(first) {
        len = rest
            .char_indices()
            .take(3)
            .take_while(|(_, c)| "=!<>+-*/&|".contains(*c))
            .last()
            .map_or(1, |(i, c)| i + c.len_utf8());
    } else {
        len = first.len_utf8();
    }
    let end = pos + len.max(first.len_utf8());
    (
        Found::Token(text.get(pos..end).unwrap_or_default().to_string()),
        end,
    )
}

/// An expected token, as pest displays it: a literal, or a character range `a..z`.
enum Tok {
    Lit(String),
    Range(char),
}

impl Tok {
    fn from_display(s: &str) -> Tok {
        let chars: Vec<char> = s.chars().collect();
        match chars.as_slice() {
            [a, '.', '.', _] => Tok::Range(*a),
            _ => Tok::Lit(s.to_string()),
        }
    }

    fn is_lit(&self, s: &str) -> bool {
        matches!(self, Tok::Lit(t) if t == s)
    }
}

/// Tokens that only continue the word before them or are skipped between tokens.
fn is_noise(token: &Tok, after_word: bool) -> bool {
    match token {
        Tok::Lit(token) => {
            matches!(
                token.as_str(),
                " " | "\t" | "\r" | "\n" | "\u{feff}" | "//" | "/*"
            ) || (after_word && matches!(token.as_str(), "-" | "_"))
        }
        Tok::Range(_) => after_word,
    }
}

const OPERATORS: &[&str] = &[
    "!=", "&&", "*", "**", "+", "-", ".", "/", "<", "<=", "==", ">", ">=", "[", "as", "contains",
    "in", "not", "||",
];

const DECLARATIONS: &[&str] = &[
    "task",
    "event",
    "workflow-event",
    "struct",
    "user-task",
    "workflow",
    "extern",
];

/// What the tokens expected at `pos` of `snippet` stand for.
fn describe_tokens(snippet: &str, pos: usize, tokens: &[Tok]) -> Vec<Expected> {
    let before = snippet[..pos].chars().next_back();
    let after_word = before.is_some_and(is_word_char);
    let after_digit = before.is_some_and(|c| c.is_ascii_digit());
    let tokens: Vec<&Tok> = tokens
        .iter()
        .filter(|t| !is_noise(t, after_word))
        // After a number, duration units only continue it.
        .filter(|t| {
            !(after_digit
                && matches!(t, Tok::Lit(u) if matches!(u.as_str(), "ms" | "s" | "m" | "h" | "d")))
        })
        .collect();
    let literal = |s: &str| tokens.iter().any(|t| t.is_lit(s));
    let has_range = |a: char| {
        tokens
            .iter()
            .any(|t| matches!(t, Tok::Range(start) if *start == a))
    };
    let mut out: Vec<Expected> = Vec::new();
    let expression = literal("\"") && (has_range('0') || literal("true"));
    let name = !expression && has_range('a');
    if expression {
        out.push(Expected::Expression);
    } else if name {
        out.push(Expected::Name);
    } else if has_range('0') {
        out.push(Expected::Number);
    }
    // Inside an expression `task` starts a dynamic task call, not a declaration.
    if DECLARATIONS
        .iter()
        .any(|d| literal(d) && !(expression && *d == "task"))
    {
        out.push(Expected::Declaration);
    }
    let mut punctuation: Vec<String> = Vec::new();
    let mut operators = false;
    for t in &tokens {
        let Tok::Lit(token) = t else { continue };
        let t = token.as_str();
        if DECLARATIONS.contains(&t) {
            continue;
        }
        if expression
            && matches!(
                t,
                "\"" | "(" | "[" | "{" | "!" | "-" | "_" | "true" | "false" | "null"
            )
        {
            continue;
        }
        if (name || expression) && matches!(t, "_" | "`") {
            continue;
        }
        // After a name, `(` would make it a call: rarely the fix when other tokens fit.
        if after_word && t == "(" && tokens.len() > 1 {
            continue;
        }
        if OPERATORS.contains(&t) {
            operators = true;
            continue;
        }
        if t.chars().all(|c| c.is_ascii_lowercase() || c == '-') && (has_range('a') || expression) {
            // A keyword that is also a word start (`u{` style escapes excluded).
            continue;
        }
        punctuation.push(t.to_string());
    }
    // In the order of their words (`` `(` `` before `` `)` ``).
    punctuation.sort_by_key(|t| format!("`{t}`"));
    punctuation.dedup();
    if operators && out.is_empty() && punctuation.is_empty() {
        out.push(Expected::Operator);
    }
    out.extend(punctuation.into_iter().map(Expected::Token));
    out
}

/// What rules stand for, used only when pest gave no token detail.
fn describe_rule(rule: Rule) -> Option<Expected> {
    Some(match rule {
        Rule::ident | Rule::any_word | Rule::named_ty => Expected::Name,
        Rule::ty | Rule::prim_ty | Rule::map_ty => Expected::Type,
        Rule::expr
        | Rule::unary_expr
        | Rule::postfix_expr
        | Rule::return_value
        | Rule::arg
        | Rule::fail_content => Expected::Expression,
        Rule::string => Expected::String,
        Rule::block => Expected::Token("{".to_string()),
        Rule::EOI => Expected::EndOfInput,
        _ => return None,
    })
}

/// For `if count > { ... }` and `while { ... }`: the position of the `{` when the furthest
/// failure is inside a JSON object that opens right after an operator or a condition keyword.
fn missing_operand_before_brace(snippet: &str, pos: usize, tokens: &[Tok]) -> Option<usize> {
    let json_member_start = tokens.iter().any(|t| t.is_lit("\""));
    if !json_member_start {
        return None;
    }
    let before = snippet[..pos].trim_end_matches(is_space);
    let brace = before.strip_suffix('{')?;
    let brace_pos = brace.len();
    let lead = brace.trim_end_matches(is_space);
    // Any operator but a lone `=` (an assignment may well hold a JSON object).
    let after_operator = lead.ends_with(['>', '<', '+', '-', '*', '/', '&', '|', '!'])
        || lead.ends_with("==")
        || lead.ends_with("!=")
        || lead.ends_with("<=")
        || lead.ends_with(">=");
    let after_keyword = ["if", "while", "until", "in", "contains"].iter().any(|k| {
        lead.strip_suffix(k).is_some_and(|p| {
            !p.chars()
                .next_back()
                .is_some_and(|c| is_word_char(c) || c == '-')
        })
    });
    (after_operator || after_keyword).then_some(brace_pos)
}

/// The help: a specific fix when the error shows one, otherwise how the construct the text
/// starts with is written.
fn help_for(
    text: &str,
    pos: usize,
    snippet: &str,
    found: &Found,
    tokens: &[Tok],
    level: Level,
) -> ExpectedHelp {
    let expects = |s: &str| tokens.iter().any(|t| t.is_lit(s));
    let found_char = text.get(pos..).and_then(|r| r.chars().next());
    let after_word = text
        .get(..pos)
        .and_then(|b| b.chars().next_back())
        .is_some_and(is_word_char);
    if found_char == Some('.') && after_word && (expects("(") || expects(":") || expects("{")) {
        return ExpectedHelp::DotInName;
    }
    if matches!(found, Found::EndOfLine | Found::EndOfFile) && expects(")") {
        return ExpectedHelp::Close(Closer::Paren);
    }
    if matches!(found, Found::EndOfLine | Found::EndOfFile) && expects("]") {
        return ExpectedHelp::Close(Closer::Bracket);
    }
    let word: String = snippet
        .trim_start_matches(is_space)
        .chars()
        .take_while(|c| is_word_char(*c) || *c == '-')
        .collect();
    ExpectedHelp::Construct { word, level }
}

/// The word a statement starts with, when an error right after it should say what the
/// statement needs next.
fn next_after_keyword(snippet: &str) -> Option<StatementWord> {
    let first = snippet
        .trim_start_matches(is_space)
        .split(|c: char| !(is_word_char(c) || c == '-'))
        .next()?;
    StatementWord::ALL
        .iter()
        .find(|(_, text)| *text == first)
        .map(|(word, _)| *word)
}

/// The offset just after the first word of `snippet` and the spaces that follow it.
fn after_first_word(snippet: &str) -> usize {
    let start = snippet.len() - snippet.trim_start_matches(is_space).len();
    let word_len = snippet[start..]
        .find(|c: char| !(is_word_char(c) || c == '-'))
        .unwrap_or(snippet.len() - start);
    let rest = &snippet[start + word_len..];
    start + word_len + (rest.len() - rest.trim_start_matches([' ', '\t']).len())
}

/// Two statements on one line with nothing between them; `pos` is where the second starts.
pub(super) fn missing_separator(text: &str, pos: usize) -> Diagnostic {
    let (found, end) = found_token(text, pos);
    SyntaxProblem::MissingSeparator {
        span: Span::new(pos, end),
        found,
    }
    .diagnostic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trivia_is_whitespace_and_comments() {
        assert!(is_trivia(" \n\t// note\n /* a /* nested */ b */ \r\n"));
        assert!(is_trivia(""));
        assert!(!is_trivia(" // note\n x"));
        assert!(!is_trivia("/* unclosed"));
    }

    #[test]
    fn significant_text_ends_before_trailing_trivia() {
        assert_eq!(significant_len(")\n  /* c */ "), 1);
        assert_eq!(significant_len(" ) // x\n"), 2);
        assert_eq!(significant_len("\n\t"), 0);
        assert_eq!(significant_len("/* a */ ]"), 9);
    }

    #[test]
    fn found_tokens_are_whole_words_and_operators() {
        let text = "a charge-card += 1\n";
        let (_, end) = found_token(text, 2);
        assert_eq!(&text[2..end], "charge-card");
        let (_, end) = found_token(text, 14);
        assert_eq!(&text[14..end], "+=");
        assert!(matches!(found_token(text, 18).0, Found::EndOfFile));
        assert!(matches!(found_token("x\ny", 1).0, Found::EndOfLine));
        let (_, end) = found_token("🎈x", 0);
        assert_eq!(end, 4);
    }

    #[test]
    fn missing_operand_is_found_before_a_block_brace() {
        let tokens = [Tok::Lit("\"".into()), Tok::Lit("}".into())];
        assert_eq!(
            missing_operand_before_brace("if x > { ok", 9, &tokens),
            Some(7)
        );
        assert_eq!(
            missing_operand_before_brace("while { ok", 8, &tokens),
            Some(6)
        );
        assert_eq!(missing_operand_before_brace("x = { ok", 6, &tokens), None);
    }
}
