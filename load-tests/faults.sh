#!/usr/bin/env bash
# Builds rill and the load tests, then runs the fault scenarios (load-tests/README.md, "The fault scenarios"): kill -9
# of a node, a broker outage, bad input at volume, overload, and ingest at a target rate with bursts. The broker and
# every node are child JVMs; a node is `java -jar` of the fat jar this checkout builds.
#
#   load-tests/faults.sh [--skip-build] [options...]     (--help lists them)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_run faults.sh FaultBench -Xmx1g "$@"
