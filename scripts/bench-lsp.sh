#!/usr/bin/env bash
# Language server benchmark: diagnostics latency after a one-character edit (didChange in,
# publishDiagnostics out, through the whole server in process) on generated files of 500,
# 5,000 and 20,000 lines, and the peak memory (VmHWM) of each run. A measurement, not a test.
#
# Extra arguments go to the bench binary, e.g.
#   scripts/bench-lsp.sh --sizes 500,5000 --edits 80
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "${script_dir}/.."
cargo bench -p lhw-lsp --bench diagnostics_latency -- "$@"
