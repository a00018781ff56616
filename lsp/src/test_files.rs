//! Test files (`*.test.lhw`, `lhc test`): their diagnostics come from `lhw_compiler::test`,
//! checked against the workflow files they use: the editor's open text of a used file when
//! it is open, else the file on disk.

use std::path::{Path, PathBuf};

use lhw_compiler::diag::Diagnostic;
use tower_lsp_server::ls_types as lsp;

/// Whether the document is a test file.
pub(crate) fn is_test_file(uri: &lsp::Uri) -> bool {
    uri.as_str().ends_with(".test.lhw")
}

/// The local path of a `file://` URI (percent-decoded).
pub(crate) fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The diagnostics of the test file at `path` with text `text`; `open_text` gives the
/// editor's text of an open file.
pub(crate) fn diagnostics(
    path: &Path,
    text: &str,
    open_text: &dyn Fn(&Path) -> Option<String>,
) -> Vec<Diagnostic> {
    let (file, mut diags) = lhw_compiler::test::parse(text);
    let dir = path.parent().unwrap_or_else(|| Path::new(""));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let texts: Vec<String> = lhw_compiler::test::used_files(&name, &file)
        .iter()
        .filter_map(|u| {
            let p = dir.join(&u.path);
            open_text(&p).or_else(|| std::fs::read_to_string(&p).ok())
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let model = lhw_compiler::test::model_of(&refs);
    diags.extend(lhw_compiler::test::check(&file, &model).1);
    lhw_compiler::diag::sort_and_dedup(&mut diags);
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        let uri: lsp::Uri = "file:///tmp/a%20b/x.test.lhw"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(path_of(&uri), Some(PathBuf::from("/tmp/a b/x.test.lhw")));
        assert!(is_test_file(&uri));
    }

    #[test]
    fn a_test_file_is_checked_against_its_sibling() {
        let dir = std::env::temp_dir().join(format!("lhw-lsp-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let wf = "task t() -> str\nworkflow w {\n  let x = t()\n}\n";
        let _ = std::fs::write(dir.join("w.lhw"), wf);
        let good = "test \"ok\" for w {\n  mock t returns \"x\"\n}\n";
        let bad = "test \"bad\" for w {\n  mock u returns \"x\"\n}\n";
        let none = |_: &Path| None;
        assert!(diagnostics(&dir.join("w.test.lhw"), good, &none).is_empty());
        let d = diagnostics(&dir.join("w.test.lhw"), bad, &none);
        assert_eq!(d.first().map(|d| d.code.as_str()), Some("E0402"));
        // The editor's text of an open used file wins over the disk.
        let open = |p: &Path| {
            (p.ends_with("w.lhw"))
                .then(|| wf.replace("task t()", "task u()").replace("= t()", "= u()"))
        };
        assert!(diagnostics(&dir.join("w.test.lhw"), bad, &open).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
