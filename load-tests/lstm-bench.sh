#!/usr/bin/env bash
# Builds rill and the load tests, then runs the character-model benchmark (see load-tests/README.md): rill's LSTM
# learner fed names through an embedded Kafka broker, against the PyTorch reference (../shared/bench/lstm-peer.py) with
# the same hyper-parameters, one after the other on this machine; then rill's generation latency while it trains.
#
#   load-tests/lstm-bench.sh [--skip-build] [benchmark options...]
#
# Runs from the repository root whatever the current directory, so relative paths in options (--train, --test,
# --results, the reference script) are relative to the root. Every option after --skip-build goes to the benchmark;
# --help lists them. BENCH_JAVA_OPTS replaces the JVM flags of the rill run (default: -Xmx4g, G1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

build=1
if [[ "${1:-}" == "--skip-build" ]]; then
  build=0
  shift
fi

# The rill under test is a copy of the jar this checkout builds, taken right after the build: the installed artifact in
# the local Maven repository is shared with every other checkout on the machine and may be replaced during a run.
rill_jar=load-tests/target/rill-under-test.jar
rill_commit=load-tests/target/rill-under-test.commit
if [[ $build == 1 || ! -f load-tests/target/classpath.txt || ! -f $rill_jar ]]; then
  echo "building rill (mvn install -DskipTests) and the load tests..." >&2
  mvn -B -q install -DskipTests >&2
  (cd load-tests && mvn -B -q package >&2)
  built=$(ls target/rill-[0-9]*.jar | grep -v -e sources -e javadoc | head -n 1)
  cp "$built" "$rill_jar"
  dirty=$(git status --porcelain -- src pom.xml | head -c 1)
  echo "$(git rev-parse --short HEAD)${dirty:+ with uncommitted changes}" > "$rill_commit"
fi
classpath="load-tests/target/classes:$rill_jar"
IFS=: read -r -a deps < load-tests/target/classpath.txt || true  # the file has no final newline
for dep in "${deps[@]}"; do
  [[ $dep == */io/rill/rill/* ]] || classpath="$classpath:$dep"
done

# The reference needs Debian's PyTorch (python3-torch 1.13) and an OpenBLAS for it.
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi

jvm_opts="${BENCH_JAVA_OPTS:--Xmx4g -XX:+UseG1GC}"
# What the report records as "the command": this script and its arguments, relative to the root.
# Arguments with spaces or shell characters are single-quoted, so the line can be pasted back.
command="load-tests/lstm-bench.sh"
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

# This JVM only orchestrates (the reference, the child JVM of the rill run, the report): a small heap is plenty.
exec java -Xmx512m -cp "$classpath" \
  io.rill.loadtest.LstmBench --command "$command" --jvm-opts "$jvm_opts" --rill-version "$(cat "$rill_commit")" "$@"
