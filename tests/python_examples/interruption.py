"""Reference for the LittleHorse Python example ``interruption``.

Workflow ``example-interrupt-handler``: an interrupt handler for the external event
``interruption-event`` (thread ``interrupt-interruption-event`` runs ``some-task``), then
a 30 s sleep and ``my-task``.
"""

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread


async def on_interrupt() -> None:
    raise RuntimeError("interrupted")


async def after_sleep() -> str:
    return "done sleeping"


def interrupt_handler(handler: WorkflowThread) -> None:
    handler.execute("some-task")


def entrypoint(thread: WorkflowThread) -> None:
    thread.add_interrupt_handler("interruption-event", interrupt_handler)
    thread.sleep(30)
    thread.execute("my-task")


def register(config) -> None:
    littlehorse.create_external_event_def("interruption-event", config)
    littlehorse.create_task_def(after_sleep, "my-task", config)
    littlehorse.create_task_def(on_interrupt, "some-task", config)
    littlehorse.create_workflow_spec(
        Workflow("example-interrupt-handler", entrypoint), config
    )
