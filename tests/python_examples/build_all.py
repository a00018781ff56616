"""Build the reference requests for every LittleHorse Python example.

Each ``<example>.py`` next to this file rebuilds, with the official Python SDK
(``littlehorse-client``, see ``scripts/setup-python.sh``), the WfSpecs and metadata that the
LittleHorse example of the same name (``examples/python/<example>/`` in the LittleHorse
repository) registers. It exposes ``register(config)``, which performs the same
registrations in the same order through the SDK's helpers; here ``config`` is a
:class:`recording.RecordingConfig`, so nothing is sent anywhere.

Usage::

    .venv/bin/python tests/python_examples/build_all.py [EXAMPLE ...]

prints one JSON object ``{example: {"wf_specs": {name: PutWfSpecRequest},
"metadata": {kind: {name: request}}, "registered": ["Rpc name", ...]}}`` (protobuf JSON
mapping, lowerCamelCase, fields without presence printed with their defaults). Without
arguments every example is built. ``tests/python_examples.rs`` compares the result with the
compiled ``examples/python/<example>.lhw`` files.

Run builders through this script, not directly: ``json.py`` would shadow the standard
library's ``json`` module for a script started from this directory.
"""

import os
import sys

# The script's directory is put first on sys.path, where json.py would hide the standard
# library module of the same name. Take it off before importing anything else.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
# Keep the source tree free of __pycache__ directories.
sys.dont_write_bytecode = True

import importlib.util  # noqa: E402
import json  # noqa: E402
from types import ModuleType  # noqa: E402

from google.protobuf import json_format  # noqa: E402

# The LittleHorse Python examples, by directory name.
EXAMPLES = [
    "basic",
    "casting",
    "checkpoint_tasks",
    "child_threads",
    "conditionals",
    "conditionals_while",
    "correlated_event",
    "error_handling",
    "event_registration",
    "external_event",
    "hierarchical_workflow",
    "interruption",
    "json",
    "mutation",
    "parallel_approvals",
    "quickstart",
    "retries",
    "run_child_wf",
    "structdef",
    "user_tasks",
    "wait_for_condition",
]


def _load(file_stem: str, module_name: str) -> ModuleType:
    path = os.path.join(_HERE, f"{file_stem}.py")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


recording = _load("recording", "recording")


def _to_dict(message: object) -> dict:
    # Fields without presence (enums, numbers, strings, repeated, maps) are printed even
    # when they hold their default, so that nothing is left implicit.
    return json_format.MessageToDict(
        message, always_print_fields_with_no_presence=True
    )


def build(example: str) -> dict:
    """Runs one builder and groups the requests it registered."""
    module = _load(example, f"lhw_python_example_{example}")
    config = recording.RecordingConfig()
    module.register(config)

    wf_specs: dict = {}
    metadata: dict = {}
    registered: list = []
    for rpc, request in config.requests:
        kind = recording.PUT_RPCS[rpc]
        name = request.name
        registered.append(f"{rpc} {name}")
        bucket = wf_specs if kind == "wf_specs" else metadata.setdefault(kind, {})
        if name in bucket:
            raise ValueError(f"{example}: {rpc} {name} registered twice")
        bucket[name] = _to_dict(request)
    if not wf_specs:
        raise ValueError(f"{example}: the builder registered no WfSpec")
    return {"wf_specs": wf_specs, "metadata": metadata, "registered": registered}


def main(argv: list[str]) -> int:
    wanted = argv or EXAMPLES
    unknown = [name for name in wanted if name not in EXAMPLES]
    if unknown:
        print(f"unknown example(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    # Sorted keys: protobuf map order varies between runs, the output should not.
    print(json.dumps({name: build(name) for name in wanted}, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
