//! `lhc run`: start a WfRun with typed inputs and optionally follow it to the end.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use lhw_proto::littlehorse::type_definition::DefinedType;
use lhw_proto::littlehorse::{
    RunWfRequest, SearchWfSpecRequest, ThreadVarDef, TypeDefinition, VariableValue, WfSpec,
};
use lhw_runtime_client::values::{StructDefs, parse_value_with, type_name, type_of};
use lhw_runtime_client::{ClientError, LhClient};

use crate::cli::RunArgs;
use crate::inspect::assign::{self, unknown};
use crate::inspect::follow::{
    Followed, INTERRUPTED_EXIT, exit_code, finish, follow, interrupted_message,
};
use crate::inspect::waiting::waiting_on;
use crate::report::Style;
use crate::run_inputs;
use crate::server::{self, Target};

/// Runs `lhc run`.
pub fn run(args: &RunArgs, style: Style) -> ExitCode {
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
    rt.block_on(run_async(args, style, &target))
}

/// The entrypoint thread's variables of a WfSpec.
fn inputs(spec: &WfSpec) -> Vec<&ThreadVarDef> {
    spec.thread_specs
        .get(&spec.entrypoint_thread_name)
        .map(|t| t.variable_defs.iter().collect())
        .unwrap_or_default()
}

fn var_name(v: &ThreadVarDef) -> &str {
    v.var_def.as_ref().map_or("", |d| d.name.as_str())
}

/// Parses the `--var`/`--var-file` inputs against the WfSpec's variables (also `lhc
/// schedule`'s). A message about a masked variable, or about a value from standard input or a
/// file, never repeats the value.
pub(crate) fn parse_vars(
    workflow: &str,
    vars: &[String],
    var_files: &[std::path::PathBuf],
    spec: &WfSpec,
    structs: &StructDefs,
) -> Result<BTreeMap<String, VariableValue>, String> {
    let defs = inputs(spec);
    let mut out = BTreeMap::new();
    let given = run_inputs::collect(vars, var_files, std::io::stdin().lock())?;
    for input in &given {
        let name = input.name.as_str();
        let Some(def) = defs.iter().find(|d| var_name(d) == name) else {
            let known: Vec<&str> = defs.iter().map(|d| var_name(d)).collect();
            let owner = format!("workflow `{workflow}`");
            return Err(match &input.origin {
                run_inputs::Origin::Arg(raw) => unknown("--var", raw, &owner, "variable", &known),
                // Not `unknown`: it repeats the whole `NAME=VALUE` text.
                _ => format!(
                    "{input}: {owner} has no variable `{name}` (its variables: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            });
        };
        let Some(t) = def.var_def.as_ref().and_then(type_of) else {
            return Err(format!("{input}: the variable `{name}` has no type"));
        };
        let v = parse_value_with(&input.value, &t, structs).map_err(|e| {
            let e = if t.masked || !input.shown() {
                redact(&e, &input.value)
            } else {
                e
            };
            format!("--var {name}: {e} (`{name}` is of type {})", type_name(&t))
        })?;
        if out.insert(name.to_string(), v).is_some() {
            return Err(format!("--var {name} is given twice"));
        }
    }
    let missing: Vec<&str> = defs
        .iter()
        .filter(|d| d.required && !out.contains_key(var_name(d)))
        .map(|d| var_name(d))
        .collect();
    if !missing.is_empty() {
        let owner = format!("workflow `{workflow}`");
        return Err(assign::missing(&owner, "--var", &missing));
    }
    Ok(out)
}

/// `text` with every occurrence of `secret` replaced by the mask.
fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    text.replace(secret, lhw_kernel::mask::STRING_MASK)
}

async fn run_async(args: &RunArgs, style: Style, target: &Target) -> ExitCode {
    let Some(client) = server::connect(target, style).await else {
        return ExitCode::FAILURE;
    };
    let fail = |e: &ClientError| {
        server::report_client_error(e, target, style);
        ExitCode::FAILURE
    };
    let spec = match client.get_latest_wf_spec(&args.workflow).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "no workflow `{}` on {}",
                    args.workflow,
                    client.target()
                ))
            );
            let deployed = deployed_workflows(&client).await;
            let help = match (
                file_workflows(&args.workflow),
                closest_workflow(&deployed, &args.workflow),
            ) {
                (Some(hint), _) => hint.help(&deployed),
                (None, Some(name)) => format!("did you mean `{name}`?"),
                (None, None) if deployed.is_empty() || deployed.len() > 10 => {
                    "deploy it first: lhc deploy FILE.lhw".to_string()
                }
                (None, None) => format!(
                    "deploy it first: lhc deploy FILE.lhw (deployed here: {})",
                    deployed.join(", ")
                ),
            };
            eprintln!("  {}", style.help(&help));
            return ExitCode::FAILURE;
        }
        Err(e) => return fail(&e),
    };
    let structs = match struct_defs(&client, &spec).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let variables = match parse_vars(&args.workflow, &args.vars, &args.var_files, &spec, &structs) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}", style.error(&e));
            return ExitCode::FAILURE;
        }
    };
    let version = spec.id.as_ref().map(|i| (i.major_version, i.revision));
    let run = match client
        .run_wf(RunWfRequest {
            wf_spec_name: args.workflow.clone(),
            major_version: version.map(|v| v.0),
            revision: version.map(|v| v.1),
            variables,
            id: args.id.clone(),
            parent_wf_run_id: args
                .parent
                .as_deref()
                .map(lhw_runtime_client::ids::parse_wf_run_id),
        })
        .await
    {
        Ok(r) => r,
        Err(ClientError::Rpc(s)) if s.code() == tonic::Code::AlreadyExists && args.id.is_some() => {
            let id = args.id.as_deref().unwrap_or_default();
            eprintln!(
                "{}",
                style.error(&format!(
                    "a WfRun with the id `{id}` already exists on {}",
                    client.target()
                ))
            );
            eprintln!(
                "  {}",
                style.help(&format!(
                    "ids are unique: pick another --id, or leave it out for a generated one \
                     (`lhc get wfrun {id}` shows the existing run)"
                ))
            );
            return ExitCode::FAILURE;
        }
        Err(e) => return fail(&e),
    };
    let id = run
        .id
        .as_ref()
        .map(lhw_runtime_client::ids::wf_run_id_text)
        .unwrap_or_default();
    let as_json = args.format == crate::cli::RunFormat::Json;
    let started = format!(
        "started WfRun {id} of {} {}",
        args.workflow,
        version.map_or_else(String::new, |(m, r)| format!("{m}.{r}"))
    );
    if as_json {
        // stdout holds the JSON document only.
        eprintln!("{started}");
    } else {
        println!("{started}");
    }
    if !args.wait {
        if as_json {
            return print_run_json(&run, style);
        }
        return ExitCode::SUCCESS;
    }
    let followed = follow(
        &client,
        &id,
        run,
        Duration::from_secs(args.timeout),
        !as_json,
    )
    .await;
    if as_json && let Ok(Followed::Ended(run)) = &followed {
        let printed = print_run_json(run, style);
        return if printed == ExitCode::SUCCESS {
            exit_code(run)
        } else {
            printed
        };
    }
    match followed {
        Ok(Followed::Interrupted) => {
            eprintln!("{}", style.error(&interrupted_message(&id)));
            ExitCode::from(INTERRUPTED_EXIT)
        }
        Ok(Followed::Ended(run)) => {
            if let Err(e) = finish(&client, &spec, &run).await {
                server::report_client_error(&e, target, style);
            }
            exit_code(&run)
        }
        Ok(Followed::TimedOut) => {
            eprintln!(
                "{}",
                style.error(&format!(
                    "WfRun {id} has not finished after {} s (it keeps running on the server)",
                    args.timeout
                ))
            );
            if let Ok(run) = client.get_wf_run(&id).await {
                for line in waiting_on(&client, &run).await {
                    eprintln!("  {}", style.help(&line));
                }
            }
            ExitCode::FAILURE
        }
        Err(e) => fail(&e),
    }
}

