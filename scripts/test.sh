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

# lhw-connect builds librdkafka (cmake, OpenSSL/SASL/curl headers) and tests/connect.rs runs
# a real Kafka broker (scripts/kafka.sh: Java and Maven resolve Apache Kafka).
bash scripts/setup-kafka.sh

# In CI (CI=true) insta never writes snapshots: a missing or changed one fails the run.
if [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; then
    export INSTA_UPDATE=no
fi

echo "==> cargo fmt --all -- --check"
cargo fmt --all -- --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> cargo test --workspace"
cargo test --workspace

# The examples are kept in the canonical layout (`lhc fmt`); list any that are not.
echo "==> lhc fmt --check examples"
cargo run --quiet --bin lhc -- fmt --check examples
