#!/usr/bin/env bash
# Rehearsal of the EC2 boot path on this machine: the user-data that `orchard-ec2 up` writes (rendered by
# `orchard-ec2 user-data`, the same function) and orchard-node boot a coordinator host and two worker hosts, each
# in its own Linux network namespace with its own 10.77.0.x address on a bridge (the bridge lives in a namespace
# too: the machine's own network is never touched). Each host sees its own /etc/orchard, /opt/orchard and
# /var/lib/orchard (a bind mount in the mount namespace that `ip netns exec` creates), like a real instance.
#
# What stands in for AWS: ORCHARD_LOCAL_BUCKET=DIR makes every s3://BUCKET/KEY the file DIR/KEY; nothing is
# installed; without systemd the worker runs in the background and a job in the foreground.
#
# Checks: the workers join the coordinator from their user-data alone; a job on the fruit sample writes _SUCCESS
# with 600 rows, with work done on both worker hosts; the job's log and report land in orchard-logs/ of the
# "bucket"; a second job (the coordinator joining the workers' cluster left over from the first) succeeds; the
# idle timeout writes the shutdown marker and the workers stop on it, leaving the cluster cleanly.
#
# Exit 0: passed; 77: skipped (no root, or no network namespaces here), with the reason; anything else: failed.
# ORCHARD_JAR, ORCHARD_SHARED override where the jar and ../shared are; ORCHARD_KEEP_REHEARSAL=1 keeps the files.
set -euo pipefail

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY="$(cd "$TEST_DIR/.." && pwd)"
REPO="$(cd "$DEPLOY/.." && pwd)"
JAR="${ORCHARD_JAR:-$REPO/cli/target/orchard.jar}"
SHARED="${ORCHARD_SHARED:-$REPO/../shared}"
DATA="$SHARED/data/fruits360-sample"
MODEL="$SHARED/models/mobilenetv2-12-float32-dequantized.onnx"
CLUSTER=rehearsal
BUCKET=rehearsal-bucket
JOB_TIMEOUT="${ORCHARD_REHEARSAL_JOB_TIMEOUT:-150}"
PREFIX="orh$$" # namespace names; short, because interface names stay under 16 characters
declare -A IP=([coord]=10.77.0.10 [w1]=10.77.0.11 [w2]=10.77.0.12)
HOSTS=(coord w1 w2)
WORK=""
NAMESPACES=()

say() { printf 'rehearsal: %s\n' "$*"; }
skip() {
  if [[ "${ORCHARD_REQUIRE_REHEARSAL:-0}" == 1 ]]; then
    say "FAILED: cannot run, and ORCHARD_REQUIRE_REHEARSAL=1: $*"
    exit 1
  fi
  say "SKIPPED: $*"
  exit 77
}
fail() {
  say "FAILED: $*"
  show_logs
  exit 1
}

show_logs() {
  [[ -n "$WORK" && -d "$WORK/hosts" ]] || return 0
  local f
  for f in "$WORK"/hosts/*/var/log/orchard/*.log "$WORK"/hosts/coord/var/lib/orchard/jobs/*/job.log; do
    [[ -f "$f" ]] || continue
    printf -- '----- %s (last 40 lines)\n' "${f#"$WORK"/}"
    tail -n 40 "$f"
  done
}

cleanup() {
  local ns pid
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -TERM "$pid" 2>/dev/null || true
    done
  done
  local i
  for ((i = 0; i < 20; i++)); do
    local left=0
    for ns in "${NAMESPACES[@]}"; do
      [[ -z "$(ip netns pids "$ns" 2>/dev/null)" ]] || left=1
    done
    ((left)) || break
    sleep 0.5
  done
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns del "$ns" 2>/dev/null || true
  done
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if [[ "${ORCHARD_KEEP_REHEARSAL:-0}" == 1 ]]; then
      say "kept $WORK"
    else
      rm -rf -- "$WORK"
    fi
  fi
}

