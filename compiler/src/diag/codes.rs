//! The registry of diagnostic codes. Codes are never renumbered or reused: a retired code
//! stays here with a note in its explanation. Every code has `docs/errors/<CODE>.md`.
//!
//! Ranges: E00xx syntax, E01xx names and resolution, E02xx types, E03xx workflow structure
//! and LittleHorse rules, W0xxx warnings.

macro_rules! codes {
    ($($code:ident => $title:literal,)*) => {
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
    E0001 => "syntax error",
    E0002 => "number literal out of range",
    E0003 => "invalid escape in string",
    E0004 => "internal formatter error",
    E0005 => "block comment never closed",
    E0006 => "duration written in a form the language does not read",
    E0101 => "unknown variable",
    E0102 => "unknown task",
    E0103 => "duplicate declaration",
    E0104 => "duplicate variable",
    E0105 => "invalid LittleHorse name",
    E0106 => "unknown type",
    E0107 => "unknown method",
    E0108 => "unknown workflow setting",
    E0109 => "unknown event",
    E0110 => "unknown workflow",
    E0111 => "unknown user task form",
    E0112 => "duplicate thread name",
    E0201 => "wrong number of task arguments",
    E0202 => "task argument type mismatch",
    E0203 => "assignment type mismatch",
    E0204 => "mutation not supported for this type",
    E0205 => "condition is not a bool",
    E0206 => "comparison of incompatible types",
    E0207 => "operator not supported for these types",
    E0208 => "invalid cast",
    E0209 => "default value does not match the variable type",
    E0210 => "task returns nothing",
    E0211 => "expression statement has no effect",
    E0212 => "selector on a value without fields",
    E0213 => "invalid json path",
    E0214 => "JSON literal holds a non-constant",
    E0215 => "invalid searchable-on index",
    E0216 => "let needs a step output",
    E0217 => "task call in a loop condition",
    E0218 => "step output used outside its thread",
    E0219 => "task call in an else-if condition",
    E0220 => "inconsistent workflow output",
    E0221 => "wait on something that is not a thread or child workflow",
    E0222 => "catch on a statement without exactly one step",
    E0223 => "invalid failure to catch",
    E0224 => "event used both as a step and as an interrupt",
    E0225 => "inherited variable without a parent workflow",
    E0226 => "invalid task option",
    E0227 => "invalid user task assignment",
    E0228 => "unknown child thread input",
    E0229 => "task call in a wait-until condition",
    E0230 => "missing required struct field",
    E0231 => "binding without a type",
    E0232 => "ambiguous catch on a wait for threads",
    E0233 => "catch site on a step that is not a wait for threads",
    E0234 => "invalid struct update policy",
    E0301 => "unreachable statement",
    E0302 => "placeholders in a failure message",
    E0303 => "reserved failure name",
    E0304 => "invalid workflow setting value",
    E0305 => "duplicate workflow setting",
    E0306 => "invalid duration",
    E0307 => "workflow runs its own child workflow",
    E0320 => "expression nested too deeply for LittleHorse",
    E0321 => "too many brackets left open",
    E0401 => "unknown workflow in a test",
    E0402 => "unknown task in a test",
    E0403 => "unknown variable or input in a test",
    E0404 => "value of the wrong type in a test",
    E0405 => "value in a test is not a constant",
    E0406 => "wrong number of task arguments in a test",
    E0407 => "unknown event in a test",
    E0408 => "unknown user task or field in a test",
    E0409 => "unknown expectation or state in a test",
    E0410 => "required input missing when a test starts its run",
    E0411 => "a test starts its run twice",
    E0412 => "duplicate test name",
    E0413 => "test file without usable workflows",
    W0001 => "unused variable",
    W0002 => "reassignment of a task assigned only to a group",
    W0003 => "cast of a string literal to bytes or wf-run-id",
    W0020 => "task mocked twice for the same calls",
    W0030 => "decompiled workflow compiles back to a different WfSpec",
    W0031 => "WfSpec shape the language cannot write",
    W0032 => "decompiled text does not compile",
    W0040 => "masked variable passed to an unmasked task parameter",
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
    fn codes_parse_back() {
        assert_eq!("e0101".parse::<Code>(), Ok(Code::E0101));
        assert!("E9999".parse::<Code>().is_err());
    }
}
