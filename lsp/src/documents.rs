//! The open documents: each one's text at its latest version, and its analyses (the one of
//! the latest version once computed, the latest computed, which the next one re-uses, and
//! the last one whose text parsed, which keeps answering while the text does not).

use std::collections::HashMap;
use std::sync::Arc;

use lhw_compiler::ide::{Analysis, OffsetMap};
use lhw_compiler::source::LineIndex;
use tower_lsp_server::ls_types as lsp;

use crate::convert::Lines;

/// One open document.
pub(crate) struct Document {
    /// The version the client gave the text.
    pub(crate) version: i32,
    /// The text at that version.
    pub(crate) text: Arc<str>,
    /// Its line index.
    pub(crate) lines: LineIndex,
    /// The analysis of `text`, once computed.
    pub(crate) current: Option<Arc<Analysis>>,
    /// The most recent analysis computed, of this text or an older one.
    pub(crate) latest: Option<Arc<Analysis>>,
    /// The most recent analysis of a text without syntax errors.
    pub(crate) last_good: Option<Arc<Analysis>>,
}

impl Document {
    /// A document opened with `text`.
    pub(crate) fn new(version: i32, text: &str) -> Document {
        Document {
            version,
            text: Arc::from(text),
            lines: LineIndex::new(text),
            current: None,
            latest: None,
            last_good: None,
        }
    }

    /// Applies the client's changes, in order, and moves to `version`.
    pub(crate) fn apply(
        &mut self,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) {
        for change in changes {
            let text = match change.range {
                Some(range) => {
                    let lines = Lines {
                        text: &self.text,
                        index: &self.lines,
                    };
                    let a = lines.offset_clamped(range.start) as usize;
                    let b = lines.offset_clamped(range.end) as usize;
                    let (start, end) = (a.min(b), a.max(b));
                    let mut text = String::with_capacity(self.text.len() + change.text.len());
                    text.push_str(&self.text[..start]);
                    text.push_str(&change.text);
                    text.push_str(&self.text[end..]);
                    text
                }
                None => change.text,
            };
            self.lines = LineIndex::new(&text);
            self.text = Arc::from(text);
        }
        self.version = version;
        self.current = None;
    }

    /// Records the analysis of `version`'s text.
    pub(crate) fn store(&mut self, version: i32, analysis: &Arc<Analysis>) {
        if version != self.version {
            return;
        }
        self.current = Some(Arc::clone(analysis));
        self.latest = Some(Arc::clone(analysis));
        if !analysis.has_syntax_errors() {
            self.last_good = Some(Arc::clone(analysis));
        }
    }
}

/// Every open document, by URI.
pub(crate) type Documents = HashMap<lsp::Uri, Document>;

/// What a request is answered from: the analysis of the document's latest text, and the
/// last one that parsed.
pub(crate) struct Snapshot {
    /// The analysis of the latest text.
    pub(crate) analysis: Arc<Analysis>,
    /// The last analysis of a text without syntax errors.
    pub(crate) last_good: Option<Arc<Analysis>>,
}

impl Snapshot {
    /// Positions in the latest text.
    pub(crate) fn lines(&self) -> Lines<'_> {
        Lines {
            text: self.analysis.text(),
            index: self.analysis.line_index(),
        }
    }

    /// When the latest text does not parse: the last analysis that did, and how offsets of
    /// the latest text map to it (only outside the text that changed since).
    pub(crate) fn fallback(&self) -> Option<(&Analysis, OffsetMap)> {
        if !self.analysis.has_syntax_errors() {
            return None;
        }
        let good = self.last_good.as_deref()?;
        Some((good, OffsetMap::new(good.text(), self.analysis.text())))
    }
}
