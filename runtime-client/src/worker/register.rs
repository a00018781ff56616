//! Registration and the heartbeat: RegisterTaskWorker on the bootstrap server every
//! heartbeat interval, as the official SDKs do, and one poll connection per host the answer
//! lists (`your_hosts`). Hosts that disappear from the list are stopped, new ones connected,
//! and a connection that fails is re-established (after re-registering, with backoff).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lhw_proto::littlehorse::{
    LhHostInfo, RegisterTaskWorkerRequest, RegisterTaskWorkerResponse, TaskDefId,
};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::conn::Host;
use super::poll::{self, ConnEnd, Shared, TaskRuntime, backoff, stopped};
use crate::client::{CALL_TIMEOUT, ClientError, LhClient};

/// The health of a worker, as the last registration saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerHealth {
    /// Whether the last RegisterTaskWorker of every task succeeded.
    pub healthy: bool,
    /// Whether the server said the cluster is healthy.
    pub cluster_healthy: bool,
    /// The last registration error, if the last registration failed.
    pub last_error: Option<String>,
}

impl Default for WorkerHealth {
    fn default() -> Self {
        WorkerHealth {
            healthy: true,
            cluster_healthy: true,
            last_error: None,
        }
    }
}

/// RegisterTaskWorker for one task.
pub(crate) async fn register(
    bootstrap: &LhClient,
    shared: &Shared,
    task: &str,
) -> Result<RegisterTaskWorkerResponse, ClientError> {
    let mut raw = bootstrap.raw();
    let req = RegisterTaskWorkerRequest {
        task_worker_id: shared.client_id.clone(),
        task_def_id: Some(TaskDefId { name: task.into() }),
    };
    let resp = match tokio::time::timeout(CALL_TIMEOUT, raw.register_task_worker(req)).await {
        Ok(Ok(r)) => r.into_inner(),
        Ok(Err(s)) => return Err(ClientError::Rpc(s)),
        Err(_) => {
            return Err(ClientError::Timeout {
                rpc: "RegisterTaskWorker",
            });
        }
    };
    shared
        .counters
        .registrations
        .fetch_add(1, Ordering::Relaxed);
    Ok(resp)
}

/// What to change so that exactly the listed hosts are polled.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Connections to stop (their host is no longer listed).
    pub(crate) stop: Vec<Host>,
    /// Connections to open (listed, and not running or dead).
    pub(crate) start: Vec<Host>,
}

/// Compares the running connections (`true` when alive) with the hosts the server listed.
pub(crate) fn plan(running: &BTreeMap<Host, bool>, listed: &[LhHostInfo]) -> Plan {
    let wanted: BTreeSet<Host> = listed
        .iter()
        .map(|h| Host {
            host: h.host.clone(),
            port: h.port,
        })
        .collect();
    let stop = running
        .keys()
        .filter(|h| !wanted.contains(*h))
        .cloned()
        .collect();
    let start = wanted
        .into_iter()
        .filter(|h| !running.get(h).copied().unwrap_or(false))
        .collect();
    Plan { stop, start }
}

struct Conn {
    stop: watch::Sender<bool>,
    join: JoinHandle<ConnEnd>,
}

/// The loop of one task: heartbeat, reconcile connections, until `stop`; then stops every
/// connection and returns.
pub(crate) struct Supervisor {
    pub(crate) shared: Arc<Shared>,
    pub(crate) task: Arc<TaskRuntime>,
    pub(crate) bootstrap: LhClient,
    pub(crate) heartbeat: Duration,
    pub(crate) health: Arc<Mutex<WorkerHealth>>,
}

