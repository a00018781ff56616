//! Where `lhc run` takes input values from: `--var NAME=VALUE`, `--var NAME=@-` (the value is
//! standard input, so a secret never shows in the process list or the shell history) and
//! `--var-file FILE` (`NAME=VALUE` lines; blank lines and lines starting with `#` are
//! skipped). Messages about a value from standard input or a file never repeat the value.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::inspect::assign::split;

/// The `--var` value that means "read it from standard input".
pub(crate) const FROM_STDIN: &str = "@-";

/// One input value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VarInput {
    /// The variable's name.
    pub name: String,
    /// The value as text.
    pub value: String,
    /// Where it was given.
    pub origin: Origin,
}

/// Where an input value was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `--var NAME=VALUE` (the raw argument).
    Arg(String),
    /// `--var NAME=@-`.
    Stdin,
    /// A line of a `--var-file`.
    File { path: PathBuf, line: usize },
}

impl VarInput {
    /// Whether the value may be repeated in a message (only what the command line shows
    /// anyway).
    pub(crate) fn shown(&self) -> bool {
        matches!(self.origin, Origin::Arg(_))
    }
}

impl fmt::Display for VarInput {
    /// How messages name the input: `--var a=1`, `--var a=@-`, `--var-file s.env:3 (a)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::Arg(raw) => write!(f, "--var {raw}"),
            Origin::Stdin => write!(f, "--var {}={FROM_STDIN}", self.name),
            Origin::File { path, line } => {
                write!(f, "--var-file {}:{line} ({})", path.display(), self.name)
            }
        }
    }
}

/// Collects the inputs of `--var` and `--var-file`, reading standard input from `stdin` for
/// the one `--var NAME=@-` allowed.
pub(crate) fn collect(
    vars: &[String],
    files: &[PathBuf],
    mut stdin: impl Read,
) -> Result<Vec<VarInput>, String> {
    let mut out = Vec::new();
    for path in files {
        out.extend(read_file(path)?);
    }
    let mut stdin_used = false;
    for raw in vars {
        let (name, value) = split("--var", raw, "NAME=VALUE")?;
        if value == FROM_STDIN {
            if stdin_used {
                return Err(format!(
                    "--var {raw}: standard input is already the value of another --var \
                     (only one --var NAME={FROM_STDIN} per command; use --var-file for more)"
                ));
            }
            stdin_used = true;
            let mut text = String::new();
            stdin.read_to_string(&mut text).map_err(|e| {
                format!("--var {raw}: cannot read the value from standard input: {e}")
            })?;
            out.push(VarInput {
                name: name.to_string(),
                value: strip_final_newline(text),
                origin: Origin::Stdin,
            });
        } else {
            out.push(VarInput {
                name: name.to_string(),
                value: value.to_string(),
                origin: Origin::Arg(raw.clone()),
            });
        }
    }
    Ok(out)
}

/// A value read from a pipe or `echo` ends with one newline that is not part of it.
fn strip_final_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

fn read_file(path: &Path) -> Result<Vec<VarInput>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "--var-file {}: cannot read it: {}",
            path.display(),
            crate::io_reason(&e)
        )
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            // The line is not repeated: it may be a secret missing its `NAME=`.
            return Err(format!(
                "--var-file {}:{}: expected NAME=VALUE",
                path.display(),
                i + 1
            ));
        };
        out.push(VarInput {
            name: name.trim().to_string(),
            value: value.strip_suffix('\r').unwrap_or(value).to_string(),
            origin: Origin::File {
                path: path.to_path_buf(),
                line: i + 1,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stdin_gives_one_value_without_its_final_newline() {
        let got = collect(&args(&["a=1", "token=@-"]), &[], "S3cr3t\n".as_bytes()).expect("ok");
        assert_eq!(got[0].value, "1");
        assert_eq!(got[1].value, "S3cr3t");
        assert_eq!(got[1].origin, Origin::Stdin);
        assert_eq!(got[1].to_string(), "--var token=@-");
        assert!(!got[1].shown());
        let twice = collect(&args(&["a=@-", "b=@-"]), &[], "x".as_bytes()).expect_err("twice");
        assert!(twice.contains("only one"), "{twice}");
    }

    #[test]
    fn a_var_file_skips_comments_and_keeps_values_verbatim() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("s.env");
        std::fs::write(&f, "# secrets\n\ntoken=a=b c \r\nn = 3\n").expect("write");
        let got = collect(&[], std::slice::from_ref(&f), std::io::empty()).expect("ok");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].name.as_str(), got[0].value.as_str()),
            ("token", "a=b c ")
        );
        assert_eq!((got[1].name.as_str(), got[1].value.as_str()), ("n", " 3"));
        assert_eq!(
            got[0].to_string(),
            format!("--var-file {}:3 (token)", f.display())
        );
    }

    #[test]
    fn a_bad_var_file_line_is_not_repeated() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("s.env");
        std::fs::write(&f, "S3cr3t-without-name\n").expect("write");
        let err = collect(&[], std::slice::from_ref(&f), std::io::empty()).expect_err("bad");
        assert!(err.ends_with(":1: expected NAME=VALUE"), "{err}");
        assert!(!err.contains("S3cr3t"), "{err}");
        let missing = collect(&[], &[dir.path().join("nope")], std::io::empty()).expect_err("x");
        assert!(missing.contains("cannot read it"), "{missing}");
    }
}
