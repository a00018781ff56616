#!/usr/bin/env bash
# The differential suite against the real LittleHorse server (issue 17): starts LittleHorse
# (scripts/littlehorse.sh: Maven Central's littlehorse-server, Java 25, a single-node Kafka
# broker) on free 127.0.0.1 ports, runs
#   - the end-to-end scenarios (kernel/tests/e2e) with LHW_E2E_TARGET pointing at it,
#   - tests/real_server.rs (lhc deploy/run/get/search/event/user-task/stop/resume, the Rust
#     worker SDK, the official Python SDK, every example and canon WfSpec through PutWfSpec),
# then stops the server and the broker, whatever happened. docs/differences.md lists what
# differs and why.
#
# Usage: bash scripts/test-real-server.sh     (scripts/test.sh calls it)
# Environment: LHW_REAL_SERVER_DIR keeps the server's directory (default: a temp dir, removed).
set -euo pipefail
# `--workspace` below, not `-p`: a single package resolves features on its own and would
# rebuild tokio, tonic and the rest a second time (twice the disk, as CI's stop 18 found).

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

dir="${LHW_REAL_SERVER_DIR:-$(mktemp -d -t lhw-real-server.XXXXXX)}"
cleanup() {
    bash scripts/littlehorse.sh stop "${dir}" || true
    if [[ -z "${LHW_REAL_SERVER_DIR:-}" ]]; then
        rm -rf "${dir}"
    fi
}
trap cleanup EXIT

# The official Python SDK (tests/real_server.rs runs its worker and client).
bash scripts/setup-python.sh

started=${SECONDS}
echo "==> starting LittleHorse (scripts/littlehorse.sh start ${dir})"
if ! addr="$(bash scripts/littlehorse.sh start "${dir}")"; then
    echo "the LittleHorse server did not start; its log:" >&2
    tail -n 50 "${dir}/server.log" >&2 || true
    exit 1
fi
echo "    LittleHorse answers on ${addr} (ready after $((SECONDS - started)) s)"

echo "==> e2e scenarios on the real server (LHW_E2E_TARGET=${addr})"
LHW_E2E_TARGET="${addr}" cargo test --workspace --test e2e -- --test-threads=1

echo "==> lhc and the SDKs on the real server (tests/real_server.rs)"
LHW_REAL_SERVER="${addr}" cargo test --workspace --test real_server -- --ignored --test-threads=1

echo "==> real-server suite done in $((SECONDS - started)) s"