impl Supervisor {
    pub(crate) async fn run(
        self,
        first: RegisterTaskWorkerResponse,
        mut stop: watch::Receiver<bool>,
    ) {
        let wake = Arc::new(Notify::new());
        let mut conns: BTreeMap<Host, Conn> = BTreeMap::new();
        self.reconcile(&mut conns, &first.your_hosts, &wake);
        let mut failures: u32 = 0;
        let mut dead_streak: u32 = 0;
        let mut progress = self.shared.counters.polls_answered.load(Ordering::Relaxed);
        loop {
            let delay = if failures == 0 {
                self.heartbeat
            } else {
                backoff(failures)
            };
            let woken = tokio::select! {
                () = stopped(&mut stop) => break,
                () = tokio::time::sleep(delay) => false,
                () = wake.notified() => true,
            };
            if woken {
                // A connection ended: wait a little (longer when connections keep failing
                // without ever being answered), then re-register and reconnect.
                let now = self.shared.counters.polls_answered.load(Ordering::Relaxed);
                dead_streak = if now == progress { dead_streak + 1 } else { 1 };
                progress = now;
                tokio::select! {
                    () = stopped(&mut stop) => break,
                    () = tokio::time::sleep(backoff(dead_streak)) => {}
                }
            }
            match register(&self.bootstrap, &self.shared, &self.task.spec.name).await {
                Ok(resp) => {
                    failures = 0;
                    if let Ok(mut h) = self.health.lock() {
                        *h = WorkerHealth {
                            healthy: true,
                            cluster_healthy: resp.is_cluster_healthy.unwrap_or(true),
                            last_error: None,
                        };
                    }
                    self.reconcile(&mut conns, &resp.your_hosts, &wake);
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(task = %self.task.spec.name, error = %e, "RegisterTaskWorker failed");
                    if let Ok(mut h) = self.health.lock() {
                        h.healthy = false;
                        h.last_error = Some(e.to_string());
                    }
                }
            }
        }
        for conn in conns.values() {
            let _ = conn.stop.send(true);
        }
        for (host, conn) in conns {
            let abort = conn.join.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), conn.join)
                .await
                .is_err()
            {
                tracing::warn!(%host, "a poll connection did not stop in time");
                abort.abort();
            }
        }
    }

    fn reconcile(
        &self,
        conns: &mut BTreeMap<Host, Conn>,
        listed: &[LhHostInfo],
        wake: &Arc<Notify>,
    ) {
        if listed.is_empty() {
            tracing::warn!(task = %self.task.spec.name, "the server listed no host to poll");
        }
        let running: BTreeMap<Host, bool> = conns
            .iter()
            .map(|(h, c)| (h.clone(), !c.join.is_finished()))
            .collect();
        let plan = plan(&running, listed);
        for host in &plan.stop {
            if let Some(conn) = conns.remove(host) {
                tracing::info!(task = %self.task.spec.name, %host, "host no longer listed; stopping its connection");
                let _ = conn.stop.send(true);
            }
        }
        for host in plan.start {
            if let Some(old) = conns.remove(&host) {
                old.join.abort();
            }
            let (stop_tx, stop_rx) = watch::channel(false);
            let shared = self.shared.clone();
            let task = self.task.clone();
            let wake = wake.clone();
            let h = host.clone();
            let join = tokio::spawn(async move {
                let end = poll::poll_host(shared, task.clone(), h.clone(), stop_rx).await;
                if let ConnEnd::Failed(reason) = &end {
                    tracing::warn!(task = %task.spec.name, host = %h, %reason, "poll connection failed");
                    wake.notify_one();
                }
                end
            });
            conns.insert(
                host,
                Conn {
                    stop: stop_tx,
                    join,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(host: &str, port: i32) -> LhHostInfo {
        LhHostInfo {
            host: host.into(),
            port,
        }
    }

    fn host(h: &str, port: i32) -> Host {
        Host {
            host: h.into(),
            port,
        }
    }

    #[test]
    fn plan_follows_the_listed_hosts() {
        let mut running = BTreeMap::new();
        assert_eq!(
            plan(&running, &[info("a", 1), info("a", 1), info("b", 2)]),
            Plan {
                stop: vec![],
                start: vec![host("a", 1), host("b", 2)]
            },
            "duplicates are connected once"
        );
        running.insert(host("a", 1), true);
        running.insert(host("b", 2), false);
        running.insert(host("c", 3), true);
        assert_eq!(
            plan(&running, &[info("a", 1), info("b", 2), info("d", 4)]),
            Plan {
                stop: vec![host("c", 3)],
                start: vec![host("b", 2), host("d", 4)]
            },
            "c is gone, b died and is restarted, d is new, a is left alone"
        );
        assert_eq!(
            plan(&running, &[]),
            Plan {
                stop: vec![host("a", 1), host("b", 2), host("c", 3)],
                start: vec![]
            }
        );
    }
}
