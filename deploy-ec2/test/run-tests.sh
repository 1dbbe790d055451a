#!/usr/bin/env bash
# deploy-ec2's tests, run by `mvn verify` (deploy-ec2/pom.xml) after cli/target/orchard.jar is built.
#
# Nothing here reaches AWS or the network: `aws`, `curl` and `ssh` on PATH are fakes that record the call and
# fail, and the last test checks that none was made. The --dry-run output of up/down/submit/status/logs is
# compared with test/expected/*.txt (ORCHARD_UPDATE_EXPECTED=1 rewrites those files: review the diff).
# The boot path itself is rehearsed for real in network namespaces (test/rehearsal.sh).
#
# Ends with the line "deploy-ec2: N passed, M failed"; exit 0 only when nothing failed. A test that cannot run
# here (no shellcheck, no network namespaces) is reported as skipped, with the reason; ORCHARD_REQUIRE_SHELLCHECK=1
# turns a missing shellcheck into a failure (for CI), ORCHARD_REQUIRE_REHEARSAL=1 a boot rehearsal that cannot run
# (not set by .ci/run: CI machines without network namespaces would fail every run).
# shellcheck disable=SC2016 # '$' in single quotes: literal prices and literal code the tests look for
set -euo pipefail

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY="$(cd "$TEST_DIR/.." && pwd)"
OE="$DEPLOY/orchard-ec2"
REPO="$(cd "$DEPLOY/.." && pwd)"
EXPECTED="$TEST_DIR/expected"
PASSED=0
FAILED=0
SKIPPED=()
TMP="$(mktemp -d /tmp/deploy-ec2-tests.XXXXXX)"
trap 'rm -rf -- "$TMP"' EXIT

# ------------------------------------------------------------------------------------------- harness

setup() {
  mkdir -p "$TMP/bin" "$TMP/fixtures"
  local command
  for command in aws curl ssh; do
    cat >"$TMP/bin/$command" <<EOF
#!/bin/sh
echo "$command \$*" >>"$TMP/unexpected-calls"
echo "test fake: $command must not be called by a --dry-run" >&2
exit 97
EOF
    chmod +x "$TMP/bin/$command"
  done
  export PATH="$TMP/bin:$PATH"
  export ORCHARD_EC2_STATE="$TMP/state"
  unset AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE ORCHARD_MODEL
  printf 'orchard.jar test fixture\n' >"$TMP/fixtures/orchard.jar"
  printf 'model.onnx test fixture\n' >"$TMP/fixtures/model.onnx"
  JAR="$TMP/fixtures/orchard.jar"
  MODEL="$TMP/fixtures/model.onnx"
}

# run NAME FUNCTION: one test; its output is shown only when it fails (or skips)
run() {
  local name="$1" out rc
  set +e
  (
    set -e
    "$2"
  ) >"$TMP/test.out" 2>&1
  rc=$?
  set -e
  out="$(cat "$TMP/test.out")"
  if ((rc == 0)); then
    PASSED=$((PASSED + 1))
    printf 'ok      %s\n' "$name"
  elif ((rc == 77)); then
    SKIPPED+=("$name")
    printf 'skipped %s\n%s\n' "$name" "$(tail -n 3 <<<"$out")"
  else
    FAILED=$((FAILED + 1))
    printf 'FAILED  %s\n%s\n' "$name" "$out"
  fi
}

oe() { "$OE" "$@"; } # orchard-ec2

# normalise: the temporary paths in dry-run output, as the expected files write them
normalise() { sed -e "s#$TMP/fixtures#FIXTURES#g" -e "s#$TMP/state#STATE#g" -e "s#$DEPLOY#DEPLOY#g" -e "s#$REPO/#REPO/#g"; }

# compare NAME ACTUAL-FILE: against expected/NAME.txt
compare() {
  local expected="$EXPECTED/$1.txt"
  if [[ "${ORCHARD_UPDATE_EXPECTED:-0}" == 1 ]]; then
    cp "$2" "$expected"
    echo "rewrote $expected"
    return 0
  fi
  [[ -f "$expected" ]] || { echo "no $expected (ORCHARD_UPDATE_EXPECTED=1 writes it)"; return 1; }
  diff -u "$expected" "$2" || { echo "the dry-run differs from $expected (above)"; return 1; }
}

# dry_run NAME ARGS...: orchard-ec2 ARGS --dry-run; stdout (the AWS calls) must equal expected/NAME.txt
dry_run() {
  local name="$1"
  shift
  oe "$@" --dry-run >"$TMP/$name.raw" 2>"$TMP/$name.err" || { cat "$TMP/$name.err"; return 1; }
  normalise <"$TMP/$name.raw" >"$TMP/$name.txt"
  compare "$name" "$TMP/$name.txt"
}

expect_error() { # MESSAGE-PART ARGS...: orchard-ec2 ARGS exits 2 and says MESSAGE-PART
  local part="$1" out rc=0
  shift
  out="$(oe "$@" 2>&1)" || rc=$?
  if ((rc != 2)); then
    echo "orchard-ec2 $* exited $rc, expected 2: $out"
    return 1
  fi
  grep -qF -- "$part" <<<"$out" || { echo "orchard-ec2 $*: expected '$part' in: $out"; return 1; }
}

# fake_aws RESPONSES: the commands that follow (in this test) call test/fake-aws with these answers instead of the
# failing fake, and a recording ssh; $FAKE is its folder (calls: every aws call; ssh-args: ssh's arguments)
fake_aws() {
  FAKE="$(mktemp -d "$TMP/fake.XXXXXX")"
  ln -s "$TEST_DIR/fake-aws" "$FAKE/aws"
  printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done >"%s/ssh-args"\n' "$FAKE" >"$FAKE/ssh"
  chmod +x "$FAKE/ssh"
  printf '%s\n' "$1" >"$FAKE/responses"
  : >"$FAKE/calls"
  export FAKE_AWS_RESPONSES="$FAKE/responses" FAKE_AWS_LOG="$FAKE/calls" ORCHARD_EC2_RETRY_SECONDS=0
  export PATH="$FAKE:$PATH"
}

called() { grep -c -- "$1" "$FAKE/calls" || true; } # PATTERN: how many aws calls match

AWS_V2='^--version @@ 0 @@ aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2023'
NO_SUCH() { printf '%s @@ 254 @@  @@ An error occurred (NoSuchEntity) when calling the %s operation: The entity cannot be found.' "$1" "$2"; }

UP=(up --instance-type m5.xlarge --bucket s3://orchard-test --key-name test-key --ssh-cidr 203.0.113.7/32
  --jar "$TMP/fixtures/orchard.jar" --model "$TMP/fixtures/model.onnx")

# ------------------------------------------------------------------------------------------- tests

