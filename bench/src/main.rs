//! `lhw-bench`: how fast, and in how much memory, the `.lhw` compiler turns a workflow of
//! 1,000 / 10,000 / 100,000 statements into JSON requests, side by side with the official
//! LittleHorse Python SDK building the same workflow (`scripts/bench_python.py`).
//!
//! Each size runs in its own child process (this binary re-executed with the hidden
//! `--one SIZE` flag) so that its peak RSS (`VmHWM`, read after the first compile) is its
//! own; a second child (`--stages SIZE`) reads the peak after each stage of one pass, to
//! show where the memory goes. The parent prints a table
//! and writes it as JSON to `target/bench/compile.json`. This is a measurement: it asserts
//! nothing about speed. It fails only when the workload is broken (the generated file does
//! not compile, or the two tools' workflows differ in node count).
//!
//! Usage: `lhw-bench [--sizes 1000,10000,100000] [--python PATH] [--no-python] [--out PATH]`;
//! `lhw-bench --emit SIZE` prints the generated workflow
//! (`scripts/bench.sh` builds it in release and prepares the Python venv);
//! `lhw-bench --file check|fmt|compile PATH` runs what `lhc check` / `lhc fmt` / `lhc compile`
//! run on one file (the library calls, without the CLI's IO) and prints its wall time and
//! peak RSS (docs/performance.md).

mod generate;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use serde::{Deserialize, Serialize};

const USAGE: &str =
    "usage: lhw-bench [--sizes 1000,10000,100000] [--python PATH] [--no-python] [--out PATH]
       lhw-bench --emit SIZE    print the generated .lhw workflow of SIZE statements
       lhw-bench --file check|fmt|compile PATH    time and peak RSS of one file";
const DEFAULT_SIZES: [usize; 3] = [1_000, 10_000, 100_000];
/// Node counts of the two workloads may differ by at most this fraction.
const NODE_TOLERANCE: f64 = 0.03;

/// What a `--one SIZE` child measures for our compiler.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LhwRun {
    size: usize,
    statements: usize,
    text_bytes: usize,
    runs: usize,
    /// Wall time of `compile` + `to_json_pretty` of every request, per run.
    times_ms: Vec<f64>,
    median_ms: f64,
    /// Medians of each stage timed separately (same number of runs).
    parse_ms: f64,
    check_ms: f64,
    lower_ms: f64,
    json_ms: f64,
    /// `VmHWM` after the first run (the peak of one compile + JSON), and at the start of
    /// the child (before generating the text).
    peak_rss_kb: Option<u64>,
    /// `VmHWM` at the end of the child, after every run (heap fragmentation included).
    peak_rss_all_runs_kb: Option<u64>,
    baseline_rss_kb: Option<u64>,
    /// From the separate `--stages` child.
    stage_rss: Option<StageRss>,
    nodes: usize,
    edges: usize,
    node_names_digest: String,
    json_bytes: usize,
    warnings: usize,
}

/// What `scripts/bench_python.py SIZE` prints.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PyRun {
    size: usize,
    runs: usize,
    times_ms: Vec<f64>,
    median_ms: f64,
    /// `ru_maxrss` after the first run (one build + compile + JSON), and after all runs.
    peak_rss_kb: u64,
    peak_rss_all_runs_kb: u64,
    baseline_rss_kb: u64,
    nodes: usize,
    edges: usize,
    node_names_digest: String,
    json_bytes: usize,
}

