"""Reference for the LittleHorse Python example ``correlated_event``.

Workflow ``example-correlated-event``: run ``ask-for-name``, wait for ``name-event``
correlated by the literal key ``some-correlation-id`` (masked), store the payload in
``name`` and greet it. The ExternalEventDef is registered up front with an empty
``CorrelatedEventConfig``.
"""

import littlehorse
from littlehorse.model import CorrelatedEventConfig
from littlehorse.workflow import Workflow, WorkflowThread


async def ask_for_name() -> str:
    return "who are you?"


async def greet(name: str) -> str:
    return f"hi {name}"


def entrypoint(thread: WorkflowThread) -> None:
    thread.execute("ask-for-name")
    answer = thread.wait_for_event(
        "name-event", correlation_id="some-correlation-id", mask_correlation_id=True
    )
    name = thread.declare_str("name")
    name.assign(answer)
    thread.execute("greet", name)


def register(config) -> None:
    littlehorse.create_external_event_def(
        "name-event", config, correlated_event_config=CorrelatedEventConfig()
    )
    littlehorse.create_task_def(ask_for_name, "ask-for-name", config)
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(
        Workflow("example-correlated-event", entrypoint), config
    )
