#!/usr/bin/env bash
# The main job: builds lhc, checks and compiles every example into ./out, then runs
# examples/hello.lhw end to end on the embedded kernel:
#   lhc deploy (no server configured: starts the embedded kernel in the background, temp
#   data dir, free port) → Rust task worker for `greet` (background) → lhc run --wait
#   → prints the result → stops the worker and the kernel (by its pid file).
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
examples=()
for f in examples/*.lhw; do
    # Test files (`*.test.lhw`) are run by `lhc test` below, not compiled.
    [[ "${f}" == *.test.lhw ]] || examples+=("${f}")
done
if [[ ${#examples[@]} -eq 0 ]]; then
    echo "error: no examples/*.lhw found" >&2
    exit 1
fi

echo "==> lhc check ${examples[*]}"
"${lhc}" check "${examples[@]}"

echo "==> lhc compile ${examples[*]} -o out"
"${lhc}" compile "${examples[@]}" -o out
echo "compiled requests are in ${repo_root}/out"

echo "==> lhc test examples   (every test on the simulated kernel, virtual time)"
"${lhc}" test examples

echo "==> lhc graph examples/order-approval.lhw -o out/order-approval.svg"
"${lhc}" graph examples/order-approval.lhw -o out/order-approval.svg

# ---- end to end on the embedded kernel ----
# No LittleHorse server is configured here, so `lhc deploy` starts the embedded kernel in
# the background (data, kernel.log and kernel.pid under $XDG_DATA_HOME/lhw) and later
# commands reuse it. A temporary data directory and a free port leave a kernel you already
# run on 2023 alone.
work="$(mktemp -d)"
worker_pid=""
export XDG_DATA_HOME="${work}/xdg"
pid_file="${XDG_DATA_HOME}/lhw/kernel.pid"
cleanup() {
    if [[ -n "${worker_pid}" ]]; then
        kill "${worker_pid}" 2>/dev/null || true
        wait "${worker_pid}" 2>/dev/null || true
    fi
    if [[ -f "${pid_file}" ]]; then
        kernel_pid="$(cut -d' ' -f1 "${pid_file}")"
        kill "${kernel_pid}" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "${kernel_pid}" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -rf "${work}"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
unset LHC_API_HOST LHC_API_PROTOCOL LHC_TENANT_ID LHC_OAUTH_CLIENT_ID LHC_NO_AUTOSTART 2>/dev/null || true
export LHC_API_PORT="${port}"
unset LHC_API_PROTOCOL LHC_TENANT_ID LHC_OAUTH_CLIENT_ID LHC_OAUTH_CLIENT_SECRET LHC_OAUTH_ACCESS_TOKEN_URL 2>/dev/null || true

echo
echo "==> lhc deploy examples/hello.lhw   (no server configured: starts the embedded kernel on 127.0.0.1:${port})"
"${lhc}" deploy examples/hello.lhw

echo "==> hello-worker   (background: answers greet tasks, built with the Rust worker SDK)"
"${worker}" >"${work}/worker.log" 2>&1 &
worker_pid=$!

echo "==> lhc run hello --var name=World --wait   (reuses the running kernel)"
status=0
"${lhc}" run hello --var name=World --wait --timeout 60 || status=$?

echo
echo "--- worker log"
cat "${work}/worker.log"
if [[ ${status} -ne 0 ]]; then
    echo "--- kernel log"
    cat "${XDG_DATA_HOME}/lhw/kernel.log" || true
    echo "error: the hello WfRun did not complete" >&2
    exit "${status}"
fi
echo
echo "Done: examples/hello.lhw ran end to end. Try: ${lhc} --help"
