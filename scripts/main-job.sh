#!/usr/bin/env bash
# The main job: builds lhc, checks and compiles every example into ./out, then runs
# examples/hello.lhw end to end on the embedded kernel:
#   lhc dev (background, temp data dir, free port) → lhc deploy --with-task-defs
#   → Rust task worker for `greet` (background) → lhc run --wait → prints the result
#   → stops the worker and the kernel.
# Usage: bash scripts/main-job.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

echo "==> building lhc and the hello task worker"
cargo build --quiet --bin lhc --example hello-worker
target_dir="${CARGO_TARGET_DIR:-${repo_root}/target}"
lhc="${target_dir}/debug/lhc"
worker="${target_dir}/debug/examples/hello-worker"

shopt -s nullglob
examples=(examples/*.lhw)
if [[ ${#examples[@]} -eq 0 ]]; then
    echo "error: no examples/*.lhw found" >&2
    exit 1
fi

echo "==> lhc check ${examples[*]}"
"${lhc}" check "${examples[@]}"

echo "==> lhc compile ${examples[*]} -o out"
"${lhc}" compile "${examples[@]}" -o out
echo "compiled requests are in ${repo_root}/out"

# ---- end to end on the embedded kernel ----
work="$(mktemp -d)"
kernel_pid=""
worker_pid=""
cleanup() {
    if [[ -n "${worker_pid}" ]]; then kill "${worker_pid}" 2>/dev/null || true; fi
    if [[ -n "${kernel_pid}" ]]; then kill "${kernel_pid}" 2>/dev/null || true; fi
    if [[ -n "${worker_pid}" ]]; then wait "${worker_pid}" 2>/dev/null || true; fi
    if [[ -n "${kernel_pid}" ]]; then wait "${kernel_pid}" 2>/dev/null || true; fi
    rm -rf "${work}"
}
trap cleanup EXIT

# A free local port, so that a kernel you already run on 2023 is left alone.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export LHC_API_HOST=127.0.0.1
export LHC_API_PORT="${port}"
unset LHC_API_PROTOCOL LHC_TENANT_ID LHC_OAUTH_CLIENT_ID LHC_OAUTH_CLIENT_SECRET LHC_OAUTH_ACCESS_TOKEN_URL 2>/dev/null || true

echo
echo "==> lhc dev --data-dir ${work}/data --listen 127.0.0.1:${port}   (background)"
"${lhc}" dev --data-dir "${work}/data" --listen "127.0.0.1:${port}" >"${work}/kernel.log" 2>&1 &
kernel_pid=$!
for _ in $(seq 1 300); do
    if grep -q "listening on" "${work}/kernel.log" 2>/dev/null; then break; fi
    if ! kill -0 "${kernel_pid}" 2>/dev/null; then
        cat "${work}/kernel.log" >&2
        echo "error: the embedded kernel did not start" >&2
        exit 1
    fi
    sleep 0.1
done
cat "${work}/kernel.log"

echo "==> lhc deploy --with-task-defs examples/hello.lhw"
"${lhc}" deploy --with-task-defs examples/hello.lhw

echo "==> hello-worker   (background: answers greet tasks)"
"${worker}" >"${work}/worker.log" 2>&1 &
worker_pid=$!

echo "==> lhc run hello --var name=World --wait"
status=0
"${lhc}" run hello --var name=World --wait --timeout 60 || status=$?

echo
echo "--- worker log"
cat "${work}/worker.log"
if [[ ${status} -ne 0 ]]; then
    echo "--- kernel log"
    cat "${work}/kernel.log"
    echo "error: the hello WfRun did not complete" >&2
    exit "${status}"
fi
echo
echo "Done: examples/hello.lhw ran end to end. Try: ${lhc} --help"
