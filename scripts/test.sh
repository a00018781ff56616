#!/usr/bin/env bash
# The full test suite, exactly as CI runs it (.ci/run calls this script).
# Usage: bash scripts/test.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

# The proto tests compare our .proto transcription with the official descriptors that
# ship in the littlehorse-client Python package.
bash scripts/setup-python.sh

# tests/editors runs a headless Neovim against `lhc lsp`; this installs Debian's neovim
# package when nvim is missing.
bash scripts/setup-editors.sh

# tests/java_oracle.rs builds the examples with the official Java SDK (Maven, JDK 17+).
bash scripts/setup-java.sh

# tests/graph_png.rs renders the diagrams of `lhc graph` with headless Chromium; this
# installs Debian's chromium package when it is missing.
bash scripts/setup-browser.sh
# tests/vscode.rs runs the extension in a real VS Code (code-server + Playwright + Chromium).
bash scripts/setup-vscode.sh
# lhw-connect builds librdkafka (cmake, OpenSSL/SASL/curl headers) and tests/connect.rs runs
# a real Kafka broker (scripts/kafka.sh: Java and Maven resolve Apache Kafka).
bash scripts/setup-kafka.sh

# In CI (CI=true) insta never writes snapshots: a missing or changed one fails the run.
if [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; then
    export INSTA_UPDATE=no
    # A clean clone builds once: incremental caches would only take disk (gigabytes).
    export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

# CI's disk is finite (stop 18 ran out of it while linking); say what the build takes.
disk() {
    local used
    used="$(du -sh target 2>/dev/null | cut -f1 || true)"
    echo "    disk: target ${used:-0}, free $(df -h . | awk 'NR==2 {print $4}')"
}
disk

echo "==> cargo fmt --all -- --check"
cargo fmt --all -- --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> cargo test --workspace --no-fail-fast"
cargo test --workspace --no-fail-fast
disk

# The examples are kept in the canonical layout (`lhc fmt`); list any that are not.
echo "==> lhc fmt --check examples"
# The lhc that `cargo test` built (a `cargo run` would resolve features without the
# dev-dependencies and build every dependency a second time: minutes and gigabytes).
target/debug/lhc fmt --check examples

# The same e2e scenarios, lhc, our worker SDK and the Python SDK on the real LittleHorse
# server (Maven Central's littlehorse-server with Java 25 and a Kafka broker); what differs
# from the kernel is listed in docs/differences.md.
echo "==> bash scripts/test-real-server.sh"
bash scripts/test-real-server.sh
disk

# A bounded coverage-guided fuzz run of the compiler (parse, check, lower, format, IDE,
# rendering); any crash or input slower than 10 s fails the run (scripts/fuzz.sh).
echo "==> fuzz the compiler (bounded)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-120}"
disk
