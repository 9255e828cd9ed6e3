# What every benchmark script does; sourced, not run. A script is
#   source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
#   bench_run SCRIPT_NAME MAIN_CLASS HARNESS_JVM_FLAGS "$@"
# It runs from the repository root (so relative paths in options are relative to it); a leading --skip-build reuses
# the last build of this script. Options in the array bench_extra (set before) go to the harness too, in front of
# the script's own, but not into the command line the report records.

# Builds rill and the load tests (unless --skip-build and a previous build is there) and keeps copies of the jars this
# checkout builds in OUT_DIR, taken right after the build: the installed artifact in the local Maven repository is
# shared with every checkout on the machine and may be replaced during a run. The plain jar goes on the harness's
# classpath; the fat jar is what nodes run as `java -jar`. Sets bench_fat_jar, bench_commit (the commit they were
# built from, "with uncommitted changes" if so) and bench_classpath.
bench_build_rill() {
  local out=$1 build=$2
  local plain_jar=$out/rill-plain.jar commit_file=$out/rill.commit
  bench_fat_jar=$out/rill.jar
  if [[ $build == 1 || ! -f load-tests/target/classpath.txt || ! -f $plain_jar || ! -f $bench_fat_jar ]]; then
    echo "building rill (mvn install -DskipTests) and the load tests..." >&2
    mvn -B -q install -DskipTests >&2
    (cd load-tests && mvn -B -q package >&2)
    mkdir -p "$out"
    cp target/rill.jar "$bench_fat_jar"
    cp "$(ls target/rill-[0-9]*.jar | grep -v -e sources -e javadoc | head -n 1)" "$plain_jar"
    local dirty
    dirty=$(git status --porcelain -- src pom.xml | head -c 1)
    echo "$(git rev-parse --short HEAD)${dirty:+ with uncommitted changes}" > "$commit_file"
  fi
  bench_commit=$(cat "$commit_file")
  bench_classpath="load-tests/target/classes:$plain_jar"
  local deps dep
  IFS=: read -r -a deps < load-tests/target/classpath.txt || true  # the file has no final newline
  for dep in "${deps[@]}"; do
    [[ $dep == */io/rill/rill/* ]] || bench_classpath="$bench_classpath:$dep"
  done
}

# The command as the report records it, relative to the root, with BENCH_JAVA_OPTS in front when set. Arguments with
# spaces or shell characters are single-quoted, so the line can be pasted back.
bench_command() {
  local command=$1 arg
  shift
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then
      command="$command $arg"
    else
      command="$command '${arg//\'/\'\\\'\'}'"
    fi
  done
  echo "${BENCH_JAVA_OPTS:+BENCH_JAVA_OPTS='$BENCH_JAVA_OPTS' }$command"
}

# Builds, then replaces the shell with the harness JVM (HARNESS_JVM_FLAGS; the RMI timeouts bound every JMX call, so
# a hung node cannot hang the harness), passing the command line for the report, rill's commit and fat jar, and the
# script's own arguments.
bench_run() {
  local script=$1 main=$2 flags=$3 build=1
  [[ -v bench_extra ]] || bench_extra=()
  shift 3
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  if [[ "${1:-}" == "--skip-build" ]]; then
    build=0
    shift
  fi
  bench_build_rill "load-tests/target/${script%%[-.]*}" "$build"
  # shellcheck disable=SC2086 # flags is a list of JVM flags
  exec java $flags -Dsun.rmi.transport.tcp.responseTimeout=10000 -Dsun.rmi.transport.proxy.connectTimeout=5000 \
    -cp "$bench_classpath" "io.rill.loadtest.$main" --command "$(bench_command "load-tests/$script" "$@")" \
    --rill-version "$bench_commit" --rill-jar "$bench_fat_jar" "${bench_extra[@]}" "$@"
}
