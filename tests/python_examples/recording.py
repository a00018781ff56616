"""A stand-in for ``littlehorse.config.LHConfig`` that talks to no server.

The builders in this directory register their metadata through the official SDK's own
helpers (``littlehorse.create_task_def``, ``littlehorse.create_workflow_spec``, ...), exactly
as a real deployment would. Those helpers only use ``config.stub()`` and call ``Put*`` RPCs
on it, so handing them a :class:`RecordingConfig` captures every request they would send,
in order, without a network.
"""

from typing import Any, Callable

from google.protobuf.message import Message

# The RPCs a registration may send, and the key each request is filed under.
PUT_RPCS = {
    "PutWfSpec": "wf_specs",
    "PutTaskDef": "task_defs",
    "PutExternalEventDef": "external_event_defs",
    "PutWorkflowEventDef": "workflow_event_defs",
    "PutUserTaskDef": "user_task_defs",
    "PutStructDef": "struct_defs",
}


class RecordingStub:
    """Accepts the ``Put*`` metadata RPCs and keeps each request."""

    def __init__(self, sink: list[tuple[str, Message]]) -> None:
        self._sink = sink

    def __getattr__(self, rpc: str) -> Callable[..., Any]:
        if rpc not in PUT_RPCS:
            raise AttributeError(
                f"builder called {rpc}, which a registration-only recording does not allow"
            )

        def record(request: Message, timeout: Any = None) -> Message:
            del timeout
            copy = type(request)()
            copy.CopyFrom(request)
            self._sink.append((rpc, copy))
            return copy

        return record


class RecordingConfig:
    """Duck-types the part of ``LHConfig`` that the registration helpers use."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, Message]] = []

    def stub(self) -> RecordingStub:
        return RecordingStub(self.requests)
