//! Rendering stays correct and linear on extreme inputs: diagnostics past column 65,535
//! (miette's padding limit), very long lines, thousands of diagnostics, and files whose
//! lines end with a lone `\r`.

use lhw_compiler::diag::render::{RenderOptions, SAME_LIMIT, TOTAL_LIMIT, render_all};

fn rendered(text: &str) -> (usize, String) {
    let diags = lhw_compiler::check(text);
    let out = render_all(&diags, "/f.lhw", text, RenderOptions::default());
    (diags.len(), out)
}

#[test]
fn a_diagnostic_past_column_65536_renders_with_its_real_column() {
    let pad = " ".repeat(70_000);
    let text = format!("workflow w {{\n  var x: int = 0{pad} y = 1\n}}\n");
    let (n, out) = rendered(&text);
    assert!(n >= 1, "{out}");
    // The error is on line 2, past column 70,000; the line is cut around it.
    assert!(out.contains("/f.lhw:2:700"), "{out}");
    assert!(out.contains('…'), "{out}");
    assert!(out.len() < 5_000, "{} bytes", out.len());
}

#[test]
fn a_long_line_is_cut_around_each_label() {
    let text = format!(
        "task t(a: int)\nworkflow w {{\n  t({})\n}}\n",
        vec!["1"; 20_000].join(", ")
    );
    let (_, out) = rendered(&text);
    assert!(
        out.len() < 5_000,
        "{} bytes:\n{}",
        out.len(),
        &out[..out.len().min(3_000)]
    );
}

#[test]
fn repeated_diagnostics_are_counted_not_repeated() {
    // 4,000 assignments to an unknown variable on one 28 KB line.
    let text = format!(
        "workflow w {{\n  var s: str = \"\"\n  {}\n}}\n",
        "x = 1; ".repeat(4_000)
    );
    let (n, out) = rendered(&text);
    assert_eq!(n, 4_000);
    assert!(
        out.contains(&format!("{} more like this", 4_000 - SAME_LIMIT)),
        "{out}"
    );
    assert!(out.len() < 100_000, "{} bytes", out.len());
}

#[test]
fn at_most_the_total_limit_is_rendered() {
    // Many different messages: each unknown variable has its own name.
    let body: String = (0..1_000).map(|i| format!("  x{i} = 1\n")).collect();
    let text = format!("workflow w {{\n{body}}}\n");
    let (n, out) = rendered(&text);
    assert_eq!(n, 1_000);
    assert_eq!(out.matches("× ").count(), TOTAL_LIMIT, "{out}");
    assert!(
        out.contains(&format!("{} more not shown", 1_000 - TOTAL_LIMIT)),
        "{out}"
    );
}

#[test]
fn lone_carriage_returns_end_lines() {
    let text = "task t(a: int)\rworkflow w {\r  // a comment\r  t(\"no\")\r}\r";
    let compiled = lhw_compiler::compile(text);
    let errors: Vec<_> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", compiled.diagnostics);
    let out = render_all(
        &compiled.diagnostics,
        "/f.lhw",
        text,
        RenderOptions::default(),
    );
    // `"no"` is on line 4, column 5.
    assert!(out.contains("/f.lhw:4:5"), "{out}");
    // The same program with `\n` compiles to the same workflow once fixed.
    let fixed = text.replace("\"no\"", "1");
    let cr = lhw_compiler::compile(&fixed);
    let lf = lhw_compiler::compile(&fixed.replace('\r', "\n"));
    assert!(cr.output.is_some(), "{:#?}", cr.diagnostics);
    assert_eq!(
        format!("{:?}", cr.output.map(|o| o.wf_specs)),
        format!("{:?}", lf.output.map(|o| o.wf_specs))
    );
}

#[test]
fn a_file_with_lone_carriage_returns_formats_like_its_lf_version() {
    let text = "task t(a: int)\r\rworkflow w {\r  // a comment\r    t(1)\r}\r";
    let lf = text.replace('\r', "\n");
    assert_eq!(
        lhw_compiler::format::format(text),
        lhw_compiler::format::format(&lf)
    );
    assert!(lhw_compiler::format::format(&lf).is_ok());
}
