"""Reference for the LittleHorse Python example ``checkpoint_tasks``.

Workflow ``example-checkpointed-tasks``: a searchable STR ``input-name`` passed to ``greet``
with ``retries=2``. The example is about checkpoints inside the task worker
(``WorkerContext.execute_and_checkpoint``), which do not show in the WfSpec or the TaskDef.
"""

import littlehorse
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


async def greet(name: str, context: WorkerContext) -> str:
    return f"{name}, attempt {context.attempt_number}"


def entrypoint(thread: WorkflowThread) -> None:
    who = thread.declare_str("input-name").searchable()
    thread.execute("greet", who, retries=2)


def register(config) -> None:
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(
        Workflow("example-checkpointed-tasks", entrypoint), config
    )
