//! `lhc deploy`: compile files and register their metadata and workflows on a server,
//! reporting per object whether it was created, unchanged or got a new version.

use std::io::Write as _;
use std::process::ExitCode;

use lhw_proto::littlehorse::{
    PutExternalEventDefRequest, PutStructDefRequest, PutTaskDefRequest, PutUserTaskDefRequest,
    PutWfSpecRequest, PutWorkflowEventDefRequest,
};
use lhw_runtime_client::{ClientError, LhClient};

use crate::cli::DeployArgs;
use crate::report::{Style, display_path, plural, render_human};
use crate::server::{self, Target};
use crate::verdict::{self, WfVerdict, normalize_threads, normalize_var, pin_child_versions};
use crate::{dedup_paths, guarded, read_source};

mod frozen;
mod json;
mod nodes;

/// One request to send, in registration order.
#[derive(Debug, Clone, PartialEq)]
enum Req {
    Struct(PutStructDefRequest),
    Task(PutTaskDefRequest),
    Event(PutExternalEventDefRequest),
    WfEvent(PutWorkflowEventDefRequest),
    UserTask(PutUserTaskDefRequest),
    Wf(PutWfSpecRequest),
}

impl Req {
    /// Registration order: what a WfSpec depends on first.
    fn rank(&self) -> u8 {
        match self {
            Req::Struct(_) => 0,
            Req::Task(_) => 1,
            Req::Event(_) => 2,
            Req::WfEvent(_) => 3,
            Req::UserTask(_) => 4,
            Req::Wf(_) => 5,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Req::Struct(_) => "structdef",
            Req::Task(_) => "taskdef",
            Req::Event(_) => "externaleventdef",
            Req::WfEvent(_) => "workfloweventdef",
            Req::UserTask(_) => "usertaskdef",
            Req::Wf(_) => "wfspec",
        }
    }

    fn name(&self) -> &str {
        match self {
            Req::Struct(r) => &r.name,
            Req::Task(r) => &r.name,
            Req::Event(r) => &r.name,
            Req::WfEvent(r) => &r.name,
            Req::UserTask(r) => &r.name,
            Req::Wf(r) => &r.name,
        }
    }
}

/// A compiled file.
struct Source {
    shown: String,
    text: String,
    /// Where each generated node comes from (see `lhw_compiler::Output::node_spans`).
    node_spans: nodes::NodeSpans,
}

/// A request and the file that declared it.
struct Item {
    req: Req,
    source: usize,
}

/// Runs `lhc deploy`.
pub fn run(args: &DeployArgs, style: Style) -> ExitCode {
    let Some((sources, items)) = compile_all(args, style) else {
        return ExitCode::FAILURE;
    };
    let target = match server::resolve(&args.server) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", style.error(&e));
            return ExitCode::FAILURE;
        }
    };
    let Some(rt) = server::runtime(style) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(deploy_all(args, style, &target, &sources, &items))
}

/// Compiles every file; `None` (after reporting) when any has an error or two files
/// declare the same object differently.
fn compile_all(args: &DeployArgs, style: Style) -> Option<(Vec<Source>, Vec<Item>)> {
    let mut sources = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut failed = false;
    let mut stderr = std::io::stderr().lock();
    for path in dedup_paths(&crate::lhw_files::expand(
        &args.files,
        crate::lhw_files::Under::Workflows,
    )) {
        let shown = display_path(&path);
        let text = match read_source(&path) {
            Ok(t) => t,
            Err(reason) => {
                let _ = writeln!(
                    stderr,
                    "{}",
                    style.error(&format!("cannot read {shown}: {reason}"))
                );
                failed = true;
                continue;
            }
        };
        let compiled = match guarded(&shown, || lhw_compiler::compile(&text)) {
            Ok(c) => c,
            Err(message) => {
                let _ = writeln!(stderr, "{}", style.error(&message));
                failed = true;
                continue;
            }
        };
        let _ =
            stderr.write_all(render_human(&compiled.diagnostics, &shown, &text, style).as_bytes());
        let Some(mut output) = compiled.output else {
            failed = true;
            continue;
        };
        let index = sources.len();
        let node_spans = std::mem::take(&mut output.node_spans);
        let reqs = output
            .struct_defs
            .into_iter()
            .map(Req::Struct)
            .chain(output.task_defs.into_iter().map(Req::Task))
            .chain(output.external_event_defs.into_iter().map(Req::Event))
            .chain(output.workflow_event_defs.into_iter().map(Req::WfEvent))
            .chain(output.user_task_defs.into_iter().map(Req::UserTask))
            .chain(output.wf_specs.into_iter().map(Req::Wf))
            .collect::<Vec<Req>>();
        if reqs.is_empty() {
            let _ = writeln!(
                stderr,
                "note: {shown} declares nothing to deploy (no workflow, task, event, \
                 user task or struct)"
            );
        }
        for req in reqs {
            match items
                .iter()
                .find(|i| i.req.kind() == req.kind() && i.req.name() == req.name())
            {
                Some(other) if other.req == req => {}
                Some(other) => {
                    let _ = writeln!(
                        stderr,
                        "{}",
                        style.error(&format!(
                            "{} `{}` is declared differently in {} and {shown}",
                            req.kind(),
                            req.name(),
                            sources
                                .get(other.source)
                                .map_or("another file", |s: &Source| s.shown.as_str()),
                        ))
                    );
                    failed = true;
                }
                None => items.push(Item { req, source: index }),
            }
        }
        sources.push(Source {
            shown,
            text,
            node_spans,
        });
    }
    if failed {
        let _ = writeln!(
            stderr,
            "{}",
            style.error("nothing was deployed: fix the errors above first")
        );
        return None;
    }
    items.sort_by_key(|i| i.req.rank());
    Some((sources, items))
}