t_shellcheck() {
  if ! command -v shellcheck >/dev/null; then
    if [[ "${ORCHARD_REQUIRE_SHELLCHECK:-0}" == 1 ]]; then
      echo "shellcheck is not installed (apt-get install -y shellcheck)"
      return 1
    fi
    echo "shellcheck is not installed: apt-get install -y shellcheck"
    return 77
  fi
  oe user-data --role coordinator --bucket s3://bkt --region us-east-1 --jar "$JAR" --model "$MODEL" >"$TMP/ud-c.sh"
  oe user-data --role worker --join 10.0.0.5 --bucket s3://bkt --region us-east-1 --jar "$JAR" --model "$MODEL" \
    --idle-timeout 15 >"$TMP/ud-w.sh"
  shellcheck "$OE" "$DEPLOY/node/orchard-node" "$REPO/orchard" "$TEST_DIR"/*.sh "$TMP/ud-c.sh" "$TMP/ud-w.sh"
}

t_json_templates() {
  local f
  oe "${UP[@]}" --workers 1 --region us-east-1 --cluster-name pol --dry-run >/dev/null 2>&1
  local policy="$TMP/state/pol/bucket-policy.json" trust="$TMP/state/pol/trust-policy.json"
  if command -v jq >/dev/null; then
    for f in "$DEPLOY"/templates/*.json "$policy" "$trust"; do
      jq empty "$f" || { echo "$f is not valid JSON"; return 1; }
    done
    jq -e 'all(.Statement[]; .Effect == "Allow")' "$policy"
    jq -e '[.Statement[].Resource] | sort == ["arn:aws:s3:::orchard-test", "arn:aws:s3:::orchard-test/*"]' "$policy"
    jq -e '[.Statement[].Action[]] | all(startswith("s3:") and (contains("*") | not))' "$policy"
    jq -e '[.Statement[].Action[]] as $a | ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      | all(. as $x | $a | index($x))' "$policy"
    jq -e '.Statement == [{"Sid": .Statement[0].Sid, "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
      "Action": "sts:AssumeRole"}]' "$trust"
    return
  fi
  command -v python3 >/dev/null || { echo "needs jq or python3 to check the JSON templates (apt-get install -y jq)"; return 1; }
  for f in "$DEPLOY"/templates/*.json; do
    python3 -m json.tool "$f" >/dev/null || { echo "$f is not valid JSON"; return 1; }
  done
  python3 - "$policy" "$trust" <<'EOF'
import json, sys
policy = json.load(open(sys.argv[1]))
resources = set()
for s in policy["Statement"]:
    assert s["Effect"] == "Allow", s
    actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
    assert all(a.startswith("s3:") and "*" not in a for a in actions), actions
    resources.add(s["Resource"])
assert resources == {"arn:aws:s3:::orchard-test", "arn:aws:s3:::orchard-test/*"}, resources
names = {a for s in policy["Statement"] for a in s["Action"]}
assert {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= names, names
trust = json.load(open(sys.argv[2]))
assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
EOF
}

t_up_one_worker() {
  dry_run up-1-worker-us-east-1 "${UP[@]}" --workers 1 --region us-east-1 --cluster-name t1
  grep -qF 'cost: 1 coordinator + 1 worker(s) = 2 × m5.xlarge in us-east-1 at $0.192/h = $0.384/h on-demand' \
    "$TMP/up-1-worker-us-east-1.err" || { cat "$TMP/up-1-worker-us-east-1.err"; return 1; }
}

t_up_four_spot_workers() {
  dry_run up-4-spot-eu-west-1 "${UP[@]}" --workers 4 --spot --region eu-west-1 --cluster-name demo --idle-timeout 30
  if ! grep -qF '5 × m5.xlarge in eu-west-1 at $0.214/h = $1.070/h on-demand' "$TMP/up-4-spot-eu-west-1.err" ||
    ! grep -qF 'the workers run on spot' "$TMP/up-4-spot-eu-west-1.err"; then
    cat "$TMP/up-4-spot-eu-west-1.err"
    return 1
  fi
  # Spot for the workers only: the coordinator holds the seed address the workers join.
  [[ "$(grep -c -- '--instance-market-options' "$TMP/up-4-spot-eu-west-1.txt")" == 1 ]]
  grep -qF -- "--count 4 --instance-market-options 'MarketType=spot," "$TMP/up-4-spot-eu-west-1.txt"
}

t_up_cost_of_one_plus_four_m5_xlarge() {
  oe "${UP[@]}" --workers 4 --region us-east-1 --cluster-name cost --dry-run 2>"$TMP/cost.err" >/dev/null
  grep -qF '5 × m5.xlarge in us-east-1 at $0.192/h = $0.960/h on-demand' "$TMP/cost.err" || { cat "$TMP/cost.err"; return 1; }
  grep -qF 'and $0.025/h for 5 public IPv4 addresses' "$TMP/cost.err" || { cat "$TMP/cost.err"; return 1; }
  oe up --workers 2 --instance-type c7i.large --bucket s3://bkt --key-name k --ssh-cidr 1.2.3.4/32 --jar "$JAR" \
    --model "$MODEL" --region ap-south-1 --dry-run 2>"$TMP/cost2.err" >/dev/null
  grep -qF 'no price for c7i.large in ap-south-1' "$TMP/cost2.err" || { cat "$TMP/cost2.err"; return 1; }
}

t_up_every_created_resource_is_tagged() {
  oe "${UP[@]}" --workers 2 --spot --region us-east-1 --cluster-name tags --dry-run 2>/dev/null >"$TMP/tags.txt"
  local line n=0
  while IFS= read -r line; do
    n=$((n + 1))
    grep -qF 'orchard:cluster' <<<"$line" || { echo "not tagged: $line"; return 1; }
  done < <(grep -E '^aws (iam create-|ec2 create-|ec2 run-instances|ec2 authorize-)' "$TMP/tags.txt")
  ((n == 8)) || { echo "expected 8 create calls, found $n"; return 1; }
  # Instances, volumes, network interfaces and spot requests of both run-instances calls
  [[ "$(grep -o 'ResourceType=volume' "$TMP/tags.txt" | wc -l)" == 2 ]]
  grep -q 'ResourceType=spot-instances-request' "$TMP/tags.txt"
}

t_up_looks_up_no_ip_in_dry_run() {
  oe up --workers 1 --instance-type m5.large --bucket s3://orchard-test --key-name k --jar "$JAR" --model "$MODEL" \
    --region us-west-2 --dry-run 2>/dev/null >"$TMP/noip.txt"
  grep -qF 'CidrIp=DRYRUN-caller-ip/32' "$TMP/noip.txt"
  [[ ! -e "$TMP/unexpected-calls" ]] || { cat "$TMP/unexpected-calls"; return 1; }
}

t_up_graviton_uses_arm64_image() {
  local type
  for type in m7g.xlarge a1.large c6gd.2xlarge t4g.small; do
    oe "${UP[@]}" --workers 1 --region us-east-1 --cluster-name arm --instance-type "$type" --dry-run \
      2>/dev/null >"$TMP/arm.txt"
    [[ "$(grep -c 'image-id resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' "$TMP/arm.txt")" == 2 ]] ||
      { echo "$type did not get the arm64 image"; return 1; }
  done
  oe "${UP[@]}" --workers 1 --region us-east-1 --cluster-name arm --instance-type m5a.large --dry-run 2>/dev/null >"$TMP/x86.txt"
  [[ "$(grep -c 'al2023-ami-kernel-default-x86_64' "$TMP/x86.txt")" == 2 ]]
}

t_empty_arrays_are_safe_under_bash_3_2() {
  # macOS's /bin/bash 3.2 (and bash < 4.4) calls an empty array unbound under set -u: every array expansion in
  # orchard-ec2 (which runs on the operator's machine) uses ${a[@]+"${a[@]}"}.
  local bare
  bare="$(sed -E 's/\$\{([A-Za-z_]+)\[([@*])\]\+"?\$\{\1\[\2\]\}"?\}//g' "$OE" | grep -nE '\$\{[A-Za-z_]+\[[@*]\]\}' || true)"
  [[ -z "$bare" ]] || { echo "array expansions without the idiom:"; echo "$bare"; return 1; }
  # and the paths where they are empty still run: up without --spot (no spot flags), down with nothing found
  oe "${UP[@]}" --workers 1 --region us-east-1 --cluster-name e --dry-run >/dev/null 2>&1
}

t_user_data() {
  oe user-data --role worker --cluster-name ud --join 10.1.2.3 --bucket s3://orchard-test --region eu-west-1 \
    --idle-timeout 20 --jar "$JAR" --model "$MODEL" >"$TMP/ud.sh"
  local jar_sha model_sha node_sha launcher_sha
  jar_sha="$(sha256sum "$JAR" | cut -d' ' -f1)"
  model_sha="$(sha256sum "$MODEL" | cut -d' ' -f1)"
  node_sha="$(sha256sum "$DEPLOY/node/orchard-node" | cut -d' ' -f1)"
  launcher_sha="$(sha256sum "$REPO/orchard" | cut -d' ' -f1)"
  grep -qx 'ORCHARD_JOIN=10.1.2.3' "$TMP/ud.sh"
  grep -qx 'ORCHARD_ROLE=worker' "$TMP/ud.sh"
  grep -qx 'ORCHARD_IDLE_MINUTES=20' "$TMP/ud.sh"
  grep -qx "ORCHARD_JAR_SHA256=$jar_sha" "$TMP/ud.sh"
  grep -qx "ORCHARD_MODEL_SHA256=$model_sha" "$TMP/ud.sh"
  grep -qx "ORCHARD_LAUNCHER_SHA256=$launcher_sha" "$TMP/ud.sh"
  grep -qF "echo \"$node_sha  " "$TMP/ud.sh"
  grep -qF '"s3://orchard-test/orchard/ud/orchard-node"' "$TMP/ud.sh"
  (($(wc -c <"$TMP/ud.sh") < 16384)) || { echo "user-data over EC2's 16 KiB"; return 1; }
  # up writes the same user-data (with the coordinator's IP from run-instances) into its state folder
  oe "${UP[@]}" --workers 1 --region eu-west-1 --cluster-name ud --idle-timeout 20 --dry-run >/dev/null 2>&1
  diff <(sed 's/^ORCHARD_JOIN=.*//' "$TMP/ud.sh") <(sed 's/^ORCHARD_JOIN=.*//' "$TMP/state/ud/user-data-worker.sh")
  grep -qx 'ORCHARD_JOIN=DRYRUN-coordinator-ip' "$TMP/state/ud/user-data-worker.sh"
  grep -qx "ORCHARD_JOIN=''" "$TMP/state/ud/user-data-coordinator.sh"
  # The keys up uploads are the keys the user-data and orchard-node read
  oe "${UP[@]}" --workers 1 --region eu-west-1 --cluster-name ud --dry-run 2>/dev/null >"$TMP/ud-up.txt"
  grep -q ' s3://orchard-test/orchard/ud/orchard.jar$' "$TMP/ud-up.txt"
  grep -q ' s3://orchard-test/orchard/ud/model.onnx$' "$TMP/ud-up.txt"
  grep -q ' s3://orchard-test/orchard/ud/orchard-node$' "$TMP/ud-up.txt"
  grep -q ' s3://orchard-test/orchard/ud/orchard$' "$TMP/ud-up.txt"
  grep -q '"orchard/$ORCHARD_CLUSTER/orchard.jar"' "$DEPLOY/node/orchard-node"
  grep -q '"orchard/$ORCHARD_CLUSTER/model.onnx"' "$DEPLOY/node/orchard-node"
  grep -q '"orchard/$ORCHARD_CLUSTER/orchard" "$APP/orchard" "$ORCHARD_LAUNCHER_SHA256"' "$DEPLOY/node/orchard-node"
}

