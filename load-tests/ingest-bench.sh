#!/usr/bin/env bash
# Builds rill and the load tests, then runs the ingest benchmark (see load-tests/README.md).
#
#   load-tests/ingest-bench.sh [--skip-build] [benchmark options...]
#
# Runs from the repository root whatever the current directory, so relative paths in options (--corpus,
# --results, --jfr) are relative to the root. Every option after --skip-build goes to the benchmark; --help lists
# them. BENCH_JAVA_OPTS replaces the JVM flags (default: a fixed 4 GiB G1 heap).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

build=1
if [[ "${1:-}" == "--skip-build" ]]; then
  build=0
  shift
fi

if [[ $build == 1 || ! -f load-tests/target/classpath.txt ]]; then
  echo "building rill (mvn install -DskipTests) and the load tests..." >&2
  mvn -B -q install -DskipTests >&2
  (cd load-tests && mvn -B -q package >&2)
fi

java_opts="${BENCH_JAVA_OPTS:--Xms4g -Xmx4g -XX:+UseG1GC}"
# What the report records as "the command": this script and its arguments, relative to the root.
command="load-tests/ingest-bench.sh $*"
if [[ -n "${BENCH_JAVA_OPTS:-}" ]]; then
  command="BENCH_JAVA_OPTS='$BENCH_JAVA_OPTS' $command"
fi

# shellcheck disable=SC2086 # java_opts is a list of flags
exec java $java_opts -cp "load-tests/target/classes:$(cat load-tests/target/classpath.txt)" \
  io.rill.loadtest.IngestBench --command "$command" "$@"
