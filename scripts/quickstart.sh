#!/usr/bin/env bash
# Apache Kafka Connect's quickstart, unchanged but for the broker address: builds the worker,
# starts a local broker, runs connect-standalone with the shipped configs, and shows lines
# flowing from test.txt through the topic connect-test into test.sink.txt. Runs in a scratch
# directory; stops everything when done.
#
# The broker is Apache Kafka's own (KRaft, from Maven Central's jars, fetched once) where Java
# and Maven are installed, else tansu (installed with cargo on first use, which takes minutes).
# QUICKSTART_BROKER=apache|tansu chooses.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
kind="${QUICKSTART_BROKER:-}"
if [ -z "$kind" ]; then
  if command -v java >/dev/null && command -v mvn >/dev/null; then kind=apache; else kind=tansu; fi
fi
if [ "$kind" = apache ]; then
  scripts/apache-kafka.sh fetch >/dev/null
else
  tansu="$(scripts/ensure-tansu.sh)"
fi
cargo build --release -p connect-runtime --bin connect-standalone
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
rest="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
started=$(date +%s.%N)
if [ "$kind" = apache ]; then
  scripts/apache-kafka.sh broker --port "$port" --dir "$work/kafka" >"$work/broker.log" 2>&1 &
  broker=$!
else
  "$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ >"$work/broker.log" 2>&1 &
  broker=$!
fi
cleanup() {
  kill "${worker:-}" 2>/dev/null || true; wait "${worker:-}" 2>/dev/null || true
  kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 600); do
  if [ "$kind" = apache ]; then
    grep -q "Kafka Server started" "$work/broker.log" 2>/dev/null && break
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  fi
  kill -0 "$broker" 2>/dev/null || { cat "$work/broker.log" >&2; echo "the broker exited" >&2; exit 1; }
  sleep 0.1
done
echo "$kind broker ready on 127.0.0.1:$port after $(python3 -c "import time; print(round(time.time() - $started, 1))") s"
if [ "$kind" = tansu ]; then
  # tansu does not create topics on first use, as Apache's broker does by default.
  "$tansu" topic create connect-test --partitions 1 --broker "tcp://127.0.0.1:$port" >/dev/null 2>&1 \
    || echo "note: could not pre-create connect-test; continuing" >&2
fi
sed -e "s|^bootstrap.servers=.*|bootstrap.servers=127.0.0.1:$port|" \
    -e "s|^offset.storage.file.filename=.*|offset.storage.file.filename=$work/connect.offsets|" \
    config/connect-standalone.properties > "$work/connect-standalone.properties"
echo "listeners=http://127.0.0.1:$rest" >> "$work/connect-standalone.properties"
cp config/connect-file-source.properties config/connect-file-sink.properties "$work/"
cd "$work"
printf 'foo\nbar\nhéllo wörld\n' > test.txt
"$root/target/release/connect-standalone" connect-standalone.properties \
  connect-file-source.properties connect-file-sink.properties 2>connect.log &
worker=$!
for _ in $(seq 100); do [ -s test.sink.txt ] && [ "$(wc -l < test.sink.txt)" -ge 3 ] && break; sleep 0.2; done
echo "another line" >> test.txt
for _ in $(seq 100); do [ "$(wc -l < test.sink.txt 2>/dev/null || echo 0)" -ge 4 ] && break; sleep 0.2; done
echo "== test.txt";      cat test.txt
echo "== test.sink.txt"; cat test.sink.txt
echo "== connector status"
curl -s "http://127.0.0.1:$rest/connectors?expand=status"; echo
echo "(worker log and files in $work)"
if cmp -s test.txt test.sink.txt; then echo "OK: every line arrived"; else echo "MISMATCH" >&2; exit 1; fi
