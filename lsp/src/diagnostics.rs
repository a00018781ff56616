//! The compiler's diagnostics as LSP diagnostics: the code with a link to its explanation,
//! the help, and secondary labels as related information (or appended notes when the
//! client does not show related information).

use lhw_compiler::diag::{Code, Diagnostic, Severity};
use tower_lsp_server::ls_types as lsp;

use crate::DIAGNOSTIC_SOURCE;
use crate::convert::Lines;

/// How diagnostics are presented to this client.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// `{base}{CODE}.md` explains a code.
    pub(crate) docs_base: String,
    /// The client shows `relatedInformation`.
    pub(crate) related_information: bool,
}

/// The link to the explanation of `code`.
pub(crate) fn docs_url(opts: &Options, code: Code) -> Option<lsp::Uri> {
    format!("{}{}.md", opts.docs_base, code.as_str())
        .parse()
        .ok()
}

/// One diagnostic of the document `uri`.
pub(crate) fn to_lsp(
    d: &Diagnostic,
    lines: Lines<'_>,
    uri: &lsp::Uri,
    opts: &Options,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() && !d.message.contains(&d.primary.message) {
        message.push_str(": ");
        message.push_str(&d.primary.message);
    }
    if !opts.related_information {
        for label in &d.secondary {
            let line = lines.position(label.span.start).line + 1;
            message.push_str(&format!("\nnote: {} (line {line})", label.message));
        }
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related = (opts.related_information && !d.secondary.is_empty()).then(|| {
        d.secondary
            .iter()
            .map(|label| lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri: uri.clone(),
                    range: lines.range(label.span),
                },
                message: label.message.clone(),
            })
            .collect()
    });
    lsp::Diagnostic {
        range: lines.range(d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: docs_url(opts, d.code).map(|href| lsp::CodeDescription { href }),
        source: Some(DIAGNOSTIC_SOURCE.to_string()),
        message,
        related_information: related,
        tags: (d.code == Code::W0001).then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}