#[derive(Debug, Serialize)]
struct Row {
    size: usize,
    lhw: Option<LhwRun>,
    lhw_error: Option<String>,
    python: Option<PyRun>,
    python_error: Option<String>,
    /// python median / lhw median.
    speed_ratio: Option<f64>,
    lhw_us_per_statement: Option<f64>,
    python_us_per_statement: Option<f64>,
    /// Whether the two compiled entrypoint threads have exactly the same node names.
    same_nodes: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Report {
    tool: &'static str,
    note: &'static str,
    rows: Vec<Row>,
}

struct Options {
    sizes: Vec<usize>,
    python: Option<PathBuf>,
    out: PathBuf,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--one") => child(&args[1..]),
        Some("--stages") => stages_child(&args[1..]),
        Some("--emit") => emit(&args[1..]),
        Some("--file") => file_mode(&args[1..]),
        _ => parse_options(&args).and_then(|o| parent(&o)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lhw-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let root = repo_root();
    let mut opts = Options {
        sizes: DEFAULT_SIZES.to_vec(),
        python: Some(root.join(".venv/bin/python")),
        out: root.join("target/bench/compile.json"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--sizes" => {
                opts.sizes = value()?
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<usize>()
                            .map_err(|e| format!("bad size {s:?}: {e}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--python" => opts.python = Some(PathBuf::from(value()?)),
            "--no-python" => opts.python = None,
            "--out" => opts.out = PathBuf::from(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if opts.sizes.contains(&0) {
        return Err("sizes must be positive".into());
    }
    Ok(opts)
}

/// Runs of our compiler per size: fewer at 100k.
fn lhw_runs(size: usize) -> usize {
    match size {
        0..=5_000 => 9,
        5_001..=50_000 => 7,
        _ => 3,
    }
}

/// Runs of the Python SDK per size (it is much slower, and quadratic).
fn python_runs(size: usize) -> usize {
    match size {
        0..=5_000 => 5,
        5_001..=50_000 => 3,
        _ => 1,
    }
}

// ----------------------------------------------------------------------------------------
// Child: measure one size
// ----------------------------------------------------------------------------------------

/// `VmHWM` (peak resident set size) of this process, in KiB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Every request of `out` as pretty JSON, as `lhc` writes them.
fn to_json(out: &lhw_compiler::Output) -> Vec<String> {
    let mut docs = Vec::new();
    docs.extend(out.task_defs.iter().map(lhw_proto::to_json_pretty));
    docs.extend(
        out.external_event_defs
            .iter()
            .map(lhw_proto::to_json_pretty),
    );
    docs.extend(
        out.workflow_event_defs
            .iter()
            .map(lhw_proto::to_json_pretty),
    );
    docs.extend(out.struct_defs.iter().map(lhw_proto::to_json_pretty));
    docs.extend(out.user_task_defs.iter().map(lhw_proto::to_json_pretty));
    docs.extend(out.wf_specs.iter().map(lhw_proto::to_json_pretty));
    docs
}

/// Every request of `out` as pretty JSON written to a writer one by one, as `lhc compile`
/// writes its files (never a whole document in memory); returns the bytes written.
fn stream_json(out: &lhw_compiler::Output) -> Result<usize, String> {
    /// Counts the bytes written to it, keeping none.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    fn one<T: Serialize>(w: &mut Count, msg: &T) -> Result<(), String> {
        lhw_proto::write_json_pretty(&mut *w, msg).map_err(|e| e.to_string())?;
        w.0 += 1; // the newline lhc writes after each document
        Ok(())
    }
    let mut w = Count(0);
    out.task_defs.iter().try_for_each(|m| one(&mut w, m))?;
    out.external_event_defs
        .iter()
        .try_for_each(|m| one(&mut w, m))?;
    out.workflow_event_defs
        .iter()
        .try_for_each(|m| one(&mut w, m))?;
    out.struct_defs.iter().try_for_each(|m| one(&mut w, m))?;
    out.user_task_defs.iter().try_for_each(|m| one(&mut w, m))?;
    out.wf_specs.iter().try_for_each(|m| one(&mut w, m))?;
    Ok(w.0)
}

/// FNV-1a 64, as `bench_python.py` computes it.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xCBF2_9CE4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// Parses `SIZE [--runs R]` after `--one` / `--stages`.
fn child_args(args: &[String]) -> Result<(usize, usize), String> {
    let size: usize = args
        .first()
        .ok_or("a size is needed")?
        .parse()
        .map_err(|e| format!("bad size: {e}"))?;
    let runs = match args.get(1).map(String::as_str) {
        Some("--runs") => args
            .get(2)
            .ok_or("--runs needs a value")?
            .parse()
            .map_err(|e| format!("bad run count: {e}"))?,
        _ => lhw_runs(size),
    };
    Ok((size, runs))
}

fn print_json<T: Serialize>(value: &T) -> Result<(), String> {
    let line = serde_json::to_string(value).map_err(|e| e.to_string())?;
    println!("{line}");
    Ok(())
}

/// `--one SIZE [--runs R]`: the timings of one size, and the peak RSS of one compile.
fn child(args: &[String]) -> Result<(), String> {
    let baseline_rss_kb = peak_rss_kb();
    let (size, runs) = child_args(args)?;
    let runs = runs.max(1);
    let text = generate::source(size);
    let statements = generate::count(&generate::plan(size))
        + generate::INT_VARS.len()
        + generate::STR_VARS.len();

    // End to end: compile + JSON of every request. The first run is also the memory
    // measurement (the peak of one compile, before repeated runs fragment the heap) and
    // validates the workload.
    let mut times_ms = Vec::with_capacity(runs);
    let start = Instant::now();
    let compiled = lhw_compiler::compile(black_box(&text));
    let docs = compiled.output.as_ref().map(to_json).unwrap_or_default();
    times_ms.push(ms(start));
    let peak_one_compile_kb = peak_rss_kb();
    validate(&text, size, compiled.diagnostics.iter())?;
    let output = compiled
        .output
        .as_ref()
        .ok_or("no output although there were no errors")?;
    let shape = Shape::of(output, &docs, compiled.diagnostics.len())?;
    drop(docs);
    drop(compiled);
    for _ in 1..runs {
        let start = Instant::now();
        let compiled = lhw_compiler::compile(black_box(&text));
        let docs = compiled.output.as_ref().map(to_json).unwrap_or_default();
        black_box(&docs);
        times_ms.push(ms(start));
        drop(docs);
        drop(compiled);
    }

    // Per stage, to locate a hotspot if the total is not linear.
    let (mut parse, mut check, mut lower, mut json) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let (file, _) = lhw_compiler::syntax::parse(black_box(&text));
        parse.push(ms(t));
        let t = Instant::now();
        let (model, _) = lhw_compiler::check::check(&file);
        check.push(ms(t));
        let t = Instant::now();
        let (out, _) = lhw_compiler::lower::lower(&file, &model);
        lower.push(ms(t));
        let t = Instant::now();
        black_box(to_json(&out));
        json.push(ms(t));
    }

    print_json(&LhwRun {
        size,
        statements,
        text_bytes: text.len(),
        runs,
        median_ms: median(&times_ms),
        times_ms,
        parse_ms: median(&parse),
        check_ms: median(&check),
        lower_ms: median(&lower),
        json_ms: median(&json),
        peak_rss_kb: peak_one_compile_kb,
        peak_rss_all_runs_kb: peak_rss_kb(),
        baseline_rss_kb,
        stage_rss: None,
        nodes: shape.nodes,
        edges: shape.edges,
        node_names_digest: shape.digest,
        json_bytes: shape.json_bytes,
        warnings: shape.warnings,
    })
}

/// `--emit SIZE`: prints the generated workflow.
fn emit(args: &[String]) -> Result<(), String> {
    let (size, _) = child_args(args)?;
    print!("{}", generate::source(size));
    Ok(())
}

/// `--file MODE PATH`: what `lhc check`, `lhc fmt` or `lhc compile` does with one file, as
/// library calls: the diagnostics rendered (check, compile), the formatted text (fmt), every
/// request streamed as pretty JSON (compile; [`stream_json`]). Prints one JSON line: the time and the peak RSS.
fn file_mode(args: &[String]) -> Result<(), String> {
    let (Some(mode), Some(path)) = (args.first(), args.get(1)) else {
        return Err("--file needs a mode (check, fmt, compile) and a path".into());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let text_kb = peak_rss_kb();
    let start = Instant::now();
    let render = |diags: &[lhw_compiler::diag::Diagnostic]| {
        lhw_compiler::diag::render::render_all(diags, path, &text, Default::default())
    };
    let (errors, out_bytes) = match mode.as_str() {
        "check" => {
            let diags = lhw_compiler::check(black_box(&text));
            let errors = diags.iter().filter(|d| d.is_error()).count();
            (errors, render(&diags).len())
        }
        "fmt" => match lhw_compiler::format::format(black_box(&text)) {
            Ok(formatted) => (0, formatted.len()),
            Err(diags) => (
                diags.iter().filter(|d| d.is_error()).count(),
                render(&diags).len(),
            ),
        },
        "compile" => {
            let compiled = lhw_compiler::compile(black_box(&text));
            let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
            let rendered = render(&compiled.diagnostics).len();
            let json = compiled.output.as_ref().map_or(Ok(0), stream_json)?;
            (errors, rendered + json)
        }
        other => return Err(format!("unknown mode {other:?}: check, fmt or compile")),
    };
    #[derive(Serialize)]
    struct FileRun<'a> {
        mode: &'a str,
        text_bytes: usize,
        ms: f64,
        errors: usize,
        out_bytes: usize,
        text_rss_kb: Option<u64>,
        peak_rss_kb: Option<u64>,
    }
    print_json(&FileRun {
        mode,
        text_bytes: text.len(),
        ms: ms(start),
        errors,
        out_bytes,
        text_rss_kb: text_kb,
        peak_rss_kb: peak_rss_kb(),
    })
}

/// `--stages SIZE`: one pass stage by stage in a fresh process, reading the peak RSS after
/// each stage (its output and the earlier ones still alive).
fn stages_child(args: &[String]) -> Result<(), String> {
    let (size, _) = child_args(args)?;
    let text = generate::source(size);
    let text_kb = peak_rss_kb();
    let (file, _) = lhw_compiler::syntax::parse(black_box(&text));
    let parse_kb = peak_rss_kb();
    let (model, _) = lhw_compiler::check::check(&file);
    let check_kb = peak_rss_kb();
    let (out, _) = lhw_compiler::lower::lower(&file, &model);
    let lower_kb = peak_rss_kb();
    let docs = black_box(to_json(&out));
    let json_kb = peak_rss_kb();
    drop(docs);
    print_json(&StageRss {
        text_kb,
        parse_kb,
        check_kb,
        lower_kb,
        json_kb,
    })
}

/// Peak RSS (`VmHWM`, KiB) of the child after generating the text and after each stage
/// of the first pass (each stage's output still alive).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StageRss {
    text_kb: Option<u64>,
    parse_kb: Option<u64>,
    check_kb: Option<u64>,
    lower_kb: Option<u64>,
    json_kb: Option<u64>,
}

/// The size of the compiled entrypoint thread, to compare with the Python SDK's.
struct Shape {
    nodes: usize,
    edges: usize,
    digest: String,
    json_bytes: usize,
    warnings: usize,
}

impl Shape {
    fn of(out: &lhw_compiler::Output, docs: &[String], warnings: usize) -> Result<Shape, String> {
        let wf = out.wf_specs.first().ok_or("no WfSpec in the output")?;
        let entry = wf
            .thread_specs
            .get(&wf.entrypoint_thread_name)
            .ok_or("no entrypoint thread")?;
        let names: Vec<&str> = entry.nodes.keys().map(String::as_str).collect();
        Ok(Shape {
            nodes: entry.nodes.len(),
            edges: entry.nodes.values().map(|n| n.outgoing_edges.len()).sum(),
            digest: format!("{:016x}", fnv1a(names.join("\n").as_bytes())),
            json_bytes: docs.iter().map(String::len).sum(),
            warnings,
        })
    }
}

/// Fails, showing the first few, when the generated workflow has errors.
fn validate<'a>(
    text: &str,
    size: usize,
    diags: impl Iterator<Item = &'a lhw_compiler::diag::Diagnostic>,
) -> Result<(), String> {
    let errors: Vec<_> = diags.filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = errors
        .iter()
        .take(5)
        .map(|d| lhw_compiler::diag::render::render(d, "bench.lhw", text, Default::default()))
        .collect();
    Err(format!(
        "the generated {size}-statement workflow has {} errors:\n{}",
        errors.len(),
        shown.join("\n")
    ))
}

// ----------------------------------------------------------------------------------------
// Parent: run every size in a child, then Python, then report
// ----------------------------------------------------------------------------------------

/// Runs `cmd`, returning the last stdout line parsed as JSON, or why it failed.
fn run_json<T: for<'de> Deserialize<'de>>(mut cmd: Command, what: &str) -> Result<T, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{what}: {} \n{}", out.status, stderr.trim_end()));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("{what}: unreadable result {line:?}: {e}"))
}

fn parent(opts: &Options) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    let script = repo_root().join("scripts/bench_python.py");
    let mut rows = Vec::new();
    let mut failures = Vec::new();

