#!/usr/bin/env bash
# Builds rill and the load tests, then runs the sentence-classifier benchmark (load-tests/README.md): 10-fold
# cross-validation on MR, rill's kim-cnn fed through Kafka and asked through classification requests, against the
# PyTorch reference (../shared/bench/cnn-peer.py) on the same folds, epochs and vectors; then rill's classification
# latency while it trains.
#
#   load-tests/cnn-bench.sh [--skip-build] [options...]     (--help lists them)
#   load-tests/cnn-bench.sh --folds 0 --epochs 1 --variants rand,static --vector-passes 1     (a smoke run)
#
# BENCH_JAVA_OPTS replaces the JVM flags of the rill nodes (default: -Xmx4g, G1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
# The reference needs Debian's PyTorch (python3-torch) and gensim (python3-gensim) for the vectors.
if ! /usr/bin/python3 -c 'import torch, gensim' 2>/dev/null; then
  echo "installing python3-torch and python3-gensim..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch python3-gensim libopenblas0-pthread >/dev/null
fi
bench_extra=(--jvm-opts "${BENCH_JAVA_OPTS:--Xmx4g -XX:+UseG1GC}")
bench_run cnn-bench.sh CnnBench -Xmx512m "$@"
