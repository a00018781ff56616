"""Interop check: the official LittleHorse Python SDK against the lhw kernel.

Usage: python interop.py (task|event|lhw|client|worker)

Connects to LHC_API_HOST:LHC_API_PORT (plaintext) and exits 0 when the case
passed, 1 with a message on stderr otherwise. Every wait is bounded.

- task:  registers a TaskDef from an async Python function, runs an
         LHTaskWorker for it, deploys a WfSpec that calls the task, runs a
         WfRun and checks it COMPLETED with the task's output in a variable.
- lhw:   like task, but the WfSpec "lhw-greet-wf" and the TaskDef were
         deployed beforehand from a .lhw source compiled by lhw-compiler;
         the SDK's own PutTaskDef must be an identical (accepted) re-put.
- event: deploys a WfSpec that waits for an external event, runs it, posts
         the event with PutExternalEvent and checks the WfRun COMPLETED with
         the event's content in a variable.
- client: the client half of a mixed run: the WfSpec "mixed-wf" (a task
         served by a Rust worker, then an external event) was deployed
         beforehand; runs it, posts the event and checks both variables.
- worker: the worker half of a mixed run: an LHTaskWorker for "py-greet"
         (TaskDef deployed beforehand) runs until stdin is closed, then
         prints how many tasks it executed.
"""

import asyncio
import os
import sys
import time
import uuid

import grpc
import littlehorse
from littlehorse.config import LHConfig
from littlehorse.model import (
    ExternalEventDefId,
    LHStatus,
    PutExternalEventRequest,
    RunWfRequest,
    VariableId,
    WfRunId,
)
from littlehorse.worker import LHTaskWorker
from littlehorse.workflow import Workflow, WorkflowThread

TIMEOUT_SECONDS = 30
RPC_TIMEOUT = 10


def fail(msg: str) -> None:
    print(f"interop failure: {msg}", file=sys.stderr, flush=True)
    os._exit(1)


EXECUTED = []


async def greet(name: str) -> str:
    EXECUTED.append(name)
    return f"hello, {name}!"


def wait_completed(stub, wf_run_id: str):
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        run = stub.GetWfRun(WfRunId(id=wf_run_id), timeout=RPC_TIMEOUT)
        if run.status == LHStatus.COMPLETED:
            return run
        if run.status in (LHStatus.ERROR, LHStatus.EXCEPTION):
            fail(f"WfRun {wf_run_id} ended {LHStatus.Name(run.status)}: {run}")
        if time.monotonic() > deadline:
            fail(f"WfRun {wf_run_id} still {LHStatus.Name(run.status)} after {TIMEOUT_SECONDS}s")
        time.sleep(0.1)


def str_var(stub, wf_run_id: str, name: str) -> str:
    var = stub.GetVariable(
        VariableId(wf_run_id=WfRunId(id=wf_run_id), thread_run_number=0, name=name),
        timeout=RPC_TIMEOUT,
    )
    return var.value.str


