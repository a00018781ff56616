"""Reference for the LittleHorse Python example ``json``.

Workflow ``example-json``: a JSON_OBJ ``person`` whose ``$.name`` goes to ``greet`` and
whose ``$.car`` goes to ``describe-car``.

This file shadows the standard ``json`` module when run from this directory: run it
through build_all.py.
"""

from typing import Any

import littlehorse
from littlehorse.workflow import Workflow, WorkflowThread


async def greet(name: str) -> str:
    return f"hi {name}"


async def describe_car(car: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in car.items())


def entrypoint(thread: WorkflowThread) -> None:
    person = thread.declare_json_obj("person")
    thread.execute("greet", person.with_json_path("$.name"))
    thread.execute("describe-car", person.with_json_path("$.car"))


def register(config) -> None:
    littlehorse.create_task_def(greet, "greet", config)
    littlehorse.create_task_def(describe_car, "describe-car", config)
    littlehorse.create_workflow_spec(Workflow("example-json", entrypoint), config)
