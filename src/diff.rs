//! `lhc diff OLD NEW`: what changes between two versions of a workflow, in `.lhw` terms,
//! and what the server will answer when NEW is deployed on top of OLD (the verdict of
//! `src/verdict.rs`, the same as `lhc deploy --dry-run`).
//!
//! OLD and NEW are `.lhw` files or WfSpec files (PutWfSpecRequest or WfSpec, JSON or
//! binary); with `--wfspec NAME`, OLD is the server's latest version of NAME, and the
//! WfRuns still running on its major version are counted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use lhw_compiler::decompile::{self, Declarations};
use lhw_proto::littlehorse::{self as pb, PutWfSpecRequest, ThreadSpec, WfSpec};
use serde::Serialize;

use crate::cli::{CheckFormat, DiffArgs};
use crate::report::Style;
use crate::verdict::{self, WfVerdict};

/// One side of the comparison.
struct Side {
    /// Where it comes from, for people.
    label: String,
    /// As the server stores it (version, frozen variables, normalized threads).
    stored: WfSpec,
    /// The request (for NEW: what would be deployed).
    request: PutWfSpecRequest,
    /// The metadata that came with it (from a `.lhw` file).
    decls: Declarations,
}

/// OLD read from the server.
struct ServerOld {
    side: Side,
    /// The WfRuns running on its major version, and whether a migration could move them.
    running: String,
    /// NEW's threads as the server would store them (child versions pinned).
    pinned: BTreeMap<String, ThreadSpec>,
}

/// The report, also printed as JSON with `--format json`.
#[derive(Debug, Serialize)]
struct Report {
    workflow: String,
    old: String,
    new: String,
    changes: Vec<String>,
    verdict: String,
    /// `created`, `unchanged`, `revision`, `major`, `refused`.
    kind: &'static str,
    running: Option<String>,
    lhw_diff: Vec<String>,
}

