#!/usr/bin/env bash
# What reading the input from S3 costs Orchard's process against a local folder (issue 18): the job on >= 10,000
# small JPEGs from a local folder, then from S3Proxy (filesystem backend, its own JVM) over HTTP and over HTTPS,
# ROUNDS times, alternating; prints Orchard's CPU (user+sys of the job JVM) per image for each input, the extra CPU
# per object, the wall-time ratio, and S3Proxy's CPU apart. See bench/README.md, "S3 input: CPU per object".
#
#   bench/s3-cpu.sh                                   # MobileNetV2 FP32, 10,200 images, 1 round (~6 minutes on 2 cores)
#   bench/s3-cpu.sh MODEL IMAGES ROUNDS [JOB OPTIONS...]
#   bench/s3-cpu.sh ../shared/models/mobilenetv2-12-int8.onnx 10200 3 --feature-tensor output
#   bench/s3-cpu.sh negligible 10200 3               # a graph that costs next to nothing: the reading alone, 4 reads at once
#
# On a shared machine, hold every other build off while it runs, e.g. flock -x /work/.cpu.lock bench/s3-cpu.sh
# Environment: ORCHARD_SHARED  the shared folder with models/ and data/ (default: ../shared from the repo root)
#              S3CPU_WORK      where the images, certificates and reports go (default: bench/target/s3-cpu)
#              SKIP_BUILD=1    use the jars as they are
#              S3CPU_JAVA_OPTIONS  JVM options for every job, after the launcher's (an A/B of JVM settings)
#              S3CPU_TLS_KEY   the HTTPS certificate's key: RSA (2048 bits, as S3's endpoints; the default) or EC (P-256)
#              S3CPU_CONTROL=1 a fourth arm per round: the local job while S3Proxy serves HTTPS GETs to the bench at the
#                              HTTPS job's rate (what sharing the cores with the reading costs, apart from Orchard's own)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -q -B -DskipTests -pl bench -am package
fi

shared="${ORCHARD_SHARED:-$root/../shared}"
model="${1:-$shared/models/mobilenetv2-12-float32-dequantized.onnx}"
images="${2:-10200}"
rounds="${3:-1}"
shift $(( $# < 3 ? $# : 3 ))

exec java "-Dorchard.shared=$shared" "-Dorchard.jar=$root/cli/target/orchard.jar" \
  ${S3CPU_JAVA_OPTIONS:+"-Dbench.java.options=$S3CPU_JAVA_OPTIONS"} \
  ${S3CPU_CONTROL:+"-Dbench.control=true"} \
  ${S3CPU_TLS_KEY:+"-Dbench.tls.key=$S3CPU_TLS_KEY"} \
  -cp "$root/bench/target/orchard-bench.jar" dev.orchard.bench.s3.S3CpuBench \
  "$model" "$images" "$rounds" "${S3CPU_WORK:-$root/bench/target/s3-cpu}" "$@"
