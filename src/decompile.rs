//! `lhc decompile`: WfSpecs (files, or the server's) back to `.lhw` text.
//!
//! The work is `lhw_compiler::decompile` (pure); this command reads the WfSpecs and the
//! metadata they use (from `--taskdefs DIR` or from the server), prints the text and reports
//! what it could not keep.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lhw_compiler::decompile::{self, Declarations};
use lhw_proto::littlehorse as pb;
use prost::Message as _;

use crate::cli::DecompileArgs;
use crate::report::Style;
use crate::server;

/// Runs `lhc decompile`.
pub fn run(args: &DecompileArgs, style: Style) -> ExitCode {
    let loaded = match &args.wfspec {
        Some(name) => from_server(args, name, style),
        None => from_files(args),
    };
    let (wf_specs, decls) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}", style.error(&e));
            return ExitCode::FAILURE;
        }
    };
    let result = decompile::decompile(&wf_specs, &decls);
    let written = match &args.output {
        Some(path) => std::fs::write(path, &result.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(result.text.as_bytes())
            .map_err(|e| format!("cannot write the text: {e}")),
    };
    if let Err(e) = written {
        eprintln!("{}", style.error(&e));
        return ExitCode::FAILURE;
    }
    let name = args
        .output
        .as_ref()
        .map_or_else(|| "<decompiled>".to_string(), |p| p.display().to_string());
    report_losses(&result, &name, wf_specs.len());
    if args.strict && !result.is_exact() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints on stderr what a decompiled text does not keep (its W0030-W0032 diagnostics).
pub(crate) fn report_losses(result: &decompile::Decompiled, name: &str, workflows: usize) {
    if result.diagnostics.is_empty() {
        return;
    }
    let opts = lhw_compiler::diag::render::RenderOptions::default();
    eprint!(
        "{}",
        lhw_compiler::diag::render::render_all(&result.diagnostics, name, &result.text, opts)
    );
    eprintln!(
        "decompiled {workflows} workflow(s); {} part(s) could not be kept exactly",
        result.diagnostics.len()
    );
}

fn from_files(args: &DecompileArgs) -> Result<(Vec<pb::PutWfSpecRequest>, Declarations), String> {
    if args.files.is_empty() {
        return Err("give a WfSpec FILE or --wfspec NAME".to_string());
    }
    let mut specs = Vec::new();
    for path in &args.files {
        specs.push(read_wf_spec(path)?);
    }
    let decls = match &args.taskdefs {
        Some(dir) => read_declarations(dir)?,
        None => Declarations::default(),
    };
    Ok((specs, decls))
}

/// A name LittleHorse accepts, to tell a decoded PutWfSpecRequest from a WfSpec read as one.
fn plausible_name(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Reads a PutWfSpecRequest or a WfSpec, as proto JSON or binary.
pub(crate) fn read_wf_spec(path: &Path) -> Result<pb::PutWfSpecRequest, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), crate::io_reason(&e)))?;
    if path.extension().is_some_and(|e| e == "lhw") {
        // `lhc decompile flow.lhw`: the source is already .lhw.
        return Err(format!(
            "{} is .lhw source already; decompile reads WfSpecs (`lhc compile` writes them, \
             `--wfspec NAME` reads the server's); `lhc fmt` lays .lhw out",
            path.display()
        ));
    }
    if let Ok(text) = std::str::from_utf8(&bytes)
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(text)
    {
        let parsed = if json.get("id").is_some() {
            lhw_proto::from_json::<pb::WfSpec>(text).map(|w| decompile::put_request_of(&w))
        } else {
            lhw_proto::from_json::<pb::PutWfSpecRequest>(text)
        };
        return parsed.map_err(|e| {
            format!(
                "{} is not a PutWfSpecRequest or WfSpec in proto JSON: {e}",
                path.display()
            )
        });
    }
    if let Ok(put) = pb::PutWfSpecRequest::decode(bytes.as_slice())
        && plausible_name(&put.name)
        && !put.thread_specs.is_empty()
    {
        return Ok(put);
    }
    match pb::WfSpec::decode(bytes.as_slice()) {
        Ok(w) if !w.thread_specs.is_empty() => Ok(decompile::put_request_of(&w)),
        _ => Err(format!(
            "{} is neither proto JSON nor a binary PutWfSpecRequest or WfSpec",
            path.display()
        )),
    }
}

