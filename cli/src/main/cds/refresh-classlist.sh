#!/usr/bin/env bash
# Writes cli/src/main/cds/classlist: the classes an `orchard run` loads, which the build turns into the
# class-data-sharing archive cli/target/orchard.jar.jsa (cli/pom.xml, execution "cds-archive"). Run it from anywhere
# after a build, when LauncherIT says the list has gone stale (classes added or renamed), then build again:
#   mvn -q -DskipTests package && cli/src/main/cds/refresh-classlist.sh && mvn -q -DskipTests package
# The list is the union of what three small jobs on 64 of ../shared's images load: from a local folder, and from
# S3 over HTTP and over HTTPS (S3Proxy, bench's FilesystemS3Server, with a throwaway self-signed certificate). Each is
# long enough to start the status page, publish, solve and write the outputs. What they do not load (the cluster's
# TCP transport, a classifier) still loads from the jar.
set -euo pipefail
trap 'echo "refresh-classlist.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "${BASH_SOURCE[0]}")/../../../.."
SHARED=${ORCHARD_SHARED:-../shared}
MODEL=$SHARED/models/mobilenetv2-12-float32-dequantized.onnx
jar=cli/target/orchard.jar
list=cli/src/main/cds/classlist
work=$(mktemp -d)
server=
cleanup() { [[ -z $server ]] || kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

find "$SHARED/data/fruits360-sample" -name '*.jpg' | sort | head -64 | while read -r f; do
  d="$work/s3/bench/img/$(basename "$(dirname "$f")")"; mkdir -p "$d"; cp "$f" "$d/"
done

job() { # job NAME [java options] -- [orchard run options]
  local name=$1; shift
  local opts=()
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  java -Xshare:off -XX:DumpLoadedClassList="$work/$name.classlist" "${opts[@]}" -jar "$jar" run \
      --output "$work/out-$name" --model "$MODEL" --pca-k 2 "$@" > "$work/$name.log" 2>&1 \
      || { cat "$work/$name.log"; exit 1; }
}

job local -- --input "$work/s3/bench/img"

pass=classlist
certificates() { # a throwaway self-signed certificate for S3Proxy, and a trust store holding it
  keytool -genkeypair -alias s3proxy -keyalg EC -dname CN=127.0.0.1 -ext san=ip:127.0.0.1 -validity 2 \
      -keystore "$work/server.p12" -storetype PKCS12 -storepass $pass -keypass $pass || return
  keytool -exportcert -rfc -alias s3proxy -keystore "$work/server.p12" -storepass $pass -file "$work/server.crt" || return
  keytool -importcert -noprompt -alias s3proxy -file "$work/server.crt" -keystore "$work/trust.p12" \
      -storetype PKCS12 -storepass $pass
}
if ! certificates > "$work/keytool.log" 2>&1; then
  cat "$work/keytool.log"; exit 1
fi
export AWS_ACCESS_KEY_ID=classlist AWS_SECRET_ACCESS_KEY=classlist-secret
unset AWS_SESSION_TOKEN AWS_PROFILE
http=$((20000 + RANDOM % 20000)); https=$((http + 1))
java -cp bench/target/orchard-bench.jar dev.orchard.bench.s3.FilesystemS3Server "$work/s3" $http $https \
    "$work/server.p12" $pass > "$work/server.out" 2> "$work/server.log" &
server=$!
for _ in $(seq 300); do grep -q ready "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/server.out" || { cat "$work/server.log"; exit 1; }
s3=(--input s3://bench/img/ --path-style --region us-east-1)
job http -- "${s3[@]}" --endpoint "http://127.0.0.1:$http"
job https -Djavax.net.ssl.trustStore="$work/trust.p12" -Djavax.net.ssl.trustStorePassword=$pass \
    -Djavax.net.ssl.trustStoreType=PKCS12 -- "${s3[@]}" --endpoint "https://127.0.0.1:$https"

# The union, each line once, in the order first seen (a class after the classes it needs, as each job loaded them).
cat "$work/local.classlist" "$work/http.classlist" "$work/https.classlist" | awk '!seen[$0]++' > "$work/classlist"
mv "$work/classlist" "$list"
echo "$list: $(grep -vc '^[#@]' "$list") classes, $(grep -c '^@' "$list") lambda and method-handle entries"
