//! The lossless view of a file that the formatter works on: every token and every comment
//! in source order, each with the newlines that preceded it and the few facts about the
//! structure that the layout needs (where items and statements start, which braces open a
//! block, where the grammar demands a space). Nothing of the text is dropped except
//! whitespace, so printing the elements back with any whitespace between them gives the
//! same tokens and comments.
//!
//! The tokens come from the pest parse tree: each leaf pair is one token (a `string` is one
//! token, holes included), and the text between two leaves holds only the grammar's literal
//! punctuation (`(`, `{`, `,`, `->`, ...), a few literal words (`map` in `map<K, V>`,
//! `searchable` in `searchable on`), whitespace and comments, which a small lexer splits.
//!
//! [`Layout::tree`] records the parse tree as token ranges: two texts with equal elements
//! and equal trees parse to the same AST (up to spans), which is how the formatter proves
//! that it changed nothing but whitespace.

use lhw_grammar::pest::Parser;
use lhw_grammar::pest::iterators::Pair;
use lhw_grammar::{LhwParser, Rule};

use super::errors::{block_comment_len, is_space};
use crate::source::Span;

/// Which kind of bracket a `(`/`[`/`{` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// `( ... )`
    Paren,
    /// `[ ... ]`
    Bracket,
    /// `{ ... }` of a struct or user-task declaration, a `new` struct or a `map`.
    Brace,
    /// `{ ... }` of a JSON object literal.
    Json,
    /// `{ ... }` of a block of statements.
    Block,
}

/// What an element is, as far as spacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `// ...` up to the end of the line (the newline is not part of it).
    LineComment,
    /// `/* ... */`, possibly nested and spanning lines.
    BlockComment,
    /// A name: `(` and `[` follow it without a space (`greet(x)`, `items[0]`).
    Name,
    /// A keyword that `(` follows without a space: `task(name)(...)`, `catch any(e)`.
    CallWord,
    /// A type name: `[` follows it without a space (`str[]`).
    TypeName,
    /// A number, duration, string, boolean or `null`.
    Literal,
    /// Any other word (keywords, modifiers).
    Word,
    /// A binary or assignment operator: spaced on both sides.
    BinOp,
    /// A prefix operator (`-`, `!`): nothing after it.
    Prefix,
    /// An opening bracket.
    Open(Group),
    /// A closing bracket.
    Close(Group),
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `;`
    Semi,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `->`
    Arrow,
    /// `=` of a declaration.
    Equals,
    /// `<` of `map<K, V>`.
    AngleOpen,
    /// `>` of `map<K, V>`.
    AngleClose,
    /// Anything else (never produced by a successful parse of the current grammar).
    Other,
}

impl Kind {
    /// True for comments.
    pub(crate) fn is_comment(self) -> bool {
        matches!(self, Kind::LineComment | Kind::BlockComment)
    }
}

/// One token or comment.
#[derive(Debug, Clone)]
pub(crate) struct Element<'t> {
    /// The text exactly as in the source.
    pub text: &'t str,
    /// Where it is.
    pub span: Span,
    /// What it is.
    pub kind: Kind,
    /// How many newlines the whitespace between the previous element and this one holds.
    pub newlines_before: u32,
    /// The first token of an item or of a statement: it starts a line.
    pub starts_line: bool,
    /// `else`, or the `{` of a block: it stays on the line of what precedes it.
    pub joins: bool,
    /// The grammar needs whitespace before this token (inside `return`, `fail`, `emit` and
    /// `name value` settings, which are whitespace-sensitive).
    pub space_before: bool,
}

/// A file as elements plus its parse tree.
#[derive(Debug)]
pub(crate) struct Layout<'t> {
    /// Every token and comment, in order.
    pub elements: Vec<Element<'t>>,
    /// Every pair of the parse tree in pre-order: its rule and the range of tokens it
    /// covers (token indices count tokens only, not comments).
    pub tree: Vec<(Rule, u32, u32)>,
}

