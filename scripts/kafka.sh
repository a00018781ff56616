#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) for tests and
# trials, resolved from Maven Central with `mvn` (scripts/kafka/pom.xml) and cached.
#
# Usage:
#   scripts/kafka.sh fetch        resolve the jars into the cache (idempotent); prints the jar dir
#   scripts/kafka.sh start DIR    format DIR as a fresh KRaft log dir (if not yet formatted),
#                                 start the broker on 127.0.0.1 on a free port, wait until it
#                                 accepts connections and print its bootstrap address
#                                 (`127.0.0.1:PORT`, the only line on stdout). DIR/bootstrap holds
#                                 the same address, DIR/kafka.pid the JVM's pid, DIR/kafka.log
#                                 the broker log. Restarting a stopped DIR keeps its data and
#                                 its port.
#   scripts/kafka.sh stop DIR     stop the broker started in DIR (SIGTERM, a clean shutdown;
#                                 SIGKILL after 30 s). Succeeds when it is not running.
#   scripts/kafka.sh status DIR   exit 0 and print the bootstrap address when it runs, else 1.
#
# Environment:
#   LHW_KAFKA_CACHE   jar cache (default: ${XDG_CACHE_HOME:-~/.cache}/lhw/kafka-<version>)
#   LHW_KAFKA_HEAP    JVM heap options (default: -Xms128m -Xmx768m)
#   JAVA              the java binary (default: java on PATH; Java 17 or newer)
#   LHW_KAFKA_OWNER_PID  stop the broker when this process is gone (tests pass their own pid,
#                     so a test run that panics or is killed never leaves a broker behind)
#
# Never binds 9092: every broker gets ports the OS hands out, so parallel test runs and other
# users of the machine never collide.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="${script_dir}/kafka/pom.xml"
log4j_config="${script_dir}/kafka/log4j2.properties"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "${pom}")"
cache="${LHW_KAFKA_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/lhw/kafka-${kafka_version}}"
java_bin="${JAVA:-java}"
me="kafka.sh"
# shellcheck source=lib/jvm-service.sh
source "${script_dir}/lib/jvm-service.sh"

die() {
    echo "kafka.sh: $*" >&2
    exit 1
}

# Resolves the jars once; concurrent callers wait on a lock and then reuse the result.
# Kafka pulls slf4j-api 1.7; the pom pins 2.x for the log4j2 binding. Keep one.
drop_old_slf4j() {
    find "$1" -name 'slf4j-api-1.*.jar' -delete
}

fetch() {
    resolve_jars "org.apache.kafka:kafka_2.13:${kafka_version}" drop_old_slf4j
}

running_pid() {
    running_pid_in "$1" kafka.pid
}

# The JVM command line for a class in the cache, logging to ${dir}/kafka.log.
jvm() {
    local heap
    read -r -a heap <<<"${LHW_KAFKA_HEAP:--Xms128m -Xmx768m}"
    jvm_cmd=("${java_bin}" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -Djava.awt.headless=true
        -Dlog4j2.configurationFile="${log4j_config}" -Dlhw.kafka.log="${dir}/kafka.log"
        -cp "${cache}/*" "$@")
}

java_cmd() {
    jvm "$@"
    "${jvm_cmd[@]}"
}

write_config() {
    local port="$1" controller_port="$2"
    cat >"${dir}/server.properties" <<EOF
# Written by scripts/kafka.sh: one node that is both broker and KRaft controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dir}/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=9223372036854775807
EOF
}

start() {
    dir="$1"
    mkdir -p "${dir}"
    dir="$(cd "${dir}" && pwd)"
    if pid="$(running_pid "${dir}")"; then
        cat "${dir}/bootstrap"
        return 0
    fi
    command -v "${java_bin}" >/dev/null || die "java not found: install a JDK 17 or newer"
    fetch
    if [[ ! -f "${dir}/server.properties" ]]; then
        write_config "$(free_port)" "$(free_port)"
    fi
    local port
    port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "${dir}/server.properties")"
    if [[ ! -f "${dir}/data/meta.properties" ]]; then
        local cluster_id
        cluster_id="$(java_cmd kafka.tools.StorageTool random-uuid)"
        java_cmd kafka.tools.StorageTool format --standalone -t "${cluster_id}" \
            -c "${dir}/server.properties" >"${dir}/format.log" 2>&1 ||
            die "formatting ${dir}/data failed: $(cat "${dir}/format.log")"
    fi
    : >"${dir}/kafka.log"
    # setsid: the broker outlives this script and is not hit by the caller's terminal signals.
    jvm kafka.Kafka "${dir}/server.properties"
    rm -f "${dir}/kafka.pid"
    setsid bash -c 'echo $$ >"$1/kafka.pid"; shift; exec "$@"' _ "${dir}" "${jvm_cmd[@]}" \
        </dev/null >"${dir}/kafka.out" 2>&1 &
    local deadline=$((SECONDS + 90))
    while true; do
        if [[ -s "${dir}/kafka.pid" ]] && ! kill -0 "$(cat "${dir}/kafka.pid")" 2>/dev/null; then
            die "the broker exited during start-up; see ${dir}/kafka.log and ${dir}/kafka.out:
$(tail -n 20 "${dir}/kafka.out" "${dir}/kafka.log")"
        fi
        if grep -q "Kafka Server started" "${dir}/kafka.log" 2>/dev/null && accepts "${port}"; then
            break
        fi
        if ((SECONDS > deadline)); then
            stop "${dir}"
            die "the broker did not start within 90 s; see ${dir}/kafka.log"
        fi
        sleep 0.2
    done
    echo "127.0.0.1:${port}" >"${dir}/bootstrap"
    if [[ -n "${LHW_KAFKA_OWNER_PID:-}" ]]; then
        local broker_pid
        broker_pid="$(cat "${dir}/kafka.pid")"
        setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
            kill -TERM "$2" 2>/dev/null
            for _ in $(seq 150); do kill -0 "$2" 2>/dev/null || exit 0; sleep 0.2; done
            kill -KILL "$2" 2>/dev/null' \
            _ "${LHW_KAFKA_OWNER_PID}" "${broker_pid}" </dev/null >/dev/null 2>&1 &
    fi
    echo "127.0.0.1:${port}"
}

stop() {
    dir="$1"
    local pid
    pid="$(running_pid "${dir}")" || return 0
    kill -TERM "${pid}" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "${pid}" 2>/dev/null; do
        if ((SECONDS > deadline)); then
            echo "kafka.sh: the broker ${pid} did not stop within 30 s; killing it" >&2
            kill -KILL "${pid}" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "${dir}/kafka.pid"
}

case "${1:-}" in
fetch)
    fetch
    echo "${cache}"
    ;;
start)
    [[ $# -eq 2 ]] || die "usage: scripts/kafka.sh start DIR"
    start "$2"
    ;;
stop)
    [[ $# -eq 2 ]] || die "usage: scripts/kafka.sh stop DIR"
    stop "$2"
    ;;
status)
    [[ $# -eq 2 ]] || die "usage: scripts/kafka.sh status DIR"
    running_pid "$2" >/dev/null && cat "$2/bootstrap"
    ;;
*)
    die "usage: scripts/kafka.sh fetch | start DIR | stop DIR | status DIR"
    ;;
esac
