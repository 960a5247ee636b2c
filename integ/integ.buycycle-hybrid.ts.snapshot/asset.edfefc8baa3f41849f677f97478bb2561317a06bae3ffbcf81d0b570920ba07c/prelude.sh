# --- cdk-web-tiers boot prelude (runtime/boot/prelude.sh) -----------------------------------
# Set before this file by the fleet: CWT_REGION, CWT_STACK, CWT_SIGNAL_RESOURCE, CWT_LOG_GROUP,
# CWT_FLEET, CWT_BOOT_BUCKET, CWT_BOOT_KEY, CWT_LIFECYCLE_HOOK, CWT_READY_TIMEOUT_SECONDS and, for
# a tier behind a load balancer, CWT_TARGET_GROUP_ARN.
# Every step runs in its own bash process with `set -euo pipefail`; the first failing step
# signals FAILURE to CloudFormation (so a rolling deploy stops and rolls back) and stops the boot.
set -uo pipefail
umask 022
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

# One run of the boot at a time, and none after it finished: cloud-init runs the user data once per
# instance (its per-instance semaphore is written before the script runs), so after a reboot in the
# middle of the boot the resume unit installed below runs this same script again. Steps that
# finished are skipped (steps/NAME.done); the interrupted step runs again, so steps are idempotent.
exec 8>"$CWT_ETC/boot.lock"
if ! flock -n 8; then
  echo "[cdk-web-tiers] another run of the boot holds $CWT_ETC/boot.lock: leaving the boot to it"
  exit 0
fi
if [ -e "$CWT_ETC/boot-done" ]; then
  echo "[cdk-web-tiers] the boot already ended ($(cat "$CWT_ETC/boot-done")): nothing to resume"
  exit 0
fi
# The boot's deadline counts from the first start of the boot, kept across a reboot, so that the
# failure signal (and its reason) arrives before CloudFormation and the lifecycle hook give up.
# Every step's time limit ends at this deadline at the latest.
[ -s "$CWT_ETC/boot-started" ] || date +%s > "$CWT_ETC/boot-started"
CWT_BOOT_STARTED=$(cat "$CWT_ETC/boot-started")
CWT_BOOT_DEADLINE=$(( CWT_BOOT_STARTED + ${CWT_READY_TIMEOUT_SECONDS:-600} ))
CWT_READY_DEADLINE=$CWT_BOOT_DEADLINE
export CWT_BOOT_STARTED CWT_BOOT_DEADLINE CWT_READY_DEADLINE
[ -n "${CWT_RESUMED:-}" ] && echo "[cdk-web-tiers] boot resumed after a restart $(date -u +%FT%TZ), $(( CWT_BOOT_DEADLINE - $(date +%s) ))s before its deadline"
: > "$CWT_HOME/steps/order"
# The resume unit: a copy of this script, run at the next start until the boot has ended. Only on
# an instance booted by systemd with the instance paths (tests point CWT_ETC elsewhere).
script_file=${BASH_SOURCE[0]:-$0}
if [ -z "${CWT_RESUMED:-}" ] && [ -f "$script_file" ] && [ -d /run/systemd/system ] && [ "$CWT_ETC" = /etc/cdk-web-tiers ]; then
  install -m 0700 "$script_file" "$CWT_HOME/boot.sh"
  cat > /etc/systemd/system/cdk-web-tiers-boot.service <<UNIT
[Unit]
Description=cdk-web-tiers: resume the instance's boot after a restart in the middle of it
Wants=network-online.target
After=network-online.target cloud-final.service
ConditionPathExists=!$CWT_ETC/boot-done

[Service]
Type=simple
Environment=CWT_RESUMED=1 CWT_HOME=$CWT_HOME CWT_LOG_DIR=$CWT_LOG_DIR CWT_ETC=$CWT_ETC
ExecStart=/bin/bash $CWT_HOME/boot.sh

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload && systemctl enable cdk-web-tiers-boot.service 2>&1 ||
    echo "[cdk-web-tiers] could not enable the resume unit: a restart in the middle of the boot would not resume it"
fi

imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

