#!/usr/bin/env bash
# The main job: builds lhc, checks and compiles every example into ./out, then runs
# examples/hello.lhw end to end on the embedded kernel:
#   lhc deploy (no server configured: starts the embedded kernel in the background, temp
#   data dir, free port) → Rust task worker for `greet` (background) → lhc run --wait
#   → prints the result.
# Then the same workflow from Kafka, on a real Apache Kafka broker:
#   scripts/kafka.sh start (Kafka 4 from Maven Central, KRaft, free port) → lhc dev with its
#   Output Topic on → records produced to topic `names` → lhc connect (a WfRunSinkConnector)
#   runs one WfRun per record → the Output Topic's records (WfRun status changes, the public
#   variable, the TaskRun) and the metadata topic's (TaskDef, WfSpec) are read back and shown.
# Everything it started (workers, kernels, lhc connect, the broker) is stopped at the end.
# Usage: bash scripts/main-job.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

echo "==> scripts/setup-kafka.sh   (librdkafka's build tools, a JDK and Maven, the Kafka jars: installs only what is missing)"
bash scripts/setup-kafka.sh

echo "==> building lhc, the hello task worker and a small Kafka producer/consumer"
cargo build --quiet --bin lhc --example hello-worker
cargo build --quiet -p lhw-connect --example kafka-records
target_dir="${CARGO_TARGET_DIR:-${repo_root}/target}"
lhc="${target_dir}/debug/lhc"
worker="${target_dir}/debug/examples/hello-worker"
records="${target_dir}/debug/examples/kafka-records"

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
worker2_pid=""
dev_pid=""
connect_pid=""
export XDG_DATA_HOME="${work}/xdg"
pid_file="${XDG_DATA_HOME}/lhw/kernel.pid"
stop_pid() {
    if [[ -n "$1" ]]; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    stop_pid "${connect_pid}"
    stop_pid "${worker2_pid}"
    stop_pid "${dev_pid}"
    stop_pid "${worker_pid}"
    bash "${repo_root}/scripts/kafka.sh" stop "${work}/kafka" || true
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
echo "==> examples/hello.lhw ran end to end on the embedded kernel"

# ---- the same workflow from Kafka, with the Output Topic, on a real broker ----
echo
echo "==> scripts/kafka.sh start   (a real Apache Kafka broker: KRaft, one node, a free port on 127.0.0.1)"
bootstrap="$(LHW_KAFKA_OWNER_PID=$$ bash scripts/kafka.sh start "${work}/kafka")"
echo "broker at ${bootstrap}"

port2="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cluster="main-job"
echo "==> lhc dev --listen 127.0.0.1:${port2} --output-topic-bootstrap ${bootstrap} --cluster-id ${cluster} --output-topic-format json   (background)"
"${lhc}" dev --listen "127.0.0.1:${port2}" --data-dir "${work}/dev" \
    --output-topic-bootstrap "${bootstrap}" --cluster-id "${cluster}" --output-topic-format json \
    >"${work}/dev.log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 300); do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "${port2}" 2>/dev/null; then
        break
    fi
    kill -0 "${dev_pid}" 2>/dev/null || {
        cat "${work}/dev.log"
        echo "error: lhc dev exited" >&2
        exit 1
    }
    sleep 0.1
done
export LHC_API_PORT="${port2}" LHC_NO_AUTOSTART=1

echo "==> lhc deploy examples/hello.lhw   (on the kernel with the Output Topic)"
"${lhc}" deploy examples/hello.lhw
"${worker}" >"${work}/worker2.log" 2>&1 &
worker2_pid=$!

echo "==> kafka-records produce ${bootstrap} names   (three records, one per person)"
printf '%s\n' '{"name": "Leia"}' '{"name": "Luke"}' '{"name": "Han"}' |
    "${records}" produce "${bootstrap}" names

cat >"${work}/names.properties" <<EOF
# LittleHorse's WfRunSinkConnector, configured as for Kafka Connect (docs/connect.md).
name=names-to-hello
connector.class=io.littlehorse.connect.WfRunSinkConnector
topics=names
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
lhc.api.host=127.0.0.1
lhc.api.port=${port2}
wf.spec.name=hello
EOF
echo "==> lhc connect names.properties --bootstrap-server ${bootstrap}   (background: one WfRun of hello per record)"
sed 's/^/    /' "${work}/names.properties"
"${lhc}" connect "${work}/names.properties" --bootstrap-server "${bootstrap}" \
    --format json --progress-interval 0.5 >"${work}/connect.out" 2>"${work}/connect.err" &
connect_pid=$!
applied=0
for _ in $(seq 1 600); do
    applied="$(sed -n 's/.*"applied":\([0-9]*\).*/\1/p' "${work}/connect.out" | tail -n 1)"
    [[ "${applied:-0}" -ge 3 ]] && break
    kill -0 "${connect_pid}" 2>/dev/null || break
    sleep 0.1
done
if [[ "${applied:-0}" -lt 3 ]]; then
    cat "${work}/connect.err" "${work}/dev.log"
    echo "error: lhc connect did not start the three WfRuns" >&2
    exit 1
fi
tail -n 1 "${work}/connect.out"
# The WfRun ids are derived from the records as LittleHorse's connector derives them:
# <connector name>-<topic>-<partition>-<offset>.
for offset in 0 1 2; do
    id="names-to-hello-names-0-${offset}"
    if ! "${lhc}" wait "${id}" --timeout 60 >"${work}/wait.log" 2>&1; then
        cat "${work}/wait.log" "${work}/worker2.log" "${work}/dev.log"
        echo "error: WfRun ${id} did not complete" >&2
        exit 1
    fi
    echo "WfRun ${id}: COMPLETED"
done
echo "stopping lhc connect (SIGTERM: it finishes in-flight records and commits its offsets)"
kill -TERM "${connect_pid}"
wait "${connect_pid}" || true
connect_pid=""

echo "==> kafka-records consume ${cluster}_default_execution   (the Output Topic; partition/offset key: record)"
"${records}" consume "${bootstrap}" "${cluster}_default_execution"
echo "==> kafka-records consume ${cluster}_default_metadata   (the metadata output topic)"
"${records}" consume "${bootstrap}" "${cluster}_default_metadata"

echo
echo "Done: examples/hello.lhw ran end to end, from the command line and from Kafka records. Try: ${lhc} --help"
