"""Tenants and OAuth with the official LittleHorse Python SDK against the lhw kernel.

Usage: python oauth_tenants.py

The common settings come from the environment (LHC_API_HOST, LHC_API_PORT,
LHC_API_PROTOCOL=TLS, LHC_CA_CERT, LHC_OAUTH_ACCESS_TOKEN_URL; REQUESTS_CA_BUNDLE lets the
SDK's authlib trust the test issuer). Two OAuth clients are given as CASE_A_ID/CASE_A_SECRET
(Principal with all rights in tenant CASE_A_TENANT) and CASE_B_ID/CASE_B_SECRET (all rights in
CASE_B_TENANT). Each LHConfig gets LHC_TENANT_ID, LHC_OAUTH_CLIENT_ID and
LHC_OAUTH_CLIENT_SECRET, as a user configures the SDK: the SDK fetches a token with the client
credentials grant, sends it on every call and adds the `tenantid` header.

Client A registers a TaskDef and a WfSpec in tenant A, runs an SDK task worker and a WfRun to
completion there. Client B, in tenant B, cannot see the WfRun, the WfSpec or the TaskDef
(NOT_FOUND, empty searches) and is refused in tenant A (PERMISSION_DENIED). Exits 0 when every
check passed, 1 with a message on stderr otherwise. Every wait is bounded.
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
    LHStatus,
    RunWfRequest,
    SearchWfSpecRequest,
    TaskDefId,
    VariableId,
    WfRunId,
    WfSpecId,
)
from littlehorse.worker import LHTaskWorker
from littlehorse.workflow import Workflow, WorkflowThread
from google.protobuf.empty_pb2 import Empty

TIMEOUT_SECONDS = 40
RPC_TIMEOUT = 10
TASK = "py-tenant-greet"
SPEC = "py-tenant-wf"


def fail(msg: str) -> None:
    print(f"oauth tenants failure: {msg}", file=sys.stderr, flush=True)
    os._exit(1)


def config_for(case: str, tenant_var: str) -> LHConfig:
    config = LHConfig()
    config.load(
        {
            "LHC_TENANT_ID": os.environ[tenant_var],
            "LHC_OAUTH_CLIENT_ID": os.environ[f"CASE_{case}_ID"],
            "LHC_OAUTH_CLIENT_SECRET": os.environ[f"CASE_{case}_SECRET"],
        }
    )
    return config


async def greet(name: str) -> str:
    return f"hello {name}"


def expect_code(what: str, code: grpc.StatusCode, call) -> None:
    try:
        result = call()
    except grpc.RpcError as e:
        if e.code() != code:
            fail(f"{what}: {e.code()} {e.details()}, wanted {code}")
        return
    fail(f"{what}: answered {result!r}, wanted {code}")


async def main_case() -> None:
    a = config_for("A", "CASE_A_TENANT")
    b = config_for("B", "CASE_B_TENANT")
    b_in_a = config_for("B", "CASE_A_TENANT")
    stub_a, stub_b, stub_b_in_a = a.stub(), b.stub(), b_in_a.stub()

    who_a = stub_a.Whoami(Empty(), timeout=RPC_TIMEOUT).id.id
    who_b = stub_b.Whoami(Empty(), timeout=RPC_TIMEOUT).id.id
    if (who_a, who_b) != (os.environ["CASE_A_ID"], os.environ["CASE_B_ID"]):
        fail(f"Whoami answered {who_a!r} and {who_b!r}")

    littlehorse.create_task_def(greet, TASK, a, timeout=RPC_TIMEOUT)

    def entrypoint(wf: WorkflowThread) -> None:
        name = wf.declare_str("name").required()
        out = wf.declare_str("out")
        out.assign(wf.execute(TASK, name))

    littlehorse.create_workflow_spec(Workflow(SPEC, entrypoint), a, timeout=RPC_TIMEOUT)
    worker = LHTaskWorker(greet, TASK, a)
    worker_task = asyncio.create_task(worker.start())

    wf_run_id = "py-tenant-" + uuid.uuid4().hex[:8]
    stub_a.RunWf(
        RunWfRequest(
            wf_spec_name=SPEC,
            id=wf_run_id,
            variables={"name": littlehorse.to_variable_value("tenant a")},
        ),
        timeout=RPC_TIMEOUT,
    )
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        if worker_task.done():
            fail(f"the task worker stopped: {worker_task.exception()!r}")
        run = stub_a.GetWfRun(WfRunId(id=wf_run_id), timeout=RPC_TIMEOUT)
        if run.status == LHStatus.COMPLETED:
            break
        if run.status in (LHStatus.ERROR, LHStatus.EXCEPTION):
            fail(f"WfRun ended {LHStatus.Name(run.status)}: {run}")
        if time.monotonic() > deadline:
            fail(f"WfRun still {LHStatus.Name(run.status)} after {TIMEOUT_SECONDS}s")
        await asyncio.sleep(0.1)
    out = stub_a.GetVariable(
        VariableId(wf_run_id=WfRunId(id=wf_run_id), thread_run_number=0, name="out"),
        timeout=RPC_TIMEOUT,
    ).value.str
    if out != "hello tenant a":
        fail(f"variable out is {out!r}")
    worker.stop()

    # Tenant B sees nothing of tenant A.
    expect_code(
        "GetWfRun in tenant B",
        grpc.StatusCode.NOT_FOUND,
        lambda: stub_b.GetWfRun(WfRunId(id=wf_run_id), timeout=RPC_TIMEOUT),
    )
    expect_code(
        "GetWfSpec in tenant B",
        grpc.StatusCode.NOT_FOUND,
        lambda: stub_b.GetWfSpec(WfSpecId(name=SPEC, major_version=0, revision=0), timeout=RPC_TIMEOUT),
    )
    expect_code(
        "GetTaskDef in tenant B",
        grpc.StatusCode.NOT_FOUND,
        lambda: stub_b.GetTaskDef(TaskDefId(name=TASK), timeout=RPC_TIMEOUT),
    )
    found = stub_b.SearchWfSpec(SearchWfSpecRequest(name=SPEC), timeout=RPC_TIMEOUT)
    if list(found.results):
        fail(f"SearchWfSpec in tenant B found {found.results}")
    seen_in_a = stub_a.SearchWfSpec(SearchWfSpecRequest(name=SPEC), timeout=RPC_TIMEOUT)
    if len(seen_in_a.results) != 1:
        fail(f"SearchWfSpec in tenant A found {seen_in_a.results}")

    # Client B has no rights in tenant A.
    expect_code(
        "GetWfRun by client B in tenant A",
        grpc.StatusCode.PERMISSION_DENIED,
        lambda: stub_b_in_a.GetWfRun(WfRunId(id=wf_run_id), timeout=RPC_TIMEOUT),
    )
    print(f"oauth tenants ok: {wf_run_id} out={out!r} whoami={who_a},{who_b}", flush=True)


def main() -> None:
    try:
        asyncio.run(asyncio.wait_for(main_case(), TIMEOUT_SECONDS * 2))
    except BaseException as e:  # report any failure, including timeouts
        fail(f"{type(e).__name__}: {e}")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
