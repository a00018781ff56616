//! `lhc fmt`: the one canonical layout of a `.lhw` file (docs/fmt.md lists the rules).
//!
//! The formatter changes whitespace only. It works on the lossless view of the file
//! (`syntax::layout`: every token and comment with the newlines before it), prints it with
//! canonical spacing and indentation ([`print`]), then proves its own output: the output is
//! scanned again and must hold the same tokens, the same comments and the same parse tree
//! (as token ranges) as the input. Equal trees give equal ASTs, so the compiled requests
//! cannot differ. If the proof fails, [`format`] returns an internal-error diagnostic and
//! no text, never a changed program.

mod print;

use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::layout::{Element, Layout, ScanError, scan};
use crate::syntax::problems::{FormatFailure, SyntaxProblem};

/// Formats `text` into the canonical layout.
///
/// # Errors
///
/// The syntax diagnostics (codes `E00xx`) when the text has syntax errors: such a file is
/// never formatted. An internal error (E0004, a formatter bug) when the formatted text would
/// not parse to the same tokens, comments and tree.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    // Syntax errors: E00xx, and E0321 (a declaration refused unparsed).
    let syntax_errors = |diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
        diags
            .into_iter()
            .filter(|d| {
                d.is_error() && (d.code.as_str().starts_with("E00") || d.code == Code::E0321)
            })
            .collect()
    };
    // Memory (docs/performance.md, "Memory on huge inputs"): the syntax errors come from the
    // parse `lhc check` runs (a declaration, and a workflow's statement, at a time), whose
    // AST is dropped at once; only then is the whole file scanned into its layout. Parsing
    // the file whole for both at once held its parse tree, its AST and its layout together.
    let mut syntax = syntax_errors(crate::syntax::parse(text).1);
    if !syntax.is_empty() {
        // What `lhc check` reports: the full parse recognises near-misses (`elif`,
        // `retry 3`) and gives one error with its fix.
        crate::diag::sort_and_dedup(&mut syntax);
        return Err(syntax);
    }
    let mut layout = match scan(text) {
        Ok(layout) => layout,
        Err(err) => {
            // The file read whole does not parse although its chunks do: its own syntax
            // errors, if it has some (the parse of the whole file is done only here).
            let whole = syntax_errors(crate::syntax::parse_with_layout(text).0);
            return Err(if whole.is_empty() {
                vec![scan_failure(err)]
            } else {
                whole
            });
        }
    };
    // Kept while the output is scanned again: at its length, not its grown capacity.
    layout.elements.shrink_to_fit();
    layout.tree.shrink_to_fit();
    let formatted = print::print(&layout.elements, text.len());
    // Spans of the formatted text mean nothing to the caller: point at the file start.
    let again = scan(&formatted)
        .map_err(|_| vec![internal(Span::new(0, 0), FormatFailure::OutputDoesNotParse)])?;
    if let Some(span) = first_difference(&layout, &again) {
        return Err(vec![internal(span, FormatFailure::OutputDiffers)]);
    }
    Ok(formatted)
}

/// True when `text` is already in the canonical layout (and has no syntax error).
#[must_use]
pub fn is_formatted(text: &str) -> bool {
    format(text).is_ok_and(|formatted| formatted == text)
}

/// A comment as the formatter writes it: trailing whitespace removed from every line
/// (which also turns CRLF inside a block comment into LF).
pub(crate) fn normalized_comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.trim_end());
    }
    out
}

/// Where two layouts first differ (as a span of the first), or `None` when they hold the
/// same tokens, comments and parse tree.
fn first_difference(before: &Layout<'_>, after: &Layout<'_>) -> Option<Span> {
    let same = |a: &Element<'_>, b: &Element<'_>| {
        a.kind == b.kind
            && if a.kind.is_comment() {
                normalized_comment(a.text) == normalized_comment(b.text)
            } else {
                a.text == b.text
            }
    };
    for (i, a) in before.elements.iter().enumerate() {
        match after.elements.get(i) {
            Some(b) if same(a, b) => {}
            _ => return Some(a.span),
        }
    }
    if after.elements.len() != before.elements.len() {
        return Some(before.elements.last().map_or(Span::new(0, 0), |e| e.span));
    }
    if before.tree != after.tree {
        let tokens: Vec<Span> = before
            .elements
            .iter()
            .filter(|e| !e.kind.is_comment())
            .map(|e| e.span)
            .collect();
        let at = before
            .tree
            .iter()
            .zip(&after.tree)
            .find(|(a, b)| a != b)
            .map_or(0, |(a, _)| a.1 as usize);
        return Some(tokens.get(at).copied().unwrap_or(Span::new(0, 0)));
    }
    None
}

/// The diagnostic for a text that parses for the compiler but not for the formatter's scan.
fn scan_failure(err: ScanError) -> Diagnostic {
    match err {
        ScanError::Parse(pos) => internal(Span::new(pos, pos), FormatFailure::ScanDoesNotParse),
        ScanError::Recovered(span) => internal(span, FormatFailure::ScanMalformed),
    }
}

/// An internal formatter error (E0004): the file is left as it is.
fn internal(span: Span, failure: FormatFailure) -> Diagnostic {
    SyntaxProblem::FormatterBug { span, failure }.diagnostic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_gets_the_canonical_layout() {
        let text = "task  greet( name :str )->str\nworkflow hello{\ninput name:str\n  let r=greet( name )\n\n\n\n  if r==\"x\"{return}else{fail oops \"bad\"}\n}";
        let expected = "task greet(name: str) -> str\nworkflow hello {\n  input name: str\n  let r = greet(name)\n\n  if r == \"x\" {\n    return\n  } else {\n    fail oops \"bad\"\n  }\n}\n";
        assert_eq!(format(text).as_deref(), Ok(expected));
        assert!(is_formatted(expected));
    }

    #[test]
    fn syntax_errors_are_returned_not_formatted() {
        let diags = format("workflow w {\n  let = 1\n}\n").expect_err("a syntax error");
        assert!(!diags.is_empty());
        assert!(diags.iter().all(|d| d.code == Code::E0001), "{diags:?}");
    }

    #[test]
    fn checker_errors_do_not_stop_formatting() {
        assert_eq!(
            format("workflow w {\n  x  =  1\n}\n").as_deref(),
            Ok("workflow w {\n  x = 1\n}\n")
        );
    }

    #[test]
    fn comments_are_normalized_only_at_line_ends() {
        assert_eq!(normalized_comment("/* a  \r\n b */"), "/* a\n b */");
        assert_eq!(normalized_comment("// x \r"), "// x");
    }
}
