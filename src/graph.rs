//! `lhc graph`: draw a workflow as SVG, Mermaid or DOT, from a `.lhw` file, from a WfSpec on
//! the server (`--wfspec`), or with the path a WfRun took (`--wfrun`). The diagram itself is
//! `lhw_compiler::graph`; this file reads the inputs and writes the output.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args, ValueEnum};
use lhw_compiler::graph::{self, Format, Graph, RunState, SourceLines, WfSpecView};
use lhw_proto::littlehorse::{LhStatus, ListNodeRunsRequest, NodeRun, WfSpec, WfSpecId};
use lhw_runtime_client::{ClientError, LhClient};

use crate::cli::ServerArgs;
use crate::report::{Style, display_path, plural, render_human};
use crate::{guarded, read_source, server};

/// Arguments of `lhc graph`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["file", "wfspec", "wfrun"])))]
pub struct GraphArgs {
    /// The `.lhw` file to draw.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The workflow of FILE to draw (needed when FILE declares several).
    #[arg(long, short = 'w', value_name = "NAME", requires = "file")]
    pub workflow: Option<String>,

    /// Draw a WfSpec deployed on the server: its latest version, or NAME@MAJOR.REVISION.
    #[arg(long, value_name = "NAME[@MAJOR.REVISION]")]
    pub wfspec: Option<String>,

    /// Draw the WfSpec of a WfRun with the run's path: nodes completed, failed, running and
    /// not reached in distinct colours.
    #[arg(long, value_name = "ID")]
    pub wfrun: Option<String>,

    /// The output format (default: from the extension of -o, else svg).
    #[arg(long, value_enum)]
    pub format: Option<GraphFormat>,

    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// The server (for --wfspec and --wfrun).
    #[command(flatten)]
    pub server: ServerArgs,
}

/// The formats of `lhc graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A standalone SVG document (node names as tooltips).
    Svg,
    /// A Mermaid flowchart (Markdown renders it on GitHub and GitLab).
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

impl GraphFormat {
    fn of_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(GraphFormat::Svg),
            "mmd" | "mermaid" => Some(GraphFormat::Mermaid),
            "dot" | "gv" => Some(GraphFormat::Dot),
            _ => None,
        }
    }

    fn format(self) -> Format {
        match self {
            GraphFormat::Svg => Format::Svg,
            GraphFormat::Mermaid => Format::Mermaid,
            GraphFormat::Dot => Format::Dot,
        }
    }
}

/// Runs `lhc graph`.
pub fn run(args: &GraphArgs, style: Style) -> ExitCode {
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(GraphFormat::of_path))
        .unwrap_or(GraphFormat::Svg);
    let drawn = match &args.file {
        Some(file) => from_file(file, args.workflow.as_deref(), style),
        None => from_server(args, style),
    };
    let Some(graph) = drawn else {
        return ExitCode::FAILURE;
    };
    let text = graph::render(&graph, format.format());
    match &args.output {
        Some(out) => {
            if let Err(e) = std::fs::write(out, text.as_bytes()) {
                eprintln!(
                    "{}",
                    style.error(&format!("cannot write {}: {e}", display_path(out)))
                );
                return ExitCode::FAILURE;
            }
            let nodes: usize = graph.lanes.iter().map(|l| l.nodes.len()).sum();
            eprintln!(
                "wrote {} ({}: {} in {} of `{}`)",
                display_path(out),
                format!("{format:?}").to_lowercase(),
                plural(nodes, "node"),
                plural(graph.lanes.len(), "thread"),
                graph.workflow
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Compiles FILE and builds the graph of one of its workflows.
fn from_file(path: &Path, workflow: Option<&str>, style: Style) -> Option<Graph> {
    let shown = display_path(path);
    let text = match read_source(path) {
        Ok(t) => t,
        Err(reason) => {
            eprintln!("{}", style.error(&format!("cannot read {shown}: {reason}")));
            return None;
        }
    };
    let compiled = match guarded(&shown, || lhw_compiler::compile(&text)) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{}", style.error(&message));
            return None;
        }
    };
    let Some(output) = compiled.output else {
        eprint!(
            "{}",
            render_human(&compiled.diagnostics, &shown, &text, style)
        );
        return None;
    };
    let names: Vec<&str> = output.wf_specs.iter().map(|w| w.name.as_str()).collect();
    let chosen = match (workflow, names.as_slice()) {
        (_, []) => {
            eprintln!("{}", style.error(&format!("{shown} declares no workflow")));
            return None;
        }
        (None, [only]) => *only,
        (None, several) => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "{shown} declares {} workflows: {}",
                    several.len(),
                    several.join(", ")
                ))
            );
            eprintln!(
                "  {}",
                style.help(&format!("choose one with --workflow {}", several[0]))
            );
            return None;
        }
        (Some(name), _) if names.contains(&name) => name,
        (Some(name), _) => {
            eprintln!(
                "{}",
                style.error(&format!("{shown} declares no workflow `{name}`"))
            );
            let help = match lhw_compiler::check::closest(name, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("its workflows: {}", names.join(", ")),
            };
            eprintln!("  {}", style.help(&help));
            return None;
        }
    };
    let spec = output.wf_specs.iter().find(|w| w.name == chosen)?;
    let lines = graph::source_lines(&output, chosen, &text);
    Some(graph::build(WfSpecView::of_request(spec), &lines))
}

