# Warm pool support: installs the resume service. An instance prepared for the pool completes its
# launch into the pool without signalling (ready.sh). When Auto Scaling takes it out of the pool
# (target lifecycle state InService), the service
#  - abandons the launch if the instance was built from an older launch template version than the
#    group's (a deployment happened while it waited): Auto Scaling launches a fresh instance, so a
#    pooled instance never serves stale code;
#  - runs the fetch-code and build steps again (a git source pulls the branch's latest commit) and
#    restarts the app;
#  - waits until the app answers HEALTH_URL, then completes the launch (CONTINUE).
# Needs: HEALTH_URL
touch "$CWT_ETC/warm-pool"
printf 'HEALTH_URL=%q\nCWT_LIFECYCLE_HOOK=%q\nCWT_HOME=%q\nCWT_READY_TIMEOUT_SECONDS=%q\n' \
  "$HEALTH_URL" "$CWT_LIFECYCLE_HOOK" "$CWT_HOME" "${CWT_READY_TIMEOUT_SECONDS:-840}" > "$CWT_ETC/warm-pool.env"
cat > "$CWT_HOME/bin/warm-resume" <<'SCRIPT'
#!/bin/bash
# Readies an instance that leaves the warm pool (see runtime/boot/warm-pool.sh).
set -uo pipefail
source /etc/cdk-web-tiers/fleet.env
source /etc/cdk-web-tiers/warm-pool.env
[ -f /etc/cdk-web-tiers/warm-pool-prepared ] || exit 0
imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
retry() {
  local attempt
  for attempt in 1 2 3 4 5 6 7 8; do "$@" && return 0; sleep $((attempt * 2)); done
  return 1
}
complete() {
  retry aws autoscaling complete-lifecycle-action --region "$CWT_REGION" --auto-scaling-group-name "$group" \
    --lifecycle-hook-name "$CWT_LIFECYCLE_HOOK" --instance-id "$INSTANCE_ID" --lifecycle-action-result "$1"
  echo "$(date -u +%FT%TZ) lifecycle action completed: $1"
}
echo "$(date -u +%FT%TZ) in the warm pool: waiting for Auto Scaling to take the instance out"
until [ "$(imds autoscaling/target-lifecycle-state)" = InService ]; do sleep "${CWT_POLL_SECONDS:-5}"; done
echo "$(date -u +%FT%TZ) leaving the warm pool"
read -r group version < <(retry aws autoscaling describe-auto-scaling-instances --region "$CWT_REGION" --instance-ids "$INSTANCE_ID" \
  --query 'AutoScalingInstances[0].[AutoScalingGroupName,LaunchTemplate.Version]' --output text)
current=$(retry aws autoscaling describe-auto-scaling-groups --region "$CWT_REGION" --auto-scaling-group-names "$group" \
  --query 'AutoScalingGroups[0].[LaunchTemplate.Version,MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version]' --output text | tr '\t' '\n' | grep -v '^None$' | head -1)
if [ -n "$current" ] && [ "$version" != "$current" ]; then
  echo "$(date -u +%FT%TZ) built from launch template version $version, the group is at $current: abandoning so that a fresh instance replaces this one"
  rm -f /etc/cdk-web-tiers/warm-pool-prepared
  complete ABANDON
  exit 0
fi
while read -r name phase; do
  case "$phase" in
    fetch-code|build)
      echo "$(date -u +%FT%TZ) running step $name ($phase) again"
      if ! eval "env $(cat "$CWT_HOME/steps/$name.env") bash -euo pipefail $CWT_HOME/steps/$name.sh"; then
        echo "$(date -u +%FT%TZ) step $name failed: abandoning"
        rm -f /etc/cdk-web-tiers/warm-pool-prepared
        complete ABANDON
        exit 1
      fi ;;
  esac
done < "$CWT_HOME/steps/order"
systemctl is-enabled --quiet webapp.service 2>/dev/null && systemctl restart webapp.service
deadline=$(( $(date +%s) + ${CWT_READY_TIMEOUT_SECONDS:-840} ))
until curl -fsS -o /dev/null --max-time 5 "$HEALTH_URL"; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "$(date -u +%FT%TZ) the app did not answer $HEALTH_URL: abandoning"
    rm -f /etc/cdk-web-tiers/warm-pool-prepared
    complete ABANDON
    exit 1
  fi
  sleep "${CWT_POLL_SECONDS:-5}"
done
rm -f /etc/cdk-web-tiers/warm-pool-prepared
complete CONTINUE
SCRIPT
chmod 0755 "$CWT_HOME/bin/warm-resume"
cat > /etc/systemd/system/cdk-web-tiers-warm-resume.service <<UNIT
[Unit]
Description=cdk-web-tiers: ready the app when the instance leaves the warm pool
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=$CWT_HOME/bin/warm-resume
StandardOutput=append:$CWT_LOG_DIR/warm-pool.log
StandardError=append:$CWT_LOG_DIR/warm-pool.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable cdk-web-tiers-warm-resume.service
