import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Duration, Lazy, Stack, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The instance tag that names the CloudFormation resource an instance signals. A Spot burst group
 * shares its tier's launch template (one user data, which names the tier's primary group), so its
 * instances read this tag and signal their own group: during a rolling update of the primary
 * group, CloudFormation must count only the primary group's new instances.
 */
export const SIGNAL_RESOURCE_TAG = 'cdk-web-tiers:signal-resource';

/** What a fleet hands its Spot burst group: the same subnets, launch template, hook, tags and timeouts. */
export interface SpotBurstGroupProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: { readonly selection: ec2.SubnetSelection; readonly availabilityZones: string[] };
  readonly launchTemplate: ec2.ILaunchTemplate;
  readonly instanceTypes: ec2.InstanceType[];
  readonly healthChecks?: autoscaling.HealthChecks;
  readonly timeout: Duration;
  readonly maxBatchSize: number;
  readonly notificationsTopic: sns.ITopic;
  readonly hookName: string;
  readonly fleetTag: { readonly key: string; readonly value: string; readonly name: string };
  /** Most instances of the burst group. */
  readonly max: number;
  /** Instances of the burst group always running. */
  readonly min: number;
  /** The fleet's own group, named in the burst group's metadata for the spike model. */
  readonly primary: autoscaling.CfnAutoScalingGroup;
}

/** Metadata of a Spot burst group: the logical id of the group it bursts for (read by lib/spike/template-reader.ts). */
export const SPOT_BURST_OF = 'cdk-web-tiers:spotBurstOf';

/**
 * A group of Spot instances only (no On-Demand base, no warm pool: a pool cannot hold Spot
 * instances), from the fleet's launch template, with the fleet's launch hook and tags. It starts
 * empty and scales out beside the primary group when demand passes what the primary group serves.
 */
export function addSpotBurstGroup(scope: Construct, id: string, props: SpotBurstGroupProps): autoscaling.AutoScalingGroup {
  const group = new autoscaling.AutoScalingGroup(scope, id, {
    vpc: props.vpc,
    vpcSubnets: props.subnets.selection,
    mixedInstancesPolicy: {
      launchTemplate: props.launchTemplate,
      launchTemplateOverrides: props.instanceTypes.map(instanceType => ({ instanceType })),
      instancesDistribution: {
        onDemandBaseCapacity: 0,
        onDemandPercentageAboveBaseCapacity: 0,
        spotAllocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
      },
    },
    minCapacity: props.min,
    maxCapacity: props.max,
    healthChecks: props.healthChecks,
    // Its instances in service when a deployment comes are replaced like the primary group's, each
    // counted by its own SUCCESS signal (SIGNAL_RESOURCE_TAG).
    updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
      maxBatchSize: props.maxBatchSize,
      minInstancesInService: 0,
      waitOnResourceSignals: true,
      pauseTime: props.timeout,
    }),
    notifications: [{ topic: props.notificationsTopic, scalingEvents: autoscaling.ScalingEvents.ALL }],
    groupMetrics: [autoscaling.GroupMetrics.all()],
    cooldown: Duration.minutes(5),
    defaultInstanceWarmup: Duration.minutes(3),
    capacityRebalance: true,
  });
  const cfnGroup = group.node.defaultChild as autoscaling.CfnAutoScalingGroup;
  cfnGroup.lifecycleHookSpecificationList = [{
    lifecycleHookName: props.hookName,
    lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_LAUNCHING,
    heartbeatTimeout: props.timeout.toSeconds(),
    defaultResult: autoscaling.DefaultResult.ABANDON,
  }];
  cfnGroup.availabilityZones = props.subnets.availabilityZones;
  cfnGroup.addMetadata(SPOT_BURST_OF, Lazy.string({ produce: () => Stack.of(group).getLogicalId(props.primary) }));
  Tags.of(group).add(props.fleetTag.key, props.fleetTag.value, { applyToLaunchedInstances: true });
  Tags.of(group).add('Name', props.fleetTag.name, { applyToLaunchedInstances: true });
  Tags.of(group).add(SIGNAL_RESOURCE_TAG, Lazy.string({ produce: () => Stack.of(group).getLogicalId(cfnGroup) }), { applyToLaunchedInstances: true });
  return group;
}
