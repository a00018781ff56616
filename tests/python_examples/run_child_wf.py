"""Reference for the LittleHorse Python example ``run_child_wf``.

Two WfSpecs, the child registered first: ``some-other-wfspec`` greets its STR input
``child-input-name``; ``my-parent`` starts it with ``input-name`` as that input
(RUN_CHILD_WF), greets the literal ``"hi from parent"`` meanwhile, then waits for the child
(WAIT_FOR_CHILD_WF) and stores its output in ``child-output``.
"""

import littlehorse
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


async def greet(name: str, ctx: WorkerContext) -> str:
    return f"greetings, {name} ({ctx.wf_run_id.id})"


def child_entrypoint(thread: WorkflowThread) -> None:
    thread.execute("greet", thread.declare_str("child-input-name"))


def parent_entrypoint(thread: WorkflowThread) -> None:
    name = thread.declare_str("input-name")
    result = thread.declare_str("child-output")
    child = thread.run_wf("some-other-wfspec", {"child-input-name": name})
    thread.execute("greet", "hi from parent")
    result.assign(thread.wait_for_child_wf(child))


def register(config) -> None:
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(
        Workflow("some-other-wfspec", child_entrypoint), config
    )
    littlehorse.create_workflow_spec(Workflow("my-parent", parent_entrypoint), config)
