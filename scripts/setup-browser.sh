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

# shellcheck source=scripts/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install chromium "install Chromium, or set LHW_CHROMIUM to a Chromium/Chrome binary" \
    chromium fonts-dejavu-core

if ! bin="$(find_chromium)"; then
    echo "error: the chromium package installed, but chromium is not on PATH" >&2
    exit 1
fi
echo "chromium ready: $("${bin}" --version 2>/dev/null | head -n 1)"
