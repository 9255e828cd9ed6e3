#!/usr/bin/env bash
# Builds rill and the load tests, then runs the cluster benchmark (see load-tests/README.md, "The cluster benchmark"):
# the character model trained by 1, 2 and 3 rill nodes in one Akka Cluster on this machine, the bytes per parameter
# update between nodes, and a network-cost model that predicts throughput on N machines. The broker and every rill node
# run as child JVMs; a node is `java -jar` of the fat jar this checkout builds.
#
#   load-tests/cluster-bench.sh [--skip-build] [benchmark options...]
#
# Runs from the repository root whatever the current directory, so relative paths in options (--train, --results,
# --work-dir) are relative to the root. Every option after --skip-build goes to the benchmark; --help lists them.
# BENCH_JAVA_OPTS replaces the JVM flags of every node (default: -Xmx1g, G1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

build=1
if [[ "${1:-}" == "--skip-build" ]]; then
  build=0
  shift
fi

# The rill under test: copies of the jars this checkout builds, taken right after the build (the installed artifact in
# the local Maven repository is shared with every other checkout on the machine and may be replaced during a run). The
# fat jar is what the nodes run; the plain one goes on the harness's classpath, for the broker child, the in-process
# cost measurements and the clients.
out=load-tests/target/cluster
node_jar=$out/rill.jar
plain_jar=$out/rill-plain.jar
rill_commit=$out/rill.commit
if [[ $build == 1 || ! -f load-tests/target/classpath.txt || ! -f $node_jar || ! -f $plain_jar ]]; then
  echo "building rill (mvn install -DskipTests) and the load tests..." >&2
  mvn -B -q install -DskipTests >&2
  (cd load-tests && mvn -B -q package >&2)
  mkdir -p "$out"
  cp target/rill.jar "$node_jar"
  built=$(ls target/rill-[0-9]*.jar | grep -v -e sources -e javadoc | head -n 1)
  cp "$built" "$plain_jar"
  dirty=$(git status --porcelain -- src pom.xml | head -c 1)
  echo "$(git rev-parse --short HEAD)${dirty:+ with uncommitted changes}" > "$rill_commit"
fi
classpath="load-tests/target/classes:$plain_jar"
IFS=: read -r -a deps < load-tests/target/classpath.txt || true  # the file has no final newline
for dep in "${deps[@]}"; do
  [[ $dep == */io/rill/rill/* ]] || classpath="$classpath:$dep"
done

jvm_opts="${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}"
# What the report records as "the command": this script and its arguments, relative to the root.
# Arguments with spaces or shell characters are single-quoted, so the line can be pasted back.
command="load-tests/cluster-bench.sh"
for arg in "$@"; do
  if [[ $arg =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then
    command="$command $arg"
  else
    command="$command '${arg//\'/\'\\\'\'}'"
  fi
done
if [[ -n "${BENCH_JAVA_OPTS:-}" ]]; then
  command="BENCH_JAVA_OPTS='$BENCH_JAVA_OPTS' $command"
fi

# This JVM orchestrates (child processes, JMX and admin clients, the report) and measures the per-update costs with
# rill's classes in-process (ND4J's arrays are off-heap). The RMI timeouts bound every JMX call, so a hung node cannot
# hang the harness.
exec java -Xmx768m -Dsun.rmi.transport.tcp.responseTimeout=10000 -Dsun.rmi.transport.proxy.connectTimeout=5000 \
  -cp "$classpath" io.rill.loadtest.ClusterBench \
  --command "$command" --rill-jar "$node_jar" --rill-version "$(cat "$rill_commit")" --node-jvm-opts "$jvm_opts" "$@"
