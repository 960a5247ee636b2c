#!/bin/bash
# Readies an instance that leaves the warm pool; installed as a service by runtime/boot/warm-pool.sh.
# On the first boot (no warm-pool-prepared marker) it has nothing to do.
set -uo pipefail
etc=${CWT_ETC:-/etc/cdk-web-tiers}
# The fetch-code and build steps run again in the boot's environment, which runtime/boot/prelude.sh
# wrote to fleet.env (their scripts read CWT_BOOT_DIR, CWT_REGION, INSTANCE_ID...).
set -a
# shellcheck source=/dev/null
source "$etc/fleet.env"
# shellcheck source=/dev/null
source "$etc/warm-pool.env"
set +a
[ -f "$etc/warm-pool-prepared" ] || exit 0
imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
retry() {
  local attempt
  for attempt in 1 2 3 4 5 6 7 8; do "$@" && return 0; sleep $((attempt * ${CWT_RETRY_SECONDS:-2})); done
  return 1
}
complete() {
  retry aws autoscaling complete-lifecycle-action --region "$CWT_REGION" --auto-scaling-group-name "$group" \
    --lifecycle-hook-name "$CWT_LIFECYCLE_HOOK" --instance-id "$INSTANCE_ID" --lifecycle-action-result "$1"
  echo "$(date -u +%FT%TZ) lifecycle action completed: $1"
}
# During a rolling update CloudFormation waits for a signal from every instance that enters service,
# and an instance leaving the pool is one of them. Outside a create or an update CloudFormation
# answers that the resource "cannot be signaled": harmless, not retried.
signal() {
  local status=$1 out attempt
  [ -n "${CWT_SIGNAL_RESOURCE:-}" ] || return 0
  for attempt in 1 2 3 4 5 6 7 8; do
    if out=$(aws cloudformation signal-resource --region "$CWT_REGION" --stack-name "$CWT_STACK" \
      --logical-resource-id "$CWT_SIGNAL_RESOURCE" --unique-id "$INSTANCE_ID" --status "$status" 2>&1); then
      echo "$(date -u +%FT%TZ) signal $status sent: $2"
      return 0
    fi
    if grep -qE 'can ?not be signaled' <<< "$out"; then
      echo "$(date -u +%FT%TZ) signal $status: not needed, no deployment in progress"
      return 0
    fi
    sleep $((attempt * ${CWT_RETRY_SECONDS:-2}))
  done
  echo "$(date -u +%FT%TZ) signal $status could not be sent: $out"
}
# A failed resume: FAILURE (a deployment that drew this instance rolls back) and ABANDON.
give_up() {
  echo "$(date -u +%FT%TZ) $1: abandoning"
  rm -f "$etc/warm-pool-prepared"
  signal FAILURE "$1"
  complete ABANDON
  exit 1
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
  rm -f "$etc/warm-pool-prepared"
  complete ABANDON
  exit 0
fi
# The resume has the boot's deadline from its start: the steps run again within it, so a hung
# build fails with its reason (FAILURE, ABANDON) instead of waiting for the hook's timeout.
deadline=$(( $(date +%s) + ${CWT_READY_TIMEOUT_SECONDS:-600} ))
while read -r name phase; do
  case "$phase" in
    fetch-code|build)
      echo "$(date -u +%FT%TZ) running step $name ($phase) again"
      left=$(( deadline - $(date +%s) ))
      [ "$left" -gt 0 ] || give_up "step $name did not start: the resume is past its deadline"
      if ! eval "timeout --kill-after=10 $left env $(cat "$CWT_HOME/steps/$name.env") bash -euo pipefail $CWT_HOME/steps/$name.sh"; then
        give_up "step $name failed or ran out of time"
      fi ;;
  esac
done < "$CWT_HOME/steps/order"
systemctl is-enabled --quiet webapp.service 2>/dev/null && systemctl restart webapp.service
until curl -fsS -o /dev/null --max-time 5 "$HEALTH_URL"; do
  [ "$(date +%s)" -lt "$deadline" ] || give_up "the app did not answer $HEALTH_URL"
  sleep "${CWT_POLL_SECONDS:-5}"
done
rm -f "$etc/warm-pool-prepared"
complete CONTINUE
# In service from here, as after a launch (ready.sh): a failure now marks the instance unhealthy,
# and so does report-unhealthy when the app's start limit trips.
touch "$etc/launch-continued"
# In service: the load balancer registers it; SUCCESS once it counts the instance healthy.
if [ -n "${CWT_TARGET_GROUP_ARN:-}" ]; then
  until [ "$(aws elbv2 describe-target-health --region "$CWT_REGION" --target-group-arn "$CWT_TARGET_GROUP_ARN" --targets "Id=$INSTANCE_ID" \
    --query 'TargetHealthDescriptions[0].TargetHealth.State' --output text 2>/dev/null)" = healthy ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "$(date -u +%FT%TZ) not healthy in the target group by the readiness deadline"
      signal FAILURE "the load balancer did not count the instance healthy"
      retry aws autoscaling set-instance-health --region "$CWT_REGION" --instance-id "$INSTANCE_ID" \
        --health-status Unhealthy --no-should-respect-grace-period || true
      exit 1
    fi
    sleep "${CWT_POLL_SECONDS:-5}"
  done
  echo "$(date -u +%FT%TZ) healthy in the target group"
fi
signal SUCCESS "left the warm pool and the app is ready"
"$CWT_HOME/bin/warm-recycle" || true
