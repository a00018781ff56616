#!/usr/bin/env bash
# The real LittleHorse server (io.littlehorse:littlehorse-server, main class io.littlehorse.App)
# as a test peer: resolved from Maven Central with `mvn` (scripts/littlehorse/pom.xml), cached,
# run with Java 25 on 127.0.0.1 beside a single-node Kafka broker (scripts/kafka.sh).
# Nothing of LittleHorse's code is in the repository.
#
# Usage:
#   scripts/littlehorse.sh fetch        resolve the jars into the cache (idempotent); prints the dir
#   scripts/littlehorse.sh start DIR    start a broker in DIR/kafka and the server with its state in
#                                       DIR/state, on free ports; wait until the server answers
#                                       gRPC and its core topology is RUNNING; print the API
#                                       address `127.0.0.1:PORT` (the only line on stdout).
#                                       DIR/api holds the same address, DIR/env the LHC_API_HOST
#                                       and LHC_API_PORT lines to source, DIR/server.log the log.
#   scripts/littlehorse.sh stop DIR     stop the server, then the broker (SIGTERM; SIGKILL after 30 s)
#   scripts/littlehorse.sh status DIR   exit 0 and print the API address when it runs, else 1.
#
# Environment:
#   LHW_LH_CACHE     jar cache (default: ${XDG_CACHE_HOME:-~/.cache}/lhw/littlehorse-<version>)
#   LHW_LH_HEAP      the server's JVM heap options (default: -Xms256m -Xmx1g)
#   LHW_LH_PARTITIONS  LHS_CLUSTER_PARTITIONS (default 3: one small machine)
#   JAVA25           the Java 25 binary (default: /usr/lib/jvm/temurin-25-jdk-amd64/bin/java,
#                    else `java` on PATH when it is 25 or newer)
#
# The server's settings (LHServerConfig's LHS_* keys) are chosen for one node on a laptop or a CI
# machine: replication factor 1, the gRPC listener, the internal (interactive query) port and the
# health port all on 127.0.0.1 on ports the OS hands out; never 2023. StructDefs are still behind
# LHS_X_ENABLE_STRUCT_DEFS in 1.2.1: it is on, as lhw compiles structs to them.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="${script_dir}/littlehorse/pom.xml"
lh_version="$(sed -n 's:.*<littlehorse.version>\(.*\)</littlehorse.version>.*:\1:p' "${pom}")"
cache="${LHW_LH_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/lhw/littlehorse-${lh_version}}"
me="littlehorse.sh"
# shellcheck source=lib/jvm-service.sh
source "${script_dir}/lib/jvm-service.sh"

die() {
    echo "littlehorse.sh: $*" >&2
    exit 1
}

java25() {
    if [[ -n "${JAVA25:-}" ]]; then
        echo "${JAVA25}"
    elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
        echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
    elif command -v java >/dev/null &&
        [[ "$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)" -ge 25 ]]; then
        command -v java
    else
        die "LittleHorse ${lh_version} needs Java 25: set JAVA25 to its java binary"
    fi
}

# Resolves the jars once; concurrent callers wait on a lock and then reuse the result.
fetch() {
    resolve_jars "io.littlehorse:littlehorse-server:${lh_version}"
}

running_pid() {
    running_pid_in "$1" server.pid
}

# Ready: the health service reports the core topology RUNNING and the gRPC port accepts.
ready() {
    local api_port="$1" health_port="$2"
    curl -fsS "http://127.0.0.1:${health_port}/status" 2>/dev/null | grep -q '"coreState":"RUNNING"' &&
        accepts "${api_port}"
}