preconditions() {
  [[ "$(id -u)" == 0 ]] || skip "needs root for ip netns (run as root, or in a container with CAP_NET_ADMIN and CAP_SYS_ADMIN)"
  command -v ip >/dev/null || skip "no 'ip' command: install iproute2"
  command -v java >/dev/null || fail "no java on PATH"
  command -v jq >/dev/null || command -v python3 >/dev/null || fail "needs jq or python3 to read _SUCCESS"
  [[ -f "$JAR" ]] || fail "no $JAR: build it first (mvn -q -B -DskipTests -pl cli -am package)"
  [[ -d "$DATA" ]] || fail "no fruit sample at $DATA (set ORCHARD_SHARED to the shared folder)"
  [[ -f "$MODEL" ]] || fail "no model at $MODEL (set ORCHARD_SHARED to the shared folder)"
  local probe="$PREFIX-probe" err
  if ! err="$(ip netns add "$probe" 2>&1)"; then
    skip "'ip netns add' does not work here ($err): network namespaces need CAP_SYS_ADMIN"
  fi
  if ! err="$(ip netns exec "$probe" true 2>&1)"; then
    ip netns del "$probe" 2>/dev/null || true
    skip "'ip netns exec' does not work here ($err)"
  fi
  ip netns del "$probe"
}

json_number() { # FILE PATH(e.g. .counts.rows)
  if command -v jq >/dev/null; then
    jq -r "$2" "$1"
  else
    python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].strip(".").split("."): v=v[k]
print(v)' "$1" "$2"
  fi
}

# ------------------------------------------------------------------------------------------- the network

make_network() {
  local sw="$PREFIX-sw" h ns
  ip netns add "$sw"
  NAMESPACES+=("$sw")
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  for h in "${HOSTS[@]}"; do
    ns="$PREFIX-$h"
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
    ip -n "$ns" link add eth0 type veth peer name "port-$h" netns "$sw"
    ip -n "$ns" addr add "${IP[$h]}/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$sw" link set "port-$h" master br0
    ip -n "$sw" link set "port-$h" up
  done
  say "hosts: coord ${IP[coord]}, w1 ${IP[w1]}, w2 ${IP[w2]} (namespaces $PREFIX-*, bridged in $sw)"
}

# in_namespace NAMESPACE ROOT-FOLDER COMMAND...: COMMAND in NAMESPACE, with ROOT-FOLDER mounted at $WORK/root in
# the mount namespace that 'ip netns exec' creates (so each host has its own files at the same paths)
in_namespace() {
  local ns="$1" root="$2"
  shift 2
  # shellcheck disable=SC2016 # $1, $2 and $@ belong to the inner bash
  ip netns exec "$ns" bash -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' _ "$root" "$WORK/root" "$@"
}

# on HOST COMMAND...: run COMMAND on HOST (its namespace, its root folder), with the rehearsal's settings
on() {
  local h="$1"
  shift
  in_namespace "$PREFIX-$h" "$WORK/hosts/$h" \
    env ORCHARD_ROOT="$WORK/root" ORCHARD_LOCAL_BUCKET="$WORK/bucket" \
    ORCHARD_JAVA_OPTS="-Xmx1g -XX:+UseSerialGC" ORCHARD_WORKER_FLAGS="--inference-lanes 1 --onnx-threads 1 --decode-threads 1" \
    "$@"
}

# ------------------------------------------------------------------------------------------- the steps

stage_bucket() {
  # What `orchard-ec2 up` uploads to s3://BUCKET/orchard/CLUSTER/ (its --dry-run test checks those keys).
  local dest="$WORK/bucket/orchard/$CLUSTER"
  mkdir -p "$dest"
  cp -- "$JAR" "$dest/orchard.jar"
  cp -- "$MODEL" "$dest/model.onnx"
  cp -- "$REPO/orchard" "$dest/orchard"
  cp -- "$DEPLOY/node/orchard-node" "$dest/orchard-node"
  local role
  local -a join
  for role in coordinator worker; do
    join=()
    [[ "$role" == worker ]] && join=(--join "${IP[coord]}")
    "$DEPLOY/orchard-ec2" user-data --role "$role" --cluster-name "$CLUSTER" --bucket "s3://$BUCKET" \
      --region us-east-1 --idle-timeout 1 --jar "$JAR" --model "$MODEL" "${join[@]}" >"$WORK/user-data-$role.sh"
  done
}

boot_hosts() {
  local h
  mkdir -p "$WORK/root"
  for h in "${HOSTS[@]}"; do
    mkdir -p "$WORK/hosts/$h"
  done
  say "booting coord with the coordinator user-data"
  on coord bash "$WORK/user-data-coordinator.sh" >"$WORK/boot-coord.out" 2>&1 || {
    cat "$WORK/boot-coord.out"
    fail "the coordinator's user-data failed"
  }
  for h in w1 w2; do
    say "booting $h with the worker user-data"
    on "$h" bash "$WORK/user-data-worker.sh" >"$WORK/boot-$h.out" 2>&1 || {
      cat "$WORK/boot-$h.out"
      fail "$h's user-data failed"
    }
  done
  for h in "${HOSTS[@]}"; do
    [[ -f "$WORK/hosts/$h/opt/orchard/orchard.jar" && -f "$WORK/hosts/$h/opt/orchard/model.onnx" \
      && -x "$WORK/hosts/$h/opt/orchard/orchard" ]] ||
      fail "$h did not fetch orchard.jar, model.onnx and the orchard launcher into its own /opt/orchard"
  done
  grep -q "ORCHARD_JOIN=${IP[coord]}" "$WORK/hosts/w1/etc/orchard/node.env" || fail "w1's node.env does not join ${IP[coord]}"
}

