"""Reference for the LittleHorse Python example ``parallel_approvals``.

Workflow ``parallel-approvals-v2``: one ``approval`` thread per element of the JSON_ARR
``approvals`` (START_MULTIPLE_THREADS, then WAIT_FOR_THREADS on all of them). Each thread
gets its element as ``INPUT`` and assigns the user task ``approve-task``: to the group
``$.userGroup`` when ``$.userId`` is null, else to the user ``$.userId`` in that group;
``$.isApproved`` of the result goes into ``did-person-approve``.

The example registers the UserTaskDef ``approve-task`` itself (a hand-built
``PutUserTaskDefRequest``) and no TaskDef.
"""

import littlehorse
from littlehorse.model import (
    Comparator,
    PutUserTaskDefRequest,
    UserTaskField,
    VariableType,
)
from littlehorse.workflow import Workflow, WorkflowThread


def approval_form() -> PutUserTaskDefRequest:
    return PutUserTaskDefRequest(
        name="approve-task",
        fields=[
            UserTaskField(
                name="Approve",
                type=VariableType.BOOL,
                description="Is the status completed for approval?",
                display_name="Approval",
                required=True,
            )
        ],
    )


def one_approval(thread: WorkflowThread) -> None:
    item = thread.declare_json_obj("INPUT")
    approved = thread.declare_bool("did-person-approve").searchable()

    def for_the_group(branch: WorkflowThread) -> None:
        form = branch.assign_user_task(
            "approve-task", user_id=None, user_group=item.with_json_path("$.userGroup")
        )
        approved.assign(form.with_json_path("$.isApproved"))

    def for_the_user(branch: WorkflowThread) -> None:
        form = branch.assign_user_task(
            "approve-task",
            user_id=item.with_json_path("$.userId"),
            user_group=item.with_json_path("$.userGroup"),
        )
        approved.assign(form.with_json_path("$.isApproved"))

    no_user = thread.condition(item.with_json_path("$.userId"), Comparator.EQUALS, None)
    thread.do_if(no_user, for_the_group).do_else(for_the_user)


def entrypoint(thread: WorkflowThread) -> None:
    approvals = thread.declare_json_arr("approvals")
    thread.declare_str("item-url").searchable()
    thread.declare_str("status", "PENDING").searchable()
    each = thread.spawn_thread_for_each(approvals, one_approval, "approval")
    thread.wait_for_threads(each)


def register(config) -> None:
    config.stub().PutUserTaskDef(approval_form())
    littlehorse.create_workflow_spec(
        Workflow("parallel-approvals-v2", entrypoint), config
    )
