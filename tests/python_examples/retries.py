"""Reference for the LittleHorse Python example ``retries``.

Workflow ``example-retries``: a workflow-wide exponential backoff (2 s base, x2, at most
5 s) and one ``retries`` task with 5 retries, fed the INT variable ``start-timestamp``
declared inline in the call.
"""

import littlehorse
from littlehorse.model import ExponentialBackoffRetryPolicy
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


async def flaky(start_timestamp: int, ctx: WorkerContext) -> None:
    if ctx.attempt_number < 5:
        raise RuntimeError(f"attempt {ctx.attempt_number} since {start_timestamp}")


def entrypoint(thread: WorkflowThread) -> None:
    thread.execute("retries", thread.declare_int("start-timestamp"), retries=5)


def register(config) -> None:
    littlehorse.create_task_def(flaky, "retries", config)
    backoff = ExponentialBackoffRetryPolicy(
        base_interval_ms=2000, multiplier=2, max_delay_ms=5000
    )
    workflow = Workflow("example-retries", entrypoint).with_retry_policy(
        exponential_backoff=backoff
    )
    littlehorse.create_workflow_spec(workflow, config)
