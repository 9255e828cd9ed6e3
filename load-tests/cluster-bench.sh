#!/usr/bin/env bash
# Builds rill and the load tests, then runs the cluster benchmark (load-tests/README.md, "The cluster benchmark"): the
# character model trained by 1, 2 and 3 rill nodes in one Akka Cluster on this machine, the bytes between them, and a
# network-cost model for N machines. The broker and every node are child JVMs (`java -jar` of this checkout's jar).
#
#   load-tests/cluster-bench.sh [--skip-build] [options...]     (--help lists them)
#
# BENCH_JAVA_OPTS replaces the JVM flags of every node (default: -Xmx1g, G1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_extra=(--node-jvm-opts "${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}")
bench_run cluster-bench.sh ClusterBench -Xmx768m "$@"
