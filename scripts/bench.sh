#!/usr/bin/env bash
# Runs the benchmarks: the worker's data path against bare rdkafka loops over the same files
# and broker (P1, P2), its footprint (P4), the scaling series, and the converter and
# transformation micro-benchmarks. Slow: not part of the test command (a smoke run is).
# Usage: scripts/bench.sh [--lines N] [--size BYTES] [--no-scaling]
set -euo pipefail
cd "$(dirname "$0")/.."
TANSU_BIN="$(scripts/ensure-tansu.sh)"
export TANSU_BIN
scaling="--scaling"
args=()
for a in "$@"; do
  if [ "$a" = "--no-scaling" ]; then scaling=""; else args+=("$a"); fi
done
cargo build --release -p connect-runtime --bin connect-standalone
cargo build --release -p connect-bench
echo "## Data path and footprint"
target/release/connect-bench --worker target/release/connect-standalone $scaling "${args[@]}"
echo
echo "## Micro-benchmarks"
cargo bench -p connect-converters --bench json_roundtrip 2>/dev/null | grep -E "ratio|time:|rec/s" || true
cargo bench -p connect-transforms --bench chain 2>/dev/null | grep -E "records/s|time:" || true
