#!/usr/bin/env bash
# Builds rill and the load tests, then runs the ingest benchmark (see load-tests/README.md).
#
#   load-tests/ingest-bench.sh [--skip-build] [benchmark options...]
#
# Runs from the repository root whatever the current directory, so relative paths in options (--corpus,
# --results, --jfr) are relative to the root. Every option after --skip-build goes to the benchmark; --help lists
# them. BENCH_JAVA_OPTS replaces the JVM flags (default: a fixed 4 GiB G1 heap).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_init "$@"
bench_build_rill load-tests/target/ingest
java_opts="${BENCH_JAVA_OPTS:--Xms4g -Xmx4g -XX:+UseG1GC}"

# shellcheck disable=SC2086 # java_opts is a list of flags
exec java $java_opts -cp "$bench_classpath" io.rill.loadtest.IngestBench \
  --command "$(bench_command load-tests/ingest-bench.sh)" --rill-version "$bench_commit" "${bench_args[@]}"