/// Why a text has no layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// The text does not parse (at this byte offset).
    Parse(usize),
    /// The parse holds recovered (malformed) text here.
    Recovered(Span),
}

/// Scans `text` into its layout.
pub(crate) fn scan(text: &str) -> Result<Layout<'_>, ScanError> {
    let file = LhwParser::parse(Rule::file, text)
        .map_err(|err| {
            ScanError::Parse(match err.location {
                lhw_grammar::pest::error::InputLocation::Pos(p) => p,
                lhw_grammar::pest::error::InputLocation::Span((p, _)) => p,
            })
        })?
        .next()
        .ok_or(ScanError::Parse(0))?;
    from_file_pair(text, file)
}

/// The layout of `text` from its parse (`file` is the pair of `Rule::file`).
pub(crate) fn from_file_pair<'t>(
    text: &'t str,
    file: Pair<'t, Rule>,
) -> Result<Layout<'t>, ScanError> {
    let mut scanner = Scanner {
        text,
        cursor: 0,
        newlines: 0,
        elements: Vec::with_capacity(text.len() / 4),
        tree: Vec::with_capacity(text.len() / 2),
        tokens: 0,
        pending_start: false,
        pending_space: false,
    };
    scanner.walk(file)?;
    scanner.gap(text.len(), Rule::file);
    Ok(Layout {
        elements: scanner.elements,
        tree: scanner.tree,
    })
}

struct Scanner<'t> {
    text: &'t str,
    /// Everything before this byte offset has been turned into elements.
    cursor: usize,
    /// Newlines seen since the last element.
    newlines: u32,
    elements: Vec<Element<'t>>,
    tree: Vec<(Rule, u32, u32)>,
    /// Tokens so far (comments not counted).
    tokens: u32,
    /// The next token starts an item or a statement.
    pending_start: bool,
    /// The next token needs whitespace before it.
    pending_space: bool,
}

/// Rules whose parts are separated by whitespace on one line (`same_line_ws`), not by the
/// implicit whitespace: each part after the first needs a space before it.
fn is_same_line_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::return_stmt
            | Rule::fail_stmt
            | Rule::emit_stmt
            | Rule::updates_stmt
            | Rule::setting_stmt
    )
}

/// The kind of the token that a leaf pair of `rule` (inside `parent`) is.
fn leaf_kind(rule: Rule, parent: Option<Rule>) -> Kind {
    match rule {
        Rule::ident if parent == Some(Rule::named_ty) => Kind::TypeName,
        Rule::ident | Rule::any_word => Kind::Name,
        Rule::prim_ty => Kind::TypeName,
        Rule::kw_task if parent == Some(Rule::dyn_call) => Kind::CallWord,
        Rule::kw_any if parent == Some(Rule::catch_any) => Kind::CallWord,
        Rule::kw_error if parent == Some(Rule::catch_error) => Kind::CallWord,
        Rule::kw_exception if parent == Some(Rule::catch_exception) => Kind::CallWord,
        Rule::op_or
        | Rule::op_and
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_pow
        | Rule::cmp_le
        | Rule::cmp_ge
        | Rule::cmp_eq
        | Rule::cmp_ne
        | Rule::cmp_lt
        | Rule::cmp_gt
        | Rule::assign_op => Kind::BinOp,
        Rule::op_neg | Rule::op_not => Kind::Prefix,
        Rule::int | Rule::double | Rule::duration | Rule::boolean | Rule::null | Rule::string => {
            Kind::Literal
        }
        _ => Kind::Word,
    }
}