/// What happened (or would happen) to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Created(Option<String>),
    Unchanged(Option<String>),
    Updated,
    NewRevision(String),
    NewMajorVersion(String),
    NewVersion(String),
    /// A TaskDef on the server differs from the declaration and was left alone.
    KeptServers,
}

impl Verdict {
    fn text(&self) -> String {
        let with = |word: &str, v: &Option<String>| match v {
            Some(v) => format!("{word} (version {v})"),
            None => word.to_string(),
        };
        match self {
            Verdict::Created(v) => with("created", v),
            Verdict::Unchanged(v) => with("unchanged", v),
            Verdict::Updated => "updated".into(),
            Verdict::NewRevision(v) => format!("new revision (version {v})"),
            Verdict::NewMajorVersion(v) => format!("new major version (version {v})"),
            Verdict::NewVersion(v) => format!("new version (version {v})"),
            Verdict::KeptServers => "differs from the server's, kept the server's \
                (TaskDefs are immutable; --with-task-defs makes this an error)"
                .into(),
        }
    }

    fn changed(&self) -> bool {
        !matches!(self, Verdict::Unchanged(_) | Verdict::KeptServers)
    }
}

async fn deploy_all(
    args: &DeployArgs,
    style: Style,
    target: &Target,
    sources: &[Source],
    items: &[Item],
) -> ExitCode {
    let Some(client) = server::connect(target, style).await else {
        return ExitCode::FAILURE;
    };
    if args.dry_run {
        eprintln!(
            "dry run: comparing with {}; nothing will be changed",
            client.target()
        );
    }
    let mut failed = 0usize;
    let mut changed = 0usize;
    let as_json = args.format == crate::cli::DeployFormat::Json;
    let mut report = json::Report {
        server: client.target().to_string(),
        dry_run: args.dry_run,
        ..json::Report::default()
    };
    let mut out = std::io::stdout().lock();
    for item in items {
        let label = format!("{} {}", item.req.kind(), item.req.name());
        match deploy_one(&client, &item.req, args).await {
            Ok(v) => {
                if v.changed() {
                    changed += 1;
                }
                if as_json {
                    report
                        .objects
                        .push(json::Object::new(item.req.kind(), item.req.name(), &v));
                } else {
                    let suffix = if args.dry_run { " (dry run)" } else { "" };
                    let _ = writeln!(out, "{label}: {}{suffix}", v.text());
                }
            }
            Err(ClientError::Rpc(status)) => {
                failed += 1;
                let _ = out.flush();
                report.rejected.push(json::Rejection {
                    kind: item.req.kind(),
                    name: item.req.name().to_string(),
                    code: lhw_runtime_client::client::code_name(status.code()).to_string(),
                    message: status.message().to_string(),
                });
                report_rejection(&item.req, &status, sources.get(item.source), style);
            }
            Err(e) => {
                let _ = out.flush();
                server::report_client_error(&e, target, style);
                return ExitCode::FAILURE;
            }
        }
    }
    if as_json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => {
                let _ = writeln!(out, "{text}");
            }
            Err(e) => eprintln!("{}", style.error(&format!("cannot print JSON: {e}"))),
        }
    }
    let _ = out.flush();
    let verb = if args.dry_run {
        "would change"
    } else {
        "changed"
    };
    if failed > 0 {
        eprintln!(
            "{}",
            style.error(&format!(
                "{failed} of {} rejected by the server at {} ({changed} {verb})",
                plural(items.len(), "object"),
                client.target()
            ))
        );
        ExitCode::FAILURE
    } else if args.dry_run {
        eprintln!(
            "dry run on {}: {} checked, {changed} {verb}; nothing was deployed",
            client.target(),
            plural(items.len(), "object"),
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "deployed {} on {}: {changed} {verb}",
            plural(items.len(), "object"),
            client.target()
        );
        ExitCode::SUCCESS
    }
}

