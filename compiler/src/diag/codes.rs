//! The registry of diagnostic codes. Codes are never renumbered or reused: a retired code
//! stays here with a note in its explanation. Every code has `docs/errors/<CODE>.md`.
//!
//! Each entry is `CODE => Severity, "title"`: the severity of every diagnostic with that
//! code comes from here (`Diagnostic::error` reads it).
//!
//! Ranges: E00xx syntax, E01xx names and resolution, E02xx types, E03xx workflow structure
//! and LittleHorse rules, W0xxx warnings.

macro_rules! codes {
    ($($code:ident => $severity:ident, $title:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $title]
                $code,
            )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as written in output, e.g. `E0101`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// How serious a diagnostic with this code is: stated once per code here, never
            /// guessed from the code's spelling.
            #[must_use]
            pub fn severity(self) -> super::Severity {
                match self {
                    $(Code::$code => super::Severity::$severity,)*
                }
            }

            /// A one-line title.
            #[must_use]
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$code => $title,)*
                }
            }

            /// The long explanation (Markdown), as `lhc explain` prints it.
            #[must_use]
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$code => include_str!(concat!("../../../docs/errors/", stringify!($code), ".md")),)*
                }
            }
        }
    };
}

codes! {
    E0001 => Error, "syntax error",
    E0002 => Error, "number literal out of range",
    E0003 => Error, "invalid escape in string",
    E0004 => Error, "internal formatter error",
    E0005 => Error, "block comment never closed",
    E0006 => Error, "duration written in a form the language does not read",
    E0101 => Error, "unknown variable",
    E0102 => Error, "unknown task",
    E0103 => Error, "duplicate declaration",
    E0104 => Error, "duplicate variable",
    E0105 => Error, "invalid LittleHorse name",
    E0106 => Error, "unknown type",
    E0107 => Error, "unknown method",
    E0108 => Error, "unknown workflow setting",
    E0109 => Error, "unknown event",
    E0110 => Error, "unknown workflow",
    E0111 => Error, "unknown user task form",
    E0112 => Error, "duplicate thread name",
    E0201 => Error, "wrong number of task arguments",
    E0202 => Error, "task argument type mismatch",
    E0203 => Error, "assignment type mismatch",
    E0204 => Error, "mutation not supported for this type",
    E0205 => Error, "condition is not a bool",
    E0206 => Error, "comparison of incompatible types",
    E0207 => Error, "operator not supported for these types",
    E0208 => Error, "invalid cast",
    E0209 => Error, "default value does not match the variable type",
    E0210 => Error, "task returns nothing",
    E0211 => Error, "expression statement has no effect",
    E0212 => Error, "selector on a value without fields",
    E0213 => Error, "invalid json path",
    E0214 => Error, "JSON literal holds a non-constant",
    E0215 => Error, "invalid searchable-on index",
    E0216 => Error, "let needs a step output",
    E0217 => Error, "task call in a loop condition",
    E0218 => Error, "step output used outside its thread",
    E0219 => Error, "task call in an else-if condition",
    E0220 => Error, "inconsistent workflow output",
    E0221 => Error, "wait on something that is not a thread or child workflow",
    E0222 => Error, "catch on a statement without exactly one step",
    E0223 => Error, "invalid failure to catch",
    E0224 => Error, "event used both as a step and as an interrupt",
    E0225 => Error, "inherited variable without a parent workflow",
    E0226 => Error, "invalid task option",
    E0227 => Error, "invalid user task assignment",
    E0228 => Error, "unknown child thread input",
    E0229 => Error, "task call in a wait-until condition",
    E0230 => Error, "missing required struct field",
    E0231 => Error, "binding without a type",
    E0232 => Error, "ambiguous catch on a wait for threads",
    E0233 => Error, "catch site on a step that is not a wait for threads",
    E0234 => Error, "invalid struct update policy",
    E0301 => Error, "unreachable statement",
    E0302 => Error, "placeholders in a failure message",
    E0303 => Error, "reserved failure name",
    E0304 => Error, "invalid workflow setting value",
    E0305 => Error, "duplicate workflow setting",
    E0306 => Error, "invalid duration",
    E0307 => Error, "workflow runs its own child workflow",
    E0320 => Error, "expression nested too deeply for LittleHorse",
    E0321 => Error, "too many brackets left open",
    E0401 => Error, "unknown workflow in a test",
    E0402 => Error, "unknown task in a test",
    E0403 => Error, "unknown variable or input in a test",
    E0404 => Error, "value of the wrong type in a test",
    E0405 => Error, "value in a test is not a constant",
    E0406 => Error, "wrong number of task arguments in a test",
    E0407 => Error, "unknown event in a test",
    E0408 => Error, "unknown user task or field in a test",
    E0409 => Error, "unknown expectation or state in a test",
    E0410 => Error, "required input missing when a test starts its run",
    E0411 => Error, "a test starts its run twice",
    E0412 => Error, "duplicate test name",
    E0413 => Error, "test file without usable workflows",
    W0001 => Warning, "unused variable",
    W0002 => Warning, "reassignment of a task assigned only to a group",
    W0003 => Warning, "cast of a string literal to bytes or wf-run-id",
    W0020 => Warning, "task mocked twice for the same calls",
    W0030 => Warning, "decompiled workflow compiles back to a different WfSpec",
    W0031 => Warning, "WfSpec shape the language cannot write",
    W0032 => Warning, "decompiled text does not compile",
    W0040 => Warning, "masked variable passed to an unmasked task parameter",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == upper)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            let doc = code.explanation();
            assert!(
                doc.starts_with(&format!("# {code}")),
                "docs/errors/{code}.md must start with '# {code}'"
            );
            assert!(doc.len() > 80, "docs/errors/{code}.md is too thin");
        }
    }

    #[test]
    fn severity_is_the_registry_s() {
        // The registry states each severity; the spelling convention (W for warnings)
        // must agree with it, so a reader of the code is not misled.
        for code in Code::ALL {
            let warning = code.severity() == crate::diag::Severity::Warning;
            assert_eq!(warning, code.as_str().starts_with('W'), "{code}");
        }
        let d = crate::diag::Diagnostic::error(Code::W0001, crate::source::Span::default(), "x");
        assert!(!d.is_error());
        let d = crate::diag::Diagnostic::error(Code::E0101, crate::source::Span::default(), "x");
        assert!(d.is_error());
    }

    #[test]
    fn codes_parse_back() {
        assert_eq!("e0101".parse::<Code>(), Ok(Code::E0101));
        assert!("E9999".parse::<Code>().is_err());
    }
}