/// The kind of a piece of punctuation found between leaves, inside a pair of `context`.
fn punct_kind(text: &str, context: Rule) -> Kind {
    let brace = match context {
        Rule::block => Group::Block,
        Rule::json_obj => Group::Json,
        _ => Group::Brace,
    };
    match text {
        "(" => Kind::Open(Group::Paren),
        ")" => Kind::Close(Group::Paren),
        "[" => Kind::Open(Group::Bracket),
        "]" => Kind::Close(Group::Bracket),
        "{" => Kind::Open(brace),
        "}" => Kind::Close(brace),
        "," => Kind::Comma,
        ":" => Kind::Colon,
        ";" => Kind::Semi,
        "." => Kind::Dot,
        ".." => Kind::DotDot,
        "->" => Kind::Arrow,
        "=" => Kind::Equals,
        "<" => Kind::AngleOpen,
        ">" => Kind::AngleClose,
        _ => Kind::Other,
    }
}

/// One step of the walk over the parse tree (iterative, so that no nesting depth can
/// overflow the stack).
enum Step<'t> {
    /// Visit a pair: its parent's rule, and whether its first token needs a space before it.
    Enter(Pair<'t, Rule>, Option<Rule>, bool),
    /// After a pair's children: lex up to its end, close its tree entry.
    Exit { node: usize, end: usize, rule: Rule },
}

impl<'t> Scanner<'t> {
    /// Walks the tree under `file`: for each pair the text before it, then its children (or
    /// itself, for a leaf), then the literal text after its last child.
    fn walk(&mut self, file: Pair<'t, Rule>) -> Result<(), ScanError> {
        let mut steps = vec![Step::Enter(file, None, false)];
        while let Some(step) = steps.pop() {
            match step {
                Step::Enter(pair, parent, space_before) => {
                    self.enter(pair, parent, space_before, &mut steps)?;
                }
                Step::Exit { node, end, rule } => {
                    self.gap(end, rule);
                    self.close(node);
                }
            }
        }
        Ok(())
    }

