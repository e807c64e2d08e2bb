#!/usr/bin/env bash
# Prints the path of a tansu 0.6.0 broker binary, installing it with cargo if none is found.
# Honours TANSU_BIN; otherwise looks on PATH, in the project's cache and in ~/.cargo/bin.
#
# The install builds only what the in-memory storage engine needs (`dynostore`, none of the
# SQL, Iceberg, Delta or Parquet engines), optimised for build time: a test broker on loopback
# is never the bottleneck of what it tests.
set -euo pipefail
cache="${KAFKA_CONNECT_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-connect-rs}"
root="$cache/tansu-0.6.0"
if [ -n "${TANSU_BIN:-}" ] && [ -x "$TANSU_BIN" ]; then echo "$TANSU_BIN"; exit 0; fi
if command -v tansu >/dev/null 2>&1; then command -v tansu; exit 0; fi
for candidate in "$root/bin/tansu" "$HOME/.cargo/bin/tansu"; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
echo "Installing the tansu broker into $root (once per machine, a few minutes)..." >&2
CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=0 \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_INCREMENTAL=false \
  cargo install --locked --quiet tansu --version 0.6.0 \
    --no-default-features --features dynostore --root "$root" >&2
echo "$root/bin/tansu"
