# --- cdk-web-tiers boot prelude (runtime/boot/prelude.sh) -----------------------------------
# Set before this file by the fleet: CWT_REGION, CWT_STACK, CWT_SIGNAL_RESOURCE, CWT_LOG_GROUP,
# CWT_FLEET, CWT_BOOT_BUCKET, CWT_BOOT_KEY, CWT_LIFECYCLE_HOOK, CWT_READY_TIMEOUT_SECONDS and, for
# a tier behind a load balancer, CWT_TARGET_GROUP_ARN.
# Every step runs in its own bash process with `set -euo pipefail`; the first failing step
# signals FAILURE to CloudFormation (so a rolling deploy stops and rolls back) and stops the boot.
set -uo pipefail
umask 022
# The readiness deadline counts from the start of the boot, so that a long build still leaves time
# to signal FAILURE (and say why) before CloudFormation gives up on the instance.
CWT_BOOT_STARTED=$(date +%s)
CWT_READY_DEADLINE=$(( CWT_BOOT_STARTED + ${CWT_READY_TIMEOUT_SECONDS:-600} ))
export CWT_BOOT_STARTED CWT_READY_DEADLINE
# The defaults are the instance paths; tests point them at a scratch folder.
: "${CWT_HOME:=/opt/cdk-web-tiers}" "${CWT_LOG_DIR:=/var/log/cdk-web-tiers}" "${CWT_ETC:=/etc/cdk-web-tiers}"
# The step files of runtime/boot are unpacked here (below).
CWT_BOOT_DIR="$CWT_HOME/boot"
mkdir -p "$CWT_HOME/steps" "$CWT_HOME/bin" "$CWT_LOG_DIR" "$CWT_ETC"
chmod 0755 "$CWT_LOG_DIR"
exec > >(tee -a "$CWT_LOG_DIR/boot.log") 2>&1
# Auto Scaling may stop an instance prepared for the warm pool as soon as it has CONTINUE, before
# this script has ended; should the user data run again at the next start, the resume service
# (warm-resume.sh) readies the instance, not a second boot.
if [ -f "$CWT_ETC/warm-pool-prepared" ]; then
  echo "[cdk-web-tiers] prepared for the warm pool already: the resume service readies this instance"
  exit 0
fi

imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

INSTANCE_ID=$(imds instance-id || echo unknown)
# A tier's Spot burst group launches from the same user data: its instances signal their own group,
# which its tag CWT_SIGNAL_RESOURCE_TAG names (lib/fleet/spot-burst.ts); the primary group's have none.
if [ -n "${CWT_SIGNAL_RESOURCE_TAG:-}" ] && own=$(aws ec2 describe-tags --region "$CWT_REGION" --filters "Name=resource-id,Values=$INSTANCE_ID" \
  "Name=key,Values=$CWT_SIGNAL_RESOURCE_TAG" --query 'Tags[0].Value' --output text 2>/dev/null) && [ -n "$own" ] && [ "$own" != None ]; then
  CWT_SIGNAL_RESOURCE=$own
fi
export INSTANCE_ID CWT_HOME CWT_LOG_DIR CWT_ETC CWT_BOOT_DIR AWS_DEFAULT_REGION="$CWT_REGION" AWS_REGION="$CWT_REGION"
# Later steps and services read the same values from here (a service that runs steps again, such
# as the warm pool's resume, gets the boot's whole environment).
cat > "$CWT_ETC/fleet.env" <<ENV
CWT_REGION=$CWT_REGION
CWT_STACK=$CWT_STACK
CWT_FLEET=$CWT_FLEET
CWT_LOG_GROUP=$CWT_LOG_GROUP
INSTANCE_ID=$INSTANCE_ID
AWS_DEFAULT_REGION=$CWT_REGION
AWS_REGION=$CWT_REGION
CWT_HOME=$CWT_HOME
CWT_LOG_DIR=$CWT_LOG_DIR
CWT_ETC=$CWT_ETC
CWT_BOOT_DIR=$CWT_BOOT_DIR
ENV

