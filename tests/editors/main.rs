//! The editor integrations in `editors/`: their keyword lists agree with the pest grammar,
//! their manifests parse and name files that exist (`static_files`), and a real headless
//! Neovim gets diagnostics, hover and definition from `lhc lsp` (`neovim`).

mod neovim;
mod pest_words;
mod static_files;

use std::path::PathBuf;

/// The repository root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a file of the repository, failing the test with its path when it cannot.
fn read(relative: &str) -> String {
    let path = repo().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Parses a JSON file of the repository, failing the test with its path when it cannot.
fn read_json(relative: &str) -> serde_json::Value {
    serde_json::from_str(&read(relative))
        .unwrap_or_else(|e| panic!("{relative} is not valid JSON: {e}"))
}

/// The pest grammar's words.
fn pest() -> pest_words::PestWords {
    pest_words::pest_words(&read("grammar/src/lhw.pest"))
        .unwrap_or_else(|e| panic!("cannot read the keywords of grammar/src/lhw.pest: {e}"))
}
