"""Reference for the LittleHorse Python example ``casting``.

Workflow ``casting-workflow``: explicit casts (``cast_to_double``, ``cast_to_int``,
``cast_to_bool``) of variables, of task outputs, of an arithmetic expression over a task
output and of a JSON path, one implicit INT to DOUBLE argument, and an error handler on the
BOOL task (``handle_error`` without an error type: catches every ERROR).
"""

import littlehorse
from littlehorse.worker import WorkerContext
from littlehorse.workflow import Workflow, WorkflowThread


async def as_text(value: str, ctx: WorkerContext) -> str:
    ctx.log(value)
    return value


async def twice(value: int, ctx: WorkerContext) -> int:
    ctx.log(value)
    return 2 * value


async def ninety_percent(value: float, ctx: WorkerContext) -> float:
    ctx.log(value)
    return value * 0.9


async def negate(value: bool, ctx: WorkerContext) -> bool:
    ctx.log(value)
    return not value


def on_bool_error(handler: WorkflowThread) -> None:
    handler.execute("string-method", "This is how to handle casting errors")


def entrypoint(thread: WorkflowThread) -> None:
    number_text = thread.declare_str("string-number", default_value="3.14")
    bool_text = thread.declare_str("string-bool", default_value="false")
    # The default is stored as json.dumps text ("JSON literal text" in
    # KNOWN_DIFFERENCES.md: sdk-java and the compiler write compact JSON).
    doc = thread.declare_json_obj(
        "json-input", default_value={"int": "1", "string": "hello"}
    )

    as_double = thread.execute("double-method", number_text.cast_to_double())
    as_int = thread.execute("int-method", as_double.cast_to_int())
    thread.execute("int-method", as_double.multiply(2.0).divide(6.0).cast_to_int())
    flag = thread.execute("bool-method", bool_text.cast_to_bool())
    # handle_error without an error type is named exn-handler-<node>-FAILURE_TYPE_ERROR by
    # both SDKs; the naming quirk of KNOWN_DIFFERENCES.md ("Unnamed exception handler
    # thread name") concerns handle_exception without a name, which is not used here.
    thread.handle_error(flag, on_bool_error)
    thread.execute("int-method", as_double.cast_to_int())
    thread.execute("double-method", as_int)
    thread.execute("int-method", doc.with_json_path("$.int").cast_to_int())
    thread.execute("string-method", number_text)


def register(config) -> None:
    littlehorse.create_task_def(as_text, "string-method", config)
    littlehorse.create_task_def(twice, "int-method", config)
    littlehorse.create_task_def(ninety_percent, "double-method", config)
    littlehorse.create_task_def(negate, "bool-method", config)
    littlehorse.create_workflow_spec(Workflow("casting-workflow", entrypoint), config)