start() {
    dir="$1"
    mkdir -p "${dir}"
    dir="$(cd "${dir}" && pwd)"
    if running_pid "${dir}" >/dev/null; then
        cat "${dir}/api"
        return 0
    fi
    local java
    java="$(java25)"
    fetch
    local bootstrap
    bootstrap="$("${script_dir}/kafka.sh" start "${dir}/kafka")" || die "the Kafka broker did not start"
    if [[ ! -f "${dir}/ports" ]]; then
        echo "$(free_port) $(free_port) $(free_port)" >"${dir}/ports"
    fi
    local api_port internal_port health_port
    read -r api_port internal_port health_port <"${dir}/ports"
    mkdir -p "${dir}/state"
    local heap
    read -r -a heap <<<"${LHW_LH_HEAP:--Xms256m -Xmx1g}"
    : >"${dir}/server.log"
    rm -f "${dir}/server.pid"
    # setsid: the server outlives this script and is not hit by the caller's terminal signals.
    setsid env \
        LHS_KAFKA_BOOTSTRAP_SERVERS="${bootstrap}" \
        LHS_CLUSTER_ID=lhw \
        LHS_REPLICATION_FACTOR=1 \
        LHS_CLUSTER_PARTITIONS="${LHW_LH_PARTITIONS:-3}" \
        LHS_SHOULD_CREATE_TOPICS=true \
        LHS_CORE_STREAM_THREADS=1 \
        LHS_TIMER_STREAM_THREADS=1 \
        LHS_STATE_DIR="${dir}/state" \
        LHS_LISTENERS="PLAIN:${api_port}" \
        LHS_ADVERTISED_LISTENERS="PLAIN://127.0.0.1:${api_port}" \
        LHS_INTERNAL_BIND_PORT="${internal_port}" \
        LHS_INTERNAL_ADVERTISED_HOST=127.0.0.1 \
        LHS_INTERNAL_ADVERTISED_PORT="${internal_port}" \
        LHS_HEALTH_SERVICE_PORT="${health_port}" \
        LHS_X_ENABLE_STRUCT_DEFS=true \
        bash -c 'echo $$ >"$1/server.pid"; shift; exec "$@"' _ "${dir}" \
        "${java}" "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true \
        -cp "${cache}/*" io.littlehorse.App \
        </dev/null >"${dir}/server.log" 2>&1 &
    local deadline=$((SECONDS + 180))
    while ! ready "${api_port}" "${health_port}"; do
        if [[ -s "${dir}/server.pid" ]] && ! kill -0 "$(cat "${dir}/server.pid")" 2>/dev/null; then
            "${script_dir}/kafka.sh" stop "${dir}/kafka"
            die "the server exited during start-up; see ${dir}/server.log:
$(tail -n 20 "${dir}/server.log")"
        fi
        if ((SECONDS > deadline)); then
            stop "${dir}"
            die "the server did not become ready within 180 s; see ${dir}/server.log"
        fi
        sleep 0.5
    done
    echo "127.0.0.1:${api_port}" >"${dir}/api"
    printf 'LHC_API_HOST=127.0.0.1\nLHC_API_PORT=%s\n' "${api_port}" >"${dir}/env"
    echo "127.0.0.1:${api_port}"
}

stop() {
    dir="$1"
    local pid
    if pid="$(running_pid "${dir}")"; then
        kill -TERM "${pid}" 2>/dev/null || true
        local deadline=$((SECONDS + 30))
        while kill -0 "${pid}" 2>/dev/null; do
            if ((SECONDS > deadline)); then
                echo "littlehorse.sh: the server ${pid} did not stop within 30 s; killing it" >&2
                kill -KILL "${pid}" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
        rm -f "${dir}/server.pid"
    fi
    "${script_dir}/kafka.sh" stop "${dir}/kafka"
}

case "${1:-}" in
fetch)
    fetch
    echo "${cache}"
    ;;
start)
    [[ $# -eq 2 ]] || die "usage: scripts/littlehorse.sh start DIR"
    start "$2"
    ;;
stop)
    [[ $# -eq 2 ]] || die "usage: scripts/littlehorse.sh stop DIR"
    stop "$2"
    ;;
status)
    [[ $# -eq 2 ]] || die "usage: scripts/littlehorse.sh status DIR"
    running_pid "$2" >/dev/null && cat "$2/api"
    ;;
*)
    die "usage: scripts/littlehorse.sh fetch | start DIR | stop DIR | status DIR"
    ;;
esac
