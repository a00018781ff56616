#!/usr/bin/env python3
"""Print the official LittleHorse protobuf API structure as JSON.

Reads the descriptors shipped in the `littlehorse-client` package (module
`littlehorse.model`) and prints, for package `littlehorse`, every message
(fully qualified, nested ones included), enum and service in a normalized
shape. proto/tests/official_descriptors.rs builds the same shape from our own
descriptor set and compares the two.

Run with the repository's virtualenv (see scripts/setup-python.sh):

    .venv/bin/python scripts/dump_descriptors.py > official.json
"""

import importlib
import importlib.metadata
import json
import pkgutil
import sys

from google.protobuf import descriptor_pb2

PACKAGE = "littlehorse"
FDP = descriptor_pb2.FieldDescriptorProto


def field_entry(field, message):
    """One field, with enum labels spelled like prost-types' as_str_name()."""
    oneof = None
    if field.HasField("oneof_index") and not field.proto3_optional:
        oneof = message.oneof_decl[field.oneof_index].name
    return {
        "name": field.name,
        "number": field.number,
        "type": FDP.Type.Name(field.type),
        "label": FDP.Label.Name(field.label),
        "type_name": field.type_name,
        "oneof": oneof,
        "proto3_optional": bool(field.proto3_optional),
    }


def enum_entry(enum, file_name):
    return {
        "file": file_name,
        "values": [{"name": v.name, "number": v.number} for v in enum.value],
        "reserved_ranges": [[r.start, r.end] for r in enum.reserved_range],
        "reserved_names": list(enum.reserved_name),
    }


def walk_message(message, scope, file_name, out):
    full = f"{scope}.{message.name}"
    real_oneofs = sorted(
        {
            message.oneof_decl[f.oneof_index].name
            for f in message.field
            if f.HasField("oneof_index") and not f.proto3_optional
        }
    )
    out["messages"][full] = {
        "file": file_name,
        "map_entry": bool(message.options.map_entry),
        "fields": [field_entry(f, message) for f in message.field],
        "oneofs": real_oneofs,
        "reserved_ranges": [[r.start, r.end] for r in message.reserved_range],
        "reserved_names": list(message.reserved_name),
    }
    for nested in message.nested_type:
        walk_message(nested, full, file_name, out)
    for enum in message.enum_type:
        out["enums"][f"{full}.{enum.name}"] = enum_entry(enum, file_name)


def main():
    model = importlib.import_module("littlehorse.model")
    out = {
        "client_version": importlib.metadata.version("littlehorse-client"),
        "messages": {},
        "enums": {},
        "services": {},
    }
    seen = set()
    for info in sorted(pkgutil.iter_modules(model.__path__), key=lambda m: m.name):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"littlehorse.model.{info.name}")
        file_desc = module.DESCRIPTOR
        if file_desc.package != PACKAGE or file_desc.name in seen:
            continue
        seen.add(file_desc.name)
        proto = descriptor_pb2.FileDescriptorProto()
        file_desc.CopyToProto(proto)
        scope = f".{proto.package}"
        for message in proto.message_type:
            walk_message(message, scope, proto.name, out)
        for enum in proto.enum_type:
            out["enums"][f"{scope}.{enum.name}"] = enum_entry(enum, proto.name)
        for service in proto.service:
            out["services"][f"{scope}.{service.name}"] = {
                "file": proto.name,
                "methods": [
                    {
                        "name": m.name,
                        "input_type": m.input_type,
                        "output_type": m.output_type,
                        "client_streaming": bool(m.client_streaming),
                        "server_streaming": bool(m.server_streaming),
                    }
                    for m in service.method
                ],
            }
    if not out["messages"]:
        sys.exit("no littlehorse descriptors found in littlehorse.model")
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
