#!/usr/bin/env bash
# Builds rill and the load tests, then runs the attention-translator benchmark (load-tests/README.md): the train side
# of ../shared/data/translation/eng-fra.tsv produced to a rill node pass after pass, test BLEU-4 through translation
# requests over Kafka after each pass, against the PyTorch reference (../shared/bench/attention-peer.py, run through
# load-tests/attention-maps.py) for as many epochs; then the maps' agreement, three maps as SVG and the request latency
# while the node trains.
#
#   load-tests/attention-bench.sh [--skip-build] [options...]     (--help lists them)
#   load-tests/attention-bench.sh --passes 1 --test-sentences 40 --load-seconds 3 --no-report     (a smoke run)
#
# BENCH_JAVA_OPTS replaces the JVM flags of the rill node (default: -Xmx2g, G1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
# The reference needs Debian's PyTorch (python3-torch).
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi
bench_extra=(--jvm-opts "${BENCH_JAVA_OPTS:--Xmx2g -XX:+UseG1GC}")
bench_run attention-bench.sh AttentionBench -Xmx512m "$@"