    for &size in &opts.sizes {
        eprintln!(
            "lhw-bench: {size} statements: lhw ({} runs)...",
            lhw_runs(size)
        );
        let mut cmd = Command::new(&exe);
        cmd.arg("--one").arg(size.to_string());
        let (lhw, lhw_error) = split(run_json::<LhwRun>(
            cmd,
            &format!("lhw child for size {size}"),
        ));
        let lhw = match lhw {
            Some(mut l) => {
                let mut cmd = Command::new(&exe);
                cmd.arg("--stages").arg(size.to_string());
                match run_json::<StageRss>(cmd, &format!("lhw stages child for size {size}")) {
                    Ok(s) => l.stage_rss = Some(s),
                    Err(e) => failures.push(e),
                }
                Some(l)
            }
            None => None,
        };

        let (python, python_error) = match &opts.python {
            None => (None, Some("skipped (--no-python)".to_string())),
            Some(py) => {
                eprintln!(
                    "lhw-bench: {size} statements: python SDK ({} runs)...",
                    python_runs(size)
                );
                let mut cmd = Command::new(py);
                cmd.arg(&script)
                    .arg(size.to_string())
                    .arg("--runs")
                    .arg(python_runs(size).to_string());
                split(run_json::<PyRun>(
                    cmd,
                    &format!("python SDK for size {size}"),
                ))
            }
        };

        let mut same_nodes = None;
        if let (Some(l), Some(p)) = (&lhw, &python) {
            same_nodes = Some(l.nodes == p.nodes && l.node_names_digest == p.node_names_digest);
            let diff = l.nodes.abs_diff(p.nodes) as f64 / l.nodes.max(1) as f64;
            if diff > NODE_TOLERANCE {
                failures.push(format!(
                    "size {size}: the workloads differ: lhw has {} nodes, python {} ({:.1}% apart)",
                    l.nodes,
                    p.nodes,
                    diff * 100.0
                ));
            }
        }
        for e in [&lhw_error, &python_error].into_iter().flatten() {
            if !e.starts_with("skipped") {
                failures.push(e.clone());
            }
        }
        let stmts = lhw.as_ref().map_or(size, |l| l.statements) as f64;
        rows.push(Row {
            size,
            speed_ratio: lhw
                .as_ref()
                .zip(python.as_ref())
                .map(|(l, p)| p.median_ms / l.median_ms),
            lhw_us_per_statement: lhw.as_ref().map(|l| l.median_ms * 1000.0 / stmts),
            python_us_per_statement: python.as_ref().map(|p| p.median_ms * 1000.0 / stmts),
            lhw,
            lhw_error,
            python,
            python_error,
            same_nodes,
        });
    }

