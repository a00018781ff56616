//! The SQL of CountNodeRun and CountTaskRun: how many stored NodeRuns (of the WfRuns of a
//! WfSpec) and TaskRuns (of a TaskDef, in a status) there are.

use super::{Store, StoreResult};
use rusqlite::params;

impl Store {
    /// NodeRuns of every WfRun, or of the WfRuns of `spec` (name, optional major version,
    /// optional revision).
    pub(crate) fn count_node_runs(
        &self,
        spec: Option<(&str, Option<i32>, Option<i32>)>,
    ) -> StoreResult<i64> {
        let n = match spec {
            None => self
                .conn
                .prepare_cached("SELECT COUNT(*) FROM node_run")?
                .query_row([], |r| r.get(0))?,
            Some((name, major, revision)) => self
                .conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM node_run n JOIN wf_run w ON w.id = n.wf_run
                      WHERE w.spec_name = ?1 AND (?2 IS NULL OR w.spec_major = ?2)
                        AND (?3 IS NULL OR w.spec_revision = ?3)",
                )?
                .query_row(params![name, major, revision], |r| r.get(0))?,
        };
        Ok(n)
    }

    /// TaskRuns of the TaskDef `def` in the `TaskStatus` `status`.
    pub(crate) fn count_task_runs(&self, def: &str, status: i32) -> StoreResult<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM task_run WHERE def_name = ?1 AND status = ?2")?
            .query_row(params![def, status], |r| r.get(0))?)
    }
}
