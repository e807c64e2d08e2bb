#!/usr/bin/env bash
# Checks that the crates a connector author depends on (connect-api, connect-testkit and what
# they need) and the example connector crates can be published: `cargo publish --dry-run`
# packages and builds each one from its packaged sources, as the registry would, and the
# documentation builds as the registry's docs site builds it (all features, --cfg docsrs,
# warnings as errors). Without a reachable registry it packages offline instead, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
crates=(connect-api connect-converters connect-transforms connect-file connect-mirror connect-runtime
        connect-testbed connect-testkit counter-source collect-sink)
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
# The test suites that run before this may leave files behind in the tree.
if curl -sSf -m 15 -o /dev/null https://index.crates.io/config.json; then
  cargo publish --dry-run --allow-dirty "${args[@]}"
else
  echo "note: crates.io is not reachable; packaging offline with cargo package instead of a dry-run publish" >&2
  cargo package --offline --allow-dirty "${args[@]}"
fi
RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo doc --no-deps --all-features \
  -p connect-api -p connect-testkit -p counter-source -p collect-sink
