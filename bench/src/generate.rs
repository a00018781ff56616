//! The deterministic workload: a realistic `.lhw` workflow of exactly N statements.
//!
//! `scripts/bench_python.py` holds a line-for-line copy of this generator (same splitmix64
//! stream, same draws in the same order) to build the equivalent workflow with the Python
//! SDK. Change both together; the bench checks that the two compiled entrypoint threads
//! have the same nodes.

use std::fmt::Write as _;

/// The int variables, declared with default = their index (`count = 0`, `total = 1`, ...).
pub const INT_VARS: [&str; 14] = [
    "count", "total", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "n12",
];
/// The str variables, declared with default `"v{index}"`.
pub const STR_VARS: [&str; 6] = ["s1", "s2", "s3", "s4", "s5", "s6"];
const SEED: u64 = 0x1A2B_3C4D_5E6F_7081;
const CMPS: [&str; 6] = [">", "<", ">=", "<=", "==", "!="];

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        // n is a small positive constant or count, so both conversions are lossless.
        (self.next() % n as u64) as usize
    }
}

/// `var CMP k`, `var` an index into [`INT_VARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cond {
    cmp: &'static str,
    var: usize,
    k: usize,
}

/// One statement of the plan. Indices refer to [`INT_VARS`] / [`STR_VARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// `notify(s)`
    Notify(usize),
    /// `audit(s, n)`
    Audit(usize, usize),
    /// `n = compute(m, k)`
    Compute(usize, usize, usize),
    /// `s = lookup(t)`
    Lookup(usize, usize),
    /// `n += k`
    Add(usize, usize),
    /// `n -= k`
    Sub(usize, usize),
    /// `n = n * 2`
    Double(usize),
    /// `n = m + k`
    Sum(usize, usize, usize),
    /// `s = "order {n} for {t}"`
    FmtAssign(usize, usize, usize),
    /// `notify("total is {n}")`
    FmtNotify(usize),
    /// `if cond { then } [else { otherwise }]`
    If(Cond, Vec<Stmt>, Option<Vec<Stmt>>),
    /// `while cond { body }`
    While(Cond, Vec<Stmt>),
}

fn gen_cond(rng: &mut Rng) -> Cond {
    let cmp = CMPS[rng.below(CMPS.len())];
    let var = rng.below(INT_VARS.len());
    let k = rng.below(100);
    Cond { cmp, var, k }
}

fn gen_simple(rng: &mut Rng, r: usize) -> Stmt {
    let (ni, ns) = (INT_VARS.len(), STR_VARS.len());
    match r {
        0..12 => Stmt::Notify(rng.below(ns)),
        12..20 => {
            let s = rng.below(ns);
            let n = rng.below(ni);
            Stmt::Audit(s, n)
        }
        20..32 => {
            let dst = rng.below(ni);
            let src = rng.below(ni);
            let k = rng.below(100);
            Stmt::Compute(dst, src, k)
        }
        32..40 => {
            let dst = rng.below(ns);
            let src = rng.below(ns);
            Stmt::Lookup(dst, src)
        }
        40..48 => {
            let dst = rng.below(ni);
            Stmt::Add(dst, 1 + rng.below(9))
        }
        48..52 => {
            let dst = rng.below(ni);
            Stmt::Sub(dst, 1 + rng.below(9))
        }
        52..58 => Stmt::Double(rng.below(ni)),
        58..64 => {
            let dst = rng.below(ni);
            let src = rng.below(ni);
            let k = rng.below(100);
            Stmt::Sum(dst, src, k)
        }
        64..72 => {
            let dst = rng.below(ns);
            let n = rng.below(ni);
            let s = rng.below(ns);
            Stmt::FmtAssign(dst, n, s)
        }
        _ => Stmt::FmtNotify(rng.below(ni)),
    }
}

fn gen_block(rng: &mut Rng, mut budget: usize, depth: usize) -> Vec<Stmt> {
    let mut out = Vec::new();
    while budget > 0 {
        let (stmt, used) = gen_stmt(rng, budget, depth);
        out.push(stmt);
        budget -= used;
    }
    out
}

fn gen_stmt(rng: &mut Rng, budget: usize, depth: usize) -> (Stmt, usize) {
    let mut r = rng.below(100);
    if r >= 84 {
        if depth < 2 && budget >= 3 {
            if r < 95 {
                return gen_if(rng, budget, depth);
            }
            return gen_while(rng, budget, depth);
        }
        r -= 84;
    }
    (gen_simple(rng, r), 1)
}

fn gen_if(rng: &mut Rng, budget: usize, depth: usize) -> (Stmt, usize) {
    let cond = gen_cond(rng);
    let avail = budget - 1;
    let then_n = 1 + rng.below(avail.min(3));
    let rest = avail - then_n;
    let mut else_n = 0;
    if rest > 0 && rng.below(2) == 0 {
        else_n = 1 + rng.below(rest.min(2));
    }
    let then = gen_block(rng, then_n, depth + 1);
    let otherwise = (else_n > 0).then(|| gen_block(rng, else_n, depth + 1));
    (Stmt::If(cond, then, otherwise), 1 + then_n + else_n)
}

fn gen_while(rng: &mut Rng, budget: usize, depth: usize) -> (Stmt, usize) {
    let var = rng.below(INT_VARS.len());
    let k = 1 + rng.below(10);
    let avail = budget - 1;
    let extra = rng.below((avail - 1).min(2) + 1);
    let mut body = vec![Stmt::Add(var, 1)];
    body.extend(gen_block(rng, extra, depth + 1));
    (Stmt::While(Cond { cmp: "<", var, k }, body), 2 + extra)
}

