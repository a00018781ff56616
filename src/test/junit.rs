//! `--format junit`: JUnit XML, one `<testsuite>` per test file, for CI systems.

use std::fmt::Write as _;

use super::output::{SuiteResults, place};

/// Escapes text for XML attributes and content.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The XML document; `broken` are test files that could not run (one error case each).
pub(crate) fn junit(results: &[SuiteResults<'_>], broken: &[String]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = results.iter().map(|r| r.cases.len()).sum::<usize>() + broken.len();
    let failures: usize = results
        .iter()
        .map(|r| r.cases.iter().filter(|c| c.failure.is_some()).count())
        .sum();
    let time: f64 = results
        .iter()
        .flat_map(|r| r.cases.iter())
        .map(|c| c.elapsed.as_secs_f64())
        .sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"lhc test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\" time=\"{time:.6}\">",
        broken.len()
    );
    for r in results {
        let suite_failures = r.cases.iter().filter(|c| c.failure.is_some()).count();
        let suite_time: f64 = r.cases.iter().map(|c| c.elapsed.as_secs_f64()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"0\" time=\"{suite_time:.6}\">",
            esc(&r.suite.shown),
            r.cases.len()
        );
        for c in &r.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"{:.6}\"",
                esc(&c.name),
                esc(&r.suite.shown),
                esc(&r.suite.shown),
                c.elapsed.as_secs_f64()
            );
            match &c.failure {
                None => out.push_str("/>\n"),
                Some(f) => {
                    let p = place(r.suite, f.span);
                    let mut body = format!(
                        "{}:{}:{}: {}\n",
                        r.suite.shown,
                        p.line,
                        p.column,
                        p.text.trim()
                    );
                    if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
                        let _ = writeln!(body, "expected: {e}\n  actual: {a}");
                    }
                    for n in &f.notes {
                        let _ = writeln!(body, "note: {n}");
                    }
                    let _ = write!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"assertion\">{}</failure>\n    </testcase>\n",
                        esc(&f.message),
                        esc(&body)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    for b in broken {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0\">\n    <testcase name=\"(load)\" classname=\"{0}\" time=\"0\">\n      <error message=\"the test file has errors\" type=\"diagnostics\"/>\n    </testcase>\n  </testsuite>",
            esc(b)
        );
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            super::esc("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\\u{1}"
        );
    }
}
