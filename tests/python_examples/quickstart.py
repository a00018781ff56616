"""Reference for the LittleHorse Python example ``quickstart``.

Workflow ``quickstart``: required searchable ``full-name`` and ``email``, a required masked
INT ``ssn`` and a searchable BOOL ``identity-verified``. ``verify-identity`` runs with 3
retries, then the workflow waits at most 300 s for ``identity-verified`` correlated by
``email``; a TIMEOUT there is handled by a thread that notifies the customer and fails with
``customer-not-verified``. The event payload goes into ``identity-verified``, and the
customer is notified either way (``do_if`` with an else body).

The example registers the ExternalEventDef itself (``PutExternalEventDefRequest`` with an
empty ``CorrelatedEventConfig``), and its ``verify-identity`` worker masks ``ssn`` with
``Annotated[int, LHType(name="ssn", masked=True)]``.
"""

from typing import Annotated

import littlehorse
from littlehorse.model import (
    CorrelatedEventConfig,
    LHErrorType,
    PutExternalEventDefRequest,
)
from littlehorse.worker import LHType, WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


# Parameters named full_name register TaskDef inputs that .lhw cannot name ("Task
# parameter names with underscores" in KNOWN_DIFFERENCES.md).
async def verify_identity(
    full_name: str,
    email: str,
    ssn: Annotated[int, LHType(name="ssn", masked=True)],
    ctx: WorkerContext,
) -> str:
    del ctx, ssn
    return f"verification requested for {full_name} <{email}>"


async def notify_customer_verified(
    full_name: str, email: str, ctx: WorkerContext
) -> str:
    del ctx
    return f"{full_name} <{email}>: verified"


async def notify_customer_not_verified(
    full_name: str, email: str, ctx: WorkerContext
) -> str:
    del ctx
    return f"{full_name} <{email}>: not verified"


def entrypoint(thread: WorkflowThread) -> None:
    full_name = thread.declare_str("full-name").searchable().required()
    email = thread.declare_str("email").searchable().required()
    ssn = thread.declare_int("ssn").masked().required()
    verified = thread.declare_bool("identity-verified").searchable()

    thread.execute("verify-identity", full_name, email, ssn, retries=3)
    verdict = thread.wait_for_event("identity-verified", timeout=300, correlation_id=email)

    def on_timeout(handler: WorkflowThread) -> None:
        handler.execute("notify-customer-not-verified", full_name, email)
        handler.fail(
            "customer-not-verified", "Unable to verify customer identity in time."
        )

    thread.handle_error(verdict, on_timeout, LHErrorType.TIMEOUT)
    verified.assign(verdict)

    def tell_verified(branch: WorkflowThread) -> None:
        branch.execute("notify-customer-verified", full_name, email)

    def tell_not_verified(branch: WorkflowThread) -> None:
        branch.execute("notify-customer-not-verified", full_name, email)

    thread.do_if(verified.is_equal_to(True), tell_verified, tell_not_verified)


def register(config) -> None:
    config.stub().PutExternalEventDef(
        PutExternalEventDefRequest(
            name="identity-verified", correlated_event_config=CorrelatedEventConfig()
        )
    )
    littlehorse.create_task_def(verify_identity, "verify-identity", config)
    littlehorse.create_task_def(
        notify_customer_verified, "notify-customer-verified", config
    )
    littlehorse.create_task_def(
        notify_customer_not_verified, "notify-customer-not-verified", config
    )
    littlehorse.create_workflow_spec(Workflow("quickstart", entrypoint), config)
