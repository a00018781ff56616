//! The task-worker protocol: RegisterTaskWorker (answers with this kernel's
//! own address, recording the worker in its TaskDef's group:
//! [`crate::worker_group`]) and the PollTask bidirectional stream, where every request
//! is answered once, held until a task is available.

use crate::engine::{EngineHandle, Poller};
use crate::grpc::KernelService;
use lhw_proto::littlehorse::{
    PollTaskRequest, PollTaskResponse, RegisterTaskWorkerRequest, RegisterTaskWorkerResponse,
};
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};

/// The response stream of PollTask.
pub(crate) type PollTaskStream =
    Pin<Box<dyn Stream<Item = Result<PollTaskResponse, Status>> + Send + 'static>>;

/// RegisterTaskWorker: the TaskDef must exist; workers are told to poll this kernel.
pub(crate) async fn register_task_worker(
    svc: &KernelService,
    req: RegisterTaskWorkerRequest,
) -> Result<RegisterTaskWorkerResponse, Status> {
    let name = req
        .task_def_id
        .map(|d| d.name)
        .ok_or_else(|| Status::invalid_argument("task_def_id must be set"))?;
    crate::request::not_empty(&name, "task_def_id.name")?;
    let hosts = vec![svc.advertised.clone()];
    let client_id = req.task_worker_id;
    svc.engine()
        .call(move |e| {
            crate::metadata::get_task_def(e.store(), &name)?;
            crate::worker_group::heartbeat(e.store(), &name, &client_id, hosts)
        })
        .await?;
    Ok(RegisterTaskWorkerResponse {
        your_hosts: vec![svc.advertised.clone()],
        is_cluster_healthy: Some(true),
    })
}

/// PollTask: reads poll requests one at a time; each is parked in the engine
/// until a task is dispatched to it, then answered.
pub(crate) fn poll_task(
    engine: EngineHandle,
    mut inbound: Streaming<PollTaskRequest>,
) -> PollTaskStream {
    let (out_tx, out_rx) = mpsc::channel(1);
    tokio::spawn(async move {
        loop {
            let req = tokio::select! {
                msg = inbound.message() => match msg {
                    Ok(Some(req)) => req,
                    _ => break,
                },
                () = out_tx.closed() => break,
            };
            let Some(task_def) = req.task_def_id.map(|d| d.name) else {
                let _ = out_tx
                    .send(Err(Status::invalid_argument("task_def_id must be set")))
                    .await;
                break;
            };
            let (tx, rx) = oneshot::channel();
            let poller = Poller {
                client_id: req.client_id,
                version: req.task_worker_version,
                reply: tx,
            };
            if engine
                .send(Box::new(move |e| e.poll(task_def, poller)))
                .is_err()
            {
                break;
            }
            // Dropping `rx` (client gone) makes the engine skip this poll.
            let task = tokio::select! {
                biased;
                task = rx => match task {
                    Ok(task) => task,
                    Err(_) => break,
                },
                () = out_tx.closed() => break,
            };
            if out_tx
                .send(Ok(PollTaskResponse { result: Some(task) }))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    Box::pin(ReceiverStream::new(out_rx))
}
