#!/usr/bin/env bash
# Create (or reuse) the repository's Python virtualenv at <repo>/.venv and
# install the official LittleHorse Python client into it. The client ships the
# official protobuf descriptors that proto/tests/official_descriptors.rs
# compares our .proto transcription against (via scripts/dump_descriptors.py).
#
# Idempotent: when the pinned version is already installed it does nothing.
# Needs python3 with its venv module, and pip either inside the venv (the
# usual case) or for the host python3 (Debian without python3-venv's
# ensurepip: the venv is then created without pip and filled from outside).
# Set PYTHON to use another interpreter than python3.
set -euo pipefail

LH_CLIENT_VERSION="1.3.0"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
venv="${repo_root}/.venv"
venv_python="${venv}/bin/python"
host_python="${PYTHON:-python3}"

if ! command -v "${host_python}" >/dev/null 2>&1; then
    echo "error: ${host_python} not found; install python3 first" >&2
    exit 1
fi

installed_version() {
    "${venv_python}" -c \
        'import importlib.metadata as m; print(m.version("littlehorse-client"))' \
        2>/dev/null || true
}

# (Re)create the venv when it is missing or its interpreter is broken.
if ! "${venv_python}" -c 'import sys' >/dev/null 2>&1; then
    echo "creating virtualenv at ${venv}"
    if ! "${host_python}" -m venv --clear "${venv}"; then
        echo "'${host_python} -m venv' failed (no ensurepip?); retrying without pip"
        "${host_python}" -m venv --clear --without-pip "${venv}"
    fi
fi

if [[ "$(installed_version)" == "${LH_CLIENT_VERSION}" ]]; then
    echo "littlehorse-client ${LH_CLIENT_VERSION} already installed in ${venv}"
else
    if "${venv_python}" -m pip --version >/dev/null 2>&1; then
        pip=("${venv_python}" -m pip)
    elif "${host_python}" -m pip --version >/dev/null 2>&1; then
        pip=("${host_python}" -m pip --python "${venv_python}")
    else
        echo "error: no pip available; install python3-pip (or python3-venv)" >&2
        exit 1
    fi
    echo "installing littlehorse-client==${LH_CLIENT_VERSION} into ${venv}"
    "${pip[@]}" install --quiet --disable-pip-version-check \
        "littlehorse-client==${LH_CLIENT_VERSION}"
fi

# The descriptors must be importable, at the pinned version.
if [[ "$(installed_version)" != "${LH_CLIENT_VERSION}" ]] \
    || ! "${venv_python}" -c 'import littlehorse.model.service_pb2' >/dev/null; then
    echo "error: littlehorse-client ${LH_CLIENT_VERSION} is not usable from ${venv}" >&2
    exit 1
fi
echo "python environment ready: ${venv_python}"
