//! The SQL of the searches over run objects: WfRuns, TaskRuns, NodeRuns and
//! Variables by their searchable columns, in a stable order, one page after
//! a sort key (keyset paging: rows added or deleted meanwhile never shift a
//! page).

use super::{Store, StoreResult, decode, limit_param};
use lhw_proto::littlehorse::{Variable, WfRunId};
use rusqlite::params_from_iter;
use rusqlite::types::Value as Sql;

/// Criteria of [`Store::search_wf_runs`]; results are ordered by start time, then key.
#[derive(Debug, Default, Clone)]
pub(crate) struct WfRunQuery {
    /// Only WfRuns of this WfSpec.
    pub(crate) spec_name: Option<String>,
    /// Only this major version.
    pub(crate) major: Option<i32>,
    /// Only this revision.
    pub(crate) revision: Option<i32>,
    /// Only this `LHStatus`.
    pub(crate) status: Option<i32>,
    /// Started at or after (epoch ms).
    pub(crate) earliest_ms: Option<i64>,
    /// Started at or before (epoch ms).
    pub(crate) latest_ms: Option<i64>,
    /// Only children of this WfRun key (`true`: any descendant).
    pub(crate) parent: Option<(String, bool)>,
    /// Thread-0 variables that must hold these values: (name, value key).
    pub(crate) variables: Vec<(String, String)>,
    /// Only after this (start ms, key).
    pub(crate) after: Option<(i64, String)>,
    /// Most rows.
    pub(crate) limit: usize,
}

/// Criteria of [`Store::search_task_runs`]; ordered by scheduled time, WfRun key, guid.
#[derive(Debug, Default, Clone)]
pub(crate) struct TaskRunQuery {
    /// The TaskDef.
    pub(crate) task_def: String,
    /// Only this `TaskStatus`.
    pub(crate) status: Option<i32>,
    /// Scheduled at or after (epoch ms).
    pub(crate) earliest_ms: Option<i64>,
    /// Scheduled at or before (epoch ms).
    pub(crate) latest_ms: Option<i64>,
    /// Only after this (scheduled ms, WfRun key, guid).
    pub(crate) after: Option<(i64, String, String)>,
    /// Most rows.
    pub(crate) limit: usize,
}

/// Criteria of [`Store::search_event_node_runs`]; ordered by arrival time,
/// WfRun key, thread, position.
#[derive(Debug, Default, Clone)]
pub(crate) struct NodeRunQuery {
    /// The ExternalEventDef the EXTERNAL_EVENT NodeRuns wait for.
    pub(crate) event_def: String,
    /// Only this `LHStatus`.
    pub(crate) status: Option<i32>,
    /// Arrived at or after (epoch ms).
    pub(crate) earliest_ms: Option<i64>,
    /// Arrived at or before (epoch ms).
    pub(crate) latest_ms: Option<i64>,
    /// Only after this (arrival ms, WfRun key, thread, position).
    pub(crate) after: Option<(i64, String, i32, i32)>,
    /// Most rows.
    pub(crate) limit: usize,
}

/// Criteria of [`Store::search_variables`]; ordered by WfRun key, thread.
#[derive(Debug, Default, Clone)]
pub(crate) struct VariableQuery {
    /// WfSpec name.
    pub(crate) spec_name: String,
    /// Only this major version.
    pub(crate) major: Option<i32>,
    /// Only this revision.
    pub(crate) revision: Option<i32>,
    /// Variable name.
    pub(crate) name: String,
    /// The value's search key ([`super::value_key`]).
    pub(crate) value_key: String,
    /// Only after this (WfRun key, thread).
    pub(crate) after: Option<(String, i32)>,
    /// Most rows.
    pub(crate) limit: usize,
}

/// A found EXTERNAL_EVENT NodeRun: arrival ms, WfRun key, thread, position, WfRunId.
pub(crate) type EventNodeRunRow = (i64, String, i32, i32, WfRunId);

/// A WHERE clause with its parameters, built condition by condition.
#[derive(Default)]
struct Where {
    sql: Vec<String>,
    params: Vec<Sql>,
}

impl Where {
    /// Adds a condition whose `?` placeholders take `params` in order.
    fn and(&mut self, cond: &str, params: impl IntoIterator<Item = Sql>) {
        let mut params = params.into_iter();
        let mut text = String::new();
        for (i, part) in cond.split('?').enumerate() {
            if i > 0 {
                self.params.push(params.next().unwrap_or(Sql::Null));
                text.push_str(&format!("?{}", self.params.len()));
            }
            text.push_str(part);
        }
        self.sql.push(text);
    }

    fn text(&self) -> String {
        if self.sql.is_empty() {
            "1".to_string()
        } else {
            self.sql.join(" AND ")
        }
    }
}

fn int(v: impl Into<i64>) -> Sql {
    Sql::Integer(v.into())
}

fn text(v: &str) -> Sql {
    Sql::Text(v.to_string())
}

