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

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_init "$@"
# The fat jar is what the nodes run; the plain one is on the harness's classpath, for the broker child, the
# in-process cost measurements and the clients.
bench_build_rill load-tests/target/cluster fat
jvm_opts="${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}"

# This JVM orchestrates (child processes, JMX and admin clients, the report) and measures the per-update costs with
# rill's classes in-process (ND4J's arrays are off-heap). The RMI timeouts bound every JMX call, so a hung node cannot
# hang the harness.
exec java -Xmx768m -Dsun.rmi.transport.tcp.responseTimeout=10000 -Dsun.rmi.transport.proxy.connectTimeout=5000 \
  -cp "$bench_classpath" io.rill.loadtest.ClusterBench --command "$(bench_command load-tests/cluster-bench.sh)" \
  --rill-jar "$bench_fat_jar" --rill-version "$bench_commit" --node-jvm-opts "$jvm_opts" "${bench_args[@]}"
