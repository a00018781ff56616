"""Reference for the LittleHorse Python example ``conditionals``.

Workflow ``example-conditionals``: record a sale, store the running total, then run
``reach-goal`` when the total is at least 1,000,000 and ``keep-selling`` otherwise.
"""

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread

SALES_TARGET = 1000000.0


async def sale(amount: float) -> float:
    return amount


# A worker returning None registers a TaskDef without return_type; sdk-java sends an empty
# ReturnType ("Void TaskDef return type" in KNOWN_DIFFERENCES.md).
async def reach_goal(amount: float) -> None:
    del amount


async def keep_selling(amount: float) -> None:
    del amount


def target_met(thread: WorkflowThread) -> None:
    thread.execute("reach-goal", thread.find_variable("total-sales"))


def target_missed(thread: WorkflowThread) -> None:
    thread.execute("keep-selling", thread.find_variable("total-sales"))


def entrypoint(thread: WorkflowThread) -> None:
    amount = thread.declare_double("amount")
    total = thread.declare_double("total-sales")
    total.assign(thread.execute("sale", amount))
    thread.do_if(total.is_greater_than_eq(SALES_TARGET), target_met).do_else(
        target_missed
    )


def register(config) -> None:
    littlehorse.create_task_def(sale, "sale", config)
    littlehorse.create_task_def(reach_goal, "reach-goal", config)
    littlehorse.create_task_def(keep_selling, "keep-selling", config)
    littlehorse.create_workflow_spec(
        Workflow("example-conditionals", entrypoint), config
    )
