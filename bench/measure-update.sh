#!/usr/bin/env bash
# Issue 16's benchmark: what `--update` costs against the full run it saves, both timed from the shell in the same
# run. From the repository root, on a quiet machine (where others share it: flock -x /work/.cpu.lock
# bench/measure-update.sh).
#   1. makes the corpus (CorpusMaker: each of the 600 sample images in VARIANTS orientations/crops/qualities,
#      100×100 JPEGs; VARIANTS=17 gives 10,200; COPIES=2 takes it twice, in two folders) and holds NEW of its
#      images back (spread over the classes);
#   2. the full run over the rest (10,100 images), timed;
#   3. puts the NEW images back and updates the output (`--update`), timed;
#   4. unless COMPARE=0, a clean run over the final set (not timed) and the update's output compared with it: rows,
#      and the PCA eigenvalues (largest relative difference).
# Prints both wall times and the ratio; writes the logs to $OUT (default bench/target/update).
set -euo pipefail
OUT=${OUT:-bench/target/update}
SHARED=${ORCHARD_SHARED:-../shared}
MODEL=$SHARED/models/mobilenetv2-12-float32-dequantized.onnx
VARIANTS=${VARIANTS:-17}
NEW=${NEW:-100}
K=${K:-50}
COMPARE=${COMPARE:-1}
COPIES=${COPIES:-1}
CORPUS=${CORPUS:-/tmp/orchard-corpus-$VARIANTS}
rm -rf "$OUT" && mkdir -p "$OUT"
mvn -B -ntp -q -DskipTests -pl cli,bench -am package > "$OUT/build.log" 2>&1 || { echo "build failed: $OUT/build.log"; exit 1; }
[[ -d $CORPUS ]] || java -cp bench/target/orchard-bench.jar dev.orchard.bench.CorpusMaker "$SHARED/data/fruits360-sample" \
    "$CORPUS" "$VARIANTS"

# The input: a copy of the corpus without NEW images (every n-th in name order), which wait in held/.
input=$OUT/input
held=$OUT/held
if [[ $COPIES == 1 ]]; then
  cp -r "$CORPUS" "$input"
else # larger inputs: the corpus COPIES times, in copy-N/ folders (labels stay the class folders)
  mkdir -p "$input"
  for ((i = 1; i <= COPIES; i++)); do cp -r "$CORPUS" "$input/copy-$i"; done
fi
total=$(find "$input" -name '*.jpg' | wc -l)
step=$((total / NEW))
find "$input" -name '*.jpg' | LC_ALL=C sort | awk -v s="$step" -v n="$NEW" 'NR % s == 0 && c < n { print; c++ }' |
    while read -r f; do
      rel=${f#"$input"/}
      mkdir -p "$held/$(dirname "$rel")"
      mv "$f" "$held/$rel"
    done
base=$(find "$input" -name '*.jpg' | wc -l)
added=$(find "$held" -name '*.jpg' | wc -l)

# One untimed two-image run first: it brings the jar, its class-data-sharing archive and the model into the page
# cache, so that both timed runs start the same way.
mkdir -p "$OUT/two/a" && find "$SHARED/data/fruits360-sample" -name '*.jpg' | sort | head -2 | xargs -I{} cp {} "$OUT/two/a/"
./orchard run --input "$OUT/two" --output "$OUT/two-out" --model "$MODEL" --pca-k 1 > "$OUT/prime.log" 2>&1

job=(--input "$input" --output "$OUT/out" --model "$MODEL" --pca-k "$K")
uptime
/usr/bin/time -f "%e" -o "$OUT/full.time" ./orchard run "${job[@]}" > "$OUT/full.log" 2>&1 ||
    { echo "full run failed: $OUT/full.log"; exit 1; }
full=$(cat "$OUT/full.time")
echo "full run: $base images, wall $full s"

(cd "$held" && find . -name '*.jpg' | while read -r f; do mv "$f" "../input/$f"; done)
/usr/bin/time -f "%e" -o "$OUT/update.time" ./orchard run "${job[@]}" --update > "$OUT/update.log" 2>&1 ||
    { echo "update failed: $OUT/update.log"; exit 1; }
update=$(cat "$OUT/update.time")
echo "update: $added new images on $base, wall $update s"
jq -c '{generation, counts, update, bytesRead}' "$OUT/out/_SUCCESS"
grep -E "Update:|phases|wall" "$OUT/update.log" | sed 's/^/  /' || true
uptime
awk -v f="$full" -v u="$update" 'BEGIN { printf "update / full run: %.3f (target <= 0.10)\n", u / f }'

if [[ $COMPARE == 1 ]]; then
  ./orchard run --input "$input" --output "$OUT/clean" --model "$MODEL" --pca-k "$K" > "$OUT/clean.log" 2>&1 ||
      { echo "clean run failed: $OUT/clean.log"; exit 1; }
  echo "clean run over the final set: $(jq -c .counts "$OUT/clean/_SUCCESS")"
  jq -n --slurpfile a "$OUT/out/pca-model.json" --slurpfile b "$OUT/clean/pca-model.json" '
      [range(0; $b[0].eigenvalues | length) | (($a[0].eigenvalues[.] - $b[0].eigenvalues[.]) / $b[0].eigenvalues[.])
       | fabs] | max | "largest relative eigenvalue difference, update vs clean run: \(.)"' -r
fi
