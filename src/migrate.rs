//! `lhc migrate`: move the running WfRuns of one WfSpec version to another
//! (MigrateWfSpec), thread by thread and node by node.
//!
//! The mapping (a `WfSpecVersionMigration`) comes from a plan file (its protobuf JSON),
//! from `--same-names` (every thread and node whose name exists in both versions maps to
//! itself) and from `--thread OLD=NEW` / `--node [THREAD:]OLD=NEW`, later sources
//! overriding earlier ones. It is checked against both versions before sending, as the
//! server checks it. A running WfRun moves when every thread of it that has not ended is
//! RUNNING at a mapped node (the embedded kernel moves those at once, see
//! `kernel/src/engine/migrate.rs`); `--dry-run` lists the running WfRuns of the old
//! version and which would move, and why the others would not, without changing anything.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use lhw_proto::littlehorse::{
    LhStatus, ListNodeRunsRequest, MigrateWfSpecRequest, NodeMigration, SearchWfRunRequest,
    ThreadSpecMigration, WfRun, WfSpec, WfSpecId, WfSpecVersionMigration,
};
use lhw_runtime_client::LhClient;
use serde::Serialize;

use crate::inspect::exec::{Fail, Res, execute, rpc};
use crate::inspect::render::{print_text, table};
use crate::inspect::{Common, Format};
use crate::report::Style;

/// Arguments of `lhc migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The workflow (WfSpec name).
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// The version whose running WfRuns move, `MAJOR.REVISION`.
    #[arg(long, value_name = "MAJOR.REVISION")]
    pub from: String,
    /// The version they move to, `MAJOR.REVISION` (default: the plan's, else the newest).
    #[arg(long, value_name = "MAJOR.REVISION")]
    pub to: Option<String>,
    /// The thread and node mapping.
    #[command(flatten)]
    pub mapping: MappingArgs,
    /// Show which running WfRuns would move, and why the others would not; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// Where a mapping of threads and nodes comes from (also `lhc migration-plan put`).
#[derive(Debug, Args)]
pub struct MappingArgs {
    /// A migration plan: the protobuf JSON of a `WfSpecVersionMigration`
    /// (`threadSpecMigrations` → `nodeMigrations` → `newNodeName`).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Map every thread and node whose name exists in both versions to itself.
    #[arg(long)]
    pub same_names: bool,
    /// Map a thread, `OLD=NEW` (repeatable).
    #[arg(long = "thread", value_name = "OLD=NEW")]
    pub threads: Vec<String>,
    /// Map a node, `[THREAD:]OLD=NEW` (THREAD defaults to the entrypoint thread; repeatable).
    #[arg(long = "node", value_name = "[THREAD:]OLD=NEW")]
    pub nodes: Vec<String>,
}

/// One running WfRun and whether the migration moves it.
#[derive(Debug, Serialize)]
struct RunVerdict {
    id: String,
    moves: bool,
    /// Where each thread stands, or why the run cannot move.
    detail: String,
}

/// What `--format json` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    from: String,
    to: String,
    dry_run: bool,
    migration: serde_json::Value,
    runs: Vec<RunVerdict>,
    moved: usize,
}

/// Runs `lhc migrate`.
pub fn run(args: &MigrateArgs, style: Style) -> ExitCode {
    execute(&args.common, style, async |c, f| migrate(c, args, f).await)
}

pub(crate) fn version(flag: &str, text: &str) -> Result<(i32, i32), Fail> {
    let bad = || {
        Fail::Msg(format!(
            "{flag} `{text}`: expected MAJOR.REVISION, e.g. `1.0`"
        ))
    };
    let (m, r) = text.split_once('.').ok_or_else(bad)?;
    Ok((m.parse().map_err(|_| bad())?, r.parse().map_err(|_| bad())?))
}

