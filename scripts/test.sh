#!/usr/bin/env bash
# Runs every test of the workspace. Integration tests start their own brokers on free loopback
# ports: tansu by default (installed first if this machine lacks it), and Apache Kafka's own
# broker and Connect worker (fetched from Maven Central once) where Java and Maven are present.
#
#   CONNECT_TEST_REQUIRE_APACHE=1   fail, rather than skip, when Apache Kafka cannot run
set -euo pipefail
cd "$(dirname "$0")/.."
TANSU_BIN="$(scripts/ensure-tansu.sh)"
export TANSU_BIN
# The REST API is also checked with the popular Python client; its test skips when the client
# cannot be installed.
python3 -c 'import kafka_connect' 2>/dev/null \
  || python3 -m pip install --quiet 'kafka-connect-py==1.0.0' >&2 \
  || echo "note: kafka-connect-py not installed; its test will be skipped" >&2

apache=yes
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  if [ "${CONNECT_TEST_REQUIRE_APACHE:-}" = 1 ]; then
    echo "error: the Apache-backed suites need Java 17 and Maven, and this machine lacks them" >&2
    exit 1
  fi
  apache=no
  echo "note: Apache-backed suites skipped: java or mvn is not installed (they need Java 17 and Maven)" >&2
else
  # Fetch the jars now, once, rather than inside the first test that needs them.
  scripts/apache-kafka.sh fetch >/dev/null
fi

status=0
# Everything, on tansu; the comparisons with Apache's worker run here too (on its broker).
cargo test --workspace --all-targets --no-fail-fast || status=$?
cargo test --workspace --doc || status=$?
if [ "$apache" = yes ]; then
  # The Kafka-using suites again, on Apache Kafka's broker.
  CONNECT_TEST_BROKER=apache cargo test -p connect-runtime --no-fail-fast \
    --test standalone_file --test rest_api --test rest_robustness --test kafka_connect_py \
    || status=$?
fi
# The author-facing crates and the examples package, build from their packages, and document
# as the registry would.
scripts/publish-check.sh || status=$?
exit "$status"