fn wf_version(id: Option<&lhw_proto::littlehorse::WfSpecId>) -> String {
    id.map_or_else(
        || "?".to_string(),
        |i| format!("{}.{}", i.major_version, i.revision),
    )
}

async fn deploy_one(
    client: &LhClient,
    req: &Req,
    args: &DeployArgs,
) -> Result<Verdict, ClientError> {
    let dry = args.dry_run;
    match req {
        Req::Task(r) => {
            let Some(old) = client.get_task_def(&r.name).await? else {
                if !dry {
                    client.put_task_def(r.clone()).await?;
                }
                return Ok(Verdict::Created(None));
            };
            let same = old.input_vars == r.input_vars.iter().map(normalize_var).collect::<Vec<_>>()
                && old.return_type == r.return_type;
            if same {
                Ok(Verdict::Unchanged(None))
            } else if args.with_task_defs && !dry {
                // The server decides (TaskDefs are immutable: it rejects the change).
                client.put_task_def(r.clone()).await?;
                Ok(Verdict::Updated)
            } else {
                Ok(Verdict::KeptServers)
            }
        }
        Req::Event(r) => {
            let old = client.get_external_event_def(&r.name).await?;
            let same = old.as_ref().is_some_and(|o| {
                o.type_information == r.content_type
                    && o.correlated_event_config == r.correlated_event_config
                    && o.retention_policy == r.retention_policy
            });
            if same {
                return Ok(Verdict::Unchanged(None));
            }
            if !dry {
                client.put_external_event_def(r.clone()).await?;
            }
            Ok(if old.is_some() {
                Verdict::Updated
            } else {
                Verdict::Created(None)
            })
        }
        Req::WfEvent(r) => {
            let old = client.get_workflow_event_def(&r.name).await?;
            if old
                .as_ref()
                .is_some_and(|o| o.content_type == r.content_type)
            {
                return Ok(Verdict::Unchanged(None));
            }
            if !dry {
                client.put_workflow_event_def(r.clone()).await?;
            }
            Ok(if old.is_some() {
                Verdict::Updated
            } else {
                Verdict::Created(None)
            })
        }
        Req::Struct(r) => {
            let old = client.get_latest_struct_def(&r.name).await?;
            let old_version = old.as_ref().and_then(|o| o.id.as_ref()).map(|i| i.version);
            if dry {
                return Ok(match &old {
                    None => Verdict::Created(Some("0".into())),
                    Some(o) if o.struct_def == r.struct_def && o.description == r.description => {
                        Verdict::Unchanged(old_version.map(|v| v.to_string()))
                    }
                    Some(_) => Verdict::NewVersion(
                        old_version.map_or_else(|| "?".into(), |v| (v + 1).to_string()),
                    ),
                });
            }
            let new = client.put_struct_def(r.clone()).await?;
            let v = new.id.as_ref().map(|i| i.version);
            let shown = v.map(|v| v.to_string());
            Ok(match old_version {
                None => Verdict::Created(shown),
                Some(o) if Some(o) == v => Verdict::Unchanged(shown),
                Some(_) => Verdict::NewVersion(shown.unwrap_or_default()),
            })
        }
        Req::UserTask(r) => {
            let old = client.get_latest_user_task_def(&r.name).await?;
            let old_version = old.as_ref().map(|o| o.version);
            if dry {
                return Ok(match &old {
                    None => Verdict::Created(Some("0".into())),
                    Some(o) if o.fields == r.fields && o.description == r.description => {
                        Verdict::Unchanged(Some(o.version.to_string()))
                    }
                    Some(o) => Verdict::NewVersion((o.version + 1).to_string()),
                });
            }
            let new = client.put_user_task_def(r.clone()).await?;
            let shown = Some(new.version.to_string());
            Ok(match old_version {
                None => Verdict::Created(shown),
                Some(o) if o == new.version => Verdict::Unchanged(shown),
                Some(_) => Verdict::NewVersion(new.version.to_string()),
            })
        }
        Req::Wf(r) => {
            let old = client.get_latest_wf_spec(&r.name).await?;
            if dry {
                let pinned = pin_child_versions(client, normalize_threads(&r.thread_specs)).await?;
                // The one verdict logic `lhc diff` uses too (src/verdict.rs).
                let v = |id: &lhw_proto::littlehorse::WfSpecId| {
                    format!("{}.{}", id.major_version, id.revision)
                };
                return match verdict::wf_verdict(old.as_ref(), r, &pinned) {
                    WfVerdict::Created => Ok(Verdict::Created(Some("0.0".into()))),
                    WfVerdict::Unchanged(id) => Ok(Verdict::Unchanged(Some(v(&id)))),
                    WfVerdict::NewRevision(id) => Ok(Verdict::NewRevision(v(&id))),
                    WfVerdict::NewMajorVersion(id, _) => Ok(Verdict::NewMajorVersion(v(&id))),
                    WfVerdict::Refused(refusal) => {
                        // The server's own status and message, so a refusal reads the same
                        // (in `.lhw` terms, see `frozen`) whether predicted or real.
                        Err(ClientError::Rpc(refusal.status()))
                    }
                };
            }
            let new = client.put_wf_spec(r.clone()).await?;
            let shown = wf_version(new.id.as_ref());
            Ok(match old.and_then(|o| o.id) {
                None => Verdict::Created(Some(shown)),
                Some(o) => match &new.id {
                    Some(n) if *n == o => Verdict::Unchanged(Some(shown)),
                    Some(n) if n.major_version > o.major_version => Verdict::NewMajorVersion(shown),
                    _ => Verdict::NewRevision(shown),
                },
            })
        }
    }
}

