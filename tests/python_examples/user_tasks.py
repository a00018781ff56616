"""Reference for the LittleHorse Python example ``user_tasks``.

Workflow ``example-user-tasks``: the user task ``person-details`` assigned to the group
``writer-group``, with a reminder: 10 s after arrival (ON_ARRIVAL) the TaskDef ``greet``
runs with the literal arguments ``"Sam"`` and a JSON object.

The example registers the UserTaskDef ``person-details`` itself (a hand-built
``PutUserTaskDefRequest``), then the ``greet`` TaskDef and the WfSpec.
"""

from typing import Any

import littlehorse
from littlehorse.model import PutUserTaskDefRequest, UserTaskField, VariableType
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread

REMINDER_DETAILS = {"identification": "1258796641-4", "Address": "NA-Street", "Age": 28}


def details_form() -> PutUserTaskDefRequest:
    return PutUserTaskDefRequest(
        name="person-details",
        fields=[
            UserTaskField(
                name="PersonDetails",
                type=VariableType.STR,
                description="Person complementary information",
                display_name="Other Details",
                required=True,
            )
        ],
    )


async def greet(name: str, person_details: dict[str, Any], ctx: WorkerContext) -> str:
    return f"{name}: {person_details} ({ctx.wf_run_id.id})"


def entrypoint(thread: WorkflowThread) -> None:
    form = thread.assign_user_task("person-details", None, "writer-group")
    # schedule_reminder_task (ON_ARRIVAL) turns each argument into its own
    # VariableAssignment, like sdk-java. Its sibling schedule_reminder_task_on_assignment
    # would not (it packs all arguments into one jsonObj literal: KNOWN_DIFFERENCES.md,
    # "Reminder task on assignment passes its arguments as one value"). The dict is
    # encoded with json.dumps spacing and key order ("JSON literal text").
    thread.schedule_reminder_task(form, 10, "greet", "Sam", REMINDER_DETAILS)


def register(config) -> None:
    config.stub().PutUserTaskDef(details_form())
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_workflow_spec(
        Workflow("example-user-tasks", entrypoint), config
    )
