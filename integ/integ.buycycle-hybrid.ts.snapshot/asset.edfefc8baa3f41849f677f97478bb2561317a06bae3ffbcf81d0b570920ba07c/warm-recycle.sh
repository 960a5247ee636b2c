#!/bin/bash
# Recycles the warm pool after a deployment; installed by runtime/boot/warm-pool.sh and run by every
# instance that enters service (runtime/boot/ready.sh, warm-resume.sh), and every 2 to 3 minutes by
# a timer on the instances in service, so that the pool is current soon after a launch template
# change, before the rolling update's batches draw stale pooled instances one by one (each is
# started, then abandoned). CloudFormation's rolling update "replaces InService instances only. Instances in the warm
# pool are not replaced" (AWS::AutoScaling::WarmPool): pooled instances keep the launch template
# version they were launched from. This terminates the pooled instances whose version is not the
# group's, and Auto Scaling launches their replacements into the pool from the group's version, so
# the first scale-out after a deployment draws current instances (not a start and an ABANDON each).
# Several instances may run it at once: terminating an instance twice is harmless.
set -uo pipefail
etc=${CWT_ETC:-/etc/cdk-web-tiers}
set -a
# shellcheck source=/dev/null
source "$etc/fleet.env"
# shellcheck source=/dev/null
source "$etc/warm-pool.env"
set +a
exec >> "${CWT_LOG_DIR:-/var/log/cdk-web-tiers}/warm-pool.log" 2>&1
retry() {
  local attempt
  for attempt in 1 2 3 4 5; do "$@" && return 0; sleep $((attempt * ${CWT_RETRY_SECONDS:-2})); done
  return 1
}
read -r group state < <(retry aws autoscaling describe-auto-scaling-instances --region "$CWT_REGION" --instance-ids "$INSTANCE_ID" \
  --query 'AutoScalingInstances[0].[AutoScalingGroupName,LifecycleState]' --output text) || exit 1
# Only an instance in service judges the pool (not one being launched, or waiting in a running pool).
[ "$state" = InService ] || exit 0
current=$(retry aws autoscaling describe-auto-scaling-groups --region "$CWT_REGION" --auto-scaling-group-names "$group" \
  --query 'AutoScalingGroups[0].[LaunchTemplate.Version,MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version]' --output text | tr '\t' '\n' | grep -v '^None$' | head -1)
if [ -z "$current" ]; then
  echo "$(date -u +%FT%TZ) recycle: no launch template version for the group $group"
  exit 1
fi
pooled=$(retry aws autoscaling describe-warm-pool --region "$CWT_REGION" --auto-scaling-group-name "$group" \
  --query 'Instances[].[InstanceId,LifecycleState,LaunchTemplate.Version]' --output text) || exit 1
stale=()
while read -r id state version; do
  [ -n "$id" ] || continue
  case "$state" in Warmed:Terminat*) continue ;; esac
  [ "$version" = "$current" ] || stale+=("$id")
done <<< "$pooled"
[ "${#stale[@]}" = 0 ] && exit 0
echo "$(date -u +%FT%TZ) recycle: terminating pooled instances built from an older launch template than version $current: ${stale[*]}"
retry aws ec2 terminate-instances --region "$CWT_REGION" --instance-ids "${stale[@]}" --output text >/dev/null
