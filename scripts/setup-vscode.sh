#!/usr/bin/env bash
# Prepare the VS Code end-to-end test (tests/vscode.rs runs editors/vscode/e2e/run.js): a
# real VS Code, code-server 4.100.3 (VS Code 1.100.3; the last release that runs on
# Node.js 20), and playwright-core, both locked by editors/vscode/e2e/package-lock.json and
# installed into editors/vscode/e2e/node_modules; Chromium (scripts/setup-browser.sh); and
# the extension's own modules and .vsix (editors/vscode/package.sh).
#
# code-server's install builds VS Code's native modules (node-pty, kerberos, spdlog...), so
# it needs a C++ toolchain and the Kerberos headers (Debian: build-essential, pkg-config,
# libkrb5-dev; see coder/code-server docs/npm.md). It also fetches ripgrep from GitHub,
# which this machine cannot reach: Debian's ripgrep 13 (the version VS Code pins) is put in
# the download cache of @vscode/ripgrep instead, so its install finds it there.
#
# Idempotent: the npm install runs again only when the lock file changed.
# Usage: bash scripts/setup-vscode.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="${repo_root}/editors/vscode/e2e"

for tool in node npm; do
    if ! command -v "${tool}" >/dev/null 2>&1; then
        echo "error: ${tool} not found; install Node.js 20 or later (with npm)" >&2
        exit 1
    fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
    echo "error: Node.js ${node_major} is too old; code-server 4.100 needs Node.js 20" >&2
    exit 1
fi

# Chromium, which Playwright drives.
bash "${repo_root}/scripts/setup-browser.sh"

# The tools code-server's install needs.
missing=()
command -v g++ >/dev/null 2>&1 || missing+=(build-essential)
command -v make >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[[ -e /usr/include/gssapi/gssapi.h ]] || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
if (( ${#missing[@]} > 0 )); then
    # shellcheck source=scripts/apt-install.sh
    source "${repo_root}/scripts/apt-install.sh"
    # shellcheck disable=SC2046
    apt_install "the build tools of code-server" \
        "install a C++ toolchain, pkg-config, the Kerberos headers and ripgrep" \
        $(printf '%s\n' "${missing[@]}" | sort -u)
fi

# The extension: its modules (npm ci), grammar tests and .vsix.
bash "${repo_root}/editors/vscode/package.sh"

stamp="${e2e}/node_modules/.lhw-lock-stamp"
lock_sum="$(sha256sum "${e2e}/package-lock.json" | cut -d' ' -f1)"
if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${lock_sum}" \
    && -x "${e2e}/node_modules/.bin/code-server" ]]; then
    echo "code-server ready: $("${e2e}/node_modules/.bin/code-server" --version --config /dev/null 2>/dev/null | tail -n 1)"
    exit 0
fi

# @vscode/ripgrep's install looks for its download in $TMPDIR/vscode-ripgrep-cache-<its
# version>/ before asking GitHub; put Debian's rg there, in a cache of our own.
cache="${e2e}/.cache/tmp"
rg_version="1.15.11"
rg_asset="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ "$(uname -m)" != "x86_64" ]]; then
    echo "note: the ripgrep cache is only primed on x86_64; on $(uname -m) @vscode/ripgrep downloads its own"
else
    mkdir -p "${cache}/vscode-ripgrep-cache-${rg_version}"
    rg_dir="$(mktemp -d)"
    cp "$(command -v rg)" "${rg_dir}/rg"
    tar czf "${cache}/vscode-ripgrep-cache-${rg_version}/${rg_asset}" -C "${rg_dir}" rg
    rm -rf "${rg_dir}"
fi

echo "==> npm ci in editors/vscode/e2e (code-server builds VS Code's native modules: a few minutes)"
cd "${e2e}"
# unsafe-perm: code-server's postinstall refuses to run as root without it. yes: node-pty's
# install runs `npx node-gyp`, which would stop to ask.
TMPDIR="${cache}" npm_config_unsafe_perm=true npm_config_yes=true \
    npm ci --no-audit --no-fund
echo "${lock_sum}" >"${stamp}"
echo "code-server ready: $("${e2e}/node_modules/.bin/code-server" --version --config /dev/null 2>/dev/null | tail -n 1)"
