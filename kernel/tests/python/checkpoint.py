"""Checkpointed tasks of the official LittleHorse Python SDK against the lhw kernel.

Usage: python checkpoint.py

Connects to LHC_API_HOST:LHC_API_PORT (plaintext) and exits 0 when the case passed, 1 with
a message on stderr otherwise. Every wait is bounded.

The task follows the SDK's own example (examples/python/checkpoint_tasks in the LittleHorse
repository): `WorkerContext.execute_and_checkpoint` runs a step and stores its result with
PutCheckpoint; attempt 0 fails after the first checkpoint; the retry (attempt 1) is told by
its ScheduledTask that one checkpoint exists, so the SDK reads it back with GetCheckpoint
instead of running the step again, then takes a second checkpoint and succeeds. The script
checks the output, that the first step ran once, and the two stored checkpoints.
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
    CheckpointId,
    LHStatus,
    RunWfRequest,
    TaskRunId,
    VariableId,
    WfRunId,
)
from littlehorse.worker import CheckpointContext, LHTaskWorker, WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread

TIMEOUT_SECONDS = 30
RPC_TIMEOUT = 10
TASK = "py-checkpointed"
SPEC = "py-checkpoint-wf"

FIRST_STEP_RUNS = []
ATTEMPTS = []


def fail(msg: str) -> None:
    print(f"checkpoint failure: {msg}", file=sys.stderr, flush=True)
    os._exit(1)


def first_step(name: str, attempt: int, ctx: CheckpointContext) -> str:
    FIRST_STEP_RUNS.append(attempt)
    ctx.log("first step log")
    return f"hello {name} from the first checkpoint"


async def checkpointed(name: str, context: WorkerContext) -> str:
    attempt = context.attempt_number
    ATTEMPTS.append(attempt)
    result = await context.execute_and_checkpoint(
        lambda ctx: first_step(name, attempt, ctx)
    )
    if attempt == 0:
        raise RuntimeError("failing attempt 0 after its first checkpoint")
    result += await context.execute_and_checkpoint(lambda ctx: " and the second")
    return result + " and after"


async def main_case(config: LHConfig) -> None:
    stub = config.stub()
    littlehorse.create_task_def(checkpointed, TASK, config, timeout=RPC_TIMEOUT)

    def entrypoint(wf: WorkflowThread) -> None:
        name = wf.declare_str("name").required()
        out = wf.declare_str("out")
        out.assign(wf.execute(TASK, name, retries=2))

    littlehorse.create_workflow_spec(Workflow(SPEC, entrypoint), config, timeout=RPC_TIMEOUT)
    worker = LHTaskWorker(checkpointed, TASK, config)
    worker_task = asyncio.create_task(worker.start())

    wf_run_id = "py-cp-" + uuid.uuid4().hex[:8]
    stub.RunWf(
        RunWfRequest(
            wf_spec_name=SPEC,
            id=wf_run_id,
            variables={"name": littlehorse.to_variable_value("kernel")},
        ),
        timeout=RPC_TIMEOUT,
    )
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

    out = stub.GetVariable(
        VariableId(wf_run_id=WfRunId(id=wf_run_id), thread_run_number=0, name="out"),
        timeout=RPC_TIMEOUT,
    ).value.str
    want = "hello kernel from the first checkpoint and the second and after"
    if out != want:
        fail(f"variable out is {out!r}, wanted {want!r}")
    if ATTEMPTS != [0, 1]:
        fail(f"attempts run: {ATTEMPTS}")
    if FIRST_STEP_RUNS != [0]:
        fail(f"the first step ran on attempts {FIRST_STEP_RUNS}: the retry must replay it")

    # The TaskRun and its two checkpoints.
    node = stub.GetNodeRun(
        littlehorse.model.NodeRunId(
            wf_run_id=WfRunId(id=wf_run_id), thread_run_number=0, position=1
        ),
        timeout=RPC_TIMEOUT,
    )
    task_run_id: TaskRunId = node.task.task_run_id
    task_run = stub.GetTaskRun(task_run_id, timeout=RPC_TIMEOUT)
    if task_run.total_checkpoints != 2:
        fail(f"total_checkpoints is {task_run.total_checkpoints}")
    first = stub.GetCheckpoint(
        CheckpointId(task_run=task_run_id, checkpoint_number=0), timeout=RPC_TIMEOUT
    )
    if first.value.str != "hello kernel from the first checkpoint":
        fail(f"checkpoint 0 holds {first.value}")
    if "first step log" not in first.logs:
        fail(f"checkpoint 0 logs: {first.logs!r}")
    second = stub.GetCheckpoint(
        CheckpointId(task_run=task_run_id, checkpoint_number=1), timeout=RPC_TIMEOUT
    )
    if second.value.str != " and the second":
        fail(f"checkpoint 1 holds {second.value}")
    try:
        stub.GetCheckpoint(
            CheckpointId(task_run=task_run_id, checkpoint_number=2), timeout=RPC_TIMEOUT
        )
        fail("checkpoint 2 exists")
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            fail(f"GetCheckpoint 2 answered {e.code()}")
    worker.stop()
    print(f"checkpoint case ok: {wf_run_id} out={out!r} attempts={ATTEMPTS}", flush=True)


def main() -> None:
    config = LHConfig()
    try:
        asyncio.run(asyncio.wait_for(main_case(config), TIMEOUT_SECONDS * 2))
    except BaseException as e:  # report any failure, including timeouts
        fail(f"{type(e).__name__}: {e}")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