pub(crate) async fn spec(
    client: &LhClient,
    name: &str,
    v: Option<(i32, i32)>,
) -> Result<WfSpec, Fail> {
    let what = match v {
        Some((m, r)) => format!("workflow `{name}` version {m}.{r}"),
        None => format!("workflow `{name}`"),
    };
    let mut raw = client.raw();
    let answer = match v {
        Some((major_version, revision)) => {
            raw.get_wf_spec(WfSpecId {
                name: name.to_string(),
                major_version,
                revision,
            })
            .await
        }
        None => {
            raw.get_latest_wf_spec(lhw_proto::littlehorse::GetLatestWfSpecRequest {
                name: name.to_string(),
                major_version: None,
            })
            .await
        }
    };
    answer
        .map(tonic::Response::into_inner)
        .map_err(|e| Fail::Client(what, rpc(e)))
}

/// `THREAD:OLD=NEW` / `OLD=NEW`.
fn split_map<'a>(flag: &str, raw: &'a str) -> Result<(&'a str, &'a str), Fail> {
    raw.split_once('=')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| Fail::Msg(format!("{flag} `{raw}`: expected OLD=NEW")))
}

pub(crate) fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.into_iter().map(String::as_str).collect();
    match lhw_compiler::check::closest(name, known.iter().copied()) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => format!(" (it has: {})", known.join(", ")),
    }
}

/// The mapping from the plan file, `--same-names`, `--thread` and `--node`, checked
/// against both versions.
pub(crate) fn build_migration(
    args: &MappingArgs,
    old: &WfSpec,
    new: &WfSpec,
    to: (i32, i32),
) -> Result<WfSpecVersionMigration, Fail> {
    let mut m = match &args.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Fail::Msg(format!("cannot read the plan {}: {e}", path.display())))?;
            serde_json::from_str::<WfSpecVersionMigration>(&text).map_err(|e| {
                Fail::Msg(format!(
                    "{}: not a WfSpecVersionMigration in protobuf JSON: {e}",
                    path.display()
                ))
            })?
        }
        None => WfSpecVersionMigration::default(),
    };
    m.new_major_version = to.0;
    m.new_revision = to.1;
    if args.same_names {
        for (t, spec) in &old.thread_specs {
            let Some(target) = new.thread_specs.get(t) else {
                continue;
            };
            let tm = m
                .thread_spec_migrations
                .entry(t.clone())
                .or_insert_with(|| ThreadSpecMigration {
                    new_thread_spec_name: t.clone(),
                    node_migrations: BTreeMap::new(),
                });
            for n in spec.nodes.keys().filter(|n| target.nodes.contains_key(*n)) {
                tm.node_migrations
                    .entry(n.clone())
                    .or_insert_with(|| NodeMigration {
                        new_node_name: n.clone(),
                    });
            }
        }
    }
    for raw in &args.threads {
        let (a, b) = split_map("--thread", raw)?;
        let tm = m.thread_spec_migrations.entry(a.to_string()).or_default();
        tm.new_thread_spec_name = b.to_string();
    }
    for raw in &args.nodes {
        let (lhs, b) = split_map("--node", raw)?;
        let (thread, a) = match lhs.split_once(':') {
            Some((t, a)) => (t.to_string(), a),
            None => (old.entrypoint_thread_name.clone(), lhs),
        };
        let tm = m
            .thread_spec_migrations
            .entry(thread.clone())
            .or_insert_with(|| ThreadSpecMigration {
                new_thread_spec_name: thread.clone(),
                node_migrations: BTreeMap::new(),
            });
        tm.node_migrations.insert(
            a.to_string(),
            NodeMigration {
                new_node_name: b.to_string(),
            },
        );
    }
    // The server's checks, with the names each version has.
    for (t, tm) in &m.thread_spec_migrations {
        let Some(src) = old.thread_specs.get(t) else {
            return Err(Fail::Msg(format!(
                "the old version has no thread `{t}`{}",
                did_you_mean(t, old.thread_specs.keys())
            )));
        };
        let Some(dst) = new.thread_specs.get(&tm.new_thread_spec_name) else {
            return Err(Fail::Msg(format!(
                "the new version has no thread `{}`{}",
                tm.new_thread_spec_name,
                did_you_mean(&tm.new_thread_spec_name, new.thread_specs.keys())
            )));
        };
        for (a, nm) in &tm.node_migrations {
            if !src.nodes.contains_key(a) {
                return Err(Fail::Msg(format!(
                    "thread `{t}` of the old version has no node `{a}`{}",
                    did_you_mean(a, src.nodes.keys())
                )));
            }
            if !dst.nodes.contains_key(&nm.new_node_name) {
                return Err(Fail::Msg(format!(
                    "thread `{}` of the new version has no node `{}`{}",
                    tm.new_thread_spec_name,
                    nm.new_node_name,
                    did_you_mean(&nm.new_node_name, dst.nodes.keys())
                )));
            }
        }
    }
    if m.thread_spec_migrations.is_empty() {
        return Err(Fail::Msg(
            "the migration maps nothing: give --same-names, --plan FILE, or --thread/--node \
             mappings (`lhc diff` lists what differs between the versions)"
                .into(),
        ));
    }
    Ok(m)
}

