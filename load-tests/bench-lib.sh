# What every benchmark script does before it starts its Java entry point; sourced, not run. After
#   source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"; bench_init "$@"
# the working directory is the repository root and bench_args holds the arguments without a leading --skip-build.

# Goes to the repository root (so relative paths in options are relative to it) and takes --skip-build off the
# arguments: bench_build is 1 unless it was given.
bench_init() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  bench_build=1
  bench_args=("$@")
  if [[ "${1:-}" == "--skip-build" ]]; then
    bench_build=0
    bench_args=("${@:2}")
  fi
}

# Builds rill and the load tests (unless --skip-build and a previous build is there), and keeps copies of the jars
# this checkout builds in OUT_DIR, taken right after the build: the installed artifact in the local Maven repository
# is shared with every other checkout on the machine and may be replaced during a run. The plain jar goes on the
# harness's classpath; with "fat", the shaded jar too, for nodes run as `java -jar`. Sets bench_plain_jar,
# bench_fat_jar, bench_commit (the commit they were built from, "with uncommitted changes" if so) and
# bench_classpath (the harness's classes, the plain jar and the load tests' dependencies).
bench_build_rill() {
  local out=$1 fat=${2:-}
  bench_plain_jar=$out/rill-plain.jar
  bench_fat_jar=$out/rill.jar
  local commit_file=$out/rill.commit
  if [[ $bench_build == 1 || ! -f load-tests/target/classpath.txt || ! -f $bench_plain_jar \
        || ( -n $fat && ! -f $bench_fat_jar ) ]]; then
    echo "building rill (mvn install -DskipTests) and the load tests..." >&2
    mvn -B -q install -DskipTests >&2
    (cd load-tests && mvn -B -q package >&2)
    mkdir -p "$out"
    [[ -z $fat ]] || cp target/rill.jar "$bench_fat_jar"
    cp "$(ls target/rill-[0-9]*.jar | grep -v -e sources -e javadoc | head -n 1)" "$bench_plain_jar"
    local dirty
    dirty=$(git status --porcelain -- src pom.xml | head -c 1)
    echo "$(git rev-parse --short HEAD)${dirty:+ with uncommitted changes}" > "$commit_file"
  fi
  bench_commit=$(cat "$commit_file")
  bench_classpath="load-tests/target/classes:$bench_plain_jar"
  local deps dep
  IFS=: read -r -a deps < load-tests/target/classpath.txt || true  # the file has no final newline
  for dep in "${deps[@]}"; do
    [[ $dep == */io/rill/rill/* ]] || bench_classpath="$bench_classpath:$dep"
  done
}

# The command as the report records it: SCRIPT and bench_args, relative to the root, with BENCH_JAVA_OPTS in front
# when set. Arguments with spaces or shell characters are single-quoted, so the line can be pasted back.
bench_command() {
  local command=$1 arg
  for arg in "${bench_args[@]}"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then
      command="$command $arg"
    else
      command="$command '${arg//\'/\'\\\'\'}'"
    fi
  done
  if [[ -n "${BENCH_JAVA_OPTS:-}" ]]; then
    command="BENCH_JAVA_OPTS='$BENCH_JAVA_OPTS' $command"
  fi
  echo "$command"
}
