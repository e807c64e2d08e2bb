#!/usr/bin/env bash
# Apache Kafka beside us: resolves the pinned release's jars once (interop/apache/pom.xml), then
# starts its processes from them.
#
#   scripts/apache-kafka.sh fetch
#       Resolves the jars into the cache (once) and prints the directory: lib/ is the class
#       path, plugins/ holds connect-file for plugin.path.
#   scripts/apache-kafka.sh broker [--port PORT] [--dir DIR] [KEY=VALUE ...]
#   scripts/apache-kafka.sh broker SERVER.properties
#       A single-node KRaft broker (broker and controller in one process) on 127.0.0.1:PORT
#       (default ${KAFKA_PORT:-9092}), its data in DIR (default: a temporary directory, removed
#       when it stops), KEY=VALUE added to its configuration; or one from a file of your own.
#       Storage is formatted first when it is new.
#   scripts/apache-kafka.sh connect-standalone WORKER.properties [CONNECTOR.properties ...]
#   scripts/apache-kafka.sh connect-distributed WORKER.properties
#   scripts/apache-kafka.sh mirror-maker MM2.properties [--clusters NAME ...]
#       Apache's Connect workers and MirrorMaker 2 driver. Add the plugins/ directory printed by
#       `fetch` to plugin.path to load FileStreamSource and FileStreamSink.
#   scripts/apache-kafka.sh run MAIN-CLASS [ARGS ...]
#       Any other class on the same class path (kafka.tools.StorageTool, say).
#
# Environment:
#   KAFKA_HEAP_OPTS         JVM heap options (default: -Xms64m -Xmx512m)
#   KAFKA_CONNECT_RS_CACHE  where the jars go (default: ~/.cache/kafka-connect-rs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pom="$root/interop/apache/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
cache="${KAFKA_CONNECT_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-connect-rs}"
home="$cache/apache-kafka-$version"
# The cache is keyed by the pom's contents, so a changed dependency list is fetched anew.
stamp="$(sha256sum "$pom" | cut -c1-16)"

die() { echo "apache-kafka.sh: $*" >&2; exit 2; }

fetch() {
  fetched() { [ "$(cat "$home/.complete" 2>/dev/null)" = "$stamp" ]; }
  fetched && return 0
  command -v java >/dev/null || die "java is not installed (Apache Kafka $version needs Java 17)"
  command -v mvn >/dev/null || die "mvn is not installed (it fetches Apache Kafka's jars)"
  mkdir -p "$cache"
  # Several test binaries may ask at once: one resolves, the others wait for it.
  exec 9>"$cache/.apache-kafka-$version.lock"
  flock 9
  if ! fetched; then
    echo "Fetching Apache Kafka $version's jars into $home (once per machine)..." >&2
    rm -rf "$home.partial"
    mvn -q -B -f "$pom" package -Dkafka.home="$home.partial" >&2 \
      || die "could not resolve Apache Kafka $version from Maven Central"
    rm -rf "$home"
    mv "$home.partial" "$home"
    echo "$stamp" > "$home/.complete"
  fi
  flock -u 9
}

# Runs a main class on the release's class path.
java_main() {
  exec java ${KAFKA_HEAP_OPTS:--Xms64m -Xmx512m} -XX:+UseSerialGC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$root/interop/apache/log4j2.properties" -cp "$home/lib/*" "$@"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Writes a single-node KRaft configuration for 127.0.0.1:$1 with its data under $2.
broker_properties() {
  local port="$1" dir="$2" controller
  controller="$(free_port)"
  cat <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$controller
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

broker() {
  local props="" port="${KAFKA_PORT:-9092}" dir="" temp=""
  local overrides=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --dir) dir="$2"; shift 2 ;;
      *=*) overrides+=("$1"); shift ;;
      *) props="$1"; shift ;;
    esac
  done
  if [ -z "$props" ]; then
    if [ -z "$dir" ]; then dir="$(mktemp -d)"; temp="$dir"; fi
    mkdir -p "$dir"
    props="$dir/server.properties"
    broker_properties "$port" "$dir" > "$props"
    for kv in "${overrides[@]}"; do echo "$kv" >> "$props"; done
    echo "Apache Kafka $version broker on 127.0.0.1:$port (data in $dir)" >&2
  fi
  [ -f "$props" ] || die "no such file: $props"
  local logdir
  logdir="$(sed -n 's/^log\.dirs=//p' "$props" | tail -n 1 | cut -d, -f1)"
  [ -n "$logdir" ] || die "$props sets no log.dirs"
  if [ ! -f "$logdir/meta.properties" ]; then
    local cluster_id
    cluster_id="$(python3 -c 'import base64,uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')"
    # A short-lived JVM: the C1 compiler alone starts it fastest.
    java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      "-Dlog4j2.configurationFile=$root/interop/apache/log4j2.properties" -cp "$home/lib/*" \
      kafka.tools.StorageTool format --standalone --ignore-formatted \
      --cluster-id "$cluster_id" --config "$props" >/dev/null \
      || die "formatting $logdir failed"
  fi
  if [ -n "$temp" ]; then
    # A broker in a directory of its own making: remove the directory when it stops.
    trap 'rm -rf "$temp"' EXIT
    (java_main kafka.Kafka "$props")
  else
    java_main kafka.Kafka "$props"
  fi
}

cmd="${1:-}"
[ -n "$cmd" ] || die "usage: apache-kafka.sh fetch|broker|connect-standalone|connect-distributed|mirror-maker|run ..."
shift
fetch
case "$cmd" in
  fetch) echo "$home" ;;
  broker) broker "$@" ;;
  connect-standalone) java_main org.apache.kafka.connect.cli.ConnectStandalone "$@" ;;
  connect-distributed) java_main org.apache.kafka.connect.cli.ConnectDistributed "$@" ;;
  mirror-maker) java_main org.apache.kafka.connect.mirror.MirrorMaker "$@" ;;
  run) java_main "$@" ;;
  *) die "unknown command: $cmd" ;;
esac
