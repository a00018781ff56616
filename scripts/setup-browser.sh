#!/usr/bin/env bash
# Make sure headless Chromium is installed: tests/graph_png.rs renders the SVG diagrams of
# `lhc graph` to PNG with a real browser and checks the pictures (not blank, no page errors).
#
# Idempotent: when a Chromium binary is already on PATH it only prints its version.
# Otherwise it installs Debian's `chromium` package with apt-get, as root or through sudo
# when sudo works without a password; on a machine without apt-get it says what to install
# and fails. Set LHW_CHROMIUM to use another binary (the test reads the same variable).
set -euo pipefail

find_chromium() {
    if [[ -n "${LHW_CHROMIUM:-}" ]]; then
        command -v "${LHW_CHROMIUM}" 2>/dev/null && return 0
        return 1
    fi
    for candidate in chromium chromium-browser; do
        if command -v "${candidate}" >/dev/null 2>&1; then
            command -v "${candidate}"
            return 0
        fi
    done
    return 1
}

if bin="$(find_chromium)"; then
    echo "chromium ready: $("${bin}" --version 2>/dev/null | head -n 1)"
    exit 0
fi

if [[ -n "${LHW_CHROMIUM:-}" ]]; then
    echo "error: LHW_CHROMIUM=${LHW_CHROMIUM} is not an executable; unset it to use the system's chromium" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: chromium not found and apt-get is not available;" \
        "install Chromium (or set LHW_CHROMIUM to a Chromium/Chrome binary) and run again" >&2
    exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        echo "error: chromium not found; installing it needs root:" \
            "run 'sudo apt-get install chromium' (or set LHW_CHROMIUM)" >&2
        exit 1
    fi
fi

echo "installing chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt=("${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600)
# The package lists may be missing (fresh containers) or stale (a 404 on install).
if ! "${apt[@]}" install -y --no-install-recommends chromium fonts-dejavu-core; then
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends chromium fonts-dejavu-core
fi

if ! bin="$(find_chromium)"; then
    echo "error: the chromium package installed, but chromium is not on PATH" >&2
    exit 1
fi
echo "chromium ready: $("${bin}" --version 2>/dev/null | head -n 1)"
