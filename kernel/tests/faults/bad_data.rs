//! A data directory whose database is not a whole kernel database: refused at start with a
//! message naming the file and what is wrong with it, exit code 1, never a panic, and the
//! file left as it was.

use crate::process::{KernelProcess, free_addr, run_to_exit, wait_serving};
use lhw_proto::littlehorse::LhStatus;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

const WORKFLOW: &str = r#"
task bad-step(n: int) -> int
workflow baddy {
  input n: int required
  var out: int
  out = bad-step(n)
}
"#;

/// Runs the kernel on `data`, which it must refuse: exit code 1, a message on stderr that
/// contains every one of `words`, and no panic. Returns stderr.
fn refused(data: &Path, words: &[&str]) -> String {
    let out = run_to_exit(data);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the kernel refuses {} with exit code 1: {stderr}",
        data.display()
    );
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    for w in words {
        assert!(stderr.contains(w), "the message says {w:?}: {stderr}");
    }
    stderr
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

/// A kernel database with a few finished runs, written by a real kernel, then stopped.
async fn kernel_database(data: &Path, log: &Path) {
    let mut kernel = KernelProcess::spawn(data, free_addr(), log);
    let (mut client, _) = wait_serving(&mut kernel).await;
    crate::common::deploy(&mut client, WORKFLOW).await;
    for i in 0..30 {
        client
            .run_wf(lhw_proto::littlehorse::RunWfRequest {
                wf_spec_name: "baddy".into(),
                variables: [("n".to_string(), crate::common::int(i))]
                    .into_iter()
                    .collect(),
                id: Some(format!("bad-{i}")),
                ..Default::default()
            })
            .await
            .expect("run wf");
    }
    // SIGKILL: the write-ahead log is left beside the database, as after a crash; the next
    // open replays it.
    kernel.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_file_as_the_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let db = data.join("kernel.db");
    let text = "these are my notes, not a database\n".repeat(200);
    std::fs::write(&db, &text).expect("write");
    refused(&data, &["kernel.db", "not a database", "--data-dir"]);
    assert_eq!(bytes(&db), text.as_bytes(), "the file is left as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_of_another_application_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Another schema, no application id.
    let data = dir.path().join("foreign");
    std::fs::create_dir(&data).expect("data dir");
    let db = data.join("kernel.db");
    {
        let conn = rusqlite::Connection::open(&db).expect("sqlite");
        conn.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, user INTEGER, total REAL);
             INSERT INTO users (name) VALUES ('ann'), ('bob');",
        )
        .expect("foreign schema");
    }
    let before = bytes(&db);
    refused(
        &data,
        &["kernel.db", "another application", "orders, users"],
    );
    assert_eq!(bytes(&db), before, "the foreign database is left as it was");
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .expect("count tables");
    assert_eq!(tables, 2, "no kernel table was added");

    // Another application's id.
    let data = dir.path().join("other-id");
    std::fs::create_dir(&data).expect("data dir");
    {
        let conn = rusqlite::Connection::open(data.join("kernel.db")).expect("sqlite");
        conn.pragma_update(None, "application_id", 0x0F0F_0F0F)
            .expect("application id");
        conn.execute_batch("CREATE TABLE t (x)").expect("table");
    }
    refused(&data, &["kernel.db", "another application", "0x0f0f0f0f"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_kernel_database_is_refused_and_a_whole_one_is_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    kernel_database(&data, &dir.path().join("kernel-0.log")).await;
    // Written before the kernel marked its databases (application_id 0): still its own.
    {
        let conn = rusqlite::Connection::open(data.join("kernel.db")).expect("sqlite");
        conn.pragma_update(None, "application_id", 0)
            .expect("application id");
    }
    let mut kernel = KernelProcess::spawn(&data, free_addr(), &dir.path().join("kernel-1.log"));
    let (mut client, _) = wait_serving(&mut kernel).await;
    let run = client
        .get_wf_run(crate::common::wf_id("bad-29"))
        .await
        .expect("the runs are still there")
        .into_inner();
    assert_eq!(run.status, LhStatus::Running as i32);
    drop(client);
    kernel.kill();
    // Everything in the database file itself, so that damaging the file damages the data.
    {
        let conn = rusqlite::Connection::open(data.join("kernel.db")).expect("sqlite");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
    }
    let db = data.join("kernel.db");
    let whole = bytes(&db);
    let page = 4096usize;
    assert!(whole.len() >= 8 * page, "a database of several pages");

    // Garbage over pages in the middle (a torn or bit-rotted write).
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .expect("open");
    let mut rng = fastrand::Rng::with_seed(15);
    let garbage: Vec<u8> = (0..2 * page).map(|_| rng.u8(..)).collect();
    f.seek(SeekFrom::Start((whole.len() / page / 2 * page) as u64))
        .expect("seek");
    f.write_all(&garbage).expect("garbage");
    drop(f);
    let damaged = bytes(&db);
    refused(&data, &["kernel.db", "damaged", "--data-dir"]);
    assert_eq!(bytes(&db), damaged, "the damaged file is left as it was");

    // Cut in half (a copy that stopped early).
    std::fs::write(&db, &whole[..whole.len() / 2]).expect("truncate");
    refused(&data, &["kernel.db", "--data-dir"]);

    // Its header destroyed.
    let mut headless = whole.clone();
    headless[..100].fill(0x5a);
    std::fs::write(&db, &headless).expect("header");
    refused(&data, &["kernel.db", "not a database"]);

    // Put back whole: served again, nothing lost.
    std::fs::write(&db, &whole).expect("restore");
    let mut kernel = KernelProcess::spawn(&data, free_addr(), &dir.path().join("kernel-2.log"));
    let (mut client, _) = wait_serving(&mut kernel).await;
    for i in 0..30 {
        client
            .get_wf_run(crate::common::wf_id(&format!("bad-{i}")))
            .await
            .expect("every run is there");
    }
    drop(kernel);
}

#[test]
fn a_data_directory_that_is_a_file_or_a_database_that_is_a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("file");
    refused(&file, &["not-a-dir"]);

    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("kernel.db")).expect("a directory named kernel.db");
    refused(&data, &["kernel.db"]);
}