INSTANCE_ID=$(imds instance-id || echo unknown)
# A tier's Spot burst group launches from the same user data: its instances signal their own group,
# which its tag CWT_SIGNAL_RESOURCE_TAG names (lib/fleet/spot-burst.ts); the primary group's have none.
# The call is retried like every AWS call of the boot (IAM not propagated yet, throttling, a NAT
# gateway not routing yet): a Spot instance that fell back to the primary group would count toward
# the wrong group's signals while its own group's update waits and rolls back.
if [ -n "${CWT_SIGNAL_RESOURCE_TAG:-}" ]; then
  for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
    if own=$(timeout 60 aws ec2 describe-tags --region "$CWT_REGION" --filters "Name=resource-id,Values=$INSTANCE_ID" \
      "Name=key,Values=$CWT_SIGNAL_RESOURCE_TAG" --query 'Tags[0].Value' --output text 2>/dev/null); then
      [ -n "$own" ] && [ "$own" != None ] && CWT_SIGNAL_RESOURCE=$own
      break
    fi
    echo "[cdk-web-tiers] reading this instance's signal-resource tag failed (attempt $attempt of 12); retrying in 15 s" >&2
    sleep 15
  done
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
  export AWS_HARMLESS=
  for attempt in 1 2 3 4 5 6 7 8; do
    # A time limit per try: the CLI's own timeouts and retries can take minutes on a dead network.
    if AWS_OUTPUT=$(timeout --kill-after=5 "${CWT_CALL_SECONDS:-60}" aws "$@" 2>&1); then
      return 0
    fi
    if [ -n "$harmless" ] && grep -qE "$harmless" <<< "$AWS_OUTPUT"; then
      echo "[cdk-web-tiers] $what: not needed ($AWS_OUTPUT)"
      AWS_HARMLESS=1
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

# The system is going down (a reboot in the middle of the boot): whatever failed was stopped by
# the shutdown, and the resume unit runs the boot again after the restart.
shutting_down() {
  [ -d /run/systemd/system ] || return 1
  case "$(systemctl is-system-running 2>/dev/null)" in
    initializing|starting|running|degraded|maintenance) return 1 ;;
    *) return 0 ;;
  esac
}

# The boot has ended (SUCCESS or FAILURE): the resume unit has nothing left to do.
boot_finished() {
  echo "$1 $(date -u +%FT%TZ)" > "$CWT_ETC/boot-done"
  if [ -e /etc/systemd/system/cdk-web-tiers-boot.service ]; then
    systemctl disable cdk-web-tiers-boot.service >/dev/null 2>&1 || true
  fi
}

boot_failed() {
  local reason=$1
  if shutting_down; then
    echo "[cdk-web-tiers] the system is shutting down during the boot ($reason): the boot resumes after the restart"
    exit 1
  fi
  echo "[cdk-web-tiers] BOOT FAILED: $reason (full log: $CWT_LOG_DIR/boot.log, CloudWatch Logs group $CWT_LOG_GROUP)"
  boot_finished failure
  cfn_signal FAILURE "$reason"
  # Give the CloudWatch agent time to ship this log before Auto Scaling terminates the instance.
  sleep "${CWT_LOG_FLUSH_SECONDS:-20}"
  # Before CONTINUE, ABANDON has Auto Scaling terminate the instance. After it the instance is in
  # service and there is no action to abandon: it is marked unhealthy, which has Auto Scaling
  # replace it whatever the group's health check type.
  if [ ! -e "$CWT_ETC/launch-continued" ] && [ -n "${CWT_LIFECYCLE_HOOK:-}" ] && declare -F complete_lifecycle >/dev/null &&
    complete_lifecycle ABANDON; then
    exit 1
  fi
  if aws_call 'mark the instance unhealthy' '' -- autoscaling set-instance-health --region "$CWT_REGION" \
    --instance-id "$INSTANCE_ID" --health-status Unhealthy --no-should-respect-grace-period; then
    echo "[cdk-web-tiers] marked the instance unhealthy: Auto Scaling replaces it"
  else
    echo "[cdk-web-tiers] could not mark the instance unhealthy: the launch hook times out (ABANDON) if the launch is still waiting"
  fi
  exit 1
}

