"""Reference for the LittleHorse Python example ``mutation``.

Workflow ``example-mutation``: a masked STR ``name`` is replaced by the output of
``spider-bite`` and then passed to ``daily-bugle``.
"""

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread


async def bite(name: str) -> str:
    return f"{name} was bitten"


# Registered without return_type: "Void TaskDef return type" in KNOWN_DIFFERENCES.md.
async def report(news: str) -> None:
    del news


def entrypoint(thread: WorkflowThread) -> None:
    name = thread.declare_str("name").masked()
    name.assign(thread.execute("spider-bite", name))
    thread.execute("daily-bugle", name)


def register(config) -> None:
    littlehorse.create_task_def(bite, "spider-bite", config)
    littlehorse.create_task_def(report, "daily-bugle", config)
    littlehorse.create_workflow_spec(Workflow("example-mutation", entrypoint), config)