/// Every request file `lhc compile` writes in `dir` (`taskdef-*`, `externaleventdef-*`,
/// `workfloweventdef-*`, `usertaskdef-*`, `structdef-*`; `.json` or `.pb`).
fn read_declarations(dir: &Path) -> Result<Declarations, String> {
    fn decode<T: prost::Message + Default + serde::de::DeserializeOwned>(
        path: &Path,
        bytes: &[u8],
    ) -> Result<T, String> {
        let parsed = if path.extension().is_some_and(|e| e == "json") {
            std::str::from_utf8(bytes)
                .map_err(|e| e.to_string())
                .and_then(|t| lhw_proto::from_json::<T>(t).map_err(|e| e.to_string()))
        } else {
            T::decode(bytes).map_err(|e| e.to_string())
        };
        parsed.map_err(|e| format!("{}: {e}", path.display()))
    }
    let mut decls = Declarations::default();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if file.starts_with("taskdef-") {
            decls.task_defs.push(decode(&path, &bytes)?);
        } else if file.starts_with("externaleventdef-") {
            decls.external_event_defs.push(decode(&path, &bytes)?);
        } else if file.starts_with("workfloweventdef-") {
            decls.workflow_event_defs.push(decode(&path, &bytes)?);
        } else if file.starts_with("usertaskdef-") {
            decls.user_task_defs.push(decode(&path, &bytes)?);
        } else if file.starts_with("structdef-") {
            decls.struct_defs.push(decode(&path, &bytes)?);
        }
    }
    Ok(decls)
}

/// The latest WfSpec `name` and the metadata it uses, from the configured server.
fn from_server(
    args: &DecompileArgs,
    name: &str,
    style: Style,
) -> Result<(Vec<pb::PutWfSpecRequest>, Declarations), String> {
    if name.contains('@') {
        return Err(format!(
            "`{name}`: --wfspec takes the latest version; for another one write `lhc get wfspec NAME MAJOR.REVISION --lhw`"
        ));
    }
    with_latest_wf_spec(&args.server, name, style, async |client, wf| {
        let (spec, decls) = server_declarations(client, &wf).await?;
        Ok((vec![spec], decls))
    })
}

/// `wf` as a PutWfSpecRequest, with the metadata it uses read from the server (TaskDefs,
/// event defs, user-task forms, structs): what `lhc decompile --wfspec` and
/// `lhc get wfspec --lhw` decompile.
pub(crate) async fn server_declarations(
    client: &lhw_runtime_client::LhClient,
    wf: &pb::WfSpec,
) -> Result<(pb::PutWfSpecRequest, Declarations), String> {
    let e = |err: lhw_runtime_client::ClientError| err.to_string();
    let spec = decompile::put_request_of(wf);
    let refs = decompile::references(std::slice::from_ref(&spec));
    let mut decls = Declarations::default();
    for t in &refs.tasks {
        if let Some(d) = client.get_task_def(t).await.map_err(e)? {
            decls.task_defs.push(pb::PutTaskDefRequest {
                name: t.clone(),
                input_vars: d.input_vars,
                return_type: d.return_type,
                description: d.description,
            });
        }
    }
    for ev in &refs.events {
        if let Some(d) = client.get_external_event_def(ev).await.map_err(e)? {
            decls
                .external_event_defs
                .push(pb::PutExternalEventDefRequest {
                    name: ev.clone(),
                    retention_policy: d.retention_policy,
                    content_type: d.type_information,
                    correlated_event_config: d.correlated_event_config,
                });
        }
    }
    for ev in &refs.workflow_events {
        if let Some(d) = client.get_workflow_event_def(ev).await.map_err(e)? {
            decls
                .workflow_event_defs
                .push(pb::PutWorkflowEventDefRequest {
                    name: ev.clone(),
                    content_type: d.content_type,
                });
        }
    }
    for f in &refs.forms {
        if let Some(d) = client.get_latest_user_task_def(f).await.map_err(e)? {
            decls.user_task_defs.push(pb::PutUserTaskDefRequest {
                name: f.clone(),
                fields: d.fields,
                description: d.description,
            });
        }
    }
    for s in &refs.structs {
        if let Some(d) = client.get_latest_struct_def(s).await.map_err(e)? {
            decls.struct_defs.push(pb::PutStructDefRequest {
                name: s.clone(),
                description: d.description,
                struct_def: d.struct_def,
                allowed_updates: pb::StructDefCompatibilityType::NoSchemaUpdates as i32,
            });
        }
    }
    Ok((spec, decls))
}

/// Connects to the configured server, reads the latest version of WfSpec `name` and runs
/// `f` with the client and it (`lhc decompile --wfspec`, `lhc diff --wfspec`).
pub(crate) fn with_latest_wf_spec<T>(
    server_args: &crate::cli::ServerArgs,
    name: &str,
    style: Style,
    f: impl AsyncFnOnce(&lhw_runtime_client::LhClient, pb::WfSpec) -> Result<T, String>,
) -> Result<T, String> {
    let target = server::resolve(server_args)?;
    let rt = server::runtime(style).ok_or("cannot start the async runtime")?;
    rt.block_on(async {
        let client = server::connect(&target, style)
            .await
            .ok_or_else(|| format!("cannot reach the server {}", target.config.api_host()))?;
        let Some(wf) = client
            .get_latest_wf_spec(name)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Err(crate::run::unknown_wf_spec(&client, name).await);
        };
        f(&client, wf).await
    })
}