/// Every RUNNING WfRun of a version.
async fn running(client: &LhClient, id: &WfSpecId) -> Result<Vec<WfRun>, Fail> {
    let what = format!("WfRuns of `{}`", id.name);
    let ids = crate::inspect::exec::all_pages(100_000, |bookmark, room| {
        let mut raw = client.raw();
        let req = SearchWfRunRequest {
            bookmark,
            limit: Some(i32::try_from(room.min(1000)).unwrap_or(1000)),
            wf_spec_name: id.name.clone(),
            wf_spec_major_version: Some(id.major_version),
            wf_spec_revision: Some(id.revision),
            status: Some(LhStatus::Running as i32),
            ..Default::default()
        };
        let what = what.clone();
        async move {
            let page = raw
                .search_wf_run(req)
                .await
                .map_err(|e| Fail::Client(what, rpc(e)))?
                .into_inner();
            Ok((page.results, page.bookmark))
        }
    })
    .await?;
    let mut out = Vec::new();
    for wf_run_id in ids {
        let text = lhw_runtime_client::ids::wf_run_id_text(&wf_run_id);
        let run = client
            .raw()
            .get_wf_run(wf_run_id)
            .await
            .map_err(|e| Fail::Client(format!("WfRun `{text}`"), rpc(e)))?
            .into_inner();
        out.push(run);
    }
    Ok(out)
}

/// Whether `run` moves, as the kernel decides it.
async fn verdict(
    client: &LhClient,
    run: &WfRun,
    m: &WfSpecVersionMigration,
) -> Result<RunVerdict, Fail> {
    let id = run
        .id
        .as_ref()
        .map(lhw_runtime_client::ids::wf_run_id_text)
        .unwrap_or_default();
    let nodes = client
        .raw()
        .list_node_runs(ListNodeRunsRequest {
            wf_run_id: run.id.clone(),
            ..Default::default()
        })
        .await
        .map_err(|e| Fail::Client(format!("NodeRuns of `{id}`"), rpc(e)))?
        .into_inner()
        .results;
    let node_at = |t: i32, pos: i32| {
        nodes
            .iter()
            .find(|n| {
                n.id.as_ref()
                    .is_some_and(|i| i.thread_run_number == t && i.position == pos)
            })
            .map(|n| n.node_name.clone())
            .unwrap_or_default()
    };
    let mut moves = Vec::new();
    for th in &run.thread_runs {
        let status = LhStatus::try_from(th.status).unwrap_or(LhStatus::Error);
        if matches!(
            status,
            LhStatus::Completed | LhStatus::Error | LhStatus::Exception
        ) {
            continue;
        }
        let no = |why: String| RunVerdict {
            id: id.clone(),
            moves: false,
            detail: why,
        };
        if status != LhStatus::Running {
            return Ok(no(format!(
                "thread {} is {}",
                th.number,
                crate::inspect::render::status_name(th.status)
            )));
        }
        let Some(tm) = m.thread_spec_migrations.get(&th.thread_spec_name) else {
            return Ok(no(format!(
                "thread {} (`{}`) has no thread mapping",
                th.number, th.thread_spec_name
            )));
        };
        let node = node_at(th.number, th.current_node_position);
        let Some(nm) = tm.node_migrations.get(&node) else {
            return Ok(no(format!(
                "thread {} is at `{node}`, which has no node mapping (--node {}:{node}=NEW)",
                th.number, th.thread_spec_name
            )));
        };
        moves.push(format!(
            "thread {}: `{node}` -> `{}`/`{}`",
            th.number, tm.new_thread_spec_name, nm.new_node_name
        ));
    }
    Ok(RunVerdict {
        id,
        moves: true,
        detail: moves.join("; "),
    })
}