    fn enter(
        &mut self,
        pair: Pair<'t, Rule>,
        parent: Option<Rule>,
        space_before: bool,
        steps: &mut Vec<Step<'t>>,
    ) -> Result<(), ScanError> {
        let rule = pair.as_rule();
        let span = pair.as_span();
        let (start, end) = (span.start(), span.end());
        match rule {
            Rule::EOI => return Ok(()),
            Rule::error_item | Rule::error_stmt | Rule::block_unclosed => {
                return Err(ScanError::Recovered(Span::new(start, end)));
            }
            _ => {}
        }
        self.gap(start, parent.unwrap_or(Rule::file));
        if matches!(parent, Some(Rule::file | Rule::block)) {
            self.pending_start = true;
        }
        self.pending_space |= space_before;
        let node = self.tree.len();
        self.tree.push((rule, self.tokens, self.tokens));
        let children: Vec<Pair<'t, Rule>> = if rule == Rule::string {
            Vec::new()
        } else {
            pair.into_inner().collect()
        };
        if children.is_empty() {
            if self.text[start..end].starts_with(['(', '[', '{']) {
                // An empty bracket pair of a non-atomic rule (`()`, `[]`, `{}`, an empty
                // block): its brackets are literals, lex them (a comment may sit between).
                self.gap(end, rule);
            } else if start < end {
                self.token(start, end, leaf_kind(rule, parent));
            }
            self.close(node);
        } else {
            let same_line = is_same_line_rule(rule);
            steps.push(Step::Exit { node, end, rule });
            for (i, child) in children.into_iter().enumerate().rev() {
                steps.push(Step::Enter(child, Some(rule), same_line && i > 0));
            }
        }
        Ok(())
    }

    /// Ends the tree entry `node` at the current token.
    fn close(&mut self, node: usize) {
        if let Some(entry) = self.tree.get_mut(node) {
            entry.2 = self.tokens;
        }
    }

    /// Adds one token at `[start, end)`.
    fn token(&mut self, start: usize, end: usize, kind: Kind) {
        let text = &self.text[start..end];
        let joins = text == "else" || kind == Kind::Open(Group::Block);
        self.elements.push(Element {
            text,
            span: Span::new(start, end),
            kind,
            newlines_before: std::mem::take(&mut self.newlines),
            starts_line: std::mem::take(&mut self.pending_start),
            joins,
            space_before: std::mem::take(&mut self.pending_space),
        });
        self.tokens += 1;
        self.cursor = end;
    }

    /// Adds one comment at `[start, end)`.
    fn comment(&mut self, start: usize, end: usize, kind: Kind) {
        self.elements.push(Element {
            text: &self.text[start..end],
            span: Span::new(start, end),
            kind,
            newlines_before: std::mem::take(&mut self.newlines),
            starts_line: false,
            joins: false,
            space_before: false,
        });
        self.cursor = end;
    }

    /// Lexes the text from the cursor up to `end` (whitespace, comments and the grammar's
    /// literal punctuation and words), inside a pair of `context`.
    fn gap(&mut self, end: usize, context: Rule) {
        while self.cursor < end {
            let start = self.cursor;
            let rest = &self.text[start..end];
            let Some(c) = rest.chars().next() else {
                break;
            };
            if is_space(c) {
                // A line ends at `\n`, `\r\n` or a lone `\r`.
                if c == '\n' || (c == '\r' && !rest[1..].starts_with('\n')) {
                    self.newlines += 1;
                }
                self.cursor += c.len_utf8();
            } else if rest.starts_with("//") {
                let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
                self.comment(start, start + len, Kind::LineComment);
            } else if rest.starts_with("/*") {
                let len = block_comment_len(rest).unwrap_or(rest.len());
                self.comment(start, start + len, Kind::BlockComment);
            } else if c.is_ascii_alphabetic() || c == '_' {
                let bytes = rest.as_bytes();
                let word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
                let mut len = 1;
                while len < bytes.len() {
                    if word_char(bytes[len])
                        || (bytes[len] == b'-' && bytes.get(len + 1).is_some_and(|&b| word_char(b)))
                    {
                        len += 1;
                    } else {
                        break;
                    }
                }
                self.token(start, start + len, Kind::Word);
            } else {
                let len = if rest.starts_with("->") || rest.starts_with("..") {
                    2
                } else {
                    c.len_utf8()
                };
                let kind = punct_kind(&rest[..len], context);
                self.token(start, start + len, kind);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(String, Kind)> {
        scan(text)
            .expect("scans")
            .elements
            .iter()
            .map(|e| (e.text.to_string(), e.kind))
            .collect()
    }

    #[test]
    fn every_token_and_comment_is_kept_in_order() {
        let text = "// head\ntask t(a: int[]) -> map<str, int> /* tail */\nworkflow w {\n  input a: int\n  t(a)\n}\n";
        let joined: String = texts(text).iter().map(|(t, _)| t.as_str()).collect();
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let joined_squeezed: String = joined.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined_squeezed, squeezed);
    }

    #[test]
    fn punctuation_is_classified_by_its_rule() {
        let found = texts("workflow w {\n  var j: json-obj = {\"a\": [1]}\n}\n");
        let kinds: Vec<Kind> = found.iter().map(|(_, k)| *k).collect();
        assert!(kinds.contains(&Kind::Open(Group::Block)));
        assert!(kinds.contains(&Kind::Open(Group::Json)));
        assert!(kinds.contains(&Kind::Open(Group::Bracket)));
        assert!(kinds.contains(&Kind::Equals));
    }

    #[test]
    fn statements_start_lines_and_same_line_parts_need_spaces() {
        let layout = scan("workflow w {\n  fail oops \"bad\"\n}\n").expect("scans");
        let oops = layout
            .elements
            .iter()
            .find(|e| e.text == "oops")
            .expect("oops");
        assert!(oops.space_before);
        let fail = layout
            .elements
            .iter()
            .find(|e| e.text == "fail")
            .expect("fail");
        assert!(fail.starts_line);
    }

    #[test]
    fn recovered_text_has_no_layout() {
        assert!(matches!(
            scan("workflow w {\n  let = \n}\n"),
            Err(ScanError::Recovered(_))
        ));
    }
}
