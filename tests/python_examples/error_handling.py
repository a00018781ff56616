"""Reference for the LittleHorse Python example ``error_handling``.

Workflow ``example-error-handling``: run ``fail`` and handle its ``TASK_ERROR`` in a
handler thread that runs ``handler``.
"""

import littlehorse
from littlehorse.model import LHErrorType
from littlehorse.workflow import Workflow, WorkflowThread


async def always_fails() -> None:
    raise RuntimeError("this task never succeeds")


async def recover() -> None:
    return None


def on_task_error(handler: WorkflowThread) -> None:
    handler.execute("handler")


def entrypoint(thread: WorkflowThread) -> None:
    risky = thread.execute("fail")
    thread.handle_error(risky, on_task_error, LHErrorType.TASK_ERROR)


def register(config) -> None:
    littlehorse.create_task_def(always_fails, "fail", config)
    littlehorse.create_task_def(recover, "handler", config)
    littlehorse.create_workflow_spec(
        Workflow("example-error-handling", entrypoint), config
    )
