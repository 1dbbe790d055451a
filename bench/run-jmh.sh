#!/usr/bin/env bash
# Builds bench/target/orchard-bench.jar and runs the JMH suite, or the benchmarks matching a regex, writing JSON.
#
#   bench/run-jmh.sh                          # the whole suite (~6-8 minutes on 2 cores)
#   bench/run-jmh.sh 'InferenceBench.batch32' # a subset: any JMH regex
#   bench/run-jmh.sh Decode -f 1 -wi 1 -i 2 -w 1s -r 2s   # extra arguments go to JMH as they are
#
# Environment: ORCHARD_SHARED  the shared folder with models/ and data/ (default: ../shared from the repo root)
#              JMH_RESULTS     the JSON results file (default: bench/target/jmh-results.json)
#              SKIP_BUILD=1    use the jar as it is
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -q -B -DskipTests -pl bench -am package
fi

shared="${ORCHARD_SHARED:-$root/../shared}"
results="${JMH_RESULTS:-$root/bench/target/jmh-results.json}"
mkdir -p "$(dirname "$results")"

regex=()
if [[ $# -gt 0 && "$1" != -* ]]; then
  regex=("$1")
  shift
fi

# -D options of this JVM are passed on to JMH's forked benchmark JVMs.
exec java "-Dorchard.shared=$shared" -jar "$root/bench/target/orchard-bench.jar" \
  "${regex[@]}" -rf json -rff "$results" "$@"
