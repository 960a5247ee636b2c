import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { checkInteger, invalid, isResolved } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { Fleet } from '../fleet/fleet';
import { WebTierWarmPool } from './web-tier-props';

/**
 * A warm pool of pre-initialized instances: the group draws from it before launching new ones.
 * Pooled instances resume through `warm-pool.sh`, which compares their launch template version.
 */
export function addWarmPool(tier: Construct, fleet: Fleet, pool: WebTierWarmPool, healthUrl: string, capacity: { min: number; max: number }): void {
  checkInteger(tier, 'warmPool.minSize', pool.minSize, 0, 10_000);
  if (pool.minSize !== undefined && isResolved(capacity.max) && pool.minSize > capacity.max) {
    invalid(tier, 'warmPool.minSize', pool.minSize, `It is larger than capacity.max (${capacity.max}): a warm pool only feeds instances the group may run; lower warmPool.minSize or raise capacity.max.`);
  }
  checkInteger(tier, 'warmPool.maxPreparedCapacity', pool.maxPreparedCapacity, 1, 10_000);
  if (pool.maxPreparedCapacity !== undefined && isResolved(capacity.min) && pool.maxPreparedCapacity < capacity.min) {
    invalid(tier, 'warmPool.maxPreparedCapacity', pool.maxPreparedCapacity, `It is below capacity.min (${capacity.min}).`);
  }
  fleet.autoScalingGroup.addWarmPool({
    minSize: pool.minSize,
    maxGroupPreparedCapacity: pool.maxPreparedCapacity,
    poolState: pool.state ?? autoscaling.PoolState.STOPPED,
  });
  fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'CompareLaunchTemplateVersion',
    actions: ['autoscaling:DescribeAutoScalingGroups'],
    resources: ['*'],
  }));
  fleet.addBootStep({ name: 'warm-pool', phase: BootPhase.PREPARE, script: bootFile('warm-pool.sh'), environment: { HEALTH_URL: healthUrl } });
}

/** Spot above the baseline: an interruption notice takes the instance out of the target group. */
export function addSpotDrain(fleet: Fleet, targetGroupArn: string): void {
  fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'LeaveTargetGroupOnSpotInterruption',
    actions: ['elasticloadbalancing:DeregisterTargets'],
    resources: [targetGroupArn],
  }));
  fleet.addBootStep({ name: 'spot-drain', phase: BootPhase.START, script: bootFile('spot-drain.sh'), environment: { TARGET_GROUP_ARN: targetGroupArn } });
}