/// Prints a server rejection: the server's message, and when it names a generated node,
/// the source line of the step that produced it.
fn report_rejection(req: &Req, status: &tonic::Status, source: Option<&Source>, style: Style) {
    let code = lhw_runtime_client::client::code_name(status.code());
    let message = status.message();
    let what = format!("{} `{}`", req.kind(), req.name());
    let located = match (req, source) {
        (Req::Wf(spec), Some(src)) => nodes::locate(message, &spec.name, &src.node_spans),
        _ => None,
    };
    let mut err = std::io::stderr().lock();
    if let (Req::Wf(spec), Some(src), Some(change)) = (req, source, frozen::read(message)) {
        let _ = writeln!(
            err,
            "{}",
            style.error(&format!(
                "the server rejected {what}: the public variable `{}` is `{}` in the deployed \
                 versions and `{}` here",
                change.var, change.was, change.now
            ))
        );
        match frozen::declaration(&src.text, &spec.name, &change.var) {
            Some(loc) => {
                let _ = err.write_all(nodes::snippet(&src.shown, &src.text, &loc).as_bytes());
            }
            None => {
                let _ = writeln!(err, "  --> {}", src.shown);
            }
        }
        let _ = writeln!(err, "  = note: server answer: {code}: {message}");
        let _ = writeln!(
            err,
            "  {}",
            style.help(&format!(
                "a variable that was ever `public` keeps its type in every later version of \
                 the workflow (LittleHorse freezes it): declare `{}` as `{}` again, or give the \
                 new variable another name",
                change.var, change.was
            ))
        );
        return;
    }
    match located {
        Some(loc) => {
            let detail = nodes::detail(message);
            let _ = writeln!(
                err,
                "{}",
                style.error(&format!("the server rejected {what}: {detail}"))
            );
            if let Some(src) = source {
                let _ = err.write_all(nodes::snippet(&src.shown, &src.text, &loc).as_bytes());
            }
            let _ = writeln!(err, "  = note: server answer: {code}: {message}");
        }
        None => {
            let _ = writeln!(
                err,
                "{}",
                style.error(&format!("the server rejected {what}: {code}: {message}"))
            );
            if let Some(src) = source {
                let _ = writeln!(err, "  --> {}", src.shown);
            }
        }
    }
    if message.contains("nonexistent TaskDef") || message.contains("missing ExternalEventDef") {
        let _ = writeln!(
            err,
            "  {}",
            style.help(
                "register the missing definition first (deploy the file that declares it, or \
                 start the worker that owns it); `extern` declarations are not registered by lhc"
            )
        );
    } else if message.contains("we need") && message.contains("input vars") {
        let _ = writeln!(
            err,
            "  {}",
            style.help(
                "the TaskDef on the server has a different signature than the `task` \
                 declaration in this file"
            )
        );
    }
}