# The step files of runtime/boot travel as an S3 asset (user data is limited to 16 KB). A fresh
# instance profile can take a few seconds to work, hence the retries.
for attempt in 1 2 3 4 5 6; do
  if timeout --kill-after=5 "${CWT_CALL_SECONDS:-60}" aws s3 cp --only-show-errors --region "$CWT_REGION" "s3://$CWT_BOOT_BUCKET/$CWT_BOOT_KEY" "$CWT_HOME/boot.zip"; then
    break
  fi
  [ "$attempt" = 6 ] && boot_failed "could not download the boot files s3://$CWT_BOOT_BUCKET/$CWT_BOOT_KEY"
  sleep $((attempt * 5))
done
rm -rf "$CWT_BOOT_DIR"
python3 -m zipfile -e "$CWT_HOME/boot.zip" "$CWT_BOOT_DIR" || unzip -q -o "$CWT_HOME/boot.zip" -d "$CWT_BOOT_DIR" ||
  boot_failed "could not unpack the boot files (python3 or unzip needed)"

# Each step's time limit by phase, in seconds; a step's CWT_STEP_TIME_LIMIT (BootStep.timeLimit)
# overrides it, and every limit ends at the boot's deadline at the latest (signal: only that).
step_limit() {
  case $1 in
    prepare) echo 600 ;; mount) echo 300 ;; fetch-secrets) echo 120 ;; fetch-code) echo 300 ;;
    build) echo 1200 ;; start) echo 300 ;; *) echo 86400 ;;
  esac
}

# run_step NAME PHASE [VAR=value ...] <<'END' ... END
run_step() {
  local name=$1 phase=$2 limit arg left started rc=0 why
  shift 2
  local file="$CWT_HOME/steps/$name.sh"
  cat > "$file"
  chmod 0700 "$file"
  # Name, phase and environment of each step, so that an instance leaving a warm pool can run its
  # fetch-code and build steps again (runtime/boot/warm-pool.sh).
  printf '%s %s\n' "$name" "$phase" >> "$CWT_HOME/steps/order"
  (umask 077; printf '%q ' "$@" > "$CWT_HOME/steps/$name.env")
  if [ -e "$CWT_HOME/steps/$name.done" ]; then
    echo "[cdk-web-tiers] step $name ($phase) finished before the restart: not run again"
    return 0
  fi
  limit=$(step_limit "$phase")
  for arg in "$@"; do
    case $arg in CWT_STEP_TIME_LIMIT=*) limit=${arg#*=} ;; esac
  done
  why="its time limit of ${limit}s"
  left=$(( CWT_BOOT_DEADLINE - $(date +%s) ))
  if [ "$left" -le 0 ]; then
    boot_failed "step $name ($phase) did not start: the boot is past its deadline ($(( CWT_BOOT_DEADLINE - CWT_BOOT_STARTED ))s from its start)"
  fi
  if [ "$left" -lt "$limit" ]; then
    limit=$left
    why="the boot's deadline ($(( CWT_BOOT_DEADLINE - CWT_BOOT_STARTED ))s from its start)"
  fi
  echo "[cdk-web-tiers] step $name ($phase) started $(date -u +%FT%TZ), time limit ${limit}s"
  started=$(date +%s)
  # timeout stops the step's whole process group (git, ssh, npm...), SIGKILL 10 s after SIGTERM.
  timeout --kill-after=10 "$limit" env CWT_STEP="$name" "$@" bash -euo pipefail "$file" 8>&- || rc=$?
  if [ "$rc" != 0 ]; then
    if [ $(( $(date +%s) - started )) -ge "$limit" ]; then
      boot_failed "step $name ($phase) ran out of time: stopped after ${limit}s, $why"
    fi
    boot_failed "step $name ($phase) failed"
  fi
  touch "$CWT_HOME/steps/$name.done"
  echo "[cdk-web-tiers] step $name finished $(date -u +%FT%TZ)"
}

# Readiness (the lifecycle action, the target group, the SUCCESS signal): runtime/boot/ready.sh.
# shellcheck source=ready.sh
source "$CWT_BOOT_DIR/ready.sh"
# --- end of prelude ---------------------------------------------------------------------------