workers_run_the_launchers_settings() {
  # run-worker execs the launcher, which execs java: the pid the boot recorded is the worker's JVM, started with the
  # launcher's JIT settings and then node.env's options, on the jar the boot installed.
  # Until the last exec the pid runs bash (orchard-node, then the launcher): wait for java, or for the pid to end.
  local h pid cmdline deadline
  for h in w1 w2; do
    pid="$(cat "$WORK/hosts/$h/var/lib/orchard/worker.pid")"
    deadline=$((SECONDS + 60))
    while cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" && [[ "$cmdline" != *" -jar "* ]] &&
      ((SECONDS < deadline)); do
      sleep 0.2
    done
    [[ -n "$cmdline" ]] || fail "$h's worker (pid $pid) is not running: see $WORK/hosts/$h/var/log/orchard/worker.log"
    [[ "$cmdline" == *" -XX:Tier4InvocationThreshold=50000 "*" -Xmx1g "*" -jar $WORK/root/opt/orchard/orchard.jar worker "* ]] ||
      fail "$h's worker JVM did not start through the launcher: $cmdline"
  done
  say "ok: the workers' JVMs run with the launcher's settings"
}

tampered_jar_is_refused() {
  # A jar that does not match the SHA-256 recorded in the user-data must stop the boot.
  local bad="$WORK/bad-bucket" out
  mkdir -p "$bad/orchard/$CLUSTER" "$WORK/hosts/bad"
  cp -- "$DEPLOY/node/orchard-node" "$bad/orchard/$CLUSTER/orchard-node"
  printf 'not the jar\n' >"$bad/orchard/$CLUSTER/orchard.jar"
  cp -- "$MODEL" "$bad/orchard/$CLUSTER/model.onnx"
  cp -- "$REPO/orchard" "$bad/orchard/$CLUSTER/orchard"
  if out="$(in_namespace "$PREFIX-w2" "$WORK/hosts/bad" env ORCHARD_ROOT="$WORK/root" ORCHARD_LOCAL_BUCKET="$bad" \
    bash "$WORK/user-data-worker.sh" 2>&1)"; then
    fail "a worker booted with a jar whose SHA-256 differs from the recorded one"
  fi
  grep -q "but 'orchard-ec2 up' recorded" <<<"$out" || fail "the checksum error does not say what is wrong: $out"
  [[ ! -e "$WORK/hosts/bad/opt/orchard/orchard.jar" ]] || fail "the tampered jar was installed"
  [[ "$(cat "$WORK/hosts/bad/var/lib/orchard/halted" 2>/dev/null)" == "boot failed" ]] ||
    fail "the host whose boot failed did not power off"
  say "ok: a jar with the wrong SHA-256 stops the boot, and the host powers off"
}

run_job() { # ID INPUT EXPECTED-ROWS
  local id="$1" input="$2" rows="$3" out="$WORK/out/$1" started=$SECONDS
  say "job $id: $input -> $out (coordinator on coord, seeds w1,w2)"
  if ! on coord timeout "$JOB_TIMEOUT" "$WORK/root/opt/orchard/orchard-node" submit --job-id "$id" \
    --seeds "${IP[w1]},${IP[w2]}" -- --input "$input" --output "$out" --pca-k 10 --unit-size 16 --min-workers 2 \
    >"$WORK/submit-$id.out" 2>&1; then
    tail -n 30 "$WORK/submit-$id.out"
    fail "job $id did not succeed within ${JOB_TIMEOUT}s"
  fi
  [[ -f "$out/_SUCCESS" ]] || fail "job $id wrote no $out/_SUCCESS"
  local got
  got="$(json_number "$out/_SUCCESS" .counts.rows)"
  [[ "$got" == "$rows" ]] || fail "job $id: _SUCCESS counts.rows is $got, expected $rows"
  local logs="$WORK/bucket/orchard-logs/$CLUSTER/jobs/$id"
  [[ -s "$logs/job.log" && -f "$logs/report.json" && -s "$logs/report.html" ]] ||
    fail "job $id's log, report.json and report.html are not in orchard-logs/$CLUSTER/jobs/$id/"
  [[ "$(cat "$logs/exit-code")" == 0 ]] || fail "job $id's exit-code in the logs is not 0"
  say "ok: job $id: $rows rows in $((SECONDS - started)) s; log and report in the bucket's orchard-logs/"
}

