#!/usr/bin/env bash
# Writes cli/src/main/cds/classlist: the classes an `orchard run` loads, which the build turns into the
# class-data-sharing archive cli/target/orchard.jar.jsa (cli/pom.xml, execution "cds-archive"). Run it from the
# repository root after the jar is built, when LauncherIT says the list has gone stale (classes added or renamed):
#   mvn -q -DskipTests package && cli/src/main/cds/refresh-classlist.sh && mvn -q -DskipTests package
# The training job is a small local job on 64 of ../shared's images: long enough to start the status page and to
# publish, with the PCA solve and the outputs. Classes it does not load (S3, the cluster's TCP transport) still
# load from the jar, as all classes did before.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../../.."
SHARED=${ORCHARD_SHARED:-../shared}
jar=cli/target/orchard.jar
list=cli/src/main/cds/classlist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$SHARED/data/fruits360-sample" -name '*.jpg' | sort | head -64 | while read -r f; do
  d="$work/in/$(basename "$(dirname "$f")")"; mkdir -p "$d"; cp "$f" "$d/"
done
java -Xshare:off -XX:DumpLoadedClassList="$work/classlist" -jar "$jar" run --input "$work/in" --output "$work/out" \
    --model "$SHARED/models/mobilenetv2-12-float32-dequantized.onnx" --pca-k 2 > "$work/job.log" 2>&1 \
    || { cat "$work/job.log"; exit 1; }
mv "$work/classlist" "$list"
echo "$list: $(grep -vc '^[#@]' "$list") classes, $(grep -c '^@' "$list") lambda and method-handle entries"
