#!/usr/bin/env bash
# What lhw-connect and the Kafka tests need on a fresh Debian machine:
#  - building librdkafka from source (rdkafka's cmake-build, with TLS, SASL and OAuth/OIDC):
#    cmake, a C/C++ compiler, pkg-config, and the headers of OpenSSL, Cyrus SASL, libcurl, zlib;
#  - the real broker of the tests (scripts/kafka.sh): a JDK 17+ and Maven, and the Kafka jars,
#    resolved once into the cache.
# Idempotent: installs only the Debian packages that are missing (as root, or through sudo
# when it works without a password), then resolves the jars (a no-op once cached).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(cmake g++ pkg-config libssl-dev libsasl2-dev libcurl4-openssl-dev zlib1g-dev maven)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q "install ok installed" || missing+=("${p}")
done
if ! command -v java >/dev/null 2>&1; then
    missing+=(openjdk-17-jdk-headless)
fi

if ((${#missing[@]} > 0)); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: missing ${missing[*]} and apt-get is not available; install them and run again" >&2
        exit 1
    fi
    sudo_cmd=()
    if [[ "$(id -u)" != "0" ]]; then
        if sudo -n true 2>/dev/null; then
            sudo_cmd=(sudo -n)
        else
            echo "error: missing ${missing[*]}; install them (apt-get install ${missing[*]}) and run again" >&2
            exit 1
        fi
    fi
    echo "installing ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "kafka jars ready: $(bash "${script_dir}/kafka.sh" fetch)"
