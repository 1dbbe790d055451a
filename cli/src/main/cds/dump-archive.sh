#!/usr/bin/env bash
# The class-data-sharing archive beside the jar, JAR.jsa, made by the build (cli/pom.xml, execution cds-archive):
# a short job on 64 of ../shared's sample images records the classes it loads (-XX:DumpLoadedClassList), and
# `java -Xshare:dump` lays them out, parsed and verified, so that every start maps them instead of loading ~9,000
# classes from the jar (bench/RESULTS.md). ~20 s. Without ../shared's model and sample, or with ORCHARD_CDS=off, the
# build makes no archive and the launcher runs without one. The `java` on the PATH, as the launcher's: an archive
# only serves the JVM that wrote it, and the jar at the path it was dumped with.
#   dump-archive.sh JAR
set -euo pipefail
jar=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
shared=${ORCHARD_SHARED:-$root/../shared}
model=$shared/models/mobilenetv2-12-float32-dequantized.onnx
sample=$shared/data/fruits360-sample
rm -f "$jar.jsa"
if [[ ${ORCHARD_CDS:-on} == off || ! -f $model || ! -d $sample ]]; then
  echo "dump-archive.sh: no class-data-sharing archive (ORCHARD_CDS=off, or no $model and $sample)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Not `find | sort | head -64`: under pipefail, sort killed by SIGPIPE once head has its 64 lines fails the build
# (exit 141, seen in CI when sort's output outran the pipe's buffer).
mapfile -t images < <(find "$sample" -name '*.jpg' | sort)
for f in "${images[@]:0:64}"; do
  d="$work/in/$(basename "$(dirname "$f")")"; mkdir -p "$d"; cp "$f" "$d/"
done
if ! java -Xshare:off -XX:DumpLoadedClassList="$work/classlist" -jar "$jar" run --input "$work/in" \
    --output "$work/out" --model "$model" --pca-k 2 > "$work/job.log" 2>&1; then
  cat "$work/job.log"
  echo "dump-archive.sh: the training job failed: no class-data-sharing archive" >&2
  exit 1
fi
# Classes of the list that cannot be archived are left out, each with a warning: not news.
java -Xshare:dump -XX:SharedClassListFile="$work/classlist" -XX:SharedArchiveFile="$jar.jsa" -Xlog:all=error \
    -cp "$jar"
echo "dump-archive.sh: $jar.jsa, $(grep -vc '^[#@]' "$work/classlist") classes"
