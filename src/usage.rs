//! Usage errors from clap, with lhc's own "did you mean": clap's guess for a misspelt
//! subcommand is a string-similarity score that offers `principal` for `lhc rn`; lhc uses the
//! compiler's edit distance (the one every "did you mean" of lhc uses) and names the
//! subcommands a short word starts (`lhc dep` -> `dev`, `deploy`). An lhctl habit, a
//! positional `NAME=VALUE` after `lhc run WORKFLOW` (`lhctl run WFSPEC var value`), gets the
//! `--var` spelling as its tip.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory as _, Parser as _};

use crate::cli::Cli;

/// Parses the command line as `Cli::parse` does, improving the tips of usage errors; exits
/// (2 for a usage error, 0 for `--help`/`--version`) when it does not parse.
pub(crate) fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => improve(err, &args).exit(),
    }
}

/// `err` with lhc's tip in place of clap's, when lhc has a better one.
pub(crate) fn improve(mut err: clap::Error, args: &[std::ffi::OsString]) -> clap::Error {
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match err.kind() {
        ErrorKind::InvalidSubcommand => {
            let Some(ContextValue::String(bad)) = err.get(ContextKind::InvalidSubcommand) else {
                return err;
            };
            let bad = bad.clone();
            let (path, parent) = parent_of(&words, &bad);
            let tips = similar_subcommands(&parent, &bad);
            if tips.is_empty() {
                // Clap's guess (if any) is not close enough: no tip, but where to look.
                let shown = if path.is_empty() {
                    "lhc".to_string()
                } else {
                    format!("lhc {}", path.join(" "))
                };
                let mut parent = parent;
                return parent.error(
                    ErrorKind::InvalidSubcommand,
                    format!(
                        "unrecognized subcommand '{bad}'\n\n  tip: `{shown} --help` lists the subcommands"
                    ),
                );
            }
            err.insert(
                ContextKind::SuggestedSubcommand,
                ContextValue::Strings(tips),
            );
            err
        }
        ErrorKind::UnknownArgument => {
            let Some(ContextValue::String(bad)) = err.get(ContextKind::InvalidArg) else {
                return err;
            };
            let is_run = words
                .iter()
                .find(|w| !w.starts_with('-'))
                .map(String::as_str)
                == Some("run");
            if is_run && !bad.starts_with('-') && bad.contains('=') {
                let tip = format!("--var {bad}");
                err.insert(ContextKind::SuggestedArg, ContextValue::String(tip));
            }
            err
        }
        _ => err,
    }
}

/// The subcommand path before `bad` on the command line and the command it belongs to.
fn parent_of(words: &[String], bad: &str) -> (Vec<String>, clap::Command) {
    let mut cmd = Cli::command();
    cmd.build();
    let mut path = Vec::new();
    for word in words {
        if word == bad {
            break;
        }
        if word.starts_with('-') {
            continue;
        }
        let Some(sub) = cmd.find_subcommand(word).cloned() else {
            break;
        };
        path.push(sub.get_name().to_string());
        cmd = sub;
    }
    (path, cmd)
}

/// The subcommands of `cmd` within a small edit distance of `bad`, then those it starts.
fn similar_subcommands(cmd: &clap::Command, bad: &str) -> Vec<String> {
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .flat_map(|s| {
            std::iter::once(s.get_name().to_string())
                .chain(s.get_visible_aliases().map(str::to_string))
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    if let Some(c) = lhw_compiler::check::closest(bad, names.iter().map(String::as_str)) {
        out.push(c.to_string());
    }
    if bad.chars().count() >= 2 {
        for n in names.iter().filter(|n| n.starts_with(bad)) {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
    }
    out.truncate(3);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tip(line: &str) -> String {
        let args: Vec<std::ffi::OsString> = line.split(' ').map(Into::into).collect();
        let err = Cli::try_parse_from(&args).expect_err("a usage error");
        improve(err, &args).render().to_string()
    }

    #[test]
    fn a_misspelt_verb_gets_the_close_one() {
        let text = tip("lhc rn hello");
        assert!(
            text.contains("a similar subcommand exists: 'run'"),
            "{text}"
        );
        assert!(!text.contains("principal"), "{text}");
    }

    #[test]
    fn a_prefix_names_every_verb_it_starts() {
        let text = tip("lhc dep x.lhw");
        assert!(text.contains("'dev', 'deploy'"), "{text}");
    }

    #[test]
    fn nested_subcommands_are_matched_in_their_parent() {
        let text = tip("lhc get wfrn abc");
        assert!(
            text.contains("a similar subcommand exists: 'wfrun'"),
            "{text}"
        );
    }

    #[test]
    fn nothing_close_points_at_help() {
        let text = tip("lhc frobnicate");
        assert!(
            text.contains("unrecognized subcommand 'frobnicate'"),
            "{text}"
        );
        assert!(
            text.contains("`lhc --help` lists the subcommands"),
            "{text}"
        );
        assert!(!text.contains("similar"), "{text}");
    }

    #[test]
    fn an_lhctl_style_input_gets_the_var_flag() {
        let text = tip("lhc run hello name=World");
        assert!(
            text.contains("a similar argument exists: '--var name=World'"),
            "{text}"
        );
    }
}

/// The value parser of every `NAME=VALUE` flag (`--var`, `--result`): a value without `=` is a
/// usage error (exit 2) before lhc reads a file or calls a server.
pub(crate) fn name_value(raw: &str) -> Result<String, String> {
    match raw.split_once('=') {
        Some((name, _)) if !name.is_empty() => Ok(raw.to_owned()),
        Some(_) => Err("the name before `=` is empty".to_owned()),
        None => Err(format!(
            "expected NAME=VALUE: the name, `=`, then the value (e.g. `name={raw}`)"
        )),
    }
}

#[cfg(test)]
mod name_value_tests {
    use super::name_value;

    #[test]
    fn a_value_needs_a_name_and_an_equals_sign() {
        assert_eq!(name_value("name=World").as_deref(), Ok("name=World"));
        assert_eq!(name_value("name=").as_deref(), Ok("name="));
        assert_eq!(name_value("t:name=a=b").as_deref(), Ok("t:name=a=b"));
        assert!(name_value("name").unwrap_err().contains("NAME=VALUE"));
        assert!(name_value("=x").is_err());
    }
}
