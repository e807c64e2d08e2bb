#!/usr/bin/env bash
# Prints the path of a tansu 0.6.0 broker binary, installing it with cargo if none is found.
# Honours TANSU_BIN; otherwise looks on PATH and in ~/.cargo/bin.
set -euo pipefail
if [ -n "${TANSU_BIN:-}" ] && [ -x "$TANSU_BIN" ]; then echo "$TANSU_BIN"; exit 0; fi
if command -v tansu >/dev/null 2>&1; then command -v tansu; exit 0; fi
if [ -x "$HOME/.cargo/bin/tansu" ]; then echo "$HOME/.cargo/bin/tansu"; exit 0; fi
echo "Installing the tansu broker (once per machine, several minutes)..." >&2
cargo install --locked tansu --version 0.6.0 --features dynostore >&2
echo "$HOME/.cargo/bin/tansu"