/// Reads a WfSpec (and for --wfrun the run) from the server.
fn from_server(args: &GraphArgs, style: Style) -> Option<Graph> {
    let target = match server::resolve(&args.server) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", style.error(&e));
            return None;
        }
    };
    let rt = server::runtime(style)?;
    rt.block_on(async {
        let client = server::connect(&target, style).await?;
        let result = match (&args.wfspec, &args.wfrun) {
            (Some(spec), _) => wf_spec_graph(&client, spec).await,
            (None, Some(run)) => wf_run_graph(&client, run).await,
            (None, None) => Err(Fail::Msg("nothing to draw".into())),
        };
        match result {
            Ok(g) => Some(g),
            Err(Fail::Msg(m)) => {
                eprintln!("{}", style.error(&m));
                None
            }
            Err(Fail::Client(what, err)) => {
                match &err {
                    ClientError::Rpc(s) if s.code() == tonic::Code::NotFound => eprintln!(
                        "{}",
                        style.error(&format!("{what} not found on {}", client.target()))
                    ),
                    ClientError::Rpc(s) => eprintln!(
                        "{}",
                        style.error(&format!(
                            "{what}: {}: {}",
                            lhw_runtime_client::client::code_name(s.code()),
                            s.message()
                        ))
                    ),
                    other => server::report_client_error(other, &target, style),
                }
                None
            }
        }
    })
}

/// Why reading from the server failed.
enum Fail {
    /// Our own message.
    Msg(String),
    /// A server error, with what was asked for.
    Client(String, ClientError),
}

/// `name`, or `name@major.revision`.
fn parse_wf_spec_ref(text: &str) -> Result<(String, Option<(i32, i32)>), String> {
    let Some((name, version)) = text.split_once('@') else {
        return Ok((text.to_string(), None));
    };
    let parsed = version
        .split_once('.')
        .and_then(|(m, r)| Some((m.parse::<i32>().ok()?, r.parse::<i32>().ok()?)))
        .filter(|(m, r)| *m >= 0 && *r >= 0);
    match parsed {
        Some(v) if !name.is_empty() => Ok((name.to_string(), Some(v))),
        _ => Err(format!(
            "bad --wfspec `{text}`: write NAME or NAME@MAJOR.REVISION, e.g. `{}@0.1`",
            if name.is_empty() { "my-workflow" } else { name }
        )),
    }
}

async fn get_wf_spec(client: &LhClient, id: WfSpecId) -> Result<WfSpec, Fail> {
    let what = format!("WfSpec `{}` {}.{}", id.name, id.major_version, id.revision);
    match client.raw().get_wf_spec(id.clone()).await {
        Ok(s) => Ok(s.into_inner()),
        Err(s) if s.code() == tonic::Code::NotFound => Err(Fail::Msg(
            crate::run::unknown_wf_spec_version(client, &id.name, id.major_version, id.revision)
                .await,
        )),
        Err(s) => Err(Fail::Client(what, ClientError::Rpc(s))),
    }
}

