"""Reference for the LittleHorse Python example ``basic``.

Workflow ``example-basic``: one STR input, ``input-name``, handed to the ``greet`` task.
"""

import littlehorse
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


async def greet(name: str, ctx: WorkerContext) -> str:
    # Only the signature matters here: it becomes the TaskDef.
    return f"greetings, {name} ({ctx.wf_run_id.id})"


def entrypoint(thread: WorkflowThread) -> None:
    who = thread.declare_str("input-name")
    thread.execute("greet", who)


def register(config) -> None:
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(Workflow("example-basic", entrypoint), config)