# aws_call WHAT HARMLESS -- ARGS...: runs `aws ARGS`, retrying with backoff (2, 4, ... 60 s; 8 tries,
# about 3 minutes) so that IAM propagation, throttling or a NAT gateway not yet routing do not lose a
# call. An error matching the extended regex HARMLESS (when not empty) ends it as harmless. The
# output of the last try is left in AWS_OUTPUT.
aws_call() {
  local what=$1 harmless=$2 delay=${CWT_RETRY_SECONDS:-2} attempt
  shift 3
  for attempt in 1 2 3 4 5 6 7 8; do
    if AWS_OUTPUT=$(aws "$@" 2>&1); then
      return 0
    fi
    if [ -n "$harmless" ] && grep -qE "$harmless" <<< "$AWS_OUTPUT"; then
      echo "[cdk-web-tiers] $what: not needed ($AWS_OUTPUT)"
      return 0
    fi
    echo "[cdk-web-tiers] $what: attempt $attempt of 8 failed: $AWS_OUTPUT"
    [ "$attempt" = 8 ] || sleep "$delay"
    delay=$(( delay * 2 > 60 ? 60 : delay * 2 ))
  done
  return 1
}

# Tells CloudFormation whether this instance is ready. Outside a create or rolling update
# CloudFormation answers that the stack "cannot be signaled": expected for scale-out instances.
cfn_signal() {
  local status=$1 reason=$2
  echo "[cdk-web-tiers] signal $status: $reason"
  if aws_call "signal $status" 'can ?not be signaled' -- cloudformation signal-resource --region "$CWT_REGION" \
    --stack-name "$CWT_STACK" --logical-resource-id "$CWT_SIGNAL_RESOURCE" --unique-id "$INSTANCE_ID" --status "$status"; then
    echo "[cdk-web-tiers] signal $status sent"
  else
    echo "[cdk-web-tiers] signal $status could not be sent: CloudFormation will wait for its timeout"
  fi
}

boot_failed() {
  local reason=$1
  echo "[cdk-web-tiers] BOOT FAILED: $reason (full log: $CWT_LOG_DIR/boot.log, CloudWatch Logs group $CWT_LOG_GROUP)"
  cfn_signal FAILURE "$reason"
  if [ -n "${CWT_LIFECYCLE_HOOK:-}" ] && declare -F complete_lifecycle >/dev/null; then
    # Give the CloudWatch agent time to ship this log before Auto Scaling terminates the instance.
    sleep "${CWT_LOG_FLUSH_SECONDS:-20}"
    complete_lifecycle ABANDON || echo "[cdk-web-tiers] could not abandon the launch: the hook times out instead"
  fi
  exit 1
}

# The step files of runtime/boot travel as an S3 asset (user data is limited to 16 KB). A fresh
# instance profile can take a few seconds to work, hence the retries.
for attempt in 1 2 3 4 5 6; do
  if aws s3 cp --only-show-errors --region "$CWT_REGION" "s3://$CWT_BOOT_BUCKET/$CWT_BOOT_KEY" "$CWT_HOME/boot.zip"; then
    break
  fi
  [ "$attempt" = 6 ] && boot_failed "could not download the boot files s3://$CWT_BOOT_BUCKET/$CWT_BOOT_KEY"
  sleep $((attempt * 5))
done
rm -rf "$CWT_BOOT_DIR"
python3 -m zipfile -e "$CWT_HOME/boot.zip" "$CWT_BOOT_DIR" || unzip -q -o "$CWT_HOME/boot.zip" -d "$CWT_BOOT_DIR" ||
  boot_failed "could not unpack the boot files (python3 or unzip needed)"

# run_step NAME PHASE [VAR=value ...] <<'END' ... END
run_step() {
  local name=$1 phase=$2
  shift 2
  local file="$CWT_HOME/steps/$name.sh"
  cat > "$file"
  chmod 0700 "$file"
  # Name, phase and environment of each step, so that an instance leaving a warm pool can run its
  # fetch-code and build steps again (runtime/boot/warm-pool.sh).
  printf '%s %s\n' "$name" "$phase" >> "$CWT_HOME/steps/order"
  (umask 077; printf '%q ' "$@" > "$CWT_HOME/steps/$name.env")
  echo "[cdk-web-tiers] step $name ($phase) started $(date -u +%FT%TZ)"
  if ! env "$@" bash -euo pipefail "$file"; then
    boot_failed "step $name ($phase) failed"
  fi
  echo "[cdk-web-tiers] step $name finished $(date -u +%FT%TZ)"
}

# Readiness (the lifecycle action, the target group, the SUCCESS signal): runtime/boot/ready.sh.
# shellcheck source=ready.sh
source "$CWT_BOOT_DIR/ready.sh"
# --- end of prelude ---------------------------------------------------------------------------