/// Prints the WfRun as protobuf JSON on stdout.
fn print_run_json(run: &lhw_proto::littlehorse::WfRun, style: Style) -> ExitCode {
    match lhw_proto::try_to_json_pretty(run) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "{}",
                style.error(&format!("cannot print the WfRun as JSON: {e}"))
            );
            ExitCode::FAILURE
        }
    }
}

/// The StructDefs the entrypoint's inputs use (nested ones included), for parsing `--var`.
pub(crate) async fn struct_defs(
    client: &LhClient,
    spec: &WfSpec,
) -> Result<StructDefs, ClientError> {
    let mut todo: Vec<TypeDefinition> = inputs(spec)
        .iter()
        .filter_map(|d| d.var_def.as_ref().and_then(type_of))
        .collect();
    let mut out = StructDefs::new();
    while let Some(t) = todo.pop() {
        match t.defined_type {
            Some(DefinedType::StructDefId(id)) if !out.contains_key(&id.name) => {
                let def = client
                    .raw()
                    .get_struct_def(id.clone())
                    .await
                    .map_err(ClientError::Rpc)?
                    .into_inner()
                    .struct_def
                    .unwrap_or_default();
                todo.extend(def.fields.values().filter_map(|f| f.field_type.clone()));
                out.insert(id.name, def);
            }
            Some(DefinedType::InlineArrayDef(a)) => todo.extend(a.array_type.map(|b| *b)),
            Some(DefinedType::InlineMapDef(m)) => todo.extend(m.value_type.map(|b| *b)),
            Some(DefinedType::InlineStructDef(s)) => {
                todo.extend(s.fields.values().filter_map(|f| f.field_type.clone()));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The names of the workflows deployed on the server (empty when it cannot say).
async fn deployed_workflows(client: &LhClient) -> Vec<String> {
    let Ok(page) = client
        .raw()
        .search_wf_spec(SearchWfSpecRequest {
            bookmark: None,
            limit: Some(1000),
            wf_spec_criteria: None,
        })
        .await
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = page
        .into_inner()
        .results
        .into_iter()
        .map(|i| i.name)
        .collect();
    names.dedup();
    names
}

/// The name among `names` closest to `name` (or that starts with it), if any.
fn closest_workflow(names: &[String], name: &str) -> Option<String> {
    if let Some(c) = lhw_compiler::check::closest(name, names.iter().map(String::as_str)) {
        return Some(c.to_string());
    }
    names.iter().find(|n| n.starts_with(name)).cloned()
}

/// `no WfSpec `NAME` on ADDR`, with the closest deployed name as a "did you mean" (or, with
/// none close, the deployed names when they are few): for every verb that takes a deployed
/// workflow's name.
pub(crate) async fn unknown_wf_spec(client: &LhClient, name: &str) -> String {
    let mut msg = format!(
        "no WfSpec `{name}` on {} (see `lhc list wfspecs`)",
        client.target()
    );
    let deployed = deployed_workflows(client).await;
    match closest_workflow(&deployed, name) {
        Some(c) if c != name => msg.push_str(&format!("\n  help: did you mean `{c}`?")),
        Some(_) => {}
        None if deployed.is_empty() => {
            msg.push_str("\n  help: nothing is deployed there yet: lhc deploy FILE.lhw");
        }
        None if deployed.len() <= 10 => {
            msg.push_str(&format!(
                "\n  help: deployed there: {}",
                deployed.join(", ")
            ));
        }
        None => {}
    }
    msg
}

/// A version of WfSpec `name` the server does not have: its versions, or (no version at
/// all) [`unknown_wf_spec`].
pub(crate) async fn unknown_wf_spec_version(
    client: &LhClient,
    name: &str,
    major: i32,
    revision: i32,
) -> String {
    let versions: Vec<String> = match client
        .raw()
        .search_wf_spec(SearchWfSpecRequest {
            bookmark: None,
            limit: Some(1000),
            wf_spec_criteria: Some(
                lhw_proto::littlehorse::search_wf_spec_request::WfSpecCriteria::Name(
                    name.to_string(),
                ),
            ),
        })
        .await
    {
        Ok(page) => page
            .into_inner()
            .results
            .iter()
            .filter(|i| i.name == name)
            .map(|i| format!("{}.{}", i.major_version, i.revision))
            .collect(),
        Err(_) => Vec::new(),
    };
    if versions.is_empty() {
        return unknown_wf_spec(client, name).await;
    }
    format!(
        "no version {major}.{revision} of WfSpec `{name}` on {} (its versions: {})",
        client.target(),
        versions.join(", ")
    )
}

/// The deployed workflow whose name is closest to `name` (or starts with it), if any.
pub(crate) async fn similar_workflow(client: &LhClient, name: &str) -> Option<String> {
    closest_workflow(&deployed_workflows(client).await, name)
}

/// A `.lhw` file named where a workflow name was expected: `lhc run my-flow.lhw`, or
/// `lhc run my-flow` beside `my-flow.lhw`, with the workflows the file declares.
struct FileHint {
    /// The file as it was found (`my-flow.lhw`).
    file: String,
    /// The workflows it declares (empty when it does not compile).
    workflows: Vec<String>,
}

impl FileHint {
    fn help(&self, deployed: &[String]) -> String {
        let file = &self.file;
        match self.workflows.as_slice() {
            [] => format!(
                "`lhc run` takes the name of a workflow (`workflow NAME {{` in a .lhw file), \
                 not a file, and {file} declares no workflow (see `lhc check {file}`)"
            ),
            names => {
                let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let first = &names[0];
                let mut help = format!(
                    "`lhc run` takes the name of a workflow, not a file: {file} declares {}; \
                     run it with `lhc run {first}`",
                    listed.join(", ")
                );
                if !deployed.iter().any(|d| d == first) {
                    help.push_str(&format!(" after `lhc deploy {file}`"));
                }
                help
            }
        }
    }
}

fn file_workflows(arg: &str) -> Option<FileHint> {
    let given = std::path::Path::new(arg);
    let path = if given.is_file() {
        given.to_path_buf()
    } else {
        let beside = std::path::PathBuf::from(format!("{arg}.lhw"));
        if !beside.is_file() {
            return None;
        }
        beside
    };
    let file = path.display().to_string();
    let workflows = crate::read_source(&path)
        .ok()
        .and_then(|text| crate::guarded(&file, || lhw_compiler::compile(&text)).ok())
        .and_then(|c| c.output)
        .map(|o| o.wf_specs.iter().map(|w| w.name.clone()).collect())
        .unwrap_or_default();
    Some(FileHint { file, workflows })
}
