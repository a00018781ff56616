#!/usr/bin/env bash
# Sourced by the setup scripts: `apt_install WHAT HINT PACKAGE...` installs Debian packages
# with apt-get, as root or through sudo when sudo works without a password; without apt-get
# or root it prints HINT (what to do instead) and returns 1. It refreshes stale or missing
# package lists once when the first install fails, and waits for another apt to finish.

apt_install() {
    local what="$1" hint="$2"
    shift 2
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: ${what} not found and apt-get is not available; ${hint}" >&2
        return 1
    fi
    local as_root=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            as_root=(sudo -n)
        else
            echo "error: ${what} not found; installing it needs root:" \
                "run 'sudo apt-get install $*' (or ${hint})" >&2
            return 1
        fi
    fi
    echo "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    local apt=("${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600)
    # The package lists may be missing (fresh containers) or stale (a 404 on install).
    if ! "${apt[@]}" install -y --no-install-recommends "$@"; then
        "${apt[@]}" update
        "${apt[@]}" install -y --no-install-recommends "$@"
    fi
}