t_down() {
  dry_run down-us-east-1 down --cluster-name t1 --region us-east-1
}

t_down_with_bucket() {
  oe down --cluster-name t1 --region us-east-1 --bucket s3://other-bucket --dry-run 2>/dev/null >"$TMP/down-b.txt"
  grep -qx 'aws s3 rm --region us-east-1 --only-show-errors --recursive s3://other-bucket/orchard/t1/' "$TMP/down-b.txt"
}

t_down_reverses_up() {
  # Every kind of resource up creates has its delete in down, after what depends on it.
  local down
  down="$(oe down --cluster-name t1 --region us-east-1 --dry-run 2>/dev/null)"
  local order=(terminate-instances 'wait instance-terminated' delete-security-group remove-role-from-instance-profile
    delete-instance-profile detach-role-policy delete-role delete-policy 's3 rm')
  local previous=0 call line
  for call in "${order[@]}"; do
    line="$(grep -n -- "$call" <<<"$down" | head -n 1 | cut -d: -f1)"
    [[ -n "$line" ]] || { echo "down makes no '$call' call"; return 1; }
    ((line > previous)) || { echo "'$call' comes too early in down"; return 1; }
    previous="$line"
  done
}

t_submit() {
  dry_run submit-eu-west-1 submit --cluster-name demo --region eu-west-1 --job-id fruits-1 -i "$JAR" \
    --input s3://DRYRUN-bucket/in/fruits --output "s3://DRYRUN-bucket/out/fruits 1" --pca-k 50 \
    --label-from folder --label-regex '^(.*?)\s*\d*$'
}

t_submit_checks_its_flags() {
  mkdir -p "$TMP/state/orchard"
  echo my-bucket >"$TMP/state/orchard/bucket" # as up records it
  expect_error "outside s3://my-bucket" submit --region us-east-1 --input s3://elsewhere/in --output s3://my-bucket/o --dry-run
  rm "$TMP/state/orchard/bucket"
  expect_error "submit needs --output" submit --region us-east-1 --input s3://DRYRUN-bucket/in --dry-run
  expect_error "--join is set by the coordinator host" submit --region us-east-1 --join 1.2.3.4:17355 --input s3://x/i --output s3://x/o --dry-run
  expect_error "--job-id 'a b'" submit --region us-east-1 --job-id 'a b' --input s3://x/i --output s3://x/o --dry-run
}

t_submit_takes_what_orchard_takes() {
  # --input-manifest instead of --input (exactly one), s3a:// as s3://, --classifier checked like the others
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@ coordinator\t10.0.0.5\t54.1.2.3\tmy-bucket\nworker\t10.0.0.6\tNone\tmy-bucket"
  local -a base=(submit --cluster-name t1 --region us-east-1 --job-id j1)
  oe "${base[@]}" --input-manifest s3://my-bucket/lists/images.txt --output s3://my-bucket/out 2>"$FAKE/err" ||
    { cat "$FAKE/err"; return 1; }
  grep -q -- '-- --input-manifest s3://my-bucket/lists/images.txt --output s3://my-bucket/out' "$FAKE/ssh-args"
  oe "${base[@]}" --input s3a://my-bucket/in --output s3a://my-bucket/out --classifier s3://my-bucket/c/classifier.onnx \
    2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  expect_error "exactly one of --input s3://BUCKET/PREFIX (the images) or --input-manifest" \
    "${base[@]}" --input s3://my-bucket/in --input-manifest s3://my-bucket/l.txt --output s3://my-bucket/out
  expect_error "exactly one of --input" "${base[@]}" --output s3://my-bucket/out
  expect_error "--classifier 's3://other-bucket/classifier.onnx' is outside s3://my-bucket" \
    "${base[@]}" --input s3://my-bucket/in --output s3://my-bucket/out --classifier s3://other-bucket/classifier.onnx
  expect_error "--input-manifest 's3a://other/l.txt' is outside s3://my-bucket" \
    "${base[@]}" --input-manifest s3a://other/l.txt --output s3://my-bucket/out
  expect_error "--input-manifest 's3://my-bucket/orchard/t1/l.txt' is under s3://my-bucket/orchard/t1/" \
    "${base[@]}" --input-manifest s3://my-bucket/orchard/t1/l.txt --output s3://my-bucket/out
  expect_error "--classifier 's3a://my-bucket/orchard-logs/c.onnx' is under s3://my-bucket/orchard-logs/" \
    "${base[@]}" --input s3://my-bucket/in --output s3://my-bucket/out --classifier s3a://my-bucket/orchard-logs/c.onnx
}

t_submit_dry_run_checks_the_real_bucket_or_none() {
  # No bucket recorded here: the paths of the real bucket pass, with a note (never a refusal for a placeholder)
  oe submit --cluster-name dr --region us-east-1 --input s3://bkt/in --output s3://bkt/out --dry-run \
    >"$TMP/dr.out" 2>"$TMP/dr.err" || { cat "$TMP/dr.err"; return 1; }
  grep -qF "the cluster's bucket is not known here" "$TMP/dr.err"
  # ... but the prefixes down deletes are refused in any bucket
  expect_error "is under s3://bkt/orchard/dr/" submit --cluster-name dr --region us-east-1 --input s3://bkt/in \
    --output s3://bkt/orchard/dr/out --dry-run
  # The bucket up recorded: checked against it
  mkdir -p "$TMP/state/dr"
  echo bkt >"$TMP/state/dr/bucket"
  oe submit --cluster-name dr --region us-east-1 --input s3://bkt/in --output s3://bkt/out --dry-run \
    >"$TMP/dr.out" 2>"$TMP/dr.err" || { cat "$TMP/dr.err"; return 1; }
  grep -qF 'checking the job'"'"'s paths against s3://bkt' "$TMP/dr.err"
  expect_error "--input 's3://other/in' is outside s3://bkt" submit --cluster-name dr --region us-east-1 \
    --input s3://other/in --output s3://bkt/out --dry-run
}

t_up_records_the_bucket_for_submit() {
  fake_aws "$AWS_V2
ec2 describe-instances .*--instance-ids i-c0 @@ 0 @@ 54.1.2.3
ec2 describe-(instances|security-groups) @@ 0 @@
$(NO_SUCH 'iam get-role' GetRole)
^s3 (cp|rm) @@ 0 @@
ec2 describe-vpcs @@ 0 @@ vpc-1
ec2 describe-subnets @@ 0 @@ subnet-1
iam create-policy @@ 0 @@ arn:aws:iam::123456789012:policy/orchard/orchard-rb-bucket
iam (create-role|attach-role-policy|add-role-to-instance-profile|wait|create-instance-profile) @@ 0 @@
ec2 create-security-group @@ 0 @@ sg-1
ec2 authorize-security-group-ingress @@ 0 @@ True
ec2 run-instances .*--count 1 @@ 0 @@ i-c0\t10.0.0.5
ec2 run-instances .*--count 1 @@ 0 @@ i-w1
ec2 wait instance-running @@ 0 @@"
  oe "${UP[@]}" --workers 1 --region us-east-1 --cluster-name rb 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  [[ "$(cat "$TMP/state/rb/bucket")" == orchard-test ]]
}

t_status_and_logs() {
  dry_run status-us-east-1 status --cluster-name t1 --region us-east-1
  dry_run logs-us-east-1 logs --cluster-name t1 --region us-east-1
}

t_region_from_environment() {
  AWS_REGION=us-east-2 oe down --cluster-name env --dry-run 2>/dev/null >"$TMP/env.txt"
  grep -q -- '--region us-east-2' "$TMP/env.txt"
  ! grep -q -- '--region us-east-1' "$TMP/env.txt"
}