async fn migrate(client: &LhClient, args: &MigrateArgs, format: Format) -> Res {
    let from = version("--from", &args.from)?;
    let old = spec(client, &args.workflow, Some(from)).await?;
    let to = match &args.to {
        Some(t) => Some(version("--to", t)?),
        None => None,
    };
    let new = spec(client, &args.workflow, to).await?;
    let new_id = new.id.clone().unwrap_or_default();
    let old_id = old.id.clone().unwrap_or_default();
    if new_id == old_id {
        return Err(Fail::Msg(format!(
            "--from and --to are both version {}.{}: nothing to move",
            old_id.major_version, old_id.revision
        )));
    }
    let m = build_migration(
        &args.mapping,
        &old,
        &new,
        (new_id.major_version, new_id.revision),
    )?;
    let runs = running(client, &old_id).await?;
    let mut verdicts = Vec::new();
    for run in &runs {
        verdicts.push(verdict(client, run, &m).await?);
    }
    let mut moved = 0;
    if !args.dry_run {
        client
            .raw()
            .migrate_wf_spec(MigrateWfSpecRequest {
                old_wf_spec: Some(old_id.clone()),
                migration: Some(m.clone()),
            })
            .await
            .map_err(|e| Fail::Client(format!("migrating `{}`", args.workflow), rpc(e)))?;
        // What actually moved, as the server says.
        for v in &mut verdicts {
            let now = client
                .raw()
                .get_wf_run(lhw_runtime_client::ids::parse_wf_run_id(&v.id))
                .await
                .map(tonic::Response::into_inner)
                .ok();
            let on_new = now
                .as_ref()
                .is_some_and(|r| r.wf_spec_id.as_ref() == Some(&new_id));
            if on_new {
                moved += 1;
            } else if v.moves {
                v.moves = false;
                v.detail = format!("not moved by the server ({})", v.detail);
            }
        }
    }
    let label = |i: &WfSpecId| format!("{}.{}", i.major_version, i.revision);
    if format == Format::Json {
        let report = Report {
            from: label(&old_id),
            to: label(&new_id),
            dry_run: args.dry_run,
            migration: serde_json::to_value(&m)
                .map_err(|e| Fail::Msg(format!("cannot print the migration: {e}")))?,
            runs: verdicts,
            moved,
        };
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Fail::Msg(format!("cannot print the report: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    let would = verdicts.iter().filter(|v| v.moves).count();
    if args.dry_run {
        println!(
            "dry run: {would} of {} running WfRun(s) of {} {} would move to {}",
            verdicts.len(),
            args.workflow,
            label(&old_id),
            label(&new_id)
        );
    } else {
        println!(
            "migrated {} {} -> {}: {moved} of {} running WfRun(s) moved",
            args.workflow,
            label(&old_id),
            label(&new_id),
            verdicts.len()
        );
    }
    if !verdicts.is_empty() {
        let rows: Vec<Vec<String>> = verdicts
            .iter()
            .map(|v| {
                vec![
                    v.id.clone(),
                    if v.moves { "yes" } else { "no" }.to_string(),
                    v.detail.clone(),
                ]
            })
            .collect();
        let head = if args.dry_run { "MOVES" } else { "MOVED" };
        print_text(&table(&["WFRUN", head, "DETAIL"], &rows));
    }
    Ok(())
}
