# --- cdk-web-tiers boot prelude (runtime/boot/prelude.sh) -----------------------------------
# Set before this file by the fleet: CWT_REGION, CWT_STACK, CWT_SIGNAL_RESOURCE, CWT_LOG_GROUP,
# CWT_FLEET, CWT_REPORT_UNHEALTHY_ON_FAILURE, CWT_BOOT_BUCKET, CWT_BOOT_KEY.
# Every step runs in its own bash process with `set -euo pipefail`; the first failing step
# signals FAILURE to CloudFormation (so a rolling deploy stops and rolls back) and stops the boot.
set -uo pipefail
umask 022
# The defaults are the instance paths; tests point them at a scratch folder.
: "${CWT_HOME:=/opt/cdk-web-tiers}" "${CWT_LOG_DIR:=/var/log/cdk-web-tiers}" "${CWT_ETC:=/etc/cdk-web-tiers}"
mkdir -p "$CWT_HOME/steps" "$CWT_HOME/bin" "$CWT_LOG_DIR" "$CWT_ETC"
chmod 0755 "$CWT_LOG_DIR"
exec > >(tee -a "$CWT_LOG_DIR/boot.log") 2>&1

imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

INSTANCE_ID=$(imds instance-id || echo unknown)
export INSTANCE_ID CWT_HOME CWT_LOG_DIR CWT_ETC AWS_DEFAULT_REGION="$CWT_REGION" AWS_REGION="$CWT_REGION"
# Later steps and services read the same values from here.
cat > "$CWT_ETC/fleet.env" <<ENV
CWT_REGION=$CWT_REGION
CWT_STACK=$CWT_STACK
CWT_FLEET=$CWT_FLEET
CWT_LOG_GROUP=$CWT_LOG_GROUP
INSTANCE_ID=$INSTANCE_ID
AWS_DEFAULT_REGION=$CWT_REGION
ENV

# Tells CloudFormation whether this instance is ready. Outside a create or rolling update
# CloudFormation rejects the signal; that is expected for scale-out instances and is ignored.
cfn_signal() {
  local status=$1 reason=$2
  echo "[cdk-web-tiers] signal $status: $reason"
  if command -v aws >/dev/null 2>&1; then
    aws cloudformation signal-resource --region "$CWT_REGION" --stack-name "$CWT_STACK" \
      --logical-resource-id "$CWT_SIGNAL_RESOURCE" --unique-id "$INSTANCE_ID" --status "$status" ||
      echo "[cdk-web-tiers] signal not accepted (no deployment in progress)"
  elif [ -x /opt/aws/bin/cfn-signal ]; then
    /opt/aws/bin/cfn-signal --success "$([ "$status" = SUCCESS ] && echo true || echo false)" \
      --reason "$reason" --region "$CWT_REGION" --stack "$CWT_STACK" --resource "$CWT_SIGNAL_RESOURCE" ||
      echo "[cdk-web-tiers] signal not accepted (no deployment in progress)"
  else
    echo "[cdk-web-tiers] neither the AWS CLI nor cfn-signal is installed: cannot signal CloudFormation"
  fi
}

boot_failed() {
  local reason=$1
  echo "[cdk-web-tiers] BOOT FAILED: $reason (full log: $CWT_LOG_DIR/boot.log, CloudWatch Logs group $CWT_LOG_GROUP)"
  cfn_signal FAILURE "$reason"
  if [ "${CWT_REPORT_UNHEALTHY_ON_FAILURE:-0}" = 1 ]; then
    # No load balancer watches this instance: hand it back to Auto Scaling for replacement.
    aws autoscaling set-instance-health --region "$CWT_REGION" --instance-id "$INSTANCE_ID" \
      --health-status Unhealthy --no-should-respect-grace-period || true
  fi
  exit 1
}

# The step files of runtime/boot travel as an S3 asset (user data is limited to 16 KB). A fresh
# instance profile can take a few seconds to work, hence the retries.
CWT_BOOT_DIR="$CWT_HOME/boot"
export CWT_BOOT_DIR
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
  echo "[cdk-web-tiers] step $name ($phase) started $(date -u +%FT%TZ)"
  if ! env "$@" bash -euo pipefail "$file"; then
    boot_failed "step $name ($phase) failed"
  fi
  echo "[cdk-web-tiers] step $name finished $(date -u +%FT%TZ)"
}

boot_succeeded() {
  echo "[cdk-web-tiers] boot finished $(date -u +%FT%TZ)"
  cfn_signal SUCCESS "boot finished and the app answered its health check"
}
# --- end of prelude ---------------------------------------------------------------------------