async fn wf_spec_graph(client: &LhClient, text: &str) -> Result<Graph, Fail> {
    let (name, version) = parse_wf_spec_ref(text).map_err(Fail::Msg)?;
    let spec = match version {
        Some((major_version, revision)) => {
            let id = WfSpecId {
                name,
                major_version,
                revision,
            };
            get_wf_spec(client, id).await?
        }
        None => match client
            .get_latest_wf_spec(&name)
            .await
            .map_err(|e| Fail::Client(format!("WfSpec `{name}`"), e))?
        {
            Some(spec) => spec,
            None => return Err(Fail::Msg(crate::run::unknown_wf_spec(client, &name).await)),
        },
    };
    Ok(graph::build(
        WfSpecView::of_wf_spec(&spec),
        &SourceLines::new(),
    ))
}

async fn wf_run_graph(client: &LhClient, id: &str) -> Result<Graph, Fail> {
    let run = client
        .get_wf_run(id)
        .await
        .map_err(|e| Fail::Client(format!("WfRun `{id}`"), e))?;
    let spec_id = run
        .wf_spec_id
        .clone()
        .ok_or_else(|| Fail::Msg(format!("WfRun `{id}` names no WfSpec")))?;
    let spec = get_wf_spec(client, spec_id).await?;
    let node_runs = all_node_runs(client, id).await?;
    let mut graph = graph::build(WfSpecView::of_wf_spec(&spec), &SourceLines::new());
    let states = run_states(&node_runs);
    graph.apply_run(|thread, node| states.get(&(thread.to_string(), node.to_string())).copied());
    Ok(graph)
}

async fn all_node_runs(client: &LhClient, id: &str) -> Result<Vec<NodeRun>, Fail> {
    let mut out = Vec::new();
    let mut bookmark = None;
    loop {
        let page = client
            .raw()
            .list_node_runs(ListNodeRunsRequest {
                wf_run_id: Some(lhw_runtime_client::ids::parse_wf_run_id(id)),
                thread_run_number: None,
                bookmark: bookmark.take(),
                limit: None,
            })
            .await
            .map_err(|s| Fail::Client(format!("NodeRuns of WfRun `{id}`"), ClientError::Rpc(s)))?
            .into_inner();
        out.extend(page.results);
        match page.bookmark {
            Some(b) if !b.is_empty() => bookmark = Some(b),
            _ => break,
        }
    }
    Ok(out)
}

/// What the run did at each `(thread, node)`: a node that ran several times (a loop) shows
/// its most telling state: running over failed over completed.
fn run_states(node_runs: &[NodeRun]) -> HashMap<(String, String), RunState> {
    let mut states: HashMap<(String, String), RunState> = HashMap::new();
    for n in node_runs {
        let state = match LhStatus::try_from(n.status) {
            Ok(LhStatus::Completed) => RunState::Completed,
            Ok(LhStatus::Error | LhStatus::Exception) => RunState::Failed,
            Ok(LhStatus::Starting | LhStatus::Running | LhStatus::Halting | LhStatus::Halted) => {
                RunState::Running
            }
            Err(_) => continue,
        };
        let key = (n.thread_spec_name.clone(), n.node_name.clone());
        let entry = states.entry(key).or_insert(state);
        *entry = (*entry).max(state);
    }
    states
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wf_spec_references_parse() {
        assert_eq!(parse_wf_spec_ref("order").unwrap(), ("order".into(), None));
        assert_eq!(
            parse_wf_spec_ref("order@2.1").unwrap(),
            ("order".into(), Some((2, 1)))
        );
        assert!(parse_wf_spec_ref("order@2").is_err());
        assert!(parse_wf_spec_ref("@1.0").is_err());
        assert!(parse_wf_spec_ref("order@x.y").is_err());
    }

    #[test]
    fn formats_follow_the_output_extension() {
        assert_eq!(
            GraphFormat::of_path(Path::new("a.mmd")),
            Some(GraphFormat::Mermaid)
        );
        assert_eq!(
            GraphFormat::of_path(Path::new("a.gv")),
            Some(GraphFormat::Dot)
        );
        assert_eq!(
            GraphFormat::of_path(Path::new("a.SVG")),
            Some(GraphFormat::Svg)
        );
        assert_eq!(GraphFormat::of_path(Path::new("a.txt")), None);
    }
}
