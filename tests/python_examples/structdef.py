"""Reference for the LittleHorse Python example ``structdef``.

Three StructDefs, registered dependencies first: ``address``, ``person`` (whose
``homeAddress`` field is an ``address`` marked masked) and ``parking-ticket-report``, each
with a description. The SDK turns the snake_case attribute names into camelCase field names.

Workflow ``issue-parking-ticket``: a required ``parking-ticket-report`` input goes to
``get-car-owner``, whose ``person`` output is stored in ``car-owner`` and passed to
``mail-ticket``.
"""

from typing import Annotated

import littlehorse
from littlehorse.lh_struct import LHStructField, lh_struct_def
from littlehorse.workflow import Workflow, WorkflowThread


# The port states the descriptions and the masked field too (`struct address "..." {`,
# `homeAddress: address masked`).
@lh_struct_def(name="address", description="A physical address.")
class Address:
    house_number: int
    street: str
    city: str
    planet: str
    zip_code: int


@lh_struct_def(name="person", description="A person with a name and address.")
class Person:
    first_name: str
    last_name: str
    home_address: Annotated[Address, LHStructField(masked=True)]


@lh_struct_def(
    name="parking-ticket-report", description="A parking ticket report for a vehicle."
)
class ParkingTicketReport:
    vehicle_make: str
    vehicle_model: str
    license_plate_number: str


async def find_owner(report: ParkingTicketReport) -> Person:
    raise LookupError(f"no registry for {report.license_plate_number}")


async def send_ticket(person: Person) -> str:
    return f"ticket for {person.first_name} {person.last_name}"


def entrypoint(thread: WorkflowThread) -> None:
    report = thread.declare_struct("ticket-report", ParkingTicketReport).required()
    owner = thread.declare_struct("car-owner", Person)
    owner.assign(thread.execute("get-car-owner", report))
    thread.execute("mail-ticket", owner)


def register(config) -> None:
    for struct in (Address, Person, ParkingTicketReport):
        littlehorse.create_struct_def(struct, config)
    littlehorse.create_task_def(find_owner, "get-car-owner", config)
    littlehorse.create_task_def(send_ticket, "mail-ticket", config)
    littlehorse.create_workflow_spec(
        Workflow("issue-parking-ticket", entrypoint), config
    )
