#!/usr/bin/env bash
# JDK 17+ and Maven for the Java SDK oracle (tests/java_oracle.rs, tests/java/oracle).
# Idempotent: installs Debian's packages only when `java` or `mvn` is missing. Maven caches
# littlehorse-client and its dependencies in ~/.m2 on first use.
set -euo pipefail

if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
    echo "java and maven present: $(java -version 2>&1 | head -n 1); $(mvn -v 2>/dev/null | head -n 1)"
    exit 0
fi
sudo=""
if [[ "$(id -u)" != "0" ]]; then
    sudo="sudo"
fi
${sudo} apt-get update
${sudo} apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven
