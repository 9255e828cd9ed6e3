#!/usr/bin/env bash
# Builds rill and the load tests, then runs the fault scenarios (see load-tests/README.md, "The fault scenarios"):
# kill -9 of a node, a broker outage, bad input at volume, overload, and ingest at a target rate with bursts. The
# broker and every rill node run as child JVMs; the node is `java -jar` of the fat jar this checkout builds.
#
#   load-tests/faults.sh [--skip-build] [harness options...]
#
# Runs from the repository root whatever the current directory, so relative paths in options (--results, --work-dir)
# are relative to the root. Every option after --skip-build goes to the harness; --help lists them.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_init "$@"
# The fat jar is what the nodes run; the plain one is on the harness's classpath, for the broker child and the clients.
bench_build_rill load-tests/target/faults fat

# This JVM only orchestrates (child processes, producers, JMX and admin clients, the report): a small heap is plenty.
# The RMI timeouts bound every JMX call, so a hung node cannot hang the harness.
exec java -Xmx1g -Dsun.rmi.transport.tcp.responseTimeout=10000 -Dsun.rmi.transport.proxy.connectTimeout=5000 \
  -cp "$bench_classpath" io.rill.loadtest.FaultBench --command "$(bench_command load-tests/faults.sh)" \
  --rill-jar "$bench_fat_jar" --rill-version "$bench_commit" "${bench_args[@]}"
