//! Schema versions (`PRAGMA user_version`): the base schema is created if
//! missing, then every migration newer than the database runs once, in one
//! transaction each, so that a data directory written by an older kernel
//! opens with a newer one.

use super::{StoreResult, columns};
use lhw_proto::littlehorse::{NodeRun, TaskRun, Variable, WfRun, WfSpec, WfSpecId};
use prost::Message;
use rusqlite::{Connection, params};

/// Version 1: searchable columns for TaskRuns (SearchTaskRun), NodeRuns
/// (SearchNodeRun) and Variables (SearchVariable, SearchWfRun variable
/// filters), and the retention schedule of finished WfRuns.
const V1: &str = "
ALTER TABLE task_run ADD COLUMN def_name TEXT NOT NULL DEFAULT '';
ALTER TABLE task_run ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task_run ADD COLUMN scheduled_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX task_run_by_def ON task_run (def_name, status, scheduled_ms);
ALTER TABLE node_run ADD COLUMN event_def TEXT;
ALTER TABLE node_run ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE node_run ADD COLUMN arrival_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX node_run_by_event ON node_run (event_def, arrival_ms) WHERE event_def IS NOT NULL;
ALTER TABLE variable ADD COLUMN spec_name TEXT NOT NULL DEFAULT '';
ALTER TABLE variable ADD COLUMN spec_major INTEGER NOT NULL DEFAULT 0;
ALTER TABLE variable ADD COLUMN spec_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE variable ADD COLUMN value_key TEXT;
CREATE INDEX variable_by_value ON variable (spec_name, name, value_key, wf_run, thread)
  WHERE value_key IS NOT NULL;
CREATE TABLE wf_run_gc (wf_run TEXT PRIMARY KEY, due_ms INTEGER NOT NULL);
CREATE INDEX wf_run_gc_by_due ON wf_run_gc (due_ms);
";

/// Version 2: TaskRuns are indexed by TaskDef and scheduled time only. With the status in the
/// index (version 1) every status change of a TaskRun (SCHEDULED, RUNNING, then its end:
/// about 2.3 writes a task) moved its index entry; now a TaskRun's entry is written once, when
/// it is created, and a change of status rewrites only its row (docs/performance.md, "The
/// kernel"). SearchTaskRun still filters by status, on the rows of the TaskDef the index
/// finds, in the index's order (scheduled time), which is the order it answers in.
const V2: &str = "
DROP INDEX IF EXISTS task_run_by_def;
CREATE INDEX IF NOT EXISTS task_run_by_def_time ON task_run (def_name, scheduled_ms);
";

/// The schema version this kernel writes.
pub(crate) const VERSION: i32 = 2;

/// Brings the database to [`VERSION`].
pub(crate) fn migrate(conn: &Connection) -> StoreResult<()> {
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > VERSION {
        return Err(super::StoreError::new(format!(
            "the database has schema version {version}, newer than this kernel's {VERSION}: \
             use a newer lhc, or another data directory"
        )));
    }
    if version < 1 {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let done = conn
            .execute_batch(V1)
            .map_err(Into::into)
            .and_then(|()| backfill_v1(conn))
            .and_then(|()| Ok(conn.execute_batch("PRAGMA user_version = 1; COMMIT")?));
        if let Err(e) = done {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    if version < 2 {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {V2} PRAGMA user_version = 2; COMMIT"
        ))
        .inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK");
        })?;
    }
    Ok(())
}

