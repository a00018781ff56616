#!/usr/bin/env bash
# Benchmark of `lhc test` (run by hand, never by CI): test cases per second on the examples'
# tests, and the time of one test that advances 30 days through daily timers.
# Usage: bash scripts/bench-test.sh [COPIES]   (COPIES of every example test file, default 30)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"
copies="${1:-30}"

cargo build --release --quiet --bin lhc
lhc="${CARGO_TARGET_DIR:-${repo_root}/target}/release/lhc"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# The examples' tests, COPIES times (each copy uses the example workflow beside it).
for i in $(seq 1 "${copies}"); do
    mkdir -p "${work}/examples/${i}"
    for t in examples/*.test.lhw; do
        base="$(basename "${t}" .test.lhw)"
        cp "examples/${base}.lhw" "${work}/examples/${i}/"
        cp "${t}" "${work}/examples/${i}/"
    done
done

start_ns="$(date +%s%N)"
"${lhc}" test "${work}/examples" --no-coverage --format json > "${work}/examples.json"
end_ns="$(date +%s%N)"
python3 - "${work}/examples.json" "${start_ns}" "${end_ns}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
n = report["passed"] + report["failed"]
secs = (int(sys.argv[3]) - int(sys.argv[2])) / 1e9
assert report["failed"] == 0, report["failed"]
in_tests = sum(t["duration_ms"] for t in report["tests"]) / 1000
print(f"examples: {n} test cases in {secs:.2f} s (whole command, loading included): {n / secs:.0f} cases/s")
print(f"          {n / in_tests:.0f} cases/s counting only the time inside the tests")
PY

# One test that advances 30 days through a timer a day.
cat > "${work}/month.lhw" <<'LHW'
task tick(day: int)
workflow month {
  var day: int = 0
  while day < 30 {
    sleep 1d
    day += 1
    tick(day)
  }
}
LHW
cat > "${work}/month.test.lhw" <<'LHW'
test "thirty days of daily timers" for month {
  mock tick returns
  start()
  advance 30d
  expect completed
  expect called tick 30 times
}
LHW
"${lhc}" test "${work}/month.test.lhw" --format json > "${work}/month.json"
python3 - "${work}/month.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["tests"][0]
assert t["passed"], t
print(f"30 days of timers: {t['duration_ms']:.1f} ms for the test")
PY
