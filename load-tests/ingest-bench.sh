#!/usr/bin/env bash
# Builds rill and the load tests, then runs the ingest benchmark (load-tests/README.md, "The ingest benchmark"):
# N text records through an embedded broker, read by Kafka's ConsumerPerformance and by a rill node, in one JVM.
#
#   load-tests/ingest-bench.sh [--skip-build] [options...]     (--help lists them)
#
# BENCH_JAVA_OPTS replaces that JVM's flags (default: a fixed 4 GiB G1 heap).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_run ingest-bench.sh IngestBench "${BENCH_JAVA_OPTS:--Xms4g -Xmx4g -XX:+UseG1GC}" "$@"
