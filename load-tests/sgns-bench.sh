#!/usr/bin/env bash
# Builds rill and the load tests, then runs the skip-gram benchmark (see load-tests/README.md): rill learning
# embeddings from a corpus streamed through an embedded Kafka broker, against word2vec.c and gensim
# (../shared/bench/sgns-peers.sh) with the same hyper-parameters, one after the other on this machine.
#
#   load-tests/sgns-bench.sh [--skip-build] [benchmark options...]
#
# Runs from the repository root whatever the current directory, so relative paths in options (--corpus,
# --results, --jfr, the shared scripts) are relative to the root. Every option after --skip-build goes to the
# benchmark; --help lists them. BENCH_JAVA_OPTS replaces the JVM flags of each rill run (default: -Xmx4g, G1).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_init "$@"
bench_build_rill load-tests/target/sgns

# The evaluation and the gensim peer need Debian's gensim (sgns-peers.sh installs it too, but rill's vectors may be
# scored without the peers).
if ! /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
  echo "installing python3-gensim..." >&2
  apt-get update -qq && apt-get install -y -qq python3-gensim >/dev/null
fi

jvm_opts="${BENCH_JAVA_OPTS:--Xmx4g -XX:+UseG1GC}"
# This JVM only orchestrates (peers, child JVMs for the rill runs, evaluation, report): a small heap is plenty.
exec java -Xmx512m -cp "$bench_classpath" io.rill.loadtest.SkipGramBench --command "$(bench_command load-tests/sgns-bench.sh)" \
  --jvm-opts "$jvm_opts" --rill-version "$bench_commit" "${bench_args[@]}"
