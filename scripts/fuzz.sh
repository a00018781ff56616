#!/usr/bin/env bash
# A bounded, coverage-guided fuzz run of the compiler (libFuzzer through libfuzzer-sys),
# on stable Rust. fuzz/ is laid out for `cargo fuzz` (`cargo fuzz run compile -s none`
# works where cargo-fuzz is installed); this script passes the same instrumentation flags
# to plain cargo, so CI needs nothing installed beyond a C++ compiler for libFuzzer.
#
# The corpus starts from every .lhw in the repository (examples, fixtures); what the run
# learns stays in fuzz/corpus (ignored by git). A crash leaves its input in fuzz/artifacts
# and fails the script: turn it into a regression test (copy it into tests/fuzz-regressions/; compiler/tests/fuzz_regressions.rs replays them).
#
# Usage: bash scripts/fuzz.sh [seconds]    (default 120; FUZZ_SECONDS overrides too)
# The run is seeded (FUZZ_SEED, default 1414) so that a failure in CI can be reproduced with
# the same seed and corpus; on a failure the input is also printed in base64, since CI keeps
# the log but not fuzz/artifacts. A timeout (an input taking > 10 s) is a finding too: the
# compiler must be linear on every input (compiler/tests/linear.rs).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}/fuzz"

seconds="${1:-${FUZZ_SECONDS:-120}}"
seed="${FUZZ_SEED:-1414}"

# What `cargo fuzz build -s none` passes to rustc: SanitizerCoverage's inline 8-bit
# counters, PC table and comparison tracing for libFuzzer, and `--cfg fuzzing`.
export RUSTFLAGS="-Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 --cfg fuzzing -Cdebug-assertions -Coverflow-checks"

# With an explicit --target, RUSTFLAGS reach only the target's code, not build scripts and
# proc macros (which must link without libFuzzer), as with cargo fuzz.
host="$(rustc -vV | sed -n 's/^host: //p')"
echo "==> building the fuzz target (release, instrumented, ${host})"
cargo build --release --target "${host}" --bin compile

mkdir -p corpus/compile artifacts/compile seeds
# The seed corpus: every .lhw the repository holds (examples, fixtures, docs' tests).
find "${repo_root}/examples" "${repo_root}/tests" -name '*.lhw' -print0 \
    | while IFS= read -r -d '' f; do
        cp "$f" "seeds/$(echo "$f" | sha1sum | cut -c1-16)"
    done

echo "==> fuzzing for ${seconds}s (seed ${seed})"
log="$(mktemp)"
status=0
"./target/${host}/release/compile" corpus/compile seeds \
    -seed="${seed}" -max_total_time="${seconds}" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=artifacts/compile/ -print_final_stats=1 2>"${log}" || status=$?
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|#[0-9]+.*DONE)" "${log}" || true
if [[ ${status} -ne 0 ]]; then
    tail -n 60 "${log}"
    # The failing input, printed so that it survives CI: `base64 -d > tests/fuzz-regressions/NAME.in`.
    for artifact in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "${log}"); do
        [[ -f "${artifact}" ]] || continue
        echo "==> ${artifact} ($(wc -c <"${artifact}") bytes), base64:"
        base64 -w 0 "${artifact}"
        echo
    done
    echo "fuzz: the compiler failed on an input (seed ${seed}), saved in fuzz/artifacts/compile/" >&2
    exit 1
fi
echo "fuzz: no crash, no timeout"
