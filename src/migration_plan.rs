//! `lhc migration-plan`: WorkflowMigrationPlans, LittleHorse's way of moving one running
//! WfRun at a time onto another version of its WfSpec (`lhctl put|get|delete
//! workflowMigrationPlan`, `lhctl apply workflowMigrationPlan PLAN WFRUN`).
//!
//! `put` builds the mapping as `lhc migrate` does (`--plan FILE`, `--same-names`,
//! `--thread`, `--node`, checked against both versions with "did you mean") instead of
//! lhctl's prompts; the server adds the threads each destination thread depends on.
//! `apply` stamps a WfRun with the plan: its threads move when they wait at, or next reach,
//! a mapped node (see `kernel/src/engine/migration_plans.rs`). `--var [THREAD:]NAME=VALUE`
//! gives migration variables, parsed by the variable's type in the new version. It is a
//! separate verb from `lhc migrate` (MigrateWfSpec, every running WfRun of a version at once)
//! because a plan is a stored object with its own lifecycle (put, list, apply to chosen runs,
//! delete).

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use lhw_proto::littlehorse::{
    ApplyWorkflowMigrationPlanRequest, DeleteWorkflowMigrationPlanRequest, MigrationVars,
    PutWorkflowMigrationPlanRequest, SearchWorkflowMigrationPlanRequest,
    ThreadMigrationPlanRequest, VariableAssignment, WfRun, WfSpec, WfSpecId, WorkflowMigrationPlan,
    WorkflowMigrationPlanId, search_workflow_migration_plan_request::WorkflowMigrationPlanCriteria,
    variable_assignment,
};
use lhw_runtime_client::LhClient;
use lhw_runtime_client::values::{StructDefs, parse_value_with, type_name, type_of};
use tonic::Code;

use crate::inspect::exec::{Fail, Res, all_pages, execute, rpc, wf_run_id};
use crate::inspect::render::{fields, print_json, print_text, status_name, table, time};
use crate::inspect::{Common, Format};
use crate::migrate::{MappingArgs, build_migration, did_you_mean, spec, version};
use crate::report::Style;

/// Arguments of `lhc migration-plan`.
#[derive(Debug, Args)]
pub struct MigrationPlanArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: MigrationPlanCommand,
}

/// `lhc migration-plan` subcommands.
#[derive(Debug, Subcommand)]
pub enum MigrationPlanCommand {
    /// Store a plan from one version of WORKFLOW to another (PutWorkflowMigrationPlan).
    Put(PutArgs),
    /// One plan: its versions, thread and node mappings (GetWorkflowMigrationPlan).
    Get(NameArgs),
    /// Delete a plan (DeleteWorkflowMigrationPlan; LittleHorse does not serve it yet).
    Delete(NameArgs),
    /// The stored plans (SearchWorkflowMigrationPlan; LittleHorse does not serve it yet).
    List(ListArgs),
    /// Move one running WfRun with a plan (ApplyWorkflowMigrationPlan).
    Apply(ApplyArgs),
}