t_bad_flags() {
  local -a base=(--instance-type m5.xlarge --bucket s3://bkt --key-name k --region us-east-1 --jar "$JAR" --model "$MODEL" --dry-run)
  expect_error "up needs --workers" up "${base[@]}"
  expect_error "--workers '0' must be a number from 1 to 200" up --workers 0 "${base[@]}"
  expect_error "--workers 'four'" up --workers four "${base[@]}"
  expect_error "up needs --bucket" up --workers 1 --instance-type m5.xlarge --key-name k --region us-east-1 --dry-run
  expect_error "names a prefix: give only the bucket (s3://bkt)" up --workers 1 --instance-type m5.xlarge --bucket s3://bkt/data --key-name k --region us-east-1 --dry-run
  expect_error "is not a valid S3 bucket name" up --workers 1 --instance-type m5.xlarge --bucket s3://B_ad --key-name k --region us-east-1 --dry-run
  expect_error "up needs --key-name" up --workers 1 --instance-type m5.xlarge --bucket s3://bkt --region us-east-1 --dry-run
  expect_error "no AWS region: pass --region" up --workers 1 --instance-type m5.xlarge --bucket s3://bkt --key-name k --dry-run
  expect_error "--region 'useast1'" down --region useast1 --dry-run
  expect_error "--cluster-name 'Big_Name'" down --cluster-name Big_Name --region us-east-1 --dry-run
  expect_error "up: unknown option '--wrokers'" up --wrokers 2 "${base[@]}"
  expect_error "no orchard.jar at /nonexistent.jar" up --workers 1 --instance-type m5.xlarge --bucket s3://bkt --key-name k --region us-east-1 --jar /nonexistent.jar --dry-run
  expect_error "--ssh-cidr 'me'" up --workers 1 --ssh-cidr me "${base[@]}"
  expect_error "--ssh-cidr '999.1.2.3/32' must be an IPv4 CIDR like 203.0.113.7/32 (each number 0-255)" up --workers 1 --ssh-cidr 999.1.2.3/32 "${base[@]}"
  expect_error "--ssh-cidr '1.2.3.4/33' must be an IPv4 CIDR" up --workers 1 --ssh-cidr 1.2.3.4/33 "${base[@]}"
  expect_error "--ssh-cidr '1.2.3.4/99' must be an IPv4 CIDR" up --workers 1 --ssh-cidr 1.2.3.4/99 "${base[@]}"
  oe up --workers 1 --ssh-cidr 0.0.0.0/0 "${base[@]}" 2>"$TMP/open.err" >/dev/null
  grep -qF 'warning: --ssh-cidr 0.0.0.0/0 opens SSH (port 22) of every node to the whole internet' "$TMP/open.err"
  oe up --workers 1 --ssh-cidr 203.0.113.255/24 "${base[@]}" 2>"$TMP/ok.err" >/dev/null || { cat "$TMP/ok.err"; return 1; }
  if grep -q warning "$TMP/ok.err"; then cat "$TMP/ok.err"; return 1; fi
  expect_error "--job '../../x' must be letters, digits" logs --region us-east-1 --job ../../x --dry-run
  expect_error "--idle-timeout 'soon'" up --workers 1 --idle-timeout soon "${base[@]}"
  expect_error "unknown command 'start'" start
}

t_up_with_fake_aws() {
  fake_aws "$AWS_V2
ec2 describe-instances .*--instance-ids i-c0 @@ 0 @@ 54.1.2.3
ec2 describe-instances @@ 0 @@
ec2 describe-security-groups @@ 0 @@
$(NO_SUCH 'iam get-role' GetRole)
^s3 (cp|rm) @@ 0 @@
ec2 describe-vpcs @@ 0 @@ vpc-1
ec2 describe-subnets @@ 0 @@ subnet-1
iam create-role @@ 0 @@ arn:aws:iam::123456789012:role/orchard/orchard-t1-node
iam create-policy @@ 0 @@ arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket
iam (attach-role-policy|add-role-to-instance-profile|wait) @@ 0 @@
iam create-instance-profile @@ 0 @@ arn:aws:iam::123456789012:instance-profile/orchard/orchard-t1-node
ec2 create-security-group @@ 0 @@ sg-1
ec2 authorize-security-group-ingress @@ 0 @@ True
ec2 run-instances .*--count 1 @@ 255 @@  @@ An error occurred (InvalidParameterValue) when calling the RunInstances operation: Value (orchard-t1-node) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name @@ once
ec2 run-instances .*--count 1 @@ 0 @@ i-c0\t10.0.0.5
ec2 run-instances .*--count 2 @@ 0 @@ i-w1\ti-w2
ec2 wait instance-running @@ 0 @@"
  oe "${UP[@]}" --workers 2 --region us-east-1 --cluster-name t1 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  [[ "$(called 'ec2 run-instances')" == 3 ]] || { echo "run-instances not retried once"; cat "$FAKE/calls"; return 1; }
  grep -qx 'ec2 wait instance-running --region us-east-1 --instance-ids i-c0 i-w1 i-w2' "$FAKE/calls"
  grep -q -- '--group-id sg-1 ' "$FAKE/calls"
  grep -q -- '--policy-arn arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket' "$FAKE/calls"
  grep -qx 'ORCHARD_JOIN=10.0.0.5' "$TMP/state/t1/user-data-worker.sh"
  grep -qF 'coordinator i-c0 (10.0.0.5, public 54.1.2.3), workers i-w1' "$FAKE/err"
}

t_up_interrupted_says_what_to_remove() {
  # Ctrl-C (SIGINT to the terminal's process group), kill (SIGTERM), a closed terminal (SIGHUP) while up waits for
  # the instances: it says what it created and the down that removes it. python3 starts it in a process group of
  # its own with the three signals' default actions: a background job of a script starts with SIGINT ignored, and a
  # suite started under nohup with SIGHUP ignored, which bash then cannot trap (CI's first runs: exit 1 after the fake
  # call's 60 s, for 129).
  command -v python3 >/dev/null || { echo "needs python3 to send SIGINT as a terminal does"; return 77; }
  local sig number pid rc i
  for sig in INT TERM HUP; do
    fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@
ec2 describe-security-groups @@ 0 @@
$(NO_SUCH 'iam get-role' GetRole)
^s3 (cp|rm) @@ 0 @@
ec2 describe-vpcs @@ 0 @@ vpc-1
ec2 describe-subnets @@ 0 @@ subnet-1
iam create-role @@ 0 @@ arn:aws:iam::123456789012:role/orchard/orchard-t1-node
iam create-policy @@ 0 @@ arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket
iam (attach-role-policy|add-role-to-instance-profile|wait|create-instance-profile) @@ 0 @@
ec2 create-security-group @@ 0 @@ sg-1
ec2 authorize-security-group-ingress @@ 0 @@ True
ec2 run-instances .*--count 1 @@ 0 @@ i-c0\t10.0.0.5
ec2 run-instances .*--count 2 @@ 0 @@ i-w1\ti-w2
ec2 wait instance-running @@ hang @@"
    python3 -c 'import os, signal, sys
for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(number, signal.SIG_DFL)
os.setpgid(0, 0)
os.environ["PATH"] = sys.argv[1]  # as given: a pyenv shim for python3 puts its own aws first
os.execvp(sys.argv[2], sys.argv[2:])' "$PATH" "$OE" "${UP[@]}" --workers 2 --region us-east-1 --cluster-name t1 2>"$FAKE/err" &
    pid=$!
    for ((i = 0; i < 200; i++)); do
      [[ ! -e "$FAKE/calls.hanging" ]] || break
      sleep 0.1
    done
    [[ -e "$FAKE/calls.hanging" ]] || { echo "up never reached 'wait instance-running'"; cat "$FAKE/err"; kill -KILL -- "-$pid"; return 1; }
    kill "-$sig" -- "-$pid"
    rc=0
    wait "$pid" || rc=$?
    number="$(kill -l "$sig")"
    ((rc == 128 + number)) || { echo "SIG$sig: up exited $rc, expected $((128 + number))"; cat "$FAKE/err"; return 1; }
    grep -qF "up was interrupted (SIG$sig) while waiting for the instances to run." "$FAKE/err" || { cat "$FAKE/err"; return 1; }
    grep -qF 'created (or being created): security group orchard-t1' "$FAKE/err"
    grep -qF 'created (or being created): the coordinator instance i-c0' "$FAKE/err"
    grep -qF 'created (or being created): the worker instances i-w1 i-w2' "$FAKE/err" || { cat "$FAKE/err"; return 1; }
    grep -qF "  $OE down --cluster-name t1 --region us-east-1" "$FAKE/err"
  done
}

t_up_refuses_an_existing_cluster() {
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@ i-old1\ti-old2"
  expect_error "cluster t1 already has instances" "${UP[@]}" --workers 1 --region us-east-1 --cluster-name t1
  [[ "$(called create)" == 0 && "$(called 's3 cp')" == 0 ]] || { echo "up created something"; return 1; }
}

t_down_after_a_partial_up() {
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@
ec2 describe-security-groups @@ 0 @@ sg-1\tmy-bucket
ec2 delete-security-group @@ 255 @@  @@ An error occurred (DependencyViolation) when calling the DeleteSecurityGroup operation: resource sg-1 has a dependent object @@ once
ec2 delete-security-group @@ 0 @@
$(NO_SUCH 'iam list-instance-profile-tags' ListInstanceProfileTags)
iam list-role-tags @@ 0 @@ t1
sts get-caller-identity @@ 0 @@ 123456789012
iam list-attached-role-policies @@ 0 @@ arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket
iam list-role-policies @@ 0 @@
iam list-policy-tags @@ 0 @@ t1
iam list-policy-versions @@ 0 @@ v2
iam (detach-role-policy|delete-role|delete-policy-version|delete-policy) @@ 0 @@
s3 ls @@ 1 @@
s3 rm @@ 0 @@"
  oe down --cluster-name t1 --region us-east-1 2>"$FAKE/err" || { cat "$FAKE/err" "$FAKE/calls"; return 1; }
  [[ "$(called 'ec2 delete-security-group --region us-east-1 --group-id sg-1')" == 2 ]]
  [[ "$(called 'terminate-instances')" == 0 && "$(called 'delete-instance-profile')" == 0 ]]
  grep -qx 'iam delete-policy-version --policy-arn arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket --version-id v2' "$FAKE/calls"
  grep -qx 'iam delete-role --role-name orchard-t1-node' "$FAKE/calls"
  grep -qx 'iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket' "$FAKE/calls"
  grep -qx 's3 rm --region us-east-1 --only-show-errors --recursive s3://my-bucket/orchard/t1/' "$FAKE/calls"
  grep -q 'cluster t1 is down' "$FAKE/err"
}

t_down_leaves_what_it_did_not_create() {
  fake_aws "$AWS_V2
ec2 describe-(instances|security-groups) @@ 0 @@
iam list-instance-profile-tags @@ 0 @@ None
iam list-role-tags @@ 0 @@ someone-else
sts get-caller-identity @@ 0 @@ 123456789012
$(NO_SUCH 'iam list-policy-tags' ListPolicyTags)"
  local rc=0
  oe down --cluster-name t1 --region us-east-1 2>"$FAKE/err" || rc=$?
  ((rc == 1)) || { echo "down exited $rc, expected 1"; cat "$FAKE/err"; return 1; }
  grep -q 'role orchard-t1-node is not tagged orchard:cluster=t1 (tag: someone-else)' "$FAKE/err"
  [[ "$(called 'iam delete-')" == 0 && "$(called 'iam remove-')" == 0 ]] || { cat "$FAKE/calls"; return 1; }
}

# IAM names are global, instances and security groups per region (review finding 1)
t_iam_records_its_region() {
  oe "${UP[@]}" --workers 1 --region eu-west-1 --cluster-name reg --dry-run 2>/dev/null >"$TMP/reg.txt"
  [[ "$(grep -E '^aws iam create-(role|policy|instance-profile) ' "$TMP/reg.txt" |
    grep -c -- '--tags Key=orchard:cluster,Value=reg Key=orchard:region,Value=eu-west-1 ')" == 3 ]] ||
    { grep '^aws iam create' "$TMP/reg.txt"; return 1; }
}

t_down_in_another_region_leaves_the_cluster_alone() {
  local iam_answers='iam list-(instance-profile|role|policy)-tags @@ 0 @@ t1\teu-west-1'
  fake_aws "$AWS_V2
ec2 describe-(instances|security-groups) @@ 0 @@
$iam_answers
sts get-caller-identity @@ 0 @@ 123456789012"
  local rc=0
  oe down --cluster-name t1 --region us-east-1 --bucket s3://my-bucket 2>"$FAKE/err" || rc=$?
  ((rc == 1)) || { echo "down exited $rc, expected 1"; cat "$FAKE/err"; return 1; }
  grep -qF "nothing of cluster t1 is in us-east-1: the cluster is in eu-west-1 (its IAM role says so); to remove it: $OE down --cluster-name t1 --region eu-west-1" "$FAKE/err" ||
    { cat "$FAKE/err"; return 1; }
  grep -qF 'role orchard-t1-node belongs to cluster t1 in eu-west-1 (its tag orchard:region), not in us-east-1: left alone' "$FAKE/err"
  ! grep -q 'is down' "$FAKE/err" || { cat "$FAKE/err"; return 1; }
  [[ "$(called 'iam delete-')" == 0 && "$(called 'iam remove-')" == 0 && "$(called 'iam detach-')" == 0 &&
    "$(called '^s3 ')" == 0 ]] || { cat "$FAKE/calls"; return 1; }
  # Something of the cluster here (a security group left over): that goes, the IAM stays, exit 0
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@
ec2 describe-security-groups @@ 0 @@ sg-9\tmy-bucket
ec2 delete-security-group @@ 0 @@
$iam_answers
sts get-caller-identity @@ 0 @@ 123456789012"
  oe down --cluster-name t1 --region us-east-1 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  grep -qx 'ec2 delete-security-group --region us-east-1 --group-id sg-9' "$FAKE/calls"
  grep -qF "its IAM role, policy and instance profile belong to its instances in eu-west-1: $OE down --cluster-name t1 --region eu-west-1" "$FAKE/err"
  [[ "$(called 'iam delete-')" == 0 && "$(called '^s3 ')" == 0 ]] || { cat "$FAKE/calls"; return 1; }
  # In the cluster's own region the IAM goes, though nothing else is left there (a failed up before the group)
  fake_aws "$AWS_V2
ec2 describe-(instances|security-groups) @@ 0 @@
$iam_answers
sts get-caller-identity @@ 0 @@ 123456789012
iam get-instance-profile @@ 0 @@ orchard-t1-node
iam list-attached-role-policies @@ 0 @@ arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket
iam (list-role-policies|list-policy-versions) @@ 0 @@
iam (remove-role-from-instance-profile|delete-instance-profile|detach-role-policy|delete-role|delete-policy) @@ 0 @@"
  oe down --cluster-name t1 --region eu-west-1 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  grep -qx 'iam delete-role --role-name orchard-t1-node' "$FAKE/calls"
  grep -qx 'iam delete-instance-profile --instance-profile-name orchard-t1-node' "$FAKE/calls"
  grep -qx 'iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket' "$FAKE/calls"
  grep -q 'cluster t1 is down' "$FAKE/err"
}

t_down_with_iam_of_an_older_orchard_ec2() {
  # No region tag (made before it existed) and nothing of the cluster here: it may run elsewhere, so IAM stays.
  local answers='ec2 describe-(instances|security-groups) @@ 0 @@
iam list-(instance-profile|role|policy)-tags @@ 0 @@ t1\tNone
sts get-caller-identity @@ 0 @@ 123456789012
iam get-instance-profile @@ 0 @@ orchard-t1-node
iam list-attached-role-policies @@ 0 @@ arn:aws:iam::123456789012:policy/orchard/orchard-t1-bucket
iam (list-role-policies|list-policy-versions) @@ 0 @@
iam (remove-role-from-instance-profile|delete-instance-profile|detach-role-policy|delete-role|delete-policy) @@ 0 @@'
  fake_aws "$AWS_V2
$answers"
  local rc=0
  oe down --cluster-name t1 --region us-east-1 2>"$FAKE/err" || rc=$?
  ((rc == 1)) || { echo "down exited $rc, expected 1"; cat "$FAKE/err"; return 1; }
  grep -qF 'role orchard-t1-node does not record its region' "$FAKE/err"
  grep -qF -- "$OE down --cluster-name t1 --region us-east-1 --delete-iam-without-region" "$FAKE/err"
  [[ "$(called 'iam delete-')" == 0 ]] || { cat "$FAKE/calls"; return 1; }
  fake_aws "$AWS_V2
$answers"
  oe down --cluster-name t1 --region us-east-1 --delete-iam-without-region 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  grep -qx 'iam delete-role --role-name orchard-t1-node' "$FAKE/calls"
}

t_hints_name_the_region() {
  # up: the role of a cluster of that name in another region
  fake_aws "$AWS_V2
ec2 describe-(instances|security-groups) @@ 0 @@
iam get-role @@ 0 @@ eu-west-1"
  expect_error "IAM role orchard-t1-node of cluster t1 in eu-west-1 is still there (IAM names are global: one cluster of a name per account): run $OE down --cluster-name t1 --region eu-west-1 first" \
    "${UP[@]}" --workers 1 --region us-west-2 --cluster-name t1
  # status here: nothing in us-west-2, the role says eu-west-1
  fake_aws "$AWS_V2
ec2 describe-(instances|security-groups) @@ 0 @@
iam get-role @@ 0 @@ arn:aws:iam::123456789012:role/orchard/orchard-t1-node\teu-west-1"
  oe status --cluster-name t1 --region us-west-2 >"$FAKE/out"
  grep -qF 'cluster t1 is in eu-west-1 (its IAM role says so): orchard-ec2 status --cluster-name t1 --region eu-west-1' "$FAKE/out" ||
    { cat "$FAKE/out"; return 1; }
  grep -qF 'removed by: orchard-ec2 down --cluster-name t1 --region eu-west-1)' "$FAKE/out"
}

t_submit_with_fake_aws() {
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@ worker\t10.0.0.6\tNone\tmy-bucket\ncoordinator\t10.0.0.5\t54.1.2.3\tmy-bucket\nworker\t10.0.0.7\tNone\tmy-bucket"
  oe submit --cluster-name t1 --region us-east-1 --job-id j1 --input s3://my-bucket/in \
    --output "s3://my-bucket/out 1" --label-regex '^(.*?)\s*\d*$' 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  mapfile -t argv <"$FAKE/ssh-args"
  [[ "${argv[-2]}" == ec2-user@54.1.2.3 ]] || { echo "ssh target: ${argv[-2]}"; return 1; }
  # The remote shell must see exactly the flags given to submit
  local remote="${argv[-1]}"
  [[ "$remote" == "sudo /opt/orchard/orchard-node submit --job-id j1 --seeds 10.0.0.6,10.0.0.7 -- "* ]] || { echo "$remote"; return 1; }
  mapfile -t remote_args < <(bash -c "printf '%s\n' ${remote#sudo }")
  local expected=(/opt/orchard/orchard-node submit --job-id j1 --seeds "10.0.0.6,10.0.0.7" -- --input s3://my-bucket/in
    --output "s3://my-bucket/out 1" --label-regex '^(.*?)\s*\d*$' --min-workers 2)
  [[ "${remote_args[*]}" == "${expected[*]}" && "${#remote_args[@]}" == "${#expected[@]}" ]] ||
    { printf 'remote args: %s\n' "${remote_args[@]}"; return 1; }
}

t_submit_refuses_what_down_deletes() {
  # down deletes s3://B/orchard/CLUSTER/; orchard-logs/ holds the logs the nodes overwrite: no job's data goes there.
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@ coordinator\t10.0.0.5\t54.1.2.3\tmy-bucket\nworker\t10.0.0.6\tNone\tmy-bucket"
  local -a base=(submit --cluster-name t1 --region us-east-1 --job-id j1)
  expect_error "--input 's3://my-bucket/orchard/t1/images' is under s3://my-bucket/orchard/t1/, where orchard-ec2 keeps cluster t1's jar, model and scripts: 'orchard-ec2 down' deletes everything under that prefix" \
    "${base[@]}" --input s3://my-bucket/orchard/t1/images --output s3://my-bucket/out
  expect_error "--output 's3://my-bucket/orchard/t1' is under s3://my-bucket/orchard/t1/" \
    "${base[@]}" --input s3://my-bucket/in --output s3://my-bucket/orchard/t1
  expect_error "--output 's3://my-bucket/orchard-logs/t1/results' is under s3://my-bucket/orchard-logs/" \
    "${base[@]}" --input s3://my-bucket/in --output=s3://my-bucket/orchard-logs/t1/results
  expect_error "--input 's3://my-bucket/orchard-logs' is under s3://my-bucket/orchard-logs/" \
    "${base[@]}" --input s3://my-bucket/orchard-logs --output s3://my-bucket/out
  [[ ! -e "$FAKE/ssh-args" ]] || { echo "submit ran ssh"; return 1; }
  # Another cluster's name that merely starts like this one's is fine
  oe "${base[@]}" --input s3://my-bucket/orchard/t1-data/in --output s3://my-bucket/orchard-out 2>"$FAKE/err" ||
    { cat "$FAKE/err"; return 1; }
}

t_down_says_what_it_deletes_in_the_bucket() {
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@
ec2 describe-security-groups @@ 0 @@ sg-1\tmy-bucket
ec2 delete-security-group @@ 0 @@
iam list-(instance-profile|role|policy)-tags @@ 0 @@
sts get-caller-identity @@ 0 @@ 123456789012
s3 ls @@ 0 @@ 2026-11-21 10:00:00   99000000 orchard/t1/orchard.jar\n2026-11-21 10:00:01   14000000 orchard/t1/model.onnx\n2026-11-21 10:00:02       4000 orchard/t1/orchard\n2026-11-21 10:00:02      30000 orchard/t1/orchard-node\n2026-11-21 12:00:00      12345 orchard/t1/results/_SUCCESS\n2026-11-21 12:00:00      12345 orchard/t1/my images/a.jpg
s3 rm @@ 0 @@"
  oe down --cluster-name t1 --region us-east-1 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  grep -qF 'holds 2 object(s) that orchard-ec2 did not put there, e.g. s3://my-bucket/orchard/t1/results/_SUCCESS, s3://my-bucket/orchard/t1/my images/a.jpg' "$FAKE/err" ||
    { cat "$FAKE/err"; return 1; }
  grep -qF 'left 2 object(s) under s3://my-bucket/orchard/t1/' "$FAKE/err"
  [[ "$(called 's3 rm')" == 4 && "$(called 's3 rm .*--recursive')" == 0 ]] || { cat "$FAKE/calls"; return 1; }
  grep -qx 's3 rm --region us-east-1 --only-show-errors s3://my-bucket/orchard/t1/orchard.jar' "$FAKE/calls"
  # Only what up uploaded: all of the prefix goes, and down says what that is
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@
ec2 describe-security-groups @@ 0 @@ sg-1\tmy-bucket
ec2 delete-security-group @@ 0 @@
iam list-(instance-profile|role|policy)-tags @@ 0 @@
sts get-caller-identity @@ 0 @@ 123456789012
s3 ls @@ 0 @@ 2026-11-21 10:00:00   99000000 orchard/t1/orchard.jar\n2026-11-21 10:00:01   14000000 orchard/t1/model.onnx\n2026-11-21 13:00:00   100 orchard/t1/shutdown
s3 rm @@ 0 @@"
  oe down --cluster-name t1 --region us-east-1 2>"$FAKE/err" || { cat "$FAKE/err"; return 1; }
  grep -qF 'deleting s3://my-bucket/orchard/t1/: orchard.jar model.onnx shutdown (what up uploaded there' "$FAKE/err" || { cat "$FAKE/err"; return 1; }
  grep -qx 's3 rm --region us-east-1 --only-show-errors --recursive s3://my-bucket/orchard/t1/' "$FAKE/calls"
}

t_status_with_fake_aws() {
  fake_aws "$AWS_V2
ec2 describe-instances @@ 0 @@ coordinator\ti-c0\trunning\tm5.xlarge\ton-demand\t10.0.0.5\t54.1.2.3\t2026-11-21T10:00:00+00:00\nworker\ti-w1\trunning\tm5.xlarge\tspot\t10.0.0.6\t-\t2026-11-21T10:00:01+00:00
ec2 describe-security-groups @@ 0 @@ sg-1
iam get-role @@ 0 @@ arn:aws:iam::123456789012:role/orchard/orchard-t1-node"
  oe status --cluster-name t1 --region us-east-1 >"$FAKE/out"
  grep -q '^coordinator  *i-c0  *running  *m5.xlarge  *on-demand  *10.0.0.5  *54.1.2.3' "$FAKE/out"
  grep -qF 'running cost: $0.384/h on-demand' "$FAKE/out"
  grep -qF 'also: security group sg-1, role arn:aws:iam::123456789012:role/orchard/orchard-t1-node (free; removed by: orchard-ec2 down --cluster-name t1 --region us-east-1)' "$FAKE/out" ||
    { cat "$FAKE/out"; return 1; }
  grep -qF 'status page (while a job runs): ssh -N -L 8558:127.0.0.1:8558 ec2-user@54.1.2.3' "$FAKE/out"
}

t_up_opens_no_status_page_port() {
  # The status page and /metrics listen on each node's loopback (8558, 8559): up opens the Pekko port to the cluster's
  # own security group and SSH to the caller, nothing else; the status page is reached through an SSH tunnel.
  oe "${UP[@]}" --workers 1 --region us-east-1 --cluster-name ports --dry-run 2>/dev/null >"$TMP/ports.txt"
  local ports
  ports="$(grep -E '^aws ec2 authorize-security-group-ingress' "$TMP/ports.txt" | grep -oE 'FromPort=[0-9]+' | sort | tr '\n' ' ')"
  [[ "$ports" == "FromPort=17355 FromPort=22 " ]] || { echo "ingress rules open: $ports"; return 1; }
}

t_logs_with_fake_aws() {
  fake_aws "$AWS_V2
ec2 describe-security-groups @@ 0 @@ my-bucket
s3 ls @@ 0 @@ 2026-11-21 10:00:00       1234 orchard-logs/t1/jobs/job-a/job.log\n2026-11-21 11:00:00       1234 orchard-logs/t1/jobs/job-b/job.log\n2026-11-21 11:30:00        100 orchard-logs/t1/nodes/worker-10.0.0.6.log
s3 cp @@ 0 @@ the log of job-b"
  oe logs --cluster-name t1 --region us-east-1 >"$FAKE/out" 2>"$FAKE/err"
  grep -qx 's3 cp --region us-east-1 s3://my-bucket/orchard-logs/t1/jobs/job-b/job.log -' "$FAKE/calls"
  grep -qx 'the log of job-b' "$FAKE/out"
}

# ------------------------------------------------------------------------------------------- the node, locally
# orchard-node and the user-data as the rehearsal runs them (ORCHARD_LOCAL_BUCKET: a folder stands for the bucket,
# ORCHARD_ROOT: a folder for the host's /; a host that halts writes var/lib/orchard/halted), without namespaces.

# node_env ROOT ROLE IDLE-MINUTES [JOIN]: a node.env as the user-data writes it. The coordinator's address is the
# loopback by default: a worker's watch asks it at the node port (a refusal: the host is there), and no packet leaves.
node_env() {
  mkdir -p "$1/etc/orchard" "$1/var/lib/orchard/jobs" "$1/var/log/orchard"
  printf '%s\n' ORCHARD_CLUSTER=nb "ORCHARD_ROLE=$2" ORCHARD_BUCKET=nb-bucket ORCHARD_REGION=us-east-1 \
    "ORCHARD_JOIN=${4:-127.0.0.1}" "ORCHARD_IDLE_MINUTES=$3" ORCHARD_JAR_SHA256=x ORCHARD_MODEL_SHA256=x \
    ORCHARD_LAUNCHER_SHA256=x >"$1/etc/orchard/node.env"
}

on_node() { # ROOT BUCKET-FOLDER COMMAND...: orchard-node COMMAND on that "host"
  local root="$1" bucket="$2"
  shift 2
  env ORCHARD_ROOT="$root" ORCHARD_LOCAL_BUCKET="$bucket" ORCHARD_BIND_IP=10.0.0.5 bash "$DEPLOY/node/orchard-node" "$@"
}

t_boot_failure_powers_the_node_off() {
  local dir="$TMP/nb" bucket="$TMP/nb/bucket" role rc
  mkdir -p "$bucket/orchard/nb"
  cp "$DEPLOY/node/orchard-node" "$bucket/orchard/nb/orchard-node"
  printf 'not the jar\n' >"$bucket/orchard/nb/orchard.jar" # its SHA-256 is not the one the user-data records
  cp "$MODEL" "$bucket/orchard/nb/model.onnx"
  cp "$REPO/orchard" "$bucket/orchard/nb/orchard"
  for role in worker coordinator; do
    oe user-data --role "$role" --join 10.0.0.5 --cluster-name nb --bucket s3://nb-bucket --region us-east-1 \
      --idle-timeout 0 --jar "$JAR" --model "$MODEL" >"$dir/ud-$role.sh"
  done
  boot_host() { # ROLE IP
    rc=0
    env ORCHARD_ROOT="$dir/$1" ORCHARD_LOCAL_BUCKET="$bucket" ORCHARD_BIND_IP="$2" ORCHARD_JAVA=true \
      bash "$dir/ud-$1.sh" >"$dir/$1.out" 2>&1 || rc=$?
    ((rc != 0)) || { echo "the $1's boot succeeded with a wrong jar"; cat "$dir/$1.out"; return 1; }
  }
  # orchard-node's boot fails: the boot log goes to the bucket, then the host powers off
  boot_host worker 10.0.0.6
  grep -qx 'boot failed' "$dir/worker/var/lib/orchard/halted" || { cat "$dir/worker.out"; return 1; }
  grep -q '^failed ' "$dir/worker/var/lib/orchard/boot-state"
  grep -q "but 'orchard-ec2 up' recorded" "$bucket/orchard-logs/nb/nodes/worker-10.0.0.6-boot.log"
  grep -q 'powering this host off' "$bucket/orchard-logs/nb/nodes/worker-10.0.0.6-boot.log"
  [[ ! -e "$bucket/orchard/nb/shutdown" ]] || { echo "a worker wrote the shutdown marker"; return 1; }
  # A coordinator's also writes the shutdown marker, so that the workers power off too (even without idle timeout)
  boot_host coordinator 10.0.0.5
  grep -qx 'boot failed' "$dir/coordinator/var/lib/orchard/halted"
  grep -q "the coordinator's boot failed" "$bucket/orchard/nb/shutdown" || { cat "$dir/coordinator.out"; return 1; }
  # The user-data's own failure (orchard-node not in the bucket) powers off too
  rm -f "$bucket/orchard/nb/orchard-node" "$bucket/orchard/nb/shutdown"
  rm -rf "${dir:?}/worker"
  boot_host worker 10.0.0.6
  grep -q '^user-data: cannot read orchard/nb/orchard-node' "$dir/worker/var/lib/orchard/halted" || { cat "$dir/worker.out"; return 1; }
}

t_idle_check_halts_even_if_the_marker_cannot_be_written() {
  local root="$TMP/idle/root" rc=0
  node_env "$root" coordinator 1
  touch -d '-5 minutes' "$root/var/lib/orchard/last-activity"
  printf 'a file, not a folder\n' >"$TMP/idle/file"
  # A failed write is tried again a minute later (powering off at once left the workers running), for 30 minutes
  on_node "$root" "$TMP/idle/file/bucket" idle-check 2>"$TMP/idle/err" || rc=$?
  ((rc == 0)) || { echo "idle-check exited $rc"; cat "$TMP/idle/err"; return 1; }
  [[ ! -e "$root/var/lib/orchard/halted" ]] || { echo "halted at the first failed write"; return 1; }
  grep -q 'could not write the shutdown marker .*(for 0 of the 30 minutes it is tried): trying again' "$TMP/idle/err" ||
    { cat "$TMP/idle/err"; return 1; }
  # A short job between two checks starts the next idle period afresh, its retries too (an old retry file powered
  # the host off at the first failed write of the next period: the review of the change)
  touch -d '-40 minutes' "$root/var/lib/orchard/marker-unwritten-since"
  touch "$root/var/lib/orchard/last-activity"
  on_node "$root" "$TMP/idle/file/bucket" idle-check 2>"$TMP/idle/err"
  [[ ! -e "$root/var/lib/orchard/marker-unwritten-since" ]] || { echo "the old retry file stayed"; return 1; }
  # A running job is activity, however old the last one
  touch -d '-50 minutes' "$root/var/lib/orchard/last-activity"
  sleep 600 &
  local job=$!
  echo "$job" >"$root/var/lib/orchard/job.pid"
  echo j1 >"$root/var/lib/orchard/job.id"
  on_node "$root" "$TMP/idle/file/bucket" idle-check 2>"$TMP/idle/err" || rc=$?
  kill "$job" 2>/dev/null
  wait "$job" 2>/dev/null || true
  rm -f "$root/var/lib/orchard/job.pid"
  [[ ! -e "$root/var/lib/orchard/halted" ]] || { echo "halted while a job ran"; return 1; }
  # touched by the check: newer than the 50 minutes it was set back (no clock margin to race)
  (($(date +%s) - $(stat -c %Y "$root/var/lib/orchard/last-activity") < 49 * 60)) || { echo "the job was not activity"; return 1; }
  # Then idle again, the marker unwritable for over 30 minutes: powered off without it
  touch -d '-5 minutes' "$root/var/lib/orchard/last-activity"
  on_node "$root" "$TMP/idle/file/bucket" idle-check 2>"$TMP/idle/err" || rc=$?
  [[ ! -e "$root/var/lib/orchard/halted" ]] || { echo "halted at the first failed write"; return 1; }
  touch -d '-31 minutes' "$root/var/lib/orchard/marker-unwritten-since"
  on_node "$root" "$TMP/idle/file/bucket" idle-check 2>"$TMP/idle/err" || rc=$?
  ((rc == 0)) || { echo "idle-check exited $rc"; cat "$TMP/idle/err"; return 1; }
  grep -qx 'idle timeout' "$root/var/lib/orchard/halted" || { cat "$TMP/idle/err"; return 1; }
  grep -q 'could not write the shutdown marker .*powering this host off anyway' "$TMP/idle/err"
}

t_worker_that_cannot_read_the_marker_powers_off() {
  local root="$TMP/watch/root" bucket="$TMP/watch/bucket" gone="$TMP/watch/gone"
  node_env "$root" worker 2
  mkdir -p "$bucket"
  on_node "$root" "$bucket" watch # no marker: nothing happens
  [[ ! -e "$root/var/lib/orchard/halted" && ! -e "$root/var/lib/orchard/marker-unreadable-since" ]]
  on_node "$root" "$gone" watch 2>"$TMP/watch/err" # the bucket cannot be read: counted, not yet acted on
  [[ ! -e "$root/var/lib/orchard/halted" ]] || { echo "halted at the first error"; return 1; }
  grep -q 'could not read s3://nb-bucket/orchard/nb/shutdown (for 0 of the 30 minutes' "$TMP/watch/err" ||
    { cat "$TMP/watch/err"; return 1; }
  # Not after the idle timeout's 2 minutes alone: a busy worker's few minutes of S3 errors are not a lost bucket
  touch -d '-3 minutes' "$root/var/lib/orchard/marker-unreadable-since"
  on_node "$root" "$gone" watch 2>"$TMP/watch/err"
  [[ ! -e "$root/var/lib/orchard/halted" ]] || { echo "halted after 3 minutes of errors"; return 1; }
  touch -d '-31 minutes' "$root/var/lib/orchard/marker-unreadable-since"
  on_node "$root" "$gone" watch 2>"$TMP/watch/err"
  grep -qx 'shutdown marker unreadable' "$root/var/lib/orchard/halted" || { cat "$TMP/watch/err"; return 1; }
  # A read that works again resets the count; without an idle timeout a worker never powers off on errors
  rm -f "$root/var/lib/orchard/halted"
  on_node "$root" "$bucket" watch
  [[ ! -e "$root/var/lib/orchard/marker-unreadable-since" ]]
  node_env "$root" worker 0
  on_node "$root" "$gone" watch 2>/dev/null
  touch -d '-300 minutes' "$root/var/lib/orchard/marker-unreadable-since"
  on_node "$root" "$gone" watch 2>/dev/null
  [[ ! -e "$root/var/lib/orchard/halted" ]] || { echo "halted without an idle timeout"; return 1; }
  # The marker itself still stops the worker
  mkdir -p "$bucket/orchard/nb"
  echo idle >"$bucket/orchard/nb/shutdown"
  on_node "$root" "$bucket" watch 2>/dev/null
  grep -qx 'cluster shut down' "$root/var/lib/orchard/halted"
}

# A coordinator terminated by hand writes no marker: its workers ran until `down`. A worker whose coordinator's host has
# not answered (255.255.255.255: unreachable at once, no packet sent) for the window powers off; an answer resets it.
t_worker_whose_coordinator_is_gone_powers_off() {
  local root="$TMP/gone/root" bucket="$TMP/gone/bucket" since="$TMP/gone/root/var/lib/orchard/coordinator-silent-since"
  mkdir -p "$bucket"
  node_env "$root" worker 2 255.255.255.255
  on_node "$root" "$bucket" watch 2>"$TMP/gone/err"
  [[ ! -e "$root/var/lib/orchard/halted" && -f "$since" ]] || { echo "the first silence halted the worker, or was not counted"; return 1; }
  grep -qF "the coordinator's host 255.255.255.255 did not answer at port 17355 (for 0 of the 30 minutes" "$TMP/gone/err" ||
    { cat "$TMP/gone/err"; return 1; }
  # A marker that cannot be read starts the count afresh: no probe is made meanwhile (the review of the change)
  on_node "$root" "$TMP/gone/no-bucket" watch 2>/dev/null
  [[ ! -e "$since" ]] || { echo "the silence counted across an unreadable marker"; return 1; }
  rm -f "$root/var/lib/orchard/marker-unreadable-since"
  on_node "$root" "$bucket" watch 2>/dev/null
  touch -d '-31 minutes' "$since"
  on_node "$root" "$bucket" watch 2>"$TMP/gone/err"
  grep -qx 'coordinator gone' "$root/var/lib/orchard/halted" || { cat "$TMP/gone/err"; return 1; }
  # A host that answers, if only with a refusal between jobs, resets the count
  rm -f "$root/var/lib/orchard/halted"
  node_env "$root" worker 2
  on_node "$root" "$bucket" watch 2>"$TMP/gone/err"
  [[ ! -e "$since" && ! -e "$root/var/lib/orchard/halted" ]] || { cat "$TMP/gone/err"; return 1; }
  # Without an idle timeout the worker keeps running, as the user asked
  node_env "$root" worker 0 255.255.255.255
  on_node "$root" "$bucket" watch 2>/dev/null
  [[ ! -e "$since" && ! -e "$root/var/lib/orchard/halted" ]] || { echo "watched without an idle timeout"; return 1; }
}

t_node_submit_waits_for_the_boot() {
  local root="$TMP/sb/root" bucket="$TMP/sb/bucket" rc
  node_env "$root" coordinator 0
  mkdir -p "$bucket"
  submit_j1() {
    rc=0
    on_node "$root" "$bucket" submit --job-id j1 --seeds 10.0.0.6 -- --input s3://nb-bucket/in --output s3://nb-bucket/out \
      >"$TMP/sb/out" 2>&1 || rc=$?
  }
  local state
  for state in "" "booting 2026-11-21T10:00:00Z"; do
    [[ -z "$state" ]] || echo "$state" >"$root/var/lib/orchard/boot-state"
    submit_j1
    ((rc != 0)) || { echo "submit ran a job during the boot"; cat "$TMP/sb/out"; return 1; }
    grep -q "this host is still booting.*Nothing was submitted: submit again (the same --job-id)" "$TMP/sb/out" ||
      { cat "$TMP/sb/out"; return 1; }
    [[ ! -e "$root/var/lib/orchard/jobs/j1" ]] || { echo "the refused submit took the job id"; return 1; }
  done
  echo "failed 2026-11-21T10:02:00Z" >"$root/var/lib/orchard/boot-state"
  submit_j1
  ((rc != 0)) || { echo "submit ran a job after a failed boot"; return 1; }
  grep -qF "this host's boot failed at 2026-11-21T10:02:00Z, so it runs no job (nothing was submitted); its log: $root/var/log/orchard/boot.log here, and s3://nb-bucket/orchard-logs/nb/nodes/coordinator-10.0.0.5-boot.log" "$TMP/sb/out" ||
    { cat "$TMP/sb/out"; return 1; }
  [[ ! -e "$root/var/lib/orchard/jobs/j1" ]]
  # Booted: the job id is taken (the job itself fails here: no jar in this stand-in host)
  echo "done 2026-11-21T10:03:00Z" >"$root/var/lib/orchard/boot-state"
  submit_j1
  ! grep -q 'boot' "$TMP/sb/out" || { cat "$TMP/sb/out"; return 1; }
  [[ -f "$root/var/lib/orchard/jobs/j1/args" ]]
}

t_no_aws_or_network_calls() {
  [[ ! -e "$TMP/unexpected-calls" ]] || { echo "calls to fakes:"; cat "$TMP/unexpected-calls"; return 1; }
}

t_rehearsal() {
  "$TEST_DIR/rehearsal.sh"
}

main() {
  setup
  run "shellcheck: orchard-ec2, orchard-node, the launcher, tests, rendered user-data" t_shellcheck
  run "JSON templates parse; the role's policy is the bucket's only" t_json_templates
  run "up --dry-run: 1 worker, on-demand, us-east-1" t_up_one_worker
  run "up --dry-run: 4 spot workers, eu-west-1, idle timeout" t_up_four_spot_workers
  run "up prints the cost of 1+4 m5.xlarge (\$0.960/h in us-east-1)" t_up_cost_of_one_plus_four_m5_xlarge
  run "up tags every resource it creates" t_up_every_created_resource_is_tagged
  run "up --dry-run looks up no IP (placeholder for the SSH rule)" t_up_looks_up_no_ip_in_dry_run
  run "up picks the arm64 image for Graviton types" t_up_graviton_uses_arm64_image
  run "orchard-ec2's arrays are safe when empty under set -u on bash 3.2" t_empty_arrays_are_safe_under_bash_3_2
  run "user-data: node.env, checksums, keys, size" t_user_data
  run "down --dry-run" t_down
  run "down --bucket deletes that bucket's artifacts" t_down_with_bucket
  run "down deletes in dependency order" t_down_reverses_up
  run "submit --dry-run (flags with spaces and regexes)" t_submit
  run "submit refuses paths outside the bucket and bad flags" t_submit_checks_its_flags
  run "submit: --input-manifest, s3a://, --classifier, as orchard coordinator takes them" t_submit_takes_what_orchard_takes
  run "submit --dry-run checks paths against the bucket up recorded, or says it cannot" t_submit_dry_run_checks_the_real_bucket_or_none
  run "up records the cluster's bucket for submit --dry-run" t_up_records_the_bucket_for_submit
  run "status and logs --dry-run" t_status_and_logs
  run "region from AWS_REGION" t_region_from_environment
  run "bad flags: exit 2 with a message naming the flag and the fix" t_bad_flags
  run "up against a fake AWS CLI: retries the new instance profile, workers join the coordinator's IP" t_up_with_fake_aws
  run "up interrupted (Ctrl-C, TERM, HUP) says what it created and how to remove it" t_up_interrupted_says_what_to_remove
  run "up refuses a cluster name that has instances" t_up_refuses_an_existing_cluster
  run "down after a partial up: skips what is gone, retries the security group" t_down_after_a_partial_up
  run "down leaves IAM resources without the cluster's tag" t_down_leaves_what_it_did_not_create
  run "IAM resources record their cluster's region" t_iam_records_its_region
  run "down in another region than the cluster's leaves its IAM (and bucket) alone and says where it is" t_down_in_another_region_leaves_the_cluster_alone
  run "down leaves an older cluster's IAM (no region tag) alone unless the cluster was found here" t_down_with_iam_of_an_older_orchard_ec2
  run "up's and status's hints name the cluster's region" t_hints_name_the_region
  run "submit: ssh to the coordinator, seeds = running workers, --min-workers = their count, flags quoted" t_submit_with_fake_aws
  run "submit refuses input and output where down deletes (orchard/CLUSTER/) and in orchard-logs/" t_submit_refuses_what_down_deletes
  run "down says what it deletes under orchard/CLUSTER/, and leaves what up did not put there" t_down_says_what_it_deletes_in_the_bucket
  run "status: table, running cost, the SSH tunnel to the status page" t_status_with_fake_aws
  run "up opens no port for the status page or /metrics" t_up_opens_no_status_page_port
  run "logs: prints the latest job's log" t_logs_with_fake_aws
  run "a node whose boot fails ships its boot log and powers off; a failed coordinator writes the shutdown marker" t_boot_failure_powers_the_node_off
  run "idle-check powers the coordinator off even if the shutdown marker cannot be written" t_idle_check_halts_even_if_the_marker_cannot_be_written
  run "a worker that cannot read the shutdown marker for the idle timeout powers off" t_worker_that_cannot_read_the_marker_powers_off
  run "a worker whose coordinator's host has not answered for the idle timeout (at least 30 min) powers off" t_worker_whose_coordinator_is_gone_powers_off
  run "the node's submit refuses a job until its boot is done, without taking the job id" t_node_submit_waits_for_the_boot
  run "no AWS, curl or ssh call in any of the above" t_no_aws_or_network_calls
  run "rehearsal: user-data boots 3 hosts in network namespaces; jobs, logs, idle shutdown" t_rehearsal
  local s
  for s in "${SKIPPED[@]}"; do
    printf 'deploy-ec2: skipped: %s\n' "$s"
  done
  printf 'deploy-ec2: %d passed, %d failed\n' "$PASSED" "$FAILED"
  ((FAILED == 0))
}

main "$@"
