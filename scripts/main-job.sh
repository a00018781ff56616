#!/usr/bin/env bash
# Builds lhc, checks every example and compiles them into ./out.
# Usage: bash scripts/main-job.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo_root}"

echo "==> building lhc"
cargo build --quiet --bin lhc
lhc=(cargo run --quiet --bin lhc --)

shopt -s nullglob
examples=(examples/*.lhw)
if [[ ${#examples[@]} -eq 0 ]]; then
    echo "error: no examples/*.lhw found" >&2
    exit 1
fi

echo "==> lhc check ${examples[*]}"
"${lhc[@]}" check "${examples[@]}"

echo "==> lhc compile ${examples[*]} -o out"
"${lhc[@]}" compile "${examples[@]}" -o out

echo
echo "Compiled requests are in ${repo_root}/out:"
ls -1 out
echo "Try: cargo run --quiet --bin lhc -- explain --list"