def run_wf(stub, request: RunWfRequest):
    """RunWf, retried while the server answers NOT_FOUND: a LittleHorse cluster applies a
    new WfSpec asynchronously (docs/differences.md); the kernel has it at once."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            return stub.RunWf(request, timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.NOT_FOUND or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


async def case_task(config: LHConfig, spec_name: str = "py-greet-wf") -> None:
    stub = config.stub()
    task_name = "py-greet"
    littlehorse.create_task_def(greet, task_name, config, timeout=RPC_TIMEOUT)

    def entrypoint(wf: WorkflowThread) -> None:
        name = wf.declare_str("name").required()
        out = wf.declare_str("out")
        out.assign(wf.execute(task_name, name))

    if spec_name == "py-greet-wf":
        littlehorse.create_workflow_spec(
            Workflow(spec_name, entrypoint), config, timeout=RPC_TIMEOUT
        )

    worker = LHTaskWorker(greet, task_name, config)
    worker_task = asyncio.create_task(worker.start())

    wf_run_id = "py-task-" + uuid.uuid4().hex[:8]
    run_wf(
        stub,
        RunWfRequest(
            wf_spec_name=spec_name,
            id=wf_run_id,
            variables={"name": littlehorse.to_variable_value("kernel")},
        ),
    )
    # The worker runs on this event loop: wait without blocking it.
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        if worker_task.done():
            fail(f"the task worker stopped: {worker_task.exception()!r}")
        run = stub.GetWfRun(WfRunId(id=wf_run_id), timeout=RPC_TIMEOUT)
        if run.status == LHStatus.COMPLETED:
            break
        if run.status in (LHStatus.ERROR, LHStatus.EXCEPTION):
            fail(f"WfRun ended {LHStatus.Name(run.status)}: {run}")
        if time.monotonic() > deadline:
            fail(f"WfRun still {LHStatus.Name(run.status)} after {TIMEOUT_SECONDS}s")
        await asyncio.sleep(0.1)
    out = str_var(stub, wf_run_id, "out")
    if out != "hello, kernel!":
        fail(f"variable out is {out!r}")
    health = worker.health()
    if not health.healthy:
        fail(f"the worker reports itself unhealthy: {health.reason}")
    worker.stop()
    print(f"task case ok: {wf_run_id} out={out!r}", flush=True)


async def case_lhw(config: LHConfig) -> None:
    await case_task(config, "lhw-greet-wf")


async def case_event(config: LHConfig) -> None:
    stub = config.stub()
    littlehorse.create_external_event_def("py-approval", config, timeout=RPC_TIMEOUT)

    def entrypoint(wf: WorkflowThread) -> None:
        decision = wf.declare_str("decision")
        decision.assign(wf.wait_for_event("py-approval", timeout=60))

    littlehorse.create_workflow_spec(
        Workflow("py-event-wf", entrypoint), config, timeout=RPC_TIMEOUT
    )
    wf_run_id = "py-event-" + uuid.uuid4().hex[:8]
    run = run_wf(stub, RunWfRequest(wf_spec_name="py-event-wf", id=wf_run_id))
    if run.status != LHStatus.RUNNING:
        fail(f"the new WfRun is {LHStatus.Name(run.status)}, wanted RUNNING")
    stub.PutExternalEvent(
        PutExternalEventRequest(
            wf_run_id=WfRunId(id=wf_run_id),
            external_event_def_id=ExternalEventDefId(name="py-approval"),
            content=littlehorse.to_variable_value("approved"),
        ),
        timeout=RPC_TIMEOUT,
    )
    wait_completed(stub, wf_run_id)
    decision = str_var(stub, wf_run_id, "decision")
    if decision != "approved":
        fail(f"variable decision is {decision!r}")
    print(f"event case ok: {wf_run_id} decision={decision!r}", flush=True)


async def case_client(config: LHConfig) -> None:
    stub = config.stub()
    wf_run_id = "py-client-" + uuid.uuid4().hex[:8]
    stub.RunWf(
        RunWfRequest(
            wf_spec_name="mixed-wf",
            id=wf_run_id,
            variables={"name": littlehorse.to_variable_value("python")},
        ),
        timeout=RPC_TIMEOUT,
    )
    stub.PutExternalEvent(
        PutExternalEventRequest(
            wf_run_id=WfRunId(id=wf_run_id),
            external_event_def_id=ExternalEventDefId(name="approval"),
            content=littlehorse.to_variable_value("yes"),
        ),
        timeout=RPC_TIMEOUT,
    )
    wait_completed(stub, wf_run_id)
    out = str_var(stub, wf_run_id, "out")
    decision = str_var(stub, wf_run_id, "decision")
    if out != "Hello, python!" or decision != "yes":
        fail(f"variables out={out!r} decision={decision!r}")
    print(f"client case ok: {wf_run_id} out={out!r} decision={decision!r}", flush=True)


async def case_worker(config: LHConfig) -> None:
    worker = LHTaskWorker(greet, "py-greet", config)
    worker_task = asyncio.create_task(worker.start())
    await asyncio.sleep(0.5)
    if worker_task.done():
        fail(f"the task worker stopped: {worker_task.exception()!r}")
    print("worker ready", flush=True)
    # Serve until the test closes stdin.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    if worker_task.done():
        fail(f"the task worker stopped: {worker_task.exception()!r}")
    worker.stop()
    print(f"worker case ok: executed {len(EXECUTED)} {EXECUTED!r}", flush=True)


def main() -> None:
    cases = {
        "task": case_task,
        "event": case_event,
        "lhw": case_lhw,
        "client": case_client,
        "worker": case_worker,
    }
    if len(sys.argv) != 2 or sys.argv[1] not in cases:
        fail("usage: interop.py (task|event|lhw|client|worker)")
    config = LHConfig()
    case = cases[sys.argv[1]]
    try:
        asyncio.run(asyncio.wait_for(case(config), TIMEOUT_SECONDS * 2))
    except BaseException as e:  # report any failure, including timeouts
        fail(f"{type(e).__name__}: {e}")
    # The worker's heartbeat loop sleeps for a minute: do not wait for it.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
