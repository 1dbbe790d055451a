#!/usr/bin/env bash
# The class-data-sharing archive beside the jar, JAR.jsa, made by the build (cli/pom.xml, execution cds-archive):
# a short job on 64 of ../shared's sample images records the classes it loads (-XX:DumpLoadedClassList), and
# `java -Xshare:dump` lays them out, parsed and verified, so that every start maps them instead of loading ~9,000
# classes from the jar (bench/RESULTS.md). A second job does the same reading from S3 over HTTPS (below). ~21 s, 7 of
# them the S3 job. Without ../shared's model and sample, or with ORCHARD_CDS=off, the build makes no archive and the
# launcher runs without one. The `java` on the PATH, as the launcher's: an archive only serves the JVM that wrote it,
# and the jar at the path it was dumped with.
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
# A second training job reads its images from S3 over HTTPS (an in-process stand-in, the test class
# S3ArchiveTraining), so that the classes S3 jobs load are archived too: the TLS client (Conscrypt), the AWS SDK's endpoint
# rules and credentials, Orchard's S3 reads. Its classes that the local job did not load are added by name (their ids
# would clash), less the stand-in's own: its server's (what the status page does not load of the JDK's) and itself.
# Without the test classes (-Dmaven.test.skip) or if it fails, the archive holds the local job's classes alone, and
# S3 jobs load the rest from the jar as before.
training=$(dirname "$jar")/test-classes
if [[ -f $training/dev/orchard/cli/S3ArchiveTraining.class ]]; then
  if java -Xshare:off -XX:DumpLoadedClassList="$work/classlist-s3" -cp "$jar:$training" \
        dev.orchard.cli.S3ArchiveTraining "$work/s3" "$work/in" "$model" > "$work/job-s3.log" 2>&1; then
    awk 'NR == FNR { if ($0 !~ /^[#@]/) seen[$1] = 1; next }
         /^[#@]/ || ($1 in seen) || $1 ~ /^(sun|com\/sun)\/net\/httpserver\// { next }
         $1 ~ /^dev\/orchard\/cli\/S3ArchiveTraining/ { next }
         { print $1 }' "$work/classlist" "$work/classlist-s3" > "$work/classlist-s3-only"
    cat "$work/classlist-s3-only" >> "$work/classlist"
    echo "dump-archive.sh: + $(wc -l < "$work/classlist-s3-only") classes of an S3 job over HTTPS"
  else
    tail -20 "$work/job-s3.log"
    echo "dump-archive.sh: warning: the S3 training job failed; the archive holds a local job's classes only" >&2
  fi
fi
# Classes of the list that cannot be archived are left out, each with a warning: not news.
java -Xshare:dump -XX:SharedClassListFile="$work/classlist" -XX:SharedArchiveFile="$jar.jsa" -Xlog:all=error \
    -cp "$jar"
echo "dump-archive.sh: $jar.jsa, $(grep -vc '^[#@]' "$work/classlist") classes"
