#!/usr/bin/env bash
# Builds rill and the load tests, then runs the skip-gram benchmark (load-tests/README.md): rill learning embeddings
# from a corpus streamed through Kafka, against word2vec.c and gensim (../shared/bench/sgns-peers.sh), one after the
# other on this machine.
#
#   load-tests/sgns-bench.sh [--skip-build] [options...]     (--help lists them)
#
# BENCH_JAVA_OPTS replaces the JVM flags of each rill node (default: -Xmx4g, G1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
# The evaluation and the gensim peer need Debian's gensim.
if ! /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
  echo "installing python3-gensim..." >&2
  apt-get update -qq && apt-get install -y -qq python3-gensim >/dev/null
fi
bench_extra=(--jvm-opts "${BENCH_JAVA_OPTS:--Xmx4g -XX:+UseG1GC}")
bench_run sgns-bench.sh SgnsBench -Xmx512m "$@"
