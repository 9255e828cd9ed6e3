#!/usr/bin/env bash
# Builds rill and the load tests, then runs the character-model benchmark (load-tests/README.md): rill's LSTM fed
# names through Kafka against the PyTorch reference (../shared/bench/lstm-peer.py), one after the other; then rill's
# generation latency while it trains.
#
#   load-tests/lstm-bench.sh [--skip-build] [options...]     (--help lists them)
#
# BENCH_JAVA_OPTS replaces the JVM flags of the rill node (default: -Xmx4g, G1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
# The reference needs Debian's PyTorch (python3-torch 1.13) and an OpenBLAS for it.
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi
bench_extra=(--jvm-opts "${BENCH_JAVA_OPTS:--Xmx4g -XX:+UseG1GC}")
bench_run lstm-bench.sh LstmBench -Xmx512m "$@"
