//! The words of the pest grammar (`grammar/src/lhw.pest`) that editors highlight: a small
//! reader of pest rules that computes the finite set of strings a rule matches.
//!
//! Only what the keyword rules use is understood: string literals, `~`, `|`, parentheses,
//! `?`, and lookaheads (`!`, `&`), which match no text. A reference to another rule (such as
//! `word_end`) counts as matching the empty string, so `"searchable" ~ kw_on ~ string` gives
//! `searchable`; repetitions (`*`, `+`, `{n,m}`) count their operand once.

use std::collections::{BTreeMap, BTreeSet};

/// The grammar's words, split the way editors colour them.
#[derive(Debug)]
pub struct PestWords {
    /// Words that can never be names: the `keyword` rule.
    pub reserved: BTreeSet<String>,
    /// Words that are keywords only where a statement uses them: every other word of a rule
    /// that ends at `word_end`, except the primitive types.
    pub contextual: BTreeSet<String>,
    /// The primitive type names: the `prim_ty` rule.
    pub types: BTreeSet<String>,
    /// The units of a duration literal (`30s`): the `duration` rule.
    pub duration_units: BTreeSet<String>,
}

/// Reads the keyword sets out of the pest grammar's text.
pub fn pest_words(grammar: &str) -> Result<PestWords, String> {
    let rules = rules(&tokens(grammar)?)?;
    let words_of = |name: &str| -> Result<BTreeSet<String>, String> {
        let body = rules
            .get(name)
            .ok_or_else(|| format!("the pest grammar has no rule `{name}`"))?;
        Ok(words(&language(body, name)?))
    };
    let reserved = words_of("keyword")?;
    let types = words_of("prim_ty")?;
    let duration_units = words_of("duration")?;
    let mut all = BTreeSet::new();
    for (name, body) in &rules {
        if body.iter().any(|t| *t == Token::Ident("word_end".into())) {
            all.extend(words(&language(body, name)?));
        }
    }
    let contextual = all
        .into_iter()
        .filter(|w| !reserved.contains(w) && !types.contains(w))
        .collect();
    if reserved.is_empty() || types.is_empty() {
        return Err("found no reserved words or no primitive types in the pest grammar".into());
    }
    Ok(PestWords {
        reserved,
        contextual,
        types,
        duration_units,
    })
}

/// Whether `s` looks like a word of the language: lowercase letters, digits and inner
/// hyphens (`workflow-event`, `json-obj`).
pub fn is_word(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

fn words(language: &BTreeSet<String>) -> BTreeSet<String> {
    language.iter().filter(|s| is_word(s)).cloned().collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(char),
}

/// Splits the grammar into identifiers, string literals and punctuation; drops comments.
fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' || c == '\'' {
            let quote = c;
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string in the pest grammar".into()),
                    Some(&q) if q == quote => break,
                    Some('\\') => {
                        // Escapes stand for characters that are never part of a word; keep
                        // the escape's first character so that such strings are not words.
                        s.push('\\');
                        if let Some(&e) = chars.get(i + 1) {
                            s.push(e);
                        }
                        i += 2;
                        continue;
                    }
                    Some(&ch) => s.push(ch),
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Str(s));
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    Ok(out)
}

/// The rules, `name = modifier? { body }`, by name.
fn rules(tokens: &[Token]) -> Result<BTreeMap<String, Vec<Token>>, String> {
    let mut rules = BTreeMap::new();
    let mut i = 0;
    while i < tokens.len() {
        let Token::Ident(name) = &tokens[i] else {
            return Err(format!("expected a rule name, found {:?}", tokens[i]));
        };
        i += 1;
        if tokens.get(i) != Some(&Token::Punct('=')) {
            return Err(format!("expected `=` after the rule name `{name}`"));
        }
        i += 1;
        match tokens.get(i) {
            Some(Token::Punct('@' | '$' | '!')) => i += 1,
            Some(Token::Ident(m)) if m == "_" => i += 1,
            _ => {}
        }
        if tokens.get(i) != Some(&Token::Punct('{')) {
            return Err(format!("expected `{{` to open the rule `{name}`"));
        }
        i += 1;
        let start = i;
        let mut depth = 1;
        while depth > 0 {
            match tokens.get(i) {
                None => return Err(format!("the rule `{name}` is not closed")),
                Some(Token::Punct('{')) => depth += 1,
                Some(Token::Punct('}')) => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        rules.insert(name.clone(), tokens[start..i - 1].to_vec());
    }
    Ok(rules)
}

/// Beyond this many strings a rule is not a keyword list.
const LANGUAGE_LIMIT: usize = 10_000;

/// The finite set of strings a rule body matches (see the module comment).
fn language(body: &[Token], rule: &str) -> Result<BTreeSet<String>, String> {
    let mut reader = Reader {
        tokens: body,
        at: 0,
        rule,
    };
    let set = reader.choice()?;
    if reader.at != body.len() {
        return Err(format!(
            "rule `{rule}`: unexpected {:?}",
            body[reader.at..].first()
        ));
    }
    Ok(set)
}

struct Reader<'a> {
    tokens: &'a [Token],
    at: usize,
    rule: &'a str,
}

impl Reader<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn choice(&mut self) -> Result<BTreeSet<String>, String> {
        let mut set = self.sequence()?;
        while self.peek() == Some(&Token::Punct('|')) {
            self.at += 1;
            set.extend(self.sequence()?);
        }
        Ok(set)
    }

    fn sequence(&mut self) -> Result<BTreeSet<String>, String> {
        let mut set = self.term()?;
        while self.peek() == Some(&Token::Punct('~')) {
            self.at += 1;
            let next = self.term()?;
            let mut product = BTreeSet::new();
            for a in &set {
                for b in &next {
                    product.insert(format!("{a}{b}"));
                }
            }
            if product.len() > LANGUAGE_LIMIT {
                return Err(format!("rule `{}` matches too many strings", self.rule));
            }
            set = product;
        }
        Ok(set)
    }

    fn term(&mut self) -> Result<BTreeSet<String>, String> {
        let mut lookahead = false;
        while let Some(Token::Punct('!' | '&')) = self.peek() {
            lookahead = true;
            self.at += 1;
        }
        let mut set = match self.tokens.get(self.at).cloned() {
            Some(Token::Str(s)) => {
                self.at += 1;
                BTreeSet::from([s])
            }
            Some(Token::Ident(_)) => {
                self.at += 1;
                BTreeSet::from([String::new()])
            }
            Some(Token::Punct('(')) => {
                self.at += 1;
                let inner = self.choice()?;
                if self.peek() != Some(&Token::Punct(')')) {
                    return Err(format!("rule `{}`: unclosed `(`", self.rule));
                }
                self.at += 1;
                inner
            }
            other => return Err(format!("rule `{}`: unexpected {other:?}", self.rule)),
        };
        loop {
            match self.peek() {
                Some(Token::Punct('?')) => {
                    self.at += 1;
                    set.insert(String::new());
                }
                Some(Token::Punct('*' | '+')) => self.at += 1,
                Some(Token::Punct('{')) => {
                    while self.peek().is_some_and(|t| *t != Token::Punct('}')) {
                        self.at += 1;
                    }
                    self.at += 1;
                }
                _ => break,
            }
        }
        Ok(if lookahead {
            BTreeSet::from([String::new()])
        } else {
            set
        })
    }
}
