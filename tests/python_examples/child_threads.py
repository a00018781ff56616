"""Reference for the LittleHorse Python example ``child_threads``.

Workflow ``example-child-thread``: the entrypoint stores a task output in ``parent-var``,
spawns the thread ``spawned-thread`` and waits for it. The child thread assigns its own
variable to the parent's, runs ``child-task`` and handles any ERROR of that task in a
handler thread that assigns its variable to both the child's and the parent's.

``WfRunVariable.assign`` queues the mutation in the thread being built at the time (the
last one started), so ``parent-var`` assignments written inside the child and handler
functions land on edges of those threads, not of the entrypoint.
"""

import littlehorse
from littlehorse.workflow import SpawnedThreads, Workflow, WorkflowThread


async def child_task(number: int) -> None:
    raise RuntimeError(f"child task always fails ({number})")


async def parent_task_1(number: int) -> None:
    del number


async def parent_task_2() -> None:
    return None


def entrypoint(thread: WorkflowThread) -> None:
    parent_var = thread.declare_int("parent-var")
    parent_var.assign(thread.execute("parent-task-1", parent_var))

    def child(sub: WorkflowThread) -> None:
        child_var = sub.declare_int("child-var").with_default(34)
        parent_var.assign(child_var)
        attempt = sub.execute("child-task", child_var)

        def on_error(handler: WorkflowThread) -> None:
            grandchild_var = handler.declare_int("child-child-var").with_default(21)
            child_var.assign(grandchild_var)
            parent_var.assign(grandchild_var)

        # Same handler name in both SDKs (see casting.py).
        sub.handle_error(attempt, on_error)

    spawned = thread.spawn_thread(child, "spawned-thread")
    thread.wait_for_threads(SpawnedThreads.from_list(spawned))
    thread.execute("parent-task-2")


def register(config) -> None:
    littlehorse.create_task_def(parent_task_1, "parent-task-1", config)
    littlehorse.create_task_def(parent_task_2, "parent-task-2", config)
    littlehorse.create_task_def(child_task, "child-task", config)
    littlehorse.create_workflow_spec(
        Workflow("example-child-thread", entrypoint), config
    )