/// Runs `lhc diff`.
pub fn run(args: &DiffArgs, style: Style) -> ExitCode {
    match report(args, style) {
        Ok(r) => {
            print(&r, args.format);
            if r.kind == "refused" {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("{}", style.error(&e));
            ExitCode::FAILURE
        }
    }
}

fn report(args: &DiffArgs, style: Style) -> Result<Report, String> {
    let (old, new, running, pinned) = match &args.wfspec {
        Some(name) => {
            let [new_path] = args.files.as_slice() else {
                return Err("with --wfspec NAME, give one NEW file".to_string());
            };
            let new = read_side(new_path, Some(name))?;
            let old = from_server(args, name, &new, style)?;
            (old.side, new, Some(old.running), old.pinned)
        }
        None => {
            let [old_path, new_path] = args.files.as_slice() else {
                return Err("give OLD and NEW files, or --wfspec NAME and a NEW file".to_string());
            };
            let old = read_side(old_path, None)?;
            let new = read_side(new_path, Some(&old.request.name))?;
            let pinned = verdict::normalize_threads(&new.request.thread_specs);
            (old, new, None, pinned)
        }
    };
    let verdict = verdict::wf_verdict(Some(&old.stored), &new.request, &pinned);
    let kind = match &verdict {
        WfVerdict::Created => "created",
        WfVerdict::Unchanged(_) => "unchanged",
        WfVerdict::NewRevision(_) => "revision",
        WfVerdict::NewMajorVersion(..) => "major",
        WfVerdict::Refused(_) => "refused",
    };
    let running = match (&verdict, running) {
        (WfVerdict::NewMajorVersion(..), Some(r)) => Some(r),
        (WfVerdict::NewMajorVersion(..), None) => Some(format!(
            "WfRuns running on major version {} stay on it; {}",
            old.stored.id.as_ref().map_or(0, |i| i.major_version),
            migration_note(
                &new.request.name,
                old.stored.id.as_ref(),
                &old.stored.thread_specs,
                &pinned
            )
        )),
        _ => None,
    };
    Ok(Report {
        workflow: new.request.name.clone(),
        old: old.label.clone(),
        new: new.label.clone(),
        changes: changes(&old, &new),
        verdict: verdict.text(),
        kind,
        running,
        lhw_diff: lhw_diff(&old, &new),
    })
}

/// Reads a `.lhw` file (the workflow `name`, or its only one) or a WfSpec file.
fn read_side(path: &Path, name: Option<&str>) -> Result<Side, String> {
    let label = path.display().to_string();
    if path.extension().is_some_and(|e| e == "lhw") {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {label}: {e}"))?;
        let compiled = lhw_compiler::compile(&text);
        let Some(out) = compiled.output else {
            return Err(format!("{label} does not compile: run `lhc check {label}`"));
        };
        let request = match name {
            Some(n) => out.wf_specs.iter().find(|w| w.name == n).cloned(),
            None if out.wf_specs.len() == 1 => out.wf_specs.first().cloned(),
            None => None,
        }
        .ok_or_else(|| {
            format!(
                "{label}: {} among its workflows {:?}",
                name.map_or("no single workflow".to_string(), |n| format!(
                    "no workflow `{n}`"
                )),
                out.wf_specs.iter().map(|w| &w.name).collect::<Vec<_>>()
            )
        })?;
        let decls = Declarations {
            task_defs: out.task_defs,
            external_event_defs: out.external_event_defs,
            workflow_event_defs: out.workflow_event_defs,
            user_task_defs: out.user_task_defs,
            struct_defs: out.struct_defs,
        };
        return Ok(Side {
            label,
            stored: verdict::stored(&request),
            request,
            decls,
        });
    }
    let request = crate::decompile::read_wf_spec(path)?;
    Ok(Side {
        label,
        stored: verdict::stored(&request),
        request,
        decls: Declarations::default(),
    })
}

/// The server's latest version of `name` as OLD, and what runs on its major version.
fn from_server(args: &DiffArgs, name: &str, new: &Side, style: Style) -> Result<ServerOld, String> {
    crate::decompile::with_latest_wf_spec(&args.server, name, style, async |client, wf| {
        let id = wf.id.clone().unwrap_or_default();
        let request = decompile::put_request_of(&wf);
        let mut running = 0usize;
        let mut bookmark = None;
        loop {
            let page = client
                .raw()
                .search_wf_run(pb::SearchWfRunRequest {
                    bookmark,
                    limit: Some(1000),
                    wf_spec_name: name.to_string(),
                    wf_spec_major_version: Some(id.major_version),
                    status: Some(pb::LhStatus::Running as i32),
                    ..Default::default()
                })
                .await
                .map_err(|s| format!("SearchWfRun of `{name}`: {}", s.message()))?
                .into_inner();
            running += page.results.len();
            match page.bookmark {
                Some(b) if !page.results.is_empty() => bookmark = Some(b),
                _ => break,
            }
        }
        // Child workflows pinned to their latest major version, as the server stores them.
        let new_threads = verdict::pin_child_versions(
            client,
            verdict::normalize_threads(&new.request.thread_specs),
        )
        .await
        .map_err(|e| e.to_string())?;
        let note = format!(
            "{running} WfRun(s) running on major version {} would stay on it; {}",
            id.major_version,
            migration_note(name, Some(&id), &wf.thread_specs, &new_threads)
        );
        Ok(ServerOld {
            side: Side {
                label: format!(
                    "{name} {}.{} on {}",
                    id.major_version,
                    id.revision,
                    client.target()
                ),
                stored: wf,
                request,
                decls: new.decls.clone(),
            },
            running: note,
            pinned: new_threads,
        })
    })
}

/// Whether a migration could move running WfRuns: LittleHorse moves a thread to the new
/// version by node name, so every node of the old version needs a counterpart; the note
/// names the `lhc migrate` command that does it.
fn migration_note(
    name: &str,
    from: Option<&pb::WfSpecId>,
    old: &BTreeMap<String, ThreadSpec>,
    new: &BTreeMap<String, ThreadSpec>,
) -> String {
    let mut missing = Vec::new();
    for (t, spec) in old {
        match new.get(t) {
            None => missing.push(format!("thread `{t}`")),
            Some(n) => missing.extend(
                spec.nodes
                    .keys()
                    .filter(|k| !n.nodes.contains_key(*k))
                    .map(|k| format!("`{t}`/`{k}`")),
            ),
        }
    }
    let from = from.map_or_else(
        || "MAJOR.REVISION".to_string(),
        |i| format!("{}.{}", i.major_version, i.revision),
    );
    let command = format!("lhc migrate {name} --from {from} --same-names");
    if missing.is_empty() {
        format!(
            "every thread and node of the old version exists in the new one, so after deploying \
             `{command}` can move them node for node (add `--dry-run` to see which would move)"
        )
    } else {
        format!(
            "after deploying, `{command} --node THREAD:OLD=NEW` can move them once what the new \
             version lacks is mapped: {}",
            missing.join(", ")
        )
    }
}

/// The changes, in `.lhw` terms: threads, variables, steps, handlers, settings.
fn changes(old: &Side, new: &Side) -> Vec<String> {
    let mut out = Vec::new();
    let (o, n) = (
        &old.stored.thread_specs,
        &verdict::normalize_threads(&new.request.thread_specs),
    );
    let names: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for t in names {
        match (o.get(t), n.get(t)) {
            (None, Some(_)) => out.push(format!("+ thread {t}")),
            (Some(_), None) => out.push(format!("- thread {t}")),
            (Some(a), Some(b)) if a != b => {
                variables(t, a, b, &mut out);
                steps(t, a, b, &mut out);
                if a.interrupt_defs != b.interrupt_defs {
                    out.push(format!("~ thread {t}: interrupt handlers (`on`) changed"));
                }
                if a.retention_policy != b.retention_policy {
                    out.push(format!("~ thread {t}: thread retention changed"));
                }
            }
            _ => {}
        }
    }
    let r = |p: &Option<pb::WorkflowRetentionPolicy>| {
        p.and_then(|p| p.wf_gc_policy)
            .map_or("none".to_string(), |g| match g {
                pb::workflow_retention_policy::WfGcPolicy::SecondsAfterWfTermination(s) => {
                    format!("{s}s")
                }
            })
    };
    if old.stored.retention_policy != new.request.retention_policy {
        out.push(format!(
            "~ retention {} -> {}",
            r(&old.stored.retention_policy),
            r(&new.request.retention_policy)
        ));
    }
    if old.stored.parent_wf_spec != new.request.parent_wf_spec {
        out.push("~ parent workflow changed".to_string());
    }
    if old.request.allowed_updates != new.request.allowed_updates {
        out.push("~ update policy (`updates`) changed".to_string());
    }
    out
}

fn variables(t: &str, a: &ThreadSpec, b: &ThreadSpec, out: &mut Vec<String>) {
    let describe = |v: &pb::ThreadVarDef| {
        let ty = v
            .var_def
            .as_ref()
            .and_then(|d| d.type_def.as_ref())
            .map_or_else(|| "?".to_string(), |td| format!("{td:?}"));
        let access =
            pb::WfRunVariableAccessLevel::try_from(v.access_level).map_or("?", |l| l.as_str_name());
        format!(
            "{ty} {access}{}{}",
            if v.required { " required" } else { "" },
            if v.searchable { " searchable" } else { "" }
        )
    };
    let map = |s: &ThreadSpec| -> BTreeMap<String, pb::ThreadVarDef> {
        s.variable_defs
            .iter()
            .filter_map(|v| v.var_def.as_ref().map(|d| (d.name.clone(), v.clone())))
            .collect()
    };
    let (x, y) = (map(a), map(b));
    for name in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
        match (x.get(name), y.get(name)) {
            (None, Some(_)) => out.push(format!("+ thread {t}: var {name}")),
            (Some(_), None) => out.push(format!("- thread {t}: var {name}")),
            (Some(p), Some(q)) if p != q => out.push(format!(
                "~ thread {t}: var {name}: {} -> {}",
                describe(p),
                describe(q)
            )),
            _ => {}
        }
    }
}

