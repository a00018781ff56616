# Helpers shared by scripts/kafka.sh and scripts/littlehorse.sh, which source this file (it is
# not run on its own). The sourcing script sets `me` (its name in messages), `pom` (the Maven
# project whose runtime dependencies are the service's jars) and `cache` (where they go), and
# defines `die MESSAGE`.

# resolve_jars WHAT [CLEANUP]: copies the runtime dependencies of ${pom} into ${cache} with
# Maven, once: a lock serialises concurrent callers, and `.complete` marks a finished cache.
# CLEANUP, a function name, is called with the fresh directory before it is published.
resolve_jars() {
    local what="$1" cleanup="${2:-}"
    mkdir -p "$(dirname "${cache}")"
    if [[ -f "${cache}/.complete" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "mvn not found: install Maven (Debian: apt-get install maven)"
    (
        flock 9
        if [[ -f "${cache}/.complete" ]]; then
            exit 0
        fi
        tmp="${cache}.tmp.$$"
        rm -rf "${tmp}"
        echo "${me}: resolving ${what} with Maven into ${cache}" >&2
        if ! mvn -q -B -Dstyle.color=never -f "${pom}" dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="${tmp}" >&2; then
            rm -rf "${tmp}"
            die "mvn could not resolve ${what}"
        fi
        if [[ -n "${cleanup}" ]]; then
            "${cleanup}" "${tmp}"
        fi
        touch "${tmp}/.complete"
        rm -rf "${cache}"
        mv "${tmp}" "${cache}"
    ) 9>"${cache}.lock"
}

# A TCP port on 127.0.0.1 that the OS says is free now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# running_pid_in DIR PIDFILE: prints the pid in DIR/PIDFILE when that process is alive.
running_pid_in() {
    local dir="$1" file="$2" pid
    [[ -f "${dir}/${file}" ]] || return 1
    pid="$(cat "${dir}/${file}")"
    [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null || return 1
    echo "${pid}"
}

# accepts PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
accepts() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
