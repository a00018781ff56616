//! Whose database the data directory holds, and whether it is whole: checked at every open,
//! before the kernel writes anything, so that it never adopts another application's
//! database (its tables would gain ours) and never serves from a damaged file.
//!
//! The kernel marks its database with SQLite's `PRAGMA application_id` (a header field meant
//! for this). At open:
//! - a file that is not SQLite at all is refused ("file is not a database");
//! - a database with another application id is refused, naming the id;
//! - a database without an id is the kernel's when it is empty (a new data directory) or
//!   holds the kernel's tables (written before the mark existed): it gets the mark; any
//!   other database is refused, naming its tables;
//! - `PRAGMA quick_check` must answer `ok` (it reads every page: damaged pages, bad
//!   records and out-of-order indexes are found here rather than by a request later).

use super::{StoreError, StoreResult};
use rusqlite::Connection;
use std::path::Path;

/// The kernel's `application_id`: "LHW1" in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x4C48_5731;

/// Tables every kernel database has had since the first version.
const KERNEL_TABLES: [&str; 5] = ["metadata", "wf_run", "node_run", "task_run", "variable"];

/// Checks that `conn` (the database at `path`) is the kernel's and whole, marking a new or
/// older kernel database as the kernel's.
pub(crate) fn check(conn: &Connection, path: &Path) -> StoreResult<()> {
    let refuse = |why: String| {
        StoreError::new(format!(
            "{} {why}; the kernel will not use it: move it away or choose another data \
             directory (--data-dir)",
            path.display()
        ))
    };
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| refuse(format!("cannot be read as a SQLite database ({e})")))?;
    if id != APPLICATION_ID {
        if id != 0 {
            return Err(refuse(format!(
                "is the SQLite database of another application (application_id {id:#010x})"
            )));
        }
        let tables = user_tables(conn)
            .map_err(|e| refuse(format!("cannot be read as a SQLite database ({e})")))?;
        let ours = KERNEL_TABLES.iter().all(|t| tables.iter().any(|n| n == t));
        if !tables.is_empty() && !ours {
            let mut listed = tables
                .iter()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if tables.len() > 8 {
                listed.push_str(", ...");
            }
            return Err(refuse(format!(
                "is a SQLite database of another application (tables: {listed})"
            )));
        }
    }
    let verdict: Vec<String> = conn
        .prepare("PRAGMA quick_check(5)")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| refuse(format!("is damaged ({e})")))?;
    if verdict != ["ok"] {
        return Err(refuse(format!("is damaged: {}", verdict.join("; "))));
    }
    if id != APPLICATION_ID {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(())
}

/// The names of the database's own tables.
fn user_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )?
    .query_map([], |r| r.get(0))?
    .collect()
}