/// Arguments of `lhc migration-plan put`.
#[derive(Debug, Args)]
pub struct PutArgs {
    /// The plan's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The workflow (WfSpec name).
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// The version runs move from, `MAJOR.REVISION`.
    #[arg(long, value_name = "MAJOR.REVISION")]
    pub from: String,
    /// The version they move to, `MAJOR.REVISION` (default: the newest).
    #[arg(long, value_name = "MAJOR.REVISION")]
    pub to: Option<String>,
    /// The thread and node mapping.
    #[command(flatten)]
    pub mapping: MappingArgs,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// A plan name.
#[derive(Debug, Args)]
pub struct NameArgs {
    /// The plan's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc migration-plan list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the plans of this workflow.
    #[arg(long, value_name = "WORKFLOW", conflicts_with = "prefix")]
    pub workflow: Option<String>,
    /// Only the plans whose name starts with this.
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Arguments of `lhc migration-plan apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan's name.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    /// The WfRun to move.
    #[arg(value_name = "WFRUN")]
    pub wf_run: String,
    /// A migration variable, `[THREAD:]NAME=VALUE`: set on the thread of the new version
    /// when it moves (THREAD defaults to the entrypoint thread; repeatable).
    #[arg(long = "var", value_name = "[THREAD:]NAME=VALUE", value_parser = crate::usage::name_value)]
    pub vars: Vec<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Runs `lhc migration-plan`.
pub fn run(args: &MigrationPlanArgs, style: Style) -> ExitCode {
    match &args.command {
        MigrationPlanCommand::Put(a) => execute(&a.common, style, async |c, f| put(c, a, f).await),
        MigrationPlanCommand::Get(a) => execute(&a.common, style, async |c, f| get(c, a, f).await),
        MigrationPlanCommand::Delete(a) => {
            execute(&a.common, style, async |c, f| delete(c, a, f).await)
        }
        MigrationPlanCommand::List(a) => {
            execute(&a.common, style, async |c, f| list(c, a, f).await)
        }
        MigrationPlanCommand::Apply(a) => {
            execute(&a.common, style, async |c, f| apply(c, a, f).await)
        }
    }
}

fn label(id: &WfSpecId) -> String {
    format!("{}.{}", id.major_version, id.revision)
}

async fn put(client: &LhClient, a: &PutArgs, format: Format) -> Res {
    let from = version("--from", &a.from)?;
    let old = spec(client, &a.workflow, Some(from)).await?;
    let to = match &a.to {
        Some(t) => Some(version("--to", t)?),
        None => None,
    };
    let new = spec(client, &a.workflow, to).await?;
    let (old_id, new_id) = (
        old.id.clone().unwrap_or_default(),
        new.id.clone().unwrap_or_default(),
    );
    if old_id == new_id {
        return Err(Fail::Msg(format!(
            "--from and --to are both version {}: a plan moves runs to another version",
            label(&old_id)
        )));
    }
    let mut m = build_migration(
        &a.mapping,
        &old,
        &new,
        (new_id.major_version, new_id.revision),
    )?;
    structural_nodes(&mut m, &old, &new, a.mapping.same_names)?;
    let thread_migrations = m
        .thread_spec_migrations
        .into_iter()
        .map(|(t, tm)| {
            (
                t,
                ThreadMigrationPlanRequest {
                    new_thread_name: tm.new_thread_spec_name,
                    node_migrations: tm
                        .node_migrations
                        .into_iter()
                        .map(|(n, nm)| {
                            (
                                n,
                                lhw_proto::littlehorse::NodeMigrationPlan {
                                    new_node_name: nm.new_node_name,
                                },
                            )
                        })
                        .collect(),
                },
            )
        })
        .collect();
    let plan = client
        .raw()
        .put_workflow_migration_plan(PutWorkflowMigrationPlanRequest {
            name: a.name.clone(),
            old_wf_spec: Some(old_id),
            major_version: new_id.major_version,
            revision: new_id.revision,
            thread_migrations,
        })
        .await
        .map_err(|e| Fail::Client(format!("WorkflowMigrationPlan `{}`", a.name), rpc(e)))?
        .into_inner();
    if format == Format::Json {
        return print_json(&plan);
    }
    println!("stored migration plan `{}`", a.name);
    print_plan(&plan);
    println!(
        "apply it to a running WfRun: lhc migration-plan apply {} WFRUN",
        a.name
    );
    Ok(())
}

/// What kind of node `name` of `thread` is, when a plan may not move a thread from or to it
/// (ENTRYPOINT, EXIT and NOP: `PutWorkflowMigrationPlanRequestModel.isMigratableNodeType`).
fn structural(spec: &WfSpec, thread: &str, name: &str) -> Option<&'static str> {
    let node = spec.thread_specs.get(thread)?.nodes.get(name)?;
    let kind = lhw_kernel::wfspec::node_case(node);
    matches!(kind, "ENTRYPOINT" | "EXIT" | "NOP").then_some(kind)
}

/// Drops the ENTRYPOINT, EXIT and NOP nodes `--same-names` mapped to themselves; refuses
/// such a node named explicitly (the server would).
fn structural_nodes(
    m: &mut lhw_proto::littlehorse::WfSpecVersionMigration,
    old: &WfSpec,
    new: &WfSpec,
    same_names: bool,
) -> Result<(), Fail> {
    for (t, tm) in m.thread_spec_migrations.iter_mut() {
        let mut refused = None;
        tm.node_migrations.retain(|from, nm| {
            let kind = structural(old, t, from)
                .map(|k| (from.clone(), k))
                .or_else(|| {
                    structural(new, &tm.new_thread_spec_name, &nm.new_node_name)
                        .map(|k| (nm.new_node_name.clone(), k))
                });
            match kind {
                None => true,
                Some(_) if same_names && *from == nm.new_node_name => false,
                Some(k) => {
                    refused.get_or_insert(k);
                    true
                }
            }
        });
        if let Some((node, kind)) = refused {
            return Err(Fail::Msg(format!(
                "node `{node}` of thread `{t}` is a {kind} node: a migration plan moves threads \
                 only from and to nodes that do work (not ENTRYPOINT, EXIT or NOP)"
            )));
        }
    }
    Ok(())
}

/// The plan as a block of fields and a table of its node mappings.
fn print_plan(plan: &WorkflowMigrationPlan) {
    let old = plan.old_wf_spec.clone().unwrap_or_default();
    let name = plan
        .workflow_migration_plan_id
        .as_ref()
        .map(|i| i.name.clone())
        .unwrap_or_default();
    print_text(&fields(&[
        ("plan", name),
        ("workflow", old.name.clone()),
        (
            "from -> to",
            format!(
                "{} -> {}.{}",
                label(&old),
                plan.major_version,
                plan.revision
            ),
        ),
        ("created", time(plan.created_at.as_ref())),
    ]));
    let mut rows = Vec::new();
    for (t, tm) in &plan.thread_migrations {
        let deps = if tm.thread_spec_dependencies.is_empty() {
            "-".to_string()
        } else {
            tm.thread_spec_dependencies.join(", ")
        };
        if tm.node_migrations.is_empty() {
            rows.push(vec![
                format!("{t} -> {}", tm.new_thread_name),
                "-".into(),
                "-".into(),
                deps.clone(),
            ]);
        }
        for (n, nm) in &tm.node_migrations {
            rows.push(vec![
                format!("{t} -> {}", tm.new_thread_name),
                n.clone(),
                nm.new_node_name.clone(),
                deps.clone(),
            ]);
        }
    }
    println!();
    print_text(&table(
        &["THREAD", "FROM NODE", "TO NODE", "WAITS FOR THREADS"],
        &rows,
    ));
}

async fn fetch(client: &LhClient, name: &str) -> Result<WorkflowMigrationPlan, Fail> {
    match client
        .raw()
        .get_workflow_migration_plan(WorkflowMigrationPlanId {
            name: name.to_string(),
        })
        .await
    {
        Ok(p) => Ok(p.into_inner()),
        Err(s) if s.code() == Code::NotFound => {
            let mut msg = format!("no migration plan `{name}` on {}", client.target());
            let names = plan_names(client, None).await.unwrap_or_default();
            if !names.is_empty() {
                msg.push_str(&format!("\n  help:{}", did_you_mean(name, names.iter())));
            }
            Err(Fail::Msg(msg))
        }
        Err(s) => Err(Fail::Client(
            format!("WorkflowMigrationPlan `{name}`"),
            rpc(s),
        )),
    }
}

/// Every stored plan's name (of one workflow when given).
async fn plan_names(client: &LhClient, workflow: Option<&str>) -> Result<Vec<String>, Fail> {
    search(
        client,
        workflow.map(|w| WorkflowMigrationPlanCriteria::WfSpecName(w.into())),
    )
    .await
}

async fn search(
    client: &LhClient,
    criteria: Option<WorkflowMigrationPlanCriteria>,
) -> Result<Vec<String>, Fail> {
    let ids = all_pages(usize::MAX, |bookmark, _| {
        let criteria = criteria.clone();
        async move {
            let page = client
                .raw()
                .search_workflow_migration_plan(SearchWorkflowMigrationPlanRequest {
                    bookmark,
                    limit: Some(1000),
                    workflow_migration_plan_criteria: criteria,
                })
                .await
                .map_err(|e| Fail::Client("WorkflowMigrationPlans".into(), rpc(e)))?
                .into_inner();
            Ok((page.results, page.bookmark))
        }
    })
    .await?;
    Ok(ids.into_iter().map(|i| i.name).collect())
}

async fn get(client: &LhClient, a: &NameArgs, format: Format) -> Res {
    let plan = fetch(client, &a.name).await?;
    if format == Format::Json {
        return print_json(&plan);
    }
    print_plan(&plan);
    Ok(())
}

async fn delete(client: &LhClient, a: &NameArgs, format: Format) -> Res {
    let plan = fetch(client, &a.name).await?;
    client
        .raw()
        .delete_workflow_migration_plan(DeleteWorkflowMigrationPlanRequest {
            id: Some(WorkflowMigrationPlanId {
                name: a.name.clone(),
            }),
        })
        .await
        .map_err(|e| Fail::Client(format!("WorkflowMigrationPlan `{}`", a.name), rpc(e)))?;
    if format == Format::Json {
        return print_json(&plan);
    }
    println!("deleted migration plan `{}`", a.name);
    Ok(())
}

async fn list(client: &LhClient, a: &ListArgs, format: Format) -> Res {
    let criteria = match (&a.workflow, &a.prefix) {
        (Some(w), _) => Some(WorkflowMigrationPlanCriteria::WfSpecName(w.clone())),
        (None, Some(p)) => Some(WorkflowMigrationPlanCriteria::Prefix(p.clone())),
        (None, None) => None,
    };
    let names = search(client, criteria).await?;
    let mut plans = Vec::new();
    for name in names {
        match client
            .raw()
            .get_workflow_migration_plan(WorkflowMigrationPlanId { name: name.clone() })
            .await
        {
            Ok(p) => plans.push(p.into_inner()),
            // Deleted between the search and the read.
            Err(s) if s.code() == Code::NotFound => {}
            Err(s) => {
                return Err(Fail::Client(
                    format!("WorkflowMigrationPlan `{name}`"),
                    rpc(s),
                ));
            }
        }
    }
    if format == Format::Json {
        return print_json(&plans);
    }
    if plans.is_empty() {
        println!("no migration plans");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            let old = p.old_wf_spec.clone().unwrap_or_default();
            vec![
                p.workflow_migration_plan_id
                    .as_ref()
                    .map(|i| i.name.clone())
                    .unwrap_or_default(),
                old.name.clone(),
                label(&old),
                format!("{}.{}", p.major_version, p.revision),
                p.thread_migrations
                    .values()
                    .map(|t| t.node_migrations.len())
                    .sum::<usize>()
                    .to_string(),
            ]
        })
        .collect();
    print_text(&table(
        &["NAME", "WORKFLOW", "FROM", "TO", "NODES MAPPED"],
        &rows,
    ));
    Ok(())
}

/// `--var [THREAD:]NAME=VALUE`, parsed by the type of NAME in THREAD of the new version.
fn migration_vars(
    vars: &[String],
    new: &WfSpec,
    structs: &StructDefs,
) -> Result<BTreeMap<String, MigrationVars>, Fail> {
    let mut out: BTreeMap<String, MigrationVars> = BTreeMap::new();
    for raw in vars {
        let (lhs, value) = raw
            .split_once('=')
            .filter(|(a, _)| !a.is_empty())
            .ok_or_else(|| Fail::Msg(format!("--var `{raw}`: expected [THREAD:]NAME=VALUE")))?;
        let (thread, name) = match lhs.split_once(':') {
            Some((t, n)) => (t.to_string(), n),
            None => (new.entrypoint_thread_name.clone(), lhs),
        };
        let Some(ts) = new.thread_specs.get(&thread) else {
            return Err(Fail::Msg(format!(
                "--var {lhs}: the new version has no thread `{thread}`{}",
                did_you_mean(&thread, new.thread_specs.keys())
            )));
        };
        // The thread's own variables, then those of any thread (the server checks the scope).
        let defs: Vec<&lhw_proto::littlehorse::VariableDef> = ts
            .variable_defs
            .iter()
            .chain(
                new.thread_specs
                    .values()
                    .flat_map(|t| t.variable_defs.iter()),
            )
            .filter_map(|v| v.var_def.as_ref())
            .collect();
        let Some(def) = defs.iter().find(|d| d.name == name) else {
            let names: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
            return Err(Fail::Msg(format!(
                "--var {lhs}: the new version has no variable `{name}`{}",
                did_you_mean(name, names.iter())
            )));
        };
        let Some(t) = type_of(def) else {
            return Err(Fail::Msg(format!(
                "--var {lhs}: the variable `{name}` has no type"
            )));
        };
        let v = parse_value_with(value, &t, structs).map_err(|e| {
            Fail::Msg(format!(
                "--var {lhs}: {e} (`{name}` is of type {})",
                type_name(&t)
            ))
        })?;
        out.entry(thread)
            .or_default()
            .var_assignment_by_var_name
            .insert(
                name.to_string(),
                VariableAssignment {
                    source: Some(variable_assignment::Source::LiteralValue(v)),
                    ..VariableAssignment::default()
                },
            );
    }
    Ok(out)
}

async fn apply(client: &LhClient, a: &ApplyArgs, format: Format) -> Res {
    let plan = fetch(client, &a.plan).await?;
    let old = plan.old_wf_spec.clone().unwrap_or_default();
    let new_id = WfSpecId {
        name: old.name.clone(),
        major_version: plan.major_version,
        revision: plan.revision,
    };
    let migration_vars_by_thread = if a.vars.is_empty() {
        BTreeMap::new()
    } else {
        let new = spec(
            client,
            &new_id.name,
            Some((new_id.major_version, new_id.revision)),
        )
        .await?;
        let structs = crate::run::struct_defs(client, &new)
            .await
            .map_err(|e| Fail::Client(format!("workflow `{}`", new_id.name), e))?;
        migration_vars(&a.vars, &new, &structs)?
    };
    let before: Option<WfRun> = client
        .raw()
        .get_wf_run(wf_run_id(&a.wf_run))
        .await
        .ok()
        .map(tonic::Response::into_inner);
    if let Some(run) = &before
        && run.wf_spec_id.as_ref() != Some(&old)
    {
        return Err(Fail::Msg(format!(
            "WfRun {} runs {} version {}, but plan `{}` moves runs of version {}: nothing would move",
            a.wf_run,
            old.name,
            run.wf_spec_id.as_ref().map_or_else(|| "?".into(), label),
            a.plan,
            label(&old)
        )));
    }
    let run = client
        .raw()
        .apply_workflow_migration_plan(ApplyWorkflowMigrationPlanRequest {
            id: Some(WorkflowMigrationPlanId {
                name: a.plan.clone(),
            }),
            wf_run_id: Some(wf_run_id(&a.wf_run)),
            migration_vars_by_thread,
        })
        .await
        .map_err(|e| {
            Fail::Client(
                format!("applying plan `{}` to WfRun {}", a.plan, a.wf_run),
                rpc(e),
            )
        })?
        .into_inner();
    if format == Format::Json {
        return print_json(&run);
    }
    let on = run.wf_spec_id.clone().unwrap_or_default();
    if on == new_id {
        println!(
            "WfRun {} moved to {} {} ({})",
            a.wf_run,
            on.name,
            label(&on),
            status_name(run.status)
        );
    } else {
        println!(
            "WfRun {} is migrating with plan `{}`: each mapped thread moves to {} when it \
             waits at or reaches a mapped node",
            a.wf_run,
            a.plan,
            label(&new_id)
        );
    }
    let rows: Vec<Vec<String>> = run
        .thread_runs
        .iter()
        .map(|t| {
            vec![
                t.number.to_string(),
                t.thread_spec_name.clone(),
                t.wf_spec_id.as_ref().map_or_else(|| "-".into(), label),
                status_name(t.status).to_string(),
            ]
        })
        .collect();
    print_text(&table(&["THREAD", "SPEC", "VERSION", "STATUS"], &rows));
    Ok(())
}
