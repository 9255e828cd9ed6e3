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

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_init "$@"
bench_build_rill load-tests/target/lstm

# The reference needs Debian's PyTorch (python3-torch 1.13) and an OpenBLAS for it.
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi

jvm_opts="${BENCH_JAVA_OPTS:--Xmx4g -XX:+UseG1GC}"
# This JVM only orchestrates (the reference, the child JVM of the rill run, the report): a small heap is plenty.
exec java -Xmx512m -cp "$bench_classpath" io.rill.loadtest.LstmBench --command "$(bench_command load-tests/lstm-bench.sh)" \
  --jvm-opts "$jvm_opts" --rill-version "$bench_commit" "${bench_args[@]}"
