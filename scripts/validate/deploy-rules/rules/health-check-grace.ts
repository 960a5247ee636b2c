import { DeployRule, RuleHit, literalNumber, mentions, resourcesOf } from '../rule';
import { arr, obj } from '../../model';

/**
 * Group metadata key whose `bootSeconds` tells how many seconds an instance of the group takes
 * from launch to serving: the spike declaration that cdk-web-tiers writes on the groups it creates
 * (issue 19, `SpikeGroupDeclaration` in lib/spike/model.ts), and that any app may write:
 * `(group.node.defaultChild as CfnResource).addMetadata('cdk-web-tiers:spike', { bootSeconds: 240 })`.
 */
export const SPIKE_METADATA_KEY = 'cdk-web-tiers:spike';

/** The boot a group declares in its template, or undefined. */
export function declaredBootSeconds(metadata: Record<string, unknown>): number | undefined {
  return literalNumber(obj(metadata[SPIKE_METADATA_KEY]).bootSeconds);
}

/**
 * ELB health checks whose grace period is shorter than the boot the template declares (metadata
 * `cdk-web-tiers:spike`, its `bootSeconds`, on the group): "The grace period prevents Amazon EC2 Auto Scaling
 * from marking your newly launched instances Unhealthy and terminating them unnecessarily if they
 * don't immediately pass these health checks after they enter the InService state." With a grace
 * period shorter than the boot, every new instance is replaced before it can serve (the default is
 * 0 outside the console), and a scale-out never completes.
 *
 * Skipped, on purpose: groups without the metadata key (the boot time is not in the template; a
 * deadline such as PauseTime is an upper bound, not the boot), and groups with a launch lifecycle
 * hook ("If you use lifecycle hooks for instance launch, you can set the health check grace period
 * to 0": the instance finishes booting in Pending:Wait, before InService).
 */
export const HealthCheckGrace: DeployRule = {
  id: 'DeployRules-HealthCheckGrace',
  level: 'error',
  document: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html',
  check: ({ stacks }) => {
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      const hooks = resourcesOf(stack.template, 'AWS::AutoScaling::LifecycleHook');
      for (const group of resourcesOf(stack.template, 'AWS::AutoScaling::AutoScalingGroup')) {
        const type = String(group.properties.HealthCheckType ?? 'EC2');
        if (!/\bELB\b/.test(type)) continue;
        const boot = declaredBootSeconds(group.metadata);
        if (boot === undefined) continue;
        const launching = (h: unknown) => obj(h).LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING';
        const hooked = arr(group.properties.LifecycleHookSpecificationList).some(launching)
          || hooks.some((h) => launching(h.properties) && mentions(h.properties.AutoScalingGroupName, group.logicalId));
        if (hooked) continue;
        const grace = literalNumber(group.properties.HealthCheckGracePeriod) ?? 0;
        if (grace >= boot) continue;
        hits.push({
          stack,
          logicalId: group.logicalId,
          message: `ELB health checks with HealthCheckGracePeriod ${grace} s, shorter than the ${boot} s boot the group declares (${SPIKE_METADATA_KEY} bootSeconds): ` +
            'the grace period is what "prevents Amazon EC2 Auto Scaling from marking your newly launched instances Unhealthy and terminating them" before they pass. ' +
            `Fix: set HealthCheckGracePeriod to at least ${boot}, or add a launch lifecycle hook that completes when the instance is ready.`,
        });
      }
    }
    return hits;
  },
};
