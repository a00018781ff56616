#!/usr/bin/env bash
# Make sure Neovim is installed: tests/editors.rs runs a real, headless Neovim against
# `lhc lsp` (editors/nvim/test/init.lua). The Neovim setup in editors/nvim supports 0.7
# and later, so the distribution's package (Debian bookworm: 0.7.2) is enough.
#
# Idempotent: when `nvim` is already on PATH it only prints its version. Otherwise it
# installs the `neovim` package with apt-get, as root or through sudo when sudo works
# without a password; on a machine without apt-get it says what to install and fails.
# Set LHW_NVIM to use another Neovim binary than `nvim` (the test reads the same variable;
# not NVIM, which Neovim sets in its own terminals).
set -euo pipefail

nvim_bin="${LHW_NVIM:-nvim}"

if command -v "${nvim_bin}" >/dev/null 2>&1; then
    echo "neovim ready: $("${nvim_bin}" --version | head -n 1)"
    exit 0
fi

if [[ -n "${LHW_NVIM:-}" ]]; then
    echo "error: LHW_NVIM=${LHW_NVIM} is not an executable; unset it to use the system's nvim" >&2
    exit 1
fi

# shellcheck source=scripts/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install nvim "install Neovim 0.7 or later (https://neovim.io)" neovim

if ! command -v nvim >/dev/null 2>&1; then
    echo "error: the neovim package installed, but nvim is not on PATH" >&2
    exit 1
fi
echo "neovim ready: $(nvim --version | head -n 1)"