work_on_both_workers() { # ID: with --min-workers 2, work is handed out only once both have joined, and to both
  # (first-attempt-wins decides whose results count, so which worker commits statistics is not guaranteed).
  local success="$WORK/out/$1/_SUCCESS" h assigned
  for h in w1 w2; do
    if command -v jq >/dev/null; then
      assigned="$(jq -r --arg host "${IP[$h]}:17355" '[.workers[] | select(.host == $host) | .assigned] | add // 0' "$success")"
    else
      assigned="$(python3 -c 'import json,sys
w=json.load(open(sys.argv[1]))["workers"].values()
print(sum(x["assigned"] for x in w if x["host"] == sys.argv[2]))' "$success" "${IP[$h]}:17355")"
    fi
    ((assigned > 0)) || fail "$h (${IP[$h]}) was assigned no work although the job waited for 2 workers: $(cat "$success")"
  done
  say "ok: both worker hosts joined before work was handed out and were assigned units"
}

second_job_input() {
  local dir="$WORK/in2/Apple Braeburn" class f n=0
  mkdir -p "$dir"
  class="$(find "$DATA" -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)"
  for f in "$class"/*; do
    cp -- "$f" "$dir/"
    n=$((n + 1))
    ((n < 24)) || break
  done
  printf '%s' "$n"
}

idle_timeout() {
  local coord_state="$WORK/hosts/coord/var/lib/orchard" marker="$WORK/bucket/orchard/$CLUSTER/shutdown"
  touch "$coord_state/last-activity"
  on coord "$WORK/root/opt/orchard/orchard-node" idle-check
  [[ ! -e "$marker" ]] || fail "idle-check shut the cluster down although a job just ended"
  touch -d '-2 minutes' "$coord_state/last-activity"
  on coord "$WORK/root/opt/orchard/orchard-node" idle-check
  [[ -f "$marker" ]] || fail "idle-check wrote no shutdown marker after 2 idle minutes (timeout 1)"
  [[ -f "$coord_state/halted" ]] || fail "idle-check did not halt the coordinator host"
  say "ok: after the idle timeout the coordinator wrote the shutdown marker and halted"
  local h pid
  for h in w1 w2; do
    pid="$(cat "$WORK/hosts/$h/var/lib/orchard/worker.pid")"
    kill -0 "$pid" 2>/dev/null || fail "$h's worker (pid $pid) is not running before the watch"
    on "$h" "$WORK/root/opt/orchard/orchard-node" watch
    ! kill -0 "$pid" 2>/dev/null || fail "$h's worker (pid $pid) still runs after the watch saw the marker"
    [[ -f "$WORK/hosts/$h/var/lib/orchard/halted" ]] || fail "$h did not halt on the marker"
  done
  say "ok: the workers saw the marker and stopped (SIGTERM: they leave the cluster)"
}

ship_logs() {
  on w1 "$WORK/root/opt/orchard/orchard-node" ship-logs
  [[ -s "$WORK/bucket/orchard-logs/$CLUSTER/nodes/worker-${IP[w1]}.log" ]] || fail "w1's log was not shipped to orchard-logs/$CLUSTER/nodes/"
  grep -q "worker node on ${IP[w1]}:17355 joining ${IP[coord]}:17355" "$WORK/bucket/orchard-logs/$CLUSTER/nodes/worker-${IP[w1]}.log" ||
    fail "w1's shipped log does not show the worker joining ${IP[coord]}"
  say "ok: node logs shipped to the bucket's orchard-logs/$CLUSTER/nodes/"
}

main() {
  preconditions
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK="$(mktemp -d /tmp/orchard-rehearsal.XXXXXX)"
  local started=$SECONDS
  make_network
  stage_bucket
  boot_hosts
  workers_run_the_launchers_settings
  tampered_jar_is_refused
  run_job rehearsal-1 "$DATA" 600
  work_on_both_workers rehearsal-1
  local n
  n="$(second_job_input)"
  run_job rehearsal-2 "$WORK/in2" "$n"
  ship_logs
  idle_timeout
  say "passed in $((SECONDS - started)) s"
}

main "$@"
