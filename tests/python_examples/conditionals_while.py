"""Reference for the LittleHorse Python example ``conditionals_while``.

Workflow ``example-conditionals-while``: while ``number-of-donuts`` is above zero,
decrement it and run ``eating-donut`` with the new count.

The example's worker names its parameter ``donuts_left``, so the TaskDef input variable is
called ``donuts_left`` (see KNOWN_DIFFERENCES.md).
"""

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread


# The parameter name becomes the TaskDef input name: "donuts_left", which a .lhw task
# cannot declare ("Task parameter names with underscores" in KNOWN_DIFFERENCES.md).
async def eat_one(donuts_left: int) -> str:
    return f"{donuts_left} to go"


def loop_body(thread: WorkflowThread) -> None:
    donuts = thread.find_variable("number-of-donuts")
    donuts.assign(donuts.subtract(1))
    thread.execute("eating-donut", donuts)


def entrypoint(thread: WorkflowThread) -> None:
    donuts = thread.declare_int("number-of-donuts")
    thread.do_while(donuts.is_greater_than(0), loop_body)


def register(config) -> None:
    littlehorse.create_task_def(eat_one, "eating-donut", config)
    littlehorse.create_workflow_spec(
        Workflow("example-conditionals-while", entrypoint), config
    )