impl Store {
    /// WfRun ids matching `q`, with their sort keys (start ms, WfRun key).
    pub(crate) fn search_wf_runs(
        &self,
        q: &WfRunQuery,
    ) -> StoreResult<Vec<(i64, String, WfRunId)>> {
        let mut w = Where::default();
        if let Some(n) = &q.spec_name {
            w.and("spec_name = ?", [text(n)]);
        }
        if let Some(m) = q.major {
            w.and("spec_major = ?", [int(m)]);
        }
        if let Some(r) = q.revision {
            w.and("spec_revision = ?", [int(r)]);
        }
        if let Some(s) = q.status {
            w.and("status = ?", [int(s)]);
        }
        if let Some(e) = q.earliest_ms {
            w.and("start_ms >= ?", [int(e)]);
        }
        if let Some(l) = q.latest_ms {
            w.and("start_ms <= ?", [int(l)]);
        }
        if let Some((parent, full_tree)) = &q.parent {
            // A child's key is its parent's key, `_`, its own id (ids have no `_`).
            let prefix = format!("{parent}_");
            w.and(
                "substr(id, 1, length(?)) = ?",
                [text(&prefix), text(&prefix)],
            );
            if !full_tree {
                w.and("instr(substr(id, length(?) + 1), '_') = 0", [text(&prefix)]);
            }
        }
        for (name, key) in &q.variables {
            w.and(
                "EXISTS (SELECT 1 FROM variable v WHERE v.wf_run = wf_run.id AND v.thread = 0 \
                 AND v.name = ? AND v.value_key = ?)",
                [text(name), text(key)],
            );
        }
        if let Some((ms, key)) = &q.after {
            w.and("(start_ms, id) > (?, ?)", [int(*ms), text(key)]);
        }
        let sql = format!(
            "SELECT start_ms, id, id_msg FROM wf_run WHERE {} ORDER BY start_ms, id LIMIT {}",
            w.text(),
            limit_param(q.limit)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(w.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        rows.map(|row| {
            let (ms, key, id) = row?;
            Ok((ms, key, decode(&id)?))
        })
        .collect()
    }

    /// TaskRuns matching `q`: (scheduled ms, WfRun key, guid, WfRunId).
    pub(crate) fn search_task_runs(
        &self,
        q: &TaskRunQuery,
    ) -> StoreResult<Vec<(i64, String, String, WfRunId)>> {
        let mut w = Where::default();
        w.and("t.def_name = ?", [text(&q.task_def)]);
        if let Some(s) = q.status {
            w.and("t.status = ?", [int(s)]);
        }
        if let Some(e) = q.earliest_ms {
            w.and("t.scheduled_ms >= ?", [int(e)]);
        }
        if let Some(l) = q.latest_ms {
            w.and("t.scheduled_ms <= ?", [int(l)]);
        }
        if let Some((ms, key, guid)) = &q.after {
            w.and(
                "(t.scheduled_ms, t.wf_run, t.guid) > (?, ?, ?)",
                [int(*ms), text(key), text(guid)],
            );
        }
        let sql = format!(
            "SELECT t.scheduled_ms, t.wf_run, t.guid, w.id_msg FROM task_run t
               JOIN wf_run w ON w.id = t.wf_run
             WHERE {} ORDER BY t.scheduled_ms, t.wf_run, t.guid LIMIT {}",
            w.text(),
            limit_param(q.limit)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(w.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Vec<u8>>(3)?))
        })?;
        rows.map(|row| {
            let (ms, key, guid, id) = row?;
            Ok((ms, key, guid, decode(&id)?))
        })
        .collect()
    }

    /// EXTERNAL_EVENT NodeRuns matching `q`: (arrival ms, WfRun key, thread,
    /// position, WfRunId).
    pub(crate) fn search_event_node_runs(
        &self,
        q: &NodeRunQuery,
    ) -> StoreResult<Vec<EventNodeRunRow>> {
        let mut w = Where::default();
        w.and("n.event_def = ?", [text(&q.event_def)]);
        if let Some(s) = q.status {
            w.and("n.status = ?", [int(s)]);
        }
        if let Some(e) = q.earliest_ms {
            w.and("n.arrival_ms >= ?", [int(e)]);
        }
        if let Some(l) = q.latest_ms {
            w.and("n.arrival_ms <= ?", [int(l)]);
        }
        if let Some((ms, key, t, p)) = &q.after {
            w.and(
                "(n.arrival_ms, n.wf_run, n.thread, n.position) > (?, ?, ?, ?)",
                [int(*ms), text(key), int(*t), int(*p)],
            );
        }
        let sql = format!(
            "SELECT n.arrival_ms, n.wf_run, n.thread, n.position, w.id_msg FROM node_run n
               JOIN wf_run w ON w.id = n.wf_run
             WHERE {} ORDER BY n.arrival_ms, n.wf_run, n.thread, n.position LIMIT {}",
            w.text(),
            limit_param(q.limit)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(w.params.iter()), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (ms, key, t, p, id) = row?;
            Ok((ms, key, t, p, decode(&id)?))
        })
        .collect()
    }

    /// Variables matching `q`, with their WfRun keys.
    pub(crate) fn search_variables(
        &self,
        q: &VariableQuery,
    ) -> StoreResult<Vec<(String, Variable)>> {
        let mut w = Where::default();
        w.and(
            "spec_name = ? AND name = ? AND value_key = ?",
            [text(&q.spec_name), text(&q.name), text(&q.value_key)],
        );
        if let Some(m) = q.major {
            w.and("spec_major = ?", [int(m)]);
        }
        if let Some(r) = q.revision {
            w.and("spec_revision = ?", [int(r)]);
        }
        if let Some((key, t)) = &q.after {
            w.and("(wf_run, thread) > (?, ?)", [text(key), int(*t)]);
        }
        let sql = format!(
            "SELECT wf_run, body FROM variable WHERE {} ORDER BY wf_run, thread LIMIT {}",
            w.text(),
            limit_param(q.limit)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(w.params.iter()), |r| {
            Ok((r.get(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|row| {
            let (key, body) = row?;
            Ok((key, decode(&body)?))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_clauses_number_their_parameters() {
        let mut w = Where::default();
        assert_eq!(w.text(), "1");
        w.and("a = ?", [int(1)]);
        w.and("(b, c) > (?, ?)", [text("x"), int(2)]);
        assert_eq!(w.text(), "a = ?1 AND (b, c) > (?2, ?3)");
        assert_eq!(w.params, vec![int(1), text("x"), int(2)]);
    }
}