/// The statement plan of a workflow of `size` statements, the variable declarations included.
#[must_use]
pub fn plan(size: usize) -> Vec<Stmt> {
    let decls = INT_VARS.len() + STR_VARS.len();
    gen_block(&mut Rng(SEED), size.saturating_sub(decls), 0)
}

/// The number of statements in `stmts`, nested ones included (`else` is not one).
#[must_use]
pub fn count(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|s| match s {
            Stmt::If(_, then, otherwise) => 1 + count(then) + otherwise.as_deref().map_or(0, count),
            Stmt::While(_, body) => 1 + count(body),
            _ => 1,
        })
        .sum()
}

/// The `.lhw` source of the workflow of `size` statements.
#[must_use]
pub fn source(size: usize) -> String {
    let stmts = plan(size);
    let mut out = String::with_capacity(size * 28 + 512);
    out.push_str(&format!("// Generated by lhw-bench: {size} statements.\n"));
    out.push_str("task notify(message: str)\n");
    out.push_str("task audit(who: str, amount: int)\n");
    out.push_str("task compute(a: int, b: int) -> int\n");
    out.push_str("task lookup(key: str) -> str\n\n");
    out.push_str("workflow bench {\n");
    for (i, name) in INT_VARS.iter().enumerate() {
        let _ = writeln!(out, "  var {name}: int = {i}");
    }
    for (i, name) in STR_VARS.iter().enumerate() {
        let _ = writeln!(out, "  var {name}: str = \"v{i}\"");
    }
    block(&mut out, &stmts, 1);
    out.push_str("}\n");
    out
}

fn cond(c: &Cond) -> String {
    format!("{} {} {}", INT_VARS[c.var], c.cmp, c.k)
}

fn block(out: &mut String, stmts: &[Stmt], depth: usize) {
    for s in stmts {
        stmt(out, s, depth);
    }
}

fn stmt(out: &mut String, s: &Stmt, depth: usize) {
    let pad = "  ".repeat(depth);
    let (i, t) = (&INT_VARS, &STR_VARS);
    let _ = match s {
        Stmt::Notify(s) => writeln!(out, "{pad}notify({})", t[*s]),
        Stmt::Audit(s, n) => writeln!(out, "{pad}audit({}, {})", t[*s], i[*n]),
        Stmt::Compute(d, s, k) => writeln!(out, "{pad}{} = compute({}, {k})", i[*d], i[*s]),
        Stmt::Lookup(d, s) => writeln!(out, "{pad}{} = lookup({})", t[*d], t[*s]),
        Stmt::Add(d, k) => writeln!(out, "{pad}{} += {k}", i[*d]),
        Stmt::Sub(d, k) => writeln!(out, "{pad}{} -= {k}", i[*d]),
        Stmt::Double(d) => writeln!(out, "{pad}{0} = {0} * 2", i[*d]),
        Stmt::Sum(d, s, k) => writeln!(out, "{pad}{} = {} + {k}", i[*d], i[*s]),
        Stmt::FmtAssign(d, n, s) => writeln!(
            out,
            "{pad}{} = \"order {{{}}} for {{{}}}\"",
            t[*d], i[*n], t[*s]
        ),
        Stmt::FmtNotify(n) => writeln!(out, "{pad}notify(\"total is {{{}}}\")", i[*n]),
        Stmt::If(c, then, otherwise) => {
            let _ = writeln!(out, "{pad}if {} {{", cond(c));
            block(out, then, depth + 1);
            if let Some(other) = otherwise {
                let _ = writeln!(out, "{pad}}} else {{");
                block(out, other, depth + 1);
            }
            writeln!(out, "{pad}}}")
        }
        Stmt::While(c, body) => {
            let _ = writeln!(out, "{pad}while {} {{", cond(c));
            block(out, body, depth + 1);
            writeln!(out, "{pad}}}")
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_has_exactly_the_requested_statement_count() {
        let decls = INT_VARS.len() + STR_VARS.len();
        for size in [21, 22, 23, 50, 1000, 4321] {
            assert_eq!(count(&plan(size)) + decls, size, "size {size}");
        }
    }

    #[test]
    fn plan_is_deterministic_and_mixes_every_statement_kind() {
        let a = plan(2000);
        assert_eq!(a, plan(2000));
        let text = source(2000);
        for needle in [
            "notify(",
            "audit(",
            "compute(",
            "lookup(",
            "+= ",
            "-= ",
            " * 2",
            "order {",
            "total is {",
            "} else {",
            "while ",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
    }

    /// The hand-written fast parser reads every statement of the generated workflow (none
    /// is left to pest), and the result is the one pest alone gives.
    #[test]
    fn the_fast_parser_reads_every_generated_statement() {
        use lhw_compiler::syntax::{coverage, parse, pest_only};
        let text = source(3000);
        let read = coverage(&text);
        assert!(
            read.fallbacks.is_empty(),
            "left to pest: {:?}",
            read.fallbacks
        );
        assert!(read.fast > 1000, "only {} statements read", read.fast);
        assert!(parse(&text) == pest_only(|| parse(&text)));
    }

    #[test]
    fn generated_source_compiles_without_errors() {
        let text = source(1000);
        let compiled = lhw_compiler::compile(&text);
        let errors: Vec<_> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let out = compiled.output.expect("output when there are no errors");
        assert_eq!(out.wf_specs.len(), 1);
        assert_eq!(out.task_defs.len(), 4);
    }
}
