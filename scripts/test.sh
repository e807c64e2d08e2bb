#!/usr/bin/env bash
# Runs every test of the workspace. Integration tests start their own tansu broker on a free
# loopback port, so the broker binary is installed first if this machine lacks it.
set -euo pipefail
cd "$(dirname "$0")/.."
TANSU_BIN="$(scripts/ensure-tansu.sh)"
export TANSU_BIN
# The REST API is also checked with the popular Python client; its test skips when the client
# cannot be installed.
python3 -c 'import kafka_connect' 2>/dev/null \
  || python3 -m pip install --quiet 'kafka-connect-py==1.0.0' >&2 \
  || echo "note: kafka-connect-py not installed; its test will be skipped" >&2
cargo test --workspace --all-targets --no-fail-fast
cargo test --workspace --doc
