"""Reference for the LittleHorse Python example ``wait_for_condition``.

Workflow ``example-wait-for-condition``: ``counter`` (INT, default 2) is decremented by an
interrupt handler for the external event ``subtract``; the entrypoint waits until it
equals 0 (WAIT_FOR_CONDITION). The handler thread has no node of its own: its mutation
rides on the edge from its ENTRYPOINT to its EXIT.
"""

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread


def entrypoint(thread: WorkflowThread) -> None:
    counter = thread.declare_int("counter").with_default(2)

    def decrement(handler: WorkflowThread) -> None:
        del handler
        counter.assign(counter.subtract(1))

    thread.wait_for_condition(counter.is_equal_to(0))
    thread.add_interrupt_handler("subtract", decrement)


def register(config) -> None:
    littlehorse.create_external_event_def("subtract", config)
    littlehorse.create_workflow_spec(
        Workflow("example-wait-for-condition", entrypoint), config
    )
