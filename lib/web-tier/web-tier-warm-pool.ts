import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../common/acknowledge';
import { checkInteger, invalid, isResolved } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { Fleet, FLEET_TAG } from '../fleet/fleet';
import { WebTierScaling, WebTierSpotBurst, WebTierWarmPool } from './web-tier-props';

/**
 * A warm pool of pre-initialized instances: the group draws from it before launching new ones.
 * Pooled instances resume through `warm-pool.sh`, which compares their launch template version,
 * and every instance that enters service recycles pooled instances of an older version
 * (`warm-recycle.sh`), since CloudFormation's rolling update replaces InService instances only.
 *
 * AWS refuses what this checks: a pool cannot hold Spot instances (Auto Scaling stops pooled
 * instances, and EC2 stops a Spot instance only for a persistent Spot request, which Auto Scaling
 * does not make: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/interruption-behavior.html,
 * "The Spot Instance request type must be persistent"). The pool's size is always explicit
 * (MaxGroupPreparedCapacity): without it Auto Scaling keeps capacity.max less the desired capacity.
 */
export function addWarmPool(tier: Construct, fleet: Fleet, pool: WebTierWarmPool, healthUrl: string, capacity: { min: number; max: number; baseline?: number }): void {
  if (capacity.baseline !== undefined) {
    invalid(tier, 'warmPool', `beside Spot above capacity.baseline (${capacity.baseline})`,
      'A warm pool cannot hold Spot instances: Auto Scaling stops the instances it pools, and EC2 stops a Spot instance only for a persistent Spot request, ' +
      'which Auto Scaling never makes, so a group that launches Spot cannot have a warm pool. Keep the pool on On-Demand capacity: remove capacity.baseline ' +
      'and add the cheap burst as spotBurst: { max } (a Spot group behind the same target group, without a pool), or remove warmPool.');
  }
  checkInteger(tier, 'warmPool.minSize', pool.minSize, 0, 10_000);
  if (pool.minSize !== undefined && isResolved(capacity.max) && pool.minSize > capacity.max) {
    invalid(tier, 'CWT247', 'warmPool.minSize', pool.minSize, `It is larger than capacity.max (${capacity.max}): a warm pool only feeds instances the group may run; lower warmPool.minSize or raise capacity.max.`);
  }
  checkInteger(tier, 'CWT248', 'warmPool.maxPreparedCapacity', pool.maxPreparedCapacity, 1, 10_000);
  if (pool.maxPreparedCapacity !== undefined && isResolved(capacity.min) && pool.maxPreparedCapacity < capacity.min) {
    invalid(tier, 'CWT249', 'warmPool.maxPreparedCapacity', pool.maxPreparedCapacity, `It is below capacity.min (${capacity.min}).`);
  }
  const size = warmPoolSize(pool, capacity);
  fleet.autoScalingGroup.addWarmPool({
    minSize: size.minSize,
    maxGroupPreparedCapacity: size.maxPreparedCapacity,
    poolState: pool.state ?? autoscaling.PoolState.STOPPED,
  });
  fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'CompareLaunchTemplateVersion',
    actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeWarmPool'],
    resources: ['*'],
  }));
  // The recycler terminates stale pooled instances of this fleet only (they carry its tag).
  fleet.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'RecycleStalePooledInstances',
    actions: ['ec2:TerminateInstances'],
    resources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/*`],
    conditions: { StringEquals: { [`ec2:ResourceTag/${FLEET_TAG}`]: fleet.node.addr } },
  }));
  acknowledgeFindings(fleet.instancePolicy,
    'ec2:TerminateInstances names every instance of the account and region, limited by condition to instances tagged with this fleet\'s id: ' +
    'the warm pool\'s recycler terminates pooled instances of an older launch template version, whose ids are known only at run time.',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]');
  fleet.addBootStep({ name: 'warm-pool', phase: BootPhase.PREPARE, script: bootFile('warm-pool.sh'), environment: { HEALTH_URL: healthUrl } });
}

/**
 * The pool's explicit size: MinSize (default capacity.min, a pool as large as the starting fleet)
 * and MaxGroupPreparedCapacity (default capacity.min + MinSize): at rest the pool holds MinSize.
 */
export function warmPoolSize(pool: WebTierWarmPool, capacity: { min: number }): { minSize: number; maxPreparedCapacity: number } {
  const minSize = pool.minSize ?? capacity.min;
  return { minSize, maxPreparedCapacity: pool.maxPreparedCapacity ?? capacity.min + minSize };
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

/**
 * The tier's Spot burst group (`spotBurst`): Spot only, no pool, behind the tier's target group,
 * scaling like the tier's group, and draining on an interruption notice.
 */
export function addSpotBurst(tier: Construct, fleet: Fleet, burst: WebTierSpotBurst, targetGroup: elbv2.ApplicationTargetGroup,
  scaling: WebTierScaling, spotDrainAdded: boolean): autoscaling.AutoScalingGroup {
  checkInteger(tier, 'spotBurst.max', burst.max, 1, 10_000);
  checkInteger(tier, 'spotBurst.min', burst.min, 0, burst.max);
  const group = fleet.addSpotBurstGroup(burst.max, burst.min ?? 0);
  targetGroup.addTarget(group);
  if (!spotDrainAdded) addSpotDrain(fleet, targetGroup.targetGroupArn);
  group.scaleOnCpuUtilization('CpuTracking', { targetUtilizationPercent: scaling.targetCpuPercent ?? 50 });
  const perInstance = scaling.requestsPerSecondPerInstance;
  const requestTarget = scaling.requestsPerTargetPerMinute ?? (perInstance === undefined ? undefined : Math.round(perInstance * 60 * 0.7));
  if (requestTarget !== undefined) {
    const policy = group.scaleOnRequestCount('RequestTracking', { targetRequestsPerMinute: requestTarget });
    acknowledgeFindings(policy,
      'aws-cdk-lib\'s scaleOnRequestCount makes the policy depend on the listener explicitly (so the target group is attached first) as well as through the ' +
      'resource label\'s references: the DependsOn is redundant, not wrong.',
      'W3005');
  }
  return group;
}
