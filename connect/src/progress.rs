//! Counters of a running connector and the status line printed from them (text on stderr,
//! or one JSON object per line on stdout with `--format json`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;

/// Counters shared by a connector's tasks.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Records the kernel acknowledged now.
    pub applied: AtomicU64,
    /// Redelivered records already applied before (ALREADY_EXISTS).
    pub duplicates: AtomicU64,
    /// Records dead-lettered (or skipped under `errors.tolerance=all`).
    pub dead_lettered: AtomicU64,
    /// Calls retried because the server was unreachable or overloaded.
    pub retries: AtomicU64,
    /// Consumer lag per task, from librdkafka's statistics.
    lags: Mutex<Vec<i64>>,
}

impl Metrics {
    /// Counts an applied record.
    pub fn record_applied(&self, duplicate: bool) {
        if duplicate {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
        } else {
            self.applied.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a dead-lettered record.
    pub fn record_dead_lettered(&self) {
        self.dead_lettered.fetch_add(1, Ordering::Relaxed);
    }

    /// The lag of one task's partitions.
    pub fn set_lag(&self, task: usize, lag: i64) {
        let mut lags = self.lags.lock().unwrap_or_else(|p| p.into_inner());
        if lags.len() <= task {
            lags.resize(task + 1, -1);
        }
        lags[task] = lag;
    }

    /// The summed lag, when known.
    pub fn lag(&self) -> Option<i64> {
        let lags = self.lags.lock().unwrap_or_else(|p| p.into_inner());
        let known: Vec<i64> = lags.iter().copied().filter(|l| *l >= 0).collect();
        (!known.is_empty()).then(|| known.iter().sum())
    }
}

/// The state in a status line.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Consuming.
    Running,
    /// Stopped on request, offsets committed.
    Stopped,
    /// Stopped by an error.
    Failed,
}

/// One status line.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The connector's `name`.
    pub connector: String,
    /// Running, stopped or failed.
    pub state: State,
    /// Records applied (not counting duplicates).
    pub applied: u64,
    /// Redelivered records found already applied.
    pub duplicates: u64,
    /// Records dead-lettered.
    pub dead_lettered: u64,
    /// Retried calls.
    pub retries: u64,
    /// Records per second since the previous line.
    pub records_per_sec: f64,
    /// Records not yet consumed (null until the consumer reports it).
    pub lag: Option<i64>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Turns counters into status lines with a rate.
#[derive(Debug)]
pub struct Reporter {
    name: String,
    last: Instant,
    last_total: u64,
}

impl Reporter {
    /// A reporter for one connector.
    pub fn new(name: &str) -> Reporter {
        Reporter {
            name: name.to_string(),
            last: Instant::now(),
            last_total: 0,
        }
    }

    /// The status now.
    pub fn status(&mut self, m: &Metrics, state: State, error: Option<String>) -> Status {
        let applied = m.applied.load(Ordering::Relaxed);
        let duplicates = m.duplicates.load(Ordering::Relaxed);
        let dead_lettered = m.dead_lettered.load(Ordering::Relaxed);
        let total = applied + duplicates + dead_lettered;
        let secs = self.last.elapsed().as_secs_f64().max(1e-3);
        let rate = (total - self.last_total) as f64 / secs;
        self.last = Instant::now();
        self.last_total = total;
        Status {
            connector: self.name.clone(),
            state,
            applied,
            duplicates,
            dead_lettered,
            retries: m.retries.load(Ordering::Relaxed),
            records_per_sec: (rate * 10.0).round() / 10.0,
            lag: m.lag(),
            error,
        }
    }
}

impl Status {
    /// The human line: `orders: running, 12345 applied (4512.0/s), 0 duplicates, 0 dead-lettered, lag 890`.
    pub fn text(&self) -> String {
        let state = match self.state {
            State::Running => "running",
            State::Stopped => "stopped",
            State::Failed => "failed",
        };
        let lag = self.lag.map_or("unknown".to_string(), |l| l.to_string());
        format!(
            "{}: {state}, {} applied ({:.0}/s), {} duplicates, {} dead-lettered, lag {lag}",
            self.connector, self.applied, self.records_per_sec, self.duplicates, self.dead_lettered
        )
    }
}