    print_tables(&rows);

    let report = Report {
        tool: "lhw-bench",
        note: "lhw: lhw_compiler::compile + lhw_proto::to_json_pretty of every request, median wall time; \
               python: littlehorse-client Workflow build + compile() + MessageToJson, median wall time; \
               peak RSS = after the first run: VmHWM of the lhw child / ru_maxrss of the python process \
               (interpreter and imports included, see baseline_rss_kb)",
        rows,
    };
    if let Some(dir) = opts.out.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&opts.out, json + "\n")
        .map_err(|e| format!("cannot write {}: {e}", opts.out.display()))?;
    println!("\nwrote {}", opts.out.display());

    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn split<T>(r: Result<T, String>) -> (Option<T>, Option<String>) {
    match r {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    }
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn fmt_kb(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}

fn print_tables(rows: &[Row]) {
    let na = || "n/a".to_string();
    println!();
    println!(
        "{:>8} | {:>10} | {:>12} | {:>10} | {:>12} | {:>8} | {:>11} | {:>11} | {:>13}",
        "size",
        "lhw time",
        "lhw peak RSS",
        "py time",
        "py peak RSS",
        "py/lhw",
        "lhw µs/stmt",
        "py µs/stmt",
        "nodes lhw/py"
    );
    println!("{}", "-".repeat(123));
    for r in rows {
        let l = r.lhw.as_ref();
        let p = r.python.as_ref();
        let nodes = match (l, p) {
            (Some(l), Some(p)) => {
                format!(
                    "{}/{}{}",
                    l.nodes,
                    p.nodes,
                    if r.same_nodes == Some(true) {
                        " ="
                    } else {
                        " ≠"
                    }
                )
            }
            (Some(l), None) => format!("{}/-", l.nodes),
            _ => na(),
        };
        println!(
            "{:>8} | {:>10} | {:>12} | {:>10} | {:>12} | {:>8} | {:>11} | {:>11} | {:>13}",
            r.size,
            l.map_or_else(na, |l| fmt_ms(l.median_ms)),
            l.and_then(|l| l.peak_rss_kb).map_or_else(na, fmt_kb),
            p.map_or_else(na, |p| fmt_ms(p.median_ms)),
            p.map_or_else(na, |p| fmt_kb(p.peak_rss_kb)),
            r.speed_ratio.map_or_else(na, |x| format!("{x:.0}x")),
            r.lhw_us_per_statement
                .map_or_else(na, |x| format!("{x:.2}")),
            r.python_us_per_statement
                .map_or_else(na, |x| format!("{x:.1}")),
            nodes,
        );
    }

    println!();
    println!("lhw stages (median ms; µs per statement in parentheses), runs, baselines:");
    println!(
        "{:>8} | {:>16} | {:>16} | {:>16} | {:>16} | {:>4} | {:>9} | {:>10} | {:>12}",
        "size", "parse", "check", "lower", "json", "runs", "JSON out", "lhw base", "py base RSS"
    );
    println!("{}", "-".repeat(130));
    for r in rows {
        let Some(l) = &r.lhw else {
            println!(
                "{:>8} | lhw failed: {}",
                r.size,
                r.lhw_error.as_deref().unwrap_or("?")
            );
            continue;
        };
        let per = |ms: f64| format!("{} ({:.2})", fmt_ms(ms), ms * 1000.0 / l.statements as f64);
        println!(
            "{:>8} | {:>16} | {:>16} | {:>16} | {:>16} | {:>4} | {:>9} | {:>10} | {:>12}",
            r.size,
            per(l.parse_ms),
            per(l.check_ms),
            per(l.lower_ms),
            per(l.json_ms),
            format!("{}/{}", l.runs, r.python.as_ref().map_or(0, |p| p.runs)),
            fmt_kb((l.json_bytes / 1024) as u64),
            l.baseline_rss_kb.map_or_else(na, fmt_kb),
            r.python
                .as_ref()
                .map_or_else(na, |p| fmt_kb(p.baseline_rss_kb)),
        );
    }

    println!();
    println!(
        "lhw peak RSS (VmHWM) after each stage of one pass in a fresh process (earlier stages' \
         outputs still alive), and after all the timed runs:"
    );
    println!(
        "{:>8} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10}",
        "size", "start", "text", "parse", "check", "lower", "json", "all runs"
    );
    println!("{}", "-".repeat(98));
    for r in rows {
        if let Some(l) = &r.lhw {
            let s = l.stage_rss.clone().unwrap_or_default();
            let kb = |x: Option<u64>| x.map_or_else(na, fmt_kb);
            println!(
                "{:>8} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10}",
                r.size,
                kb(l.baseline_rss_kb),
                kb(s.text_kb),
                kb(s.parse_kb),
                kb(s.check_kb),
                kb(s.lower_kb),
                kb(s.json_kb),
                kb(l.peak_rss_all_runs_kb)
            );
        }
    }
    for r in rows {
        if let Some(e) = &r.python_error {
            println!("python, size {}: {e}", r.size);
        }
        if let Some(e) = &r.lhw_error {
            println!("lhw, size {}: {e}", r.size);
        }
    }
}
