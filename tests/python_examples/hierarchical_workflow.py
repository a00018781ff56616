"""Reference for the LittleHorse Python example ``hierarchical_workflow``.

Two WfSpecs: ``parent-wf`` declares the PUBLIC STR variable ``input-name`` and greets it;
``child-wf`` names ``parent-wf`` as its parent, reads the same variable as INHERITED and
greets it too.
"""

import littlehorse
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


async def greet(name: str, ctx: WorkerContext) -> str:
    return f"greetings, {name} ({ctx.wf_run_id.id})"


def parent_entrypoint(thread: WorkflowThread) -> None:
    thread.execute("greet", thread.declare_str("input-name").as_public())


def child_entrypoint(thread: WorkflowThread) -> None:
    thread.execute("greet", thread.declare_str("input-name").as_inherited())


def register(config) -> None:
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(Workflow("parent-wf", parent_entrypoint), config)
    littlehorse.create_workflow_spec(
        Workflow("child-wf", child_entrypoint, parent_wf="parent-wf"), config
    )