fn steps(t: &str, a: &ThreadSpec, b: &ThreadSpec, out: &mut Vec<String>) {
    for name in a
        .nodes
        .keys()
        .chain(b.nodes.keys())
        .collect::<BTreeSet<_>>()
    {
        match (a.nodes.get(name), b.nodes.get(name)) {
            (None, Some(_)) => out.push(format!("+ thread {t}: step {name}")),
            (Some(_), None) => out.push(format!("- thread {t}: step {name}")),
            (Some(p), Some(q)) if p != q => {
                let what = if p.failure_handlers != q.failure_handlers {
                    "its handlers (`catch`)"
                } else if p.outgoing_edges != q.outgoing_edges {
                    "what follows it (edges, conditions or assignments)"
                } else {
                    "its settings"
                };
                out.push(format!("~ thread {t}: step {name}: {what}"));
            }
            _ => {}
        }
    }
}

/// The line diff of both sides decompiled to `.lhw`.
fn lhw_diff(old: &Side, new: &Side) -> Vec<String> {
    let mut decls = new.decls.clone();
    let mut merge = |more: &Declarations| {
        decls.task_defs.extend(more.task_defs.iter().cloned());
        decls
            .external_event_defs
            .extend(more.external_event_defs.iter().cloned());
        decls
            .workflow_event_defs
            .extend(more.workflow_event_defs.iter().cloned());
        decls
            .user_task_defs
            .extend(more.user_task_defs.iter().cloned());
        decls.struct_defs.extend(more.struct_defs.iter().cloned());
    };
    merge(&old.decls);
    let a = decompile::decompile(std::slice::from_ref(&old.request), &decls).text;
    let b = decompile::decompile(std::slice::from_ref(&new.request), &decls).text;
    line_diff(&a, &b)
}

/// Changed lines (`- ` / `+ `) of a longest-common-subsequence diff.
fn line_diff(a: &str, b: &str) -> Vec<String> {
    let (x, y): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut lcs = vec![vec![0usize; y.len() + 1]; x.len() + 1];
    for i in (0..x.len()).rev() {
        for j in (0..y.len()).rev() {
            lcs[i][j] = if x[i] == y[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < x.len() || j < y.len() {
        if i < x.len() && j < y.len() && x[i] == y[j] {
            i += 1;
            j += 1;
        } else if j < y.len() && (i == x.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", y[j]));
            j += 1;
        } else {
            out.push(format!("- {}", x[i]));
            i += 1;
        }
    }
    out
}

fn print(r: &Report, format: CheckFormat) {
    let mut out = std::io::stdout().lock();
    if format == CheckFormat::Json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(r).unwrap_or_default()
        );
        return;
    }
    let _ = writeln!(out, "workflow {}: {} -> {}", r.workflow, r.old, r.new);
    if r.changes.is_empty() {
        let _ = writeln!(out, "no changes");
    }
    for c in &r.changes {
        let _ = writeln!(out, "  {c}");
    }
    if !r.lhw_diff.is_empty() {
        let _ = writeln!(out, ".lhw:");
        for l in &r.lhw_diff {
            let _ = writeln!(out, "  {l}");
        }
    }
    let _ = writeln!(out, "verdict: {}", r.verdict);
    if let Some(note) = &r.running {
        let _ = writeln!(out, "  {note}");
    }
}
