"""Reference for the LittleHorse Python example ``event_registration``.

Workflow ``example-event-registration``: three external events and one workflow event
whose definitions ``create_workflow_spec`` registers itself before the WfSpec, because
the nodes ask for it (``auto_register``, ``return_type`` or ``correlated_event_config``):

- ``what-is-your-name`` (60 s timeout, STR payload);
- ``how-old-are-you`` (60 s timeout, correlated by the ``id`` variable, INT payload,
  ``delete_after_first_correlation``);
- ``allow-summary`` (correlated by ``id``, no payload type);
- the workflow event ``post-summary`` (STR) thrown with the ``do-summary`` output.
"""

import littlehorse
from littlehorse.model import CorrelatedEventConfig
from littlehorse.workflow import Workflow, WorkflowThread


async def greet(name: str) -> str:
    return f"greeted-{name}"


async def summarise(name: str, age: int) -> str:
    return f"{name} is {age}"


def entrypoint(thread: WorkflowThread) -> None:
    name = thread.wait_for_event(
        "what-is-your-name", timeout=60, auto_register=True, return_type=str
    )
    greeting_id = thread.declare_str("id")
    greeting_id.assign(thread.execute("greet", name))
    age = thread.wait_for_event(
        "how-old-are-you",
        timeout=60,
        correlation_id=greeting_id,
        return_type=int,
        correlated_event_config=CorrelatedEventConfig(
            delete_after_first_correlation=True
        ),
    )
    # Registered as just {name}: sdk-java would add an empty contentType and, because
    # of the correlation key, a default correlatedEventConfig ("ExternalEventDefs
    # registered by a wait" in KNOWN_DIFFERENCES.md).
    thread.wait_for_event(
        "allow-summary", correlation_id=greeting_id, auto_register=True
    )
    summary = thread.execute("do-summary", name, age)
    thread.throw_event("post-summary", summary, return_type=str)


def register(config) -> None:
    littlehorse.create_task_def(summarise, "do-summary", config)
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(
        Workflow("example-event-registration", entrypoint), config
    )
