#!/usr/bin/env bash
# Compile-speed benchmark: the .lhw compiler (release build) against the official
# LittleHorse Python SDK, on generated workflows of 1,000 / 10,000 / 100,000 statements.
# Prints a table and writes target/bench/compile.json. A measurement, not a test.
#
# Extra arguments go to the bench binary, e.g.
#   scripts/bench.sh --sizes 1000,10000     # skip the slow 100k size
#   scripts/bench.sh --no-python            # lhw only
# The Python SDK is quadratic in the node count: expect several minutes at 100k.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
cd "${repo_root}"

bash scripts/setup-python.sh
cargo run --release -p lhw-bench -- --python "${repo_root}/.venv/bin/python" "$@"
