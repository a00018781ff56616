#!/usr/bin/env bash
# Builds the VS Code extension package: editors/vscode/lhw-<version>.vsix.
# Needs Node.js 20+ and npm; installs the locked dependencies (npm ci) into
# editors/vscode/node_modules, runs the grammar tests (test/), then packages with the
# locked @vscode/vsce.
# Usage: bash editors/vscode/package.sh        (then: code --install-extension lhw-<version>.vsix)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in node npm; do
    if ! command -v "${tool}" >/dev/null 2>&1; then
        echo "error: ${tool} not found; install Node.js 20 or later (with npm)" >&2
        exit 1
    fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
    echo "error: Node.js ${node_major} is too old; @vscode/vsce needs Node.js 20 or later" >&2
    exit 1
fi

version="$(node -p 'require("./package.json").version')"
vsix="lhw-${version}.vsix"

echo "==> npm ci"
npm ci --no-audit --no-fund

echo "==> npm test (the TextMate grammar, tokenized as VS Code does)"
npm test

echo "==> vsce package -> ${vsix}"
rm -f "${vsix}"
# No repository URL or LICENSE file inside editors/vscode: say so, so that vsce does not
# stop to ask.
npx --no-install vsce package --out "${vsix}" --allow-missing-repository --skip-license

echo "built $(pwd)/${vsix}"
