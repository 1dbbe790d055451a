#!/usr/bin/env bash
# Issue 14's measurements in one go, from the repository root, on a quiet machine (take the CPU lock first where
# others share it: flock -x /work/.cpu.lock bench/measure-whole-job.sh). Writes the reports to $OUT (default
# bench/target/whole-job). Needs ../shared (model, 600-image sample); makes the 10,200-image corpus if missing.
set -uo pipefail
OUT=${OUT:-bench/target/whole-job}
SHARED=${ORCHARD_SHARED:-../shared}
MODEL=$SHARED/models/mobilenetv2-12-float32-dequantized.onnx
CORPUS=${CORPUS:-/tmp/orchard-corpus-10200}
mkdir -p "$OUT"
mvn -B -ntp -q -DskipTests package > "$OUT/build.log" 2>&1 || { echo "build failed: $OUT/build.log"; exit 1; }
[[ -d $CORPUS ]] || java -cp bench/target/orchard-bench.jar dev.orchard.bench.CorpusMaker "$SHARED/data/fruits360-sample" "$CORPUS" 17
mkdir -p "$OUT/two/a" && find "$SHARED/data/fruits360-sample" -name '*.jpg' | sort | head -2 | xargs -I{} cp {} "$OUT/two/a/"
uptime
echo "== 1. whole job, 10,200 images, defaults"
java -Xmx2g -cp bench/target/orchard-bench.jar dev.orchard.bench.EndToEnd "$CORPUS" "$MODEL" 32 0 "$OUT/e2e-10200.json" \
    2>&1 | grep -v "^[0-9:.]* INFO"
echo "== 2. a two-image job from the shell, three times"
for _ in 1 2 3; do
  /usr/bin/time -f "two-image job: wall %e s, user %U s, sys %S s, max RSS %M KB" ./orchard run --input "$OUT/two" \
      --output "$OUT/two-out" --overwrite --model "$MODEL" --pca-k 1 2>&1 | grep -E "start-up|eigenpairs|wall"
done
echo "== 3. srp+pca on the 600-image sample (a d = 2048 solve)"
/usr/bin/time -f "srp job: wall %e s" ./orchard run --input "$SHARED/data/fruits360-sample" --output "$OUT/srp-out" --overwrite \
    --model "$MODEL" --feature-tensor 627 --reduce srp+pca --srp-dim 2048 --pca-k 50 2>&1 | grep -E "start-up|eigenpairs|wall|images,"
echo "== 4. 8 lanes (peak RSS), 3,000 images"
mkdir -p "$OUT/c3000" && find "$CORPUS" -name '*_v1.jpg' -o -name '*_v2.jpg' -o -name '*_v3.jpg' -o -name '*_v4.jpg' -o -name '*_v5.jpg' \
    | head -3000 | while read -r f; do d="$OUT/c3000/$(basename "$(dirname "$f")")"; mkdir -p "$d"; cp "$f" "$d/"; done
java -Xmx2g -cp bench/target/orchard-bench.jar dev.orchard.bench.EndToEnd "$OUT/c3000" "$MODEL" 32 0 "$OUT/e2e-3000-8lanes.json" \
    --inference-lanes 8 2>&1 | grep -v "^[0-9:.]* INFO"
echo "== 5. JMH: the solve and the covariance update"
OPENBLAS_NUM_THREADS=1 java -jar bench/target/orchard-bench.jar 'EigenSolveBench.fitTop50$' -p dim=1280,2048 2>&1 | grep -E "^(Eigen|Benchmark)"
java -jar bench/target/orchard-bench.jar 'EigenSolveBench.(fitTop50PureJava|commonsMathFull)' -p dim=1280 2>&1 | grep -E "^(Eigen|Benchmark)"
OPENBLAS_NUM_THREADS=1 java -jar bench/target/orchard-bench.jar CovarianceAccumulateBench 2>&1 | grep -E "^(Cov|Benchmark)"
uptime
