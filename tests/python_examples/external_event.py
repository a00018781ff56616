"""Reference for the LittleHorse Python example ``external_event``.

Workflow ``example-external-event``: run ``ask-for-name``, wait at most 60 s for
``name-event``, store its payload in ``name`` and greet it.
"""

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread


async def ask_for_name() -> str:
    return "who are you?"


async def greet(name: str) -> str:
    return f"hi {name}"


def entrypoint(thread: WorkflowThread) -> None:
    thread.execute("ask-for-name")
    answer = thread.wait_for_event("name-event", timeout=60)
    name = thread.declare_str("name")
    name.assign(answer)
    thread.execute("greet", name)


def register(config) -> None:
    littlehorse.create_external_event_def("name-event", config)
    littlehorse.create_task_def(ask_for_name, "ask-for-name", config)
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(
        Workflow("example-external-event", entrypoint), config
    )