/// Fills the version 1 columns of rows written before them.
fn backfill_v1(conn: &Connection) -> StoreResult<()> {
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT rowid, body FROM task_run")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (rowid, body) in rows {
        let tr = TaskRun::decode(body.as_slice())?;
        let (def, status, scheduled) = columns::task_run(&tr);
        conn.execute(
            "UPDATE task_run SET def_name = ?1, status = ?2, scheduled_ms = ?3 WHERE rowid = ?4",
            params![def, status, scheduled, rowid],
        )?;
    }
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT rowid, body FROM node_run")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (rowid, body) in rows {
        let nr = NodeRun::decode(body.as_slice())?;
        let (event, status, arrival) = columns::node_run(&nr);
        conn.execute(
            "UPDATE node_run SET event_def = ?1, status = ?2, arrival_ms = ?3 WHERE rowid = ?4",
            params![event, status, arrival, rowid],
        )?;
    }
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT rowid, body FROM variable")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (rowid, body) in rows {
        let v = Variable::decode(body.as_slice())?;
        let (spec, major, revision, key) = columns::variable(&v);
        conn.execute(
            "UPDATE variable SET spec_name = ?1, spec_major = ?2, spec_revision = ?3, value_key = ?4
             WHERE rowid = ?5",
            params![spec, major, revision, key, rowid],
        )?;
    }
    // WfRuns that finished before retention was kept: scheduled now.
    let rows: Vec<(String, Vec<u8>)> = conn
        .prepare(&format!(
            "SELECT id, body FROM wf_run WHERE status IN {}",
            super::TERMINAL_STATUSES
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (key, body) in rows {
        let run = WfRun::decode(body.as_slice())?;
        let id: WfSpecId = run.wf_spec_id.clone().unwrap_or_default();
        let spec: Option<Vec<u8>> = conn
            .query_row(
                "SELECT body FROM metadata WHERE kind = ?1 AND name = ?2 AND major = ?3 AND minor = ?4",
                params![super::kind::WF_SPEC, id.name, id.major_version, id.revision],
                |r| r.get(0),
            )
            .ok();
        let Some(spec) = spec else { continue };
        let spec = WfSpec::decode(spec.as_slice())?;
        if let Some(due) = super::retention_due(&run, &spec) {
            conn.execute(
                "INSERT OR REPLACE INTO wf_run_gc (wf_run, due_ms) VALUES (?1, ?2)",
                params![key, due],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lhw_proto::littlehorse::{
        LhStatus, TaskDefId, TaskRunId, WfRunId, WorkflowRetentionPolicy,
        workflow_retention_policy::WfGcPolicy,
    };

    /// A database written before version 1 opens: its rows get their
    /// search columns, its finished WfRuns their retention schedule.
    #[test]
    fn version_0_databases_are_migrated_and_backfilled() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(super::super::SCHEMA).unwrap();
        let tr = TaskRun {
            id: Some(TaskRunId {
                wf_run_id: Some(WfRunId {
                    id: "r".into(),
                    parent_wf_run_id: None,
                }),
                task_guid: "g".into(),
            }),
            task_def_id: Some(TaskDefId {
                name: "greet".into(),
            }),
            status: 3,
            scheduled_at: Some(crate::util::ms_to_ts(1234)),
            ..TaskRun::default()
        };
        conn.execute(
            "INSERT INTO task_run (wf_run, guid, body) VALUES ('r', 'g', ?1)",
            params![tr.encode_to_vec()],
        )
        .unwrap();
        let spec_id = WfSpecId {
            name: "w".into(),
            major_version: 0,
            revision: 0,
        };
        let spec = WfSpec {
            id: Some(spec_id.clone()),
            retention_policy: Some(WorkflowRetentionPolicy {
                wf_gc_policy: Some(WfGcPolicy::SecondsAfterWfTermination(10)),
            }),
            ..WfSpec::default()
        };
        conn.execute(
            "INSERT INTO metadata (kind, name, major, minor, body) VALUES ('WfSpec', 'w', 0, 0, ?1)",
            params![spec.encode_to_vec()],
        )
        .unwrap();
        let run = WfRun {
            wf_spec_id: Some(spec_id),
            status: LhStatus::Completed as i32,
            end_time: Some(crate::util::ms_to_ts(5000)),
            ..WfRun::default()
        };
        conn.execute(
            "INSERT INTO wf_run (id, id_msg, spec_name, spec_major, spec_revision, status, start_ms, body)
             VALUES ('r', x'', 'w', 0, 0, ?1, 0, ?2)",
            params![run.status, run.encode_to_vec()],
        )
        .unwrap();
        migrate(&conn).unwrap();
        let cols: (String, i32, i64) = conn
            .query_row(
                "SELECT def_name, status, scheduled_ms FROM task_run",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(cols, ("greet".to_string(), 3, 1234));
        let due: i64 = conn
            .query_row("SELECT due_ms FROM wf_run_gc WHERE wf_run = 'r'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(due, 15_000);
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        // Migrating again changes nothing; a newer database is refused.
        migrate(&conn).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        let err = migrate(&conn).unwrap_err();
        assert!(err.message().contains("newer"), "{err}");
    }

    /// A database of version 1 (status in the TaskRun index) opens: its TaskRuns keep their
    /// rows and are found by TaskDef and status through the index of version 2.
    #[test]
    fn version_1_databases_index_task_runs_by_def_and_time() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(super::super::SCHEMA).unwrap();
        conn.execute_batch(&format!("{V1} PRAGMA user_version = 1;"))
            .unwrap();
        for (guid, status, ms) in [("a", 1, 30), ("b", 3, 10), ("c", 1, 20)] {
            conn.execute(
                "INSERT INTO task_run (wf_run, guid, body, def_name, status, scheduled_ms)
                 VALUES ('r', ?1, x'', 'greet', ?2, ?3)",
                params![guid, status, ms],
            )
            .unwrap();
        }
        migrate(&conn).unwrap();
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'task_run' AND sql IS NOT NULL ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(indexes, ["task_run_by_def_time"]);
        let search = "SELECT guid FROM task_run WHERE def_name = 'greet' AND status = 1
                      ORDER BY scheduled_ms, wf_run, guid";
        let found: Vec<String> = conn
            .prepare(search)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(found, ["c", "a"]);
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {search}"))
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("task_run_by_def_time")),
            "{plan:?}"
        );
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
    }
}
