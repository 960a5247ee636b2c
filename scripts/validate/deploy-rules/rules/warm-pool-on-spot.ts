import { DeployRule, RuleHit, TemplateResource, groupNamedBy, launchTemplateOf, literalNumber, resourcesOf } from '../rule';
import { CfnTemplate, arr, obj } from '../../model';

/**
 * A warm pool on an Auto Scaling group that can launch Spot Instances. A stopped (or hibernated)
 * pool needs instances that can be stopped, and EC2 stops a Spot Instance only for a persistent
 * Spot request, which Auto Scaling never makes; PutWarmPool "cannot be called on an Auto Scaling
 * group that has a mixed instances policy or a launch template or launch configuration that
 * requests Spot Instances" (the November 2025 change allowed mixed instances policies that launch
 * On-Demand only). Spot-capable: a mixed instances policy whose capacity above the On-Demand base
 * may be Spot (OnDemandPercentageAboveBaseCapacity < 100, with a base below MaxSize), or a launch
 * template / configuration that asks for Spot.
 */
export const WarmPoolOnSpot: DeployRule = {
  id: 'DeployRules-WarmPoolOnSpot',
  level: 'error',
  document: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html',
  check: ({ stacks }) => {
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      for (const pool of resourcesOf(stack.template, 'AWS::AutoScaling::WarmPool')) {
        const group = groupNamedBy(stack.template, pool.properties.AutoScalingGroupName);
        const why = group && spotReason(stack.template, group);
        if (group && why) {
          hits.push({
            stack,
            logicalId: pool.logicalId,
            message: `Warm pool on ${group.logicalId}, which can launch Spot Instances (${why}): Auto Scaling refuses a warm pool on a group that requests Spot ` +
              '("This operation cannot be called on an Auto Scaling group that has a mixed instances policy or a launch template or launch configuration that requests Spot Instances"), ' +
              'and a Spot Instance from a one-time request cannot be stopped into the pool. Fix: keep the pool on an On-Demand-only group and put the Spot burst in a second group behind the same target group, or drop the pool.',
          });
        }
      }
    }
    return hits;
  },
};

/** Why a group can launch Spot, or undefined when it cannot. */
export function spotReason(template: CfnTemplate, group: TemplateResource): string | undefined {
  const mixed = obj(group.properties.MixedInstancesPolicy);
  if (group.properties.MixedInstancesPolicy !== undefined) {
    const distribution = obj(mixed.InstancesDistribution);
    const base = literalNumber(distribution.OnDemandBaseCapacity) ?? 0;
    const percent = literalNumber(distribution.OnDemandPercentageAboveBaseCapacity) ?? 100;
    const max = literalNumber(group.properties.MaxSize);
    if (percent < 100 && (max === undefined || base < max)) {
      return `MixedInstancesPolicy: OnDemandBaseCapacity ${base}, OnDemandPercentageAboveBaseCapacity ${percent}${max === undefined ? '' : `, MaxSize ${max}`}`;
    }
  }
  const specs = [
    group.properties.LaunchTemplate,
    obj(mixed.LaunchTemplate).LaunchTemplateSpecification,
    ...arr(obj(mixed.LaunchTemplate).Overrides).map((o) => obj(o).LaunchTemplateSpecification),
  ].filter((s) => s !== undefined);
  for (const spec of specs) {
    const launchTemplate = launchTemplateOf(template, spec);
    const market = obj(obj(launchTemplate?.properties.LaunchTemplateData).InstanceMarketOptions).MarketType;
    if (launchTemplate && market === 'spot') return `launch template ${launchTemplate.logicalId} sets InstanceMarketOptions.MarketType spot`;
  }
  const configName = group.properties.LaunchConfigurationName;
  const config = resourcesOf(template, 'AWS::AutoScaling::LaunchConfiguration').find((c) => obj(configName).Ref === c.logicalId);
  if (config?.properties.SpotPrice !== undefined) return `launch configuration ${config.logicalId} sets SpotPrice`;
  return undefined;
}
