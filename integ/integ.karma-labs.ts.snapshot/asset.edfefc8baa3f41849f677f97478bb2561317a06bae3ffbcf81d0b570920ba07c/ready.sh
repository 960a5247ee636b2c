# Readiness, sourced by the prelude once the boot files are unpacked: the launch lifecycle action,
# the wait for the target group, and boot_succeeded (the SUCCESS signal). Uses aws_call and
# cfn_signal of the prelude.
# shellcheck shell=bash

# Completes the launch lifecycle hook: CONTINUE puts the instance in service (and in its target
# group), ABANDON has Auto Scaling terminate it. Until then the instance is Pending:Wait, so it
# takes no traffic and no health check judges it while it boots.
complete_lifecycle() {
  local result=$1 group
  [ -n "${CWT_LIFECYCLE_HOOK:-}" ] || return 0
  aws_call 'find the Auto Scaling group' '' -- autoscaling describe-auto-scaling-instances --region "$CWT_REGION" \
    --instance-ids "$INSTANCE_ID" --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text || return 1
  group=$AWS_OUTPUT
  if [ -z "$group" ] || [ "$group" = None ]; then
    echo "[cdk-web-tiers] lifecycle $result: this instance is not in an Auto Scaling group"
    return 0
  fi
  # No active action: the hook timed out already, or the instance booted outside a launch.
  aws_call "lifecycle $result" 'No active Lifecycle Action' -- autoscaling complete-lifecycle-action --region "$CWT_REGION" \
    --auto-scaling-group-name "$group" --lifecycle-hook-name "$CWT_LIFECYCLE_HOOK" --instance-id "$INSTANCE_ID" \
    --lifecycle-action-result "$result" || return 1
  if [ -n "$AWS_HARMLESS" ]; then
    echo "[cdk-web-tiers] lifecycle $result: no action was waiting (already completed, or timed out)"
    [ "$result" = CONTINUE ] || return 1
  fi
  echo "[cdk-web-tiers] lifecycle action completed: $result"
}

# Waits until the load balancer counts this instance healthy in its target group, so that a
# rolling batch replaces old instances only once the new ones take traffic.
wait_for_target_health() {
  local state last=''
  while :; do
    if state=$(aws elbv2 describe-target-health --region "$CWT_REGION" --target-group-arn "$CWT_TARGET_GROUP_ARN" \
      --targets "Id=$INSTANCE_ID" --query 'TargetHealthDescriptions[0].TargetHealth.State' --output text 2>&1); then :; else state="error: $state"; fi
    if [ "$state" = healthy ]; then
      echo "[cdk-web-tiers] healthy in the target group $(date -u +%FT%TZ)"
      return 0
    fi
    [ "$state" != "$last" ] && echo "[cdk-web-tiers] target group state: $state"
    last=$state
    if [ "$(date +%s)" -ge "$CWT_READY_DEADLINE" ]; then
      echo "[cdk-web-tiers] not healthy in the target group by the readiness deadline (last state: $state)"
      return 1
    fi
    sleep "${CWT_POLL_SECONDS:-5}"
  done
}

# Whether Auto Scaling is preparing this instance for a warm pool (target lifecycle state
# Warmed:Stopped, Warmed:Running or Warmed:Hibernated).
in_warm_pool() {
  local state
  [ -f "$CWT_ETC/warm-pool" ] || return 1
  state=$(imds autoscaling/target-lifecycle-state 2>/dev/null) || return 1
  [[ "$state" == Warmed:* ]]
}

boot_succeeded() {
  if in_warm_pool; then
    # Into the pool: no target group, no signal (CloudFormation counts instances in service).
    # The resume service readies the app again when Auto Scaling takes the instance out. The
    # marker is on disk before CONTINUE: Auto Scaling may stop the instance as soon as it has it.
    touch "$CWT_ETC/warm-pool-prepared" && sync
    complete_lifecycle CONTINUE || { rm -f "$CWT_ETC/warm-pool-prepared"; boot_failed "could not complete the lifecycle action into the warm pool"; }
    systemctl start --no-block cdk-web-tiers-warm-resume.service || true
    echo "[cdk-web-tiers] prepared for the warm pool $(date -u +%FT%TZ): no signal until the instance leaves the pool"
    boot_finished warm-pool
    return 0
  fi
  complete_lifecycle CONTINUE || boot_failed "could not complete the launch lifecycle action"
  # In service from here: a failure now marks the instance unhealthy (boot_failed).
  touch "$CWT_ETC/launch-continued"
  if [ -n "${CWT_TARGET_GROUP_ARN:-}" ]; then
    wait_for_target_health || boot_failed "the load balancer did not count the instance healthy"
  fi
  echo "[cdk-web-tiers] boot finished $(date -u +%FT%TZ)"
  cfn_signal SUCCESS "boot finished and the app is ready"
  # A tier with a warm pool: pooled instances of an older launch template go (runtime/boot/warm-recycle.sh).
  if [ -x "$CWT_HOME/bin/warm-recycle" ]; then "$CWT_HOME/bin/warm-recycle" || true; fi
  boot_finished success
}
